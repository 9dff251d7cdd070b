//! Talking once matched: messages (persisted before they are acknowledged, pushed live), pulling
//! in a colleague, proposing a call or a time slot, closing the loop with feedback, reporting.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use askaround_core::FieldErrors;
use askaround_core::asks::Event;
use askaround_core::conversation::{CallLink, MessageBody, Rating, Slot, SlotRequest, Thanks};
use askaround_core::ids::{ConversationId, MessageId, PersonId};
use askaround_core::text::bounded;
use askaround_store::{
    Change, Conversation, Message, MessageKind, NewEvent, NewFeedback, ParticipantRole,
};

use super::json::ApiJson;
use super::query::ApiQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::routing::cards::{AskCard, AskView, PersonCard};
use crate::state::AppState;

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
fn message_events(c: &Conversation, m: &Message) -> Vec<NewEvent> {
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

async fn post(
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// 1 to 5.
    pub rating: i64,
    /// Skills I learned (names, aliases or ids).
    #[serde(default)]
    pub learned_skills: Vec<String>,
    /// A thank-you note for the helper.
    pub thanks: Option<String>,
}

/// Close the loop (the learner): rate the help, say what you learned, thank the helper. The ask
/// is resolved and the help becomes evidence for routing.
#[utoipa::path(post, path = "/conversations/{id}/close", tag = "conversations",
    params(("id" = String, Path, description = "Conversation id")),
    request_body = CloseRequest,
    responses((status = 200, body = AskView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn close(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CloseRequest>,
) -> ApiResult<Json<AskView>> {
    let c = joined(&state, &caller, conversation_id(&id)?).await?;
    if c.role_of(caller.person_id) != Some(ParticipantRole::Learner) {
        return Err(ApiError::ForbiddenBecause(
            "not_the_learner",
            "only the person who asked closes the conversation".into(),
        ));
    }
    let helper = c
        .participants
        .iter()
        .find(|p| p.role == ParticipantRole::Helper)
        .map(|p| p.person_id)
        .ok_or(ApiError::NotFound)?;
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    let mut errs = FieldErrors::new();
    let rating = errs.check(Rating::parse(body.rating));
    let thanks = errs
        .check(Thanks::parse(body.thanks.as_deref().unwrap_or("")))
        .flatten();
    let learned: Vec<_> = body
        .learned_skills
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            errs.check(taxonomy.resolve_or_explain(&format!("learned_skills.{i}"), s))
                .map(|s| s.id)
        })
        .collect();
    let rating = match rating {
        Some(r) if errs.is_empty() => r,
        _ => return Err(errs.into()),
    };
    let feedback = NewFeedback {
        learner: caller.person_id,
        helper,
        rating: rating.value(),
        thanks: thanks.map(|t| t.0),
        learned,
    };
    let by = caller.person_id;
    let (ask, _) = state
        .routing
        .act(
            caller.org_id,
            c.ask_id,
            |_| Ok(Event::Resolve { by }),
            Some(feedback),
        )
        .await?;
    Ok(Json(super::asks::view(&state, &caller, &ask).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicsRequest {
    /// What the session was about (names, aliases or ids).
    pub topics: Vec<String>,
}

/// The helper confirms the topics of the session (evidence of what they know).
#[utoipa::path(post, path = "/conversations/{id}/topics", tag = "conversations",
    params(("id" = String, Path, description = "Conversation id")),
    request_body = TopicsRequest,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn topics(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TopicsRequest>,
) -> ApiResult<StatusCode> {
    let c = joined(&state, &caller, conversation_id(&id)?).await?;
    if c.role_of(caller.person_id) != Some(ParticipantRole::Helper) {
        return Err(ApiError::ForbiddenBecause(
            "not_the_helper",
            "only the helper confirms the topics".into(),
        ));
    }
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    let mut errs = FieldErrors::new();
    let ids: Vec<_> = body
        .topics
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            errs.check(taxonomy.resolve_or_explain(&format!("topics.{i}"), s))
                .map(|s| s.id)
        })
        .collect();
    if !errs.is_empty() {
        return Err(errs.into());
    }
    state
        .store
        .confirm_topics(caller.org_id, c.ask_id, &ids, Timestamp::now())
        .await?;
    // The session's new topics replace its old ones in the matcher's index, in place. Should
    // reading them back fail, the topics are saved all the same and the next build has them.
    let change = Change::Ask {
        org: caller.org_id,
        ask: c.ask_id,
    };
    if let Err(e) = state.routing.matchers.follow(&change).await {
        tracing::warn!(error = %e, "the matcher could not read the confirmed topics back");
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// What happened (admins see it; 1 to 2,000 characters).
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportReceived {
    pub id: String,
    pub message: &'static str,
}

/// Report a problem (abuse goes to admins).
#[utoipa::path(post, path = "/conversations/{id}/report", tag = "conversations",
    params(("id" = String, Path, description = "Conversation id")),
    request_body = ReportRequest,
    responses((status = 201, body = ReportReceived), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReportRequest>,
) -> ApiResult<(StatusCode, Json<ReportReceived>)> {
    let c = joined(&state, &caller, conversation_id(&id)?).await?;
    let reason = bounded("reason", &body.reason, 1, 2000, true)?;
    let report = state
        .store
        .report(
            caller.org_id,
            c.ask_id,
            caller.person_id,
            &reason,
            Timestamp::now(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ReportReceived {
            id: report.id,
            message: "Thank you. Your admins will look at this.",
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportView {
    pub id: String,
    pub ask_id: askaround_core::ids::AskId,
    pub reporter: PersonCard,
    pub reason: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportList {
    pub items: Vec<ReportView>,
}

/// Problems people reported (admins).
#[utoipa::path(get, path = "/reports", tag = "conversations",
    responses((status = 200, body = ReportList), (status = 403, body = ErrorBody)),
    security(("session" = [])))]
pub async fn reports(
    State(state): State<AppState>,
    crate::auth::Admin(caller): crate::auth::Admin,
) -> ApiResult<Json<ReportList>> {
    let reports = state.store.reports(caller.org_id, 200).await?;
    let mut items = Vec::with_capacity(reports.len());
    for r in reports {
        let reporter = state.store.person(caller.org_id, r.reporter).await?;
        items.push(ReportView {
            id: r.id,
            ask_id: r.ask_id,
            reporter: PersonCard::of(&reporter),
            reason: r.reason,
            created_at: r.created_at,
        });
    }
    Ok(Json(ReportList { items }))
}
