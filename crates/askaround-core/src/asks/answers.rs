//! A helper answers an offer: accept, decline, pass or refer a colleague.

use jiff::Timestamp;

use super::ask::{Ask, AskState, MatchedVia};
use super::effect::{Effect, Response};
use super::offer::{DeclineNote, DeclineReason, OfferState, Withdrawal};
use super::refusal::Refusal;
use super::step::Step;
use crate::ids::{OfferId, PersonId};

pub(super) fn accept(step: &mut Step<'_>, id: OfferId, by: PersonId) -> Result<(), Refusal> {
    let index = answerable(&step.ask, id, by, step.now)?;
    let after = step.now.duration_since(step.ask.offers[index].sent_at);
    step.answer_offer(index, OfferState::Accepted);
    step.emit(Effect::RecordResponse {
        helper: by,
        response: Response::Accepted { after },
    });
    // Everyone else still considering the ask is released at once, so nobody starts preparing
    // for an ask that is taken.
    step.withdraw_pending(Withdrawal::SomeoneElseAccepted);
    step.matched(by, MatchedVia::Offer { offer: id });
    Ok(())
}

pub(super) fn decline(
    step: &mut Step<'_>,
    id: OfferId,
    by: PersonId,
    reason: DeclineReason,
    note: Option<DeclineNote>,
) -> Result<(), Refusal> {
    let index = answerable(&step.ask, id, by, step.now)?;
    step.answer_offer(index, OfferState::Declined { reason, note });
    step.emit(Effect::RecordResponse {
        helper: by,
        response: Response::Declined { reason },
    });
    step.next_wave_if_done();
    Ok(())
}

pub(super) fn pass(step: &mut Step<'_>, id: OfferId, by: PersonId) -> Result<(), Refusal> {
    let index = answerable(&step.ask, id, by, step.now)?;
    step.answer_offer(index, OfferState::Passed);
    step.emit(Effect::RecordResponse {
        helper: by,
        response: Response::Passed,
    });
    step.next_wave_if_done();
    Ok(())
}

pub(super) fn refer(
    step: &mut Step<'_>,
    id: OfferId,
    by: PersonId,
    to: PersonId,
    new_offer: OfferId,
) -> Result<(), Refusal> {
    let index = answerable(&step.ask, id, by, step.now)?;
    if to == step.ask.asker {
        return Err(Refusal::NotAllowed(
            "An ask can't be referred to the person who asked it.",
        ));
    }
    if to == by {
        return Err(Refusal::NotAllowed("You can't refer an ask to yourself."));
    }
    // A colleague who already had an offer is not interrupted again; the referral still counts
    // as the helper's answer.
    let send = !step.ask.was_offered_to(to);
    if send && step.ask.offer(new_offer).is_some() {
        return Err(Refusal::InvalidEvent(
            "The id for the referred colleague's offer is already in use.",
        ));
    }
    let wave = step.ask.offers[index].wave;
    step.answer_offer(index, OfferState::Referred { to });
    step.emit(Effect::RecordResponse {
        helper: by,
        response: Response::Referred { to },
    });
    // The new offer joins the current wave, so the wave waits for the referred colleague: a
    // colleague's recommendation is a better bet than a stranger from the next wave.
    if send {
        step.send_offer(new_offer, to, wave, Some(by));
    }
    step.next_wave_if_done();
    Ok(())
}

/// Finds the offer `by` is answering and checks it can still be answered at `now`.
fn answerable(ask: &Ask, id: OfferId, by: PersonId, now: Timestamp) -> Result<usize, Refusal> {
    let index = ask
        .offers
        .iter()
        .position(|o| o.id == id)
        .ok_or(Refusal::UnknownOffer)?;
    let offer = &ask.offers[index];
    if offer.helper != by {
        return Err(Refusal::NotYours);
    }
    // What happened to the ask matters more to a late helper than what happened to their offer:
    // "someone else took it" says more than "your offer was withdrawn".
    match ask.state {
        AskState::Matched { helper, .. } | AskState::Resolved { helper } => {
            return Err(Refusal::taken(helper, by));
        }
        AskState::Cancelled => return Err(Refusal::AskCancelled),
        AskState::Routing { .. } | AskState::Open { .. } | AskState::Expired => {}
    }
    match offer.state {
        // Past its time but its timer has not fired yet: the helper's screen already shows it as
        // expired, and the timer will close it and move the wave on.
        OfferState::Pending if now >= offer.expires_at => Err(Refusal::OfferExpired),
        OfferState::Pending => Ok(index),
        OfferState::Expired => Err(Refusal::OfferExpired),
        OfferState::Accepted => Err(Refusal::AlreadyAccepted),
        OfferState::Declined { .. } | OfferState::Passed | OfferState::Referred { .. } => {
            Err(Refusal::OfferClosed)
        }
        OfferState::Withdrawn {
            why: Withdrawal::SomeoneElseAccepted,
        } => Err(Refusal::AlreadyTaken),
        OfferState::Withdrawn {
            why: Withdrawal::AskCancelled,
        } => Err(Refusal::AskCancelled),
    }
}
