//! The insights aggregates: a small organisation with a known history, every figure checked.

use jiff::Timestamp;
use jiff::civil::date;

use askaround_core::asks::{self, Ask, Candidate, Event, HelpMode, NewAsk, RoutingPolicy};
use askaround_core::ids::{AskId, OfferId, OrgId, PersonId, SkillId};
use askaround_core::insights::Scope;
use askaround_core::insights::raw::{AskStats, PeopleGroup, TeamLink};
use askaround_core::matching::Urgency;
use askaround_core::skill::SkillLevel;
use askaround_core::timezone::TimeZoneName;

use super::fixtures::*;
use crate::*;

fn at(s: &str) -> Timestamp {
    s.parse().expect("instant")
}

/// Writes an ask's life through the real state machine, each step at its own time.
struct Life<'a> {
    store: &'a dyn Store,
    org: OrgId,
}

impl Life<'_> {
    async fn ask(&self, asker: PersonId, skill: SkillId, when: &str) -> Ask {
        let new = NewAsk::parse("help with this", vec![skill], Urgency::Now, HelpMode::Chat)
            .expect("ask");
        let t = asks::create(AskId::generate(), asker, new, at(when));
        self.store
            .create_ask(self.org, &t.ask, None, &Outbox::default(), at(when))
            .await
            .expect("create ask");
        t.ask
    }

    async fn step(&self, ask: &Ask, event: Event, when: &str, outbox: Outbox) -> Ask {
        let t = asks::apply(ask, event, at(when), &RoutingPolicy::default()).expect("event");
        self.store
            .commit_transition(self.org, ask.version, &t.ask, &outbox, at(when))
            .await
            .expect("commit");
        t.ask
    }

    async fn offer(&self, ask: &Ask, helpers: &[PersonId], when: &str) -> Ask {
        let candidates = helpers
            .iter()
            .map(|h| Candidate {
                helper: *h,
                offer: OfferId::generate(),
            })
            .collect();
        let event = Event::Candidates {
            wave: 1,
            candidates,
        };
        self.step(ask, event, when, Outbox::default()).await
    }

    /// Offered to `helpers`; the first accepts at `accepted`.
    async fn taken(&self, ask: &Ask, helpers: &[PersonId], sent: &str, accepted: &str) -> Ask {
        let ask = self.offer(ask, helpers, sent).await;
        let offer = ask.offers[0].id;
        let by = helpers[0];
        self.step(
            &ask,
            Event::Accept { offer, by },
            accepted,
            Outbox::default(),
        )
        .await
    }

    async fn resolved(&self, ask: &Ask, when: &str, rating: u8, learned: SkillId) -> Ask {
        let outbox = Outbox {
            feedback: Some(NewFeedback {
                learner: ask.asker,
                helper: ask.helper().expect("helper"),
                rating,
                thanks: None,
                learned: vec![learned],
            }),
            ..Outbox::default()
        };
        let event = Event::Resolve { by: ask.asker };
        self.step(ask, event, when, outbox).await
    }
}

async fn member(store: &dyn Store, org: OrgId, who: (&str, &str, &str), active: bool) -> PersonId {
    let (name, team, location) = who;
    let mut fields = fields(&format!("{}@acme.test", name.replace(' ', ".")), name);
    fields.team = Some(team.into());
    fields.location = Some(location.into());
    fields.active = active;
    fields.email = askaround_core::email::Email::parse(&format!(
        "{}.{}@{}.test",
        name.replace(' ', "."),
        active,
        org
    ))
    .expect("email");
    store
        .create_person(org, &with_password(fields), t0())
        .await
        .expect("person")
        .person
        .id
}

/// The known organisation: Finance (Lisbon) asks, Ops (Porto) mostly helps. Times straddle the
/// start of summer time in Lisbon (Sunday 29 March 2026, 01:00 UTC).
struct Known {
    org: OrgId,
    excel: SkillId,
    tableau: SkillId,
    kubernetes: SkillId,
    olga: Vec<PersonId>,
    fay: Vec<PersonId>,
}

