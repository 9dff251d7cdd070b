//! Participants: pulling a colleague into a conversation, which makes it a small group. Everyone
//! already in it sees a system message; the newcomer is told the conversation opened for them.

use axum::Json;
use axum::extract::{Path, State};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use askaround_core::ids::{MessageId, PersonId};
use askaround_store::{Message, MessageKind, NewEvent};

use super::messages::message_events;
use super::{ConversationView, conversation_id, joined, view};
use crate::api::json::ApiJson;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::routing::cards::PersonCard;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddParticipantRequest {
    pub person_id: PersonId,
}

/// Pull in a colleague (many-to-many: a small group).
#[utoipa::path(post, path = "/conversations/{id}/participants", tag = "conversations",
    params(("id" = String, Path, description = "Conversation id")),
    request_body = AddParticipantRequest,
    responses((status = 200, body = ConversationView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn add_participant(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AddParticipantRequest>,
) -> ApiResult<Json<ConversationView>> {
    let c = joined(&state, &caller, conversation_id(&id)?).await?;
    if c.participants.len() >= 8 {
        return Err(ApiError::invalid(
            "person_id",
            "a conversation has at most 8 people",
        ));
    }
    let newcomer = match state.store.person(caller.org_id, body.person_id).await {
        Ok(p) if p.person.active => p,
        _ => {
            return Err(ApiError::invalid(
                "person_id",
                "is not an active colleague in your organisation",
            ));
        }
    };
    let me = state.store.person(caller.org_id, caller.person_id).await?;
    let now = Timestamp::now();
    let message = Message {
        id: MessageId::generate(),
        conversation_id: c.id,
        author_id: None,
        kind: MessageKind::System,
        body: format!("{} added {}", me.person.name, newcomer.person.name),
        data: None,
        created_at: now,
    };
    let mut events = message_events(&c, &message);
    events.push(NewEvent {
        person_id: newcomer.person.id,
        kind: "conversation.opened".to_owned(),
        data: json!({"conversation_id": c.id, "added_by": PersonCard::of(&me)}).to_string(),
    });
    let (_, records) = state
        .store
        .add_participant(
            caller.org_id,
            c.id,
            newcomer.person.id,
            caller.person_id,
            &message,
            &events,
        )
        .await?;
    state.hub.deliver(&records);
    let c = state.store.conversation(caller.org_id, c.id).await?;
    Ok(Json(view(&state, &caller, &c).await?))
}
