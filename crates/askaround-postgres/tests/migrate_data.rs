//! `migrate-data`: an installation built through the real SQLite Store reads back the same
//! through the PostgreSQL Store, and goes on working there.

mod support;

use jiff::SignedDuration;

use askaround_core::asks::{self, Ask, Candidate, Event, HelpMode, NewAsk, RoutingPolicy, Timer};
use askaround_core::ids::{AskId, ConversationId, MessageId, OfferId, OrgId, PersonId};
use askaround_core::insights::Scope;
use askaround_core::matching::Urgency;
use askaround_core::person::Role;
use askaround_core::skill::SkillLevel;
use askaround_core::taxonomy::Taxonomy;
use askaround_core::timezone::TimeZoneName;
use askaround_postgres::PgStore;
use askaround_postgres::migrate_data::{MigrateError, migrate_data};
use askaround_sqlite::SqliteStore;
use askaround_store::{
    InvitationToken, Message, MessageKind, NewConversation, NewEvent, NewFeedback, NewPerson,
    NewSession, NewSkill, OpenAsksQuery, Outbox, PeopleQuery, SkillPatch, Store,
};

use support::{fields, fresh_database, org, person, t0};

const LEASE: SignedDuration = SignedDuration::from_secs(30);

fn event(person: PersonId, kind: &str) -> NewEvent {
    NewEvent {
        person_id: person,
        kind: kind.into(),
        data: format!("{{\"for\":\"{person}\"}}"),
    }
}

/// The people and ids of the installation built in SQLite.
struct Installation {
    acme: OrgId,
    globex: OrgId,
    people: Vec<PersonId>,
    asks: Vec<AskId>,
    conversation: ConversationId,
}

