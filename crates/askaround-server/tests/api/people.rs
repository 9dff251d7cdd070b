use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn a_profile_edit_saves_and_a_bad_field_is_named() {
    let app = TestApp::start().await;
    let learner = app.signed_in(LEARNER).await;
    let patch = json!({
        "timezone": "america/sao_paulo",
        "working_hours": "mon-thu 08:00-16:00, fri 22:00-02:00",
        "languages": ["pt-br", "en"],
        "weekly_budget": 3,
        "title": "Analyst",
        "bio": null
    });
    let (status, me) = json_of(learner.patch("/api/v1/me", patch).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["timezone"], "America/Sao_Paulo");
    assert_eq!(me["working_hours"], "mon-thu 08:00-16:00, fri 22:00-02:00");
    assert_eq!(me["languages"], json!(["pt-BR", "en"]));
    assert_eq!(me["team"], "Finance", "absent fields stay");

    let cases: [(Value, StatusCode, &str); 7] = [
        (
            json!({"timezone": "Mars/Olympus"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "timezone",
        ),
        (
            json!({"working_hours": "mon 9-5"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "working_hours",
        ),
        (
            json!({"languages": ["en", "Klingon"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "languages.1",
        ),
        (
            json!({"weekly_budget": 500}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "weekly_budget",
        ),
        (
            json!({"weekly_budget": "five"}),
            StatusCode::BAD_REQUEST,
            "weekly_budget",
        ),
        (
            json!({"name": "   "}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "name",
        ),
        (json!({"nmae": "typo"}), StatusCode::BAD_REQUEST, "nmae"),
    ];
    for (body, expected_status, field) in cases {
        let (status, error) = json_of(learner.patch("/api/v1/me", body.clone()).await).await;
        assert_eq!(status, expected_status, "{body}: {error}");
        assert_eq!(
            error_parts(&error).1.as_deref(),
            Some(field),
            "{body}: {error}"
        );
    }
    let (_, me) = json_of(learner.get("/api/v1/me").await).await;
    assert_eq!(
        me["timezone"], "America/Sao_Paulo",
        "failed edits change nothing"
    );
}

#[tokio::test]
async fn several_bad_fields_are_all_reported() {
    let app = TestApp::start().await;
    let learner = app.signed_in(LEARNER).await;
    let (status, error) = json_of(
        learner
            .patch(
                "/api/v1/me",
                json!({"timezone": "Nowhere", "weekly_budget": -1}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = error["error"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(fields, ["timezone", "weekly_budget"]);
}

#[tokio::test]
async fn skills_are_resolved_through_aliases_and_typos_get_a_suggestion() {
    let app = TestApp::start().await;
    let helper = app.signed_in(HELPER).await;
    let body = json!({"skills": [{"skill": "k8s", "level": "expert"}, {"skill": "pivot table"}, {"skill": "Excel", "level": "beginner"}]});
    let (status, me) = json_of(helper.put("/api/v1/me/skills", body).await).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    let skills: Vec<(String, String)> = me["skills"]
        .as_array()
        .expect("skills")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap_or_default().to_owned(),
                s["level"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(
        skills.contains(&("Kubernetes".into(), "expert".into())),
        "{skills:?}"
    );
    assert!(
        skills.contains(&("Pivot tables".into(), "intermediate".into())),
        "{skills:?}"
    );
    assert!(
        skills.contains(&("Microsoft Excel".into(), "beginner".into())),
        "{skills:?}"
    );

    let (status, error) = json_of(
        helper
            .put(
                "/api/v1/me/skills",
                json!({"skills": [{"skill": "Kubernets"}]}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_parts(&error).1.as_deref(), Some("skills.0.skill"));
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("did you mean 'Kubernetes'"),
        "{error}"
    );

    let (status, me) = json_of(
        helper
            .put("/api/v1/me/goals", json!({"goals": ["tableau", "py"]}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let goals: Vec<&str> = me["goals"]
        .as_array()
        .expect("goals")
        .iter()
        .filter_map(|g| g["name"].as_str())
        .collect();
    assert_eq!(goals, ["Python", "Tableau"]);
}

#[tokio::test]
async fn the_directory_finds_people_by_a_parent_skill_and_pages() {
    let app = TestApp::start().await;
    let helper = app.signed_in(HELPER).await;
    helper
        .put(
            "/api/v1/me/skills",
            json!({"skills": [{"skill": "pivot tables", "level": "expert"}]}),
        )
        .await;
    let learner = app.signed_in(LEARNER).await;
    // Hal can help with Pivot tables, which sits under Excel: searching Excel finds him.
    let (status, list) = json_of(learner.get("/api/v1/people?skill=excel").await).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names, ["Hal Helper"]);
    let (status, error) = json_of(learner.get("/api/v1/people?skill=exccel").await).await;
    assert_eq!(
        (status, error_parts(&error).1.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("skill"))
    );

    let (_, page1) = json_of(learner.get("/api/v1/people?limit=2").await).await;
    assert_eq!(page1["items"].as_array().map(Vec::len), Some(2));
    let cursor = page1["next_cursor"].as_str().expect("more pages");
    let (_, page2) = json_of(
        learner
            .get(&format!("/api/v1/people?limit=2&cursor={cursor}"))
            .await,
    )
    .await;
    let names: Vec<&str> = page2["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names, ["Lea Learner"]);
    assert!(page2.get("next_cursor").is_none());
    let (status, _) = json_of(learner.get("/api/v1/people?cursor=garbage").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn admins_create_people_with_validation_and_unique_emails() {
    let app = TestApp::start().await;
    let admin = app.signed_in(ADMIN).await;
    let (status, error) = json_of(
        admin
            .post("/api/v1/people", json!({"email": "bob@", "name": ""}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_parts(&error).1.as_deref(), Some("email"));
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("'bob@' is not a valid address")
    );
    let (status, error) = json_of(
        admin
            .post("/api/v1/people", json!({"email": OUTSIDER, "name": "Copy"}))
            .await,
    )
    .await;
    assert_eq!(
        (status, error_parts(&error)),
        (
            StatusCode::CONFLICT,
            ("email_taken".to_owned(), Some("email".to_owned()))
        )
    );
    let body = json!({"email": "kim@acme.test", "name": "Kim", "password": "kim's long password", "skills": [{"skill": "SQL", "level": "expert"}], "goals": ["Tableau"], "role": "admin"});
    let (status, created) = json_of(admin.post("/api/v1/people", body).await).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(created.get("invitation").is_none());
    assert_eq!(created["person"]["role"], "admin");
    assert_eq!(
        created["person"]["timezone"], "Europe/Lisbon",
        "defaults to the admin's zone"
    );
    assert_eq!(
        created["person"]["skills"][0]["name"],
        "Structured query language SQL"
    );
    let kim = app
        .anonymous()
        .post(
            "/api/v1/session",
            json!({"email": "kim@acme.test", "password": "kim's long password"}),
        )
        .await;
    assert_eq!(kim.status(), StatusCode::OK);
}

#[tokio::test]
async fn admins_can_issue_a_new_invitation_link() {
    let app = TestApp::start().await;
    let admin = app.signed_in(ADMIN).await;
    let learner = app.id_of(LEARNER).await;
    let (status, link) = json_of(
        admin
            .post(&format!("/api/v1/people/{learner}/invitation"), json!({}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let token = link["token"].as_str().expect("token");
    // Used as a password reset: the new password works, every old session ends.
    let old_session = app.signed_in(LEARNER).await;
    let accepted = app
        .anonymous()
        .post(
            &format!("/api/v1/invitations/{token}/accept"),
            json!({"password": "a brand new password"}),
        )
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);
    assert_eq!(
        old_session.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let member = app.signed_in(HELPER).await;
    let helper = app.id_of(HELPER).await;
    assert_eq!(
        member
            .post(&format!("/api/v1/people/{helper}/invitation"), json!({}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}
