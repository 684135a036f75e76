//! The notification centre.

use actix_web::body::BoxBody;
use actix_web::http::header::{self, HeaderValue};
use actix_web::web::{Json, Path, Query};
use actix_web::{HttpRequest, HttpResponse, Responder};
use apistos::actix::CreatedJson;
use apistos::api_operation;
use apistos::web::{delete, get, patch, post, put, resource, ServiceConfig};
use apistos::ApiComponent;
use stackrush_identity::Actor;
use stackrush_notifications::{Kind, NotificationId, Notify, Reader, RecipientId};

use super::dto::*;
use crate::auth::Auth;
use crate::envelope::{ApiResponse, Empty, Paginated};
use crate::error::ApiError;
use crate::http::Body;
use crate::http::IdPath;
use crate::http::Port;
use stackrush_notifications::NotificationApi;

type Reply<T> = Result<Json<ApiResponse<T>>, ApiError>;

fn reader(actor: &Actor) -> Reader {
    Reader {
        id: RecipientId::from_bytes(actor.id.bytes()),
        is_admin: actor.is_admin(),
    }
}

/// The unread count, with a weak `ETag` naming it: a poll that sends it back in
/// `If-None-Match` gets an empty 304 while nothing changed.
pub struct Counted {
    count: u64,
}

impl Counted {
    fn etag(&self) -> String {
        format!("W/\"unread-{}\"", self.count)
    }
}

impl Responder for Counted {
    type Body = BoxBody;

    fn respond_to(self, req: &HttpRequest) -> HttpResponse {
        let etag = self.etag();
        let matches = req
            .headers()
            .get_all(header::IF_NONE_MATCH)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag.trim_start_matches("W/"));
        let mut response = if matches {
            HttpResponse::NotModified().finish()
        } else {
            HttpResponse::Ok().json(ApiResponse::ok(CountDto { count: self.count }))
        };
        if let Ok(value) = HeaderValue::from_str(&etag) {
            response.headers_mut().insert(header::ETAG, value);
        }
        // Each user's own figure: caches may keep it only per user, and must ask again.
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache"),
        );
        response
    }
}

impl ApiComponent for Counted {
    fn child_schemas(
        v: apistos::OpenApiVersion,
    ) -> Vec<(
        String,
        apistos::reference_or::ReferenceOr<apistos::ApistosSchema>,
    )> {
        <ApiResponse<CountDto> as ApiComponent>::child_schemas(v)
    }

    fn raw_schema(
        v: apistos::OpenApiVersion,
    ) -> Option<apistos::reference_or::ReferenceOr<apistos::ApistosSchema>> {
        <ApiResponse<CountDto> as ApiComponent>::raw_schema(v)
    }

    fn schema(
        v: apistos::OpenApiVersion,
    ) -> Option<(
        String,
        apistos::reference_or::ReferenceOr<apistos::ApistosSchema>,
    )> {
        <ApiResponse<CountDto> as ApiComponent>::schema(v)
    }
}

/// List my notifications.
/// The caller's notifications (expired ones never), filtered, sorted and paged.
#[api_operation(
    tag = "notifications",
    summary = "List my notifications",
    error_code = 400,
    error_code = 401
)]
pub async fn list(
    notifications: Port<dyn NotificationApi>,
    auth: Auth,
    query: Query<NotificationQuery>,
) -> Reply<Paginated<NotificationDto>> {
    let page = crate::http::page_request(query.page, query.limit, 20)?;
    let found = notifications
        .list(reader(&auth.0), query.filter()?, page)
        .await?;
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        found,
        Into::into,
    ))))
}

/// List my notifications of one type.
/// The caller's notifications of one type.
#[api_operation(
    tag = "notifications",
    summary = "List my notifications of one type",
    error_code = 400,
    error_code = 401
)]
pub async fn by_type(
    notifications: Port<dyn NotificationApi>,
    auth: Auth,
    path: Path<KindPath>,
    query: Query<crate::http::PageQuery>,
) -> Reply<Paginated<NotificationDto>> {
    let page = crate::http::page_request(query.page, query.limit, 20)?;
    let filter = stackrush_notifications::Filter {
        kind: Some(path.kind.into()),
        descending: true,
        ..Default::default()
    };
    let found = notifications.list(reader(&auth.0), filter, page).await?;
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        found,
        Into::into,
    ))))
}

/// `{type}` in `/notifications/type/{type}`.
#[derive(Debug, serde::Deserialize, apistos::JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct KindPath {
    #[serde(rename = "type")]
    pub kind: KindDto,
}

/// Count my unread notifications.
/// How many unread notifications the caller has (`ETag` / `If-None-Match` → 304).
#[api_operation(
    tag = "notifications",
    summary = "Count my unread notifications",
    error_code = 401
)]
pub async fn unread_count(
    notifications: Port<dyn NotificationApi>,
    auth: Auth,
) -> Result<Counted, ApiError> {
    let count = notifications.unread_count(reader(&auth.0)).await?;
    Ok(Counted { count })
}

