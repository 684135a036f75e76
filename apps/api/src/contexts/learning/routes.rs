//! `/learning`: playlists, their lessons, enrolment, progress, ratings, categories and the
//! caller's own playlists.

use actix_web::web::{Json, Path, Query};
use apistos::actix::CreatedJson;
use apistos::api_operation;
use apistos::web::{delete, get, post, put, resource, ServiceConfig};
use apistos::{ApiComponent, JsonSchema};
use serde::Deserialize;
use stackrush_learning::{LearningApi, LessonId, PlaylistId};

use super::caller;
use super::dto::*;
use crate::auth::{Auth, MaybeAuth};
use crate::envelope::{ApiResponse, Empty, Paginated};
use crate::error::ApiError;
use crate::http::Body;
use crate::http::{IdPath, PageQuery, Port};

type Reply<T> = Result<Json<ApiResponse<T>>, ApiError>;
type Created<T> = Result<CreatedJson<ApiResponse<T>>, ApiError>;

/// A lesson of a playlist in the path.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct LessonPath {
    /// The playlist: 24 hexadecimal characters.
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub id: String,
    /// The lesson: 24 hexadecimal characters.
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub lesson_id: String,
}

impl LessonPath {
    fn ids(&self) -> Result<(PlaylistId, LessonId), ApiError> {
        Ok((
            crate::http::path_id("id", &self.id)?,
            crate::http::path_id("lessonId", &self.lesson_id)?,
        ))
    }
}

/// List learning playlists.
/// Live playlists: filters (category, topic, level, premium, author), literal search, order
/// (newest, popular, rating), nested pagination. Premium playlists are listed for everyone.
#[api_operation(
    tag = "learning",
    summary = "List learning playlists",
    error_code = 400,
    error_code = 401
)]
pub async fn list(
    learning: Port<dyn LearningApi>,
    reader: MaybeAuth,
    query: Query<PlaylistsQuery>,
) -> Reply<Paginated<PlaylistDto>> {
    let page = crate::http::page_request(query.page, query.limit, 12)?;
    let reader = reader.0.as_ref().map(caller);
    let found = learning
        .list(reader, query.filter()?, query.sort(), page)
        .await?;
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        found,
        Into::into,
    ))))
}

/// Create a playlist.
/// Create a playlist (premium members, moderators and admins), with its lessons.
#[api_operation(
    tag = "learning",
    summary = "Create a playlist",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 413
)]
pub async fn create(
    learning: Port<dyn LearningApi>,
    auth: Auth,
    body: Body<CreatePlaylistRequest>,
) -> Created<PlaylistDto> {
    let made = learning
        .create(caller(&auth.0), body.into_inner().draft()?)
        .await?;
    Ok(CreatedJson(ApiResponse::ok(made.into())))
}

/// Get a playlist.
/// One live playlist. A premium playlist's lesson content (descriptions, challenges) is shown
/// to premium members, staff, its author and the enrolled; others see the outline.
#[api_operation(
    tag = "learning",
    summary = "Get a playlist",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn get_one(
    learning: Port<dyn LearningApi>,
    reader: MaybeAuth,
    path: Path<IdPath>,
) -> Reply<PlaylistDto> {
    let reader = reader.0.as_ref().map(caller);
    let found = learning.get(reader, path.parse()?).await?;
    Ok(Json(ApiResponse::ok(found.into())))
}

/// Update a playlist.
/// Change your playlist; `lessons` replaces the list (kept lessons by `id`).
#[api_operation(
    tag = "learning",
    summary = "Update a playlist",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 409,
    error_code = 413
)]
pub async fn update(
    learning: Port<dyn LearningApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<UpdatePlaylistRequest>,
) -> Reply<PlaylistDto> {
    let patch = body.into_inner().patch()?;
    let changed = learning
        .update(caller(&auth.0), path.parse()?, patch)
        .await?;
    Ok(Json(ApiResponse::ok(changed.into())))
}

