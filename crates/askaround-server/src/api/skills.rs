//! The organisation's skill taxonomy: search for everyone, edits for admins.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

use askaround_core::ids::SkillId;
use askaround_core::skill::parse_skill_name;
use askaround_core::taxonomy::Taxonomy;
use askaround_core::{FieldError, FieldErrors};
use askaround_store::{NewSkill, SkillPatch};

use super::dto::{
    MergeRequest, NewSkillRequest, SkillDetail, SkillList, SkillPatchRequest, SkillRef, SkillView,
};
use super::json::ApiJson;
use super::query::ApiQuery;
use crate::auth::{Admin, Caller};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SkillParams {
    /// Name or alias, or the start of one; aliases are understood ("k8s" → Kubernetes).
    pub q: Option<String>,
    /// 1 to 50, default 10.
    pub limit: Option<usize>,
}

/// Search skills (autocomplete).
#[utoipa::path(get, path = "/skills", tag = "skills",
    params(SkillParams),
    responses((status = 200, body = SkillList), (status = 401, body = ErrorBody)),
    security(("session" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<SkillParams>,
) -> ApiResult<Json<SkillList>> {
    let limit = params.limit.unwrap_or(10);
    if !(1..=50).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be from 1 to 50"));
    }
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    let items = taxonomy
        .search(params.q.as_deref().unwrap_or(""), limit)
        .into_iter()
        .map(|s| SkillView::of(s, &taxonomy))
        .collect();
    Ok(Json(SkillList { items }))
}

/// One skill with its ancestors and children.
#[utoipa::path(get, path = "/skills/{id}", tag = "skills",
    params(("id" = String, Path, description = "Skill id")),
    responses((status = 200, body = SkillDetail), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<SkillDetail>> {
    let id: SkillId = id.parse().map_err(|_| ApiError::NotFound)?;
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    Ok(Json(detail(&taxonomy, id)?))
}

fn detail(taxonomy: &Taxonomy, id: SkillId) -> ApiResult<SkillDetail> {
    let skill = taxonomy.get(id).ok_or(ApiError::NotFound)?;
    let refs = |ids: &[SkillId]| {
        ids.iter()
            .filter_map(|i| taxonomy.get(*i))
            .map(SkillRef::of)
            .collect::<Vec<_>>()
    };
    let mut children: Vec<SkillRef> = taxonomy
        .skills()
        .iter()
        .filter(|s| s.parent_id == Some(id))
        .map(SkillRef::of)
        .collect();
    children.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(SkillDetail {
        skill: SkillView::of(skill, taxonomy),
        ancestors: refs(&taxonomy.ancestors(id)),
        children,
    })
}

fn resolve(taxonomy: &Taxonomy, field: &str, name: &str) -> Result<SkillId, FieldError> {
    taxonomy.resolve_or_explain(field, name).map(|s| s.id)
}

fn check_aliases(errs: &mut FieldErrors, field: &str, aliases: &[String]) -> Vec<String> {
    aliases
        .iter()
        .enumerate()
        .filter_map(|(i, a)| errs.check(parse_skill_name(&format!("{field}.{i}"), a)))
        .collect()
}

/// Add a skill (admins).
#[utoipa::path(post, path = "/skills", tag = "skills",
    request_body = NewSkillRequest,
    responses(
        (status = 201, body = SkillDetail),
        (status = 403, body = ErrorBody),
        (status = 409, description = "The name or an alias already names a skill", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Admin(caller): Admin,
    ApiJson(body): ApiJson<NewSkillRequest>,
) -> ApiResult<(StatusCode, Json<SkillDetail>)> {
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    let mut errs = FieldErrors::new();
    let name = errs.check(parse_skill_name("name", &body.name));
    let parent_id = body
        .parent
        .as_deref()
        .and_then(|p| errs.check(resolve(&taxonomy, "parent", p)));
    let aliases = check_aliases(&mut errs, "aliases", &body.aliases);
    let new = errs.into_result(|| NewSkill {
        name: name.unwrap_or_default(),
        parent_id,
        aliases,
    })?;
    let skill = state.store.create_skill(caller.org_id, &new).await?;
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    Ok((StatusCode::CREATED, Json(detail(&taxonomy, skill.id)?)))
}

/// Rename, re-parent, add or remove aliases (admins). A rename keeps the old name as an alias.
#[utoipa::path(patch, path = "/skills/{id}", tag = "skills",
    params(("id" = String, Path, description = "Skill id")),
    request_body = SkillPatchRequest,
    responses((status = 200, body = SkillDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("session" = [])))]
pub async fn patch(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SkillPatchRequest>,
) -> ApiResult<Json<SkillDetail>> {
    let id: SkillId = id.parse().map_err(|_| ApiError::NotFound)?;
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    taxonomy.get(id).ok_or(ApiError::NotFound)?;
    let mut errs = FieldErrors::new();
    let name = body
        .name
        .as_deref()
        .and_then(|n| errs.check(parse_skill_name("name", n)));
    let parent_id = match &body.parent {
        None => None,
        Some(None) => Some(None),
        Some(Some(p)) => errs.check(resolve(&taxonomy, "parent", p)).map(Some),
    };
    let add_aliases = check_aliases(&mut errs, "add_aliases", &body.add_aliases);
    let patch = errs.into_result(|| SkillPatch {
        name,
        parent_id,
        add_aliases,
        remove_aliases: body.remove_aliases.clone(),
    })?;
    state.store.update_skill(caller.org_id, id, &patch).await?;
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    Ok(Json(detail(&taxonomy, id)?))
}

/// Merge this skill into another (admins): its holders, learners, aliases and sub-skills move
/// over, and its name becomes an alias of the other.
#[utoipa::path(post, path = "/skills/{id}/merge", tag = "skills",
    params(("id" = String, Path, description = "The skill to fold away")),
    request_body = MergeRequest,
    responses((status = 200, description = "The skill that absorbed it", body = SkillDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub async fn merge(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MergeRequest>,
) -> ApiResult<Json<SkillDetail>> {
    let from: SkillId = id.parse().map_err(|_| ApiError::NotFound)?;
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    taxonomy.get(from).ok_or(ApiError::NotFound)?;
    let into = resolve(&taxonomy, "into", &body.into)?;
    state.store.merge_skills(caller.org_id, from, into).await?;
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    Ok(Json(detail(&taxonomy, into)?))
}
