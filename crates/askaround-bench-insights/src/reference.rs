//! `--verify`: the skills and quality figures read from the rollups of migration 0007, compared
//! with the same figures aggregated directly from the asks (the statements the store ran before
//! 0007), on the generated data. Slow by design; it checks the rollups the triggers kept during
//! generation or the migration's backfill built.

use std::collections::BTreeMap;

use anyhow::Context;
use sqlx::{Connection, Row, SqliteConnection};

use askaround_core::ids::OrgId;
use askaround_core::insights::Scope;
use askaround_sqlite::SqliteStore;
use askaround_store::InsightsStore;
use askaround_store::insights_sql::ASKERS_COUNTED_UP_TO;

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