/// An organisation's history through the real API: a taxonomy edited, people with skills, goals,
/// sessions and an invitation, an ask routed, accepted, discussed, resolved with feedback and
/// reported, another ask waiting on its timer and matcher job; and a second organisation.
async fn build(store: &SqliteStore) -> Installation {
    let acme = org(store, "Acme").await;
    let globex = org(store, "Globex").await;
    let taxonomy = Taxonomy::new(store.skills(acme.id).await.expect("skills"));
    let skill = |name: &str| taxonomy.resolve(name).map(|s| s.id).expect("skill");
    let (excel, tableau, k8s) = (skill("Excel"), skill("Tableau"), skill("k8s"));
    let docker = store
        .create_skill(
            acme.id,
            &NewSkill {
                name: "Docker".into(),
                parent_id: Some(k8s),
                aliases: vec!["containers".into()],
            },
        )
        .await
        .expect("skill")
        .id;
    store
        .update_skill(
            acme.id,
            k8s,
            &SkillPatch {
                name: Some("Kubernetes (K8s)".into()),
                ..SkillPatch::default()
            },
        )
        .await
        .expect("rename");

    let mut admin = NewPerson::new(fields("root@acme.test", "Root"));
    admin.fields.role = Role::Admin;
    admin.password_hash = Some("argon-hash".into());
    admin.skills = vec![(excel, SkillLevel::Expert), (docker, SkillLevel::Beginner)];
    admin.goals = vec![tableau];
    let root = store
        .create_person(acme.id, &admin, t0())
        .await
        .expect("admin")
        .person
        .id;
    let lea = person(store, acme.id, "lea@acme.test", "Léa Ñúñez").await;
    let hal = person(store, acme.id, "hal@acme.test", "Hal").await;
    let kim = person(store, acme.id, "kim@acme.test", "Kim").await;
    let ted = person(store, globex.id, "ted@globex.test", "Ted").await;
    store
        .set_person_skills(acme.id, hal, &[(excel, SkillLevel::Intermediate)], t0())
        .await
        .expect("skills");
    let mut invited = NewPerson::new(fields("new@acme.test", "Newcomer"));
    invited.invitation = Some(InvitationToken {
        token_hash: "invite-hash".into(),
        expires_at: t0() + SignedDuration::from_hours(72),
    });
    let newcomer = store
        .create_person(acme.id, &invited, t0())
        .await
        .expect("invited")
        .person
        .id;
    store
        .create_session(&NewSession {
            token_hash: "session-hash".into(),
            person_id: lea,
            org_id: acme.id,
            csrf_token: "csrf".into(),
            created_at: t0(),
            expires_at: t0() + SignedDuration::from_hours(336),
        })
        .await
        .expect("session");

    // An ask, offered to Hal and Kim, accepted by Hal, discussed, resolved with feedback.
    let new = NewAsk::parse(
        "How do pivot tables refresh?",
        vec![excel],
        Urgency::Now,
        HelpMode::Chat,
    )
    .expect("ask");
    let created = asks::create(AskId::generate(), lea, new, t0());
    let outbox = Outbox {
        find_candidates: Some(1),
        events: vec![event(lea, "ask.created")],
        ..Outbox::default()
    };
    store
        .create_ask(acme.id, &created.ask, Some("key-1"), &outbox, t0())
        .await
        .expect("create ask");
    let job = store.claim_jobs(t0(), 1, LEASE).await.expect("job")[0].id;
    let candidates = [hal, kim]
        .iter()
        .map(|&helper| Candidate {
            helper,
            offer: OfferId::generate(),
        })
        .collect();
    let offered = asks::apply(
        &created.ask,
        Event::Candidates {
            wave: 1,
            candidates,
        },
        t0(),
        &RoutingPolicy::default(),
    )
    .expect("offer");
    let outbox = Outbox {
        done_job: Some(job),
        events: vec![event(hal, "offer.received"), event(kim, "offer.received")],
        offer_reasons: offered
            .ask
            .offers
            .iter()
            .map(|o| (o.id, "helped 6 people with Excel".to_owned()))
            .collect(),
        ..Outbox::default()
    };
    store
        .commit_transition(acme.id, created.ask.version, &offered.ask, &outbox, t0())
        .await
        .expect("offered");
    let accepted = asks::apply(
        &offered.ask,
        Event::Accept {
            offer: offered.ask.offers[0].id,
            by: hal,
        },
        t0() + SignedDuration::from_secs(40),
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
        events: vec![event(lea, "ask.matched")],
        responses: vec![(hal, false)],
        snooze_after: 3,
        ..Outbox::default()
    };
    store
        .commit_transition(acme.id, offered.ask.version, &accepted.ask, &outbox, t0())
        .await
        .expect("accepted");
    for (i, author) in [lea, hal, lea].into_iter().enumerate() {
        let message = Message {
            id: MessageId::generate(),
            conversation_id: conversation,
            author_id: Some(author),
            kind: if i == 1 {
                MessageKind::Call
            } else {
                MessageKind::Text
            },
            body: format!("message {i} ✓"),
            data: (i == 1).then(|| "{\"url\": \"https://meet.example/abc\"}".to_owned()),
            created_at: t0() + SignedDuration::from_secs(60 + i as i64),
        };
        store
            .post_message(acme.id, &message, &[event(hal, "message.created")])
            .await
            .expect("message");
    }
    let note = Message {
        id: MessageId::generate(),
        conversation_id: conversation,
        author_id: None,
        kind: MessageKind::System,
        body: "Hal added Root".into(),
        data: None,
        created_at: t0() + SignedDuration::from_secs(90),
    };
    store
        .add_participant(acme.id, conversation, root, hal, &note, &[])
        .await
        .expect("add");
    let resolved = asks::apply(
        &accepted.ask,
        Event::Resolve { by: lea },
        t0() + SignedDuration::from_secs(600),
        &RoutingPolicy::default(),
    )
    .expect("resolve");
    let outbox = Outbox {
        feedback: Some(NewFeedback {
            learner: lea,
            helper: hal,
            rating: 5,
            thanks: Some("Obrigada!".into()),
            learned: vec![excel],
        }),
        ..Outbox::default()
    };
    store
        .commit_transition(acme.id, accepted.ask.version, &resolved.ask, &outbox, t0())
        .await
        .expect("resolved");
    store
        .confirm_topics(acme.id, resolved.ask.id, &[excel, docker], t0())
        .await
        .expect("topics");
    store
        .report(acme.id, resolved.ask.id, kim, "spam", t0())
        .await
        .expect("report");

    // A second ask still waiting: its board timer and its matcher job must carry over.
    let waiting = asks::create(
        AskId::generate(),
        kim,
        NewAsk::parse(
            "kube pods restarting",
            vec![k8s],
            Urgency::Today,
            HelpMode::Call,
        )
        .expect("ask"),
        t0(),
    );
    let outbox = Outbox {
        schedule: vec![(Timer::Board, t0() + SignedDuration::from_mins(30))],
        find_candidates: Some(1),
        ..Outbox::default()
    };
    store
        .create_ask(acme.id, &waiting.ask, None, &outbox, t0())
        .await
        .expect("waiting ask");
    store
        .append_events(globex.id, &[event(ted, "hello")], t0())
        .await
        .expect("globex event");

    Installation {
        acme: acme.id,
        globex: globex.id,
        people: vec![root, lea, hal, kim, newcomer, ted],
        asks: vec![resolved.ask.id, waiting.ask.id],
        conversation,
    }
}

