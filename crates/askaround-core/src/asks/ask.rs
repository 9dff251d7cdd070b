//! The ask as the state machine sees it: what was asked, where it stands, every offer made for it
//! and the counts that show what it cost and how fast it was answered.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::content::{AskSkills, AskText, HelpMode};
use super::offer::Offer;
use crate::ids::{AskId, OfferId, PersonId};
use crate::matching::Urgency;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ask {
    pub id: AskId,
    pub asker: PersonId,
    pub text: AskText,
    pub skills: AskSkills,
    pub urgency: Urgency,
    pub mode: HelpMode,
    pub state: AskState,
    /// Every offer ever made for this ask, in the order sent. Offers are never removed: they are
    /// the record of who was interrupted and how each of them answered.
    pub offers: Vec<Offer>,
    pub counters: AskCounters,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Bumped by every accepted event. The store's `UPDATE … WHERE version = old` is what turns
    /// concurrent events into a sequence, so 50 simultaneous accepts have one winner.
    pub version: u64,
}

impl Ask {
    pub fn offer(&self, id: OfferId) -> Option<&Offer> {
        self.offers.iter().find(|o| o.id == id)
    }

    /// Whether `person` has had an offer for this ask. Nobody is offered the same ask twice.
    pub fn was_offered_to(&self, person: PersonId) -> bool {
        self.offers.iter().any(|o| o.helper == person)
    }

    pub fn pending_offers(&self) -> impl Iterator<Item = &Offer> {
        self.offers.iter().filter(|o| o.is_pending())
    }

    /// The colleague helping (or who helped), once there is one.
    pub fn helper(&self) -> Option<PersonId> {
        match self.state {
            AskState::Matched { helper, .. } | AskState::Resolved { helper } => Some(helper),
            _ => None,
        }
    }

    /// From asking to someone taking it (an accepted offer or a claim from the board).
    pub fn time_to_first_accept(&self) -> Option<SignedDuration> {
        self.counters
            .matched_at
            .map(|at| at.duration_since(self.created_at))
    }

    /// From asking to the learner closing the loop; only for resolved asks.
    pub fn time_to_resolution(&self) -> Option<SignedDuration> {
        match self.state {
            AskState::Resolved { .. } => self
                .counters
                .closed_at
                .map(|at| at.duration_since(self.created_at)),
            _ => None,
        }
    }
}

/// Where an ask stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AskState {
    /// Offers are going out in waves. `wave` counts from 1.
    Routing { wave: u32, step: WaveStep },
    /// On the board of open asks: nobody was available, or every wave passed without an accept.
    /// Any colleague may still claim it until its board time is up.
    Open { why: OpenReason },
    /// One colleague is helping.
    Matched { helper: PersonId, via: MatchedVia },
    /// The learner closed the loop (the feedback itself is stored with the conversation).
    Resolved { helper: PersonId },
    /// The learner no longer needs help.
    Cancelled,
    /// Nobody took it from the board in time.
    Expired,
}

impl AskState {
    pub fn as_str(self) -> &'static str {
        match self {
            AskState::Routing { .. } => "routing",
            AskState::Open { .. } => "open",
            AskState::Matched { .. } => "matched",
            AskState::Resolved { .. } => "resolved",
            AskState::Cancelled => "cancelled",
            AskState::Expired => "expired",
        }
    }

    /// Resolved, cancelled or expired: no event changes it any more.
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            AskState::Resolved { .. } | AskState::Cancelled | AskState::Expired
        )
    }
}

/// The two halves of a wave. Keeping them apart makes "a routing ask is always waiting for
/// something" checkable: either the matcher owes it candidates, or a helper owes it an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaveStep {
    /// A `FindCandidates` effect for this wave is outstanding; offers follow its answer.
    FindingCandidates,
    /// At least one offer of this wave is pending.
    AwaitingAnswers,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenReason {
    /// The matcher found nobody available (for the first wave, or for a later one).
    NobodyAvailable,
    /// Every wave went out and nobody accepted.
    WavesExhausted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MatchedVia {
    /// The helper accepted this offer.
    Offer { offer: OfferId },
    /// The helper picked the ask up from the board of open asks.
    Board,
}

/// What each ask cost and how fast it was answered; the insights pages aggregate these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AskCounters {
    /// Waves that reached at least one person.
    pub waves_sent: u32,
    /// Offers sent, referrals included: the ask's cost in other people's attention.
    pub people_interrupted: u32,
    pub first_offer_at: Option<Timestamp>,
    /// When a helper accepted or claimed it.
    pub matched_at: Option<Timestamp>,
    /// When it was resolved, cancelled or expired.
    pub closed_at: Option<Timestamp>,
}
