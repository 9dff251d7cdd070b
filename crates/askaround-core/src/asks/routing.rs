//! Waves: the matcher's candidates become offers; offers nobody answers expire.

use super::Candidate;
use super::ask::{AskState, OpenReason, WaveStep};
use super::effect::{AskerNotice, Effect, Response};
use super::offer::OfferState;
use super::refusal::Refusal;
use super::step::Step;
use crate::ids::OfferId;

pub(super) fn candidates(
    step: &mut Step<'_>,
    wave: u32,
    candidates: Vec<Candidate>,
) -> Result<(), Refusal> {
    let waiting = AskState::Routing {
        wave,
        step: WaveStep::FindingCandidates,
    };
    if step.ask.state != waiting {
        return Err(Refusal::Stale);
    }
    // The server was told whom to exclude and mints fresh ids, so these checks should never bite.
    // They skip rather than refuse: a refused answer would leave the ask waiting for a matcher
    // that nobody will ask again.
    let limit = usize::try_from(step.policy.offers_per_wave).unwrap_or(usize::MAX);
    let mut chosen: Vec<Candidate> = Vec::new();
    for candidate in candidates {
        if chosen.len() >= limit {
            break;
        }
        let fresh = candidate.helper != step.ask.asker
            && !step.ask.was_offered_to(candidate.helper)
            && step.ask.offer(candidate.offer).is_none()
            && !chosen
                .iter()
                .any(|c| c.helper == candidate.helper || c.offer == candidate.offer);
        if fresh {
            chosen.push(candidate);
        }
    }
    if chosen.is_empty() {
        step.put_on_board(OpenReason::NobodyAvailable);
        return Ok(());
    }
    let helpers = u32::try_from(chosen.len()).unwrap_or(u32::MAX);
    for candidate in chosen {
        step.send_offer(candidate.offer, candidate.helper, wave, None);
    }
    step.ask.state = AskState::Routing {
        wave,
        step: WaveStep::AwaitingAnswers,
    };
    step.ask.counters.waves_sent += 1;
    step.emit(Effect::NotifyAsker {
        notice: AskerNotice::WaveSent { wave, helpers },
    });
    Ok(())
}

pub(super) fn offer_deadline(step: &mut Step<'_>, id: OfferId) -> Result<(), Refusal> {
    let index = step
        .ask
        .offers
        .iter()
        .position(|o| o.id == id)
        .ok_or(Refusal::UnknownOffer)?;
    // Answered, withdrawn or already expired: this is a repeat delivery or a timer that lost the
    // race with an answer. Either way there is nothing left to do.
    if !step.ask.offers[index].is_pending() {
        return Err(Refusal::Stale);
    }
    // The timer is the authority even if `now` is a little before `expires_at` (nodes' clocks
    // differ): refusing would drop the timer and leave the offer pending for ever.
    let offer = &mut step.ask.offers[index];
    offer.state = OfferState::Expired;
    offer.closed_at = Some(step.now);
    let (offer, helper) = (offer.id, offer.helper);
    step.emit(Effect::OfferExpired { offer, helper });
    step.emit(Effect::RecordResponse {
        helper,
        response: Response::Ignored,
    });
    step.next_wave_if_done();
    Ok(())
}
