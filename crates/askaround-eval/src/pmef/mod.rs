//! The PMEF History benchmark (WWW 2022): for each question, rank 20 candidate experts, one of
//! whom answered it. Expert histories become help evidence in a [`MatchIndex`], question tags
//! become skills, and the matcher scores candidates with [`MatchIndex::expertise_scores`]: the
//! very code path the product ranks with.

use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use askaround_core::hours::WorkingHours;
use askaround_core::ids::{PersonId, SkillId};
use askaround_core::matching::{
    Ask, CandidateProfile, ExpertiseWeights, HelpEvidence, IndexOptions, MatchIndex,
};
use askaround_core::skill::Skill;
use askaround_core::taxonomy::Taxonomy;
use askaround_core::timezone::TimeZoneName;
use jiff::Timestamp;
use serde::Deserialize;
use uuid::Uuid;

use crate::baselines::{Profiles, rrf};
use crate::metrics::{Accumulator, single};
use crate::report::EvalReport;

/// Question ids are the authors' time order; each is given its own moment, this far apart, so
/// that "recent help" means the same thing as in an organisation (2011–2014 held ~4,900 questions).
const SECONDS_PER_QID: i64 = 6 * 3600;
const EPOCH_SECONDS: i64 = 1_300_000_000;

#[derive(Debug, Clone, Deserialize)]
pub struct Question {
    pub qid: usize,
    pub title: String,
    pub body: String,
    pub tag_ids: Vec<u32>,
}

#[derive(Debug, Clone, Deserialize)]
struct Expert {
    aid: usize,
    history_qids: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Data {
    pub questions: Vec<Question>,
    /// Question ids each expert answered (repeats kept: they are in the files).
    pub histories: Vec<Vec<usize>>,
}

/// One question of a split: its candidates in file order and which of them answered.
#[derive(Debug, Clone)]
pub struct SplitQuestion {
    pub qid: usize,
    pub candidates: Vec<usize>,
    pub positive: usize,
}

pub fn load(dir: &Path) -> anyhow::Result<Data> {
    let mut questions: Vec<Question> = read_jsonl(&dir.join("questions.jsonl"))?;
    questions.sort_by_key(|q| q.qid);
    if questions.iter().enumerate().any(|(i, q)| q.qid != i) {
        bail!("questions.jsonl: qids must run 0..n without gaps");
    }
    let experts: Vec<Expert> = read_jsonl(&dir.join("experts.jsonl"))?;
    let mut histories = vec![Vec::new(); experts.iter().map(|e| e.aid + 1).max().unwrap_or(0)];
    for e in experts {
        if let Some(bad) = e.history_qids.iter().find(|q| **q >= questions.len()) {
            bail!(
                "experts.jsonl: expert {} answered unknown question {bad}",
                e.aid
            );
        }
        histories[e.aid] = e.history_qids;
    }
    Ok(Data {
        questions,
        histories,
    })
}

fn read_jsonl<T: for<'de> Deserialize<'de>>(path: &Path) -> anyhow::Result<Vec<T>> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).with_context(|| format!("{} line {}", path.display(), i + 1))
        })
        .collect()
}

/// Reads a `qid aid label` split file (tab-separated, with a header), grouping rows by question
/// in file order.
pub fn load_split(path: &Path, data: &Data) -> anyhow::Result<Vec<SplitQuestion>> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out: Vec<SplitQuestion> = Vec::new();
    let mut at: HashMap<usize, usize> = HashMap::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
        let [qid, aid, label] = cols[..] else {
            if line.trim().is_empty() {
                continue;
            }
            bail!(
                "{} line {}: expected qid, aid, label",
                path.display(),
                i + 1
            );
        };
        let parse = |v: &str| {
            v.parse::<usize>().with_context(|| {
                format!("{} line {}: '{v}' is not a number", path.display(), i + 1)
            })
        };
        let (qid, aid, label) = (parse(qid)?, parse(aid)?, parse(label)?);
        if qid >= data.questions.len() || aid >= data.histories.len() {
            bail!(
                "{} line {}: unknown question or expert",
                path.display(),
                i + 1
            );
        }
        let slot = *at.entry(qid).or_insert_with(|| {
            out.push(SplitQuestion {
                qid,
                candidates: Vec::new(),
                positive: usize::MAX,
            });
            out.len() - 1
        });
        let q = &mut out[slot];
        if label == 1 {
            q.positive = q.candidates.len();
        }
        q.candidates.push(aid);
    }
    out.retain(|q| q.positive != usize::MAX);
    Ok(out)
}

