//! The speed figures as the shared SQL statements compute them (what PostgreSQL ran before it
//! held the asks in memory). Not used to answer requests: it is the reference the figures from
//! memory are checked against, by the tests on awkward data and by
//! `askaround-bench-insights --postgres … --verify` at full size.

use std::collections::HashMap;

use sqlx::Row;
use sqlx::postgres::PgRow;

use askaround_core::ids::{OrgId, SkillId};
use askaround_core::insights::Scope;
use askaround_core::insights::raw::{AskStats, SkillRef, SpeedRaw};
use askaround_store::StoreResult;
use askaround_store::insights_sql::{self as sql, Grouping};

use crate::PgStore;
use crate::codec::{corrupt, db_err};
use crate::insights::{count, fetch, int, skill_names, uuid};

impl PgStore {
    /// [`askaround_store::InsightsStore::insights_speed`], computed in SQL over the asks.
    pub async fn insights_speed_in_sql(&self, org: OrgId, scope: &Scope) -> StoreResult<SpeedRaw> {
        let overall = ask_stats(&self.pool, org, scope, Grouping::All, |_| Ok(()))
            .await?
            .remove(&())
            .unwrap_or_default();
        let mut by_hour: Vec<(u8, AskStats)> =
            ask_stats(&self.pool, org, scope, Grouping::Hour, key_hour)
                .await?
                .into_iter()
                .collect();
        by_hour.sort_unstable_by_key(|(h, _)| *h);
        let by_skill_id = ask_stats(&self.pool, org, scope, Grouping::Skill, key_text).await?;
        let names = skill_names(&self.pool, org).await?;
        let mut by_skill = Vec::new();
        for (id, stats) in by_skill_id {
            let skill = SkillRef {
                id: SkillId(uuid(&id)?),
                name: names.get(&id).cloned().unwrap_or_default(),
            };
            by_skill.push((skill, stats));
        }
        by_skill.sort_by(|(a, _), (b, _)| a.cmp(b));
        Ok(SpeedRaw {
            overall: normalised(overall),
            by_hour: by_hour
                .into_iter()
                .map(|(h, s)| (h, normalised(s)))
                .collect(),
            by_skill: by_skill
                .into_iter()
                .map(|(k, s)| (k, normalised(s)))
                .collect(),
        })
    }
}

/// Ask counts and distributions keyed by `K`, merged from the two statements.
async fn ask_stats<K: std::hash::Hash + Eq + Clone>(
    pool: &sqlx::PgPool,
    org: OrgId,
    scope: &Scope,
    by: Grouping,
    key: impl Fn(&PgRow) -> StoreResult<K>,
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

fn key_text(row: &PgRow) -> StoreResult<String> {
    row.try_get("key").map_err(db_err)
}

fn key_hour(row: &PgRow) -> StoreResult<u8> {
    let h = int(row, "key")?;
    u8::try_from(h).map_err(|e| corrupt("hour", e))
}

/// Distributions in value order, so equal aggregates compare equal across backends.
fn normalised(mut stats: AskStats) -> AskStats {
    stats.accept_secs.sort_unstable();
    stats.resolution_secs.sort_unstable();
    stats.interrupted.sort_unstable();
    stats
}
