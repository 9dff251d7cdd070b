//! Admins managing people: adding, inviting, changing role or status.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use jiff::{SignedDuration, Timestamp};

use askaround_core::ids::{OrgId, PersonId};
use askaround_core::person::{Profile, Role};
use askaround_store::{InvitationToken, NewInvitation, NewPerson};

use super::dto::{CreatedPerson, InvitationLink, NewPersonRequest, PersonPatchRequest};
use super::json::ApiJson;
use crate::auth::session::{new_token, token_hash};
use crate::auth::{Admin, password};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

/// Add a person (admins). Without a password, the answer carries an invitation link. The person,
/// their skills and goals and the invitation are written in one transaction.
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
    // A new colleague is most likely in the admin's own zone; they can change it.
    let input = body.validate(&taxonomy, &admin.person.timezone)?;
    let password_hash = match input.password.clone() {
        Some(p) => Some(password::hash(p).await?),
        None => None,
    };
    let (link, invitation) = match password_hash {
        Some(_) => (None, None),
        None => {
            let (link, token) = invitation_for(&state)?;
            (Some(link), Some(token))
        }
    };
    let new = NewPerson {
        fields: input.fields,
        password_hash,
        skills: input.skills,
        goals: input.goals,
        invitation,
    };
    let person = state
        .store
        .create_person(caller.org_id, &new, Timestamp::now())
        .await?;
    state.routing.matchers.person_changed(&person).await;
    Ok((
        StatusCode::CREATED,
        Json(CreatedPerson {
            person,
            invitation: link,
        }),
    ))
}

/// A fresh invitation: the link to hand out and what the store keeps (only the token's hash).
fn invitation_for(state: &AppState) -> ApiResult<(InvitationLink, InvitationToken)> {
    let token = new_token();
    let ttl = SignedDuration::try_from(state.config.invitation_ttl)
        .map_err(|e| ApiError::Internal(e.into()))?;
    let expires_at = Timestamp::now()
        .checked_add(ttl)
        .map_err(|e| ApiError::Internal(e.into()))?;
    let stored = InvitationToken {
        token_hash: token_hash(&token),
        expires_at,
    };
    let link = InvitationLink {
        url: format!("/invite/{token}"),
        token,
        expires_at,
    };
    Ok((link, stored))
}

/// Issue a new invitation link (admins): for someone imported from CSV, whose link expired, or
/// who forgot their password. Earlier links stay valid until they expire or are used.
#[utoipa::path(post, path = "/people/{id}/invitation", tag = "people",
    params(("id" = String, Path, description = "Person id")),
    responses((status = 201, body = InvitationLink), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub async fn reinvite(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<InvitationLink>)> {
    let id: PersonId = id.parse().map_err(|_| ApiError::NotFound)?;
    let person = state.store.person(caller.org_id, id).await?;
    if !person.person.active {
        return Err(ApiError::invalid(
            "id",
            "this person is deactivated; reactivate them first",
        ));
    }
    Ok((
        StatusCode::CREATED,
        Json(invite(&state, caller.org_id, id).await?),
    ))
}

async fn invite(state: &AppState, org: OrgId, person: PersonId) -> ApiResult<InvitationLink> {
    let (link, token) = invitation_for(state)?;
    state
        .store
        .create_invitation(&NewInvitation {
            token_hash: token.token_hash,
            person_id: person,
            org_id: org,
            created_at: Timestamp::now(),
            expires_at: token.expires_at,
        })
        .await?;
    Ok(link)
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
    if id == caller.person_id && (patch.active == Some(false) || patch.role == Some(Role::Member)) {
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
    state.routing.matchers.person_changed(&profile).await;
    if patch.active == Some(false) {
        state
            .store
            .delete_sessions_of(caller.org_id, id, None)
            .await?;
    }
    Ok(Json(profile))
}
