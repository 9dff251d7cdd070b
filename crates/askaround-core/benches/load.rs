//! Where a week of offers lands in the benchmark organisation, with and without the fairness
//! step: many people there are similar fits (the same declared skill, no history), which is where
//! load spreading and exploring are meant to act. Each ask is offered to its first three
//! candidates, whose counters then feed the next rankings, as the dispatcher's would.

use std::collections::HashMap;
use std::sync::Arc;

use askaround_core::ids::PersonId;
use askaround_core::matching::{Asker, FairnessConfig, MatchConfig};
use askaround_core::taxonomy::Taxonomy;

use crate::org::{ask, build, now};

const PEOPLE: usize = 10_000;
const ASKS_IN_WEEK: usize = 2_000;
const OFFERS_PER_ASK: usize = 3;

struct Load {
    gini: f64,
    /// People offered at least one ask.
    reached: usize,
    /// Share of offers that went to the most offered 1% of people.
    top_share: f64,
    /// Sum of the first wave's expertise, to compare the fit offered.
    fit: f64,
}

fn simulate(taxonomy: &Arc<Taxonomy>, config: &MatchConfig) -> Load {
    let mut org = build(taxonomy, PEOPLE);
    let asker = Asker::anonymous(org.people[0]);
    let mut offers: HashMap<PersonId, f64> = HashMap::new();
    let mut fit = 0.0;
    for i in 0..ASKS_IN_WEEK {
        let outcome = org.index.rank(&ask(i), &asker, now(), config);
        for c in outcome.candidates.iter().take(OFFERS_PER_ASK) {
            *offers.entry(c.person).or_default() += 1.0;
            fit += c.expertise;
            if let Ok(state) = org.index.state_mut(c.person) {
                state.offers_today = state.offers_today.saturating_add(1);
                state.offers_this_week = state.offers_this_week.saturating_add(1);
            }
        }
    }
    let reached = offers.len();
    let mut loads: Vec<f64> = offers.into_values().collect();
    loads.resize(PEOPLE, 0.0);
    loads.sort_by(f64::total_cmp);
    let total: f64 = loads.iter().sum();
    let top: f64 = loads.iter().rev().take(PEOPLE / 100).sum();
    Load {
        gini: gini(&loads, total),
        reached,
        top_share: if total > 0.0 { top / total } else { 0.0 },
        fit,
    }
}

/// Gini coefficient of sorted (ascending) loads.
fn gini(sorted: &[f64], total: f64) -> f64 {
    let n = sorted.len() as f64;
    if n == 0.0 || total <= 0.0 {
        return 0.0;
    }
    let weighted: f64 = sorted
        .iter()
        .enumerate()
        .map(|(i, x)| (i as f64 + 1.0) * x)
        .sum();
    2.0 * weighted / (n * total) - (n + 1.0) / n
}

pub fn report(taxonomy: &Arc<Taxonomy>) {
    let fair = MatchConfig::default();
    let unfair = MatchConfig {
        fairness: FairnessConfig {
            load_penalty: 0.0,
            explore_share: 0.0,
            ..FairnessConfig::default()
        },
        ..MatchConfig::default()
    };
    let without = simulate(taxonomy, &unfair);
    // The default, then stronger settings, to show what spreading costs in fit.
    let mut rows = vec![("off".to_owned(), without)];
    for (similar_fit, load_penalty) in [
        (fair.fairness.similar_fit, fair.fairness.load_penalty),
        (0.7, 0.6),
        (0.5, 0.9),
    ] {
        let config = MatchConfig {
            fairness: FairnessConfig {
                similar_fit,
                load_penalty,
                ..fair.fairness.clone()
            },
            ..fair.clone()
        };
        rows.push((
            format!("similar fit {similar_fit}, load penalty {load_penalty}"),
            simulate(taxonomy, &config),
        ));
    }
    println!(
        "\nOffer load, {PEOPLE} people, {ASKS_IN_WEEK} asks in one week, first {OFFERS_PER_ASK} candidates offered:"
    );
    println!(
        "| fairness | Gini of offers | share of the top 1% | people offered | first-wave expertise |"
    );
    println!("|---|---|---|---|---|");
    let baseline_fit = rows[0].1.fit.max(f64::MIN_POSITIVE);
    for (name, load) in &rows {
        println!(
            "| {name} | {:.3} | {:.1}% | {} | {:.1}% |",
            load.gini,
            load.top_share * 100.0,
            load.reached,
            load.fit / baseline_fit * 100.0
        );
    }
}
