//! Where offers land: every question of the test period goes through the product's whole ranking
//! ([`MatchIndex::rank`]: gates, relationship prior, fairness) and is offered to its first few
//! candidates, whose weekly counters then feed the next rankings, as the dispatcher's would. Run
//! with and without the fairness step, it shows how much fairness spreads the load and what that
//! costs in ranking quality.

use std::collections::HashMap;
use std::sync::Arc;

use askaround_core::ids::PersonId;
use askaround_core::matching::{
    Ask, Asker, FairnessConfig, IndexOptions, MatchConfig, MatchIndex, Urgency,
};
use uuid::Uuid;

use super::dump::Dump;
use super::timeline::{Step, Timeline, person};
use crate::metrics::{Accumulator, MethodMetrics, gini, single};

/// Candidates each question is offered to.
pub const OFFERS_PER_QUESTION: usize = 3;
/// Weekly budgets simulated: dumps know none. Five is the product's usual budget; two shows what
/// a tight budget does to the load.
pub const WEEKLY_BUDGETS: [u16; 2] = [5, 2];
const SECONDS_PER_DAY: i64 = 86_400;

/// The outcome of a simulation.
#[derive(Debug, Clone, Copy)]
pub struct Routed {
    /// Ranking quality of the routed order for the accepted answerer (questions that have one in
    /// the pool).
    pub metrics: MethodMetrics,
    /// Gini of offers per person in the pool.
    pub gini: f64,
    /// Share of all offers that went to the three most offered people.
    pub top3_share: f64,
}

/// The fairness step switched off: no load spreading, no exploring.
pub fn without_fairness() -> FairnessConfig {
    FairnessConfig::off()
}

pub fn simulate(
    dump: &Dump,
    options: &IndexOptions,
    config: &MatchConfig,
    weekly_budget: u16,
) -> anyhow::Result<Routed> {
    let timeline = Timeline::new(dump);
    let mut index = MatchIndex::new(Arc::new(timeline.taxonomy()), options.clone());
    let mut offers: HashMap<PersonId, u32> = HashMap::new();
    let mut metrics = Accumulator::default();
    let (mut day, mut week) = (i64::MIN, i64::MIN);
    for &step in &timeline.steps {
        timeline.learn(&mut index, step, weekly_budget)?;
        let Step::Question(i) = step else {
            continue;
        };
        let q = &dump.questions[i];
        if q.at < timeline.split_at {
            continue;
        }
        // Counters restart every day and every week (weeks from Monday; 1970-01-01 was a Thursday).
        let today = q.at.as_second().div_euclid(SECONDS_PER_DAY);
        let this_week = (today + 3).div_euclid(7);
        if today != day || this_week != week {
            for (&id, _) in offers.iter() {
                if let Ok(state) = index.state_mut(id) {
                    state.offers_today = 0;
                    if this_week != week {
                        state.offers_this_week = 0;
                    }
                }
            }
            (day, week) = (today, this_week);
        }
        let asker = Asker::anonymous(q.asker.map_or(PersonId(Uuid::nil()), person));
        let ask = Ask {
            urgency: Urgency::ThisWeek,
            ..timeline.ask(q)
        };
        let all = MatchConfig {
            limit: index.len(),
            ..config.clone()
        };
        let outcome = index.rank(&ask, &asker, q.at, &all);
        if let Some(accepted) = timeline.accepted_author(q).map(person)
            && accepted != asker.id
            && index.contains(accepted)
        {
            // Routed order as scores; the accepted answerer scores nothing if not routed at all.
            let n = outcome.candidates.len();
            let scores: Vec<f64> = (0..n).map(|rank| (n - rank) as f64).collect();
            let target = outcome.candidates.iter().position(|c| c.person == accepted);
            metrics.add(single(&scores, target));
        }
        for c in outcome.candidates.iter().take(OFFERS_PER_QUESTION) {
            *offers.entry(c.person).or_default() += 1;
            if let Ok(state) = index.state_mut(c.person) {
                state.offers_today = state.offers_today.saturating_add(1);
                state.offers_this_week = state.offers_this_week.saturating_add(1);
            }
        }
    }
    let pool = index.len().max(offers.len());
    let mut loads: Vec<f64> = offers.values().map(|&n| f64::from(n)).collect();
    loads.resize(pool, 0.0);
    loads.sort_by(|a, b| b.total_cmp(a));
    let total: f64 = loads.iter().sum();
    let top3: f64 = loads.iter().take(3).sum();
    Ok(Routed {
        metrics: metrics.mean(),
        gini: gini(&loads),
        top3_share: if total > 0.0 { top3 / total } else { 0.0 },
    })
}
