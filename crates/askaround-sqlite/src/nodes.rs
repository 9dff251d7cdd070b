//! Nodes and the people connected to each, so presence `auto` holds across nodes (see
//! migration 0010). One node on an embedded database knows its own sockets and does not call
//! these; they keep the backends alike.

use jiff::Timestamp;
use sqlx::{Sqlite, SqlitePool, Transaction};

use askaround_core::ids::{NodeId, OrgId, PersonId};
use askaround_store::StoreResult;

use crate::codec::{db_err, get, millis, uuid};

/// Records `node` as alive until `alive_until`; false if it was not recorded (new, or
/// forgotten after its time ran out).
pub async fn alive(pool: &SqlitePool, node: NodeId, alive_until: Timestamp) -> StoreResult<bool> {
    let updated = sqlx::query("UPDATE nodes SET alive_until = ? WHERE id = ?")
        .bind(millis(alive_until))
        .bind(node.to_string())
        .execute(pool)
        .await
        .map_err(db_err)?
        .rows_affected();
    if updated > 0 {
        return Ok(true);
    }
    sqlx::query(
        "INSERT INTO nodes (id, alive_until) VALUES (?, ?) \
         ON CONFLICT (id) DO UPDATE SET alive_until = excluded.alive_until",
    )
    .bind(node.to_string())
    .bind(millis(alive_until))
    .execute(pool)
    .await
    .map_err(db_err)?;
    Ok(false)
}

pub async fn set_connected(
    pool: &SqlitePool,
    node: NodeId,
    org: OrgId,
    person: PersonId,
    connected: bool,
) -> StoreResult<()> {
    let statement = if connected {
        "INSERT INTO node_connections (node_id, person_id, org_id) VALUES (?, ?, ?) \
         ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM node_connections WHERE node_id = ? AND person_id = ? AND org_id = ?"
    };
    sqlx::query(statement)
        .bind(node.to_string())
        .bind(person.to_string())
        .bind(org.to_string())
        .execute(pool)
        .await
        .map_err(db_err)?;
    Ok(())
}

pub async fn connected_people(
    pool: &SqlitePool,
    org: OrgId,
    now: Timestamp,
) -> StoreResult<Vec<PersonId>> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT c.person_id FROM node_connections c JOIN nodes n ON n.id = c.node_id \
         WHERE c.org_id = ? AND n.alive_until > ?",
    )
    .bind(org.to_string())
    .bind(millis(now))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    ids.iter().map(|id| Ok(PersonId(uuid(id)?))).collect()
}

pub async fn is_connected(
    pool: &SqlitePool,
    org: OrgId,
    person: PersonId,
    now: Timestamp,
) -> StoreResult<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM node_connections c JOIN nodes n ON n.id = c.node_id \
         WHERE c.org_id = ? AND c.person_id = ? AND n.alive_until > ?)",
    )
    .bind(org.to_string())
    .bind(person.to_string())
    .bind(millis(now))
    .fetch_one(pool)
    .await
    .map_err(db_err)
}

/// Deletes the nodes (their connections go with them) and returns whom they held.
pub async fn forget(
    tx: &mut Transaction<'_, Sqlite>,
    now: Timestamp,
    stopped: Option<NodeId>,
) -> StoreResult<Vec<(OrgId, PersonId)>> {
    let stopped = stopped.map(|n| n.to_string());
    let rows = sqlx::query(
        "SELECT DISTINCT c.org_id, c.person_id FROM node_connections c JOIN nodes n ON n.id = c.node_id \
         WHERE n.alive_until <= ? OR n.id = ?",
    )
    .bind(millis(now))
    .bind(&stopped)
    .fetch_all(&mut **tx)
    .await
    .map_err(db_err)?;
    sqlx::query("DELETE FROM nodes WHERE alive_until <= ? OR id = ?")
        .bind(millis(now))
        .bind(&stopped)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    rows.iter()
        .map(|row| {
            Ok((
                OrgId(uuid(&get::<String>(row, "org_id")?)?),
                PersonId(uuid(&get::<String>(row, "person_id")?)?),
            ))
        })
        .collect()
}
