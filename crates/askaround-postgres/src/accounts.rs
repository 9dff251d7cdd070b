//! Credentials, sessions and invitations.

use jiff::Timestamp;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

use askaround_core::email::Email;
use askaround_core::ids::{OrgId, PersonId};
use askaround_store::{
    Credentials, Invitation, NewInvitation, NewSession, SessionRecord, StoreError, StoreResult,
};

use crate::codec::{db_err, get, millis, role_from, timestamp};

pub async fn credentials(pool: &PgPool, email: &Email) -> StoreResult<Option<Credentials>> {
    let row = sqlx::query("SELECT id, org_id, password_hash, active FROM people WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    row.map(|row| {
        Ok(Credentials {
            person_id: PersonId(get(&row, "id")?),
            org_id: OrgId(get(&row, "org_id")?),
            password_hash: get(&row, "password_hash")?,
            active: get(&row, "active")?,
        })
    })
    .transpose()
}

pub async fn set_password_hash(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    id: PersonId,
    hash: &str,
) -> StoreResult<()> {
    let done = sqlx::query("UPDATE people SET password_hash = $1 WHERE org_id = $2 AND id = $3")
        .bind(hash)
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

pub async fn create_session(pool: &PgPool, s: &NewSession) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, person_id, org_id, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&s.token_hash)
    .bind(s.person_id.0)
    .bind(s.org_id.0)
    .bind(&s.csrf_token)
    .bind(millis(s.created_at))
    .bind(millis(s.expires_at))
    .execute(pool)
    .await
    .map_err(db_err)?;
    Ok(())
}

pub async fn session(
    pool: &PgPool,
    token_hash: &str,
    now: Timestamp,
) -> StoreResult<Option<SessionRecord>> {
    // A deactivated person's sessions stop working at once, even before they are deleted.
    let row = sqlx::query(
        "SELECT s.person_id, s.org_id, s.csrf_token, s.expires_at, p.role FROM sessions s \
         JOIN people p ON p.id = s.person_id AND p.org_id = s.org_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND p.active",
    )
    .bind(token_hash)
    .bind(millis(now))
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    row.map(|row| {
        let role: String = get(&row, "role")?;
        Ok(SessionRecord {
            person_id: PersonId(get(&row, "person_id")?),
            org_id: OrgId(get(&row, "org_id")?),
            role: role_from(&role)?,
            csrf_token: get(&row, "csrf_token")?,
            expires_at: timestamp(get(&row, "expires_at")?)?,
        })
    })
    .transpose()
}

pub async fn delete_session(pool: &PgPool, token_hash: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await
        .map_err(db_err)?;
    Ok(())
}

pub async fn delete_sessions_of(
    conn: &mut PgConnection,
    org: OrgId,
    id: PersonId,
    keep: Option<&str>,
) -> StoreResult<u64> {
    let done = sqlx::query(
        "DELETE FROM sessions WHERE org_id = $1 AND person_id = $2 AND token_hash <> $3",
    )
    .bind(org.0)
    .bind(id.0)
    .bind(keep.unwrap_or(""))
    .execute(conn)
    .await
    .map_err(db_err)?;
    Ok(done.rows_affected())
}

pub async fn delete_expired_sessions(pool: &PgPool, now: Timestamp) -> StoreResult<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(millis(now))
        .execute(pool)
        .await
        .map_err(db_err)?;
    Ok(done.rows_affected())
}

pub async fn create_invitation(conn: &mut PgConnection, i: &NewInvitation) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO invitations (token_hash, person_id, org_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&i.token_hash)
    .bind(i.person_id.0)
    .bind(i.org_id.0)
    .bind(millis(i.created_at))
    .bind(millis(i.expires_at))
    .execute(conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

pub async fn take_invitation(
    tx: &mut Transaction<'_, Postgres>,
    token_hash: &str,
    now: Timestamp,
) -> StoreResult<Option<Invitation>> {
    let row = sqlx::query(
        "DELETE FROM invitations WHERE token_hash = $1 RETURNING person_id, org_id, expires_at",
    )
    .bind(token_hash)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db_err)?;
    let Some(row) = row else { return Ok(None) };
    let expires_at: i64 = get(&row, "expires_at")?;
    if expires_at <= millis(now) {
        return Ok(None);
    }
    Ok(Some(Invitation {
        person_id: PersonId(get(&row, "person_id")?),
        org_id: OrgId(get(&row, "org_id")?),
    }))
}
