use askaround_core::asks::{ByUrgency, RoutingPolicy};
use askaround_server::ServerConfig;
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::live::Live;
use crate::common::*;

/// A learner matched with a helper: (learner, helper, conversation id, ask id).
async fn matched(app: &TestApp) -> (Actor, Actor, String, String) {
    let ana = app
        .helper("ana@acme.test", "Ana Pivot", &["Pivot tables"])
        .await;
    let mut ana_live = Live::connect(&ana, 0).await;
    let learner = app.signed_in(LEARNER).await;
    let (_, asked) = json_of(
        learner
            .post(
                "/api/v1/asks",
                json!({"text": "pivot table refresh", "skills": ["pivot tables"]}),
            )
            .await,
    )
    .await;
    let offer = ana_live.expect("offer.received").await["data"]["offer_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (status, accepted) = json_of(
        ana.post(&format!("/api/v1/offers/{offer}/accept"), json!({}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let conversation = accepted["conversation_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (
        learner,
        ana,
        conversation,
        asked["id"].as_str().unwrap_or_default().to_owned(),
    )
}

fn one_wave() -> ServerConfig {
    ServerConfig {
        routing: RoutingPolicy {
            offers_per_wave: 1,
            max_waves: 1,
            offer_lifetime: ByUrgency {
                now: SignedDuration::from_mins(5),
                today: SignedDuration::from_mins(5),
                this_week: SignedDuration::from_mins(5),
            },
            ..RoutingPolicy::default()
        },
        ..ServerConfig::default()
    }
}

#[tokio::test]
async fn messages_are_stored_pushed_live_and_paged() {
    let app = TestApp::start_with(one_wave()).await;
    let (learner, ana, conversation, _) = matched(&app).await;
    let mut learner_live = Live::connect(&learner, 0).await;
    let (status, sent) = json_of(
        ana.post(
            &format!("/api/v1/conversations/{conversation}/messages"),
            json!({"body": "Hi! Use a Table (Ctrl+T) as the source."}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let pushed = learner_live.expect("message.created").await;
    assert_eq!(pushed["data"]["message"]["id"], sent["id"]);
    for i in 0..5 {
        learner
            .post(
                &format!("/api/v1/conversations/{conversation}/messages"),
                json!({"body": format!("message {i}")}),
            )
            .await;
    }
    let (_, page) = json_of(
        learner
            .get(&format!(
                "/api/v1/conversations/{conversation}/messages?limit=4"
            ))
            .await,
    )
    .await;
    let bodies: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert_eq!(bodies, ["message 4", "message 3", "message 2", "message 1"]);
    let before = page["next_before"].as_str().expect("older pages");
    let (_, older) = json_of(
        learner
            .get(&format!(
                "/api/v1/conversations/{conversation}/messages?limit=4&before={before}"
            ))
            .await,
    )
    .await;
    let bodies: Vec<&str> = older["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert_eq!(
        bodies,
        ["message 0", "Hi! Use a Table (Ctrl+T) as the source."]
    );

    let (status, error) = json_of(
        learner
            .post(
                &format!("/api/v1/conversations/{conversation}/messages"),
                json!({"body": "x".repeat(16 * 1024 + 1)}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, error_parts(&error).1.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("body"))
    );
    let outsider = app.signed_in(HELPER).await;
    assert_eq!(
        outsider
            .get(&format!("/api/v1/conversations/{conversation}/messages"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        outsider
            .post(
                &format!("/api/v1/conversations/{conversation}/messages"),
                json!({"body": "hi"})
            )
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_colleague_can_be_pulled_in_and_a_call_or_slot_proposed() {
    let app = TestApp::start_with(one_wave()).await;
    let (learner, ana, conversation, _) = matched(&app).await;
    let hal = app.signed_in(HELPER).await;
    let mut hal_live = Live::connect(&hal, 0).await;
    let hal_id = app.id_of(HELPER).await;
    let (status, view) = json_of(
        ana.post(
            &format!("/api/v1/conversations/{conversation}/participants"),
            json!({"person_id": hal_id}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["participants"].as_array().map(Vec::len), Some(3));
    hal_live.expect("conversation.opened").await;
    assert_eq!(
        hal.get(&format!("/api/v1/conversations/{conversation}"))
            .await
            .status(),
        StatusCode::OK
    );

    let (status, error) = json_of(
        learner
            .post(
                &format!("/api/v1/conversations/{conversation}/call"),
                json!({"meeting_url": "javascript:alert(1)"}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, error_parts(&error).1.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("meeting_url"))
    );
    let (status, call) = json_of(
        learner
            .post(
                &format!("/api/v1/conversations/{conversation}/call"),
                json!({"meeting_url": "https://meet.example.com/abc"}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, call["kind"].as_str()),
        (StatusCode::CREATED, Some("call"))
    );

    let start = jiff::Timestamp::now() + SignedDuration::from_hours(3);
    let (status, slot) = json_of(
        ana.post(
            &format!("/api/v1/conversations/{conversation}/slot"),
            json!({"start": start, "minutes": 30, "title": "Pivot tables"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{slot}");
    let ics_url = slot["data"]["ics_url"].as_str().expect("ics url");
    let ics = learner.get(ics_url).await;
    assert_eq!(ics.status(), StatusCode::OK);
    assert!(
        ics.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/calendar")
    );
    let text = ics.text().await.expect("ics");
    assert!(
        text.starts_with("BEGIN:VCALENDAR\r\n")
            && text.contains("SUMMARY:Pivot tables\r\n")
            && text.contains("ATTENDEE"),
        "{text}"
    );
    let (status, error) = json_of(
        ana.post(
            &format!("/api/v1/conversations/{conversation}/slot"),
            json!({"start": "2001-01-01T00:00:00Z", "minutes": 30}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, error_parts(&error).1.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("start"))
    );
}

#[tokio::test]
async fn closing_with_feedback_resolves_the_ask_and_becomes_evidence() {
    let app = TestApp::start_with(one_wave()).await;
    let (learner, ana, conversation, ask) = matched(&app).await;
    let mut ana_live = Live::connect(&ana, 0).await;
    // Only the learner closes.
    let (status, _) = json_of(
        ana.post(
            &format!("/api/v1/conversations/{conversation}/close"),
            json!({"rating": 5}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, error) = json_of(
        learner
            .post(
                &format!("/api/v1/conversations/{conversation}/close"),
                json!({"rating": 9}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, error_parts(&error).1.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("rating"))
    );
    let body = json!({"rating": 5, "learned_skills": ["pivot tables"], "thanks": "Thank you, that worked!"});
    let (status, resolved) = json_of(
        learner
            .post(&format!("/api/v1/conversations/{conversation}/close"), body)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    assert_eq!(resolved["status"]["state"], "resolved");
    assert!(resolved["seconds_to_resolution"].as_i64().is_some());
    ana_live.expect("ask.resolved").await;
    let (status, _) = json_of(
        learner
            .post(
                &format!("/api/v1/conversations/{conversation}/messages"),
                json!({"body": "one more thing"}),
            )
            .await,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a closed conversation takes no more messages"
    );
    let confirmed = ana
        .post(
            &format!("/api/v1/conversations/{conversation}/topics"),
            json!({"topics": ["Pivot tables", "Excel"]}),
        )
        .await;
    assert_eq!(confirmed.status(), StatusCode::NO_CONTENT);

    // The matcher now knows Ana helped with pivot tables.
    let (status, preview) = json_of(
        learner
            .post(
                "/api/v1/match/preview",
                json!({"text": "pivot table question"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    let ana_row = preview["candidates"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["person"]["name"] == "Ana Pivot"))
        .cloned()
        .unwrap_or(Value::Null);
    assert!(
        ana_row["summary"]
            .as_str()
            .unwrap_or_default()
            .contains("helped 1 person"),
        "{preview}"
    );
    let (_, view) = json_of(learner.get(&format!("/api/v1/asks/{ask}")).await).await;
    assert_eq!(view["status"]["state"], "resolved");
}

#[tokio::test]
async fn a_problem_report_reaches_the_admins() {
    let app = TestApp::start_with(one_wave()).await;
    let (learner, _ana, conversation, _) = matched(&app).await;
    let (status, _) = json_of(
        learner
            .post(
                &format!("/api/v1/conversations/{conversation}/report"),
                json!({"reason": ""}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, received) = json_of(
        learner
            .post(
                &format!("/api/v1/conversations/{conversation}/report"),
                json!({"reason": "Rude messages"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{received}");
    assert_eq!(
        learner.get("/api/v1/reports").await.status(),
        StatusCode::FORBIDDEN
    );
    let admin = app.signed_in(ADMIN).await;
    let (_, reports) = json_of(admin.get("/api/v1/reports").await).await;
    assert_eq!(reports["items"][0]["reason"], "Rude messages");
    assert_eq!(reports["items"][0]["reporter"]["name"], "Lea Learner");
}

#[tokio::test]
async fn a_reconnecting_client_gets_every_event_it_missed() {
    let app = TestApp::start_with(one_wave()).await;
    let (learner, ana, conversation, _) = matched(&app).await;
    let mut live = Live::connect(&learner, 0).await;
    ana.post(
        &format!("/api/v1/conversations/{conversation}/messages"),
        json!({"body": "first"}),
    )
    .await;
    let first = live.expect("message.created").await;
    let last_id = first["id"].as_i64().expect("event id");
    drop(live);
    for body in ["second", "third"] {
        ana.post(
            &format!("/api/v1/conversations/{conversation}/messages"),
            json!({"body": body}),
        )
        .await;
    }
    let mut again = Live::connect(&learner, last_id).await;
    let second = again.expect("message.created").await;
    let third = again.expect("message.created").await;
    assert_eq!(
        (
            second["data"]["message"]["body"].as_str(),
            third["data"]["message"]["body"].as_str()
        ),
        (Some("second"), Some("third"))
    );
    assert!(second["id"].as_i64() > Some(last_id));
    assert_eq!(
        again.kinds(),
        ["message.created", "message.created"],
        "nothing before {last_id} is replayed"
    );
}

#[tokio::test]
async fn presence_and_out_of_office_are_kept_and_checked() {
    let app = TestApp::start().await;
    let hal = app.signed_in(HELPER).await;
    let (status, me) = json_of(
        hal.put("/api/v1/me/presence", json!({"status": "dnd"}))
            .await,
    )
    .await;
    assert_eq!(
        (status, me["presence"].as_str()),
        (StatusCode::OK, Some("dnd"))
    );
    let (status, error) = json_of(
        hal.put("/api/v1/me/presence", json!({"status": "busy"}))
            .await,
    )
    .await;
    assert_eq!(
        (status, error_parts(&error).1.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("status"))
    );
    let (status, me) = json_of(
        hal.put(
            "/api/v1/me/out-of-office",
            json!({"from": "2026-12-20T00:00:00Z", "until": "2027-01-04T00:00:00Z"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["out_of_office"]["until"], "2027-01-04T00:00:00Z");
    let (status, error) = json_of(
        hal.put(
            "/api/v1/me/out-of-office",
            json!({"from": "2027-01-04T00:00:00Z", "until": "2026-12-20T00:00:00Z"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, error_parts(&error).1.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("out_of_office.until")
        )
    );
    let (_, me) = json_of(hal.delete("/api/v1/me/out-of-office").await).await;
    assert!(me["out_of_office"].is_null());
}

#[tokio::test]
async fn a_helper_who_ignores_offers_in_a_row_is_snoozed_and_told() {
    let config = ServerConfig {
        routing: RoutingPolicy {
            offers_per_wave: 1,
            max_waves: 1,
            snooze_after_ignored: 2,
            offer_lifetime: ByUrgency {
                now: SignedDuration::from_secs(1),
                today: SignedDuration::from_secs(1),
                this_week: SignedDuration::from_secs(1),
            },
            ..RoutingPolicy::default()
        },
        ..ServerConfig::default()
    };
    let app = TestApp::start_with(config).await;
    let ana = app.helper("ana@acme.test", "Ana", &["Tableau"]).await;
    let mut ana_live = Live::connect(&ana, 0).await;
    let learner = app.signed_in(LEARNER).await;
    for n in 0..2 {
        let (status, _) = json_of(
            learner
                .post(
                    "/api/v1/asks",
                    json!({"text": format!("Tableau question {n}"), "skills": ["tableau"]}),
                )
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        ana_live.expect("offer.received").await;
        ana_live.expect("offer.expired").await;
    }
    let snoozed = ana_live.expect("helper.snoozed").await;
    assert!(
        snoozed["data"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("paused offers")
    );
    let (_, me) = json_of(ana.get("/api/v1/me").await).await;
    assert_eq!(me["presence"], "dnd");
    // A third ask finds nobody and says why.
    let (_, preview) = json_of(
        learner
            .post(
                "/api/v1/match/preview",
                json!({"text": "Tableau", "skills": ["tableau"]}),
            )
            .await,
    )
    .await;
    assert!(
        preview["explanations"].as_array().is_some_and(|e| e
            .iter()
            .any(|m| m.as_str().unwrap_or_default().contains("do not disturb"))),
        "{preview}"
    );
}

#[tokio::test]
async fn history_and_help_show_what_was_asked_helped_and_learned() {
    let app = TestApp::start_with(one_wave()).await;
    let (learner, ana, conversation, ask) = matched(&app).await;
    learner
        .post(
            &format!("/api/v1/conversations/{conversation}/close"),
            json!({"rating": 4, "learned_skills": ["pivot tables"]}),
        )
        .await;
    let (_, mine) = json_of(learner.get("/api/v1/me/history").await).await;
    assert_eq!(mine["asked"][0]["id"], ask.as_str());
    assert_eq!(mine["learned"][0]["skill"]["name"], "Pivot tables");
    assert_eq!(mine["learned"][0]["from"]["name"], "Ana Pivot");
    let (_, hers) = json_of(ana.get("/api/v1/me/history").await).await;
    assert_eq!(hers["helped"][0]["id"], ask.as_str());
    let ana_id = app.id_of("ana@acme.test").await;
    let (status, help) = json_of(learner.get(&format!("/api/v1/people/{ana_id}/help")).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (help["sessions"].as_u64(), help["average_rating"].as_f64()),
        (Some(1), Some(4.0))
    );
    assert_eq!(help["skills"][0]["skill"]["name"], "Pivot tables");
}
