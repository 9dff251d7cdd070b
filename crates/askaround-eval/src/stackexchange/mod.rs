//! Replaying a Stack Exchange dump in time order, as askaround would have lived it: every answer
//! is a finished help session (evidence for its author), every accept a five-star rating, and
//! every question in the last fifth of the site's history is routed over everyone who answered
//! before it (minus the asker). Relevant: the accepted answerer; P@k also for anyone who answered.

pub mod dump;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use askaround_core::hours::WorkingHours;
use askaround_core::ids::{PersonId, SkillId};
use askaround_core::matching::{
    Ask, CandidateProfile, ExpertiseWeights, HelpEvidence, IndexOptions, MatchIndex,
};
use askaround_core::skill::Skill;
use askaround_core::taxonomy::Taxonomy;
use askaround_core::timezone::TimeZoneName;
use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

use crate::baselines::{Profiles, rrf};
use crate::metrics::{Accumulator, precision_at, single};
use crate::report::EvalReport;
use dump::{Answer, Dump, Question};

/// Questions from this quantile of creation time on are routed and scored (the split of the
/// data's "SE-temporal-v1" protocol); earlier ones only build evidence.
const TEST_QUANTILE: f64 = 0.8;
const METHODS: [&str; 5] = [
    "askaround",
    "bm25_profile",
    "popularity",
    "tag_profile",
    "rrf_bm25_tags_popularity",
];

#[derive(Debug, Clone, Copy)]
enum Step {
    Answer(usize),
    Accept(usize),
    Question(usize),
}

fn person(user: u64) -> PersonId {
    PersonId(Uuid::from_u128(u128::from(user) + 1))
}

fn skill(tag_index: usize) -> SkillId {
    SkillId(Uuid::from_u128(1_000_000 + tag_index as u128))
}

/// `askaround eval-routing stackexchange DUMP_DIR`.
pub fn run(dir: &Path) -> anyhow::Result<EvalReport> {
    let dump = dump::load(dir)?;
    let name = dir
        .file_name()
        .map_or_else(|| "dump".into(), |n| n.to_string_lossy().into_owned());
    replay(
        &dump,
        &name,
        &IndexOptions::default(),
        &ExpertiseWeights::default(),
    )
}

