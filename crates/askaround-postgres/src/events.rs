//! The append-only log of live events, for delivery and replay after a reconnect.
//!
//! A client replays "everything after the last id I saw", and so does a node catching up with
//! what other nodes wrote; so an id must never become visible after a higher one. A sequence alone
//! does not promise that: two transactions may draw 10 and 11 and commit in the other order. So a
//! writer takes the events turn (see [`crate::locks`]) before drawing ids and keeps it until it
//! commits. Appending is always the last write of a transaction, which keeps that turn short:
//! about one commit, which PostgreSQL serialises anyway for transactions that NOTIFY, as these do.

use jiff::Timestamp;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use askaround_core::ids::{OrgId, PersonId};
use askaround_store::{EventRecord, NewEvent, StoreResult};

use crate::codec::{db_err, get, millis, timestamp};
use crate::locks::{self, Turn};

/// Appends inside the caller's transaction, so an event exists exactly when the change it
/// announces was committed. Must be the transaction's last write (see the module comment).
pub async fn append(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    new: &[NewEvent],
    now: Timestamp,
) -> StoreResult<Vec<EventRecord>> {
    if new.is_empty() {
        return Ok(Vec::new());
    }
    locks::take(tx, Turn::Events).await?;
    let count = i64::try_from(new.len()).unwrap_or(i64::MAX);
    // Ids are drawn first and handed out in ascending order, so the events keep the order they
    // were given in whatever order PostgreSQL evaluates a multi-row insert.
    let mut ids: Vec<i64> = sqlx::query_scalar(
        "SELECT nextval(pg_get_serial_sequence('events', 'id')) FROM generate_series(1, $1)",
    )
    .bind(count)
    .fetch_all(&mut **tx)
    .await
    .map_err(db_err)?;
    ids.sort_unstable();
    let people: Vec<Uuid> = new.iter().map(|e| e.person_id.0).collect();
    let kinds: Vec<&str> = new.iter().map(|e| e.kind.as_str()).collect();
    let data: Vec<&str> = new.iter().map(|e| e.data.as_str()).collect();
    sqlx::query(
        "INSERT INTO events (id, org_id, person_id, kind, data, at) \
         SELECT id, $2, person_id, kind, data, $6 \
         FROM UNNEST($1::bigint[], $3::uuid[], $4::text[], $5::text[]) AS e(id, person_id, kind, data)",
    )
    .bind(&ids)
    .bind(org.0)
    .bind(&people)
    .bind(&kinds)
    .bind(&data)
    .bind(millis(now))
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(ids
        .into_iter()
        .zip(new)
        .map(|(id, event)| EventRecord {
            id,
            org_id: org,
            person_id: event.person_id,
            kind: event.kind.clone(),
            data: event.data.clone(),
            at: now,
        })
        .collect())
}

fn record_from(row: &PgRow) -> StoreResult<EventRecord> {
    Ok(EventRecord {
        id: get(row, "id")?,
        org_id: OrgId(get(row, "org_id")?),
        person_id: PersonId(get(row, "person_id")?),
        kind: get(row, "kind")?,
        data: get(row, "data")?,
        at: timestamp(get(row, "at")?)?,
    })
}

/// A person's events after `after`, for a reconnecting client.
pub async fn after(
    pool: &PgPool,
    org: OrgId,
    person: PersonId,
    after: i64,
    limit: u32,
) -> StoreResult<Vec<EventRecord>> {
    let rows = sqlx::query(
        "SELECT id, org_id, person_id, kind, data, at FROM events \
         WHERE person_id = $1 AND org_id = $2 AND id > $3 ORDER BY id LIMIT $4",
    )
    .bind(person.0)
    .bind(org.0)
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(record_from).collect()
}

/// Everyone's events after `after`, for a node catching up with what other nodes wrote.
pub async fn since(pool: &PgPool, after: i64, limit: u32) -> StoreResult<Vec<EventRecord>> {
    let rows = sqlx::query(
        "SELECT id, org_id, person_id, kind, data, at FROM events WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(record_from).collect()
}

pub async fn latest(pool: &PgPool) -> StoreResult<i64> {
    let id: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM events")
        .fetch_one(pool)
        .await
        .map_err(db_err)?;
    Ok(id.unwrap_or(0))
}
