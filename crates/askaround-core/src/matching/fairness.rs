//! Fairness and cold start: do not send every ask to the same three stars.
//!
//! Candidates of similar fit (at least [`FairnessConfig::similar_fit`] of the best score) share
//! the first places by a weighted draw: each one's chance goes with its fit and with how much of
//! its weekly budget is left, so the best fit still goes first most often, but colleagues nearly
//! as good get their share of asks instead of waiting until the star's budget runs out. (Only
//! discounting the stars' scores by their load does not do that: their scores lead by more than
//! any discount a product would accept, so the same people kept the first wave.) And a share of
//! asks reserves a first-wave seat for a newcomer who declared a matching skill but has no help
//! history yet, so evidence grows across the organisation instead of piling up on the people who
//! already have it. Every choice is a function of the ask's seed: the same ask routes the same
//! way.

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

/// Orders the similar fits at the head of `ranked` (sorted best first) by a weighted draw without
/// replacement (Efraimidis and Spirakis: each draws `ln(u) / weight` for a uniform `u`, and the
/// greatest key goes first, which gives the same order probabilities as drawing one by one in
/// proportion to weight). The rest keep their order. Exact ties are drawn by the seed rather than
/// settled by id (ids are time-ordered: older accounts would always win).
fn spread_load(ranked: &mut [Contender], config: &FairnessConfig, seed: u64) {
    let Some(best) = ranked.first().map(|c| c.score) else {
        return;
    };
    let floor = best * config.similar_fit.clamp(0.0, 1.0);
    let similar = ranked.iter().take_while(|c| c.score >= floor).count();
    let exponent = config.fit_exponent.max(0.0);
    let penalty = config.load_penalty.clamp(0.0, 1.0);
    let mut drawn: Vec<(f64, Contender)> = ranked
        .iter()
        .take(similar)
        .map(|c| {
            let fit = if best > 0.0 {
                (c.score / best).clamp(0.0, 1.0).powf(exponent)
            } else {
                1.0
            };
            let room = 1.0 - penalty * c.load.clamp(0.0, 1.0);
            let weight = fit * room;
            let key = if weight > 0.0 {
                unit_draw(seed, c.person).ln() / weight
            } else {
                f64::NEG_INFINITY
            };
            (key, *c)
        })
        .collect();
    // Someone with no budget left at all (weight 0) goes after every drawn colleague, by score.
    drawn.sort_by(|(ka, a), (kb, b)| {
        kb.total_cmp(ka)
            .then_with(|| b.score.total_cmp(&a.score))
            .then_with(|| tie_break(seed, a.person).cmp(&tie_break(seed, b.person)))
    });
    for (slot, (_, c)) in ranked.iter_mut().zip(drawn) {
        *slot = c;
    }
    if let Some(rest) = ranked.get_mut(similar..) {
        rest.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| tie_break(seed, a.person).cmp(&tie_break(seed, b.person)))
        });
    }
}

/// A uniform draw in (0, 1) for this person and ask.
fn unit_draw(seed: u64, person: PersonId) -> f64 {
    ((mix(tie_break(seed, person)) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
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

    fn no_exploring() -> FairnessConfig {
        FairnessConfig {
            explore_share: 0.0,
            ..FairnessConfig::default()
        }
    }

    fn order(ranked: &[Contender]) -> Vec<u128> {
        ranked
            .iter()
            .map(|c| c.person.as_uuid().as_u128())
            .collect()
    }

    /// How often each person goes first over many asks.
    fn first_shares(ranked: &[Contender], config: &FairnessConfig, asks: u64) -> Vec<f64> {
        let mut firsts = vec![0u32; ranked.len() + 1];
        for seed in 0..asks {
            let mut r = ranked.to_vec();
            apply(&mut r, config, seed, 3);
            firsts[r[0].person.as_uuid().as_u128() as usize] += 1;
        }
        firsts.iter().map(|&n| f64::from(n) / asks as f64).collect()
    }

    #[test]
    fn a_similar_fit_with_budget_left_goes_before_a_busy_star_most_of_the_time() {
        let ranked = vec![
            c(1, 1.0, 1.0, false),
            c(2, 0.95, 0.0, false),
            c(3, 0.2, 0.0, false),
        ];
        // Weights: the star 1 × (1 − 0.8) = 0.2, the colleague 0.95² = 0.9025.
        let shares = first_shares(&ranked, &no_exploring(), 4000);
        let expected = 0.9025 / (0.9025 + 0.2);
        assert!((shares[2] - expected).abs() < 0.03, "{shares:?}");
        assert_eq!(shares[3], 0.0, "a poor fit is never drawn");
    }

    #[test]
    fn similar_fits_share_the_first_place_by_fit() {
        let ranked = vec![
            c(1, 1.0, 0.0, false),
            c(2, 0.5, 0.0, false),
            c(3, 0.49, 0.0, false),
        ];
        // Weights 1 and 0.5² = 0.25; the third is under half the best score, outside the draw.
        let shares = first_shares(&ranked, &no_exploring(), 4000);
        assert!((shares[1] - 0.8).abs() < 0.03, "{shares:?}");
        assert!((shares[2] - 0.2).abs() < 0.03, "{shares:?}");
        for seed in 0..200 {
            let mut r = ranked.clone();
            apply(&mut r, &no_exploring(), seed, 3);
            assert_eq!(r[2].person.as_uuid().as_u128(), 3);
        }
    }

    #[test]
    fn a_much_better_fit_keeps_first_place_however_busy() {
        let ranked = vec![c(1, 1.0, 1.0, false), c(2, 0.3, 0.0, false)];
        let shares = first_shares(&ranked, &FairnessConfig::default(), 500);
        assert_eq!(shares[1], 1.0);
    }

    #[test]
    fn someone_with_no_budget_left_goes_after_every_similar_fit() {
        let config = FairnessConfig {
            load_penalty: 1.0,
            ..no_exploring()
        };
        for seed in 0..200 {
            let mut ranked = vec![
                c(1, 1.0, 1.0, false),
                c(2, 0.6, 0.5, false),
                c(3, 0.55, 0.9, false),
            ];
            apply(&mut ranked, &config, seed, 3);
            assert_eq!(ranked[2].person.as_uuid().as_u128(), 1);
        }
    }

    #[test]
    fn switched_off_it_keeps_the_ranking_order() {
        for seed in 0..200 {
            let mut ranked = vec![
                c(1, 1.0, 1.0, false),
                c(2, 0.99, 0.0, false),
                c(3, 0.5, 0.0, true),
            ];
            apply(&mut ranked, &FairnessConfig::off(), seed, 3);
            assert_eq!(order(&ranked), [1, 2, 3]);
        }
    }

    #[test]
    fn the_same_ask_draws_the_same_order() {
        let ranked: Vec<Contender> = (1..=8)
            .map(|n| c(n, 1.0 - n as f64 * 0.05, 0.1, false))
            .collect();
        let (mut a, mut b) = (ranked.clone(), ranked);
        apply(&mut a, &FairnessConfig::default(), 42, 3);
        apply(&mut b, &FairnessConfig::default(), 42, 3);
        assert_eq!(order(&a), order(&b));
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
