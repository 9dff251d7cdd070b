//! Signing in, shared by the API, the sign-in page and invitations: credential checks under rate
//! limits, opening a session, and the cookie it travels in.

use std::net::SocketAddr;

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use jiff::{SignedDuration, Timestamp};

use askaround_core::email::Email;
use askaround_core::ids::{OrgId, PersonId};
use askaround_store::NewSession;

use super::password;
use super::session::{new_token, token_hash};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Checks credentials under the rate limits. A slot is taken from both limits *before* the slow
/// password check, so a burst of parallel guesses cannot all slip through; a success frees the
/// address's slots again.
pub async fn authenticate(
    state: &AppState,
    ip: &str,
    email: &str,
    password_text: &str,
) -> ApiResult<(PersonId, OrgId)> {
    let email_key = email.trim().to_lowercase();
    if let Err(wait) = state.login_by_ip.acquire(ip) {
        return Err(rate_limited(wait));
    }
    if let Err(wait) = state.login_by_email.acquire(&email_key) {
        return Err(rate_limited(wait));
    }
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
            metrics::counter!("askaround_sign_in_total", "outcome" => "failed").increment(1);
            Err(ApiError::InvalidCredentials)
        }
    }
}

/// Guards a password check made while already signed in (changing the password): the same
/// per-address limit as signing in, so a stolen session cannot brute-force the real password.
pub async fn verify_current_password(
    state: &AppState,
    email: &Email,
    password_text: &str,
) -> ApiResult<bool> {
    let key = email.as_str().to_owned();
    if let Err(wait) = state.login_by_email.acquire(&key) {
        return Err(rate_limited(wait));
    }
    let stored = state
        .store
        .credentials(email)
        .await?
        .and_then(|c| c.password_hash);
    let ok = password::verify(password_text.to_owned(), stored).await?;
    if ok {
        state.login_by_email.clear(&key);
    }
    Ok(ok)
}

fn rate_limited(wait: u64) -> ApiError {
    metrics::counter!("askaround_sign_in_total", "outcome" => "rate_limited").increment(1);
    ApiError::RateLimited {
        retry_after_secs: wait,
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

/// Whether cookies must be `Secure`: the public address is https, or a trusted proxy says the
/// request came over TLS.
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

/// The client's address for rate limiting: the socket peer, or behind a trusted proxy the
/// address that proxy saw — the *last* `X-Forwarded-For` entry, since every earlier entry is
/// whatever the client chose to send.
pub fn client_ip(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> String {
    if state.config.trust_proxy {
        let last_hop = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|v| !v.is_empty());
        if let Some(ip) = last_hop {
            return ip.to_owned();
        }
    }
    peer.ip().to_string()
}
