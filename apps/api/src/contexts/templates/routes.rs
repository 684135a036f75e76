//! `/templates`: the catalogue, one template, its versions, stars, forks and zip download.

use actix_web::web::{Json, Path, Query};
use actix_web::HttpRequest;
use apistos::actix::CreatedJson;
use apistos::api_operation;
use apistos::web::{delete, get, post, put, resource, ServiceConfig};
use stackrush_kernel::Page;
use stackrush_templates::{FacetKind, TemplateId, TemplateView, TemplatesApi};

use super::caller;
use super::dto::*;
use crate::auth::{Auth, MaybeAuth};
use crate::download::{held_tags, ZipDownload};
use crate::envelope::{ApiResponse, Empty, Encoded, Paginated};
use crate::error::ApiError;
use crate::http::Body;
use crate::http::{IdPath, PageQuery, Port};
use crate::upload::ImageUpload;

type Reply<T> = Result<Json<ApiResponse<T>>, ApiError>;
type Created<T> = Result<CreatedJson<ApiResponse<T>>, ApiError>;

fn listed(found: Page<TemplateView>) -> Reply<Paginated<TemplateDto>> {
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        found,
        Into::into,
    ))))
}

/// List templates.
/// Public templates (and, with `author` set to the caller, all of theirs): filters, literal
/// search, order, nested pagination.
#[api_operation(
    tag = "templates",
    summary = "List templates",
    error_code = 400,
    error_code = 401
)]
pub async fn list(
    templates: Port<dyn TemplatesApi>,
    reader: MaybeAuth,
    query: Query<TemplatesQuery>,
) -> Result<Encoded<ApiResponse<Paginated<TemplateDto>>>, ApiError> {
    let page = crate::http::page_request(query.page, query.limit, 12)?;
    let reader = reader.0.as_ref().map(caller);
    let found = templates
        .list(reader, query.filter()?, query.sort(), page)
        .await?;
    // Anonymous readers share the page, and its bytes: encoded once for all of them.
    Encoded::of(&found, |page| {
        ApiResponse::ok(Paginated::from_page(page.clone(), TemplateDto::from))
    })
}

/// Create a template.
/// Publish a template (verified members); it starts at version 1.
#[api_operation(
    tag = "templates",
    summary = "Create a template",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 413
)]
pub async fn create(
    templates: Port<dyn TemplatesApi>,
    auth: Auth,
    body: Body<CreateTemplateRequest>,
) -> Created<TemplateDto> {
    let made = templates
        .create(caller(&auth.0), body.into_inner().into())
        .await?;
    Ok(CreatedJson(ApiResponse::ok(made.into())))
}

/// Get a template.
/// One template (private ones for their author only); views by others are counted.
#[api_operation(
    tag = "templates",
    summary = "Get a template",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn get_one(
    templates: Port<dyn TemplatesApi>,
    reader: MaybeAuth,
    path: Path<IdPath>,
) -> Reply<TemplateDto> {
    let reader = reader.0.as_ref().map(caller);
    let found = templates.get(reader, path.parse::<TemplateId>()?).await?;
    Ok(Json(ApiResponse::ok(found.into())))
}

/// Update a template.
/// Change your template; a change of its code makes a new version.
#[api_operation(
    tag = "templates",
    summary = "Update a template",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 409,
    error_code = 413
)]
pub async fn update(
    templates: Port<dyn TemplatesApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<UpdateTemplateRequest>,
) -> Reply<TemplateDto> {
    let id = path.parse::<TemplateId>()?;
    let changed = templates
        .update(caller(&auth.0), id, body.into_inner().into())
        .await?;
    Ok(Json(ApiResponse::ok(changed.into())))
}

/// Delete a template.
/// Delete a template (its author or an admin); forks and stars stay, the template is gone.
#[api_operation(
    tag = "templates",
    summary = "Delete a template",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn remove(
    templates: Port<dyn TemplatesApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<Empty> {
    let id = path.parse::<TemplateId>()?;
    templates.delete(caller(&auth.0), id).await?;
    Ok(Json(ApiResponse::with_message(
        Empty::default(),
        "Template deleted",
    )))
}

/// Star or unstar a template.
/// Star a template, or take your star back.
#[api_operation(
    tag = "templates",
    summary = "Star or unstar a template",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn star(
    templates: Port<dyn TemplatesApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<StarDto> {
    let id = path.parse::<TemplateId>()?;
    let s = templates.star(caller(&auth.0), id).await?;
    Ok(Json(ApiResponse::ok(StarDto {
        starred: s.starred,
        stars: s.stars,
    })))
}

/// My starred templates.
/// The templates you starred, latest first.
#[api_operation(
    tag = "templates",
    summary = "My starred templates",
    error_code = 400,
    error_code = 401
)]
pub async fn starred(
    templates: Port<dyn TemplatesApi>,
    auth: Auth,
    query: Query<PageQuery>,
) -> Reply<Paginated<TemplateDto>> {
    let page = crate::http::page_request(query.page, query.limit, 12)?;
    listed(templates.starred(caller(&auth.0), page).await?)
}

