//! Whether offers can reach me: presence (online, away, do not disturb) and time off, set from
//! the profile page.

use axum::extract::State;
use axum::http::Method;
use axum::{Extension, Form};
use jiff::SignedDuration;
use serde::Deserialize;
use serde_json::json;

use super::backend::{Backend, Failure};
use super::profile::me;
use super::reply::{Reply, Submission, check_token};
use super::shell::WebCaller;
use super::time;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct PresenceForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    status: String,
}

pub async fn presence(
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Form(input): Form<PresenceForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        backend
            .request(Method::PUT, "/me/presence")
            .json(&json!({"status": input.status}))
            .send(&caller)
            .await?;
        let words = match input.status.as_str() {
            "dnd" => "Do not disturb: you will get no offers until you change this.",
            "away" => "You are shown as away.",
            "online" => "You are shown as online.",
            _ => "You are online while askaround is open.",
        };
        Ok(form.stay("/profile").notice(words))
    };
    form.finish("/profile", result.await)
}

#[derive(Deserialize)]
pub struct AwayForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
}

pub async fn away(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Form(input): Form<AwayForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        let tz = me(&state, &caller).await?.person.timezone;
        let from = time::parse_day(&input.from, &tz)
            .map_err(|m| Failure::invalid("from", format!("From: {m}.")))?;
        let last_day = time::parse_day(&input.until, &tz)
            .map_err(|m| Failure::invalid("until", format!("Until: {m}.")))?;
        // The last day counts in full: away until the start of the next one.
        let until = last_day
            .checked_add(SignedDuration::from_hours(24))
            .map_err(|_| Failure::invalid("until", "Until: that date is too far away."))?;
        backend
            .request(Method::PUT, "/me/out-of-office")
            .json(&json!({"from": from, "until": until}))
            .send(&caller)
            .await?;
        Ok(form
            .stay("/profile")
            .notice("Time off saved: no offers while you are away."))
    };
    form.finish("/profile", result.await)
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf_token: String,
}

pub async fn back_at_work(
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Form(input): Form<TokenForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        backend
            .request(Method::DELETE, "/me/out-of-office")
            .send(&caller)
            .await?;
        Ok(form
            .stay("/profile")
            .notice("Welcome back: offers can reach you again."))
    };
    form.finish("/profile", result.await)
}
