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
    // Every description is whole: apistos takes it from a handler's doc comment without its
    // first line, which therefore repeats the summary.
    for (path, operations) in paths {
        for (method, operation) in operations.as_object().unwrap() {
            let Some(description) = operation["description"].as_str() else {
                continue;
            };
            assert!(
                description.starts_with(|c: char| c.is_uppercase() || c == '`'),
                "{method} {path}: the description starts mid-sentence: {description}"
            );
        }
    }
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
    let page = response.text().await.unwrap();
    assert!(page.contains("src=\"/docs/swagger-ui-bundle.js\"") && !page.contains("https:"));
    let init = app
        .client
        .get(app.url("/docs/init.js"))
        .send()
        .await
        .unwrap();
    assert!(init
        .text()
        .await
        .unwrap()
        .contains("url: \"/openapi.json\""));
    let bundle = app
        .client
        .get(app.url("/docs/swagger-ui-bundle.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(bundle.headers()["content-type"], "text/javascript");
    assert!(bundle.bytes().await.unwrap().len() > 1_000_000);
    let shadowed = app
        .client
        .get(app.url("/docs/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        shadowed.status(),
        StatusCode::OK,
        "redirected to the document"
    );
    assert!(shadowed.json::<serde_json::Value>().await.unwrap()["paths"].is_object());
}

/// The documentation page renders every operation in a headless Chromium that can reach nothing
/// but this machine (every other host name fails to resolve), under the page's own CSP: the UI's
/// script and styles come from the binary. Needs Debian's `chromium` (installed by `.ci/run`);
/// `STACKRUSH_SKIP_BROWSER=1` skips it where no browser can be installed.
#[tokio::test]
async fn docs_page_renders_every_operation_with_the_network_cut_off() {
    if std::env::var_os("STACKRUSH_SKIP_BROWSER").is_some() {
        eprintln!("SKIPPED: STACKRUSH_SKIP_BROWSER is set");
        return;
    }
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get(format!("{}/docs", app.base))
        .send()
        .await
        .unwrap();
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self';") && !csp.contains("unsafe"),
        "{csp}"
    );
    let (_, document) = app.get("/openapi.json", None).await;
    let profile = tempfile::tempdir().unwrap();
    let url = format!("{}/docs", app.base);
    let dom = tokio::task::spawn_blocking(move || {
        std::process::Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-quic",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                // Swagger UI renders only the operations inside the window.
                "--window-size=1280,16000",
                "--virtual-time-budget=20000",
                "--dump-dom",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(url)
            .output()
    })
    .await
    .unwrap()
    .expect("chromium not found: `apt-get install chromium`, or set STACKRUSH_SKIP_BROWSER=1");
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains(">StackRush API"),
        "no title rendered:\n{dom:.2000}"
    );
    let mut operations = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            operations += 1;
            let rendered = format!("data-path=\"{path}\"");
            assert!(dom.contains(&rendered), "{method} {path} not rendered");
        }
    }
    let rendered = dom.matches("class=\"opblock-summary-method\"").count();
    assert_eq!(rendered, operations, "operations rendered");
}

/// The web client's home-page query of the learning list (its difficulty names are the
/// challenges'), on a store without playlists: an empty page in the contract's shape.
#[tokio::test]
async fn the_learning_list_answers_the_clients_query_in_the_contract_shape() {
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

#[tokio::test]
async fn metrics_are_for_the_token_bearer_in_prometheus_text_by_route_template() {
    let plain = TestApp::spawn().await;
    let response = plain.call(Method::GET, "/metrics", None, None).await;
    assert_eq!(
        response.status(),
        StatusCode::NOT_FOUND,
        "off without a token"
    );

    let token = "metrics-token-0123456789";
    let app = TestApp::spawn_with(Options {
        vars: vec![
            ("METRICS_TOKEN", token.into()),
            ("AUTH_RATE_LIMIT_PER_MINUTE", "2".into()),
        ],
        ..Options::default()
    })
    .await;
    let (status, body) = split(app.call(Method::GET, "/metrics", None, None).await).await;
    assert_error(status, &body, 401, "INVALID_TOKEN");
    let (status, _) = split(
        app.call(Method::GET, "/metrics", Some("not-the-token-at-all"), None)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let unknown = "0123456789abcdef01234567";
    let (status, _) = app.get(&format!("/api/users/{unknown}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let (status, _) = app
            .post(
                "/api/auth/login",
                None,
                serde_json::json!({"email": "nobody@x.test", "password": "Wrong-pass-1"}),
            )
            .await;
        statuses.push(status);
    }
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS));

    let response = app.call(Method::GET, "/metrics", Some(token), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = response.text().await.unwrap();
    let users_404 = text.lines().find(|l| {
        l.starts_with("stackrush_http_requests_total{")
            && l.contains("/users/{id}\"")
            && l.contains("status=\"404\"")
    });
    assert!(users_404.is_some(), "{text}");
    assert!(!text.contains(unknown), "routes are templates, never paths");
    assert!(text.contains("stackrush_http_request_duration_seconds_bucket{"));
    assert!(text.contains("stackrush_rate_limited_total{limit=\"credentials\"}"));
    assert!(text.contains("stackrush_password_hash_queue_wait_seconds_bucket{"));
    assert!(!text.contains(token));
}
