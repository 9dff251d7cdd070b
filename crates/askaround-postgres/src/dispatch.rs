//! Durable timers and matcher jobs, leased to one node at a time.
//!
//! Claims lock the rows they take with `FOR UPDATE SKIP LOCKED`: two nodes claiming at once each
//! skip what the other is taking instead of waiting for it, and a row another node leased a
//! moment ago is re-checked against its new lease before it is taken, so no timer or job is ever
//! handed to two nodes while its lease runs.

use jiff::{SignedDuration, Timestamp};
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

use askaround_core::asks::Timer;
use askaround_core::ids::{AskId, OfferId, OrgId};
use askaround_store::{DueTimer, MatcherJob, StoreResult};

use crate::codec::{corrupt, db_err, get, millis, timestamp, unsigned};

pub fn timer_text(timer: Timer) -> String {
    match timer {
        Timer::Board => "board".to_owned(),
        Timer::Offer(offer) => format!("offer:{offer}"),
    }
}

fn timer_from(text: &str) -> StoreResult<Timer> {
    match text.strip_prefix("offer:") {
        Some(id) => Ok(Timer::Offer(
            id.parse::<OfferId>().map_err(|e| corrupt("timer", e))?,
        )),
        None if text == "board" => Ok(Timer::Board),
        None => Err(corrupt("timer", text)),
    }
}

pub async fn claim_due_timers(
    tx: &mut Transaction<'_, Postgres>,
    now: Timestamp,
    limit: u32,
    lease: SignedDuration,
) -> StoreResult<Vec<DueTimer>> {
    let rows = sqlx::query(
        "UPDATE timers t SET lease_until = $1 FROM ( \
           SELECT ask_id, timer FROM timers \
           WHERE due_at <= $2 AND (lease_until IS NULL OR lease_until <= $2) \
           ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED) due \
         WHERE t.ask_id = due.ask_id AND t.timer = due.timer \
         RETURNING t.org_id, t.ask_id, t.timer, t.due_at",
    )
    .bind(millis(now + lease))
    .bind(millis(now))
    .bind(i64::from(limit))
    .fetch_all(&mut **tx)
    .await
    .map_err(db_err)?;
    let mut due = rows
        .iter()
        .map(|row| {
            Ok(DueTimer {
                org_id: OrgId(get(row, "org_id")?),
                ask_id: AskId(get(row, "ask_id")?),
                timer: timer_from(&get::<String>(row, "timer")?)?,
                due_at: timestamp(get(row, "due_at")?)?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    due.sort_by_key(|t| t.due_at);
    Ok(due)
}

pub async fn next_due(pool: &PgPool) -> StoreResult<Option<Timestamp>> {
    let due: Option<i64> =
        sqlx::query_scalar("SELECT MIN(GREATEST(due_at, COALESCE(lease_until, 0))) FROM timers")
            .fetch_one(pool)
            .await
            .map_err(db_err)?;
    due.map(timestamp).transpose()
}

pub async fn drop_timer(conn: &mut PgConnection, ask: AskId, timer: Timer) -> StoreResult<()> {
    sqlx::query("DELETE FROM timers WHERE ask_id = $1 AND timer = $2")
        .bind(ask.0)
        .bind(timer_text(timer))
        .execute(conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

pub async fn claim_jobs(
    tx: &mut Transaction<'_, Postgres>,
    now: Timestamp,
    limit: u32,
    lease: SignedDuration,
) -> StoreResult<Vec<MatcherJob>> {
    let rows = sqlx::query(
        "UPDATE jobs j SET lease_until = $1 FROM ( \
           SELECT id FROM jobs WHERE lease_until IS NULL OR lease_until <= $2 \
           ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) free \
         WHERE j.id = free.id \
         RETURNING j.id, j.org_id, j.ask_id, j.wave",
    )
    .bind(millis(now + lease))
    .bind(millis(now))
    .bind(i64::from(limit))
    .fetch_all(&mut **tx)
    .await
    .map_err(db_err)?;
    let mut jobs = rows
        .iter()
        .map(|row| {
            Ok(MatcherJob {
                id: get(row, "id")?,
                org_id: OrgId(get(row, "org_id")?),
                ask_id: AskId(get(row, "ask_id")?),
                wave: unsigned(row, "wave")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    jobs.sort_by_key(|j| j.id);
    Ok(jobs)
}

pub async fn drop_job(conn: &mut PgConnection, id: i64) -> StoreResult<()> {
    sqlx::query("DELETE FROM jobs WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await
        .map_err(db_err)?;
    Ok(())
}
