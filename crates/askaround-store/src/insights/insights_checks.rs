//! Checks of the insights rollups (migration 0007) that every backend runs from its own tests,
//! beside the conformance suite: the privacy promise where a figure is now read from rollups
//! and capped counts, exact ranges where a local midnight is not a UTC one, and exact learners
//! where a (skill, learner) pair straddles the range.

use jiff::Timestamp;
use jiff::civil::date;

use askaround_core::asks::{self, Candidate, Event, HelpMode, NewAsk, RoutingPolicy};
use askaround_core::email::Email;
use askaround_core::hours::WorkingHours;
use askaround_core::ids::{AskId, OfferId, OrgId, PersonId, SkillId};
use askaround_core::insights::{Scope, quality, skills};
use askaround_core::language;
use askaround_core::matching::Urgency;
use askaround_core::person::{PersonFields, Role};
use askaround_core::taxonomy::{SeedSkill, Taxonomy};
use askaround_core::timezone::TimeZoneName;

use crate::{NewFeedback, NewOrg, NewPerson, Outbox, Store};

pub(super) fn seed() -> Vec<SeedSkill> {
    ["Excel", "Tableau"]
        .into_iter()
        .map(|name| SeedSkill {
            name: name.into(),
            parent: None,
            aliases: Vec::new(),
            popularity: 1,
        })
        .collect()
}

pub(super) async fn person(store: &dyn Store, org: OrgId, i: usize) -> PersonId {
    let fields = PersonFields {
        email: Email::parse(&format!("p{i}@rollups.test")).expect("email"),
        name: format!("Person {i}"),
        title: None,
        team: Some("Finance".into()),
        location: Some("Pune".into()),
        timezone: TimeZoneName::parse("Asia/Kolkata").expect("tz"),
        working_hours: WorkingHours::office(),
        languages: language::parse_list("en").expect("langs"),
        bio: None,
        weekly_budget: 5,
        role: if i == 0 { Role::Admin } else { Role::Member },
        active: true,
    };
    store
        .create_person(org, &NewPerson::new(fields), start())
        .await
        .expect("person")
        .person
        .id
}

pub(super) fn start() -> Timestamp {
    "2026-02-01T00:00:00Z".parse().expect("instant")
}

async fn ask(store: &dyn Store, org: OrgId, asker: PersonId, skill: SkillId, when: Timestamp) {
    let new =
        NewAsk::parse("help with this", vec![skill], Urgency::Now, HelpMode::Chat).expect("ask");
    let t = asks::create(AskId::generate(), asker, new, when);
    store
        .create_ask(org, &t.ask, None, &Outbox::default(), when)
        .await
        .expect("create ask");
}

/// Monday 2 March to Sunday 29 March 2026 in Kolkata (UTC+5:30, no daylight saving): the range
/// starts and ends at 18:30 UTC, so both ends are slivers of a UTC day, and four weeks span
/// whole 7-day blocks and days between them.
pub(super) fn kolkata(team: Option<&str>) -> Scope {
    let zone = TimeZoneName::parse("Asia/Kolkata").expect("tz");
    Scope::new(
        date(2026, 3, 2),
        date(2026, 3, 30),
        team.map(Into::into),
        None,
        &zone,
    )
}

pub(super) fn at(s: &str) -> Timestamp {
    s.parse().expect("instant")
}

