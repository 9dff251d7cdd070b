//! Checks of the insights rollups (migration 0007) that every backend runs from its own tests,
//! beside the conformance suite: the privacy promise where a figure is now read from rollups
//! and capped counts, and exact ranges where a local midnight is not a UTC one.

use jiff::Timestamp;
use jiff::civil::date;

use askaround_core::asks::{self, HelpMode, NewAsk};
use askaround_core::email::Email;
use askaround_core::hours::WorkingHours;
use askaround_core::ids::{AskId, OrgId, PersonId, SkillId};
use askaround_core::insights::{Scope, skills};
use askaround_core::language;
use askaround_core::matching::Urgency;
use askaround_core::person::{PersonFields, Role};
use askaround_core::taxonomy::{SeedSkill, Taxonomy};
use askaround_core::timezone::TimeZoneName;

use crate::{NewOrg, NewPerson, Outbox, Store};

fn seed() -> Vec<SeedSkill> {
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

async fn person(store: &dyn Store, org: OrgId, i: usize) -> PersonId {
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

fn start() -> Timestamp {
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
fn kolkata(team: Option<&str>) -> Scope {
    let zone = TimeZoneName::parse("Asia/Kolkata").expect("tz");
    Scope::new(
        date(2026, 3, 2),
        date(2026, 3, 30),
        team.map(Into::into),
        None,
        &zone,
    )
}

fn at(s: &str) -> Timestamp {
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
