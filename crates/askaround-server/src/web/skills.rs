//! The skills directory: search the taxonomy (aliases understood) and find who can help with each.

use askama::Template;
use axum::extract::{Query, State};
use serde::Deserialize;

use super::errors::{PageResult, render};
use super::reply::Flash;
use super::shell::{Shell, WebCaller};
use crate::api::dto::SkillView;
use crate::state::AppState;

const SHOWN: usize = 40;

#[derive(Template)]
#[template(path = "skills.html")]
struct SkillsPage {
    shell: Option<Shell>,
    q: String,
    skills: Vec<SkillView>,
}

#[derive(Deserialize)]
pub struct SkillQuery {
    q: Option<String>,
}

pub async fn directory(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Flash(notice): Flash,
    Query(query): Query<SkillQuery>,
) -> PageResult {
    let (shell, _) = Shell::load(&state, &caller, "people", notice).await?;
    let q = query.q.unwrap_or_default();
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    let skills = taxonomy
        .search(q.trim(), SHOWN)
        .into_iter()
        .map(|s| SkillView::of(s, &taxonomy))
        .collect();
    Ok(render(&SkillsPage {
        shell: Some(shell),
        q,
        skills,
    }))
}
