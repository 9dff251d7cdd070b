//! Every path of the ask lifecycle, area by area, and properties over random event sequences.

mod answers;
mod asker;
mod board;
mod props;
mod routing;

use jiff::Timestamp;
use uuid::Uuid;

use super::*;
use crate::ids::{AskId, OfferId};

pub(super) const ASKER: PersonId = person(1);
pub(super) const ANA: PersonId = person(2);
pub(super) const BEN: PersonId = person(3);
pub(super) const CAL: PersonId = person(4);
pub(super) const DEV: PersonId = person(5);
pub(super) const EVE: PersonId = person(6);

pub(super) const fn person(n: u128) -> PersonId {
    PersonId(Uuid::from_u128(n))
}

/// Each person gets at most one offer per ask, so tests name an offer by its helper.
pub(super) fn offer_for(helper: PersonId) -> OfferId {
    OfferId(Uuid::from_u128(helper.as_uuid().as_u128() + 1_000_000))
}

/// Seconds after the ask was created.
pub(super) fn at(secs: i64) -> Timestamp {
    Timestamp::from_second(1_772_442_000 + secs).unwrap()
}

pub(super) fn new_ask_with(urgency: Urgency) -> Ask {
    let new = NewAsk::parse(
        "How do I un-pivot a table in Excel?",
        vec![],
        urgency,
        HelpMode::Chat,
    )
    .unwrap();
    create(AskId(Uuid::from_u128(7)), ASKER, new, at(0)).ask
}

pub(super) fn new_ask() -> Ask {
    new_ask_with(Urgency::Now)
}

pub(super) fn try_apply_with(
    ask: &Ask,
    event: Event,
    secs: i64,
    policy: &RoutingPolicy,
) -> Result<Transition, Refusal> {
    apply(ask, event, at(secs), policy)
}

pub(super) fn ok(ask: &Ask, event: Event, secs: i64) -> Transition {
    let described = format!("{event:?}");
    try_apply_with(ask, event, secs, &RoutingPolicy::default())
        .unwrap_or_else(|refusal| panic!("{described} was refused: {refusal:?}"))
}

pub(super) fn refused(ask: &Ask, event: Event, secs: i64) -> Refusal {
    let described = format!("{event:?}");
    match try_apply_with(ask, event, secs, &RoutingPolicy::default()) {
        Ok(_) => panic!("{described} was applied"),
        Err(refusal) => refusal,
    }
}

pub(super) fn candidates(wave: u32, helpers: &[PersonId]) -> Event {
    Event::Candidates {
        wave,
        candidates: helpers
            .iter()
            .map(|&helper| Candidate {
                helper,
                offer: offer_for(helper),
            })
            .collect(),
    }
}

/// A new ask whose first wave went to `helpers` at second 0.
pub(super) fn routed(helpers: &[PersonId]) -> Ask {
    ok(&new_ask(), candidates(1, helpers), 0).ask
}

/// An ask on the board because nobody was available.
pub(super) fn open_ask() -> Ask {
    ok(&new_ask(), candidates(1, &[]), 0).ask
}

/// An ask ANA took from the first wave at second 30.
pub(super) fn matched_ask() -> Ask {
    ok(&routed(&[ANA, BEN, CAL]), accept(ANA), 30).ask
}

pub(super) fn accept(helper: PersonId) -> Event {
    Event::Accept {
        offer: offer_for(helper),
        by: helper,
    }
}

pub(super) fn decline(helper: PersonId) -> Event {
    Event::Decline {
        offer: offer_for(helper),
        by: helper,
        reason: DeclineReason::Busy,
        note: None,
    }
}

pub(super) fn pass(helper: PersonId) -> Event {
    Event::Pass {
        offer: offer_for(helper),
        by: helper,
    }
}

pub(super) fn refer(helper: PersonId, to: PersonId) -> Event {
    Event::Refer {
        offer: offer_for(helper),
        by: helper,
        to,
        new_offer: offer_for(to),
    }
}

pub(super) fn deadline(helper: PersonId) -> Event {
    Event::Deadline(Timer::Offer(offer_for(helper)))
}

pub(super) fn edit(by: PersonId, text: &str) -> Event {
    Event::Edit {
        by,
        text: AskText::parse(text).unwrap(),
        skills: AskSkills::default(),
    }
}

pub(super) fn offer_state(ask: &Ask, helper: PersonId) -> OfferState {
    ask.offer(offer_for(helper)).unwrap().state.clone()
}

#[test]
fn asks_and_effects_survive_a_json_round_trip() {
    let mut ask = routed(&[ANA, BEN, CAL]);
    ask = ok(&ask, decline(CAL), 5).ask;
    let t = ok(&ask, accept(ANA), 10);
    let json = serde_json::to_string(&t.ask).unwrap();
    assert_eq!(serde_json::from_str::<Ask>(&json).unwrap(), t.ask);
    // The server keeps effects in an outbox row until it has carried them out.
    let json = serde_json::to_string(&t.effects).unwrap();
    assert_eq!(
        serde_json::from_str::<Vec<Effect>>(&json).unwrap(),
        t.effects
    );
    assert!(json.contains(r#""effect":"withdraw_offer""#), "{json}");
}
