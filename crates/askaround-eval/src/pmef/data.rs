//! Reading the PMEF files: questions, expert histories and `qid aid label` split files.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;

use anyhow::{Context, bail};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Question {
    pub qid: usize,
    pub title: String,
    pub body: String,
    pub tag_ids: Vec<u32>,
}

impl Question {
    pub fn text(&self) -> String {
        format!("{}\n{}", self.title, self.body)
    }
}

#[derive(Debug, Clone, Deserialize)]
struct Expert {
    aid: usize,
    history_qids: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Data {
    pub questions: Vec<Question>,
    /// Question ids each expert answered (repeats kept: they are in the files).
    pub histories: Vec<Vec<usize>>,
}

/// One question of a split: its candidates in file order and which of them answered.
#[derive(Debug, Clone)]
pub struct SplitQuestion {
    pub qid: usize,
    pub candidates: Vec<usize>,
    pub positive: usize,
}

/// One answered question: evidence that expert `aid` knows about question `qid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Session {
    pub aid: usize,
    pub qid: usize,
}

pub fn load(dir: &Path) -> anyhow::Result<Data> {
    let mut questions: Vec<Question> = read_jsonl(&dir.join("questions.jsonl"))?;
    questions.sort_by_key(|q| q.qid);
    if questions.iter().enumerate().any(|(i, q)| q.qid != i) {
        bail!("questions.jsonl: qids must run 0..n without gaps");
    }
    let experts: Vec<Expert> = read_jsonl(&dir.join("experts.jsonl"))?;
    let mut histories = vec![Vec::new(); experts.iter().map(|e| e.aid + 1).max().unwrap_or(0)];
    for e in experts {
        if let Some(bad) = e.history_qids.iter().find(|q| **q >= questions.len()) {
            bail!(
                "experts.jsonl: expert {} answered unknown question {bad}",
                e.aid
            );
        }
        histories[e.aid] = e.history_qids;
    }
    Ok(Data {
        questions,
        histories,
    })
}

impl Data {
    /// Every expert history entry, as shipped (repeats kept).
    pub fn history_sessions(&self) -> Vec<Session> {
        self.histories
            .iter()
            .enumerate()
            .flat_map(|(aid, h)| h.iter().map(move |&qid| Session { aid, qid }))
            .collect()
    }

    /// The histories plus who answered each question of `answered` (the training split), without
    /// repeating an answer a history already lists, in time (qid) order.
    pub fn sessions_with(&self, answered: &[SplitQuestion]) -> Vec<Session> {
        let mut sessions = self.history_sessions();
        let known: HashSet<Session> = sessions.iter().copied().collect();
        sessions.extend(
            answered
                .iter()
                .map(|q| Session {
                    aid: q.candidates[q.positive],
                    qid: q.qid,
                })
                .filter(|s| !known.contains(s)),
        );
        sessions.sort_by_key(|s| s.qid);
        sessions
    }
}

fn read_jsonl<T: for<'de> Deserialize<'de>>(path: &Path) -> anyhow::Result<Vec<T>> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).with_context(|| format!("{} line {}", path.display(), i + 1))
        })
        .collect()
}

/// Reads a `qid aid label` split file (tab-separated, with a header), grouping rows by question
/// in file order.
pub fn load_split(path: &Path, data: &Data) -> anyhow::Result<Vec<SplitQuestion>> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out: Vec<SplitQuestion> = Vec::new();
    let mut at: HashMap<usize, usize> = HashMap::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
        let [qid, aid, label] = cols[..] else {
            if line.trim().is_empty() {
                continue;
            }
            bail!(
                "{} line {}: expected qid, aid, label",
                path.display(),
                i + 1
            );
        };
        let parse = |v: &str| {
            v.parse::<usize>().with_context(|| {
                format!("{} line {}: '{v}' is not a number", path.display(), i + 1)
            })
        };
        let (qid, aid, label) = (parse(qid)?, parse(aid)?, parse(label)?);
        if qid >= data.questions.len() || aid >= data.histories.len() {
            bail!(
                "{} line {}: unknown question or expert",
                path.display(),
                i + 1
            );
        }
        let slot = *at.entry(qid).or_insert_with(|| {
            out.push(SplitQuestion {
                qid,
                candidates: Vec::new(),
                positive: usize::MAX,
            });
            out.len() - 1
        });
        let q = &mut out[slot];
        if label == 1 {
            q.positive = q.candidates.len();
        }
        q.candidates.push(aid);
    }
    out.retain(|q| q.positive != usize::MAX);
    Ok(out)
}
