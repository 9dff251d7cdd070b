//! `--verify`: the skills, quality, connections and load figures read from the rollups of
//! migrations 0007 and 0009, compared with the same figures aggregated directly from the asks
//! (the statements the store ran before those migrations), on the generated data. Slow by design; it checks the rollups the triggers kept during
//! generation or the migration's backfill built.

use std::collections::BTreeMap;

use anyhow::Context;
use sqlx::{Connection, Row, SqliteConnection};

use askaround_core::ids::OrgId;
use askaround_core::insights::Scope;
use askaround_sqlite::SqliteStore;
use askaround_store::InsightsStore;
use askaround_store::insights_sql::{ASKERS_COUNTED_UP_TO, PAIR_PEOPLE_COUNTED_UP_TO};

/// Per skill: asks, askers (capped like the store's), answered, unmet, holders, helpers to
/// date, new helpers.
type Figures = BTreeMap<String, [u64; 7]>;

/// The skills statement as it was before the rollups: every ask of the range joined to its
/// skills, supply counted per skill.
const SKILLS: &str = "WITH demand AS ( \
       SELECT s.skill_id, count(*) AS asks, count(DISTINCT a.asker_id) AS askers, \
         count(a.matched_at) AS answered, \
         count(*) FILTER (WHERE a.matched_at IS NULL AND a.went_to_board = 1) AS unmet \
       FROM asks a JOIN ask_skills s ON s.ask_id = a.id \
       WHERE a.org_id = ?1 AND a.created_at >= ?2 AND a.created_at < ?3 \
         AND (?4 IS NULL OR a.asker_id IN (SELECT id FROM people WHERE org_id = ?1 AND team = ?4)) \
       GROUP BY s.skill_id \
     ), growth AS ( \
       SELECT skill_id, count(*) AS new_helpers FROM insights_skill_helpers \
       WHERE org_id = ?1 AND first_at >= ?2 AND first_at < ?3 GROUP BY skill_id \
     ), keyed AS ( \
       SELECT skill_id FROM demand UNION SELECT skill_id FROM growth \
     ) \
     SELECT k.skill_id AS id, \
       coalesce(d.asks, 0) AS asks, coalesce(d.askers, 0) AS askers, \
       coalesce(d.answered, 0) AS answered, coalesce(d.unmet, 0) AS unmet, \
       (SELECT count(*) FROM person_skills ps JOIN people p ON p.id = ps.person_id \
          WHERE ps.skill_id = k.skill_id AND p.active = TRUE) AS holders, \
       (SELECT count(*) FROM insights_skill_helpers ih \
          WHERE ih.skill_id = k.skill_id AND ih.first_at < ?3) AS helpers_to_date, \
       coalesce(g.new_helpers, 0) AS new_helpers \
     FROM keyed k LEFT JOIN demand d ON d.skill_id = k.skill_id \
       LEFT JOIN growth g ON g.skill_id = k.skill_id";

fn u(row: &sqlx::sqlite::SqliteRow, column: &str) -> anyhow::Result<u64> {
    let n: i64 = row.try_get(column)?;
    Ok(u64::try_from(n)?)
}

