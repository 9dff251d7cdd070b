//! The insights queries as SQL text both backends run.
//!
//! The statements use only what SQLite and PostgreSQL share (`count(*) FILTER (WHERE …)`, CTEs,
//! integer arithmetic on bigint milliseconds, `CAST(id AS TEXT)`), so one text serves both and
//! the conformance suite holds them to the same figures. Placeholders are written `?1`, `?2`…;
//! PostgreSQL runs them through [`numbered_for_postgres`]. Arguments are, in order: the
//! organisation, the range start and end (UTC milliseconds), then team and location when given;
//! a statement that reads otherwise says so.

use askaround_core::insights::Scope;

use super::{hour_sql, pieces, two_digits_sql, week_sql};

mod matches;
pub use matches::*;

/// An argument after the organisation (always `?1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Int(i64),
    Text(String),
}

/// A statement and its arguments after the organisation.
#[derive(Debug, Clone)]
pub struct Statement {
    pub sql: String,
    pub args: Vec<Arg>,
}

/// The arguments of a scope and the predicates that use them.
struct Filters {
    args: Vec<Arg>,
    /// ` AND …` restricting an alias of `people` to people in scope (active or not).
    people: String,
}

fn filters(scope: &Scope, alias: &str) -> Filters {
    filters_with(
        scope,
        alias,
        vec![Arg::Int(scope.from_ms()), Arg::Int(scope.to_ms())],
    )
}

/// The filters numbered after `args` (PostgreSQL refuses a placeholder a statement never uses,
/// so a statement that needs no range start does not get one).
fn filters_with(scope: &Scope, alias: &str, mut args: Vec<Arg>) -> Filters {
    let mut people = String::new();
    for (column, value) in [("team", &scope.team), ("location", &scope.location)] {
        if let Some(value) = value {
            args.push(Arg::Text(value.clone()));
            people.push_str(&format!(" AND {alias}.{column} = ?{}", args.len() + 1));
        }
    }
    Filters { args, people }
}

impl Filters {
    fn filtered(&self) -> bool {
        !self.people.is_empty()
    }

    /// ` AND {column} IN (people in scope)`, or nothing without a filter.
    fn person_in_scope(&self, column: &str) -> String {
        if self.filtered() {
            format!(
                " AND {column} IN (SELECT fp.id FROM people fp WHERE fp.org_id = ?1{})",
                self.people.replace("pe.", "fp.")
            )
        } else {
            String::new()
        }
    }
}

/// PostgreSQL numbers its placeholders `$1`; SQLite reads `?1`. Nothing else in these
/// statements contains a `?`.
pub fn numbered_for_postgres(sql: &str) -> String {
    sql.replace('?', "$")
}

/// Active people in scope per (team, location), and how many of them had, by the end of the
/// range, asked, learned (an ask of theirs taken), helped, connected (either) and connected at
/// least twice: "since launch, as of the end of the range", read from the times kept on each
/// person's row (migration 0006), one index entry per person. Columns: team, location,
/// population, asked, learned, helped, connected, repeat. Arguments: the range end, then the
/// filters.
pub fn adoption_groups(scope: &Scope) -> Statement {
    let f = filters_with(scope, "pe", vec![Arg::Int(scope.to_ms())]);
    let sql = format!(
        "SELECT pe.team, pe.location, count(*) AS population, \
           count(*) FILTER (WHERE pe.first_asked_at < ?2) AS asked, \
           count(*) FILTER (WHERE pe.first_learned_at < ?2) AS learned, \
           count(*) FILTER (WHERE pe.first_helped_at < ?2) AS helped, \
           count(*) FILTER (WHERE pe.first_connected_at < ?2) AS connected, \
           count(*) FILTER (WHERE pe.second_connected_at < ?2) AS repeat \
         FROM people pe \
         WHERE pe.org_id = ?1 AND pe.active = TRUE{} \
         GROUP BY pe.team, pe.location",
        f.people
    );
    Statement { sql, args: f.args }
}

/// Active people in scope by the week of their first connection ever, those who had connected
/// before the range counted in week 0, so the running sum is "connected by the end of each
/// week". Columns: week, people.
pub fn first_connections(scope: &Scope) -> Statement {
    let f = filters(scope, "pe");
    let sql = format!(
        "SELECT CASE WHEN pe.first_connected_at < ?2 THEN 0 ELSE {week} END AS week, \
           count(*) AS people \
         FROM people pe \
         WHERE pe.org_id = ?1 AND pe.active = TRUE AND pe.first_connected_at < ?3{people} \
         GROUP BY 1",
        week = week_sql("pe.first_connected_at", scope),
        people = f.people
    );
    Statement { sql, args: f.args }
}