/// Delete a playlist.
/// Delete a playlist (its author or an admin). Enrolled learners keep their progress.
#[api_operation(
    tag = "learning",
    summary = "Delete a playlist",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn remove(
    learning: Port<dyn LearningApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<Empty> {
    learning.delete(caller(&auth.0), path.parse()?).await?;
    Ok(Json(ApiResponse::with_message(
        Empty {},
        "Playlist deleted",
    )))
}

/// Add a lesson.
/// Add a lesson to your playlist (at `position`, 1-based; at the end without it).
#[api_operation(
    tag = "learning",
    summary = "Add a lesson",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 413
)]
pub async fn add_lesson(
    learning: Port<dyn LearningApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<AddLessonRequest>,
) -> Created<PlaylistDto> {
    let (lesson, position) = body.into_inner().draft()?;
    let changed = learning
        .add_lesson(caller(&auth.0), path.parse()?, lesson, position)
        .await?;
    Ok(CreatedJson(ApiResponse::ok(changed.into())))
}

/// Update a lesson.
/// Replace one lesson of your playlist (its id and place stay).
#[api_operation(
    tag = "learning",
    summary = "Update a lesson",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 413
)]
pub async fn update_lesson(
    learning: Port<dyn LearningApi>,
    auth: Auth,
    path: Path<LessonPath>,
    body: Body<LessonRequest>,
) -> Reply<PlaylistDto> {
    let (playlist, lesson) = path.ids()?;
    let draft = body.into_inner().draft("")?;
    let changed = learning
        .update_lesson(caller(&auth.0), playlist, lesson, draft)
        .await?;
    Ok(Json(ApiResponse::ok(changed.into())))
}

/// Remove a lesson.
/// Remove one lesson of your playlist (learners' completion of it no longer counts).
#[api_operation(
    tag = "learning",
    summary = "Remove a lesson",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn remove_lesson(
    learning: Port<dyn LearningApi>,
    auth: Auth,
    path: Path<LessonPath>,
) -> Reply<PlaylistDto> {
    let (playlist, lesson) = path.ids()?;
    let changed = learning
        .remove_lesson(caller(&auth.0), playlist, lesson)
        .await?;
    Ok(Json(ApiResponse::ok(changed.into())))
}

/// Reorder lessons.
/// Put your playlist's lessons in a new order: every lesson id exactly once.
#[api_operation(
    tag = "learning",
    summary = "Reorder lessons",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn reorder(
    learning: Port<dyn LearningApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<ReorderLessonsRequest>,
) -> Reply<PlaylistDto> {
    let order = body.into_inner().order()?;
    let changed = learning
        .reorder_lessons(caller(&auth.0), path.parse()?, order)
        .await?;
    Ok(Json(ApiResponse::ok(changed.into())))
}

/// Enrol in a playlist.
/// Enrol (or resume an earlier enrolment, with its progress). A premium playlist takes a
/// premium member.
#[api_operation(
    tag = "learning",
    summary = "Enrol in a playlist",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn enroll(
    learning: Port<dyn LearningApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<PlaylistProgressDto> {
    let progress = learning.enrol(caller(&auth.0), path.parse()?).await?;
    Ok(Json(ApiResponse::with_message(progress.into(), "Enrolled")))
}

/// Unenrol from a playlist.
/// Unenrol; the progress is kept for a later enrolment.
#[api_operation(
    tag = "learning",
    summary = "Unenrol from a playlist",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn unenroll(
    learning: Port<dyn LearningApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<Empty> {
    learning.unenrol(caller(&auth.0), path.parse()?).await?;
    Ok(Json(ApiResponse::with_message(Empty {}, "Unenrolled")))
}

/// Get your progress.
/// Your progress: completed lessons, the current one, percentage, time spent (all computed
/// by the server).
#[api_operation(
    tag = "learning",
    summary = "Get your progress",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn progress(
    learning: Port<dyn LearningApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<PlaylistProgressDto> {
    let progress = learning.progress(caller(&auth.0), path.parse()?).await?;
    Ok(Json(ApiResponse::ok(progress.into())))
}

/// Update lesson progress.
/// Report a lesson's progress. A challenge lesson is completed only after a successful scored
/// submission of its challenge (409 before). Completing the last lesson completes the
/// playlist: XP once, a notification.
#[api_operation(
    tag = "learning",
    summary = "Update lesson progress",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 409
)]
pub async fn record_progress(
    learning: Port<dyn LearningApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<ProgressRequest>,
) -> Reply<PlaylistProgressedDto> {
    let update = body.into_inner().update()?;
    let outcome = learning
        .record_progress(caller(&auth.0), path.parse()?, update)
        .await?;
    Ok(Json(ApiResponse::ok(outcome.into())))
}

/// Rate a playlist.
/// Rate a playlist you are enrolled in (1–5); rating again replaces your rating.
#[api_operation(
    tag = "learning",
    summary = "Rate a playlist",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn rate(
    learning: Port<dyn LearningApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<RateRequest>,
) -> Reply<PlaylistDto> {
    let RateRequest { score, review } = body.into_inner();
    let rated = learning
        .rate(caller(&auth.0), path.parse()?, score, review)
        .await?;
    Ok(Json(ApiResponse::ok(rated.into())))
}

/// Your playlists.
/// The playlists you are enrolled in, with your progress, most recently used first.
#[api_operation(
    tag = "learning",
    summary = "Your playlists",
    error_code = 400,
    error_code = 401
)]
pub async fn mine(
    learning: Port<dyn LearningApi>,
    auth: Auth,
    query: Query<PageQuery>,
) -> Reply<Paginated<MyPlaylistDto>> {
    let page = crate::http::page_request(query.page, query.limit, 12)?;
    let found = learning.my_playlists(caller(&auth.0), page).await?;
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        found,
        Into::into,
    ))))
}

