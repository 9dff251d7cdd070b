//! The life of an ask, as a pure state machine: (ask, event, now) → (new ask, effects), or a
//! refusal that changes nothing.
//!
//! The server loads an ask with its offers, calls [`apply`] and persists the new ask and its
//! effects in one conditional transaction (`UPDATE … WHERE version = old`). A writer that loses
//! that race reloads and applies its event again, so every decision (who wins, when the next wave
//! goes out, what a late accepter is told) is made here, once, on the latest state. The store and
//! the server only persist and carry out [`Effect`]s.
//!
//! ```text
//!   create ─▶ Routing ──Accept──▶ Matched ──Resolve──▶ Resolved
//!                │                  ▲
//!                ▼                  │ Claim
//!               Open ───────────────┘
//!                │ Deadline(Board)
//!                ▼
//!             Expired        Cancel (the asker): Routing | Open | Matched ─▶ Cancelled
//!
//!   state                   event                               next
//!   Routing(w, finding)     Candidates(w), someone new          Routing(w, awaiting)
//!                           Candidates(w), nobody new           Open(nobody_available)
//!   Routing(w, awaiting)    Accept (pending, before expiry)     Matched; other offers withdrawn
//!                           Decline | Pass | Refer | Deadline   same while any offer is pending,
//!                                                               then Routing(w+1, finding),
//!                                                               or Open(waves_exhausted) after W
//!   Open                    Claim (anyone but the asker)        Matched
//!                           Deadline(Board)                     Expired
//!   Matched                 Resolve (the asker)                 Resolved
//!   Routing | Open          Edit (the asker)                    same; pending offers refreshed
//!   Resolved | Cancelled | Expired                              every event refused
//! ```
//!
//! A referral closes the referrer's offer and sends the colleague one in the same wave. Internal
//! events that arrive late (a deadline delivered twice, candidates for a cancelled ask) are
//! refused as [`Refusal::Stale`], which the dispatcher drops.

mod answers;
mod ask;
mod asker;
mod board;
mod content;
mod effect;
mod event;
mod offer;
mod policy;
mod refusal;
mod routing;
mod snooze;
mod step;

use jiff::Timestamp;

pub use self::ask::{Ask, AskCounters, AskState, MatchedVia, OpenReason, WaveStep};
pub use self::content::{AskSkills, AskText, HelpMode, MAX_ASK_SKILLS, MAX_ASK_TEXT, NewAsk};
pub use self::effect::{AskerNotice, Effect, HelperNotice, Response};
pub use self::event::{Candidate, Event, Timer};
pub use self::offer::{
    DeclineNote, DeclineReason, MAX_DECLINE_NOTE, Offer, OfferState, Withdrawal,
};
pub use self::policy::{ByUrgency, RoutingPolicy};
pub use self::refusal::Refusal;
pub use self::snooze::IgnoredInARow;
pub use crate::matching::Urgency;

use self::step::Step;
use crate::ids::{AskId, PersonId};

/// The outcome of an accepted event: the ask to store (its `version` one higher) and what the
/// server must do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub ask: Ask,
    pub effects: Vec<Effect>,
}

/// A new ask, at version 1, waiting for the matcher's first wave.
pub fn create(id: AskId, asker: PersonId, new: NewAsk, now: Timestamp) -> Transition {
    let ask = Ask {
        id,
        asker,
        text: new.text,
        skills: new.skills,
        urgency: new.urgency,
        mode: new.mode,
        state: AskState::Routing {
            wave: 1,
            step: WaveStep::FindingCandidates,
        },
        offers: Vec::new(),
        counters: AskCounters::default(),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    Transition {
        ask,
        effects: vec![Effect::FindCandidates {
            wave: 1,
            exclude: vec![asker],
        }],
    }
}

/// Applies `event` at `now`. On success the returned ask has `version + 1`; on refusal nothing
/// changed and the caller tells the person why (or, for internal events, drops the event).
pub fn apply(
    ask: &Ask,
    event: Event,
    now: Timestamp,
    policy: &RoutingPolicy,
) -> Result<Transition, Refusal> {
    let mut step = Step::new(ask.clone(), now, policy);
    match event {
        Event::Candidates { wave, candidates } => routing::candidates(&mut step, wave, candidates),
        Event::Accept { offer, by } => answers::accept(&mut step, offer, by),
        Event::Decline {
            offer,
            by,
            reason,
            note,
        } => answers::decline(&mut step, offer, by, reason, note),
        Event::Pass { offer, by } => answers::pass(&mut step, offer, by),
        Event::Refer {
            offer,
            by,
            to,
            new_offer,
        } => answers::refer(&mut step, offer, by, to, new_offer),
        Event::Deadline(Timer::Offer(offer)) => routing::offer_deadline(&mut step, offer),
        Event::Deadline(Timer::Board) => board::board_deadline(&mut step),
        Event::Claim { by } => board::claim(&mut step, by),
        Event::Edit { by, text, skills } => asker::edit(&mut step, by, text, skills),
        Event::Cancel { by } => asker::cancel(&mut step, by),
        Event::Resolve { by } => asker::resolve(&mut step, by),
    }?;
    Ok(step.finish())
}

#[cfg(test)]
mod tests;
