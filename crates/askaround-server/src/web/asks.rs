//! The home page is the ask box: what do you need help with right now? After sending, the ask's
//! status follows live (the page script refreshes the status fragment on each event) until a
//! helper accepts and the conversation opens.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::{Extension, Form};
use serde::Deserialize;
use serde_json::json;

use askaround_core::ids::PersonId;
use askaround_core::timezone::TimeZoneName;

use super::backend::{Backend, Failure};
use super::errors::{PageResult, render};
use super::offers::{mode_words, urgency_words};
use super::reply::{Flash, Reply, Submission, check_token};
use super::shell::{Shell, WebCaller};
use super::time;
use crate::auth::Caller;
use crate::auth::session::new_token;
use crate::error::ApiError;
use crate::routing::cards::AskView;
use crate::state::AppState;

/// An ask's status as the learner sees it.
pub struct AskStatus {
    pub id: String,
    pub text: String,
    pub state: &'static str,
    pub sentence: String,
    pub details: String,
    pub conversation: Option<String>,
    pub helper: Option<String>,
    /// "Your ask", or whose it is for anyone else allowed to see it.
    pub title: String,
    /// Still waiting for a helper.
    pub waiting: bool,
    /// Waiting, and the viewer asked it.
    pub cancellable: bool,
}

