//! Asks as state-machine records, their projections (offers, skills) and the outbox of each
//! transition: timers, matcher jobs, events, the conversation on a match, ignored streaks.

use jiff::{SignedDuration, Timestamp};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool, Transaction};

use askaround_core::asks::{Ask, AskState, OfferState, Timer};
use askaround_core::ids::{AskId, OfferId, OrgId, PersonId};
use askaround_core::matching::Urgency;
use askaround_store::{
    Committed, CreatedAsk, DueTimer, MatcherJob, OfferView, OpenAsksQuery, Outbox, StoreError,
    StoreResult,
};

use crate::codec::{corrupt, db_err, get, millis, timestamp, uuid};
use crate::{conversations, events};

pub fn state_name(state: &AskState) -> &'static str {
    match state {
        AskState::Routing { .. } => "routing",
        AskState::Open { .. } => "open",
        AskState::Matched { .. } => "matched",
        AskState::Resolved { .. } => "resolved",
        AskState::Cancelled => "cancelled",
        AskState::Expired => "expired",
    }
}

fn urgency_name(urgency: Urgency) -> &'static str {
    match urgency {
        Urgency::Now => "now",
        Urgency::Today => "today",
        Urgency::ThisWeek => "week",
    }
}

pub fn timer_text(timer: Timer) -> String {
    match timer {
        Timer::Board => "board".to_owned(),
        Timer::Offer(offer) => format!("offer:{offer}"),
    }
}

fn timer_from(text: &str) -> StoreResult<Timer> {
    match text.strip_prefix("offer:") {
        Some(id) => Ok(Timer::Offer(OfferId(uuid(id)?))),
        None if text == "board" => Ok(Timer::Board),
        None => Err(corrupt("timer", text)),
    }
}

fn record_json(ask: &Ask) -> StoreResult<String> {
    serde_json::to_string(ask).map_err(db_err)
}

pub fn ask_from_row(row: &SqliteRow) -> StoreResult<Ask> {
    let record: String = get(row, "record")?;
    serde_json::from_str(&record).map_err(|e| corrupt("ask record", e))
}

pub async fn create(
    tx: &mut Transaction<'_, Sqlite>,
    org: OrgId,
    ask: &Ask,
    idempotency_key: Option<&str>,
    outbox: &Outbox,
    now: Timestamp,
) -> StoreResult<CreatedAsk> {
    if let Some(key) = idempotency_key {
        let existing =
            sqlx::query("SELECT record FROM asks WHERE asker_id = ? AND idempotency_key = ?")
                .bind(ask.asker.to_string())
                .bind(key)
                .fetch_optional(&mut **tx)
                .await
                .map_err(db_err)?;
        if let Some(row) = existing {
            return Ok(CreatedAsk::Existing(Box::new(ask_from_row(&row)?)));
        }
    }
    sqlx::query(
        "INSERT INTO asks (id, org_id, asker_id, state, helper_id, urgency, mode, text, version, record, \
         idempotency_key, waves_sent, people_interrupted, created_at, updated_at, matched_at, closed_at) \
         VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, NULL, NULL)",
    )
    .bind(ask.id.to_string())
    .bind(org.to_string())
    .bind(ask.asker.to_string())
    .bind(state_name(&ask.state))
    .bind(urgency_name(ask.urgency))
    .bind(ask.mode.as_str())
    .bind(ask.text.as_str())
    .bind(version(ask)?)
    .bind(record_json(ask)?)
    .bind(idempotency_key)
    .bind(millis(ask.created_at))
    .bind(millis(ask.updated_at))
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    write_skills(tx, ask).await?;
    write_offers(tx, org, ask).await?;
    let committed = write_outbox(tx, org, ask, outbox, now).await?;
    Ok(CreatedAsk::Created(committed))
}

fn version(ask: &Ask) -> StoreResult<i64> {
    i64::try_from(ask.version).map_err(|e| corrupt("version", e))
}

