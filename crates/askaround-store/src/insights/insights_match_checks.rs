//! Checks of the match rollups (migration 0009) that every backend runs from its own tests:
//! connections follow people's current teams, small pairs stay hidden, and connections and load
//! are the same whichever way a range is read (the matches inside it, or the totals less what
//! lies outside), at local midnights that are not UTC ones.

use jiff::civil::date;

use askaround_core::asks::{self, Candidate, Event, HelpMode, NewAsk, RoutingPolicy};
use askaround_core::ids::{AskId, OfferId, OrgId, PersonId, SkillId};
use askaround_core::insights::raw::{LoadRaw, TeamLink};
use askaround_core::insights::{Scope, connections};
use askaround_core::matching::Urgency;
use askaround_core::person::PersonPatch;
use askaround_core::taxonomy::Taxonomy;
use askaround_core::timezone::TimeZoneName;

use super::insights_checks::{at, kolkata, person, seed, start};
use crate::{NewOrg, Outbox, Store};

/// Asked, offered to `helper` and accepted, every step at `when`.
async fn matched(
    store: &dyn Store,
    org: OrgId,
    (learner, helper): (PersonId, PersonId),
    skill: SkillId,
    when: &str,
) {
    let when = at(when);
    let policy = RoutingPolicy::default();
    let new =
        NewAsk::parse("help with this", vec![skill], Urgency::Now, HelpMode::Chat).expect("ask");
    let mut ask = asks::create(AskId::generate(), learner, new, when).ask;
    store
        .create_ask(org, &ask, None, &Outbox::default(), when)
        .await
        .expect("create ask");
    let offer = OfferId::generate();
    let candidates = vec![Candidate { helper, offer }];
    for event in [
        Event::Candidates {
            wave: 1,
            candidates,
        },
        Event::Accept { offer, by: helper },
    ] {
        let t = asks::apply(&ask, event, when, &policy).expect("event");
        store
            .commit_transition(org, ask.version, &t.ask, &Outbox::default(), when)
            .await
            .expect("commit");
        ask = t.ask;
    }
}

async fn move_to(store: &dyn Store, org: OrgId, who: PersonId, team: &str) {
    let patch = PersonPatch {
        team: Some(Some(team.into())),
        ..PersonPatch::default()
    };
    store
        .update_person(org, who, &patch, start())
        .await
        .expect("move");
}

fn link(from: &str, to: &str, asks: u64, people: u64) -> TeamLink {
    TeamLink {
        learner_team: Some(from.into()),
        helper_team: Some(to.into()),
        asks,
        people,
    }
}

async fn figures(store: &dyn Store, org: OrgId, scope: &Scope) -> (Vec<TeamLink>, LoadRaw) {
    let links = store
        .insights_connections(org, scope)
        .await
        .expect("connections");
    let load = store.insights_load(org, scope, 2).await.expect("load");
    (links, load)
}

fn top(load: &LoadRaw) -> Vec<(PersonId, u64, u64)> {
    load.top
        .iter()
        .map(|h| (h.person, h.helps, h.offers))
        .collect()
}

