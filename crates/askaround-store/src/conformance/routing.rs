use jiff::SignedDuration;

use askaround_core::asks::{
    self, Ask, Candidate, Event, HelpMode, NewAsk, RoutingPolicy, Timer, Transition,
};
use askaround_core::ids::{AskId, ConversationId, MessageId, OfferId, OrgId, PersonId};
use askaround_core::matching::Urgency;

use super::fixtures::*;

const LEASE: SignedDuration = SignedDuration::from_secs(30);
use crate::*;

fn new_ask(text: &str, skills: Vec<askaround_core::ids::SkillId>) -> NewAsk {
    NewAsk::parse(text, skills, Urgency::Now, HelpMode::Chat).expect("valid ask")
}

/// Stores a new ask the way the server does: the creation transition and its first matcher job.
async fn created(
    store: &dyn Store,
    org: OrgId,
    asker: PersonId,
    text: &str,
    key: Option<&str>,
) -> Ask {
    let t = asks::create(AskId::generate(), asker, new_ask(text, vec![]), t0());
    let outbox = Outbox {
        find_candidates: Some(1),
        ..Outbox::default()
    };
    match store
        .create_ask(org, &t.ask, key, &outbox, t0())
        .await
        .expect("create ask")
    {
        CreatedAsk::Created(_) => t.ask,
        CreatedAsk::Existing(ask) => *ask,
    }
}

fn offered(ask: &Ask, helpers: &[PersonId]) -> Transition {
    let candidates = helpers
        .iter()
        .map(|h| Candidate {
            helper: *h,
            offer: OfferId::generate(),
        })
        .collect();
    asks::apply(
        ask,
        Event::Candidates {
            wave: 1,
            candidates,
        },
        t0(),
        &RoutingPolicy::default(),
    )
    .expect("candidates")
}

fn timers_of(t: &Transition) -> Vec<(Timer, jiff::Timestamp)> {
    t.effects
        .iter()
        .filter_map(|e| match e {
            asks::Effect::Schedule { timer, due_at } => Some((*timer, *due_at)),
            _ => None,
        })
        .collect()
}

pub async fn an_ask_is_stored_once_per_idempotency_key(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let lea = person(store, acme.id, "lea@acme.test", "Lea").await;
    let first = created(
        store,
        acme.id,
        lea,
        "How do pivot tables refresh?",
        Some("k1"),
    )
    .await;
    let again = created(store, acme.id, lea, "something else entirely", Some("k1")).await;
    assert_eq!(again.id, first.id, "the same key gives back the first ask");
    created(store, acme.id, lea, "another ask", Some("k2")).await;
    created(store, acme.id, lea, "no key", None).await;
    assert_eq!(
        store.asks_of(acme.id, lea, 10).await.expect("asks").len(),
        3
    );
    assert_eq!(
        store
            .ask(acme.id, first.id)
            .await
            .expect("read")
            .text
            .as_str(),
        "How do pivot tables refresh?"
    );
    let jobs = store.claim_jobs(t0(), 10, LEASE).await.expect("jobs");
    assert_eq!(jobs.len(), 3, "one matcher job per created ask");
}