/// Compares the store's skills figures with the direct aggregation; an error names the first
/// skills that differ.
pub async fn skills(
    path: &str,
    store: &SqliteStore,
    org: OrgId,
    scope: &Scope,
) -> anyhow::Result<usize> {
    let mut db = SqliteConnection::connect(&format!("sqlite://{path}")).await?;
    let cap = u64::from(ASKERS_COUNTED_UP_TO);
    let mut direct = Figures::new();
    for row in sqlx::query(SKILLS)
        .bind(org.to_string())
        .bind(scope.from_ms())
        .bind(scope.to_ms())
        .bind(scope.team.clone())
        .fetch_all(&mut db)
        .await?
    {
        let figures = [
            u(&row, "asks")?,
            u(&row, "askers")?.min(cap),
            u(&row, "answered")?,
            u(&row, "unmet")?,
            u(&row, "holders")?,
            u(&row, "helpers_to_date")?,
            u(&row, "new_helpers")?,
        ];
        direct.insert(row.try_get("id")?, figures);
    }
    db.close().await?;
    let mut rolled = Figures::new();
    for s in store.insights_skills(org, scope).await? {
        rolled.insert(
            s.skill.id.to_string(),
            [
                s.asks,
                s.askers,
                s.answered,
                s.unmet,
                s.holders,
                s.helpers_to_date,
                s.new_helpers,
            ],
        );
    }
    let differing: Vec<String> = direct
        .keys()
        .chain(rolled.keys())
        .filter(|k| direct.get(*k) != rolled.get(*k))
        .take(5)
        .map(|k| {
            format!(
                "{k}: direct {:?}, rollups {:?}",
                direct.get(k),
                rolled.get(k)
            )
        })
        .collect();
    if !differing.is_empty() {
        anyhow::bail!("skills differ: {}", differing.join("; "));
    }
    Some(direct.len())
        .filter(|n| *n > 0)
        .context("no skills in the range")
}

/// The quality statements as they were before the rollups (team filter as a subquery).
const RATINGS: &str = "SELECT rating, count(*) AS n, count(DISTINCT learner_id) AS learners \
     FROM feedback WHERE org_id = ?1 AND created_at >= ?2 AND created_at < ?3 \
       AND (?4 IS NULL OR learner_id IN (SELECT id FROM people WHERE org_id = ?1 AND team = ?4)) \
     GROUP BY rating \
     UNION ALL SELECT NULL, count(*), count(DISTINCT learner_id) FROM feedback \
     WHERE org_id = ?1 AND created_at >= ?2 AND created_at < ?3 \
       AND (?4 IS NULL OR learner_id IN (SELECT id FROM people WHERE org_id = ?1 AND team = ?4))";

const LEARNED: &str = "SELECT l.skill_id AS id, count(*) AS times, \
       count(DISTINCT f.learner_id) AS learners \
     FROM feedback f JOIN learned_skills l ON l.ask_id = f.ask_id \
       JOIN skills s ON s.id = l.skill_id \
     WHERE f.org_id = ?1 AND f.created_at >= ?2 AND f.created_at < ?3 \
       AND (?4 IS NULL OR f.learner_id IN (SELECT id FROM people WHERE org_id = ?1 AND team = ?4)) \
     GROUP BY l.skill_id, s.name \
     ORDER BY CASE WHEN count(DISTINCT f.learner_id) >= 5 THEN 0 ELSE 1 END, \
       count(*) DESC, s.name \
     LIMIT ?5";

/// Compares the store's quality figures (ratings, and the first `limit` skills learned with
/// their exact learners) with the direct aggregation.
pub async fn quality(
    path: &str,
    store: &SqliteStore,
    org: OrgId,
    scope: &Scope,
    limit: u32,
) -> anyhow::Result<usize> {
    let mut db = SqliteConnection::connect(&format!("sqlite://{path}")).await?;
    let cap = u64::from(ASKERS_COUNTED_UP_TO);
    let mut ratings = Vec::new();
    let mut learners = 0;
    for row in sqlx::query(RATINGS)
        .bind(org.to_string())
        .bind(scope.from_ms())
        .bind(scope.to_ms())
        .bind(scope.team.clone())
        .fetch_all(&mut db)
        .await?
    {
        let rating: Option<i64> = row.try_get("rating")?;
        match rating {
            None => learners = u(&row, "learners")?.min(cap),
            Some(r) => ratings.push((
                u8::try_from(r)?,
                u(&row, "n")?,
                u(&row, "learners")?.min(cap),
            )),
        }
    }
    ratings.sort_unstable();
    let mut learned = Vec::new();
    for row in sqlx::query(LEARNED)
        .bind(org.to_string())
        .bind(scope.from_ms())
        .bind(scope.to_ms())
        .bind(scope.team.clone())
        .bind(i64::from(limit))
        .fetch_all(&mut db)
        .await?
    {
        let id: String = row.try_get("id")?;
        learned.push((id, u(&row, "times")?, u(&row, "learners")?));
    }
    db.close().await?;
    let raw = store.insights_quality(org, scope, limit).await?;
    let rolled: Vec<(String, u64, u64)> = raw
        .learned
        .iter()
        .map(|(s, t, l)| (s.id.to_string(), *t, *l))
        .collect();
    anyhow::ensure!(
        raw.ratings == ratings && raw.learners == learners,
        "ratings differ: direct {ratings:?} ({learners} learners), rollups {:?} ({} learners)",
        raw.ratings,
        raw.learners
    );
    if rolled != learned {
        let first = rolled
            .iter()
            .zip(&learned)
            .position(|(a, b)| a != b)
            .unwrap_or(rolled.len().min(learned.len()));
        anyhow::bail!(
            "skills learned differ from row {first}: direct {:?}, rollups {:?}",
            learned.get(first),
            rolled.get(first)
        );
    }
    Ok(learned.len())
}

