//! Every knob of the matcher, with defaults. The expertise weights, the recency half-life, the
//! session saturation and the skill weight of a help session were tuned by `askaround-eval
//! tune-pmef` on the PMEF History train split only (see BENCHMARKS.md); the rest are
//! product choices explained field by field.

use serde::{Deserialize, Serialize};

/// How evidence is weighed when it enters the index. Changing these needs a rebuild (the server
/// builds the index at start-up, so a restart).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IndexOptions {
    /// Text weight of title, bio and declared skill names, relative to one word of an ask the
    /// person helped with.
    pub profile_text: f32,
    /// Skill weight of a declared beginner / intermediate / expert skill. A declared expert counts
    /// as two help sessions (`helped_skill` each), a product choice the benchmarks cannot inform:
    /// they have no declared skills.
    pub declared_levels: [f32; 3],
    /// Skill weight one help session adds to each of its skills (tuned).
    pub helped_skill: f32,
    /// Weight of a help session by the learner's rating, 1 to 5 stars; unrated sessions count 1.
    pub rating_weights: [f32; 5],
    /// Half-life of "recent help": a session this many days old counts half (tuned).
    pub recency_half_life_days: f64,
    /// Help intensity is sessions per 30 days over the span of a person's sessions; shorter spans
    /// count as this long, so two sessions in one day are not a rate.
    pub intensity_min_span_days: f64,
    /// Term-frequency saturation within one session (BM25's k1, tuned): a word repeated in one
    /// ask counts less each time, but each session that used it counts in full.
    pub session_k1: f32,
    /// Length normalisation of a session against `session_reference_terms` (BM25's b, tuned):
    /// above zero, a long text gets less credit per word.
    pub session_b: f32,
    pub session_reference_terms: f32,
}

impl Default for IndexOptions {
    fn default() -> Self {
        Self {
            profile_text: 1.0,
            declared_levels: [0.08, 0.14, 0.2],
            helped_skill: 0.1,
            rating_weights: [0.3, 0.6, 0.9, 1.1, 1.3],
            recency_half_life_days: 30.0,
            intensity_min_span_days: 7.0,
            session_k1: 2.0,
            session_b: 0.0,
            session_reference_terms: 40.0,
        }
    }
}

/// How expertise for an ask is computed from the indexed evidence (see [`super::expertise`]).
///
/// The score is log-linear, `exp(text·ln(1+word match) + skill·ln(1+skill match) +
/// activity·ln(1+helps) + recency·ln(1+recent helps) + intensity·ln(1+helps per 30 days))`, so
/// each kind of evidence multiplies the others instead of one drowning the rest, and "no evidence
/// of a kind" is a neutral factor of one. Tuned on PMEF's train split: who has been helping
/// recently weighs most, then the skills, and words least (they still decide who is relevant, see
/// [`MatchConfig::word_relevance_floor`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExpertiseWeights {
    pub text: f64,
    pub skill: f64,
    pub activity: f64,
    pub recency: f64,
    /// Weight of help intensity (sessions per 30 days while active).
    pub intensity: f64,
    /// A parent skill counts this much per level up ("Excel" for an ask about pivot tables).
    pub ancestor_decay: f64,
    /// A child skill counts this much ("Pivot tables" for an ask about Excel).
    pub descendant: f64,
    /// A skill that the organisation's help sessions often tag together with an asked one counts
    /// this much times how often it does (see [`super::associations`]).
    pub associated: f64,
}

impl Default for ExpertiseWeights {
    fn default() -> Self {
        Self {
            text: 0.1,
            skill: 1.2,
            activity: 0.0,
            recency: 1.6,
            intensity: 0.0,
            ancestor_decay: 0.5,
            descendant: 0.6,
            associated: 0.0,
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
    /// Candidates whose score is at least this fraction of the best count as similar fits: the
    /// first places go to them by a seeded draw instead of always to the best score. 1 keeps the
    /// ranking's order (only exact ties are drawn).
    pub similar_fit: f64,
    /// How strongly the draw favours the better fit: a similar fit's chance goes with
    /// `(score ÷ best)^fit_exponent`. 0 draws them evenly; the larger, the closer to the plain
    /// order.
    pub fit_exponent: f64,
    /// A similar fit's chance also goes with `1 − load_penalty × share of the weekly budget used`:
    /// someone with most of their week's offers still to give goes first more often than someone
    /// close to their limit.
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
            similar_fit: 0.5,
            fit_exponent: 2.0,
            load_penalty: 0.8,
            explore_share: 0.15,
            explore_position: 2,
        }
    }
}

impl FairnessConfig {
    /// No load spreading and no exploring: the ranking's order, exact ties drawn by the seed.
    /// What the benchmarks compare fairness against.
    pub fn off() -> Self {
        Self {
            similar_fit: 1.0,
            load_penalty: 0.0,
            explore_share: 0.0,
            ..Self::default()
        }
    }
}

/// Everything [`MatchIndex::rank`](super::MatchIndex::rank) needs besides the ask.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchConfig {
    /// How many candidates to return.
    pub limit: usize,
    /// A person is relevant if their skill match is at least this fraction of the best one, or
    /// their word match at least `word_relevance_floor` of the best; only relevant people are
    /// ranked and counted in the gate report ("12 Excel experts are outside working hours"). Low,
    /// so that the taxonomy reaches related skills (an Excel intermediate for a pivot-table ask).
    pub relevance_floor: f64,
    /// Words are weaker evidence than skills (one shared word in a long history is not a topic),
    /// and the ranking weighs recent activity far above them, so a word match must be this
    /// fraction of the best to make someone relevant.
    pub word_relevance_floor: f64,
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
            word_relevance_floor: 0.3,
            expertise: ExpertiseWeights::default(),
            prior: PriorConfig::default(),
            gates: GateConfig::default(),
            fairness: FairnessConfig::default(),
        }
    }
}
