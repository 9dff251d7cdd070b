//! My history: what I asked, whom I helped (and what they said), what I learned.

use askama::Template;
use axum::extract::State;

use askaround_core::ids::AskId;
use askaround_core::timezone::TimeZoneName;

use super::asks::{AskRow, my_asks};
use super::errors::{PageResult, render};
use super::reply::Flash;
use super::shell::{Shell, WebCaller};
use super::time;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

const RECENT: u32 = 100;

pub struct HelpedRow {
    pub learner: String,
    pub text: String,
    pub when: String,
    pub link: String,
    pub rating: Option<u8>,
    pub thanks: Option<String>,
}

pub struct LearnedRow {
    pub helper: String,
    pub text: String,
    pub when: String,
    pub link: String,
    pub skills: Vec<String>,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    shell: Option<Shell>,
    asked: Vec<AskRow>,
    helped: Vec<HelpedRow>,
    learned: Vec<LearnedRow>,
}

pub async fn page(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Flash(notice): Flash,
) -> PageResult {
    let (shell, me) = Shell::load(&state, &caller, "history", notice).await?;
    let tz = &me.person.timezone;
    let asked = my_asks(&state, &caller, RECENT)
        .await?
        .iter()
        .map(|a| AskRow::of(a, tz))
        .collect();
    Ok(render(&HistoryPage {
        shell: Some(shell),
        asked,
        helped: helped(&state, &caller, tz).await?,
        learned: learned(&state, &caller, tz).await?,
    }))
}

/// Where an ask is talked about: its conversation, or else its own page.
async fn link_of(state: &AppState, caller: &Caller, ask: AskId) -> String {
    match state.store.conversation_of_ask(caller.org_id, ask).await {
        Ok(c) => format!("/conversations/{}", c.id),
        Err(_) => format!("/asks/{ask}"),
    }
}

async fn helped(
    state: &AppState,
    caller: &Caller,
    tz: &TimeZoneName,
) -> Result<Vec<HelpedRow>, ApiError> {
    let asks = state
        .store
        .asks_helped_by(caller.org_id, caller.person_id, RECENT)
        .await?;
    let mut rows = Vec::with_capacity(asks.len());
    for ask in &asks {
        let learner = state.store.person(caller.org_id, ask.asker).await?;
        let feedback = state.store.feedback(caller.org_id, ask.id).await?;
        rows.push(HelpedRow {
            learner: learner.person.name,
            text: ask.text.as_str().to_owned(),
            when: time::local_date(ask.created_at, tz),
            link: link_of(state, caller, ask.id).await,
            rating: feedback.as_ref().map(|f| f.rating),
            thanks: feedback.and_then(|f| f.thanks),
        });
    }
    Ok(rows)
}

/// What I said I learned, one row per ask.
async fn learned(
    state: &AppState,
    caller: &Caller,
    tz: &TimeZoneName,
) -> Result<Vec<LearnedRow>, ApiError> {
    let items = state
        .store
        .learned_by(caller.org_id, caller.person_id, RECENT)
        .await?;
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    let mut rows: Vec<(AskId, LearnedRow)> = Vec::new();
    for item in &items {
        let skill = taxonomy.get(item.skill).map(|s| s.name.clone());
        if let Some((_, row)) = rows.iter_mut().find(|(ask, _)| *ask == item.ask_id) {
            row.skills.extend(skill);
            continue;
        }
        let ask = state.store.ask(caller.org_id, item.ask_id).await?;
        let helper = state.store.person(caller.org_id, item.helper).await?;
        rows.push((
            item.ask_id,
            LearnedRow {
                helper: helper.person.name,
                text: ask.text.as_str().to_owned(),
                when: time::local_date(item.at, tz),
                link: link_of(state, caller, item.ask_id).await,
                skills: skill.into_iter().collect(),
            },
        ));
    }
    Ok(rows.into_iter().map(|(_, row)| row).collect())
}