/// Everything the API shows of an installation, as text: equal on both backends.
async fn everything(store: &dyn Store, i: &Installation) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |label: &str, value: String| out.push(format!("{label}: {value}"));
    push("orgs", format!("{:?}", store.orgs().await.expect("orgs")));
    for org in [i.acme, i.globex] {
        let mut skills = store.skills(org).await.expect("skills");
        skills.sort_by_key(|s| s.id);
        push("skills", format!("{skills:?}"));
        push(
            "taxonomy version",
            format!("{:?}", store.taxonomy_version(org).await.expect("v")),
        );
        let query = PeopleQuery {
            limit: 200,
            include_inactive: true,
            ..PeopleQuery::default()
        };
        let page = store.list_people(org, &query).await.expect("people");
        push("people", format!("{:?}", page.items));
        // Rollups the target's triggers rebuilt (migration 0009), not copied.
        let zone = TimeZoneName::parse("UTC").expect("zone");
        let all = Scope::new(
            jiff::civil::date(2020, 1, 1),
            jiff::civil::date(2030, 1, 1),
            None,
            None,
            &zone,
        );
        let links = store.insights_connections(org, &all).await;
        push("connections", format!("{:?}", links.expect("connections")));
        let load = store.insights_load(org, &all, 10).await;
        push("load", format!("{:?}", load.expect("load")));
        push(
            "open",
            format!(
                "{:?}",
                store
                    .open_asks(
                        org,
                        &OpenAsksQuery {
                            skills: vec![],
                            limit: 50
                        }
                    )
                    .await
                    .expect("board")
            ),
        );
        push(
            "reports",
            format!("{:?}", store.reports(org, 50).await.expect("reports")),
        );
        let snapshot = store
            .matcher_snapshot(org, t0(), t0() - SignedDuration::from_hours(168), t0())
            .await
            .expect("snapshot");
        let mut load = snapshot.load.clone();
        load.sort_by_key(|(p, _)| *p);
        push("evidence", format!("{:?}", snapshot.evidence));
        push("load", format!("{load:?}"));
    }
    for &person in &i.people {
        let org = if person == i.people[5] {
            i.globex
        } else {
            i.acme
        };
        push(
            "person",
            format!("{:?}", store.person(org, person).await.expect("person")),
        );
        push(
            "asks",
            format!("{:?}", store.asks_of(org, person, 50).await.expect("asks")),
        );
        push(
            "offers",
            format!(
                "{:?}",
                store
                    .offers_for(org, person, false, 50)
                    .await
                    .expect("offers")
            ),
        );
        push(
            "events",
            format!(
                "{:?}",
                store
                    .events_after(org, person, 0, 100)
                    .await
                    .expect("events")
            ),
        );
        push(
            "helped",
            format!(
                "{:?}",
                store.asks_helped_by(org, person, 50).await.expect("helped")
            ),
        );
        push(
            "learned",
            format!(
                "{:?}",
                store.learned_by(org, person, 50).await.expect("learned")
            ),
        );
        push(
            "summary",
            format!(
                "{:?}",
                store.help_summary(org, person).await.expect("summary")
            ),
        );
        push(
            "conversations",
            format!(
                "{:?}",
                store.conversations_of(org, person, 50).await.expect("c")
            ),
        );
    }
    for &ask in &i.asks {
        push(
            "ask",
            format!("{:?}", store.ask(i.acme, ask).await.expect("ask")),
        );
        push(
            "feedback",
            format!("{:?}", store.feedback(i.acme, ask).await.expect("feedback")),
        );
    }
    push(
        "messages",
        format!(
            "{:?}",
            store
                .messages(i.acme, i.conversation, None, 50)
                .await
                .expect("messages")
        ),
    );
    push(
        "all events",
        format!("{:?}", store.events_since(0, 1000).await.expect("since")),
    );
    push(
        "next timer",
        format!("{:?}", store.next_timer_due().await.expect("next")),
    );
    let session = store.session("session-hash", t0()).await.expect("session");
    push(
        "session",
        format!("{:?}", session.map(|s| (s.person_id, s.role, s.csrf_token))),
    );
    out
}

