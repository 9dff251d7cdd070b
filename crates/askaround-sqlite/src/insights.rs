//! Insights aggregates on SQLite: the shared statements of `askaround_store::insights::sql`,
//! run and decoded here.

use std::collections::HashMap;

use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

use askaround_core::ids::{OrgId, PersonId, SkillId};
use askaround_core::insights::Scope;
use askaround_core::insights::raw::{
    AdoptionRaw, HelperLoad, LoadRaw, PeopleGroup, QualityRaw, SkillRef, SkillSupply, SpeedRaw,
    TeamLink,
};
use askaround_store::insights_sql::{self as sql, Arg, Statement};
use askaround_store::speed_facts;
use askaround_store::{InsightsStore, StoreResult};

use crate::SqliteStore;
use crate::codec::{corrupt, db_err, uuid};
use crate::speed_facts::SqliteAskLog;

pub(crate) async fn fetch(
    pool: &SqlitePool,
    org: OrgId,
    statement: &Statement,
) -> StoreResult<Vec<SqliteRow>> {
    // The text is built from constants and integers computed by the core; every value from a
    // request (team, location) is bound.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(statement.sql.clone())).bind(org.to_string());
    for arg in &statement.args {
        query = match arg {
            Arg::Int(n) => query.bind(*n),
            Arg::Text(s) => query.bind(s.clone()),
        };
    }
    query.fetch_all(pool).await.map_err(db_err)
}

pub(crate) fn count(row: &SqliteRow, column: &str) -> StoreResult<u64> {
    let n: Option<i64> = row.try_get(column).map_err(db_err)?;
    u64::try_from(n.unwrap_or(0)).map_err(|e| corrupt(column, e))
}

pub(crate) fn int(row: &SqliteRow, column: &str) -> StoreResult<i64> {
    let n: Option<i64> = row.try_get(column).map_err(db_err)?;
    Ok(n.unwrap_or(0))
}

fn text(row: &SqliteRow, column: &str) -> StoreResult<Option<String>> {
    row.try_get(column).map_err(db_err)
}

fn skill_ref(row: &SqliteRow) -> StoreResult<SkillRef> {
    let id: String = row.try_get("id").map_err(db_err)?;
    Ok(SkillRef {
        id: SkillId(uuid(&id)?),
        name: row.try_get("name").map_err(db_err)?,
    })
}

#[async_trait]
impl InsightsStore for SqliteStore {
    async fn insights_timezone(&self, org: OrgId) -> StoreResult<Option<String>> {
        sqlx::query_scalar(sql::TIMEZONE)
            .bind(org.to_string())
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

    /// From the asks held in memory ([`crate::speed_facts`]): exact distributions per skill and
    /// hour do not compress into rollups, and one pass over them in memory beats reading them.
    async fn insights_speed(&self, org: OrgId, scope: &Scope) -> StoreResult<SpeedRaw> {
        let totals = self
            .speed
            .totals(
                &SqliteAskLog { pool: &self.pool },
                org,
                scope,
                u64::from(sql::ASKERS_COUNTED_UP_TO),
            )
            .await?;
        let names = skill_names(&self.pool, org).await?;
        Ok(speed_facts::named(totals, &names))
    }

    async fn insights_keep_current(&self) -> StoreResult<()> {
        self.speed
            .keep_current(&SqliteAskLog { pool: &self.pool })
            .await
            .map(|_| ())
    }

    async fn insights_quality(
        &self,
        org: OrgId,
        scope: &Scope,
        limit: u32,
    ) -> StoreResult<QualityRaw> {
        let mut raw = QualityRaw::default();
        for row in fetch(&self.pool, org, &sql::ratings(scope)).await? {
            let rating: Option<i64> = row.try_get("rating").map_err(db_err)?;
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
        let team = |row: &SqliteRow, column: &str| -> StoreResult<Option<String>> {
            Ok(text(row, column)?.filter(|t| !t.is_empty()))
        };
        let extent = match_extent(&self.pool, org).await?;
        let mut links = Vec::new();
        for row in fetch(&self.pool, org, &sql::connections(scope, extent)).await? {
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
        for row in fetch(&self.pool, org, &sql::load(scope, top, extent)).await? {
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
async fn match_extent(pool: &SqlitePool, org: OrgId) -> StoreResult<Option<(i64, i64)>> {
    let row: (Option<i64>, Option<i64>) = sqlx::query_as(sql::MATCH_EXTENT)
        .bind(org.to_string())
        .fetch_one(pool)
        .await
        .map_err(db_err)?;
    Ok(row.0.zip(row.1))
}

pub(crate) async fn skill_names(
    pool: &SqlitePool,
    org: OrgId,
) -> StoreResult<HashMap<String, String>> {
    let rows = sqlx::query(sql::skill_names())
        .bind(org.to_string())
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
    use crate::SqliteStore;

    async fn fresh_store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("askaround.db").display());
        let store = SqliteStore::connect(&url).await.expect("open store");
        (dir, store)
    }

    #[tokio::test]
    async fn insights_few_askers_stay_hidden_and_ranges_end_at_local_midnight() {
        let (_dir, store) = fresh_store().await;
        askaround_store::insights_checks::few_askers_stay_hidden_and_ranges_end_at_local_midnight(
            &store,
        )
        .await;
    }

    #[tokio::test]
    async fn insights_learners_are_exact_around_a_range_and_few_raters_stay_hidden() {
        let (_dir, store) = fresh_store().await;
        askaround_store::insights_checks::learners_are_exact_around_a_range_and_few_raters_stay_hidden(
            &store,
        )
        .await;
    }

    #[tokio::test]
    async fn insights_connections_follow_current_teams_and_ranges_read_either_way() {
        let (_dir, store) = fresh_store().await;
        askaround_store::insights_match_checks::connections_follow_current_teams_and_ranges_read_either_way(
            &store,
        )
        .await;
    }
}
