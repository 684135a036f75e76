//! The dashboard and per-user stats: read models over several contexts, answered by the
//! analytics context's dashboard query service.

use actix_web::web::{Json, Path};
use apistos::api_operation;
use apistos::web::{get, resource, ServiceConfig};
use stackrush_analytics::dashboard::Viewer;
use stackrush_analytics::{DashboardApi, SubjectId};
use stackrush_identity::Actor;

use super::dashboard_dto::*;
use crate::auth::{Auth, MaybeAuth};
use crate::envelope::ApiResponse;
use crate::error::ApiError;
use crate::http::{IdPath, Port};

type Reply<T> = Result<Json<ApiResponse<T>>, ApiError>;

/// The identity context's actor as the dashboard's viewer.
fn viewer(actor: &Actor) -> Viewer {
    Viewer {
        id: SubjectId::from_bytes(actor.id.bytes()),
        is_admin: actor.is_admin(),
    }
}

/// My dashboard.
/// The signed-in user's dashboard, computed from their submissions, XP ledger, rank and focus
/// sessions.
#[api_operation(tag = "users", summary = "My dashboard", error_code = 401)]
pub async fn dashboard(dashboards: Port<dyn DashboardApi>, auth: Auth) -> Reply<DashboardDto> {
    let found = dashboards.dashboard(viewer(&auth.0)).await?;
    Ok(Json(ApiResponse::ok(found.into())))
}

/// Get a user's stats.
/// A user's stats (403 STATS_PRIVATE when hidden), with completion rate and average score.
#[api_operation(
    tag = "users",
    summary = "Get a user's stats",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn user_stats(
    dashboards: Port<dyn DashboardApi>,
    auth: MaybeAuth,
    path: Path<IdPath>,
) -> Reply<UserStatsDto> {
    let id = path.parse::<SubjectId>()?;
    let found = dashboards
        .user_figures(auth.0.as_ref().map(viewer), id)
        .await?;
    Ok(Json(ApiResponse::ok(found.into())))
}

/// Platform statistics.
/// Platform figures: active users, the success rate of scored submissions, average focus.
// Listing the store's 503 keeps apistos from listing every status the error type knows.
#[api_operation(tag = "users", summary = "Platform statistics", error_code = 503)]
pub async fn platform(dashboards: Port<dyn DashboardApi>) -> Reply<PlatformStatsDto> {
    Ok(Json(ApiResponse::ok(dashboards.platform().await?.into())))
}

/// `/users/dashboard`, `/users/stats` and `/users/{id}/stats`.
pub fn configure(cfg: &mut ServiceConfig) {
    use crate::http::allowing;
    cfg.service(allowing(resource("/users/dashboard"), "GET").route(get().to(dashboard)))
        .service(allowing(resource("/users/stats"), "GET").route(get().to(platform)))
        .service(allowing(resource("/users/{id}/stats"), "GET").route(get().to(user_stats)));
}
