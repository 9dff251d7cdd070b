//! Asking for help: create and route, follow, edit, cancel; the board of open asks.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use askaround_core::FieldErrors;
use askaround_core::asks::{Ask, AskSkills, AskText, Event, HelpMode, NewAsk};
use askaround_core::ids::{AskId, SkillId};
use askaround_core::matching::Urgency;
use askaround_core::taxonomy::Taxonomy;
use askaround_store::OpenAsksQuery;

use super::json::ApiJson;
use super::query::ApiQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::routing::cards::AskView;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAskRequest {
    /// What you need help with, in your words (up to 4,000 characters).
    pub text: String,
    /// Skill names, aliases or ids; skills named in the text are found too.
    #[serde(default)]
    pub skills: Vec<String>,
    /// `now` (default), `today` or `week`.
    pub urgency: Option<Urgency>,
    /// `chat` (default), `call` or `in_person`.
    pub mode: Option<HelpMode>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditAskRequest {
    pub text: Option<String>,
    pub skills: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AskList {
    pub items: Vec<AskView>,
}

const IDEMPOTENCY_HEADER: &str = "idempotency-key";

fn resolve_skills(taxonomy: &Taxonomy, names: &[String], errs: &mut FieldErrors) -> Vec<SkillId> {
    names
        .iter()
        .enumerate()
        .filter_map(|(i, name)| {
            errs.check(taxonomy.resolve_or_explain(&format!("skills.{i}"), name))
                .map(|s| s.id)
        })
        .collect()
}

/// Ask for help. Routed at once: offers go to the best available colleagues in waves. Send an
/// `Idempotency-Key` header to make retries safe: the same key returns the same ask.
#[utoipa::path(post, path = "/asks", tag = "asks",
    request_body = NewAskRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Any unique string per ask; a retry with the same key returns the ask already created")),
    responses(
        (status = 201, description = "Created and routing", body = AskView),
        (status = 200, description = "Replayed: this key already created the ask", body = AskView),
        (status = 422, body = ErrorBody),
        (status = 429, description = "Too many asks this hour", body = ErrorBody)),
    security(("session" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewAskRequest>,
) -> ApiResult<Response> {
    let key = match headers.get(IDEMPOTENCY_HEADER) {
        Some(v) => {
            let key = v
                .to_str()
                .map_err(|_| ApiError::invalid("Idempotency-Key", "must be visible ASCII"))?;
            if key.is_empty() || key.len() > 200 {
                return Err(ApiError::invalid(
                    "Idempotency-Key",
                    "must be 1 to 200 characters",
                ));
            }
            Some(key.to_owned())
        }
        None => None,
    };
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    let mut errs = FieldErrors::new();
    let skills = resolve_skills(&taxonomy, &body.skills, &mut errs);
    let new = NewAsk::parse(
        &body.text,
        skills,
        body.urgency.unwrap_or_default(),
        body.mode.unwrap_or_default(),
    );
    let new = match new {
        Ok(new) if errs.is_empty() => new,
        Ok(_) => return Err(errs.into()),
        Err(more) => {
            errs.0.extend(more.0);
            return Err(errs.into());
        }
    };
    // Retries count too; the hourly limit is far above what a person types.
    if let Err(wait) = state.ask_limiter.acquire(&caller.person_id.to_string()) {
        return Err(ApiError::RateLimited {
            retry_after_secs: wait,
        });
    }
    let asker = state.store.person(caller.org_id, caller.person_id).await?;
    let (ask, created) = state
        .routing
        .create(caller.org_id, &asker, new, key.as_deref())
        .await?;
    let view = view(&state, &caller, &ask).await?;
    let mut response = (
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(view),
    )
        .into_response();
    if !created {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// The view of an ask for `caller`, with names and the conversation once matched.
pub async fn view(state: &AppState, caller: &Caller, ask: &Ask) -> ApiResult<AskView> {
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    let asker = state.store.person(caller.org_id, ask.asker).await?;
    let helper = match ask.helper() {
        Some(h) => Some(state.store.person(caller.org_id, h).await?),
        None => None,
    };
    let conversation = match ask.helper() {
        Some(_) => state
            .store
            .conversation_of_ask(caller.org_id, ask.id)
            .await
            .ok()
            .map(|c| c.id),
        None => None,
    };
    Ok(AskView::of(
        ask,
        &asker,
        helper.as_ref(),
        conversation,
        &taxonomy,
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AskListParams {
    /// 1 to 200, default 50.
    pub limit: Option<u32>,
}

/// My asks, newest first.
#[utoipa::path(get, path = "/asks", tag = "asks",
    params(AskListParams),
    responses((status = 200, body = AskList), (status = 401, body = ErrorBody)),
    security(("session" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<AskListParams>,
) -> ApiResult<Json<AskList>> {
    let asks = state
        .store
        .asks_of(caller.org_id, caller.person_id, params.limit.unwrap_or(50))
        .await?;
    let mut items = Vec::with_capacity(asks.len());
    for ask in &asks {
        items.push(view(&state, &caller, ask).await?);
    }
    Ok(Json(AskList { items }))
}

fn ask_id(raw: &str) -> ApiResult<AskId> {
    raw.parse().map_err(|_| ApiError::NotFound)
}

/// Who may look at an ask: its asker, its helper, anyone in a conversation about it, and
/// admins. Everyone else gets 404.
async fn visible(state: &AppState, caller: &Caller, id: AskId) -> ApiResult<Ask> {
    let ask = state.store.ask(caller.org_id, id).await?;
    if ask.asker == caller.person_id
        || ask.helper() == Some(caller.person_id)
        || caller.is_admin()
        || ask.was_offered_to(caller.person_id)
    {
        return Ok(ask);
    }
    match state.store.conversation_of_ask(caller.org_id, id).await {
        Ok(c) if c.includes(caller.person_id) => Ok(ask),
        _ => {
            // Open asks are public within the organisation: that is what the board is for.
            if matches!(ask.state, askaround_core::asks::AskState::Open { .. }) {
                Ok(ask)
            } else {
                Err(ApiError::NotFound)
            }
        }
    }
}

/// One ask: its state, waves, people interrupted, helper and conversation.
#[utoipa::path(get, path = "/asks/{id}", tag = "asks",
    params(("id" = String, Path, description = "Ask id")),
    responses((status = 200, body = AskView), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<AskView>> {
    let ask = visible(&state, &caller, ask_id(&id)?).await?;
    Ok(Json(view(&state, &caller, &ask).await?))
}

/// Change the text or skills (the asker, before a match). Pending offers show the new text.
#[utoipa::path(patch, path = "/asks/{id}", tag = "asks",
    params(("id" = String, Path, description = "Ask id")),
    request_body = EditAskRequest,
    responses((status = 200, body = AskView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn edit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EditAskRequest>,
) -> ApiResult<Json<AskView>> {
    let id = ask_id(&id)?;
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    let mut errs = FieldErrors::new();
    let text = body
        .text
        .as_deref()
        .and_then(|t| errs.check(AskText::parse(t)));
    let skills = body
        .skills
        .as_deref()
        .map(|names| resolve_skills(&taxonomy, names, &mut errs))
        .and_then(|ids| errs.check(AskSkills::parse(ids)));
    if !errs.is_empty() {
        return Err(errs.into());
    }
    let by = caller.person_id;
    let (ask, _) = state
        .routing
        .act(
            caller.org_id,
            id,
            |current| {
                Ok(Event::Edit {
                    by,
                    text: text.clone().unwrap_or_else(|| current.text.clone()),
                    skills: skills.clone().unwrap_or_else(|| current.skills.clone()),
                })
            },
            None,
        )
        .await?;
    Ok(Json(view(&state, &caller, &ask).await?))
}

/// Cancel my ask: pending offers are withdrawn live; a helper already on it is told.
#[utoipa::path(post, path = "/asks/{id}/cancel", tag = "asks",
    params(("id" = String, Path, description = "Ask id")),
    responses((status = 200, body = AskView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 410, body = ErrorBody)),
    security(("session" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<AskView>> {
    let by = caller.person_id;
    let (ask, _) = state
        .routing
        .act(
            caller.org_id,
            ask_id(&id)?,
            |_| Ok(Event::Cancel { by }),
            None,
        )
        .await?;
    Ok(Json(view(&state, &caller, &ask).await?))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardParams {
    /// A skill name, alias or id; without it, the skills I can help with.
    pub skill: Option<String>,
    /// Every open ask, whatever the skill.
    pub all: Option<bool>,
    /// 1 to 200, default 50.
    pub limit: Option<u32>,
}

/// The board of asks nobody could take yet, by default those about skills I can help with.
#[utoipa::path(get, path = "/asks/open", tag = "asks",
    params(BoardParams),
    responses((status = 200, body = AskList), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn board(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<BoardParams>,
) -> ApiResult<Json<AskList>> {
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    let skills = if params.all.unwrap_or(false) {
        Vec::new()
    } else if let Some(skill) = params.skill.as_deref().filter(|s| !s.trim().is_empty()) {
        taxonomy.with_descendants(taxonomy.resolve_or_explain("skill", skill)?.id)
    } else {
        let me = state.store.person(caller.org_id, caller.person_id).await?;
        me.skills
            .iter()
            .flat_map(|s| taxonomy.with_descendants(s.skill_id))
            .collect()
    };
    let query = OpenAsksQuery {
        skills,
        limit: params.limit.unwrap_or(50),
    };
    // Nothing declared and no filter asked for: show everything rather than nothing.
    let query = if query.skills.is_empty() || params.all.unwrap_or(false) {
        OpenAsksQuery {
            skills: Vec::new(),
            ..query
        }
    } else {
        query
    };
    let asks = state.store.open_asks(caller.org_id, &query).await?;
    let mut items = Vec::with_capacity(asks.len());
    for ask in asks.iter().filter(|a| a.asker != caller.person_id) {
        items.push(view(&state, &caller, ask).await?);
    }
    Ok(Json(AskList { items }))
}

/// Pick up an open ask from the board: you become its helper and the conversation opens.
#[utoipa::path(post, path = "/asks/{id}/claim", tag = "asks",
    params(("id" = String, Path, description = "Ask id")),
    responses((status = 200, body = AskView), (status = 404, body = ErrorBody), (status = 409, description = "Someone else took it", body = ErrorBody)),
    security(("session" = [])))]
pub async fn claim(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<AskView>> {
    let by = caller.person_id;
    let id = ask_id(&id)?;
    // Only asks on the board (or visible to the caller) can be claimed; others look absent.
    visible(&state, &caller, id).await?;
    let (ask, _) = state
        .routing
        .act(caller.org_id, id, |_| Ok(Event::Claim { by }), None)
        .await?;
    Ok(Json(view(&state, &caller, &ask).await?))
}
