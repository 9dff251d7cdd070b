//! Extractors for the signed-in person. Every handler that touches organisation data takes a
//! `Caller` (or `Admin`) and scopes every store call with `caller.org_id`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use jiff::Timestamp;

use askaround_core::ids::{OrgId, PersonId};
use askaround_core::person::Role;

use super::session::{COOKIE, cookie, token_hash};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct Caller {
    pub person_id: PersonId,
    pub org_id: OrgId,
    pub role: Role,
    /// Bound to the session; forms echo it back.
    pub csrf_token: String,
    pub token_hash: String,
}

impl Caller {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let token = cookie(&parts.headers, COOKIE).ok_or(ApiError::Unauthenticated)?;
        let hash = token_hash(token);
        let record = state
            .store
            .session(&hash, Timestamp::now())
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        let caller = Caller {
            person_id: record.person_id,
            org_id: record.org_id,
            role: record.role,
            csrf_token: record.csrf_token,
            token_hash: hash,
        };
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

/// A signed-in admin; a member gets 403.
#[derive(Debug, Clone)]
pub struct Admin(pub Caller);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        if caller.is_admin() {
            Ok(Admin(caller))
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

/// For pages that look different when signed in, and for the sign-in page itself.
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequestParts<AppState> for MaybeCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match Caller::from_request_parts(parts, state).await {
            Ok(caller) => Ok(MaybeCaller(Some(caller))),
            Err(ApiError::Unauthenticated) => Ok(MaybeCaller(None)),
            Err(other) => Err(other),
        }
    }
}
