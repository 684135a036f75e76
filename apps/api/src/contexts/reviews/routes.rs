//! `/reviews`, `/challenges/{id}/reviews`, `/users/{id}/reviews`: challenge reviews, their
//! replies and helpful marks.

use actix_web::web::{Json, Path, Query};
use apistos::actix::CreatedJson;
use apistos::api_operation;
use apistos::web::{delete, get, post, put, resource, ServiceConfig};
use stackrush_kernel::Page;
use stackrush_reviews::{
    ChallengeRef, Helpful, MemberId, ReplyId, ReviewFilter, ReviewId, ReviewView, ReviewsApi,
};

use super::caller;
use super::dto::*;
use crate::auth::{Auth, MaybeAuth};
use crate::envelope::{ApiResponse, Empty, Paginated};
use crate::error::ApiError;
use crate::http::Body;
use crate::http::{IdPath, PageQuery, Port};

type Reply<T> = Result<Json<ApiResponse<T>>, ApiError>;
type Created<T> = Result<CreatedJson<ApiResponse<T>>, ApiError>;

fn listed(found: Page<ReviewView>) -> Reply<Paginated<ReviewDto>> {
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        found,
        Into::into,
    ))))
}

/// List reviews.
/// Live reviews: filters (challenge, user, rating, tag), order, nested pagination.
#[api_operation(
    tag = "reviews",
    summary = "List reviews",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn list(
    reviews: Port<dyn ReviewsApi>,
    reader: MaybeAuth,
    query: Query<ReviewsQuery>,
) -> Reply<Paginated<ReviewDto>> {
    let page = crate::http::page_request(query.page, query.limit, 10)?;
    let filter = query.filter()?;
    let reader = reader.0.as_ref().map(caller);
    listed(reviews.list(reader, filter, sort(query.sort), page).await?)
}

/// A challenge's reviews.
/// One challenge's live reviews.
#[api_operation(
    tag = "reviews",
    summary = "A challenge's reviews",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn of_challenge(
    reviews: Port<dyn ReviewsApi>,
    reader: MaybeAuth,
    path: Path<IdPath>,
    query: Query<ScopedReviewsQuery>,
) -> Reply<Paginated<ReviewDto>> {
    let page = crate::http::page_request(query.page, query.limit, 10)?;
    let filter = ReviewFilter {
        challenge: Some(path.parse::<ChallengeRef>()?),
        ..query.filter()?
    };
    let reader = reader.0.as_ref().map(caller);
    listed(reviews.list(reader, filter, sort(query.sort), page).await?)
}

/// A user's reviews.
/// One user's live reviews.
#[api_operation(
    tag = "reviews",
    summary = "A user's reviews",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn of_user(
    reviews: Port<dyn ReviewsApi>,
    reader: MaybeAuth,
    path: Path<IdPath>,
    query: Query<ScopedReviewsQuery>,
) -> Reply<Paginated<ReviewDto>> {
    let page = crate::http::page_request(query.page, query.limit, 10)?;
    let filter = ReviewFilter {
        author: Some(path.parse::<MemberId>()?),
        ..query.filter()?
    };
    let reader = reader.0.as_ref().map(caller);
    listed(reviews.list(reader, filter, sort(query.sort), page).await?)
}

/// Review a challenge.
/// Review a challenge you have a scored submission of (one live review per challenge).
#[api_operation(
    tag = "reviews",
    summary = "Review a challenge",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 409
)]
pub async fn create(
    reviews: Port<dyn ReviewsApi>,
    auth: Auth,
    body: Body<CreateReviewRequest>,
) -> Created<ReviewDto> {
    let (challenge, draft) = body.into_inner().into_parts()?;
    let made = reviews.create(caller(&auth.0), challenge, draft).await?;
    Ok(CreatedJson(ApiResponse::ok(made.into())))
}

/// Get a review.
/// One live review with its first replies.
#[api_operation(
    tag = "reviews",
    summary = "Get a review",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn get_one(
    reviews: Port<dyn ReviewsApi>,
    reader: MaybeAuth,
    path: Path<IdPath>,
) -> Reply<ReviewDto> {
    let reader = reader.0.as_ref().map(caller);
    let found = reviews.review(reader, path.parse::<ReviewId>()?).await?;
    Ok(Json(ApiResponse::ok(found.into())))
}

