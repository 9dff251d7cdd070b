//! Admins managing people: find anyone (deactivated too), add someone with an invitation link,
//! send a new link, deactivate or reactivate.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, header};
use axum::{Extension, Form};
use serde::Deserialize;
use serde_json::{Value, json};

use super::admins_only;
use crate::api::people::{PeopleParams, search};
use crate::state::AppState;
use crate::web::backend::{Backend, Failure};
use crate::web::errors::{PageResult, render, urlencode};
use crate::web::reply::{Flash, Reply, Submission, check_token};
use crate::web::shell::{Shell, WebCaller};

pub struct PersonRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub about: String,
    pub admin: bool,
    pub active: bool,
    pub me: bool,
}

#[derive(Template)]
#[template(path = "admin_people.html")]
struct PeoplePage {
    shell: Option<Shell>,
    q: String,
    people: Vec<PersonRow>,
    next_url: Option<String>,
    timezone: String,
}

#[derive(Deserialize)]
pub struct PeopleQuery {
    q: Option<String>,
    cursor: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Flash(notice): Flash,
    Query(query): Query<PeopleQuery>,
) -> PageResult {
    admins_only(&caller)?;
    let (shell, me) = Shell::load(&state, &caller, "admin", notice).await?;
    let q = query.q.unwrap_or_default();
    let params = PeopleParams {
        q: Some(q.clone()).filter(|q| !q.trim().is_empty()),
        include_inactive: Some(true),
        limit: Some(50),
        cursor: query.cursor,
        ..PeopleParams::default()
    };
    let list = search(&state, &caller, &params).await?;
    let people = list
        .items
        .iter()
        .map(|p| PersonRow {
            id: p.person.id.to_string(),
            name: p.person.name.clone(),
            email: p.person.email.to_string(),
            about: [p.person.title.clone(), p.person.team.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
            admin: p.person.role == askaround_core::person::Role::Admin,
            active: p.person.active,
            me: p.person.id == caller.person_id,
        })
        .collect();
    let next_url = list
        .next_cursor
        .map(|c| format!("/admin/people?q={}&cursor={c}", urlencode(&q)));
    Ok(render(&PeoplePage {
        shell: Some(shell),
        q,
        people,
        next_url,
        timezone: me.person.timezone.to_string(),
    }))
}

/// The full link to hand out: the public address, or the one this admin is using.
fn full_link(state: &AppState, headers: &HeaderMap, invitation: &Value) -> String {
    let path = invitation["url"].as_str().unwrap_or_default();
    let base = match &state.config.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            format!("http://{host}")
        }
    };
    format!("{base}{path}")
}

#[derive(Deserialize)]
pub struct NewPersonForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    role: String,
}

fn text(value: &str) -> Option<&str> {
    Some(value.trim()).filter(|v| !v.is_empty())
}

pub async fn create(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    headers: HeaderMap,
    form: Submission,
    Form(input): Form<NewPersonForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        let body = json!({
            "email": input.email.trim(),
            "name": input.name.trim(),
            "title": text(&input.title),
            "team": text(&input.team),
            "timezone": text(&input.timezone),
            "role": text(&input.role),
        });
        let created = backend.post(&caller, "/people", body).await?;
        let name = created["person"]["name"].as_str().unwrap_or("They");
        let link = full_link(&state, &headers, &created["invitation"]);
        Ok(form
            .stay("/admin/people")
            .notice(format!(
                "{name} is added. Send them this link to choose a password: {link}"
            ))
            .data(json!({"invitation": link})))
    };
    form.finish("/admin/people", result.await)
}

#[derive(Deserialize)]
pub struct ActiveForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    active: String,
}

pub async fn set_active(
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Path(id): Path<String>,
    Form(input): Form<ActiveForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        let active = input.active == "true";
        let person = backend
            .request(Method::PATCH, &format!("/people/{}", urlencode(&id)))
            .json(&json!({ "active": active }))
            .send(&caller)
            .await?;
        let name = person["name"].as_str().unwrap_or("They");
        Ok(form.stay("/admin/people").notice(if active {
            format!("{name} is active again.")
        } else {
            format!("{name} is deactivated and signed out everywhere.")
        }))
    };
    form.finish("/admin/people", result.await)
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf_token: String,
}

pub async fn reinvite(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    headers: HeaderMap,
    form: Submission,
    Path(id): Path<String>,
    Form(input): Form<TokenForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        let invitation = backend
            .post(
                &caller,
                &format!("/people/{}/invitation", urlencode(&id)),
                json!({}),
            )
            .await?;
        if invitation["url"].is_null() {
            return Err(Failure::internal());
        }
        let link = full_link(&state, &headers, &invitation);
        Ok(form
            .stay("/admin/people")
            .notice(format!("New invitation link (send it to them): {link}"))
            .data(json!({"invitation": link})))
    };
    form.finish("/admin/people", result.await)
}
