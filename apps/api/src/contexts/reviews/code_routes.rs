//! `/code-reviews`: requests for review of a submission, the queue, claims, line comments and
//! decisions.

use actix_web::web::{Json, Path, Query};
use apistos::actix::CreatedJson;
use apistos::api_operation;
use apistos::web::{get, post, put, resource, ServiceConfig};
use stackrush_reviews::{CodeReviewId, CodeReviewStatus, CodeReviewsApi};

use super::caller;
use super::code_dto::*;
use crate::auth::Auth;
use crate::envelope::{ApiResponse, Paginated};
use crate::error::ApiError;
use crate::http::Body;
use crate::http::{IdPath, PageQuery, Port};

type Reply<T> = Result<Json<ApiResponse<T>>, ApiError>;
type Created<T> = Result<CreatedJson<ApiResponse<T>>, ApiError>;

/// List code reviews.
/// Code reviews: the queue (`status=pending`), mine (`role=author|reviewer`), or all (admins).
#[api_operation(
    tag = "code-reviews",
    summary = "List code reviews",
    error_code = 400,
    error_code = 401,
    error_code = 403
)]
pub async fn list(
    reviews: Port<dyn CodeReviewsApi>,
    auth: Auth,
    query: Query<CodeReviewsQuery>,
) -> Reply<Paginated<CodeReviewDto>> {
    let page = crate::http::page_request(query.page, query.limit, 20)?;
    let (scope, filter) = query.scope_and_filter()?;
    let found = reviews.list(caller(&auth.0), scope, filter, page).await?;
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        found,
        Into::into,
    ))))
}

/// Request a code review.
/// Ask for a review of one of your submissions (one request per submission).
#[api_operation(
    tag = "code-reviews",
    summary = "Request a code review",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 409
)]
pub async fn request(
    reviews: Port<dyn CodeReviewsApi>,
    auth: Auth,
    body: Body<CodeReviewRequest>,
) -> Created<CodeReviewDto> {
    let submission = body.submission()?;
    let made = reviews
        .request(caller(&auth.0), submission, body.into_inner().message)
        .await?;
    Ok(CreatedJson(ApiResponse::ok(made.into())))
}

/// Get a code review.
/// One code review (with the code for its author, its reviewers and admins).
#[api_operation(
    tag = "code-reviews",
    summary = "Get a code review",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn get_one(
    reviews: Port<dyn CodeReviewsApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<CodeReviewDto> {
    let found = reviews
        .get(caller(&auth.0), path.parse::<CodeReviewId>()?)
        .await?;
    Ok(Json(ApiResponse::ok(found.into())))
}

/// Update a code review request.
/// The author rewrites their message while the request waits.
#[api_operation(
    tag = "code-reviews",
    summary = "Update a code review request",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 409
)]
pub async fn update(
    reviews: Port<dyn CodeReviewsApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<CodeReviewUpdate>,
) -> Reply<CodeReviewDto> {
    let id = path.parse::<CodeReviewId>()?;
    let done = reviews
        .update_message(caller(&auth.0), id, body.into_inner().message)
        .await?;
    Ok(Json(ApiResponse::ok(done.into())))
}

/// Claim a code review.
/// Take a request from the queue (one active reviewer at a time; not your own).
#[api_operation(
    tag = "code-reviews",
    summary = "Claim a code review",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 409
)]
pub async fn claim(
    reviews: Port<dyn CodeReviewsApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<CodeReviewDto> {
    let id = path.parse::<CodeReviewId>()?;
    Ok(Json(ApiResponse::ok(
        reviews.claim(caller(&auth.0), id).await?.into(),
    )))
}

/// Comment on a code review.
/// Comment in general or on a line (the author and the active reviewer).
#[api_operation(
    tag = "code-reviews",
    summary = "Comment on a code review",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 409
)]
pub async fn comment(
    reviews: Port<dyn CodeReviewsApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<CodeCommentRequest>,
) -> Created<CodeCommentDto> {
    let id = path.parse::<CodeReviewId>()?;
    let new = body.into_inner().into_new()?;
    let made = reviews.comment(caller(&auth.0), id, new).await?;
    Ok(CreatedJson(ApiResponse::ok(made.into())))
}

