use reqwest::StatusCode;

use crate::common::*;

/// Every change to the API shows up in review as a change to this snapshot.
#[tokio::test]
async fn the_openapi_document_matches_its_snapshot() {
    let app = TestApp::start().await;
    let (status, document) = json_of(app.anonymous().get("/api/v1/openapi.json").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(document["openapi"], "3.1.0");
    assert!(document["paths"]["/api/v1/people/import"]["post"].is_object());
    insta::assert_json_snapshot!("openapi", document);
}