/// Finance learners helped by Ops (and once by Finance) in March in Kolkata, with matches a
/// minute either side of both local midnights that end the range. A helper moving to Data
/// takes their past match with them; pairs of fewer than 5 people stay hidden; the figures are
/// the same once matches far outside the range make it read from the inside instead of the
/// totals.
pub async fn connections_follow_current_teams_and_ranges_read_either_way(store: &dyn Store) {
    let (org, _) = store
        .create_org(
            &NewOrg {
                name: "Matches".into(),
                slug: "matches".into(),
            },
            &seed(),
            None,
            start(),
        )
        .await
        .expect("org");
    let org = org.id;
    let taxonomy = Taxonomy::new(store.skills(org).await.expect("skills"));
    let excel = taxonomy.resolve("Excel").expect("excel").id;
    // 0 is the admin; 1–5 learn (Finance), 6–8 help (Ops).
    let mut p = Vec::new();
    for i in 0..9 {
        p.push(person(store, org, i).await);
    }
    for helper in &p[6..9] {
        move_to(store, org, *helper, "Ops").await;
    }
    for (learner, helper, when) in [
        (1, 6, "2026-03-01T18:29:00Z"),
        (1, 6, "2026-03-01T18:31:00Z"),
        (2, 7, "2026-03-10T10:00:00Z"),
        (1, 2, "2026-03-15T10:00:00Z"),
        (3, 6, "2026-03-20T10:00:00Z"),
        (4, 8, "2026-03-29T18:29:00Z"),
        (5, 8, "2026-03-29T18:31:00Z"),
    ] {
        matched(store, org, (p[learner], p[helper]), excel, when).await;
    }
    let range = kolkata(None);

    let (links, load) = figures(store, org, &range).await;
    assert_eq!(
        links,
        [
            link("Finance", "Finance", 1, 2),
            link("Finance", "Ops", 4, 7)
        ]
    );
    assert_eq!(load.helps_per_helper, [(1, 3), (2, 1)]);
    assert_eq!(top(&load), [(p[6], 2, 2), (p[2], 1, 1)]);

    // Person 7 moves to Data: their match in March moves with them, and Finance → Ops keeps
    // exactly 5 people.
    move_to(store, org, p[7], "Data").await;
    let (links, moved_load) = figures(store, org, &range).await;
    let expected = [
        link("Finance", "Data", 1, 2),
        link("Finance", "Finance", 1, 2),
        link("Finance", "Ops", 3, 5),
    ];
    assert_eq!(links, expected);
    assert_eq!(moved_load, load, "load does not depend on teams");
    let shown = connections::connections(&links);
    let cells: Vec<(&str, &str, Option<u64>)> = shown
        .cells
        .iter()
        .map(|c| (c.learner_team.as_str(), c.helper_team.as_str(), c.asks))
        .collect();
    assert_eq!(
        cells,
        [
            ("Finance", "Data", None),
            ("Finance", "Finance", None),
            ("Finance", "Ops", Some(3)),
        ]
    );
    assert_eq!(shown.matched, Some(5));
    assert_eq!(shown.cross_team_share, Some(0.8));

    // Either side in Data: the one match of person 7 (pairs with Data on either side; load
    // person by person).
    let data = kolkata(Some("Data"));
    let (links, load) = figures(store, org, &data).await;
    assert_eq!(links, [link("Finance", "Data", 1, 2)]);
    assert_eq!(load.helps_per_helper, [(1, 1)]);
    assert_eq!(top(&load), [(p[7], 1, 1)]);
    // Everyone is in Pune: a location reads person by person, and finds everything.
    let zone = TimeZoneName::parse("Asia/Kolkata").expect("tz");
    let pune = Scope::new(
        date(2026, 3, 2),
        date(2026, 3, 30),
        None,
        Some("Pune".into()),
        &zone,
    );
    let (links, load) = figures(store, org, &pune).await;
    assert_eq!(links, expected);
    assert_eq!(load, moved_load);

    // Matches a year either side: the range now holds a small part of the history, so it is
    // read from the inside. Same figures.
    for when in ["2025-03-10T10:00:00Z", "2027-03-10T10:00:00Z"] {
        matched(store, org, (p[6], p[1]), excel, when).await;
    }
    let (links, load) = figures(store, org, &range).await;
    assert_eq!(links, expected);
    assert_eq!(load, moved_load);

    // March to December holds part of the history: load reads every match in helper order.
    let longer = Scope::new(date(2026, 3, 2), date(2027, 1, 1), None, None, &zone);
    let (links, load) = figures(store, org, &longer).await;
    assert_eq!(
        links,
        [
            link("Finance", "Data", 1, 2),
            link("Finance", "Finance", 1, 2),
            link("Finance", "Ops", 4, 6),
        ]
    );
    assert_eq!(load.helps_per_helper, [(1, 2), (2, 2)]);
    assert_eq!(top(&load), [(p[6], 2, 2), (p[8], 2, 2)]);
}
