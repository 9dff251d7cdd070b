//! Tests of [`super`]: the in-memory speed figures.

use super::tally::{DENSE, dense_index, dense_value};
use super::*;

#[test]
fn dense_cells_map_back_to_their_values() {
    for at in 0..DENSE {
        assert_eq!(dense_index(dense_value(at)), Some(at), "cell {at}");
    }
    for value in [-1, 101, 1234, 100_000_000, i64::MAX] {
        assert_eq!(dense_index(value), None, "{value}");
    }
    for value in 0..200_000 {
        let rounded = rounded_like_sql(value);
        assert!(dense_index(rounded).is_some(), "{value} → {rounded}");
    }
}

#[test]
fn facts_read_in_any_order_keep_the_last_of_each_key() {
    let ids: Vec<AskId> = (0..4).map(|_| AskId::generate()).collect();
    let asker = PersonId::generate();
    let fact = |key: usize, interrupted: i64| AskFact {
        id: ids[key],
        created_ms: 1_000,
        asker,
        matched_ms: None,
        resolved_ms: None,
        interrupted,
        went_to_board: false,
        skills: Vec::new(),
    };
    let facts = AskFacts::from_facts([fact(3, 1), fact(1, 1), fact(3, 2), fact(2, 1)]);
    assert_eq!(facts.len(), 3);
    let clock = LocalClock::new(
        &jiff::tz::TimeZone::UTC,
        jiff::Timestamp::UNIX_EPOCH,
        jiff::Timestamp::UNIX_EPOCH,
    );
    let totals = facts.speed(&SpeedQuery {
        from_ms: 0,
        to_ms: 2_000,
        clock: &clock,
        askers: None,
        askers_cap: 100,
    });
    assert_eq!(totals.overall.interrupted, vec![(1, 2), (2, 1)]);
}

/// Batches (asks deleted, ids out of order, one id twice) end as the same changes applied
/// one at a time.
#[test]
fn a_batch_applies_like_one_change_at_a_time() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let ids: Vec<AskId> = (0..300).map(|_| AskId::generate()).collect();
    let people: Vec<PersonId> = (0..30).map(|_| PersonId::generate()).collect();
    let skills: Vec<SkillId> = (0..5).map(|_| SkillId::generate()).collect();
    let clock = LocalClock::new(
        &jiff::tz::TimeZone::UTC,
        jiff::Timestamp::UNIX_EPOCH,
        jiff::Timestamp::UNIX_EPOCH,
    );
    let query = SpeedQuery {
        from_ms: 0,
        to_ms: 100_000_000,
        clock: &clock,
        askers: None,
        askers_cap: 10,
    };
    let (mut one, mut batched) = (AskFacts::new(), AskFacts::new());
    for _ in 0..200 {
        let mut current = Vec::new();
        for _ in 0..rng.random_range(0..25) {
            let created_ms = rng.random_range(0..90_000_000);
            current.push(AskFact {
                id: ids[rng.random_range(0..ids.len())],
                created_ms,
                asker: people[rng.random_range(0..people.len())],
                matched_ms: rng
                    .random_bool(0.7)
                    .then(|| created_ms + rng.random_range(-5_000..5_000_000)),
                resolved_ms: rng
                    .random_bool(0.5)
                    .then(|| created_ms + rng.random_range(0..500_000_000)),
                interrupted: rng.random_range(0..150),
                went_to_board: rng.random_bool(0.2),
                skills: (0..rng.random_range(0..3))
                    .map(|_| skills[rng.random_range(0..skills.len())])
                    .collect(),
            });
        }
        let gone: Vec<AskId> = (0..rng.random_range(0..5))
            .map(|_| ids[rng.random_range(0..ids.len())])
            .collect();
        for fact in &current {
            one.upsert(fact);
        }
        for id in &gone {
            one.remove(*id);
        }
        batched.apply(&current, &gone);
        assert_eq!(one.len(), batched.len());
        assert_eq!(one.speed(&query), batched.speed(&query));
    }
    assert!(
        one.len() > 100,
        "the batches built up a real set ({})",
        one.len()
    );
    let some: Vec<PersonId> = people[..10].to_vec();
    let filtered = SpeedQuery {
        askers: Some(&one.people_set(some)),
        ..query
    };
    assert!(one.speed(&filtered).overall.asks < one.speed(&query).overall.asks);
}

#[test]
fn people_sets_hold_exactly_their_members() {
    let set: PeopleSet = [0, 63, 64, 1000].into_iter().collect();
    for p in [0, 63, 64, 1000] {
        assert!(set.contains(p));
    }
    for p in [1, 62, 65, 999, 1001, u32::MAX] {
        assert!(!set.contains(p));
    }
}
