//! `/projects`: a member's saved code-runner projects, their versions, share links, forks of
//! shared ones and zip exports.

use actix_web::web::{Json, Path, Query};
use actix_web::HttpRequest;
use apistos::actix::CreatedJson;
use apistos::api_operation;
use apistos::web::{delete, get, post, put, resource, ServiceConfig};
use stackrush_templates::{ProjectId, ProjectsApi};

use super::caller;
use super::project_dto::*;
use crate::auth::Auth;
use crate::download::{held_tags, ZipDownload};
use crate::envelope::{ApiResponse, Empty, Paginated};
use crate::error::ApiError;
use crate::http::Body;
use crate::http::{IdPath, PageQuery, Port};

type Reply<T> = Result<Json<ApiResponse<T>>, ApiError>;
type Created<T> = Result<CreatedJson<ApiResponse<T>>, ApiError>;

/// List my projects.
/// Your projects, latest changed first.
#[api_operation(
    tag = "projects",
    summary = "List my projects",
    error_code = 400,
    error_code = 401
)]
pub async fn list(
    projects: Port<dyn ProjectsApi>,
    auth: Auth,
    query: Query<PageQuery>,
) -> Reply<Paginated<ProjectDto>> {
    let page = crate::http::page_request(query.page, query.limit, 20)?;
    let found = projects.list(caller(&auth.0), page).await?;
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        found,
        Into::into,
    ))))
}

/// Create a project.
/// Save a new project (version 1): blank, from a template, or the given code.
#[api_operation(
    tag = "projects",
    summary = "Create a project",
    error_code = 400,
    error_code = 401,
    error_code = 404,
    error_code = 409,
    error_code = 413
)]
pub async fn create(
    projects: Port<dyn ProjectsApi>,
    auth: Auth,
    body: Body<CreateProjectRequest>,
) -> Created<ProjectDto> {
    let draft = body.into_inner().into_draft()?;
    let made = projects.create(caller(&auth.0), draft).await?;
    Ok(CreatedJson(ApiResponse::ok(made.into())))
}

/// Get my project.
/// One of your projects.
#[api_operation(
    tag = "projects",
    summary = "Get my project",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn get_one(
    projects: Port<dyn ProjectsApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<ProjectDto> {
    let found = projects
        .get(caller(&auth.0), path.parse::<ProjectId>()?)
        .await?;
    Ok(Json(ApiResponse::ok(found.into())))
}

/// Save my project.
/// Save a change made on `version`; 409 `VERSION_CONFLICT` (with the current version) when
/// the project was saved elsewhere since.
#[api_operation(
    tag = "projects",
    summary = "Save my project",
    error_code = 400,
    error_code = 401,
    error_code = 404,
    error_code = 409,
    error_code = 413
)]
pub async fn update(
    projects: Port<dyn ProjectsApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<UpdateProjectRequest>,
) -> Reply<ProjectDto> {
    let id = path.parse::<ProjectId>()?;
    let saved = projects
        .update(caller(&auth.0), id, body.into_inner().into())
        .await?;
    Ok(Json(ApiResponse::ok(saved.into())))
}

/// Delete my project.
/// Delete one of your projects (its share link stops working).
#[api_operation(
    tag = "projects",
    summary = "Delete my project",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn remove(
    projects: Port<dyn ProjectsApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<Empty> {
    projects
        .delete(caller(&auth.0), path.parse::<ProjectId>()?)
        .await?;
    Ok(Json(ApiResponse::with_message(
        Empty::default(),
        "Project deleted",
    )))
}

/// Share my project.
/// Share a project read-only under an unguessable link (the same link while shared).
#[api_operation(
    tag = "projects",
    summary = "Share my project",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn share(
    projects: Port<dyn ProjectsApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<ProjectDto> {
    let shared = projects
        .share(caller(&auth.0), path.parse::<ProjectId>()?)
        .await?;
    Ok(Json(ApiResponse::ok(shared.into())))
}

/// Unshare my project.
/// Stop sharing; the link stops working for good.
#[api_operation(
    tag = "projects",
    summary = "Unshare my project",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn unshare(
    projects: Port<dyn ProjectsApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<ProjectDto> {
    let private = projects
        .unshare(caller(&auth.0), path.parse::<ProjectId>()?)
        .await?;
    Ok(Json(ApiResponse::ok(private.into())))
}

/// Open a shared project.
/// A shared project, read-only (no login; the view is counted).
#[api_operation(tag = "projects", summary = "Open a shared project", error_code = 404)]
pub async fn shared(
    projects: Port<dyn ProjectsApi>,
    path: Path<ShareSlugPath>,
) -> Reply<ProjectDto> {
    let found = projects.shared(&path.slug).await?;
    Ok(Json(ApiResponse::ok(found.into())))
}

/// Fork a shared project.
/// Copy a shared project into a new project of yours.
#[api_operation(
    tag = "projects",
    summary = "Fork a shared project",
    error_code = 401,
    error_code = 404,
    error_code = 409
)]
pub async fn fork(
    projects: Port<dyn ProjectsApi>,
    auth: Auth,
    path: Path<ShareSlugPath>,
) -> Created<ProjectDto> {
    let made = projects.fork(caller(&auth.0), &path.slug).await?;
    Ok(CreatedJson(ApiResponse::ok(made.into())))
}

/// Export my project.
/// One of your projects as a zip archive (`ETag`; `If-None-Match` answers 304).
#[api_operation(
    tag = "projects",
    summary = "Export my project",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn export(
    projects: Port<dyn ProjectsApi>,
    auth: Auth,
    path: Path<IdPath>,
    req: HttpRequest,
) -> Result<ZipDownload, ApiError> {
    let id = path.parse::<ProjectId>()?;
    let held = held_tags(&req);
    Ok(projects.export(caller(&auth.0), id, held).await?.into())
}

/// The projects routes (literal paths before `/projects/{id}`).
pub fn configure(cfg: &mut ServiceConfig) {
    use crate::http::allowing;
    cfg.service(
        allowing(resource("/projects"), "GET, POST")
            .route(get().to(list))
            .route(post().to(create)),
    )
    .service(allowing(resource("/projects/shared/{slug}"), "GET").route(get().to(shared)))
    .service(allowing(resource("/projects/shared/{slug}/fork"), "POST").route(post().to(fork)))
    .service(
        allowing(resource("/projects/{id}"), "GET, PUT, DELETE")
            .route(get().to(get_one))
            .route(put().to(update))
            .route(delete().to(remove)),
    )
    .service(
        allowing(resource("/projects/{id}/share"), "POST, DELETE")
            .route(post().to(share))
            .route(delete().to(unshare)),
    )
    .service(allowing(resource("/projects/{id}/export"), "GET").route(get().to(export)));
}
