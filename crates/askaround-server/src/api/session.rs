//! Signing in and out.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::dto::{SignInRequest, SignedIn};
use super::json::ApiJson;
use crate::auth::Caller;
use crate::auth::session::{clear_cookie, set_cookie};
use crate::auth::signin::{attach_cookie, authenticate, client_ip, open_session, secure};
use crate::error::{ApiResult, ErrorBody};
use crate::state::AppState;

/// Sign in with email and password; sets the session cookie.
#[utoipa::path(post, path = "/session", tag = "accounts",
    request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = SignedIn),
        (status = 401, description = "Wrong email or password", body = ErrorBody),
        (status = 429, description = "Too many attempts", body = ErrorBody),
    ))]
pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SignInRequest>,
) -> ApiResult<Response> {
    let (person, org) = authenticate(
        &state,
        &client_ip(&state, peer, &headers),
        &body.email,
        &body.password,
    )
    .await?;
    let (token, csrf) = open_session(&state, person, org).await?;
    let profile = state.store.person(org, person).await?;
    let mut response = Json(SignedIn {
        person: profile,
        csrf_token: csrf,
    })
    .into_response();
    let cookie = set_cookie(
        &token,
        state.config.session_ttl.as_secs(),
        secure(&state, &headers),
    );
    attach_cookie(&mut response, &cookie);
    Ok(response)
}

/// Sign out: ends this session.
#[utoipa::path(delete, path = "/session", tag = "accounts",
    responses((status = 204, description = "Signed out"), (status = 401, body = ErrorBody)),
    security(("session" = [])))]
pub async fn sign_out(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
) -> ApiResult<Response> {
    state.store.delete_session(&caller.token_hash).await?;
    let mut response = axum::http::StatusCode::NO_CONTENT.into_response();
    attach_cookie(&mut response, &clear_cookie(secure(&state, &headers)));
    Ok(response)
}