/// Update a review.
/// Rewrite your review (rating, title, text, tags).
#[api_operation(
    tag = "reviews",
    summary = "Update a review",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn update(
    reviews: Port<dyn ReviewsApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<UpdateReviewRequest>,
) -> Reply<ReviewDto> {
    let id = path.parse::<ReviewId>()?;
    let done = reviews
        .update(caller(&auth.0), id, body.into_inner().into())
        .await?;
    Ok(Json(ApiResponse::ok(done.into())))
}

/// Delete a review.
/// Delete a review (its author, a moderator or an admin).
#[api_operation(
    tag = "reviews",
    summary = "Delete a review",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn remove(reviews: Port<dyn ReviewsApi>, auth: Auth, path: Path<IdPath>) -> Reply<Empty> {
    reviews
        .delete(caller(&auth.0), path.parse::<ReviewId>()?)
        .await?;
    Ok(Json(ApiResponse::with_message(
        Empty::default(),
        "Review deleted",
    )))
}

/// Mark a review helpful.
/// Mark a review helpful, or take the mark back (not your own).
#[api_operation(
    tag = "reviews",
    summary = "Mark a review helpful",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn helpful(
    reviews: Port<dyn ReviewsApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<ReviewHelpfulDto> {
    let target = Helpful::Review(path.parse::<ReviewId>()?);
    let toggled = reviews.toggle_helpful(caller(&auth.0), target).await?;
    Ok(Json(ApiResponse::ok(toggled.into())))
}

/// Mark a reply helpful.
/// Mark a reply helpful, or take the mark back (not your own).
#[api_operation(
    tag = "reviews",
    summary = "Mark a reply helpful",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn reply_helpful(
    reviews: Port<dyn ReviewsApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<ReviewHelpfulDto> {
    let target = Helpful::Reply(path.parse::<ReplyId>()?);
    let toggled = reviews.toggle_helpful(caller(&auth.0), target).await?;
    Ok(Json(ApiResponse::ok(toggled.into())))
}

/// Reply to a review.
/// Reply to a review (the challenge author's replies are marked as such).
#[api_operation(
    tag = "reviews",
    summary = "Reply to a review",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn reply(
    reviews: Port<dyn ReviewsApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<ReviewReplyRequest>,
) -> Created<ReviewReplyDto> {
    let review = path.parse::<ReviewId>()?;
    let made = reviews
        .reply(caller(&auth.0), review, body.into_inner().content)
        .await?;
    Ok(CreatedJson(ApiResponse::ok(made.into())))
}

/// A review's replies.
/// A review's replies, oldest first.
#[api_operation(
    tag = "reviews",
    summary = "A review's replies",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn replies(
    reviews: Port<dyn ReviewsApi>,
    reader: MaybeAuth,
    path: Path<IdPath>,
    query: Query<PageQuery>,
) -> Reply<Paginated<ReviewReplyDto>> {
    let page = crate::http::page_request(query.page, query.limit, 20)?;
    let reader = reader.0.as_ref().map(caller);
    let found = reviews
        .replies(reader, path.parse::<ReviewId>()?, page)
        .await?;
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        found,
        Into::into,
    ))))
}

/// The reviews routes.
pub fn configure(cfg: &mut ServiceConfig) {
    use crate::http::allowing;
    cfg.service(
        allowing(resource("/reviews"), "GET, POST")
            .route(get().to(list))
            .route(post().to(create)),
    )
    .service(
        allowing(resource("/reviews/replies/{id}/helpful"), "POST").route(post().to(reply_helpful)),
    )
    .service(
        allowing(resource("/reviews/{id}"), "GET, PUT, DELETE")
            .route(get().to(get_one))
            .route(put().to(update))
            .route(delete().to(remove)),
    )
    .service(allowing(resource("/reviews/{id}/helpful"), "POST").route(post().to(helpful)))
    .service(allowing(resource("/reviews/{id}/reply"), "POST").route(post().to(reply)))
    .service(allowing(resource("/reviews/{id}/replies"), "GET").route(get().to(replies)))
    .service(allowing(resource("/challenges/{id}/reviews"), "GET").route(get().to(of_challenge)))
    .service(allowing(resource("/users/{id}/reviews"), "GET").route(get().to(of_user)));
}
