//! One row's values, read from either database into the same shape so they can be written to
//! PostgreSQL and compared across the two.

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Postgres, QueryBuilder, Row};
use uuid::Uuid;

use super::tables::{Kind, Table};

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Uuid(Uuid),
    Text(String),
    Int(i64),
    Bool(bool),
    /// Kept as text for copying; compared as parsed JSON (jsonb reorders keys and spacing).
    Json(String),
}

/// Reads a SQLite row as values of the table's kinds; the table's columns start at `first`.
pub fn from_sqlite(table: &Table, row: &SqliteRow, first: usize) -> Result<Vec<Value>, String> {
    table
        .columns
        .iter()
        .enumerate()
        .map(|(i, (column, kind))| {
            let bad = |e: &dyn std::fmt::Display| format!("column {column}: {e}");
            let value = match kind {
                Kind::Int | Kind::Bool => {
                    let n: Option<i64> = row.try_get(first + i).map_err(|e| bad(&e))?;
                    match (n, kind) {
                        (None, _) => Value::Null,
                        (Some(n), Kind::Bool) => Value::Bool(n != 0),
                        (Some(n), _) => Value::Int(n),
                    }
                }
                Kind::Uuid | Kind::Text | Kind::Json => {
                    let text: Option<String> = row.try_get(first + i).map_err(|e| bad(&e))?;
                    match (text, kind) {
                        (None, _) => Value::Null,
                        (Some(t), Kind::Uuid) => {
                            Value::Uuid(Uuid::parse_str(&t).map_err(|e| bad(&e))?)
                        }
                        (Some(t), Kind::Json) => Value::Json(t),
                        (Some(t), _) => Value::Text(t),
                    }
                }
            };
            Ok(value)
        })
        .collect()
}

/// The SELECT expression that reads a PostgreSQL column back in the shape [`from_postgres`]
/// expects (integers of any width as `bigint`, jsonb as text).
pub fn postgres_select(column: &str, kind: Kind) -> String {
    match kind {
        Kind::Int => format!("{column}::bigint"),
        Kind::Json => format!("{column}::text"),
        Kind::Uuid | Kind::Text | Kind::Bool => column.to_owned(),
    }
}

pub fn from_postgres(table: &Table, row: &PgRow) -> Result<Vec<Value>, sqlx::Error> {
    table
        .columns
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| {
            Ok(match kind {
                Kind::Uuid => row.try_get::<Option<Uuid>, _>(i)?.map(Value::Uuid),
                Kind::Text => row.try_get::<Option<String>, _>(i)?.map(Value::Text),
                Kind::Json => row.try_get::<Option<String>, _>(i)?.map(Value::Json),
                Kind::Int => row.try_get::<Option<i64>, _>(i)?.map(Value::Int),
                Kind::Bool => row.try_get::<Option<bool>, _>(i)?.map(Value::Bool),
            }
            .unwrap_or(Value::Null))
        })
        .collect()
}

/// Whether two rows hold the same data once each database's representation is set aside.
pub fn same_row(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|pair| match pair {
            (Value::Json(x), Value::Json(y)) => {
                let parse = |t: &str| serde_json::from_str::<serde_json::Value>(t).ok();
                x == y || matches!((parse(x), parse(y)), (Some(a), Some(b)) if a == b)
            }
            (x, y) => x == y,
        })
}

/// Appends `UNNEST($1::uuid[], $2::text[], …)` with one array per column of `rows`.
pub fn push_unnest(q: &mut QueryBuilder<Postgres>, table: &Table, rows: &[Vec<Value>]) {
    q.push("UNNEST(");
    for (i, (_, kind)) in table.columns.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        let column = rows.iter().map(|row| row.get(i).unwrap_or(&Value::Null));
        match kind {
            Kind::Uuid => {
                let values: Vec<Option<Uuid>> = column
                    .map(|v| match v {
                        Value::Uuid(u) => Some(*u),
                        _ => None,
                    })
                    .collect();
                q.push_bind(values).push("::uuid[]");
            }
            Kind::Text | Kind::Json => {
                let values: Vec<Option<String>> = column
                    .map(|v| match v {
                        Value::Text(t) | Value::Json(t) => Some(t.clone()),
                        _ => None,
                    })
                    .collect();
                let cast = if *kind == Kind::Json {
                    "::text[]::jsonb[]"
                } else {
                    "::text[]"
                };
                q.push_bind(values).push(cast);
            }
            Kind::Int => {
                let values: Vec<Option<i64>> = column
                    .map(|v| match v {
                        Value::Int(n) => Some(*n),
                        _ => None,
                    })
                    .collect();
                q.push_bind(values).push("::bigint[]");
            }
            Kind::Bool => {
                let values: Vec<Option<bool>> = column
                    .map(|v| match v {
                        Value::Bool(b) => Some(*b),
                        _ => None,
                    })
                    .collect();
                q.push_bind(values).push("::bool[]");
            }
        }
    }
    q.push(")");
}
