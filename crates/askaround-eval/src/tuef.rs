//! TUEF's published Stack Overflow runs: golden fixtures for the metric code. Recomputing their
//! MRR, P@1 and nDCG@3 from the run files must give the values printed in the paper's notebook.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use anyhow::Context;
use flate2::read::GzDecoder;

use crate::metrics::{Accumulator, MethodMetrics, single};

type Scores = HashMap<String, HashMap<String, f64>>;

fn read_gz_json(path: &Path) -> anyhow::Result<Scores> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    serde_json::from_reader(BufReader::new(GzDecoder::new(file)))
        .with_context(|| format!("parsing {}", path.display()))
}

/// Metrics of `run_<name>.json.gz` against `qrels_dict.json.gz` in `dir`, over every qrels question
/// (a question the run leaves out, or whose answerer it does not list, scores zero).
pub fn evaluate_run(dir: &Path, name: &str) -> anyhow::Result<(usize, MethodMetrics)> {
    let qrels = read_gz_json(&dir.join("qrels_dict.json.gz"))?;
    let run = read_gz_json(&dir.join(format!("run_{name}.json.gz")))?;
    let mut acc = Accumulator::default();
    let empty = HashMap::new();
    for (question, relevant) in &qrels {
        let ranked = run.get(question).unwrap_or(&empty);
        let users: Vec<&String> = ranked.keys().collect();
        let scores: Vec<f64> = users.iter().map(|u| ranked[*u]).collect();
        let target = relevant
            .keys()
            .next()
            .and_then(|r| users.iter().position(|u| *u == r));
        acc.add(single(&scores, target));
    }
    Ok((acc.questions(), acc.mean()))
}
