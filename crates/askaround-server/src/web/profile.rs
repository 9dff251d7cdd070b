//! My profile page: what I can help with, what I am learning, when and how to reach me.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use jiff::Timestamp;
use serde::Deserialize;

use askaround_core::FieldErrors;
use askaround_core::ids::SkillId;
use askaround_core::person::Profile;
use askaround_core::skill::SkillLevel;

use super::{Nav, PageResult, WebCaller, check_form_token, render};
use crate::api::dto::{ProfilePatchRequest, SkillLevelInput, resolve_goals, resolve_skills};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    profile: Profile,
    languages: String,
    csrf_token: String,
}

#[derive(Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

async fn show(
    state: &AppState,
    caller: &Caller,
    flash: Option<String>,
    error: Option<String>,
) -> PageResult {
    let profile = state
        .store
        .person(caller.org_id, caller.person_id)
        .await
        .map_err(ApiError::from)?;
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let page = ProfilePage {
        nav: Some(Nav {
            current: "profile",
            name: profile.person.name.clone(),
            csrf_token: caller.csrf_token.clone(),
        }),
        flash,
        error,
        languages: profile
            .person
            .languages
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        profile,
        csrf_token: caller.csrf_token.clone(),
    };
    Ok((status, render(&page)).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Query(saved): Query<Saved>,
) -> PageResult {
    let flash = match saved.saved.as_deref() {
        Some("profile") => Some("Your profile is saved.".to_owned()),
        Some("skills") => Some("Your skills are updated.".to_owned()),
        Some("goals") => Some("Your learning goals are updated.".to_owned()),
        _ => None,
    };
    show(&state, &caller, flash, None).await
}

#[derive(Deserialize)]
pub struct ProfileForm {
    csrf_token: String,
    title: String,
    team: String,
    location: String,
    timezone: String,
    working_hours: String,
    languages: String,
    weekly_budget: String,
    bio: String,
}

pub async fn save(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Form(form): Form<ProfileForm>,
) -> PageResult {
    check_form_token(&caller, &form.csrf_token)?;
    let mut errs = FieldErrors::new();
    let budget = match form.weekly_budget.trim().parse::<i64>() {
        Ok(b) => Some(b),
        Err(_) => {
            errs.push(askaround_core::FieldError::new(
                "weekly_budget",
                "must be a whole number",
            ));
            None
        }
    };
    let languages: Vec<String> = form
        .languages
        .split([';', ','])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let request = ProfilePatchRequest {
        title: Some(Some(form.title)),
        team: Some(Some(form.team)),
        location: Some(Some(form.location)),
        timezone: Some(form.timezone),
        working_hours: Some(form.working_hours),
        languages: Some(languages),
        bio: Some(Some(form.bio)),
        weekly_budget: budget,
        ..ProfilePatchRequest::default()
    };
    let patch = request.validate(&mut errs);
    if !errs.is_empty() {
        return show(&state, &caller, None, Some(errs.to_string())).await;
    }
    state
        .store
        .update_person(caller.org_id, caller.person_id, &patch, Timestamp::now())
        .await
        .map_err(ApiError::from)?;
    Ok(Redirect::to("/profile?saved=profile").into_response())
}

#[derive(Deserialize)]
pub struct SkillForm {
    csrf_token: String,
    skill: String,
    level: Option<SkillLevel>,
}

pub async fn add_skill(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Form(form): Form<SkillForm>,
) -> PageResult {
    check_form_token(&caller, &form.csrf_token)?;
    let profile = state
        .store
        .person(caller.org_id, caller.person_id)
        .await
        .map_err(ApiError::from)?;
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    let mut input: Vec<SkillLevelInput> = profile
        .skills
        .iter()
        .map(|s| SkillLevelInput {
            skill: s.skill_id.to_string(),
            level: Some(s.level),
        })
        .collect();
    // A skill added again replaces its level rather than keeping the higher one.
    if let Some(existing) = taxonomy.resolve(&form.skill) {
        input.retain(|s| s.skill != existing.id.to_string());
    }
    input.push(SkillLevelInput {
        skill: form.skill.clone(),
        level: form.level,
    });
    match resolve_skills(&taxonomy, &input) {
        Ok(skills) => {
            state
                .store
                .set_person_skills(caller.org_id, caller.person_id, &skills, Timestamp::now())
                .await
                .map_err(ApiError::from)?;
            Ok(Redirect::to("/profile?saved=skills").into_response())
        }
        Err(errors) => show(&state, &caller, None, Some(messages_only(&errors))).await,
    }
}

#[derive(Deserialize)]
pub struct RemoveForm {
    csrf_token: String,
    skill: SkillId,
}

pub async fn remove_skill(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Form(form): Form<RemoveForm>,
) -> PageResult {
    check_form_token(&caller, &form.csrf_token)?;
    let profile = state
        .store
        .person(caller.org_id, caller.person_id)
        .await
        .map_err(ApiError::from)?;
    let skills: Vec<(SkillId, SkillLevel)> = profile
        .skills
        .iter()
        .filter(|s| s.skill_id != form.skill)
        .map(|s| (s.skill_id, s.level))
        .collect();
    state
        .store
        .set_person_skills(caller.org_id, caller.person_id, &skills, Timestamp::now())
        .await
        .map_err(ApiError::from)?;
    Ok(Redirect::to("/profile?saved=skills").into_response())
}

#[derive(Deserialize)]
pub struct GoalForm {
    csrf_token: String,
    skill: String,
}

pub async fn add_goal(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Form(form): Form<GoalForm>,
) -> PageResult {
    check_form_token(&caller, &form.csrf_token)?;
    let profile = state
        .store
        .person(caller.org_id, caller.person_id)
        .await
        .map_err(ApiError::from)?;
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    let mut names: Vec<String> = profile
        .goals
        .iter()
        .map(|g| g.skill_id.to_string())
        .collect();
    names.push(form.skill);
    match resolve_goals(&taxonomy, &names) {
        Ok(goals) => {
            state
                .store
                .set_person_goals(caller.org_id, caller.person_id, &goals, Timestamp::now())
                .await
                .map_err(ApiError::from)?;
            Ok(Redirect::to("/profile?saved=goals").into_response())
        }
        Err(errors) => show(&state, &caller, None, Some(messages_only(&errors))).await,
    }
}

pub async fn remove_goal(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Form(form): Form<RemoveForm>,
) -> PageResult {
    check_form_token(&caller, &form.csrf_token)?;
    let profile = state
        .store
        .person(caller.org_id, caller.person_id)
        .await
        .map_err(ApiError::from)?;
    let goals: Vec<SkillId> = profile
        .goals
        .iter()
        .map(|g| g.skill_id)
        .filter(|id| *id != form.skill)
        .collect();
    state
        .store
        .set_person_goals(caller.org_id, caller.person_id, &goals, Timestamp::now())
        .await
        .map_err(ApiError::from)?;
    Ok(Redirect::to("/profile?saved=goals").into_response())
}

/// Form errors read better without the API's field paths ("skills.3.skill").
fn messages_only(errors: &FieldErrors) -> String {
    errors
        .0
        .iter()
        .map(|e| e.message.clone())
        .collect::<Vec<_>>()
        .join("; ")
}
