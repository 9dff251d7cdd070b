//! Meeting: proposing a call with a meeting link, or a time slot that everyone in the
//! conversation can add to their calendar from its iCalendar file.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use askaround_core::conversation::{CallLink, Slot, SlotRequest};
use askaround_core::ids::MessageId;
use askaround_store::{Message, MessageKind};

use super::messages::{message_events, post};
use super::{MessageView, conversation_id, joined};
use crate::api::json::ApiJson;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallRequest {
    /// An https meeting link.
    pub meeting_url: String,
}

/// Propose a call with a meeting link.
#[utoipa::path(post, path = "/conversations/{id}/call", tag = "conversations",
    params(("id" = String, Path, description = "Conversation id")),
    request_body = CallRequest,
    responses((status = 201, body = MessageView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn call(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CallRequest>,
) -> ApiResult<(StatusCode, Json<MessageView>)> {
    let c = joined(&state, &caller, conversation_id(&id)?).await?;
    let link = CallLink::parse(&body.meeting_url)?;
    let text = format!("Let's talk: {}", link.as_str());
    post(
        &state,
        &caller,
        &c,
        MessageKind::Call,
        text,
        Some(json!({"meeting_url": link.as_str()})),
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlotRequestBody {
    #[schema(value_type = String, format = DateTime)]
    pub start: Timestamp,
    /// 5 to 240.
    pub minutes: u16,
    pub title: Option<String>,
}

/// Propose a time slot; everyone can add it to their calendar from `ics_url`.
#[utoipa::path(post, path = "/conversations/{id}/slot", tag = "conversations",
    params(("id" = String, Path, description = "Conversation id")),
    request_body = SlotRequestBody,
    responses((status = 201, body = MessageView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn slot(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SlotRequestBody>,
) -> ApiResult<(StatusCode, Json<MessageView>)> {
    let c = joined(&state, &caller, conversation_id(&id)?).await?;
    let request = SlotRequest {
        start: body.start,
        minutes: body.minutes,
        title: body.title.clone(),
    };
    request.validate(Timestamp::now())?;
    let message_id = MessageId::generate();
    let title = body.title.unwrap_or_else(|| "askaround session".to_owned());
    let data = json!({
        "start": request.start, "end": request.end(), "minutes": request.minutes, "title": title,
        "ics_url": format!("/api/v1/conversations/{}/slots/{message_id}.ics", c.id),
    });
    let text = format!("How about {} ({} minutes)?", request.start, request.minutes);
    let message = Message {
        id: message_id,
        conversation_id: c.id,
        author_id: Some(caller.person_id),
        kind: MessageKind::Slot,
        body: text,
        data: Some(data.to_string()),
        created_at: Timestamp::now(),
    };
    let records = state
        .store
        .post_message(caller.org_id, &message, &message_events(&c, &message))
        .await?;
    state.hub.deliver(&records);
    Ok((StatusCode::CREATED, Json(MessageView::of(&message))))
}

/// The proposed slot as an iCalendar file (RFC 5545).
#[utoipa::path(get, path = "/conversations/{id}/slots/{message}", tag = "conversations",
    params(("id" = String, Path, description = "Conversation id"), ("message" = String, Path, description = "The slot message id, with `.ics`")),
    responses((status = 200, description = "text/calendar", content_type = "text/calendar", body = String), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub async fn slot_ics(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, message)): Path<(String, String)>,
) -> ApiResult<Response> {
    let c = joined(&state, &caller, conversation_id(&id)?).await?;
    let message_id: MessageId = message
        .trim_end_matches(".ics")
        .parse()
        .map_err(|_| ApiError::NotFound)?;
    let found = state.store.message(caller.org_id, message_id).await?;
    if found.conversation_id != c.id || found.kind != MessageKind::Slot {
        return Err(ApiError::NotFound);
    }
    let data: serde_json::Value = found
        .data
        .as_deref()
        .and_then(|d| serde_json::from_str(d).ok())
        .ok_or(ApiError::NotFound)?;
    let parse = |key: &str| data[key].as_str().and_then(|s| s.parse::<Timestamp>().ok());
    let (Some(start), Some(end)) = (parse("start"), parse("end")) else {
        return Err(ApiError::NotFound);
    };
    let ask = state.store.ask(caller.org_id, c.ask_id).await?;
    let mut emails = Vec::new();
    for p in &c.participants {
        emails.push(
            state
                .store
                .person(caller.org_id, p.person_id)
                .await?
                .person
                .email
                .to_string(),
        );
    }
    let organizer = match found.author_id {
        Some(author) => state
            .store
            .person(caller.org_id, author)
            .await?
            .person
            .email
            .to_string(),
        None => emails.first().cloned().unwrap_or_default(),
    };
    let slot = Slot {
        uid: format!("{message_id}@askaround"),
        start,
        end,
        summary: data["title"]
            .as_str()
            .unwrap_or("askaround session")
            .to_owned(),
        description: ask.text.as_str().to_owned(),
        attendees: emails.into_iter().filter(|e| *e != organizer).collect(),
        organizer,
        url: None,
    };
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"askaround-{message_id}.ics\""),
            ),
        ],
        slot.to_ics(Timestamp::now()),
    )
        .into_response())
}
