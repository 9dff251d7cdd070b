//! Organisations.

use jiff::Timestamp;
use sqlx::{Executor, Sqlite, SqlitePool, Transaction};

use askaround_core::ids::OrgId;
use askaround_core::org::Org;
use askaround_store::{NewOrg, StoreError, StoreResult};

use crate::codec::{db_err, get, millis, timestamp, uuid};

pub async fn create(
    tx: &mut Transaction<'_, Sqlite>,
    new: &NewOrg,
    now: Timestamp,
) -> StoreResult<Org> {
    let id = OrgId::generate();
    let result = sqlx::query("INSERT INTO orgs (id, name, slug, created_at) VALUES (?, ?, ?, ?)")
        .bind(id.to_string())
        .bind(&new.name)
        .bind(&new.slug)
        .bind(millis(now))
        .execute(&mut **tx)
        .await;
    match result {
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::conflict(
            "slug_taken",
            "slug",
            format!("an organisation called '{}' already exists", new.slug),
        )),
        Err(e) => Err(db_err(e)),
        Ok(_) => Ok(Org {
            id,
            name: new.name.clone(),
            slug: new.slug.clone(),
            created_at: now,
        }),
    }
}

fn org_from(row: &sqlx::sqlite::SqliteRow) -> StoreResult<Org> {
    Ok(Org {
        id: OrgId(uuid(&get::<String>(row, "id")?)?),
        name: get(row, "name")?,
        slug: get(row, "slug")?,
        created_at: timestamp(get(row, "created_at")?)?,
    })
}

pub async fn all(pool: &SqlitePool) -> StoreResult<Vec<Org>> {
    let rows = sqlx::query("SELECT id, name, slug, created_at FROM orgs ORDER BY created_at, id")
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    rows.iter().map(org_from).collect()
}

async fn one<'e>(
    executor: impl Executor<'e, Database = Sqlite>,
    sql: &'static str,
    value: String,
) -> StoreResult<Org> {
    let row = sqlx::query(sql)
        .bind(value)
        .fetch_optional(executor)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound)?;
    org_from(&row)
}

pub async fn by_id(pool: &SqlitePool, id: OrgId) -> StoreResult<Org> {
    one(
        pool,
        "SELECT id, name, slug, created_at FROM orgs WHERE id = ?",
        id.to_string(),
    )
    .await
}

pub async fn by_slug(pool: &SqlitePool, slug: &str) -> StoreResult<Org> {
    one(
        pool,
        "SELECT id, name, slug, created_at FROM orgs WHERE slug = ?",
        slug.to_owned(),
    )
    .await
}

pub async fn taxonomy_version(pool: &SqlitePool, org: OrgId) -> StoreResult<i64> {
    sqlx::query_scalar("SELECT taxonomy_version FROM orgs WHERE id = ?")
        .bind(org.to_string())
        .fetch_optional(pool)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound)
}

pub async fn bump_taxonomy_version(
    tx: &mut Transaction<'_, Sqlite>,
    org: OrgId,
) -> StoreResult<()> {
    sqlx::query("UPDATE orgs SET taxonomy_version = taxonomy_version + 1 WHERE id = ?")
        .bind(org.to_string())
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}
