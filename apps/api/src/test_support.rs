//! What handler tests share: the real app (routes and middleware) over only the contexts a test
//! mounts, usually mocks.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{test, web};
use async_trait::async_trait;
use serde_json::Value;

use crate::health::{Health, HealthCheck};
use crate::middleware::RateLimit;
use crate::settings::RateLimits;
use crate::startup::{app, HttpOptions, Mount};

/// A store that answers (or is down, with a secret in its error that must never be shown).
pub struct Healthy(pub bool);

#[async_trait]
impl HealthCheck for Healthy {
    fn kind(&self) -> &'static str {
        "test"
    }
    async fn ping(&self) -> anyhow::Result<()> {
        if self.0 {
            Ok(())
        } else {
            Err(anyhow::anyhow!(
                "connection refused to 10.1.2.3:27017 with password hunter2"
            ))
        }
    }
}

/// The shell's options with a 1 KiB body limit and `global_per_minute` requests per address.
pub fn options(global_per_minute: u32) -> HttpOptions {
    HttpOptions {
        cors_origins: vec!["http://localhost:5173".into()],
        body_limit: 1024,
        body_timeout: std::time::Duration::from_secs(5),
        rate_limit: web::Data::from(RateLimit::new(RateLimits {
            global_per_minute,
            auth_per_minute: 1000,
            trust_proxy: false,
        })),
        metrics: None,
        audit: None,
    }
}

/// The app with only what `mount` registers, on a store that is up or down.
pub async fn service(
    mount: impl Fn(&mut apistos::web::ServiceConfig) + Send + Sync + 'static,
    healthy: bool,
    global_per_minute: u32,
) -> impl actix_web::dev::Service<
    actix_http::Request,
    Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
    Error = actix_web::Error,
> {
    let mount: Mount = Arc::new(mount);
    let health = web::Data::new(Health::new(Arc::new(Healthy(healthy))));
    test::init_service(app(mount, health, options(global_per_minute))).await
}

/// One request to the app with only what `mount` registers: status and JSON body.
pub async fn call(
    mount: impl Fn(&mut apistos::web::ServiceConfig) + Send + Sync + 'static,
    req: test::TestRequest,
) -> (StatusCode, Value) {
    let service = service(mount, true, 1000).await;
    let response = test::call_service(&service, req.to_request()).await;
    let status = response.status();
    let body: Value = test::read_body_json(response).await;
    (status, body)
}
