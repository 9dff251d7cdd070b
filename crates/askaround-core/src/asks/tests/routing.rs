//! Waves: candidates become offers, offers expire, the next wave or the board follows.

use jiff::SignedDuration;

use super::*;

#[test]
fn a_new_ask_asks_the_matcher_for_the_first_wave_without_the_asker() {
    let new = NewAsk::parse("Pivot help", vec![], Urgency::Now, HelpMode::Call).unwrap();
    let created = create(AskId(Uuid::from_u128(7)), ASKER, new, at(0));
    assert_eq!(created.ask.version, 1);
    assert_eq!(
        created.ask.state,
        AskState::Routing {
            wave: 1,
            step: WaveStep::FindingCandidates
        }
    );
    assert_eq!(
        created.effects,
        [Effect::FindCandidates {
            wave: 1,
            exclude: vec![ASKER]
        }]
    );
}

#[test]
fn candidates_become_timed_offers_and_the_asker_hears_how_many() {
    let t = ok(&new_ask(), candidates(1, &[ANA, BEN]), 5);
    let expires_at = at(5 + 120);
    assert_eq!(
        t.effects,
        [
            Effect::SendOffer {
                offer: offer_for(ANA),
                helper: ANA,
                expires_at
            },
            Effect::Schedule {
                timer: Timer::Offer(offer_for(ANA)),
                due_at: expires_at
            },
            Effect::SendOffer {
                offer: offer_for(BEN),
                helper: BEN,
                expires_at
            },
            Effect::Schedule {
                timer: Timer::Offer(offer_for(BEN)),
                due_at: expires_at
            },
            Effect::NotifyAsker {
                notice: AskerNotice::WaveSent {
                    wave: 1,
                    helpers: 2
                }
            },
        ]
    );
    assert_eq!(
        t.ask.state,
        AskState::Routing {
            wave: 1,
            step: WaveStep::AwaitingAnswers
        }
    );
    assert_eq!(t.ask.version, 2);
    assert_eq!(t.ask.updated_at, at(5));
    assert_eq!(t.ask.counters.people_interrupted, 2);
    assert_eq!(t.ask.counters.waves_sent, 1);
    assert_eq!(t.ask.counters.first_offer_at, Some(at(5)));
}

#[test]
fn only_k_candidates_get_offers_and_never_the_asker_or_anyone_twice() {
    let t = ok(
        &new_ask(),
        candidates(1, &[ASKER, ANA, ANA, BEN, CAL, DEV]),
        0,
    );
    let helpers: Vec<PersonId> = t.ask.offers.iter().map(|o| o.helper).collect();
    assert_eq!(helpers, [ANA, BEN, CAL]);
}

#[test]
fn an_offer_lasts_as_long_as_the_urgency_allows() {
    for (urgency, lifetime) in [
        (Urgency::Now, SignedDuration::from_mins(2)),
        (Urgency::Today, SignedDuration::from_mins(30)),
        (Urgency::ThisWeek, SignedDuration::from_hours(4)),
    ] {
        let t = ok(&new_ask_with(urgency), candidates(1, &[ANA]), 0);
        assert_eq!(t.ask.offers[0].expires_at, at(0) + lifetime, "{urgency:?}");
    }
}

#[test]
fn an_ask_nobody_can_help_waits_on_the_board() {
    let t = ok(&new_ask(), candidates(1, &[]), 3);
    assert_eq!(
        t.ask.state,
        AskState::Open {
            why: OpenReason::NobodyAvailable
        }
    );
    assert_eq!(
        t.effects,
        [
            Effect::Schedule {
                timer: Timer::Board,
                due_at: at(3) + SignedDuration::from_hours(24)
            },
            Effect::NotifyAsker {
                notice: AskerNotice::OnBoard {
                    why: OpenReason::NobodyAvailable
                }
            },
        ]
    );
    assert_eq!(t.ask.counters.waves_sent, 0);
}

#[test]
fn a_wave_is_not_over_while_an_offer_is_pending() {
    let mut ask = routed(&[ANA, BEN, CAL]);
    ask = ok(&ask, decline(ANA), 10).ask;
    ask = ok(&ask, pass(BEN), 20).ask;
    assert_eq!(
        ask.state,
        AskState::Routing {
            wave: 1,
            step: WaveStep::AwaitingAnswers
        }
    );
}

#[test]
fn a_wave_where_everyone_declines_asks_the_next_wave() {
    let mut ask = routed(&[ANA, BEN, CAL]);
    ask = ok(&ask, decline(ANA), 10).ask;
    ask = ok(&ask, pass(BEN), 20).ask;
    let t = ok(&ask, decline(CAL), 30);
    assert_eq!(
        t.ask.state,
        AskState::Routing {
            wave: 2,
            step: WaveStep::FindingCandidates
        }
    );
    assert_eq!(
        t.effects.last(),
        Some(&Effect::FindCandidates {
            wave: 2,
            exclude: vec![ASKER, ANA, BEN, CAL]
        })
    );
}

