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

pub mod insights_sql;

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
