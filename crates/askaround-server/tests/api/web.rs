use reqwest::StatusCode;
use reqwest::redirect::Policy;

use crate::common::*;

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .map(|i| i + marker.len())
        .expect("hidden field");
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .expect("client")
}

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = TestApp::start().await;
    let anon = app.anonymous();
    assert_eq!(anon.get("/healthz").await.text().await.expect("body"), "ok");
    assert_eq!(anon.get("/readyz").await.status(), StatusCode::OK);
    anon.get("/api/v1/me").await;
    let metrics = anon.get("/metrics").await.text().await.expect("body");
    assert!(
        metrics.contains("askaround_http_requests_total"),
        "{metrics}"
    );
}

#[tokio::test]
async fn pages_carry_security_headers_and_redirect_when_signed_out() {
    let app = TestApp::start().await;
    let client = browser();
    let page = client.get(app.url("/signin")).send().await.expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    let headers = page.headers().clone();
    assert!(
        headers["content-security-policy"]
            .to_str()
            .expect("csp")
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let profile = client.get(app.url("/profile")).send().await.expect("page");
    assert_eq!(profile.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        profile.headers()["location"],
        "/signin?next=%2Fprofile",
        "and back after signing in"
    );
}

#[tokio::test]
async fn signing_in_with_the_form_then_editing_the_profile() {
    let app = TestApp::start().await;
    let client = browser();
    let html = client
        .get(app.url("/signin"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let token = hidden(&html, "csrf_token");
    let wrong = client
        .post(app.url("/signin"))
        .form(&[
            ("email", LEARNER),
            ("password", "wrong"),
            ("csrf_token", token.as_str()),
            ("next", "/profile"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let html = wrong.text().await.expect("html");
    assert!(
        html.contains("do not match an account"),
        "the page explains"
    );
    let token = hidden(&html, "csrf_token");
    let ok = client
        .post(app.url("/signin"))
        .form(&[
            ("email", LEARNER),
            ("password", PASSWORD),
            ("csrf_token", token.as_str()),
            ("next", "https://evil.example/"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        ok.headers()["location"],
        "/",
        "never redirects off-site: the ask box instead"
    );

    let html = client
        .get(app.url("/profile"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("Lea Learner"));
    let token = hidden(&html, "csrf_token");
    let added = client
        .post(app.url("/profile/skills"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("skill", "k8s"),
            ("level", "expert"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let html = client
        .get(app.url("/profile?saved=skills"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("Kubernetes"), "the new skill shows");
    let forged = client
        .post(app.url("/profile/skills"))
        .form(&[
            ("csrf_token", "not-the-token"),
            ("skill", "Excel"),
            ("level", "expert"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let bad = client
        .post(app.url("/profile"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("title", ""),
            ("team", ""),
            ("location", ""),
            ("timezone", "Mars/Base"),
            ("working_hours", "mon-fri 09:00-17:00"),
            ("languages", "en"),
            ("weekly_budget", "5"),
            ("bio", ""),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text().await.expect("html").contains("Mars/Base"),
        "the error names the value"
    );
}

#[tokio::test]
async fn the_directory_page_searches_by_skill() {
    let app = TestApp::start().await;
    app.signed_in(HELPER)
        .await
        .put(
            "/api/v1/me/skills",
            serde_json::json!({"skills": [{"skill": "VLOOKUP"}]}),
        )
        .await;
    let learner = app.signed_in(LEARNER).await;
    let html = learner
        .get("/people?skill=excel")
        .await
        .text()
        .await
        .expect("html");
    assert!(
        html.contains("Hal Helper") && !html.contains("Ada Admin"),
        "{html}"
    );
    assert!(html.contains("People who can help with <strong>Microsoft Excel</strong>"));
    let html = learner
        .get("/people?skill=exccel")
        .await
        .text()
        .await
        .expect("html");
    assert!(
        html.contains("did you mean"),
        "typos are explained in the page"
    );
}

/// A cookie-keeping client signed in through the sign-in form, and the page's form token.
async fn signed_in_browser(app: &TestApp, email: &str) -> (reqwest::Client, String) {
    let client = browser();
    let html = client
        .get(app.url("/signin"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let token = hidden(&html, "csrf_token");
    let signed_in = client
        .post(app.url("/signin"))
        .form(&[
            ("email", email),
            ("password", PASSWORD),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let html = client
        .get(app.url("/"))
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("html");
    (client, hidden(&html, "csrf_token"))
}

#[tokio::test]
async fn every_page_renders_as_html_and_admin_pages_refuse_members() {
    let app = TestApp::start().await;
    let (client, _) = signed_in_browser(&app, LEARNER).await;
    for path in [
        "/",
        "/offers",
        "/board",
        "/people",
        "/skills?q=excel",
        "/history",
        "/profile",
    ] {
        let page = client.get(app.url(path)).send().await.expect("page");
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        assert!(
            page.headers()["content-type"]
                .to_str()
                .expect("type")
                .starts_with("text/html"),
            "{path}"
        );
        assert!(page.text().await.expect("html").contains("<main"), "{path}");
    }
    let admin_page = client
        .get(app.url("/admin/people"))
        .send()
        .await
        .expect("page");
    assert_eq!(admin_page.status(), StatusCode::FORBIDDEN);
    assert!(
        admin_page
            .text()
            .await
            .expect("html")
            .contains("Only admins can open this page."),
        "a page, not JSON"
    );
}

#[tokio::test]
async fn a_refused_form_answers_the_script_in_json_and_a_plain_post_on_the_next_page() {
    let app = TestApp::start().await;
    let (client, token) = signed_in_browser(&app, LEARNER).await;
    let form = [
        ("csrf_token", token.as_str()),
        ("text", "My pivot table ignores new rows"),
        ("skills", "Exccel"),
        ("urgency", "now"),
        ("mode", "chat"),
    ];
    let scripted = client
        .post(app.url("/asks"))
        .header("x-askaround-form", "fetch")
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(scripted.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = scripted.json().await.expect("json");
    assert_eq!(body["ok"], false);
    assert_eq!(body["field"], "skills");
    assert_eq!(
        body["error"],
        "Skills: 'Exccel' is not a known skill; did you mean 'Microsoft Excel'?"
    );

    let plain = client
        .post(app.url("/asks"))
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(plain.status(), StatusCode::SEE_OTHER);
    assert_eq!(plain.headers()["location"], "/");
    let html = client
        .get(app.url("/"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        html.contains(r#"role="alert">Skills: &#39;Exccel&#39; is not a known skill"#),
        "{html}"
    );
    let again = client
        .get(app.url("/"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(!again.contains("Exccel"), "the notice shows once");
}
