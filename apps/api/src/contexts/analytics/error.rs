//! How the analytics context's errors answer over HTTP: status, `code` and message.

use actix_web::http::StatusCode;
use stackrush_analytics::AnalyticsError;
use stackrush_identity::IdentityError;

use crate::error::ApiError;

impl From<AnalyticsError> for ApiError {
    fn from(err: AnalyticsError) -> Self {
        match err {
            AnalyticsError::Invalid(fields) => ApiError::validation(
                "VALIDATION_ERROR",
                "The request body is invalid",
                fields.into_iter().map(Into::into).collect(),
            ),
            // The same answers as identity's own routes give for the same account.
            AnalyticsError::UserNotFound => IdentityError::UserNotFound.into(),
            AnalyticsError::ProfilePrivate => IdentityError::ProfilePrivate.into(),
            AnalyticsError::StatsPrivate => IdentityError::StatsPrivate.into(),
            AnalyticsError::ActivityPrivate => ApiError::new(
                StatusCode::FORBIDDEN,
                "ACTIVITY_PRIVATE",
                "This user's activity is private",
            ),
            AnalyticsError::NotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "FOCUS_SESSION_NOT_FOUND",
                "No such focus session",
            ),
            AnalyticsError::SubmissionNotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "SUBMISSION_NOT_FOUND",
                "No such submission of yours",
            ),
            AnalyticsError::Forbidden => ApiError::new(
                StatusCode::FORBIDDEN,
                "INSUFFICIENT_PERMISSIONS",
                "Only admins may do this",
            ),
            AnalyticsError::Unavailable(cause) => ApiError::unavailable(&format!("{cause:#}")),
            AnalyticsError::Internal(cause) => ApiError::internal(&format!("{cause:#}")),
        }
    }
}
