//! The statements over the match rollups of migration 0009: connections across teams and
//! helper load.

use askaround_core::insights::Scope;

use super::{Statement, filters, sum};
use crate::insights::pieces;

/// The organisation's first and last match (`insights_matches`, migration 0009). Columns: lo,
/// hi, both NULL without matches. With [`outside_is_smaller`], decides how a range is read.
/// (Two subqueries: SQLite reads a lone `min` or `max` from one end of the index, but scans the
/// whole organisation for both in one.)
pub const MATCH_EXTENT: &str = "SELECT \
       (SELECT min(matched_at) FROM insights_matches WHERE org_id = ?1) AS lo, \
       (SELECT max(matched_at) FROM insights_matches WHERE org_id = ?1) AS hi";

/// Whether less of the history `[lo, hi]` lies outside `[from, to)` than inside it: then a
/// count over the range is read as the total less what lies before and after it (the same
/// figure, from fewer rows).
pub fn outside_is_smaller(from: i64, to: i64, extent: Option<(i64, i64)>) -> bool {
    split(from, to, extent).is_some_and(|(inside, outside)| outside < inside)
}

/// How much of the history `[lo, hi]` lies inside `[from, to)`, and how much outside.
fn split(from: i64, to: i64, extent: Option<(i64, i64)>) -> Option<(i64, i64)> {
    let (lo, hi) = extent?;
    let end = hi + 1;
    let inside = (to.min(end) - from.max(lo)).max(0);
    let outside = (from.min(end) - lo).max(0) + (end - to.max(lo)).max(0);
    Some((inside, outside))
}

/// Rows `(learner_team, helper_team, n)` of `insights_pair_buckets` and raw matches over
/// `[from, to)`, `n` counted with `sign`.
fn pair_parts(from: i64, to: i64, sign: i64, parts: &mut Vec<String>) {
    let p = pieces(from, to);
    for (span, (lo, hi)) in p.buckets() {
        parts.push(format!(
            "SELECT learner_team, helper_team, {sign} * asks AS n FROM insights_pair_buckets \
             WHERE org_id = ?1 AND span = {span} AND bucket >= {lo} AND bucket < {hi}"
        ));
    }
    for (lo, hi) in p.raw {
        parts.push(format!(
            "SELECT learner_team, helper_team, {sign} AS n FROM insights_matches \
             WHERE org_id = ?1 AND matched_at >= {lo} AND matched_at < {hi}"
        ));
    }
}

/// Distinct people on either side of a pair of teams are counted up to this many: at least
/// [`askaround_core::insights::privacy::MIN_PEOPLE`], all suppression needs (the count is never
/// shown). Each pair reads its matches until this many people are found, so a year's 1,600
/// pairs read about 32,000 index entries (100 would be 160,000: 80 ms more on SQLite).
pub const PAIR_PEOPLE_COUNTED_UP_TO: u32 = 20;
const _: () =
    assert!(PAIR_PEOPLE_COUNTED_UP_TO as u64 >= askaround_core::insights::privacy::MIN_PEOPLE);

/// Asks matched in the range by the learner's and helper's *current* team (`''` for none),
/// with the distinct people on either side counted up to [`PAIR_PEOPLE_COUNTED_UP_TO`]. With a
/// filter, asks where either side is in scope. Columns: learner_team, helper_team, asks,
/// people.
///
/// Read from the rollups of migration 0009 (`extent` is what [`MATCH_EXTENT`] returned):
/// matched asks per pair from whole blocks and days of `insights_pair_buckets` and raw slivers
/// of `insights_matches`, or, when less lies outside the range, from `insights_pair_totals`
/// less the pieces before and after it; people per pair read from `insights_matches` in pair
/// order until enough are found. A team filter keeps the pairs with the team on either side
/// (pairs are by current team). With a location, the matches of each person in scope (as
/// learner and as helper) are read and counted directly.
pub fn connections(scope: &Scope, extent: Option<(i64, i64)>) -> Statement {
    connections_counting(scope, extent, false)
}

