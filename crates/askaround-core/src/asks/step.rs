//! The working copy an event is applied to, and the moves several events share. Handlers mutate
//! a clone of the ask, so a refusal (returned before or after any mutation) changes nothing.

use jiff::{SignedDuration, Timestamp};

use super::Transition;
use super::ask::{Ask, AskState, MatchedVia, OpenReason, WaveStep};
use super::effect::{AskerNotice, Effect};
use super::event::Timer;
use super::offer::{Offer, OfferState, Withdrawal};
use super::policy::RoutingPolicy;
use crate::ids::{OfferId, PersonId};

pub(super) struct Step<'a> {
    pub ask: Ask,
    pub now: Timestamp,
    pub policy: &'a RoutingPolicy,
    effects: Vec<Effect>,
}

impl<'a> Step<'a> {
    pub fn new(ask: Ask, now: Timestamp, policy: &'a RoutingPolicy) -> Self {
        Self {
            ask,
            now,
            policy,
            effects: Vec::new(),
        }
    }

    pub fn emit(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    pub fn finish(mut self) -> Transition {
        self.ask.version += 1;
        self.ask.updated_at = self.now;
        Transition {
            ask: self.ask,
            effects: self.effects,
        }
    }

    /// `now + duration`, saturating: a misconfigured lifetime must not be able to panic.
    fn after(&self, duration: SignedDuration) -> Timestamp {
        self.now.saturating_add(duration).unwrap_or(Timestamp::MAX)
    }

    /// Records a new pending offer and asks the server to deliver it and time it.
    pub fn send_offer(
        &mut self,
        id: OfferId,
        helper: PersonId,
        wave: u32,
        referred_by: Option<PersonId>,
    ) {
        let expires_at = self.after(self.policy.offer_lifetime.get(self.ask.urgency));
        self.ask.offers.push(Offer {
            id,
            helper,
            wave,
            referred_by,
            sent_at: self.now,
            expires_at,
            state: OfferState::Pending,
            closed_at: None,
        });
        let counters = &mut self.ask.counters;
        counters.people_interrupted += 1;
        counters.first_offer_at.get_or_insert(self.now);
        self.emit(Effect::SendOffer {
            offer: id,
            helper,
            expires_at,
        });
        self.emit(Effect::Schedule {
            timer: Timer::Offer(id),
            due_at: expires_at,
        });
    }

    /// Moves a pending offer to `state` and stops its timer.
    pub fn answer_offer(&mut self, index: usize, state: OfferState) {
        let offer = &mut self.ask.offers[index];
        offer.state = state;
        offer.closed_at = Some(self.now);
        let timer = Timer::Offer(offer.id);
        self.emit(Effect::Unschedule { timer });
    }

    /// Takes back every offer still pending, telling each helper why.
    pub fn withdraw_pending(&mut self, why: Withdrawal) {
        for index in 0..self.ask.offers.len() {
            if self.ask.offers[index].is_pending() {
                self.answer_offer(index, OfferState::Withdrawn { why });
                let offer = &self.ask.offers[index];
                let (offer, helper) = (offer.id, offer.helper);
                self.emit(Effect::WithdrawOffer { offer, helper, why });
            }
        }
    }

    /// After an offer closed without a match: the wave goes on while anyone is still considering
    /// the ask; then the next wave is requested, or after the last one the ask goes to the board.
    pub fn next_wave_if_done(&mut self) {
        let AskState::Routing { wave, .. } = self.ask.state else {
            return;
        };
        if self.ask.pending_offers().next().is_some() {
            return;
        }
        if wave >= self.policy.max_waves {
            self.put_on_board(OpenReason::WavesExhausted);
        } else {
            self.find_candidates(wave + 1);
        }
    }

    /// Asks the server to run the matcher for `wave`, leaving out the asker and everyone who
    /// already had an offer: nobody is interrupted twice for one ask.
    pub fn find_candidates(&mut self, wave: u32) {
        self.ask.state = AskState::Routing {
            wave,
            step: WaveStep::FindingCandidates,
        };
        let mut exclude: Vec<PersonId> = std::iter::once(self.ask.asker)
            .chain(self.ask.offers.iter().map(|o| o.helper))
            .collect();
        exclude.sort_unstable();
        exclude.dedup();
        self.emit(Effect::FindCandidates { wave, exclude });
    }

    /// Puts the ask on the board of open asks, for as long as its urgency warrants.
    pub fn put_on_board(&mut self, why: OpenReason) {
        self.ask.state = AskState::Open { why };
        let due_at = self.after(self.policy.board_lifetime.get(self.ask.urgency));
        self.emit(Effect::Schedule {
            timer: Timer::Board,
            due_at,
        });
        self.emit(Effect::NotifyAsker {
            notice: AskerNotice::OnBoard { why },
        });
    }

    pub fn matched(&mut self, helper: PersonId, via: MatchedVia) {
        self.ask.state = AskState::Matched { helper, via };
        self.ask.counters.matched_at = Some(self.now);
        self.emit(Effect::OpenConversation { helper });
        self.emit(Effect::NotifyAsker {
            notice: AskerNotice::Matched { helper },
        });
    }

    /// Moves the ask to a finished state.
    pub fn finish_ask(&mut self, state: AskState) {
        self.ask.state = state;
        self.ask.counters.closed_at = Some(self.now);
    }
}
