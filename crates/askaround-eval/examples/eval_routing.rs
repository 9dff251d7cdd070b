//! Runs an evaluation without the full binary (quicker to build while working on the matcher):
//! `cargo run --release -p askaround-eval --example eval_routing -- pmef DIR --split FILE [--format json]`,
//! `... -- stackexchange DUMP_DIR [--format json]`, `... -- tune-pmef DIR --split TRAIN.tsv`.

use std::path::PathBuf;

use anyhow::{Context, bail};
use askaround_eval::{EvalCommand, run};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args
        .windows(2)
        .any(|w| w[0] == "--format" && w[1] == "json");
    let split = args
        .windows(2)
        .find(|w| w[0] == "--split")
        .map(|w| PathBuf::from(&w[1]));
    let dir = args
        .get(1)
        .map(PathBuf::from)
        .context("missing the data folder")?;
    let command = match args.first().map(String::as_str) {
        Some("pmef") => EvalCommand::Pmef {
            dir,
            split: split.context("--split FILE.tsv is required")?,
            json,
        },
        Some("tune-pmef") => EvalCommand::TunePmef {
            dir,
            split: split.context("--split FILE.tsv is required")?,
        },
        Some("stackexchange") => EvalCommand::StackExchange { dir, json },
        _ => bail!(
            "usage: eval_routing pmef|tune-pmef|stackexchange DIR [--split FILE] [--format json]"
        ),
    };
    println!("{}", run(command)?);
    Ok(())
}
