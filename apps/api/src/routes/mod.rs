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

/// A page request from query values, or a 400 `QUERY_VALIDATION_ERROR` naming the parameter.
pub fn page_request(
    page: Option<u32>,
    limit: Option<u32>,
    default_limit: u32,
) -> Result<stackrush_kernel::PageRequest, crate::error::ApiError> {
    stackrush_kernel::PageRequest::checked(page, limit, default_limit).map_err(|problems| {
        crate::error::ApiError::validation(
            "QUERY_VALIDATION_ERROR",
            "The query string is invalid",
            problems.into_iter().map(Into::into).collect(),
        )
    })
}

#[cfg(test)]
mod tests;
