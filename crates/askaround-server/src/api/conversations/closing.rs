//! Closing the loop: the learner rates the help, says what they learned and thanks the helper,
//! which resolves the ask; the helper confirms the topics of the session. Both become evidence
//! for routing.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use jiff::Timestamp;
use serde::Deserialize;
use utoipa::ToSchema;

use askaround_core::FieldErrors;
use askaround_core::asks::Event;
use askaround_core::conversation::{Rating, Thanks};
use askaround_store::{Change, NewFeedback, ParticipantRole};

use super::{conversation_id, joined};
use crate::api::json::ApiJson;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::routing::cards::AskView;
use crate::state::AppState;

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
    Ok(Json(crate::api::asks::view(&state, &caller, &ask).await?))
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
