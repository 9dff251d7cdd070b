//! How a form handler answers. A plain form post gets a redirect (post/redirect/get) with a
//! one-time notice in a short-lived cookie; the page script's `fetch` of the same form gets JSON it
//! shows in place. Both carry the same words, so a failure reads the same with or without script.

use axum::Json;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::backend::Failure;
use super::errors::{WebError, local_path};
use crate::auth::Caller;
use crate::auth::csrf::token_matches;
use crate::auth::session::cookie;
use crate::auth::signin::secure;
use crate::state::AppState;

const NOTICE_COOKIE: &str = "askaround_notice";
/// The page script sends this header; a plain form post cannot.
const SCRIPT_HEADER: &str = "x-askaround-form";

/// A sentence for the person, shown once at the top of the next page.
#[derive(Debug, Clone)]
pub struct Notice {
    pub error: bool,
    pub text: String,
}

impl Notice {
    fn encode(&self) -> String {
        let kind = if self.error { 'e' } else { 'n' };
        format!("{kind}{}", URL_SAFE_NO_PAD.encode(&self.text))
    }

    fn decode(raw: &str) -> Option<Self> {
        let error = match raw.chars().next()? {
            'e' => true,
            'n' => false,
            _ => return None,
        };
        let bytes = URL_SAFE_NO_PAD.decode(&raw[1..]).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        Some(Notice { error, text })
    }
}

/// The notice left by the last form, if any.
pub struct Flash(pub Option<Notice>);

impl<S: Send + Sync> FromRequestParts<S> for Flash {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Flash(
            cookie(&parts.headers, NOTICE_COOKIE).and_then(Notice::decode),
        ))
    }
}

