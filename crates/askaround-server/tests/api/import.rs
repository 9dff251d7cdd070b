use reqwest::StatusCode;
use serde_json::Value;

use crate::common::*;

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_good_file_imports_and_importing_it_again_updates() {
    let app = TestApp::start().await;
    let admin = app.signed_in(ADMIN).await;
    let csv = "email,name,team,timezone,skills,goals\n\
               ana@acme.test,Ana Lima,Data,America/Sao_Paulo,SQL:expert; k8s,Tableau\n\
               ben@acme.test,Ben Okoro,Sales,,Excel,\n";
    let (status, report) = json_of(admin.post_csv("/api/v1/people/import", csv.into()).await).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (
            report["created"].as_u64(),
            report["updated"].as_u64(),
            report["rows"].as_u64()
        ),
        (Some(2), Some(0), Some(2))
    );
    let (status, again) = json_of(
        admin
            .post_csv(
                "/api/v1/people/import",
                csv.replace("Ben Okoro", "Ben O. Okoro"),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (again["created"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(2))
    );
    let (_, list) = json_of(admin.get("/api/v1/people?q=acme.test&limit=50").await).await;
    assert_eq!(
        names(&list)
            .iter()
            .filter(|n| n.starts_with("Ben"))
            .cloned()
            .collect::<Vec<_>>(),
        ["Ben O. Okoro"]
    );
    let (_, data) = json_of(admin.get("/api/v1/people?skill=kubernetes").await).await;
    assert_eq!(names(&data), ["Ana Lima"]);
}

#[tokio::test]
async fn bad_rows_are_reported_by_line_and_nothing_is_imported() {
    let app = TestApp::start().await;
    let admin = app.signed_in(ADMIN).await;
    let csv = "email,name,skills\nok@acme.test,Okay,\nbob@,Bob,\ncy@acme.test,Cy,Exccel\notto.outsider@globex.test,Otto,\n";
    let (status, body) = json_of(admin.post_csv("/api/v1/people/import", csv.into()).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "invalid_rows");
    let problems: Vec<String> = body["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .flat_map(|p| p["problems"].as_array().cloned().unwrap_or_default())
        .filter_map(|m| m.as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        problems,
        [
            "line 3: email 'bob@' is not a valid address",
            "line 4: skills 'Exccel' is not a known skill; did you mean 'Microsoft Excel'?",
            "line 5: email 'otto.outsider@globex.test' is already used by an account in another organisation",
        ]
    );
    let (_, list) = json_of(admin.get("/api/v1/people?q=ok@").await).await;
    assert!(names(&list).is_empty(), "nothing was imported");

    let (status, report) = json_of(
        admin
            .post_csv("/api/v1/people/import?skip_invalid=true", csv.into())
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["created"].as_u64(), Some(1));
    let skipped: Vec<u64> = report["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .filter_map(|s| s["line"].as_u64())
        .collect();
    assert_eq!(skipped, [3, 4, 5]);
}

#[tokio::test]
async fn a_dry_run_writes_nothing() {
    let app = TestApp::start().await;
    let admin = app.signed_in(ADMIN).await;
    let (status, report) = json_of(
        admin
            .post_csv(
                "/api/v1/people/import?dry_run=true",
                "email,name\nzed@acme.test,Zed\n".into(),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["dry_run"], true);
    let (_, list) = json_of(admin.get("/api/v1/people?q=zed").await).await;
    assert!(names(&list).is_empty());
}

#[tokio::test]
async fn a_broken_header_is_reported_even_when_skipping() {
    let app = TestApp::start().await;
    let admin = app.signed_in(ADMIN).await;
    let (status, body) = json_of(
        admin
            .post_csv(
                "/api/v1/people/import?skip_invalid=true",
                "mail,name\nx@acme.test,X\n".into(),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("line 1"),
        "{body}"
    );
}

#[tokio::test]
async fn an_admin_cannot_demote_themselves_by_file_and_blank_roles_change_nothing() {
    let app = TestApp::start().await;
    let admin = app.signed_in(ADMIN).await;
    let csv = format!("email,name,role\n{ADMIN},Ada Admin,member\n");
    let (status, body) = json_of(admin.post_csv("/api/v1/people/import", csv).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["problems"][0]["problems"][0]
            .as_str()
            .unwrap_or_default()
            .starts_with("line 2: role would demote or deactivate you"),
        "{body}"
    );
    let csv = format!("email,name,role,active\n{ADMIN},Ada A. Admin,,\n");
    let (status, _) = json_of(admin.post_csv("/api/v1/people/import", csv).await).await;
    assert_eq!(status, StatusCode::OK);
    let (_, me) = json_of(admin.get("/api/v1/me").await).await;
    assert_eq!(
        (me["name"].as_str(), me["role"].as_str()),
        (Some("Ada A. Admin"), Some("admin"))
    );
}

#[tokio::test]
async fn an_import_that_is_not_csv_is_refused() {
    let app = TestApp::start().await;
    let admin = app.signed_in(ADMIN).await;
    let (status, body) = json_of(
        admin
            .post("/api/v1/people/import", serde_json::json!({"email": "x"}))
            .await,
    )
    .await;
    assert_eq!(
        (status, error_parts(&body).0.as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
    );
}
