//! What a person has asked, whom they helped and what they learned; and how a colleague has
//! helped (shown on their page: no leaderboard anywhere).

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;

use askaround_core::ids::{AskId, PersonId};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::routing::cards::{AskView, PersonCard, SkillName};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct LearnedView {
    pub skill: SkillName,
    pub ask_id: AskId,
    pub from: PersonCard,
    pub rating: u8,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct History {
    /// My asks, newest first.
    pub asked: Vec<AskView>,
    /// Asks I took, newest first.
    pub helped: Vec<AskView>,
    /// What I said I learned.
    pub learned: Vec<LearnedView>,
}

/// My history: what I asked, whom I helped, what I learned.
#[utoipa::path(get, path = "/me/history", tag = "me",
    responses((status = 200, body = History), (status = 401, body = ErrorBody)),
    security(("session" = [])))]
pub async fn history(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<History>> {
    let (org, me) = (caller.org_id, caller.person_id);
    let mut asked = Vec::new();
    for ask in state.store.asks_of(org, me, 100).await? {
        asked.push(super::asks::view(&state, &caller, &ask).await?);
    }
    let mut helped = Vec::new();
    for ask in state.store.asks_helped_by(org, me, 100).await? {
        helped.push(super::asks::view(&state, &caller, &ask).await?);
    }
    let taxonomy = state.taxonomies.get(state.store.as_ref(), org).await?;
    let mut learned = Vec::new();
    for item in state.store.learned_by(org, me, 200).await? {
        let (Some(skill), Ok(from)) = (
            taxonomy.get(item.skill),
            state.store.person(org, item.helper).await,
        ) else {
            continue;
        };
        learned.push(LearnedView {
            skill: SkillName {
                id: skill.id,
                name: skill.name.clone(),
            },
            ask_id: item.ask_id,
            from: PersonCard::of(&from),
            rating: item.rating,
            at: item.at,
        });
    }
    Ok(Json(History {
        asked,
        helped,
        learned,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HelpView {
    /// Sessions they helped with that the learner closed.
    pub sessions: u32,
    pub rated: u32,
    pub average_rating: Option<f64>,
    /// What those sessions were about, most frequent first.
    pub skills: Vec<SkillCount>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SkillCount {
    pub skill: SkillName,
    pub sessions: u32,
}

/// How a colleague has helped so far.
#[utoipa::path(get, path = "/people/{id}/help", tag = "people",
    params(("id" = String, Path, description = "Person id")),
    responses((status = 200, body = HelpView), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub async fn help(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<HelpView>> {
    let id: PersonId = id.parse().map_err(|_| ApiError::NotFound)?;
    let person = state.store.person(caller.org_id, id).await?;
    if !person.person.active && !caller.is_admin() {
        return Err(ApiError::NotFound);
    }
    let summary = state.store.help_summary(caller.org_id, id).await?;
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    Ok(Json(HelpView {
        sessions: summary.sessions,
        rated: summary.rated,
        average_rating: summary.average_rating.map(|r| (r * 10.0).round() / 10.0),
        skills: summary
            .skills
            .iter()
            .filter_map(|(skill, n)| {
                taxonomy.get(*skill).map(|s| SkillCount {
                    skill: SkillName {
                        id: s.id,
                        name: s.name.clone(),
                    },
                    sessions: *n,
                })
            })
            .collect(),
    }))
}
