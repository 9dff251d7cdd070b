use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn search_understands_aliases_and_shows_the_parent() {
    let app = TestApp::start().await;
    let learner = app.signed_in(LEARNER).await;
    let (status, list) = json_of(learner.get("/api/v1/skills?q=k8s").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"][0]["name"], "Kubernetes");
    let (_, list) = json_of(learner.get("/api/v1/skills?q=pivot%20table&limit=1").await).await;
    assert_eq!(list["items"][0]["name"], "Pivot tables");
    assert_eq!(list["items"][0]["parent"]["name"], "Microsoft Excel");
    let id = list["items"][0]["id"].as_str().expect("id");
    let (_, detail) = json_of(learner.get(&format!("/api/v1/skills/{id}")).await).await;
    let ancestors: Vec<&str> = detail["ancestors"]
        .as_array()
        .expect("ancestors")
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(ancestors, ["Microsoft Excel", "Spreadsheet software"]);
    let (status, _) = json_of(learner.get("/api/v1/skills?limit=500").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn admins_add_rename_and_merge_skills() {
    let app = TestApp::start().await;
    let admin = app.signed_in(ADMIN).await;
    let helper = app.signed_in(HELPER).await;

    let (status, created) = json_of(admin.post("/api/v1/skills", json!({"name": "Month-end close", "parent": "Accounting software", "aliases": ["month end", "closing the books"]})).await).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["parent"]["name"], "Accounting software");
    let close_id = created["id"].as_str().expect("id").to_owned();

    let (status, error) = json_of(
        admin
            .post("/api/v1/skills", json!({"name": "Spreadsheets!"}))
            .await,
    )
    .await;
    assert_eq!(
        (status, error_parts(&error)),
        (
            StatusCode::CONFLICT,
            ("skill_exists".to_owned(), Some("name".to_owned()))
        )
    );
    let (status, error) = json_of(
        admin
            .post(
                "/api/v1/skills",
                json!({"name": "X", "parent": "Nothing like this"}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, error_parts(&error).1.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("parent"))
    );

    let (status, renamed) = json_of(
        admin
            .patch(
                &format!("/api/v1/skills/{close_id}"),
                json!({"name": "Financial close"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(renamed["name"], "Financial close");
    assert!(
        renamed["aliases"]
            .as_array()
            .expect("aliases")
            .iter()
            .any(|a| a == "Month-end close")
    );

    helper
        .put(
            "/api/v1/me/skills",
            json!({"skills": [{"skill": "month end", "level": "expert"}]}),
        )
        .await;
    let (status, merged) = json_of(
        admin
            .post(
                &format!("/api/v1/skills/{close_id}/merge"),
                json!({"into": "Accounting software"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(merged["name"], "Accounting software");
    let (_, me) = json_of(helper.get("/api/v1/me").await).await;
    assert_eq!(me["skills"][0]["name"], "Accounting software");
    assert_eq!(me["skills"][0]["level"], "expert");
    let (_, found) = json_of(
        helper
            .get("/api/v1/skills?q=closing%20the%20books&limit=1")
            .await,
    )
    .await;
    assert_eq!(found["items"][0]["name"], "Accounting software");
    assert_eq!(
        admin
            .get(&format!("/api/v1/skills/{close_id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_rule_violation_answers_422_with_its_own_code() {
    let app = TestApp::start().await;
    let admin = app.signed_in(ADMIN).await;
    let (_, sheet) = json_of(
        admin
            .get("/api/v1/skills?q=spreadsheet%20software&limit=1")
            .await,
    )
    .await;
    let sheet_id = sheet["items"][0]["id"].as_str().expect("id").to_owned();
    let (status, error) = json_of(
        admin
            .patch(
                &format!("/api/v1/skills/{sheet_id}"),
                json!({"parent": "Pivot tables"}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, error_parts(&error)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            ("parent_cycle".to_owned(), Some("parent_id".to_owned()))
        )
    );
}
