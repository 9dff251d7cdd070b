//! Server-rendered pages: sign in, my profile (skills and learning goals), the people directory.
//! Plain HTML forms that work without scripts; every form carries the session's CSRF token.

mod people;
mod profile;
mod signin;

use askama::Template;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::auth::Caller;
use crate::auth::csrf::token_matches;
use crate::error::ApiError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/signin", get(signin::page).post(signin::submit))
        .route("/signout", post(signin::sign_out))
        .route(
            "/invite/{token}",
            get(signin::invite_page).post(signin::invite_submit),
        )
        .route("/profile", get(profile::page).post(profile::save))
        .route("/profile/skills", post(profile::add_skill))
        .route("/profile/skills/remove", post(profile::remove_skill))
        .route("/profile/goals", post(profile::add_goal))
        .route("/profile/goals/remove", post(profile::remove_goal))
        .route("/people", get(people::directory))
        .route("/people/{id}", get(people::person))
        .route("/static/app.css", get(stylesheet))
}

async fn home(caller: crate::auth::caller::MaybeCaller) -> Redirect {
    match caller.0 {
        Some(_) => Redirect::to("/profile"),
        None => Redirect::to("/signin"),
    }
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
        .into_response()
}

/// The signed-in person on a page; anyone else is sent to the sign-in page and brought back.
pub struct WebCaller(pub Caller);

impl axum::extract::FromRequestParts<AppState> for WebCaller {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, WebError> {
        match Caller::from_request_parts(parts, state).await {
            Ok(caller) => Ok(WebCaller(caller)),
            Err(ApiError::Unauthenticated) => {
                let here = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                let next = if parts.method == axum::http::Method::GET && here != "/" {
                    format!("/signin?next={}", urlencode(here))
                } else {
                    "/signin".to_owned()
                };
                Err(WebError::Redirect(next))
            }
            Err(other) => Err(other.into()),
        }
    }
}

/// The header navigation of a signed-in page.
pub struct Nav {
    pub current: &'static str,
    pub name: String,
    pub csrf_token: String,
}

/// What a page handler can fail with: a redirect (not signed in) or an HTML error page, never a
/// raw JSON body.
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

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    nav: Option<Nav>,
    flash: Option<String>,
    heading: &'a str,
    message: &'a str,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::Redirect(to) => Redirect::to(&to).into_response(),
            WebError::Page(status, heading, message) => {
                let page = ErrorPage {
                    nav: None,
                    flash: None,
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
