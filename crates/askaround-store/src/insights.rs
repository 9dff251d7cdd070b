//! What the insights for learning & development leads need from a database: aggregates only.
//!
//! Every method takes the caller's organisation and a [`Scope`] (a range of local dates, and
//! optionally one team or location) and returns counts, never rows about single asks, so no
//! conversation content can leak through it. The figures admins see are computed from these in
//! `askaround_core::insights` (shares, percentiles, small-cell suppression).
//!
//! Scope rules shared by both backends (the conformance suite checks them):
//! - an ask belongs to the range by when it was made, a connection (the ask taken) by when it
//!   was matched, a rating by when it was given;
//! - the team and location filters select people: askers for ask figures, learners for ratings,
//!   the people counted for adoption, helpers for load, either side for connections; supply
//!   (who holds a skill, who has helped with it) stays organisation-wide;
//! - populations (people in scope for adoption, holders of a skill) are active people only;
//! - adoption is cumulative: what people had done since launch by the end of the range, read
//!   from the times each person's row keeps (migration 0006).

use async_trait::async_trait;

use askaround_core::ids::OrgId;
use askaround_core::insights::Scope;
use askaround_core::insights::clock::{LocalClock, WEEK_MS};
use askaround_core::insights::raw::{
    AdoptionRaw, LoadRaw, QualityRaw, SkillSupply, SpeedRaw, TeamLink,
};
use askaround_core::insights::stats::TWO_DIGITS_SQL;

use crate::StoreResult;

pub mod insights_checks;
pub mod insights_match_checks;
pub mod insights_sql;
pub mod speed_facts;

/// Aggregate queries over an organisation's asks, offers and feedback.
#[async_trait]
pub trait InsightsStore: Send + Sync {
    /// The zone insights count weeks and hours in: that of the organisation's first admin, the
    /// person `org create --timezone` made. `None` for an organisation without people.
    async fn insights_timezone(&self, org: OrgId) -> StoreResult<Option<String>>;
    /// People in scope by team and location, what they had done since launch by the end of the
    /// range, and the weekly curve of first connections (earlier ones in week 0).
    async fn insights_adoption(&self, org: OrgId, scope: &Scope) -> StoreResult<AdoptionRaw>;
    /// Asks made in the range: answered, to the board, time to accept and to resolution,
    /// interruptions; overall, by local hour and by skill.
    async fn insights_speed(&self, org: OrgId, scope: &Scope) -> StoreResult<SpeedRaw>;
    /// Brings what the store holds in memory for insights up to date with the database (reading
    /// any organisation not held yet) and drops bookkeeping no longer needed. A server calls it
    /// as it starts and then every minute, so no admin waits for the first read; a store that
    /// holds nothing in memory has nothing to do.
    async fn insights_keep_current(&self) -> StoreResult<()> {
        Ok(())
    }
    /// Ratings given in the range and the skills learners said they learned (at most `limit`).
    async fn insights_quality(
        &self,
        org: OrgId,
        scope: &Scope,
        limit: u32,
    ) -> StoreResult<QualityRaw>;
    /// Per skill asked for (or newly helped with) in the range: demand and supply.
    async fn insights_skills(&self, org: OrgId, scope: &Scope) -> StoreResult<Vec<SkillSupply>>;
    /// Asks matched in the range by the learner's and the helper's team.
    async fn insights_connections(&self, org: OrgId, scope: &Scope) -> StoreResult<Vec<TeamLink>>;
    /// Helps per helper in the range, and the `top` helpers with their offers received.
    async fn insights_load(&self, org: OrgId, scope: &Scope, top: u32) -> StoreResult<LoadRaw>;
}

/// A UTC day in milliseconds: the finest bucket of the rollups of migration 0007.
pub const DAY_MS: i64 = 86_400_000;
/// Days in a rollup block, the coarser bucket (`created_at / (7 days)`, blocks starting on
/// Thursdays as 1 January 1970 did; any alignment works, the range is cut to fit).
pub const BLOCK_DAYS: i64 = 7;

/// How a range of UTC milliseconds splits over rollup buckets: whole blocks, then whole UTC
/// days, then raw slivers under a day at either end. Local midnights fall anywhere in a UTC
/// day (zones an odd quarter hour off UTC too), so the slivers are what keeps a local range
/// exact; they are read from raw rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pieces {
    /// `[lo, hi)` in milliseconds: under a day at either end, or the whole range when it holds
    /// no whole UTC day (then under two days).
    pub raw: Vec<(i64, i64)>,
    /// `[lo, hi)` in UTC day numbers (`ms / DAY_MS`).
    pub days: Vec<(i64, i64)>,
    /// `[lo, hi)` in block numbers (`ms / (BLOCK_DAYS · DAY_MS)`).
    pub blocks: Option<(i64, i64)>,
}

impl Pieces {
    /// `(span in days, [lo, hi) in buckets of that span)` for every rollup piece.
    pub fn buckets(&self) -> Vec<(i64, (i64, i64))> {
        let mut out: Vec<(i64, (i64, i64))> =
            self.blocks.iter().map(|b| (BLOCK_DAYS, *b)).collect();
        out.extend(self.days.iter().map(|d| (1, *d)));
        out
    }
}