/// [`connections`] for PostgreSQL: the same figures, people per pair counted side by side first.
///
/// PostgreSQL hashes every row of a `DISTINCT` before its `LIMIT` applies, so counting the
/// union of both sides up to the cap read every match of every pair (a year: 1,600 pairs, 1.7
/// million index entries, 0.5 s). Each side alone is read in person order from the indexes of
/// PostgreSQL's migration 0012 and stops at the cap; when either side reaches it, so does the
/// union, and only pairs with fewer people on both sides count the union (exact either way).
pub fn connections_for_postgres(scope: &Scope, extent: Option<(i64, i64)>) -> Statement {
    connections_counting(scope, extent, true)
}

fn connections_counting(scope: &Scope, extent: Option<(i64, i64)>, sides_first: bool) -> Statement {
    let f = filters(scope, "pe");
    let cap = PAIR_PEOPLE_COUNTED_UP_TO;
    let (from, to) = (scope.from_ms(), scope.to_ms());
    if scope.location.is_some() {
        let people = f.people.replace("pe.", "fp.");
        let side = |column: &str| {
            format!(
                "SELECT m.ask_id, m.asker_id, m.helper_id, m.learner_team AS lt, \
                   m.helper_team AS ht \
                 FROM people fp CROSS JOIN insights_matches m \
                 WHERE fp.org_id = ?1{people} AND m.{column} = fp.id \
                   AND m.matched_at >= ?2 AND m.matched_at < ?3"
            )
        };
        let sql = format!(
            "WITH m AS ({learners} UNION {helpers}), sides AS ( \
               SELECT lt, ht, asker_id AS p FROM m UNION SELECT lt, ht, helper_id FROM m \
             ) \
             SELECT c.lt AS learner_team, c.ht AS helper_team, c.asks, \
               CASE WHEN s.people > {cap} THEN {cap} ELSE s.people END AS people \
             FROM (SELECT lt, ht, count(*) AS asks FROM m GROUP BY lt, ht) c \
               JOIN (SELECT lt, ht, count(*) AS people FROM sides GROUP BY lt, ht) s \
                 ON s.lt = c.lt AND s.ht = c.ht",
            learners = side("asker_id"),
            helpers = side("helper_id"),
        );
        return Statement { sql, args: f.args };
    }
    let mut parts = Vec::new();
    match extent {
        Some((lo, hi)) if outside_is_smaller(from, to, extent) => {
            parts.push(
                "SELECT learner_team, helper_team, asks AS n FROM insights_pair_totals \
                 WHERE org_id = ?1"
                    .to_owned(),
            );
            pair_parts(lo.min(from), from, -1, &mut parts);
            pair_parts(to, (hi + 1).max(to), -1, &mut parts);
        }
        _ => pair_parts(from, to, 1, &mut parts),
    }
    // The team is the argument after the range (no location on this path).
    let pairs = if scope.team.is_some() {
        " WHERE learner_team = ?4 OR helper_team = ?4"
    } else {
        ""
    };
    let in_pair = |column: &str| {
        format!(
            "SELECT m.{column} AS p FROM insights_matches m \
             WHERE m.org_id = ?1 AND m.learner_team = c.lt AND m.helper_team = c.ht \
               AND m.matched_at >= ?2 AND m.matched_at < ?3"
        )
    };
    let union = format!(
        "(SELECT count(*) FROM (SELECT DISTINCT x.p FROM ({learners} UNION ALL {helpers}) AS x \
           LIMIT {cap}) AS d)",
        learners = in_pair("asker_id"),
        helpers = in_pair("helper_id"),
    );
    let people = if sides_first {
        let side = |column: &str| {
            format!(
                "(SELECT count(*) FROM (SELECT DISTINCT x.p FROM ({}) AS x LIMIT {cap}) AS d)",
                in_pair(column)
            )
        };
        format!(
            "CASE WHEN {learners} >= {cap} OR {helpers} >= {cap} THEN {cap} ELSE {union} END",
            learners = side("asker_id"),
            helpers = side("helper_id"),
        )
    } else {
        union
    };
    let sql = format!(
        "WITH c AS ( \
           SELECT learner_team AS lt, helper_team AS ht, {n} AS asks FROM ({parts}) AS p{pairs} \
           GROUP BY learner_team, helper_team \
         ) \
         SELECT c.lt AS learner_team, c.ht AS helper_team, c.asks, {people} AS people \
         FROM c WHERE c.asks > 0",
        n = sum("n"),
        parts = parts.join(" UNION ALL "),
    );
    Statement { sql, args: f.args }
}

