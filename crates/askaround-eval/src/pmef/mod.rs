//! The PMEF History benchmark (WWW 2022): for each question, rank 20 candidate experts, one of
//! whom answered it. Answered questions become help evidence in a [`MatchIndex`], question tags
//! become skills, and the matcher scores candidates with [`MatchIndex::expertise_scores`]: the
//! very code path the product ranks with. Which evidence a question sees is set by a
//! [`Protocol`]; baselines are scored on exactly the same evidence.

mod data;
mod protocol;

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
use jiff::Timestamp;
use uuid::Uuid;

use crate::baselines::{Profiles, rrf};
use crate::metrics::{Accumulator, single};
use crate::report::EvalReport;
pub use data::{Data, Question, Session, SplitQuestion, load, load_split};
pub use protocol::{Protocol, Scorer, walk};

/// Question ids are the authors' time order; each is given its own moment, this far apart, so
/// that "recent help" means the same thing as in an organisation (2011–2014 held ~4,900 questions).
const SECONDS_PER_QID: i64 = 6 * 3600;
const EPOCH_SECONDS: i64 = 1_300_000_000;
/// The split whose answers are the organisation's past help sessions under [`Protocol::Replay`].
pub const TRAINING_SPLIT: &str = "train.tsv";
const BASELINES: [&str; 4] = [
    "bm25_profile",
    "popularity",
    "tag_profile",
    "rrf_bm25_tags_popularity",
];

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

fn evidence(q: &Question) -> HelpEvidence {
    HelpEvidence {
        learner: PersonId(Uuid::from_u128(u128::MAX - q.qid as u128)),
        text: q.text(),
        skills: q.tag_ids.iter().map(|t| tag_skill(*t)).collect(),
        rating: None,
        at: at(q.qid),
    }
}

/// The matcher, fed sessions as help evidence.
pub struct Matcher<'a> {
    data: &'a Data,
    index: MatchIndex,
    weights: ExpertiseWeights,
    /// Whether asks carry the question's tags; without them, only the words (and skills named in
    /// them) say what the ask is about, as for an untagged ask in the product.
    tagged: bool,
    pub metrics: Accumulator,
}

impl<'a> Matcher<'a> {
    pub fn new(
        data: &'a Data,
        options: IndexOptions,
        weights: ExpertiseWeights,
        tagged: bool,
    ) -> Self {
        let mut index = MatchIndex::new(Arc::new(taxonomy(data)), options);
        for aid in 0..data.histories.len() {
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
        }
        Self {
            data,
            index,
            weights,
            tagged,
            metrics: Accumulator::default(),
        }
    }
}

impl Scorer for Matcher<'_> {
    fn add(&mut self, s: Session) -> anyhow::Result<()> {
        let e = evidence(&self.data.questions[s.qid]);
        Ok(self.index.add_evidence(person(s.aid), &e)?)
    }

    fn remove(&mut self, s: Session) -> anyhow::Result<()> {
        let e = evidence(&self.data.questions[s.qid]);
        Ok(self.index.remove_evidence(person(s.aid), &e)?)
    }

    fn score(&mut self, q: &SplitQuestion) -> anyhow::Result<()> {
        let question = &self.data.questions[q.qid];
        let skills = if self.tagged {
            question.tag_ids.iter().map(|t| tag_skill(*t)).collect()
        } else {
            Vec::new()
        };
        let ask = Ask {
            skills,
            ..Ask::new(question.text())
        };
        let ids: Vec<PersonId> = q.candidates.iter().map(|a| person(*a)).collect();
        let scores: Vec<f64> = self
            .index
            .expertise_scores(&ask, &ids, at(q.qid), &self.weights)
            .into_iter()
            .map(|s| s.unwrap_or(0.0))
            .collect();
        self.metrics.add(single(&scores, Some(q.positive)));
        Ok(())
    }
}

/// The textbook baselines, fed the same sessions.
struct Baselines<'a> {
    data: &'a Data,
    profiles: Profiles,
    metrics: [Accumulator; BASELINES.len()],
}

fn tags(q: &Question) -> Vec<String> {
    q.tag_ids.iter().map(u32::to_string).collect()
}

