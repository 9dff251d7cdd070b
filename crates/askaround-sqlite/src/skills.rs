//! The skill taxonomy: skills, their names and aliases (as matching keys), parents, merges.

use std::collections::{HashMap, HashSet};

use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool, Transaction};

use askaround_core::ids::{OrgId, SkillId};
use askaround_core::skill::{Skill, matching_key};
use askaround_core::taxonomy::SeedSkill;
use askaround_store::{NewSkill, SkillPatch, StoreError, StoreResult};

use crate::codec::{db_err, get, uuid};
use crate::orgs::bump_taxonomy_version;

pub async fn seed(
    tx: &mut Transaction<'_, Sqlite>,
    org: OrgId,
    seed: &[SeedSkill],
) -> StoreResult<usize> {
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM skills WHERE org_id = ?")
        .bind(org.to_string())
        .fetch_one(&mut **tx)
        .await
        .map_err(db_err)?;
    if existing > 0 {
        return Ok(0);
    }
    let mut ids: HashMap<&str, String> = HashMap::with_capacity(seed.len());
    let mut skills: Vec<(String, &str, Option<String>, i64)> = Vec::with_capacity(seed.len());
    // (key, skill id, alias): the first skill to claim a key keeps it. The seed is checked for
    // clashes when it is built, so this only guards a hand-edited seed.
    let mut keys: Vec<(String, String, Option<&str>)> = Vec::with_capacity(seed.len() * 2);
    let mut claimed: HashSet<String> = HashSet::with_capacity(seed.len() * 2);
    for skill in seed {
        let id = SkillId::generate().to_string();
        let parent = skill.parent.as_deref().and_then(|p| ids.get(p)).cloned();
        ids.insert(&skill.name, id.clone());
        for (text, alias) in std::iter::once((&skill.name, None))
            .chain(skill.aliases.iter().map(|a| (a, Some(a.as_str()))))
        {
            let key = matching_key(text);
            if claimed.insert(key.clone()) {
                keys.push((key, id.clone(), alias));
            }
        }
        skills.push((id, &skill.name, parent, i64::from(skill.popularity)));
    }
    // Multi-row inserts: one statement per few hundred rows instead of one per row.
    for chunk in skills.chunks(400) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO skills (id, org_id, name, parent_id, popularity) ",
        );
        q.push_values(chunk, |mut row, (id, name, parent, popularity)| {
            row.push_bind(id.clone())
                .push_bind(org.to_string())
                .push_bind(name.to_string())
                .push_bind(parent.clone())
                .push_bind(*popularity);
        });
        q.build().execute(&mut **tx).await.map_err(db_err)?;
    }
    for chunk in keys.chunks(500) {
        let mut q =
            QueryBuilder::<Sqlite>::new("INSERT INTO skill_keys (org_id, key, skill_id, alias) ");
        q.push_values(chunk, |mut row, (key, id, alias)| {
            row.push_bind(org.to_string())
                .push_bind(key.clone())
                .push_bind(id.clone())
                .push_bind(alias.map(str::to_owned));
        });
        q.build().execute(&mut **tx).await.map_err(db_err)?;
    }
    bump_taxonomy_version(tx, org).await?;
    Ok(seed.len())
}

async fn insert_key(
    tx: &mut Transaction<'_, Sqlite>,
    org: OrgId,
    skill: SkillId,
    text: &str,
    alias: Option<&str>,
) -> StoreResult<()> {
    let key = matching_key(text);
    let result =
        sqlx::query("INSERT INTO skill_keys (org_id, key, skill_id, alias) VALUES (?, ?, ?, ?)")
            .bind(org.to_string())
            .bind(&key)
            .bind(skill.to_string())
            .bind(alias)
            .execute(&mut **tx)
            .await;
    match result {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            let owner: Option<String> = sqlx::query_scalar(
                "SELECT s.name FROM skill_keys k JOIN skills s ON s.id = k.skill_id WHERE k.org_id = ? AND k.key = ?",
            )
            .bind(org.to_string())
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
        Err(e) => Err(db_err(e)),
    }
}

