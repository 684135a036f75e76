//! `/community/*`: posts, comments, likes, bookmarks, trending and the figures.

use actix_web::web::{Json, Path, Query};
use apistos::actix::CreatedJson;
use apistos::api_operation;
use apistos::web::{delete, get, patch, post, put, resource, ServiceConfig};
use stackrush_community::{CommentId, CommunityApi, PostId, PostView, Reaction, Reader};
use stackrush_kernel::{Page, Shared};

use super::caller;
use super::dto::*;
use crate::auth::{Auth, MaybeAuth};
use crate::envelope::{ApiResponse, Empty, Encoded, Paginated};
use crate::error::ApiError;
use crate::http::Body;
use crate::http::{ClientAddress, IdPath, PageQuery, Port};

type Reply<T> = Result<Json<ApiResponse<T>>, ApiError>;
type Created<T> = Result<CreatedJson<ApiResponse<T>>, ApiError>;

/// List community posts.
/// Live posts: filters, order (pinned first unless searching), nested pagination.
#[api_operation(
    tag = "community",
    summary = "List community posts",
    error_code = 400,
    error_code = 401
)]
pub async fn list(
    community: Port<dyn CommunityApi>,
    viewer: MaybeAuth,
    query: Query<PostsQuery>,
) -> Listed {
    let page = crate::http::page_request(query.page, query.limit, 10)?;
    let (filter, sort) = query.filter()?;
    let viewer = viewer.0.as_ref().map(caller);
    let found = community.posts(viewer, filter, sort, page).await?;
    encoded(&found)
}

/// A list page, encoded once for everyone who shares it.
type Listed = Result<Encoded<ApiResponse<Paginated<PostDto>>>, ApiError>;

fn encoded(found: &Shared<Page<PostView>>) -> Listed {
    Encoded::of(found, |page| {
        ApiResponse::ok(Paginated::from_page(page.clone(), PostDto::from))
    })
}

/// Trending posts.
/// Posts by their trending score (likes, comments and views, decaying with age).
#[api_operation(
    tag = "community",
    summary = "Trending posts",
    error_code = 400,
    error_code = 401
)]
pub async fn trending(
    community: Port<dyn CommunityApi>,
    viewer: MaybeAuth,
    query: Query<PageQuery>,
) -> Listed {
    let page = crate::http::page_request(query.page, query.limit, 10)?;
    let viewer = viewer.0.as_ref().map(caller);
    let found = community
        .posts(
            viewer,
            Default::default(),
            stackrush_community::PostSort::Trending,
            page,
        )
        .await?;
    encoded(&found)
}

/// Create a post.
/// Publish a post (an account with a verified email).
#[api_operation(
    tag = "community",
    summary = "Create a post",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn create(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    body: Body<CreatePostRequest>,
) -> Created<PostDto> {
    let draft = body.into_inner().try_into()?;
    let created = community.create_post(caller(&auth.0), draft).await?;
    Ok(CreatedJson(ApiResponse::ok(created.into())))
}

/// Get a post.
/// One live post; the reader's view is counted (once per reader per post per UTC day).
#[api_operation(
    tag = "community",
    summary = "Get a post",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn get_one(
    community: Port<dyn CommunityApi>,
    viewer: MaybeAuth,
    address: ClientAddress,
    path: Path<IdPath>,
) -> Reply<PostDto> {
    let reader = match viewer.0.as_ref() {
        Some(actor) => Reader::Member(caller(actor)),
        None => Reader::Anonymous {
            address: address.0.to_string(),
        },
    };
    let found = community.post(reader, path.parse::<PostId>()?).await?;
    Ok(Json(ApiResponse::ok(found.into())))
}

/// Update a post.
/// Change a post (its author; PUT or PATCH, given fields replace stored ones).
#[api_operation(
    tag = "community",
    summary = "Update a post",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn update(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<UpdatePostRequest>,
) -> Reply<PostDto> {
    let patch = body.into_inner().try_into()?;
    let id = path.parse::<PostId>()?;
    let updated = community.update_post(caller(&auth.0), id, patch).await?;
    Ok(Json(ApiResponse::ok(updated.into())))
}

/// Delete a post.
/// Delete a post (its author, a moderator or an admin); its comments go with it.
#[api_operation(
    tag = "community",
    summary = "Delete a post",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn remove(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<Empty> {
    community
        .delete_post(caller(&auth.0), path.parse::<PostId>()?)
        .await?;
    Ok(Json(ApiResponse::with_message(
        Empty::default(),
        "Post deleted",
    )))
}

/// Like or unlike a post.
/// Like a post, or take the like back.
#[api_operation(
    tag = "community",
    summary = "Like or unlike a post",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn like(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<LikedDto> {
    let id = path.parse::<PostId>()?;
    let t = community
        .toggle(caller(&auth.0), Reaction::Like, id)
        .await?;
    Ok(Json(ApiResponse::ok(LikedDto {
        liked: t.active,
        likes: t.count,
    })))
}

/// Bookmark or unbookmark a post.
/// Bookmark a post, or remove the bookmark.
#[api_operation(
    tag = "community",
    summary = "Bookmark or unbookmark a post",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn bookmark(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<BookmarkedDto> {
    let id = path.parse::<PostId>()?;
    let t = community
        .toggle(caller(&auth.0), Reaction::Bookmark, id)
        .await?;
    Ok(Json(ApiResponse::ok(BookmarkedDto {
        bookmarked: t.active,
        bookmarks: t.count,
    })))
}

/// My bookmarks.
/// The caller's bookmarked posts, the latest bookmark first.
#[api_operation(
    tag = "community",
    summary = "My bookmarks",
    error_code = 400,
    error_code = 401
)]
pub async fn bookmarks(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    query: Query<PageQuery>,
) -> Reply<Paginated<PostDto>> {
    let page = crate::http::page_request(query.page, query.limit, 10)?;
    let found = community.bookmarks(caller(&auth.0), page).await?;
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        found,
        Into::into,
    ))))
}

