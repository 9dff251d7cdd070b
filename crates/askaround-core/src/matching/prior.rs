//! The relationship prior: how well this person tends to serve this asker, as a factor around one.
//!
//! Every statistic is smoothed towards a typical value with pseudo-counts, so a newcomer with no
//! offers and no ratings gets exactly the neutral factor instead of being ranked below everyone
//! with a track record.

use super::ask::Urgency;
use super::candidate::Presence;
use super::config::{PriorConfig, TeamPreference};
use super::record::Record;

/// Factors applied to a candidate's score by the prior, kept apart for reasons and tests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Prior {
    pub responsiveness: f64,
    pub rating: f64,
    pub language: f64,
    pub team: f64,
    pub presence: f64,
}

impl Prior {
    pub fn factor(&self) -> f64 {
        let f = self.responsiveness * self.rating * self.language * self.team * self.presence;
        if f.is_finite() { f.max(0.0) } else { 1.0 }
    }
}

/// What the prior needs to know about the asker, as interned ids.
#[derive(Debug, Clone, Copy)]
pub(super) struct AskerContext<'a> {
    pub team: Option<u32>,
    pub location: Option<u32>,
    /// Languages acceptable to the asker (the ask's language alone if it names one).
    pub languages: &'a [u32],
    pub urgency: Urgency,
}

pub(super) fn prior(record: &Record, asker: &AskerContext<'_>, config: &PriorConfig) -> Prior {
    Prior {
        responsiveness: responsiveness(record, config),
        rating: rating(record, config),
        language: language(record, asker, config),
        team: team(record, asker, config),
        presence: presence(record.state.presence, asker.urgency, config),
    }
}

/// Smoothed accept rate relative to the typical one, slowed by a long median answer time.
pub(super) fn responsiveness(record: &Record, config: &PriorConfig) -> f64 {
    let r = &record.state.responsiveness;
    let pseudo = config.responsiveness_pseudo_offers.max(0.0);
    let typical = config.typical_accept_rate.clamp(0.01, 1.0);
    let offers = f64::from(r.offers.max(r.accepted));
    let rate = (f64::from(r.accepted) + pseudo * typical) / (offers + pseudo).max(1e-9);
    let speed = match r.median_answer_secs {
        Some(secs) if config.slow_answer_secs > 0.0 => {
            1.0 / (1.0 + 0.1 * f64::from(secs) / config.slow_answer_secs)
        }
        _ => 1.0,
    };
    (rate / typical).clamp(0.1, 2.0) * speed
}

/// Smoothed average rating, one star away from typical moving the factor by `rating_weight`.
pub(super) fn rating(record: &Record, config: &PriorConfig) -> f64 {
    let a = &record.activity;
    let pseudo = config.rating_pseudo_count.max(0.0);
    let avg = (f64::from(a.rating_sum) + pseudo * config.typical_rating)
        / (f64::from(a.rated) + pseudo).max(1e-9);
    (1.0 + config.rating_weight * (avg - config.typical_rating)).clamp(0.25, 2.0)
}

pub(super) fn speaks(record: &Record, languages: &[u32]) -> Option<bool> {
    if languages.is_empty() || record.languages.is_empty() {
        return None;
    }
    Some(record.languages.iter().any(|l| languages.contains(l)))
}

fn language(record: &Record, asker: &AskerContext<'_>, config: &PriorConfig) -> f64 {
    match speaks(record, asker.languages) {
        Some(false) => config.language_mismatch,
        _ => 1.0,
    }
}

fn team(record: &Record, asker: &AskerContext<'_>, config: &PriorConfig) -> f64 {
    let same = |a: Option<u32>, b: Option<u32>| a.is_some() && a == b;
    match config.team {
        TeamPreference::CrossTeam(f)
            if asker.team.is_some() && record.team.is_some() && !same(record.team, asker.team) =>
        {
            f
        }
        TeamPreference::SameTeam(f) if same(record.team, asker.team) => f,
        TeamPreference::SameLocation(f) if same(record.location, asker.location) => f,
        _ => 1.0,
    }
}

fn presence(presence: Presence, urgency: Urgency, config: &PriorConfig) -> f64 {
    match (urgency, presence) {
        (Urgency::Now, Presence::Away) => config.away,
        (Urgency::Now, Presence::Offline) => config.offline,
        _ => 1.0,
    }
}