#[test]
fn the_next_wave_never_offers_someone_already_asked() {
    let mut ask = routed(&[ANA]);
    ask = ok(&ask, decline(ANA), 10).ask;
    let t = ok(&ask, candidates(2, &[ANA, DEV]), 11);
    let helpers: Vec<PersonId> = t.ask.offers.iter().map(|o| o.helper).collect();
    assert_eq!(helpers, [ANA, DEV]);
    assert_eq!(t.ask.offers[1].wave, 2);
    assert_eq!(t.ask.counters.waves_sent, 2);
}

#[test]
fn a_reused_offer_id_is_skipped_rather_than_stalling_the_wave() {
    let mut ask = routed(&[ANA]);
    ask = ok(&ask, decline(ANA), 10).ask;
    let reused = Event::Candidates {
        wave: 2,
        candidates: vec![Candidate {
            helper: DEV,
            offer: offer_for(ANA),
        }],
    };
    let t = ok(&ask, reused, 11);
    assert_eq!(
        t.ask.state,
        AskState::Open {
            why: OpenReason::NobodyAvailable
        }
    );
}

#[test]
fn unanswered_offers_expire_and_count_as_ignored() {
    let ask = routed(&[ANA, BEN]);
    let t = ok(&ask, deadline(ANA), 120);
    assert_eq!(offer_state(&t.ask, ANA), OfferState::Expired);
    assert_eq!(
        t.ask.offer(offer_for(ANA)).unwrap().closed_at,
        Some(at(120))
    );
    // The timer that fired is consumed by the dispatcher; nothing to unschedule.
    assert_eq!(
        t.effects,
        [
            Effect::OfferExpired {
                offer: offer_for(ANA),
                helper: ANA
            },
            Effect::RecordResponse {
                helper: ANA,
                response: Response::Ignored
            },
        ]
    );
}

#[test]
fn after_the_last_wave_the_ask_waits_on_the_board() {
    let mut ask = new_ask();
    for wave in 1..=4u32 {
        let helper = person(100 + u128::from(wave));
        let secs = i64::from(wave) * 200;
        ask = ok(&ask, candidates(wave, &[helper]), secs).ask;
        let t = ok(&ask, deadline(helper), secs + 120);
        ask = t.ask;
        if wave < 4 {
            assert_eq!(
                t.effects.last(),
                Some(&Effect::FindCandidates {
                    wave: wave + 1,
                    exclude: std::iter::once(ASKER)
                        .chain((1..=wave).map(|w| person(100 + u128::from(w))))
                        .collect()
                })
            );
        } else {
            assert_eq!(
                t.effects.last(),
                Some(&Effect::NotifyAsker {
                    notice: AskerNotice::OnBoard {
                        why: OpenReason::WavesExhausted
                    }
                })
            );
        }
    }
    assert_eq!(
        ask.state,
        AskState::Open {
            why: OpenReason::WavesExhausted
        }
    );
    assert_eq!(ask.counters.waves_sent, 4);
    assert_eq!(ask.counters.people_interrupted, 4);
}

#[test]
fn fewer_waves_when_the_policy_says_so() {
    let policy = RoutingPolicy {
        max_waves: 1,
        ..RoutingPolicy::default()
    };
    let ask = routed(&[ANA]);
    let t = try_apply_with(&ask, decline(ANA), 10, &policy).unwrap();
    assert_eq!(
        t.ask.state,
        AskState::Open {
            why: OpenReason::WavesExhausted
        }
    );
}

#[test]
fn a_deadline_delivered_twice_changes_nothing() {
    let ask = ok(&routed(&[ANA, BEN]), deadline(ANA), 120).ask;
    assert_eq!(refused(&ask, deadline(ANA), 121), Refusal::Stale);
}

#[test]
fn a_deadline_that_lost_the_race_with_an_answer_is_stale() {
    let ask = ok(&routed(&[ANA, BEN]), decline(ANA), 119).ask;
    assert_eq!(refused(&ask, deadline(ANA), 120), Refusal::Stale);
    let taken = ok(&ask, accept(BEN), 119).ask;
    assert_eq!(refused(&taken, deadline(BEN), 120), Refusal::Stale);
}

#[test]
fn a_deadline_for_an_unknown_offer_is_refused() {
    assert_eq!(
        refused(&routed(&[ANA]), deadline(EVE), 120),
        Refusal::UnknownOffer
    );
}

#[test]
fn a_deadline_that_fires_early_still_expires_the_offer() {
    let t = ok(&routed(&[ANA]), deadline(ANA), 60);
    assert_eq!(offer_state(&t.ask, ANA), OfferState::Expired);
}

#[test]
fn candidates_for_a_wave_the_ask_is_not_waiting_for_are_stale() {
    let ask = routed(&[ANA]);
    assert_eq!(refused(&ask, candidates(1, &[BEN]), 1), Refusal::Stale);
    assert_eq!(refused(&ask, candidates(2, &[BEN]), 1), Refusal::Stale);
    let finding = new_ask();
    assert_eq!(refused(&finding, candidates(2, &[BEN]), 1), Refusal::Stale);
}
