//! Where a week of offers lands in the benchmark organisation, with and without the fairness
//! step: many people there are similar fits (the same declared skill, no history), which is where
//! load spreading and exploring are meant to act. Each ask is offered to its first three
//! candidates, whose counters then feed the next rankings, as the dispatcher's would.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use askaround_core::ids::PersonId;
use askaround_core::matching::{Asker, FairnessConfig, MatchConfig};
use askaround_core::taxonomy::Taxonomy;

use crate::org::{ASKS, ask, build, now};

const PEOPLE: usize = 10_000;
/// A quiet week (budgets rarely bind) and a busy one (the best helpers run out of budget).
const WEEKS: [usize; 2] = [400, 2_000];
const OFFERS_PER_ASK: usize = 3;

struct Load {
    /// Gini of offers over the whole organisation.
    gini: f64,
    /// Gini of offers over the people some ask named among its candidates: the capable pool,
    /// where spreading is meant to act (most of the organisation fits none of the 16 asks).
    pool_gini: f64,
    /// The same per ask text (topic), averaged over the topics.
    topic_gini: f64,
    /// People offered at least one ask.
    reached: usize,
    /// Share of offers that went to the most offered 1% of people.
    top_share: f64,
    /// Sum of the first wave's expertise, to compare the fit offered.
    fit: f64,
}

fn simulate(taxonomy: &Arc<Taxonomy>, config: &MatchConfig, asks: usize) -> Load {
    let mut org = build(taxonomy, PEOPLE);
    let asker = Asker::anonymous(org.people[0]);
    let mut offers: HashMap<PersonId, f64> = HashMap::new();
    let mut pool: HashSet<PersonId> = HashSet::new();
    let mut topics: Vec<(HashSet<PersonId>, HashMap<PersonId, f64>)> =
        vec![Default::default(); ASKS.len()];
    let mut fit = 0.0;
    for i in 0..asks {
        let outcome = org.index.rank(&ask(i), &asker, now(), config);
        let topic = &mut topics[i % ASKS.len()];
        for c in &outcome.candidates {
            pool.insert(c.person);
            topic.0.insert(c.person);
        }
        for c in outcome.candidates.iter().take(OFFERS_PER_ASK) {
            *offers.entry(c.person).or_default() += 1.0;
            *topic.1.entry(c.person).or_default() += 1.0;
            fit += c.expertise;
            if let Ok(state) = org.index.state_mut(c.person) {
                state.offers_today = state.offers_today.saturating_add(1);
                state.offers_this_week = state.offers_this_week.saturating_add(1);
            }
        }
    }
    let reached = offers.len();
    let pool_loads: Vec<f64> = pool
        .iter()
        .map(|p| offers.get(p).copied().unwrap_or(0.0))
        .collect();
    let topic_gini = topics
        .iter()
        .map(|(named, offered)| {
            gini_of(
                named
                    .iter()
                    .map(|p| offered.get(p).copied().unwrap_or(0.0))
                    .collect(),
            )
        })
        .sum::<f64>()
        / ASKS.len() as f64;
    let mut loads: Vec<f64> = offers.into_values().collect();
    loads.resize(PEOPLE, 0.0);
    loads.sort_by(f64::total_cmp);
    let total: f64 = loads.iter().sum();
    let top: f64 = loads.iter().rev().take(PEOPLE / 100).sum();
    Load {
        gini: gini(&loads, total),
        pool_gini: gini_of(pool_loads),
        topic_gini,
        reached,
        top_share: if total > 0.0 { top / total } else { 0.0 },
        fit,
    }
}

fn gini_of(mut loads: Vec<f64>) -> f64 {
    loads.sort_by(f64::total_cmp);
    let total = loads.iter().sum();
    gini(&loads, total)
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
    let off = MatchConfig {
        fairness: FairnessConfig::off(),
        ..MatchConfig::default()
    };
    // Off, the default, then a milder and a stronger setting, to show what spreading costs in fit.
    let d = &fair.fairness;
    let mut configs = vec![("off".to_owned(), off)];
    for (similar_fit, fit_exponent, load_penalty) in [
        (d.similar_fit, d.fit_exponent, d.load_penalty),
        (0.7, 4.0, 0.5),
        (0.3, 1.0, 1.0),
    ] {
        let config = MatchConfig {
            fairness: FairnessConfig {
                similar_fit,
                fit_exponent,
                load_penalty,
                ..d.clone()
            },
            ..fair.clone()
        };
        let name = format!(
            "similar fit {similar_fit}, fit exponent {fit_exponent}, load penalty {load_penalty}"
        );
        configs.push((name, config));
    }
    for asks in WEEKS {
        println!(
            "\nOffer load, {PEOPLE} people, {asks} asks in one week, first {OFFERS_PER_ASK} candidates offered:"
        );
        println!(
            "| fairness | Gini, organisation | Gini, people named as candidates | Gini per topic (mean) | share of the top 1% | people offered | first-wave expertise |"
        );
        println!("|---|---|---|---|---|---|---|");
        let rows: Vec<(&String, Load)> = configs
            .iter()
            .map(|(name, config)| (name, simulate(taxonomy, config, asks)))
            .collect();
        let baseline_fit = rows[0].1.fit.max(f64::MIN_POSITIVE);
        for (name, load) in &rows {
            println!(
                "| {name} | {:.3} | {:.3} | {:.3} | {:.1}% | {} | {:.1}% |",
                load.gini,
                load.pool_gini,
                load.topic_gini,
                load.top_share * 100.0,
                load.reached,
                load.fit / baseline_fit * 100.0
            );
        }
    }
}
