//! PostgreSQL's log of changed asks (`insights_ask_changes`, migration 0011) for the speed
//! figures held in memory ([`askaround_store::speed_facts`], which does the rest).
//!
//! The cursor is a transaction id: the `pg_snapshot_xmin` of the snapshot the log was last read
//! in. Every transaction below it had finished then, so what it logged was read; everything at
//! or above it is read again next time (see the migration). Several nodes read one log, so a
//! node prunes only what is both old and below every snapshot still running, and records how
//! far it pruned: a node whose cursor is lower reads its organisations again.

use std::time::Duration;

use async_trait::async_trait;
use futures_util::TryStreamExt;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use askaround_core::ids::{AskId, OrgId, PersonId, SkillId};
use askaround_core::insights::Scope;
use askaround_core::insights::ask_facts::{AskFact, AskFacts};
use askaround_store::StoreResult;
use askaround_store::speed_facts::{AskLog, Changes, OrgReader, readable};

use crate::PgStore;
use crate::codec::db_err;

/// How long logged changes are kept: a node that has not read the log for longer (it was busy
/// or stopped) reads its organisations again. Nodes read it every minute.
pub const KEEP_CHANGES_FOR: Duration = Duration::from_secs(60 * 60);

/// Changed asks above which reading the organisations again beats looking each one up (after
/// a large import, say): a full read streams about a million asks in seconds.
const RELOAD_OVER: usize = 200_000;

/// Asks looked up per statement.
const ASKS_PER_READ: usize = 5000;

/// The columns of [`AskFact`], for the asks selected by `{where}` (alias `a`).
const FACT_COLUMNS: &str = "SELECT a.id, a.org_id, a.asker_id, a.created_at, a.matched_at, \
       CASE WHEN a.state = 'resolved' THEN a.closed_at END AS resolved_at, \
       a.people_interrupted::bigint AS people_interrupted, \
       a.went_to_board = 1 AS went_to_board, \
       ARRAY(SELECT sk.skill_id FROM ask_skills sk WHERE sk.ask_id = a.id) AS skills \
     FROM asks a";

/// The oldest transaction still running when this statement's snapshot was taken.
const XMIN: &str = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint";

/// The log on one database.
pub(crate) struct PgAskLog<'a> {
    pub pool: &'a PgPool,
}

#[async_trait]
impl AskLog for PgAskLog<'_> {
    type Cursor = i64;

    async fn start(&self) -> StoreResult<i64> {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT {XMIN}")))
            .fetch_one(self.pool)
            .await
            .map_err(db_err)
    }

    async fn changes(&self, after: i64) -> StoreResult<Changes<i64>> {
        // One statement, so the cursor, the watermark and the rows are one snapshot.
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {XMIN} AS xmin, p.below::text::bigint AS below, \
               CASE WHEN p.below <= ($1::bigint)::text::xid8 THEN ARRAY( \
                 SELECT DISTINCT c.ask_id FROM insights_ask_changes c \
                 WHERE c.xid >= ($1::bigint)::text::xid8) END AS asks \
             FROM insights_ask_changes_pruned p"
        )))
        .bind(after)
        .fetch_one(self.pool)
        .await
        .map_err(db_err)?;
        let next: i64 = row.try_get("xmin").map_err(db_err)?;
        let asks: Option<Vec<uuid::Uuid>> = row.try_get("asks").map_err(db_err)?;
        match asks {
            Some(asks) if asks.len() <= RELOAD_OVER => Ok(Changes::Asks {
                asks: asks.into_iter().map(AskId).collect(),
                next,
                more: false,
            }),
            _ => Ok(Changes::Pruned { next }),
        }
    }

    async fn read_org(&self, org: OrgId) -> StoreResult<AskFacts> {
        let asks: i64 = sqlx::query_scalar("SELECT count(*) FROM asks WHERE org_id = $1")
            .bind(*org.as_uuid())
            .fetch_one(self.pool)
            .await
            .map_err(db_err)?;
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{FACT_COLUMNS} WHERE a.org_id = $1"
        )))
        .bind(*org.as_uuid())
        .fetch(self.pool);
        let mut facts = OrgReader::new(org, asks);
        while let Some(row) = rows.try_next().await.map_err(db_err)? {
            facts.push(fact(&row));
        }
        Ok(facts.finish())
    }

    async fn read_asks(&self, asks: &[AskId]) -> StoreResult<Vec<(OrgId, AskFact)>> {
        let mut found = Vec::with_capacity(asks.len());
        for chunk in asks.chunks(ASKS_PER_READ) {
            let ids: Vec<uuid::Uuid> = chunk.iter().map(|id| id.0).collect();
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "{FACT_COLUMNS} WHERE a.id = ANY($1)"
            )))
            .bind(ids)
            .fetch_all(self.pool)
            .await
            .map_err(db_err)?;
            found.extend(rows.iter().map(|row| {
                let org = row.try_get::<uuid::Uuid, _>("org_id").map_err(db_err)?;
                Ok((OrgId(org), fact(row)?))
            }));
        }
        Ok(readable(found))
    }

    async fn orgs(&self) -> StoreResult<Vec<OrgId>> {
        let orgs: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT id FROM orgs")
            .fetch_all(self.pool)
            .await
            .map_err(db_err)?;
        Ok(orgs.into_iter().map(OrgId).collect())
    }

    async fn people_in_scope(
        &self,
        org: OrgId,
        scope: &Scope,
    ) -> StoreResult<Option<Vec<PersonId>>> {
        if scope.team.is_none() && scope.location.is_none() {
            return Ok(None);
        }
        // Only the filters given, so that the (organisation, team) index serves a team.
        let mut sql = String::from("SELECT id FROM people WHERE org_id = $1");
        let mut values = Vec::new();
        for (column, value) in [("team", &scope.team), ("location", &scope.location)] {
            if let Some(value) = value {
                values.push(value.clone());
                sql.push_str(&format!(" AND {column} = ${}", values.len() + 1));
            }
        }
        let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(*org.as_uuid());
        for value in values {
            query = query.bind(value);
        }
        let ids: Vec<uuid::Uuid> = query.fetch_all(self.pool).await.map_err(db_err)?;
        Ok(Some(ids.into_iter().map(PersonId).collect()))
    }

    /// Not up to what this node applied, as SQLite does: other nodes read the same log.
    async fn prune(&self, _applied: i64) -> StoreResult<()> {
        prune(self.pool, KEEP_CHANGES_FOR).await.map(|_| ())
    }
}