/// Helps per helper in scope in the range, and the `top` helpers. Rows of kind 0: helps,
/// helpers (with that many helps). Rows of kind 1, one per top helper, `ord` from 1: helps,
/// id, name, team, offers (received in the range).
///
/// Counted per helper by the integer keys of migration 0009, whichever way reads least for the
/// share of the history (`extent` as [`MATCH_EXTENT`] returned) the range holds: under a tenth,
/// the matches of the range in time order (grouped by sorting, about ten times the cost per
/// match of an ordered scan); over nine tenths, each helper's total less their matches before
/// and after it; otherwise every match of the organisation in (helper, time) order, counted
/// without sorting. With a team or location, the matches of each person in scope. The counts
/// are materialised once and read for both kinds of row.
pub fn load(scope: &Scope, top: u32, extent: Option<(i64, i64)>) -> Statement {
    load_in(scope, top, extent, false)
}

/// [`load`] for PostgreSQL, which reads the range's own matches up to a third of the history
/// (it counts them per helper in a hash table, given the memory: see `work_mem` in the store,
/// rather than by sorting; at 100,000 people and a year of history, 12 weeks of matches, 23 %
/// of them, counted so took 135 ms against 193 ms for all of them in order) and looks the top
/// helpers up one by one (see below).
pub fn load_for_postgres(scope: &Scope, top: u32, extent: Option<(i64, i64)>) -> Statement {
    load_in(scope, top, extent, true)
}

