//! The directory, and admins managing people.

use axum::Json;
use axum::extract::{Path, State};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use utoipa::IntoParams;

use askaround_core::ids::PersonId;
use askaround_core::person::Profile;
use askaround_store::{PeopleCursor, PeopleQuery};

use super::dto::PeopleList;
use super::query::ApiQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleParams {
    /// Matches name, email, title, team or location.
    pub q: Option<String>,
    /// A skill name, alias or id: people who can help with it or anything under it.
    pub skill: Option<String>,
    pub team: Option<String>,
    /// Admins only: include deactivated people.
    pub include_inactive: Option<bool>,
    /// 1 to 200, default 50.
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// Search the directory by name or skill.
#[utoipa::path(get, path = "/people", tag = "people",
    params(PeopleParams),
    responses((status = 200, body = PeopleList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<PeopleParams>,
) -> ApiResult<Json<PeopleList>> {
    Ok(Json(search(&state, &caller, &params).await?))
}

/// Shared with the directory page.
pub async fn search(
    state: &AppState,
    caller: &Caller,
    params: &PeopleParams,
) -> ApiResult<PeopleList> {
    let skill_ids = match params
        .skill
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(skill) => {
            let taxonomy = state
                .taxonomies
                .get(state.store.as_ref(), caller.org_id)
                .await?;
            let found = taxonomy.resolve_or_explain("skill", skill)?;
            taxonomy.with_descendants(found.id)
        }
        None => Vec::new(),
    };
    let limit = params.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be from 1 to 200"));
    }
    let after = params.cursor.as_deref().map(decode_cursor).transpose()?;
    let page = state
        .store
        .list_people(
            caller.org_id,
            &PeopleQuery {
                text: params.q.clone(),
                skill_ids,
                team: params.team.clone().filter(|t| !t.trim().is_empty()),
                include_inactive: caller.is_admin() && params.include_inactive.unwrap_or(false),
                limit,
                after,
            },
        )
        .await?;
    Ok(PeopleList {
        items: page.items,
        next_cursor: page.next.map(|c| encode_cursor(&c)),
    })
}

fn encode_cursor(cursor: &PeopleCursor) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}\u{1f}{}", cursor.name_key, cursor.id))
}

fn decode_cursor(raw: &str) -> ApiResult<PeopleCursor> {
    let bad = || ApiError::invalid("cursor", "is not a cursor this server gave out");
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (name_key, id) = text.split_once('\u{1f}').ok_or_else(bad)?;
    Ok(PeopleCursor {
        name_key: name_key.to_owned(),
        id: id.parse().map_err(|_| bad())?,
    })
}

/// A colleague's profile. Deactivated people are visible to admins only.
#[utoipa::path(get, path = "/people/{id}", tag = "people",
    params(("id" = String, Path, description = "Person id")),
    responses((status = 200, body = Profile), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Profile>> {
    let id: PersonId = id.parse().map_err(|_| ApiError::NotFound)?;
    let profile = state.store.person(caller.org_id, id).await?;
    if !profile.person.active && !caller.is_admin() {
        return Err(ApiError::NotFound);
    }
    Ok(Json(profile))
}
