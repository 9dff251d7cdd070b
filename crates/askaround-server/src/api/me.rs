//! The signed-in person's own profile.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::Timestamp;

use askaround_core::FieldErrors;
use askaround_core::person::check_password;

use super::dto::{
    GoalsRequest, MeResponse, PasswordChangeRequest, ProfilePatchRequest, SkillsRequest,
    resolve_goals, resolve_skills,
};
use super::json::ApiJson;
use crate::auth::signin::verify_current_password;
use crate::auth::{Caller, password};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

/// My profile, with skills I can help with and skills I am learning.
#[utoipa::path(get, path = "/me", tag = "me",
    responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody)),
    security(("session" = [])))]
pub async fn get_me(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<MeResponse>> {
    let profile = state.store.person(caller.org_id, caller.person_id).await?;
    Ok(Json(MeResponse {
        profile,
        csrf_token: caller.csrf_token,
    }))
}

/// Change my profile: hours, time zone, languages, budget, bio... Absent fields stay as they are;
/// `null` clears an optional one.
#[utoipa::path(patch, path = "/me", tag = "me",
    request_body = ProfilePatchRequest,
    responses((status = 200, body = MeResponse), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn patch_me(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ProfilePatchRequest>,
) -> ApiResult<Json<MeResponse>> {
    let mut errs = FieldErrors::new();
    let patch = body.validate(&mut errs);
    let patch = errs.into_result(|| patch)?;
    let profile = state
        .store
        .update_person(caller.org_id, caller.person_id, &patch, Timestamp::now())
        .await?;
    state.routing.matchers.person_changed(&profile).await;
    Ok(Json(MeResponse {
        profile,
        csrf_token: caller.csrf_token,
    }))
}

/// Replace the skills I can help with (names, aliases or ids, with a level).
#[utoipa::path(put, path = "/me/skills", tag = "me",
    request_body = SkillsRequest,
    responses((status = 200, body = MeResponse), (status = 422, description = "An unknown skill, with a suggestion", body = ErrorBody)),
    security(("session" = [])))]
pub async fn put_skills(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<SkillsRequest>,
) -> ApiResult<Json<MeResponse>> {
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    let skills = resolve_skills(&taxonomy, &body.skills)?;
    let profile = state
        .store
        .set_person_skills(caller.org_id, caller.person_id, &skills, Timestamp::now())
        .await?;
    state.routing.matchers.person_changed(&profile).await;
    Ok(Json(MeResponse {
        profile,
        csrf_token: caller.csrf_token,
    }))
}

/// Replace the skills I want to learn.
#[utoipa::path(put, path = "/me/goals", tag = "me",
    request_body = GoalsRequest,
    responses((status = 200, body = MeResponse), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn put_goals(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<GoalsRequest>,
) -> ApiResult<Json<MeResponse>> {
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    let goals = resolve_goals(&taxonomy, &body.goals)?;
    let profile = state
        .store
        .set_person_goals(caller.org_id, caller.person_id, &goals, Timestamp::now())
        .await?;
    Ok(Json(MeResponse {
        profile,
        csrf_token: caller.csrf_token,
    }))
}

/// Change my password. Other sessions are signed out; this one stays.
#[utoipa::path(put, path = "/me/password", tag = "me",
    request_body = PasswordChangeRequest,
    responses((status = 204), (status = 422, description = "Wrong current password or weak new one", body = ErrorBody)),
    security(("session" = [])))]
pub async fn put_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<PasswordChangeRequest>,
) -> ApiResult<StatusCode> {
    change_password(&state, &caller, &body.current_password, &body.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Shared with the web form.
pub async fn change_password(
    state: &AppState,
    caller: &Caller,
    current: &str,
    new: &str,
) -> ApiResult<()> {
    check_password(new).map_err(|e| ApiError::invalid("new_password", e.message))?;
    let profile = state.store.person(caller.org_id, caller.person_id).await?;
    if !verify_current_password(state, &profile.person.email, current).await? {
        return Err(ApiError::invalid(
            "current_password",
            "is not your current password",
        ));
    }
    let hash = password::hash(new.to_owned()).await?;
    state
        .store
        .change_password(
            caller.org_id,
            caller.person_id,
            &hash,
            Some(&caller.token_hash),
        )
        .await?;
    Ok(())
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PresenceRequest {
    /// `auto` (online while the app is open), `online`, `away` or `dnd`.
    pub status: String,
}

/// Set my presence. Do-not-disturb stops offers; choosing any presence ends an auto-snooze.
#[utoipa::path(put, path = "/me/presence", tag = "me",
    request_body = PresenceRequest,
    responses((status = 200, body = MeResponse), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn put_presence(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<PresenceRequest>,
) -> ApiResult<Json<MeResponse>> {
    let presence: askaround_core::presence::PresenceSetting = body.status.parse()?;
    let profile = state
        .store
        .set_presence(caller.org_id, caller.person_id, presence, Timestamp::now())
        .await?;
    state.routing.matchers.person_changed(&profile).await;
    Ok(Json(MeResponse {
        profile,
        csrf_token: caller.csrf_token,
    }))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutOfOfficeRequest {
    #[schema(value_type = String, format = DateTime)]
    pub from: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub until: jiff::Timestamp,
}

/// Set my out-of-office period (no offers while away).
#[utoipa::path(put, path = "/me/out-of-office", tag = "me",
    request_body = OutOfOfficeRequest,
    responses((status = 200, body = MeResponse), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn put_out_of_office(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<OutOfOfficeRequest>,
) -> ApiResult<Json<MeResponse>> {
    let period = askaround_core::presence::OutOfOffice::new(body.from, body.until)?;
    let profile = state
        .store
        .set_out_of_office(
            caller.org_id,
            caller.person_id,
            Some(period),
            Timestamp::now(),
        )
        .await?;
    state.routing.matchers.person_changed(&profile).await;
    Ok(Json(MeResponse {
        profile,
        csrf_token: caller.csrf_token,
    }))
}

/// Clear my out-of-office period.
#[utoipa::path(delete, path = "/me/out-of-office", tag = "me",
    responses((status = 200, body = MeResponse)),
    security(("session" = [])))]
pub async fn delete_out_of_office(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<MeResponse>> {
    let profile = state
        .store
        .set_out_of_office(caller.org_id, caller.person_id, None, Timestamp::now())
        .await?;
    state.routing.matchers.person_changed(&profile).await;
    Ok(Json(MeResponse {
        profile,
        csrf_token: caller.csrf_token,
    }))
}
