//! Liveness and readiness.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Json};
use apistos::web::{get, resource, ServiceConfig};
use apistos::{api_operation, ApiComponent, JsonSchema};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::envelope::ApiResponse;
use crate::error::ApiError;
use crate::state::AppState;

/// Liveness facts.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct HealthDto {
    /// `ok` while the process serves requests.
    pub status: String,
    pub timestamp: DateTime<Utc>,
    /// Seconds since start.
    pub uptime: f64,
    pub version: String,
}

/// Readiness facts.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct ReadyDto {
    /// `ready` when the store answers.
    pub status: String,
    /// `sqlite` or `mongodb`.
    pub store: String,
}

/// Liveness: the process is up.
#[api_operation(tag = "health", summary = "Liveness")]
pub async fn health(state: Data<AppState>) -> Json<ApiResponse<HealthDto>> {
    Json(ApiResponse::ok(HealthDto {
        status: "ok".into(),
        timestamp: Utc::now(),
        uptime: state.started.elapsed().as_secs_f64(),
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}

/// Readiness: the store answers (503 otherwise).
#[api_operation(tag = "health", summary = "Readiness", error_code = 503)]
pub async fn ready(state: Data<AppState>) -> Result<Json<ApiResponse<ReadyDto>>, ApiError> {
    state.health.ping().await.map_err(|e| ApiError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        ..ApiError::unavailable(&format!("{e:#}"))
    })?;
    Ok(Json(ApiResponse::ok(ReadyDto {
        status: "ready".into(),
        store: state.health.kind().into(),
    })))
}

/// `/health` and `/ready` at the root (outside `/api`).
pub fn configure_root(cfg: &mut ServiceConfig) {
    cfg.service(crate::routes::allowing(resource("/health"), "GET").route(get().to(health)))
        .service(crate::routes::allowing(resource("/ready"), "GET").route(get().to(ready)));
}

/// The same under `/api`.
pub fn configure_api(cfg: &mut ServiceConfig) {
    configure_root(cfg);
}
