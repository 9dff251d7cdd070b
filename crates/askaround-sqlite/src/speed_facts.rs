//! SQLite's log of changed asks (`insights_ask_changes`, migration 0011) for the speed figures
//! held in memory ([`askaround_store::speed_facts`], which does the rest).
//!
//! SQLite has one writer at a time and AUTOINCREMENT never reuses a number, so the numbers of
//! committed rows have no gaps: a reader that finds one knows rows it had not read were pruned.

use async_trait::async_trait;
use futures_util::TryStreamExt;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

use askaround_core::ids::{AskId, OrgId, PersonId, SkillId};
use askaround_core::insights::Scope;
use askaround_core::insights::ask_facts::{AskFact, AskFacts};
use askaround_store::StoreResult;
use askaround_store::speed_facts::{AskLog, Changes, OrgReader, readable};

use crate::codec::{corrupt, db_err, uuid};

/// Changes read per statement while catching up.
const CHANGES_PER_READ: i64 = 5000;

/// The columns of [`AskFact`], for the asks selected by `{where}` (alias `a`).
const FACT_COLUMNS: &str = "SELECT a.id, a.org_id, a.asker_id, a.created_at, a.matched_at, \
       CASE WHEN a.state = 'resolved' THEN a.closed_at END AS resolved_at, \
       a.people_interrupted, a.went_to_board = 1 AS went_to_board, \
       (SELECT group_concat(sk.skill_id, ',') FROM ask_skills sk WHERE sk.ask_id = a.id) AS skills \
     FROM asks a";

/// The log on one database; the cursor is the number of the last row applied.
pub(crate) struct SqliteAskLog<'a> {
    pub pool: &'a SqlitePool,
}

#[async_trait]
impl AskLog for SqliteAskLog<'_> {
    type Cursor = i64;

    async fn start(&self) -> StoreResult<i64> {
        let last: Option<i64> = sqlx::query_scalar(
            "SELECT seq FROM sqlite_sequence WHERE name = 'insights_ask_changes'",
        )
        .fetch_optional(self.pool)
        .await
        .map_err(db_err)?;
        Ok(last.unwrap_or(0))
    }

    async fn changes(&self, applied: i64) -> StoreResult<Changes<i64>> {
        // One statement, so the changes and the last number handed out are one snapshot.
        let rows = sqlx::query(
            "SELECT seq, ask_id FROM ( \
               SELECT seq, ask_id FROM insights_ask_changes WHERE seq > ?1 \
               ORDER BY seq LIMIT ?2) \
             UNION ALL \
             SELECT NULL, seq FROM sqlite_sequence WHERE name = 'insights_ask_changes'",
        )
        .bind(applied)
        .bind(CHANGES_PER_READ)
        .fetch_all(self.pool)
        .await
        .map_err(db_err)?;
        let mut changes = Vec::with_capacity(rows.len());
        let mut last = 0;
        for row in &rows {
            let seq: Option<i64> = row.try_get(0).map_err(db_err)?;
            match seq {
                Some(seq) => changes.push((seq, row.try_get::<String, _>(1).map_err(db_err)?)),
                None => last = row.try_get::<i64, _>(1).map_err(db_err)?,
            }
        }
        let gap = match changes.first() {
            Some((first, _)) => *first != applied + 1,
            None => last != applied,
        };
        if gap {
            return Ok(Changes::Pruned { next: last });
        }
        let next = changes.last().map_or(applied, |(seq, _)| *seq);
        let more = changes.len() as i64 >= CHANGES_PER_READ;
        // An id that does not parse names no ask the figures hold.
        let asks = changes
            .iter()
            .filter_map(|(_, id)| uuid(id).ok().map(AskId))
            .collect();
        Ok(Changes::Asks { asks, next, more })
    }

    async fn read_org(&self, org: OrgId) -> StoreResult<AskFacts> {
        let asks: i64 = sqlx::query_scalar("SELECT count(*) FROM asks WHERE org_id = ?1")
            .bind(org.to_string())
            .fetch_one(self.pool)
            .await
            .map_err(db_err)?;
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{FACT_COLUMNS} WHERE a.org_id = ?1"
        )))
        .bind(org.to_string())
        .fetch(self.pool);
        let mut facts = OrgReader::new(org, asks);
        while let Some(row) = rows.try_next().await.map_err(db_err)? {
            facts.push(fact(&row));
        }
        Ok(facts.finish())
    }

    async fn read_asks(&self, asks: &[AskId]) -> StoreResult<Vec<(OrgId, AskFact)>> {
        let ids: Vec<String> = asks.iter().map(|id| id.0.to_string()).collect();
        let ids = serde_json::to_string(&ids).map_err(|e| corrupt("ask ids", e))?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{FACT_COLUMNS} WHERE a.id IN (SELECT value FROM json_each(?1))"
        )))
        .bind(ids)
        .fetch_all(self.pool)
        .await
        .map_err(db_err)?;
        Ok(readable(rows.iter().map(|row| {
            let org: String = row.try_get("org_id").map_err(db_err)?;
            Ok((OrgId(uuid(&org)?), fact(row)?))
        })))
    }

    async fn orgs(&self) -> StoreResult<Vec<OrgId>> {
        let orgs: Vec<String> = sqlx::query_scalar("SELECT id FROM orgs")
            .fetch_all(self.pool)
            .await
            .map_err(db_err)?;
        orgs.iter().map(|org| uuid(org).map(OrgId)).collect()
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
        let mut sql = String::from("SELECT id FROM people WHERE org_id = ?");
        let mut values = vec![org.to_string()];
        for (column, value) in [("team", &scope.team), ("location", &scope.location)] {
            if let Some(value) = value {
                sql.push_str(&format!(" AND {column} = ?"));
                values.push(value.clone());
            }
        }
        let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
        for value in values {
            query = query.bind(value);
        }
        let ids: Vec<String> = query.fetch_all(self.pool).await.map_err(db_err)?;
        let people = ids
            .iter()
            .map(|id| uuid(id).map(PersonId))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Some(people))
    }

    /// Up to what this process applied: it is the only reader of its file that prunes (another
    /// process that had not read as far finds the gap and reads again).
    async fn prune(&self, applied: i64) -> StoreResult<()> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db_err)?;
        sqlx::query("DELETE FROM insights_ask_changes WHERE seq <= ?1")
            .bind(applied)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)
    }
}

fn fact(row: &SqliteRow) -> StoreResult<AskFact> {
    let skills: Option<String> = row.try_get("skills").map_err(db_err)?;
    let skills = skills
        .as_deref()
        .unwrap_or("")
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| uuid(s).map(SkillId))
        .collect::<StoreResult<Vec<_>>>()?;
    let went_to_board: Option<i64> = row.try_get("went_to_board").map_err(db_err)?;
    let id: String = row.try_get("id").map_err(db_err)?;
    let asker: String = row.try_get("asker_id").map_err(db_err)?;
    Ok(AskFact {
        id: AskId(uuid(&id)?),
        created_ms: row.try_get("created_at").map_err(db_err)?,
        asker: PersonId(uuid(&asker)?),
        matched_ms: row.try_get("matched_at").map_err(db_err)?,
        resolved_ms: row.try_get("resolved_at").map_err(db_err)?,
        interrupted: row.try_get("people_interrupted").map_err(db_err)?,
        went_to_board: went_to_board == Some(1),
        skills,
    })
}
