//! Properties over random organisations and asks.

use proptest::prelude::*;

use super::fixtures::*;
use crate::hours::WorkingHours;
use crate::matching::{
    Ask, Asker, CandidateProfile, CandidateState, Decline, GateConfig, MatchConfig, MatchIndex,
    OutOfOffice, Presence, Urgency,
};
use crate::skill::SkillLevel;

const WORDS: &[&str] = &[
    "pivot",
    "table",
    "excel",
    "formula",
    "kubernetes",
    "pod",
    "sql",
    "join",
    "refresh",
    "chart",
    "🦀",
    "",
];
const ZONES: &[&str] = &["Europe/Lisbon", "America/New_York", "Asia/Tokyo", "UTC"];
const HOURS: &[&str] = &[
    "mon-fri 09:00-17:00",
    "mon-fri 22:00-06:00",
    "sat-sun 08:00-20:00",
    "none",
];
const SKILLS: [crate::ids::SkillId; 5] = [SPREADSHEETS, EXCEL, PIVOT, KUBERNETES, SQL];

#[derive(Debug, Clone)]
struct Someone {
    profile: CandidateProfile,
    state: CandidateState,
    sessions: Vec<(String, usize, Option<u8>)>,
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 0..8).prop_map(|w| w.join(" "))
}

fn someone(n: u128) -> impl Strategy<Value = Someone> {
    (
        any::<bool>(),
        prop::sample::select(ZONES),
        prop::sample::select(HOURS),
        prop::collection::vec((0usize..5, 0u8..3), 0..4),
        0u16..6,
        0u16..8,
        prop::sample::select(vec![
            Presence::Online,
            Presence::Away,
            Presence::Offline,
            Presence::DoNotDisturb,
        ]),
        prop::collection::vec((text(), 0usize..5, prop::option::of(1u8..=5)), 0..4),
        0usize..OUT_OF_OFFICE.len(),
        prop::collection::vec((1u128..30, 0i64..20), 0..3),
    )
        .prop_map(
            move |(
                inactive,
                zone,
                hours,
                skills,
                budget,
                used,
                presence,
                sessions,
                away,
                declines,
            )| {
                let mut profile = profile(n, "Somewhere", zone, &[]);
                profile.active = !inactive || n.is_multiple_of(2);
                profile.working_hours = WorkingHours::parse(hours).unwrap();
                profile.skills = skills
                    .into_iter()
                    .map(|(s, l)| {
                        (
                            SKILLS[s],
                            [
                                SkillLevel::Beginner,
                                SkillLevel::Intermediate,
                                SkillLevel::Expert,
                            ][usize::from(l)],
                        )
                    })
                    .collect();
                profile.weekly_budget = budget;
                let state = CandidateState {
                    presence,
                    offers_this_week: used,
                    out_of_office: OUT_OF_OFFICE[away].map(|(from, until)| OutOfOffice {
                        from: days_from_now(from),
                        until: days_from_now(until),
                    }),
                    declines: declines
                        .into_iter()
                        .map(|(asker, age)| Decline {
                            asker: person(asker),
                            at: declined_at(age),
                        })
                        .collect(),
                    ..CandidateState::default()
                };
                Someone {
                    profile,
                    state,
                    sessions,
                }
            },
        )
}

/// Out-of-office periods as days from now: none, one that covers now, one over, one to come.
const OUT_OF_OFFICE: [Option<(i64, i64)>; 4] =
    [None, Some((-1, 10)), Some((-10, -1)), Some((1, 5))];

fn days_from_now(days: i64) -> jiff::Timestamp {
    now() + jiff::SignedDuration::from_hours(24 * days)
}

/// A decline `age` days and an hour ago, so that no decline sits on the cooldown's edge.
fn declined_at(age: i64) -> jiff::Timestamp {
    now() - jiff::SignedDuration::from_hours(24 * age + 1)
}

/// Small organisations, and ones that span several 64-slot words of the gate bitsets.
fn organisation() -> impl Strategy<Value = Vec<Someone>> {
    prop_oneof![1usize..25, 60usize..160]
        .prop_flat_map(|n| (0..n as u128).map(|i| someone(i + 1)).collect::<Vec<_>>())
}

