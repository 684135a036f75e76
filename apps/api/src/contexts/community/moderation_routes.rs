//! Reports and moderation: any member reports; moderators work the queue and act; admins read
//! the log.

use actix_web::web::{Json, Path, Query};
use apistos::actix::CreatedJson;
use apistos::api_operation;
use apistos::web::{get, post, resource, ServiceConfig};
use stackrush_community::{CommentId, CommunityApi, PostId, ReportId, Target};

use super::caller;
use super::dto::*;
use crate::auth::Auth;
use crate::envelope::{ApiResponse, Paginated};
use crate::error::ApiError;
use crate::http::Body;
use crate::http::{IdPath, PageQuery, Port};

type Reply<T> = Result<Json<ApiResponse<T>>, ApiError>;
type Created<T> = Result<CreatedJson<ApiResponse<T>>, ApiError>;

async fn file(
    community: &dyn CommunityApi,
    auth: &Auth,
    target: Target,
    body: ReportRequest,
) -> Created<ReportDto> {
    let report = community
        .report(
            caller(&auth.0),
            target,
            body.reason.into(),
            body.text.unwrap_or_default(),
        )
        .await?;
    Ok(CreatedJson(ApiResponse::ok(ReportDto::of(
        report, None, None,
    ))))
}

/// Report a post.
/// Report someone else's post (one open report per member and post).
#[api_operation(
    tag = "community",
    summary = "Report a post",
    error_code = 400,
    error_code = 401,
    error_code = 404,
    error_code = 409
)]
pub async fn report_post(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<ReportRequest>,
) -> Created<ReportDto> {
    let target = Target::Post(path.parse::<PostId>()?);
    file(&*community, &auth, target, body.into_inner()).await
}

/// Report a comment.
/// Report someone else's comment (one open report per member and comment).
#[api_operation(
    tag = "community",
    summary = "Report a comment",
    error_code = 400,
    error_code = 401,
    error_code = 404,
    error_code = 409
)]
pub async fn report_comment(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<ReportRequest>,
) -> Created<ReportDto> {
    let target = Target::Comment(path.parse::<CommentId>()?);
    file(&*community, &auth, target, body.into_inner()).await
}

/// List reports.
/// Moderators: the reports (`status=open`: the queue, oldest first).
#[api_operation(
    tag = "moderation",
    summary = "List reports",
    error_code = 400,
    error_code = 401,
    error_code = 403
)]
pub async fn reports(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    query: Query<ReportsQuery>,
) -> Reply<Paginated<ReportDto>> {
    let page = crate::http::page_request(query.page, query.limit, 20)?;
    let status = query.status.map(Into::into);
    let found = community.reports(caller(&auth.0), status, page).await?;
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        found,
        Into::into,
    ))))
}

/// Dismiss a report.
/// Moderators: dismiss an open report.
#[api_operation(
    tag = "moderation",
    summary = "Dismiss a report",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 409
)]
pub async fn dismiss(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<DismissRequest>,
) -> Reply<ModerationRecordDto> {
    let id = path.parse::<ReportId>()?;
    let done = community
        .dismiss(caller(&auth.0), id, body.into_inner().reason)
        .await?;
    Ok(Json(ApiResponse::ok(ModerationRecordDto::of(done, None))))
}

async fn act(
    community: &dyn CommunityApi,
    auth: &Auth,
    target: Target,
    body: ModerateRequest,
) -> Reply<ModerationRecordDto> {
    let done = community
        .moderate(caller(&auth.0), target, body.action.into(), body.reason)
        .await?;
    Ok(Json(ApiResponse::ok(ModerationRecordDto::of(done, None))))
}

/// Moderate a post.
/// Moderators: hide, unhide, lock, unlock, pin, unpin, feature, unfeature or delete a post.
#[api_operation(
    tag = "moderation",
    summary = "Moderate a post",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn moderate_post(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<ModerateRequest>,
) -> Reply<ModerationRecordDto> {
    let target = Target::Post(path.parse::<PostId>()?);
    act(&*community, &auth, target, body.into_inner()).await
}

/// Moderate a comment.
/// Moderators: hide, unhide or delete a comment.
#[api_operation(
    tag = "moderation",
    summary = "Moderate a comment",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn moderate_comment(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<ModerateRequest>,
) -> Reply<ModerationRecordDto> {
    let target = Target::Comment(path.parse::<CommentId>()?);
    act(&*community, &auth, target, body.into_inner()).await
}

/// The moderation log.
/// Admins: every moderator action, latest first.
#[api_operation(
    tag = "moderation",
    summary = "The moderation log",
    error_code = 400,
    error_code = 401,
    error_code = 403
)]
pub async fn log(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    query: Query<PageQuery>,
) -> Reply<Paginated<ModerationRecordDto>> {
    let page = crate::http::page_request(query.page, query.limit, 20)?;
    let found = community.moderation_log(caller(&auth.0), page).await?;
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        found,
        Into::into,
    ))))
}

/// The moderation routes.
pub fn configure(cfg: &mut ServiceConfig) {
    use crate::http::allowing;
    cfg.service(
        allowing(resource("/community/posts/{id}/report"), "POST").route(post().to(report_post)),
    )
    .service(
        allowing(resource("/community/comments/{id}/report"), "POST")
            .route(post().to(report_comment)),
    )
    .service(
        allowing(resource("/community/posts/{id}/moderate"), "POST")
            .route(post().to(moderate_post)),
    )
    .service(
        allowing(resource("/community/comments/{id}/moderate"), "POST")
            .route(post().to(moderate_comment)),
    )
    .service(allowing(resource("/community/moderation/reports"), "GET").route(get().to(reports)))
    .service(
        allowing(
            resource("/community/moderation/reports/{id}/dismiss"),
            "POST",
        )
        .route(post().to(dismiss)),
    )
    .service(allowing(resource("/community/moderation/log"), "GET").route(get().to(log)));
}
