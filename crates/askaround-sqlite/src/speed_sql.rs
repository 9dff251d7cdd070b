//! The speed figures as the shared SQL statements compute them (what PostgreSQL runs, and what
//! SQLite ran before it held the asks in memory). Not used to answer requests: it is the
//! reference the figures from memory are checked against, by the tests on awkward data and by
//! `askaround-bench-insights --verify` at full size.

use std::collections::HashMap;

use sqlx::SqlitePool;
use sqlx::sqlite::SqliteRow;

use askaround_core::ids::{OrgId, SkillId};
use askaround_core::insights::Scope;
use askaround_core::insights::raw::{AskStats, SkillRef, SpeedRaw};
use askaround_store::StoreResult;
use askaround_store::insights_sql::{self as sql, Grouping};

use crate::SqliteStore;
use crate::codec::{corrupt, db_err, uuid};
use crate::insights::{count, fetch, int, skill_names};

impl SqliteStore {
    /// [`askaround_store::InsightsStore::insights_speed`], computed in SQL over the asks.
    pub async fn insights_speed_in_sql(&self, org: OrgId, scope: &Scope) -> StoreResult<SpeedRaw> {
        let pool = &self.pool;
        let overall = ask_stats(pool, org, scope, Grouping::All, |_| Ok(()))
            .await?
            .remove(&())
            .unwrap_or_default();
        let mut by_hour: Vec<(u8, AskStats)> = ask_stats(pool, org, scope, Grouping::Hour, |row| {
            u8::try_from(int(row, "key")?).map_err(|e| corrupt("hour", e))
        })
        .await?
        .into_iter()
        .map(|(h, s)| (h, sorted(s)))
        .collect();
        by_hour.sort_unstable_by_key(|(h, _)| *h);
        let by_id = ask_stats(pool, org, scope, Grouping::Skill, |row| {
            sqlx::Row::try_get::<String, _>(row, "key").map_err(db_err)
        })
        .await?;
        let names = skill_names(pool, org).await?;
        let mut by_skill = Vec::with_capacity(by_id.len());
        for (id, stats) in by_id {
            let name = names.get(&id).cloned().unwrap_or_default();
            let skill = SkillRef {
                id: SkillId(uuid(&id)?),
                name,
            };
            by_skill.push((skill, sorted(stats)));
        }
        by_skill.sort_by(|(a, _), (b, _)| a.cmp(b));
        Ok(SpeedRaw {
            overall: sorted(overall),
            by_hour,
            by_skill,
        })
    }
}

/// Ask counts and distributions keyed by `K`, merged from the two statements.
async fn ask_stats<K: std::hash::Hash + Eq>(
    pool: &SqlitePool,
    org: OrgId,
    scope: &Scope,
    by: Grouping,
    key: impl Fn(&SqliteRow) -> StoreResult<K>,
) -> StoreResult<HashMap<K, AskStats>> {
    let mut stats: HashMap<K, AskStats> = HashMap::new();
    for row in fetch(pool, org, &sql::ask_counts(scope, by)).await? {
        let s = stats.entry(key(&row)?).or_default();
        s.asks = count(&row, "asks")?;
        s.askers = count(&row, "askers")?;
        s.answered = count(&row, "answered")?;
        s.to_board = count(&row, "to_board")?;
    }
    for row in fetch(pool, org, &sql::ask_histograms(scope, by)).await? {
        let s = stats.entry(key(&row)?).or_default();
        let pair = (int(&row, "value")?, count(&row, "n")?);
        match int(&row, "kind")? {
            1 => s.accept_secs.push(pair),
            2 => s.resolution_secs.push(pair),
            _ => s.interrupted.push(pair),
        }
    }
    Ok(stats)
}

/// Distributions in value order, as the figures from memory are.
fn sorted(mut stats: AskStats) -> AskStats {
    stats.accept_secs.sort_unstable();
    stats.resolution_secs.sort_unstable();
    stats.interrupted.sort_unstable();
    stats
}
