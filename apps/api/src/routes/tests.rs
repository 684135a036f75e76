//! Handler tests: the real routes and middleware over a mocked identity service. They check the
//! HTTP mapping only (status, envelope, error code); the rules are tested in the identity crate.

use std::sync::Arc;
use std::time::Instant;

use actix_web::http::StatusCode;
use actix_web::{test, web};
use async_trait::async_trait;
use chrono::Utc;
use serde_json::{json, Value};
use stackrush_identity::{Actor, IdentityError, MockIdentityApi, Role, TokenPair, UserId};

use crate::middleware::RateLimit;
use crate::settings::RateLimits;
use crate::startup::{app, HttpOptions};
use crate::state::{AppState, HealthCheck};

struct Healthy(bool);

#[async_trait]
impl HealthCheck for Healthy {
    fn kind(&self) -> &'static str {
        "test"
    }
    async fn ping(&self) -> anyhow::Result<()> {
        if self.0 {
            Ok(())
        } else {
            Err(anyhow::anyhow!(
                "connection refused to 10.1.2.3:27017 with password hunter2"
            ))
        }
    }
}

fn options(global_per_minute: u32) -> HttpOptions {
    HttpOptions {
        cors_origins: vec!["http://localhost:5173".into()],
        body_limit: 1024,
        body_timeout: std::time::Duration::from_secs(5),
        rate_limit: web::Data::from(RateLimit::new(RateLimits {
            global_per_minute,
            auth_per_minute: 1000,
            trust_proxy: false,
        })),
    }
}

fn state(mock: MockIdentityApi, healthy: bool) -> web::Data<AppState> {
    web::Data::new(AppState {
        identity: Arc::new(mock),
        challenges: Arc::new(stackrush_challenges::MockChallengeApi::new()),
        scoring: Arc::new(stackrush_scoring::MockScoringApi::new()),
        notifications: Arc::new(stackrush_notifications::MockNotificationApi::new()),
        analytics: Arc::new(stackrush_analytics::MockAnalyticsApi::new()),
        health: Arc::new(Healthy(healthy)),
        started: Instant::now(),
    })
}

fn sample_user() -> stackrush_identity::User {
    let now = Utc::now();
    stackrush_identity::User {
        id: UserId::generate(now),
        email: "ada@example.com".into(),
        username: "ada".into(),
        password_hash: "$2b$04$secret-hash".into(),
        profile: Default::default(),
        stats: Default::default(),
        preferences: Default::default(),
        roles: vec![Role::User],
        is_active: true,
        email_verified: false,
        token_version: 3,
        failed_logins: 2,
        locked_until: None,
        deleted_at: None,
        created_at: now,
        updated_at: now,
    }
}

async fn call(mock: MockIdentityApi, req: test::TestRequest) -> (StatusCode, Value) {
    let service = test::init_service(app(state(mock, true), options(1000))).await;
    let response = test::call_service(&service, req.to_request()).await;
    let status = response.status();
    let body: Value = test::read_body_json(response).await;
    (status, body)
}

#[actix_web::test]
async fn register_answers_201_with_the_user_in_the_envelope_and_no_secrets() {
    let mut mock = MockIdentityApi::new();
    mock.expect_register().times(1).returning(|cmd| {
        assert_eq!(cmd.username, "ada");
        Ok(sample_user())
    });
    let req = test::TestRequest::post()
        .uri("/api/auth/register")
        .set_json(
            json!({"email": "ada@example.com", "username": "ada", "password": "Secret-Pass1"}),
        );
    let (status, body) = call(mock, req).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["success"], true);
    assert_eq!(body["data"]["user"]["username"], "ada");
    let text = body.to_string();
    assert!(
        !text.contains("secret-hash")
            && !text.contains("failedLogins")
            && !text.contains("tokenVersion")
    );
}

