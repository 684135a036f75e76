//! Liveness and readiness.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Json};
use apistos::web::{get, resource, ServiceConfig};
use apistos::{api_operation, ApiComponent, JsonSchema};
use chrono::{DateTime, Utc};
use serde::Serialize;

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;

use crate::envelope::ApiResponse;
use crate::error::ApiError;
use crate::store::Store;

/// Readiness of the backing store.
#[async_trait]
pub trait HealthCheck: Send + Sync {
    /// Short store name.
    fn kind(&self) -> &'static str;
    /// Ok when the store answers.
    async fn ping(&self) -> anyhow::Result<()>;
    /// Whether the store's schema (indexes) is in place.
    fn is_prepared(&self) -> bool {
        true
    }
}

#[async_trait]
impl HealthCheck for Store {
    fn kind(&self) -> &'static str {
        Store::kind(self)
    }

    async fn ping(&self) -> anyhow::Result<()> {
        Store::ping(self).await
    }

    fn is_prepared(&self) -> bool {
        Store::is_prepared(self)
    }
}

/// What liveness and readiness report on: the store and the start time. Registered at the app's
/// level (the store gate middleware reads it too).
pub struct Health {
    pub store: Arc<dyn HealthCheck>,
    pub started: Instant,
}

impl Health {
    /// Started now, on `store`.
    pub fn new(store: Arc<dyn HealthCheck>) -> Self {
        Self {
            store,
            started: Instant::now(),
        }
    }
}

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

/// Liveness.
/// Liveness: the process is up.
#[api_operation(tag = "health", summary = "Liveness")]
pub async fn health(state: Data<Health>) -> Json<ApiResponse<HealthDto>> {
    Json(ApiResponse::ok(HealthDto {
        status: "ok".into(),
        timestamp: Utc::now(),
        uptime: state.started.elapsed().as_secs_f64(),
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}

/// Readiness.
/// Readiness: the store answers (503 otherwise).
#[api_operation(tag = "health", summary = "Readiness", error_code = 503)]
pub async fn ready(state: Data<Health>) -> Result<Json<ApiResponse<ReadyDto>>, ApiError> {
    state.store.ping().await.map_err(|e| ApiError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        ..ApiError::unavailable(&format!("{e:#}"))
    })?;
    Ok(Json(ApiResponse::ok(ReadyDto {
        status: "ready".into(),
        store: state.store.kind().into(),
    })))
}

/// `/health` and `/ready` at the root (outside `/api`).
pub fn configure_root(cfg: &mut ServiceConfig) {
    cfg.service(crate::http::allowing(resource("/health"), "GET").route(get().to(health)))
        .service(crate::http::allowing(resource("/ready"), "GET").route(get().to(ready)));
}

/// The same under `/api`.
pub fn configure_api(cfg: &mut ServiceConfig) {
    configure_root(cfg);
}
