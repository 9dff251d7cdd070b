//! `askaround import people.csv`: the same validation and all-or-nothing import as the admin
//! upload, with a progress bar on a terminal and every problem listed with its line.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};

use askaround_core::org::Org;
use askaround_core::people_csv::ImportDefaults;
use askaround_core::taxonomy::Taxonomy;
use askaround_core::timezone::TimeZoneName;
use askaround_server::people_import::{ImportOptions, ImportResult, run};
use askaround_store::Store;

pub async fn import(
    store: &Arc<dyn Store>,
    file: &Path,
    org: Option<&str>,
    timezone: Option<&str>,
    options: ImportOptions,
) -> Result<bool> {
    let org = pick_org(store, org).await?;
    let taxonomy = Arc::new(Taxonomy::new(store.skills(org.id).await?));
    let defaults = ImportDefaults {
        timezone: match timezone {
            Some(tz) => {
                TimeZoneName::parse(tz).map_err(|e| anyhow::anyhow!("--timezone {}", e.message))?
            }
            None => TimeZoneName::utc(),
        },
    };
    let handle = File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let size = handle.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = ProgressBar::new(size);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("checking rows");
    let ticker = bar.clone();
    let result = run(
        store.as_ref(),
        org.id,
        taxonomy,
        defaults,
        BufReader::new(handle),
        options,
        move |bytes| ticker.set_position(bytes),
    )
    .await?;
    bar.finish_and_clear();
    Ok(report(&org, result))
}

/// Prints the outcome; `true` when the import went through.
fn report(org: &Org, result: ImportResult) -> bool {
    match result {
        ImportResult::Refused { rows, problems } => {
            for line in &problems {
                for p in &line.problems {
                    eprintln!("{p}");
                }
            }
            eprintln!(
                "\n{} of {rows} rows have problems, so nothing was imported into {}. Fix them, or rerun with --skip-invalid to import the valid rows.",
                problems.len(),
                org.name
            );
            false
        }
        ImportResult::Done {
            rows,
            created,
            updated,
            skipped,
            dry_run,
        } => {
            for line in &skipped {
                for p in &line.problems {
                    eprintln!("skipped {p}");
                }
            }
            if dry_run {
                println!(
                    "{rows} rows checked; {} would be skipped; nothing was written (dry run).",
                    skipped.len()
                );
            } else {
                println!(
                    "{} of {rows} rows imported into {}: {created} people added, {updated} updated{}.",
                    created + updated,
                    org.name,
                    if skipped.is_empty() {
                        String::new()
                    } else {
                        format!(", {} rows skipped", skipped.len())
                    }
                );
            }
            true
        }
    }
}

pub async fn pick_org(store: &Arc<dyn Store>, slug: Option<&str>) -> Result<Org> {
    if let Some(slug) = slug {
        return store
            .org_by_slug(slug)
            .await
            .map_err(|_| anyhow::anyhow!("there is no organisation '{slug}'"));
    }
    let mut orgs = store.orgs().await?;
    match orgs.len() {
        0 => bail!(
            "the database has no organisation yet: create one with `askaround org create` or run `askaround demo`"
        ),
        1 => Ok(orgs.remove(0)),
        _ => {
            let slugs: Vec<&str> = orgs.iter().map(|o| o.slug.as_str()).collect();
            bail!(
                "the database has several organisations; choose one with --org ({})",
                slugs.join(", ")
            )
        }
    }
}