#[actix_web::test]
async fn domain_errors_map_to_their_status_and_code() {
    let cases: Vec<(IdentityError, u16, &str)> = vec![
        (
            IdentityError::InvalidCredentials,
            401,
            "INVALID_CREDENTIALS",
        ),
        (
            IdentityError::AccountLocked {
                retry_after_secs: 60,
            },
            401,
            "ACCOUNT_LOCKED",
        ),
        (IdentityError::EmailExists, 409, "EMAIL_EXISTS"),
        (
            IdentityError::invalid("password", "is required"),
            400,
            "VALIDATION_ERROR",
        ),
        (
            IdentityError::Unavailable(anyhow::anyhow!("mongodb://admin:hunter2@db timed out")),
            503,
            "SERVICE_UNAVAILABLE",
        ),
        (
            IdentityError::Internal(anyhow::anyhow!("sqlx: no such column: secret_sauce")),
            500,
            "INTERNAL_ERROR",
        ),
    ];
    for (error, status, code) in cases {
        let mut mock = MockIdentityApi::new();
        mock.expect_login()
            .times(1)
            .return_once(move |_, _| Err(error));
        let req = test::TestRequest::post()
            .uri("/api/auth/login")
            .set_json(json!({"identifier": "ada", "password": "x"}));
        let (got, body) = call(mock, req).await;
        assert_eq!(got.as_u16(), status, "{body}");
        assert_eq!(body["error"]["code"], code);
        assert_eq!(body["error"]["path"], "/api/auth/login");
        let text = body.to_string();
        assert!(
            !text.contains("hunter2") && !text.contains("secret_sauce"),
            "internals leaked: {text}"
        );
    }
}

#[actix_web::test]
async fn login_returns_both_tokens() {
    let mut mock = MockIdentityApi::new();
    mock.expect_login().returning(|_, _| {
        Ok((
            sample_user(),
            TokenPair {
                access_token: "a.b.c".into(),
                refresh_token: "r".into(),
                expires_in: 900,
            },
        ))
    });
    let req = test::TestRequest::post()
        .uri("/api/auth/login")
        .set_json(json!({"identifier": "ada", "password": "x"}));
    let (status, body) = call(mock, req).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["tokens"]["accessToken"], "a.b.c");
    assert_eq!(body["data"]["tokens"]["refreshToken"], "r");
    assert_eq!(body["data"]["tokens"]["expiresIn"], 900);
}

#[actix_web::test]
async fn protected_routes_need_a_bearer_token_and_never_call_the_service_without_one() {
    let mut mock = MockIdentityApi::new();
    mock.expect_profile().never();
    mock.expect_authenticate().never();
    let (status, body) = call(mock, test::TestRequest::get().uri("/api/users/profile")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "MISSING_TOKEN");

    let mut mock = MockIdentityApi::new();
    mock.expect_authenticate().never();
    let req = test::TestRequest::get()
        .uri("/api/users/profile")
        .insert_header(("authorization", "Basic abc"));
    let (status, body) = call(mock, req).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "INVALID_TOKEN");
}

#[actix_web::test]
async fn the_authenticated_actor_reaches_the_service() {
    let user = sample_user();
    let id = user.id;
    let mut mock = MockIdentityApi::new();
    mock.expect_authenticate().returning(move |token| {
        assert_eq!(token, "tok");
        Ok(Actor {
            id,
            roles: vec![Role::User],
        })
    });
    mock.expect_user_stats().returning(|viewer, _| {
        assert!(viewer.is_some());
        Err(IdentityError::StatsPrivate)
    });
    let req = test::TestRequest::get()
        .uri(&format!("/api/users/{id}/stats"))
        .insert_header(("authorization", "Bearer tok"));
    let (status, body) = call(mock, req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "STATS_PRIVATE");
}

#[actix_web::test]
async fn malformed_ids_and_bodies_are_400s_and_never_reach_the_service() {
    let mut mock = MockIdentityApi::new();
    mock.expect_user_by_id().never();
    mock.expect_login().never();
    let (status, body) = call(mock, test::TestRequest::get().uri("/api/users/xyz")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "PARAMS_VALIDATION_ERROR");

    let mut mock = MockIdentityApi::new();
    mock.expect_login().never();
    let req = test::TestRequest::post()
        .uri("/api/auth/login")
        .set_json(json!({"identifier": "ada", "password": "x", "admin": true}));
    let (status, body) = call(mock, req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["details"][0]["field"], "admin");

    let mut mock = MockIdentityApi::new();
    mock.expect_login().never();
    let req = test::TestRequest::post()
        .uri("/api/auth/login")
        .set_json(json!({"identifier": "a".repeat(2000), "password": "x"}));
    let (status, body) = call(mock, req).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["error"]["code"], "PAYLOAD_TOO_LARGE");
}

