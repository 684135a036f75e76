//! Submissions, their scoring (the browser's run, judged on the server) and the XP ledger.

use actix_web::web::{Json, Path, Query};
use apistos::actix::CreatedJson;
use apistos::api_operation;
use apistos::web::{delete, get, post, resource, ServiceConfig};
use stackrush_scoring::{
    BrowserRun, ChallengeRef, NewSubmission, PlayerId, Submission, SubmissionId, Titled,
};

use super::dto::*;
use super::{player, viewer};
use crate::auth::Auth;
use crate::envelope::{ApiResponse, Empty, Paginated};
use crate::error::ApiError;
use crate::http::Body;
use crate::http::IdPath;
use crate::http::Port;
use stackrush_scoring::ScoringApi;

type Reply<T> = Result<Json<ApiResponse<T>>, ApiError>;

/// Each submission with its challenge embedded (`{_id, title, slug, difficulty, type}`); the
/// title, slug and type only where the viewer may see the challenge.
fn embedded(found: Titled<stackrush_kernel::Page<Submission>>) -> Paginated<SubmissionDto> {
    let titles = found.titles;
    Paginated::from_page(found.items, |s| {
        let known = titles.get(&s.challenge);
        let brief = ChallengeBriefDto {
            id: s.challenge.to_hex(),
            title: known.map(|t| t.title.clone()),
            slug: known.map(|t| t.slug.clone()),
            difficulty: s.difficulty.clone(),
            kind: known.map(|t| t.kind.clone()),
        };
        SubmissionDto::new(s, ChallengeFieldDto::Embedded(brief))
    })
}

fn plain(s: Submission) -> SubmissionDto {
    let challenge = ChallengeFieldDto::Id(s.challenge.to_hex());
    SubmissionDto::new(s, challenge)
}

/// Create a submission.
/// Hand in code for a challenge (scored later with the browser's run).
#[api_operation(
    tag = "submissions",
    summary = "Create a submission",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 410
)]
pub async fn create(
    scoring: Port<dyn ScoringApi>,
    auth: Auth,
    body: Body<CreateSubmissionRequest>,
) -> Result<CreatedJson<ApiResponse<SubmissionDto>>, ApiError> {
    let new = NewSubmission::try_from(body.into_inner())?;
    let created = scoring.submit(viewer(&auth.0), new).await?;
    Ok(CreatedJson(ApiResponse::ok(plain(created))))
}

/// List my submissions.
/// The caller's submissions, filtered, sorted and paged, with challenges embedded.
#[api_operation(
    tag = "submissions",
    summary = "List my submissions",
    error_code = 400,
    error_code = 401
)]
pub async fn list_mine(
    scoring: Port<dyn ScoringApi>,
    auth: Auth,
    query: Query<SubmissionListQuery>,
) -> Reply<Paginated<SubmissionDto>> {
    let page = crate::http::page_request(query.page, query.limit, 10)?;
    let found = scoring
        .submissions(viewer(&auth.0), query.filter()?, page)
        .await?;
    Ok(Json(ApiResponse::ok(embedded(found))))
}

/// List a user's submissions.
/// A user's submissions (themselves or an admin).
#[api_operation(
    tag = "submissions",
    summary = "List a user's submissions",
    error_code = 400,
    error_code = 401,
    error_code = 403
)]
pub async fn list_user(
    scoring: Port<dyn ScoringApi>,
    auth: Auth,
    path: Path<IdPath>,
    query: Query<SubmissionListQuery>,
) -> Reply<Paginated<SubmissionDto>> {
    let user = path.parse::<PlayerId>()?;
    let page = crate::http::page_request(query.page, query.limit, 10)?;
    let mut filter = query.filter()?;
    filter.player = Some(user);
    let found = scoring.submissions(viewer(&auth.0), filter, page).await?;
    Ok(Json(ApiResponse::ok(embedded(found))))
}

/// List a challenge's submissions.
/// A challenge's submissions (its author or an admin).
#[api_operation(
    tag = "submissions",
    summary = "List a challenge's submissions",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn list_challenge(
    scoring: Port<dyn ScoringApi>,
    auth: Auth,
    path: Path<IdPath>,
    query: Query<SubmissionListQuery>,
) -> Reply<Paginated<SubmissionDto>> {
    let challenge = path.parse::<ChallengeRef>()?;
    let page = crate::http::page_request(query.page, query.limit, 10)?;
    let found = scoring
        .challenge_submissions(viewer(&auth.0), challenge, query.filter()?, page)
        .await?;
    Ok(Json(ApiResponse::ok(embedded(found))))
}

