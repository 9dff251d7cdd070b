//! Organisations.

use jiff::Timestamp;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use askaround_core::ids::OrgId;
use askaround_core::org::Org;
use askaround_store::{NewOrg, StoreError, StoreResult};

use crate::codec::{db_err, get, millis, timestamp};

pub async fn create(
    tx: &mut Transaction<'_, Postgres>,
    new: &NewOrg,
    now: Timestamp,
) -> StoreResult<Org> {
    let id = OrgId::generate();
    let result =
        sqlx::query("INSERT INTO orgs (id, name, slug, created_at) VALUES ($1, $2, $3, $4)")
            .bind(id.0)
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

fn org_from(row: &PgRow) -> StoreResult<Org> {
    Ok(Org {
        id: OrgId(get::<Uuid>(row, "id")?),
        name: get(row, "name")?,
        slug: get(row, "slug")?,
        created_at: timestamp(get(row, "created_at")?)?,
    })
}

pub async fn all(pool: &PgPool) -> StoreResult<Vec<Org>> {
    let rows = sqlx::query("SELECT id, name, slug, created_at FROM orgs ORDER BY created_at, id")
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    rows.iter().map(org_from).collect()
}

pub async fn by_id(pool: &PgPool, id: OrgId) -> StoreResult<Org> {
    let row = sqlx::query("SELECT id, name, slug, created_at FROM orgs WHERE id = $1")
        .bind(id.0)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound)?;
    org_from(&row)
}

pub async fn by_slug(pool: &PgPool, slug: &str) -> StoreResult<Org> {
    let row = sqlx::query("SELECT id, name, slug, created_at FROM orgs WHERE slug = $1")
        .bind(slug)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound)?;
    org_from(&row)
}

pub async fn taxonomy_version(pool: &PgPool, org: OrgId) -> StoreResult<i64> {
    sqlx::query_scalar("SELECT taxonomy_version FROM orgs WHERE id = $1")
        .bind(org.0)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound)
}

pub async fn bump_taxonomy_version(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
) -> StoreResult<()> {
    sqlx::query("UPDATE orgs SET taxonomy_version = taxonomy_version + 1 WHERE id = $1")
        .bind(org.0)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}