/// The connections statement as it was before migration 0009: every matched ask of the range
/// joined to both people's current teams (a team filter keeps asks where either side is in it).
const CONNECTIONS: &str = "WITH m AS ( \
       SELECT a.asker_id, a.helper_id, coalesce(pl.team, '') AS lt, coalesce(ph.team, '') AS ht \
       FROM asks a JOIN people pl ON pl.id = a.asker_id JOIN people ph ON ph.id = a.helper_id \
       WHERE a.org_id = ?1 AND a.matched_at >= ?2 AND a.matched_at < ?3 \
         AND (?4 IS NULL OR pl.team = ?4 OR ph.team = ?4) \
     ), sides AS ( \
       SELECT lt, ht, asker_id AS p FROM m UNION SELECT lt, ht, helper_id FROM m \
     ) \
     SELECT c.lt, c.ht, c.asks, s.people \
     FROM (SELECT lt, ht, count(*) AS asks FROM m GROUP BY lt, ht) c \
       JOIN (SELECT lt, ht, count(*) AS people FROM sides GROUP BY lt, ht) s \
         ON s.lt = c.lt AND s.ht = c.ht";

/// Compares the store's team pairs (asks, people up to the store's cap) with the direct
/// aggregation. Returns how many pairs matched.
pub async fn connections(
    path: &str,
    store: &SqliteStore,
    org: OrgId,
    scope: &Scope,
) -> anyhow::Result<usize> {
    let mut db = SqliteConnection::connect(&format!("sqlite://{path}")).await?;
    let cap = u64::from(PAIR_PEOPLE_COUNTED_UP_TO);
    let mut direct = BTreeMap::new();
    for row in sqlx::query(CONNECTIONS)
        .bind(org.to_string())
        .bind(scope.from_ms())
        .bind(scope.to_ms())
        .bind(scope.team.clone())
        .fetch_all(&mut db)
        .await?
    {
        let (lt, ht): (String, String) = (row.try_get("lt")?, row.try_get("ht")?);
        direct.insert((lt, ht), (u(&row, "asks")?, u(&row, "people")?.min(cap)));
    }
    db.close().await?;
    let rolled: BTreeMap<(String, String), (u64, u64)> = store
        .insights_connections(org, scope)
        .await?
        .into_iter()
        .map(|l| {
            let team = |t: Option<String>| t.unwrap_or_default();
            (
                (team(l.learner_team), team(l.helper_team)),
                (l.asks, l.people),
            )
        })
        .collect();
    let differing: Vec<String> = direct
        .keys()
        .chain(rolled.keys())
        .filter(|k| direct.get(*k) != rolled.get(*k))
        .take(5)
        .map(|k| {
            format!(
                "{k:?}: direct {:?}, rollups {:?}",
                direct.get(k),
                rolled.get(k)
            )
        })
        .collect();
    if !differing.is_empty() {
        anyhow::bail!("connections differ: {}", differing.join("; "));
    }
    Some(direct.len())
        .filter(|n| *n > 0)
        .context("no connections in the range")
}

