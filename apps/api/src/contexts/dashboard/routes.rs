//! The dashboard and per-user stats: read models over several contexts.

use actix_web::web::{Json, Path};
use apistos::api_operation;
use apistos::web::{get, resource, ServiceConfig};
use stackrush_analytics::SubjectId;
use stackrush_identity::UserId;
use stackrush_kernel::PageRequest;
use stackrush_scoring::{PlayerId, RunStatus, SubmissionFilter};

use super::dto::*;
use crate::auth::{Auth, MaybeAuth};
use crate::contexts::scoring::player;
use crate::contexts::scoring::{challenge_views, viewer};
use crate::envelope::ApiResponse;
use crate::error::ApiError;
use crate::http::IdPath;
use crate::http::Port;
use stackrush_analytics::AnalyticsApi;
use stackrush_challenges::ChallengeApi;
use stackrush_identity::IdentityApi;
use stackrush_scoring::ScoringApi;

type Reply<T> = Result<Json<ApiResponse<T>>, ApiError>;

/// Recent activity shows this many scored submissions.
const RECENT: usize = 5;

/// The signed-in user's dashboard, computed from their submissions, XP ledger, rank and focus
/// sessions.
#[api_operation(
    tag = "users",
    summary = "My dashboard",
    error_code = 401,
    error_code = 429,
    error_code = 503
)]
pub async fn dashboard(
    identity: Port<dyn IdentityApi>,
    scoring: Port<dyn ScoringApi>,
    analytics: Port<dyn AnalyticsApi>,
    challenges: Port<dyn ChallengeApi>,
    auth: Auth,
) -> Reply<DashboardDto> {
    let actor = auth.0;
    let me = player(&actor);
    let user = identity.profile(actor.clone()).await?;
    let standing = scoring.standing(me).await?;
    let stats = scoring.submission_stats(me).await?;
    let focus = analytics
        .stats(SubjectId::from_bytes(actor.id.bytes()))
        .await?;
    let latest = scoring
        .submissions(
            viewer(&actor),
            SubmissionFilter {
                descending: true,
                ..SubmissionFilter::default()
            },
            PageRequest::new(1, 50),
        )
        .await?;
    let scored: Vec<_> = latest
        .items
        .into_iter()
        .filter(|s| s.execution.status != RunStatus::Pending)
        .take(RECENT)
        .collect();
    let views = challenge_views(&*challenges, &actor, scored.iter().map(|s| s.challenge)).await;
    let recent_activity = scored
        .into_iter()
        .map(|s| ActivityDto {
            id: s.id.to_hex(),
            challenge_id: s.challenge.to_hex(),
            title: views
                .get(&s.challenge)
                .and_then(Option::as_ref)
                .map(|v| v.challenge.title.clone()),
            kind: s.challenge_type.clone(),
            difficulty: s.difficulty.clone(),
            completed_at: s.scored_at,
            score: s.execution.score,
            success: s.success,
            xp: s.xp_awarded,
            time_spent: s.minutes_spent(),
            distraction_level: s.simulation.distraction_level.as_str().to_owned(),
        })
        .collect();
    let p = &standing.progress;
    Ok(Json(ApiResponse::ok(DashboardDto {
        profile: DashboardProfileDto {
            username: user.username,
            first_name: user.profile.first_name,
            last_name: user.profile.last_name,
            avatar: user.profile.avatar,
        },
        stats: DashboardStatsDto {
            level: p.level,
            xp: p.xp,
            completed_challenges: p.completed,
            total_challenges: p.attempts,
            completion_rate: percent(p.completed, p.attempts),
            average_score: stats.average_score,
        },
        recent_activity,
        streak: p.streak.current,
        best_streak: p.streak.best,
        rank: standing.rank,
        focus_rating: focus.average_focus,
        focus_analysis: FocusAnalysisDto {
            average_focus: focus.average_focus,
            best_streak: focus.best_streak,
            distraction_resistance: focus.distraction_resistance.to_owned(),
        },
        coding_stats: CodingStatsDto {
            lines_of_code: stats.lines_of_code,
            bugs_fixed: stats.bugs_fixed,
            code_quality: stats.code_quality,
        },
        weekly_stats: WeeklyStatsDto {
            xp_gained: standing.weekly_xp,
            challenges_completed: standing.weekly_completed,
            rank_change: standing.rank_change,
        },
    })))
}

/// A user's stats (403 STATS_PRIVATE when hidden), with completion rate and average score.
#[api_operation(
    tag = "users",
    summary = "Get a user's stats",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 429,
    error_code = 503
)]
pub async fn user_stats(
    identity: Port<dyn IdentityApi>,
    scoring: Port<dyn ScoringApi>,
    viewer: MaybeAuth,
    path: Path<IdPath>,
) -> Reply<UserStatsDto> {
    let id = path.parse::<UserId>()?;
    let stats = identity.user_stats(viewer.0, id).await?;
    let scored = scoring
        .submission_stats(PlayerId::from_bytes(id.bytes()))
        .await?;
    Ok(Json(ApiResponse::ok(UserStatsDto {
        xp: stats.xp,
        level: stats.level,
        total_challenges: stats.total_challenges,
        completed_challenges: stats.completed_challenges,
        completion_rate: percent(stats.completed_challenges, stats.total_challenges),
        streak: stats.streak,
        average_score: scored.average_score,
        last_active_date: stats.last_active_date,
    })))
}

/// Platform figures: active users, the success rate of scored submissions, average focus.
#[api_operation(
    tag = "users",
    summary = "Platform statistics",
    error_code = 429,
    error_code = 503
)]
pub async fn platform(
    identity: Port<dyn IdentityApi>,
    scoring: Port<dyn ScoringApi>,
    analytics: Port<dyn AnalyticsApi>,
) -> Reply<PlatformStatsDto> {
    Ok(Json(ApiResponse::ok(PlatformStatsDto {
        total_users: identity.active_user_count().await?,
        success_rate: scoring.success_rate().await?,
        avg_focus_rating: analytics.average_focus().await?,
    })))
}

/// `/users/dashboard`, `/users/stats` and `/users/{id}/stats`.
pub fn configure(cfg: &mut ServiceConfig) {
    use crate::http::allowing;
    cfg.service(allowing(resource("/users/dashboard"), "GET").route(get().to(dashboard)))
        .service(allowing(resource("/users/stats"), "GET").route(get().to(platform)))
        .service(allowing(resource("/users/{id}/stats"), "GET").route(get().to(user_stats)));
}
