//! Read models over several contexts: the client's dashboard, a user's stats and platform
//! figures.

pub mod dto;
mod routes;

use apistos::web::ServiceConfig;

/// `/users/dashboard`, `/users/stats` and `/users/{id}/stats`.
pub fn mount(cfg: &mut ServiceConfig) {
    routes::configure(cfg);
}
