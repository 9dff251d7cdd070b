//! `--verify` for speed: the figures SQLite computes from the asks it holds in memory, compared
//! with the shared SQL statements PostgreSQL runs (`ask_counts` and `ask_histograms`, which
//! SQLite ran before), on the generated data: every count and every histogram, overall, per
//! local hour and per skill.

use std::collections::BTreeMap;

use sqlx::sqlite::SqliteRow;
use sqlx::{Connection, Row, SqliteConnection};

use askaround_core::ids::OrgId;
use askaround_core::insights::Scope;
use askaround_core::insights::raw::AskStats;
use askaround_sqlite::SqliteStore;
use askaround_store::InsightsStore;
use askaround_store::insights_sql::{self as sql, Arg, Grouping, Statement};

/// Groups: "all", "hour 7", "skill <id>".
type Figures = BTreeMap<String, AskStats>;

async fn fetch(
    db: &mut SqliteConnection,
    org: OrgId,
    statement: &Statement,
) -> anyhow::Result<Vec<SqliteRow>> {
    let mut query = sqlx::query(sqlx::AssertSqlSafe(statement.sql.clone())).bind(org.to_string());
    for arg in &statement.args {
        query = match arg {
            Arg::Int(n) => query.bind(*n),
            Arg::Text(s) => query.bind(s.clone()),
        };
    }
    Ok(query.fetch_all(db).await?)
}

fn key(row: &SqliteRow, by: Grouping) -> anyhow::Result<String> {
    Ok(match by {
        Grouping::All => "all".into(),
        Grouping::Hour => format!("hour {}", row.try_get::<i64, _>("key")?),
        Grouping::Skill => format!("skill {}", row.try_get::<String, _>("key")?),
    })
}

fn n(row: &SqliteRow, column: &str) -> anyhow::Result<u64> {
    Ok(u64::try_from(row.try_get::<i64, _>(column)?)?)
}

/// Compares; an error names the first groups that differ. Returns the groups compared.
pub async fn speed(
    path: &str,
    store: &SqliteStore,
    org: OrgId,
    scope: &Scope,
) -> anyhow::Result<usize> {
    let mut db = SqliteConnection::connect(&format!("sqlite://{path}")).await?;
    let mut direct = Figures::new();
    for by in [Grouping::All, Grouping::Hour, Grouping::Skill] {
        for row in fetch(&mut db, org, &sql::ask_counts(scope, by)).await? {
            let s = direct.entry(key(&row, by)?).or_default();
            s.asks = n(&row, "asks")?;
            s.askers = n(&row, "askers")?;
            s.answered = n(&row, "answered")?;
            s.to_board = n(&row, "to_board")?;
        }
        for row in fetch(&mut db, org, &sql::ask_histograms(scope, by)).await? {
            let s = direct.entry(key(&row, by)?).or_default();
            let pair = (row.try_get::<i64, _>("value")?, n(&row, "n")?);
            match row.try_get::<i64, _>("kind")? {
                1 => s.accept_secs.push(pair),
                2 => s.resolution_secs.push(pair),
                _ => s.interrupted.push(pair),
            }
        }
    }
    db.close().await?;
    for s in direct.values_mut() {
        s.accept_secs.sort_unstable();
        s.resolution_secs.sort_unstable();
        s.interrupted.sort_unstable();
    }
    let raw = store.insights_speed(org, scope).await?;
    let mut held = Figures::new();
    held.insert("all".into(), raw.overall);
    for (hour, s) in raw.by_hour {
        held.insert(format!("hour {hour}"), s);
    }
    for (skill, s) in raw.by_skill {
        held.insert(format!("skill {}", skill.id), s);
    }
    let differing: Vec<String> = direct
        .keys()
        .chain(held.keys())
        .filter(|k| direct.get(*k) != held.get(*k))
        .take(3)
        .map(|k| format!("{k}: SQL {:?}, memory {:?}", direct.get(k), held.get(k)))
        .collect();
    if !differing.is_empty() {
        anyhow::bail!("speed differs: {}", differing.join("; "));
    }
    Ok(direct.len())
}
