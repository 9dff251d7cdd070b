//! The CSV import as one transaction: all rows or none. Existing people are found with a few
//! queries and new ones inserted many rows per statement, so 50,000 rows hold the write lock for
//! a moment, not minutes.

use std::collections::HashMap;

use jiff::Timestamp;
use sqlx::{QueryBuilder, Sqlite, Transaction};

use askaround_core::ids::{OrgId, PersonId, SkillId};
use askaround_core::people_csv::{Columns, ImportRow};
use askaround_core::person::PersonPatch;
use askaround_store::{ImportOutcome, StoreError, StoreResult};

use crate::codec::{db_err, get, languages_text, millis, name_key, uuid};
use crate::holdings::check_skills_belong;
use crate::orgs::bump_taxonomy_version;
use crate::people::{email_taken, update};

/// Rows per multi-row INSERT: 18 columns × 50 stays far below SQLite's parameter limit.
const INSERT_CHUNK: usize = 50;
/// Values per `IN (...)` list.
const LOOKUP_CHUNK: usize = 500;

pub async fn import(
    tx: &mut Transaction<'_, Sqlite>,
    org: OrgId,
    rows: &[ImportRow],
    columns: Columns,
    now: Timestamp,
) -> StoreResult<ImportOutcome> {
    let admins_before = active_admins(tx, org).await?;
    let mut skill_ids: Vec<SkillId> = rows
        .iter()
        .flat_map(|r| {
            r.skills
                .iter()
                .map(|(s, _)| *s)
                .chain(r.goals.iter().copied())
        })
        .collect();
    skill_ids.sort();
    skill_ids.dedup();
    for chunk in skill_ids.chunks(LOOKUP_CHUNK) {
        check_skills_belong(tx, org, chunk, "skills").await?;
    }

    let existing = existing_people(tx, rows).await?;
    let mut outcome = ImportOutcome::default();
    let mut ids: Vec<PersonId> = Vec::with_capacity(rows.len());
    let mut new_rows: Vec<(PersonId, &ImportRow)> = Vec::new();
    for row in rows {
        match existing.get(row.fields.email.as_str()) {
            None => {
                let id = PersonId::generate();
                new_rows.push((id, row));
                ids.push(id);
                outcome.created += 1;
            }
            Some((_, other)) if *other != org => return Err(email_taken(&row.fields.email)),
            Some((id, _)) => {
                update(tx, org, *id, &patch_for(row, columns), now).await?;
                ids.push(*id);
                outcome.updated += 1;
            }
        }
    }
    for chunk in new_rows.chunks(INSERT_CHUNK) {
        insert_many(tx, org, chunk, now).await?;
    }
    if columns.has("skills") {
        replace_skills(tx, &ids, rows).await?;
    }
    if columns.has("goals") {
        replace_goals(tx, &ids, rows).await?;
    }
    if admins_before > 0 && active_admins(tx, org).await? == 0 {
        return Err(StoreError::invalid(
            "no_admin_left",
            "role",
            "this import would leave the organisation without an active admin",
        ));
    }
    // The version tells a running node's matcher to rebuild its index, even when the import
    // came from another process.
    bump_taxonomy_version(tx, org).await?;
    Ok(outcome)
}

/// On re-import, only the columns the file has are written, and blank role or active cells
/// leave those as they are.
fn patch_for(row: &ImportRow, columns: Columns) -> PersonPatch {
    let f = &row.fields;
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
        role: (has("role") && row.role_given).then_some(f.role),
        active: (has("active") && row.active_given).then_some(f.active),
    }
}

async fn active_admins(tx: &mut Transaction<'_, Sqlite>, org: OrgId) -> StoreResult<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM people WHERE org_id = ? AND role = 'admin' AND active = 1",
    )
    .bind(org.to_string())
    .fetch_one(&mut **tx)
    .await
    .map_err(db_err)
}

/// Email → (person, organisation) for the rows' addresses that already have an account.
async fn existing_people(
    tx: &mut Transaction<'_, Sqlite>,
    rows: &[ImportRow],
) -> StoreResult<HashMap<String, (PersonId, OrgId)>> {
    let mut found = HashMap::new();
    for chunk in rows.chunks(LOOKUP_CHUNK) {
        let mut q =
            QueryBuilder::<Sqlite>::new("SELECT email, id, org_id FROM people WHERE email IN (");
        let mut list = q.separated(", ");
        for row in chunk {
            list.push_bind(row.fields.email.as_str().to_owned());
        }
        q.push(")");
        for r in q.build().fetch_all(&mut **tx).await.map_err(db_err)? {
            let email: String = get(&r, "email")?;
            let id = PersonId(uuid(&get::<String>(&r, "id")?)?);
            let org = OrgId(uuid(&get::<String>(&r, "org_id")?)?);
            found.insert(email, (id, org));
        }
    }
    Ok(found)
}

