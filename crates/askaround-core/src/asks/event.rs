//! What can happen to an ask: people acting on it, the matcher answering, a timer firing.

use serde::{Deserialize, Serialize};

use super::content::{AskSkills, AskText};
use super::offer::{DeclineNote, DeclineReason};
use crate::ids::{OfferId, PersonId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The matcher's answer to `FindCandidates` for `wave`, best first. Empty: nobody available.
    Candidates {
        wave: u32,
        candidates: Vec<Candidate>,
    },
    Accept {
        offer: OfferId,
        by: PersonId,
    },
    Decline {
        offer: OfferId,
        by: PersonId,
        reason: DeclineReason,
        note: Option<DeclineNote>,
    },
    Pass {
        offer: OfferId,
        by: PersonId,
    },
    /// `by` suggests colleague `to`; `new_offer` is the id their offer gets if one is sent.
    Refer {
        offer: OfferId,
        by: PersonId,
        to: PersonId,
        new_offer: OfferId,
    },
    /// A timer this ask scheduled fired. Timers fire at least once, so this may arrive again.
    Deadline(Timer),
    /// A colleague picks the ask up from the board of open asks.
    Claim {
        by: PersonId,
    },
    Edit {
        by: PersonId,
        text: AskText,
        skills: AskSkills,
    },
    Cancel {
        by: PersonId,
    },
    /// The learner closes the loop.
    Resolve {
        by: PersonId,
    },
}

/// One person the matcher proposes, with the id their offer will have. The server mints the id
/// (the core reads no clock and no random source); a candidate that is not used wastes only it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub helper: PersonId,
    pub offer: OfferId,
}

/// A durable timer an ask asked for. The dispatcher stores `(ask, timer, due_at)` and, when it is
/// due, delivers `Event::Deadline(timer)` and deletes the row in the same transaction as the
/// outcome (a refused deadline is simply dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timer {
    /// The offer expires unless answered.
    Offer(OfferId),
    /// The ask's time on the board of open asks is up.
    Board,
}
