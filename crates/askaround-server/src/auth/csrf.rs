//! Cross-site request forgery defence, in two layers:
//! 1. every state-changing request (POST, PUT, PATCH, DELETE) whose `Origin` (or
//!    `Sec-Fetch-Site`) shows it came from another site is refused before any handler runs;
//! 2. server-rendered forms also carry a token bound to the session (checked by the form handler).
//!
//! The session cookie is SameSite=Lax on top, so browsers do not attach it to cross-site posts.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::state::AppState;

pub async fn reject_cross_site(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if unsafe_method && is_cross_site(request.headers(), state.config.public_url.as_deref()) {
        return ApiError::ForbiddenBecause(
            "cross_site_request",
            "this request came from another site and was refused".to_owned(),
        )
        .into_response();
    }
    next.run(request).await
}

pub fn is_cross_site(headers: &HeaderMap, public_url: Option<&str>) -> bool {
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        // Not a browser (curl, scripts): it cannot be forged by a web page.
        return false;
    };
    if origin == "null" {
        return true;
    }
    match public_url {
        Some(url) => origin_of(url) != origin_of(origin),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            authority_of(origin) != host
        }
    }
}

/// `https://a.example:8443/path` → `https://a.example:8443`.
fn origin_of(url: &str) -> String {
    let trimmed = url.trim_end_matches('/');
    match trimmed.find("://") {
        Some(i) => {
            let rest = &trimmed[i + 3..];
            let end = rest.find('/').unwrap_or(rest.len());
            format!("{}://{}", &trimmed[..i], &rest[..end]).to_ascii_lowercase()
        }
        None => trimmed.to_ascii_lowercase(),
    }
}

fn authority_of(origin: &str) -> &str {
    origin.split_once("://").map_or(origin, |(_, rest)| rest)
}

/// Constant-time comparison of a submitted form token with the session's.
pub fn token_matches(submitted: &str, expected: &str) -> bool {
    submitted.len() == expected.len() && bool::from(submitted.as_bytes().ct_eq(expected.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn same_host_is_allowed_and_other_sites_refused() {
        assert!(!is_cross_site(
            &headers(&[
                ("host", "localhost:8080"),
                ("origin", "http://localhost:8080")
            ]),
            None
        ));
        assert!(is_cross_site(
            &headers(&[
                ("host", "localhost:8080"),
                ("origin", "https://evil.example")
            ]),
            None
        ));
        assert!(is_cross_site(&headers(&[("origin", "null")]), None));
        assert!(is_cross_site(
            &headers(&[("sec-fetch-site", "cross-site")]),
            None
        ));
        assert!(!is_cross_site(&headers(&[]), None));
    }

    #[test]
    fn public_url_decides_when_set() {
        let url = Some("https://ask.example.com/");
        assert!(!is_cross_site(
            &headers(&[("origin", "https://ask.example.com")]),
            url
        ));
        assert!(is_cross_site(
            &headers(&[("origin", "http://ask.example.com")]),
            url
        ));
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(token_matches("abc", "abc"));
        assert!(!token_matches("abd", "abc"));
        assert!(!token_matches("ab", "abc"));
    }
}