async fn sqlite_installation() -> (tempfile::TempDir, String, Installation) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("askaround.db").display());
    let sqlite = SqliteStore::connect(&url).await.expect("sqlite");
    let installation = build(&sqlite).await;
    sqlite.close().await;
    (dir, url, installation)
}

#[tokio::test]
async fn a_whole_installation_moves_to_postgres_and_reads_back_the_same() {
    let (_dir, from, i) = sqlite_installation().await;
    let to = fresh_database().await;
    let summary = migrate_data(&from, &to).await.expect("migrate");
    eprintln!("{summary}");
    assert_eq!(summary.rows("orgs"), Some(2));
    assert_eq!(summary.rows("people"), Some(6));
    assert_eq!(summary.rows("messages"), Some(4));
    assert!(summary.tables.iter().all(|t| t.sampled == t.rows.min(200)));

    let sqlite = SqliteStore::connect(&from).await.expect("sqlite");
    let postgres = PgStore::connect(&to).await.expect("postgres");
    let before = everything(&sqlite, &i).await;
    let after = everything(&postgres, &i).await;
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(b, a);
    }
    assert_eq!(before.len(), after.len());

    // It goes on working: the waiting ask's job and timer are handed out, the invitation and the
    // password still work, and new events and jobs get ids after the copied ones.
    let jobs = postgres.claim_jobs(t0(), 10, LEASE).await.expect("jobs");
    assert_eq!(
        jobs.iter().map(|j| j.ask_id).collect::<Vec<_>>(),
        [i.asks[1]]
    );
    let due = postgres
        .claim_due_timers(t0() + SignedDuration::from_hours(1), 10, LEASE)
        .await
        .expect("timers");
    assert_eq!(due.len(), 1);
    assert!(
        postgres
            .redeem_invitation("invite-hash", "chosen", t0())
            .await
            .expect("redeem")
            .is_some()
    );
    let latest = postgres.latest_event_id().await.expect("latest");
    let fresh = postgres
        .append_events(i.acme, &[event(i.people[1], "later")], t0())
        .await
        .expect("append");
    assert_eq!(fresh[0].id, latest + 1);
    let waiting = postgres.ask(i.acme, i.asks[1]).await.expect("waiting");
    let outbox = Outbox {
        find_candidates: Some(2),
        ..Outbox::default()
    };
    let edited = asks::apply(
        &waiting,
        Event::Edit {
            by: waiting.asker,
            text: waiting.text.clone(),
            skills: waiting.skills.clone(),
        },
        t0(),
        &RoutingPolicy::default(),
    )
    .expect("edit");
    let committed = postgres
        .commit_transition(i.acme, waiting.version, &edited.ask, &outbox, t0())
        .await
        .expect("commit");
    let job = committed.job.expect("a new job");
    assert!(job.id > jobs[0].id);
    let _: &Ask = &edited.ask;
}

#[tokio::test]
async fn a_target_with_data_is_refused_and_left_as_it_was() {
    let (_dir, from, _) = sqlite_installation().await;
    let to = fresh_database().await;
    let postgres = PgStore::connect(&to).await.expect("postgres");
    let existing = org(&postgres, "Initech").await;
    match migrate_data(&from, &to).await {
        Err(MigrateError::TargetNotEmpty { table, rows }) => {
            assert_eq!((table, rows), ("orgs", 1));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let orgs = postgres.orgs().await.expect("orgs");
    assert_eq!(orgs.iter().map(|o| o.id).collect::<Vec<_>>(), [existing.id]);
    let message = MigrateError::TargetNotEmpty {
        table: "orgs",
        rows: 1,
    }
    .to_string();
    assert!(message.contains("not empty"), "{message}");
}

#[tokio::test]
async fn a_missing_source_is_refused_instead_of_created_empty() {
    let dir = tempfile::tempdir().expect("temp dir");
    let from = format!("sqlite://{}", dir.path().join("typo.db").display());
    let to = fresh_database().await;
    let refused = migrate_data(&from, &to).await;
    assert!(
        matches!(&refused, Err(MigrateError::Usage(m)) if m.contains("no SQLite database")),
        "{refused:?}"
    );
    assert!(!dir.path().join("typo.db").exists());
}