/// The asks made in the range by people in scope, as a CTE named `scoped` with `h`, the local
/// hour they were made.
fn scoped_asks(scope: &Scope, f: &Filters) -> String {
    format!(
        "scoped AS ( \
           SELECT a.id, a.asker_id, a.created_at, a.matched_at, a.closed_at, a.state, \
             a.people_interrupted, a.went_to_board, {hour} AS h \
           FROM asks a WHERE a.org_id = ?1 AND a.created_at >= ?2 AND a.created_at < ?3{filter} \
         )",
        hour = hour_sql("a.created_at", scope),
        filter = f.person_in_scope("a.asker_id")
    )
}

/// Ask counts of the range, grouped by `key` (`NULL` for all). Columns: key, asks, askers
/// (counted up to [`ASKERS_COUNTED_UP_TO`], as SQLite's figures from memory are), answered,
/// to_board. With `by_skill`, `key` is the skill id and asks are counted per skill.
pub fn ask_counts(scope: &Scope, by: Grouping) -> Statement {
    let f = filters(scope, "pe");
    let cap = ASKERS_COUNTED_UP_TO;
    let sql = format!(
        "WITH {scoped} SELECT {key} AS key, count(*) AS asks, \
           CASE WHEN count(DISTINCT asker_id) > {cap} THEN {cap} \
             ELSE count(DISTINCT asker_id) END AS askers, \
           count(matched_at) AS answered, \
           count(*) FILTER (WHERE went_to_board = 1) AS to_board \
         FROM scoped{join}{group}",
        scoped = scoped_asks(scope, &f),
        key = by.key(),
        join = by.join(),
        group = by.group_by(&[]),
    );
    Statement { sql, args: f.args }
}

/// Distributions of the range's asks, grouped like [`ask_counts`]. Columns: key, kind (1 time
/// to accept, 2 time to resolution, 3 people interrupted), value, n.
pub fn ask_histograms(scope: &Scope, by: Grouping) -> Statement {
    let f = filters(scope, "pe");
    let (key, join) = (by.key(), by.join());
    let group = |value: &str| by.group_by(&[value]);
    let accept = two_digits_sql("(matched_at - created_at) / 1000");
    let resolution = two_digits_sql("(closed_at - created_at) / 1000");
    let sql = format!(
        "WITH {scoped} \
         SELECT {key} AS key, 1 AS kind, {accept} AS value, count(*) AS n FROM scoped{join} \
           WHERE matched_at IS NOT NULL{accept_group} \
         UNION ALL SELECT {key}, 2, {resolution}, count(*) FROM scoped{join} \
           WHERE state = 'resolved' AND closed_at IS NOT NULL{resolution_group} \
         UNION ALL SELECT {key}, 3, people_interrupted, count(*) FROM scoped{join}{interrupted_group}",
        scoped = scoped_asks(scope, &f),
        accept_group = group(&accept),
        resolution_group = group(&resolution),
        interrupted_group = group("people_interrupted"),
    );
    Statement { sql, args: f.args }
}

/// How [`ask_counts`] and [`ask_histograms`] group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    All,
    Hour,
    Skill,
}

impl Grouping {
    fn key(self) -> &'static str {
        match self {
            Grouping::All => "0",
            Grouping::Hour => "h",
            Grouping::Skill => "CAST(sk.skill_id AS TEXT)",
        }
    }

    /// ` GROUP BY` the key (unless grouping all) and `more`; a constant key cannot be grouped
    /// by (`GROUP BY 0` means the first column).
    fn group_by(self, more: &[&str]) -> String {
        let mut terms: Vec<&str> = Vec::new();
        if self != Grouping::All {
            terms.push(self.key());
        }
        terms.extend_from_slice(more);
        if terms.is_empty() {
            String::new()
        } else {
            format!(" GROUP BY {}", terms.join(", "))
        }
    }

    fn join(self) -> &'static str {
        match self {
            Grouping::Skill => " JOIN ask_skills sk ON sk.ask_id = scoped.id",
            _ => "",
        }
    }
}

/// Names of skills by id text. Columns: id, name.
pub fn skill_names() -> &'static str {
    "SELECT CAST(id AS TEXT) AS id, name FROM skills WHERE org_id = ?1"
}

