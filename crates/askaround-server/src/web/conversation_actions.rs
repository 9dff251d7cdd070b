//! The conversation page's forms: write, propose a call or a time slot, pull in a colleague, close
//! with feedback (the learner), confirm the topics (the helper), report a problem.

use axum::extract::{Path, State};
use axum::{Extension, Form};
use serde::Deserialize;
use serde_json::{Value, json};

use askaround_core::ids::ConversationId;

use super::asks::split_list;
use super::backend::{Backend, Failure};
use super::colleagues;
use super::reply::{Reply, Submission, check_token};
use super::shell::WebCaller;
use super::time;
use crate::auth::Caller;
use crate::state::AppState;

/// The API path of a conversation, refusing anything that is not an id.
fn api_path(id: &str) -> Result<String, Failure> {
    id.parse::<ConversationId>()
        .map(|id| format!("/conversations/{id}"))
        .map_err(|_| {
            Failure::new(
                axum::http::StatusCode::NOT_FOUND,
                "There is no such conversation.",
            )
        })
}

fn page_of(id: &str) -> String {
    format!("/conversations/{}", super::errors::urlencode(id))
}

/// Posts `body` to the conversation's `action` and stays on the page.
async fn act(
    backend: &Backend,
    caller: &Caller,
    id: &str,
    action: &str,
    body: Value,
) -> Result<Value, Failure> {
    backend
        .post(caller, &format!("{}{action}", api_path(id)?), body)
        .await
}

#[derive(Deserialize)]
pub struct MessageForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    body: String,
}

pub async fn send(
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Path(id): Path<String>,
    Form(input): Form<MessageForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        let message = act(
            &backend,
            &caller,
            &id,
            "/messages",
            json!({"body": input.body}),
        )
        .await?;
        Ok(form
            .stay(&page_of(&id))
            .data(json!({"message_id": message["id"]})))
    };
    form.finish(&page_of(&id), result.await)
}

#[derive(Deserialize)]
pub struct CallForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    meeting_url: String,
}

pub async fn call(
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Path(id): Path<String>,
    Form(input): Form<CallForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        let url = input.meeting_url.trim();
        let message = act(&backend, &caller, &id, "/call", json!({"meeting_url": url})).await?;
        Ok(form
            .stay(&page_of(&id))
            .notice("Call link shared.")
            .data(json!({"message_id": message["id"]})))
    };
    form.finish(&page_of(&id), result.await)
}

#[derive(Deserialize)]
pub struct SlotForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    title: String,
}

pub async fn slot(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Path(id): Path<String>,
    Form(input): Form<SlotForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        let me = state
            .store
            .person(caller.org_id, caller.person_id)
            .await
            .map_err(|_| Failure::internal())?;
        let start = time::parse_local(&input.start, &me.person.timezone)
            .map_err(|m| Failure::invalid("start", format!("Start: {m}.")))?;
        let minutes: u16 = input
            .minutes
            .trim()
            .parse()
            .map_err(|_| Failure::invalid("minutes", "Minutes: must be a whole number."))?;
        let title = Some(input.title.trim()).filter(|t| !t.is_empty());
        let message = act(
            &backend,
            &caller,
            &id,
            "/slot",
            json!({"start": start, "minutes": minutes, "title": title}),
        )
        .await?;
        Ok(form
            .stay(&page_of(&id))
            .notice("Time proposed. Everyone can add it to their calendar.")
            .data(json!({"message_id": message["id"]})))
    };
    form.finish(&page_of(&id), result.await)
}

#[derive(Deserialize)]
pub struct ColleagueForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    colleague: String,
    colleague_id: Option<String>,
}

pub async fn add_colleague(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Path(id): Path<String>,
    Form(input): Form<ColleagueForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        let (person, name) = colleagues::resolve(
            &state,
            &caller,
            "colleague",
            input.colleague_id.as_deref(),
            &input.colleague,
        )
        .await?;
        act(
            &backend,
            &caller,
            &id,
            "/participants",
            json!({"person_id": person}),
        )
        .await?;
        Ok(form
            .go(page_of(&id))
            .notice(format!("{name} joined the conversation.")))
    };
    form.finish(&page_of(&id), result.await)
}

#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    learned: String,
    #[serde(default)]
    thanks: String,
}

pub async fn close(
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Path(id): Path<String>,
    Form(input): Form<CloseForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        let rating: i64 = input
            .rating
            .trim()
            .parse()
            .map_err(|_| Failure::invalid("rating", "Choose a rating from 1 to 5."))?;
        let thanks = Some(input.thanks.trim()).filter(|t| !t.is_empty());
        act(
            &backend,
            &caller,
            &id,
            "/close",
            json!({"rating": rating, "learned_skills": split_list(&input.learned), "thanks": thanks}),
        )
        .await?;
        Ok(form.go(page_of(&id)).notice(
            "Thank you for closing the loop. Your feedback helps the next person who asks.",
        ))
    };
    form.finish(&page_of(&id), result.await)
}

#[derive(Deserialize)]
pub struct TopicsForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    topics: String,
}

pub async fn topics(
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Path(id): Path<String>,
    Form(input): Form<TopicsForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        act(
            &backend,
            &caller,
            &id,
            "/topics",
            json!({"topics": split_list(&input.topics)}),
        )
        .await?;
        Ok(form
            .go(page_of(&id))
            .notice("Topics confirmed. They count as evidence of what you know."))
    };
    form.finish(&page_of(&id), result.await)
}

#[derive(Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    reason: String,
}

pub async fn report(
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Path(id): Path<String>,
    Form(input): Form<ReportForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        act(
            &backend,
            &caller,
            &id,
            "/report",
            json!({"reason": input.reason}),
        )
        .await?;
        Ok(form
            .stay(&page_of(&id))
            .notice("Thank you. Your admins will look at this."))
    };
    form.finish(&page_of(&id), result.await)
}