pub async fn a_transition_is_written_only_at_the_expected_version(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let lea = person(store, acme.id, "lea@acme.test", "Lea").await;
    let hal = person(store, acme.id, "hal@acme.test", "Hal").await;
    let ask = created(store, acme.id, lea, "pivot tables", None).await;
    let job = store.claim_jobs(t0(), 1, LEASE).await.expect("jobs")[0].clone();
    let t = offered(&ask, &[hal]);
    let outbox = Outbox {
        schedule: timers_of(&t),
        done_job: Some(job.id),
        events: vec![NewEvent {
            person_id: hal,
            kind: "offer.received".into(),
            data: "{}".into(),
        }],
        ..Outbox::default()
    };
    let committed = store
        .commit_transition(acme.id, ask.version, &t.ask, &outbox, t0())
        .await
        .expect("commit");
    assert_eq!(committed.events.len(), 1);
    // A second writer that read the same version loses and writes nothing.
    let stale = store
        .commit_transition(acme.id, ask.version, &t.ask, &outbox, t0())
        .await;
    assert!(
        matches!(stale, Err(StoreError::VersionConflict)),
        "{stale:?}"
    );
    let stored = store.ask(acme.id, ask.id).await.expect("read");
    assert_eq!((stored.version, stored.offers.len()), (ask.version + 1, 1));
    assert!(
        store
            .claim_jobs(t0() + LEASE, 10, LEASE)
            .await
            .expect("jobs")
            .is_empty(),
        "the job went with its answer"
    );
    let offers = store
        .offers_for(acme.id, hal, true, 10)
        .await
        .expect("offers");
    assert_eq!(offers.len(), 1);
    assert_eq!(
        store
            .ask_of_offer(acme.id, offers[0].offer)
            .await
            .expect("by offer")
            .id,
        ask.id
    );
    // Timers are due at their time, not before.
    let offer_due = timers_of(&t)[0].1;
    assert!(
        store
            .claim_due_timers(offer_due - SignedDuration::from_secs(1), 10, LEASE)
            .await
            .expect("due")
            .is_empty()
    );
    assert_eq!(store.next_timer_due().await.expect("next"), Some(offer_due));
    let due = store
        .claim_due_timers(offer_due, 10, LEASE)
        .await
        .expect("due");
    assert_eq!(due.len(), 1);
    // Claimed: nobody else gets it until the lease runs out, then it is handed out again.
    let later = offer_due + SignedDuration::from_secs(1);
    assert!(
        store
            .claim_due_timers(later, 10, LEASE)
            .await
            .expect("due")
            .is_empty()
    );
    assert_eq!(
        store.next_timer_due().await.expect("next"),
        Some(offer_due + LEASE)
    );
    let again = store
        .claim_due_timers(offer_due + LEASE, 10, LEASE)
        .await
        .expect("due");
    assert_eq!(again.len(), 1, "a dead node's timer comes back");
    store.drop_timer(ask.id, due[0].timer).await.expect("drop");
    assert_eq!(store.next_timer_due().await.expect("next"), None);
    let globex = org(store, "Globex").await;
    assert!(
        matches!(
            store.ask(globex.id, ask.id).await,
            Err(StoreError::NotFound)
        ),
        "invisible to another organisation"
    );
    let foreign = store
        .commit_transition(globex.id, stored.version, &stored, &Outbox::default(), t0())
        .await;
    assert!(matches!(foreign, Err(StoreError::NotFound)));
}

pub async fn ignored_offers_in_a_row_snooze_a_person_and_an_answer_resets_the_count(
    store: &dyn Store,
) {
    let acme = org(store, "Acme").await;
    let lea = person(store, acme.id, "lea@acme.test", "Lea").await;
    let hal = person(store, acme.id, "hal@acme.test", "Hal").await;
    let mut ask = created(store, acme.id, lea, "pivot tables", None).await;
    let commit_responses = async |ask: &mut Ask, responses: Vec<(PersonId, bool)>| {
        // Any valid transition will do to carry the outbox; an edit bumps the version.
        let t = asks::apply(
            ask,
            Event::Edit {
                by: lea,
                text: ask.text.clone(),
                skills: ask.skills.clone(),
            },
            t0(),
            &RoutingPolicy::default(),
        )
        .expect("edit");
        let outbox = Outbox {
            responses,
            snooze_after: 3,
            ..Outbox::default()
        };
        let committed = store
            .commit_transition(acme.id, ask.version, &t.ask, &outbox, t0())
            .await
            .expect("commit");
        *ask = t.ask;
        committed.snoozed
    };
    assert!(
        commit_responses(&mut ask, vec![(hal, true), (hal, true)])
            .await
            .is_empty()
    );
    assert!(
        commit_responses(&mut ask, vec![(hal, false)])
            .await
            .is_empty(),
        "an answer resets the streak"
    );
    assert!(
        commit_responses(&mut ask, vec![(hal, true), (hal, true)])
            .await
            .is_empty()
    );
    assert_eq!(commit_responses(&mut ask, vec![(hal, true)]).await, [hal]);
    let profile = store.person(acme.id, hal).await.expect("hal");
    assert_eq!(
        profile.person.presence,
        askaround_core::presence::PresenceSetting::Dnd
    );
}

