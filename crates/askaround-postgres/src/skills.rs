//! The skill taxonomy: skills, their names and aliases (as matching keys), parents, merges.
//!
//! Every change takes the organisation's taxonomy turn first (see [`crate::locks`]): the checks
//! below (a name or alias is free, a new parent closes no cycle) read before they write, and two
//! concurrent edits must not both pass them.

use std::collections::{HashMap, HashSet};

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use uuid::Uuid;

use askaround_core::ids::{OrgId, SkillId};
use askaround_core::skill::{Skill, matching_key};
use askaround_core::taxonomy::SeedSkill;
use askaround_store::{NewSkill, SkillPatch, StoreError, StoreResult};

use crate::codec::{db_err, get};
use crate::locks::{self, Turn};
use crate::orgs::bump_taxonomy_version;

pub async fn seed(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    seed: &[SeedSkill],
) -> StoreResult<usize> {
    locks::take(tx, Turn::Taxonomy(org)).await?;
    let existing: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM skills WHERE org_id = $1)")
            .bind(org.0)
            .fetch_one(&mut **tx)
            .await
            .map_err(db_err)?;
    if existing {
        return Ok(0);
    }
    let mut ids: HashMap<&str, Uuid> = HashMap::with_capacity(seed.len());
    let mut skill_ids = Vec::with_capacity(seed.len());
    let mut names = Vec::with_capacity(seed.len());
    let mut parents = Vec::with_capacity(seed.len());
    let mut popularity = Vec::with_capacity(seed.len());
    // The first skill to claim a key keeps it. The seed is checked for clashes when it is built,
    // so this only guards a hand-edited seed.
    let mut keys = Vec::with_capacity(seed.len() * 2);
    let mut key_skills = Vec::with_capacity(seed.len() * 2);
    let mut key_aliases: Vec<Option<&str>> = Vec::with_capacity(seed.len() * 2);
    let mut claimed: HashSet<String> = HashSet::with_capacity(seed.len() * 2);
    for skill in seed {
        let id = SkillId::generate().0;
        parents.push(skill.parent.as_deref().and_then(|p| ids.get(p)).copied());
        ids.insert(&skill.name, id);
        for (text, alias) in std::iter::once((&skill.name, None))
            .chain(skill.aliases.iter().map(|a| (a, Some(a.as_str()))))
        {
            let key = matching_key(text);
            if claimed.insert(key.clone()) {
                keys.push(key);
                key_skills.push(id);
                key_aliases.push(alias);
            }
        }
        skill_ids.push(id);
        names.push(skill.name.as_str());
        popularity.push(i32::try_from(skill.popularity).unwrap_or(i32::MAX));
    }
    // One statement per table, whatever the size of the seed: arrays instead of a row per value.
    sqlx::query(
        "INSERT INTO skills (id, org_id, name, parent_id, popularity) \
         SELECT id, $2, name, parent_id, popularity \
         FROM UNNEST($1::uuid[], $3::text[], $4::uuid[], $5::int[]) AS s(id, name, parent_id, popularity)",
    )
    .bind(&skill_ids)
    .bind(org.0)
    .bind(&names)
    .bind(&parents)
    .bind(&popularity)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    sqlx::query(
        "INSERT INTO skill_keys (org_id, key, skill_id, alias) \
         SELECT $1, key, skill_id, alias FROM UNNEST($2::text[], $3::uuid[], $4::text[]) AS k(key, skill_id, alias)",
    )
    .bind(org.0)
    .bind(&keys)
    .bind(&key_skills)
    .bind(&key_aliases)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    bump_taxonomy_version(tx, org).await?;
    Ok(seed.len())
}

async fn insert_key(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    skill: SkillId,
    text: &str,
    alias: Option<&str>,
) -> StoreResult<()> {
    let key = matching_key(text);
    // ON CONFLICT instead of catching the error: a failed statement would abort the whole
    // PostgreSQL transaction, and the owner's name is still to be read.
    let inserted = sqlx::query(
        "INSERT INTO skill_keys (org_id, key, skill_id, alias) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (org_id, key) DO NOTHING",
    )
    .bind(org.0)
    .bind(&key)
    .bind(skill.0)
    .bind(alias)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?
    .rows_affected()
        > 0;
    if inserted {
        return Ok(());
    }
    let owner: Option<String> = sqlx::query_scalar(
        "SELECT s.name FROM skill_keys k JOIN skills s ON s.id = k.skill_id WHERE k.org_id = $1 AND k.key = $2",
    )
    .bind(org.0)
    .bind(&key)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db_err)?;
    let field = if alias.is_some() { "aliases" } else { "name" };
    Err(StoreError::conflict(
        "skill_exists",
        field,
        format!(
            "'{text}' already names the skill '{}'",
            owner.unwrap_or_default()
        ),
    ))
}

