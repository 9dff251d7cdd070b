//! The board of open asks: what nobody could take yet, by default about the skills I can help
//! with. Anyone may pick one up; the conversation then opens.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::{Extension, Form};
use serde::Deserialize;
use serde_json::json;

use askaround_core::asks::HelpMode;
use askaround_core::matching::Urgency;
use axum::http::Method;
use jiff::Timestamp;

use super::backend::{Backend, Failure};
use super::errors::{PageResult, render, urlencode};
use super::offers::{mode_words, urgency_words};
use super::reply::{Flash, Reply, Submission, check_token};
use super::shell::{Shell, WebCaller};
use super::time;
use crate::state::AppState;

pub struct OpenAsk {
    pub id: String,
    pub asker: String,
    pub text: String,
    pub skills: Vec<String>,
    pub how: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    shell: Option<Shell>,
    skill: String,
    all: bool,
    error: Option<String>,
    asks: Vec<OpenAsk>,
}

#[derive(Deserialize)]
pub struct BoardQuery {
    skill: Option<String>,
    all: Option<String>,
}

/// A board entry as the API lists it.
#[derive(Deserialize)]
struct BoardItem {
    id: String,
    text: String,
    asker: Named,
    skills: Vec<Named>,
    urgency: Urgency,
    mode: HelpMode,
    created_at: Timestamp,
}

#[derive(Deserialize)]
struct Named {
    name: String,
}

#[derive(Deserialize)]
struct BoardList {
    items: Vec<BoardItem>,
}

pub async fn page(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    Flash(notice): Flash,
    Query(query): Query<BoardQuery>,
) -> PageResult {
    let (shell, me) = Shell::load(&state, &caller, "board", notice).await?;
    let skill = query.skill.unwrap_or_default();
    let all = query.all.is_some_and(|a| !a.is_empty());
    let path = format!(
        "/asks/open?limit=100&all={all}&skill={}",
        urlencode(skill.trim())
    );
    let (items, error) = match backend.request(Method::GET, &path).send(&caller).await {
        Ok(answer) => match serde_json::from_value::<BoardList>(answer) {
            Ok(list) => (list.items, None),
            Err(e) => {
                tracing::error!(error = %e, "the board answer did not parse");
                (Vec::new(), Some(Failure::internal().message))
            }
        },
        Err(failure) => (Vec::new(), Some(failure.message)),
    };
    let tz = &me.person.timezone;
    let asks = items
        .into_iter()
        .map(|a| OpenAsk {
            id: a.id,
            asker: a.asker.name,
            text: a.text,
            skills: a.skills.into_iter().map(|s| s.name).collect(),
            how: format!("{} {}", urgency_words(a.urgency), mode_words(a.mode)),
            when: time::local(a.created_at, tz),
        })
        .collect();
    Ok(render(&BoardPage {
        shell: Some(shell),
        skill,
        all,
        error,
        asks,
    }))
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf_token: String,
}

pub async fn claim(
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Path(id): Path<String>,
    Form(input): Form<TokenForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        let ask = backend
            .post(
                &caller,
                &format!("/asks/{}/claim", urlencode(&id)),
                json!({}),
            )
            .await?;
        let conversation = ask["conversation_id"]
            .as_str()
            .ok_or_else(Failure::internal)?;
        let asker = ask["asker"]["name"].as_str().unwrap_or("them");
        Ok(form
            .go(format!("/conversations/{conversation}"))
            .notice(format!(
                "You picked this up. {asker} has been told you will help."
            )))
    };
    form.finish("/board", result.await)
}
