//! Leaderboards and achievements.

use actix_web::web::{Json, Path, Query};
use apistos::actix::CreatedJson;
use apistos::api_operation;
use apistos::web::{delete, get, post, put, resource, ServiceConfig};
use stackrush_kernel::Shared;
use stackrush_scoring::{AchievementId, Board, ChallengeRef, Leaderboard, PlayerId, ProgressOrder};

use super::board_dto::*;
use super::dto::AchievementDto;
use super::player;
use super::viewer;
use crate::auth::{Auth, MaybeAuth};
use crate::envelope::{ApiResponse, Empty, Encoded, Pagination};
use crate::error::ApiError;
use crate::http::Body;
use crate::http::IdPath;
use crate::http::Port;
use stackrush_scoring::ScoringApi;

type Reply<T> = Result<Json<ApiResponse<T>>, ApiError>;

const XP_TIES: &str =
    "competition ranking by XP (1, 2, 2, 4); among equals, who reached it first is listed first";
const CHALLENGE_TIES: &str = "best score (desc), then the shorter solve time the server observed (attempt start to scoring; without an attempt, last), then earliest time it was reached; equal on all three share a rank";
const AROUND: u32 = 5;

/// An XP board page, encoded once for everyone who shares it.
type BoardPage = Result<Encoded<ApiResponse<LeaderboardDto>>, ApiError>;

async fn xp_board(
    scoring: &dyn ScoringApi,
    auth: MaybeAuth,
    query: BoardQuery,
    board: Board,
    name: &str,
) -> BoardPage {
    let page = crate::http::page_request(query.page, query.limit, 10)?;
    let found = match query.around {
        None => scoring.leaderboard(board, page).await?,
        Some(AroundDto::Me) => {
            let actor = auth.0.ok_or_else(|| {
                ApiError::new(
                    actix_web::http::StatusCode::UNAUTHORIZED,
                    "MISSING_TOKEN",
                    "Sign in first: around=me needs an access token",
                )
            })?;
            Shared::new(scoring.around(board, player(&actor), AROUND).await?)
        }
    };
    Encoded::of(&found, |found| ApiResponse::ok(board_dto(found, name)))
}

fn board_dto(found: &Leaderboard, name: &str) -> LeaderboardDto {
    LeaderboardDto {
        board: name.to_owned(),
        window: WindowDto {
            start: found.window.start,
            end: found.window.end,
        },
        tie_rule: XP_TIES.to_owned(),
        entries: found
            .rows
            .items
            .iter()
            .map(|r| BoardEntryDto {
                rank: r.rank,
                user: RankedUserDto::new(r.player.to_hex(), found.faces.get(&r.player)),
                xp: r.xp,
                reached_at: r.reached_at,
            })
            .collect(),
        pagination: Pagination::of(&found.rows),
    }
}

/// Global leaderboard.
/// Total XP. Users whose privacy hides their stats are left out.
#[api_operation(
    tag = "leaderboards",
    summary = "Global leaderboard",
    error_code = 400,
    error_code = 401
)]
pub async fn global(
    scoring: Port<dyn ScoringApi>,
    auth: MaybeAuth,
    query: Query<BoardQuery>,
) -> BoardPage {
    xp_board(&*scoring, auth, query.into_inner(), Board::Global, "global").await
}

/// Weekly leaderboard.
/// XP earned since Monday 00:00 UTC.
#[api_operation(
    tag = "leaderboards",
    summary = "Weekly leaderboard",
    error_code = 400,
    error_code = 401
)]
pub async fn weekly(
    scoring: Port<dyn ScoringApi>,
    auth: MaybeAuth,
    query: Query<BoardQuery>,
) -> BoardPage {
    xp_board(&*scoring, auth, query.into_inner(), Board::Weekly, "weekly").await
}

/// Monthly leaderboard.
/// XP earned since the 1st of the month, 00:00 UTC.
#[api_operation(
    tag = "leaderboards",
    summary = "Monthly leaderboard",
    error_code = 400,
    error_code = 401
)]
pub async fn monthly(
    scoring: Port<dyn ScoringApi>,
    auth: MaybeAuth,
    query: Query<BoardQuery>,
) -> BoardPage {
    xp_board(
        &*scoring,
        auth,
        query.into_inner(),
        Board::Monthly,
        "monthly",
    )
    .await
}

