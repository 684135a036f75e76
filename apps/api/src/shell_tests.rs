//! Tests of the HTTP shell itself (health, readiness, rate limits, the `/api` alias), with no
//! context mounted.

use actix_web::http::StatusCode;
use actix_web::test;
use serde_json::Value;

use crate::test_support;

#[actix_web::test]
async fn readiness_is_503_json_without_details_when_the_store_is_down() {
    let service = test_support::service(|_| {}, false, 1000).await;
    let response = test::call_service(
        &service,
        test::TestRequest::get().uri("/ready").to_request(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = test::read_body_json(response).await;
    assert_eq!(body["error"]["code"], "SERVICE_UNAVAILABLE");
    assert!(!body.to_string().contains("hunter2"));
}

#[actix_web::test]
async fn the_rate_limiter_answers_json_429_with_headers() {
    let service = test_support::service(|_| {}, true, 2).await;
    let peer = "10.0.0.7:5555".parse().unwrap();
    for _ in 0..2 {
        let response = test::call_service(
            &service,
            test::TestRequest::get()
                .uri("/health")
                .peer_addr(peer)
                .to_request(),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let response = test::call_service(
        &service,
        test::TestRequest::get()
            .uri("/health")
            .peer_addr(peer)
            .to_request(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(response.headers().get("ratelimit-remaining").unwrap(), "0");
    let body: Value = test::read_body_json(response).await;
    assert_eq!(body["error"]["code"], "TOO_MANY_REQUESTS");
    let other = "10.0.0.8:5555".parse().unwrap();
    let response = test::call_service(
        &service,
        test::TestRequest::get()
            .uri("/health")
            .peer_addr(other)
            .to_request(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK, "limits are per address");
}

async fn status_of(uri: &str) -> (StatusCode, Value) {
    let service = test_support::service(|_| {}, true, 1000).await;
    let response =
        test::call_service(&service, test::TestRequest::get().uri(uri).to_request()).await;
    let status = response.status();
    (status, test::read_body_json(response).await)
}

#[actix_web::test]
async fn the_api_answers_under_its_version_and_under_the_unversioned_alias() {
    for uri in [
        "/api/v1/health",
        "/api/health",
        "/api/health?x=1",
        "/health",
    ] {
        let (status, body) = status_of(uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(body["data"]["status"], "ok", "{uri}");
    }
    // A version that does not exist is not taken for the current one, nor is a look-alike base.
    for uri in ["/api/v2/health", "/apiv1/health", "/api/v1/v1/health"] {
        let (status, body) = status_of(uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(body["error"]["path"], uri.split('?').next().unwrap_or(uri));
    }
}

#[actix_web::test]
async fn errors_under_the_alias_name_the_path_the_client_sent() {
    let (status, body) = status_of("/api/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["path"], "/api/nothing-here");
}

#[actix_web::test]
async fn api_routes_are_the_same_under_both_bases() {
    use crate::middleware::api_route;
    assert_eq!(api_route("/api/v1/auth/login"), Some("/auth/login"));
    assert_eq!(api_route("/api/auth/login"), Some("/auth/login"));
    assert_eq!(api_route("/api/v12/x"), Some("/x"));
    assert_eq!(api_route("/api"), Some(""));
    assert_eq!(api_route("/api/vx/login"), Some("/vx/login"));
    assert_eq!(api_route("/apix/login"), None);
    assert_eq!(api_route("/health"), None);
}
