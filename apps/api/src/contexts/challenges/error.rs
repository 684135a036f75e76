//! How the challenges context's errors answer over HTTP: status, `code` and message.

use actix_web::http::StatusCode;
use stackrush_challenges::ChallengeError;

use crate::error::{ApiError, Detail};

impl From<ChallengeError> for ApiError {
    fn from(err: ChallengeError) -> Self {
        use ChallengeError as E;
        match err {
            E::Validation(details) => ApiError::validation(
                "VALIDATION_ERROR",
                "The request is invalid",
                details.into_iter().map(Detail::from).collect(),
            ),
            E::NotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "CHALLENGE_NOT_FOUND",
                "No such challenge",
            ),
            E::SlugTaken => ApiError::new(
                StatusCode::CONFLICT,
                "CHALLENGE_EXISTS",
                "A challenge with this title already exists",
            ),
            E::InsufficientPermissions => ApiError::new(
                StatusCode::FORBIDDEN,
                "INSUFFICIENT_PERMISSIONS",
                "Your role does not allow this: admins and moderators create challenges, admins import them",
            ),
            E::NotAuthor => ApiError::new(
                StatusCode::FORBIDDEN,
                "NOT_AUTHORIZED",
                "Only the author or an admin may change this challenge",
            ),
            E::Unavailable(cause) => ApiError::unavailable(&format!("{cause:#}")),
            E::Internal(cause) => ApiError::internal(&format!("{cause:#}")),
        }
    }
}
