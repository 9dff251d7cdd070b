//! What a ranking returns: the candidates in offer order, each with its reasons, and a report of
//! the people the gates held back.

use std::fmt;

use serde::Serialize;

use super::ask::Urgency;
use super::candidate::Presence;
use super::gates::Gate;
use crate::ids::{PersonId, SkillId};
use crate::skill::SkillLevel;

/// One reason a candidate is on the list, shown to the learner and the helper.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// "helped 6 people with Microsoft Excel, rated 4.8"
    HelpedWith {
        skill: String,
        sessions: u32,
        rating: Option<f32>,
    },
    /// "helped 12 people, rated 4.5" (when no session was about the asked skills)
    Helped {
        sessions: u32,
        rating: Option<f32>,
    },
    /// "expert in Microsoft Excel"
    Declared {
        skill: String,
        level: SkillLevel,
    },
    /// "knows about pivot, refresh"
    Words {
        words: Vec<String>,
    },
    Presence {
        presence: Presence,
    },
    /// "14:10 in Lisbon"
    LocalTime {
        time: String,
        place: String,
    },
    /// "2 of 5 weekly offers used"
    Budget {
        used: u16,
        budget: u16,
    },
    /// "speaks pt"
    Speaks {
        language: String,
    },
    /// "in Finance" (another team than the asker's)
    OtherTeam {
        team: String,
    },
    /// "new helper, no sessions yet"
    Newcomer,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rated = |rating: &Option<f32>| {
            rating
                .map(|r| format!(", rated {r:.1}"))
                .unwrap_or_default()
        };
        match self {
            Reason::HelpedWith {
                skill,
                sessions,
                rating,
            } => {
                write!(
                    f,
                    "helped {} with {skill}{}",
                    people(*sessions),
                    rated(rating)
                )
            }
            Reason::Helped { sessions, rating } => {
                write!(f, "helped {}{}", people(*sessions), rated(rating))
            }
            Reason::Declared { skill, level } => write!(f, "{level} in {skill}"),
            Reason::Words { words } => write!(f, "knows about {}", words.join(", ")),
            Reason::Presence { presence } => f.write_str(presence.as_str()),
            Reason::LocalTime { time, place } => write!(f, "{time} in {place}"),
            Reason::Budget { used, budget } => write!(f, "{used} of {budget} weekly offers used"),
            Reason::Speaks { language } => write!(f, "speaks {language}"),
            Reason::OtherTeam { team } => write!(f, "in {team}"),
            Reason::Newcomer => f.write_str("new helper, no sessions yet"),
        }
    }
}

fn people(n: u32) -> String {
    if n == 1 {
        "1 person".to_owned()
    } else {
        format!("{n} people")
    }
}

/// A person to offer the ask to.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RankedCandidate {
    pub person: PersonId,
    /// Expertise × relationship prior, after fairness; finite and non-negative.
    pub score: f64,
    pub expertise: f64,
    pub prior: f64,
    /// Placed in the first wave to give a newcomer a chance (explore).
    pub explored: bool,
    pub reasons: Vec<Reason>,
}

impl RankedCandidate {
    /// The reasons as one line: "helped 6 people with Excel, rated 4.8 · online · 14:10 in Lisbon".
    pub fn summary(&self) -> String {
        self.reasons
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// How many relevant people one gate held back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct GateCount {
    pub gate: Gate,
    pub count: u32,
    /// "12 people who know Microsoft Excel are outside their working hours"
    pub message: String,
}

/// Who the gates removed among the people relevant to the ask.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct GateReport {
    /// Relevant people examined before the gates: the best matches, at least a few hundred, more
    /// if the gates removed most of them.
    pub relevant: u32,
    /// Relevant people who passed every gate.
    pub available: u32,
    /// One entry per gate that removed someone, in gate order.
    pub removed: Vec<GateCount>,
}

impl GateReport {
    pub(super) fn from_counts(
        counts: &[u32; Gate::ALL.len()],
        relevant: u32,
        available: u32,
        topic: Option<&str>,
        urgency: Urgency,
    ) -> Self {
        let removed = Gate::ALL
            .iter()
            .zip(counts)
            .filter(|&(_, &n)| n > 0)
            .map(|(&gate, &count)| {
                let who = match (topic, count) {
                    (Some(t), 1) => format!("1 person who knows {t}"),
                    (Some(t), n) => format!("{n} people who know {t}"),
                    (None, 1) => "1 matching person".to_owned(),
                    (None, n) => format!("{n} matching people"),
                };
                GateCount {
                    gate,
                    count,
                    message: format!("{who} {}", gate.predicate(count != 1, urgency)),
                }
            })
            .collect();
        Self {
            relevant,
            available,
            removed,
        }
    }

    pub fn removed_by(&self, gate: Gate) -> u32 {
        self.removed
            .iter()
            .find(|g| g.gate == gate)
            .map_or(0, |g| g.count)
    }
}

/// The result of [`MatchIndex::rank`](super::MatchIndex::rank).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MatchOutcome {
    /// In offer order: the dispatcher sends waves from the front.
    pub candidates: Vec<RankedCandidate>,
    pub gates: GateReport,
    /// Skills the ask is about (tagged or named in its text).
    pub skills: Vec<SkillId>,
}

impl MatchOutcome {
    /// The honest answer when nobody can help now, for the learner: why, in one sentence each.
    pub fn explanations(&self) -> Vec<String> {
        self.gates
            .removed
            .iter()
            .filter(|g| g.gate != Gate::Asker)
            .map(|g| g.message.clone())
            .collect()
    }
}
