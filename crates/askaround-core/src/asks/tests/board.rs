//! The board of open asks: claims and the board's deadline.

use super::*;

#[test]
fn a_colleague_can_pick_up_an_open_ask_even_after_declining_it() {
    let mut ask = routed(&[ANA]);
    ask = ok(&ask, decline(ANA), 10).ask;
    ask = ok(&ask, candidates(2, &[]), 11).ask;
    let t = ok(&ask, Event::Claim { by: ANA }, 500);
    assert_eq!(
        t.ask.state,
        AskState::Matched {
            helper: ANA,
            via: MatchedVia::Board
        }
    );
    assert_eq!(t.ask.counters.matched_at, Some(at(500)));
    assert_eq!(
        t.effects,
        [
            Effect::Unschedule {
                timer: Timer::Board
            },
            Effect::OpenConversation { helper: ANA },
            Effect::NotifyAsker {
                notice: AskerNotice::Matched { helper: ANA }
            },
        ]
    );
}

#[test]
fn the_asker_cannot_pick_up_their_own_ask() {
    assert!(matches!(
        refused(&open_ask(), Event::Claim { by: ASKER }, 5),
        Refusal::NotAllowed(_)
    ));
}

#[test]
fn an_ask_still_being_routed_cannot_be_claimed() {
    for ask in [new_ask(), routed(&[ANA])] {
        assert!(matches!(
            refused(&ask, Event::Claim { by: DEV }, 5),
            Refusal::InvalidState(_)
        ));
    }
}

#[test]
fn a_claimed_ask_is_taken_for_everyone_else() {
    let ask = ok(&open_ask(), Event::Claim { by: BEN }, 5).ask;
    assert_eq!(
        refused(&ask, Event::Claim { by: CAL }, 6),
        Refusal::AlreadyTaken
    );
    assert_eq!(
        refused(&ask, Event::Claim { by: BEN }, 6),
        Refusal::AlreadyAccepted
    );
}

#[test]
fn an_open_ask_expires_when_its_board_time_is_up() {
    let t = ok(&open_ask(), Event::Deadline(Timer::Board), 86_400);
    assert_eq!(t.ask.state, AskState::Expired);
    assert_eq!(t.ask.counters.closed_at, Some(at(86_400)));
    assert_eq!(
        t.effects,
        [Effect::NotifyAsker {
            notice: AskerNotice::Expired
        }]
    );
    assert_eq!(
        refused(&t.ask, Event::Claim { by: BEN }, 86_401),
        Refusal::AskClosed
    );
}

#[test]
fn a_board_deadline_for_an_ask_not_on_the_board_changes_nothing() {
    let claimed = ok(&open_ask(), Event::Claim { by: BEN }, 5).ask;
    for ask in [claimed, new_ask(), routed(&[ANA])] {
        assert_eq!(
            refused(&ask, Event::Deadline(Timer::Board), 86_400),
            Refusal::Stale
        );
    }
}