async fn known(store: &dyn Store) -> Known {
    let acme = org(store, "Acme").await;
    let org = acme.id;
    let mut fay = Vec::new();
    for i in 0..6 {
        fay.push(member(store, org, (&format!("Fay {i}"), "Finance", "Lisbon"), true).await);
    }
    let mut olga = Vec::new();
    for i in 0..7 {
        olga.push(member(store, org, (&format!("Olga {i}"), "Ops", "Porto"), true).await);
    }
    let ivy = member(store, org, ("Ivy", "Finance", "Lisbon"), false).await;
    let excel = skill(store, org, "Excel").await;
    let tableau = skill(store, org, "Tableau").await;
    let kubernetes = skill(store, org, "Kubernetes").await;
    for p in olga[..5].iter().chain([&fay[1], &ivy]) {
        store
            .set_person_skills(org, *p, &[(excel, SkillLevel::Expert)], t0())
            .await
            .expect("skills");
    }

    let life = Life { store, org };
    // Before the range: Olga 2 first helps with Excel on 20 March.
    let early = life.ask(fay[1], excel, "2026-03-20T09:00:00Z").await;
    life.taken(
        &early,
        &[olga[2]],
        "2026-03-20T09:00:00Z",
        "2026-03-20T09:01:00Z",
    )
    .await;
    // Monday 23 March, 09:00–13:00 (UTC = local in winter): Fay i asks, Olga i accepts after a
    // minute, the loop closes an hour after asking.
    for (i, rating) in [5, 5, 5, 4, 2].into_iter().enumerate() {
        let asked = format!("2026-03-23T{:02}:00:00Z", 9 + i);
        let accepted = format!("2026-03-23T{:02}:01:00Z", 9 + i);
        let closed = format!("2026-03-23T{:02}:00:00Z", 10 + i);
        let ask = life.ask(fay[i], excel, &asked).await;
        let ask = life.taken(&ask, &[olga[i]], &asked, &accepted).await;
        life.resolved(&ask, &closed, rating, excel).await;
    }
    // Sunday 29 March 23:00 UTC is Monday 00:00 in Lisbon (summer time): the second local week.
    // Nobody is free; Olga 1 claims it from the board half an hour later.
    let ask = life.ask(fay[5], tableau, "2026-03-29T23:00:00Z").await;
    let ask = life.offer(&ask, &[], "2026-03-29T23:00:00Z").await;
    let claim = Event::Claim { by: olga[1] };
    life.step(&ask, claim, "2026-03-29T23:30:00Z", Outbox::default())
        .await;
    // Olga 0's Kubernetes ask goes to the board and stays there.
    let ask = life.ask(olga[0], kubernetes, "2026-03-31T10:00:00Z").await;
    life.offer(&ask, &[], "2026-03-31T10:00:00Z").await;
    // Fay 0 asks again: two people offered, Olga 0 accepts after 100 s.
    let ask = life.ask(fay[0], excel, "2026-04-01T08:00:00Z").await;
    life.taken(
        &ask,
        &[olga[0], olga[1]],
        "2026-04-01T08:00:00Z",
        "2026-04-01T08:01:40Z",
    )
    .await;
    // Olga 5 asks; Fay 1 helps: the one connection from Ops to Finance.
    let ask = life.ask(olga[5], excel, "2026-04-02T14:00:00Z").await;
    life.taken(
        &ask,
        &[fay[1]],
        "2026-04-02T14:00:00Z",
        "2026-04-02T14:01:00Z",
    )
    .await;

    // Another organisation's asks in the same weeks must not count.
    let globex = super::fixtures::org(store, "Globex").await.id;
    let g0 = member(store, globex, ("Gus 0", "Finance", "Lisbon"), true).await;
    let g1 = member(store, globex, ("Gus 1", "Ops", "Porto"), true).await;
    let g_excel = skill(store, globex, "Excel").await;
    let glife = Life { store, org: globex };
    let ask = glife.ask(g0, g_excel, "2026-03-24T09:00:00Z").await;
    glife
        .taken(&ask, &[g1], "2026-03-24T09:00:00Z", "2026-03-24T09:01:30Z")
        .await;

    Known {
        org,
        excel,
        tableau,
        kubernetes,
        olga,
        fay,
    }
}

/// Monday 23 March to Sunday 5 April 2026, in Lisbon.
fn scope(team: Option<&str>) -> Scope {
    let lisbon = TimeZoneName::parse("Europe/Lisbon").expect("tz");
    Scope::new(
        date(2026, 3, 23),
        date(2026, 4, 6),
        team.map(Into::into),
        None,
        &lisbon,
    )
}

fn group(team: &str, location: &str, counts: [u64; 6]) -> PeopleGroup {
    let [population, asked, learned, helped, connected, repeat] = counts;
    PeopleGroup {
        team: Some(team.into()),
        location: Some(location.into()),
        population,
        asked,
        learned,
        helped,
        connected,
        repeat,
    }
}

