//! `POST /api/v1/match/preview`: who an ask would go to right now, with reasons, and what the
//! gates held back. For transparency and for debugging routing.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use askaround_core::FieldErrors;
use askaround_core::asks::AskText;
use askaround_core::ids::PersonId;
use askaround_core::matching::{self, GateReport, Urgency};

use super::json::ApiJson;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::routing::cards::{PersonCard, SkillName, skill_names};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    pub text: String,
    #[serde(default)]
    pub skills: Vec<String>,
    pub urgency: Option<Urgency>,
    /// Admins: preview as this colleague (default: yourself).
    pub asker_id: Option<PersonId>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewCandidate {
    pub person: PersonCard,
    pub score: f64,
    /// "helped 6 people with Excel, rated 4.8 · online · 14:10 in Lisbon · 2 of 5 weekly offers used"
    pub summary: String,
    /// In the first wave to give a newcomer a chance.
    pub explored: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Preview {
    /// In offer order.
    pub candidates: Vec<PreviewCandidate>,
    /// What the gates held back: "12 people who know Microsoft Excel are outside their working hours".
    pub gates: GateReport,
    pub explanations: Vec<String>,
    /// Skills the ask is about (tagged, or named in its text).
    pub skills: Vec<SkillName>,
}

#[utoipa::path(post, path = "/match/preview", tag = "asks",
    request_body = PreviewRequest,
    responses((status = 200, body = Preview), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<PreviewRequest>,
) -> ApiResult<Json<Preview>> {
    let asker_id = match body.asker_id {
        Some(id) if id != caller.person_id && !caller.is_admin() => {
            return Err(ApiError::Forbidden);
        }
        Some(id) => id,
        None => caller.person_id,
    };
    let asker = state.store.person(caller.org_id, asker_id).await?;
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    let mut errs = FieldErrors::new();
    let text = errs.check(AskText::parse(&body.text));
    let skills: Vec<_> = body
        .skills
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            errs.check(taxonomy.resolve_or_explain(&format!("skills.{i}"), s))
                .map(|s| s.id)
        })
        .collect();
    let text = match text {
        Some(t) if errs.is_empty() => t,
        _ => return Err(errs.into()),
    };
    let query = matching::Ask {
        text: text.as_str().to_owned(),
        skills,
        urgency: body.urgency.unwrap_or_default(),
        language: asker.person.languages.first().cloned(),
        seed: 0,
    };
    let outcome = state
        .routing
        .rank_for(caller.org_id, &asker, &query)
        .await?;
    let mut candidates = Vec::with_capacity(outcome.candidates.len());
    for c in &outcome.candidates {
        if let Ok(profile) = state.store.person(caller.org_id, c.person).await {
            candidates.push(PreviewCandidate {
                person: PersonCard::of(&profile),
                score: c.score,
                summary: c.summary(),
                explored: c.explored,
            });
        }
    }
    Ok(Json(Preview {
        candidates,
        explanations: outcome.explanations(),
        skills: skill_names(&taxonomy, &outcome.skills),
        gates: outcome.gates,
    }))
}
