//! What PostgreSQL adds over SQLite's single writer: several nodes (processes with their own
//! connection pools, here two `PgStore`s) writing at once. Each test lines its writers up so
//! that they really do collide.

mod support;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use jiff::SignedDuration;
use tokio::sync::Barrier;

use askaround_core::asks::{self, Ask, Candidate, Event, HelpMode, NewAsk, RoutingPolicy, Timer};
use askaround_core::ids::{AskId, OfferId, OrgId, PersonId};
use askaround_core::matching::Urgency;
use askaround_postgres::PgStore;
use askaround_store::{Change, CreatedAsk, NewEvent, Outbox, Store, StoreError};

use support::{fresh_database, org, person, t0};

const LEASE: SignedDuration = SignedDuration::from_secs(30);

/// Two nodes on one fresh database.
async fn two_nodes() -> (PgStore, PgStore) {
    let url = fresh_database().await;
    let a = PgStore::connect(&url).await.expect("node a");
    let b = PgStore::connect(&url).await.expect("node b");
    (a, b)
}

fn new_ask(asker: PersonId, text: &str) -> Ask {
    let new = NewAsk::parse(text, vec![], Urgency::Now, HelpMode::Chat).expect("valid ask");
    asks::create(AskId::generate(), asker, new, t0()).ask
}

/// `count` asks, each stored with `outbox`.
async fn asks_with(store: &PgStore, org: OrgId, asker: PersonId, count: usize, outbox: &Outbox) {
    for i in 0..count {
        let ask = new_ask(asker, &format!("question number {i}"));
        store
            .create_ask(org, &ask, None, outbox, t0())
            .await
            .expect("create ask");
    }
}

