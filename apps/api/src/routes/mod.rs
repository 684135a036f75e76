//! The REST endpoints, one module per context, each exposing `configure`.

pub mod auth;
pub mod health;
pub mod users;

use apistos::web::ServiceConfig;

/// Everything under `/api`.
pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.configure(health::configure_api)
        .configure(auth::configure)
        .configure(users::configure);
}
