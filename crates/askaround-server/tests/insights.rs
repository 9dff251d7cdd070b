//! Insights for admins, black-box: a small organisation with a known history written through
//! the real state machine, then every figure read over HTTP, exactly, with small cells hidden.

// The shared helpers of the `api` target; this target uses part of them.
#[allow(dead_code)]
#[path = "api/common/mod.rs"]
mod common;

use jiff::Timestamp;
use reqwest::StatusCode;
use serde_json::{Value, json};

use askaround_core::asks::{self, Ask, Candidate, Event, HelpMode, NewAsk, RoutingPolicy};
use askaround_core::email::Email;
use askaround_core::hours::WorkingHours;
use askaround_core::ids::{AskId, OfferId, OrgId, PersonId, SkillId};
use askaround_core::language;
use askaround_core::matching::Urgency;
use askaround_core::person::{PersonFields, Role};
use askaround_core::taxonomy::Taxonomy;
use askaround_core::timezone::TimeZoneName;
use askaround_store::{NewFeedback, NewPerson, Outbox, Store};

use common::{ADMIN, LEARNER, OUTSIDER, TestApp, error_parts, json_of};

const RANGE: &str = "from=2026-03-23&to=2026-04-05";

fn at(s: &str) -> Timestamp {
    s.parse().expect("instant")
}

async fn person(store: &dyn Store, org: OrgId, name: &str, team: &str, location: &str) -> PersonId {
    let fields = PersonFields {
        email: Email::parse(&format!("{}@acme.test", name.replace(' ', "."))).expect("email"),
        name: name.into(),
        title: None,
        team: Some(team.into()),
        location: Some(location.into()),
        timezone: TimeZoneName::parse("Europe/Lisbon").expect("tz"),
        working_hours: WorkingHours::office(),
        languages: language::parse_list("en").expect("lang"),
        bio: None,
        weekly_budget: 5,
        role: Role::Member,
        active: true,
    };
    store
        .create_person(org, &NewPerson::new(fields), Timestamp::now())
        .await
        .expect("person")
        .person
        .id
}

async fn step(
    store: &dyn Store,
    org: OrgId,
    ask: &Ask,
    event: Event,
    when: &str,
    outbox: Outbox,
) -> Ask {
    let t = asks::apply(ask, event, at(when), &RoutingPolicy::default()).expect("event");
    store
        .commit_transition(org, ask.version, &t.ask, &outbox, at(when))
        .await
        .expect("commit");
    t.ask
}

async fn new_ask(
    store: &dyn Store,
    org: OrgId,
    asker: PersonId,
    skill: SkillId,
    when: &str,
) -> Ask {
    let new = NewAsk::parse("help please", vec![skill], Urgency::Now, HelpMode::Chat).expect("ask");
    let t = asks::create(AskId::generate(), asker, new, at(when));
    store
        .create_ask(org, &t.ask, None, &Outbox::default(), at(when))
        .await
        .expect("create");
    t.ask
}

fn candidates(helpers: &[PersonId]) -> Event {
    Event::Candidates {
        wave: 1,
        candidates: helpers
            .iter()
            .map(|h| Candidate {
                helper: *h,
                offer: OfferId::generate(),
            })
            .collect(),
    }
}

/// Acme's Finance (Lisbon) asks, Ops (Porto) helps, in the two weeks from Monday 23 March 2026.
/// Acme already has Ada, Lea and Hal in Finance; Globex has only Otto.
async fn history(app: &TestApp) {
    let store = app.store.as_ref();
    let org = store.org_by_slug("acme").await.expect("acme").id;
    let taxonomy = Taxonomy::new(store.skills(org).await.expect("skills"));
    let excel = taxonomy.resolve("Excel").expect("excel").id;
    let tableau = taxonomy.resolve("Tableau").expect("tableau").id;
    let mut fay = Vec::new();
    for i in 0..6 {
        fay.push(person(store, org, &format!("Fay {i}"), "Finance", "Lisbon").await);
    }
    let mut olga = Vec::new();
    for i in 0..7 {
        olga.push(person(store, org, &format!("Olga {i}"), "Ops", "Porto").await);
    }
    for (i, rating) in [5, 5, 5, 4, 2].into_iter().enumerate() {
        let asked = format!("2026-03-23T{:02}:00:00Z", 9 + i);
        let ask = new_ask(store, org, fay[i], excel, &asked).await;
        let ask = step(
            store,
            org,
            &ask,
            candidates(&[olga[i]]),
            &asked,
            Outbox::default(),
        )
        .await;
        let offer = ask.offers[0].id;
        let accept = Event::Accept { offer, by: olga[i] };
        let accepted = format!("2026-03-23T{:02}:01:00Z", 9 + i);
        let ask = step(store, org, &ask, accept, &accepted, Outbox::default()).await;
        let feedback = Outbox {
            feedback: Some(NewFeedback {
                learner: fay[i],
                helper: olga[i],
                rating,
                thanks: Some("a private thank-you".into()),
                learned: vec![excel],
            }),
            ..Outbox::default()
        };
        let closed = format!("2026-03-23T{:02}:00:00Z", 10 + i);
        step(
            store,
            org,
            &ask,
            Event::Resolve { by: fay[i] },
            &closed,
            feedback,
        )
        .await;
    }
    // Monday 00:00 in Lisbon (summer time) is still Sunday in UTC: the second local week.
    let ask = new_ask(store, org, fay[5], tableau, "2026-03-29T23:00:00Z").await;
    let ask = step(
        store,
        org,
        &ask,
        candidates(&[]),
        "2026-03-29T23:00:00Z",
        Outbox::default(),
    )
    .await;
    let claim = Event::Claim { by: olga[1] };
    step(
        store,
        org,
        &ask,
        claim,
        "2026-03-29T23:30:00Z",
        Outbox::default(),
    )
    .await;
}

