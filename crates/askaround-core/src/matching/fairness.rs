//! Fairness and cold start: do not send every ask to the same three stars.
//!
//! Among candidates of similar fit (within [`FairnessConfig::similar_fit`] of the best), the one
//! with more of their weekly budget left goes first. And a share of asks reserves a first-wave seat
//! for a newcomer who declared a matching skill but has no help history yet, so evidence grows
//! across the organisation instead of piling up on the people who already have it. Every choice
//! is a function of the ask's seed: the same ask routes the same way.

use super::config::FairnessConfig;
use crate::ids::PersonId;

/// A candidate that passed every gate, as fairness sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Contender {
    pub person: PersonId,
    pub score: f64,
    /// The parts of the score, carried through for the outcome.
    pub expertise: f64,
    pub prior: f64,
    /// Share of the weekly budget already used, 0 to 1.
    pub load: f64,
    /// No help sessions yet, but a declared skill this ask needs.
    pub newcomer: bool,
    pub explored: bool,
}

/// Reorders `ranked` (sorted best first) in place.
pub(super) fn apply(ranked: &mut Vec<Contender>, config: &FairnessConfig, seed: u64, limit: usize) {
    spread_load(ranked, config, seed);
    explore(ranked, config, seed, limit);
}

/// Discounts similar-fit candidates by their load, and breaks exact ties by a seeded hash rather
/// than by id (ids are time-ordered: older accounts would always win).
fn spread_load(ranked: &mut [Contender], config: &FairnessConfig, seed: u64) {
    let Some(best) = ranked.first().map(|c| c.score) else {
        return;
    };
    let threshold = best * config.similar_fit.clamp(0.0, 1.0);
    let penalty = config.load_penalty.clamp(0.0, 1.0);
    for c in ranked.iter_mut().take_while(|c| c.score >= threshold) {
        c.score *= 1.0 - penalty * c.load.clamp(0.0, 1.0);
    }
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| tie_break(seed, a.person).cmp(&tie_break(seed, b.person)))
    });
}

/// With probability `explore_share` (decided by the seed), moves the best newcomer outside the
/// first wave into the configured first-wave position.
fn explore(ranked: &mut Vec<Contender>, config: &FairnessConfig, seed: u64, limit: usize) {
    let roll = (mix(seed ^ 0x5eed_f00d) >> 11) as f64 / (1u64 << 53) as f64;
    if roll >= config.explore_share.clamp(0.0, 1.0) {
        return;
    }
    let position = config.explore_position.min(limit.saturating_sub(1));
    if ranked.iter().take(position + 1).any(|c| c.newcomer) {
        return;
    }
    if let Some(from) = ranked.iter().position(|c| c.newcomer) {
        let mut newcomer = ranked.remove(from);
        newcomer.explored = true;
        ranked.insert(position.min(ranked.len()), newcomer);
    }
}

fn tie_break(seed: u64, person: PersonId) -> u64 {
    let (hi, lo) = person.as_uuid().as_u64_pair();
    mix(seed ^ hi ^ mix(lo))
}

/// SplitMix64's finaliser: a fast, well-spread hash of a 64-bit value.
pub(super) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn c(n: u128, score: f64, load: f64, newcomer: bool) -> Contender {
        Contender {
            person: PersonId(Uuid::from_u128(n)),
            score,
            expertise: score,
            prior: 1.0,
            load,
            newcomer,
            explored: false,
        }
    }

    #[test]
    fn a_similar_fit_with_budget_left_goes_before_a_busy_star() {
        let mut ranked = vec![
            c(1, 1.0, 1.0, false),
            c(2, 0.95, 0.0, false),
            c(3, 0.2, 0.0, false),
        ];
        let config = FairnessConfig {
            explore_share: 0.0,
            ..FairnessConfig::default()
        };
        apply(&mut ranked, &config, 7, 3);
        let order: Vec<u128> = ranked
            .iter()
            .map(|c| c.person.as_uuid().as_u128())
            .collect();
        assert_eq!(order, [2, 1, 3]);
    }

    #[test]
    fn a_much_better_fit_keeps_first_place_however_busy() {
        let mut ranked = vec![c(1, 1.0, 1.0, false), c(2, 0.3, 0.0, false)];
        apply(&mut ranked, &FairnessConfig::default(), 7, 3);
        assert_eq!(ranked[0].person.as_uuid().as_u128(), 1);
    }

    #[test]
    fn exploring_puts_a_newcomer_in_the_first_wave() {
        let config = FairnessConfig {
            explore_share: 1.0,
            explore_position: 1,
            ..FairnessConfig::default()
        };
        let mut ranked = vec![
            c(1, 1.0, 0.0, false),
            c(2, 0.9, 0.0, false),
            c(3, 0.8, 0.0, false),
            c(4, 0.1, 0.0, true),
        ];
        apply(&mut ranked, &config, 1, 3);
        assert_eq!(ranked[1].person.as_uuid().as_u128(), 4);
        assert!(ranked[1].explored);
    }

    #[test]
    fn the_explore_share_is_respected_over_many_seeds() {
        let config = FairnessConfig::default();
        let explored = (0..2000u64)
            .filter(|&seed| {
                let mut ranked = vec![
                    c(1, 1.0, 0.0, false),
                    c(2, 0.9, 0.0, false),
                    c(3, 0.8, 0.0, false),
                    c(4, 0.1, 0.0, true),
                ];
                apply(&mut ranked, &config, seed, 3);
                ranked.iter().any(|c| c.explored)
            })
            .count();
        let share = explored as f64 / 2000.0;
        assert!(
            (share - config.explore_share).abs() < 0.03,
            "explored {share}"
        );
    }
}
