//! Every knob of the matcher, with defaults. The expertise weights are hand-set product defaults:
//! `askaround-eval`'s `tune-pmef` raises MRR on the PMEF History train split by dropping the word
//! channel, but those weights score lower on its dev split and would blind the matcher to asks
//! without skill tags (see BENCHMARKS.md). The rest are product choices explained field by field.

use serde::{Deserialize, Serialize};

/// How evidence is weighed when it enters the index. Changing these needs a rebuild (the server
/// builds the index at start-up, so a restart).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IndexOptions {
    /// Text weight of title, bio and declared skill names, relative to one word of an ask the
    /// person helped with.
    pub profile_text: f32,
    /// Skill weight of a declared beginner / intermediate / expert skill.
    pub declared_levels: [f32; 3],
    /// Skill weight one help session adds to each of its skills.
    pub helped_skill: f32,
    /// Weight of a help session by the learner's rating, 1 to 5 stars; unrated sessions count 1.
    pub rating_weights: [f32; 5],
    /// Half-life of "recent help": a session this many days old counts half.
    pub recency_half_life_days: f64,
    /// Help intensity is sessions per 30 days over the span of a person's sessions; shorter spans
    /// count as this long, so two sessions in one day are not a rate.
    pub intensity_min_span_days: f64,
}

impl Default for IndexOptions {
    fn default() -> Self {
        Self {
            profile_text: 1.0,
            declared_levels: [0.4, 0.7, 1.0],
            helped_skill: 0.5,
            rating_weights: [0.3, 0.6, 0.9, 1.1, 1.3],
            recency_half_life_days: 90.0,
            intensity_min_span_days: 7.0,
        }
    }
}

/// How expertise for an ask is computed from the indexed evidence (see [`super::expertise`]).
///
/// The score is log-linear, `exp(text·ln(1+bm25) + skill·ln(1+skill match) + activity·ln(1+helps)
/// plus recency·ln(1+recent helps) + intensity·ln(1+helps per 30 days))`, so each kind of evidence
/// multiplies the others instead of one drowning the rest, and "no evidence of a kind" is a neutral
/// factor of one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExpertiseWeights {
    pub text: f64,
    pub skill: f64,
    pub activity: f64,
    pub recency: f64,
    /// Weight of help intensity (sessions per 30 days while active).
    pub intensity: f64,
    /// BM25 term-frequency saturation.
    pub k1: f64,
    /// BM25 length normalisation (0 = none, 1 = full).
    pub b: f64,
    /// A parent skill counts this much per level up ("Excel" for an ask about pivot tables).
    pub ancestor_decay: f64,
    /// A child skill counts this much ("Pivot tables" for an ask about Excel).
    pub descendant: f64,
}

impl Default for ExpertiseWeights {
    fn default() -> Self {
        Self {
            text: 0.9,
            skill: 0.8,
            activity: 0.9,
            recency: 0.4,
            intensity: 0.0,
            k1: 1.2,
            b: 0.5,
            ancestor_decay: 0.5,
            descendant: 0.6,
        }
    }
}

/// Whether to prefer helpers from the asker's own team or location.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "prefer", content = "factor")]
pub enum TeamPreference {
    /// Multiply by the factor when the helper is in another team: askaround exists to break silos.
    CrossTeam(f64),
    /// Multiply by the factor when the helper is in the same team.
    SameTeam(f64),
    /// Multiply by the factor when the helper is in the same location (in-person help).
    SameLocation(f64),
    Neutral,
}

/// How well a person tends to serve this asker (see [`super::prior`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PriorConfig {
    /// Pseudo-offers behind the smoothed accept rate: a newcomer starts at the organisation's
    /// typical rate instead of being punished for having no history.
    pub responsiveness_pseudo_offers: f64,
    /// The accept rate a newcomer is assumed to have.
    pub typical_accept_rate: f64,
    /// Pseudo-ratings of the typical value behind the average rating.
    pub rating_pseudo_count: f64,
    pub typical_rating: f64,
    /// How much one star above or below typical moves the prior.
    pub rating_weight: f64,
    /// Factor when the helper does not speak the ask's language (or any of the asker's).
    pub language_mismatch: f64,
    pub team: TeamPreference,
    /// Factors for presence when the ask is for now (online is 1).
    pub away: f64,
    pub offline: f64,
    /// Median answer time at which the prior loses a tenth, in seconds.
    pub slow_answer_secs: f64,
}

impl Default for PriorConfig {
    fn default() -> Self {
        Self {
            responsiveness_pseudo_offers: 4.0,
            typical_accept_rate: 0.5,
            rating_pseudo_count: 3.0,
            typical_rating: 4.0,
            rating_weight: 0.1,
            language_mismatch: 0.5,
            team: TeamPreference::CrossTeam(1.05),
            away: 0.8,
            offline: 0.6,
            slow_answer_secs: 1800.0,
        }
    }
}

/// Hard filters that are configurable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GateConfig {
    /// Someone who declined this asker is not offered their asks again for this many days.
    pub decline_cooldown_days: u32,
}

impl Default for GateConfig {
    fn default() -> Self {
        Self {
            decline_cooldown_days: 14,
        }
    }
}

/// Load spreading and cold start (see [`super::fairness`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FairnessConfig {
    /// Candidates within this fraction of the best score count as similar fit.
    pub similar_fit: f64,
    /// Among similar fits, the score loses up to this fraction as the week's budget fills.
    pub load_penalty: f64,
    /// Fraction of asks (chosen by the ask's seed) that reserve a first-wave slot for a newcomer
    /// with a matching declared skill and no help history yet.
    pub explore_share: f64,
    /// The first-wave position a newcomer is given (0-based).
    pub explore_position: usize,
}

impl Default for FairnessConfig {
    fn default() -> Self {
        Self {
            similar_fit: 0.85,
            load_penalty: 0.3,
            explore_share: 0.15,
            explore_position: 2,
        }
    }
}

/// Everything [`MatchIndex::rank`](super::MatchIndex::rank) needs besides the ask.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchConfig {
    /// How many candidates to return.
    pub limit: usize,
    /// A person is relevant if their word match or their skill match is at least this fraction of
    /// the best one; only relevant people are ranked and counted in the gate report ("12 Excel
    /// experts are outside working hours").
    pub relevance_floor: f64,
    pub expertise: ExpertiseWeights,
    pub prior: PriorConfig,
    pub gates: GateConfig,
    pub fairness: FairnessConfig,
}

impl Default for MatchConfig {
    fn default() -> Self {
        Self {
            limit: 10,
            relevance_floor: 0.05,
            expertise: ExpertiseWeights::default(),
            prior: PriorConfig::default(),
            gates: GateConfig::default(),
            fairness: FairnessConfig::default(),
        }
    }
}
