//! Messages: the history of a conversation, paged newest first, and sending one. A message is
//! stored before it is acknowledged, then pushed live to everyone in the conversation; the
//! helpers here that post a message and build its live events serve the other files too.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use askaround_core::conversation::MessageBody;
use askaround_core::ids::MessageId;
use askaround_store::{Conversation, Message, MessageKind, NewEvent};

use super::{MessagePage, MessageView, conversation_id, joined};
use crate::api::json::ApiJson;
use crate::api::query::ApiQuery;
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// A message id: only older messages.
    pub before: Option<MessageId>,
    /// 1 to 200, default 50.
    pub limit: Option<u32>,
}

/// History, newest first, paged with `before`.
#[utoipa::path(get, path = "/conversations/{id}/messages", tag = "conversations",
    params(("id" = String, Path, description = "Conversation id"), HistoryParams),
    responses((status = 200, body = MessagePage), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<HistoryParams>,
) -> ApiResult<Json<MessagePage>> {
    let c = joined(&state, &caller, conversation_id(&id)?).await?;
    let limit = params.limit.unwrap_or(50).clamp(1, 200);
    let messages = state
        .store
        .messages(caller.org_id, c.id, params.before, limit)
        .await?;
    let next_before = (messages.len() as u32 == limit)
        .then(|| messages.last().map(|m| m.id))
        .flatten();
    Ok(Json(MessagePage {
        items: messages.iter().map(MessageView::of).collect(),
        next_before,
    }))
}

/// Every participant gets the message live (the author too, for their other devices).
pub(super) fn message_events(c: &Conversation, m: &Message) -> Vec<NewEvent> {
    let data = json!({"conversation_id": c.id, "message": MessageView::of(m)}).to_string();
    c.participants
        .iter()
        .map(|p| NewEvent {
            person_id: p.person_id,
            kind: "message.created".to_owned(),
            data: data.clone(),
        })
        .collect()
}

pub(super) async fn post(
    state: &AppState,
    caller: &Caller,
    c: &Conversation,
    kind: MessageKind,
    body: String,
    data: Option<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<MessageView>)> {
    let message = Message {
        id: MessageId::generate(),
        conversation_id: c.id,
        author_id: Some(caller.person_id),
        kind,
        body,
        data: data.map(|d| d.to_string()),
        created_at: Timestamp::now(),
    };
    let records = state
        .store
        .post_message(caller.org_id, &message, &message_events(c, &message))
        .await?;
    state.hub.deliver(&records);
    Ok((StatusCode::CREATED, Json(MessageView::of(&message))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessageRequest {
    /// Up to 16 KiB.
    pub body: String,
}

/// Send a message. It is stored before the 201, then pushed to everyone in the conversation.
#[utoipa::path(post, path = "/conversations/{id}/messages", tag = "conversations",
    params(("id" = String, Path, description = "Conversation id")),
    request_body = NewMessageRequest,
    responses((status = 201, body = MessageView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn send(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewMessageRequest>,
) -> ApiResult<(StatusCode, Json<MessageView>)> {
    let c = joined(&state, &caller, conversation_id(&id)?).await?;
    let text = MessageBody::parse(&body.body)?;
    post(
        &state,
        &caller,
        &c,
        MessageKind::Text,
        text.as_str().to_owned(),
        None,
    )
    .await
}