/// Challenge leaderboard.
/// Best successful score per user on one challenge.
#[api_operation(
    tag = "leaderboards",
    summary = "Challenge leaderboard",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn challenge(
    scoring: Port<dyn ScoringApi>,
    auth: MaybeAuth,
    path: Path<IdPath>,
    query: Query<super::dto::PageQuery>,
) -> Reply<ChallengeBoardDto> {
    let id = path.parse::<ChallengeRef>()?;
    let page = crate::http::page_request(query.page, query.limit, 10)?;
    let found = scoring
        .challenge_leaderboard(auth.0.as_ref().map(viewer), id, page)
        .await?;
    let (rows, faces) = (found.items, found.faces);
    let pagination = Pagination::of(&rows);
    Ok(Json(ApiResponse::ok(ChallengeBoardDto {
        challenge: id.to_hex(),
        tie_rule: CHALLENGE_TIES.to_owned(),
        entries: rows
            .items
            .into_iter()
            .map(|r| {
                let uid = r.best.player.to_hex();
                ChallengeEntryDto {
                    rank: r.rank,
                    user: RankedUserDto::new(uid.clone(), faces.get(&r.best.player)),
                    score: r.best.score,
                    achieved_at: r.best.achieved_at,
                    execution_time: r.best.execution_time,
                    solve_time: r.best.solve_time,
                    submission: r.best.submission.to_hex(),
                }
            })
            .collect(),
        pagination,
    })))
}

/// Top users.
/// The client's top list: `type=xp|level|streak|completed`, `limit` ≤ 100 (default 10).
#[api_operation(
    tag = "users",
    summary = "Top users",
    error_code = 400,
    error_code = 401
)]
pub async fn top(scoring: Port<dyn ScoringApi>, query: Query<TopQuery>) -> Reply<Vec<TopUserDto>> {
    let order = match query.kind {
        None | Some(TopTypeDto::Xp) => ProgressOrder::Xp,
        Some(TopTypeDto::Level) => ProgressOrder::Level,
        Some(TopTypeDto::Streak) => ProgressOrder::Streak,
        Some(TopTypeDto::Completed) => ProgressOrder::Completed,
    };
    let limit = crate::http::page_request(None, query.limit, 10)?.limit();
    let found = scoring.top_players(order, limit).await?;
    let faces = found.faces;
    Ok(Json(ApiResponse::ok(
        found
            .items
            .into_iter()
            .map(|p| {
                let face = faces.get(&p.player);
                TopUserDto::new(p, face)
            })
            .collect(),
    )))
}

/// List achievements.
/// Achievement definitions (inactive ones too, for admins).
#[api_operation(tag = "achievements", summary = "List achievements", error_code = 401)]
pub async fn list(scoring: Port<dyn ScoringApi>, auth: MaybeAuth) -> Reply<Vec<AchievementDto>> {
    let all = scoring.achievements(auth.0.as_ref().map(viewer)).await?;
    Ok(Json(ApiResponse::ok(
        all.into_iter().map(Into::into).collect(),
    )))
}

/// Get an achievement.
/// One achievement definition.
#[api_operation(
    tag = "achievements",
    summary = "Get an achievement",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn get_one(
    scoring: Port<dyn ScoringApi>,
    auth: MaybeAuth,
    path: Path<IdPath>,
) -> Reply<AchievementDto> {
    let found = scoring
        .achievement(auth.0.as_ref().map(viewer), path.parse::<AchievementId>()?)
        .await?;
    Ok(Json(ApiResponse::ok(found.into())))
}

/// Create an achievement.
/// Create an achievement (admins).
#[api_operation(
    tag = "achievements",
    summary = "Create an achievement",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 409
)]
pub async fn create(
    scoring: Port<dyn ScoringApi>,
    auth: Auth,
    body: Body<AchievementRequest>,
) -> Result<CreatedJson<ApiResponse<AchievementDto>>, ApiError> {
    let created = scoring
        .create_achievement(viewer(&auth.0), body.into_inner().into())
        .await?;
    Ok(CreatedJson(ApiResponse::ok(created.into())))
}

