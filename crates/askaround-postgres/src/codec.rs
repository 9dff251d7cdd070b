//! Conversions between PostgreSQL columns and domain values.

use jiff::Timestamp;
use sqlx::Row;
use sqlx::postgres::PgRow;
use uuid::Uuid;

use askaround_core::email::Email;
use askaround_core::hours::WorkingHours;
use askaround_core::ids::{OrgId, PersonId};
use askaround_core::language;
use askaround_core::person::{Person, Role};
use askaround_core::presence::OutOfOffice;
use askaround_core::timezone::TimeZoneName;
use askaround_store::StoreError;

pub fn db_err(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::backend(e)
}

/// A stored value that no longer parses: only a hand-edited database gets here.
pub fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("corrupt {what} in the database: {detail}").into())
}

pub fn millis(t: Timestamp) -> i64 {
    t.as_millisecond()
}

pub fn timestamp(ms: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_millisecond(ms).map_err(|e| corrupt("timestamp", e))
}

pub fn get<'r, T>(row: &'r PgRow, column: &str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    row.try_get(column).map_err(db_err)
}

/// An `integer` column holding a count or size that the domain keeps unsigned.
pub fn unsigned<T: TryFrom<i32>>(row: &PgRow, column: &str) -> Result<T, StoreError>
where
    T::Error: std::fmt::Display,
{
    let n: i32 = get(row, column)?;
    T::try_from(n).map_err(|e| corrupt(column, e))
}

/// A `bigint` count (`COUNT(*)`, `SUM(...)`), saturated into a `u32`.
pub fn count(row: &PgRow, column: &str) -> Result<u32, StoreError> {
    let n: Option<i64> = get(row, column)?;
    Ok(u32::try_from(n.unwrap_or(0).max(0)).unwrap_or(u32::MAX))
}

pub fn role_from(text: &str) -> Result<Role, StoreError> {
    text.parse().map_err(|e| corrupt("role", e))
}

/// The columns [`person_from_row`] reads, for SELECT lists.
pub const PERSON_COLUMNS: &str = "id, org_id, email, name, title, team, location, timezone, \
    working_hours, languages, bio, weekly_budget, role, active, presence, ooo_from, ooo_until, \
    created_at, updated_at";

pub fn person_from_row(row: &PgRow) -> Result<Person, StoreError> {
    let email: String = get(row, "email")?;
    let timezone: String = get(row, "timezone")?;
    let hours: String = get(row, "working_hours")?;
    let languages: String = get(row, "languages")?;
    let role: String = get(row, "role")?;
    let presence: String = get(row, "presence")?;
    let ooo_from: Option<i64> = get(row, "ooo_from")?;
    let ooo_until: Option<i64> = get(row, "ooo_until")?;
    Ok(Person {
        id: PersonId(get::<Uuid>(row, "id")?),
        org_id: OrgId(get::<Uuid>(row, "org_id")?),
        email: Email::parse(&email).map_err(|e| corrupt("email", e))?,
        name: get(row, "name")?,
        title: get(row, "title")?,
        team: get(row, "team")?,
        location: get(row, "location")?,
        timezone: TimeZoneName::parse(&timezone).map_err(|e| corrupt("timezone", e))?,
        working_hours: WorkingHours::parse(&hours).map_err(|e| corrupt("working_hours", e))?,
        languages: language::parse_list(&languages).map_err(|e| corrupt("languages", e))?,
        bio: get(row, "bio")?,
        weekly_budget: unsigned(row, "weekly_budget")?,
        role: role_from(&role)?,
        active: get(row, "active")?,
        presence: presence.parse().map_err(|e| corrupt("presence", e))?,
        out_of_office: match (ooo_from, ooo_until) {
            (Some(from), Some(until)) => Some(OutOfOffice {
                from: timestamp(from)?,
                until: timestamp(until)?,
            }),
            _ => None,
        },
        created_at: timestamp(get(row, "created_at")?)?,
        updated_at: timestamp(get(row, "updated_at")?)?,
    })
}

pub fn languages_text(languages: &[askaround_core::language::Language]) -> String {
    languages
        .iter()
        .map(|l| l.as_str())
        .collect::<Vec<_>>()
        .join(";")
}

/// Lower-cased name used for ordering and search, so "ana" sorts with "Ana".
pub fn name_key(name: &str) -> String {
    name.to_lowercase()
}
