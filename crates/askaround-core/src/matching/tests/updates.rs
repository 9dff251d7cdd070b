//! Incremental updates change rankings exactly as a rebuild would.

use super::fixtures::*;
use crate::matching::{Ask, Asker, Gate, MatchConfig, MatchIndex};
use crate::skill::SkillLevel;

fn expertise(index: &MatchIndex, text: &str, who: u128) -> f64 {
    index.expertise_scores(
        &Ask::new(text),
        &[person(who)],
        now(),
        &MatchConfig::default().expertise,
    )[0]
    .unwrap()
}

#[test]
fn removing_a_session_restores_the_scores_before_it() {
    let mut index = org();
    let before = expertise(&index, "vlookup across sheets", BEN);
    let evidence = session(30, "vlookup across two sheets", &[EXCEL], Some(4));
    index.add_evidence(person(BEN), &evidence).unwrap();
    assert!(expertise(&index, "vlookup across sheets", BEN) > before);
    index.remove_evidence(person(BEN), &evidence).unwrap();
    let after = expertise(&index, "vlookup across sheets", BEN);
    assert!(
        (after - before).abs() < 1e-6 * before.max(1.0),
        "{before} vs {after}"
    );
}

#[test]
fn a_profile_edit_replaces_the_old_skills() {
    let mut index = org();
    index.upsert_profile(&profile(
        CHO,
        "Lisbon",
        "Europe/Lisbon",
        &[(EXCEL, SkillLevel::Expert)],
    ));
    let outcome = index.rank(
        &Ask::new("excel"),
        &Asker::anonymous(person(ASKER)),
        now(),
        &MatchConfig::default(),
    );
    assert!(outcome.candidates.iter().any(|c| c.person == person(CHO)));
    let outcome = index.rank(
        &Ask::new("kubernetes"),
        &Asker::anonymous(person(ASKER)),
        now(),
        &MatchConfig::default(),
    );
    assert!(outcome.candidates.iter().all(|c| c.person != person(CHO)));
}

#[test]
fn many_updates_give_the_same_index_as_building_once() {
    let mut updated = org();
    for _ in 0..50 {
        updated.upsert_profile(&profile(
            BEN,
            "Lisbon",
            "Europe/Lisbon",
            &[(EXCEL, SkillLevel::Beginner)],
        ));
        updated.upsert_profile(&profile(
            BEN,
            "Lisbon",
            "Europe/Lisbon",
            &[(EXCEL, SkillLevel::Intermediate)],
        ));
    }
    let fresh = org();
    for who in [ANA, BEN, CHO, DEV] {
        assert!(
            (expertise(&updated, "excel pivot", who) - expertise(&fresh, "excel pivot", who)).abs()
                < 1e-9
        );
    }
}

#[test]
fn a_removed_person_is_gone_and_their_slot_is_reused() {
    let mut index = org();
    index.remove_person(person(ANA));
    index.remove_person(person(ANA));
    assert!(!index.contains(person(ANA)));
    assert!(index.state_mut(person(ANA)).is_err());
    index.upsert_profile(&profile(
        42,
        "Lisbon",
        "Europe/Lisbon",
        &[(PIVOT, SkillLevel::Expert)],
    ));
    let outcome = index.rank(
        &Ask::new("pivot table"),
        &Asker::anonymous(person(ASKER)),
        now(),
        &MatchConfig::default(),
    );
    assert!(outcome.candidates.iter().all(|c| c.person != person(ANA)));
    assert!(outcome.candidates.iter().any(|c| c.person == person(42)));
}

#[test]
fn evidence_for_an_unknown_person_is_an_error() {
    let mut index = org();
    assert!(
        index
            .add_evidence(person(77), &session(1, "x", &[], None))
            .is_err()
    );
}

#[test]
fn a_batch_of_sessions_and_compacting_rank_as_adding_them_one_by_one() {
    let sessions = [
        session(30, "vlookup across two sheets", &[EXCEL], Some(4)),
        session(
            31,
            "pivot table refresh when rows are added",
            &[PIVOT],
            Some(5),
        ),
        session(32, "conditional formatting by date", &[EXCEL], None),
    ];
    let mut one_by_one = org();
    for s in &sessions {
        one_by_one.add_evidence(person(BEN), s).unwrap();
    }
    let mut batched = org();
    batched.add_evidence_batch(person(BEN), &sessions).unwrap();
    batched.compact();
    assert_eq!(batched.helps(person(BEN)), one_by_one.helps(person(BEN)));
    for text in ["vlookup sheets", "pivot table rows", "excel formatting"] {
        for who in [ANA, BEN, CHO, DEV] {
            let (a, b) = (
                expertise(&one_by_one, text, who),
                expertise(&batched, text, who),
            );
            assert!(
                (a - b).abs() < 1e-9 * a.max(1.0),
                "{text} {who}: {a} vs {b}"
            );
        }
        let rank = |index: &MatchIndex| -> Vec<_> {
            index
                .rank(
                    &Ask::new(text),
                    &Asker::anonymous(person(ASKER)),
                    now(),
                    &MatchConfig::default(),
                )
                .candidates
                .iter()
                .map(|c| c.person)
                .collect()
        };
        assert_eq!(rank(&one_by_one), rank(&batched), "{text}");
    }
    assert!(batched.heap_bytes() <= one_by_one.heap_bytes());
}

#[test]
fn a_move_to_another_time_zone_is_seen_by_the_next_ranking() {
    let mut index = org();
    let ask = Ask::new("excel");
    let asker = Asker::anonymous(person(ASKER));
    let config = MatchConfig::default();
    let before = index.rank(&ask, &asker, now(), &config);
    assert!(before.candidates.iter().any(|c| c.person == person(BEN)));
    // 10:00 in Lisbon is 05:00 in New York: Ben is now outside his working hours, and back in
    // them once he returns (the second ranking of the same moment must not reuse the first's
    // view of who works now).
    let moved = profile(
        BEN,
        "New York",
        "America/New_York",
        &[(EXCEL, SkillLevel::Intermediate)],
    );
    index.upsert_profile(&moved);
    let after = index.rank(&ask, &asker, now(), &config);
    assert!(after.candidates.iter().all(|c| c.person != person(BEN)));
    assert_eq!(
        after.gates.removed_by(Gate::OutsideHours),
        before.gates.removed_by(Gate::OutsideHours) + 1
    );
    let home = profile(
        BEN,
        "Lisbon",
        "Europe/Lisbon",
        &[(EXCEL, SkillLevel::Intermediate)],
    );
    index.upsert_profile(&home);
    let back = index.rank(&ask, &asker, now(), &config);
    assert!(back.candidates.iter().any(|c| c.person == person(BEN)));
    assert_eq!(back.gates, before.gates);
}
