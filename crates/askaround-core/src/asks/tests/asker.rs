//! The learner's own actions: cancel, edit, resolve; and finished asks refusing everything.

use jiff::SignedDuration;

use super::*;

#[test]
fn only_the_asker_can_edit_cancel_or_resolve() {
    for ask in [routed(&[ANA]), open_ask(), matched_ask()] {
        for event in [
            Event::Cancel { by: ANA },
            edit(BEN, "mine now"),
            Event::Resolve { by: ANA },
        ] {
            assert_eq!(refused(&ask, event, 50), Refusal::NotYours);
        }
    }
}

#[test]
fn cancelling_while_routing_withdraws_every_pending_offer() {
    let ask = ok(&routed(&[ANA, BEN]), decline(ANA), 5).ask;
    let t = ok(&ask, Event::Cancel { by: ASKER }, 10);
    assert_eq!(t.ask.state, AskState::Cancelled);
    assert_eq!(t.ask.counters.closed_at, Some(at(10)));
    assert_eq!(
        offer_state(&t.ask, BEN),
        OfferState::Withdrawn {
            why: Withdrawal::AskCancelled
        }
    );
    assert_eq!(
        t.effects,
        [
            Effect::Unschedule {
                timer: Timer::Offer(offer_for(BEN))
            },
            Effect::WithdrawOffer {
                offer: offer_for(BEN),
                helper: BEN,
                why: Withdrawal::AskCancelled
            },
        ]
    );
}

#[test]
fn cancelling_while_the_matcher_runs_makes_its_answer_stale() {
    let ask = ok(&new_ask(), Event::Cancel { by: ASKER }, 1).ask;
    assert_eq!(refused(&ask, candidates(1, &[ANA]), 2), Refusal::Stale);
}

#[test]
fn cancelling_an_open_ask_takes_it_off_the_board() {
    let t = ok(&open_ask(), Event::Cancel { by: ASKER }, 10);
    assert_eq!(t.ask.state, AskState::Cancelled);
    assert_eq!(
        t.effects,
        [Effect::Unschedule {
            timer: Timer::Board
        }]
    );
}

#[test]
fn cancelling_after_a_match_tells_the_helper() {
    let t = ok(&matched_ask(), Event::Cancel { by: ASKER }, 60);
    assert_eq!(t.ask.state, AskState::Cancelled);
    assert_eq!(
        t.effects,
        [Effect::NotifyHelper {
            helper: ANA,
            notice: HelperNotice::AskCancelled
        }]
    );
    assert_eq!(refused(&t.ask, accept(ANA), 61), Refusal::AskCancelled);
}

#[test]
fn editing_while_routing_keeps_the_offers_out_and_refreshes_them() {
    let ask = ok(&routed(&[ANA, BEN]), decline(ANA), 5).ask;
    let skills = AskSkills::parse(vec![crate::ids::SkillId(Uuid::from_u128(9))]).unwrap();
    let event = Event::Edit {
        by: ASKER,
        text: AskText::parse("Un-pivot in Power Query, not Excel").unwrap(),
        skills: skills.clone(),
    };
    let t = ok(&ask, event, 10);
    assert_eq!(t.ask.text.as_str(), "Un-pivot in Power Query, not Excel");
    assert_eq!(t.ask.skills, skills);
    assert_eq!(t.ask.state, ask.state);
    assert_eq!(t.ask.offers, ask.offers);
    assert_eq!(
        t.effects,
        [Effect::RefreshOffer {
            offer: offer_for(BEN),
            helper: BEN
        }]
    );
}

#[test]
fn editing_an_open_ask_keeps_it_on_the_board() {
    let ask = open_ask();
    let t = ok(&ask, edit(ASKER, "More detail"), 10);
    assert_eq!(t.ask.state, ask.state);
    assert!(t.effects.is_empty());
    assert_eq!(t.ask.version, ask.version + 1);
}

#[test]
fn an_ask_someone_is_helping_with_cannot_be_edited() {
    let refusal = refused(&matched_ask(), edit(ASKER, "Actually..."), 60);
    assert!(matches!(refusal, Refusal::InvalidState(_)));
    assert_eq!(refusal.code(), "invalid_state");
}

#[test]
fn resolving_closes_the_loop_and_keeps_the_timings() {
    let t = ok(&matched_ask(), Event::Resolve { by: ASKER }, 900);
    assert_eq!(t.ask.state, AskState::Resolved { helper: ANA });
    assert_eq!(
        t.effects,
        [Effect::NotifyHelper {
            helper: ANA,
            notice: HelperNotice::AskResolved
        }]
    );
    assert_eq!(
        t.ask.time_to_first_accept(),
        Some(SignedDuration::from_secs(30))
    );
    assert_eq!(
        t.ask.time_to_resolution(),
        Some(SignedDuration::from_secs(900))
    );
    assert_eq!(t.ask.counters.people_interrupted, 3);
}

#[test]
fn an_ask_nobody_has_taken_cannot_be_resolved() {
    for ask in [new_ask(), routed(&[ANA]), open_ask()] {
        assert!(matches!(
            refused(&ask, Event::Resolve { by: ASKER }, 5),
            Refusal::InvalidState(_)
        ));
    }
}

#[test]
fn cancelling_twice_says_it_is_already_cancelled() {
    let ask = ok(&open_ask(), Event::Cancel { by: ASKER }, 5).ask;
    assert_eq!(
        refused(&ask, Event::Cancel { by: ASKER }, 6),
        Refusal::AskCancelled
    );
}

#[test]
fn a_finished_ask_refuses_every_event() {
    let resolved = ok(&matched_ask(), Event::Resolve { by: ASKER }, 100).ask;
    let cancelled = ok(&routed(&[ANA, BEN]), Event::Cancel { by: ASKER }, 5).ask;
    let expired = ok(&open_ask(), Event::Deadline(Timer::Board), 86_400).ask;
    for ask in [resolved, cancelled, expired] {
        let events = [
            candidates(1, &[DEV]),
            candidates(2, &[DEV]),
            accept(ANA),
            decline(BEN),
            pass(BEN),
            refer(ANA, DEV),
            deadline(ANA),
            deadline(EVE),
            Event::Deadline(Timer::Board),
            Event::Claim { by: DEV },
            edit(ASKER, "again"),
            Event::Cancel { by: ASKER },
            Event::Resolve { by: ASKER },
        ];
        for event in events {
            let described = format!("{event:?} on {:?}", ask.state);
            assert!(
                try_apply_with(&ask, event, 100_000, &RoutingPolicy::default()).is_err(),
                "{described} was applied"
            );
        }
    }
}
