use std::time::Duration;

use askaround_core::asks::{ByUrgency, RoutingPolicy};
use askaround_server::ServerConfig;
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::live::Live;
use crate::common::*;

fn policy(offers_per_wave: u32, max_waves: u32, offer_secs: i64) -> ServerConfig {
    ServerConfig {
        routing: RoutingPolicy {
            offers_per_wave,
            max_waves,
            offer_lifetime: ByUrgency {
                now: SignedDuration::from_secs(offer_secs),
                today: SignedDuration::from_secs(offer_secs),
                this_week: SignedDuration::from_secs(offer_secs),
            },
            ..RoutingPolicy::default()
        },
        ..ServerConfig::default()
    }
}

async fn ask(learner: &Actor, text: &str, skills: &[&str]) -> Value {
    let (status, body) = json_of(
        learner
            .post("/api/v1/asks", json!({"text": text, "skills": skills}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

#[tokio::test]
async fn an_ask_reaches_available_helpers_live_with_the_reasons_they_were_picked() {
    let app = TestApp::start_with(policy(2, 2, 120)).await;
    let ana = app
        .helper("ana@acme.test", "Ana Pivot", &["Pivot tables"])
        .await;
    let ben = app
        .helper("ben@acme.test", "Ben Excel", &["Microsoft Excel"])
        .await;
    let kim = app
        .helper("kim@acme.test", "Kim Kube", &["Kubernetes"])
        .await;
    let (mut ana_live, mut ben_live) = (Live::connect(&ana, 0).await, Live::connect(&ben, 0).await);
    let learner = app.signed_in(LEARNER).await;
    let mut learner_live = Live::connect(&learner, 0).await;
    let asked = ask(
        &learner,
        "How do I make a pivot table update when rows are added?",
        &[],
    )
    .await;
    assert_eq!(asked["status"]["state"], "routing");

    let offer = ana_live.expect("offer.received").await;
    assert_eq!(
        offer["data"]["ask"]["text"],
        "How do I make a pivot table update when rows are added?"
    );
    assert_eq!(offer["data"]["ask"]["asker"]["name"], "Lea Learner");
    assert!(
        offer["data"]["why"]
            .as_str()
            .unwrap_or_default()
            .contains("Pivot tables"),
        "{offer}"
    );
    ben_live.expect("offer.received").await;
    let routing = learner_live.expect("ask.routing").await;
    assert_eq!(routing["data"]["asked"], 2);

    // The Kubernetes expert was not bothered.
    let (_, offers) = json_of(kim.get("/api/v1/offers").await).await;
    assert_eq!(offers["items"].as_array().map(Vec::len), Some(0));
    let (_, offers) = json_of(ana.get("/api/v1/offers").await).await;
    assert_eq!(offers["items"][0]["ask"]["id"], asked["id"]);
    assert!(offers["items"][0]["why"].as_str().is_some());
    let (_, mine) = json_of(
        learner
            .get(&format!(
                "/api/v1/asks/{}",
                asked["id"].as_str().unwrap_or_default()
            ))
            .await,
    )
    .await;
    assert_eq!(
        (
            mine["people_interrupted"].as_u64(),
            mine["pending_offers"].as_u64()
        ),
        (Some(2), Some(2))
    );
}

#[tokio::test]
async fn the_first_accept_wins_and_the_other_offers_are_withdrawn_live() {
    let app = TestApp::start_with(policy(2, 2, 120)).await;
    let ana = app
        .helper("ana@acme.test", "Ana Pivot", &["Pivot tables"])
        .await;
    let ben = app
        .helper("ben@acme.test", "Ben Excel", &["Pivot tables"])
        .await;
    let (mut ana_live, mut ben_live) = (Live::connect(&ana, 0).await, Live::connect(&ben, 0).await);
    let learner = app.signed_in(LEARNER).await;
    let mut learner_live = Live::connect(&learner, 0).await;
    ask(&learner, "pivot table refresh", &["pivot tables"]).await;
    let ana_offer = ana_live.expect("offer.received").await["data"]["offer_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let ben_offer = ben_live.expect("offer.received").await["data"]["offer_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let (status, accepted) = json_of(
        ana.post(&format!("/api/v1/offers/{ana_offer}/accept"), json!({}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    assert_eq!(accepted["ask"]["status"]["state"], "matched");
    assert_eq!(accepted["ask"]["helper"]["name"], "Ana Pivot");
    assert!(accepted["conversation_id"].as_str().is_some());

    let withdrawn = ben_live.expect("offer.withdrawn").await;
    assert_eq!(
        (
            withdrawn["data"]["offer_id"].as_str(),
            withdrawn["data"]["why"].as_str()
        ),
        (Some(ben_offer.as_str()), Some("someone_else_accepted"))
    );
    let matched = learner_live.expect("ask.matched").await;
    assert_eq!(matched["data"]["helper"]["name"], "Ana Pivot");
    assert_eq!(
        matched["data"]["conversation_id"],
        accepted["conversation_id"]
    );

    let (status, late) = json_of(
        ben.post(&format!("/api/v1/offers/{ben_offer}/accept"), json!({}))
            .await,
    )
    .await;
    assert_eq!(
        (status, error_parts(&late).0.as_str()),
        (StatusCode::CONFLICT, "already_taken")
    );
    assert!(
        late["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("thank you"),
        "told kindly: {late}"
    );
    // Someone else's offer looks like no offer at all.
    let learner_try = learner
        .post(&format!("/api/v1/offers/{ana_offer}/accept"), json!({}))
        .await;
    assert_eq!(learner_try.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn fifty_concurrent_accepts_on_one_ask_have_exactly_one_winner() {
    let app = TestApp::start_with(policy(50, 1, 120)).await;
    let mut helpers = Vec::new();
    for i in 0..50 {
        helpers.push(
            app.helper(
                &format!("h{i}@acme.test"),
                &format!("Helper {i}"),
                &["Pivot tables"],
            )
            .await,
        );
    }
    let learner = app.signed_in(LEARNER).await;
    let asked = ask(&learner, "pivot tables, urgently", &["pivot tables"]).await;
    let id = asked["id"].as_str().unwrap_or_default().to_owned();
    // Wait for the one wave of 50 offers.
    let mut offers = Vec::new();
    for _ in 0..100 {
        offers.clear();
        for h in &helpers {
            let (_, list) = json_of(h.get("/api/v1/offers").await).await;
            if let Some(offer) = list["items"].as_array().and_then(|a| a.first()) {
                offers.push(offer["offer_id"].as_str().unwrap_or_default().to_owned());
            }
        }
        if offers.len() == 50 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(offers.len(), 50, "every helper got the offer");
    let attempts = helpers.iter().zip(&offers).map(|(h, offer)| {
        let url = format!("{}/api/v1/offers/{offer}/accept", h.base);
        let client = h.client.clone();
        async move { client.post(url).send().await.map(|r| r.status()) }
    });
    let statuses: Vec<StatusCode> = futures_util::future::join_all(attempts)
        .await
        .into_iter()
        .map(|r| r.expect("request"))
        .collect();
    let winners = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let told = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((winners, told), (1, 49), "{statuses:?}");
    let (_, view) = json_of(learner.get(&format!("/api/v1/asks/{id}")).await).await;
    assert_eq!(view["status"]["state"], "matched");
    assert_eq!(view["pending_offers"], 0);
}

#[tokio::test]
async fn declines_send_the_next_wave_and_then_the_ask_waits_on_the_board_honestly() {
    let app = TestApp::start_with(policy(1, 2, 120)).await;
    let ana = app.helper("ana@acme.test", "Ana", &["Tableau"]).await;
    let ben = app.helper("ben@acme.test", "Ben", &["Tableau"]).await;
    let (mut ana_live, mut ben_live) = (Live::connect(&ana, 0).await, Live::connect(&ben, 0).await);
    let learner = app.signed_in(LEARNER).await;
    let mut learner_live = Live::connect(&learner, 0).await;
    let asked = ask(&learner, "Tableau dashboard filters", &["tableau"]).await;

    // Wave 1 goes to one of them; they decline; wave 2 goes to the other; they pass.
    let (first, first_live, second, second_live) = tokio::select! {
        offer = ana_live.expect("offer.received") => (offer, &mut ben_live, &ana, &ben),
        offer = ben_live.expect("offer.received") => (offer, &mut ana_live, &ben, &ana),
    };
    let first_offer = first["data"]["offer_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (status, _) = json_of(
        second
            .post(
                &format!("/api/v1/offers/{first_offer}/decline"),
                json!({"reason": "not_my_area"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let next = first_live.expect("offer.received").await;
    let next_offer = next["data"]["offer_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (status, _) = json_of(
        second_live
            .post(&format!("/api/v1/offers/{next_offer}/pass"), json!({}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let open = learner_live.expect("ask.open").await;
    let message = open["data"]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("No helper for Tableau is free right now"),
        "{message}"
    );
    let (_, board) = json_of(ana.get("/api/v1/asks/open").await).await;
    assert_eq!(board["items"][0]["id"], asked["id"]);

    // Anyone may pick it up from the board; the asker cannot.
    let id = asked["id"].as_str().unwrap_or_default();
    let (status, _) = json_of(
        learner
            .post(&format!("/api/v1/asks/{id}/claim"), json!({}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, claimed) = json_of(
        ana.post(&format!("/api/v1/asks/{id}/claim"), json!({}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{claimed}");
    assert_eq!(claimed["helper"]["name"], "Ana");
    learner_live.expect("ask.matched").await;
}

#[tokio::test]
async fn an_unanswered_offer_expires_and_the_next_wave_goes_out() {
    let app = TestApp::start_with(policy(1, 3, 1)).await;
    let ana = app.helper("ana@acme.test", "Ana", &["Tableau"]).await;
    let ben = app.helper("ben@acme.test", "Ben", &["Tableau"]).await;
    let (mut ana_live, mut ben_live) = (Live::connect(&ana, 0).await, Live::connect(&ben, 0).await);
    let learner = app.signed_in(LEARNER).await;
    ask(&learner, "Tableau", &["tableau"]).await;
    let (first_live, second_live) = tokio::select! {
        _ = ana_live.expect("offer.received") => (&mut ana_live, &mut ben_live),
        _ = ben_live.expect("offer.received") => (&mut ben_live, &mut ana_live),
    };
    first_live.expect("offer.expired").await;
    second_live.expect("offer.received").await;
}

#[tokio::test]
async fn cancelling_withdraws_pending_offers() {
    let app = TestApp::start_with(policy(1, 2, 120)).await;
    let ana = app.helper("ana@acme.test", "Ana", &["Tableau"]).await;
    let mut ana_live = Live::connect(&ana, 0).await;
    let learner = app.signed_in(LEARNER).await;
    let asked = ask(&learner, "Tableau", &["tableau"]).await;
    ana_live.expect("offer.received").await;
    let id = asked["id"].as_str().unwrap_or_default();
    let (status, cancelled) = json_of(
        learner
            .post(&format!("/api/v1/asks/{id}/cancel"), json!({}))
            .await,
    )
    .await;
    assert_eq!(
        (status, cancelled["status"]["state"].as_str()),
        (StatusCode::OK, Some("cancelled"))
    );
    let withdrawn = ana_live.expect("offer.withdrawn").await;
    assert_eq!(withdrawn["data"]["why"], "ask_cancelled");
    let (status, again) = json_of(
        learner
            .post(&format!("/api/v1/asks/{id}/cancel"), json!({}))
            .await,
    )
    .await;
    assert_eq!(
        (status, error_parts(&again).0.as_str()),
        (StatusCode::GONE, "ask_cancelled")
    );
    // Only the asker may cancel: to anyone else the ask is not theirs.
    let (status, _) = json_of(
        ana.post(&format!("/api/v1/asks/{id}/cancel"), json!({}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_returns_the_same_ask() {
    let app = TestApp::start().await;
    let learner = app.signed_in(LEARNER).await;
    let send = || {
        learner
            .client
            .post(app.url("/api/v1/asks"))
            .header("idempotency-key", "retry-7f3a")
            .json(&json!({"text": "How do VLOOKUPs work?"}))
            .send()
    };
    let (first_status, first) = json_of(send().await.expect("first")).await;
    let second = send().await.expect("second");
    assert_eq!(
        second
            .headers()
            .get("idempotent-replayed")
            .map(|v| v.as_bytes()),
        Some(&b"true"[..])
    );
    let (second_status, second) = json_of(second).await;
    assert_eq!(
        (first_status, second_status),
        (StatusCode::CREATED, StatusCode::OK)
    );
    assert_eq!(first["id"], second["id"]);
    let (_, mine) = json_of(learner.get("/api/v1/asks").await).await;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn bad_asks_and_actions_answer_clearly_and_change_nothing() {
    let app = TestApp::start().await;
    let learner = app.signed_in(LEARNER).await;
    for (body, field) in [
        (json!({"text": "   "}), "text"),
        (json!({"text": "x".repeat(100_000)}), "text"),
        (json!({"text": "ok", "skills": ["Exccel"]}), "skills.0"),
    ] {
        let (status, error) = json_of(learner.post("/api/v1/asks", body).await).await;
        assert_eq!(
            (status, error_parts(&error).1.as_deref()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field))
        );
    }
    let (status, error) = json_of(
        learner
            .post(
                "/api/v1/asks",
                json!({"text": "ok", "urgency": "yesterday"}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, error_parts(&error).1.as_deref()),
        (StatusCode::BAD_REQUEST, Some("urgency"))
    );
    let unknown = "01a2a2a2-0000-7000-8000-000000000000";
    assert_eq!(
        learner
            .get(&format!("/api/v1/asks/{unknown}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        learner
            .post(&format!("/api/v1/offers/{unknown}/accept"), json!({}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let (_, mine) = json_of(learner.get("/api/v1/asks").await).await;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn a_malformed_socket_frame_closes_the_socket_with_a_clear_code() {
    let app = TestApp::start().await;
    let learner = app.signed_in(LEARNER).await;
    let mut live = Live::connect(&learner, 0).await;
    live.send_text("{\"type\":\"ping\"}").await;
    live.expect("pong").await;
    live.send_text("not a command").await;
    assert_eq!(live.close_code().await, Some(1007));
}