fn person(aid: usize) -> PersonId {
    PersonId(Uuid::from_u128(aid as u128 + 1))
}

fn tag_skill(tag: u32) -> SkillId {
    SkillId(Uuid::from_u128(1_000_000 + u128::from(tag)))
}

fn at(qid: usize) -> Timestamp {
    Timestamp::from_second(EPOCH_SECONDS + qid as i64 * SECONDS_PER_QID)
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

fn text(q: &Question) -> String {
    format!("{}\n{}", q.title, q.body)
}

/// Tag names were not released, so each tag id is its own skill with no parent.
fn taxonomy(data: &Data) -> Taxonomy {
    let mut tags: Vec<u32> = data
        .questions
        .iter()
        .flat_map(|q| q.tag_ids.iter().copied())
        .collect();
    tags.sort_unstable();
    tags.dedup();
    Taxonomy::new(
        tags.into_iter()
            .map(|t| Skill {
                id: tag_skill(t),
                name: format!("pmef tag {t}"),
                parent_id: None,
                aliases: Vec::new(),
                popularity: 0,
            })
            .collect(),
    )
}

fn evidence(data: &Data, qid: usize) -> HelpEvidence {
    let q = &data.questions[qid];
    HelpEvidence {
        learner: PersonId(Uuid::from_u128(u128::MAX - qid as u128)),
        text: text(q),
        skills: q.tag_ids.iter().map(|t| tag_skill(*t)).collect(),
        rating: None,
        at: at(qid),
    }
}

/// The matcher loaded with every expert's history.
pub struct Matcher<'a> {
    data: &'a Data,
    index: MatchIndex,
}

impl<'a> Matcher<'a> {
    pub fn new(data: &'a Data, options: IndexOptions) -> anyhow::Result<Self> {
        let mut index = MatchIndex::new(Arc::new(taxonomy(data)), options);
        for (aid, history) in data.histories.iter().enumerate() {
            index.upsert_profile(&CandidateProfile {
                id: person(aid),
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
            });
            for &qid in history {
                index.add_evidence(person(aid), &evidence(data, qid))?;
            }
        }
        Ok(Self { data, index })
    }

    /// Expertise of each candidate for the question. A candidate whose history contains this very
    /// question (train split) has that session taken out first, so no method sees the answer.
    pub fn scores(
        &mut self,
        q: &SplitQuestion,
        weights: &ExpertiseWeights,
    ) -> anyhow::Result<Vec<f64>> {
        let leaked = self.leaked(q);
        let own = evidence(self.data, q.qid);
        for &aid in &leaked {
            self.index.remove_evidence(person(aid), &own)?;
        }
        let question = &self.data.questions[q.qid];
        let ask = Ask {
            skills: question.tag_ids.iter().map(|t| tag_skill(*t)).collect(),
            ..Ask::new(text(question))
        };
        let ids: Vec<PersonId> = q.candidates.iter().map(|a| person(*a)).collect();
        let scores = self.index.expertise_scores(&ask, &ids, at(q.qid), weights);
        for &aid in &leaked {
            self.index.add_evidence(person(aid), &own)?;
        }
        Ok(scores.into_iter().map(|s| s.unwrap_or(0.0)).collect())
    }

