//! The one place where errors become HTTP: status, `code`, message and details.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use apistos::ApiErrorComponent;
use serde::Serialize;
use stackrush_kernel::FieldError;

/// One problem in the `details` array.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detail {
    pub field: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
}

impl From<FieldError> for Detail {
    fn from(e: FieldError) -> Self {
        Self {
            field: e.field,
            message: e.message,
            value: None,
        }
    }
}

/// An error response in the contract's shape. Rendered with the request path by the request
/// middleware (see [`crate::middleware`]). The statuses below are those handlers declare; the
/// ones the shell answers on every route (408, 413, 415, 429, 503) are added to the document
/// in one place, [`crate::openapi::add_shell_statuses`].
#[derive(Debug, Clone, ApiErrorComponent)]
#[expect(
    clippy::duplicated_attributes,
    reason = "apistos lists one status(...) per documented code"
)]
#[openapi_error(
    status(
        code = 400,
        description = "Invalid input (VALIDATION_ERROR, QUERY_VALIDATION_ERROR, PARAMS_VALIDATION_ERROR)"
    ),
    status(code = 401, description = "Missing, invalid or expired credentials"),
    status(code = 403, description = "Not allowed for this caller"),
    status(code = 404, description = "No such resource"),
    status(code = 409, description = "Conflicts with an existing resource"),
    status(code = 410, description = "The attempt has expired (ATTEMPT_EXPIRED)"),
    status(code = 503, description = "Store unavailable")
)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<Detail>,
    /// Seconds until the client may retry (429, locked accounts).
    pub retry_after: Option<u64>,
    /// The methods a route does declare (405).
    pub allow: Option<&'static str>,
}

/// The error as it travels inside a response, for the middleware to render.
#[derive(Debug, Clone)]
pub struct RenderedError(pub ApiError);

impl ApiError {
    /// An error with no details.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after: None,
            allow: None,
        }
    }

    /// A 400 of kind `code` with details.
    pub fn validation(
        code: &'static str,
        message: impl Into<String>,
        details: Vec<Detail>,
    ) -> Self {
        Self {
            details,
            ..Self::new(StatusCode::BAD_REQUEST, code, message)
        }
    }

    /// A 400 `VALIDATION_ERROR` naming one body field.
    pub fn invalid_body(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::one_field(
            "VALIDATION_ERROR",
            "The request body is invalid",
            field,
            message,
        )
    }

    /// A 400 `QUERY_VALIDATION_ERROR` naming one query parameter.
    pub fn invalid_query(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::one_field(
            "QUERY_VALIDATION_ERROR",
            "The query string is invalid",
            field,
            message,
        )
    }

    fn one_field(
        code: &'static str,
        summary: &str,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self::validation(
            code,
            summary,
            vec![Detail {
                field: field.into(),
                message: message.into(),
                value: None,
            }],
        )
    }

    /// 405 for a method `route` does not declare; `allow` lists those it does.
    pub fn method_not_allowed(allow: &'static str) -> Self {
        Self {
            allow: Some(allow),
            ..Self::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "This method is not allowed on this route",
            )
        }
    }

    /// 404 for an unknown route.
    pub fn route_not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", "No such route")
    }

    /// 500 whose cause is logged and never shown.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        metrics::counter!("stackrush_internal_errors_total").increment(1);
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            "Something went wrong on our side",
        )
    }

    /// 503 whose cause is logged and never shown.
    pub fn unavailable(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "store unavailable");
        metrics::counter!("stackrush_store_errors_total").increment(1);
        Self {
            retry_after: Some(5),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "SERVICE_UNAVAILABLE",
                "The service is temporarily unavailable; retry shortly",
            )
        }
    }

    /// The JSON body for a request to `path`.
    pub fn body(&self, path: &str) -> serde_json::Value {
        serde_json::json!({
            "success": false,
            "error": {
                "code": self.code,
                "message": self.message,
                "details": self.details,
                "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "path": path,
            }
        })
    }

    /// The finished response for a request to `path`.
    pub fn to_response(&self, path: &str) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status);
        builder.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
        if let Some(allow) = self.allow {
            builder.insert_header((header::ALLOW, allow));
        }
        if let Some(secs) = self.retry_after {
            builder.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        let mut response = builder.json(self.body(path));
        response
            .extensions_mut()
            .insert(RenderedError(self.clone()));
        response
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        // The path is filled in by the request middleware, which re-renders from the extension.
        self.to_response("")
    }
}
