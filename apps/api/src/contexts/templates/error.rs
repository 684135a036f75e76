//! How the templates context's errors answer over HTTP: status, `code` and message.

use actix_web::http::StatusCode;
use stackrush_templates::TemplateError;

use crate::error::{ApiError, Detail};

impl From<TemplateError> for ApiError {
    fn from(err: TemplateError) -> Self {
        match err {
            TemplateError::Invalid(fields) => ApiError::validation(
                "VALIDATION_ERROR",
                "The request body is invalid",
                fields.into_iter().map(Into::into).collect(),
            ),
            TemplateError::NotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "TEMPLATE_NOT_FOUND",
                "No such template",
            ),
            TemplateError::MemberNotFound => {
                ApiError::new(StatusCode::NOT_FOUND, "USER_NOT_FOUND", "No such user")
            }
            TemplateError::Forbidden => ApiError::new(
                StatusCode::FORBIDDEN,
                "INSUFFICIENT_PERMISSIONS",
                "Only the author (or, to delete, an admin) may do this",
            ),
            TemplateError::NotVerified => ApiError::new(
                StatusCode::FORBIDDEN,
                "EMAIL_NOT_VERIFIED",
                "Verify your email address before publishing or forking templates",
            ),
            TemplateError::ProjectNotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "PROJECT_NOT_FOUND",
                "No such project",
            ),
            TemplateError::VersionConflict { current } => ApiError {
                details: vec![Detail {
                    field: "version".into(),
                    message: "the project's current version".into(),
                    value: Some(current.into()),
                }],
                ..ApiError::new(
                    StatusCode::CONFLICT,
                    "VERSION_CONFLICT",
                    format!(
                        "The project was saved elsewhere since (now version {current}); \
                         reload it and apply your change again"
                    ),
                )
            },
            TemplateError::TooManyProjects => ApiError::new(
                StatusCode::CONFLICT,
                "PROJECT_LIMIT_REACHED",
                format!(
                    "You keep {} projects already; delete one first",
                    stackrush_templates::project_service::MAX_PROJECTS
                ),
            ),
            TemplateError::Busy => ApiError::new(
                StatusCode::CONFLICT,
                "TEMPLATE_BUSY",
                "The template kept changing while this update was applied; try again",
            ),
            TemplateError::Unavailable(cause) => ApiError::unavailable(&format!("{cause:#}")),
            TemplateError::Internal(cause) => ApiError::internal(&format!("{cause:#}")),
        }
    }
}
