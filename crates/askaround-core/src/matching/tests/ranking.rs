//! Ranking scenarios on the fixture organisation.

use jiff::Timestamp;

use super::fixtures::*;
use crate::language::Language;
use crate::matching::{
    Ask, Asker, Decline, Gate, MatchConfig, OutOfOffice, Presence, Reason, Urgency,
};

fn asker() -> Asker {
    Asker {
        id: person(ASKER),
        team: Some("Sales".into()),
        location: Some("London".into()),
        languages: vec![Language::parse("en").unwrap()],
    }
}

fn ranked(ask: &Ask, now: Timestamp) -> Vec<u128> {
    let outcome = org().rank(ask, &asker(), now, &MatchConfig::default());
    outcome
        .candidates
        .iter()
        .map(|c| c.person.as_uuid().as_u128())
        .collect()
}

#[test]
fn an_ask_about_pivot_tables_reaches_excel_people_and_the_proven_helper_first() {
    let order = ranked(
        &Ask::new("How do I make a pivot table update when rows are added?"),
        now(),
    );
    assert_eq!(order.first(), Some(&ANA));
    assert!(
        order.contains(&BEN),
        "an Excel intermediate is reached through the taxonomy: {order:?}"
    );
    assert!(
        !order.contains(&CHO),
        "a Kubernetes person is not relevant: {order:?}"
    );
}

#[test]
fn the_asker_is_never_offered_their_own_ask() {
    let order = ranked(&Ask::new("excel pivot table"), now());
    assert!(!order.contains(&ASKER));
}

#[test]
fn someone_asleep_in_their_time_zone_is_gated_and_counted() {
    let outcome = org().rank(
        &Ask::new("Excel formulas"),
        &asker(),
        now(),
        &MatchConfig::default(),
    );
    let order: Vec<u128> = outcome
        .candidates
        .iter()
        .map(|c| c.person.as_uuid().as_u128())
        .collect();
    assert!(!order.contains(&DEV), "05:00 in New York");
    assert_eq!(outcome.gates.removed_by(Gate::OutsideHours), 1);
    assert!(
        outcome
            .explanations()
            .iter()
            .any(|m| m == "1 person who knows Microsoft Excel is outside their working hours"),
        "{:?}",
        outcome.explanations()
    );
}

#[test]
fn a_today_ask_keeps_someone_who_starts_work_later_today() {
    let ask = Ask {
        urgency: Urgency::Today,
        ..Ask::new("Excel formulas")
    };
    assert!(ranked(&ask, now()).contains(&DEV));
}

#[test]
fn reasons_read_like_a_person_wrote_them() {
    let outcome = org().rank(
        &Ask::new("pivot table refresh"),
        &asker(),
        now(),
        &MatchConfig::default(),
    );
    let ana = &outcome.candidates[0];
    assert_eq!(
        ana.summary(),
        "helped 6 people with Pivot tables, rated 5.0 · expert in Microsoft Excel · online · 10:00 in Lisbon · 0 of 5 weekly offers used · speaks en · in Finance"
    );
    assert!(ana.reasons.contains(&Reason::Presence {
        presence: Presence::Online
    }));
}

#[test]
fn each_availability_gate_removes_the_person_it_should() {
    let config = MatchConfig::default();
    let ask = Ask::new("pivot table");
    type Change = Box<dyn Fn(&mut crate::matching::MatchIndex)>;
    let cases: Vec<(Gate, Change)> = vec![
        (
            Gate::DoNotDisturb,
            Box::new(|i| i.state_mut(person(ANA)).unwrap().presence = Presence::DoNotDisturb),
        ),
        (
            Gate::OutOfOffice,
            Box::new(|i| {
                i.state_mut(person(ANA)).unwrap().out_of_office = Some(OutOfOffice {
                    from: "2026-11-20T00:00:00Z".parse().unwrap(),
                    until: "2026-11-30T00:00:00Z".parse().unwrap(),
                })
            }),
        ),
        (
            Gate::OverBudget,
            Box::new(|i| i.state_mut(person(ANA)).unwrap().offers_this_week = 5),
        ),
        (
            Gate::DeclinedRecently,
            Box::new(|i| {
                i.state_mut(person(ANA)).unwrap().declines.push(Decline {
                    asker: person(ASKER),
                    at: "2026-11-24T10:00:00Z".parse().unwrap(),
                })
            }),
        ),
        (
            Gate::Inactive,
            Box::new(|i| {
                let mut p = profile(ANA, "Lisbon", "Europe/Lisbon", &[]);
                p.active = false;
                i.upsert_profile(&p);
            }),
        ),
        (
            Gate::OffersPaused,
            Box::new(|i| {
                let mut p = profile(ANA, "Lisbon", "Europe/Lisbon", &[]);
                p.weekly_budget = 0;
                i.upsert_profile(&p);
            }),
        ),
    ];
    for (gate, change) in cases {
        let mut index = org();
        change(&mut index);
        let outcome = index.rank(&ask, &asker(), now(), &config);
        assert!(
            outcome.candidates.iter().all(|c| c.person != person(ANA)),
            "{gate:?}"
        );
        assert_eq!(
            outcome.gates.removed_by(gate),
            1,
            "{gate:?}: {:?}",
            outcome.gates
        );
    }
}

#[test]
fn someone_who_speaks_the_asks_language_goes_first_among_equals() {
    let mut index = org();
    let mut ben = profile(
        BEN,
        "Lisbon",
        "Europe/Lisbon",
        &[(super::fixtures::EXCEL, crate::skill::SkillLevel::Expert)],
    );
    ben.languages = vec![Language::parse("pt").unwrap()];
    index.upsert_profile(&ben);
    let ask = Ask {
        language: Some(Language::parse("pt-BR").unwrap()),
        ..Ask::new("Excel")
    };
    let outcome = index.rank(&ask, &asker(), now(), &MatchConfig::default());
    let ben = outcome
        .candidates
        .iter()
        .find(|c| c.person == person(BEN))
        .unwrap();
    let ana = outcome
        .candidates
        .iter()
        .find(|c| c.person == person(ANA))
        .unwrap();
    assert!(ben.prior > ana.prior);
}

#[test]
fn bad_input_gives_an_empty_answer_not_a_panic() {
    let index = org();
    let config = MatchConfig::default();
    for text in [
        "",
        "   \n\t",
        "the and of to",
        &"pivot ".repeat(20_000),
        "🦀🦀🦀",
    ] {
        let outcome = index.rank(&Ask::new(text), &asker(), now(), &config);
        for c in &outcome.candidates {
            assert!(c.score.is_finite());
        }
    }
    let unknown = Ask {
        skills: vec![crate::ids::SkillId(uuid::Uuid::from_u128(999))],
        ..Ask::new("")
    };
    let outcome = index.rank(&unknown, &asker(), now(), &config);
    assert!(outcome.candidates.is_empty());
    assert!(
        outcome.skills.is_empty(),
        "an unknown skill is ignored, not an error"
    );
}

#[test]
fn an_organisation_of_one_has_nobody_to_ask() {
    let mut index = crate::matching::MatchIndex::new(taxonomy(), Default::default());
    index.upsert_profile(&profile(
        ASKER,
        "London",
        "Europe/London",
        &[(EXCEL, crate::skill::SkillLevel::Expert)],
    ));
    let outcome = index.rank(&Ask::new("excel"), &asker(), now(), &MatchConfig::default());
    assert!(outcome.candidates.is_empty());
    assert_eq!(outcome.gates.relevant, 0);
    assert_eq!(outcome.gates.removed_by(Gate::Asker), 1);
}