pub async fn insights_count_people_and_connections_by_local_week(store: &dyn Store) {
    let k = known(store).await;
    assert_eq!(
        store.insights_timezone(k.org).await.expect("tz").as_deref(),
        Some("Europe/Lisbon")
    );
    let mut a = store
        .insights_adoption(k.org, &scope(None))
        .await
        .expect("adoption");
    a.groups.sort_by(|x, y| x.team.cmp(&y.team));
    // Adoption is since launch, as of the end of the range: Olga 2's help on 20 March, before
    // the range, makes her third repeat user of Ops.
    assert_eq!(
        a.groups,
        [
            group("Finance", "Lisbon", [6, 6, 6, 1, 6, 2]),
            group("Ops", "Porto", [7, 2, 1, 5, 6, 3]),
        ],
        "Ivy is inactive; Globex is another organisation"
    );
    // Fay 5's first connection is Sunday 23:30 UTC, already Monday in Lisbon. Fay 1 and Olga 2,
    // who first connected before the range, count in week 0.
    assert_eq!(a.first_connections, [(0, 10), (1, 2)]);

    let ops = store
        .insights_adoption(k.org, &scope(Some("Ops")))
        .await
        .expect("adoption");
    assert_eq!(ops.groups, [group("Ops", "Porto", [7, 2, 1, 5, 6, 3])]);
    assert_eq!(ops.first_connections, [(0, 5), (1, 1)]);
}

fn stats(asks: u64, askers: u64, answered: u64, to_board: u64) -> AskStats {
    AskStats {
        asks,
        askers,
        answered,
        to_board,
        ..AskStats::default()
    }
}

pub async fn insights_measure_speed_by_local_hour_and_skill(store: &dyn Store) {
    let k = known(store).await;
    let s = store
        .insights_speed(k.org, &scope(None))
        .await
        .expect("speed");
    assert_eq!(
        s.overall,
        AskStats {
            accept_secs: vec![(60, 6), (100, 1), (1800, 1)],
            resolution_secs: vec![(3600, 5)],
            interrupted: vec![(0, 2), (1, 6), (2, 1)],
            ..stats(9, 8, 8, 2)
        }
    );
    let hours: Vec<(u8, u64)> = s.by_hour.iter().map(|(h, s)| (*h, s.asks)).collect();
    assert_eq!(
        hours,
        [(0, 1), (9, 2), (10, 1), (11, 2), (12, 1), (13, 1), (15, 1)]
    );
    assert_eq!(
        s.by_hour[0].1,
        AskStats {
            accept_secs: vec![(1800, 1)],
            interrupted: vec![(0, 1)],
            ..stats(1, 1, 1, 1)
        },
        "claimed from the board after half an hour, nobody interrupted"
    );
    let skill = |id: SkillId| {
        s.by_skill
            .iter()
            .find(|(r, _)| r.id == id)
            .map(|(r, s)| (r.name.clone(), s.asks, s.askers, s.answered, s.to_board))
    };
    assert_eq!(skill(k.excel), Some(("Microsoft Excel".into(), 7, 6, 7, 0)));
    assert_eq!(skill(k.tableau), Some(("Tableau".into(), 1, 1, 1, 1)));
    assert_eq!(skill(k.kubernetes), Some(("Kubernetes".into(), 1, 1, 0, 1)));
    assert_eq!(s.by_skill.len(), 3);

    let ops = store
        .insights_speed(k.org, &scope(Some("Ops")))
        .await
        .expect("speed");
    assert_eq!((ops.overall.asks, ops.overall.askers), (2, 2));
}