/// Runs `claim` on `workers` tasks spread over both nodes until each finds nothing left, and
/// returns everything claimed.
async fn claim_everything<T, F, Fut>(nodes: [&PgStore; 2], workers: usize, claim: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(PgStore) -> Fut + Send + Sync + Copy + 'static,
    Fut: std::future::Future<Output = Vec<T>> + Send,
{
    let start = Arc::new(Barrier::new(workers));
    let tasks: Vec<_> = (0..workers)
        .map(|w| {
            let node = nodes[w % 2].clone();
            let start = start.clone();
            tokio::spawn(async move {
                start.wait().await;
                let mut mine = Vec::new();
                loop {
                    let got = claim(node.clone()).await;
                    if got.is_empty() {
                        return mine;
                    }
                    mine.extend(got);
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("worker"));
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nodes_claiming_due_timers_at_once_never_get_the_same_timer() {
    let (a, b) = two_nodes().await;
    let acme = org(&a, "Acme").await;
    let lea = person(&a, acme.id, "lea@acme.test", "Lea").await;
    let outbox = Outbox {
        schedule: vec![(Timer::Board, t0())],
        ..Outbox::default()
    };
    asks_with(&a, acme.id, lea, 120, &outbox).await;

    let claimed = claim_everything([&a, &b], 6, |node| async move {
        node.claim_due_timers(t0(), 3, LEASE)
            .await
            .expect("claim timers")
    })
    .await;
    let distinct: HashSet<AskId> = claimed.iter().map(|t| t.ask_id).collect();
    assert_eq!(claimed.len(), 120, "every due timer was handed out");
    assert_eq!(distinct.len(), 120, "and none of them twice");
    assert!(
        a.claim_due_timers(t0() + SignedDuration::from_secs(1), 10, LEASE)
            .await
            .expect("claim")
            .is_empty(),
        "all of them are leased"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nodes_claiming_matcher_jobs_at_once_never_get_the_same_job() {
    let (a, b) = two_nodes().await;
    let acme = org(&a, "Acme").await;
    let lea = person(&a, acme.id, "lea@acme.test", "Lea").await;
    let outbox = Outbox {
        find_candidates: Some(1),
        ..Outbox::default()
    };
    asks_with(&a, acme.id, lea, 120, &outbox).await;

    let claimed = claim_everything([&a, &b], 6, |node| async move {
        node.claim_jobs(t0(), 3, LEASE).await.expect("claim jobs")
    })
    .await;
    let distinct: HashSet<i64> = claimed.iter().map(|j| j.id).collect();
    assert_eq!((claimed.len(), distinct.len()), (120, 120));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_transitions_at_one_version_have_exactly_one_winner() {
    let (a, b) = two_nodes().await;
    let acme = org(&a, "Acme").await;
    let lea = person(&a, acme.id, "lea@acme.test", "Lea").await;
    let mut helpers = Vec::new();
    for i in 0..16 {
        helpers.push(
            person(
                &a,
                acme.id,
                &format!("h{i}@acme.test"),
                &format!("Helper {i}"),
            )
            .await,
        );
    }
    let ask = new_ask(lea, "pivot tables refresh");
    a.create_ask(acme.id, &ask, None, &Outbox::default(), t0())
        .await
        .expect("create");

    let start = Arc::new(Barrier::new(helpers.len()));
    let tasks: Vec<_> = helpers
        .iter()
        .enumerate()
        .map(|(i, &helper)| {
            let node = if i % 2 == 0 { a.clone() } else { b.clone() };
            let (ask, start) = (ask.clone(), start.clone());
            let org = acme.id;
            tokio::spawn(async move {
                // Each writer read the same version and offers the ask to a different helper.
                let candidates = vec![Candidate {
                    helper,
                    offer: OfferId::generate(),
                }];
                let t = asks::apply(
                    &ask,
                    Event::Candidates {
                        wave: 1,
                        candidates,
                    },
                    t0(),
                    &RoutingPolicy::default(),
                )
                .expect("candidates");
                start.wait().await;
                node.commit_transition(org, ask.version, &t.ask, &Outbox::default(), t0())
                    .await
                    .map(|_| helper)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        match task.await.expect("writer") {
            Ok(helper) => winners.push(helper),
            Err(StoreError::VersionConflict) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one writer wins");
    let stored = b.ask(acme.id, ask.id).await.expect("read");
    assert_eq!(stored.version, ask.version + 1);
    assert_eq!(stored.offers.len(), 1);
    assert_eq!(
        stored.offers[0].helper, winners[0],
        "the winner's write is the one kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_idempotency_key_creates_one_ask_across_nodes() {
    let (a, b) = two_nodes().await;
    let acme = org(&a, "Acme").await;
    let lea = person(&a, acme.id, "lea@acme.test", "Lea").await;
    let start = Arc::new(Barrier::new(8));
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let node = if i % 2 == 0 { a.clone() } else { b.clone() };
            let start = start.clone();
            let org = acme.id;
            tokio::spawn(async move {
                let ask = new_ask(lea, "the same request, sent twice");
                start.wait().await;
                match node
                    .create_ask(org, &ask, Some("retry-1"), &Outbox::default(), t0())
                    .await
                    .expect("create")
                {
                    CreatedAsk::Created(_) => (true, ask.id),
                    CreatedAsk::Existing(existing) => (false, existing.id),
                }
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("writer"));
    }
    let created: Vec<AskId> = results.iter().filter(|r| r.0).map(|r| r.1).collect();
    assert_eq!(created.len(), 1, "{results:?}");
    assert!(results.iter().all(|r| r.1 == created[0]), "{results:?}");
    assert_eq!(a.asks_of(acme.id, lea, 10).await.expect("asks").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_following_events_by_id_misses_none_while_others_write() {
    let (a, b) = two_nodes().await;
    let acme = org(&a, "Acme").await;
    let globex = org(&a, "Globex").await;
    let lea = person(&a, acme.id, "lea@acme.test", "Lea").await;
    let ted = person(&a, globex.id, "ted@globex.test", "Ted").await;
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let node = if w % 2 == 0 { a.clone() } else { b.clone() };
            let (org, to) = if w < 2 {
                (acme.id, lea)
            } else {
                (globex.id, ted)
            };
            tokio::spawn(async move {
                for i in 0..40 {
                    let events: Vec<NewEvent> = (0..=(i % 3))
                        .map(|_| NewEvent {
                            person_id: to,
                            kind: "test".into(),
                            data: format!("{{\"writer\":{w}}}"),
                        })
                        .collect();
                    node.append_events(org, &events, t0())
                        .await
                        .expect("append");
                }
            })
        })
        .collect();
    // The follower only ever asks for what comes after the last id it saw.
    let follower = {
        let node = b.clone();
        let done = writers.iter().map(|w| w.abort_handle()).collect::<Vec<_>>();
        tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut cursor = 0;
            loop {
                let finished = done.iter().all(|w| w.is_finished());
                let batch = node.events_since(cursor, 1000).await.expect("since");
                if let Some(last) = batch.last() {
                    cursor = last.id;
                }
                seen.extend(batch.iter().map(|e| e.id));
                if finished && batch.is_empty() {
                    return seen;
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };
    for writer in writers {
        writer.await.expect("writer");
    }
    let seen = follower.await.expect("follower");
    let all: Vec<i64> = a
        .events_since(0, 10_000)
        .await
        .expect("all")
        .iter()
        .map(|e| e.id)
        .collect();
    let per_writer: usize = (0..40).map(|i| i % 3 + 1).sum();
    assert_eq!(all.len(), 4 * per_writer);
    let missed: Vec<&i64> = all.iter().filter(|id| !seen.contains(id)).collect();
    assert!(missed.is_empty(), "the follower missed {missed:?}");
    assert_eq!(seen, all, "and saw each once, in order");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_on_one_node_is_announced_to_the_others() {
    let (a, b) = two_nodes().await;
    let acme = org(&a, "Acme").await;
    let mut feed = b.changes().await.expect("listen").expect("a feed");
    let next = async |feed: &mut askaround_store::ChangeFeed| {
        tokio::time::timeout(Duration::from_secs(10), feed.next())
            .await
            .expect("announced in time")
            .expect("the feed goes on")
    };

    let lea = person(&a, acme.id, "lea@acme.test", "Lea").await;
    assert_eq!(
        next(&mut feed).await,
        Change::Person {
            org: acme.id,
            person: lea
        }
    );
    let ask = new_ask(lea, "pivot tables refresh");
    let outbox = Outbox {
        events: vec![NewEvent {
            person_id: lea,
            kind: "ask.created".into(),
            data: "{}".into(),
        }],
        ..Outbox::default()
    };
    a.create_ask(acme.id, &ask, None, &outbox, t0())
        .await
        .expect("create");
    let announced = [next(&mut feed).await, next(&mut feed).await];
    assert!(announced.contains(&Change::Ask {
        org: acme.id,
        ask: ask.id
    }));
    assert!(announced.contains(&Change::Events));

    // A write that fails announces nothing: the next announcement is the next real write.
    let refused = a
        .create_person(
            acme.id,
            &askaround_store::NewPerson::new(support::fields("lea@acme.test", "Lea again")),
            t0(),
        )
        .await;
    assert!(refused.is_err());
    a.import_people(
        acme.id,
        &[],
        askaround_core::people_csv::Columns::all(),
        t0(),
    )
    .await
    .expect("empty import");
    assert_eq!(next(&mut feed).await, Change::Org { org: acme.id });
}
