//! The speed figures from asks held in memory ([`askaround_core::insights::ask_facts`]), one set
//! per organisation, kept current from `insights_ask_changes` (migration 0011).
//!
//! An organisation's asks are read once, when its figures are first needed (or when the server
//! warms them at start). Before every use, the changes logged since the last one are read and
//! the asks they name read back as they are now, whoever wrote them: this process, or
//! `askaround import` in another. Applying a change twice is harmless, so a change logged while
//! the asks were being read is simply applied again afterwards. The log has no gaps (see the
//! migration), so a gap means rows this process had not read were pruned: it then forgets what
//! it held and reads again.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use futures_util::TryStreamExt;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

use askaround_core::ids::{AskId, OrgId, PersonId, SkillId};
use askaround_core::insights::Scope;
use askaround_core::insights::ask_facts::{
    AskFact, AskFacts, AskFactsBuilder, SpeedQuery, SpeedTotals,
};
use askaround_store::{StoreError, StoreResult};

use crate::codec::{corrupt, db_err, uuid};

/// Changes read per statement while catching up.
const CHANGES_PER_READ: i64 = 5000;

/// The columns of [`AskFact`], for the asks selected by `{where}` (alias `a`).
const FACT_COLUMNS: &str = "SELECT a.id, a.org_id, a.asker_id, a.created_at, a.matched_at, \
       CASE WHEN a.state = 'resolved' THEN a.closed_at END AS resolved_at, \
       a.people_interrupted, a.went_to_board = 1 AS went_to_board, \
       (SELECT group_concat(sk.skill_id, ',') FROM ask_skills sk WHERE sk.ask_id = a.id) AS skills \
     FROM asks a";

#[derive(Default)]
pub(crate) struct SpeedFacts {
    state: Arc<tokio::sync::Mutex<State>>,
}

#[derive(Default)]
struct State {
    /// The last change applied; `None` until the log is first read.
    applied: Option<i64>,
    orgs: HashMap<OrgId, Arc<RwLock<AskFacts>>>,
}

impl SpeedFacts {
    /// The speed aggregates of `org` over `scope`, from its asks as they are now.
    pub async fn totals(
        &self,
        pool: &SqlitePool,
        org: OrgId,
        scope: &Scope,
        askers_cap: u64,
    ) -> StoreResult<SpeedTotals> {
        let mut state = self.state.clone().lock_owned().await;
        state.catch_up(pool).await?;
        let facts = state.facts_of(pool, org).await?;
        let people = people_in_scope(pool, org, scope).await?;
        let (from_ms, to_ms, clock) = (scope.from_ms(), scope.to_ms(), scope.clock.clone());
        // One pass over up to a million asks is CPU work: off the async threads. The pass holds
        // the state's lock, so nothing writes to these facts while they are read, even if the
        // request is dropped meanwhile (a catch-up would otherwise wait on the facts' own lock
        // on an async thread).
        let totals = tokio::task::spawn_blocking(move || {
            let _state = state;
            let facts = facts.read().map_err(|_| poisoned())?;
            let askers = people.map(|people| facts.people_set(people));
            Ok::<_, StoreError>(facts.speed(&SpeedQuery {
                from_ms,
                to_ms,
                clock: &clock,
                askers: askers.as_ref(),
                askers_cap,
            }))
        })
        .await
        .map_err(|e| StoreError::Backend(format!("speed figures: {e}").into()))??;
        Ok(totals)
    }

    /// Reads every organisation's asks not held yet, applies the changes logged since the last
    /// call, and prunes the log up to there. Returns the organisations read in full.
    pub async fn keep_current(&self, pool: &SqlitePool) -> StoreResult<usize> {
        let mut state = self.state.lock().await;
        state.catch_up(pool).await?;
        let orgs: Vec<String> = sqlx::query_scalar("SELECT id FROM orgs")
            .fetch_all(pool)
            .await
            .map_err(db_err)?;
        let mut read = 0;
        for org in orgs {
            let org = OrgId(uuid(&org)?);
            if !state.orgs.contains_key(&org) {
                state.facts_of(pool, org).await?;
                read += 1;
            }
        }
        if let Some(applied) = state.applied {
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
            sqlx::query("DELETE FROM insights_ask_changes WHERE seq <= ?1")
                .bind(applied)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            tx.commit().await.map_err(db_err)?;
        }
        Ok(read)
    }
}

