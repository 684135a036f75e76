//! `/analytics/*`: a user's analytics (themselves and admins; others as their privacy settings
//! allow), the platform's (admins) and the public aggregates.

use actix_web::web::{Json, Path, Query};
use apistos::api_operation;
use apistos::web::{get, resource, ServiceConfig};
use stackrush_analytics::dashboard::Viewer;
use stackrush_analytics::{InsightsApi, SubjectId};
use stackrush_identity::Actor;

use super::insights_dto::*;
use crate::auth::{Auth, MaybeAuth};
use crate::envelope::ApiResponse;
use crate::error::ApiError;
use crate::http::{IdPath, Port};

type Reply<T> = Result<Json<ApiResponse<T>>, ApiError>;

fn viewer(auth: &MaybeAuth) -> Option<Viewer> {
    auth.0.as_ref().map(of)
}

fn of(actor: &Actor) -> Viewer {
    Viewer {
        id: SubjectId::from_bytes(actor.id.bytes()),
        is_admin: actor.is_admin(),
    }
}

/// User analytics overview.
/// A user's overall figures (403 STATS_PRIVATE when they hide their stats).
#[api_operation(
    tag = "analytics",
    summary = "User analytics overview",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn overview(
    api: Port<dyn InsightsApi>,
    auth: MaybeAuth,
    path: Path<IdPath>,
) -> Reply<OverviewDto> {
    let found = api.overview(viewer(&auth), path.parse()?).await?;
    Ok(Json(ApiResponse::ok(found.into())))
}

/// User skill progression.
/// A user's skills (challenge tags and categories) with level 1–5 and progress.
#[api_operation(
    tag = "analytics",
    summary = "User skill progression",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn skills(
    api: Port<dyn InsightsApi>,
    auth: MaybeAuth,
    path: Path<IdPath>,
) -> Reply<SkillsDto> {
    let found = api.skills(viewer(&auth), path.parse()?).await?;
    Ok(Json(ApiResponse::ok(found.into())))
}

/// User activity timeline.
/// A user's activity per day, week or month (403 ACTIVITY_PRIVATE when they hide it).
#[api_operation(
    tag = "analytics",
    summary = "User activity timeline",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn activity(
    api: Port<dyn InsightsApi>,
    auth: MaybeAuth,
    path: Path<IdPath>,
    query: Query<RangeParams>,
) -> Reply<AnalyticsActivityDto> {
    let found = api
        .activity(viewer(&auth), path.parse()?, query.query()?)
        .await?;
    Ok(Json(ApiResponse::ok(found.into())))
}

/// Performance by challenge type.
/// A user's figures per challenge type.
#[api_operation(
    tag = "analytics",
    summary = "Performance by challenge type",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn performance(
    api: Port<dyn InsightsApi>,
    auth: MaybeAuth,
    path: Path<IdPath>,
) -> Reply<PerformanceDto> {
    let found = api.performance(viewer(&auth), path.parse()?).await?;
    Ok(Json(ApiResponse::ok(found.into())))
}

/// User streak information.
/// A user's streaks of days with a success, in their time zone.
#[api_operation(
    tag = "analytics",
    summary = "User streak information",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn streaks(
    api: Port<dyn InsightsApi>,
    auth: MaybeAuth,
    path: Path<IdPath>,
) -> Reply<StreaksDto> {
    let found = api.streaks(viewer(&auth), path.parse()?).await?;
    Ok(Json(ApiResponse::ok(found.into())))
}

/// Time spending patterns.
/// How long a user's timed submissions took.
#[api_operation(
    tag = "analytics",
    summary = "Time spending patterns",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn time_distribution(
    api: Port<dyn InsightsApi>,
    auth: MaybeAuth,
    path: Path<IdPath>,
) -> Reply<TimeDistributionDto> {
    let found = api.time_distribution(viewer(&auth), path.parse()?).await?;
    Ok(Json(ApiResponse::ok(found.into())))
}

/// Platform-wide analytics.
/// Users, activity, submissions and retention by signup week (admins).
#[api_operation(
    tag = "analytics",
    summary = "Platform-wide analytics",
    error_code = 400,
    error_code = 401,
    error_code = 403
)]
pub async fn platform(
    api: Port<dyn InsightsApi>,
    auth: Auth,
    query: Query<RangeParams>,
) -> Reply<PlatformOverviewDto> {
    let found = api.platform(of(&auth.0), query.query()?).await?;
    Ok(Json(ApiResponse::ok(found.into())))
}

/// Community engagement metrics.
/// The spec's CommunityStats per UTC day: members, content and engagement.
#[api_operation(
    tag = "analytics",
    summary = "Community engagement metrics",
    error_code = 400,
    error_code = 503
)]
pub async fn community(
    api: Port<dyn InsightsApi>,
    query: Query<RangeParams>,
) -> Reply<AnalyticsCommunityStatsDto> {
    let found = api.community(query.query()?).await?;
    Ok(Json(ApiResponse::ok(found.into())))
}

/// Popular templates analytics.
/// The most downloaded, forked and starred public templates.
#[api_operation(
    tag = "analytics",
    summary = "Popular templates analytics",
    error_code = 400,
    error_code = 503
)]
pub async fn popular_templates(
    api: Port<dyn InsightsApi>,
    query: Query<TopParams>,
) -> Reply<PopularTemplatesDto> {
    let (range, limit) = query.query()?;
    let (range, templates) = api.popular_templates(range, limit).await?;
    let templates = templates
        .into_iter()
        .map(|t| PopularTemplateDto {
            template_id: t.template,
            title: t.title,
            downloads: t.downloads,
            forks: t.forks,
            stars: t.stars,
        })
        .collect();
    Ok(Json(ApiResponse::ok(PopularTemplatesDto {
        from: range.from,
        to: range.to,
        templates,
    })))
}

/// Challenge completion statistics.
/// Attempts, successes, scores and time per public challenge.
#[api_operation(
    tag = "analytics",
    summary = "Challenge completion statistics",
    error_code = 400,
    error_code = 503
)]
pub async fn challenge_stats(
    api: Port<dyn InsightsApi>,
    query: Query<TopParams>,
) -> Reply<AnalyticsChallengeStatsDto> {
    let (range, limit) = query.query()?;
    Ok(Json(ApiResponse::ok(
        api.challenge_stats(range, limit).await?.into(),
    )))
}

/// Registers `/analytics/*`.
pub fn configure(cfg: &mut ServiceConfig) {
    use crate::http::allowing;
    let user = |path: &str| allowing(resource(path), "GET");
    cfg.service(user("/analytics/user/{id}/overview").route(get().to(overview)))
        .service(user("/analytics/user/{id}/skills").route(get().to(skills)))
        .service(user("/analytics/user/{id}/activity").route(get().to(activity)))
        .service(user("/analytics/user/{id}/performance").route(get().to(performance)))
        .service(user("/analytics/user/{id}/streaks").route(get().to(streaks)))
        .service(user("/analytics/user/{id}/time-distribution").route(get().to(time_distribution)))
        .service(user("/analytics/platform/overview").route(get().to(platform)))
        .service(user("/analytics/community/stats").route(get().to(community)))
        .service(user("/analytics/templates/popular").route(get().to(popular_templates)))
        .service(user("/analytics/challenges/stats").route(get().to(challenge_stats)));
}