/// Fork a template.
/// Fork a template into a new public template of yours, linked to its origin's version.
#[api_operation(
    tag = "templates",
    summary = "Fork a template",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn fork(
    templates: Port<dyn TemplatesApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Created<TemplateDto> {
    let id = path.parse::<TemplateId>()?;
    let made = templates.fork(caller(&auth.0), id).await?;
    Ok(CreatedJson(ApiResponse::ok(made.into())))
}

/// A template's forks.
/// A template's public forks, newest first.
#[api_operation(
    tag = "templates",
    summary = "A template's forks",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn forks(
    templates: Port<dyn TemplatesApi>,
    reader: MaybeAuth,
    path: Path<IdPath>,
    query: Query<PageQuery>,
) -> Reply<Paginated<TemplateDto>> {
    let page = crate::http::page_request(query.page, query.limit, 12)?;
    let id = path.parse::<TemplateId>()?;
    listed(
        templates
            .forks(reader.0.as_ref().map(caller), id, page)
            .await?,
    )
}

/// A template's versions.
/// A template's versions, newest first.
#[api_operation(
    tag = "templates",
    summary = "A template's versions",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn versions(
    templates: Port<dyn TemplatesApi>,
    reader: MaybeAuth,
    path: Path<IdPath>,
    query: Query<PageQuery>,
) -> Reply<Paginated<VersionDto>> {
    let page = crate::http::page_request(query.page, query.limit, 20)?;
    let id = path.parse::<TemplateId>()?;
    let found = templates
        .versions(reader.0.as_ref().map(caller), id, page)
        .await?;
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        found,
        Into::into,
    ))))
}

/// Download a template.
/// The current version as a zip archive (`ETag`; `If-None-Match` answers 304). Counted.
#[api_operation(
    tag = "templates",
    summary = "Download a template",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn download(
    templates: Port<dyn TemplatesApi>,
    reader: MaybeAuth,
    path: Path<IdPath>,
    req: HttpRequest,
) -> Result<ZipDownload, ApiError> {
    let id = path.parse::<TemplateId>()?;
    let reader = reader.0.as_ref().map(caller);
    Ok(templates
        .download(reader, id, held_tags(&req))
        .await?
        .into())
}

/// Upload a template's thumbnail.
/// Upload your template's thumbnail (PNG, JPEG or WebP, at most 2 MiB, told by its bytes); the
/// one it replaces is removed.
#[api_operation(
    tag = "templates",
    summary = "Upload a template's thumbnail",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 413,
    error_code = 415
)]
pub async fn thumbnail(
    templates: Port<dyn TemplatesApi>,
    auth: Auth,
    path: Path<IdPath>,
    file: ImageUpload,
) -> Reply<TemplateDto> {
    let id = path.parse::<TemplateId>()?;
    let changed = templates.set_thumbnail(caller(&auth.0), id, file.0).await?;
    Ok(Json(ApiResponse::ok(changed.into())))
}

fn facets(found: Vec<stackrush_templates::Facet>) -> Reply<Vec<FacetDto>> {
    Ok(Json(ApiResponse::ok(
        found
            .into_iter()
            .map(|f| FacetDto {
                name: f.name.to_owned(),
                count: f.count,
            })
            .collect(),
    )))
}

/// Template categories.
/// Every category with how many public templates it holds.
#[api_operation(tag = "templates", summary = "Template categories")]
pub async fn categories(templates: Port<dyn TemplatesApi>) -> Reply<Vec<FacetDto>> {
    facets(templates.facets(FacetKind::Category).await?)
}

/// Template frameworks.
/// Every supported framework with how many public templates target it.
#[api_operation(tag = "templates", summary = "Template frameworks")]
pub async fn frameworks(templates: Port<dyn TemplatesApi>) -> Reply<Vec<FacetDto>> {
    facets(templates.facets(FacetKind::Framework).await?)
}

/// The templates routes (literal paths before `/templates/{id}`).
pub fn configure(cfg: &mut ServiceConfig) {
    use crate::http::allowing;
    cfg.service(
        allowing(resource("/templates"), "GET, POST")
            .route(get().to(list))
            .route(post().to(create)),
    )
    .service(allowing(resource("/templates/categories"), "GET").route(get().to(categories)))
    .service(allowing(resource("/templates/frameworks"), "GET").route(get().to(frameworks)))
    .service(allowing(resource("/templates/starred"), "GET").route(get().to(starred)))
    .service(
        allowing(resource("/templates/{id}"), "GET, PUT, DELETE")
            .route(get().to(get_one))
            .route(put().to(update))
            .route(delete().to(remove)),
    )
    .service(allowing(resource("/templates/{id}/star"), "POST").route(post().to(star)))
    .service(allowing(resource("/templates/{id}/fork"), "POST").route(post().to(fork)))
    .service(allowing(resource("/templates/{id}/thumbnail"), "POST").route(post().to(thumbnail)))
    .service(allowing(resource("/templates/{id}/forks"), "GET").route(get().to(forks)))
    .service(allowing(resource("/templates/{id}/versions"), "GET").route(get().to(versions)))
    .service(allowing(resource("/templates/{id}/download"), "GET").route(get().to(download)));
}