pub fn replay(
    dump: &Dump,
    name: &str,
    options: &IndexOptions,
    weights: &ExpertiseWeights,
) -> anyhow::Result<EvalReport> {
    let questions: HashMap<u64, &Question> = dump.questions.iter().map(|q| (q.id, q)).collect();
    let answers_by_id: HashMap<u64, &Answer> = dump.answers.iter().map(|a| (a.id, a)).collect();
    let mut tag_ids: HashMap<&str, usize> = HashMap::new();
    for q in &dump.questions {
        for t in &q.tags {
            let next = tag_ids.len();
            tag_ids.entry(t.as_str()).or_insert(next);
        }
    }
    let taxonomy = Taxonomy::new(
        tag_ids
            .iter()
            .map(|(tag, &i)| Skill {
                id: skill(i),
                name: (*tag).to_owned(),
                parent_id: None,
                aliases: Vec::new(),
                popularity: 0,
            })
            .collect(),
    );
    let skills_of = |q: &Question| -> Vec<SkillId> {
        q.tags
            .iter()
            .filter_map(|t| tag_ids.get(t.as_str()).map(|i| skill(*i)))
            .collect()
    };

    let mut times: Vec<Timestamp> = dump.questions.iter().map(|q| q.at).collect();
    times.sort();
    let split_at = times[((times.len() as f64 * TEST_QUANTILE) as usize).min(times.len() - 1)];

    let mut steps: Vec<(Timestamp, u8, Step)> = Vec::new();
    for (i, q) in dump.questions.iter().enumerate() {
        steps.push((q.at, 1, Step::Question(i)));
    }
    for (i, a) in dump.answers.iter().enumerate() {
        if a.author.is_none() || !questions.contains_key(&a.question) {
            continue;
        }
        steps.push((a.at, 0, Step::Answer(i)));
        if let Some(day) = dump.accept_days.get(&a.id) {
            // Votes carry only their day: the accept is taken as known at the end of that day.
            let known = day
                .checked_add(SignedDuration::from_hours(24))
                .unwrap_or(*day)
                .max(a.at);
            steps.push((known, 0, Step::Accept(i)));
        }
    }
    steps.sort_by_key(|(at, order, _)| (*at, *order));

    let mut index = MatchIndex::new(Arc::new(taxonomy), options.clone());
    let mut profiles = Profiles::default();
    let mut pool: Vec<u64> = Vec::new();
    let mut dense: HashMap<u64, usize> = HashMap::new();
    let mut accs: Vec<Accumulator> = vec![Accumulator::default(); METHODS.len()];
    let evidence = |a: &Answer, q: &Question, rating: Option<u8>| HelpEvidence {
        learner: q.asker.map_or(PersonId(Uuid::nil()), person),
        text: format!("{}\n{}\n{}", q.title, q.body, a.body),
        skills: skills_of(q),
        rating,
        at: a.at,
    };

    for (_, _, step) in steps {
        match step {
            Step::Answer(i) => {
                let a = &dump.answers[i];
                let (Some(user), Some(q)) = (a.author, questions.get(&a.question)) else {
                    continue;
                };
                let d = *dense.entry(user).or_insert_with(|| {
                    pool.push(user);
                    index.upsert_profile(&profile(user));
                    pool.len() - 1
                });
                index.add_evidence(person(user), &evidence(a, q, None))?;
                profiles.add_text(d, &format!("{}\n{}\n{}", q.title, q.body, a.body));
                profiles.add_answer(d, &q.tags);
            }
            Step::Accept(i) => {
                let a = &dump.answers[i];
                let (Some(user), Some(q)) = (a.author, questions.get(&a.question)) else {
                    continue;
                };
                let accepted_here = q.accepted_answer == Some(a.id);
                if accepted_here && index.contains(person(user)) {
                    index.remove_evidence(person(user), &evidence(a, q, None))?;
                    index.add_evidence(person(user), &evidence(a, q, Some(5)))?;
                }
            }
            Step::Question(i) => {
                let q = &dump.questions[i];
                if q.at < split_at {
                    continue;
                }
                let accepted = q
                    .accepted_answer
                    .and_then(|id| answers_by_id.get(&id))
                    .and_then(|a| a.author);
                let candidates: Vec<usize> = (0..pool.len())
                    .filter(|&d| Some(pool[d]) != q.asker)
                    .collect();
                let Some(target) =
                    accepted.and_then(|u| candidates.iter().position(|&d| pool[d] == u))
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
                let ask = Ask {
                    skills: skills_of(q),
                    ..Ask::new(format!("{}\n{}", q.title, q.body))
                };
                let ours: Vec<f64> = index
                    .expertise_scores(&ask, &ids, q.at, weights)
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
        }
    }

    let mut report = EvalReport::new(format!("stackexchange:{name}"), accs[0].questions());
    for (name, acc) in METHODS.iter().zip(&accs) {
        report.methods.insert((*name).into(), acc.mean());
    }
    report.notes.push(format!("questions asked from {split_at} on (the last {:.0}% by time) are routed; earlier ones only build evidence", (1.0 - TEST_QUANTILE) * 100.0));
    report.notes.push("pool = everyone who answered before the question, minus the asker; evidence keeps growing during the test period".into());
    report
        .notes
        .push("relevant = the accepted answerer; anyP@k counts anyone who answered".into());
    Ok(report)
}

/// Dumps say nothing about hours or teams; the replay measures expertise only.
fn profile(user: u64) -> CandidateProfile {
    CandidateProfile {
        id: person(user),
        active: true,
        title: None,
        bio: None,
        team: None,
        location: None,
        timezone: TimeZoneName::utc(),
        working_hours: WorkingHours::office(),
        languages: Vec::new(),
        skills: Vec::new(),
        weekly_budget: 5,
        daily_budget: None,
    }
}