/// Four people asking for a skill a hundred times between them stay hidden, whatever the
/// rollups add up; a fifth shows the row. Asks a minute either side of a range end that is a
/// local (not UTC) midnight count on the right side of it.
pub async fn few_askers_stay_hidden_and_ranges_end_at_local_midnight(store: &dyn Store) {
    let (org, _) = store
        .create_org(
            &NewOrg {
                name: "Rollups".into(),
                slug: "rollups".into(),
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
    let tableau = taxonomy.resolve("Tableau").expect("tableau").id;
    let mut people = Vec::new();
    for i in 0..6 {
        people.push(person(store, org, i).await);
    }
    // 100 asks from 4 people, spread over the whole range (every 6 h 40 min from the first
    // instant of 2 March in Kolkata).
    let first = at("2026-03-01T18:30:00Z").as_millisecond();
    for n in 0..100_i64 {
        let when = Timestamp::from_millisecond(first + n * 24_000_000).expect("instant");
        ask(
            store,
            org,
            people[usize::try_from(n % 4).expect("index")],
            excel,
            when,
        )
        .await;
    }
    // Just outside and just inside both ends: 18:29 UTC on 1 March is still 1 March in Kolkata.
    for when in [
        "2026-03-01T18:29:00Z",
        "2026-03-01T18:31:00Z",
        "2026-03-29T18:29:00Z",
        "2026-03-29T18:31:00Z",
    ] {
        ask(store, org, people[4], tableau, at(when)).await;
    }

    let raw = store
        .insights_skills(org, &kolkata(None))
        .await
        .expect("skills");
    let row = |id: SkillId| {
        raw.iter()
            .find(|s| s.skill.id == id)
            .map(|s| (s.asks, s.askers))
    };
    assert_eq!(row(excel), Some((100, 4)));
    assert_eq!(
        row(tableau),
        Some((2, 1)),
        "only the asks inside the local range"
    );
    let report = skills(&raw);
    assert!(
        report.skills.iter().all(|d| d.asks.is_none()),
        "no row of fewer than 5 askers is shown: {report:?}"
    );

    // The same through a team filter (the people in scope, read one by one).
    let team = store
        .insights_skills(org, &kolkata(Some("Finance")))
        .await
        .expect("skills");
    assert_eq!(
        team.iter()
            .find(|s| s.skill.id == excel)
            .map(|s| (s.asks, s.askers)),
        Some((100, 4))
    );

    // A fifth asker inside the range: the row is shown.
    ask(store, org, people[5], excel, at("2026-03-15T10:00:00Z")).await;
    let raw = store
        .insights_skills(org, &kolkata(None))
        .await
        .expect("skills");
    let report = skills(&raw);
    let shown = report
        .skills
        .iter()
        .find(|d| d.skill.id == excel)
        .and_then(|d| d.asks);
    assert_eq!(shown, Some(101));
}

/// Writes an ask's life through the real state machine: asked, offered to `helper`, accepted,
/// resolved with a rating and `skill` learned, every step at `when`.
async fn learned_at(
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
    for (event, outbox) in [
        (
            Event::Candidates {
                wave: 1,
                candidates,
            },
            Outbox::default(),
        ),
        (Event::Accept { offer, by: helper }, Outbox::default()),
        (
            Event::Resolve { by: learner },
            Outbox {
                feedback: Some(NewFeedback {
                    learner,
                    helper,
                    rating: 5,
                    thanks: None,
                    learned: vec![skill],
                }),
                ..Outbox::default()
            },
        ),
    ] {
        let t = asks::apply(&ask, event, when, &policy).expect("event");
        store
            .commit_transition(org, ask.version, &t.ask, &outbox, when)
            .await
            .expect("commit");
        ask = t.ask;
    }
}

/// Learners of a skill are exact (they are shown), whichever side of the range they are counted
/// from: one who learned it before, inside and after the range counts, one who learned it only
/// before and after does not. Four learners' ratings stay hidden.
pub async fn learners_are_exact_around_a_range_and_few_raters_stay_hidden(store: &dyn Store) {
    let (org, _) = store
        .create_org(
            &NewOrg {
                name: "Learning".into(),
                slug: "learning".into(),
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
    let mut people = Vec::new();
    for i in 0..5 {
        people.push(person(store, org, i).await);
    }
    let helper = people[0];
    let namings: [(usize, &[&str]); 4] = [
        (
            1,
            &[
                "2026-02-20T10:00:00Z",
                "2026-03-10T10:00:00Z",
                "2026-04-10T10:00:00Z",
            ],
        ),
        (2, &["2026-02-20T11:00:00Z", "2026-04-10T11:00:00Z"]),
        (3, &["2026-03-05T10:00:00Z"]),
        (4, &["2026-02-20T12:00:00Z", "2026-03-20T10:00:00Z"]),
    ];
    for (learner, times) in namings {
        for when in times {
            learned_at(store, org, (people[learner], helper), excel, when).await;
        }
    }
    // Tableau, named mostly inside the range (its learners are then counted from the pairs
    // outside): one straddling without a naming inside, one only after.
    let tableau = taxonomy.resolve("Tableau").expect("tableau").id;
    let namings: [(usize, &[&str]); 4] = [
        (1, &["2026-02-21T10:00:00Z", "2026-04-11T10:00:00Z"]),
        (
            2,
            &[
                "2026-03-03T10:00:00Z",
                "2026-03-04T10:00:00Z",
                "2026-03-05T11:00:00Z",
                "2026-03-06T10:00:00Z",
            ],
        ),
        (3, &["2026-03-11T10:00:00Z"]),
        (4, &["2026-04-12T10:00:00Z"]),
    ];
    for (learner, times) in namings {
        for when in times {
            learned_at(store, org, (people[learner], helper), tableau, when).await;
        }
    }
    let raw = store
        .insights_quality(org, &kolkata(None), 10)
        .await
        .expect("quality");
    let learned: Vec<(SkillId, u64, u64)> =
        raw.learned.iter().map(|(s, t, l)| (s.id, *t, *l)).collect();
    assert_eq!(learned, [(tableau, 5, 2), (excel, 3, 3)]);
    assert_eq!(raw.ratings, [(5, 8, 4)]);
    assert_eq!(raw.learners, 4);
    let shown = quality(&raw);
    assert_eq!(shown.rated, None, "four learners rated: hidden");
    assert!(shown.ratings.iter().all(|r| r.count.is_none()));
    assert!(shown.learned.is_empty());

    let team = store
        .insights_quality(org, &kolkata(Some("Finance")), 10)
        .await
        .expect("quality");
    assert_eq!(team, raw, "the same read person by person");
}
