//! Asks as state-machine records and their projections (offers, skills): creating one,
//! committing a transition at the expected version, and the queries over them.

use jiff::Timestamp;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Postgres, QueryBuilder, Transaction};
use uuid::Uuid;

use askaround_core::asks::{Ask, AskState, OfferState};
use askaround_core::ids::{AskId, OfferId, OrgId, PersonId};
use askaround_core::matching::Urgency;
use askaround_store::{
    Committed, CreatedAsk, OfferView, OpenAsksQuery, Outbox, StoreError, StoreResult,
};

use crate::codec::{corrupt, db_err, get, millis, timestamp};
use crate::outbox;

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

fn record_json(ask: &Ask) -> StoreResult<String> {
    serde_json::to_string(ask).map_err(db_err)
}

/// Reads the `record` column, selected as `record::text AS record`.
pub fn ask_from_row(row: &PgRow) -> StoreResult<Ask> {
    let record: String = get(row, "record")?;
    serde_json::from_str(&record).map_err(|e| corrupt("ask record", e))
}

fn version(v: u64) -> StoreResult<i64> {
    i64::try_from(v).map_err(|e| corrupt("version", e))
}

pub async fn create(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    ask: &Ask,
    idempotency_key: Option<&str>,
    outbox: &Outbox,
    now: Timestamp,
) -> StoreResult<CreatedAsk> {
    // Two requests with the same key may race from two nodes: the unique index decides, and the
    // loser (which waits for the winner to commit) gets the winner's ask back.
    let inserted = sqlx::query(
        "INSERT INTO asks (id, org_id, asker_id, state, helper_id, urgency, mode, text, version, record, \
         idempotency_key, waves_sent, people_interrupted, created_at, updated_at, matched_at, closed_at) \
         VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, $8, $9::jsonb, $10, 0, 0, $11, $12, NULL, NULL) \
         ON CONFLICT (asker_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING",
    )
    .bind(ask.id.0)
    .bind(org.0)
    .bind(ask.asker.0)
    .bind(state_name(&ask.state))
    .bind(urgency_name(ask.urgency))
    .bind(ask.mode.as_str())
    .bind(ask.text.as_str())
    .bind(version(ask.version)?)
    .bind(record_json(ask)?)
    .bind(idempotency_key)
    .bind(millis(ask.created_at))
    .bind(millis(ask.updated_at))
    .execute(&mut **tx)
    .await
    .map_err(db_err)?
    .rows_affected()
        > 0;
    if !inserted {
        let row = sqlx::query(
            "SELECT record::text AS record FROM asks WHERE asker_id = $1 AND idempotency_key = $2",
        )
        .bind(ask.asker.0)
        .bind(idempotency_key)
        .fetch_one(&mut **tx)
        .await
        .map_err(db_err)?;
        return Ok(CreatedAsk::Existing(Box::new(ask_from_row(&row)?)));
    }
    write_skills(tx, ask).await?;
    write_offers(tx, org, ask).await?;
    let committed = outbox::write(tx, org, ask, outbox, now).await?;
    Ok(CreatedAsk::Created(committed))
}

pub async fn commit(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    expected_version: u64,
    ask: &Ask,
    outbox: &Outbox,
    now: Timestamp,
) -> StoreResult<Committed> {
    // A concurrent writer of the same ask holds its row until it commits; this UPDATE then
    // re-reads the row, finds the version moved on and changes nothing.
    let done = sqlx::query(
        "UPDATE asks SET state = $1, helper_id = $2, text = $3, version = $4, record = $5::jsonb, waves_sent = $6, \
         people_interrupted = $7, updated_at = $8, matched_at = $9, closed_at = $10 \
         WHERE id = $11 AND org_id = $12 AND version = $13",
    )
    .bind(state_name(&ask.state))
    .bind(ask.helper().map(|h| h.0))
    .bind(ask.text.as_str())
    .bind(version(ask.version)?)
    .bind(record_json(ask)?)
    .bind(i32::try_from(ask.counters.waves_sent).unwrap_or(i32::MAX))
    .bind(i32::try_from(ask.counters.people_interrupted).unwrap_or(i32::MAX))
    .bind(millis(ask.updated_at))
    .bind(ask.counters.matched_at.map(millis))
    .bind(ask.counters.closed_at.map(millis))
    .bind(ask.id.0)
    .bind(org.0)
    .bind(version(expected_version)?)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    if done.rows_affected() == 0 {
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM asks WHERE id = $1 AND org_id = $2)")
                .bind(ask.id.0)
                .bind(org.0)
                .fetch_one(&mut **tx)
                .await
                .map_err(db_err)?;
        return Err(if exists {
            StoreError::VersionConflict
        } else {
            StoreError::NotFound
        });
    }
    write_skills(tx, ask).await?;
    write_offers(tx, org, ask).await?;
    outbox::write(tx, org, ask, outbox, now).await
}

async fn write_skills(tx: &mut Transaction<'_, Postgres>, ask: &Ask) -> StoreResult<()> {
    sqlx::query("DELETE FROM ask_skills WHERE ask_id = $1")
        .bind(ask.id.0)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    let skills: Vec<Uuid> = ask.skills.as_slice().iter().map(|s| s.0).collect();
    if skills.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO ask_skills (ask_id, skill_id) SELECT $1, skill_id FROM UNNEST($2::uuid[]) AS s(skill_id) \
         ON CONFLICT DO NOTHING",
    )
    .bind(ask.id.0)
    .bind(&skills)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// The offers table mirrors the record's offers, for "my offers" and load counts: one upsert
