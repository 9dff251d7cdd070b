//! What the matcher's in-memory index is built from: people, the help they gave, their recent
//! offers and declines.

use std::collections::HashMap;

use jiff::Timestamp;
use sqlx::PgConnection;
use sqlx::postgres::PgRow;
use uuid::Uuid;

use askaround_core::ids::{OrgId, PersonId, SkillId};
use askaround_core::matching::{Decline, HelpEvidence, Responsiveness};
use askaround_store::{MatcherSnapshot, OfferLoad, StoreResult};

use crate::codec::{count, db_err, get, millis, timestamp};
use crate::people::all_profiles;

pub async fn snapshot(
    conn: &mut PgConnection,
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

fn person(row: &PgRow, column: &str) -> StoreResult<PersonId> {
    Ok(PersonId(get(row, column)?))
}

/// Every resolved ask is evidence for its helper: what was asked, the skills it was about (as
/// tagged, as learned, as the helper confirmed) and the learner's rating.
async fn evidence(
    conn: &mut PgConnection,
    org: OrgId,
) -> StoreResult<Vec<(PersonId, HelpEvidence)>> {
    let mut skills: HashMap<Uuid, Vec<SkillId>> = HashMap::new();
    for sql in [
        "SELECT s.ask_id, s.skill_id FROM ask_skills s JOIN asks a ON a.id = s.ask_id WHERE a.org_id = $1 AND a.state = 'resolved'",
        "SELECT s.ask_id, s.skill_id FROM learned_skills s JOIN asks a ON a.id = s.ask_id WHERE a.org_id = $1 AND a.state = 'resolved'",
        "SELECT s.ask_id, s.skill_id FROM helped_topics s JOIN asks a ON a.id = s.ask_id WHERE a.org_id = $1 AND a.state = 'resolved'",
    ] {
        let rows = sqlx::query(sql)
            .bind(org.0)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?;
        for row in &rows {
            let skill = SkillId(get(row, "skill_id")?);
            let list = skills.entry(get(row, "ask_id")?).or_default();
            if !list.contains(&skill) {
                list.push(skill);
            }
        }
    }
    // NULLS FIRST: SQLite's order, where NULL sorts below every value.
    let rows = sqlx::query(
        "SELECT a.id, a.helper_id, a.asker_id, a.text, a.closed_at, f.rating FROM asks a \
         LEFT JOIN feedback f ON f.ask_id = a.id \
         WHERE a.org_id = $1 AND a.state = 'resolved' AND a.helper_id IS NOT NULL \
         ORDER BY a.closed_at NULLS FIRST",
    )
    .bind(org.0)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|row| {
            let id: Uuid = get(row, "id")?;
            let rating: Option<i32> = get(row, "rating")?;
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
    conn: &mut PgConnection,
    org: OrgId,
    since_day: Timestamp,
    since_week: Timestamp,
    people: Option<&[PersonId]>,
) -> StoreResult<Vec<(PersonId, OfferLoad)>> {
    let people: Option<Vec<Uuid>> = people.map(|p| p.iter().map(|id| id.0).collect());
    let rows = sqlx::query(
        "SELECT helper_id, \
           COUNT(*) FILTER (WHERE sent_at >= $1) AS last_day, \
           COUNT(*) FILTER (WHERE sent_at >= $2) AS last_week, \
           COUNT(*) AS offers, \
           COUNT(*) FILTER (WHERE state = 'accepted') AS accepted, \
           COUNT(*) FILTER (WHERE state = 'expired') AS ignored \
         FROM offers WHERE org_id = $3 AND ($4::uuid[] IS NULL OR helper_id = ANY($4)) \
         GROUP BY helper_id",
    )
    .bind(millis(since_day))
    .bind(millis(since_week))
    .bind(org.0)
    .bind(&people)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let answer_times = answer_times(conn, org, people.as_deref()).await?;
    rows.iter()
        .map(|row| {
            let helper = person(row, "helper_id")?;
            Ok((
                helper,
                OfferLoad {
                    last_day: u16::try_from(count(row, "last_day")?).unwrap_or(u16::MAX),
                    last_week: u16::try_from(count(row, "last_week")?).unwrap_or(u16::MAX),
                    responsiveness: Responsiveness {
                        offers: count(row, "offers")?,
                        accepted: count(row, "accepted")?,
                        ignored: count(row, "ignored")?,
                        median_answer_secs: answer_times.get(&helper).copied(),
                    },
                },
            ))
        })
        .collect()
}

/// Median seconds from offer to accept, per helper: the middle one, or of two the later (as on
/// SQLite), computed in the database instead of shipping every accepted offer to the node.
async fn answer_times(
    conn: &mut PgConnection,
    org: OrgId,
    people: Option<&[Uuid]>,
) -> StoreResult<HashMap<PersonId, u32>> {
    let rows = sqlx::query(
        "SELECT helper_id, took FROM ( \
           SELECT helper_id, closed_at - sent_at AS took, \
             row_number() OVER (PARTITION BY helper_id ORDER BY closed_at - sent_at) - 1 AS i, \
             COUNT(*) OVER (PARTITION BY helper_id) AS n \
           FROM offers WHERE org_id = $1 AND state = 'accepted' AND closed_at IS NOT NULL \
             AND ($2::uuid[] IS NULL OR helper_id = ANY($2))) AS times \
         WHERE i = n / 2",
    )
    .bind(org.0)
    .bind(people)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|row| {
            let took: i64 = get(row, "took")?;
            let secs = took.max(0) / 1000;
            Ok((
                person(row, "helper_id")?,
                u32::try_from(secs).unwrap_or(u32::MAX),
            ))
        })
        .collect()
}

async fn declines(
    conn: &mut PgConnection,
    org: OrgId,
    since: Timestamp,
) -> StoreResult<Vec<(PersonId, Decline)>> {
    let rows = sqlx::query(
        "SELECT helper_id, asker_id, closed_at FROM offers \
         WHERE org_id = $1 AND state = 'declined' AND closed_at >= $2",
    )
    .bind(org.0)
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