/// Mark a notification read.
/// Mark one of the caller's notifications read (PUT or PATCH).
#[api_operation(
    tag = "notifications",
    summary = "Mark a notification read",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn mark_read(
    notifications: Port<dyn NotificationApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<Empty> {
    notifications
        .mark_read(reader(&auth.0), path.parse::<NotificationId>()?)
        .await?;
    Ok(Json(ApiResponse::with_message(
        Empty::default(),
        "Marked as read",
    )))
}

/// Mark all notifications read.
/// Mark all the caller's notifications read (PUT or PATCH).
#[api_operation(
    tag = "notifications",
    summary = "Mark all notifications read",
    error_code = 401
)]
pub async fn mark_all_read(
    notifications: Port<dyn NotificationApi>,
    auth: Auth,
) -> Reply<MarkedDto> {
    let updated = notifications.mark_all_read(reader(&auth.0)).await?;
    Ok(Json(ApiResponse::ok(MarkedDto { updated })))
}

/// Delete a notification.
/// Delete one of the caller's notifications.
#[api_operation(
    tag = "notifications",
    summary = "Delete a notification",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn remove(
    notifications: Port<dyn NotificationApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<Empty> {
    notifications
        .delete(reader(&auth.0), path.parse::<NotificationId>()?)
        .await?;
    Ok(Json(ApiResponse::with_message(
        Empty::default(),
        "Notification deleted",
    )))
}

fn to_notify(r: CreateNotificationRequest, field: &str) -> Result<Notify, ApiError> {
    let recipient = r.recipient.parse::<RecipientId>().map_err(|_| {
        ApiError::invalid_body(
            format!("{field}recipient"),
            "must be 24 hexadecimal characters",
        )
    })?;
    Ok(Notify {
        recipient,
        kind: r.kind.map_or(Kind::System, Into::into),
        title: r.title,
        message: r.message,
        data: r.data.unwrap_or_default(),
        priority: r.priority.map(Into::into).unwrap_or_default(),
        dedup_key: r.dedup_key,
        expires_at: r.expires_at,
        email: false,
    })
}

/// Create a notification.
/// Admin: notify one user (default type `system`; their preferences apply to other types).
#[api_operation(
    tag = "notifications",
    summary = "Create a notification",
    error_code = 400,
    error_code = 401,
    error_code = 403
)]
pub async fn create(
    notifications: Port<dyn NotificationApi>,
    auth: Auth,
    body: Body<CreateNotificationRequest>,
) -> Result<CreatedJson<ApiResponse<DeliveredDto>>, ApiError> {
    let request = to_notify(body.into_inner(), "")?;
    let done = notifications.create(reader(&auth.0), vec![request]).await?;
    Ok(CreatedJson(ApiResponse::ok(DeliveredDto {
        stored: done.stored,
        skipped: done.skipped,
    })))
}

/// Create notifications in bulk.
/// Admin: notify up to 100 users at once (all or nothing on invalid input).
#[api_operation(
    tag = "notifications",
    summary = "Create notifications in bulk",
    error_code = 400,
    error_code = 401,
    error_code = 403
)]
pub async fn create_bulk(
    notifications: Port<dyn NotificationApi>,
    auth: Auth,
    body: Body<BulkRequest>,
) -> Result<CreatedJson<ApiResponse<DeliveredDto>>, ApiError> {
    let requests = body
        .into_inner()
        .notifications
        .into_iter()
        .enumerate()
        .map(|(i, r)| to_notify(r, &format!("notifications[{i}].")))
        .collect::<Result<Vec<_>, _>>()?;
    let done = notifications.create(reader(&auth.0), requests).await?;
    Ok(CreatedJson(ApiResponse::ok(DeliveredDto {
        stored: done.stored,
        skipped: done.skipped,
    })))
}

/// Notification routes (fixed paths before `/notifications/{id}`).
pub fn configure(cfg: &mut ServiceConfig) {
    use crate::http::allowing;
    cfg.service(
        allowing(resource("/notifications"), "GET, POST")
            .route(get().to(list))
            .route(post().to(create)),
    )
    .service(allowing(resource("/notifications/bulk"), "POST").route(post().to(create_bulk)))
    .service(allowing(resource("/notifications/count"), "GET").route(get().to(unread_count)))
    .service(allowing(resource("/notifications/unread/count"), "GET").route(get().to(unread_count)))
    .service(
        allowing(resource("/notifications/read-all"), "PUT, PATCH")
            .route(put().to(mark_all_read))
            .route(patch().to(mark_all_read)),
    )
    .service(allowing(resource("/notifications/type/{type}"), "GET").route(get().to(by_type)))
    .service(
        allowing(resource("/notifications/{id}/read"), "PUT, PATCH")
            .route(put().to(mark_read))
            .route(patch().to(mark_read)),
    )
    .service(allowing(resource("/notifications/{id}"), "DELETE").route(delete().to(remove)));
}