#[actix_web::test]
async fn readiness_is_503_json_without_details_when_the_store_is_down() {
    let service =
        test::init_service(app(state(MockIdentityApi::new(), false), options(1000))).await;
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
    let service = test::init_service(app(state(MockIdentityApi::new(), true), options(2))).await;
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

async fn call_scoring(
    scoring: stackrush_scoring::MockScoringApi,
    req: test::TestRequest,
) -> (StatusCode, Value) {
    let user = sample_user();
    let id = user.id;
    let mut identity = MockIdentityApi::new();
    identity.expect_authenticate().returning(move |_| {
        Ok(Actor {
            id,
            roles: vec![Role::User],
        })
    });
    let data = web::Data::new(AppState {
        identity: Arc::new(identity),
        challenges: Arc::new(stackrush_challenges::MockChallengeApi::new()),
        scoring: Arc::new(scoring),
        notifications: Arc::new(stackrush_notifications::MockNotificationApi::new()),
        analytics: Arc::new(stackrush_analytics::MockAnalyticsApi::new()),
        health: Arc::new(Healthy(true)),
        started: Instant::now(),
    });
    let service = test::init_service(app(data, options(1000))).await;
    let response = test::call_service(&service, req.to_request()).await;
    let status = response.status();
    let body: Value = test::read_body_json(response).await;
    (status, body)
}

#[actix_web::test]
async fn every_scoring_alias_reaches_the_one_handler_and_maps_double_scoring_to_409() {
    use stackrush_scoring::{RunStatus, ScoringError, SubmissionId};
    let submission = SubmissionId::generate(Utc::now());
    let test_case = stackrush_scoring::TestRef::generate(Utc::now());
    for alias in ["score", "results", "tests", "test"] {
        let mut scoring = stackrush_scoring::MockScoringApi::new();
        scoring
            .expect_score()
            .times(1)
            .returning(move |viewer, id, run| {
                assert!(!viewer.is_admin);
                assert_eq!(id, submission);
                assert_eq!(run.status, RunStatus::Failed);
                assert_eq!(run.test_results[0].test_case, test_case);
                assert_eq!(run.test_results[0].actual_output, "[1]");
                Err(ScoringError::AlreadyScored)
            });
        let req = test::TestRequest::post()
            .uri(&format!("/api/submissions/{submission}/{alias}"))
            .insert_header(("authorization", "Bearer tok"))
            .set_json(json!({"status": "failed", "testResults": [
                {"testCase": test_case.to_hex(), "passed": true, "actualOutput": "[1]"}
            ]}));
        let (status, body) = call_scoring(scoring, req).await;
        assert_eq!(status, StatusCode::CONFLICT, "{alias}: {body}");
        assert_eq!(body["error"]["code"], "ALREADY_SCORED");
    }
}

#[actix_web::test]
async fn scoring_errors_map_to_statuses_and_bad_input_never_reaches_the_service() {
    use stackrush_scoring::ScoringError;
    let cases: Vec<(ScoringError, u16, &str)> = vec![
        (ScoringError::AttemptExpired, 410, "ATTEMPT_EXPIRED"),
        (ScoringError::AttemptMismatch, 403, "ATTEMPT_MISMATCH"),
        (
            ScoringError::SubmissionNotFound,
            404,
            "SUBMISSION_NOT_FOUND",
        ),
        (ScoringError::Busy, 503, "SERVICE_UNAVAILABLE"),
        (
            ScoringError::Internal(anyhow::anyhow!("db password hunter2")),
            500,
            "INTERNAL_ERROR",
        ),
    ];
    for (err, status, code) in cases {
        let mut scoring = stackrush_scoring::MockScoringApi::new();
        let once = std::sync::Mutex::new(Some(err));
        scoring
            .expect_submit()
            .times(1)
            .returning(move |_, _| Err(once.lock().unwrap().take().unwrap()));
        let req = test::TestRequest::post()
            .uri("/api/submissions")
            .insert_header(("authorization", "Bearer tok"))
            .set_json(
                json!({"challengeId": "0123456789abcdef01234567", "code": "x",
                             "language": "python"}),
            );
        let (got, body) = call_scoring(scoring, req).await;
        assert_eq!(got.as_u16(), status, "{body}");
        assert_eq!(body["error"]["code"], code);
        assert!(!body.to_string().contains("hunter2"));
    }
    let mut scoring = stackrush_scoring::MockScoringApi::new();
    scoring.expect_submit().never();
    let req = test::TestRequest::post()
        .uri("/api/submissions")
        .insert_header(("authorization", "Bearer tok"))
        .set_json(json!({"challengeId": "nope", "code": "x", "language": "python"}));
    let (status, body) = call_scoring(scoring, req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}
