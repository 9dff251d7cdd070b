//! Keeping the matcher's indexes warm: every organisation's index built as the node starts,
//! then rebuilt in the background before requests would find it stale (see [`super::matchers`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

/// [`keep_warm`] rebuilds indexes older than this, well before requests would find them stale.
const REBUILD_AHEAD: Duration = Duration::from_secs(2400);
/// How often [`keep_warm`] looks for ageing indexes.
const WARM_EVERY: Duration = Duration::from_secs(300);

/// Builds every organisation's index, then rebuilds every held index older than
/// [`REBUILD_AHEAD`] (or stale), one after another, so that requests keep finding them fresh.
/// Runs until the node stops.
pub async fn keep_warm(routing: Arc<super::Routing>) {
    // Every organisation's index is built once at start, in the background: a node answers
    // health checks at once, and the first ask of a large organisation (20 s to build at
    // 100,000 people and 1,000,000 past asks) does not wait for it unless it comes during the
    // build, when it joins the same build.
    match routing.store.orgs().await {
        Ok(orgs) => {
            for org in orgs {
                let started = Instant::now();
                match routing.matchers.index(org.id).await {
                    Ok(_) => tracing::info!(
                        org = %org.id,
                        seconds = started.elapsed().as_secs_f64(),
                        "matcher index built"
                    ),
                    Err(e) => {
                        tracing::warn!(org = %org.id, error = %e, "matcher index build failed")
                    }
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not list organisations to warm up"),
    }
    loop {
        tokio::time::sleep(WARM_EVERY).await;
        for org in routing.matchers.held_orgs() {
            let started = Instant::now();
            match routing
                .matchers
                .index_younger_than(org, REBUILD_AHEAD)
                .await
            {
                Ok(_) => tracing::debug!(
                    org = %org,
                    seconds = started.elapsed().as_secs_f64(),
                    "matcher index fresh"
                ),
                Err(e) => tracing::warn!(org = %org, error = %e, "matcher index rebuild failed"),
            }
        }
    }
}
