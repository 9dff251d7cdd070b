//! Importing people from CSV, shared by `askaround import` and `POST /api/v1/people/import`:
//! validate every row, refuse the whole file if any row is bad (unless told to skip bad rows),
//! then write all valid rows in one transaction.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::sync::Arc;

use jiff::Timestamp;

use askaround_core::email::Email;
use askaround_core::ids::OrgId;
use askaround_core::people_csv::{ImportDefaults, ImportError, ParsedImport, parse_people_csv};
use askaround_core::person::Role;
use askaround_core::taxonomy::Taxonomy;
use askaround_store::{Store, StoreError, StoreResult};

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Import the valid rows and list the others, instead of importing nothing.
    pub skip_invalid: bool,
    /// Validate only; write nothing.
    pub dry_run: bool,
    /// The admin uploading the file: a row may not demote or deactivate them.
    pub uploader: Option<Email>,
}

#[derive(Debug)]
pub enum ImportResult {
    /// Nothing was written because some rows are bad.
    Refused {
        rows: u64,
        problems: Vec<LineProblems>,
    },
    Done {
        rows: u64,
        created: u64,
        updated: u64,
        skipped: Vec<LineProblems>,
        dry_run: bool,
    },
}

/// Every problem of one line, each already phrased as "line 17: email 'bob@' is not valid".
#[derive(Debug, Clone)]
pub struct LineProblems {
    pub line: u64,
    pub problems: Vec<String>,
}

/// Parsing (and suggesting fixes for unknown skills) is CPU work on a file of up to 64 MB, so it
/// runs on the blocking pool and never stalls the requests sharing this runtime.
pub async fn run(
    store: &dyn Store,
    org: OrgId,
    taxonomy: Arc<Taxonomy>,
    defaults: ImportDefaults,
    input: impl Read + Send + 'static,
    options: ImportOptions,
    progress: impl FnMut(u64) + Send + 'static,
) -> StoreResult<ImportResult> {
    let mut parsed = tokio::task::spawn_blocking(move || {
        parse_people_csv(input, &taxonomy, &defaults, progress)
    })
    .await
    .map_err(StoreError::backend)?;
    if let Some(uploader) = &options.uploader {
        protect_uploader(&mut parsed, uploader);
    }

    // An address that already belongs to another organisation cannot be taken over by a file.
    let emails: Vec<_> = parsed.rows.iter().map(|r| r.fields.email.clone()).collect();
    let foreign: HashSet<String> = store
        .emails_in_other_orgs(org, &emails)
        .await?
        .into_iter()
        .map(|e| e.as_str().to_owned())
        .collect();
    if !foreign.is_empty() {
        parsed.rows.retain(|row| {
            let taken = foreign.contains(row.fields.email.as_str());
            if taken {
                parsed.errors.push(ImportError {
                    line: row.line,
                    column: Some("email".to_owned()),
                    message: format!(
                        "'{}' is already used by an account in another organisation",
                        row.fields.email
                    ),
                });
            }
            !taken
        });
    }

    let problems = group_by_line(&parsed.errors);
    let header_broken = parsed.errors.iter().any(|e| e.line == 1);
    if !problems.is_empty() && (!options.skip_invalid || header_broken) {
        return Ok(ImportResult::Refused {
            rows: parsed.total_rows,
            problems,
        });
    }
    let (created, updated) = if options.dry_run {
        (0, 0)
    } else {
        let outcome = store
            .import_people(org, &parsed.rows, parsed.columns, Timestamp::now())
            .await?;
        (outcome.created, outcome.updated)
    };
    Ok(ImportResult::Done {
        rows: parsed.total_rows,
        created,
        updated,
        skipped: problems,
        dry_run: options.dry_run,
    })
}

/// An admin cannot demote or deactivate themselves through a file (the API refuses it too).
fn protect_uploader(parsed: &mut ParsedImport, uploader: &Email) {
    let mut kept = Vec::with_capacity(parsed.rows.len());
    for row in std::mem::take(&mut parsed.rows) {
        let demotes = row.role_given && row.fields.role != Role::Admin;
        let deactivates = row.active_given && !row.fields.active;
        if &row.fields.email == uploader && (demotes || deactivates) {
            parsed.errors.push(ImportError {
                line: row.line,
                column: Some(if demotes { "role" } else { "active" }.to_owned()),
                message: "would demote or deactivate you, the admin importing this file; ask another admin".to_owned(),
            });
        } else {
            kept.push(row);
        }
    }
    parsed.rows = kept;
}

fn group_by_line(errors: &[ImportError]) -> Vec<LineProblems> {
    let mut by_line: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for e in errors {
        by_line.entry(e.line).or_default().push(e.to_string());
    }
    by_line
        .into_iter()
        .map(|(line, problems)| LineProblems { line, problems })
        .collect()
}
