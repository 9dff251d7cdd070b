//! Insights aggregates on PostgreSQL: the shared statements of `askaround_store::insights_sql`,
//! numbered `$1…` and run here.

use std::collections::HashMap;

use async_trait::async_trait;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use askaround_core::ids::{OrgId, PersonId, SkillId};
use askaround_core::insights::Scope;
use askaround_core::insights::raw::{
    AdoptionRaw, HelperLoad, LoadRaw, PeopleGroup, QualityRaw, SkillRef, SkillSupply, SpeedRaw,
    TeamLink,
};
use askaround_store::insights_sql::{self as sql, Arg, Statement};
use askaround_store::speed_facts;
use askaround_store::{InsightsStore, StoreResult};

use crate::PgStore;
use crate::codec::{corrupt, db_err};
use crate::speed_facts::PgAskLog;

pub(crate) async fn fetch(
    pool: &PgPool,
    org: OrgId,
    statement: &Statement,
) -> StoreResult<Vec<PgRow>> {
    // The text is built from constants and integers computed by the core; every value from a
    // request (team, location) is bound.
    let text = sql::numbered_for_postgres(&statement.sql);
    // Not kept prepared on the connection: PostgreSQL plans a kept statement for the values at
    // hand five times, then switches to one generic plan if it looks no dearer, and for these
    // aggregates it is several times slower (quality over a year 22 → 395 ms, connections
    // 41 → 247 ms from the sixth run on, at 100,000 people). Planned afresh each time instead,
    // for a few milliseconds.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(text))
        .persistent(false)
        .bind(*org.as_uuid());
    for arg in &statement.args {
        query = match arg {
            Arg::Int(n) => query.bind(*n),
            Arg::Text(s) => query.bind(s.clone()),
        };
    }
    // Counting per helper or per person builds hash tables of 100,000 entries at full size,
    // which spill to disk in the default 4 MB (load over 12 weeks: 455 ms spilled, 135 ms in
    // memory). The setting lasts for this read-only transaction only.
    let mut tx = pool.begin().await.map_err(db_err)?;
    sqlx::query("SET LOCAL work_mem = '32MB'")
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    let rows = query.fetch_all(&mut *tx).await.map_err(db_err)?;
    tx.commit().await.map_err(db_err)?;
    Ok(rows)
}

pub(crate) fn count(row: &PgRow, column: &str) -> StoreResult<u64> {
    u64::try_from(int(row, column)?).map_err(|e| corrupt(column, e))
}

/// An integer column of whichever width the expression has (`count` is bigint, a literal or an
/// `integer` column is int4); NULL reads as 0.
pub(crate) fn int(row: &PgRow, column: &str) -> StoreResult<i64> {
    if let Ok(n) = row.try_get::<Option<i64>, _>(column) {
        return Ok(n.unwrap_or(0));
    }
    if let Ok(n) = row.try_get::<Option<i32>, _>(column) {
        return Ok(n.map_or(0, i64::from));
    }
    let n: Option<i16> = row.try_get(column).map_err(db_err)?;
    Ok(n.map_or(0, i64::from))
}

pub(crate) fn uuid(text: &str) -> StoreResult<uuid::Uuid> {
    uuid::Uuid::parse_str(text).map_err(|e| corrupt("id", e))
}

fn text(row: &PgRow, column: &str) -> StoreResult<Option<String>> {
    row.try_get(column).map_err(db_err)
}

fn skill_ref(row: &PgRow) -> StoreResult<SkillRef> {
    let id: String = row.try_get("id").map_err(db_err)?;
    Ok(SkillRef {
        id: SkillId(uuid(&id)?),
        name: row.try_get("name").map_err(db_err)?,
    })
}

