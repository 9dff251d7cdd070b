//! Talking once matched: messages (persisted before they are acknowledged, pushed live), pulling
//! in a colleague, proposing a call or a time slot, closing the loop with feedback, reporting.
//!
//! This module holds the views every part shares (a conversation, its participants, a message),
//! the helpers that find a conversation the caller is in, and the two handlers that list and show
//! conversations. Each other job lives in its own file and is re-exported here, so every handler
//! keeps its `api::conversations::…` path (with utoipa's `__path_…` struct beside it).

mod closing;
mod meeting;
mod messages;
mod participants;
mod reports;

use axum::Json;
use axum::extract::{Path, State};
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use askaround_core::ids::{ConversationId, MessageId, PersonId};
use askaround_store::{Conversation, Message};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::routing::cards::{AskCard, PersonCard};
use crate::state::AppState;

pub use closing::*;
pub use meeting::*;
pub use messages::*;
pub use participants::*;
pub use reports::*;

#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantView {
    pub person: PersonCard,
    /// `learner`, `helper` or `guest`.
    pub role: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationView {
    pub id: ConversationId,
    pub ask: AskCard,
    pub participants: Vec<ParticipantView>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<Timestamp>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub author: Option<PersonId>,
    /// `text`, `call`, `slot` or `system`.
    pub kind: &'static str,
    pub body: String,
    /// For `call`: `{"meeting_url"}`; for `slot`: `{"start", "end", "title", "ics_url"}`.
    #[schema(value_type = Object)]
    pub data: Option<serde_json::Value>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl MessageView {
    fn of(m: &Message) -> Self {
        Self {
            id: m.id,
            conversation_id: m.conversation_id,
            author: m.author_id,
            kind: m.kind.as_str(),
            body: m.body.clone(),
            data: m.data.as_deref().and_then(|d| serde_json::from_str(d).ok()),
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessagePage {
    /// Newest first.
    pub items: Vec<MessageView>,
    /// Pass as `before` for older messages; absent when there are none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_before: Option<MessageId>,
}

fn conversation_id(raw: &str) -> ApiResult<ConversationId> {
    raw.parse().map_err(|_| ApiError::NotFound)
}

/// The conversation, if the caller is in it; otherwise it does not exist for them.
async fn joined(state: &AppState, caller: &Caller, id: ConversationId) -> ApiResult<Conversation> {
    let conversation = state.store.conversation(caller.org_id, id).await?;
    if conversation.includes(caller.person_id) {
        Ok(conversation)
    } else {
        Err(ApiError::NotFound)
    }
}

async fn view(state: &AppState, caller: &Caller, c: &Conversation) -> ApiResult<ConversationView> {
    let ask = state.store.ask(caller.org_id, c.ask_id).await?;
    let asker = state.store.person(caller.org_id, ask.asker).await?;
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    let mut participants = Vec::with_capacity(c.participants.len());
    for p in &c.participants {
        let profile = state.store.person(caller.org_id, p.person_id).await?;
        participants.push(ParticipantView {
            person: PersonCard::of(&profile),
            role: p.role.as_str(),
        });
    }
    Ok(ConversationView {
        id: c.id,
        ask: AskCard::of(&ask, &asker, &taxonomy),
        participants,
        created_at: c.created_at,
        closed_at: c.closed_at,
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationList {
    pub items: Vec<ConversationView>,
}

/// My conversations, newest first.
#[utoipa::path(get, path = "/conversations", tag = "conversations",
    responses((status = 200, body = ConversationList)),
    security(("session" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<ConversationList>> {
    let conversations = state
        .store
        .conversations_of(caller.org_id, caller.person_id, 50)
        .await?;
    let mut items = Vec::with_capacity(conversations.len());
    for c in &conversations {
        items.push(view(&state, &caller, c).await?);
    }
    Ok(Json(ConversationList { items }))
}

/// A conversation: the ask and who is in it.
#[utoipa::path(get, path = "/conversations/{id}", tag = "conversations",
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = ConversationView), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ConversationView>> {
    let c = joined(&state, &caller, conversation_id(&id)?).await?;
    Ok(Json(view(&state, &caller, &c).await?))
}