impl AskStatus {
    pub fn of(view: &AskView, viewer: PersonId) -> Self {
        let skills: Vec<&str> = view.skills.iter().map(|s| s.name.as_str()).collect();
        let helper = view.helper.as_ref().map(|h| h.name.clone());
        let mine = view.asker.id == viewer;
        let waiting = matches!(view.status.state, "routing" | "open");
        let sentence = match view.status.state {
            "routing" if view.pending_offers > 0 => format!(
                "Asking {} colleague{} who can help…",
                view.pending_offers,
                plural(view.pending_offers)
            ),
            "routing" => "Looking for colleagues who can help right now…".to_owned(),
            "open" => format!(
                "Nobody could take this yet. It waits on the board of open asks, where {} can \
                 pick it up; we will tell you as soon as someone does.",
                if skills.is_empty() {
                    "colleagues".to_owned()
                } else {
                    format!("colleagues who know {}", skills.join(", "))
                }
            ),
            "matched" if mine => format!(
                "{} will help you.",
                helper.as_deref().unwrap_or("A colleague")
            ),
            "matched" => format!(
                "{} is helping {}.",
                helper.as_deref().unwrap_or("A colleague"),
                view.asker.name
            ),
            "resolved" => "Resolved. Thank you for closing the loop.".to_owned(),
            "cancelled" if mine => "You cancelled this ask.".to_owned(),
            "cancelled" => format!("{} cancelled this ask.", view.asker.name),
            _ => "Nobody took this ask in time. Try rephrasing it, or ask again later.".to_owned(),
        };
        let details = format!(
            "{} {} · {} colleague{} asked so far",
            urgency_words(view.urgency),
            mode_words(view.mode),
            view.people_interrupted,
            plural(view.people_interrupted)
        );
        Self {
            id: view.id.to_string(),
            text: view.text.clone(),
            state: view.status.state,
            sentence,
            details: capitalise(&details),
            conversation: view.conversation_id.map(|c| c.to_string()),
            helper,
            title: if mine {
                "Your ask".to_owned()
            } else {
                format!("{}'s ask", view.asker.name)
            },
            waiting,
            cancellable: waiting && mine,
        }
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A line in "my recent asks".
pub struct AskRow {
    pub text: String,
    pub state: &'static str,
    pub when: String,
    pub link: String,
}

impl AskRow {
    pub fn of(view: &AskView, tz: &TimeZoneName) -> Self {
        Self {
            text: view.text.clone(),
            state: view.status.state,
            when: time::local(view.created_at, tz),
            link: match view.conversation_id {
                Some(c) => format!("/conversations/{c}"),
                None => format!("/asks/{}", view.id),
            },
        }
    }
}

/// My asks, newest first, as the API shows them to me.
pub async fn my_asks(
    state: &AppState,
    caller: &Caller,
    limit: u32,
) -> Result<Vec<AskView>, ApiError> {
    let asks = state
        .store
        .asks_of(caller.org_id, caller.person_id, limit)
        .await?;
    let mut views = Vec::with_capacity(asks.len());
    for ask in &asks {
        views.push(crate::api::asks::view(state, caller, ask).await?);
    }
    Ok(views)
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    shell: Option<Shell>,
    active: Option<AskStatus>,
    recent: Vec<AskRow>,
    idempotency_key: String,
}

pub async fn home(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Flash(notice): Flash,
) -> PageResult {
    let (shell, me) = Shell::load(&state, &caller, "ask", notice).await?;
    let asks = my_asks(&state, &caller, 6).await?;
    let active = asks
        .iter()
        .find(|a| matches!(a.status.state, "routing" | "open"))
        .map(|a| AskStatus::of(a, caller.person_id));
    let recent = asks
        .iter()
        .map(|a| AskRow::of(a, &me.person.timezone))
        .collect();
    Ok(render(&HomePage {
        shell: Some(shell),
        active,
        recent,
        idempotency_key: new_token(),
    }))
}

#[derive(Deserialize)]
pub struct AskForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    skills: String,
    urgency: Option<String>,
    mode: Option<String>,
    /// Rendered into the form, so a double submit or a retried post creates one ask.
    idempotency_key: Option<String>,
}

/// Skills typed into one field: "Excel, pivot tables; VLOOKUP".
pub fn split_list(raw: &str) -> Vec<String> {
    raw.split([',', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

pub async fn create(
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Form(input): Form<AskForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        let body = json!({
            "text": input.text,
            "skills": split_list(&input.skills),
            "urgency": input.urgency.filter(|u| !u.is_empty()),
            "mode": input.mode.filter(|m| !m.is_empty()),
        });
        let ask = backend
            .request(Method::POST, "/asks")
            .json(&body)
            .idempotency_key(input.idempotency_key.filter(|k| !k.is_empty()))
            .send(&caller)
            .await?;
        let id = ask["id"].as_str().ok_or_else(Failure::internal)?;
        Ok(form
            .go(format!("/asks/{id}"))
            .notice("Your ask is out. We will tell you here as soon as someone accepts.")
            .data(json!({"ask_id": id})))
    };
    form.finish("/", result.await)
}

async fn status_of(state: &AppState, caller: &Caller, id: String) -> Result<AskStatus, ApiError> {
    let view = crate::api::asks::get_one(State(state.clone()), caller.clone(), Path(id))
        .await?
        .0;
    Ok(AskStatus::of(&view, caller.person_id))
}

#[derive(Template)]
#[template(path = "ask.html")]
struct AskPage {
    shell: Option<Shell>,
    ask: AskStatus,
}

pub async fn page(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Flash(notice): Flash,
    Path(id): Path<String>,
) -> PageResult {
    let ask = status_of(&state, &caller, id).await?;
    let (shell, _) = Shell::load(&state, &caller, "ask", notice).await?;
    Ok(render(&AskPage {
        shell: Some(shell),
        ask,
    }))
}

#[derive(Template)]
#[template(path = "ask_status_fragment.html")]
struct StatusFragment {
    ask: AskStatus,
    csrf_token: String,
}

/// The status card alone, for the page script to swap in when an event about the ask arrives.
pub async fn status_fragment(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Path(id): Path<String>,
) -> PageResult {
    let ask = status_of(&state, &caller, id).await?;
    Ok(render(&StatusFragment {
        ask,
        csrf_token: caller.csrf_token,
    }))
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf_token: String,
}

pub async fn cancel(
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Path(id): Path<String>,
    Form(input): Form<TokenForm>,
) -> Reply {
    let back = format!("/asks/{}", super::errors::urlencode(&id));
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        backend
            .post(
                &caller,
                &format!("/asks/{}/cancel", super::errors::urlencode(&id)),
                json!({}),
            )
            .await?;
        Ok(form
            .stay(&back)
            .notice("Your ask is cancelled; nobody else will be asked."))
    };
    form.finish(&back, result.await)
}

#[cfg(test)]
mod tests {
    use super::split_list;

    #[test]
    fn typed_lists_split_on_commas_and_semicolons() {
        assert_eq!(
            split_list(" Excel, pivot tables;;VLOOKUP ,"),
            ["Excel", "pivot tables", "VLOOKUP"]
        );
        assert!(split_list(" , ").is_empty());
    }
}
