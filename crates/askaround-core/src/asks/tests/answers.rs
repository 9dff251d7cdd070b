//! Helpers answering offers: accept, decline, pass, refer, and every way that can be refused.

use jiff::SignedDuration;

use super::*;

#[test]
fn the_first_accept_wins_and_the_other_offers_are_withdrawn() {
    let t = ok(&routed(&[ANA, BEN, CAL]), accept(BEN), 30);
    assert_eq!(
        t.ask.state,
        AskState::Matched {
            helper: BEN,
            via: MatchedVia::Offer {
                offer: offer_for(BEN)
            }
        }
    );
    let withdrawn = |helper| {
        [
            Effect::Unschedule {
                timer: Timer::Offer(offer_for(helper)),
            },
            Effect::WithdrawOffer {
                offer: offer_for(helper),
                helper,
                why: Withdrawal::SomeoneElseAccepted,
            },
        ]
    };
    let mut expected = vec![
        Effect::Unschedule {
            timer: Timer::Offer(offer_for(BEN)),
        },
        Effect::RecordResponse {
            helper: BEN,
            response: Response::Accepted {
                after: SignedDuration::from_secs(30),
            },
        },
    ];
    expected.extend(withdrawn(ANA));
    expected.extend(withdrawn(CAL));
    expected.extend([
        Effect::OpenConversation { helper: BEN },
        Effect::NotifyAsker {
            notice: AskerNotice::Matched { helper: BEN },
        },
    ]);
    assert_eq!(t.effects, expected);
    assert_eq!(offer_state(&t.ask, BEN), OfferState::Accepted);
    assert_eq!(
        offer_state(&t.ask, ANA),
        OfferState::Withdrawn {
            why: Withdrawal::SomeoneElseAccepted
        }
    );
    assert_eq!(t.ask.helper(), Some(BEN));
    assert_eq!(
        t.ask.time_to_first_accept(),
        Some(SignedDuration::from_secs(30))
    );
}

#[test]
fn second_accept_is_told_someone_else_took_it() {
    let refusal = refused(&matched_ask(), accept(BEN), 31);
    assert_eq!(refusal, Refusal::AlreadyTaken);
    assert_eq!(refusal.code(), "already_taken");
}

#[test]
fn answers_after_someone_else_accepted_are_told_the_same() {
    let ask = matched_ask();
    for event in [decline(BEN), pass(CAL), refer(BEN, DEV)] {
        assert_eq!(refused(&ask, event, 31), Refusal::AlreadyTaken);
    }
}

#[test]
fn fifty_racing_accepts_have_exactly_one_winner() {
    let policy = RoutingPolicy {
        offers_per_wave: 50,
        ..RoutingPolicy::default()
    };
    let helpers: Vec<PersonId> = (0..50).map(|n| person(200 + n)).collect();
    let loaded = try_apply_with(&new_ask(), candidates(1, &helpers), 0, &policy)
        .unwrap()
        .ask;
    // The server's loop: everyone loaded the same version before anyone wrote; a write succeeds
    // only if the version is unchanged (`UPDATE … WHERE version = old`), otherwise the writer
    // reloads and applies its event again.
    let mut stored = loaded.clone();
    let mut winners = Vec::new();
    let mut refusals = Vec::new();
    for &helper in &helpers {
        let mut seen = loaded.clone();
        loop {
            match try_apply_with(&seen, accept(helper), 10, &policy) {
                Err(refusal) => {
                    refusals.push(refusal);
                    break;
                }
                Ok(t) if stored.version == seen.version => {
                    stored = t.ask;
                    winners.push(helper);
                    break;
                }
                Ok(_) => seen = stored.clone(),
            }
        }
    }
    assert_eq!(winners.len(), 1);
    assert_eq!(refusals, vec![Refusal::AlreadyTaken; 49]);
    let accepted = stored
        .offers
        .iter()
        .filter(|o| o.state == OfferState::Accepted)
        .count();
    assert_eq!(accepted, 1);
    assert_eq!(stored.pending_offers().count(), 0);
}

#[test]
fn accepting_twice_says_you_already_have_it() {
    assert_eq!(
        refused(&matched_ask(), accept(ANA), 31),
        Refusal::AlreadyAccepted
    );
}

#[test]
fn an_expired_offer_cannot_be_accepted() {
    let ask = routed(&[ANA]);
    assert!(try_apply_with(&ask, accept(ANA), 119, &RoutingPolicy::default()).is_ok());
    let refusal = refused(&ask, accept(ANA), 120);
    assert_eq!(refusal, Refusal::OfferExpired);
    assert_eq!(refusal.code(), "offer_expired");
    assert_eq!(refused(&ask, decline(ANA), 500), Refusal::OfferExpired);
}

#[test]
fn an_offer_whose_timer_fired_cannot_be_accepted() {
    let ask = ok(&routed(&[ANA, BEN]), deadline(ANA), 60).ask;
    assert_eq!(refused(&ask, accept(ANA), 61), Refusal::OfferExpired);
}