/// Recommended playlists.
/// Playlists for you, each with a `reason`: your unfinished enrolments, then playlists that
/// practise the challenge types you do worst at, then playlists at your level, then popular
/// ones.
#[api_operation(
    tag = "learning",
    summary = "Recommended playlists",
    error_code = 400,
    error_code = 401
)]
pub async fn recommended(
    learning: Port<dyn LearningApi>,
    auth: Auth,
    query: Query<RecommendedQuery>,
) -> Reply<Vec<RecommendedPlaylistDto>> {
    let limit = query
        .limit
        .unwrap_or(stackrush_learning::recommend::DEFAULT_RECOMMENDATIONS);
    let picked = learning.recommended(caller(&auth.0), limit).await?;
    Ok(Json(ApiResponse::ok(
        picked.into_iter().map(Into::into).collect(),
    )))
}

/// Learning categories.
/// Every category with how many live playlists it has, most first.
#[api_operation(tag = "learning", summary = "Learning categories")]
pub async fn categories(learning: Port<dyn LearningApi>) -> Reply<Vec<LearningCategoryDto>> {
    let all = learning.categories().await?;
    Ok(Json(ApiResponse::ok(
        all.into_iter()
            .map(|(category, count)| LearningCategoryDto { category, count })
            .collect(),
    )))
}

/// The routes.
pub fn configure(cfg: &mut ServiceConfig) {
    use crate::http::allowing;
    cfg.service(
        allowing(resource("/learning/playlists"), "GET, POST")
            .route(get().to(list))
            .route(post().to(create)),
    )
    .service(allowing(resource("/learning/categories"), "GET").route(get().to(categories)))
    .service(allowing(resource("/learning/my-playlists"), "GET").route(get().to(mine)))
    .service(allowing(resource("/learning/recommended"), "GET").route(get().to(recommended)))
    .service(
        allowing(resource("/learning/playlists/{id}"), "GET, PUT, DELETE")
            .route(get().to(get_one))
            .route(put().to(update))
            .route(delete().to(remove)),
    )
    .service(
        allowing(resource("/learning/playlists/{id}/lessons"), "POST").route(post().to(add_lesson)),
    )
    .service(
        allowing(resource("/learning/playlists/{id}/lesson-order"), "PUT").route(put().to(reorder)),
    )
    .service(
        allowing(
            resource("/learning/playlists/{id}/lessons/{lessonId}"),
            "PUT, DELETE",
        )
        .route(put().to(update_lesson))
        .route(delete().to(remove_lesson)),
    )
    .service(allowing(resource("/learning/playlists/{id}/enroll"), "POST").route(post().to(enroll)))
    .service(
        allowing(resource("/learning/playlists/{id}/unenroll"), "POST").route(post().to(unenroll)),
    )
    .service(
        allowing(resource("/learning/playlists/{id}/progress"), "GET, PUT")
            .route(get().to(progress))
            .route(put().to(record_progress)),
    )
    .service(allowing(resource("/learning/playlists/{id}/rate"), "POST").route(post().to(rate)));
}
