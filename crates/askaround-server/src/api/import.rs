//! `POST /api/v1/people/import`: the admin CSV upload.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use askaround_core::people_csv::ImportDefaults;

use super::dto::{ImportProblemLine, ImportRefused, ImportReport};
use super::json::body_error;
use super::query::ApiQuery;
use crate::auth::Admin;
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorDetail};
use crate::people_import::{ImportOptions, ImportResult, run};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Import the valid rows and report the others (default: import nothing if any row is bad).
    pub skip_invalid: Option<bool>,
    /// Only validate.
    pub dry_run: Option<bool>,
}

/// Import or update people from CSV (columns as in the README; re-importing updates by email).
#[utoipa::path(post, path = "/people/import", tag = "people",
    params(ImportParams),
    request_body(content = String, content_type = "text/csv", description = "The CSV file, UTF-8, header row first"),
    responses(
        (status = 200, description = "Imported (or validated, with dry_run)", body = ImportReport),
        (status = 403, body = ErrorBody),
        (status = 422, description = "Bad rows: nothing was imported", body = ImportRefused)),
    security(("session" = [])))]
pub async fn import(
    State(state): State<AppState>,
    Admin(caller): Admin,
    ApiQuery(params): ApiQuery<ImportParams>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if !matches!(
        content_type.as_str(),
        "text/csv" | "application/csv" | "text/plain" | "application/octet-stream"
    ) {
        return Err(ApiError::UnsupportedMediaType {
            expected: "text/csv",
        });
    }
    let body = body.map_err(body_error)?;
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    let admin = state.store.person(caller.org_id, caller.person_id).await?;
    let defaults = ImportDefaults {
        timezone: admin.person.timezone,
    };
    let options = ImportOptions {
        skip_invalid: params.skip_invalid.unwrap_or(false),
        dry_run: params.dry_run.unwrap_or(false),
        uploader: Some(admin.person.email.clone()),
    };
    let result = run(
        state.store.as_ref(),
        caller.org_id,
        taxonomy,
        defaults,
        std::io::Cursor::new(body),
        options,
        |_| {},
    )
    .await?;
    if matches!(result, ImportResult::Done { dry_run: false, .. }) {
        state.routing.matchers.invalidate(caller.org_id);
    }
    let lines = |problems: Vec<crate::people_import::LineProblems>| -> Vec<ImportProblemLine> {
        problems
            .into_iter()
            .map(|p| ImportProblemLine {
                line: p.line,
                problems: p.problems,
            })
            .collect()
    };
    Ok(match result {
        ImportResult::Refused { rows, problems } => {
            let bad = problems.len();
            let first = problems
                .first()
                .and_then(|p| p.problems.first())
                .cloned()
                .unwrap_or_default();
            let body = ImportRefused {
                error: ErrorDetail {
                    code: "invalid_rows".to_owned(),
                    message: format!(
                        "{bad} of {rows} rows have problems, so nothing was imported; first: {first}"
                    ),
                    field: None,
                    fields: Vec::new(),
                },
                problems: lines(problems),
            };
            (axum::http::StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
        }
        ImportResult::Done {
            rows,
            created,
            updated,
            skipped,
            dry_run,
        } => Json(ImportReport {
            created,
            updated,
            rows,
            skipped: lines(skipped),
            dry_run,
        })
        .into_response(),
    })
}
