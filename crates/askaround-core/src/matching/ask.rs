//! The question being routed and the person asking it.

use serde::{Deserialize, Serialize};

use crate::ids::{PersonId, SkillId};
use crate::language::Language;

/// How soon the learner needs help; it decides which availability gates apply.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Someone who can talk right now: present and inside their working hours.
    #[default]
    Now,
    /// Someone working at some point in the next 24 hours.
    Today,
    /// Someone working at some point in the next 7 days.
    ThisWeek,
}

impl Urgency {
    /// The window, in minutes from now, in which the helper must be working.
    pub fn window_minutes(self) -> u32 {
        match self {
            Urgency::Now => 0,
            Urgency::Today => 24 * 60,
            Urgency::ThisWeek => 7 * 24 * 60,
        }
    }
}

/// An ask to route. `seed` makes fairness choices repeatable (the server derives it from the ask
/// id, so a preview and the real routing agree).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ask {
    pub text: String,
    /// Skills the learner tagged explicitly; skills named in the text are found on top of these.
    pub skills: Vec<SkillId>,
    pub urgency: Urgency,
    /// The language the learner prefers to be helped in, if any.
    pub language: Option<Language>,
    pub seed: u64,
}

impl Ask {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }
}

/// The learner, as far as routing needs to know them.
#[derive(Debug, Clone, PartialEq)]
pub struct Asker {
    pub id: PersonId,
    pub team: Option<String>,
    pub location: Option<String>,
    pub languages: Vec<Language>,
}

impl Asker {
    /// An asker the matcher knows nothing else about (e.g. an evaluation replay).
    pub fn anonymous(id: PersonId) -> Self {
        Self {
            id,
            team: None,
            location: None,
            languages: Vec::new(),
        }
    }
}
