//! askaround's routing benchmarks: the matcher's expertise ranking, measured on public
//! expert-finding data nobody here wrote, next to textbook baselines computed in the same run.
//!
//! - PMEF History (WWW 2022): 20 candidates per question; tune on train, report on dev.
//! - Stack Exchange dumps: a time-ordered replay where every question is routed over everyone who
//!   answered before it, and answers and accepts become evidence.
//! - TUEF Stack Overflow runs: golden files that check the metric code against published values.
//!
//! The binary's `askaround eval-routing` calls [`run`].

pub mod baselines;
pub mod metrics;
pub mod pmef;
pub mod report;
pub mod stackexchange;
pub mod tuef;
pub mod tune;

use std::path::PathBuf;

pub use report::EvalReport;

/// One `eval-routing` invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalCommand {
    /// `eval-routing pmef DIR --split FILE.tsv [--format json]`
    Pmef {
        dir: PathBuf,
        split: PathBuf,
        json: bool,
    },
    /// `eval-routing stackexchange DUMP_DIR [--format json]`
    StackExchange { dir: PathBuf, json: bool },
    /// Tunes the matcher's expertise weights on a PMEF split (train) and prints the best ones.
    TunePmef { dir: PathBuf, split: PathBuf },
}

/// Runs an evaluation and returns what to print: a table, or one JSON object with `json`.
pub fn run(command: EvalCommand) -> anyhow::Result<String> {
    let (report, json) = match command {
        EvalCommand::Pmef { dir, split, json } => (pmef::run(&dir, &split)?, json),
        EvalCommand::StackExchange { dir, json } => (stackexchange::run(&dir)?, json),
        // Tuning takes minutes: progress goes to stderr as it happens, the summary to the caller.
        EvalCommand::TunePmef { dir, split } => {
            return tune::tune_pmef(&dir, &split, &mut |line| eprintln!("{line}"));
        }
    };
    if json {
        report.to_json()
    } else {
        Ok(report.to_table())
    }
}
