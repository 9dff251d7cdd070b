use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn anonymous_callers_get_401_on_everything_but_sign_in() {
    let app = TestApp::start().await;
    let anon = app.anonymous();
    let id = app.id_of(LEARNER).await;
    for path in [
        "/api/v1/me",
        "/api/v1/people",
        &format!("/api/v1/people/{id}"),
        "/api/v1/skills?q=excel",
    ] {
        let (status, body) = json_of(anon.get(path).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(error_parts(&body).0, "unauthenticated");
    }
    assert_eq!(
        anon.post(
            "/api/v1/people",
            json!({"email": "x@acme.test", "name": "X"})
        )
        .await
        .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn members_get_403_on_admin_endpoints() {
    let app = TestApp::start().await;
    let learner = app.signed_in(LEARNER).await;
    let helper = app.id_of(HELPER).await;
    let responses = [
        learner
            .post(
                "/api/v1/people",
                json!({"email": "x@acme.test", "name": "X"}),
            )
            .await,
        learner
            .patch(
                &format!("/api/v1/people/{helper}"),
                json!({"role": "admin"}),
            )
            .await,
        learner
            .post_csv(
                "/api/v1/people/import",
                "email,name\nx@acme.test,X\n".into(),
            )
            .await,
        learner
            .post(
                "/api/v1/skills",
                json!({"name": "Underwater basket weaving"}),
            )
            .await,
    ];
    for response in responses {
        let (status, body) = json_of(response).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(error_parts(&body).0, "forbidden");
    }
    // A member cannot make themselves admin through their own profile either.
    let (status, body) = json_of(learner.patch("/api/v1/me", json!({"role": "admin"})).await).await;
    assert_eq!(
        (status, error_parts(&body).1.as_deref()),
        (StatusCode::BAD_REQUEST, Some("role"))
    );
}

#[tokio::test]
async fn another_organisation_sees_nothing_and_gets_404_not_403() {
    let app = TestApp::start().await;
    let outsider = app.signed_in(OUTSIDER).await;
    let learner_id = app.id_of(LEARNER).await;
    let acme_admin = app.signed_in(ADMIN).await;
    let (_, excel) = json_of(acme_admin.get("/api/v1/skills?q=excel&limit=1").await).await;
    let excel_id = excel["items"][0]["id"].as_str().expect("excel").to_owned();

    assert_eq!(
        outsider
            .get(&format!("/api/v1/people/{learner_id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // The outsider is an admin of Globex, and still cannot touch Acme's people or skills.
    assert_eq!(
        outsider
            .patch(
                &format!("/api/v1/people/{learner_id}"),
                json!({"name": "Pwned"})
            )
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        outsider
            .get(&format!("/api/v1/skills/{excel_id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        outsider
            .patch(
                &format!("/api/v1/skills/{excel_id}"),
                json!({"name": "Pwned"})
            )
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let (_, list) = json_of(outsider.get("/api/v1/people?limit=200").await).await;
    let emails: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|p| p["email"].as_str())
        .collect();
    assert_eq!(emails, [OUTSIDER]);
    let (_, lea) = json_of(
        acme_admin
            .get(&format!("/api/v1/people/{learner_id}"))
            .await,
    )
    .await;
    assert_eq!(lea["name"], "Lea Learner");
}

#[tokio::test]
async fn ids_that_are_not_ids_are_404() {
    let app = TestApp::start().await;
    let learner = app.signed_in(LEARNER).await;
    assert_eq!(
        learner.get("/api/v1/people/not-an-id").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        learner.get("/api/v1/skills/42").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_cross_site_post_is_refused_before_it_runs() {
    let app = TestApp::start().await;
    let learner = app.signed_in(LEARNER).await;
    let response = learner
        .client
        .patch(app.url("/api/v1/me"))
        .header("origin", "https://evil.example")
        .json(&json!({"bio": "pwned"}))
        .send()
        .await
        .expect("request");
    let (status, body) = json_of(response).await;
    assert_eq!(
        (status, error_parts(&body).0.as_str()),
        (StatusCode::FORBIDDEN, "cross_site_request")
    );
    let (_, me) = json_of(learner.get("/api/v1/me").await).await;
    assert!(me["bio"].is_null());
    let same_site = learner
        .client
        .patch(app.url("/api/v1/me"))
        .header("origin", app.base.clone())
        .json(&json!({"bio": "hello"}))
        .send()
        .await
        .expect("request");
    assert_eq!(same_site.status(), StatusCode::OK);
}

#[tokio::test]
async fn bodies_must_be_json() {
    let app = TestApp::start().await;
    let learner = app.signed_in(LEARNER).await;
    let response = learner
        .client
        .patch(app.url("/api/v1/me"))
        .body("bio=x")
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .expect("request");
    let (status, body) = json_of(response).await;
    assert_eq!(
        (status, error_parts(&body).0.as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
    );
}

#[tokio::test]
async fn unknown_routes_wrong_methods_and_bad_query_strings_answer_in_the_error_shape() {
    let app = TestApp::start().await;
    let learner = app.signed_in(LEARNER).await;
    let (status, body) = json_of(learner.get("/api/v1/nothing-here").await).await;
    assert_eq!(
        (status, error_parts(&body).0.as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let (status, body) = json_of(learner.delete("/api/v1/me").await).await;
    assert_eq!(
        (status, error_parts(&body).0.as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );
    let (status, body) = json_of(learner.get("/api/v1/people?limit=lots").await).await;
    assert_eq!(
        (status, error_parts(&body)),
        (
            StatusCode::BAD_REQUEST,
            ("invalid_query".to_owned(), Some("limit".to_owned()))
        )
    );
    let page = learner.get("/no-such-page").await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(
        page.text().await.expect("html").contains("<html"),
        "pages get a page, not JSON"
    );
}
