//! Answering offers: accept (exactly one helper wins), decline with a reason, pass, refer.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use askaround_core::FieldErrors;
use askaround_core::asks::{DeclineNote, DeclineReason, Event};
use askaround_core::ids::{ConversationId, OfferId, PersonId};

use super::json::ApiJson;
use super::query::ApiQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::routing::cards::{AskCard, AskView};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct OfferCard {
    pub offer_id: OfferId,
    /// `pending`, `accepted`, `declined`, `passed`, `referred`, `expired` or `withdrawn`.
    pub state: String,
    /// Why you were picked: "helped 6 people with Excel, rated 4.8 · online · 14:10 in Lisbon".
    pub why: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub sent_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: jiff::Timestamp,
    pub ask: AskCard,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OfferList {
    pub items: Vec<OfferCard>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfferParams {
    /// `pending` (default) or `all`.
    pub state: Option<String>,
    pub limit: Option<u32>,
}

/// My offers (pending ones by default), newest first.
#[utoipa::path(get, path = "/offers", tag = "offers",
    params(OfferParams),
    responses((status = 200, body = OfferList), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<OfferParams>,
) -> ApiResult<Json<OfferList>> {
    let pending_only = match params.state.as_deref() {
        None | Some("pending") => true,
        Some("all") => false,
        Some(other) => {
            return Err(ApiError::invalid(
                "state",
                format!("'{other}' is not pending or all"),
            ));
        }
    };
    let offers = state
        .store
        .offers_for(
            caller.org_id,
            caller.person_id,
            pending_only,
            params.limit.unwrap_or(50),
        )
        .await?;
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    let mut items = Vec::with_capacity(offers.len());
    for offer in offers {
        let ask = state.store.ask(caller.org_id, offer.ask).await?;
        let asker = state.store.person(caller.org_id, ask.asker).await?;
        items.push(OfferCard {
            offer_id: offer.offer,
            state: offer.state,
            why: offer.why,
            sent_at: offer.sent_at,
            expires_at: offer.expires_at,
            ask: AskCard::of(&ask, &asker, &taxonomy),
        });
    }
    Ok(Json(OfferList { items }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    pub ask: AskView,
    pub conversation_id: Option<ConversationId>,
}

fn offer_id(raw: &str) -> ApiResult<OfferId> {
    raw.parse().map_err(|_| ApiError::NotFound)
}

/// Take the ask. Exactly one helper wins: the others' offers are withdrawn live, and a late
/// accepter is told kindly that someone else took it (409 `already_taken`).
#[utoipa::path(post, path = "/offers/{id}/accept", tag = "offers",
    params(("id" = String, Path, description = "Offer id")),
    responses(
        (status = 200, body = Accepted),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Someone else took it", body = ErrorBody),
        (status = 410, description = "The offer expired or the ask was cancelled", body = ErrorBody)),
    security(("session" = [])))]
pub async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Accepted>> {
    let (offer, by) = (offer_id(&id)?, caller.person_id);
    let ask = state.store.ask_of_offer(caller.org_id, offer).await?;
    let (ask, conversation_id) = state
        .routing
        .act(
            caller.org_id,
            ask.id,
            |_| Ok(Event::Accept { offer, by }),
            None,
        )
        .await?;
    metrics::counter!("askaround_offers_accepted_total").increment(1);
    Ok(Json(Accepted {
        ask: super::asks::view(&state, &caller, &ask).await?,
        conversation_id,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineRequest {
    /// `busy`, `not_my_area`, `no_time_today` or `other`.
    pub reason: String,
    /// Optional words for the record (never shown to the asker).
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Answered {
    pub offer_id: OfferId,
    pub state: String,
}

async fn answer(
    state: &AppState,
    caller: &Caller,
    offer: OfferId,
    event: Event,
) -> ApiResult<Json<Answered>> {
    let ask = state.store.ask_of_offer(caller.org_id, offer).await?;
    let (ask, _) = state
        .routing
        .act(caller.org_id, ask.id, |_| Ok(event.clone()), None)
        .await?;
    let now = ask.offer(offer).map_or("", |o| o.state.name());
    Ok(Json(Answered {
        offer_id: offer,
        state: now.to_owned(),
    }))
}

/// Decline with a reason (it helps routing: "not my area" teaches the matcher).
#[utoipa::path(post, path = "/offers/{id}/decline", tag = "offers",
    params(("id" = String, Path, description = "Offer id")),
    request_body = DeclineRequest,
    responses((status = 200, body = Answered), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn decline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DeclineRequest>,
) -> ApiResult<Json<Answered>> {
    let mut errs = FieldErrors::new();
    let reason = errs.check(body.reason.parse::<DeclineReason>());
    let note = errs
        .check(DeclineNote::parse(body.note.as_deref().unwrap_or("")))
        .flatten();
    let reason = match reason {
        Some(r) if errs.is_empty() => r,
        _ => return Err(errs.into()),
    };
    let offer = offer_id(&id)?;
    answer(
        &state,
        &caller,
        offer,
        Event::Decline {
            offer,
            by: caller.person_id,
            reason,
            note,
        },
    )
    .await
}

/// Pass without a reason.
#[utoipa::path(post, path = "/offers/{id}/pass", tag = "offers",
    params(("id" = String, Path, description = "Offer id")),
    responses((status = 200, body = Answered), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("session" = [])))]
pub async fn pass(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Answered>> {
    let offer = offer_id(&id)?;
    answer(
        &state,
        &caller,
        offer,
        Event::Pass {
            offer,
            by: caller.person_id,
        },
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferRequest {
    /// The colleague who could help instead.
    pub person_id: PersonId,
}

/// Suggest a colleague: they get an offer of their own.
#[utoipa::path(post, path = "/offers/{id}/refer", tag = "offers",
    params(("id" = String, Path, description = "Offer id")),
    request_body = ReferRequest,
    responses((status = 200, body = Answered), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn refer(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReferRequest>,
) -> ApiResult<Json<Answered>> {
    let colleague = match state.store.person(caller.org_id, body.person_id).await {
        Ok(p) if p.person.active => p,
        _ => {
            return Err(ApiError::invalid(
                "person_id",
                "is not an active colleague in your organisation",
            ));
        }
    };
    let offer = offer_id(&id)?;
    let event = Event::Refer {
        offer,
        by: caller.person_id,
        to: colleague.person.id,
        new_offer: OfferId::generate(),
    };
    answer(&state, &caller, offer, event).await
}
