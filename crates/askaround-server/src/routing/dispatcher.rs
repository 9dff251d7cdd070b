//! The background task that owns time: it answers matcher jobs and fires durable timers, sleeping
//! until the nearest deadline or until woken by a new job. After a crash or restart it resumes
//! from the rows: nothing scheduled is lost.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;

use super::Routing;

/// Even with nothing due, look again this often (timers written by another process).
const IDLE: Duration = Duration::from_secs(15);
/// After a failure, wait before retrying so a broken database is not hammered.
const BACKOFF: Duration = Duration::from_secs(1);
/// How long a claimed job or timer is ours; if this node dies, another takes it after this.
const LEASE: jiff::SignedDuration = jiff::SignedDuration::from_secs(30);

pub async fn run(routing: Arc<Routing>) {
    loop {
        let mut failed = false;
        match routing.store.claim_jobs(Timestamp::now(), 32, LEASE).await {
            Ok(jobs) => {
                for job in &jobs {
                    if let Err(e) = routing.run_job(job).await {
                        tracing::warn!(error = %e, ask = %job.ask_id, "matcher job failed; will retry");
                        failed = true;
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read matcher jobs");
                failed = true;
            }
        }
        match routing
            .store
            .claim_due_timers(Timestamp::now(), 64, LEASE)
            .await
        {
            Ok(timers) => {
                for timer in &timers {
                    if let Err(e) = routing.fire(timer).await {
                        tracing::warn!(error = %e, ask = %timer.ask_id, "timer failed; will retry");
                        failed = true;
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read timers");
                failed = true;
            }
        }
        let wait = if failed {
            BACKOFF
        } else {
            match routing.store.next_timer_due().await {
                Ok(Some(due)) => {
                    let until = due.duration_since(Timestamp::now());
                    Duration::try_from(until)
                        .unwrap_or(Duration::ZERO)
                        .min(IDLE)
                }
                Ok(None) => IDLE,
                Err(_) => BACKOFF,
            }
        };
        if wait.is_zero() {
            continue;
        }
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = routing.woken() => {}
        }
    }
}