/// Update an achievement.
/// Replace an achievement (admins).
#[api_operation(
    tag = "achievements",
    summary = "Update an achievement",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 409
)]
pub async fn update(
    scoring: Port<dyn ScoringApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<AchievementRequest>,
) -> Reply<AchievementDto> {
    let updated = scoring
        .update_achievement(
            viewer(&auth.0),
            path.parse::<AchievementId>()?,
            body.into_inner().into(),
        )
        .await?;
    Ok(Json(ApiResponse::ok(updated.into())))
}

/// Delete an achievement.
/// Delete an achievement (admins; unlocks and their XP stay).
#[api_operation(
    tag = "achievements",
    summary = "Delete an achievement",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn remove(scoring: Port<dyn ScoringApi>, auth: Auth, path: Path<IdPath>) -> Reply<Empty> {
    scoring
        .delete_achievement(viewer(&auth.0), path.parse::<AchievementId>()?)
        .await?;
    Ok(Json(ApiResponse::with_message(
        Empty::default(),
        "Achievement deleted",
    )))
}

fn unlocked_dto(u: stackrush_scoring::UnlockedAchievement) -> UnlockedDto {
    UnlockedDto {
        achievement: u.achievement.into(),
        unlocked_at: u.unlocked_at,
    }
}

async fn unlocked_by(scoring: &dyn ScoringApi, user: PlayerId) -> Reply<Vec<UnlockedDto>> {
    let found = scoring.unlocked(user).await?;
    Ok(Json(ApiResponse::ok(
        found.into_iter().map(unlocked_dto).collect(),
    )))
}

/// My achievements.
/// The caller's unlocked achievements.
#[api_operation(tag = "achievements", summary = "My achievements", error_code = 401)]
pub async fn mine(scoring: Port<dyn ScoringApi>, auth: Auth) -> Reply<Vec<UnlockedDto>> {
    unlocked_by(&*scoring, player(&auth.0)).await
}

/// Get a user's achievements.
/// A user's unlocked achievements, when their privacy settings show their stats to the caller.
#[api_operation(
    tag = "users",
    summary = "Get a user's achievements",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn of_user(
    scoring: Port<dyn ScoringApi>,
    reader: MaybeAuth,
    path: Path<IdPath>,
) -> Reply<Vec<UnlockedDto>> {
    let reader = reader.0.as_ref().map(viewer);
    let found = scoring
        .unlocked_for(reader, path.parse::<PlayerId>()?)
        .await?;
    Ok(Json(ApiResponse::ok(
        found.into_iter().map(unlocked_dto).collect(),
    )))
}

/// Check for new achievements.
/// Unlock whatever the caller has earned and not yet unlocked.
#[api_operation(
    tag = "achievements",
    summary = "Check for new achievements",
    error_code = 401
)]
pub async fn check(scoring: Port<dyn ScoringApi>, auth: Auth) -> Reply<CheckedDto> {
    let unlocked = scoring.check_achievements(player(&auth.0)).await?;
    Ok(Json(ApiResponse::ok(CheckedDto {
        unlocked: unlocked.into_iter().map(Into::into).collect(),
    })))
}

/// Leaderboard and achievement routes (`/achievements/user/me` and `/check` before `/{id}`).
pub fn configure(cfg: &mut ServiceConfig) {
    use crate::http::allowing;
    cfg.service(allowing(resource("/users/leaderboard"), "GET").route(get().to(top)))
        .service(allowing(resource("/leaderboard/global"), "GET").route(get().to(global)))
        .service(allowing(resource("/leaderboard/weekly"), "GET").route(get().to(weekly)))
        .service(allowing(resource("/leaderboard/monthly"), "GET").route(get().to(monthly)))
        .service(
            allowing(resource("/leaderboard/challenge/{id}"), "GET").route(get().to(challenge)),
        )
        .service(
            allowing(resource("/achievements"), "GET, POST")
                .route(get().to(list))
                .route(post().to(create)),
        )
        .service(allowing(resource("/achievements/user/me"), "GET").route(get().to(mine)))
        .service(allowing(resource("/achievements/check"), "POST").route(post().to(check)))
        .service(
            allowing(resource("/achievements/{id}"), "GET, PUT, DELETE")
                .route(get().to(get_one))
                .route(put().to(update))
                .route(delete().to(remove)),
        )
        .service(allowing(resource("/users/{id}/achievements"), "GET").route(get().to(of_user)));
}