pub async fn all(pool: &PgPool, org: OrgId) -> StoreResult<Vec<Skill>> {
    let rows = sqlx::query("SELECT id, name, parent_id, popularity FROM skills WHERE org_id = $1")
        .bind(org.0)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    let alias_rows = sqlx::query(
        "SELECT skill_id, alias FROM skill_keys WHERE org_id = $1 AND alias IS NOT NULL ORDER BY alias",
    )
    .bind(org.0)
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    let mut aliases: HashMap<Uuid, Vec<String>> = HashMap::new();
    for row in &alias_rows {
        aliases
            .entry(get(row, "skill_id")?)
            .or_default()
            .push(get(row, "alias")?);
    }
    rows.iter()
        .map(|row| {
            let id: Uuid = get(row, "id")?;
            skill_from(row, aliases.remove(&id).unwrap_or_default())
        })
        .collect()
}

fn skill_from(row: &PgRow, aliases: Vec<String>) -> StoreResult<Skill> {
    let parent: Option<Uuid> = get(row, "parent_id")?;
    let popularity: i32 = get(row, "popularity")?;
    Ok(Skill {
        id: SkillId(get(row, "id")?),
        name: get(row, "name")?,
        parent_id: parent.map(SkillId),
        aliases,
        popularity: u32::try_from(popularity).unwrap_or(0),
    })
}

pub async fn one(conn: &mut PgConnection, org: OrgId, id: SkillId) -> StoreResult<Skill> {
    let row = sqlx::query(
        "SELECT id, name, parent_id, popularity FROM skills WHERE org_id = $1 AND id = $2",
    )
    .bind(org.0)
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .ok_or(StoreError::NotFound)?;
    let aliases: Vec<String> = sqlx::query_scalar(
        "SELECT alias FROM skill_keys WHERE skill_id = $1 AND alias IS NOT NULL ORDER BY alias",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    skill_from(&row, aliases)
}

async fn check_parent(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    id: Option<SkillId>,
    parent: SkillId,
) -> StoreResult<()> {
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM skills WHERE org_id = $1 AND id = $2)")
            .bind(org.0)
            .bind(parent.0)
            .fetch_one(&mut **tx)
            .await
            .map_err(db_err)?;
    if !exists {
        return Err(StoreError::invalid(
            "unknown_parent",
            "parent_id",
            "no such skill in this organisation",
        ));
    }
    if let Some(id) = id {
        // Walking up from the new parent must never reach the skill itself.
        let cycle: bool = sqlx::query_scalar(
            "WITH RECURSIVE up(id) AS (SELECT $1::uuid UNION SELECT s.parent_id FROM skills s JOIN up ON s.id = up.id WHERE s.parent_id IS NOT NULL) \
             SELECT EXISTS (SELECT 1 FROM up WHERE id = $2)",
        )
        .bind(parent.0)
        .bind(id.0)
        .fetch_one(&mut **tx)
        .await
        .map_err(db_err)?;
        if cycle {
            return Err(StoreError::invalid(
                "parent_cycle",
                "parent_id",
                "a skill cannot sit under itself or one of its own sub-skills",
            ));
        }
    }
    Ok(())
}

pub async fn create(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    new: &NewSkill,
) -> StoreResult<SkillId> {
    locks::take(tx, Turn::Taxonomy(org)).await?;
    if let Some(parent) = new.parent_id {
        check_parent(tx, org, None, parent).await?;
    }
    let id = SkillId::generate();
    sqlx::query(
        "INSERT INTO skills (id, org_id, name, parent_id, popularity) VALUES ($1, $2, $3, $4, 0)",
    )
    .bind(id.0)
    .bind(org.0)
    .bind(&new.name)
    .bind(new.parent_id.map(|p| p.0))
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    insert_key(tx, org, id, &new.name, None).await?;
    for alias in &new.aliases {
        insert_key(tx, org, id, alias, Some(alias)).await?;
    }
    bump_taxonomy_version(tx, org).await?;
    Ok(id)
}

