//! `askaround-bench-insights`: builds (once) an SQLite organisation of `--people` people with
//! `--asks` asks over a year, then times every insights query on it and prints a Markdown table.
//!
//! ```text
//! cargo run --release -p askaround-bench-insights -- --db /tmp/insights-bench.db
//! ```

mod generate;
mod reference;
mod reference_speed;

use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use jiff::ToSpan;
use jiff::civil::Date;

use askaround_core::ids::OrgId;
use askaround_core::insights::Scope;
use askaround_core::timezone::TimeZoneName;
use askaround_sqlite::SqliteStore;
use askaround_store::Store;

#[derive(Parser)]
struct Args {
    /// The database file; generated when missing, reused otherwise.
    #[arg(long, default_value = "insights-bench.db")]
    db: String,
    #[arg(long, default_value_t = 100_000)]
    people: u32,
    #[arg(long, default_value_t = 1_000_000)]
    asks: u32,
    /// Timed runs per query (after one warm-up run; at least one).
    #[arg(long, default_value_t = 5)]
    runs: u32,
    /// Before timing, compare the figures read from rollups with the same figures aggregated
    /// directly from the asks (slow).
    #[arg(long)]
    verify: bool,
    /// Time the queries on this PostgreSQL database instead (one made from the generated file
    /// by `askaround migrate-data`); `--db` is then not read, and `--verify` checks speed only
    /// (from memory against the shared SQL statements).
    #[arg(long, value_name = "URL")]
    postgres: Option<String>,
    /// The queries to time, comma-separated (default: all of them).
    #[arg(long, value_delimiter = ',', value_parser = clap::builder::PossibleValuesParser::new(QUERIES))]
    only: Vec<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(url) = &args.postgres {
        anyhow::ensure!(
            !args.verify || args.only == ["speed"],
            "--verify with --postgres checks speed only: add --only speed"
        );
        let store = askaround_postgres::PgStore::connect(url)
            .await
            .context("open the PostgreSQL database")?;
        if args.verify {
            let (org, scopes) = organisation_and_scopes(&store).await?;
            for (label, scope) in &scopes {
                let groups = reference_speed::speed_on_postgres(&store, org, scope).await?;
                eprintln!("{label}: speed from memory equals the SQL's ({groups} groups)");
            }
        }
        return time_queries(&store, &args).await;
    }
    let fresh = !std::path::Path::new(&args.db).exists();
    let store = SqliteStore::connect(&format!("sqlite://{}", args.db))
        .await
        .context("open the database")?;
    if fresh {
        let started = Instant::now();
        generate::organisation(&store, &args.db, args.people, args.asks).await?;
        eprintln!("generated in {:.0} s", started.elapsed().as_secs_f64());
    }
    if args.verify {
        let (org, scopes) = organisation_and_scopes(&store).await?;
        for (label, scope) in &scopes {
            verify(&args.db, &store, org, label, scope, &|q| wanted(&args, q)).await?;
        }
    }
    time_queries(&store, &args).await
}

fn wanted(args: &Args, query: &str) -> bool {
    args.only.is_empty() || args.only.iter().any(|q| q == query)
}

