//! The board of open asks: any colleague may pick one up until its time there is up.

use super::ask::{AskState, MatchedVia};
use super::effect::{AskerNotice, Effect};
use super::event::Timer;
use super::refusal::Refusal;
use super::step::Step;
use crate::ids::PersonId;

pub(super) fn claim(step: &mut Step<'_>, by: PersonId) -> Result<(), Refusal> {
    if by == step.ask.asker {
        return Err(Refusal::NotAllowed("You can't pick up your own ask."));
    }
    match step.ask.state {
        AskState::Open { .. } => {}
        // The board lists only open asks, so this is a stale page; the offers in flight get
        // their chance first.
        AskState::Routing { .. } => {
            return Err(Refusal::InvalidState(
                "This ask is still being offered to colleagues; it can be picked up once it is on the board.",
            ));
        }
        AskState::Matched { helper, .. } | AskState::Resolved { helper } => {
            return Err(Refusal::taken(helper, by));
        }
        AskState::Cancelled => return Err(Refusal::AskCancelled),
        AskState::Expired => return Err(Refusal::AskClosed),
    }
    step.emit(Effect::Unschedule {
        timer: Timer::Board,
    });
    step.matched(by, MatchedVia::Board);
    Ok(())
}

pub(super) fn board_deadline(step: &mut Step<'_>) -> Result<(), Refusal> {
    // Claimed, cancelled or already expired: a repeat or a timer that lost a race.
    if !matches!(step.ask.state, AskState::Open { .. }) {
        return Err(Refusal::Stale);
    }
    step.finish_ask(AskState::Expired);
    step.emit(Effect::NotifyAsker {
        notice: AskerNotice::Expired,
    });
    Ok(())
}
