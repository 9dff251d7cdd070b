//! The people directory and a colleague's page.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;

use askaround_core::ids::PersonId;
use askaround_core::person::Profile;

use super::{Nav, PageResult, WebCaller, render, urlencode};
use crate::api::people::{PeopleParams, search};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "people.html")]
struct DirectoryPage {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    q: String,
    skill: String,
    resolved_skill: Option<String>,
    people: Vec<Profile>,
    next_url: Option<String>,
}

async fn nav(state: &AppState, caller: &Caller, current: &'static str) -> Result<Nav, ApiError> {
    let me = state.store.person(caller.org_id, caller.person_id).await?;
    Ok(Nav {
        current,
        name: me.person.name,
        csrf_token: caller.csrf_token.clone(),
    })
}

pub async fn directory(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
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
    let page = DirectoryPage {
        nav: Some(nav(&state, &caller, "people").await?),
        flash: None,
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
    nav: Option<Nav>,
    flash: Option<String>,
    profile: Profile,
    languages: String,
}

pub async fn person(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
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
    let page = PersonPage {
        nav: Some(nav(&state, &caller, "people").await?),
        flash: None,
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