/// Clears the notice cookie once a page showed it. Only a navigation counts: a fragment the
/// script fetches meanwhile (a live message arriving as the browser follows a redirect) is HTML
/// too, and clearing the notice there would lose it before the page it was meant for loads.
/// Browsers without `Sec-Fetch-Mode` count every HTML answer, as before.
pub async fn clear_shown_flash(request: Request, next: Next) -> Response {
    let navigation = request
        .headers()
        .get("sec-fetch-mode")
        .is_none_or(|mode| mode.as_bytes() == b"navigate");
    let had_notice = request.method() == Method::GET
        && navigation
        && cookie(request.headers(), NOTICE_COOKIE).is_some()
        && !request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if had_notice && response.status().is_success() && is_page {
        let expired = format!("{NOTICE_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
        if let Ok(value) = HeaderValue::from_str(&expired) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// One form submission: whether the script sent it, where it came from, and how to set cookies.
pub struct Submission {
    script: bool,
    referer: Option<String>,
    secure: bool,
}

impl FromRequestParts<AppState> for Submission {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Submission {
            script: parts.headers.get(SCRIPT_HEADER).is_some(),
            referer: referer_path(&parts.headers),
            secure: secure(state, &parts.headers),
        })
    }
}

/// The path of the page that sent the form (same-origin referrers carry the full URL).
fn referer_path(headers: &HeaderMap) -> Option<String> {
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let after_scheme = referer.split_once("://")?.1;
    let path = after_scheme.strip_prefix(host)?;
    local_path(path).map(str::to_owned)
}

impl Submission {
    pub fn is_script(&self) -> bool {
        self.script
    }

    /// Go to `to` (with or without script).
    pub fn go(&self, to: impl Into<String>) -> Reply {
        let to = to.into();
        self.reply(Some(to.clone()), to, Ok(None))
    }

    /// Stay where the form was: back to the sending page (or `fallback`) without script, in place
    /// with it.
    pub fn stay(&self, fallback: &str) -> Reply {
        self.reply(None, self.back(fallback), Ok(None))
    }

    pub fn fail(&self, fallback: &str, failure: Failure) -> Reply {
        self.reply(None, self.back(fallback), Err(failure))
    }

    /// The reply of a handler's body, or its failure sent back to the page.
    pub fn finish(&self, fallback: &str, result: Result<Reply, Failure>) -> Reply {
        result.unwrap_or_else(|failure| self.fail(fallback, failure))
    }

    fn back(&self, fallback: &str) -> String {
        self.referer.clone().unwrap_or_else(|| fallback.to_owned())
    }

    fn reply(
        &self,
        go: Option<String>,
        redirect: String,
        outcome: Result<Option<String>, Failure>,
    ) -> Reply {
        Reply {
            script: self.script,
            secure: self.secure,
            go,
            redirect,
            outcome,
            data: Value::Null,
        }
    }
}

#[must_use]
pub struct Reply {
    script: bool,
    secure: bool,
    /// Where the script navigates to (none: it stays on the page).
    go: Option<String>,
    /// Where a plain form post is redirected to.
    redirect: String,
    /// A notice on success, or why it failed.
    outcome: Result<Option<String>, Failure>,
    /// Facts for the page script (ids of what was created).
    data: Value,
}

impl Reply {
    pub fn notice(mut self, text: impl Into<String>) -> Self {
        if let Ok(notice) = &mut self.outcome {
            *notice = Some(text.into());
        }
        self
    }

    pub fn data(mut self, data: Value) -> Self {
        self.data = data;
        self
    }

    fn attach_notice(&self, response: &mut Response, text: &str, error: bool) {
        let notice = Notice {
            error,
            text: text.to_owned(),
        };
        let secure = if self.secure { "; Secure" } else { "" };
        let cookie = format!(
            "{NOTICE_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age=120{secure}",
            notice.encode()
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        if self.script {
            return match &self.outcome {
                Ok(notice) => {
                    let mut response = Json(json!({
                        "ok": true, "go": self.go, "notice": notice, "data": self.data,
                    }))
                    .into_response();
                    // The script navigates away: the next page shows the notice.
                    if let (Some(_), Some(text)) = (&self.go, notice) {
                        self.attach_notice(&mut response, text, false);
                    }
                    response
                }
                Err(failure) => (
                    failure.status,
                    Json(json!({"ok": false, "error": failure.message, "field": failure.field})),
                )
                    .into_response(),
            };
        }
        let notice = match &self.outcome {
            Ok(Some(text)) => Some(Notice {
                error: false,
                text: text.clone(),
            }),
            Ok(None) => None,
            Err(failure) if failure.status == StatusCode::FORBIDDEN => {
                // An expired or forged form: a page that says so, not a redirect.
                return WebError::Page(
                    StatusCode::FORBIDDEN,
                    "Not allowed",
                    failure.message.clone(),
                )
                .into_response();
            }
            Err(failure) => Some(Notice {
                error: true,
                text: failure.message.clone(),
            }),
        };
        let mut response = Redirect::to(&self.redirect).into_response();
        if let Some(notice) = notice {
            self.attach_notice(&mut response, &notice.text, notice.error);
        }
        response
    }
}

/// Refuses a form whose token is not this session's (an old tab, or a forgery the origin check
/// missed).
pub fn check_token(caller: &Caller, submitted: &str) -> Result<(), Failure> {
    if token_matches(submitted, &caller.csrf_token) {
        Ok(())
    } else {
        Err(Failure::new(
            StatusCode::FORBIDDEN,
            "This form is out of date. Reload the page and try again.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_survive_the_cookie_round_trip() {
        let notice = Notice {
            error: true,
            text: "Someone else took it — thank you; anyway".into(),
        };
        let decoded = Notice::decode(&notice.encode()).expect("decodes");
        assert!(decoded.error);
        assert_eq!(decoded.text, notice.text);
        assert!(Notice::decode("xAAAA").is_none());
    }

    #[test]
    fn only_same_host_referrers_count() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("ask.test:8080"));
        headers.insert(
            header::REFERER,
            HeaderValue::from_static("http://ask.test:8080/people?q=ana"),
        );
        assert_eq!(referer_path(&headers).as_deref(), Some("/people?q=ana"));
        headers.insert(
            header::REFERER,
            HeaderValue::from_static("http://evil.test/ask.test:8080/x"),
        );
        assert_eq!(referer_path(&headers), None);
    }
}
