//! Nodes and the people connected to each, so presence `auto` holds across nodes (see
//! migration 0010).

use jiff::Timestamp;
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use askaround_core::ids::{NodeId, OrgId, PersonId};
use askaround_store::StoreResult;

use crate::codec::{db_err, get, millis};

/// Records `node` as alive until `alive_until`; false if it was not recorded (new, or
/// forgotten after its time ran out).
pub async fn alive(pool: &PgPool, node: NodeId, alive_until: Timestamp) -> StoreResult<bool> {
    let updated = sqlx::query("UPDATE nodes SET alive_until = $1 WHERE id = $2")
        .bind(millis(alive_until))
        .bind(node.0)
        .execute(pool)
        .await
        .map_err(db_err)?
        .rows_affected();
    if updated > 0 {
        return Ok(true);
    }
    sqlx::query(
        "INSERT INTO nodes (id, alive_until) VALUES ($1, $2) \
         ON CONFLICT (id) DO UPDATE SET alive_until = excluded.alive_until",
    )
    .bind(node.0)
    .bind(millis(alive_until))
    .execute(pool)
    .await
    .map_err(db_err)?;
    Ok(false)
}

pub async fn set_connected(
    tx: &mut Transaction<'_, Postgres>,
    node: NodeId,
    org: OrgId,
    person: PersonId,
    connected: bool,
) -> StoreResult<()> {
    let statement = if connected {
        "INSERT INTO node_connections (node_id, person_id, org_id) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM node_connections WHERE node_id = $1 AND person_id = $2 AND org_id = $3"
    };
    sqlx::query(statement)
        .bind(node.0)
        .bind(person.0)
        .bind(org.0)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

pub async fn connected_people(
    pool: &PgPool,
    org: OrgId,
    now: Timestamp,
) -> StoreResult<Vec<PersonId>> {
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT DISTINCT c.person_id FROM node_connections c JOIN nodes n ON n.id = c.node_id \
         WHERE c.org_id = $1 AND n.alive_until > $2",
    )
    .bind(org.0)
    .bind(millis(now))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    Ok(ids.into_iter().map(PersonId).collect())
}

pub async fn is_connected(
    pool: &PgPool,
    org: OrgId,
    person: PersonId,
    now: Timestamp,
) -> StoreResult<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM node_connections c JOIN nodes n ON n.id = c.node_id \
         WHERE c.org_id = $1 AND c.person_id = $2 AND n.alive_until > $3)",
    )
    .bind(org.0)
    .bind(person.0)
    .bind(millis(now))
    .fetch_one(pool)
    .await
    .map_err(db_err)
}

/// Deletes the nodes (their connections go with them) and returns whom they held: the select
/// reads the statement's snapshot, from before the cascade.
pub async fn forget(
    tx: &mut Transaction<'_, Postgres>,
    now: Timestamp,
    stopped: Option<NodeId>,
) -> StoreResult<Vec<(OrgId, PersonId)>> {
    let rows = sqlx::query(
        "WITH gone AS (DELETE FROM nodes WHERE alive_until <= $1 OR id = $2 RETURNING id) \
         SELECT DISTINCT c.org_id, c.person_id FROM node_connections c JOIN gone ON gone.id = c.node_id",
    )
    .bind(millis(now))
    .bind(stopped.map(|n| n.0))
    .fetch_all(&mut **tx)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|row| {
            Ok((
                OrgId(get::<Uuid>(row, "org_id")?),
                PersonId(get::<Uuid>(row, "person_id")?),
            ))
        })
        .collect()
}