#[async_trait]
impl InsightsStore for PgStore {
    async fn insights_timezone(&self, org: OrgId) -> StoreResult<Option<String>> {
        let text = sql::numbered_for_postgres(sql::TIMEZONE);
        sqlx::query_scalar(sqlx::AssertSqlSafe(text))
            .bind(*org.as_uuid())
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)
    }

    async fn insights_adoption(&self, org: OrgId, scope: &Scope) -> StoreResult<AdoptionRaw> {
        let mut groups = Vec::new();
        for row in fetch(&self.pool, org, &sql::adoption_groups(scope)).await? {
            groups.push(PeopleGroup {
                team: text(&row, "team")?,
                location: text(&row, "location")?,
                population: count(&row, "population")?,
                asked: count(&row, "asked")?,
                learned: count(&row, "learned")?,
                helped: count(&row, "helped")?,
                connected: count(&row, "connected")?,
                repeat: count(&row, "repeat")?,
            });
        }
        let mut first_connections = Vec::new();
        for row in fetch(&self.pool, org, &sql::first_connections(scope)).await? {
            let week = u32::try_from(int(&row, "week")?).map_err(|e| corrupt("week", e))?;
            first_connections.push((week, count(&row, "people")?));
        }
        first_connections.sort_unstable();
        Ok(AdoptionRaw {
            groups,
            first_connections,
        })
    }

    /// From the asks held in memory ([`crate::speed_facts`]), as on SQLite: exact distributions
    /// per skill and hour do not compress into rollups, and the statements took 1.6–9 s at
    /// 1,000,000 asks.
    async fn insights_speed(&self, org: OrgId, scope: &Scope) -> StoreResult<SpeedRaw> {
        let log = PgAskLog { pool: &self.pool };
        let totals = self
            .speed
            .totals(&log, org, scope, u64::from(sql::ASKERS_COUNTED_UP_TO))
            .await?;
        let names = skill_names(&self.pool, org).await?;
        Ok(speed_facts::named(totals, &names))
    }

    async fn insights_keep_current(&self) -> StoreResult<()> {
        let log = PgAskLog { pool: &self.pool };
        self.speed.keep_current(&log).await.map(|_| ())
    }

    async fn insights_quality(
        &self,
        org: OrgId,
        scope: &Scope,
        limit: u32,
    ) -> StoreResult<QualityRaw> {
        let mut raw = QualityRaw::default();
        for row in fetch(&self.pool, org, &sql::ratings(scope)).await? {
            let rating: Option<i32> = row.try_get("rating").map_err(db_err)?;
            match rating {
                None => raw.learners = count(&row, "learners")?,
                Some(r) => raw.ratings.push((
                    u8::try_from(r).map_err(|e| corrupt("rating", e))?,
                    count(&row, "n")?,
                    count(&row, "learners")?,
                )),
            }
        }
        raw.ratings.sort_unstable();
        for row in fetch(&self.pool, org, &sql::learned(scope, limit)).await? {
            raw.learned.push((
                skill_ref(&row)?,
                count(&row, "times")?,
                count(&row, "learners")?,
            ));
        }
        Ok(raw)
    }

    async fn insights_skills(&self, org: OrgId, scope: &Scope) -> StoreResult<Vec<SkillSupply>> {
        let mut rows = Vec::new();
        for row in fetch(&self.pool, org, &sql::skills(scope)).await? {
            rows.push(SkillSupply {
                skill: skill_ref(&row)?,
                asks: count(&row, "asks")?,
                askers: count(&row, "askers")?,
                answered: count(&row, "answered")?,
                unmet: count(&row, "unmet")?,
                holders: count(&row, "holders")?,
                helpers_to_date: count(&row, "helpers_to_date")?,
                new_helpers: count(&row, "new_helpers")?,
            });
        }
        rows.sort_by(|a, b| a.skill.cmp(&b.skill));
        Ok(rows)
    }

    async fn insights_connections(&self, org: OrgId, scope: &Scope) -> StoreResult<Vec<TeamLink>> {
        let team = |row: &PgRow, column: &str| -> StoreResult<Option<String>> {
            Ok(text(row, column)?.filter(|t| !t.is_empty()))
        };
        let extent = match_extent(&self.pool, org).await?;
        let mut links = Vec::new();
        for row in fetch(
            &self.pool,
            org,
            &sql::connections_for_postgres(scope, extent),
        )
        .await?
        {
            links.push(TeamLink {
                learner_team: team(&row, "learner_team")?,
                helper_team: team(&row, "helper_team")?,
                asks: count(&row, "asks")?,
                people: count(&row, "people")?,
            });
        }
        links.sort_by(|a, b| {
            (&a.learner_team, &a.helper_team).cmp(&(&b.learner_team, &b.helper_team))
        });
        Ok(links)
    }

    async fn insights_load(&self, org: OrgId, scope: &Scope, top: u32) -> StoreResult<LoadRaw> {
        let extent = match_extent(&self.pool, org).await?;
        let mut raw = LoadRaw::default();
        let mut ranked = Vec::new();
        for row in fetch(&self.pool, org, &sql::load_for_postgres(scope, top, extent)).await? {
            if int(&row, "kind")? == 0 {
                raw.helps_per_helper
                    .push((int(&row, "helps")?, count(&row, "helpers")?));
                continue;
            }
            let id: String = row.try_get("id").map_err(db_err)?;
            let helper = HelperLoad {
                person: PersonId(uuid(&id)?),
                name: row.try_get("name").map_err(db_err)?,
                team: text(&row, "team")?,
                helps: count(&row, "helps")?,
                offers: count(&row, "offers")?,
            };
            ranked.push((int(&row, "ord")?, helper));
        }
        raw.helps_per_helper.sort_unstable();
        ranked.sort_by_key(|(ord, _)| *ord);
        raw.top = ranked.into_iter().map(|(_, h)| h).collect();
        Ok(raw)
    }
}