/// My submission statistics.
/// The caller's submission statistics.
#[api_operation(
    tag = "submissions",
    summary = "My submission statistics",
    error_code = 401
)]
pub async fn stats(scoring: Port<dyn ScoringApi>, auth: Auth) -> Reply<SubmissionStatsDto> {
    let stats = scoring.submission_stats(player(&auth.0)).await?;
    Ok(Json(ApiResponse::ok(stats.into())))
}

/// Get a submission.
/// One submission (its owner, an admin, or the challenge's author).
#[api_operation(
    tag = "submissions",
    summary = "Get a submission",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn get_one(
    scoring: Port<dyn ScoringApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<SubmissionDto> {
    let found = scoring
        .submission(viewer(&auth.0), path.parse::<SubmissionId>()?)
        .await?;
    Ok(Json(ApiResponse::ok(plain(found))))
}

/// Get a submission's result.
/// Score and per-test feedback of a submission (hidden tests never show expected outputs).
#[api_operation(
    tag = "submissions",
    summary = "Get a submission's result",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn result(
    scoring: Port<dyn ScoringApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<ResultDto> {
    let found = scoring
        .submission(viewer(&auth.0), path.parse::<SubmissionId>()?)
        .await?;
    Ok(Json(ApiResponse::ok(plain(found).into())))
}

/// Delete a submission.
/// Delete one of the caller's submissions (XP already earned stays).
#[api_operation(
    tag = "submissions",
    summary = "Delete a submission",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn remove(scoring: Port<dyn ScoringApi>, auth: Auth, path: Path<IdPath>) -> Reply<Empty> {
    scoring
        .delete_submission(viewer(&auth.0), path.parse::<SubmissionId>()?)
        .await?;
    Ok(Json(ApiResponse::with_message(
        Empty::default(),
        "Submission deleted",
    )))
}

/// Score a submission.
/// Post the browser's run for scoring. The server judges every test against the expected output
/// (the browser's `passed` flags are ignored), scores, and applies XP, level, streak, ranks and
/// achievements at once. A second result for the same submission is 409 and awards nothing.
/// Also served at `/results`, `/tests` and `/test`.
#[api_operation(
    tag = "submissions",
    summary = "Score a submission",
    error_code = 400,
    error_code = 401,
    error_code = 404,
    error_code = 409,
    error_code = 410
)]
pub async fn score(
    scoring: Port<dyn ScoringApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<ScoreRequest>,
) -> Reply<ScoredDto> {
    let id = path.parse::<SubmissionId>()?;
    let run = BrowserRun::try_from(body.into_inner())?;
    let scored = scoring.score(viewer(&auth.0), id, run).await?;
    Ok(Json(ApiResponse::ok(ScoredDto {
        submission: plain(scored.submission),
        progress: scored.progress.into(),
        unlocked_achievements: scored.unlocked.into_iter().map(Into::into).collect(),
    })))
}

/// Get a user's XP history.
/// A user's XP ledger, newest first (themselves or an admin).
#[api_operation(
    tag = "users",
    summary = "Get a user's XP history",
    error_code = 400,
    error_code = 401,
    error_code = 403
)]
pub async fn xp_history(
    scoring: Port<dyn ScoringApi>,
    auth: Auth,
    path: Path<IdPath>,
    query: Query<crate::http::PageQuery>,
) -> Reply<Paginated<LedgerEntryDto>> {
    let page = crate::http::page_request(query.page, query.limit, 20)?;
    let found = scoring
        .xp_history(viewer(&auth.0), path.parse::<PlayerId>()?, page)
        .await?;
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        found,
        Into::into,
    ))))
}

/// Submission routes (`/submissions/stats/user` before `/submissions/{id}`).
pub fn configure(cfg: &mut ServiceConfig) {
    use crate::http::allowing;
    cfg.service(
        allowing(resource("/submissions"), "GET, POST")
            .route(post().to(create))
            .route(get().to(list_mine)),
    )
    .service(allowing(resource("/submissions/stats/user"), "GET").route(get().to(stats)))
    .service(
        allowing(resource("/submissions/{id}"), "GET, DELETE")
            .route(get().to(get_one))
            .route(delete().to(remove)),
    )
    .service(allowing(resource("/submissions/{id}/result"), "GET").route(get().to(result)))
    .service(allowing(resource("/submissions/{id}/score"), "POST").route(post().to(score)))
    .service(allowing(resource("/submissions/{id}/results"), "POST").route(post().to(score)))
    .service(allowing(resource("/submissions/{id}/tests"), "POST").route(post().to(score)))
    .service(allowing(resource("/submissions/{id}/test"), "POST").route(post().to(score)))
    .service(allowing(resource("/users/{id}/submissions"), "GET").route(get().to(list_user)))
    .service(allowing(resource("/users/{id}/xp-history"), "GET").route(get().to(xp_history)))
    .service(
        allowing(resource("/challenges/{id}/submissions"), "GET").route(get().to(list_challenge)),
    );
}
