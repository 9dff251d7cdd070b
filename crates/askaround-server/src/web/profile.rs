//! My profile: what I can help with (and at what level), what I am learning, when and how to
//! reach me, and my record as a helper. Presence and time off are in [`super::availability`].

use askama::Template;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use serde_json::{Value, json};

use askaround_core::person::Profile;

use super::backend::{Backend, Failure};
use super::errors::{PageResult, render};
use super::evidence::{HelpRecord, help_record};
use super::reply::{Flash, Notice, Reply, Submission, check_token};
use super::shell::{Shell, WebCaller};
use super::time;
use crate::auth::Caller;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    shell: Option<Shell>,
    profile: Profile,
    languages: String,
    record: HelpRecord,
    /// The out-of-office period as dates in my zone, and as a sentence.
    away: Option<String>,
    away_from: String,
    away_until: String,
}

async fn show(state: &AppState, caller: &Caller, notice: Option<Notice>) -> PageResult {
    let status = if notice.as_ref().is_some_and(|n| n.error) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (shell, profile) = Shell::load(state, caller, "profile", notice).await?;
    let record = help_record(state, caller.org_id, caller.person_id).await?;
    let tz = &profile.person.timezone;
    let today = Timestamp::now();
    let (away, away_from, away_until) = match profile.person.out_of_office {
        Some(period) => {
            // Stored until the start of the day after; shown as the last day away.
            let last_day = period
                .until
                .checked_sub(SignedDuration::from_secs(1))
                .unwrap_or(period.until);
            (
                Some(format!(
                    "Away from {} until {} (no offers meanwhile).",
                    time::local_date(period.from, tz),
                    time::local_date(last_day, tz)
                )),
                time::date_input(period.from, tz),
                time::date_input(last_day, tz),
            )
        }
        None => (
            None,
            time::date_input(today, tz),
            time::date_input(today, tz),
        ),
    };
    let page = ProfilePage {
        shell: Some(shell),
        languages: profile
            .person
            .languages
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        profile,
        record,
        away,
        away_from,
        away_until,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Flash(notice): Flash,
) -> PageResult {
    show(&state, &caller, notice).await
}

/// Without script, a refused profile form shows the page again with the reason (and a 422);
/// with script, the reason appears beside the form.
async fn refused(
    state: &AppState,
    caller: &Caller,
    form: &Submission,
    failure: Failure,
) -> Response {
    if form.is_script() {
        return form.fail("/profile", failure).into_response();
    }
    let notice = Notice {
        error: true,
        text: failure.message,
    };
    show(state, caller, Some(notice)).await.into_response()
}

#[derive(Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    working_hours: String,
    #[serde(default)]
    languages: String,
    #[serde(default)]
    weekly_budget: String,
    #[serde(default)]
    bio: String,
}

/// An empty text field clears the value.
fn optional(text: &str) -> Value {
    match text.trim() {
        "" => Value::Null,
        t => Value::String(t.to_owned()),
    }
}

pub async fn save(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Form(input): Form<ProfileForm>,
) -> Response {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        let budget: i64 = input.weekly_budget.trim().parse().map_err(|_| {
            Failure::invalid("weekly_budget", "Weekly budget: must be a whole number.")
        })?;
        let languages: Vec<&str> = input
            .languages
            .split([';', ','])
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let body = json!({
            "title": optional(&input.title),
            "team": optional(&input.team),
            "location": optional(&input.location),
            "timezone": input.timezone.trim(),
            "working_hours": input.working_hours.trim(),
            "languages": languages,
            "bio": optional(&input.bio),
            "weekly_budget": budget,
        });
        backend
            .request(Method::PATCH, "/me")
            .json(&body)
            .send(&caller)
            .await?;
        Ok::<_, Failure>(form.stay("/profile").notice("Your profile is saved."))
    };
    match result.await {
        Ok(reply) => reply.into_response(),
        Err(failure) if failure.status == StatusCode::FORBIDDEN => {
            form.fail("/profile", failure).into_response()
        }
        Err(failure) => refused(&state, &caller, &form, failure).await,
    }
}

/// Replaces my skills with `skills` (name or id, level) through the API.
async fn put_skills(backend: &Backend, caller: &Caller, skills: Vec<Value>) -> Result<(), Failure> {
    backend
        .request(Method::PUT, "/me/skills")
        .json(&json!({ "skills": skills }))
        .send(caller)
        .await
        .map(drop)
}

async fn put_goals(backend: &Backend, caller: &Caller, goals: Vec<String>) -> Result<(), Failure> {
    backend
        .request(Method::PUT, "/me/goals")
        .json(&json!({ "goals": goals }))
        .send(caller)
        .await
        .map(drop)
}

pub(super) async fn me(state: &AppState, caller: &Caller) -> Result<Profile, Failure> {
    state
        .store
        .person(caller.org_id, caller.person_id)
        .await
        .map_err(|_| Failure::internal())
}

#[derive(Deserialize)]
pub struct SkillForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    skill: String,
    level: Option<String>,
}

pub async fn add_skill(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Form(input): Form<SkillForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        let profile = me(&state, &caller).await?;
        let taxonomy = state
            .taxonomies
            .get(state.store.as_ref(), caller.org_id)
            .await
            .map_err(|_| Failure::internal())?;
        // A skill added again takes the new level rather than keeping the higher one.
        let again = taxonomy.resolve(&input.skill).map(|s| s.id);
        let mut skills: Vec<Value> = profile
            .skills
            .iter()
            .filter(|s| Some(s.skill_id) != again)
            .map(|s| json!({"skill": s.skill_id, "level": s.level}))
            .collect();
        skills.push(json!({"skill": input.skill.trim(), "level": input.level}));
        put_skills(&backend, &caller, skills).await?;
        Ok(form.stay("/profile").notice("Your skills are updated."))
    };
    form.finish("/profile", result.await)
}

#[derive(Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    skill: String,
}

pub async fn remove_skill(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Form(input): Form<RemoveForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        let profile = me(&state, &caller).await?;
        let skills = profile
            .skills
            .iter()
            .filter(|s| s.skill_id.to_string() != input.skill)
            .map(|s| json!({"skill": s.skill_id, "level": s.level}))
            .collect();
        put_skills(&backend, &caller, skills).await?;
        Ok(form.stay("/profile").notice("Your skills are updated."))
    };
    form.finish("/profile", result.await)
}

pub async fn add_goal(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Form(input): Form<RemoveForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        let profile = me(&state, &caller).await?;
        let mut goals: Vec<String> = profile
            .goals
            .iter()
            .map(|g| g.skill_id.to_string())
            .collect();
        goals.push(input.skill.trim().to_owned());
        put_goals(&backend, &caller, goals).await?;
        Ok(form
            .stay("/profile")
            .notice("Your learning goals are updated."))
    };
    form.finish("/profile", result.await)
}

pub async fn remove_goal(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Form(input): Form<RemoveForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        let profile = me(&state, &caller).await?;
        let goals = profile
            .goals
            .iter()
            .map(|g| g.skill_id.to_string())
            .filter(|id| *id != input.skill)
            .collect();
        put_goals(&backend, &caller, goals).await?;
        Ok(form
            .stay("/profile")
            .notice("Your learning goals are updated."))
    };
    form.finish("/profile", result.await)
}
