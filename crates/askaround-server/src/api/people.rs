//! The directory, and admins managing people.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use utoipa::IntoParams;

use askaround_core::ids::PersonId;
use askaround_core::timezone::TimeZoneName;
use askaround_store::{NewInvitation, PeopleCursor, PeopleQuery};

use super::dto::{CreatedPerson, InvitationLink, NewPersonRequest, PeopleList, PersonPatchRequest};
use super::json::ApiJson;
use crate::auth::session::{new_token, token_hash};
use crate::auth::{Admin, Caller, password};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;
use askaround_core::person::Profile;

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
    Query(params): Query<PeopleParams>,
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

/// Add a person (admins). Without a password, the answer carries an invitation link.
#[utoipa::path(post, path = "/people", tag = "people",
    request_body = NewPersonRequest,
    responses(
        (status = 201, body = CreatedPerson),
        (status = 403, body = ErrorBody),
        (status = 409, description = "The email is taken", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Admin(caller): Admin,
    ApiJson(body): ApiJson<NewPersonRequest>,
) -> ApiResult<(StatusCode, Json<CreatedPerson>)> {
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    let admin = state.store.person(caller.org_id, caller.person_id).await?;
    let input = body.validate(&taxonomy, &default_timezone(&admin.person.timezone))?;
    let hash = match input.password.clone() {
        Some(p) => Some(password::hash(p).await?),
        None => None,
    };
    let now = Timestamp::now();
    let org = caller.org_id;
    let created = state
        .store
        .create_person(org, &input.fields, hash.as_deref(), now)
        .await?;
    let id = created.person.id;
    let mut person = created;
    if !input.skills.is_empty() {
        person = state
            .store
            .set_person_skills(org, id, &input.skills, now)
            .await?;
    }
    if !input.goals.is_empty() {
        person = state
            .store
            .set_person_goals(org, id, &input.goals, now)
            .await?;
    }
    let invitation = match hash {
        Some(_) => None,
        None => Some(invite(&state, org, id).await?),
    };
    Ok((
        StatusCode::CREATED,
        Json(CreatedPerson { person, invitation }),
    ))
}

fn default_timezone(admins: &TimeZoneName) -> TimeZoneName {
    admins.clone()
}

/// Issues a one-use invitation link for a person to choose their password.
pub async fn invite(
    state: &AppState,
    org: askaround_core::ids::OrgId,
    person: PersonId,
) -> ApiResult<InvitationLink> {
    let token = new_token();
    let now = Timestamp::now();
    let ttl = SignedDuration::try_from(state.config.invitation_ttl)
        .map_err(|e| ApiError::Internal(e.into()))?;
    let expires_at = now
        .checked_add(ttl)
        .map_err(|e| ApiError::Internal(e.into()))?;
    state
        .store
        .create_invitation(&NewInvitation {
            token_hash: token_hash(&token),
            person_id: person,
            org_id: org,
            created_at: now,
            expires_at,
        })
        .await?;
    Ok(InvitationLink {
        url: format!("/invite/{token}"),
        token,
        expires_at,
    })
}

/// Change anyone's profile, role or active flag (admins). Deactivating signs the person out.
#[utoipa::path(patch, path = "/people/{id}", tag = "people",
    params(("id" = String, Path, description = "Person id")),
    request_body = PersonPatchRequest,
    responses((status = 200, body = Profile), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn patch(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PersonPatchRequest>,
) -> ApiResult<Json<Profile>> {
    let id: PersonId = id.parse().map_err(|_| ApiError::NotFound)?;
    let patch = body.validate()?;
    if id == caller.person_id
        && (patch.active == Some(false) || patch.role == Some(askaround_core::person::Role::Member))
    {
        return Err(ApiError::Conflict {
            code: "cannot_demote_self",
            error: askaround_core::FieldError::new(
                if patch.active == Some(false) {
                    "active"
                } else {
                    "role"
                },
                "you cannot deactivate yourself or give up your own admin role; ask another admin",
            ),
        });
    }
    let profile = state
        .store
        .update_person(caller.org_id, id, &patch, Timestamp::now())
        .await?;
    if patch.active == Some(false) {
        state
            .store
            .delete_sessions_of(caller.org_id, id, None)
            .await?;
    }
    Ok(Json(profile))
}
