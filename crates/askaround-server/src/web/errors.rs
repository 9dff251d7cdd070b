//! What a page can fail with, rendered as a page (never a raw JSON body), and the small helpers
//! every page shares: rendering a template, the form token check, query-string encoding.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::shell::Shell;
use crate::auth::Caller;
use crate::auth::csrf::token_matches;
use crate::error::ApiError;

/// A redirect (not signed in) or an HTML error page.
#[derive(Debug)]
pub enum WebError {
    Redirect(String),
    Page(StatusCode, &'static str, String),
}

impl From<ApiError> for WebError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Unauthenticated => WebError::Redirect("/signin".to_owned()),
            ApiError::NotFound => WebError::Page(
                StatusCode::NOT_FOUND,
                "Not found",
                "There is nothing here, or it is not yours to see.".into(),
            ),
            ApiError::Forbidden | ApiError::ForbiddenBecause(..) => {
                WebError::Page(StatusCode::FORBIDDEN, "Not allowed", e.to_string())
            }
            ApiError::Internal(cause) => {
                tracing::error!(error = ?cause, "page failed");
                WebError::Page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Please try again in a moment.".into(),
                )
            }
            other => WebError::Page(other.status(), "That did not work", other.to_string()),
        }
    }
}

impl From<askaround_store::StoreError> for WebError {
    fn from(e: askaround_store::StoreError) -> Self {
        ApiError::from(e).into()
    }
}

impl WebError {
    pub fn admins_only() -> Self {
        WebError::Page(
            StatusCode::FORBIDDEN,
            "Not allowed",
            "Only admins can open this page.".into(),
        )
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    shell: Option<Shell>,
    heading: &'a str,
    message: &'a str,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::Redirect(to) => Redirect::to(&to).into_response(),
            WebError::Page(status, heading, message) => {
                let page = ErrorPage {
                    shell: None,
                    heading,
                    message: &message,
                };
                (status, render(&page)).into_response()
            }
        }
    }
}

pub type PageResult = Result<Response, WebError>;

pub fn not_found_page() -> Response {
    WebError::Page(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is no page at this address.".into(),
    )
    .into_response()
}

pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "page failed to render").into_response()
        }
    }
}

/// Percent-encodes a value for a query string.
pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Refuses a form whose token is not this session's.
pub fn check_form_token(caller: &Caller, submitted: &str) -> Result<(), WebError> {
    if token_matches(submitted, &caller.csrf_token) {
        Ok(())
    } else {
        Err(WebError::Page(
            StatusCode::FORBIDDEN,
            "Form expired",
            "This form is out of date. Go back, reload the page and try again.".into(),
        ))
    }
}

/// Only paths of this site: never send a browser elsewhere. Browsers drop tabs and line breaks
/// inside URLs and treat `\` like `/`, so anything but plain visible ASCII is refused.
pub fn local_path(candidate: &str) -> Option<&str> {
    (candidate.starts_with('/')
        && !candidate.starts_with("//")
        && candidate.chars().all(|c| c.is_ascii_graphic())
        && !candidate.contains('\\'))
    .then_some(candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(
            local_path("/people?skill=excel"),
            Some("/people?skill=excel")
        );
        for hostile in [
            "https://evil.example",
            "//evil.example",
            "/\t/evil.example",
            "/\\evil.example",
            "/ /x",
            "people",
        ] {
            assert_eq!(local_path(hostile), None, "{hostile:?}");
        }
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(urlencode("a b&c/é"), "a%20b%26c%2F%C3%A9");
    }
}
