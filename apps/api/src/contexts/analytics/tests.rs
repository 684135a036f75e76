//! Handler tests of the dashboard routes over a mocked dashboard service (and a mocked identity
//! service that signs the caller in).

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::test;
use chrono::Utc;
use serde_json::Value;
use stackrush_analytics::{AnalyticsError, DashboardApi, MockDashboardApi, SubjectId};
use stackrush_identity::{Actor, IdentityApi, MockIdentityApi, Role, UserId};

use crate::http::Port;
use crate::test_support;

/// The app with only the dashboard port and an identity mock that signs in an admin.
async fn call(dashboards: MockDashboardApi, req: test::TestRequest) -> (StatusCode, Value) {
    let mut identity = MockIdentityApi::new();
    identity.expect_authenticate().returning(|_| {
        Ok(Actor {
            id: UserId::from_bytes([1; 12]),
            roles: vec![Role::User, Role::Admin],
        })
    });
    let identity: Arc<dyn IdentityApi> = Arc::new(identity);
    let dashboards: Arc<dyn DashboardApi> = Arc::new(dashboards);
    test_support::call(
        move |cfg| {
            Port::register(cfg, identity.clone());
            Port::register(cfg, dashboards.clone());
            super::dashboard_routes::configure(cfg);
        },
        req,
    )
    .await
}

#[actix_web::test]
async fn a_user_s_figures_reach_the_service_with_the_viewer_and_privacy_maps_to_403() {
    let target = SubjectId::generate(Utc::now());
    let mut dashboards = MockDashboardApi::new();
    dashboards
        .expect_user_figures()
        .withf(move |viewer, id| {
            *id == target && viewer.is_some_and(|v| v.is_admin && v.id.bytes() == [1; 12])
        })
        .times(1)
        .returning(|_, _| Err(AnalyticsError::StatsPrivate));
    let req = test::TestRequest::get()
        .uri(&format!("/api/users/{target}/stats"))
        .insert_header(("authorization", "Bearer tok"));
    let (status, body) = call(dashboards, req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "STATS_PRIVATE");
}

#[actix_web::test]
async fn the_dashboard_needs_a_token_and_hides_internal_failures() {
    let mut dashboards = MockDashboardApi::new();
    dashboards.expect_dashboard().never();
    let (status, body) = call(
        dashboards,
        test::TestRequest::get().uri("/api/users/dashboard"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "MISSING_TOKEN");

    let mut dashboards = MockDashboardApi::new();
    dashboards.expect_dashboard().times(1).returning(|_| {
        Err(AnalyticsError::Internal(anyhow::anyhow!(
            "secret-db-host down"
        )))
    });
    let req = test::TestRequest::get()
        .uri("/api/v1/users/dashboard")
        .insert_header(("authorization", "Bearer tok"));
    let (status, body) = call(dashboards, req).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!body.to_string().contains("secret-db-host"));
}
