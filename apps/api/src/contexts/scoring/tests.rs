//! Handler tests of the scoring routes over a mocked scoring service (and a mocked identity
//! service that signs the caller in).

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::test;
use chrono::Utc;
use serde_json::{json, Value};
use stackrush_identity::{Actor, MockIdentityApi, Role, UserId};
use stackrush_scoring::MockScoringApi;

use crate::test_support;

/// The app with the scoring context over `scoring`, every bearer token signing in one user.
async fn call_scoring(scoring: MockScoringApi, req: test::TestRequest) -> (StatusCode, Value) {
    let id = UserId::generate(Utc::now());
    let mut identity = MockIdentityApi::new();
    identity.expect_authenticate().returning(move |_| {
        Ok(Actor {
            id,
            roles: vec![Role::User],
        })
    });
    let identity: Arc<dyn stackrush_identity::IdentityApi> = Arc::new(identity);
    let scoring: Arc<dyn stackrush_scoring::ScoringApi> = Arc::new(scoring);
    test_support::call(
        move |cfg| {
            crate::http::Port::register(cfg, identity.clone());
            super::mount(cfg, scoring.clone());
        },
        req,
    )
    .await
}

#[actix_web::test]
async fn every_scoring_alias_reaches_the_one_handler_and_maps_double_scoring_to_409() {
    use stackrush_scoring::{RunStatus, ScoringError, SubmissionId};
    let submission = SubmissionId::generate(Utc::now());
    let test_case = stackrush_scoring::TestRef::generate(Utc::now());
    for alias in ["score", "results", "tests", "test"] {
        let mut scoring = MockScoringApi::new();
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
        let mut scoring = MockScoringApi::new();
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
    let mut scoring = MockScoringApi::new();
    scoring.expect_submit().never();
    let req = test::TestRequest::post()
        .uri("/api/submissions")
        .insert_header(("authorization", "Bearer tok"))
        .set_json(json!({"challengeId": "nope", "code": "x", "language": "python"}));
    let (status, body) = call_scoring(scoring, req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}
