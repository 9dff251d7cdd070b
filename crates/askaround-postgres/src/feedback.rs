//! Closing the loop and looking back: feedback and what was learned, the helper's confirmed
//! topics, reports, and a helper's summary.

use jiff::Timestamp;
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use askaround_core::ids::{AskId, OrgId, PersonId, SkillId};
use askaround_store::{
    FeedbackRecord, HelpSummary, Learned, NewFeedback, Report, StoreError, StoreResult,
};

use crate::codec::{count, db_err, get, millis, timestamp, unsigned};

/// Written by the transition that resolves the ask.
pub async fn write(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    ask: AskId,
    f: &NewFeedback,
    now: Timestamp,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO feedback (ask_id, org_id, learner_id, helper_id, rating, thanks, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(ask.0)
    .bind(org.0)
    .bind(f.learner.0)
    .bind(f.helper.0)
    .bind(i32::from(f.rating))
    .bind(&f.thanks)
    .bind(millis(now))
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    // Skills of another organisation are left out, as in SQLite.
    let learned: Vec<Uuid> = f.learned.iter().map(|s| s.0).collect();
    sqlx::query(
        "INSERT INTO learned_skills (ask_id, skill_id) \
         SELECT $1, id FROM skills WHERE id = ANY($2) AND org_id = $3 ON CONFLICT DO NOTHING",
    )
    .bind(ask.0)
    .bind(&learned)
    .bind(org.0)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    sqlx::query("UPDATE conversations SET closed_at = $1 WHERE ask_id = $2 AND closed_at IS NULL")
        .bind(millis(now))
        .bind(ask.0)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

async fn skill_list(pool: &PgPool, sql: &'static str, ask: AskId) -> StoreResult<Vec<SkillId>> {
    let ids: Vec<Uuid> = sqlx::query_scalar(sql)
        .bind(ask.0)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    Ok(ids.into_iter().map(SkillId).collect())
}

pub async fn feedback(
    pool: &PgPool,
    org: OrgId,
    ask: AskId,
) -> StoreResult<Option<FeedbackRecord>> {
    let row = sqlx::query(
        "SELECT learner_id, helper_id, rating, thanks, created_at FROM feedback WHERE ask_id = $1 AND org_id = $2",
    )
    .bind(ask.0)
    .bind(org.0)
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(FeedbackRecord {
        ask_id: ask,
        learner: PersonId(get(&row, "learner_id")?),
        helper: PersonId(get(&row, "helper_id")?),
        rating: unsigned(&row, "rating")?,
        thanks: get(&row, "thanks")?,
        learned: skill_list(
            pool,
            "SELECT skill_id FROM learned_skills WHERE ask_id = $1 ORDER BY skill_id",
            ask,
        )
        .await?,
        topics: skill_list(
            pool,
            "SELECT skill_id FROM helped_topics WHERE ask_id = $1 ORDER BY skill_id",
            ask,
        )
        .await?,
        created_at: timestamp(get(&row, "created_at")?)?,
    }))
}

pub async fn confirm_topics(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    ask: AskId,
    topics: &[SkillId],
    now: Timestamp,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM helped_topics WHERE ask_id = $1")
        .bind(ask.0)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    let mut distinct: Vec<Uuid> = topics.iter().map(|s| s.0).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let written = sqlx::query(
        "INSERT INTO helped_topics (ask_id, skill_id, confirmed_at) \
         SELECT $1, id, $2 FROM skills WHERE id = ANY($3) AND org_id = $4 ON CONFLICT DO NOTHING",
    )
    .bind(ask.0)
    .bind(millis(now))
    .bind(&distinct)
    .bind(org.0)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?
    .rows_affected();
    if usize::try_from(written).ok() != Some(distinct.len()) {
        return Err(StoreError::invalid(
            "unknown_skill",
            "topics",
            "names a skill that does not exist in this organisation",
        ));
    }
    Ok(())
}

pub async fn report(
    pool: &PgPool,
    org: OrgId,
    ask: AskId,
    reporter: PersonId,
    reason: &str,
    now: Timestamp,
) -> StoreResult<Report> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO reports (id, org_id, ask_id, reporter_id, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(org.0)
    .bind(ask.0)
    .bind(reporter.0)
    .bind(reason)
    .bind(millis(now))
    .execute(pool)
    .await
    .map_err(db_err)?;
    Ok(Report {
        id: id.to_string(),
        ask_id: ask,
        reporter,
        reason: reason.to_owned(),
        created_at: now,
    })
}

pub async fn reports(pool: &PgPool, org: OrgId, limit: u32) -> StoreResult<Vec<Report>> {
    let rows = sqlx::query(
        "SELECT id, ask_id, reporter_id, reason, created_at FROM reports WHERE org_id = $1 \
         ORDER BY created_at DESC LIMIT $2",
    )
    .bind(org.0)
    .bind(i64::from(limit.clamp(1, 500)))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|row| {
            Ok(Report {
                id: get::<Uuid>(row, "id")?.to_string(),
                ask_id: AskId(get(row, "ask_id")?),
                reporter: PersonId(get(row, "reporter_id")?),
                reason: get(row, "reason")?,
                created_at: timestamp(get(row, "created_at")?)?,
            })
        })
        .collect()
}

