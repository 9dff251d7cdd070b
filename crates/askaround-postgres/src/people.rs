//! People: creating, reading, updating, and the directory.

use std::collections::HashMap;

use jiff::Timestamp;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder, Transaction};
use uuid::Uuid;

use askaround_core::email::Email;
use askaround_core::ids::{OrgId, PersonId, SkillId};
use askaround_core::person::{
    LearningGoal, Person, PersonFields, PersonPatch, PersonSkill, Profile,
};
use askaround_core::presence::{OutOfOffice, PresenceSetting};
use askaround_store::{
    NewInvitation, NewPerson, PeopleCursor, PeoplePage, PeopleQuery, StoreError, StoreResult,
};

use crate::codec::{
    PERSON_COLUMNS, corrupt, db_err, get, languages_text, millis, name_key, person_from_row,
};
use crate::{accounts, holdings};

pub fn email_taken(email: &Email) -> StoreError {
    StoreError::conflict(
        "email_taken",
        "email",
        format!("'{email}' is already used by another account"),
    )
}

/// Creates a person with their skills, goals and invitation (inside the caller's transaction).
pub async fn create(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    person: &NewPerson,
    now: Timestamp,
) -> StoreResult<PersonId> {
    let id = insert(
        tx,
        org,
        &person.fields,
        person.password_hash.as_deref(),
        now,
    )
    .await?;
    if !person.skills.is_empty() {
        holdings::replace_skills(tx, org, id, &person.skills, now).await?;
    }
    if !person.goals.is_empty() {
        holdings::replace_goals(tx, org, id, &person.goals, now).await?;
    }
    if let Some(invitation) = &person.invitation {
        accounts::create_invitation(
            tx,
            &NewInvitation {
                token_hash: invitation.token_hash.clone(),
                person_id: id,
                org_id: org,
                created_at: now,
                expires_at: invitation.expires_at,
            },
        )
        .await?;
    }
    Ok(id)
}

pub async fn insert(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    f: &PersonFields,
    password_hash: Option<&str>,
    now: Timestamp,
) -> StoreResult<PersonId> {
    let id = PersonId::generate();
    let result = sqlx::query(
        "INSERT INTO people (id, org_id, email, name, name_key, title, team, location, timezone, working_hours, \
         languages, bio, weekly_budget, role, active, password_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)",
    )
    .bind(id.0)
    .bind(org.0)
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
    .bind(i32::from(f.weekly_budget))
    .bind(f.role.as_str())
    .bind(f.active)
    .bind(password_hash)
    .bind(millis(now))
    .execute(&mut **tx)
    .await;
    match result {
        Ok(_) => Ok(id),
        // Returning at once: the failed statement has aborted the transaction, which the caller
        // drops (rolls back).
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(email_taken(&f.email)),
        Err(e) => Err(db_err(e)),
    }
}

