//! `askaround migrate-data`: moves a whole installation from SQLite to an empty PostgreSQL
//! database, so a company that started small moves up without losing anything.
//!
//! Everything happens in one PostgreSQL transaction: the tables are copied in dependency order
//! with their ids and times unchanged, then checked (same row counts, a random sample of rows
//! identical); only then is it committed. A failure anywhere leaves the target as empty as it
//! was. The source is read in one SQLite read transaction, a consistent snapshot even if a server
//! is still writing to it (stop it first, or what it writes afterwards stays behind).

mod copy;
mod tables;
mod values;
mod verify;

use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, Instant};

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Acquire, ConnectOptions};

use askaround_sqlite::SqliteStore;
use askaround_store::StoreError;

use crate::PgStore;
use tables::TABLES;

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("{0}")]
    Usage(String),
    #[error(
        "the target database is not empty ({table} has {rows} rows): migrate-data only fills an \
         empty database; create a new one (CREATE DATABASE …) and point --to at it"
    )]
    TargetNotEmpty { table: &'static str, rows: i64 },
    #[error("the {side} database does not match this version of askaround: {detail}")]
    Schema { side: &'static str, detail: String },
    #[error("{table} could not be read from SQLite: {detail}")]
    Unreadable { table: &'static str, detail: String },
    #[error("checking {table} after the copy failed ({detail}); nothing was committed")]
    Mismatch { table: &'static str, detail: String },
    #[error("SQLite: {0}")]
    Sqlite(#[source] sqlx::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(#[source] sqlx::Error),
    #[error("opening a database: {0}")]
    Open(#[from] StoreError),
}

/// What was moved, table by table.
#[derive(Debug, Clone)]
pub struct Summary {
    pub tables: Vec<TableSummary>,
    pub elapsed: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSummary {
    pub table: &'static str,
    /// Rows in SQLite, and so (checked) in PostgreSQL.
    pub rows: u64,
    /// Rows compared value by value.
    pub sampled: u64,
}

impl Summary {
    pub fn rows(&self, table: &str) -> Option<u64> {
        self.tables
            .iter()
            .find(|t| t.table == table)
            .map(|t| t.rows)
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:<16} {:>10} {:>10}", "table", "rows", "compared")?;
        for t in &self.tables {
            writeln!(f, "{:<16} {:>10} {:>10}", t.table, t.rows, t.sampled)?;
        }
        let total: u64 = self.tables.iter().map(|t| t.rows).sum();
        writeln!(
            f,
            "{total} rows in {} tables copied and checked in {:.1} s",
            self.tables.len(),
            self.elapsed.as_secs_f64()
        )
    }
}

/// Copies the SQLite installation at `from` (`sqlite://path`) into the empty PostgreSQL
/// database at `to` (`postgres://…`), creating its tables if needed.
pub async fn migrate_data(from: &str, to: &str) -> Result<Summary, MigrateError> {
    let started = Instant::now();
    let source_options = source_options(from)?;
    if !(to.starts_with("postgres://") || to.starts_with("postgresql://")) {
        return Err(MigrateError::Usage(
            "--to should be a postgres:// URL".to_owned(),
        ));
    }
    // Opening the source as askaround does brings an older installation to the current schema.
    SqliteStore::connect(from).await?.close().await;
    let mut source = source_options
        .connect()
        .await
        .map_err(MigrateError::Sqlite)?;
    let mut snapshot = source.begin().await.map_err(MigrateError::Sqlite)?;

    let store = PgStore::connect(to).await?;
    let mut tx = store.pool.begin().await.map_err(MigrateError::Postgres)?;
    // Nodes started against the target too early can read, but not write, until the commit.
    let names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
    let lock = format!("LOCK TABLE {} IN EXCLUSIVE MODE", names.join(", "));
    sqlx::query(sqlx::AssertSqlSafe(lock))
        .execute(&mut *tx)
        .await
        .map_err(MigrateError::Postgres)?;
    verify::schemas(&mut snapshot, &mut tx).await?;
    verify::target_is_empty(&mut tx).await?;
    sqlx::query("SET CONSTRAINTS skills_parent_fk DEFERRED")
        .execute(&mut *tx)
        .await
        .map_err(MigrateError::Postgres)?;

    let mut summary = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let rows = copy::table(&mut snapshot, &mut tx, table).await?;
        summary.push((table, rows));
    }
    // The deferred parent links are checked here, before the comparison.
    sqlx::query("SET CONSTRAINTS skills_parent_fk IMMEDIATE")
        .execute(&mut *tx)
        .await
        .map_err(MigrateError::Postgres)?;
    let mut tables = Vec::with_capacity(summary.len());
    for (table, rows) in summary {
        let sampled = verify::table(&mut snapshot, &mut tx, table, rows).await?;
        tables.push(TableSummary {
            table: table.name,
            rows,
            sampled,
        });
    }
    tx.commit().await.map_err(MigrateError::Postgres)?;
    snapshot.rollback().await.map_err(MigrateError::Sqlite)?;
    store.close().await;
    Ok(Summary {
        tables,
        elapsed: started.elapsed(),
    })
}

/// The source must exist: opening a mistyped path would otherwise create an empty database and
/// "migrate" nothing.
fn source_options(from: &str) -> Result<SqliteConnectOptions, MigrateError> {
    let usage = MigrateError::Usage;
    if !from.starts_with("sqlite:") {
        return Err(usage("--from should be a sqlite:// URL".to_owned()));
    }
    let options = SqliteConnectOptions::from_str(from)
        .map_err(|e| usage(format!("--from '{from}': {e}")))?
        .create_if_missing(false);
    let path: &Path = options.get_filename();
    if !path.is_file() {
        return Err(usage(format!(
            "--from: no SQLite database at {}",
            path.display()
        )));
    }
    Ok(options)
}