/// The load statements as they were before migration 0009: helps per helper grouped by the
/// text id from the asks, and the top helpers with their offers.
const HELPS_PER_HELPER: &str = "SELECT n AS helps, count(*) AS helpers FROM ( \
       SELECT count(*) AS n FROM asks a \
       WHERE a.org_id = ?1 AND a.matched_at >= ?2 AND a.matched_at < ?3 \
         AND a.helper_id IS NOT NULL \
         AND (?4 IS NULL OR a.helper_id IN (SELECT id FROM people WHERE org_id = ?1 AND team = ?4)) \
       GROUP BY a.helper_id \
     ) h GROUP BY n ORDER BY n";

const TOP_HELPERS: &str = "WITH h AS ( \
       SELECT a.helper_id AS p, count(*) AS n FROM asks a \
       WHERE a.org_id = ?1 AND a.matched_at >= ?2 AND a.matched_at < ?3 \
         AND a.helper_id IS NOT NULL \
         AND (?4 IS NULL OR a.helper_id IN (SELECT id FROM people WHERE org_id = ?1 AND team = ?4)) \
       GROUP BY a.helper_id \
     ), best AS ( \
       SELECT h.p, h.n, pe.name FROM h JOIN people pe ON pe.id = h.p \
       ORDER BY h.n DESC, pe.name, h.p LIMIT ?5 \
     ) \
     SELECT best.p AS id, best.n AS helps, \
       (SELECT count(*) FROM offers o \
          WHERE o.helper_id = best.p AND o.sent_at >= ?2 AND o.sent_at < ?3) AS offers \
     FROM best ORDER BY best.n DESC, best.name, best.p";

/// Compares the store's load (the whole distribution, and the `top` helpers with their helps
/// and offers) with the direct aggregation. Returns how many helpers helped in the range.
pub async fn load(
    path: &str,
    store: &SqliteStore,
    org: OrgId,
    scope: &Scope,
    top: u32,
) -> anyhow::Result<u64> {
    let mut db = SqliteConnection::connect(&format!("sqlite://{path}")).await?;
    let mut histogram = Vec::new();
    for row in sqlx::query(HELPS_PER_HELPER)
        .bind(org.to_string())
        .bind(scope.from_ms())
        .bind(scope.to_ms())
        .bind(scope.team.clone())
        .fetch_all(&mut db)
        .await?
    {
        histogram.push((row.try_get::<i64, _>("helps")?, u(&row, "helpers")?));
    }
    let mut best = Vec::new();
    for row in sqlx::query(TOP_HELPERS)
        .bind(org.to_string())
        .bind(scope.from_ms())
        .bind(scope.to_ms())
        .bind(scope.team.clone())
        .bind(i64::from(top))
        .fetch_all(&mut db)
        .await?
    {
        let id: String = row.try_get("id")?;
        best.push((id, u(&row, "helps")?, u(&row, "offers")?));
    }
    db.close().await?;
    let raw = store.insights_load(org, scope, top).await?;
    anyhow::ensure!(
        raw.helps_per_helper == histogram,
        "helps per helper differ: direct {histogram:?}, rollups {:?}",
        raw.helps_per_helper
    );
    let rolled: Vec<(String, u64, u64)> = raw
        .top
        .iter()
        .map(|h| (h.person.to_string(), h.helps, h.offers))
        .collect();
    anyhow::ensure!(
        rolled == best,
        "top helpers differ: direct {best:?}, rollups {rolled:?}"
    );
    Some(histogram.iter().map(|(_, c)| c).sum())
        .filter(|n| *n > 0)
        .context("nobody helped in the range")
}
