//! Sign-in, sign-out and invitation pages.
//!
//! Before there is a session, forms are protected by a double-submit token: a random value in a
//! SameSite=Strict cookie that the form must echo.

use std::net::SocketAddr;

use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::errors::{PageResult, WebError, check_form_token, local_path, render};
use super::shell::{Shell, WebCaller};
use crate::auth::caller::MaybeCaller;
use crate::auth::csrf::token_matches;
use crate::auth::session::{clear_cookie, cookie, new_token, set_cookie};
use crate::auth::signin::{attach_cookie, authenticate, client_ip, open_session, secure};
use crate::error::ApiError;
use crate::state::AppState;

const PRE_SESSION_COOKIE: &str = "askaround_csrf";

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    shell: Option<Shell>,
    error: Option<String>,
    email: String,
    next: String,
    csrf_token: String,
}

#[derive(Deserialize)]
pub struct NextParam {
    next: Option<String>,
}

/// Where to go after signing in: a path of this site, else the ask box.
fn safe_next(next: Option<&str>) -> String {
    next.and_then(local_path).unwrap_or("/").to_owned()
}

fn pre_session_token(headers: &HeaderMap) -> Option<String> {
    cookie(headers, PRE_SESSION_COOKIE)
        .filter(|t| t.len() == 43)
        .map(str::to_owned)
}

fn with_pre_session_cookie(mut response: Response, token: &str, secure_flag: bool) -> Response {
    let secure_attr = if secure_flag { "; Secure" } else { "" };
    attach_cookie(
        &mut response,
        &format!(
            "{PRE_SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600{secure_attr}"
        ),
    );
    response
}

pub async fn page(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    headers: HeaderMap,
    Query(params): Query<NextParam>,
) -> Response {
    if caller.is_some() {
        return Redirect::to(&safe_next(params.next.as_deref())).into_response();
    }
    let token = pre_session_token(&headers).unwrap_or_else(new_token);
    let page = SignInPage {
        shell: None,
        error: None,
        email: String::new(),
        next: safe_next(params.next.as_deref()),
        csrf_token: token.clone(),
    };
    with_pre_session_cookie(render(&page), &token, secure(&state, &headers))
}

#[derive(Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
    csrf_token: String,
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let secure_flag = secure(&state, &headers);
    let expected = pre_session_token(&headers);
    let again = |status: StatusCode, error: String| {
        let token = new_token();
        let page = SignInPage {
            shell: None,
            error: Some(error),
            email: form.email.clone(),
            next: safe_next(form.next.as_deref()),
            csrf_token: token.clone(),
        };
        with_pre_session_cookie((status, render(&page)).into_response(), &token, secure_flag)
    };
    if !expected.is_some_and(|e| token_matches(&form.csrf_token, &e)) {
        return again(
            StatusCode::FORBIDDEN,
            "The sign-in form expired. Please try again.".into(),
        );
    }
    let ip = client_ip(&state, peer, &headers);
    let signed_in = match authenticate(&state, &ip, &form.email, &form.password).await {
        Ok(ids) => ids,
        Err(ApiError::InvalidCredentials) => {
            return again(
                StatusCode::UNAUTHORIZED,
                "That email and password do not match an account.".into(),
            );
        }
        Err(ApiError::RateLimited { retry_after_secs }) => {
            let minutes = retry_after_secs.div_ceil(60);
            return again(
                StatusCode::TOO_MANY_REQUESTS,
                format!("Too many attempts. Try again in {minutes} minute(s)."),
            );
        }
        Err(other) => return WebError::from(other).into_response(),
    };
    match open_session(&state, signed_in.0, signed_in.1).await {
        Ok((token, _csrf)) => {
            let mut response = Redirect::to(&safe_next(form.next.as_deref())).into_response();
            attach_cookie(
                &mut response,
                &set_cookie(&token, state.config.session_ttl.as_secs(), secure_flag),
            );
            response
        }
        Err(e) => WebError::from(e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    csrf_token: String,
}

pub async fn sign_out(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> PageResult {
    check_form_token(&caller, &form.csrf_token)?;
    state
        .store
        .delete_session(&caller.token_hash)
        .await
        .map_err(ApiError::from)?;
    let mut response = Redirect::to("/signin").into_response();
    attach_cookie(&mut response, &clear_cookie(secure(&state, &headers)));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(
            safe_next(Some("/people?skill=excel")),
            "/people?skill=excel"
        );
        for hostile in [
            "https://evil.example",
            "//evil.example",
            "/\t/evil.example",
            "/\\evil.example",
            "/ /x",
            "people",
        ] {
            assert_eq!(safe_next(Some(hostile)), "/", "{hostile:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage {
    shell: Option<Shell>,
    error: Option<String>,
    csrf_token: String,
}

pub async fn invite_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(_token): Path<String>,
) -> Response {
    let token = pre_session_token(&headers).unwrap_or_else(new_token);
    let page = InvitePage {
        shell: None,
        error: None,
        csrf_token: token.clone(),
    };
    with_pre_session_cookie(render(&page), &token, secure(&state, &headers))
}

#[derive(Deserialize)]
pub struct InviteForm {
    password: String,
    csrf_token: String,
}

pub async fn invite_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(invitation): Path<String>,
    Form(form): Form<InviteForm>,
) -> Response {
    let secure_flag = secure(&state, &headers);
    let again = |status: StatusCode, error: String| {
        let token = new_token();
        let page = InvitePage {
            shell: None,
            error: Some(error),
            csrf_token: token.clone(),
        };
        with_pre_session_cookie((status, render(&page)).into_response(), &token, secure_flag)
    };
    if !pre_session_token(&headers).is_some_and(|e| token_matches(&form.csrf_token, &e)) {
        return again(
            StatusCode::FORBIDDEN,
            "The form expired. Please try again.".into(),
        );
    }
    let (person, org) =
        match crate::api::invitations::redeem(&state, &invitation, &form.password).await {
            Ok(ids) => ids,
            Err(ApiError::NotFound) => {
                return again(
                StatusCode::NOT_FOUND,
                "This invitation link is unknown, used or expired. Ask your admin for a new one."
                    .into(),
            );
            }
            Err(ApiError::Invalid(errors)) => {
                return again(StatusCode::UNPROCESSABLE_ENTITY, errors.to_string());
            }
            Err(other) => return WebError::from(other).into_response(),
        };
    match open_session(&state, person, org).await {
        Ok((token, _)) => {
            let mut response = Redirect::to("/profile").into_response();
            attach_cookie(
                &mut response,
                &set_cookie(&token, state.config.session_ttl.as_secs(), secure_flag),
            );
            response
        }
        Err(e) => WebError::from(e).into_response(),
    }
}