/// List a post's comments.
/// A page of a post's top-level comments (oldest first), each with its whole thread.
#[api_operation(
    tag = "community",
    summary = "List a post's comments",
    error_code = 400,
    error_code = 404
)]
pub async fn comments(
    community: Port<dyn CommunityApi>,
    viewer: MaybeAuth,
    path: Path<IdPath>,
    query: Query<PageQuery>,
) -> Reply<Paginated<ThreadDto>> {
    let page = crate::http::page_request(query.page, query.limit, 20)?;
    let viewer = viewer.0.as_ref().map(caller);
    let found = community
        .comments(viewer, path.parse::<PostId>()?, page)
        .await?;
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        found,
        Into::into,
    ))))
}

/// Comment on a post.
/// Comment on a post, or reply to one of its comments (`parentCommentId`).
#[api_operation(
    tag = "community",
    summary = "Comment on a post",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn add_comment(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<CommentRequest>,
) -> Created<CommentDto> {
    let post = path.parse::<PostId>()?;
    let CommentRequest {
        content,
        parent_comment_id,
    } = body.into_inner();
    let parent = parent_comment_id
        .map(|p| {
            p.parse::<CommentId>().map_err(|_| {
                ApiError::invalid_body("parentCommentId", "must be 24 hexadecimal characters")
            })
        })
        .transpose()?;
    let made = community
        .comment(caller(&auth.0), post, content, parent)
        .await?;
    Ok(CreatedJson(ApiResponse::ok(made.into())))
}

/// Update a comment.
/// Change a comment (its author).
#[api_operation(
    tag = "community",
    summary = "Update a comment",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn update_comment(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<CommentEdit>,
) -> Reply<CommentDto> {
    let id = path.parse::<CommentId>()?;
    let changed = community
        .update_comment(caller(&auth.0), id, body.into_inner().content)
        .await?;
    Ok(Json(ApiResponse::ok(changed.into())))
}

/// Delete a comment.
/// Delete a comment (its author, a moderator or an admin); with replies it stays as "[deleted]".
#[api_operation(
    tag = "community",
    summary = "Delete a comment",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn remove_comment(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<Empty> {
    community
        .delete_comment(caller(&auth.0), path.parse::<CommentId>()?)
        .await?;
    Ok(Json(ApiResponse::with_message(
        Empty::default(),
        "Comment deleted",
    )))
}

/// Like or unlike a comment.
/// Like a comment, or take the like back.
#[api_operation(
    tag = "community",
    summary = "Like or unlike a comment",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn like_comment(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<LikedDto> {
    let id = path.parse::<CommentId>()?;
    let t = community.toggle_comment_like(caller(&auth.0), id).await?;
    Ok(Json(ApiResponse::ok(LikedDto {
        liked: t.active,
        likes: t.count,
    })))
}

/// Community statistics.
/// Totals and today's figures (UTC) of the community.
#[api_operation(tag = "community", summary = "Community statistics", error_code = 503)]
pub async fn stats(community: Port<dyn CommunityApi>) -> Reply<CommunityStatsDto> {
    Ok(Json(ApiResponse::ok(community.stats().await?.into())))
}

/// The community routes.
pub fn configure(cfg: &mut ServiceConfig) {
    use crate::http::allowing;
    cfg.service(
        allowing(resource("/community/posts"), "GET, POST")
            .route(get().to(list))
            .route(post().to(create)),
    )
    .service(allowing(resource("/community/trending"), "GET").route(get().to(trending)))
    .service(allowing(resource("/community/stats"), "GET").route(get().to(stats)))
    .service(allowing(resource("/community/bookmarks"), "GET").route(get().to(bookmarks)))
    .service(
        allowing(resource("/community/posts/{id}"), "GET, PUT, PATCH, DELETE")
            .route(get().to(get_one))
            .route(put().to(update))
            .route(patch().to(update))
            .route(delete().to(remove)),
    )
    .service(allowing(resource("/community/posts/{id}/like"), "POST").route(post().to(like)))
    .service(
        allowing(resource("/community/posts/{id}/bookmark"), "POST").route(post().to(bookmark)),
    )
    .service(
        allowing(resource("/community/posts/{id}/comments"), "GET, POST")
            .route(get().to(comments))
            .route(post().to(add_comment)),
    )
    .service(
        allowing(resource("/community/comments/{id}"), "PUT, PATCH, DELETE")
            .route(put().to(update_comment))
            .route(patch().to(update_comment))
            .route(delete().to(remove_comment)),
    )
    .service(
        allowing(resource("/community/comments/{id}/like"), "POST").route(post().to(like_comment)),
    );
}