/// Deletes the changes logged more than `keep_for` ago by transactions that have finished
/// (below the oldest snapshot still running), and raises the watermark to match. Returns the
/// rows deleted.
pub(crate) async fn prune(pool: &PgPool, keep_for: Duration) -> StoreResult<u64> {
    let mut tx = pool.begin().await.map_err(db_err)?;
    // Pruners take turns, so the watermark only rises.
    sqlx::query("SELECT below FROM insights_ask_changes_pruned FOR UPDATE")
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    // Everything below the bound is from a finished transaction (below xmin) and older than
    // `keep_for` (below the oldest transaction that logged since). Rows of running transactions
    // are invisible here, but their ids are at or above xmin, so they stay.
    let deleted = sqlx::query(
        "WITH bound AS ( \
           SELECT least(pg_snapshot_xmin(pg_current_snapshot()), \
             coalesce((SELECT c.xid FROM insights_ask_changes c \
                       WHERE c.logged_at > now() - make_interval(secs => $1) \
                       ORDER BY c.xid LIMIT 1), \
                      pg_snapshot_xmin(pg_current_snapshot()))) AS below), \
         raised AS ( \
           UPDATE insights_ask_changes_pruned p SET below = greatest(p.below, b.below) \
           FROM bound b) \
         DELETE FROM insights_ask_changes c USING bound b WHERE c.xid < b.below",
    )
    .bind(keep_for.as_secs_f64())
    .execute(&mut *tx)
    .await
    .map_err(db_err)?
    .rows_affected();
    tx.commit().await.map_err(db_err)?;
    Ok(deleted)
}

impl PgStore {
    /// Prunes the log of changed asks as the periodic upkeep does, but keeping only the last
    /// `keep_for` (tests, and operators who want the log short).
    pub async fn insights_prune_ask_changes(&self, keep_for: Duration) -> StoreResult<u64> {
        prune(&self.pool, keep_for).await
    }
}

fn fact(row: &PgRow) -> StoreResult<AskFact> {
    let skills: Vec<uuid::Uuid> = row.try_get("skills").map_err(db_err)?;
    let went_to_board: Option<bool> = row.try_get("went_to_board").map_err(db_err)?;
    Ok(AskFact {
        id: AskId(row.try_get("id").map_err(db_err)?),
        created_ms: row.try_get("created_at").map_err(db_err)?,
        asker: PersonId(row.try_get("asker_id").map_err(db_err)?),
        matched_ms: row.try_get("matched_at").map_err(db_err)?,
        resolved_ms: row.try_get("resolved_at").map_err(db_err)?,
        interrupted: row.try_get("people_interrupted").map_err(db_err)?,
        went_to_board: went_to_board == Some(true),
        skills: skills.into_iter().map(SkillId).collect(),
    })
}