async fn insert_many(
    tx: &mut Transaction<'_, Sqlite>,
    org: OrgId,
    rows: &[(PersonId, &ImportRow)],
    now: Timestamp,
) -> StoreResult<()> {
    let mut q = QueryBuilder::<Sqlite>::new(
        "INSERT INTO people (id, org_id, email, name, name_key, title, team, location, timezone, working_hours, \
         languages, bio, weekly_budget, role, active, password_hash, created_at, updated_at) ",
    );
    q.push_values(rows, |mut b, (id, row)| {
        let f = &row.fields;
        b.push_bind(id.to_string())
            .push_bind(org.to_string())
            .push_bind(f.email.as_str().to_owned())
            .push_bind(f.name.clone())
            .push_bind(name_key(&f.name))
            .push_bind(f.title.clone())
            .push_bind(f.team.clone())
            .push_bind(f.location.clone())
            .push_bind(f.timezone.as_str().to_owned())
            .push_bind(f.working_hours.to_string())
            .push_bind(languages_text(&f.languages))
            .push_bind(f.bio.clone())
            .push_bind(i64::from(f.weekly_budget))
            .push_bind(f.role.as_str())
            .push_bind(f.active)
            .push_bind(None::<String>)
            .push_bind(millis(now))
            .push_bind(millis(now));
    });
    match q.build().execute(&mut **tx).await {
        Ok(_) => Ok(()),
        // Two rows of one file cannot share an address (the parser refuses that), so a clash
        // here is a concurrent write; report it the same way.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::conflict(
            "email_taken",
            "email",
            "an address in the file was taken while importing; try again",
        )),
        Err(e) => Err(db_err(e)),
    }
}

/// Deletes every skill (or goal) row of these people, chunk by chunk.
async fn clear(
    tx: &mut Transaction<'_, Sqlite>,
    table: &'static str,
    ids: &[PersonId],
) -> StoreResult<()> {
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        let mut q =
            QueryBuilder::<Sqlite>::new(format!("DELETE FROM {table} WHERE person_id IN ("));
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(id.to_string());
        }
        q.push(")");
        q.build().execute(&mut **tx).await.map_err(db_err)?;
    }
    Ok(())
}

/// Replaces the skills of every imported person with the file's.
async fn replace_skills(
    tx: &mut Transaction<'_, Sqlite>,
    ids: &[PersonId],
    rows: &[ImportRow],
) -> StoreResult<()> {
    clear(tx, "person_skills", ids).await?;
    let triples: Vec<(String, String, &'static str)> = ids
        .iter()
        .zip(rows)
        .flat_map(|(id, row)| {
            row.skills
                .iter()
                .map(move |(s, l)| (id.to_string(), s.to_string(), l.as_str()))
        })
        .collect();
    for chunk in triples.chunks(LOOKUP_CHUNK) {
        let mut q =
            QueryBuilder::<Sqlite>::new("INSERT INTO person_skills (person_id, skill_id, level) ");
        q.push_values(chunk, |mut b, (person, skill, level)| {
            b.push_bind(person.clone())
                .push_bind(skill.clone())
                .push_bind(*level);
        });
        q.build().execute(&mut **tx).await.map_err(db_err)?;
    }
    Ok(())
}

/// Replaces the learning goals of every imported person with the file's.
async fn replace_goals(
    tx: &mut Transaction<'_, Sqlite>,
    ids: &[PersonId],
    rows: &[ImportRow],
) -> StoreResult<()> {
    clear(tx, "learning_goals", ids).await?;
    let pairs: Vec<(String, String)> = ids
        .iter()
        .zip(rows)
        .flat_map(|(id, row)| {
            row.goals
                .iter()
                .map(move |s| (id.to_string(), s.to_string()))
        })
        .collect();
    for chunk in pairs.chunks(LOOKUP_CHUNK) {
        let mut q =
            QueryBuilder::<Sqlite>::new("INSERT INTO learning_goals (person_id, skill_id) ");
        q.push_values(chunk, |mut b, (person, skill)| {
            b.push_bind(person.clone()).push_bind(skill.clone());
        });
        q.build().execute(&mut **tx).await.map_err(db_err)?;
    }
    Ok(())
}
