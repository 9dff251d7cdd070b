//! The matcher: who can help with this ask, right now.
//!
//! Score = expertise for the ask × how well the person tends to serve this asker, then hard gates
//! (not the asker, active, present, working now in their own zone, not out of office, under their
//! budget, not someone who just declined this asker), then fairness (spread load among similar
//! fits, give newcomers a share). Every candidate carries its reasons; every gate reports how many
//! relevant people it held back.
//!
//! Pure and synchronous: the server owns the data and the clock and passes both in.
//!
//! ```text
//! MatchIndex ── upsert_profile / state_mut / add_evidence ──▶ postings (terms, skills)
//!     rank(ask, asker, now, config)
//!       expertise ─▶ relevance floor ─▶ gates (report) ─▶ prior ─▶ fairness ─▶ reasons
//! ```

mod analyzer;
mod ask;
mod associations;
mod candidate;
mod clock;
mod config;
mod expertise;
mod fairness;
mod gate_bits;
mod gates;
mod index;
mod interner;
mod locality;
mod memory;
mod outcome;
mod postings;
mod prior;
mod query;
mod rank;
mod reasons;
mod record;
mod shortlist;
mod slots;
mod summary;

pub use analyzer::terms;
pub use ask::{Ask, Asker, Urgency};
pub use candidate::{
    CandidateProfile, CandidateState, Decline, HelpEvidence, OutOfOffice, Presence, Responsiveness,
};
pub use config::{
    ExpertiseWeights, FairnessConfig, GateConfig, IndexOptions, MatchConfig, PriorConfig,
    TeamPreference,
};
pub use gates::Gate;
pub use index::{MatchError, MatchIndex};
pub use locality::locality_order;
pub use outcome::{GateCount, GateReport, MatchOutcome, RankedCandidate, Reason};

#[cfg(test)]
mod tests;
