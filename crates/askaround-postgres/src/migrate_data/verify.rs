//! The checks around a copy: both databases have the tables and columns of [`TABLES`], the target
//! holds nothing yet, and afterwards every table has as many rows on both sides and a random
//! sample of rows reads back identical.

use std::collections::BTreeSet;

use sqlx::{PgConnection, Postgres, QueryBuilder, SqliteConnection};

use super::MigrateError;
use super::tables::{TABLES, Table};
use super::values::{self, Value};

/// Rows per table compared value by value after the copy.
const SAMPLE: i64 = 200;

/// Tables that belong to the migration tooling of each backend, not to askaround's data. (SQLite's
/// own tables, such as the statistics `ANALYZE` writes, are left out by their `sqlite_` prefix.)
const BOOKKEEPING: [&str; 2] = ["_sqlx_migrations", "sqlite_sequence"];

/// Rollups of the insights (migrations 0007 and 0009) that triggers on the copied tables
/// rebuild on the target as those are inserted, so they are neither copied nor compared
/// (the keys of `insights_orgs` and `insights_helpers` come from each side's own sequence,
/// so they may differ).
const DERIVED: [&str; 13] = [
    "insights_ask_skills",
    "insights_skill_buckets",
    "insights_skill_totals",
    "insights_rating_buckets",
    "insights_learned",
    "insights_learned_buckets",
    "insights_learned_pairs",
    "insights_learned_totals",
    "insights_orgs",
    "insights_helpers",
    "insights_matches",
    "insights_pair_buckets",
    "insights_pair_totals",
];

/// Which people have the app open on which running node (migration 0010): true of the running
/// processes only, so never copied; nodes on the target record their own as they start.
const EPHEMERAL: [&str; 2] = ["nodes", "node_connections"];

/// Each side's log of changed asks (migration 0011 on both), read by the processes that hold the
/// speed figures in memory: the target's triggers write its own as the asks are copied.
const ASK_LOGS: [&str; 2] = ["insights_ask_changes", "insights_ask_changes_pruned"];

fn expected() -> BTreeSet<(String, String)> {
    TABLES
        .iter()
        .flat_map(|t| {
            t.columns
                .iter()
                .map(|(c, _)| (t.name.to_owned(), (*c).to_owned()))
        })
        .collect()
}

fn compare(side: &'static str, found: BTreeSet<(String, String)>) -> Result<(), MigrateError> {
    let expected = expected();
    let found: BTreeSet<(String, String)> = found
        .into_iter()
        .filter(|(t, _)| {
            let t = t.as_str();
            !DERIVED.contains(&t) && !EPHEMERAL.contains(&t) && !ASK_LOGS.contains(&t)
        })
        .collect();
    let describe = |set: BTreeSet<&(String, String)>| {
        set.iter()
            .map(|(t, c)| format!("{t}.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let missing = describe(expected.difference(&found).collect());
    let unknown = describe(found.difference(&expected).collect());
    if missing.is_empty() && unknown.is_empty() {
        return Ok(());
    }
    Err(MigrateError::Schema {
        side,
        detail: format!("missing [{missing}], not known to this version [{unknown}]"),
    })
}

/// Both databases have exactly the tables and columns this version copies.
pub async fn schemas(
    source: &mut SqliteConnection,
    target: &mut PgConnection,
) -> Result<(), MigrateError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c \
         WHERE m.type = 'table' AND m.name NOT IN (?, ?) AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
    )
    .bind(BOOKKEEPING[0])
    .bind(BOOKKEEPING[1])
    .fetch_all(&mut *source)
    .await
    .map_err(MigrateError::Sqlite)?;
    compare("SQLite", rows.into_iter().collect())?;
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text FROM information_schema.columns c \
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name <> $1",
    )
    .bind(BOOKKEEPING[0])
    .fetch_all(&mut *target)
    .await
    .map_err(MigrateError::Postgres)?;
    compare("PostgreSQL", rows.into_iter().collect())
}

/// Refuses a target that already holds data: a migration fills an empty database, it never
/// merges into a live one.
pub async fn target_is_empty(target: &mut PgConnection) -> Result<(), MigrateError> {
    for table in TABLES {
        let sql = format!("SELECT COUNT(*) FROM {}", table.name);
        let rows: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut *target)
            .await
            .map_err(MigrateError::Postgres)?;
        if rows > 0 {
            return Err(MigrateError::TargetNotEmpty {
                table: table.name,
                rows,
            });
        }
    }
    Ok(())
}

/// After the copy: the same number of rows on both sides, and a random sample identical.
/// Returns how many rows were compared.
pub async fn table(
    source: &mut SqliteConnection,
    target: &mut PgConnection,
    table: &Table,
    copied: u64,
) -> Result<u64, MigrateError> {
    let mismatch = |detail: String| MigrateError::Mismatch {
        table: table.name,
        detail,
    };
    let count = format!("SELECT COUNT(*) FROM {}", table.name);
    let in_source: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count.as_str()))
        .fetch_one(&mut *source)
        .await
        .map_err(MigrateError::Sqlite)?;
    let in_target: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count.as_str()))
        .fetch_one(&mut *target)
        .await
        .map_err(MigrateError::Postgres)?;
    if u64::try_from(in_source).ok() != Some(copied) || in_source != in_target {
        return Err(mismatch(format!(
            "{in_source} rows in SQLite, {copied} copied, {in_target} in PostgreSQL"
        )));
    }
    let sample = format!(
        "SELECT {} FROM {} ORDER BY random() LIMIT ?",
        table.column_list(),
        table.name
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sample))
        .bind(SAMPLE)
        .fetch_all(&mut *source)
        .await
        .map_err(MigrateError::Sqlite)?;
    for row in &rows {
        let expected =
            values::from_sqlite(table, row, 0).map_err(|detail| MigrateError::Unreadable {
                table: table.name,
                detail,
            })?;
        let found = read_back(target, table, &expected).await?;
        match found {
            Some(found) if values::same_row(&expected, &found) => {}
            Some(found) => {
                return Err(mismatch(format!(
                    "row {expected:?} reads back as {found:?}"
                )));
            }
            None => return Err(mismatch(format!("row {expected:?} is missing"))),
        }
    }
    Ok(rows.len() as u64)
}

/// The PostgreSQL row with the same primary key as `row`.
async fn read_back(
    target: &mut PgConnection,
    table: &Table,
    row: &[Value],
) -> Result<Option<Vec<Value>>, MigrateError> {
    let select = table
        .columns
        .iter()
        .map(|(c, k)| values::postgres_select(c, *k))
        .collect::<Vec<_>>()
        .join(", ");
    let mut q =
        QueryBuilder::<Postgres>::new(format!("SELECT {select} FROM {} WHERE ", table.name));
    let mut conditions = q.separated(" AND ");
    let keys = table
        .columns
        .iter()
        .zip(row)
        .filter(|((column, _), _)| table.key.contains(column));
    for ((key, _), value) in keys {
        conditions.push(format!("{key} = "));
        match value {
            Value::Uuid(u) => conditions.push_bind_unseparated(*u),
            Value::Int(n) => conditions.push_bind_unseparated(*n),
            Value::Text(t) | Value::Json(t) => conditions.push_bind_unseparated(t.clone()),
            Value::Bool(b) => conditions.push_bind_unseparated(*b),
            Value::Null => conditions.push_unseparated("NULL"),
        };
    }
    let found = q
        .build()
        .fetch_optional(&mut *target)
        .await
        .map_err(MigrateError::Postgres)?;
    found
        .map(|row| values::from_postgres(table, &row))
        .transpose()
        .map_err(MigrateError::Postgres)
}