pub async fn profile(conn: &mut PgConnection, org: OrgId, id: PersonId) -> StoreResult<Profile> {
    let sql = format!("SELECT {PERSON_COLUMNS} FROM people WHERE org_id = $1 AND id = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org.0)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound)?;
    let person = person_from_row(&row)?;
    let mut profiles = attach_skills(conn, vec![person]).await?;
    profiles.pop().ok_or(StoreError::NotFound)
}

/// Every person of an organisation with their skills and goals (the matcher's start-up load).
pub async fn all_profiles(conn: &mut PgConnection, org: OrgId) -> StoreResult<Vec<Profile>> {
    let sql = format!("SELECT {PERSON_COLUMNS} FROM people WHERE org_id = $1 ORDER BY id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org.0)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
    let people = rows
        .iter()
        .map(person_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    attach_skills(conn, people).await
}

/// Loads skills and goals for a list of people in two queries (one array parameter each).
async fn attach_skills(conn: &mut PgConnection, people: Vec<Person>) -> StoreResult<Vec<Profile>> {
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = people.iter().map(|p| p.id.0).collect();
    let mut skills: HashMap<Uuid, Vec<PersonSkill>> = HashMap::new();
    let mut goals: HashMap<Uuid, Vec<LearningGoal>> = HashMap::new();
    let rows = sqlx::query(
        "SELECT ps.person_id, ps.skill_id, s.name, ps.level FROM person_skills ps JOIN skills s ON s.id = ps.skill_id \
         WHERE ps.person_id = ANY($1) \
         ORDER BY CASE ps.level WHEN 'expert' THEN 0 WHEN 'intermediate' THEN 1 ELSE 2 END, s.name",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    for row in &rows {
        let level: String = get(row, "level")?;
        skills
            .entry(get(row, "person_id")?)
            .or_default()
            .push(PersonSkill {
                skill_id: SkillId(get(row, "skill_id")?),
                name: get(row, "name")?,
                level: level.parse().map_err(|e| corrupt("skill level", e))?,
            });
    }
    let rows = sqlx::query(
        "SELECT g.person_id, g.skill_id, s.name FROM learning_goals g JOIN skills s ON s.id = g.skill_id \
         WHERE g.person_id = ANY($1) ORDER BY s.name",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    for row in &rows {
        goals
            .entry(get(row, "person_id")?)
            .or_default()
            .push(LearningGoal {
                skill_id: SkillId(get(row, "skill_id")?),
                name: get(row, "name")?,
            });
    }
    Ok(people
        .into_iter()
        .map(|person| Profile {
            skills: skills.remove(&person.id.0).unwrap_or_default(),
            goals: goals.remove(&person.id.0).unwrap_or_default(),
            person,
        })
        .collect())
}

pub async fn update(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    id: PersonId,
    patch: &PersonPatch,
    now: Timestamp,
) -> StoreResult<()> {
    let mut q = QueryBuilder::<Postgres>::new("UPDATE people SET updated_at = ");
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
        q.push(", weekly_budget = ").push_bind(i32::from(v));
    }
    if let Some(v) = patch.role {
        q.push(", role = ").push_bind(v.as_str());
    }
    if let Some(v) = patch.active {
        q.push(", active = ").push_bind(v);
    }
    q.push(" WHERE org_id = ").push_bind(org.0);
    q.push(" AND id = ").push_bind(id.0);
    let done = q.build().execute(&mut **tx).await.map_err(db_err)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn touch(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    id: PersonId,
    now: Timestamp,
) -> StoreResult<()> {
    let done = sqlx::query("UPDATE people SET updated_at = $1 WHERE org_id = $2 AND id = $3")
        .bind(millis(now))
        .bind(org.0)
        .bind(id.0)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn list(
    conn: &mut PgConnection,
    org: OrgId,
    query: &PeopleQuery,
) -> StoreResult<PeoplePage> {
    let limit = query.limit.clamp(1, 200);
    let mut q = QueryBuilder::<Postgres>::new(format!(
        "SELECT {PERSON_COLUMNS}, name_key FROM people WHERE org_id = "
    ));
    q.push_bind(org.0);
    if !query.include_inactive {
        q.push(" AND active");
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
        let skills: Vec<Uuid> = query.skill_ids.iter().map(|s| s.0).collect();
        q.push(" AND id IN (SELECT person_id FROM person_skills WHERE skill_id = ANY(")
            .push_bind(skills)
            .push("))");
    }
    if let Some(after) = &query.after {
        q.push(" AND (name_key, id) > (")
            .push_bind(after.name_key.clone())
            .push(", ")
            .push_bind(after.id.0)
            .push(")");
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

pub async fn count(pool: &PgPool, org: OrgId) -> StoreResult<u64> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE org_id = $1")
        .bind(org.0)
        .fetch_one(pool)
        .await
        .map_err(db_err)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

pub async fn emails_in_other_orgs(
    pool: &PgPool,
    org: OrgId,
    emails: &[Email],
) -> StoreResult<Vec<Email>> {
    let emails: Vec<&str> = emails.iter().map(Email::as_str).collect();
    let found: Vec<String> =
        sqlx::query_scalar("SELECT email FROM people WHERE org_id <> $1 AND email = ANY($2)")
            .bind(org.0)
            .bind(&emails)
            .fetch_all(pool)
            .await
            .map_err(db_err)?;
    found
        .iter()
        .map(|email| Email::parse(email).map_err(|e| corrupt("email", e)))
        .collect()
}

pub async fn set_presence(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    id: PersonId,
    presence: PresenceSetting,
    now: Timestamp,
) -> StoreResult<()> {
    // Choosing a presence also ends an auto-snooze streak: the person is back.
    let done = sqlx::query(
        "UPDATE people SET presence = $1, ignored_in_a_row = 0, updated_at = $2 WHERE org_id = $3 AND id = $4",
    )
    .bind(presence.as_str())
    .bind(millis(now))
    .bind(org.0)
    .bind(id.0)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn set_out_of_office(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    id: PersonId,
    out_of_office: Option<OutOfOffice>,
    now: Timestamp,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE people SET ooo_from = $1, ooo_until = $2, updated_at = $3 WHERE org_id = $4 AND id = $5",
    )
    .bind(out_of_office.map(|o| millis(o.from)))
    .bind(out_of_office.map(|o| millis(o.until)))
    .bind(millis(now))
    .bind(org.0)
    .bind(id.0)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
