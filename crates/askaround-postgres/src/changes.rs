//! The change feed between nodes: every write transaction that another node must follow
//! announces itself with `pg_notify` on one channel, and each node LISTENs to it.
//!
//! A notification is delivered only if its transaction commits, and carries ids only (an event,
//! a person, an ask, an organisation); followers read the rows themselves. Notifications sent while
//! a listener is reconnecting are lost, so after every reconnection the feed yields
//! [`Change::Events`]: the follower catches up from the events table rather than trusting the
//! feed alone. It then yields [`Change::Org`] for every organisation, since which people and asks
//! changed meanwhile cannot be known: followers reload what they hold.

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::stream;
use sqlx::postgres::PgListener;
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use askaround_core::ids::{AskId, OrgId, PersonId};
use askaround_store::{Change, ChangeFeed, StoreResult};

use crate::codec::db_err;

const CHANNEL: &str = "askaround_changes";

/// How long to wait before trying again when PostgreSQL cannot be reached.
const RETRY: Duration = Duration::from_secs(1);

fn payload(change: &Change) -> String {
    match change {
        Change::Events => "events".to_owned(),
        Change::Person { org, person } => format!("person:{org}:{person}"),
        Change::Ask { org, ask } => format!("ask:{org}:{ask}"),
        Change::Org { org } => format!("org:{org}"),
    }
}

fn parse(payload: &str) -> Option<Change> {
    let mut parts = payload.split(':');
    let kind = parts.next()?;
    let mut id = || parts.next().and_then(|p| Uuid::parse_str(p).ok());
    let change = match kind {
        "events" => Change::Events,
        "person" => Change::Person {
            org: OrgId(id()?),
            person: PersonId(id()?),
        },
        "ask" => Change::Ask {
            org: OrgId(id()?),
            ask: AskId(id()?),
        },
        "org" => Change::Org { org: OrgId(id()?) },
        _ => return None,
    };
    Some(change)
}

/// Announces `changes` when (and only if) `tx` commits. PostgreSQL folds identical
/// notifications of one transaction into one.
pub async fn announce(tx: &mut Transaction<'_, Postgres>, changes: &[Change]) -> StoreResult<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let payloads: Vec<String> = changes.iter().map(payload).collect();
    sqlx::query("SELECT pg_notify($1, p) FROM UNNEST($2::text[]) AS p")
        .bind(CHANNEL)
        .bind(&payloads)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

struct Listening {
    pool: PgPool,
    /// `None` after an error: the next turn starts a new listener.
    listener: Option<PgListener>,
    /// Changes to yield before listening again (after a reconnection).
    pending: VecDeque<Change>,
}

/// What a follower must assume changed while the feed was away: events, and every organisation.
async fn missed(pool: &PgPool) -> VecDeque<Change> {
    let mut missed = VecDeque::from([Change::Events]);
    match sqlx::query_scalar::<_, Uuid>("SELECT id FROM orgs")
        .fetch_all(pool)
        .await
    {
        Ok(orgs) => missed.extend(orgs.into_iter().map(|id| Change::Org { org: OrgId(id) })),
        // The listener just reconnected, so this is unlikely; if the connection broke again the
        // next reconnection announces every organisation anyway.
        Err(e) => tracing::warn!(error = %e, "change feed: cannot list organisations"),
    }
    missed
}

async fn listen(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Every change any node announces from now on, this one's included. The feed holds one of the
/// pool's connections, and ends when the pool is closed.
pub async fn feed(pool: &PgPool) -> StoreResult<ChangeFeed> {
    let start = Listening {
        pool: pool.clone(),
        listener: Some(listen(pool).await.map_err(db_err)?),
        pending: VecDeque::new(),
    };
    Ok(Box::pin(stream::unfold(start, |mut state| async move {
        loop {
            if let Some(change) = state.pending.pop_front() {
                return Some((change, state));
            }
            if state.listener.is_none() {
                match listen(&state.pool).await {
                    Ok(listener) => {
                        state.listener = Some(listener);
                        // Back: catch up on whatever was announced while away.
                        state.pending = missed(&state.pool).await;
                        continue;
                    }
                    Err(sqlx::Error::PoolClosed) => return None,
                    Err(e) => {
                        tracing::warn!(error = %e, "change feed: PostgreSQL unreachable, retrying");
                        tokio::time::sleep(RETRY).await;
                        continue;
                    }
                }
            }
            let Some(listener) = state.listener.as_mut() else {
                continue;
            };
            match listener.try_recv().await {
                Ok(Some(notification)) => match parse(notification.payload()) {
                    Some(change) => return Some((change, state)),
                    None => tracing::warn!(
                        payload = notification.payload(),
                        "change feed: unknown notification"
                    ),
                },
                // Lost and already reconnected: whatever was sent meanwhile is gone.
                Ok(None) => state.pending = missed(&state.pool).await,
                Err(sqlx::Error::PoolClosed) => return None,
                Err(e) => {
                    tracing::warn!(error = %e, "change feed: connection lost");
                    state.listener = None;
                }
            }
        }
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_read_back_as_the_change_they_announce() {
        let org = OrgId::generate();
        for change in [
            Change::Events,
            Change::Person {
                org,
                person: PersonId::generate(),
            },
            Change::Ask {
                org,
                ask: AskId::generate(),
            },
            Change::Org { org },
        ] {
            assert_eq!(parse(&payload(&change)), Some(change));
        }
        assert_eq!(parse("person:not-a-uuid"), None);
        assert_eq!(parse("something:else"), None);
    }
}
