//! People, their skills and learning goals, the directory and the CSV import.

use std::collections::HashMap;

use jiff::Timestamp;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool, Transaction};

use askaround_core::email::Email;
use askaround_core::ids::{OrgId, PersonId, SkillId};
use askaround_core::people_csv::{Columns, ImportRow};
use askaround_core::person::{
    LearningGoal, Person, PersonFields, PersonPatch, PersonSkill, Profile,
};
use askaround_core::skill::SkillLevel;
use askaround_store::{
    ImportOutcome, PeopleCursor, PeoplePage, PeopleQuery, StoreError, StoreResult,
};

use crate::codec::{
    PERSON_COLUMNS, corrupt, db_err, get, languages_text, millis, name_key, person_from_row, uuid,
};

fn email_taken(email: &Email) -> StoreError {
    StoreError::conflict(
        "email_taken",
        "email",
        format!("'{email}' is already used by another account"),
    )
}

pub async fn insert(
    tx: &mut Transaction<'_, Sqlite>,
    org: OrgId,
    f: &PersonFields,
    password_hash: Option<&str>,
    now: Timestamp,
) -> StoreResult<PersonId> {
    let id = PersonId::generate();
    let result = sqlx::query(
        "INSERT INTO people (id, org_id, email, name, name_key, title, team, location, timezone, working_hours, \
         languages, bio, weekly_budget, role, active, password_hash, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id.to_string())
    .bind(org.to_string())
    .bind(f.email.as_str())
    .bind(&f.name)
    .bind(name_key(&f.name))
    .bind(&f.title)
    .bind(&f.team)
    .bind(&f.location)
    .bind(f.timezone.as_str())
    .bind(f.working_hours.to_string())
    .bind(languages_text(&f.languages))
    .bind(&f.bio)
    .bind(i64::from(f.weekly_budget))
    .bind(f.role.as_str())
    .bind(f.active)
    .bind(password_hash)
    .bind(millis(now))
    .bind(millis(now))
    .execute(&mut **tx)
    .await;
    match result {
        Ok(_) => Ok(id),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(email_taken(&f.email)),
        Err(e) => Err(db_err(e)),
    }
}

pub async fn profile(
    conn: &mut SqliteConnection,
    org: OrgId,
    id: PersonId,
) -> StoreResult<Profile> {
    let sql = format!("SELECT {PERSON_COLUMNS} FROM people WHERE org_id = ? AND id = ?");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org.to_string())
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound)?;
    let person = person_from_row(&row)?;
    let mut profiles = attach_skills(conn, vec![person]).await?;
    profiles.pop().ok_or(StoreError::NotFound)
}

/// Loads skills and goals for a page of people in two queries.
async fn attach_skills(
    conn: &mut SqliteConnection,
    people: Vec<Person>,
) -> StoreResult<Vec<Profile>> {
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let mut skills: HashMap<String, Vec<PersonSkill>> = HashMap::new();
    let mut goals: HashMap<String, Vec<LearningGoal>> = HashMap::new();
    let mut q = QueryBuilder::<Sqlite>::new(
        "SELECT ps.person_id, ps.skill_id, s.name, ps.level FROM person_skills ps JOIN skills s ON s.id = ps.skill_id WHERE ps.person_id IN (",
    );
    push_ids(&mut q, &people);
    q.push(") ORDER BY CASE ps.level WHEN 'expert' THEN 0 WHEN 'intermediate' THEN 1 ELSE 2 END, s.name");
    for row in q.build().fetch_all(&mut *conn).await.map_err(db_err)? {
        let level: String = get(&row, "level")?;
        skills
            .entry(get(&row, "person_id")?)
            .or_default()
            .push(PersonSkill {
                skill_id: SkillId(uuid(&get::<String>(&row, "skill_id")?)?),
                name: get(&row, "name")?,
                level: level.parse().map_err(|e| corrupt("skill level", e))?,
            });
    }
    let mut q = QueryBuilder::<Sqlite>::new(
        "SELECT g.person_id, g.skill_id, s.name FROM learning_goals g JOIN skills s ON s.id = g.skill_id WHERE g.person_id IN (",
    );
    push_ids(&mut q, &people);
    q.push(") ORDER BY s.name");
    for row in q.build().fetch_all(&mut *conn).await.map_err(db_err)? {
        goals
            .entry(get(&row, "person_id")?)
            .or_default()
            .push(LearningGoal {
                skill_id: SkillId(uuid(&get::<String>(&row, "skill_id")?)?),
                name: get(&row, "name")?,
            });
    }
    Ok(people
        .into_iter()
        .map(|person| {
            let key = person.id.to_string();
            Profile {
                skills: skills.remove(&key).unwrap_or_default(),
                goals: goals.remove(&key).unwrap_or_default(),
                person,
            }
        })
        .collect())
}

