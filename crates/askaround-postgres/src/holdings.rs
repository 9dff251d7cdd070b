//! What people can help with (skills at a level) and what they are learning (goals).

use jiff::Timestamp;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use askaround_core::ids::{OrgId, PersonId, SkillId};
use askaround_core::skill::SkillLevel;
use askaround_store::{StoreError, StoreResult};

use crate::codec::db_err;
use crate::people::touch;

/// Refuses skill ids of another organisation (they would otherwise be linkable by id).
pub async fn check_skills_belong(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    ids: &[SkillId],
    field: &str,
) -> StoreResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut distinct: Vec<Uuid> = ids.iter().map(|s| s.0).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let found: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM skills WHERE org_id = $1 AND id = ANY($2)")
            .bind(org.0)
            .bind(&distinct)
            .fetch_one(&mut **tx)
            .await
            .map_err(db_err)?;
    if usize::try_from(found).ok() != Some(distinct.len()) {
        return Err(StoreError::invalid(
            "unknown_skill",
            field,
            "names a skill that does not exist in this organisation",
        ));
    }
    Ok(())
}

async fn write_skills(
    tx: &mut Transaction<'_, Postgres>,
    id: PersonId,
    skills: &[(SkillId, SkillLevel)],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM person_skills WHERE person_id = $1")
        .bind(id.0)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    // A skill named twice keeps its last level. Deduplicated here because one INSERT … ON
    // CONFLICT DO UPDATE may not touch the same row twice.
    let mut levels: Vec<(Uuid, &'static str)> = Vec::with_capacity(skills.len());
    for (skill, level) in skills {
        match levels.iter_mut().find(|(s, _)| *s == skill.0) {
            Some(entry) => entry.1 = level.as_str(),
            None => levels.push((skill.0, level.as_str())),
        }
    }
    let (ids, levels): (Vec<Uuid>, Vec<&str>) = levels.into_iter().unzip();
    sqlx::query(
        "INSERT INTO person_skills (person_id, skill_id, level) \
         SELECT $1, skill_id, level FROM UNNEST($2::uuid[], $3::text[]) AS s(skill_id, level)",
    )
    .bind(id.0)
    .bind(&ids)
    .bind(&levels)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

async fn write_goals(
    tx: &mut Transaction<'_, Postgres>,
    id: PersonId,
    goals: &[SkillId],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM learning_goals WHERE person_id = $1")
        .bind(id.0)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    let ids: Vec<Uuid> = goals.iter().map(|s| s.0).collect();
    sqlx::query(
        "INSERT INTO learning_goals (person_id, skill_id) SELECT $1, skill_id FROM UNNEST($2::uuid[]) AS g(skill_id) \
         ON CONFLICT DO NOTHING",
    )
    .bind(id.0)
    .bind(&ids)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

pub async fn replace_skills(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    id: PersonId,
    skills: &[(SkillId, SkillLevel)],
    now: Timestamp,
) -> StoreResult<()> {
    touch(tx, org, id, now).await?;
    let ids: Vec<SkillId> = skills.iter().map(|(s, _)| *s).collect();
    check_skills_belong(tx, org, &ids, "skills").await?;
    write_skills(tx, id, skills).await
}

pub async fn replace_goals(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    id: PersonId,
    goals: &[SkillId],
    now: Timestamp,
) -> StoreResult<()> {
    touch(tx, org, id, now).await?;
    check_skills_belong(tx, org, goals, "goals").await?;
    write_goals(tx, id, goals).await
}
