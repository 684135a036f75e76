//! People in the community: follows, the feed, and collaboration requests.

use actix_web::web::{Json, Path, Query};
use apistos::actix::CreatedJson;
use apistos::api_operation;
use apistos::web::{delete, get, post, resource, ServiceConfig};
use stackrush_community::{CollaborationId, CollaborationSide, CommunityApi, MemberId, PostId};

use super::caller;
use super::dto::*;
use crate::auth::{Auth, MaybeAuth};
use crate::envelope::{ApiResponse, Paginated};
use crate::error::ApiError;
use crate::http::Body;
use crate::http::{IdPath, PageQuery, Port};

type Reply<T> = Result<Json<ApiResponse<T>>, ApiError>;

/// Follow a user.
/// Follow a user (idempotent; an account with a verified email).
#[api_operation(
    tag = "community",
    summary = "Follow a user",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn follow(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<FollowingDto> {
    let member = path.parse::<MemberId>()?;
    let state = community.follow(caller(&auth.0), member).await?;
    Ok(Json(ApiResponse::ok(state.into())))
}

/// Unfollow a user.
/// Stop following a user (idempotent).
#[api_operation(
    tag = "community",
    summary = "Unfollow a user",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn unfollow(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<FollowingDto> {
    let member = path.parse::<MemberId>()?;
    let state = community.unfollow(caller(&auth.0), member).await?;
    Ok(Json(ApiResponse::ok(state.into())))
}

/// A community member.
/// A user as the community shows them: follow counts, and whether the caller follows them.
#[api_operation(
    tag = "community",
    summary = "A community member",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn member(
    community: Port<dyn CommunityApi>,
    viewer: MaybeAuth,
    path: Path<IdPath>,
) -> Reply<MemberDto> {
    let member = path.parse::<MemberId>()?;
    let viewer = viewer.0.as_ref().map(caller);
    Ok(Json(ApiResponse::ok(
        community.member(viewer, member).await?.into(),
    )))
}

async fn follow_list(
    community: &dyn CommunityApi,
    path: &IdPath,
    query: &PageQuery,
    followers: bool,
) -> Reply<Paginated<MemberCardDto>> {
    let page = crate::http::page_request(query.page, query.limit, 20)?;
    let found = community
        .follow_list(path.parse::<MemberId>()?, followers, page)
        .await?;
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        found,
        Into::into,
    ))))
}

/// A user's followers.
/// A user's followers, latest first.
#[api_operation(
    tag = "community",
    summary = "A user's followers",
    error_code = 400,
    error_code = 404
)]
pub async fn followers(
    community: Port<dyn CommunityApi>,
    path: Path<IdPath>,
    query: Query<PageQuery>,
) -> Reply<Paginated<MemberCardDto>> {
    follow_list(&*community, &path, &query, true).await
}

/// Whom a user follows.
/// The users a user follows, latest first.
#[api_operation(
    tag = "community",
    summary = "Whom a user follows",
    error_code = 400,
    error_code = 404
)]
pub async fn following(
    community: Port<dyn CommunityApi>,
    path: Path<IdPath>,
    query: Query<PageQuery>,
) -> Reply<Paginated<MemberCardDto>> {
    follow_list(&*community, &path, &query, false).await
}

/// My feed.
/// Posts of the people the caller follows, newest first.
#[api_operation(
    tag = "community",
    summary = "My feed",
    error_code = 400,
    error_code = 401
)]
pub async fn feed(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    query: Query<PageQuery>,
) -> Reply<Paginated<PostDto>> {
    let page = crate::http::page_request(query.page, query.limit, 10)?;
    let found = community.feed(caller(&auth.0), page).await?;
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        found,
        Into::into,
    ))))
}

/// Request to collaborate.
/// Ask to collaborate on someone's collaboration post (one pending request per post).
#[api_operation(
    tag = "community",
    summary = "Request to collaborate",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 409
)]
pub async fn collaborate(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<CollaborateRequest>,
) -> Result<CreatedJson<ApiResponse<CollaborationDto>>, ApiError> {
    let post = path.parse::<PostId>()?;
    let CollaborateRequest { message, skills } = body.into_inner();
    let made = community
        .request_collaboration(caller(&auth.0), post, message, skills)
        .await?;
    Ok(CreatedJson(ApiResponse::ok(made.into())))
}

/// My collaboration requests.
/// The collaboration requests I sent (`side=sent`, the default) or received.
#[api_operation(
    tag = "community",
    summary = "My collaboration requests",
    error_code = 400,
    error_code = 401
)]
pub async fn collaborations(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    query: Query<CollaborationsQuery>,
) -> Reply<Paginated<CollaborationDto>> {
    let page = crate::http::page_request(query.page, query.limit, 20)?;
    let side = match query.side {
        None | Some(CollaborationSideDto::Sent) => CollaborationSide::Sent,
        Some(CollaborationSideDto::Received) => CollaborationSide::Received,
    };
    let status = query.status.map(Into::into);
    let found = community
        .collaborations(caller(&auth.0), side, status, page)
        .await?;
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        found,
        Into::into,
    ))))
}

async fn answer(
    community: &dyn CommunityApi,
    auth: &Auth,
    path: &IdPath,
    accept: bool,
) -> Reply<CollaborationDto> {
    let id = path.parse::<CollaborationId>()?;
    let done = community
        .answer_collaboration(caller(&auth.0), id, accept)
        .await?;
    Ok(Json(ApiResponse::ok(done.into())))
}

/// Accept a collaboration request.
/// The post's author accepts a pending request.
#[api_operation(
    tag = "community",
    summary = "Accept a collaboration request",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 409
)]
pub async fn accept(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<CollaborationDto> {
    answer(&*community, &auth, &path, true).await
}

/// Decline a collaboration request.
/// The post's author declines a pending request.
#[api_operation(
    tag = "community",
    summary = "Decline a collaboration request",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 409
)]
pub async fn decline(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<CollaborationDto> {
    answer(&*community, &auth, &path, false).await
}

/// The people routes.
pub fn configure(cfg: &mut ServiceConfig) {
    use crate::http::allowing;
    cfg.service(allowing(resource("/community/feed"), "GET").route(get().to(feed)))
        .service(
            allowing(resource("/community/collaborations"), "GET").route(get().to(collaborations)),
        )
        .service(
            allowing(resource("/community/collaborations/{id}/accept"), "POST")
                .route(post().to(accept)),
        )
        .service(
            allowing(resource("/community/collaborations/{id}/decline"), "POST")
                .route(post().to(decline)),
        )
        .service(
            allowing(resource("/community/posts/{id}/collaborate"), "POST")
                .route(post().to(collaborate)),
        )
        .service(allowing(resource("/community/users/{id}"), "GET").route(get().to(member)))
        .service(
            allowing(resource("/community/users/{id}/follow"), "POST, DELETE")
                .route(post().to(follow))
                .route(delete().to(unfollow)),
        )
        .service(
            allowing(resource("/community/users/{id}/followers"), "GET").route(get().to(followers)),
        )
        .service(
            allowing(resource("/community/users/{id}/following"), "GET").route(get().to(following)),
        );
}
