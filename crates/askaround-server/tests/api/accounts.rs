use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;
use askaround_server::ServerConfig;

#[tokio::test]
async fn signing_in_sets_a_safe_session_cookie() {
    let app = TestApp::start().await;
    let actor = app.anonymous();
    let response = actor
        .post(
            "/api/v1/session",
            json!({"email": "LEA.learner@acme.test", "password": PASSWORD}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response
        .headers()
        .get("set-cookie")
        .expect("cookie")
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(cookie.starts_with("askaround_session="));
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http on loopback");
    let (_, body) = json_of(response).await;
    assert_eq!(body["person"]["email"], "lea.learner@acme.test");
    assert!(body["csrf_token"].as_str().is_some_and(|t| t.len() > 20));
    let (status, me) = json_of(actor.get("/api/v1/me").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["name"], "Lea Learner");
}

#[tokio::test]
async fn cookies_are_secure_behind_tls() {
    let app = TestApp::start_with(ServerConfig {
        public_url: Some("https://ask.example.com".into()),
        ..ServerConfig::default()
    })
    .await;
    let response = app
        .anonymous()
        .post(
            "/api/v1/session",
            json!({"email": LEARNER, "password": PASSWORD}),
        )
        .await;
    let cookie = response
        .headers()
        .get("set-cookie")
        .expect("cookie")
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn a_wrong_password_or_unknown_email_is_the_same_401() {
    let app = TestApp::start().await;
    let actor = app.anonymous();
    for body in [
        json!({"email": LEARNER, "password": "not the password"}),
        json!({"email": "nobody@acme.test", "password": PASSWORD}),
        json!({"email": "not an email", "password": PASSWORD}),
    ] {
        let (status, body) = json_of(actor.post("/api/v1/session", body).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(error_parts(&body).0, "invalid_credentials");
    }
    assert_eq!(
        actor.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn repeated_failures_are_rate_limited_even_with_the_right_password() {
    let app = TestApp::start_with(ServerConfig {
        login_failures_per_email: 3,
        ..ServerConfig::default()
    })
    .await;
    let actor = app.anonymous();
    for _ in 0..3 {
        let response = actor
            .post(
                "/api/v1/session",
                json!({"email": LEARNER, "password": "guess"}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let response = actor
        .post(
            "/api/v1/session",
            json!({"email": LEARNER, "password": PASSWORD}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!(retry >= 1);
    let (_, body) = json_of(response).await;
    assert_eq!(error_parts(&body).0, "rate_limited");
    // Another account is not locked by someone guessing this one.
    assert_eq!(
        actor
            .post(
                "/api/v1/session",
                json!({"email": HELPER, "password": PASSWORD})
            )
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_session_expires() {
    let app = TestApp::start_with(ServerConfig {
        session_ttl: Duration::from_secs(1),
        ..ServerConfig::default()
    })
    .await;
    let learner = app.signed_in(LEARNER).await;
    assert_eq!(learner.get("/api/v1/me").await.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let (status, body) = json_of(learner.get("/api/v1/me").await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_parts(&body).0, "unauthenticated");
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = TestApp::start().await;
    let learner = app.signed_in(LEARNER).await;
    assert_eq!(
        learner.delete("/api/v1/session").await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        learner.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn changing_the_password_signs_out_other_sessions_but_not_this_one() {
    let app = TestApp::start().await;
    let laptop = app.signed_in(LEARNER).await;
    let phone = app.signed_in(LEARNER).await;
    let wrong = laptop
        .put(
            "/api/v1/me/password",
            json!({"current_password": "nope", "new_password": "another long password"}),
        )
        .await;
    let (status, body) = json_of(wrong).await;
    assert_eq!(
        (status, error_parts(&body).1.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("current_password"))
    );
    let weak = laptop
        .put(
            "/api/v1/me/password",
            json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await;
    let (status, body) = json_of(weak).await;
    assert_eq!(
        (status, error_parts(&body).1.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("new_password"))
    );
    let ok = laptop
        .put(
            "/api/v1/me/password",
            json!({"current_password": PASSWORD, "new_password": "another long password"}),
        )
        .await;
    assert_eq!(ok.status(), StatusCode::NO_CONTENT);
    assert_eq!(laptop.get("/api/v1/me").await.status(), StatusCode::OK);
    assert_eq!(
        phone.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let again = app
        .anonymous()
        .post(
            "/api/v1/session",
            json!({"email": LEARNER, "password": "another long password"}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_invited_person_chooses_a_password_once() {
    let app = TestApp::start().await;
    let admin = app.signed_in(ADMIN).await;
    let (status, created) = json_of(
        admin
            .post(
                "/api/v1/people",
                json!({"email": "nia@acme.test", "name": "Nia New"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let token = created["invitation"]["token"]
        .as_str()
        .expect("invitation")
        .to_owned();
    assert_eq!(created["invitation"]["url"], format!("/invite/{token}"));
    // Before accepting, the account cannot sign in with anything.
    let early = app
        .anonymous()
        .post(
            "/api/v1/session",
            json!({"email": "nia@acme.test", "password": ""}),
        )
        .await;
    assert_eq!(early.status(), StatusCode::UNAUTHORIZED);
    let nia = app.anonymous();
    let weak = nia
        .post(
            &format!("/api/v1/invitations/{token}/accept"),
            json!({"password": "short"}),
        )
        .await;
    assert_eq!(
        weak.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a weak password does not use up the invitation"
    );
    let accepted = nia
        .post(
            &format!("/api/v1/invitations/{token}/accept"),
            json!({"password": "nia's long password"}),
        )
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);
    assert_eq!(nia.get("/api/v1/me").await.status(), StatusCode::OK);
    let reused = app
        .anonymous()
        .post(
            &format!("/api/v1/invitations/{token}/accept"),
            json!({"password": "someone else's"}),
        )
        .await;
    assert_eq!(reused.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_deactivated_person_is_signed_out_and_cannot_sign_in() {
    let app = TestApp::start().await;
    let admin = app.signed_in(ADMIN).await;
    let learner = app.signed_in(LEARNER).await;
    let id = app.id_of(LEARNER).await;
    let (status, body) = json_of(
        admin
            .patch(&format!("/api/v1/people/{id}"), json!({"active": false}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["active"], false);
    assert_eq!(
        learner.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let again = app
        .anonymous()
        .post(
            "/api/v1/session",
            json!({"email": LEARNER, "password": PASSWORD}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    // Admins cannot lock themselves out.
    let me = app.id_of(ADMIN).await;
    let (status, body) = json_of(
        admin
            .patch(&format!("/api/v1/people/{me}"), json!({"active": false}))
            .await,
    )
    .await;
    assert_eq!(
        (status, error_parts(&body).0.as_str()),
        (StatusCode::CONFLICT, "cannot_demote_self")
    );
}