/// Ratings given in the range by learners in scope. Columns: rating, n, learners; with
/// `rating` NULL, the row of all ratings. Learners (which only decide suppression) are counted
/// up to [`ASKERS_COUNTED_UP_TO`], like askers.
///
/// Read from `insights_rating_buckets` (migration 0007) for whole blocks and days and from
/// `feedback` for the slivers; with a team or location, from the ratings of each person in
/// scope.
pub fn ratings(scope: &Scope) -> Statement {
    let f = filters(scope, "pe");
    let cap = ASKERS_COUNTED_UP_TO;
    if f.filtered() {
        let from = format!(
            "FROM people fp CROSS JOIN feedback f \
             WHERE fp.org_id = ?1{people} AND f.learner_id = fp.id \
               AND f.created_at >= ?2 AND f.created_at < ?3",
            people = f.people.replace("pe.", "fp.")
        );
        // Capped like the unfiltered count, so a figure does not depend on the path taken.
        let learners = format!(
            "CASE WHEN count(DISTINCT f.learner_id) > {cap} THEN {cap} \
               ELSE count(DISTINCT f.learner_id) END"
        );
        let sql = format!(
            "SELECT f.rating, count(*) AS n, {learners} AS learners {from} GROUP BY f.rating \
             UNION ALL SELECT NULL, count(*), {learners} {from}"
        );
        return Statement { sql, args: f.args };
    }
    let p = pieces(scope.from_ms(), scope.to_ms());
    let mut parts = Vec::new();
    for (span, (lo, hi)) in p.buckets() {
        parts.push(format!(
            "SELECT rating, n FROM insights_rating_buckets \
             WHERE org_id = ?1 AND span = {span} AND bucket >= {lo} AND bucket < {hi}"
        ));
    }
    for (lo, hi) in p.raw {
        parts.push(format!(
            "SELECT rating, 1 AS n FROM feedback \
             WHERE org_id = ?1 AND created_at >= {lo} AND created_at < {hi}"
        ));
    }
    let learners = |rating: &str| {
        format!(
            "(SELECT count(*) FROM (SELECT DISTINCT f.learner_id FROM feedback f \
               WHERE f.org_id = ?1{rating} AND f.created_at >= ?2 AND f.created_at < ?3 \
               LIMIT {cap}) AS d)"
        )
    };
    let sql = format!(
        "WITH r AS ( \
           SELECT rating, {n} AS n FROM ({parts}) AS p GROUP BY rating \
         ) \
         SELECT r.rating, r.n, {by_rating} AS learners FROM r WHERE r.n > 0 \
         UNION ALL SELECT NULL, (SELECT {n} FROM r), {all}",
        n = sum("n"),
        parts = parts.join(" UNION ALL "),
        by_rating = learners(" AND f.rating = r.rating"),
        all = learners(""),
    );
    Statement { sql, args: f.args }
}