/// The first and last match of the organisation, which decides how a range is read.
async fn match_extent(pool: &PgPool, org: OrgId) -> StoreResult<Option<(i64, i64)>> {
    let text = sql::numbered_for_postgres(sql::MATCH_EXTENT);
    let row: (Option<i64>, Option<i64>) = sqlx::query_as(sqlx::AssertSqlSafe(text))
        .bind(*org.as_uuid())
        .fetch_one(pool)
        .await
        .map_err(db_err)?;
    Ok(row.0.zip(row.1))
}

pub(crate) async fn skill_names(pool: &PgPool, org: OrgId) -> StoreResult<HashMap<String, String>> {
    let text = sql::numbered_for_postgres(sql::skill_names());
    let rows = sqlx::query(sqlx::AssertSqlSafe(text))
        .bind(*org.as_uuid())
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    let mut names = HashMap::new();
    for row in rows {
        names.insert(
            row.try_get("id").map_err(db_err)?,
            row.try_get("name").map_err(db_err)?,
        );
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use std::time::{SystemTime, UNIX_EPOCH};

    use sqlx::{Connection, PgConnection};

    use crate::PgStore;

    /// A store on a new database of the test server (`POSTGRES_TEST_URL`, else the local
    /// superuser), named like those of `tests/support`, whose clean-up drops it once idle.
    async fn fresh_store() -> PgStore {
        let server = std::env::var("POSTGRES_TEST_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        let mut admin = PgConnection::connect(&server).await.expect("PostgreSQL");
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let name = format!("askaround_test_{secs}_{}", uuid::Uuid::now_v7().simple());
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create test database");
        admin.close().await.expect("close");
        let (base, query) = server
            .split_once('?')
            .map_or((server.as_str(), None), |(b, q)| (b, Some(q)));
        let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
        let url = match query {
            Some(q) => format!("{base}/{name}?{q}"),
            None => format!("{base}/{name}"),
        };
        PgStore::connect(&url).await.expect("open store")
    }

    #[tokio::test]
    async fn insights_few_askers_stay_hidden_and_ranges_end_at_local_midnight() {
        let store = fresh_store().await;
        askaround_store::insights_checks::few_askers_stay_hidden_and_ranges_end_at_local_midnight(
            &store,
        )
        .await;
    }

    #[tokio::test]
    async fn insights_learners_are_exact_around_a_range_and_few_raters_stay_hidden() {
        let store = fresh_store().await;
        askaround_store::insights_checks::learners_are_exact_around_a_range_and_few_raters_stay_hidden(
            &store,
        )
        .await;
    }

    #[tokio::test]
    async fn insights_connections_follow_current_teams_and_ranges_read_either_way() {
        let store = fresh_store().await;
        askaround_store::insights_match_checks::connections_follow_current_teams_and_ranges_read_either_way(
            &store,
        )
        .await;
    }
}
