//! Everything a transition writes besides the ask itself, in the ask's transaction: timers,
//! matcher jobs, the conversation on a match, ignored streaks and snoozes, offer reasons,
//! feedback, and last the live events.

use jiff::Timestamp;
use sqlx::{Postgres, Transaction};

use askaround_core::asks::Ask;
use askaround_core::ids::OrgId;
use askaround_store::{Committed, MatcherJob, Outbox, StoreResult};

use crate::codec::{db_err, millis};
use crate::dispatch::timer_text;
use crate::{events, feedback};

pub async fn write(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    ask: &Ask,
    outbox: &Outbox,
    now: Timestamp,
) -> StoreResult<Committed> {
    let ask_id = ask.id.0;
    for timer in &outbox.unschedule {
        sqlx::query("DELETE FROM timers WHERE ask_id = $1 AND timer = $2")
            .bind(ask_id)
            .bind(timer_text(*timer))
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    for (timer, due_at) in &outbox.schedule {
        // A rescheduled timer starts afresh: any lease on its old deadline is void.
        sqlx::query(
            "INSERT INTO timers (ask_id, timer, org_id, due_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (ask_id, timer) DO UPDATE SET org_id = excluded.org_id, \
             due_at = excluded.due_at, lease_until = NULL",
        )
        .bind(ask_id)
        .bind(timer_text(*timer))
        .bind(org.0)
        .bind(millis(*due_at))
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    if let Some(job) = outbox.done_job {
        sqlx::query("DELETE FROM jobs WHERE id = $1")
            .bind(job)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    let mut job = None;
    if let Some(wave) = outbox.find_candidates {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO jobs (org_id, ask_id, wave, created_at, lease_until) VALUES ($1, $2, $3, $4, $5) \
             RETURNING id",
        )
        .bind(org.0)
        .bind(ask_id)
        .bind(i32::try_from(wave).unwrap_or(i32::MAX))
        .bind(millis(now))
        .bind(outbox.job_lease_until.map(millis))
        .fetch_one(&mut **tx)
        .await
        .map_err(db_err)?;
        job = Some(MatcherJob {
            id,
            org_id: org,
            ask_id: ask.id,
            wave,
        });
    }
    if let Some(conversation) = &outbox.open_conversation {
        sqlx::query(
            "INSERT INTO conversations (id, org_id, ask_id, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(conversation.id.0)
        .bind(org.0)
        .bind(ask_id)
        .bind(millis(now))
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
        sqlx::query(
            "INSERT INTO participants (conversation_id, person_id, role, added_by, added_at) \
             SELECT c.id, p.person_id, p.role, NULL, $3 FROM conversations c \
             CROSS JOIN UNNEST($1::uuid[], $2::text[]) AS p(person_id, role) \
             WHERE c.ask_id = $4 ON CONFLICT DO NOTHING",
        )
        .bind([conversation.learner.0, conversation.helper.0])
        .bind(["learner", "helper"])
        .bind(millis(now))
        .bind(ask_id)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    let mut snoozed = Vec::new();
    for (person, ignored) in &outbox.responses {
        let streak: Option<i32> = sqlx::query_scalar(
            "UPDATE people SET ignored_in_a_row = CASE WHEN $1 THEN ignored_in_a_row + 1 ELSE 0 END \
             WHERE id = $2 AND org_id = $3 RETURNING ignored_in_a_row",
        )
        .bind(*ignored)
        .bind(person.0)
        .bind(org.0)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?;
        if outbox.snooze_after > 0
            && streak.is_some_and(|s| i64::from(s) >= i64::from(outbox.snooze_after))
        {
            sqlx::query(
                "UPDATE people SET presence = 'dnd', ignored_in_a_row = 0, updated_at = $1 WHERE id = $2",
            )
            .bind(millis(now))
            .bind(person.0)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
            snoozed.push(*person);
        }
    }
    for (offer, why) in &outbox.offer_reasons {
        sqlx::query("UPDATE offers SET why = $1 WHERE id = $2 AND ask_id = $3")
            .bind(why)
            .bind(offer.0)
            .bind(ask_id)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    if let Some(new) = &outbox.feedback {
        feedback::write(tx, org, ask.id, new, now).await?;
    }
    // Last: appending holds the organisation's events turn until commit.
    let events = events::append(tx, org, &outbox.events, now).await?;
    Ok(Committed {
        events,
        snoozed,
        job,
    })
}