fn load_in(scope: &Scope, top: u32, extent: Option<(i64, i64)>, postgres: bool) -> Statement {
    let divisor = if postgres { 3 } else { 10 };
    let f = filters(scope, "pe");
    let (inside, outside) = split(scope.from_ms(), scope.to_ms(), extent).unwrap_or((0, 0));
    let counts = if f.filtered() {
        format!(
            "SELECT m.helper_key AS k, count(*) AS n \
             FROM people fp CROSS JOIN insights_matches m \
             WHERE fp.org_id = ?1{people} AND m.helper_id = fp.id \
               AND m.matched_at >= ?2 AND m.matched_at < ?3 \
             GROUP BY m.helper_key",
            people = f.people.replace("pe.", "fp.")
        )
    } else if divisor * inside < inside + outside {
        "SELECT helper_key AS k, count(*) AS n FROM insights_matches \
         WHERE org_id = ?1 AND matched_at >= ?2 AND matched_at < ?3 GROUP BY helper_key"
            .to_owned()
    } else if 10 * outside < inside + outside {
        "SELECT ih.key AS k, ih.helps - coalesce(o.n, 0) AS n \
         FROM insights_helpers ih LEFT JOIN ( \
           SELECT helper_key, count(*) AS n FROM ( \
             SELECT helper_key FROM insights_matches WHERE org_id = ?1 AND matched_at < ?2 \
             UNION ALL \
             SELECT helper_key FROM insights_matches WHERE org_id = ?1 AND matched_at >= ?3 \
           ) AS x GROUP BY helper_key \
         ) AS o ON o.helper_key = ih.key \
         WHERE ih.org_id = ?1 AND ih.helps > coalesce(o.n, 0)"
            .to_owned()
    } else {
        "SELECT k, n FROM ( \
           SELECT helper_key AS k, \
             count(*) FILTER (WHERE matched_at >= ?2 AND matched_at < ?3) AS n \
           FROM insights_matches \
           WHERE org_key = (SELECT key FROM insights_orgs WHERE org_id = ?1) \
           GROUP BY helper_key \
         ) AS c WHERE n > 0"
            .to_owned()
    };
    let top_counts = format!(
        "SELECT k, n FROM h WHERE n >= ( \
           SELECT coalesce(max(n), 0) FROM ( \
             SELECT n, sum(helpers) OVER (ORDER BY n DESC) AS above FROM hist \
           ) AS r WHERE r.above >= {top} \
         )"
    );
    // The `top` helpers (`p`, helps `n`, name, team) by most helps, then name, then id.
    let top_helpers = if postgres {
        format!(
            "SELECT p, n, name, team FROM ( \
               SELECT p, n, \
                 (SELECT pe.name FROM people pe WHERE pe.id = p) AS name, \
                 (SELECT pe.team FROM people pe WHERE pe.id = p) AS team \
               FROM ( \
                 SELECT (SELECT ih.person_id FROM insights_helpers ih WHERE ih.key = b.k) AS p, \
                   b.n \
                 FROM ({top_counts}) AS b \
               ) AS bp \
             ) AS named \
             WHERE name IS NOT NULL \
             ORDER BY n DESC, name, p LIMIT {top}"
        )
    } else {
        format!(
            "SELECT ih.person_id AS p, b.n, pe.name, pe.team \
             FROM ({top_counts}) AS b CROSS JOIN insights_helpers ih CROSS JOIN people pe \
             WHERE ih.key = b.k AND pe.id = ih.person_id \
             ORDER BY b.n DESC, pe.name, ih.person_id LIMIT {top}"
        )
    };
    let top_rows = if top == 0 {
        String::new()
    } else {
        format!(
            " UNION ALL \
             SELECT 1, row_number() OVER (ORDER BY t.n DESC, t.name, t.p), t.n, NULL, \
               CAST(t.p AS TEXT), t.name, t.team, \
               (SELECT count(*) FROM offers o \
                  WHERE o.helper_id = t.p AND o.sent_at >= ?2 AND o.sent_at < ?3) \
             FROM ({top_helpers}) AS t"
        )
    };
    // The top helpers are those with at least the helps of the `top`-th: that count is read
    // from the distribution, so the per-helper counts are scanned once more, not sorted, and
    // only those few are joined to people (`CROSS JOIN` keeps SQLite to that order: it would
    // otherwise scan people and look each up in the counts). PostgreSQL, unable to tell that so
    // few pass the threshold, would read all of people and helpers into hash tables for the
    // join (110 ms at 100,000 people), so there each is looked up on its own; a helper no longer
    // among people has no name and is left out, as the join leaves them out.
    let sql = format!(
        "WITH h AS MATERIALIZED ({counts}), \
           hist AS MATERIALIZED (SELECT n, count(*) AS helpers FROM h GROUP BY n) \
         SELECT 0 AS kind, 0 AS ord, n AS helps, helpers, NULL AS id, \
           NULL AS name, NULL AS team, NULL AS offers \
         FROM hist{top_rows}"
    );
    Statement { sql, args: f.args }
}

#[cfg(test)]
mod tests {
    use super::outside_is_smaller;

    #[test]
    fn a_range_holding_most_of_the_history_is_read_from_outside_it() {
        assert!(!outside_is_smaller(10, 20, None), "no history");
        assert!(outside_is_smaller(10, 20, Some((9, 20))));
        assert!(
            outside_is_smaller(0, 100, Some((10, 20))),
            "all of it inside"
        );
        assert!(!outside_is_smaller(10, 20, Some((0, 100))));
        assert!(
            !outside_is_smaller(200, 300, Some((0, 100))),
            "none of it inside"
        );
    }
}
