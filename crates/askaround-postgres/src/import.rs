//! The CSV import as one transaction: all rows or none. Existing people are found with one
//! query, and new and existing people are each written a few thousand rows per statement (one
//! array per column, unnested by PostgreSQL), so 50,000 rows take a handful of round trips.
//!
//! Imports of one organisation take turns (see [`crate::locks`]): each reads the emails and the
//! admins before it writes.

use std::collections::HashMap;

use jiff::Timestamp;
use sqlx::{Postgres, QueryBuilder, Transaction};
use uuid::Uuid;

use askaround_core::ids::{OrgId, PersonId, SkillId};
use askaround_core::people_csv::{Columns, ImportRow};
use askaround_store::{ImportOutcome, StoreError, StoreResult};

use crate::codec::{db_err, get, languages_text, millis, name_key};
use crate::holdings::check_skills_belong;
use crate::locks::{self, Turn};
use crate::orgs::bump_taxonomy_version;
use crate::people::email_taken;

/// Rows per statement: large enough that round trips stop mattering, small enough that no
/// single statement holds hundreds of megabytes of arrays.
const CHUNK: usize = 10_000;

pub async fn import(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    rows: &[ImportRow],
    columns: Columns,
    now: Timestamp,
) -> StoreResult<ImportOutcome> {
    locks::take(tx, Turn::Import(org)).await?;
    let admins_before = active_admins(tx, org).await?;
    let skill_ids: Vec<SkillId> = rows
        .iter()
        .flat_map(|r| {
            r.skills
                .iter()
                .map(|(s, _)| *s)
                .chain(r.goals.iter().copied())
        })
        .collect();
    check_skills_belong(tx, org, &skill_ids, "skills").await?;

    let existing = existing_people(tx, rows).await?;
    let mut outcome = ImportOutcome::default();
    let mut ids: Vec<PersonId> = Vec::with_capacity(rows.len());
    let mut new_rows: Vec<(PersonId, &ImportRow)> = Vec::new();
    let mut old_rows: Vec<(PersonId, &ImportRow)> = Vec::new();
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
                old_rows.push((*id, row));
                ids.push(*id);
                outcome.updated += 1;
            }
        }
    }
    for chunk in new_rows.chunks(CHUNK) {
        insert_many(tx, org, chunk, now).await?;
    }
    for chunk in old_rows.chunks(CHUNK) {
        update_many(tx, org, chunk, columns, now).await?;
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

async fn active_admins(tx: &mut Transaction<'_, Postgres>, org: OrgId) -> StoreResult<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM people WHERE org_id = $1 AND role = 'admin' AND active",
    )
    .bind(org.0)
    .fetch_one(&mut **tx)
    .await
    .map_err(db_err)
}

/// Email → (person, organisation) for the rows' addresses that already have an account.
async fn existing_people(
    tx: &mut Transaction<'_, Postgres>,
    rows: &[ImportRow],
) -> StoreResult<HashMap<String, (PersonId, OrgId)>> {
    let emails: Vec<&str> = rows.iter().map(|r| r.fields.email.as_str()).collect();
    let found = sqlx::query("SELECT email, id, org_id FROM people WHERE email = ANY($1)")
        .bind(&emails)
        .fetch_all(&mut **tx)
        .await
        .map_err(db_err)?;
    found
        .iter()
        .map(|r| {
            Ok((
                get::<String>(r, "email")?,
                (PersonId(get(r, "id")?), OrgId(get(r, "org_id")?)),
            ))
        })
        .collect()
}