pub async fn learned_by(
    pool: &PgPool,
    org: OrgId,
    learner: PersonId,
    limit: u32,
) -> StoreResult<Vec<Learned>> {
    let rows = sqlx::query(
        "SELECT l.skill_id, l.ask_id, f.helper_id, f.rating, f.created_at FROM learned_skills l \
         JOIN feedback f ON f.ask_id = l.ask_id WHERE f.learner_id = $1 AND f.org_id = $2 \
         ORDER BY f.created_at DESC LIMIT $3",
    )
    .bind(learner.0)
    .bind(org.0)
    .bind(i64::from(limit.clamp(1, 500)))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|row| {
            Ok(Learned {
                skill: SkillId(get(row, "skill_id")?),
                ask_id: AskId(get(row, "ask_id")?),
                helper: PersonId(get(row, "helper_id")?),
                rating: unsigned(row, "rating")?,
                at: timestamp(get(row, "created_at")?)?,
            })
        })
        .collect()
}

pub async fn help_summary(pool: &PgPool, org: OrgId, helper: PersonId) -> StoreResult<HelpSummary> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS sessions, COUNT(f.rating) AS rated, AVG(f.rating)::float8 AS average FROM asks a \
         LEFT JOIN feedback f ON f.ask_id = a.id WHERE a.helper_id = $1 AND a.org_id = $2 AND a.state = 'resolved'",
    )
    .bind(helper.0)
    .bind(org.0)
    .fetch_one(pool)
    .await
    .map_err(db_err)?;
    let skills = sqlx::query(
        "SELECT skill_id, COUNT(*) AS n FROM ( \
           SELECT s.ask_id, s.skill_id FROM ask_skills s JOIN asks a ON a.id = s.ask_id \
             WHERE a.helper_id = $1 AND a.org_id = $2 AND a.state = 'resolved' \
           UNION SELECT t.ask_id, t.skill_id FROM helped_topics t JOIN asks a ON a.id = t.ask_id \
             WHERE a.helper_id = $1 AND a.org_id = $2 AND a.state = 'resolved') AS topics \
         GROUP BY skill_id ORDER BY n DESC, skill_id LIMIT 10",
    )
    .bind(helper.0)
    .bind(org.0)
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    Ok(HelpSummary {
        sessions: count(&row, "sessions")?,
        rated: count(&row, "rated")?,
        average_rating: get(&row, "average")?,
        skills: skills
            .iter()
            .map(|r| Ok((SkillId(get(r, "skill_id")?), count(r, "n")?)))
            .collect::<StoreResult<Vec<_>>>()?,
    })
}
