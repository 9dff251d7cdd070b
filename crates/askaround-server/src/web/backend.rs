//! The JSON API, called in-process by the form handlers. A form and an API client then go through
//! the very same validation, state machine, live events and error messages; the pages never
//! re-implement a state change. The signed-in caller rides along as a request extension, which
//! the API's `Caller` extractor takes as is.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt;

use crate::auth::Caller;
use crate::state::AppState;

/// The largest answer a page reads (an import report of 50,000 bad rows fits).
const MAX_ANSWER: usize = 32 * 1024 * 1024;

#[derive(Clone)]
pub struct Backend(Router);

impl Backend {
    pub fn new(state: &AppState) -> Self {
        Self(crate::api::router().with_state(state.clone()))
    }

    /// Starts a call to `path` under `/api/v1`.
    pub fn request(&self, method: Method, path: &str) -> Call<'_> {
        Call {
            backend: self,
            method,
            path: format!("/api/v1{path}"),
            content_type: None,
            body: Body::empty(),
            idempotency_key: None,
        }
    }

    pub async fn post(&self, caller: &Caller, path: &str, body: Value) -> Result<Value, Failure> {
        self.request(Method::POST, path)
            .json(&body)
            .send(caller)
            .await
    }
}

pub struct Call<'a> {
    backend: &'a Backend,
    method: Method,
    path: String,
    content_type: Option<&'static str>,
    body: Body,
    idempotency_key: Option<String>,
}

impl Call<'_> {
    pub fn json(mut self, body: &Value) -> Self {
        self.content_type = Some("application/json");
        self.body = Body::from(body.to_string());
        self
    }

    pub fn csv(mut self, bytes: Vec<u8>) -> Self {
        self.content_type = Some("text/csv");
        self.body = Body::from(bytes);
        self
    }

    pub fn idempotency_key(mut self, key: Option<String>) -> Self {
        self.idempotency_key = key;
        self
    }

    /// The answer's JSON on success, or what went wrong in words for the person.
    pub async fn send(self, caller: &Caller) -> Result<Value, Failure> {
        let mut builder = Request::builder().method(self.method).uri(&self.path);
        if let Some(content_type) = self.content_type {
            builder = builder.header(header::CONTENT_TYPE, content_type);
        }
        if let Some(key) = &self.idempotency_key {
            builder = builder.header("idempotency-key", key);
        }
        let mut request = builder.body(self.body).map_err(|e| {
            tracing::error!(error = %e, path = %self.path, "building an API call failed");
            Failure::internal()
        })?;
        request.extensions_mut().insert(caller.clone());
        let response = match self.backend.0.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let status = response.status();
        let bytes = to_bytes(response.into_body(), MAX_ANSWER)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "reading an API answer failed");
                Failure::internal()
            })?;
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if status.is_success() {
            Ok(value)
        } else {
            Err(Failure::from_answer(status, value))
        }
    }
}

/// Why an action failed, as a sentence for the person (and the status the API chose).
#[derive(Debug, Clone)]
pub struct Failure {
    pub status: StatusCode,
    pub message: String,
    /// The form field to point at, when the problem is with one.
    pub field: Option<String>,
    /// The API's whole error body, for pages that show more (the import's row report).
    pub body: Value,
}

impl Failure {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            field: None,
            body: Value::Null,
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.to_owned()),
            ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
        }
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong on our side. Please try again in a moment.",
        )
    }

    fn from_answer(status: StatusCode, body: Value) -> Self {
        let error = &body["error"];
        let code = error["code"].as_str().unwrap_or_default();
        let field = error["field"].as_str().map(form_field);
        let message = match code {
            _ if status.is_server_error() => return Self::internal(),
            "not_found" => "This is no longer there, or it is not yours to act on.".to_owned(),
            "invalid_input" => match error["fields"].as_array().filter(|f| !f.is_empty()) {
                Some(problems) => problems
                    .iter()
                    .map(|p| {
                        field_sentence(
                            p["field"].as_str().unwrap_or_default(),
                            p["message"].as_str().unwrap_or_default(),
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
                None => {
                    let raw = error["field"].as_str().unwrap_or_default();
                    let message = error["message"].as_str().unwrap_or_default();
                    let message = message.strip_prefix(&format!("{raw}: ")).unwrap_or(message);
                    field_sentence(raw, message)
                }
            },
            _ => sentence(error["message"].as_str().unwrap_or("That did not work.")),
        };
        Self {
            status,
            message,
            field,
            body,
        }
    }
}

/// `learned_skills.2` → `learned_skills`: the form field a problem belongs to.
fn form_field(path: &str) -> String {
    path.split('.').next().unwrap_or(path).to_owned()
}

/// "weekly_budget" + "must be …" → "Weekly budget: must be …."
fn field_sentence(path: &str, message: &str) -> String {
    let label = form_field(path).replace('_', " ");
    if label.is_empty() {
        sentence(message)
    } else {
        sentence(&format!("{label}: {message}"))
    }
}

/// Capitalised, ending with a full stop.
fn sentence(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    let mut out = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
        None => return "That did not work.".to_owned(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_errors_read_as_sentences() {
        let one = Failure::from_answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"error": {"code": "invalid_input", "field": "skills.0",
                   "message": "skills.0: 'Exccel' is not a known skill; did you mean 'Microsoft Excel'?"}}),
        );
        assert_eq!(
            one.message,
            "Skills: 'Exccel' is not a known skill; did you mean 'Microsoft Excel'?"
        );
        assert_eq!(one.field.as_deref(), Some("skills"));
        let several = Failure::from_answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"error": {"code": "invalid_input", "field": "weekly_budget", "message": "…",
                   "fields": [{"field": "weekly_budget", "message": "must be a whole number"},
                              {"field": "timezone", "message": "'Mars/Base' is not a time zone"}]}}),
        );
        assert_eq!(
            several.message,
            "Weekly budget: must be a whole number. Timezone: 'Mars/Base' is not a time zone."
        );
    }

    #[test]
    fn refusals_keep_their_kind_words_and_internals_stay_hidden() {
        let taken = Failure::from_answer(
            StatusCode::CONFLICT,
            json!({"error": {"code": "already_taken", "message": "someone else took this ask; thank you anyway"}}),
        );
        assert_eq!(
            taken.message,
            "Someone else took this ask; thank you anyway."
        );
        let broken = Failure::from_answer(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"error": {"code": "internal", "message": "internal error"}}),
        );
        assert!(broken.message.starts_with("Something went wrong"));
    }
}