async fn insert_many(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    rows: &[(PersonId, &ImportRow)],
    now: Timestamp,
) -> StoreResult<()> {
    let column = |f: &dyn Fn(&ImportRow) -> String| -> Vec<String> {
        rows.iter().map(|(_, r)| f(r)).collect()
    };
    let maybe = |f: &dyn Fn(&ImportRow) -> Option<String>| -> Vec<Option<String>> {
        rows.iter().map(|(_, r)| f(r)).collect()
    };
    let ids: Vec<Uuid> = rows.iter().map(|(id, _)| id.0).collect();
    let result = sqlx::query(
        "INSERT INTO people (id, org_id, email, name, name_key, title, team, location, timezone, working_hours, \
         languages, bio, weekly_budget, role, active, password_hash, created_at, updated_at) \
         SELECT id, $2, email, name, name_key, title, team, location, timezone, working_hours, \
           languages, bio, weekly_budget, role, active, NULL, $15, $15 \
         FROM UNNEST($1::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], \
           $9::text[], $10::text[], $11::text[], $12::text[], $13::int[], $14::text[], $16::bool[]) \
           AS v(id, email, name, name_key, title, team, location, timezone, working_hours, languages, bio, \
                weekly_budget, role, active)",
    )
    .bind(&ids)
    .bind(org.0)
    .bind(column(&|r| r.fields.email.as_str().to_owned()))
    .bind(column(&|r| r.fields.name.clone()))
    .bind(column(&|r| name_key(&r.fields.name)))
    .bind(maybe(&|r| r.fields.title.clone()))
    .bind(maybe(&|r| r.fields.team.clone()))
    .bind(maybe(&|r| r.fields.location.clone()))
    .bind(column(&|r| r.fields.timezone.as_str().to_owned()))
    .bind(column(&|r| r.fields.working_hours.to_string()))
    .bind(column(&|r| languages_text(&r.fields.languages)))
    .bind(maybe(&|r| r.fields.bio.clone()))
    .bind(
        rows.iter()
            .map(|(_, r)| i32::from(r.fields.weekly_budget))
            .collect::<Vec<_>>(),
    )
    .bind(column(&|r| r.fields.role.as_str().to_owned()))
    .bind(millis(now))
    .bind(rows.iter().map(|(_, r)| r.fields.active).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await;
    match result {
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

/// One column of a batched update: its values, one per row, and how it is assigned.
struct Field {
    name: &'static str,
    values: Values,
    assign: Assign,
}

enum Values {
    Text(Vec<String>),
    MaybeText(Vec<Option<String>>),
    Int(Vec<i32>),
    Bool(Vec<bool>),
}

enum Assign {
    /// `column = v.column`
    Value,
    /// `column = <expression over v and p>`
    Expression(&'static str),
    /// Read by another field's expression only.
    Nothing,
}

/// On re-import, only the columns the file has are written, and blank role or active cells
/// leave those as they are: one UPDATE … FROM UNNEST for the whole chunk.
async fn update_many(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    rows: &[(PersonId, &ImportRow)],
    columns: Columns,
    now: Timestamp,
) -> StoreResult<()> {
    let fields = changed_fields(rows, columns);
    let mut q = QueryBuilder::<Postgres>::new("UPDATE people AS p SET updated_at = ");
    q.push_bind(millis(now));
    for field in &fields {
        match field.assign {
            Assign::Value => q.push(format!(", {0} = v.{0}", field.name)),
            Assign::Expression(expr) => q.push(format!(", {} = {expr}", field.name)),
            Assign::Nothing => &mut q,
        };
    }
    let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
    q.push(" FROM UNNEST(")
        .push_bind(rows.iter().map(|(id, _)| id.0).collect::<Vec<Uuid>>())
        .push("::uuid[]");
    for field in fields {
        q.push(", ");
        match field.values {
            Values::Text(v) => q.push_bind(v).push("::text[]"),
            Values::MaybeText(v) => q.push_bind(v).push("::text[]"),
            Values::Int(v) => q.push_bind(v).push("::int[]"),
            Values::Bool(v) => q.push_bind(v).push("::bool[]"),
        };
    }
    q.push(format!(") AS v(id, {})", names.join(", ")));
    q.push(" WHERE p.id = v.id AND p.org_id = ")
        .push_bind(org.0);
    q.build().execute(&mut **tx).await.map_err(db_err)?;
    Ok(())
}

/// Reads one value of a row.
type Read<T> = fn(&ImportRow) -> T;

/// The fields a re-import writes: those of the file's columns, as `PersonPatch` would.
fn changed_fields(rows: &[(PersonId, &ImportRow)], columns: Columns) -> Vec<Field> {
    let text = |f: Read<String>| Values::Text(rows.iter().map(|(_, r)| f(r)).collect());
    let maybe =
        |f: Read<Option<String>>| Values::MaybeText(rows.iter().map(|(_, r)| f(r)).collect());
    let flag = |f: Read<bool>| Values::Bool(rows.iter().map(|(_, r)| f(r)).collect());
    let value = |name: &'static str, values: Values| Field {
        name,
        values,
        assign: Assign::Value,
    };
    let mut fields = Vec::new();
    if columns.has("name") {
        fields.push(value("name", text(|r| r.fields.name.clone())));
        fields.push(value("name_key", text(|r| name_key(&r.fields.name))));
    }
    let optional: [(&'static str, Read<Option<String>>); 4] = [
        ("title", |r| r.fields.title.clone()),
        ("team", |r| r.fields.team.clone()),
        ("location", |r| r.fields.location.clone()),
        ("bio", |r| r.fields.bio.clone()),
    ];
    for (column, read) in optional {
        if columns.has(column) {
            fields.push(value(column, maybe(read)));
        }
    }
    if columns.has("timezone") {
        fields.push(value(
            "timezone",
            text(|r| r.fields.timezone.as_str().to_owned()),
        ));
    }
    if columns.has("working_hours") {
        fields.push(value(
            "working_hours",
            text(|r| r.fields.working_hours.to_string()),
        ));
    }
    if columns.has("languages") {
        fields.push(value(
            "languages",
            text(|r| languages_text(&r.fields.languages)),
        ));
    }
    if columns.has("weekly_budget") {
        let budgets = rows.iter().map(|(_, r)| i32::from(r.fields.weekly_budget));
        fields.push(value("weekly_budget", Values::Int(budgets.collect())));
    }
    // A blank role or active cell leaves the stored value: the row says whether it gave one.
    if columns.has("role") {
        fields.push(Field {
            name: "role",
            values: text(|r| r.fields.role.as_str().to_owned()),
            assign: Assign::Expression("CASE WHEN v.role_given THEN v.role ELSE p.role END"),
        });
        fields.push(Field {
            name: "role_given",
            values: flag(|r| r.role_given),
            assign: Assign::Nothing,
        });
    }
    if columns.has("active") {
        fields.push(Field {
            name: "active",
            values: flag(|r| r.fields.active),
            assign: Assign::Expression("CASE WHEN v.active_given THEN v.active ELSE p.active END"),
        });
        fields.push(Field {
            name: "active_given",
            values: flag(|r| r.active_given),
            assign: Assign::Nothing,
        });
    }
    fields
}

/// Replaces the skills of every imported person with the file's.
async fn replace_skills(
    tx: &mut Transaction<'_, Postgres>,
    ids: &[PersonId],
    rows: &[ImportRow],
) -> StoreResult<()> {
    let people: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
    sqlx::query("DELETE FROM person_skills WHERE person_id = ANY($1)")
        .bind(&people)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    let triples: Vec<(Uuid, Uuid, &'static str)> = ids
        .iter()
        .zip(rows)
        .flat_map(|(id, row)| row.skills.iter().map(move |(s, l)| (id.0, s.0, l.as_str())))
        .collect();
    for chunk in triples.chunks(CHUNK) {
        let (people, (skills, levels)): (Vec<Uuid>, (Vec<Uuid>, Vec<&str>)) =
            chunk.iter().map(|(p, s, l)| (*p, (*s, *l))).unzip();
        sqlx::query(
            "INSERT INTO person_skills (person_id, skill_id, level) \
             SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[])",
        )
        .bind(&people)
        .bind(&skills)
        .bind(&levels)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

/// Replaces the learning goals of every imported person with the file's.
async fn replace_goals(
    tx: &mut Transaction<'_, Postgres>,
    ids: &[PersonId],
    rows: &[ImportRow],
) -> StoreResult<()> {
    let people: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
    sqlx::query("DELETE FROM learning_goals WHERE person_id = ANY($1)")
        .bind(&people)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    let pairs: Vec<(Uuid, Uuid)> = ids
        .iter()
        .zip(rows)
        .flat_map(|(id, row)| row.goals.iter().map(move |s| (id.0, s.0)))
        .collect();
    for chunk in pairs.chunks(CHUNK) {
        let (people, skills): (Vec<Uuid>, Vec<Uuid>) = chunk.iter().copied().unzip();
        sqlx::query(
            "INSERT INTO learning_goals (person_id, skill_id) \
             SELECT * FROM UNNEST($1::uuid[], $2::uuid[])",
        )
        .bind(&people)
        .bind(&skills)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}