impl Scorer for Baselines<'_> {
    fn add(&mut self, s: Session) -> anyhow::Result<()> {
        let q = &self.data.questions[s.qid];
        self.profiles.add_text(s.aid, &q.text());
        self.profiles.add_answer(s.aid, &tags(q));
        Ok(())
    }

    fn remove(&mut self, s: Session) -> anyhow::Result<()> {
        let q = &self.data.questions[s.qid];
        self.profiles.remove_text(s.aid, &q.text());
        self.profiles.remove_answer(s.aid, &tags(q));
        Ok(())
    }

    fn score(&mut self, q: &SplitQuestion) -> anyhow::Result<()> {
        let question = &self.data.questions[q.qid];
        let bm25 = self.profiles.bm25(&question.text(), &q.candidates);
        let pop = self.profiles.popularity(&q.candidates);
        let tag = self.profiles.tag_profile(&tags(question), &q.candidates);
        let fused = rrf(&[&bm25, &tag, &pop]);
        for (acc, scores) in self.metrics.iter_mut().zip([&bm25, &pop, &tag, &fused]) {
            acc.add(single(scores, Some(q.positive)));
        }
        Ok(())
    }
}

/// The matcher's metrics on a split under a protocol; `answered` is the training split.
pub fn evaluate(
    data: &Data,
    split: &[SplitQuestion],
    answered: &[SplitQuestion],
    protocol: Protocol,
    options: &IndexOptions,
    weights: &ExpertiseWeights,
    tagged: bool,
) -> anyhow::Result<Accumulator> {
    let mut matcher = Matcher::new(data, options.clone(), weights.clone(), tagged);
    walk(protocol, data, split, answered, &mut matcher)?;
    Ok(matcher.metrics)
}

/// The training split that sits beside the data (`DIR/train.tsv`), or none.
pub fn training_split(dir: &Path, data: &Data) -> anyhow::Result<Vec<SplitQuestion>> {
    let path = dir.join(TRAINING_SPLIT);
    if path.is_file() {
        load_split(&path, data)
    } else {
        Ok(Vec::new())
    }
}

/// `askaround eval-routing pmef DIR --split FILE`: the matcher with the product's default
/// configuration next to the baselines, on the given split, under both protocols.
pub fn run(dir: &Path, split_path: &Path) -> anyhow::Result<EvalReport> {
    let data = load(dir)?;
    let split = load_split(split_path, &data)?;
    let answered = training_split(dir, &data)?;
    let name = split_path
        .file_name()
        .map_or_else(|| "split".into(), |n| n.to_string_lossy().into_owned());
    let mut report = EvalReport::new(format!("pmef:{name}"), split.len());
    for (protocol, suffix) in [
        (Protocol::Replay, ""),
        (Protocol::Histories, "_histories_only"),
    ] {
        for (tagged, kind) in [(true, ""), (false, "_untagged_asks")] {
            let ours = evaluate(
                &data,
                &split,
                &answered,
                protocol,
                &IndexOptions::default(),
                &ExpertiseWeights::default(),
                tagged,
            )?;
            report
                .methods
                .insert(format!("askaround{kind}{suffix}"), ours.mean());
        }
        let mut baselines = Baselines {
            data: &data,
            profiles: Profiles::with_candidates(data.histories.len()),
            metrics: Default::default(),
        };
        walk(protocol, &data, &split, &answered, &mut baselines)?;
        for (method, acc) in BASELINES.iter().zip(&baselines.metrics) {
            report
                .methods
                .insert(format!("{method}{suffix}"), acc.mean());
        }
    }
    report.notes.push(format!("evidence: the expert histories plus who answered each question of {TRAINING_SPLIT} ({} answers), each known from its question's time on; a question is ranked with the evidence of questions asked before it", answered.len()));
    report.notes.push("*_histories_only: the benchmark's protocol (histories as shipped, all at once; a candidate's own answer to the question is left out)".into());
    report.notes.push("askaround_untagged_asks*: the same questions asked without their tags (sessions keep theirs), as an untagged ask in the product".into());
    report.notes.push("ties count as the expected value over random orderings (the positive is listed first in the files)".into());
    report.notes.push(format!(
        "askaround's default weights were tuned on {TRAINING_SPLIT} only (askaround-eval tune-pmef)"
    ));
    Ok(report)
}
