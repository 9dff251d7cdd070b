//! What only the learner may do with their ask: edit it, cancel it, close the loop.

use super::ask::AskState;
use super::content::{AskSkills, AskText};
use super::effect::{Effect, HelperNotice};
use super::event::Timer;
use super::offer::Withdrawal;
use super::refusal::Refusal;
use super::step::Step;
use crate::ids::PersonId;

pub(super) fn cancel(step: &mut Step<'_>, by: PersonId) -> Result<(), Refusal> {
    asker_only(step, by)?;
    match step.ask.state {
        // A matcher run still in flight is answered with stale candidates, which are refused.
        AskState::Routing { .. } => step.withdraw_pending(Withdrawal::AskCancelled),
        AskState::Open { .. } => step.emit(Effect::Unschedule {
            timer: Timer::Board,
        }),
        // The learner may have solved it themselves; the helper should stop preparing.
        AskState::Matched { helper, .. } => step.emit(Effect::NotifyHelper {
            helper,
            notice: HelperNotice::AskCancelled,
        }),
        AskState::Cancelled => return Err(Refusal::AskCancelled),
        AskState::Resolved { .. } | AskState::Expired => return Err(Refusal::AskClosed),
    }
    step.finish_ask(AskState::Cancelled);
    Ok(())
}

/// Edits keep the offers already out: they show the new text (`RefreshOffer`) and the next wave
/// is matched on the new text and skills. Withdrawing and re-routing would interrupt the same
/// best-ranked people twice for what is usually a clarification, and a helper for whom the edit
/// makes it "not my area" declines in one tap, which moves the wave on anyway.
pub(super) fn edit(
    step: &mut Step<'_>,
    by: PersonId,
    text: AskText,
    skills: AskSkills,
) -> Result<(), Refusal> {
    asker_only(step, by)?;
    match step.ask.state {
        AskState::Routing { .. } | AskState::Open { .. } => {}
        // The helper accepted this ask as written; changing it under them would be bait and
        // switch. Details belong in the conversation now.
        AskState::Matched { .. } => {
            return Err(Refusal::InvalidState(
                "Someone is already helping with this ask; add the details in your conversation.",
            ));
        }
        AskState::Cancelled => return Err(Refusal::AskCancelled),
        AskState::Resolved { .. } | AskState::Expired => return Err(Refusal::AskClosed),
    }
    step.ask.text = text;
    step.ask.skills = skills;
    let refresh: Vec<Effect> = step
        .ask
        .pending_offers()
        .map(|o| Effect::RefreshOffer {
            offer: o.id,
            helper: o.helper,
        })
        .collect();
    for effect in refresh {
        step.emit(effect);
    }
    Ok(())
}

pub(super) fn resolve(step: &mut Step<'_>, by: PersonId) -> Result<(), Refusal> {
    asker_only(step, by)?;
    match step.ask.state {
        AskState::Matched { helper, .. } => {
            step.finish_ask(AskState::Resolved { helper });
            step.emit(Effect::NotifyHelper {
                helper,
                notice: HelperNotice::AskResolved,
            });
            Ok(())
        }
        AskState::Routing { .. } | AskState::Open { .. } => Err(Refusal::InvalidState(
            "Nobody has taken this ask yet; cancel it if you no longer need help.",
        )),
        AskState::Cancelled => Err(Refusal::AskCancelled),
        AskState::Resolved { .. } | AskState::Expired => Err(Refusal::AskClosed),
    }
}

/// Anyone else is told the ask does not exist for them, as with someone else's offer.
fn asker_only(step: &Step<'_>, by: PersonId) -> Result<(), Refusal> {
    if by == step.ask.asker {
        Ok(())
    } else {
        Err(Refusal::NotYours)
    }
}
