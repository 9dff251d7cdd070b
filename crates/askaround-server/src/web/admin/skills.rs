//! Admins curating the taxonomy: add a skill (under a parent, with aliases), teach it another
//! name, merge a duplicate into the skill that stays.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::Method;
use axum::{Extension, Form};
use serde::Deserialize;
use serde_json::json;

use askaround_core::ids::SkillId;

use super::admins_only;
use crate::api::dto::SkillView;
use crate::auth::Caller;
use crate::state::AppState;
use crate::web::asks::split_list;
use crate::web::backend::{Backend, Failure};
use crate::web::errors::{PageResult, render};
use crate::web::reply::{Flash, Reply, Submission, check_token};
use crate::web::shell::{Shell, WebCaller};

const SHOWN: usize = 25;

#[derive(Template)]
#[template(path = "admin_skills.html")]
struct SkillsPage {
    shell: Option<Shell>,
    q: String,
    skills: Vec<SkillView>,
}

#[derive(Deserialize)]
pub struct SkillQuery {
    q: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Flash(notice): Flash,
    Query(query): Query<SkillQuery>,
) -> PageResult {
    admins_only(&caller)?;
    let (shell, _) = Shell::load(&state, &caller, "admin", notice).await?;
    let q = query.q.unwrap_or_default();
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    let skills = if q.trim().is_empty() {
        Vec::new()
    } else {
        taxonomy
            .search(q.trim(), SHOWN)
            .into_iter()
            .map(|s| SkillView::of(s, &taxonomy))
            .collect()
    };
    Ok(render(&SkillsPage {
        shell: Some(shell),
        q,
        skills,
    }))
}

/// The skill a form names (name, alias or id), or why there is none.
async fn skill_named(
    state: &AppState,
    caller: &Caller,
    field: &str,
    name: &str,
) -> Result<(SkillId, String), Failure> {
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await
        .map_err(|_| Failure::internal())?;
    taxonomy
        .resolve_or_explain(field, name.trim())
        .map(|s| (s.id, s.name.clone()))
        .map_err(|e| Failure::invalid(field, format!("{}.", e.message)))
}

#[derive(Deserialize)]
pub struct NewSkillForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    aliases: String,
}

pub async fn create(
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Form(input): Form<NewSkillForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        let parent = Some(input.parent.trim()).filter(|p| !p.is_empty());
        let skill = backend
            .post(
                &caller,
                "/skills",
                json!({"name": input.name.trim(), "parent": parent, "aliases": split_list(&input.aliases)}),
            )
            .await?;
        let name = skill["name"].as_str().unwrap_or_default();
        Ok(form
            .go(format!(
                "/admin/skills?q={}",
                crate::web::errors::urlencode(name)
            ))
            .notice(format!("{name} is added to the skills.")))
    };
    form.finish("/admin/skills", result.await)
}

#[derive(Deserialize)]
pub struct AliasForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    skill: String,
    #[serde(default)]
    alias: String,
}

pub async fn add_alias(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Form(input): Form<AliasForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        let (id, name) = skill_named(&state, &caller, "skill", &input.skill).await?;
        backend
            .request(Method::PATCH, &format!("/skills/{id}"))
            .json(&json!({"add_aliases": [input.alias.trim()]}))
            .send(&caller)
            .await?;
        Ok(form
            .stay("/admin/skills")
            .notice(format!("'{}' now also means {name}.", input.alias.trim())))
    };
    form.finish("/admin/skills", result.await)
}

#[derive(Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    into: String,
}

pub async fn merge(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Form(input): Form<MergeForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        let (from, from_name) = skill_named(&state, &caller, "from", &input.from).await?;
        let kept = backend
            .post(
                &caller,
                &format!("/skills/{from}/merge"),
                json!({"into": input.into.trim()}),
            )
            .await?;
        let kept = kept["name"].as_str().unwrap_or_default();
        Ok(form.stay("/admin/skills").notice(format!(
            "{from_name} is merged into {kept}: its people, learners and aliases moved over."
        )))
    };
    form.finish("/admin/skills", result.await)
}