pub async fn all(pool: &SqlitePool, org: OrgId) -> StoreResult<Vec<Skill>> {
    let rows = sqlx::query("SELECT id, name, parent_id, popularity FROM skills WHERE org_id = ?")
        .bind(org.to_string())
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    let alias_rows = sqlx::query(
        "SELECT skill_id, alias FROM skill_keys WHERE org_id = ? AND alias IS NOT NULL ORDER BY alias",
    )
    .bind(org.to_string())
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    let mut aliases: HashMap<String, Vec<String>> = HashMap::new();
    for row in &alias_rows {
        aliases
            .entry(get(row, "skill_id")?)
            .or_default()
            .push(get(row, "alias")?);
    }
    rows.iter()
        .map(|row| {
            let id: String = get(row, "id")?;
            skill_from(row, aliases.remove(&id).unwrap_or_default())
        })
        .collect()
}

fn skill_from(row: &sqlx::sqlite::SqliteRow, aliases: Vec<String>) -> StoreResult<Skill> {
    let parent: Option<String> = get(row, "parent_id")?;
    let popularity: i64 = get(row, "popularity")?;
    Ok(Skill {
        id: SkillId(uuid(&get::<String>(row, "id")?)?),
        name: get(row, "name")?,
        parent_id: parent.as_deref().map(uuid).transpose()?.map(SkillId),
        aliases,
        popularity: u32::try_from(popularity).unwrap_or(u32::MAX),
    })
}

pub async fn one(conn: &mut SqliteConnection, org: OrgId, id: SkillId) -> StoreResult<Skill> {
    let row = sqlx::query(
        "SELECT id, name, parent_id, popularity FROM skills WHERE org_id = ? AND id = ?",
    )
    .bind(org.to_string())
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .ok_or(StoreError::NotFound)?;
    let aliases: Vec<String> = sqlx::query_scalar(
        "SELECT alias FROM skill_keys WHERE skill_id = ? AND alias IS NOT NULL ORDER BY alias",
    )
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    skill_from(&row, aliases)
}

