//! The background tasks that own time and matcher work.
//!
//! - Workers answer matcher jobs as soon as a commit creates them (through an in-process queue),
//!   several at once: ranking is CPU work and commits wait on the disk, so they overlap.
//! - The sweeper fires durable timers and picks up jobs whose lease ran out (a node died before
//!   answering them). It sleeps until the nearest deadline, or until a commit stores an earlier
//!   one. After a crash or restart it resumes from the rows: nothing scheduled is lost.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use tokio::sync::Semaphore;

use askaround_store::MatcherJob;

use super::Routing;

/// Even with nothing due, look again this often (timers written by another process).
const IDLE: Duration = Duration::from_secs(15);
/// After a failure, wait before retrying so a broken database is not hammered.
const BACKOFF: Duration = Duration::from_secs(1);
/// How long a claimed job or timer is ours; if this node dies, another takes it after this.
const LEASE: SignedDuration = SignedDuration::from_secs(30);
/// A job a node creates and answers itself is held for this long: short, so that after a crash
/// the restarted node (or another) routes the ask again within seconds.
pub const INLINE_LEASE: SignedDuration = SignedDuration::from_secs(5);
/// Matcher jobs and timers handled at once.
const WORKERS: usize = 8;

pub async fn run(routing: Arc<Routing>) {
    let permits = Arc::new(Semaphore::new(WORKERS));
    if let Some(mut queue) = routing.take_job_queue() {
        let (routing, permits) = (routing.clone(), permits.clone());
        tokio::spawn(async move {
            while let Some(job) = queue.recv().await {
                spawn_job(&routing, &permits, job).await;
            }
        });
    }
    sweep(routing, permits).await;
}

async fn spawn_job(routing: &Arc<Routing>, permits: &Arc<Semaphore>, job: MatcherJob) {
    let Ok(permit) = permits.clone().acquire_owned().await else {
        return;
    };
    let routing = routing.clone();
    tokio::spawn(async move {
        if let Err(e) = routing.run_job(&job).await {
            // The job keeps its lease; a later sweep hands it out again.
            tracing::warn!(error = %e, ask = %job.ask_id, "matcher job failed; will retry");
        }
        drop(permit);
    });
}

async fn sweep(routing: Arc<Routing>, permits: Arc<Semaphore>) {
    loop {
        let mut failed = false;
        match routing.store.claim_jobs(Timestamp::now(), 32, LEASE).await {
            Ok(jobs) => {
                for job in jobs {
                    spawn_job(&routing, &permits, job).await;
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
                for timer in timers {
                    let Ok(permit) = permits.clone().acquire_owned().await else {
                        return;
                    };
                    let routing = routing.clone();
                    tokio::spawn(async move {
                        if let Err(e) = routing.fire(&timer).await {
                            tracing::warn!(error = %e, ask = %timer.ask_id, "timer failed; will retry");
                        }
                        drop(permit);
                    });
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read timers");
                failed = true;
            }
        }
        let next = if failed {
            None
        } else {
            routing.store.next_timer_due().await.ok().flatten()
        };
        let now = Timestamp::now();
        let wait = match (failed, next) {
            (true, _) => BACKOFF,
            (false, Some(due)) => Duration::try_from(due.duration_since(now))
                .unwrap_or(Duration::ZERO)
                .min(IDLE),
            (false, None) => IDLE,
        };
        let wake_at = now + SignedDuration::try_from(wait).unwrap_or(SignedDuration::ZERO);
        routing.planned_sweep(Some(wake_at));
        if wait.is_zero() {
            continue;
        }
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = routing.woken() => {}
        }
    }
}