fn build(people: &[Someone]) -> MatchIndex {
    let mut index = MatchIndex::new(taxonomy(), Default::default());
    let add = |index: &mut MatchIndex, p: &Someone| {
        index.upsert_profile(&p.profile);
        index.set_state(p.profile.id, p.state.clone()).unwrap();
        for (i, (text, skill, rating)) in p.sessions.iter().enumerate() {
            index
                .add_evidence(
                    p.profile.id,
                    &session(1000 + i as u128, text, &[SKILLS[*skill]], *rating),
                )
                .unwrap();
        }
    };
    for p in people {
        add(&mut index, p);
    }
    // Someone leaves and comes back (their slot is freed and reused), and someone's state is
    // lent out last: rankings must screen both right.
    if let Some(p) = people.get(people.len() / 2) {
        index.remove_person(p.profile.id);
        add(&mut index, p);
    }
    if let Some(p) = people.last() {
        *index.state_mut(p.profile.id).unwrap() = p.state.clone();
    }
    index
}

/// What the gates promise, restated from the inputs.
fn may_be_offered(p: &Someone, asker: u128) -> bool {
    p.profile.id != person(asker)
        && p.profile.active
        && p.state.presence != Presence::DoNotDisturb
        && p.profile
            .working_hours
            .is_working_at(now(), &p.profile.timezone)
        && p.profile.weekly_budget > 0
        && p.state.offers_this_week < p.profile.weekly_budget
        && !p
            .state
            .out_of_office
            .is_some_and(|o| o.from <= now() && now() < o.until)
        && !p.state.declines.iter().any(|d| {
            d.asker == person(asker)
                && d.at > days_from_now(-i64::from(GateConfig::default().decline_cooldown_days))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn rankings_are_deterministic_finite_and_respect_every_gate(
        people in organisation(),
        ask_text in text(),
        ask_skills in prop::collection::vec(0usize..5, 0..3),
        asker in 1u128..160,
        seed in any::<u64>(),
    ) {
        let index = build(&people);
        let ask = Ask {
            skills: ask_skills.into_iter().map(|s| SKILLS[s]).collect(),
            urgency: Urgency::Now,
            seed,
            ..Ask::new(ask_text)
        };
        let config = MatchConfig::default();
        let asker_ctx = Asker::anonymous(person(asker));
        let first = index.rank(&ask, &asker_ctx, now(), &config);
        let again = index.rank(&ask, &asker_ctx, now(), &config);
        prop_assert_eq!(&first, &again);
        prop_assert!(first.candidates.len() <= config.limit);
        for c in &first.candidates {
            prop_assert!(c.score.is_finite() && c.score >= 0.0);
            prop_assert!(c.expertise.is_finite() && c.prior.is_finite());
            let p = people.iter().find(|p| p.profile.id == c.person).unwrap();
            prop_assert!(may_be_offered(p, asker), "{:?} should have been gated", p.profile.id);
        }
        let rebuilt = build(&people).rank(&ask, &asker_ctx, now(), &config);
        prop_assert_eq!(&first, &rebuilt);
    }

    #[test]
    fn leaving_out_who_cannot_be_relevant_changes_no_outcome(
        people in organisation(),
        ask_text in text(),
        ask_skills in prop::collection::vec(0usize..5, 0..3),
        asker in 1u128..160,
        seed in any::<u64>(),
        floors in prop::sample::select(vec![(0.05, 0.3), (0.3, 0.5), (0.6, 0.9), (0.0, 0.3)]),
    ) {
        let index = build(&people);
        let ask = Ask {
            skills: ask_skills.into_iter().map(|s| SKILLS[s]).collect(),
            urgency: Urgency::Now,
            seed,
            ..Ask::new(ask_text)
        };
        let config = MatchConfig {
            relevance_floor: floors.0,
            word_relevance_floor: floors.1,
            ..MatchConfig::default()
        };
        let asker_ctx = Asker::anonymous(person(asker));
        let pruned = index.rank_pruned(&ask, &asker_ctx, now(), &config, true);
        let exhaustive = index.rank_pruned(&ask, &asker_ctx, now(), &config, false);
        prop_assert_eq!(pruned, exhaustive);
    }
}
