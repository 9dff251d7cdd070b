//! The people directory (by name or skill) and a colleague's page: what they help with and how
//! they were rated, with no public ranking.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;

use askaround_core::ids::PersonId;
use askaround_core::person::Profile;

use super::errors::{PageResult, render, urlencode};
use super::evidence::{HelpRecord, help_record};
use super::reply::Flash;
use super::shell::{Shell, WebCaller};
use crate::api::people::{PeopleParams, search};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "people.html")]
struct DirectoryPage {
    shell: Option<Shell>,
    error: Option<String>,
    q: String,
    skill: String,
    resolved_skill: Option<String>,
    people: Vec<Profile>,
    next_url: Option<String>,
}

pub async fn directory(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Flash(notice): Flash,
    Query(params): Query<PeopleParams>,
) -> PageResult {
    let q = params.q.clone().unwrap_or_default();
    let skill = params.skill.clone().unwrap_or_default();
    let params = PeopleParams {
        limit: Some(params.limit.unwrap_or(30).clamp(1, 200)),
        ..params
    };
    let (people, next, error) = match search(&state, &caller, &params).await {
        Ok(list) => (list.items, list.next_cursor, None),
        Err(ApiError::Invalid(errors)) => (
            Vec::new(),
            None,
            Some(
                errors
                    .0
                    .iter()
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        ),
        Err(other) => return Err(other.into()),
    };
    let resolved_skill = if skill.trim().is_empty() || error.is_some() {
        None
    } else {
        let taxonomy = state
            .taxonomies
            .get(state.store.as_ref(), caller.org_id)
            .await?;
        taxonomy
            .resolve_or_explain("skill", &skill)
            .ok()
            .map(|s| s.name.clone())
    };
    let next_url = next.map(|cursor| {
        format!(
            "/people?q={}&skill={}&cursor={cursor}",
            urlencode(&q),
            urlencode(&skill)
        )
    });
    let (shell, _) = Shell::load(&state, &caller, "people", notice).await?;
    let page = DirectoryPage {
        shell: Some(shell),
        error,
        q,
        skill,
        resolved_skill,
        people,
        next_url,
    };
    Ok(render(&page).into_response())
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    shell: Option<Shell>,
    profile: Profile,
    languages: String,
    record: HelpRecord,
}

pub async fn person(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Flash(notice): Flash,
    Path(id): Path<String>,
) -> PageResult {
    let id: PersonId = id.parse().map_err(|_| ApiError::NotFound)?;
    let profile = state
        .store
        .person(caller.org_id, id)
        .await
        .map_err(ApiError::from)?;
    if !profile.person.active && !caller.is_admin() {
        return Err(ApiError::NotFound.into());
    }
    let record = help_record(&state, caller.org_id, id).await?;
    let (shell, _) = Shell::load(&state, &caller, "people", notice).await?;
    let page = PersonPage {
        shell: Some(shell),
        record,
        languages: profile
            .person
            .languages
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        profile,
    };
    Ok(render(&page).into_response())
}