/// Splits `[from, to)` (UTC milliseconds, not before 1970: the SQL buckets divide with
/// truncation, which floors only from 0 up) into [`Pieces`].
pub fn pieces(from: i64, to: i64) -> Pieces {
    let mut p = Pieces::default();
    if from >= to {
        return p;
    }
    let first_day = from.div_euclid(DAY_MS) + i64::from(from.rem_euclid(DAY_MS) != 0);
    let end_day = to.div_euclid(DAY_MS);
    if first_day >= end_day {
        p.raw.push((from, to));
        return p;
    }
    if from < first_day * DAY_MS {
        p.raw.push((from, first_day * DAY_MS));
    }
    if end_day * DAY_MS < to {
        p.raw.push((end_day * DAY_MS, to));
    }
    let first_block =
        first_day.div_euclid(BLOCK_DAYS) + i64::from(first_day.rem_euclid(BLOCK_DAYS) != 0);
    let end_block = end_day.div_euclid(BLOCK_DAYS);
    if first_block >= end_block {
        p.days.push((first_day, end_day));
        return p;
    }
    if first_day < first_block * BLOCK_DAYS {
        p.days.push((first_day, first_block * BLOCK_DAYS));
    }
    if end_block * BLOCK_DAYS < end_day {
        p.days.push((end_block * BLOCK_DAYS, end_day));
    }
    p.blocks = Some((first_block, end_block));
    p
}

/// SQL for the local-clock milliseconds of an integer UTC-milliseconds `column`: the column plus
/// the UTC offset in effect, one `CASE` branch per daylight-saving change in the range. The
/// values are integers computed by the core, so they are written into the text, not bound.
pub fn local_ms_sql(column: &str, clock: &LocalClock) -> String {
    let periods = clock.periods();
    if let [(_, offset)] = periods {
        return format!("({column} + {offset})");
    }
    let mut sql = format!("({column} + CASE");
    for pair in periods.windows(2) {
        let ((_, offset), (next_start, _)) = (pair[0], pair[1]);
        sql.push_str(&format!(" WHEN {column} < {next_start} THEN {offset}"));
    }
    let last = periods.last().map_or(0, |(_, o)| *o);
    sql.push_str(&format!(" ELSE {last} END)"));
    sql
}

/// SQL for the week index (0 = the scope's first week) of a UTC-milliseconds `column`.
pub fn week_sql(column: &str, scope: &Scope) -> String {
    format!(
        "(({} - {}) / {WEEK_MS})",
        local_ms_sql(column, &scope.clock),
        scope.weeks.first_local_ms()
    )
}

/// SQL for the local hour of day (0–23) of a UTC-milliseconds `column`.
pub fn hour_sql(column: &str, scope: &Scope) -> String {
    // ((x % d) + d) % d keeps instants before 1970 in range on both backends.
    format!(
        "(((({} % 86400000) + 86400000) % 86400000) / 3600000)",
        local_ms_sql(column, &scope.clock)
    )
}

/// SQL rounding integer seconds `expr` to two significant digits, as the core reports them.
pub fn two_digits_sql(expr: &str) -> String {
    TWO_DIGITS_SQL.replace("{s}", &format!("({expr})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every millisecond of the range is in exactly one piece, whatever the alignment.
    #[test]
    fn pieces_cover_a_range_exactly_once() {
        let block = BLOCK_DAYS * DAY_MS;
        let starts = [
            0,
            1,
            DAY_MS - 1,
            DAY_MS,
            3 * DAY_MS + 5_400_000,
            block,
            block + 1,
        ];
        let lengths = [
            1,
            DAY_MS - 1,
            DAY_MS,
            DAY_MS + 1,
            6 * DAY_MS,
            block,
            3 * block + 7,
        ];
        for base in [1_774_224_000_000_i64, 1_774_220_400_000] {
            for s in starts {
                for len in lengths {
                    let (from, to) = (base + s, base + s + len);
                    let p = pieces(from, to);
                    let mut covered: Vec<(i64, i64)> = p.raw.clone();
                    for (span, (lo, hi)) in p.buckets() {
                        covered.push((lo * span * DAY_MS, hi * span * DAY_MS));
                    }
                    covered.sort_unstable();
                    assert!(covered.iter().all(|(lo, hi)| lo < hi), "{covered:?}");
                    assert_eq!(covered.first().map(|c| c.0), Some(from));
                    assert_eq!(covered.last().map(|c| c.1), Some(to));
                    for pair in covered.windows(2) {
                        assert_eq!(pair[0].1, pair[1].0, "{from}..{to}: {covered:?}");
                    }
                    // Under a day each, or the whole range when it holds no whole UTC day.
                    assert!(
                        p.raw.iter().all(|(lo, hi)| hi - lo < DAY_MS)
                            || (p.raw == [(from, to)] && len < 2 * DAY_MS)
                    );
                }
            }
        }
    }
}
