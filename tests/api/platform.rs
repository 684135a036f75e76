//! Health, routing errors, request ids, OpenAPI and docs.

use reqwest::{Method, StatusCode};

use crate::helpers::*;

#[tokio::test]
async fn health_and_readiness_answer_at_both_paths() {
    let app = TestApp::spawn().await;
    for path in ["/health", "/api/health"] {
        let (status, body) = app.get(path, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["data"]["status"], "ok");
        assert!(body["data"]["uptime"].as_f64().unwrap() >= 0.0);
        assert!(body["data"]["timestamp"].is_string());
    }
    for path in ["/ready", "/api/ready"] {
        let (status, body) = app.get(path, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["status"], "ready");
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_are_json_404_and_405() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get("/api/nothing-here", None).await;
    assert_error(status, &body, 404, "NOT_FOUND");
    assert_eq!(body["error"]["path"], api_path("/api/nothing-here"));
    let response = app
        .call(Method::DELETE, "/api/auth/login", None, None)
        .await;
    assert_eq!(response.headers()["allow"], "POST");
    let (status, body) = split(response).await;
    assert_error(status, &body, 405, "METHOD_NOT_ALLOWED");
    let response = app
        .call(Method::POST, "/api/users/profile", None, None)
        .await;
    assert_eq!(response.headers()["allow"], "GET, PUT, PATCH");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn a_sane_incoming_request_id_is_echoed() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get(app.url("/health"))
        .header("x-request-id", "trace-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-abc-123");
    let response = app
        .client
        .get(app.url("/health"))
        .header("x-request-id", "bad id\twith tab")
        .send()
        .await
        .unwrap();
    assert_ne!(response.headers()["x-request-id"], "bad id\twith tab");
}

#[tokio::test]
async fn openapi_matches_the_committed_snapshot_and_docs_are_served() {
    let app = TestApp::spawn().await;
    let served: serde_json::Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // The document lists the current version's paths; `/api` is an undocumented alias of it.
    assert!(served["paths"]["/api/v1/auth/login"]["post"].is_object());
    let paths = served["paths"].as_object().unwrap();
    assert!(paths
        .keys()
        .all(|p| p.starts_with("/api/v1/") || !p.starts_with("/api")));
    assert!(served["components"]["securitySchemes"]["bearerAuth"].is_object());
    let rendered = format!("{}\n", serde_json::to_string_pretty(&served).unwrap());
    let snapshot = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json");
    if std::env::var("UPDATE_SNAPSHOTS").is_ok() {
        std::fs::write(&snapshot, &rendered).unwrap();
    }
    let committed = std::fs::read_to_string(&snapshot)
        .expect("docs/openapi.json missing: run with UPDATE_SNAPSHOTS=1");
    assert!(committed == rendered, "docs/openapi.json is stale: run `UPDATE_SNAPSHOTS=1 cargo nextest run -p stackrush-tests openapi`");
    let response = app.client.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("/openapi.json"));
}

#[tokio::test]
async fn lists_of_contexts_not_built_yet_answer_empty_pages_in_the_contract_shape() {
    let app = TestApp::spawn().await;
    for path in ["/api/learning/playlists?limit=6&category=dsa&difficulty=Easy&search=x"] {
        let (status, body) = app.get(path, None).await;
        assert_eq!(status, reqwest::StatusCode::OK, "{path}: {body}");
        assert_eq!(body["success"], true);
        assert_eq!(body["data"]["data"], serde_json::json!([]));
        assert_eq!(body["data"]["pagination"]["limit"], 6);
        assert_eq!(body["data"]["pagination"]["total"], 0);
        assert_eq!(body["data"]["pagination"]["hasNext"], false);
    }
    let (status, body) = app.get("/api/learning/playlists?limit=0", None).await;
    assert_error(status, &body, 400, "QUERY_VALIDATION_ERROR");
    let (status, body) = app.get("/api/learning/playlists?bogus=1", None).await;
    assert_error(status, &body, 400, "QUERY_VALIDATION_ERROR");
}

#[tokio::test]
async fn one_sqlite_file_is_served_by_one_server_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("one.db").display().to_string();
    let settings = || {
        let vars = std::collections::HashMap::from([
            ("PORT", "0".to_owned()),
            ("DATABASE_PATH", db.clone()),
            ("MAIL_DIR", dir.path().join("mail").display().to_string()),
            ("JWT_SECRET", JWT_SECRET.to_owned()),
            (
                "REFRESH_TOKEN_SECRET",
                "test-refresh-secret-that-is-long-enough-012345".to_owned(),
            ),
        ]);
        stackrush_api::Settings::from_lookup(&|name| vars.get(name).cloned()).unwrap()
    };
    let first = stackrush_api::Application::build(settings()).await.unwrap();
    let second = stackrush_api::Application::build(settings()).await;
    let err = second.err().expect("a second server on the same file");
    assert!(
        format!("{err:#}").contains("another StackRush server"),
        "{err:#}"
    );
    // Command-line tasks may still open the file while it is served.
    stackrush_api::startup::open(&settings()).await.unwrap();
    drop(first);
    let again = stackrush_api::Application::build(settings()).await;
    assert!(again.is_ok(), "the lock goes with its server");
}
