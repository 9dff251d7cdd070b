//! Importing people from a CSV upload, with the report of every bad row by line. A plain
//! multipart form: it works without script and shows its report as a page.

use askama::Template;
use axum::Extension;
use axum::extract::{Multipart, State};
use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use serde::Deserialize;

use super::admins_only;
use crate::state::AppState;
use crate::web::backend::{Backend, Failure};
use crate::web::errors::{PageResult, render};
use crate::web::reply::{Flash, Notice, check_token};
use crate::web::shell::{Shell, WebCaller};

/// One line of the report.
#[derive(Deserialize)]
pub struct ProblemLine {
    pub line: u64,
    pub problems: Vec<String>,
}

/// What happened to an upload.
pub struct Outcome {
    pub ok: bool,
    pub summary: String,
    pub problems: Vec<ProblemLine>,
}

#[derive(Template)]
#[template(path = "admin_import.html")]
struct ImportPage {
    shell: Option<Shell>,
    outcome: Option<Outcome>,
}

pub async fn page(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Flash(notice): Flash,
) -> PageResult {
    admins_only(&caller)?;
    let (shell, _) = Shell::load(&state, &caller, "admin", notice).await?;
    Ok(render(&ImportPage {
        shell: Some(shell),
        outcome: None,
    }))
}

/// The form's fields, read from the multipart body.
#[derive(Default)]
struct Upload {
    csrf_token: String,
    file: Vec<u8>,
    skip_invalid: bool,
    dry_run: bool,
}

async fn read(mut multipart: Multipart) -> Result<Upload, Failure> {
    let unreadable = |_| Failure::invalid("file", "The upload could not be read. Try again.");
    let mut upload = Upload::default();
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name().unwrap_or_default() {
            "csrf_token" => upload.csrf_token = field.text().await.map_err(unreadable)?,
            "file" => upload.file = field.bytes().await.map_err(unreadable)?.to_vec(),
            "skip_invalid" => upload.skip_invalid = true,
            "dry_run" => upload.dry_run = true,
            _ => {}
        }
    }
    Ok(upload)
}

#[derive(Deserialize)]
struct Report {
    created: u64,
    updated: u64,
    rows: u64,
    skipped: Vec<ProblemLine>,
    dry_run: bool,
}

fn summary(report: &Report) -> String {
    let verb = if report.dry_run {
        "Checked only, nothing written"
    } else {
        "Imported"
    };
    let skipped = match report.skipped.len() {
        0 => String::new(),
        n => format!(
            "; {n} bad row{} skipped (below)",
            if n == 1 { "" } else { "s" }
        ),
    };
    format!(
        "{verb}: {} rows read, {} new {}, {} updated{skipped}.",
        report.rows,
        report.created,
        if report.created == 1 {
            "person"
        } else {
            "people"
        },
        report.updated
    )
}

pub async fn upload(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    multipart: Multipart,
) -> PageResult {
    admins_only(&caller)?;
    let result = async {
        let upload = read(multipart).await?;
        check_token(&caller, &upload.csrf_token)?;
        if upload.file.is_empty() {
            return Err(Failure::invalid("file", "Choose a CSV file to upload."));
        }
        let path = format!(
            "/people/import?skip_invalid={}&dry_run={}",
            upload.skip_invalid, upload.dry_run
        );
        backend
            .request(Method::POST, &path)
            .csv(upload.file)
            .send(&caller)
            .await
    };
    let (status, outcome, notice) = match result.await {
        Ok(answer) => match serde_json::from_value::<Report>(answer) {
            Ok(report) => (
                StatusCode::OK,
                Outcome {
                    ok: true,
                    summary: summary(&report),
                    problems: report.skipped,
                },
                None,
            ),
            Err(_) => return Err(page_error(Failure::internal())),
        },
        Err(failure) => {
            let problems =
                serde_json::from_value::<Vec<ProblemLine>>(failure.body["problems"].clone())
                    .unwrap_or_default();
            let outcome = Outcome {
                ok: false,
                summary: failure.message.clone(),
                problems,
            };
            let notice = (!outcome.problems.is_empty()).then(|| Notice {
                error: true,
                text: "Nothing was imported. Fix the rows listed below, or tick \u{201c}import \
                       the valid rows\u{201d}, and upload again."
                    .to_owned(),
            });
            (failure.status, outcome, notice)
        }
    };
    let (shell, _) = Shell::load(&state, &caller, "admin", notice).await?;
    Ok((
        status,
        render(&ImportPage {
            shell: Some(shell),
            outcome: Some(outcome),
        }),
    )
        .into_response())
}

fn page_error(failure: Failure) -> crate::web::errors::WebError {
    crate::web::errors::WebError::Page(failure.status, "Import failed", failure.message)
}
