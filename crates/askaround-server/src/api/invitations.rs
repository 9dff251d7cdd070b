//! Accepting an invitation: the invited person chooses a password and is signed in.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use askaround_core::person::check_password;

use super::dto::{AcceptInvitationRequest, SignedIn};
use super::json::ApiJson;
use crate::auth::password;
use crate::auth::session::{set_cookie, token_hash};
use crate::auth::signin::{attach_cookie, open_session, secure};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

/// Choose a password with an invitation token; signs in.
#[utoipa::path(post, path = "/invitations/{token}/accept", tag = "accounts",
    params(("token" = String, Path, description = "The token from the invitation link")),
    request_body = AcceptInvitationRequest,
    responses(
        (status = 200, body = SignedIn),
        (status = 404, description = "Unknown, used or expired invitation", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<AcceptInvitationRequest>,
) -> ApiResult<Response> {
    let (person, org) = redeem(&state, &token, &body.password).await?;
    let (session, csrf) = open_session(&state, person, org).await?;
    let profile = state.store.person(org, person).await?;
    let mut response = Json(SignedIn {
        person: profile,
        csrf_token: csrf,
    })
    .into_response();
    let cookie = set_cookie(
        &session,
        state.config.session_ttl.as_secs(),
        secure(&state, &headers),
    );
    attach_cookie(&mut response, &cookie);
    Ok(response)
}

/// Shared with the invitation page. The password is hashed first, then the invitation is
/// consumed and the password set in one transaction: a failure leaves the invitation usable.
pub async fn redeem(
    state: &AppState,
    token: &str,
    new_password: &str,
) -> ApiResult<(askaround_core::ids::PersonId, askaround_core::ids::OrgId)> {
    check_password(new_password)?;
    let hash = password::hash(new_password.to_owned()).await?;
    let invitation = state
        .store
        .redeem_invitation(&token_hash(token), &hash, jiff::Timestamp::now())
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((invitation.person_id, invitation.org_id))
}
