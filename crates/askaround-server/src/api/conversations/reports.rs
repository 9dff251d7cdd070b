//! Reports: anyone in a conversation can report a problem with it, and admins list what people
//! reported.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use askaround_core::text::bounded;

use super::{conversation_id, joined};
use crate::api::json::ApiJson;
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};
use crate::routing::cards::PersonCard;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// What happened (admins see it; 1 to 2,000 characters).
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportReceived {
    pub id: String,
    pub message: &'static str,
}

/// Report a problem (abuse goes to admins).
#[utoipa::path(post, path = "/conversations/{id}/report", tag = "conversations",
    params(("id" = String, Path, description = "Conversation id")),
    request_body = ReportRequest,
    responses((status = 201, body = ReportReceived), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReportRequest>,
) -> ApiResult<(StatusCode, Json<ReportReceived>)> {
    let c = joined(&state, &caller, conversation_id(&id)?).await?;
    let reason = bounded("reason", &body.reason, 1, 2000, true)?;
    let report = state
        .store
        .report(
            caller.org_id,
            c.ask_id,
            caller.person_id,
            &reason,
            Timestamp::now(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ReportReceived {
            id: report.id,
            message: "Thank you. Your admins will look at this.",
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportView {
    pub id: String,
    pub ask_id: askaround_core::ids::AskId,
    pub reporter: PersonCard,
    pub reason: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportList {
    pub items: Vec<ReportView>,
}

/// Problems people reported (admins).
#[utoipa::path(get, path = "/reports", tag = "conversations",
    responses((status = 200, body = ReportList), (status = 403, body = ErrorBody)),
    security(("session" = [])))]
pub async fn reports(
    State(state): State<AppState>,
    crate::auth::Admin(caller): crate::auth::Admin,
) -> ApiResult<Json<ReportList>> {
    let reports = state.store.reports(caller.org_id, 200).await?;
    let mut items = Vec::with_capacity(reports.len());
    for r in reports {
        let reporter = state.store.person(caller.org_id, r.reporter).await?;
        items.push(ReportView {
            id: r.id,
            ask_id: r.ask_id,
            reporter: PersonCard::of(&reporter),
            reason: r.reason,
            created_at: r.created_at,
        });
    }
    Ok(Json(ReportList { items }))
}