pub async fn commit(
    tx: &mut Transaction<'_, Sqlite>,
    org: OrgId,
    expected_version: u64,
    ask: &Ask,
    outbox: &Outbox,
    now: Timestamp,
) -> StoreResult<Committed> {
    let expected = i64::try_from(expected_version).map_err(|e| corrupt("version", e))?;
    let done = sqlx::query(
        "UPDATE asks SET state = ?, helper_id = ?, text = ?, version = ?, record = ?, waves_sent = ?, \
         people_interrupted = ?, updated_at = ?, matched_at = ?, closed_at = ? \
         WHERE id = ? AND org_id = ? AND version = ?",
    )
    .bind(state_name(&ask.state))
    .bind(ask.helper().map(|h| h.to_string()))
    .bind(ask.text.as_str())
    .bind(version(ask)?)
    .bind(record_json(ask)?)
    .bind(i64::from(ask.counters.waves_sent))
    .bind(i64::from(ask.counters.people_interrupted))
    .bind(millis(ask.updated_at))
    .bind(ask.counters.matched_at.map(millis))
    .bind(ask.counters.closed_at.map(millis))
    .bind(ask.id.to_string())
    .bind(org.to_string())
    .bind(expected)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    if done.rows_affected() == 0 {
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM asks WHERE id = ? AND org_id = ?")
                .bind(ask.id.to_string())
                .bind(org.to_string())
                .fetch_optional(&mut **tx)
                .await
                .map_err(db_err)?;
        return Err(if exists.is_some() {
            StoreError::VersionConflict
        } else {
            StoreError::NotFound
        });
    }
    write_skills(tx, ask).await?;
    write_offers(tx, org, ask).await?;
    write_outbox(tx, org, ask, outbox, now).await
}

async fn write_skills(tx: &mut Transaction<'_, Sqlite>, ask: &Ask) -> StoreResult<()> {
    sqlx::query("DELETE FROM ask_skills WHERE ask_id = ?")
        .bind(ask.id.to_string())
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    let skills = ask.skills.as_slice();
    if skills.is_empty() {
        return Ok(());
    }
    let mut q = QueryBuilder::<Sqlite>::new("INSERT OR IGNORE INTO ask_skills (ask_id, skill_id) ");
    q.push_values(skills, |mut b, skill| {
        b.push_bind(ask.id.to_string()).push_bind(skill.to_string());
    });
    q.build().execute(&mut **tx).await.map_err(db_err)?;
    Ok(())
}

