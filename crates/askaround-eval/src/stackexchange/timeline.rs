//! A dump's life in time order, as askaround would have lived it: every answer is a finished help
//! session (evidence for its author), every accept a five-star rating, and every question asked
//! from the test split's start on is routed. Shared by the metric replay and the offer simulation.

use std::collections::HashMap;

use askaround_core::hours::WorkingHours;
use askaround_core::ids::{PersonId, SkillId};
use askaround_core::matching::{Ask, CandidateProfile, HelpEvidence, MatchIndex};
use askaround_core::skill::Skill;
use askaround_core::taxonomy::Taxonomy;
use askaround_core::timezone::TimeZoneName;
use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

use super::dump::{Answer, Dump, Question};

/// Questions from this quantile of creation time on are routed and scored (the split of the
/// data's "SE-temporal-v1" protocol); earlier ones only build evidence.
pub const TEST_QUANTILE: f64 = 0.8;

#[derive(Debug, Clone, Copy)]
pub enum Step {
    Answer(usize),
    Accept(usize),
    Question(usize),
}

pub fn person(user: u64) -> PersonId {
    PersonId(Uuid::from_u128(u128::from(user) + 1))
}

fn skill(tag_index: usize) -> SkillId {
    SkillId(Uuid::from_u128(1_000_000 + tag_index as u128))
}

pub struct Timeline<'a> {
    pub dump: &'a Dump,
    questions: HashMap<u64, &'a Question>,
    answers: HashMap<u64, &'a Answer>,
    tags: HashMap<&'a str, usize>,
    /// Questions asked from this time on are routed.
    pub split_at: Timestamp,
    /// Every event, in time order (answers and accepts before questions of the same instant).
    pub steps: Vec<Step>,
}

impl<'a> Timeline<'a> {
    pub fn new(dump: &'a Dump) -> Self {
        let questions: HashMap<u64, &Question> = dump.questions.iter().map(|q| (q.id, q)).collect();
        let answers = dump.answers.iter().map(|a| (a.id, a)).collect();
        let mut tags: HashMap<&str, usize> = HashMap::new();
        for q in &dump.questions {
            for t in &q.tags {
                let next = tags.len();
                tags.entry(t.as_str()).or_insert(next);
            }
        }
        let mut times: Vec<Timestamp> = dump.questions.iter().map(|q| q.at).collect();
        times.sort();
        let at = (times.len() as f64 * TEST_QUANTILE) as usize;
        let split_at = times
            .get(at.min(times.len().saturating_sub(1)))
            .copied()
            .unwrap_or(Timestamp::MAX);

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
        Self {
            dump,
            questions,
            answers,
            tags,
            split_at,
            steps: steps.into_iter().map(|(_, _, step)| step).collect(),
        }
    }

    /// Each tag is a skill with no parent.
    pub fn taxonomy(&self) -> Taxonomy {
        Taxonomy::new(
            self.tags
                .iter()
                .map(|(tag, &i)| Skill {
                    id: skill(i),
                    name: (*tag).to_owned(),
                    parent_id: None,
                    aliases: Vec::new(),
                    popularity: 0,
                })
                .collect(),
        )
    }

    pub fn question(&self, id: u64) -> Option<&'a Question> {
        self.questions.get(&id).copied()
    }

    /// The author of the question's accepted answer.
    pub fn accepted_author(&self, q: &Question) -> Option<u64> {
        q.accepted_answer
            .and_then(|id| self.answers.get(&id))
            .and_then(|a| a.author)
    }

    /// A question as the ask askaround would route.
    pub fn ask(&self, q: &Question) -> Ask {
        Ask {
            skills: self.skills_of(q),
            seed: q.id,
            ..Ask::new(format!("{}\n{}", q.title, q.body))
        }
    }

    fn skills_of(&self, q: &Question) -> Vec<SkillId> {
        q.tags
            .iter()
            .filter_map(|t| self.tags.get(t.as_str()).map(|i| skill(*i)))
            .collect()
    }

    fn evidence(&self, a: &Answer, q: &Question, rating: Option<u8>) -> HelpEvidence {
        HelpEvidence {
            learner: q.asker.map_or(PersonId(Uuid::nil()), person),
            text: format!("{}\n{}\n{}", q.title, q.body, a.body),
            skills: self.skills_of(q),
            rating,
            at: a.at,
        }
    }

    /// Applies an answer or an accept to the index (a first answer adds its author); returns the
    /// answer and its question when the step was an answer.
    pub fn learn(
        &self,
        index: &mut MatchIndex,
        step: Step,
        weekly_budget: u16,
    ) -> anyhow::Result<Option<(&'a Answer, &'a Question)>> {
        match step {
            Step::Answer(i) => {
                let a = &self.dump.answers[i];
                let (Some(user), Some(q)) = (a.author, self.question(a.question)) else {
                    return Ok(None);
                };
                if !index.contains(person(user)) {
                    index.upsert_profile(&profile(user, weekly_budget));
                }
                index.add_evidence(person(user), &self.evidence(a, q, None))?;
                Ok(Some((a, q)))
            }
            Step::Accept(i) => {
                let a = &self.dump.answers[i];
                let (Some(user), Some(q)) = (a.author, self.question(a.question)) else {
                    return Ok(None);
                };
                if q.accepted_answer == Some(a.id) && index.contains(person(user)) {
                    index.remove_evidence(person(user), &self.evidence(a, q, None))?;
                    index.add_evidence(person(user), &self.evidence(a, q, Some(5)))?;
                }
                Ok(None)
            }
            Step::Question(_) => Ok(None),
        }
    }
}

/// Dumps say nothing about hours, teams or budgets: everyone works office hours in UTC and takes
/// up to `weekly_budget` offers a week.
fn profile(user: u64, weekly_budget: u16) -> CandidateProfile {
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
        weekly_budget,
        daily_budget: None,
    }
}