pub async fn the_board_lists_open_asks_by_skill(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let lea = person(store, acme.id, "lea@acme.test", "Lea").await;
    let tableau = skill(store, acme.id, "Tableau").await;
    let k8s = skill(store, acme.id, "k8s").await;
    let mut ids = Vec::new();
    for (text, skills) in [("tableau filters", vec![tableau]), ("kube pods", vec![k8s])] {
        let t = asks::create(AskId::generate(), lea, new_ask(text, skills), t0());
        store
            .create_ask(acme.id, &t.ask, None, &Outbox::default(), t0())
            .await
            .expect("create");
        // Nobody available: straight to the board.
        let open = asks::apply(
            &t.ask,
            Event::Candidates {
                wave: 1,
                candidates: vec![],
            },
            t0(),
            &RoutingPolicy::default(),
        )
        .expect("open");
        store
            .commit_transition(acme.id, t.ask.version, &open.ask, &Outbox::default(), t0())
            .await
            .expect("commit");
        ids.push(open.ask.id);
    }
    let all = store
        .open_asks(
            acme.id,
            &OpenAsksQuery {
                skills: vec![],
                limit: 10,
            },
        )
        .await
        .expect("board");
    assert_eq!(all.len(), 2);
    let for_tableau = store
        .open_asks(
            acme.id,
            &OpenAsksQuery {
                skills: vec![tableau],
                limit: 10,
            },
        )
        .await
        .expect("board");
    assert_eq!(
        for_tableau.iter().map(|a| a.id).collect::<Vec<_>>(),
        [ids[0]]
    );
    let globex = org(store, "Globex").await;
    assert!(
        store
            .open_asks(
                globex.id,
                &OpenAsksQuery {
                    skills: vec![],
                    limit: 10
                }
            )
            .await
            .expect("board")
            .is_empty()
    );
}

/// A matched ask with its conversation, the way the server stores an accept.
async fn matched(
    store: &dyn Store,
    org: OrgId,
    lea: PersonId,
    hal: PersonId,
) -> (Ask, ConversationId) {
    let ask = created(store, org, lea, "pivot tables refresh", None).await;
    let t = offered(&ask, &[hal]);
    store
        .commit_transition(org, ask.version, &t.ask, &Outbox::default(), t0())
        .await
        .expect("offer");
    let offer = t.ask.offers[0].id;
    let accepted = asks::apply(
        &t.ask,
        Event::Accept { offer, by: hal },
        t0(),
        &RoutingPolicy::default(),
    )
    .expect("accept");
    let conversation = ConversationId::generate();
    let outbox = Outbox {
        open_conversation: Some(NewConversation {
            id: conversation,
            learner: lea,
            helper: hal,
        }),
        ..Outbox::default()
    };
    store
        .commit_transition(org, t.ask.version, &accepted.ask, &outbox, t0())
        .await
        .expect("accept");
    (accepted.ask, conversation)
}

fn message(conversation: ConversationId, author: PersonId, body: &str) -> Message {
    Message {
        id: MessageId::generate(),
        conversation_id: conversation,
        author_id: Some(author),
        kind: MessageKind::Text,
        body: body.into(),
        data: None,
        created_at: t0(),
    }
}

