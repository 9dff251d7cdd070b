//! Turns a transition's effects into what the store writes with it: timers, matcher jobs, the
//! conversation on a match, and the live events people see.

use std::collections::HashMap;

use serde_json::{Value, json};

use askaround_core::asks::{
    AskerNotice, Effect, HelperNotice, OpenReason, Response, Transition, Withdrawal,
};
use askaround_core::ids::{ConversationId, OfferId, PersonId};
use askaround_store::{NewConversation, NewEvent, NewFeedback, Outbox};

use super::cards::{AskCard, PersonCard};

/// Facts about the ask that effects refer to but do not carry.
pub struct Context<'a> {
    pub card: &'a AskCard,
    /// Names of the people the effects mention (helpers, referrers).
    pub people: &'a HashMap<PersonId, PersonCard>,
    /// Why each newly offered helper was picked.
    pub reasons: &'a HashMap<OfferId, String>,
    /// The honest sentence for the learner when the ask goes to the board.
    pub board_message: Option<String>,
    pub snooze_after: u32,
    pub done_job: Option<i64>,
    pub feedback: Option<NewFeedback>,
}

pub fn event(person: PersonId, kind: &str, data: Value) -> NewEvent {
    NewEvent {
        person_id: person,
        kind: kind.to_owned(),
        data: data.to_string(),
    }
}

fn withdrawal(why: Withdrawal) -> &'static str {
    match why {
        Withdrawal::SomeoneElseAccepted => "someone_else_accepted",
        Withdrawal::AskCancelled => "ask_cancelled",
    }
}

/// Returns the outbox, and the conversation opened by a match (if any).
pub fn build(ctx: Context<'_>, transition: &Transition) -> (Outbox, Option<ConversationId>) {
    let ask = &transition.ask;
    let asker = ask.asker;
    let card = ctx.card;
    let mut outbox = Outbox {
        snooze_after: ctx.snooze_after,
        done_job: ctx.done_job,
        feedback: ctx.feedback.clone(),
        ..Outbox::default()
    };
    let conversation = transition
        .effects
        .iter()
        .any(|e| matches!(e, Effect::OpenConversation { .. }))
        .then(ConversationId::generate);
    for effect in &transition.effects {
        match effect {
            Effect::FindCandidates { wave, .. } => outbox.find_candidates = Some(*wave),
            Effect::SendOffer {
                offer,
                helper,
                expires_at,
            } => {
                let why = ctx.reasons.get(offer).cloned();
                let referred_by = ask
                    .offer(*offer)
                    .and_then(|o| o.referred_by)
                    .and_then(|r| ctx.people.get(&r))
                    .map(|p| p.name.clone());
                let why = why.or_else(|| {
                    referred_by
                        .as_ref()
                        .map(|name| format!("{name} thought you could help"))
                });
                if let Some(why) = &why {
                    outbox.offer_reasons.push((*offer, why.clone()));
                }
                outbox.events.push(event(
                    *helper,
                    "offer.received",
                    json!({"offer_id": offer, "ask": card, "expires_at": expires_at, "why": why, "referred_by": referred_by}),
                ));
            }
            Effect::RefreshOffer { offer, helper } => {
                outbox.events.push(event(
                    *helper,
                    "offer.updated",
                    json!({"offer_id": offer, "ask": card}),
                ));
            }
            Effect::WithdrawOffer { offer, helper, why } => {
                outbox.events.push(event(
                    *helper,
                    "offer.withdrawn",
                    json!({"offer_id": offer, "ask_id": ask.id, "why": withdrawal(*why)}),
                ));
            }
            Effect::OfferExpired { offer, helper } => {
                outbox.events.push(event(
                    *helper,
                    "offer.expired",
                    json!({"offer_id": offer, "ask_id": ask.id}),
                ));
            }
            Effect::Schedule { timer, due_at } => outbox.schedule.push((*timer, *due_at)),
            Effect::Unschedule { timer } => outbox.unschedule.push(*timer),
            Effect::OpenConversation { helper } => {
                if let Some(id) = conversation {
                    outbox.open_conversation = Some(NewConversation {
                        id,
                        learner: asker,
                        helper: *helper,
                    });
                    outbox.events.push(event(
                        *helper,
                        "conversation.opened",
                        json!({"conversation_id": id, "ask": card}),
                    ));
                }
            }
            Effect::NotifyAsker { notice } => {
                outbox
                    .events
                    .push(asker_event(asker, ask.id, *notice, &ctx, conversation))
            }
            Effect::NotifyHelper { helper, notice } => {
                let kind = match notice {
                    HelperNotice::AskCancelled => "ask.cancelled",
                    HelperNotice::AskResolved => "ask.resolved",
                };
                outbox.events.push(event(
                    *helper,
                    kind,
                    json!({"ask_id": ask.id, "conversation_id": conversation}),
                ));
            }
            Effect::RecordResponse { helper, response } => {
                outbox
                    .responses
                    .push((*helper, matches!(response, Response::Ignored)));
            }
        }
    }
    (outbox, conversation)
}

fn asker_event(
    asker: PersonId,
    ask: askaround_core::ids::AskId,
    notice: AskerNotice,
    ctx: &Context<'_>,
    conversation: Option<ConversationId>,
) -> NewEvent {
    match notice {
        AskerNotice::WaveSent { wave, helpers } => event(
            asker,
            "ask.routing",
            json!({"ask_id": ask, "wave": wave, "asked": helpers,
                   "message": format!("Asking {helpers} colleague{} who can help…", if helpers == 1 { "" } else { "s" })}),
        ),
        AskerNotice::Matched { helper } => {
            let name = ctx.people.get(&helper).map(|p| p.name.clone());
            event(
                asker,
                "ask.matched",
                json!({"ask_id": ask, "helper": ctx.people.get(&helper), "conversation_id": conversation,
                       "message": format!("{} will help you", name.unwrap_or_else(|| "A colleague".to_owned()))}),
            )
        }
        AskerNotice::OnBoard { why } => event(
            asker,
            "ask.open",
            json!({"ask_id": ask,
                   "why": match why { OpenReason::NobodyAvailable => "nobody_available", OpenReason::WavesExhausted => "waves_exhausted" },
                   "message": ctx.board_message}),
        ),
        AskerNotice::Expired => event(
            asker,
            "ask.expired",
            json!({"ask_id": ask, "message": "Nobody took this ask in time. Try rephrasing it or asking again later."}),
        ),
    }
}
