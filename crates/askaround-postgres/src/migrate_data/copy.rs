//! Copying one table: SQLite rows are read a batch at a time in rowid order (memory stays flat
//! whatever the size of the installation) and each batch is one multi-row INSERT … SELECT FROM
//! UNNEST on PostgreSQL.

use sqlx::{PgConnection, Postgres, QueryBuilder, SqliteConnection};

use super::MigrateError;
use super::tables::Table;
use super::values::{self, Value};

/// Rows per batch read and written.
const BATCH: i64 = 5_000;

/// Copies every row of `table` and returns how many there were.
pub async fn table(
    source: &mut SqliteConnection,
    target: &mut PgConnection,
    table: &Table,
) -> Result<u64, MigrateError> {
    let select = format!(
        "SELECT rowid, {} FROM {} WHERE rowid > ? ORDER BY rowid LIMIT ?",
        table.column_list(),
        table.name
    );
    let mut after: i64 = 0;
    let mut copied = 0u64;
    loop {
        let rows = sqlx::query(sqlx::AssertSqlSafe(select.as_str()))
            .bind(after)
            .bind(BATCH)
            .fetch_all(&mut *source)
            .await
            .map_err(MigrateError::Sqlite)?;
        let Some(last) = rows.last() else { break };
        after = sqlx::Row::try_get(last, 0).map_err(MigrateError::Sqlite)?;
        let batch = rows
            .iter()
            .map(|row| values::from_sqlite(table, row, 1))
            .collect::<Result<Vec<Vec<Value>>, String>>()
            .map_err(|detail| MigrateError::Unreadable {
                table: table.name,
                detail,
            })?;
        insert(target, table, &batch).await?;
        copied += batch.len() as u64;
    }
    if table.sequence {
        // The copied ids were given explicitly; new ones continue after the highest.
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('{0}', 'id'), COALESCE((SELECT MAX(id) FROM {0}), 0) + 1, false)",
            table.name
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *target)
            .await
            .map_err(MigrateError::Postgres)?;
    }
    Ok(copied)
}

async fn insert(
    target: &mut PgConnection,
    table: &Table,
    rows: &[Vec<Value>],
) -> Result<(), MigrateError> {
    let mut q = QueryBuilder::<Postgres>::new(format!(
        "INSERT INTO {} ({}) SELECT * FROM ",
        table.name,
        table.column_list()
    ));
    values::push_unnest(&mut q, table, rows);
    q.build()
        .execute(&mut *target)
        .await
        .map_err(MigrateError::Postgres)?;
    Ok(())
}
