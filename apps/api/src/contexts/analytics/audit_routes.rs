//! `GET /admin/audit`: the audit log of sensitive operations, for admins.

use actix_web::web::{Json, Query};
use apistos::api_operation;
use apistos::web::{get, resource, ServiceConfig};
use apistos::{ApiComponent, JsonSchema};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use stackrush_analytics::audit::{AuditActor, AuditEntry, AuditFilter};
use stackrush_analytics::AuditApi;

use crate::auth::Auth;
use crate::envelope::{ApiResponse, Paginated};
use crate::error::ApiError;
use crate::http::Port;

/// `GET /admin/audit` query: filters and page.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct AuditQuery {
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub page: Option<u32>,
    /// Clamped to 100.
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub limit: Option<u32>,
    /// Who acted: a user id.
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub actor: Option<String>,
    /// An action (`user.updated_by_admin`), or every action of an area (`user.`).
    #[schemars(regex(pattern = r"^[a-z_]{1,30}\.[a-z_]{0,30}$"))]
    pub action: Option<String>,
    /// What it was done to (`user:65f…`).
    #[schemars(length(min = 1, max = 100))]
    pub target: Option<String>,
    /// From this time, inclusive (RFC 3339).
    #[schemars(regex(pattern = crate::http::patterns::INSTANT))]
    pub from: Option<DateTime<Utc>>,
    /// To this time, exclusive (RFC 3339); at most 366 days after `from`.
    #[schemars(regex(pattern = crate::http::patterns::INSTANT))]
    pub to: Option<DateTime<Utc>>,
}

impl AuditQuery {
    fn filter(&self) -> Result<AuditFilter, ApiError> {
        let actor = match &self.actor {
            Some(a) => Some(a.parse::<AuditActor>().map_err(|_| {
                ApiError::invalid_query("actor", "must be 24 hexadecimal characters")
            })?),
            None => None,
        };
        Ok(AuditFilter {
            actor,
            action: self.action.clone(),
            target: self.target.clone(),
            from: self.from,
            to: self.to,
        })
    }
}

/// One audit entry.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct AuditEntryDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub at: DateTime<Utc>,
    /// Who acted (none: nobody signed in, such as a reset by emailed link).
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    /// The client address.
    pub address: Option<String>,
    /// The request's id, as in the logs.
    pub request_id: Option<String>,
}

impl From<AuditEntry> for AuditEntryDto {
    fn from(e: AuditEntry) -> Self {
        Self {
            id: e.id.to_hex(),
            at: e.at,
            actor: e.actor.map(|a| a.to_hex()),
            action: e.action,
            target: e.target,
            address: e.address,
            request_id: e.request_id,
        }
    }
}

/// Read the audit log.
/// The audit log, newest first (admins): filters by actor, action or area, target and time.
#[api_operation(
    tag = "admin",
    summary = "Read the audit log",
    error_code = 400,
    error_code = 401,
    error_code = 403
)]
pub async fn list(
    audit: Port<dyn AuditApi>,
    auth: Auth,
    query: Query<AuditQuery>,
) -> Result<Json<ApiResponse<Paginated<AuditEntryDto>>>, ApiError> {
    let page = crate::http::page_request(query.page, query.limit, 20)?;
    let found = audit.list(auth.0.is_admin(), query.filter()?, page).await?;
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        found,
        Into::into,
    ))))
}

/// Registers `GET /admin/audit`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(crate::http::allowing(resource("/admin/audit"), "GET").route(get().to(list)));
}
