//! What every handler shares: the store, the configuration and a few in-memory helpers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use askaround_core::asks::RoutingPolicy;
use askaround_core::ids::OrgId;
use askaround_core::taxonomy::Taxonomy;
use askaround_store::Store;

use crate::auth::rate_limit::RateLimiter;
use crate::error::ApiResult;
use crate::live::Hub;
use crate::routing::Routing;

/// Server settings (the binary layers defaults, a file, `ASKAROUND_*` and flags into these).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The address people use, e.g. `https://askaround.example.com`. Sets `Secure` cookies when
    /// it is https, and is the origin state-changing requests must come from. When unset, the
    /// request's own `Host` is trusted as the origin.
    pub public_url: Option<String>,
    pub session_ttl: Duration,
    pub invitation_ttl: Duration,
    /// Failed sign-ins allowed per email address, and attempts per client address, per window.
    pub login_failures_per_email: u32,
    pub login_attempts_per_ip: u32,
    pub login_window: Duration,
    /// Behind a reverse proxy: take the client address from `X-Forwarded-For` and TLS from
    /// `X-Forwarded-Proto`.
    pub trust_proxy: bool,
    /// Waves, offers per wave, offer and board lifetimes, auto-snooze.
    pub routing: RoutingPolicy,
    pub asks_per_hour: u32,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            public_url: None,
            session_ttl: Duration::from_secs(14 * 24 * 3600),
            invitation_ttl: Duration::from_secs(7 * 24 * 3600),
            login_failures_per_email: 10,
            login_attempts_per_ip: 60,
            login_window: Duration::from_secs(15 * 60),
            trust_proxy: false,
            routing: RoutingPolicy::default(),
            asks_per_hour: 30,
        }
    }
}

impl ServerConfig {
    pub fn https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<ServerConfig>,
    pub taxonomies: Arc<TaxonomyCache>,
    pub login_by_email: Arc<RateLimiter>,
    pub login_by_ip: Arc<RateLimiter>,
    pub metrics: metrics_exporter_prometheus::PrometheusHandle,
    pub hub: Arc<Hub>,
    pub routing: Arc<Routing>,
    /// Asks a person may create per hour: a runaway script must not page the whole company.
    pub ask_limiter: Arc<RateLimiter>,
}

impl AppState {
    pub fn new(
        store: Arc<dyn Store>,
        config: ServerConfig,
        metrics: metrics_exporter_prometheus::PrometheusHandle,
    ) -> Self {
        let hub = Arc::new(Hub::default());
        let taxonomies = Arc::new(TaxonomyCache::default());
        let routing = Arc::new(Routing::new(
            store.clone(),
            hub.clone(),
            taxonomies.clone(),
            config.routing.clone(),
        ));
        Self {
            ask_limiter: Arc::new(RateLimiter::new(
                config.asks_per_hour,
                std::time::Duration::from_secs(3600),
            )),
            store,
            login_by_email: Arc::new(RateLimiter::new(
                config.login_failures_per_email,
                config.login_window,
            )),
            login_by_ip: Arc::new(RateLimiter::new(
                config.login_attempts_per_ip,
                config.login_window,
            )),
            config: Arc::new(config),
            taxonomies,
            metrics,
            hub,
            routing,
        }
    }
}

/// Each organisation's taxonomy in memory, reloaded when the store's version for it moves (so an
/// edit made through another node is seen on the next request).
#[derive(Default)]
pub struct TaxonomyCache {
    entries: Mutex<HashMap<OrgId, (i64, Arc<Taxonomy>)>>,
}

impl TaxonomyCache {
    pub async fn get(&self, store: &dyn Store, org: OrgId) -> ApiResult<Arc<Taxonomy>> {
        let version = store.taxonomy_version(org).await?;
        if let Some(taxonomy) = self.cached(org, version) {
            return Ok(taxonomy);
        }
        let skills = store.skills(org).await?;
        let taxonomy = Arc::new(Taxonomy::new(skills));
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(org, (version, taxonomy.clone()));
        }
        Ok(taxonomy)
    }

    fn cached(&self, org: OrgId, version: i64) -> Option<Arc<Taxonomy>> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(&org)
            .filter(|(v, _)| *v == version)
            .map(|(_, t)| t.clone())
    }
}
