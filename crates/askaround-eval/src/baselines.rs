//! Textbook expert-finding baselines, computed in the same run as the matcher so the comparison is
//! on identical questions and candidates (see the data's BASELINES.md for their definitions):
//! popularity (earlier answers), BM25 over one profile document per candidate (k1 1.2, b 0.75),
//! tag profile (how often the candidate answered the question's tags), and their reciprocal-rank
//! fusion (k = 60).

use std::collections::HashMap;

/// One growing profile document per candidate, with plain lower-case word tokens.
#[derive(Debug, Default, Clone)]
pub struct Profiles {
    vocab: HashMap<String, u32>,
    tf: Vec<HashMap<u32, f32>>,
    len: Vec<f32>,
    df: HashMap<u32, u32>,
    answers: Vec<f64>,
    tags: Vec<HashMap<String, f64>>,
}

const K1: f64 = 1.2;
const B: f64 = 0.75;
const RRF_K: f64 = 60.0;

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

impl Profiles {
    pub fn with_candidates(n: usize) -> Self {
        let mut p = Self::default();
        p.ensure(n);
        p
    }

    fn ensure(&mut self, n: usize) {
        if self.tf.len() < n {
            self.tf.resize_with(n, HashMap::new);
            self.len.resize(n, 0.0);
            self.answers.resize(n, 0.0);
            self.tags.resize_with(n, HashMap::new);
        }
    }

    /// Adds text to a candidate's profile document (a question they answered, or their answer).
    pub fn add_text(&mut self, candidate: usize, text: &str) {
        self.change_text(candidate, text, 1.0);
    }

    /// Takes back text added with [`Self::add_text`] (leave-one-out).
    pub fn remove_text(&mut self, candidate: usize, text: &str) {
        self.change_text(candidate, text, -1.0);
    }

    fn change_text(&mut self, candidate: usize, text: &str, sign: f32) {
        self.ensure(candidate + 1);
        for w in words(text) {
            let next = u32::try_from(self.vocab.len()).unwrap_or(u32::MAX);
            let id = *self.vocab.entry(w).or_insert(next);
            let tf = self.tf[candidate].entry(id).or_insert(0.0);
            let before = *tf;
            *tf = (*tf + sign).max(0.0);
            self.len[candidate] = (self.len[candidate] + sign).max(0.0);
            let df = self.df.entry(id).or_default();
            if before == 0.0 && *tf > 0.0 {
                *df += 1;
            } else if before > 0.0 && *tf == 0.0 {
                *df = df.saturating_sub(1);
            }
        }
    }

    /// Counts one answer, to the given tags, for popularity and the tag profile.
    pub fn add_answer(&mut self, candidate: usize, tags: &[String]) {
        self.change_answer(candidate, tags, 1.0);
    }

    pub fn remove_answer(&mut self, candidate: usize, tags: &[String]) {
        self.change_answer(candidate, tags, -1.0);
    }

    fn change_answer(&mut self, candidate: usize, tags: &[String], sign: f64) {
        self.ensure(candidate + 1);
        self.answers[candidate] += sign;
        for t in tags {
            *self.tags[candidate].entry(t.clone()).or_default() += sign;
        }
    }

    pub fn popularity(&self, candidates: &[usize]) -> Vec<f64> {
        candidates
            .iter()
            .map(|&c| self.answers.get(c).copied().unwrap_or(0.0))
            .collect()
    }

    pub fn tag_profile(&self, tags: &[String], candidates: &[usize]) -> Vec<f64> {
        candidates
            .iter()
            .map(|&c| {
                self.tags
                    .get(c)
                    .map_or(0.0, |t| tags.iter().filter_map(|tag| t.get(tag)).sum())
            })
            .collect()
    }

    /// BM25 of the query against each candidate's profile; document statistics over every
    /// candidate with a non-empty profile.
    pub fn bm25(&self, query: &str, candidates: &[usize]) -> Vec<f64> {
        let docs = self.len.iter().filter(|l| **l > 0.0).count().max(1) as f64;
        let avg = (self.len.iter().map(|l| f64::from(*l)).sum::<f64>() / docs).max(1e-9);
        let terms: Vec<(u32, f64)> = words(query)
            .filter_map(|w| self.vocab.get(&w).copied())
            .map(|id| {
                let df = f64::from(self.df.get(&id).copied().unwrap_or(0));
                (id, (1.0 + (docs - df + 0.5) / (df + 0.5)).ln())
            })
            .collect();
        candidates
            .iter()
            .map(|&c| {
                let (Some(tf), Some(&len)) = (self.tf.get(c), self.len.get(c)) else {
                    return 0.0;
                };
                let norm = K1 * (1.0 - B + B * f64::from(len) / avg);
                terms
                    .iter()
                    .map(|(id, idf)| {
                        let f = f64::from(tf.get(id).copied().unwrap_or(0.0));
                        idf * f * (K1 + 1.0) / (f + norm)
                    })
                    .sum()
            })
            .collect()
    }
}

/// Reciprocal-rank fusion; tied candidates share their average rank.
pub fn rrf(rankings: &[&[f64]]) -> Vec<f64> {
    let n = rankings.first().map_or(0, |r| r.len());
    let mut fused = vec![0.0; n];
    for scores in rankings {
        for (i, rank) in average_ranks(scores).into_iter().enumerate() {
            fused[i] += 1.0 / (RRF_K + rank);
        }
    }
    fused
}

fn average_ranks(scores: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut ranks = vec![0.0; scores.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j < order.len() && scores[order[j]].total_cmp(&scores[order[i]]).is_eq() {
            j += 1;
        }
        let avg = (i + 1 + j) as f64 / 2.0;
        for &c in &order[i..j] {
            ranks[c] = avg;
        }
        i = j;
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bm25_prefers_the_profile_with_the_words() {
        let mut p = Profiles::with_candidates(2);
        p.add_text(0, "roman empire legions");
        p.add_text(1, "steam engine factory");
        let s = p.bm25("the roman legions", &[0, 1]);
        assert!(s[0] > s[1]);
    }

    #[test]
    fn tied_scores_share_their_average_rank() {
        assert_eq!(average_ranks(&[1.0, 3.0, 1.0]), [2.5, 1.0, 2.5]);
    }
}
