//! The aggregates a store computes in SQL, before shares, percentiles and suppression.
//! Every count of people is of distinct people.

use crate::ids::{PersonId, SkillId};

use super::stats::Histogram;

/// A skill as shown in a table.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, utoipa::ToSchema,
)]
pub struct SkillRef {
    pub id: SkillId,
    pub name: String,
}

/// Active people of one team and location, and what they had done since launch by the end of
/// the range.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeopleGroup {
    pub team: Option<String>,
    pub location: Option<String>,
    pub population: u64,
    /// Created at least one ask.
    pub asked: u64,
    /// Were the learner of a matched ask.
    pub learned: u64,
    /// Were the helper of a matched ask.
    pub helped: u64,
    /// Learned or helped.
    pub connected: u64,
    /// Learned or helped at least twice in all.
    pub repeat: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdoptionRaw {
    /// One row per (team, location) of the people in scope; people count once.
    pub groups: Vec<PeopleGroup>,
    /// `(week index, people whose first connection was that week)`; people who had connected
    /// before the range count in week 0, so the running sum is "connected by the end of the week".
    pub first_connections: Vec<(u32, u64)>,
}

/// Asks created in the range and how they went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AskStats {
    pub asks: u64,
    /// Distinct askers, counted up to a cap of at least [`super::privacy::MIN_PEOPLE`] (the
    /// store's; 100 for SQLite and PostgreSQL): exact below it, and all suppression needs.
    pub askers: u64,
    /// Someone accepted or claimed it.
    pub answered: u64,
    /// Went to the board of open asks at some point.
    pub to_board: u64,
    /// Seconds from asking to the first accept, two significant digits.
    pub accept_secs: Histogram,
    /// Seconds from asking to resolution, resolved asks only, two significant digits.
    pub resolution_secs: Histogram,
    /// People interrupted (offers sent) per ask.
    pub interrupted: Histogram,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpeedRaw {
    pub overall: AskStats,
    /// By the local hour of day the ask was made (0–23); hours without asks are absent.
    pub by_hour: Vec<(u8, AskStats)>,
    pub by_skill: Vec<(SkillRef, AskStats)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QualityRaw {
    /// `(rating 1–5, ratings, distinct learners)`; learners (which only decide suppression)
    /// counted up to a cap of at least [`super::privacy::MIN_PEOPLE`], like askers.
    pub ratings: Vec<(u8, u64, u64)>,
    /// Distinct learners who rated, counted up to the same cap.
    pub learners: u64,
    /// `(skill, times learned, distinct learners)`, most learned first.
    pub learned: Vec<(SkillRef, u64, u64)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillSupply {
    pub skill: SkillRef,
    pub asks: u64,
    /// Distinct askers, counted up to a cap of at least [`super::privacy::MIN_PEOPLE`] (the
    /// store's; 100 for SQLite and PostgreSQL): exact below it, and all suppression needs.
    pub askers: u64,
    pub answered: u64,
    /// Went to the board and nobody ever took it.
    pub unmet: u64,
    /// Active people who list the skill.
    pub holders: u64,
    /// People who had helped with it by the end of the range.
    pub helpers_to_date: u64,
    /// Of those, people whose first help with it was in the range.
    pub new_helpers: u64,
}

/// Asks matched in the range, by the learner's and the helper's team.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamLink {
    pub learner_team: Option<String>,
    pub helper_team: Option<String>,
    pub asks: u64,
    /// Distinct people on either side.
    pub people: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelperLoad {
    pub person: PersonId,
    pub name: String,
    pub team: Option<String>,
    pub helps: u64,
    /// Offers they received in the range (interruptions).
    pub offers: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadRaw {
    /// `(helps in the range, helpers with that many)`.
    pub helps_per_helper: Histogram,
    /// The helpers with the most helps, most first.
    pub top: Vec<HelperLoad>,
}
