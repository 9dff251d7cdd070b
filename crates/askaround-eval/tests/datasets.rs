//! The evaluations run end to end on the shipped data and the matcher beats the plain baselines.

mod common;

use askaround_eval::{EvalCommand, run};

#[test]
fn the_pmef_dev_report_has_every_method_and_askaround_beats_bm25_and_popularity() {
    let Some(dir) = common::data_dir("pmef-history-expert-finding") else {
        return;
    };
    let json = run(EvalCommand::Pmef {
        split: dir.join("dev.tsv"),
        dir,
        json: true,
    })
    .unwrap();
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["questions"], 479);
    let mrr = |m: &str| report["methods"][m]["mrr"].as_f64().unwrap();
    for key in ["mrr", "p_at_1", "p_at_3", "ndcg_at_10"] {
        assert!(report["methods"]["askaround"][key].is_number(), "{key}");
    }
    assert!(mrr("askaround") > mrr("bm25_profile"));
    assert!(mrr("askaround") > mrr("popularity"));
    assert!(mrr("askaround") > mrr("rrf_bm25_tags_popularity"));
    assert!(
        (mrr("popularity_histories_only") - 0.515).abs() < 0.001,
        "popularity on the benchmark's own protocol reproduces BASELINES.md"
    );
}

#[test]
fn a_stack_exchange_dump_replays_with_every_method() {
    let Some(dir) = common::data_dir("stackexchange-ai-2017-03") else {
        return;
    };
    let json = run(EvalCommand::StackExchange { dir, json: true }).unwrap();
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(report["questions"].as_u64().unwrap() >= 20);
    for method in ["askaround", "bm25_profile", "popularity", "tag_profile"] {
        let m = &report["methods"][method];
        assert!(m["mrr"].as_f64().unwrap() > 0.0, "{method}");
        assert!(m["any_p_at_3"].is_number(), "{method}");
    }
}
