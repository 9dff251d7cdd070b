//! What people can help with (skills at a level) and what they are learning (goals).

use jiff::Timestamp;
use sqlx::{QueryBuilder, Sqlite, Transaction};

use askaround_core::ids::{OrgId, PersonId, SkillId};
use askaround_core::skill::SkillLevel;
use askaround_store::{StoreError, StoreResult};

use crate::codec::db_err;
use crate::people::touch;

/// Refuses skill ids of another organisation (they would otherwise be linkable by id).
pub async fn check_skills_belong(
    tx: &mut Transaction<'_, Sqlite>,
    org: OrgId,
    ids: &[SkillId],
    field: &str,
) -> StoreResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut q =
        QueryBuilder::<Sqlite>::new("SELECT COUNT(DISTINCT id) FROM skills WHERE org_id = ");
    q.push_bind(org.to_string()).push(" AND id IN (");
    let mut list = q.separated(", ");
    for id in ids {
        list.push_bind(id.to_string());
    }
    q.push(")");
    let found: i64 = q
        .build_query_scalar()
        .fetch_one(&mut **tx)
        .await
        .map_err(db_err)?;
    let mut distinct = ids.to_vec();
    distinct.sort();
    distinct.dedup();
    if usize::try_from(found).ok() != Some(distinct.len()) {
        return Err(StoreError::invalid(
            "unknown_skill",
            field,
            "names a skill that does not exist in this organisation",
        ));
    }
    Ok(())
}

pub async fn write_skills(
    tx: &mut Transaction<'_, Sqlite>,
    id: PersonId,
    skills: &[(SkillId, SkillLevel)],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM person_skills WHERE person_id = ?")
        .bind(id.to_string())
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    for (skill, level) in skills {
        sqlx::query(
            "INSERT INTO person_skills (person_id, skill_id, level) VALUES (?, ?, ?) \
             ON CONFLICT (person_id, skill_id) DO UPDATE SET level = excluded.level",
        )
        .bind(id.to_string())
        .bind(skill.to_string())
        .bind(level.as_str())
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

pub async fn write_goals(
    tx: &mut Transaction<'_, Sqlite>,
    id: PersonId,
    goals: &[SkillId],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM learning_goals WHERE person_id = ?")
        .bind(id.to_string())
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    for skill in goals {
        sqlx::query("INSERT OR IGNORE INTO learning_goals (person_id, skill_id) VALUES (?, ?)")
            .bind(id.to_string())
            .bind(skill.to_string())
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}

pub async fn replace_skills(
    tx: &mut Transaction<'_, Sqlite>,
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
    tx: &mut Transaction<'_, Sqlite>,
    org: OrgId,
    id: PersonId,
    goals: &[SkillId],
    now: Timestamp,
) -> StoreResult<()> {
    touch(tx, org, id, now).await?;
    check_skills_belong(tx, org, goals, "goals").await?;
    write_goals(tx, id, goals).await
}
