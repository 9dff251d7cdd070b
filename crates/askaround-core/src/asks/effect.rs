//! What the server must do after a transition: data only, executed in the order given, persisted
//! (as an outbox) in the same transaction as the new ask so a crash can neither lose nor double
//! them.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::ask::OpenReason;
use super::event::Timer;
use super::offer::{DeclineReason, Withdrawal};
use crate::ids::{OfferId, PersonId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    /// Run the matcher for this ask's current text and skills, leaving out `exclude` (the asker and
    /// everyone already offered it), and answer with `Event::Candidates { wave, .. }`.
    FindCandidates { wave: u32, exclude: Vec<PersonId> },
    /// Put the offer in front of the helper (live event `offer.received`, push notification).
    SendOffer {
        offer: OfferId,
        helper: PersonId,
        expires_at: Timestamp,
    },
    /// The learner edited the ask; the helper's pending offer should show the new text.
    RefreshOffer { offer: OfferId, helper: PersonId },
    /// Take a pending offer off the helper's screen (live event `offer.withdrawn`).
    WithdrawOffer {
        offer: OfferId,
        helper: PersonId,
        why: Withdrawal,
    },
    /// The offer timed out; take it off the helper's screen.
    OfferExpired { offer: OfferId, helper: PersonId },
    /// Store a durable timer; deliver `Event::Deadline(timer)` at `due_at`.
    Schedule { timer: Timer, due_at: Timestamp },
    /// Delete a timer that is no longer needed (delivering it anyway would be harmless).
    Unschedule { timer: Timer },
    /// Create the conversation between the asker and their helper.
    OpenConversation { helper: PersonId },
    /// Something happened to the ask that the learner did not do themselves.
    NotifyAsker { notice: AskerNotice },
    /// Something happened to an ask the helper is working on.
    NotifyHelper {
        helper: PersonId,
        notice: HelperNotice,
    },
    /// How a helper handled an offer: feeds the matcher's responsiveness and decline records, and
    /// the ignored-in-a-row streak (see [`IgnoredInARow`](super::IgnoredInARow)).
    RecordResponse {
        helper: PersonId,
        response: Response,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AskerNotice {
    /// "Asked 3 people" (`helpers` counts this wave only; the ask's counters hold the total).
    WaveSent { wave: u32, helpers: u32 },
    /// Live event `ask.matched`.
    Matched { helper: PersonId },
    /// Live event `ask.open`: the server adds who will see it and when, from the matcher's report.
    OnBoard { why: OpenReason },
    /// Live event `ask.expired`.
    Expired,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HelperNotice {
    /// The learner cancelled after the helper had taken it.
    AskCancelled,
    /// The learner closed the loop; the helper is asked to confirm the topics.
    AskResolved,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Response {
    Accepted {
        after: SignedDuration,
    },
    Declined {
        reason: DeclineReason,
    },
    Passed,
    Referred {
        to: PersonId,
    },
    /// The offer expired unanswered.
    Ignored,
}