impl State {
    /// The facts of `org`, read in full if not held yet (after [`State::catch_up`], so that
    /// changes logged from now on are applied on top).
    async fn facts_of(
        &mut self,
        pool: &SqlitePool,
        org: OrgId,
    ) -> StoreResult<Arc<RwLock<AskFacts>>> {
        if let Some(facts) = self.orgs.get(&org) {
            return Ok(facts.clone());
        }
        let started = Instant::now();
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{FACT_COLUMNS} WHERE a.org_id = ?1"
        )))
        .bind(org.to_string())
        .fetch(pool);
        let asks: i64 = sqlx::query_scalar("SELECT count(*) FROM asks WHERE org_id = ?1")
            .bind(org.to_string())
            .fetch_one(pool)
            .await
            .map_err(db_err)?;
        // A few more for asks made while reading.
        let mut facts = AskFactsBuilder::with_capacity(usize::try_from(asks).unwrap_or(0) + 1024);
        let mut unreadable = 0;
        while let Some(row) = rows.try_next().await.map_err(db_err)? {
            match fact(&row) {
                Ok(fact) => facts.push(&fact),
                Err(e) => unreadable += skipped(&e),
            }
        }
        drop(rows);
        let facts = facts.finish();
        if unreadable > 0 {
            tracing::warn!(org = %org, unreadable, "insights: asks left out of the speed figures");
        }
        tracing::info!(
            org = %org,
            asks = facts.len(),
            mib = facts.heap_bytes() / (1 << 20),
            seconds = started.elapsed().as_secs_f64(),
            "insights: asks read into memory for the speed figures"
        );
        let facts = Arc::new(RwLock::new(facts));
        self.orgs.insert(org, facts.clone());
        Ok(facts)
    }

    /// Applies every change logged after the last one applied.
    async fn catch_up(&mut self, pool: &SqlitePool) -> StoreResult<()> {
        loop {
            let applied = self.applied.unwrap_or(0);
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
            .fetch_all(pool)
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
            let Some(previous) = self.applied else {
                // First use: nothing is held, so only where the log stands matters.
                self.applied = Some(last);
                return Ok(());
            };
            let gap = match changes.first() {
                Some((first, _)) => *first != previous + 1,
                None => last != previous,
            };
            if gap {
                tracing::warn!(
                    applied = previous,
                    last,
                    "insights: changes to asks were pruned before this process read them; \
                     reading the asks again"
                );
                self.orgs.clear();
                self.applied = Some(last);
                return Ok(());
            }
            let Some(newest) = changes.last().map(|(seq, _)| *seq) else {
                return Ok(());
            };
            let full_read = changes.len() as i64 >= CHANGES_PER_READ;
            if !self.orgs.is_empty() {
                let asks: HashSet<String> = changes.into_iter().map(|(_, ask)| ask).collect();
                self.apply(pool, asks.into_iter().collect()).await?;
            }
            self.applied = Some(newest);
            if !full_read {
                return Ok(());
            }
        }
    }

    /// Reads these asks as they are now into the organisations held. An ask that cannot be
    /// read (a corrupt row) is left out with a warning rather than failing every later read.
    async fn apply(&mut self, pool: &SqlitePool, asks: Vec<String>) -> StoreResult<()> {
        let ids = serde_json::to_string(&asks).map_err(|e| corrupt("ask ids", e))?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{FACT_COLUMNS} WHERE a.id IN (SELECT value FROM json_each(?1))"
        )))
        .bind(ids)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
        let mut current: HashMap<OrgId, Vec<AskFact>> = HashMap::new();
        let mut found = HashSet::with_capacity(rows.len());
        let mut unreadable = 0;
        for row in &rows {
            let org: String = row.try_get("org_id").map_err(db_err)?;
            match uuid(&org).and_then(|org| Ok((OrgId(org), fact(row)?))) {
                Ok((org, fact)) => {
                    found.insert(fact.id);
                    current.entry(org).or_default().push(fact);
                }
                Err(e) => unreadable += skipped(&e),
            }
        }
        if unreadable > 0 {
            tracing::warn!(
                unreadable,
                "insights: changed asks left out of the speed figures"
            );
        }
        // Gone, unreadable, or now another organisation's: out of every other organisation.
        let gone: Vec<AskId> = asks
            .iter()
            .filter_map(|id| uuid(id).ok().map(AskId))
            .collect();
        for (org, facts) in &self.orgs {
            let mut facts = facts.write().map_err(|_| poisoned())?;
            let current = current.remove(org).unwrap_or_default();
            let mine: HashSet<AskId> = current.iter().map(|f| f.id).collect();
            let gone: Vec<AskId> = gone
                .iter()
                .filter(|id| !mine.contains(id))
                .copied()
                .collect();
            facts.apply(&current, &gone);
        }
        Ok(())
    }
}

/// The people a team or location filter selects, by key; `None` without a filter.
async fn people_in_scope(
    pool: &SqlitePool,
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
    let ids: Vec<String> = query.fetch_all(pool).await.map_err(db_err)?;
    let people = ids
        .iter()
        .map(|id| uuid(id).map(PersonId))
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Some(people))
}

/// One ask left out; logged once per batch by the caller.
fn skipped(e: &StoreError) -> usize {
    tracing::debug!(error = %e, "insights: an ask could not be read for the speed figures");
    1
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

fn poisoned() -> StoreError {
    StoreError::Backend("the speed figures' lock was poisoned by a panic".into())
}