/// Skills learned in the range, those named by 5+ learners first. Columns: id, name, times,
/// learners (exact: they are shown).
///
/// Times are read from `insights_learned_buckets` (migration 0007) for whole blocks and days and
/// from `insights_learned` for the slivers. Learners of a skill in the range are the (skill,
/// learner) pairs of `insights_learned_pairs` whose first naming is in the range, those whose
/// last is (first before), and those straddling it (first before, last after) with a naming
/// inside, looked up one by one: none when the range ends today. For a range holding most of a
/// skill's namings, the same number is all its pairs less those entirely outside the range. With
/// a team or location, the namings of each person in scope are read and counted directly.
pub fn learned(scope: &Scope, limit: u32) -> Statement {
    let f = filters(scope, "pe");
    let counted = if f.filtered() {
        format!(
            "SELECT e.skill_id, count(*) AS times, count(DISTINCT e.learner_id) AS learners \
             FROM people fp CROSS JOIN insights_learned e \
             WHERE fp.org_id = ?1{people} AND e.learner_id = fp.id \
               AND e.created_at >= ?2 AND e.created_at < ?3 \
             GROUP BY e.skill_id",
            people = f.people.replace("pe.", "fp.")
        )
    } else {
        let p = pieces(scope.from_ms(), scope.to_ms());
        let mut parts = Vec::new();
        for (span, (lo, hi)) in p.buckets() {
            parts.push(format!(
                "SELECT skill_id, times FROM insights_learned_buckets \
                 WHERE org_id = ?1 AND span = {span} AND bucket >= {lo} AND bucket < {hi}"
            ));
        }
        for (lo, hi) in p.raw {
            parts.push(format!(
                "SELECT skill_id, 1 AS times FROM insights_learned \
                 WHERE org_id = ?1 AND created_at >= {lo} AND created_at < {hi}"
            ));
        }
        // Both counts are exact; each reads the pairs on one side of the range, so the one
        // that reads fewer is taken: inside when the range holds under half of the skill's
        // namings, outside (all pairs less those entirely before or after) otherwise.
        let named_inside = "EXISTS (SELECT 1 FROM insights_learned e \
             WHERE e.skill_id = q.skill_id AND e.learner_id = q.learner_id \
               AND e.created_at >= ?2 AND e.created_at < ?3)";
        format!(
            "SELECT t.skill_id, t.times, CASE WHEN 2 * t.times <= coalesce(tot.times, 0) THEN \
               (SELECT count(*) FROM insights_learned_pairs q \
                  WHERE q.skill_id = t.skill_id AND q.first_at >= ?2 AND q.first_at < ?3) \
             + (SELECT count(*) FROM insights_learned_pairs q \
                  WHERE q.skill_id = t.skill_id AND q.last_at >= ?2 AND q.last_at < ?3 \
                    AND q.first_at < ?2) \
             + (SELECT count(*) FROM insights_learned_pairs q \
                  WHERE q.skill_id = t.skill_id AND q.last_at >= ?3 AND q.first_at < ?2 \
                    AND {named_inside}) \
             ELSE coalesce(tot.pairs, 0) \
             - (SELECT count(*) FROM insights_learned_pairs q \
                  WHERE q.skill_id = t.skill_id AND q.first_at >= ?3) \
             - (SELECT count(*) FROM insights_learned_pairs q \
                  WHERE q.skill_id = t.skill_id AND q.last_at < ?2) \
             - (SELECT count(*) FROM insights_learned_pairs q \
                  WHERE q.skill_id = t.skill_id AND q.last_at >= ?3 AND q.first_at < ?2 \
                    AND NOT {named_inside}) \
             END AS learners \
             FROM (SELECT skill_id, {times} AS times FROM ({parts}) AS p GROUP BY skill_id) AS t \
               LEFT JOIN insights_learned_totals tot ON tot.skill_id = t.skill_id \
             WHERE t.times > 0",
            times = sum("times"),
            parts = parts.join(" UNION ALL "),
        )
    };
    let sql = format!(
        "WITH l AS ({counted}) \
         SELECT CAST(l.skill_id AS TEXT) AS id, s.name, l.times, l.learners \
         FROM l JOIN skills s ON s.id = l.skill_id \
         ORDER BY CASE WHEN l.learners >= 5 THEN 0 ELSE 1 END, l.times DESC, s.name \
         LIMIT {limit}"
    );
    Statement { sql, args: f.args }
}

/// Distinct askers of a skill are counted up to this many (at least
/// [`askaround_core::insights::privacy::MIN_PEOPLE`], all suppression needs): the count stops
/// there, so a skill asked by thousands costs as little as one asked by a few.
pub const ASKERS_COUNTED_UP_TO: u32 = 100;
const _: () = assert!(ASKERS_COUNTED_UP_TO as u64 >= askaround_core::insights::privacy::MIN_PEOPLE);

/// Rows of a per-skill rollup over `[from, to)`: whole 7-day blocks and whole UTC days from
/// `insights_skill_buckets`, raw rows for the slivers under a day at either end, each a `SELECT
/// skill_id, asks, askers, answered, unmet, new_helpers` (askers 0: they are not additive).
/// Without `demand` (the asks come from elsewhere: a team's own), only helpers are read.
fn skill_parts(from: i64, to: i64, demand: bool) -> Vec<String> {
    let mut parts = Vec::new();
    let counts = if demand {
        "asks, 0 AS askers, answered, unmet"
    } else {
        "0 AS asks, 0 AS askers, 0 AS answered, 0 AS unmet"
    };
    let p = pieces(from, to);
    for (span, (lo, hi)) in p.buckets() {
        parts.push(format!(
            "SELECT skill_id, {counts}, new_helpers FROM insights_skill_buckets \
             WHERE org_id = ?1 AND span = {span} AND bucket >= {lo} AND bucket < {hi}"
        ));
    }
    for (lo, hi) in p.raw {
        if demand {
            parts.push(format!(
                "SELECT skill_id, 1 AS asks, 0 AS askers, answered, unmet, 0 AS new_helpers \
                 FROM insights_ask_skills \
                 WHERE org_id = ?1 AND created_at >= {lo} AND created_at < {hi}"
            ));
        }
        parts.push(format!(
            "SELECT skill_id, 0 AS asks, 0 AS askers, 0 AS answered, 0 AS unmet, \
               1 AS new_helpers FROM insights_skill_helpers \
             WHERE org_id = ?1 AND first_at >= {lo} AND first_at < {hi}"
        ));
    }
    parts
}

