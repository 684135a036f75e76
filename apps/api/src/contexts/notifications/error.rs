//! How the notifications context's errors answer over HTTP: status, `code` and message.

use actix_web::http::StatusCode;
use stackrush_notifications::NotificationError;

use crate::error::ApiError;

impl From<NotificationError> for ApiError {
    fn from(err: NotificationError) -> Self {
        match err {
            NotificationError::Invalid(fields) => ApiError::validation(
                "VALIDATION_ERROR",
                "The request body is invalid",
                fields.into_iter().map(Into::into).collect(),
            ),
            NotificationError::NotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "NOTIFICATION_NOT_FOUND",
                "No such notification",
            ),
            NotificationError::Forbidden => ApiError::new(
                StatusCode::FORBIDDEN,
                "INSUFFICIENT_PERMISSIONS",
                "Only admins may do this",
            ),
            NotificationError::Unavailable(cause) => ApiError::unavailable(&format!("{cause:#}")),
            NotificationError::Internal(cause) => ApiError::internal(&format!("{cause:#}")),
        }
    }
}
