//! The one error type of the HTTP layer. Every failure becomes
//! `{"error": {"code": "snake_case", "message": "human sentence", "field": "optional.path"}}`
//! with the right status; internal causes are logged and never sent.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use askaround_core::{FieldError, FieldErrors};
use askaround_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("sign in first")]
    Unauthenticated,
    #[error("only admins can do this")]
    Forbidden,
    #[error("{0}")]
    ForbiddenBecause(&'static str, String),
    #[error("not found")]
    NotFound,
    #[error("invalid email or password")]
    InvalidCredentials,
    #[error("too many attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// Input that parsed but broke a rule; 422 with the first field named and all of them listed.
    #[error("{0}")]
    Invalid(FieldErrors),
    /// Input that could not be read at all (bad JSON, wrong type); 400.
    #[error("{message}")]
    BadRequest {
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    #[error("{error}")]
    Conflict {
        code: &'static str,
        error: FieldError,
    },
    /// A domain rule refused the change (422) with its own stable code, e.g. `parent_cycle`.
    #[error("{error}")]
    Rule {
        code: &'static str,
        error: FieldError,
    },
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("send the body as {expected} (Content-Type: {expected})")]
    UnsupportedMediaType { expected: &'static str },
    /// The ask's state machine refused the event; the message says why, kindly.
    #[error("{message}")]
    Refused {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
    #[error("there is no such endpoint")]
    NoRoute,
    #[error("this endpoint does not accept that method")]
    MethodNotAllowed,
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The error body, as documented in the OpenAPI document.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable: `invalid_input`, `not_found`, `email_taken`, ...
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every field problem, when there are several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldProblem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl ApiError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(FieldError::new(field, message).into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated | ApiError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden | ApiError::ForbiddenBecause(..) => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Rule { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Refused { status, .. } => *status,
            ApiError::NoRoute => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        let (code, field, fields): (&str, Option<String>, Vec<FieldProblem>) = match self {
            ApiError::Unauthenticated => ("unauthenticated", None, vec![]),
            ApiError::Forbidden => ("forbidden", None, vec![]),
            ApiError::ForbiddenBecause(code, _) => (code, None, vec![]),
            ApiError::NotFound => ("not_found", None, vec![]),
            ApiError::InvalidCredentials => ("invalid_credentials", None, vec![]),
            ApiError::RateLimited { .. } => ("rate_limited", None, vec![]),
            ApiError::Invalid(errors) => (
                "invalid_input",
                errors.0.first().map(|e| e.field.clone()),
                errors
                    .0
                    .iter()
                    .map(|e| FieldProblem {
                        field: e.field.clone(),
                        message: e.message.clone(),
                    })
                    .collect(),
            ),
            ApiError::BadRequest { code, field, .. } => (code, field.clone(), vec![]),
            ApiError::Conflict { code, error } | ApiError::Rule { code, error } => {
                (code, Some(error.field.clone()), vec![])
            }
            ApiError::PayloadTooLarge => ("payload_too_large", None, vec![]),
            ApiError::UnsupportedMediaType { .. } => ("unsupported_media_type", None, vec![]),
            ApiError::Refused { code, .. } => (code, None, vec![]),
            ApiError::NoRoute => ("not_found", None, vec![]),
            ApiError::MethodNotAllowed => ("method_not_allowed", None, vec![]),
            ApiError::Internal(_) => ("internal", None, vec![]),
        };
        let message = match self {
            // One sentence a person can act on: "email: 'bob@' is not a valid address".
            ApiError::Invalid(errors) => errors.to_string(),
            other => other.to_string(),
        };
        ErrorBody {
            error: ErrorDetail {
                code: code.to_owned(),
                message,
                field,
                fields: if fields.len() > 1 { fields } else { vec![] },
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(cause) = &self {
            tracing::error!(error = ?cause, "request failed");
        }
        let status = self.status();
        let retry = match &self {
            ApiError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        let mut response = (status, axum::Json(self.body())).into_response();
        if let Some(secs) = retry
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

impl From<askaround_core::asks::Refusal> for ApiError {
    fn from(r: askaround_core::asks::Refusal) -> Self {
        use askaround_core::asks::Refusal;
        let status = match r {
            // Someone acting on what is not theirs learns nothing about it.
            Refusal::NotYours | Refusal::UnknownOffer => return ApiError::NotFound,
            Refusal::OfferExpired | Refusal::AskCancelled => StatusCode::GONE,
            Refusal::NotAllowed(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Refusal::InvalidEvent(_) => StatusCode::BAD_REQUEST,
            Refusal::AlreadyTaken
            | Refusal::AlreadyAccepted
            | Refusal::OfferClosed
            | Refusal::AskClosed
            | Refusal::InvalidState(_)
            | Refusal::Stale => StatusCode::CONFLICT,
        };
        ApiError::Refused {
            status,
            code: r.code(),
            message: r.to_string(),
        }
    }
}

impl From<crate::routing::RoutingError> for ApiError {
    fn from(e: crate::routing::RoutingError) -> Self {
        match e {
            crate::routing::RoutingError::Refused(r) => r.into(),
            crate::routing::RoutingError::Failed(e) => e,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Conflict { code, error } => ApiError::Conflict { code, error },
            StoreError::Invalid { code, error } => ApiError::Rule { code, error },
            // Callers that can retry handle this first; anywhere else it is a plain conflict.
            StoreError::VersionConflict => ApiError::Conflict {
                code: "changed_meanwhile",
                error: FieldError::new("version", "this changed meanwhile; reload and try again"),
            },
            StoreError::Backend(cause) => ApiError::Internal(anyhow::anyhow!(cause)),
        }
    }
}

impl From<FieldErrors> for ApiError {
    fn from(e: FieldErrors) -> Self {
        ApiError::Invalid(e)
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::Invalid(e.into())
    }
}

impl ApiError {
    /// For layers that need a concrete response type.
    pub fn into_response_boxed(self) -> Response {
        self.into_response()
    }
}