/// The offers table mirrors the record's offers, for "my offers" and load counts.
async fn write_offers(tx: &mut Transaction<'_, Sqlite>, org: OrgId, ask: &Ask) -> StoreResult<()> {
    for offer in &ask.offers {
        let reason = match &offer.state {
            OfferState::Declined { reason, .. } => Some(reason.as_str()),
            _ => None,
        };
        sqlx::query(
            "INSERT INTO offers (id, org_id, ask_id, helper_id, asker_id, wave, state, decline_reason, sent_at, expires_at, closed_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET state = excluded.state, decline_reason = excluded.decline_reason, \
             closed_at = excluded.closed_at, expires_at = excluded.expires_at",
        )
        .bind(offer.id.to_string())
        .bind(org.to_string())
        .bind(ask.id.to_string())
        .bind(offer.helper.to_string())
        .bind(ask.asker.to_string())
        .bind(i64::from(offer.wave))
        .bind(offer.state.name())
        .bind(reason)
        .bind(millis(offer.sent_at))
        .bind(millis(offer.expires_at))
        .bind(offer.closed_at.map(millis))
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

async fn write_outbox(
    tx: &mut Transaction<'_, Sqlite>,
    org: OrgId,
    ask: &Ask,
    outbox: &Outbox,
    now: Timestamp,
) -> StoreResult<Committed> {
    let ask_id = ask.id.to_string();
    for timer in &outbox.unschedule {
        sqlx::query("DELETE FROM timers WHERE ask_id = ? AND timer = ?")
            .bind(&ask_id)
            .bind(timer_text(*timer))
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    for (timer, due_at) in &outbox.schedule {
        sqlx::query(
            "INSERT OR REPLACE INTO timers (ask_id, timer, org_id, due_at) VALUES (?, ?, ?, ?)",
        )
        .bind(&ask_id)
        .bind(timer_text(*timer))
        .bind(org.to_string())
        .bind(millis(*due_at))
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    if let Some(job) = outbox.done_job {
        sqlx::query("DELETE FROM jobs WHERE id = ?")
            .bind(job)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    let mut job = None;
    if let Some(wave) = outbox.find_candidates {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO jobs (org_id, ask_id, wave, created_at, lease_until) VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(org.to_string())
        .bind(&ask_id)
        .bind(i64::from(wave))
        .bind(millis(now))
        .bind(outbox.job_lease_until.map(millis))
        .fetch_one(&mut **tx)
        .await
        .map_err(db_err)?;
        job = Some(MatcherJob {
            id,
            org_id: org,
            ask_id: ask.id,
            wave,
        });
    }
    if let Some(conversation) = &outbox.open_conversation {
        sqlx::query("INSERT OR IGNORE INTO conversations (id, org_id, ask_id, created_at) VALUES (?, ?, ?, ?)")
            .bind(conversation.id.to_string())
            .bind(org.to_string())
            .bind(&ask_id)
            .bind(millis(now))
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
        for (person, role) in [
            (conversation.learner, "learner"),
            (conversation.helper, "helper"),
        ] {
            sqlx::query(
                "INSERT OR IGNORE INTO participants (conversation_id, person_id, role, added_by, added_at) \
                 SELECT id, ?, ?, NULL, ? FROM conversations WHERE ask_id = ?",
            )
            .bind(person.to_string())
            .bind(role)
            .bind(millis(now))
            .bind(&ask_id)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
        }
    }
    let mut snoozed = Vec::new();
    for (person, ignored) in &outbox.responses {
        let streak: Option<i64> = sqlx::query_scalar(
            "UPDATE people SET ignored_in_a_row = CASE WHEN ? THEN ignored_in_a_row + 1 ELSE 0 END \
             WHERE id = ? AND org_id = ? RETURNING ignored_in_a_row",
        )
        .bind(*ignored)
        .bind(person.to_string())
        .bind(org.to_string())
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?;
        if outbox.snooze_after > 0 && streak.is_some_and(|s| s >= i64::from(outbox.snooze_after)) {
            sqlx::query("UPDATE people SET presence = 'dnd', ignored_in_a_row = 0, updated_at = ? WHERE id = ?")
                .bind(millis(now))
                .bind(person.to_string())
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
            snoozed.push(*person);
        }
    }
    for (offer, why) in &outbox.offer_reasons {
        sqlx::query("UPDATE offers SET why = ? WHERE id = ? AND ask_id = ?")
            .bind(why)
            .bind(offer.to_string())
            .bind(&ask_id)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    if let Some(feedback) = &outbox.feedback {
        conversations::write_feedback(tx, org, ask.id, feedback, now).await?;
    }
    let events = events::append(tx, org, &outbox.events, now).await?;
    Ok(Committed {
        events,
        snoozed,
        job,
    })
}

pub async fn one(pool: &SqlitePool, org: OrgId, id: AskId) -> StoreResult<Ask> {
    let row = sqlx::query("SELECT record FROM asks WHERE id = ? AND org_id = ?")
        .bind(id.to_string())
        .bind(org.to_string())
        .fetch_optional(pool)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound)?;
    ask_from_row(&row)
}

pub async fn of_offer(pool: &SqlitePool, org: OrgId, offer: OfferId) -> StoreResult<Ask> {
    let row = sqlx::query(
        "SELECT a.record FROM offers o JOIN asks a ON a.id = o.ask_id WHERE o.id = ? AND o.org_id = ?",
    )
    .bind(offer.to_string())
    .bind(org.to_string())
    .fetch_optional(pool)
    .await
    .map_err(db_err)?
    .ok_or(StoreError::NotFound)?;
    ask_from_row(&row)
}

pub async fn of_asker(
    pool: &SqlitePool,
    org: OrgId,
    asker: PersonId,
    limit: u32,
) -> StoreResult<Vec<Ask>> {
    let rows = sqlx::query("SELECT record FROM asks WHERE asker_id = ? AND org_id = ? ORDER BY created_at DESC, id DESC LIMIT ?")
        .bind(asker.to_string())
        .bind(org.to_string())
        .bind(i64::from(limit.clamp(1, 200)))
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    rows.iter().map(ask_from_row).collect()
}

pub async fn helped_by(
    pool: &SqlitePool,
    org: OrgId,
    helper: PersonId,
    limit: u32,
) -> StoreResult<Vec<Ask>> {
    let rows = sqlx::query(
        "SELECT record FROM asks WHERE helper_id = ? AND org_id = ? AND state IN ('matched', 'resolved') \
         ORDER BY matched_at DESC, id DESC LIMIT ?",
    )
    .bind(helper.to_string())
    .bind(org.to_string())
    .bind(i64::from(limit.clamp(1, 200)))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(ask_from_row).collect()
}

pub async fn open(pool: &SqlitePool, org: OrgId, query: &OpenAsksQuery) -> StoreResult<Vec<Ask>> {
    let mut q = QueryBuilder::<Sqlite>::new("SELECT record FROM asks WHERE org_id = ");
    q.push_bind(org.to_string()).push(" AND state = 'open'");
    if !query.skills.is_empty() {
        q.push(" AND id IN (SELECT ask_id FROM ask_skills WHERE skill_id IN (");
        let mut list = q.separated(", ");
        for skill in &query.skills {
            list.push_bind(skill.to_string());
        }
        q.push("))");
    }
    q.push(" ORDER BY created_at DESC LIMIT ")
        .push_bind(i64::from(query.limit.clamp(1, 200)));
    let rows = q.build().fetch_all(pool).await.map_err(db_err)?;
    rows.iter().map(ask_from_row).collect()
}

pub async fn offers_for(
    pool: &SqlitePool,
    org: OrgId,
    helper: PersonId,
    pending_only: bool,
    limit: u32,
) -> StoreResult<Vec<OfferView>> {
    let sql = if pending_only {
        "SELECT id, ask_id, state, why, sent_at, expires_at FROM offers WHERE helper_id = ? AND org_id = ? AND state = 'pending' ORDER BY sent_at DESC LIMIT ?"
    } else {
        "SELECT id, ask_id, state, why, sent_at, expires_at FROM offers WHERE helper_id = ? AND org_id = ? ORDER BY sent_at DESC LIMIT ?"
    };
    let rows = sqlx::query(sql)
        .bind(helper.to_string())
        .bind(org.to_string())
        .bind(i64::from(limit.clamp(1, 200)))
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    rows.iter()
        .map(|row| {
            Ok(OfferView {
                offer: OfferId(uuid(&get::<String>(row, "id")?)?),
                ask: AskId(uuid(&get::<String>(row, "ask_id")?)?),
                state: get(row, "state")?,
                why: get(row, "why")?,
                sent_at: timestamp(get(row, "sent_at")?)?,
                expires_at: timestamp(get(row, "expires_at")?)?,
            })
        })
        .collect()
}

pub async fn claim_due_timers(
    tx: &mut Transaction<'_, Sqlite>,
    now: Timestamp,
    limit: u32,
    lease: SignedDuration,
) -> StoreResult<Vec<DueTimer>> {
    let rows = sqlx::query(
        "UPDATE timers SET lease_until = ? WHERE rowid IN ( \
           SELECT rowid FROM timers WHERE due_at <= ? AND (lease_until IS NULL OR lease_until <= ?) \
           ORDER BY due_at LIMIT ?) \
         RETURNING org_id, ask_id, timer, due_at",
    )
    .bind(millis(now + lease))
    .bind(millis(now))
    .bind(millis(now))
    .bind(i64::from(limit))
    .fetch_all(&mut **tx)
    .await
    .map_err(db_err)?;
    let mut due = rows
        .iter()
        .map(|row| {
            Ok(DueTimer {
                org_id: OrgId(uuid(&get::<String>(row, "org_id")?)?),
                ask_id: AskId(uuid(&get::<String>(row, "ask_id")?)?),
                timer: timer_from(&get::<String>(row, "timer")?)?,
                due_at: timestamp(get(row, "due_at")?)?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    due.sort_by_key(|t| t.due_at);
    Ok(due)
}

pub async fn next_due(pool: &SqlitePool) -> StoreResult<Option<Timestamp>> {
    let due: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(at) FROM ( \
           SELECT MAX(due_at, COALESCE(lease_until, 0)) AS at FROM timers \
           UNION ALL SELECT lease_until FROM jobs WHERE lease_until IS NOT NULL)",
    )
    .fetch_one(pool)
    .await
    .map_err(db_err)?;
    due.map(timestamp).transpose()
}

pub async fn drop_timer(conn: &mut SqliteConnection, ask: AskId, timer: Timer) -> StoreResult<()> {
    sqlx::query("DELETE FROM timers WHERE ask_id = ? AND timer = ?")
        .bind(ask.to_string())
        .bind(timer_text(timer))
        .execute(conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

pub async fn claim_jobs(
    tx: &mut Transaction<'_, Sqlite>,
    now: Timestamp,
    limit: u32,
    lease: SignedDuration,
) -> StoreResult<Vec<MatcherJob>> {
    let rows = sqlx::query(
        "UPDATE jobs SET lease_until = ? WHERE id IN ( \
           SELECT id FROM jobs WHERE lease_until IS NULL OR lease_until <= ? ORDER BY id LIMIT ?) \
         RETURNING id, org_id, ask_id, wave",
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
            let wave: i64 = get(row, "wave")?;
            Ok(MatcherJob {
                id: get(row, "id")?,
                org_id: OrgId(uuid(&get::<String>(row, "org_id")?)?),
                ask_id: AskId(uuid(&get::<String>(row, "ask_id")?)?),
                wave: u32::try_from(wave).map_err(|e| corrupt("wave", e))?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    jobs.sort_by_key(|j| j.id);
    Ok(jobs)
}

pub async fn drop_job(conn: &mut SqliteConnection, id: i64) -> StoreResult<()> {
    sqlx::query("DELETE FROM jobs WHERE id = ?")
        .bind(id)
        .execute(conn)
        .await
        .map_err(db_err)?;
    Ok(())
}
