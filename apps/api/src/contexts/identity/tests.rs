//! Handler tests: the real routes and middleware over a mocked identity service. They check the
//! HTTP mapping only (status, envelope, error code); the rules are tested in the identity crate.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::test;
use chrono::Utc;
use serde_json::{json, Value};
use stackrush_identity::{Actor, IdentityError, MockIdentityApi, Role, TokenPair, UserId};

use crate::test_support;

pub(crate) fn sample_user() -> stackrush_identity::User {
    let now = Utc::now();
    stackrush_identity::User {
        id: UserId::generate(now),
        email: "ada@example.com".into(),
        username: "ada".into(),
        password_hash: "$2b$04$secret-hash".into(),
        profile: Default::default(),
        stats: Default::default(),
        social: Default::default(),
        preferences: Default::default(),
        roles: vec![Role::User],
        is_active: true,
        email_verified: false,
        token_version: 3,
        deleted_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// The app with the identity context over `mock` alone.
async fn call(mock: MockIdentityApi, req: test::TestRequest) -> (StatusCode, Value) {
    let api: Arc<dyn stackrush_identity::IdentityApi> = Arc::new(mock);
    test_support::call(
        move |cfg| {
            super::mount(cfg, api.clone());
            super::mount_by_id(cfg);
        },
        req,
    )
    .await
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
            .return_once(move |_, _, _| Err(error));
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
    mock.expect_login().returning(|_, _, _| {
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
    mock.expect_user_by_id().returning(|viewer, _| {
        assert!(viewer.is_some());
        Err(IdentityError::ProfilePrivate)
    });
    let req = test::TestRequest::get()
        .uri(&format!("/api/users/{id}"))
        .insert_header(("authorization", "Bearer tok"));
    let (status, body) = call(mock, req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "PROFILE_PRIVATE");
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
