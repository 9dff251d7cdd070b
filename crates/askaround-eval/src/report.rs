//! The result of one evaluation: a table for people, one JSON object for scripts.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::metrics::MethodMetrics;

#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub dataset: String,
    /// Questions evaluated (each method is scored on exactly these).
    pub questions: usize,
    /// Method name → averages; `askaround` is the product's matcher.
    pub methods: BTreeMap<String, MethodMetrics>,
    /// Load distribution of first-wave offers (Gini) per method, where the run simulates routing.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub load_gini: BTreeMap<String, f64>,
    /// Share of those offers that went to the three most offered people.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub top3_share: BTreeMap<String, f64>,
    /// How the numbers were obtained, one line each.
    pub notes: Vec<String>,
}

impl EvalReport {
    pub fn new(dataset: impl Into<String>, questions: usize) -> Self {
        Self {
            dataset: dataset.into(),
            questions,
            methods: BTreeMap::new(),
            load_gini: BTreeMap::new(),
            top3_share: BTreeMap::new(),
            notes: Vec::new(),
        }
    }

    pub fn to_json(&self) -> anyhow::Result<String> {
        Ok(serde_json::to_string_pretty(self)?)
    }

    /// A fixed-width table, `askaround` first, then the baselines by MRR.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "dataset: {}   questions: {}",
            self.dataset, self.questions
        );
        let any = self.methods.values().any(|m| m.any_p_at_1.is_some());
        let _ = write!(
            out,
            "{:<22} {:>6} {:>6} {:>6} {:>8} {:>7} {:>7}",
            "method", "MRR", "P@1", "P@3", "nDCG@10", "nDCG@3", "R@100"
        );
        if any {
            let _ = write!(out, " {:>9} {:>9}", "anyP@1", "anyP@3");
        }
        out.push('\n');
        let mut names: Vec<&String> = self.methods.keys().collect();
        names.sort_by(|a, b| {
            let first = |n: &str| n != "askaround";
            first(a)
                .cmp(&first(b))
                .then_with(|| self.methods[*b].mrr.total_cmp(&self.methods[*a].mrr))
        });
        for name in names {
            let m = &self.methods[name];
            let _ = write!(
                out,
                "{name:<22} {:>6.3} {:>6.3} {:>6.3} {:>8.3} {:>7.3} {:>7.3}",
                m.mrr, m.p_at_1, m.p_at_3, m.ndcg_at_10, m.ndcg_at_3, m.recall_at_100
            );
            if any {
                let cell = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.3}"));
                let _ = write!(out, " {:>9} {:>9}", cell(m.any_p_at_1), cell(m.any_p_at_3));
            }
            out.push('\n');
        }
        for (name, g) in &self.load_gini {
            let top3 = self.top3_share.get(name).copied().unwrap_or(0.0);
            let _ = writeln!(
                out,
                "offers ({name}): Gini {g:.3}, top three people {:.0}%",
                top3 * 100.0
            );
        }
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        out
    }
}
