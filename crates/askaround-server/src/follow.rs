//! Following the other nodes: with a store that has a change feed (PostgreSQL), every node,
//! this one included, learns of writes from the feed, and this is the only way events reach
//! sockets and counted changes (offers, answers, help sessions) reach the matcher index. So each
//! event is pushed once and in id order whichever node wrote it, and each change is counted once.
//! (Values a request sets, such as a profile, its node also applies at once, so the next request
//! there sees them; the feed then sets them again, harmlessly.)
//!
//! The feed carries ids only and loses what is announced while it reconnects, so events are
//! always read from the events table after the last id delivered ("catch up"): on every
//! announcement, whenever this node stores events itself (without waiting for the round trip
//! through PostgreSQL), after every reconnection, and every few seconds as a safety net.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use uuid::Uuid;

use askaround_store::{Change, ChangeFeed, Store, StoreResult};

use crate::live::Hub;
use crate::routing::Routing;
use crate::routing::matchers::Matchers;
use crate::state::AppState;

/// Events read from the table at a time while catching up.
const PAGE: u32 = 1000;
/// Even without any announcement, look at the events table this often.
const SAFETY_NET: Duration = Duration::from_secs(10);
/// After a failed read, wait before trying again so a broken database is not hammered.
const BACKOFF: Duration = Duration::from_secs(1);

/// The follower's tasks; they stop when this is dropped.
pub struct Follower {
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Follower {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Starts following if the store has a change feed; `None` for a single-node store (SQLite),
/// where requests deliver events and update the index themselves.
pub async fn start(state: &AppState) -> StoreResult<Option<Follower>> {
    let Some(feed) = state.store.changes().await? else {
        return Ok(None);
    };
    // Subscribed first, then the starting point: anything stored after it is announced. Sockets
    // replay older events from the table themselves.
    let delivered = state.store.latest_event_id().await?;
    state.routing.matchers.join_nodes().await?;
    state.hub.follow_feed();
    state.routing.matchers.follow_feed();
    let (changes, queue) = mpsc::unbounded_channel();
    let tasks = vec![
        tokio::spawn(read_feed(feed, state.hub.clone(), changes)),
        tokio::spawn(deliver_events(
            state.store.clone(),
            state.hub.clone(),
            delivered,
        )),
        tokio::spawn(follow_index(state.routing.clone(), queue)),
        tokio::spawn({
            let routing = state.routing.clone();
            async move { routing.matchers.beat().await }
        }),
    ];
    Ok(Some(Follower { tasks }))
}

/// Sorts announcements: events wake the deliverer at once; the rest queue for the index, so a
/// slow index update never holds up live events.
async fn read_feed(mut feed: ChangeFeed, hub: Arc<Hub>, changes: mpsc::UnboundedSender<Change>) {
    while let Some(change) = feed.next().await {
        match change {
            Change::Events => hub.announce(),
            other => {
                if changes.send(other).is_err() {
                    return;
                }
            }
        }
    }
    tracing::warn!("change feed ended; this node no longer follows the others");
}

async fn deliver_events(store: Arc<dyn Store>, hub: Arc<Hub>, mut delivered: i64) {
    loop {
        // A timeout is no error: it is the safety net's turn.
        let _ = tokio::time::timeout(SAFETY_NET, hub.news()).await;
        loop {
            match store.events_since(delivered, PAGE).await {
                Ok(page) => {
                    if let Some(last) = page.last() {
                        delivered = last.id;
                    }
                    hub.push(&page);
                    if (page.len() as u32) < PAGE {
                        break;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "catching up on events failed; retrying");
                    tokio::time::sleep(BACKOFF).await;
                }
            }
        }
    }
}

/// Applies announced changes to the matcher index. Announcements that pile up while one is
/// applied are taken together, each distinct change once.
async fn follow_index(routing: Arc<Routing>, mut queue: mpsc::UnboundedReceiver<Change>) {
    let matchers: &Matchers = &routing.matchers;
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while let Ok(more) = queue.try_recv() {
            batch.push(more);
        }
        let mut seen = HashSet::new();
        for change in batch {
            if !seen.insert(key(&change)) {
                continue;
            }
            if let Err(e) = matchers.follow(&change).await {
                // The index may now lag the store: rebuild it on next use.
                tracing::warn!(error = %e, "matcher could not follow a change; rebuilding");
                if let Change::Person { org, .. } | Change::Ask { org, .. } | Change::Org { org } =
                    change
                {
                    matchers.invalidate(org);
                }
            }
        }
    }
}

fn key(change: &Change) -> (u8, Uuid, Uuid) {
    match change {
        Change::Events => (0, Uuid::nil(), Uuid::nil()),
        Change::Person { org, person } => (1, org.0, person.0),
        Change::Ask { org, ask } => (2, org.0, ask.0),
        Change::Org { org } => (3, org.0, Uuid::nil()),
    }
}
