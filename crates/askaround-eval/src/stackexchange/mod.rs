//! Replaying a Stack Exchange dump in time order, as askaround would have lived it: every answer
//! is a finished help session (evidence for its author), every accept a five-star rating, and
//! every question in the last fifth of the site's history is routed over everyone who answered
//! before it (minus the asker). Relevant: the accepted answerer; P@k also for anyone who answered.

pub mod dump;
mod offers;
mod timeline;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use askaround_core::ids::PersonId;
use askaround_core::matching::{ExpertiseWeights, IndexOptions, MatchConfig, MatchIndex};

use crate::baselines::{Profiles, rrf};
use crate::metrics::{Accumulator, precision_at, single};
use crate::report::EvalReport;
use dump::Dump;
pub use offers::{Routed, simulate};
use timeline::{Step, TEST_QUANTILE, Timeline, person};

const METHODS: [&str; 5] = [
    "askaround",
    "bm25_profile",
    "popularity",
    "tag_profile",
    "rrf_bm25_tags_popularity",
];

/// `askaround eval-routing stackexchange DUMP_DIR`.
pub fn run(dir: &Path) -> anyhow::Result<EvalReport> {
    let dump = dump::load(dir)?;
    let name = dir
        .file_name()
        .map_or_else(|| "dump".into(), |n| n.to_string_lossy().into_owned());
    let mut report = replay(
        &dump,
        &name,
        &IndexOptions::default(),
        &ExpertiseWeights::default(),
    )?;
    let fair = MatchConfig::default();
    let unfair = MatchConfig {
        fairness: offers::without_fairness(),
        ..MatchConfig::default()
    };
    for budget in offers::WEEKLY_BUDGETS {
        for (label, config) in [("", &fair), ("_without_fairness", &unfair)] {
            let name = format!("askaround_routed_budget{budget}{label}");
            let routed = simulate(&dump, &IndexOptions::default(), config, budget)?;
            report.methods.insert(name.clone(), routed.metrics);
            report.load_gini.insert(name.clone(), routed.gini);
            report.top3_share.insert(name, routed.top3_share);
        }
    }
    report.notes.push(format!("askaround_routed_budgetN*: every question of the test period goes through the whole ranking (gates, prior, fairness; urgency this week; everyone takes N offers a week) and is offered to its first {}; MRR of the accepted answerer in that order; load = offers per person in the pool", offers::OFFERS_PER_QUESTION));
    Ok(report)
}

pub fn replay(
    dump: &Dump,
    name: &str,
    options: &IndexOptions,
    weights: &ExpertiseWeights,
) -> anyhow::Result<EvalReport> {
    let timeline = Timeline::new(dump);
    let mut index = MatchIndex::new(Arc::new(timeline.taxonomy()), options.clone());
    let mut profiles = Profiles::default();
    let mut pool: Vec<u64> = Vec::new();
    let mut dense: HashMap<u64, usize> = HashMap::new();
    let mut accs: Vec<Accumulator> = vec![Accumulator::default(); METHODS.len()];

    for &step in &timeline.steps {
        if let Some((a, q)) = timeline.learn(&mut index, step, offers::WEEKLY_BUDGETS[0])? {
            let Some(user) = a.author else {
                continue;
            };
            let d = *dense.entry(user).or_insert_with(|| {
                pool.push(user);
                pool.len() - 1
            });
            profiles.add_text(d, &format!("{}\n{}\n{}", q.title, q.body, a.body));
            profiles.add_answer(d, &q.tags);
        }
        let Step::Question(i) = step else {
            continue;
        };
        let q = &dump.questions[i];
        if q.at < timeline.split_at {
            continue;
        }
        let candidates: Vec<usize> = (0..pool.len())
            .filter(|&d| Some(pool[d]) != q.asker)
            .collect();
        let Some(target) = timeline
            .accepted_author(q)
            .and_then(|u| candidates.iter().position(|&d| pool[d] == u))
        else {
            continue;
        };
        let answered: Vec<bool> = candidates
            .iter()
            .map(|&d| {
                dump.answers
                    .iter()
                    .any(|a| a.question == q.id && a.author == Some(pool[d]))
            })
            .collect();
        let ids: Vec<PersonId> = candidates.iter().map(|&d| person(pool[d])).collect();
        let ours: Vec<f64> = index
            .expertise_scores(&timeline.ask(q), &ids, q.at, weights)
            .into_iter()
            .map(|s| s.unwrap_or(0.0))
            .collect();
        let text = format!("{}\n{}", q.title, q.body);
        let bm25 = profiles.bm25(&text, &candidates);
        let pop = profiles.popularity(&candidates);
        let tags = profiles.tag_profile(&q.tags, &candidates);
        let fused = rrf(&[&bm25, &tags, &pop]);
        for (acc, scores) in accs.iter_mut().zip([&ours, &bm25, &pop, &tags, &fused]) {
            acc.add(single(scores, Some(target)));
            acc.add_any(
                precision_at(scores, &answered, 1),
                precision_at(scores, &answered, 3),
            );
        }
    }

    let mut report = EvalReport::new(format!("stackexchange:{name}"), accs[0].questions());
    for (name, acc) in METHODS.iter().zip(&accs) {
        report.methods.insert((*name).into(), acc.mean());
    }
    report.notes.push(format!("questions asked from {} on (the last {:.0}% by time) are routed; earlier ones only build evidence", timeline.split_at, (1.0 - TEST_QUANTILE) * 100.0));
    report.notes.push("pool = everyone who answered before the question, minus the asker; evidence keeps growing during the test period".into());
    report
        .notes
        .push("relevant = the accepted answerer; anyP@k counts anyone who answered".into());
    Ok(report)
}
