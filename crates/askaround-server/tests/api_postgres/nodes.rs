//! Two servers on one PostgreSQL database: what one of them changes, the other's matcher knows,
//! through the change feed alone (each server has its own memory and connections).

use std::future::Future;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::live::Live;
use crate::common::*;

/// Asks `check` again until it holds; fails (with what it last saw) only if it never does.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = (bool, Value)>,
{
    let mut last = Value::Null;
    for _ in 0..200 {
        let (done, seen) = check().await;
        if done {
            return;
        }
        last = seen;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what} never happened; last saw {last}");
}

async fn preview(learner: &Actor, skill: &str) -> Value {
    let (status, preview) = json_of(
        learner
            .post(
                "/api/v1/match/preview",
                json!({"text": format!("a question about {skill}"), "skills": [skill]}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    preview
}

fn candidate<'a>(preview: &'a Value, name: &str) -> Option<&'a Value> {
    preview["candidates"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["person"]["name"] == name))
}

#[tokio::test]
async fn a_profile_changed_on_one_node_reaches_the_matcher_of_the_other() {
    let a = TestApp::start().await;
    let b = a.another_node().await;
    a.helper("ana@acme.test", "Ana Tableau", &["tableau"]).await;
    let learner = a.signed_in(LEARNER).await;
    let ana = b.signed_in("ana@acme.test").await;
    // A builds its index with Ana in it.
    let first = preview(&learner, "tableau").await;
    assert!(candidate(&first, "Ana Tableau").is_some(), "{first}");

    let (status, _) = json_of(
        ana.put("/api/v1/me/presence", json!({"status": "dnd"}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    eventually("A seeing Ana on do-not-disturb", || async {
        let p = preview(&learner, "tableau").await;
        (candidate(&p, "Ana Tableau").is_none(), p)
    })
    .await;

    ana.put("/api/v1/me/presence", json!({"status": "online"}))
        .await;
    let body = json!({"skills": [{"skill": "Tableau"}, {"skill": "k8s", "level": "expert"}]});
    let (status, me) = json_of(ana.put("/api/v1/me/skills", body).await).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    eventually("A finding Ana for Kubernetes", || async {
        let p = preview(&learner, "kubernetes").await;
        (candidate(&p, "Ana Tableau").is_some(), p)
    })
    .await;
}

#[tokio::test]
async fn help_given_through_one_node_becomes_evidence_on_the_other() {
    let a = TestApp::start().await;
    let b = a.another_node().await;
    let ana = a
        .helper("ana@acme.test", "Ana Pivot", &["Pivot tables"])
        .await;
    let learner = b.signed_in(LEARNER).await;
    // A's index exists before the help session: it must learn of it from the feed.
    let before = preview(&a.signed_in(LEARNER).await, "pivot tables").await;
    assert!(candidate(&before, "Ana Pivot").is_some(), "{before}");

    let ana_on_b = b.signed_in("ana@acme.test").await;
    let mut ana_live = Live::connect(&ana_on_b, 0).await;
    learner
        .post(
            "/api/v1/asks",
            json!({"text": "pivot table refresh", "skills": ["pivot tables"]}),
        )
        .await;
    let offer = ana_live.expect("offer.received").await["data"]["offer_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (status, accepted) = json_of(
        ana_on_b
            .post(&format!("/api/v1/offers/{offer}/accept"), json!({}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    let conversation = accepted["conversation_id"].as_str().unwrap_or_default();
    let closed = learner
        .post(
            &format!("/api/v1/conversations/{conversation}/close"),
            json!({"rating": 5}),
        )
        .await;
    assert!(closed.status().is_success(), "{}", closed.status());

    let on_a = a.signed_in(LEARNER).await;
    eventually("A counting Ana's help session", || async {
        let p = preview(&on_a, "pivot tables").await;
        let summary = candidate(&p, "Ana Pivot").map(|c| c["summary"].clone());
        let helped = summary
            .as_ref()
            .and_then(Value::as_str)
            .is_some_and(|s| s.contains("helped 1 person"));
        (helped, p)
    })
    .await;
    drop(ana);
}

/// Whether the candidate `name` is ranked with `presence` among the reasons (offline is no
/// gate: it weighs against urgent asks).
fn shown(preview: &Value, name: &str, presence: &str) -> bool {
    candidate(preview, name)
        .and_then(|c| c["summary"].as_str())
        .is_some_and(|s| s.split(" · ").any(|reason| reason == presence))
}

#[tokio::test]
async fn presence_auto_follows_the_app_open_on_any_node() {
    let a = TestApp::start().await;
    let b = a.another_node().await;
    a.helper("ana@acme.test", "Ana Tableau", &["tableau"]).await;
    let ana = b.signed_in("ana@acme.test").await;
    // Ana lets the app decide: online while it is open.
    let (status, me) = json_of(
        ana.put("/api/v1/me/presence", json!({"status": "auto"}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    let learner = a.signed_in(LEARNER).await;
    eventually("A seeing Ana offline while her app is closed", || async {
        let p = preview(&learner, "tableau").await;
        (shown(&p, "Ana Tableau", "offline"), p)
    })
    .await;

    // Her app opens on node B only: node A must count her online all the same.
    let live = Live::connect(&ana, 0).await;
    eventually("A seeing Ana online with her app open on B", || async {
        let p = preview(&learner, "tableau").await;
        (shown(&p, "Ana Tableau", "online"), p)
    })
    .await;

    drop(live);
    eventually("A seeing Ana offline once she closes it", || async {
        let p = preview(&learner, "tableau").await;
        (shown(&p, "Ana Tableau", "offline"), p)
    })
    .await;

    // And an ask made on A reaches her live on B.
    let mut live = Live::connect(&ana, 0).await;
    eventually("A seeing Ana online again", || async {
        let p = preview(&learner, "tableau").await;
        (shown(&p, "Ana Tableau", "online"), p)
    })
    .await;
    let (status, asked) = json_of(
        learner
            .post(
                "/api/v1/asks",
                json!({"text": "Tableau sets", "skills": ["tableau"]}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{asked}");
    live.expect("offer.received").await;
}
