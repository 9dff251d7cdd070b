//! What the matcher's in-memory index is built from: people, the help they gave, their recent
//! offers and declines.

use std::collections::HashMap;

use jiff::Timestamp;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use askaround_core::ids::{OrgId, PersonId, SkillId};
use askaround_core::matching::{Decline, HelpEvidence, Responsiveness};
use askaround_store::{MatcherSnapshot, OfferLoad, StoreResult};

use crate::codec::{db_err, get, millis, timestamp, uuid};
use crate::people::all_profiles;

pub async fn snapshot(
    conn: &mut SqliteConnection,
    org: OrgId,
    since_day: Timestamp,
    since_week: Timestamp,
    declines_since: Timestamp,
) -> StoreResult<MatcherSnapshot> {
    Ok(MatcherSnapshot {
        profiles: all_profiles(conn, org).await?,
        evidence: evidence(conn, org).await?,
        load: load(conn, org, since_day, since_week, None).await?,
        declines: declines(conn, org, declines_since).await?,
    })
}

fn person(row: &sqlx::sqlite::SqliteRow, column: &str) -> StoreResult<PersonId> {
    Ok(PersonId(uuid(&get::<String>(row, column)?)?))
}

/// Every resolved ask is evidence for its helper: what was asked, the skills it was about (as
/// tagged, as learned, as the helper confirmed) and the learner's rating.
async fn evidence(
    conn: &mut SqliteConnection,
    org: OrgId,
) -> StoreResult<Vec<(PersonId, HelpEvidence)>> {
    let mut skills: HashMap<String, Vec<SkillId>> = HashMap::new();
    for sql in [
        "SELECT s.ask_id, s.skill_id FROM ask_skills s JOIN asks a ON a.id = s.ask_id WHERE a.org_id = ? AND a.state = 'resolved'",
        "SELECT s.ask_id, s.skill_id FROM learned_skills s JOIN asks a ON a.id = s.ask_id WHERE a.org_id = ? AND a.state = 'resolved'",
        "SELECT s.ask_id, s.skill_id FROM helped_topics s JOIN asks a ON a.id = s.ask_id WHERE a.org_id = ? AND a.state = 'resolved'",
    ] {
        let rows = sqlx::query(sql)
            .bind(org.to_string())
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?;
        for row in &rows {
            let skill = SkillId(uuid(&get::<String>(row, "skill_id")?)?);
            let list = skills.entry(get(row, "ask_id")?).or_default();
            if !list.contains(&skill) {
                list.push(skill);
            }
        }
    }
    let rows = sqlx::query(
        "SELECT a.id, a.helper_id, a.asker_id, a.text, a.closed_at, f.rating FROM asks a \
         LEFT JOIN feedback f ON f.ask_id = a.id \
         WHERE a.org_id = ? AND a.state = 'resolved' AND a.helper_id IS NOT NULL ORDER BY a.closed_at",
    )
    .bind(org.to_string())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|row| {
            let id: String = get(row, "id")?;
            let rating: Option<i64> = get(row, "rating")?;
            let closed: Option<i64> = get(row, "closed_at")?;
            Ok((
                person(row, "helper_id")?,
                HelpEvidence {
                    learner: person(row, "asker_id")?,
                    text: get(row, "text")?,
                    skills: skills.remove(&id).unwrap_or_default(),
                    rating: rating.and_then(|r| u8::try_from(r).ok()),
                    at: timestamp(closed.unwrap_or(0))?,
                },
            ))
        })
        .collect()
}

/// Recent offers and the answer record of everyone (`people` = `None`) or of some people.
pub async fn load(
    conn: &mut SqliteConnection,
    org: OrgId,
    since_day: Timestamp,
    since_week: Timestamp,
    people: Option<&[PersonId]>,
) -> StoreResult<Vec<(PersonId, OfferLoad)>> {
    let mut q = QueryBuilder::<Sqlite>::new("SELECT helper_id, SUM(CASE WHEN sent_at >= ");
    q.push_bind(millis(since_day))
        .push(" THEN 1 ELSE 0 END) AS last_day, SUM(CASE WHEN sent_at >= ")
        .push_bind(millis(since_week))
        .push(
            " THEN 1 ELSE 0 END) AS last_week, COUNT(*) AS offers, \
             SUM(CASE WHEN state = 'accepted' THEN 1 ELSE 0 END) AS accepted, \
             SUM(CASE WHEN state = 'expired' THEN 1 ELSE 0 END) AS ignored \
             FROM offers WHERE org_id = ",
        )
        .push_bind(org.to_string());
    push_people(&mut q, people);
    q.push(" GROUP BY helper_id");
    let rows = q.build().fetch_all(&mut *conn).await.map_err(db_err)?;
    let answer_times = answer_times(conn, org, people).await?;
    rows.iter()
        .map(|row| {
            let helper = person(row, "helper_id")?;
            let count = |column: &str| -> StoreResult<u32> {
                let n: i64 = get(row, column)?;
                Ok(u32::try_from(n).unwrap_or(u32::MAX))
            };
            Ok((
                helper,
                OfferLoad {
                    last_day: u16::try_from(count("last_day")?).unwrap_or(u16::MAX),
                    last_week: u16::try_from(count("last_week")?).unwrap_or(u16::MAX),
                    responsiveness: Responsiveness {
                        offers: count("offers")?,
                        accepted: count("accepted")?,
                        ignored: count("ignored")?,
                        median_answer_secs: answer_times.get(&helper).copied(),
                    },
                },
            ))
        })
        .collect()
}

fn push_people(q: &mut QueryBuilder<Sqlite>, people: Option<&[PersonId]>) {
    if let Some(people) = people {
        q.push(" AND helper_id IN (");
        let mut list = q.separated(", ");
        for p in people {
            list.push_bind(p.to_string());
        }
        list.push_unseparated(")");
    }
}

/// Median seconds from offer to accept, per helper.
async fn answer_times(
    conn: &mut SqliteConnection,
    org: OrgId,
    people: Option<&[PersonId]>,
) -> StoreResult<HashMap<PersonId, u32>> {
    let mut q = QueryBuilder::<Sqlite>::new(
        "SELECT helper_id, closed_at - sent_at AS took FROM offers \
         WHERE state = 'accepted' AND closed_at IS NOT NULL AND org_id = ",
    );
    q.push_bind(org.to_string());
    push_people(&mut q, people);
    let rows = q.build().fetch_all(&mut *conn).await.map_err(db_err)?;
    let mut times: HashMap<PersonId, Vec<i64>> = HashMap::new();
    for row in &rows {
        times
            .entry(person(row, "helper_id")?)
            .or_default()
            .push(get(row, "took")?);
    }
    Ok(times
        .into_iter()
        .map(|(helper, mut ms)| {
            ms.sort_unstable();
            let median = ms[ms.len() / 2].max(0) / 1000;
            (helper, u32::try_from(median).unwrap_or(u32::MAX))
        })
        .collect())
}

async fn declines(
    conn: &mut SqliteConnection,
    org: OrgId,
    since: Timestamp,
) -> StoreResult<Vec<(PersonId, Decline)>> {
    let rows = sqlx::query(
        "SELECT helper_id, asker_id, closed_at FROM offers \
         WHERE org_id = ? AND state = 'declined' AND closed_at >= ?",
    )
    .bind(org.to_string())
    .bind(millis(since))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|row| {
            let at: i64 = get(row, "closed_at")?;
            Ok((
                person(row, "helper_id")?,
                Decline {
                    asker: person(row, "asker_id")?,
                    at: timestamp(at)?,
                },
            ))
        })
        .collect()
}