#[tokio::test]
async fn members_are_refused_and_anonymous_callers_asked_to_sign_in() {
    let app = TestApp::start().await;
    let member = app.signed_in(LEARNER).await;
    for path in [
        "/api/v1/insights/adoption",
        "/api/v1/insights/load.csv",
        "/api/v1/insights/digest",
    ] {
        assert_eq!(
            member.get(path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
        assert_eq!(
            app.anonymous().get(path).await.status(),
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    assert_eq!(
        member.get("/admin/insights").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn bad_filters_are_refused_naming_the_field() {
    let app = TestApp::start().await;
    let admin = app.signed_in(ADMIN).await;
    for (query, field) in [
        ("from=yesterday", "from"),
        ("from=2026-05-02&to=2026-05-01", "from"),
        ("to=31/12", "to"),
        ("format=xml", "format"),
        ("format=csv&table=nope", "table"),
        ("table=curve", "table"),
    ] {
        let (status, body) = json_of(
            admin
                .get(&format!("/api/v1/insights/adoption?{query}"))
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(
            error_parts(&body).1.as_deref(),
            Some(field),
            "{query}: {body}"
        );
    }
    let missing = admin.get("/api/v1/insights/nothing.csv").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

async fn get_json(actor: &common::Actor, path: &str) -> Value {
    let (status, body) = json_of(actor.get(path).await).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

#[tokio::test]
async fn every_figure_is_exact_and_small_cells_are_hidden() {
    let app = TestApp::start().await;
    history(&app).await;
    let admin = app.signed_in(ADMIN).await;

    let a = get_json(&admin, &format!("/api/v1/insights/adoption?{RANGE}")).await;
    assert_eq!(
        a["headline"],
        "69% of your people connected with a colleague to learn or to help by 2026-04-05."
    );
    assert_eq!(a["population"], 16);
    assert_eq!(a["connected"], json!({"people": 11, "share": 0.6875}));
    assert_eq!(a["asked"], json!({"people": 6, "share": 0.375}));
    assert_eq!(a["helped"], json!({"people": 5, "share": 0.3125}));
    assert_eq!(
        a["repeat"],
        json!({"people": null, "share": null}),
        "one person: hidden"
    );
    assert_eq!(
        a["curve"],
        json!([
            {"week_start": "2026-03-23", "connected": {"people": 10, "share": 0.625}},
            {"week_start": "2026-03-30", "connected": {"people": 11, "share": 0.6875}},
        ]),
        "Fay 5 connected on Monday local time, Sunday in UTC"
    );
    let ops = json!({"name": "Ops", "population": 7,
        "connected": {"people": 5, "share": 0.7143}, "asked": {"people": 0, "share": 0.0},
        "helped": {"people": 5, "share": 0.7143}});
    assert_eq!(a["by_team"][1], ops);
    assert_eq!(a["by_location"][1]["name"], "Porto");

    let s = get_json(&admin, &format!("/api/v1/insights/speed?{RANGE}")).await;
    assert_eq!(
        s["overall"],
        json!({"asks": 6, "answered_share": 1.0, "board_share": 0.1667,
            "accept_p50_secs": 60, "accept_p90_secs": 1800,
            "resolution_p50_secs": 3600, "resolution_p90_secs": 3600, "interrupted_median": 1})
    );
    assert_eq!(
        s["by_hour"][9]["figures"]["asks"],
        Value::Null,
        "one asker: hidden"
    );
    assert_eq!(s["by_hour"][3]["figures"]["asks"], 0);
    assert_eq!(
        s["by_skill"],
        json!([{"skill": s["by_skill"][0]["skill"], "figures": s["by_skill"][0]["figures"]}])
    );
    assert_eq!(s["by_skill"][0]["skill"]["name"], "Microsoft Excel");

    let q = get_json(&admin, &format!("/api/v1/insights/quality?{RANGE}")).await;
    let counts: Vec<Value> = q["ratings"]
        .as_array()
        .expect("ratings")
        .iter()
        .map(|r| r["count"].clone())
        .collect();
    assert_eq!(
        counts,
        [json!(0), Value::Null, json!(0), Value::Null, Value::Null]
    );
    assert_eq!(
        (q["rated"].clone(), q["good_share"].clone()),
        (json!(5), json!(0.8))
    );
    assert_eq!(q["learned"][0]["times"], 5);
    assert!(
        !q.to_string().contains("thank-you"),
        "no conversation content"
    );

    let l = get_json(&admin, &format!("/api/v1/insights/load?{RANGE}")).await;
    assert_eq!(
        (l["helpers"].clone(), l["helps"].clone()),
        (json!(5), json!(6))
    );
    assert_eq!(l["gini"], 0.1333);
    assert_eq!(l["top_tenth_share"], 0.3333);
    let top: Vec<&str> = l["top"]
        .as_array()
        .expect("top")
        .iter()
        .filter_map(|h| h["name"].as_str())
        .collect();
    assert_eq!(top, ["Olga 1", "Olga 0", "Olga 2", "Olga 3", "Olga 4"]);

    let c = get_json(&admin, &format!("/api/v1/insights/connections?{RANGE}")).await;
    assert_eq!(
        c["cells"],
        json!([{"learner_team": "Finance", "helper_team": "Ops", "asks": 6}])
    );
    assert_eq!(c["cross_team_share"], 1.0);

    let k = get_json(&admin, &format!("/api/v1/insights/skills?{RANGE}")).await;
    let tableau = k["skills"]
        .as_array()
        .expect("skills")
        .iter()
        .find(|r| r["skill"]["name"] == "Tableau")
        .cloned();
    assert_eq!(
        tableau.map(|t| t["asks"].clone()),
        Some(Value::Null),
        "one asker: hidden"
    );

    // Another organisation's admin sees only their own (one person: everything hidden).
    let otto = app.signed_in(OUTSIDER).await;
    let theirs = get_json(&otto, &format!("/api/v1/insights/adoption?{RANGE}")).await;
    assert_eq!(theirs["population"], Value::Null);
}

#[tokio::test]
async fn tables_export_as_csv_by_query_or_extension() {
    let app = TestApp::start().await;
    history(&app).await;
    let admin = app.signed_in(ADMIN).await;
    let expected = "name,people,connected,connected_share,asked,asked_share,helped,helped_share\r\n\
                    Finance,9,6,0.6667,6,0.6667,0,0\r\n\
                    Ops,7,5,0.7143,0,0,5,0.7143\r\n";
    for path in [
        format!("/api/v1/insights/adoption?{RANGE}&format=csv&table=by_team"),
        format!("/api/v1/insights/adoption.csv?{RANGE}&table=by_team"),
    ] {
        let response = admin.get(&path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let kind = response.headers()["content-type"]
            .to_str()
            .expect("type")
            .to_owned();
        assert_eq!(kind, "text/csv; charset=utf-8");
        assert_eq!(response.text().await.expect("body"), expected, "{path}");
    }
    let hours = admin
        .get(&format!("/api/v1/insights/speed.csv?{RANGE}"))
        .await;
    let text = hours.text().await.expect("body");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 26, "header, all asks, 24 hours");
    assert_eq!(lines[1], "all asks,6,1,0.1667,60,1800,3600,3600,1");
    assert_eq!(lines[2 + 9], "09:00,,,,,,,,", "one asker that hour: hidden");
}

#[tokio::test]
async fn the_page_draws_charts_with_tables_and_the_digest_is_email_ready() {
    let app = TestApp::start().await;
    history(&app).await;
    let admin = app.signed_in(ADMIN).await;
    let page = admin.get(&format!("/admin/insights?{RANGE}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("69% of your people connected"), "headline");
    assert!(html.matches("<svg").count() >= 4, "charts");
    assert!(html.contains("role=\"img\""), "charts are labelled images");
    assert!(
        html.matches("<table>").count() >= 10,
        "a table beside every chart"
    );
    assert!(html.contains("hidden, fewer than 5 people"));
    assert!(!html.contains("private thank-you"));

    let bad = admin.get("/admin/insights?from=soon").await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.expect("html").contains("is not a date"));

    let digest = admin
        .get("/api/v1/insights/digest?from=2026-03-23&to=2026-03-29")
        .await;
    assert_eq!(digest.status(), StatusCode::OK);
    assert!(
        digest.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/html")
    );
    let body = digest.text().await.expect("html");
    assert!(body.contains("63% of your people connected"), "{body}");
    assert!(body.contains("Microsoft Excel"));
    assert!(!body.contains("<script"));
    let default_week = admin.get("/api/v1/insights/digest").await;
    assert_eq!(default_week.status(), StatusCode::OK);
}
