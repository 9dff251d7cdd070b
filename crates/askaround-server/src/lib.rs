//! askaround's HTTP server: the JSON API (with its OpenAPI document), sessions, the web pages and
//! the operator endpoints. `serve` takes a bound listener and a shutdown signal, so tests start
//! the real server on port 0 with their own database.

pub mod api;
pub mod auth;
pub mod error;
pub mod follow;
pub mod live;
pub mod ops;
pub mod people_import;
pub mod routing;
pub mod state;
mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Request};
use axum::middleware;
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use askaround_store::Store;

pub use state::{AppState, ServerConfig};

/// The Prometheus recorder is process-global; install it once even when tests start many servers.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .install_recorder()
                .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder().handle())
        })
        .clone()
}

pub fn router(state: AppState) -> Router {
    let security_headers = [
        (
            "content-security-policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        ),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
        ("cross-origin-opener-policy", "same-origin"),
    ];
    let mut app = Router::new()
        .merge(api::router())
        .merge(web::router(&state))
        .route("/api/v1/events", get(live::events_socket))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .fallback(not_found)
        .method_not_allowed_fallback(|| async { error::ApiError::MethodNotAllowed })
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::csrf::reject_cross_site,
        ))
        .layer(middleware::from_fn(ops::record));
    for (name, value) in security_headers {
        app = app.layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
    }
    app.layer(CatchPanicLayer::custom(|_| {
        error::ApiError::Internal(anyhow::anyhow!("handler panicked")).into_response_boxed()
    }))
    .layer(
        TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let route = request
                .extensions()
                .get::<axum::extract::MatchedPath>()
                .map_or("", |p| p.as_str())
                .to_owned();
            tracing::info_span!("http", method = %request.method(), route)
        }),
    )
    .with_state(state)
}

/// Unknown paths: the API's error shape under `/api/`, a page everywhere else.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        error::ApiError::NoRoute.into_response()
    } else {
        web::not_found_page()
    }
}

/// Serves until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    store: Arc<dyn Store>,
    config: ServerConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let state = AppState::new(store.clone(), config, metrics_handle());
    // With several nodes, before any request: from the first one on, events and index updates
    // come through the feed only.
    let follower = follow::start(&state).await?;
    let sweeper = tokio::spawn(sweep_expired_sessions(store.clone()));
    let insights = tokio::spawn(keep_insights_current(store));
    // Resumes whatever was scheduled before a crash or restart, then keeps time.
    let dispatcher = tokio::spawn(routing::dispatcher::run(state.routing.clone()));
    let warmer = tokio::spawn(routing::warming::keep_warm(state.routing.clone()));
    let routing = state.routing.clone();
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    sweeper.abort();
    insights.abort();
    dispatcher.abort();
    warmer.abort();
    if follower.is_some() {
        // Its sockets are closed: other nodes should stop counting them now, not after the
        // heartbeat runs out.
        routing.matchers.leave_nodes().await;
    }
    drop(follower);
    result.map_err(Into::into)
}

/// What the store holds in memory for insights (on either backend, the asks the speed figures
/// read) is read as the node starts, so no admin waits for it, and then kept current, which also
/// keeps the store's change log short.
async fn keep_insights_current(store: Arc<dyn Store>) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        if let Err(e) = store.insights_keep_current().await {
            tracing::warn!(error = %e, "could not bring the insights up to date");
        }
    }
}

async fn sweep_expired_sessions(store: Arc<dyn Store>) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        match store.delete_expired_sessions(jiff::Timestamp::now()).await {
            Ok(n) if n > 0 => tracing::debug!(removed = n, "expired sessions removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not remove expired sessions"),
        }
    }
}
