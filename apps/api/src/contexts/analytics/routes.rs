//! Focus sessions.

use actix_web::web::{Json, Path, Query};
use apistos::actix::CreatedJson;
use apistos::api_operation;
use apistos::web::{delete, get, post, resource, ServiceConfig};
use stackrush_analytics::{FocusSessionId, NewFocusSession, SubjectId};
use stackrush_identity::Actor;

use super::dto::*;
use crate::auth::Auth;
use crate::envelope::{ApiResponse, Empty, Paginated};
use crate::error::ApiError;
use crate::http::Body;
use crate::http::IdPath;
use crate::http::Port;
use stackrush_analytics::AnalyticsApi;

type Reply<T> = Result<Json<ApiResponse<T>>, ApiError>;

fn subject(actor: &Actor) -> SubjectId {
    SubjectId::from_bytes(actor.id.bytes())
}

/// Record a focus session.
#[api_operation(
    tag = "focus-sessions",
    summary = "Record a focus session",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn create(
    analytics: Port<dyn AnalyticsApi>,
    auth: Auth,
    body: Body<CreateFocusSessionRequest>,
) -> Result<CreatedJson<ApiResponse<FocusSessionDto>>, ApiError> {
    let new = NewFocusSession::try_from(body.into_inner())?;
    let created = analytics.record(subject(&auth.0), new).await?;
    Ok(CreatedJson(ApiResponse::ok(created.into())))
}

/// List my focus sessions.
/// The caller's sessions, filtered, sorted and paged.
#[api_operation(
    tag = "focus-sessions",
    summary = "List my focus sessions",
    error_code = 400,
    error_code = 401
)]
pub async fn list(
    analytics: Port<dyn AnalyticsApi>,
    auth: Auth,
    query: Query<FocusSessionQuery>,
) -> Reply<Paginated<FocusSessionDto>> {
    let (filter, page) = query.into_inner().try_into()?;
    let found = analytics.sessions(subject(&auth.0), filter, page).await?;
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        found,
        Into::into,
    ))))
}

/// My focus statistics.
/// The caller's focus statistics.
#[api_operation(
    tag = "focus-sessions",
    summary = "My focus statistics",
    error_code = 401
)]
pub async fn stats(analytics: Port<dyn AnalyticsApi>, auth: Auth) -> Reply<FocusStatsDto> {
    let stats = analytics.stats(subject(&auth.0)).await?;
    Ok(Json(ApiResponse::ok(stats.into())))
}

/// My recent focus sessions.
/// The caller's latest sessions.
#[api_operation(
    tag = "focus-sessions",
    summary = "My recent focus sessions",
    error_code = 400,
    error_code = 401
)]
pub async fn recent(
    analytics: Port<dyn AnalyticsApi>,
    auth: Auth,
    query: Query<RecentQuery>,
) -> Reply<Vec<FocusSessionDto>> {
    let limit = crate::http::page_request(None, query.limit, 5)?.limit();
    let found = analytics.recent(subject(&auth.0), limit).await?;
    Ok(Json(ApiResponse::ok(
        found.into_iter().map(Into::into).collect(),
    )))
}

/// Get a focus session.
/// One of the caller's sessions.
#[api_operation(
    tag = "focus-sessions",
    summary = "Get a focus session",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn get_one(
    analytics: Port<dyn AnalyticsApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<FocusSessionDto> {
    let found = analytics
        .session(subject(&auth.0), path.parse::<FocusSessionId>()?)
        .await?;
    Ok(Json(ApiResponse::ok(found.into())))
}

/// Delete a focus session.
/// Delete one of the caller's sessions.
#[api_operation(
    tag = "focus-sessions",
    summary = "Delete a focus session",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn remove(
    analytics: Port<dyn AnalyticsApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<Empty> {
    analytics
        .delete(subject(&auth.0), path.parse::<FocusSessionId>()?)
        .await?;
    Ok(Json(ApiResponse::with_message(
        Empty::default(),
        "Focus session deleted",
    )))
}

/// Focus session routes (`/stats` and `/recent` before `/{id}`).
pub fn configure(cfg: &mut ServiceConfig) {
    use crate::http::allowing;
    cfg.service(
        allowing(resource("/focus-sessions"), "GET, POST")
            .route(get().to(list))
            .route(post().to(create)),
    )
    .service(allowing(resource("/focus-sessions/stats"), "GET").route(get().to(stats)))
    .service(allowing(resource("/focus-sessions/recent"), "GET").route(get().to(recent)))
    .service(
        allowing(resource("/focus-sessions/{id}"), "GET, DELETE")
            .route(get().to(get_one))
            .route(delete().to(remove)),
    );
}
