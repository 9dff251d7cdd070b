//! `--verify` for speed: the figures a store computes from the asks it holds in memory, compared
//! with the shared SQL statements (`insights_speed_in_sql` of either store), on the generated
//! data: every count and every histogram, overall, per local hour and per skill.

use askaround_core::ids::OrgId;
use askaround_core::insights::Scope;
use askaround_core::insights::raw::SpeedRaw;
use askaround_postgres::PgStore;
use askaround_sqlite::SqliteStore;
use askaround_store::InsightsStore;

/// Compares on SQLite; an error names the first groups that differ. Returns the groups compared.
pub async fn speed(store: &SqliteStore, org: OrgId, scope: &Scope) -> anyhow::Result<usize> {
    let in_sql = store.insights_speed_in_sql(org, scope).await?;
    let held = store.insights_speed(org, scope).await?;
    compare(&in_sql, &held)
}

/// Compares on PostgreSQL, as [`speed`].
pub async fn speed_on_postgres(
    store: &PgStore,
    org: OrgId,
    scope: &Scope,
) -> anyhow::Result<usize> {
    let in_sql = store.insights_speed_in_sql(org, scope).await?;
    let held = store.insights_speed(org, scope).await?;
    compare(&in_sql, &held)
}

fn compare(in_sql: &SpeedRaw, held: &SpeedRaw) -> anyhow::Result<usize> {
    let groups = 1 + in_sql.by_hour.len() + in_sql.by_skill.len();
    if held.overall != in_sql.overall {
        anyhow::bail!(
            "speed differs overall: SQL {:?}, memory {:?}",
            in_sql.overall,
            held.overall
        );
    }
    if let Some((sql, mem)) = in_sql
        .by_hour
        .iter()
        .zip(&held.by_hour)
        .find(|(a, b)| a != b)
    {
        anyhow::bail!("speed differs by hour: SQL {sql:?}, memory {mem:?}");
    }
    if let Some((sql, mem)) = in_sql
        .by_skill
        .iter()
        .zip(&held.by_skill)
        .find(|(a, b)| a != b)
    {
        anyhow::bail!("speed differs by skill: SQL {sql:?}, memory {mem:?}");
    }
    if (in_sql.by_hour.len(), in_sql.by_skill.len()) != (held.by_hour.len(), held.by_skill.len()) {
        anyhow::bail!("speed differs in the groups present");
    }
    Ok(groups)
}
