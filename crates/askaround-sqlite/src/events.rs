//! The append-only log of live events, for delivery and replay after a reconnect.

use jiff::Timestamp;
use sqlx::{Sqlite, SqlitePool, Transaction};

use askaround_core::ids::{OrgId, PersonId};
use askaround_store::{EventRecord, NewEvent, StoreResult};

use crate::codec::{db_err, get, millis, timestamp, uuid};

/// Appends inside the caller's transaction, so an event exists exactly when the change it
/// announces was committed.
pub async fn append(
    tx: &mut Transaction<'_, Sqlite>,
    org: OrgId,
    new: &[NewEvent],
    now: Timestamp,
) -> StoreResult<Vec<EventRecord>> {
    let mut out = Vec::with_capacity(new.len());
    for event in new {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO events (org_id, person_id, kind, data, at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(org.to_string())
        .bind(event.person_id.to_string())
        .bind(&event.kind)
        .bind(&event.data)
        .bind(millis(now))
        .fetch_one(&mut **tx)
        .await
        .map_err(db_err)?;
        out.push(EventRecord {
            id,
            org_id: org,
            person_id: event.person_id,
            kind: event.kind.clone(),
            data: event.data.clone(),
            at: now,
        });
    }
    Ok(out)
}

pub async fn after(
    pool: &SqlitePool,
    org: OrgId,
    person: PersonId,
    after: i64,
    limit: u32,
) -> StoreResult<Vec<EventRecord>> {
    let rows = sqlx::query(
        "SELECT id, person_id, kind, data, at FROM events WHERE person_id = ? AND org_id = ? AND id > ? ORDER BY id LIMIT ?",
    )
    .bind(person.to_string())
    .bind(org.to_string())
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|row| {
            Ok(EventRecord {
                id: get(row, "id")?,
                org_id: org,
                person_id: PersonId(uuid(&get::<String>(row, "person_id")?)?),
                kind: get(row, "kind")?,
                data: get(row, "data")?,
                at: timestamp(get(row, "at")?)?,
            })
        })
        .collect()
}

pub async fn since(pool: &SqlitePool, after: i64, limit: u32) -> StoreResult<Vec<EventRecord>> {
    let rows = sqlx::query(
        "SELECT id, org_id, person_id, kind, data, at FROM events WHERE id > ? ORDER BY id LIMIT ?",
    )
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|row| {
            Ok(EventRecord {
                id: get(row, "id")?,
                org_id: OrgId(uuid(&get::<String>(row, "org_id")?)?),
                person_id: PersonId(uuid(&get::<String>(row, "person_id")?)?),
                kind: get(row, "kind")?,
                data: get(row, "data")?,
                at: timestamp(get(row, "at")?)?,
            })
        })
        .collect()
}

pub async fn latest(pool: &SqlitePool) -> StoreResult<i64> {
    let id: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM events")
        .fetch_one(pool)
        .await
        .map_err(db_err)?;
    Ok(id.unwrap_or(0))
}