pub async fn update(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    id: SkillId,
    patch: &SkillPatch,
) -> StoreResult<()> {
    locks::take(tx, Turn::Taxonomy(org)).await?;
    let current = one(tx, org, id).await?;
    if let Some(parent) = patch.parent_id {
        if let Some(parent) = parent {
            check_parent(tx, org, Some(id), parent).await?;
        }
        sqlx::query("UPDATE skills SET parent_id = $1 WHERE id = $2")
            .bind(parent.map(|p| p.0))
            .bind(id.0)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    for alias in &patch.remove_aliases {
        sqlx::query(
            "DELETE FROM skill_keys WHERE org_id = $1 AND key = $2 AND skill_id = $3 AND alias IS NOT NULL",
        )
        .bind(org.0)
        .bind(matching_key(alias))
        .bind(id.0)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    if let Some(name) = &patch.name {
        let (old_key, new_key) = (matching_key(&current.name), matching_key(name));
        // The old name stays as an alias, so what people typed before still resolves.
        sqlx::query(
            "UPDATE skill_keys SET alias = $1 WHERE org_id = $2 AND key = $3 AND skill_id = $4",
        )
        .bind(&current.name)
        .bind(org.0)
        .bind(&old_key)
        .bind(id.0)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
        let owns_new_key: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM skill_keys WHERE org_id = $1 AND key = $2 AND skill_id = $3)",
        )
        .bind(org.0)
        .bind(&new_key)
        .bind(id.0)
        .fetch_one(&mut **tx)
        .await
        .map_err(db_err)?;
        if owns_new_key {
            // A new spelling of the same key, or an alias promoted to the name.
            sqlx::query("UPDATE skill_keys SET alias = NULL WHERE org_id = $1 AND key = $2")
                .bind(org.0)
                .bind(&new_key)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
        } else {
            insert_key(tx, org, id, name, None).await?;
        }
        sqlx::query("UPDATE skills SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(id.0)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    for alias in &patch.add_aliases {
        insert_key(tx, org, id, alias, Some(alias)).await?;
    }
    bump_taxonomy_version(tx, org).await
}

pub async fn merge(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    from: SkillId,
    into: SkillId,
) -> StoreResult<()> {
    if from == into {
        return Err(StoreError::invalid(
            "same_skill",
            "into",
            "a skill cannot be merged into itself",
        ));
    }
    locks::take(tx, Turn::Taxonomy(org)).await?;
    let source = one(tx, org, from).await?;
    one(tx, org, into).await?;
    // Folding a skill into one of its own descendants: the descendant first takes the merged
    // skill's place in the tree, so moving the children below cannot close a cycle.
    let into_is_below: bool = sqlx::query_scalar(
        "WITH RECURSIVE up(id) AS (SELECT parent_id FROM skills WHERE id = $1 \
         UNION SELECT s.parent_id FROM skills s JOIN up ON s.id = up.id WHERE s.parent_id IS NOT NULL) \
         SELECT EXISTS (SELECT 1 FROM up WHERE id = $2)",
    )
    .bind(into.0)
    .bind(from.0)
    .fetch_one(&mut **tx)
    .await
    .map_err(db_err)?;
    if into_is_below {
        sqlx::query("UPDATE skills SET parent_id = $2 WHERE id = $1")
            .bind(into.0)
            .bind(source.parent_id.map(|p| p.0))
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    let statements: [&'static str; 4] = [
        // Holders keep the higher of their two levels.
        "INSERT INTO person_skills (person_id, skill_id, level) \
         SELECT person_id, $2, level FROM person_skills WHERE skill_id = $1 \
         ON CONFLICT (person_id, skill_id) DO UPDATE SET level = CASE \
           WHEN excluded.level = 'expert' OR person_skills.level = 'expert' THEN 'expert' \
           WHEN excluded.level = 'intermediate' OR person_skills.level = 'intermediate' THEN 'intermediate' \
           ELSE 'beginner' END",
        "INSERT INTO learning_goals (person_id, skill_id) SELECT person_id, $2 FROM learning_goals WHERE skill_id = $1 \
         ON CONFLICT DO NOTHING",
        // Children of `from` move under `into` (but `into` never under itself).
        "UPDATE skills SET parent_id = $2 WHERE parent_id = $1 AND id <> $2",
        // The merged skill's name becomes an alias of `into`; its aliases follow.
        "UPDATE skill_keys SET skill_id = $2, alias = COALESCE(alias, (SELECT name FROM skills WHERE id = $1)) WHERE skill_id = $1",
    ];
    for sql in statements {
        sqlx::query(sql)
            .bind(from.0)
            .bind(into.0)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    // Its holders and learners were copied above; the cascade removes the old rows.
    sqlx::query("DELETE FROM skills WHERE id = $1")
        .bind(from.0)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    sqlx::query("UPDATE skills SET popularity = popularity + $1 WHERE id = $2")
        .bind(i32::try_from(source.popularity).unwrap_or(i32::MAX))
        .bind(into.0)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    bump_taxonomy_version(tx, org).await
}
