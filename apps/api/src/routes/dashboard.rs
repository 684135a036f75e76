//! The dashboard and per-user stats: read models over several contexts.

use actix_web::web::{Data, Json, Path};
use apistos::api_operation;
use apistos::web::{get, resource, ServiceConfig};
use stackrush_analytics::SubjectId;
use stackrush_identity::UserId;
use stackrush_kernel::PageRequest;
use stackrush_scoring::{PlayerId, RunStatus, SubmissionFilter};

use crate::adapters::player;
use crate::auth::{Auth, MaybeAuth};
use crate::dto::dashboard::*;
use crate::dto::IdPath;
use crate::envelope::ApiResponse;
use crate::error::ApiError;
use crate::routes::submissions::{challenge_views, viewer};
use crate::state::AppState;

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
pub async fn dashboard(state: Data<AppState>, auth: Auth) -> Reply<DashboardDto> {
    let actor = auth.0;
    let me = player(&actor);
    let user = state.identity.profile(actor.clone()).await?;
    let standing = state.scoring.standing(me).await?;
    let stats = state.scoring.submission_stats(me).await?;
    let focus = state
        .analytics
        .stats(SubjectId::from_bytes(actor.id.bytes()))
        .await?;
    let latest = state
        .scoring
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
    let views = challenge_views(&state, &actor, scored.iter().map(|s| s.challenge)).await;
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
    state: Data<AppState>,
    viewer: MaybeAuth,
    path: Path<IdPath>,
) -> Reply<UserStatsDto> {
    let id = path.parse::<UserId>()?;
    let stats = state.identity.user_stats(viewer.0, id).await?;
    let scored = state
        .scoring
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
pub async fn platform(state: Data<AppState>) -> Reply<PlatformStatsDto> {
    Ok(Json(ApiResponse::ok(PlatformStatsDto {
        total_users: state.identity.active_user_count().await?,
        success_rate: state.scoring.success_rate().await?,
        avg_focus_rating: state.analytics.average_focus().await?,
    })))
}

/// Routes that must come before `/users/{id}`.
pub fn configure_early(cfg: &mut ServiceConfig) {
    cfg.service(
        crate::routes::allowing(resource("/users/dashboard"), "GET").route(get().to(dashboard)),
    )
    .service(crate::routes::allowing(resource("/users/stats"), "GET").route(get().to(platform)));
}

/// `/users/{id}/stats`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        crate::routes::allowing(resource("/users/{id}/stats"), "GET").route(get().to(user_stats)),
    );
}