#[test]
fn a_person_acting_on_someone_elses_offer_is_told_it_is_not_theirs() {
    let ask = routed(&[ANA, BEN]);
    let not_theirs = [
        Event::Accept {
            offer: offer_for(ANA),
            by: BEN,
        },
        Event::Pass {
            offer: offer_for(ANA),
            by: ASKER,
        },
        Event::Decline {
            offer: offer_for(ANA),
            by: EVE,
            reason: DeclineReason::Other,
            note: None,
        },
        Event::Refer {
            offer: offer_for(ANA),
            by: BEN,
            to: DEV,
            new_offer: offer_for(DEV),
        },
    ];
    for event in not_theirs {
        let refusal = refused(&ask, event, 5);
        assert_eq!(refusal, Refusal::NotYours);
        assert_eq!(refusal.code(), "not_yours");
    }
}

#[test]
fn an_unknown_offer_is_refused() {
    assert_eq!(
        refused(&routed(&[ANA]), accept(EVE), 5),
        Refusal::UnknownOffer
    );
}

#[test]
fn an_answered_offer_cannot_be_answered_again() {
    let ask = ok(&routed(&[ANA, BEN]), decline(ANA), 5).ask;
    for event in [accept(ANA), decline(ANA), pass(ANA), refer(ANA, DEV)] {
        assert_eq!(refused(&ask, event, 6), Refusal::OfferClosed);
    }
}

#[test]
fn a_decline_keeps_its_reason_and_note_and_is_recorded() {
    let note = DeclineNote::parse("Try the data team").unwrap();
    let event = Event::Decline {
        offer: offer_for(ANA),
        by: ANA,
        reason: DeclineReason::NotMyArea,
        note: note.clone(),
    };
    let t = ok(&routed(&[ANA, BEN]), event, 40);
    assert_eq!(
        offer_state(&t.ask, ANA),
        OfferState::Declined {
            reason: DeclineReason::NotMyArea,
            note
        }
    );
    assert_eq!(t.ask.offer(offer_for(ANA)).unwrap().closed_at, Some(at(40)));
    assert_eq!(
        t.effects,
        [
            Effect::Unschedule {
                timer: Timer::Offer(offer_for(ANA))
            },
            Effect::RecordResponse {
                helper: ANA,
                response: Response::Declined {
                    reason: DeclineReason::NotMyArea
                }
            },
        ]
    );
}

#[test]
fn a_referral_sends_the_colleague_an_offer_in_the_same_wave() {
    let t = ok(&routed(&[ANA, BEN]), refer(ANA, DEV), 40);
    assert_eq!(offer_state(&t.ask, ANA), OfferState::Referred { to: DEV });
    let referred = t.ask.offer(offer_for(DEV)).unwrap();
    assert_eq!(
        (referred.wave, referred.referred_by, &referred.state),
        (1, Some(ANA), &OfferState::Pending)
    );
    assert_eq!(referred.expires_at, at(40 + 120));
    assert_eq!(t.ask.counters.people_interrupted, 3);
    assert!(t.effects.contains(&Effect::SendOffer {
        offer: offer_for(DEV),
        helper: DEV,
        expires_at: at(160)
    }));
}

#[test]
fn a_referral_keeps_the_wave_going_until_the_colleague_answers() {
    let mut ask = routed(&[ANA, BEN]);
    ask = ok(&ask, refer(ANA, DEV), 10).ask;
    ask = ok(&ask, decline(BEN), 20).ask;
    assert!(matches!(
        ask.state,
        AskState::Routing {
            wave: 1,
            step: WaveStep::AwaitingAnswers
        }
    ));
    let t = ok(&ask, accept(DEV), 30);
    assert_eq!(t.ask.helper(), Some(DEV));
}

#[test]
fn a_referral_to_someone_already_offered_interrupts_nobody_new() {
    let t = ok(&routed(&[ANA, BEN]), refer(ANA, BEN), 10);
    assert_eq!(t.ask.offers.len(), 2);
    assert_eq!(t.ask.counters.people_interrupted, 2);
    assert_eq!(offer_state(&t.ask, ANA), OfferState::Referred { to: BEN });
}

#[test]
fn a_referral_of_the_last_open_offer_to_someone_already_offered_moves_the_wave_on() {
    let ask = ok(&routed(&[ANA, BEN]), decline(BEN), 5).ask;
    let t = ok(&ask, refer(ANA, BEN), 10);
    assert!(matches!(
        t.ask.state,
        AskState::Routing {
            wave: 2,
            step: WaveStep::FindingCandidates
        }
    ));
}

#[test]
fn nobody_can_refer_an_ask_to_its_asker_or_to_themselves() {
    let ask = routed(&[ANA]);
    for to in [ASKER, ANA] {
        let refusal = refused(&ask, refer(ANA, to), 5);
        assert!(matches!(refusal, Refusal::NotAllowed(_)), "{refusal:?}");
        assert_eq!(refusal.code(), "not_allowed");
    }
}

#[test]
fn a_referral_with_an_offer_id_in_use_is_refused() {
    let event = Event::Refer {
        offer: offer_for(ANA),
        by: ANA,
        to: DEV,
        new_offer: offer_for(BEN),
    };
    assert!(matches!(
        refused(&routed(&[ANA, BEN]), event, 5),
        Refusal::InvalidEvent(_)
    ));
}

#[test]
fn an_offer_withdrawn_because_the_ask_was_cancelled_says_so() {
    let ask = ok(&routed(&[ANA]), Event::Cancel { by: ASKER }, 5).ask;
    assert_eq!(refused(&ask, accept(ANA), 6), Refusal::AskCancelled);
}