fn push_ids(q: &mut QueryBuilder<Sqlite>, people: &[Person]) {
    let mut list = q.separated(", ");
    for p in people {
        list.push_bind(p.id.to_string());
    }
}

pub async fn update(
    tx: &mut Transaction<'_, Sqlite>,
    org: OrgId,
    id: PersonId,
    patch: &PersonPatch,
    now: Timestamp,
) -> StoreResult<()> {
    let mut q = QueryBuilder::<Sqlite>::new("UPDATE people SET updated_at = ");
    q.push_bind(millis(now));
    if let Some(v) = &patch.name {
        q.push(", name = ").push_bind(v.clone());
        q.push(", name_key = ").push_bind(name_key(v));
    }
    if let Some(v) = &patch.title {
        q.push(", title = ").push_bind(v.clone());
    }
    if let Some(v) = &patch.team {
        q.push(", team = ").push_bind(v.clone());
    }
    if let Some(v) = &patch.location {
        q.push(", location = ").push_bind(v.clone());
    }
    if let Some(v) = &patch.timezone {
        q.push(", timezone = ").push_bind(v.as_str().to_owned());
    }
    if let Some(v) = &patch.working_hours {
        q.push(", working_hours = ").push_bind(v.to_string());
    }
    if let Some(v) = &patch.languages {
        q.push(", languages = ").push_bind(languages_text(v));
    }
    if let Some(v) = &patch.bio {
        q.push(", bio = ").push_bind(v.clone());
    }
    if let Some(v) = patch.weekly_budget {
        q.push(", weekly_budget = ").push_bind(i64::from(v));
    }
    if let Some(v) = patch.role {
        q.push(", role = ").push_bind(v.as_str());
    }
    if let Some(v) = patch.active {
        q.push(", active = ").push_bind(v);
    }
    q.push(" WHERE org_id = ").push_bind(org.to_string());
    q.push(" AND id = ").push_bind(id.to_string());
    let done = q.build().execute(&mut **tx).await.map_err(db_err)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

async fn touch(
    tx: &mut Transaction<'_, Sqlite>,
    org: OrgId,
    id: PersonId,
    now: Timestamp,
) -> StoreResult<()> {
    let done = sqlx::query("UPDATE people SET updated_at = ? WHERE org_id = ? AND id = ?")
        .bind(millis(now))
        .bind(org.to_string())
        .bind(id.to_string())
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Refuses skill ids of another organisation (they would otherwise be linkable by id).
async fn check_skills_belong(
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
        return Err(StoreError::conflict(
            "unknown_skill",
            field,
            "names a skill that does not exist in this organisation",
        ));
    }
    Ok(())
}

async fn write_skills(
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

async fn write_goals(
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

pub async fn list(
    conn: &mut SqliteConnection,
    org: OrgId,
    query: &PeopleQuery,
) -> StoreResult<PeoplePage> {
    let limit = query.limit.clamp(1, 200);
    let mut q = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {PERSON_COLUMNS}, name_key FROM people WHERE org_id = "
    ));
    q.push_bind(org.to_string());
    if !query.include_inactive {
        q.push(" AND active = 1");
    }
    if let Some(text) = query
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
        q.push(" AND (name_key LIKE ")
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\'");
        for column in ["email", "lower(title)", "lower(team)", "lower(location)"] {
            q.push(format!(" OR {column} LIKE "))
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\'");
        }
        q.push(")");
    }
    if let Some(team) = &query.team {
        q.push(" AND team = ").push_bind(team.clone());
    }
    if !query.skill_ids.is_empty() {
        q.push(" AND id IN (SELECT person_id FROM person_skills WHERE skill_id IN (");
        let mut list = q.separated(", ");
        for id in &query.skill_ids {
            list.push_bind(id.to_string());
        }
        q.push("))");
    }
    if let Some(after) = &query.after {
        q.push(" AND (name_key > ")
            .push_bind(after.name_key.clone());
        q.push(" OR (name_key = ").push_bind(after.name_key.clone());
        q.push(" AND id > ")
            .push_bind(after.id.to_string())
            .push("))");
    }
    q.push(" ORDER BY name_key, id LIMIT ")
        .push_bind(i64::from(limit) + 1);
    let rows = q.build().fetch_all(&mut *conn).await.map_err(db_err)?;
    let has_more = rows.len() > limit as usize;
    let mut people = Vec::with_capacity(rows.len().min(limit as usize));
    let mut last_key = None;
    for row in rows.iter().take(limit as usize) {
        people.push(person_from_row(row)?);
        last_key = Some(get::<String>(row, "name_key")?);
    }
    let next = match (has_more, people.last(), last_key) {
        (true, Some(last), Some(name_key)) => Some(PeopleCursor {
            name_key,
            id: last.id,
        }),
        _ => None,
    };
    Ok(PeoplePage {
        items: attach_skills(conn, people).await?,
        next,
    })
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

pub async fn count(pool: &SqlitePool, org: OrgId) -> StoreResult<u64> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE org_id = ?")
        .bind(org.to_string())
        .fetch_one(pool)
        .await
        .map_err(db_err)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

pub async fn emails_in_other_orgs(
    pool: &SqlitePool,
    org: OrgId,
    emails: &[Email],
) -> StoreResult<Vec<Email>> {
    let mut taken = Vec::new();
    // Chunks keep each statement under SQLite's bound-parameter limit.
    for chunk in emails.chunks(500) {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT email FROM people WHERE org_id <> ");
        q.push_bind(org.to_string()).push(" AND email IN (");
        let mut list = q.separated(", ");
        for e in chunk {
            list.push_bind(e.as_str().to_owned());
        }
        q.push(")");
        let found: Vec<String> = q
            .build_query_scalar()
            .fetch_all(pool)
            .await
            .map_err(db_err)?;
        for email in found {
            taken.push(Email::parse(&email).map_err(|e| corrupt("email", e))?);
        }
    }
    Ok(taken)
}

pub async fn import(
    tx: &mut Transaction<'_, Sqlite>,
    org: OrgId,
    rows: &[ImportRow],
    columns: Columns,
    now: Timestamp,
) -> StoreResult<ImportOutcome> {
    let mut outcome = ImportOutcome::default();
    for row in rows {
        let existing: Option<(String, String)> =
            sqlx::query_as("SELECT id, org_id FROM people WHERE email = ?")
                .bind(row.fields.email.as_str())
                .fetch_optional(&mut **tx)
                .await
                .map_err(db_err)?;
        let id = match existing {
            None => {
                outcome.created += 1;
                insert(tx, org, &row.fields, None, now).await?
            }
            Some((_, other_org)) if other_org != org.to_string() => {
                return Err(email_taken(&row.fields.email));
            }
            Some((id, _)) => {
                outcome.updated += 1;
                let id = PersonId(uuid(&id)?);
                update(tx, org, id, &patch_for(&row.fields, columns), now).await?;
                id
            }
        };
        if columns.has("skills") {
            write_skills(tx, id, &row.skills).await?;
        }
        if columns.has("goals") {
            write_goals(tx, id, &row.goals).await?;
        }
    }
    Ok(outcome)
}

/// On re-import, only the columns the file has are written.
fn patch_for(f: &PersonFields, columns: Columns) -> PersonPatch {
    let has = |c: &str| columns.has(c);
    PersonPatch {
        name: has("name").then(|| f.name.clone()),
        title: has("title").then(|| f.title.clone()),
        team: has("team").then(|| f.team.clone()),
        location: has("location").then(|| f.location.clone()),
        timezone: has("timezone").then(|| f.timezone.clone()),
        working_hours: has("working_hours").then(|| f.working_hours.clone()),
        languages: has("languages").then(|| f.languages.clone()),
        bio: has("bio").then(|| f.bio.clone()),
        weekly_budget: has("weekly_budget").then_some(f.weekly_budget),
        role: has("role").then_some(f.role),
        active: has("active").then_some(f.active),
    }
}
