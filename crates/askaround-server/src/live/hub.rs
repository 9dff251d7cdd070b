//! Who is connected on this node, and a bounded queue per socket.
//!
//! A socket that does not keep up has its queue filled; it is then dropped from the hub (the
//! socket task closes it with code 4008) instead of letting memory grow without bound. The client
//! reconnects and catches up from the events table.
//!
//! With several nodes (a store with a change feed), events reach sockets only through the
//! follower (`crate::follow`), which reads them from the events table in id order, whichever node
//! wrote them. A node's own commits then merely wake the follower: pushing them directly too would
//! deliver them out of order with other nodes' events, and a socket skips ids below the last it
//! sent, so an event could be skipped for good.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{Notify, mpsc};

use askaround_core::ids::PersonId;
use askaround_store::EventRecord;

/// Events a socket may have queued before it counts as too slow.
pub const QUEUE: usize = 256;

pub type EventSender = mpsc::Sender<Arc<EventRecord>>;
pub type EventReceiver = mpsc::Receiver<Arc<EventRecord>>;

#[derive(Default)]
pub struct Hub {
    sockets: Mutex<HashMap<PersonId, Vec<(u64, EventSender)>>>,
    next: AtomicU64,
    /// Set when a follower delivers every event (see the module comment).
    followed: AtomicBool,
    /// Wakes the follower: this node stored events.
    news: Notify,
}

impl Hub {
    /// Registers a socket of `person`; returns its handle and its queue.
    pub fn connect(&self, person: PersonId) -> (u64, EventReceiver) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut sockets) = self.sockets.lock() {
            sockets.entry(person).or_default().push((id, tx));
        }
        (id, rx)
    }

    pub fn disconnect(&self, person: PersonId, id: u64) {
        if let Ok(mut sockets) = self.sockets.lock()
            && let Some(list) = sockets.get_mut(&person)
        {
            list.retain(|(i, _)| *i != id);
            if list.is_empty() {
                sockets.remove(&person);
            }
        }
    }

    /// Events this node just stored: queued for their recipients' sockets at once, or, when a
    /// follower delivers every event, handed to it to deliver in order with other nodes' events.
    pub fn deliver(&self, events: &[EventRecord]) {
        if events.is_empty() {
            return;
        }
        if self.followed.load(Ordering::Acquire) {
            self.news.notify_one();
        } else {
            self.push(events);
        }
    }

    /// From now on the follower delivers every event; [`Self::deliver`] only wakes it.
    pub(crate) fn follow_feed(&self) {
        self.followed.store(true, Ordering::Release);
    }

    /// Resolves once this node stored events since the last call (or the feed announced some).
    pub(crate) async fn news(&self) {
        self.news.notified().await;
    }

    /// Someone (the change feed) says events were stored: wake the follower.
    pub(crate) fn announce(&self) {
        self.news.notify_one();
    }

    /// Queues each event for its recipient's sockets on this node.
    pub(crate) fn push(&self, events: &[EventRecord]) {
        let Ok(mut sockets) = self.sockets.lock() else {
            return;
        };
        for event in events {
            let Some(list) = sockets.get_mut(&event.person_id) else {
                continue;
            };
            let shared = Arc::new(event.clone());
            list.retain(|(_, tx)| match tx.try_send(shared.clone()) {
                Ok(()) => true,
                // Full: too slow; Closed: already gone. Either way, forget this socket.
                Err(_) => false,
            });
            if list.is_empty() {
                sockets.remove(&event.person_id);
            }
        }
    }

    /// Whether the person has an open socket on this node.
    pub fn is_connected(&self, person: PersonId) -> bool {
        self.sockets.lock().is_ok_and(|s| s.contains_key(&person))
    }

    pub fn connections(&self) -> usize {
        self.sockets
            .lock()
            .map_or(0, |s| s.values().map(Vec::len).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use askaround_core::ids::OrgId;
    use jiff::Timestamp;

    fn event(id: i64, person: PersonId) -> EventRecord {
        EventRecord {
            id,
            org_id: OrgId::generate(),
            person_id: person,
            kind: "test".into(),
            data: "{}".into(),
            at: Timestamp::UNIX_EPOCH,
        }
    }

    #[tokio::test]
    async fn events_reach_only_their_recipient() {
        let hub = Hub::default();
        let (ann, bob) = (PersonId::generate(), PersonId::generate());
        let (_, mut ann_rx) = hub.connect(ann);
        let (_, mut bob_rx) = hub.connect(bob);
        hub.deliver(&[event(1, ann)]);
        assert_eq!(ann_rx.recv().await.map(|e| e.id), Some(1));
        assert!(bob_rx.try_recv().is_err());
        assert!(hub.is_connected(ann));
    }

    #[tokio::test]
    async fn a_socket_that_falls_behind_is_dropped_not_buffered_forever() {
        let hub = Hub::default();
        let ann = PersonId::generate();
        let (_, mut rx) = hub.connect(ann);
        let flood: Vec<EventRecord> = (0..(QUEUE as i64 + 10)).map(|i| event(i, ann)).collect();
        hub.deliver(&flood);
        assert!(!hub.is_connected(ann), "dropped from the hub");
        let mut received = 0;
        while rx.recv().await.is_some() {
            received += 1;
        }
        assert_eq!(
            received, QUEUE,
            "what was queued drains, then the queue ends"
        );
    }

    #[tokio::test]
    async fn with_a_follower_own_events_only_wake_it() {
        let hub = Hub::default();
        let ann = PersonId::generate();
        let (_, mut rx) = hub.connect(ann);
        hub.follow_feed();
        hub.deliver(&[event(1, ann)]);
        assert!(rx.try_recv().is_err(), "not pushed past the follower");
        hub.news().await;
        hub.push(&[event(1, ann)]);
        assert_eq!(rx.recv().await.map(|e| e.id), Some(1));
    }

    #[test]
    fn disconnecting_forgets_the_socket() {
        let hub = Hub::default();
        let ann = PersonId::generate();
        let (a, _rx1) = hub.connect(ann);
        let (_b, _rx2) = hub.connect(ann);
        assert_eq!(hub.connections(), 2);
        hub.disconnect(ann, a);
        assert_eq!(hub.connections(), 1);
    }
}
