//! The REST endpoints, one module per context, each exposing `configure`.

pub mod auth;
pub mod boards;
pub mod challenges;
pub mod dashboard;
pub mod focus;
pub mod health;
pub mod notifications;
pub mod scoring;
pub mod submissions;
pub mod upcoming;
pub mod users;

use apistos::web::ServiceConfig;

/// Everything under `/api`.
pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.configure(health::configure_api)
        .configure(auth::configure)
        .configure(boards::configure_early)
        .configure(dashboard::configure_early)
        .configure(users::configure)
        .configure(challenges::configure)
        .configure(scoring::configure)
        .configure(submissions::configure)
        .configure(boards::configure)
        .configure(notifications::configure)
        .configure(upcoming::configure)
        .configure(focus::configure)
        .configure(dashboard::configure);
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

/// A 400 `QUERY_VALIDATION_ERROR` when a query value is longer than its documented maximum.
pub fn max_chars(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<(), crate::error::ApiError> {
    match value {
        Some(v) if v.chars().count() > max => Err(crate::error::ApiError::invalid_query(
            field,
            format!("must be at most {max} characters"),
        )),
        _ => Ok(()),
    }
}

/// `resource` answering a JSON 405 with an accurate `Allow` header for every method it does not
/// declare (actix's own 405 names none).
pub fn allowing(resource: apistos::web::Resource, allow: &'static str) -> apistos::web::Resource {
    resource.default_service(actix_web::web::to(move || async move {
        Err::<actix_web::HttpResponse, _>(crate::error::ApiError::method_not_allowed(allow))
    }))
}