pub async fn conversations_keep_messages_in_order_and_close_with_feedback(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let lea = person(store, acme.id, "lea@acme.test", "Lea").await;
    let hal = person(store, acme.id, "hal@acme.test", "Hal").await;
    let kim = person(store, acme.id, "kim@acme.test", "Kim").await;
    let (ask, conversation) = matched(store, acme.id, lea, hal).await;
    let c = store
        .conversation(acme.id, conversation)
        .await
        .expect("conversation");
    assert_eq!(c.ask_id, ask.id);
    assert_eq!(
        (c.role_of(lea), c.role_of(hal)),
        (
            Some(ParticipantRole::Learner),
            Some(ParticipantRole::Helper)
        )
    );
    assert_eq!(
        store
            .conversation_of_ask(acme.id, ask.id)
            .await
            .expect("by ask")
            .id,
        conversation
    );
    let mut sent = Vec::new();
    for i in 0..5 {
        let m = message(
            conversation,
            if i % 2 == 0 { lea } else { hal },
            &format!("m{i}"),
        );
        let events = vec![NewEvent {
            person_id: hal,
            kind: "message.created".into(),
            data: "{}".into(),
        }];
        assert_eq!(
            store
                .post_message(acme.id, &m, &events)
                .await
                .expect("post")
                .len(),
            1
        );
        sent.push(m.id);
    }
    let newest = store
        .messages(acme.id, conversation, None, 3)
        .await
        .expect("page");
    assert_eq!(
        newest.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
        ["m4", "m3", "m2"]
    );
    let older = store
        .messages(acme.id, conversation, Some(newest[2].id), 3)
        .await
        .expect("page");
    assert_eq!(
        older.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
        ["m1", "m0"]
    );
    assert_eq!(
        store.message(acme.id, sent[0]).await.expect("one").body,
        "m0"
    );

    let note = Message {
        author_id: None,
        kind: MessageKind::System,
        ..message(conversation, lea, "Lea added Kim")
    };
    let (added, _) = store
        .add_participant(acme.id, conversation, kim, lea, &note, &[])
        .await
        .expect("add");
    assert!(added);
    let (again, _) = store
        .add_participant(acme.id, conversation, kim, lea, &note, &[])
        .await
        .expect("add again");
    assert!(!again, "already in");
    assert_eq!(
        store
            .conversations_of(acme.id, kim, 10)
            .await
            .expect("mine")
            .len(),
        1
    );

    let resolved = asks::apply(
        &ask,
        Event::Resolve { by: lea },
        t0(),
        &RoutingPolicy::default(),
    )
    .expect("resolve");
    let tableau = skill(store, acme.id, "Tableau").await;
    let outbox = Outbox {
        feedback: Some(NewFeedback {
            learner: lea,
            helper: hal,
            rating: 5,
            thanks: Some("Thanks!".into()),
            learned: vec![tableau],
        }),
        ..Outbox::default()
    };
    store
        .commit_transition(acme.id, ask.version, &resolved.ask, &outbox, t0())
        .await
        .expect("resolve");
    let feedback = store
        .feedback(acme.id, ask.id)
        .await
        .expect("feedback")
        .expect("stored");
    assert_eq!(
        (feedback.rating, feedback.learned.as_slice()),
        (5, &[tableau][..])
    );
    store
        .confirm_topics(acme.id, ask.id, &[tableau], t0())
        .await
        .expect("topics");
    let refused = store
        .post_message(acme.id, &message(conversation, lea, "late"), &[])
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::Invalid {
                code: "conversation_closed",
                ..
            })
        ),
        "{refused:?}"
    );

    // The help is evidence for the matcher.
    let snapshot = store
        .matcher_snapshot(
            acme.id,
            t0() - SignedDuration::from_hours(24),
            t0() - SignedDuration::from_hours(168),
            t0(),
        )
        .await
        .expect("snapshot");
    assert_eq!(snapshot.profiles.len(), 3);
    let (helper, evidence) = &snapshot.evidence[0];
    assert_eq!(
        (*helper, evidence.learner, evidence.rating),
        (hal, lea, Some(5))
    );
    assert!(evidence.skills.contains(&tableau));
    let load = snapshot
        .load
        .iter()
        .find(|(p, _)| *p == hal)
        .map(|(_, l)| *l)
        .expect("load");
    assert_eq!(
        (load.responsiveness.offers, load.responsiveness.accepted),
        (1, 1)
    );

    let report = store
        .report(acme.id, ask.id, lea, "rude", t0())
        .await
        .expect("report");
    assert_eq!(
        store.reports(acme.id, 10).await.expect("reports")[0].id,
        report.id
    );
    let globex = org(store, "Globex").await;
    assert!(matches!(
        store.conversation(globex.id, conversation).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        store
            .reports(globex.id, 10)
            .await
            .expect("reports")
            .is_empty()
    );
}

pub async fn a_node_catches_up_on_events_and_loads_by_id(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let globex = org(store, "Globex").await;
    let lea = person(store, acme.id, "lea@acme.test", "Lea").await;
    let hal = person(store, acme.id, "hal@acme.test", "Hal").await;
    let ted = person(store, globex.id, "ted@globex.test", "Ted").await;
    assert_eq!(store.latest_event_id().await.expect("latest"), 0);
    let event = |p: PersonId| NewEvent {
        person_id: p,
        kind: "test".into(),
        data: "{}".into(),
    };
    let first = store
        .append_events(acme.id, &[event(lea), event(hal)], t0())
        .await
        .expect("append");
    store
        .append_events(globex.id, &[event(ted)], t0())
        .await
        .expect("append");
    let latest = store.latest_event_id().await.expect("latest");
    let all = store.events_since(0, 10).await.expect("since");
    assert_eq!(all.len(), 3);
    assert!(
        all.windows(2).all(|w| w[0].id < w[1].id),
        "ids only increase"
    );
    assert_eq!(all.last().map(|e| e.id), Some(latest));
    let rest = store.events_since(first[0].id, 10).await.expect("since");
    assert_eq!(rest.len(), 2);
    assert_eq!(rest[1].org_id, globex.id);

    let ask = created(store, acme.id, lea, "pivot tables", None).await;
    let t = offered(&ask, &[hal]);
    store
        .commit_transition(acme.id, ask.version, &t.ask, &Outbox::default(), t0())
        .await
        .expect("offer");
    let loads = store
        .offer_loads(
            acme.id,
            &[hal, lea],
            t0() - SignedDuration::from_hours(24),
            t0() - SignedDuration::from_hours(168),
        )
        .await
        .expect("loads");
    assert_eq!(loads.len(), 1, "only people with offers are listed");
    assert_eq!(
        (
            loads[0].0,
            loads[0].1.last_day,
            loads[0].1.responsiveness.offers
        ),
        (hal, 1, 1)
    );
}