/// The generated organisation and the three ranges timed.
async fn organisation_and_scopes(
    store: &dyn Store,
) -> anyhow::Result<(OrgId, [(&'static str, Scope); 3])> {
    let org = store
        .orgs()
        .await?
        .into_iter()
        .next()
        .context("the database has no organisation")?
        .id;
    let zone = TimeZoneName::parse(
        &store
            .insights_timezone(org)
            .await?
            .context("no time zone")?,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let end = generate::end_date();
    let scopes = [
        ("last 12 weeks", scope(end, 84, None, &zone)),
        ("whole year", scope(end, 365, None, &zone)),
        ("year, one team", scope(end, 365, Some("Team 07"), &zone)),
    ];
    Ok((org, scopes))
}

/// Times every wanted query on each range and prints the table.
async fn time_queries(store: &dyn Store, args: &Args) -> anyhow::Result<()> {
    let (org, scopes) = organisation_and_scopes(store).await?;
    let wanted = |query: &str| wanted(args, query);
    if wanted("speed") {
        // What a node does as it starts: read the asks the speed figures use into memory.
        let started = Instant::now();
        store.insights_keep_current().await?;
        eprintln!(
            "insights kept current in {:.1} s (the asks speed reads, into memory)",
            started.elapsed().as_secs_f64()
        );
    }
    println!("| query | range | median | max |");
    println!("|---|---|---:|---:|");
    for (label, scope) in &scopes {
        for query in QUERIES {
            if !wanted(query) {
                continue;
            }
            let mut times = Vec::new();
            for run in 0..=args.runs.max(1) {
                let started = Instant::now();
                run_query(store, org, scope, query).await?;
                if run > 0 {
                    times.push(started.elapsed());
                }
            }
            times.sort();
            let median = times[times.len() / 2];
            let max = times.last().copied().unwrap_or(Duration::ZERO);
            println!(
                "| {query} | {label} | {} ms | {} ms |",
                median.as_millis(),
                max.as_millis()
            );
        }
    }
    Ok(())
}

/// Compares the figures of the selected queries that come from rollups with a direct
/// aggregation of the rows.
async fn verify(
    path: &str,
    store: &SqliteStore,
    org: OrgId,
    label: &str,
    scope: &Scope,
    wanted: &dyn Fn(&str) -> bool,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let seconds = |started: Instant| started.elapsed().as_secs_f64();
    if wanted("skills") {
        let skills = reference::skills(path, store, org, scope).await?;
        eprintln!(
            "verified skills, {label}: {skills} skills identical ({:.1} s)",
            seconds(started)
        );
    }
    let started = Instant::now();
    if wanted("quality") {
        let learned = reference::quality(path, store, org, scope, 50).await?;
        eprintln!(
            "verified quality, {label}: ratings and {learned} skills learned identical ({:.1} s)",
            seconds(started)
        );
    }
    let started = Instant::now();
    if wanted("connections") {
        let pairs = reference::connections(path, store, org, scope).await?;
        eprintln!(
            "verified connections, {label}: {pairs} team pairs identical ({:.1} s)",
            seconds(started)
        );
    }
    let started = Instant::now();
    if wanted("speed") {
        let groups = reference_speed::speed(store, org, scope).await?;
        eprintln!(
            "verified speed, {label}: {groups} groups (all, hours, skills) identical ({:.1} s)",
            seconds(started)
        );
    }
    let started = Instant::now();
    if wanted("load") {
        let helpers = reference::load(path, store, org, scope, 10).await?;
        eprintln!(
            "verified load, {label}: {helpers} helpers' distribution and the top 10 identical ({:.1} s)",
            seconds(started)
        );
    }
    Ok(())
}

const QUERIES: [&str; 6] = [
    "adoption",
    "speed",
    "quality",
    "skills",
    "connections",
    "load",
];

fn scope(end: Date, days: i64, team: Option<&str>, zone: &TimeZoneName) -> Scope {
    let from = end.checked_sub((days - 1).days()).unwrap_or(end);
    let after = end.checked_add(1.day()).unwrap_or(end);
    Scope::new(from, after, team.map(Into::into), None, zone)
}

async fn run_query(
    store: &dyn Store,
    org: OrgId,
    scope: &Scope,
    query: &str,
) -> anyhow::Result<()> {
    match query {
        "adoption" => drop(store.insights_adoption(org, scope).await?),
        "speed" => drop(store.insights_speed(org, scope).await?),
        "quality" => drop(store.insights_quality(org, scope, 50).await?),
        "skills" => drop(store.insights_skills(org, scope).await?),
        "connections" => drop(store.insights_connections(org, scope).await?),
        _ => drop(store.insights_load(org, scope, 10).await?),
    }
    Ok(())
}
