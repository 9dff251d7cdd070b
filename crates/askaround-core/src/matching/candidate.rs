//! What the matcher knows about a colleague: the profile they keep (rarely changes), their state
//! right now (changes all day), and the help they have given (grows after every session).
//!
//! The server owns these values and hands them to the [`MatchIndex`](super::MatchIndex); the matcher
//! never reads a clock or a database.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::hours::WorkingHours;
use crate::ids::{PersonId, SkillId};
use crate::language::Language;
use crate::person::Profile;
use crate::skill::SkillLevel;
use crate::timezone::TimeZoneName;

/// The part of a person the matcher indexes: who they are, when they work, what they know.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateProfile {
    pub id: PersonId,
    pub active: bool,
    pub title: Option<String>,
    pub bio: Option<String>,
    pub team: Option<String>,
    pub location: Option<String>,
    pub timezone: TimeZoneName,
    pub working_hours: WorkingHours,
    pub languages: Vec<Language>,
    pub skills: Vec<(SkillId, SkillLevel)>,
    /// Offers a week the person agreed to receive; zero means "never route to me".
    pub weekly_budget: u16,
    /// An optional tighter cap per day.
    pub daily_budget: Option<u16>,
}

impl CandidateProfile {
    /// The matcher's view of a stored profile (no daily cap unless the caller sets one).
    pub fn from_profile(profile: &Profile) -> Self {
        let p = &profile.person;
        Self {
            id: p.id,
            active: p.active,
            title: p.title.clone(),
            bio: p.bio.clone(),
            team: p.team.clone(),
            location: p.location.clone(),
            timezone: p.timezone.clone(),
            working_hours: p.working_hours.clone(),
            languages: p.languages.clone(),
            skills: profile
                .skills
                .iter()
                .map(|s| (s.skill_id, s.level))
                .collect(),
            weekly_budget: p.weekly_budget,
            daily_budget: None,
        }
    }
}

/// Presence as the person set it (or as the app inferred from an idle session).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    Online,
    Away,
    DoNotDisturb,
    /// No open session; still reachable by notification.
    #[default]
    Offline,
}

impl Presence {
    pub fn as_str(self) -> &'static str {
        match self {
            Presence::Online => "online",
            Presence::Away => "away",
            Presence::DoNotDisturb => "do not disturb",
            Presence::Offline => "offline",
        }
    }
}

/// An out-of-office period, `from` inclusive, `until` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfOffice {
    pub from: Timestamp,
    pub until: Timestamp,
}

/// A helper declined an offer from this asker at this time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decline {
    pub asker: PersonId,
    pub at: Timestamp,
}

/// How a person has answered offers so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Responsiveness {
    pub offers: u32,
    pub accepted: u32,
    /// Offers that expired without an answer.
    pub ignored: u32,
    /// Median seconds from offer to accept, over accepted offers.
    pub median_answer_secs: Option<u32>,
}

/// Everything about a person that changes during the day. The dispatcher keeps the counters
/// current; the matcher only reads them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CandidateState {
    pub presence: Presence,
    pub out_of_office: Option<OutOfOffice>,
    pub offers_today: u16,
    pub offers_this_week: u16,
    /// Recent declines; older ones may be pruned by the caller, the gate ignores them anyway.
    pub declines: Vec<Decline>,
    pub responsiveness: Responsiveness,
}

/// One finished help session: the evidence that teaches the matcher who knows what.
#[derive(Debug, Clone, PartialEq)]
pub struct HelpEvidence {
    pub learner: PersonId,
    /// The ask as the learner wrote it (and, with consent, what was learned).
    pub text: String,
    pub skills: Vec<SkillId>,
    /// The learner's rating, 1 to 5, if they gave one.
    pub rating: Option<u8>,
    pub at: Timestamp,
}