async fn check_parent(
    tx: &mut Transaction<'_, Sqlite>,
    org: OrgId,
    id: Option<SkillId>,
    parent: SkillId,
) -> StoreResult<()> {
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM skills WHERE org_id = ? AND id = ?")
            .bind(org.to_string())
            .bind(parent.to_string())
            .fetch_optional(&mut **tx)
            .await
            .map_err(db_err)?;
    if exists.is_none() {
        return Err(StoreError::invalid(
            "unknown_parent",
            "parent_id",
            "no such skill in this organisation",
        ));
    }
    if let Some(id) = id {
        // Walking up from the new parent must never reach the skill itself.
        let cycle: Option<i64> = sqlx::query_scalar(
            "WITH RECURSIVE up(id) AS (SELECT ? UNION SELECT s.parent_id FROM skills s JOIN up ON s.id = up.id WHERE s.parent_id IS NOT NULL) \
             SELECT 1 FROM up WHERE id = ?",
        )
        .bind(parent.to_string())
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?;
        if cycle.is_some() {
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
    tx: &mut Transaction<'_, Sqlite>,
    org: OrgId,
    new: &NewSkill,
) -> StoreResult<SkillId> {
    if let Some(parent) = new.parent_id {
        check_parent(tx, org, None, parent).await?;
    }
    let id = SkillId::generate();
    sqlx::query(
        "INSERT INTO skills (id, org_id, name, parent_id, popularity) VALUES (?, ?, ?, ?, 0)",
    )
    .bind(id.to_string())
    .bind(org.to_string())
    .bind(&new.name)
    .bind(new.parent_id.map(|p| p.to_string()))
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
    tx: &mut Transaction<'_, Sqlite>,
    org: OrgId,
    id: SkillId,
    patch: &SkillPatch,
) -> StoreResult<()> {
    let current = one(tx, org, id).await?;
    if let Some(parent) = patch.parent_id {
        if let Some(parent) = parent {
            check_parent(tx, org, Some(id), parent).await?;
        }
        sqlx::query("UPDATE skills SET parent_id = ? WHERE id = ?")
            .bind(parent.map(|p| p.to_string()))
            .bind(id.to_string())
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    for alias in &patch.remove_aliases {
        sqlx::query("DELETE FROM skill_keys WHERE org_id = ? AND key = ? AND skill_id = ? AND alias IS NOT NULL")
            .bind(org.to_string())
            .bind(matching_key(alias))
            .bind(id.to_string())
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    if let Some(name) = &patch.name {
        let (old_key, new_key) = (matching_key(&current.name), matching_key(name));
        // The old name stays as an alias, so what people typed before still resolves.
        sqlx::query(
            "UPDATE skill_keys SET alias = ? WHERE org_id = ? AND key = ? AND skill_id = ?",
        )
        .bind(&current.name)
        .bind(org.to_string())
        .bind(&old_key)
        .bind(id.to_string())
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
        let owns_new_key: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM skill_keys WHERE org_id = ? AND key = ? AND skill_id = ?",
        )
        .bind(org.to_string())
        .bind(&new_key)
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?;
        if owns_new_key.is_some() {
            // A new spelling of the same key, or an alias promoted to the name.
            sqlx::query("UPDATE skill_keys SET alias = NULL WHERE org_id = ? AND key = ?")
                .bind(org.to_string())
                .bind(&new_key)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
        } else {
            insert_key(tx, org, id, name, None).await?;
        }
        sqlx::query("UPDATE skills SET name = ? WHERE id = ?")
            .bind(name)
            .bind(id.to_string())
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
    tx: &mut Transaction<'_, Sqlite>,
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
    let source = one(tx, org, from).await?;
    one(tx, org, into).await?;
    let (f, i) = (from.to_string(), into.to_string());
    // Folding a skill into one of its own descendants: the descendant first takes the merged
    // skill's place in the tree, so moving the children below cannot close a cycle.
    let into_is_below: Option<i64> = sqlx::query_scalar(
        "WITH RECURSIVE up(id) AS (SELECT parent_id FROM skills WHERE id = ?1 \
         UNION SELECT s.parent_id FROM skills s JOIN up ON s.id = up.id WHERE s.parent_id IS NOT NULL) \
         SELECT 1 FROM up WHERE id = ?2",
    )
    .bind(&i)
    .bind(&f)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db_err)?;
    if into_is_below.is_some() {
        sqlx::query("UPDATE skills SET parent_id = ?2 WHERE id = ?1")
            .bind(&i)
            .bind(source.parent_id.map(|p| p.to_string()))
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    let statements: [&'static str; 4] = [
        // Holders keep the higher of their two levels.
        "INSERT INTO person_skills (person_id, skill_id, level) \
         SELECT person_id, ?2, level FROM person_skills WHERE skill_id = ?1 \
         ON CONFLICT (person_id, skill_id) DO UPDATE SET level = CASE \
           WHEN excluded.level = 'expert' OR person_skills.level = 'expert' THEN 'expert' \
           WHEN excluded.level = 'intermediate' OR person_skills.level = 'intermediate' THEN 'intermediate' \
           ELSE 'beginner' END",
        "INSERT OR IGNORE INTO learning_goals (person_id, skill_id) SELECT person_id, ?2 FROM learning_goals WHERE skill_id = ?1",
        // Children of `from` move under `into` (but `into` never under itself).
        "UPDATE skills SET parent_id = ?2 WHERE parent_id = ?1 AND id <> ?2",
        // The merged skill's name becomes an alias of `into`; its aliases follow.
        "UPDATE skill_keys SET skill_id = ?2, alias = COALESCE(alias, (SELECT name FROM skills WHERE id = ?1)) WHERE skill_id = ?1",
    ];
    for sql in statements {
        sqlx::query(sql)
            .bind(&f)
            .bind(&i)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    // Its holders and learners were copied above; the cascade removes the old rows.
    sqlx::query("DELETE FROM skills WHERE id = ?")
        .bind(&f)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    sqlx::query("UPDATE skills SET popularity = popularity + ? WHERE id = ?")
        .bind(i64::from(source.popularity))
        .bind(&i)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    bump_taxonomy_version(tx, org).await
}
