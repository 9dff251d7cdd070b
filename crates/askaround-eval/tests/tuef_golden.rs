//! The metric code reproduces the published TUEF values (README of tuef-stackoverflow-runs).

mod common;

use askaround_eval::tuef::evaluate_run;

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[test]
fn mrr_p_at_1_and_ndcg_at_3_equal_the_published_values_for_every_run() {
    let Some(dir) = common::data_dir("tuef-stackoverflow-runs") else {
        return;
    };
    // run, P@1, NDCG@3, Recall@100, MRR
    let published = [
        ("BC", 0.020, 0.033, 0.076, 0.033),
        ("BM25", 0.234, 0.356, 0.808, 0.369),
        ("TUEFNB", 0.066, 0.087, 0.213, 0.093),
        ("TUEFNORW", 0.443, 0.561, 0.754, 0.552),
        ("TUEFSL", 0.436, 0.560, 0.826, 0.559),
    ];
    for (run, p1, ndcg3, r100, mrr) in published {
        let (questions, m) = evaluate_run(&dir, run).unwrap();
        assert_eq!(questions, 5000);
        assert_eq!(
            (
                round3(m.p_at_1),
                round3(m.ndcg_at_3),
                round3(m.recall_at_100),
                round3(m.mrr)
            ),
            (p1, ndcg3, r100, mrr),
            "{run}"
        );
    }
}
