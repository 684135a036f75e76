//! `GET /metrics`: the process's figures in the Prometheus text format, for bearers of
//! `METRICS_TOKEN` only (without it the route is off).
//!
//! Figures are recorded through the `metrics` facade (this crate and the adapters record;
//! nothing here knows who reads them) into one Prometheus recorder, installed for the process
//! when a token is configured (without one the facade's calls are no-ops):
//!
//! - `stackrush_http_requests_total{method,route,status}` and
//!   `stackrush_http_request_duration_seconds{method,route}` (a histogram), by route template
//!   (`/api/users/{id}`, never the concrete path; `unmatched` for unknown routes);
//! - `stackrush_store_errors_total` (requests answered 503 because the store failed) and
//!   `stackrush_internal_errors_total` (500s);
//! - `stackrush_rate_limited_total{limit}` (`global`, `credentials`);
//! - `stackrush_password_hash_queue_wait_seconds` (recorded by the bcrypt adapter).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::settings::Secret;

/// Request durations, in seconds: fine below 100 ms, where almost every request falls.
const LATENCY_BUCKETS: [f64; 14] = [
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Password-hash queue waits, in seconds.
const WAIT_BUCKETS: [f64; 9] = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 10.0];

static RECORDER: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's recorder, installed the first time (every server of the process, such as the
/// black-box tests' many, shares it). `None` when another recorder was installed first.
pub fn recorder() -> Option<&'static PrometheusHandle> {
    RECORDER
        .get_or_init(|| {
            let built = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("stackrush_http_request_duration_seconds".into()),
                    &LATENCY_BUCKETS,
                )
                .and_then(|b| {
                    b.set_buckets_for_metric(
                        Matcher::Full("stackrush_password_hash_queue_wait_seconds".into()),
                        &WAIT_BUCKETS,
                    )
                })
                .and_then(PrometheusBuilder::install_recorder);
            match built {
                Ok(handle) => {
                    let upkeep = handle.clone();
                    // The recorder's documented upkeep (drains histograms, bounds memory).
                    let spawned = std::thread::Builder::new()
                        .name("metrics-upkeep".into())
                        .spawn(move || loop {
                            std::thread::sleep(Duration::from_secs(5));
                            upkeep.run_upkeep();
                        });
                    if let Err(e) = spawned {
                        tracing::warn!(error = %e, "metrics upkeep thread not started");
                    }
                    Some(handle)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "metrics recorder not installed");
                    None
                }
            }
        })
        .as_ref()
}

/// Whether a recorder is installed (figures are worth computing).
pub fn enabled() -> bool {
    RECORDER.get().is_some_and(Option::is_some)
}

/// Records one answered request.
pub fn record_request(method: &str, route: &str, status: u16, elapsed: Duration) {
    let labels = [
        ("method", method.to_owned()),
        ("route", route.to_owned()),
        ("status", status.to_string()),
    ];
    metrics::counter!("stackrush_http_requests_total", &labels).increment(1);
    metrics::histogram!(
        "stackrush_http_request_duration_seconds",
        "method" => method.to_owned(),
        "route" => route.to_owned()
    )
    .record(elapsed.as_secs_f64());
}

/// Who may read `/metrics`: the SHA-256 of `METRICS_TOKEN` (compared digest to digest, so the
/// comparison's timing says nothing about the token).
#[derive(Clone)]
pub struct MetricsAccess(Arc<[u8; 32]>);

impl MetricsAccess {
    /// Access for bearers of `token`.
    pub fn new(token: &Secret) -> Self {
        Self(Arc::new(Sha256::digest(token.expose().as_bytes()).into()))
    }

    fn admits(&self, req: &HttpRequest) -> bool {
        let Some(token) = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return false;
        };
        let digest: [u8; 32] = Sha256::digest(token.trim().as_bytes()).into();
        digest == *self.0
    }
}

async fn metrics(
    req: HttpRequest,
    access: web::Data<MetricsAccess>,
) -> Result<HttpResponse, ApiError> {
    if !access.admits(&req) {
        return Err(ApiError::new(
            actix_web::http::StatusCode::UNAUTHORIZED,
            "INVALID_TOKEN",
            "Metrics are for bearers of the metrics token",
        ));
    }
    let Some(handle) = recorder() else {
        return Err(ApiError::internal(&"no metrics recorder is installed"));
    };
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(handle.render()))
}

/// Mounts `GET /metrics` when a token is configured.
pub fn configure(cfg: &mut web::ServiceConfig, access: Option<MetricsAccess>) {
    if let Some(access) = access {
        cfg.app_data(web::Data::new(access))
            .route("/metrics", web::get().to(metrics));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value_of(text: &str, metric: &str) -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(metric)?.trim().parse().ok())
            .unwrap_or(0.0)
    }

    #[test]
    fn store_failures_and_internal_errors_are_counted() {
        let handle = recorder().expect("the recorder installs");
        let before = handle.render();
        let _ = ApiError::unavailable(&"the store is down");
        let _ = ApiError::unavailable(&"the store is down");
        let _ = ApiError::internal(&"a bug");
        let after = handle.render();
        assert_eq!(
            value_of(&after, "stackrush_store_errors_total")
                - value_of(&before, "stackrush_store_errors_total"),
            2.0
        );
        assert_eq!(
            value_of(&after, "stackrush_internal_errors_total")
                - value_of(&before, "stackrush_internal_errors_total"),
            1.0
        );
        assert!(
            !after.contains("the store is down"),
            "causes are logged, not exported"
        );
    }
}