/// for all of them.
async fn write_offers(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    ask: &Ask,
) -> StoreResult<()> {
    if ask.offers.is_empty() {
        return Ok(());
    }
    let mut q = QueryBuilder::<Postgres>::new(
        "INSERT INTO offers (id, org_id, ask_id, helper_id, asker_id, wave, state, decline_reason, sent_at, expires_at, closed_at) ",
    );
    q.push_values(&ask.offers, |mut b, offer| {
        let reason = match &offer.state {
            OfferState::Declined { reason, .. } => Some(reason.as_str().to_owned()),
            _ => None,
        };
        b.push_bind(offer.id.0)
            .push_bind(org.0)
            .push_bind(ask.id.0)
            .push_bind(offer.helper.0)
            .push_bind(ask.asker.0)
            .push_bind(i32::try_from(offer.wave).unwrap_or(i32::MAX))
            .push_bind(offer.state.name())
            .push_bind(reason)
            .push_bind(millis(offer.sent_at))
            .push_bind(millis(offer.expires_at))
            .push_bind(offer.closed_at.map(millis));
    });
    q.push(
        " ON CONFLICT (id) DO UPDATE SET state = excluded.state, decline_reason = excluded.decline_reason, \
         closed_at = excluded.closed_at, expires_at = excluded.expires_at",
    );
    q.build().execute(&mut **tx).await.map_err(db_err)?;
    Ok(())
}

async fn record_one(pool: &PgPool, sql: &'static str, a: Uuid, b: Uuid) -> StoreResult<Ask> {
    let row = sqlx::query(sql)
        .bind(a)
        .bind(b)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound)?;
    ask_from_row(&row)
}

pub async fn one(pool: &PgPool, org: OrgId, id: AskId) -> StoreResult<Ask> {
    record_one(
        pool,
        "SELECT record::text AS record FROM asks WHERE id = $1 AND org_id = $2",
        id.0,
        org.0,
    )
    .await
}

pub async fn of_offer(pool: &PgPool, org: OrgId, offer: OfferId) -> StoreResult<Ask> {
    record_one(
        pool,
        "SELECT a.record::text AS record FROM offers o JOIN asks a ON a.id = o.ask_id \
         WHERE o.id = $1 AND o.org_id = $2",
        offer.0,
        org.0,
    )
    .await
}

async fn records(
    pool: &PgPool,
    sql: &'static str,
    person: PersonId,
    org: OrgId,
    limit: u32,
) -> StoreResult<Vec<Ask>> {
    let rows = sqlx::query(sql)
        .bind(person.0)
        .bind(org.0)
        .bind(i64::from(limit.clamp(1, 200)))
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    rows.iter().map(ask_from_row).collect()
}

pub async fn of_asker(
    pool: &PgPool,
    org: OrgId,
    asker: PersonId,
    limit: u32,
) -> StoreResult<Vec<Ask>> {
    records(
        pool,
        "SELECT record::text AS record FROM asks WHERE asker_id = $1 AND org_id = $2 \
         ORDER BY created_at DESC, id DESC LIMIT $3",
        asker,
        org,
        limit,
    )
    .await
}

pub async fn helped_by(
    pool: &PgPool,
    org: OrgId,
    helper: PersonId,
    limit: u32,
) -> StoreResult<Vec<Ask>> {
    // NULLS LAST: SQLite's order, where NULL sorts below every value.
    records(
        pool,
        "SELECT record::text AS record FROM asks WHERE helper_id = $1 AND org_id = $2 \
         AND state IN ('matched', 'resolved') ORDER BY matched_at DESC NULLS LAST, id DESC LIMIT $3",
        helper,
        org,
        limit,
    )
    .await
}

pub async fn open(pool: &PgPool, org: OrgId, query: &OpenAsksQuery) -> StoreResult<Vec<Ask>> {
    let mut q =
        QueryBuilder::<Postgres>::new("SELECT record::text AS record FROM asks WHERE org_id = ");
    q.push_bind(org.0).push(" AND state = 'open'");
    if !query.skills.is_empty() {
        let skills: Vec<Uuid> = query.skills.iter().map(|s| s.0).collect();
        q.push(" AND id IN (SELECT ask_id FROM ask_skills WHERE skill_id = ANY(")
            .push_bind(skills)
            .push("))");
    }
    q.push(" ORDER BY created_at DESC LIMIT ")
        .push_bind(i64::from(query.limit.clamp(1, 200)));
    let rows = q.build().fetch_all(pool).await.map_err(db_err)?;
    rows.iter().map(ask_from_row).collect()
}

pub async fn offers_for(
    pool: &PgPool,
    org: OrgId,
    helper: PersonId,
    pending_only: bool,
    limit: u32,
) -> StoreResult<Vec<OfferView>> {
    let sql = if pending_only {
        "SELECT id, ask_id, state, why, sent_at, expires_at FROM offers \
         WHERE helper_id = $1 AND org_id = $2 AND state = 'pending' ORDER BY sent_at DESC LIMIT $3"
    } else {
        "SELECT id, ask_id, state, why, sent_at, expires_at FROM offers \
         WHERE helper_id = $1 AND org_id = $2 ORDER BY sent_at DESC LIMIT $3"
    };
    let rows = sqlx::query(sql)
        .bind(helper.0)
        .bind(org.0)
        .bind(i64::from(limit.clamp(1, 200)))
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    rows.iter()
        .map(|row| {
            Ok(OfferView {
                offer: OfferId(get(row, "id")?),
                ask: AskId(get(row, "ask_id")?),
                state: get(row, "state")?,
                why: get(row, "why")?,
                sent_at: timestamp(get(row, "sent_at")?)?,
                expires_at: timestamp(get(row, "expires_at")?)?,
            })
        })
        .collect()
}