/// A store may keep what speed reads in memory (SQLite does): each read must still see every
/// write made since the one before, and a change of team moves a person's asks between filters.
pub async fn insights_speed_follows_writes_after_a_first_read(store: &dyn Store) {
    let k = known(store).await;
    let read = |team: Option<&'static str>| async move {
        store
            .insights_speed(k.org, &scope(team))
            .await
            .expect("speed")
    };
    let before = read(None).await;
    assert_eq!(before.overall.asks, 9);
    let excel_asks = |s: &askaround_core::insights::raw::SpeedRaw| {
        s.by_skill
            .iter()
            .find(|(r, _)| r.id == k.excel)
            .map(|(_, s)| s.asks)
    };
    assert_eq!(excel_asks(&before), Some(7));

    let life = Life { store, org: k.org };
    // Friday 3 April, 16:00 in Lisbon (summer time): a new hour of day.
    let ask = life.ask(k.fay[2], k.excel, "2026-04-03T15:00:00Z").await;
    let after_ask = read(None).await;
    assert_eq!(after_ask.overall.asks, 10);
    assert_eq!(after_ask.overall.answered, 8);
    assert_eq!(excel_asks(&after_ask), Some(8));
    assert!(
        after_ask
            .by_hour
            .iter()
            .any(|(h, s)| *h == 16 && s.asks == 1)
    );

    let ask = life
        .taken(
            &ask,
            &[k.olga[3], k.olga[4]],
            "2026-04-03T15:00:00Z",
            "2026-04-03T15:00:30Z",
        )
        .await;
    let after_accept = read(None).await;
    assert_eq!(after_accept.overall.answered, 9);
    assert_eq!(
        after_accept.overall.accept_secs,
        vec![(30, 1), (60, 6), (100, 1), (1800, 1)]
    );
    assert_eq!(
        after_accept.overall.interrupted,
        vec![(0, 2), (1, 6), (2, 2)]
    );

    life.resolved(&ask, "2026-04-03T17:00:00Z", 5, k.excel)
        .await;
    let after_resolve = read(None).await;
    assert_eq!(
        after_resolve.overall.resolution_secs,
        vec![(3600, 5), (7200, 1)]
    );

    // Fay 2 moves to Ops: her two asks of the range now count for Ops (filters select people
    // by their team now), and no longer for Finance.
    let ops_before = read(Some("Ops")).await.overall.asks;
    let finance_before = read(Some("Finance")).await.overall.asks;
    store
        .update_person(
            k.org,
            k.fay[2],
            &askaround_core::person::PersonPatch {
                team: Some(Some("Ops".into())),
                ..Default::default()
            },
            at("2026-04-04T09:00:00Z"),
        )
        .await
        .expect("move team");
    assert_eq!(read(Some("Ops")).await.overall.asks, ops_before + 2);
    assert_eq!(read(Some("Finance")).await.overall.asks, finance_before - 2);
    assert_eq!(
        read(None).await,
        after_resolve,
        "the whole organisation is unchanged"
    );
}

pub async fn insights_rate_quality_and_skill_supply(store: &dyn Store) {
    let k = known(store).await;
    let q = store
        .insights_quality(k.org, &scope(None), 10)
        .await
        .expect("quality");
    assert_eq!(q.ratings, [(2, 1, 1), (4, 1, 1), (5, 3, 3)]);
    assert_eq!(q.learners, 5);
    assert_eq!(q.learned.len(), 1);
    assert_eq!(
        (q.learned[0].0.id, q.learned[0].1, q.learned[0].2),
        (k.excel, 5, 5)
    );

    let skills = store
        .insights_skills(k.org, &scope(None))
        .await
        .expect("skills");
    let row = |id: SkillId| {
        skills.iter().find(|s| s.skill.id == id).map(|s| {
            [
                s.asks,
                s.askers,
                s.answered,
                s.unmet,
                s.holders,
                s.helpers_to_date,
                s.new_helpers,
            ]
        })
    };
    // Excel: Olga 2 first helped before the range, so 6 helpers to date but 5 new; Ivy's
    // skill does not count, she is inactive.
    assert_eq!(row(k.excel), Some([7, 6, 7, 0, 6, 6, 5]));
    assert_eq!(row(k.tableau), Some([1, 1, 1, 0, 0, 1, 1]));
    assert_eq!(row(k.kubernetes), Some([1, 1, 0, 1, 0, 0, 0]));
    assert_eq!(skills.len(), 3);
}

pub async fn insights_link_teams_and_spread_the_load(store: &dyn Store) {
    let k = known(store).await;
    let links = store
        .insights_connections(k.org, &scope(None))
        .await
        .expect("connections");
    let link = |from: &str, to: &str, asks, people| TeamLink {
        learner_team: Some(from.into()),
        helper_team: Some(to.into()),
        asks,
        people,
    };
    assert_eq!(
        links,
        [link("Finance", "Ops", 7, 11), link("Ops", "Finance", 1, 2)]
    );

    let load = store
        .insights_load(k.org, &scope(None), 3)
        .await
        .expect("load");
    assert_eq!(load.helps_per_helper, [(1, 4), (2, 2)]);
    let top: Vec<(PersonId, &str, u64, u64)> = load
        .top
        .iter()
        .map(|h| (h.person, h.name.as_str(), h.helps, h.offers))
        .collect();
    assert_eq!(
        top,
        [
            (k.olga[0], "Olga 0", 2, 2),
            (k.olga[1], "Olga 1", 2, 2),
            (k.fay[1], "Fay 1", 1, 1),
        ]
    );
}
