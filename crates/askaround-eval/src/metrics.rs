//! Ranking metrics with ties handled as the expected value over random orderings: a method that
//! gives every candidate the same score scores like random, never like an oracle (the PMEF files
//! list the true answerer first, so a stable sort of equal scores would look perfect).

use serde::Serialize;

/// Metrics of one question.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct QuestionMetrics {
    pub rr: f64,
    pub p_at_1: f64,
    pub p_at_3: f64,
    pub ndcg_at_3: f64,
    pub ndcg_at_10: f64,
    pub recall_at_100: f64,
}

/// Expected metrics of one question with a single relevant candidate at index `relevant`, or
/// `None` if the relevant candidate is not among those scored (it then counts as not found).
pub fn single(scores: &[f64], relevant: Option<usize>) -> QuestionMetrics {
    let Some(target) = relevant.and_then(|i| scores.get(i).copied()) else {
        return QuestionMetrics::default();
    };
    let better = scores
        .iter()
        .filter(|s| s.total_cmp(&target).is_gt())
        .count();
    let tied = scores
        .iter()
        .filter(|s| s.total_cmp(&target).is_eq())
        .count()
        .max(1);
    // The relevant candidate is equally likely to sit at any rank better+1 ..= better+tied.
    let mut m = QuestionMetrics::default();
    for rank in (better + 1)..=(better + tied) {
        let r = rank as f64;
        m.rr += 1.0 / r;
        m.p_at_1 += f64::from(u8::from(rank <= 1));
        m.p_at_3 += f64::from(u8::from(rank <= 3));
        let gain = 1.0 / (r + 1.0).log2();
        if rank <= 3 {
            m.ndcg_at_3 += gain;
        }
        if rank <= 10 {
            m.ndcg_at_10 += gain;
        }
        m.recall_at_100 += f64::from(u8::from(rank <= 100));
    }
    let n = tied as f64;
    QuestionMetrics {
        rr: m.rr / n,
        p_at_1: m.p_at_1 / n,
        p_at_3: m.p_at_3 / n,
        ndcg_at_3: m.ndcg_at_3 / n,
        ndcg_at_10: m.ndcg_at_10 / n,
        recall_at_100: m.recall_at_100 / n,
    }
}

/// Expected precision at `k` with several relevant candidates (e.g. everyone who answered):
/// the share of the top `k` that is relevant, ties split pro rata.
pub fn precision_at(scores: &[f64], relevant: &[bool], k: usize) -> f64 {
    if k == 0 || scores.is_empty() {
        return 0.0;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut hits = 0.0;
    let mut taken = 0usize;
    let mut i = 0;
    while i < order.len() && taken < k {
        let mut j = i;
        while j < order.len() && scores[order[j]].total_cmp(&scores[order[i]]).is_eq() {
            j += 1;
        }
        let group = j - i;
        let in_group = order[i..j]
            .iter()
            .filter(|&&c| relevant.get(c).copied().unwrap_or(false))
            .count();
        let take = group.min(k - taken);
        hits += in_group as f64 * take as f64 / group as f64;
        taken += take;
        i = j;
    }
    hits / k as f64
}

/// Averages over questions.
#[derive(Debug, Clone, Default)]
pub struct Accumulator {
    sum: QuestionMetrics,
    any_p_at_1: f64,
    any_p_at_3: f64,
    n: usize,
    any_n: usize,
}

impl Accumulator {
    pub fn add(&mut self, m: QuestionMetrics) {
        self.sum.rr += m.rr;
        self.sum.p_at_1 += m.p_at_1;
        self.sum.p_at_3 += m.p_at_3;
        self.sum.ndcg_at_3 += m.ndcg_at_3;
        self.sum.ndcg_at_10 += m.ndcg_at_10;
        self.sum.recall_at_100 += m.recall_at_100;
        self.n += 1;
    }

    pub fn add_any(&mut self, p_at_1: f64, p_at_3: f64) {
        self.any_p_at_1 += p_at_1;
        self.any_p_at_3 += p_at_3;
        self.any_n += 1;
    }

    pub fn questions(&self) -> usize {
        self.n
    }

    pub fn mean(&self) -> MethodMetrics {
        let n = self.n.max(1) as f64;
        let any = (self.any_n > 0).then_some(self.any_n as f64);
        MethodMetrics {
            mrr: self.sum.rr / n,
            p_at_1: self.sum.p_at_1 / n,
            p_at_3: self.sum.p_at_3 / n,
            ndcg_at_3: self.sum.ndcg_at_3 / n,
            ndcg_at_10: self.sum.ndcg_at_10 / n,
            recall_at_100: self.sum.recall_at_100 / n,
            any_p_at_1: any.map(|a| self.any_p_at_1 / a),
            any_p_at_3: any.map(|a| self.any_p_at_3 / a),
        }
    }
}

/// One method's averages, as reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct MethodMetrics {
    pub mrr: f64,
    pub p_at_1: f64,
    pub p_at_3: f64,
    pub ndcg_at_3: f64,
    pub ndcg_at_10: f64,
    pub recall_at_100: f64,
    /// Precision at 1 and 3 counting anyone who answered as relevant (Stack Exchange only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub any_p_at_1: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub any_p_at_3: Option<f64>,
}

/// Gini coefficient of a load distribution (0 = everyone equally loaded, towards 1 = one person
/// takes everything). People with zero load count.
pub fn gini(loads: &[f64]) -> f64 {
    let n = loads.len();
    let total: f64 = loads.iter().sum();
    if n == 0 || total <= 0.0 {
        return 0.0;
    }
    let mut sorted = loads.to_vec();
    sorted.sort_by(f64::total_cmp);
    let weighted: f64 = sorted
        .iter()
        .enumerate()
        .map(|(i, x)| (i as f64 + 1.0) * x)
        .sum();
    (2.0 * weighted) / (n as f64 * total) - (n as f64 + 1.0) / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_scores_count_as_random_not_as_first() {
        let m = single(&[1.0, 1.0, 1.0, 1.0], Some(0));
        assert!((m.rr - (1.0 + 0.5 + 1.0 / 3.0 + 0.25) / 4.0).abs() < 1e-12);
        assert!((m.p_at_1 - 0.25).abs() < 1e-12);
        assert!((m.p_at_3 - 0.75).abs() < 1e-12);
    }

    #[test]
    fn a_clear_winner_scores_one() {
        let m = single(&[3.0, 1.0, 2.0], Some(0));
        assert_eq!((m.rr, m.p_at_1, m.ndcg_at_3), (1.0, 1.0, 1.0));
        let m = single(&[3.0, 1.0, 2.0], Some(2));
        assert_eq!(m.rr, 0.5);
        assert!((m.ndcg_at_10 - 1.0 / 3f64.log2()).abs() < 1e-12);
    }

    #[test]
    fn a_missing_relevant_candidate_scores_zero() {
        assert_eq!(single(&[1.0], None), QuestionMetrics::default());
    }

    #[test]
    fn precision_splits_ties_at_the_cutoff() {
        assert_eq!(precision_at(&[3.0, 2.0, 1.0], &[true, false, true], 1), 1.0);
        assert!((precision_at(&[1.0, 1.0], &[true, false], 1) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn gini_is_zero_for_equal_load_and_high_for_one_person() {
        assert!(gini(&[1.0, 1.0, 1.0]).abs() < 1e-12);
        assert!((gini(&[0.0, 0.0, 0.0, 9.0]) - 0.75).abs() < 1e-12);
    }
}
