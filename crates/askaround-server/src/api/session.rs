//! Signing in and out.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use jiff::{SignedDuration, Timestamp};

use askaround_core::email::Email;
use askaround_core::ids::{OrgId, PersonId};
use askaround_store::NewSession;

use super::dto::{SignInRequest, SignedIn};
use super::json::ApiJson;
use crate::auth::session::{clear_cookie, new_token, set_cookie, token_hash};
use crate::auth::{Caller, password};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

/// Sign in with email and password; sets the session cookie.
#[utoipa::path(post, path = "/session", tag = "accounts",
    request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = SignedIn),
        (status = 401, description = "Wrong email or password", body = ErrorBody),
        (status = 429, description = "Too many attempts", body = ErrorBody),
    ))]
pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SignInRequest>,
) -> ApiResult<Response> {
    let (person, org) = authenticate(
        &state,
        &client_ip(&state, peer, &headers),
        &body.email,
        &body.password,
    )
    .await?;
    let (token, csrf) = open_session(&state, person, org).await?;
    let profile = state.store.person(org, person).await?;
    let mut response = Json(SignedIn {
        person: profile,
        csrf_token: csrf,
    })
    .into_response();
    let cookie = set_cookie(
        &token,
        state.config.session_ttl.as_secs(),
        secure(&state, &headers),
    );
    attach_cookie(&mut response, &cookie);
    Ok(response)
}

/// Sign out: ends this session.
#[utoipa::path(delete, path = "/session", tag = "accounts",
    responses((status = 204, description = "Signed out"), (status = 401, body = ErrorBody)),
    security(("session" = [])))]
pub async fn sign_out(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
) -> ApiResult<Response> {
    state.store.delete_session(&caller.token_hash).await?;
    let mut response = axum::http::StatusCode::NO_CONTENT.into_response();
    attach_cookie(&mut response, &clear_cookie(secure(&state, &headers)));
    Ok(response)
}

/// Checks credentials under the rate limits. Shared by the API and the sign-in form.
pub async fn authenticate(
    state: &AppState,
    ip: &str,
    email: &str,
    password_text: &str,
) -> ApiResult<(PersonId, OrgId)> {
    let email_key = email.trim().to_lowercase();
    if let Some(wait) = state
        .login_by_ip
        .check(ip)
        .or_else(|| state.login_by_email.check(&email_key))
    {
        metrics::counter!("askaround_sign_in_total", "outcome" => "rate_limited").increment(1);
        return Err(ApiError::RateLimited {
            retry_after_secs: wait,
        });
    }
    state.login_by_ip.record(ip);
    let credentials = match Email::parse(email) {
        Ok(email) => state.store.credentials(&email).await?,
        Err(_) => None,
    };
    let (stored, target) = match &credentials {
        Some(c) if c.active => (c.password_hash.clone(), Some((c.person_id, c.org_id))),
        _ => (None, None),
    };
    let ok = password::verify(password_text.to_owned(), stored).await?;
    match target {
        Some(target) if ok => {
            state.login_by_email.clear(&email_key);
            metrics::counter!("askaround_sign_in_total", "outcome" => "ok").increment(1);
            Ok(target)
        }
        _ => {
            state.login_by_email.record(&email_key);
            metrics::counter!("askaround_sign_in_total", "outcome" => "failed").increment(1);
            Err(ApiError::InvalidCredentials)
        }
    }
}

/// Creates a session; returns the cookie token and the CSRF token.
pub async fn open_session(
    state: &AppState,
    person: PersonId,
    org: OrgId,
) -> ApiResult<(String, String)> {
    let token = new_token();
    let csrf = new_token();
    let now = Timestamp::now();
    let ttl = SignedDuration::try_from(state.config.session_ttl)
        .map_err(|e| ApiError::Internal(e.into()))?;
    state
        .store
        .create_session(&NewSession {
            token_hash: token_hash(&token),
            person_id: person,
            org_id: org,
            csrf_token: csrf.clone(),
            created_at: now,
            expires_at: now
                .checked_add(ttl)
                .map_err(|e| ApiError::Internal(e.into()))?,
        })
        .await?;
    Ok((token, csrf))
}

pub fn secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.https()
        || (state.config.trust_proxy
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                == Some("https"))
}

pub fn attach_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// The client's address for rate limiting: the socket peer, or behind a trusted proxy the first
/// `X-Forwarded-For` hop.
pub fn client_ip(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> String {
    if state.config.trust_proxy {
        if let Some(forwarded) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
        {
            return forwarded.trim().to_owned();
        }
    }
    peer.ip().to_string()
}