/// `sum(column)` as bigint: PostgreSQL sums bigint (a `count(*)` in the union) as numeric.
fn sum(column: &str) -> String {
    format!("CAST(sum({column}) AS BIGINT)")
}

/// Far enough in the future for "every first help after the range".
const FAR_MS: i64 = 1 << 50;

/// Demand and supply per skill. Columns: id, name, asks, askers, answered, unmet, holders,
/// helpers_to_date, new_helpers. Supply (holders, helpers) is organisation-wide: a team's
/// asks are answered by anyone.
///
/// Read from the rollups of migration 0007: whole blocks, days and raw slivers of the range for
/// the counts; per-skill totals for supply (helpers to date are the total less those who first
/// helped after the range); askers counted per skill up to [`ASKERS_COUNTED_UP_TO`]. With a
/// team or location, the asks are those of the people in scope, read person by person (a team
/// is a few thousand index seeks, not a scan of the organisation's asks) and counted exactly.
pub fn skills(scope: &Scope) -> Statement {
    let f = filters(scope, "pe");
    let (from, to) = (scope.from_ms(), scope.to_ms());
    let cap = ASKERS_COUNTED_UP_TO;
    let mut parts = skill_parts(from, to, !f.filtered());
    let askers = if f.filtered() {
        parts.push(format!(
            "SELECT f.skill_id, count(*) AS asks, count(DISTINCT f.asker_id) AS askers, \
               sum(f.answered) AS answered, sum(f.unmet) AS unmet, 0 AS new_helpers \
             FROM people fp CROSS JOIN insights_ask_skills f \
             WHERE fp.org_id = ?1{people} AND f.asker_id = fp.id \
               AND f.created_at >= ?2 AND f.created_at < ?3 \
             GROUP BY f.skill_id",
            people = f.people.replace("pe.", "fp.")
        ));
        format!("CASE WHEN agg.askers > {cap} THEN {cap} ELSE agg.askers END")
    } else {
        format!(
            "(SELECT count(*) FROM (SELECT DISTINCT f.asker_id FROM insights_ask_skills f \
               WHERE f.skill_id = agg.skill_id AND f.created_at >= ?2 AND f.created_at < ?3 \
               LIMIT {cap}) AS d)"
        )
    };
    let after = skill_parts(to, FAR_MS.max(to), false);
    let sql = format!(
        "WITH agg AS ( \
           SELECT skill_id, {sum_asks} AS asks, {sum_askers} AS askers, \
             {sum_answered} AS answered, {sum_unmet} AS unmet, {sum_new} AS new_helpers \
           FROM ({parts}) AS p GROUP BY skill_id \
         ), later AS ( \
           SELECT skill_id, {sum_new} AS n FROM ({after}) AS p GROUP BY skill_id \
         ) \
         SELECT CAST(agg.skill_id AS TEXT) AS id, sk.name, agg.asks, {askers} AS askers, \
           agg.answered, agg.unmet, coalesce(t.holders, 0) AS holders, \
           coalesce(t.helpers, 0) - coalesce(later.n, 0) AS helpers_to_date, agg.new_helpers \
         FROM agg JOIN skills sk ON sk.id = agg.skill_id \
           LEFT JOIN insights_skill_totals t ON t.skill_id = agg.skill_id \
           LEFT JOIN later ON later.skill_id = agg.skill_id \
         WHERE agg.asks > 0 OR agg.new_helpers > 0",
        parts = parts.join(" UNION ALL "),
        after = after.join(" UNION ALL "),
        sum_asks = sum("asks"),
        sum_askers = sum("askers"),
        sum_answered = sum("answered"),
        sum_unmet = sum("unmet"),
        sum_new = sum("new_helpers"),
    );
    Statement { sql, args: f.args }
}

/// The first admin's time zone (the one `org create` was given), else the first person's.
pub const TIMEZONE: &str = "SELECT timezone FROM people WHERE org_id = ?1 \
     ORDER BY CASE WHEN role = 'admin' THEN 0 ELSE 1 END, created_at, id LIMIT 1";