    /// One entry per occurrence of the question in a candidate's history.
    fn leaked(&self, q: &SplitQuestion) -> Vec<usize> {
        q.candidates
            .iter()
            .flat_map(|&aid| {
                self.data.histories[aid]
                    .iter()
                    .filter(move |h| **h == q.qid)
                    .map(move |_| aid)
            })
            .collect()
    }
}

/// The matcher's metrics on a split.
pub fn evaluate(
    data: &Data,
    split: &[SplitQuestion],
    options: &IndexOptions,
    weights: &ExpertiseWeights,
) -> anyhow::Result<Accumulator> {
    let mut matcher = Matcher::new(data, options.clone())?;
    let mut acc = Accumulator::default();
    for q in split {
        acc.add(single(&matcher.scores(q, weights)?, Some(q.positive)));
    }
    Ok(acc)
}

/// Baselines on a split, with the same leave-one-out rule as the matcher.
fn baselines(data: &Data, split: &[SplitQuestion]) -> Vec<(&'static str, Accumulator)> {
    let mut profiles = Profiles::with_candidates(data.histories.len());
    for (aid, history) in data.histories.iter().enumerate() {
        for &qid in history {
            profiles.add_text(aid, &text(&data.questions[qid]));
            profiles.add_answer(aid, &tags(&data.questions[qid]));
        }
    }
    let names = [
        "bm25_profile",
        "popularity",
        "tag_profile",
        "rrf_bm25_tags_popularity",
    ];
    let mut accs: Vec<Accumulator> = vec![Accumulator::default(); names.len()];
    for q in split {
        let question = &data.questions[q.qid];
        let leaked: Vec<usize> = q
            .candidates
            .iter()
            .flat_map(|&aid| {
                data.histories[aid]
                    .iter()
                    .filter(move |h| **h == q.qid)
                    .map(move |_| aid)
            })
            .collect();
        for &aid in &leaked {
            profiles.remove_text(aid, &text(question));
            profiles.remove_answer(aid, &tags(question));
        }
        let bm25 = profiles.bm25(&text(question), &q.candidates);
        let pop = profiles.popularity(&q.candidates);
        let tag = profiles.tag_profile(&tags(question), &q.candidates);
        let fused = rrf(&[&bm25, &tag, &pop]);
        for (acc, scores) in accs.iter_mut().zip([&bm25, &pop, &tag, &fused]) {
            acc.add(single(scores, Some(q.positive)));
        }
        for &aid in &leaked {
            profiles.add_text(aid, &text(question));
            profiles.add_answer(aid, &tags(question));
        }
    }
    names.into_iter().zip(accs).collect()
}

fn tags(q: &Question) -> Vec<String> {
    q.tag_ids.iter().map(u32::to_string).collect()
}

/// `askaround eval-routing pmef DIR --split FILE`: the matcher with the product's default
/// configuration next to the baselines, on the given split.
pub fn run(dir: &Path, split_path: &Path) -> anyhow::Result<EvalReport> {
    let data = load(dir)?;
    let split = load_split(split_path, &data)?;
    let matcher = evaluate(
        &data,
        &split,
        &IndexOptions::default(),
        &ExpertiseWeights::default(),
    )?;
    let name = split_path
        .file_name()
        .map_or_else(|| "split".into(), |n| n.to_string_lossy().into_owned());
    let mut report = EvalReport::new(format!("pmef:{name}"), split.len());
    report.methods.insert("askaround".into(), matcher.mean());
    for (name, acc) in baselines(&data, &split) {
        report.methods.insert(name.into(), acc.mean());
    }
    report.notes.push("ties count as the expected value over random orderings (the positive is listed first in the files)".into());
    report.notes.push(
        "a candidate's own answer to the question is left out of their history (train split)"
            .into(),
    );
    report
        .notes
        .push("askaround weights were tuned on train.tsv only (askaround-eval tune-pmef)".into());
    Ok(report)
}