/// A code review's comments.
/// A code review's comments, oldest first (every version's).
#[api_operation(
    tag = "code-reviews",
    summary = "A code review's comments",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn comments(
    reviews: Port<dyn CodeReviewsApi>,
    auth: Auth,
    path: Path<IdPath>,
    query: Query<PageQuery>,
) -> Reply<Paginated<CodeCommentDto>> {
    let page = crate::http::page_request(query.page, query.limit, 50)?;
    let found = reviews
        .comments(caller(&auth.0), path.parse::<CodeReviewId>()?, page)
        .await?;
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        found,
        Into::into,
    ))))
}

async fn decide(
    reviews: &dyn CodeReviewsApi,
    auth: &Auth,
    path: &IdPath,
    body: DecisionRequest,
    status: CodeReviewStatus,
) -> Reply<CodeReviewDto> {
    let id = path.parse::<CodeReviewId>()?;
    let done = reviews
        .decide(caller(&auth.0), id, body.into_decision(status))
        .await?;
    Ok(Json(ApiResponse::ok(done.into())))
}

/// Approve a code review.
/// The active reviewer approves.
#[api_operation(
    tag = "code-reviews",
    summary = "Approve a code review",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 409
)]
pub async fn approve(
    reviews: Port<dyn CodeReviewsApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<DecisionRequest>,
) -> Reply<CodeReviewDto> {
    decide(
        &*reviews,
        &auth,
        &path,
        body.into_inner(),
        CodeReviewStatus::Approved,
    )
    .await
}

/// Request changes.
/// The active reviewer asks for changes (the author may then re-request).
#[api_operation(
    tag = "code-reviews",
    summary = "Request changes",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 409
)]
pub async fn request_changes(
    reviews: Port<dyn CodeReviewsApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<DecisionRequest>,
) -> Reply<CodeReviewDto> {
    decide(
        &*reviews,
        &auth,
        &path,
        body.into_inner(),
        CodeReviewStatus::ChangesRequested,
    )
    .await
}

/// Reject a code review.
/// The active reviewer rejects.
#[api_operation(
    tag = "code-reviews",
    summary = "Reject a code review",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 409
)]
pub async fn reject(
    reviews: Port<dyn CodeReviewsApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<DecisionRequest>,
) -> Reply<CodeReviewDto> {
    decide(
        &*reviews,
        &auth,
        &path,
        body.into_inner(),
        CodeReviewStatus::Rejected,
    )
    .await
}

/// Re-request a code review.
/// After changes were requested, ask again (optionally on a newer submission).
#[api_operation(
    tag = "code-reviews",
    summary = "Re-request a code review",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 409
)]
pub async fn re_request(
    reviews: Port<dyn CodeReviewsApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<ReRequest>,
) -> Reply<CodeReviewDto> {
    let id = path.parse::<CodeReviewId>()?;
    let submission = body.submission()?;
    let done = reviews.re_request(caller(&auth.0), id, submission).await?;
    Ok(Json(ApiResponse::ok(done.into())))
}

/// The code review routes.
pub fn configure(cfg: &mut ServiceConfig) {
    use crate::http::allowing;
    cfg.service(
        allowing(resource("/code-reviews"), "GET, POST")
            .route(get().to(list))
            .route(post().to(request)),
    )
    .service(
        allowing(resource("/code-reviews/{id}"), "GET, PUT")
            .route(get().to(get_one))
            .route(put().to(update)),
    )
    .service(allowing(resource("/code-reviews/{id}/claim"), "POST").route(post().to(claim)))
    .service(
        allowing(resource("/code-reviews/{id}/comments"), "GET, POST")
            .route(get().to(comments))
            .route(post().to(comment)),
    )
    .service(allowing(resource("/code-reviews/{id}/approve"), "PUT").route(put().to(approve)))
    .service(
        allowing(resource("/code-reviews/{id}/request-changes"), "PUT")
            .route(put().to(request_changes)),
    )
    .service(allowing(resource("/code-reviews/{id}/reject"), "PUT").route(put().to(reject)))
    .service(
        allowing(resource("/code-reviews/{id}/re-request"), "POST").route(post().to(re_request)),
    );
}
