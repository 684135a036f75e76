//! How the scoring context's errors answer over HTTP: status, `code` and message.

use actix_web::http::StatusCode;
use stackrush_scoring::ScoringError;

use crate::error::ApiError;

impl From<ScoringError> for ApiError {
    fn from(err: ScoringError) -> Self {
        match err {
            ScoringError::Invalid(fields) => ApiError::validation(
                "VALIDATION_ERROR",
                "The request body is invalid",
                fields.into_iter().map(Into::into).collect(),
            ),
            ScoringError::ChallengeNotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "CHALLENGE_NOT_FOUND",
                "No such challenge",
            ),
            ScoringError::SubmissionNotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "SUBMISSION_NOT_FOUND",
                "No such submission",
            ),
            ScoringError::AttemptNotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "ATTEMPT_NOT_FOUND",
                "No such attempt for this challenge",
            ),
            ScoringError::AttemptMismatch => ApiError::new(
                StatusCode::FORBIDDEN,
                "ATTEMPT_MISMATCH",
                "The attempt nonce does not match",
            ),
            ScoringError::AttemptExpired => ApiError::new(
                StatusCode::GONE,
                "ATTEMPT_EXPIRED",
                "The attempt's time limit has passed",
            ),
            ScoringError::AlreadyScored => ApiError::new(
                StatusCode::CONFLICT,
                "ALREADY_SCORED",
                "This submission has been scored already",
            ),
            ScoringError::AchievementNotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "ACHIEVEMENT_NOT_FOUND",
                "No such achievement",
            ),
            ScoringError::AchievementExists => ApiError::new(
                StatusCode::CONFLICT,
                "ACHIEVEMENT_EXISTS",
                "An achievement with this key exists",
            ),
            ScoringError::Forbidden => {
                ApiError::new(StatusCode::FORBIDDEN, "FORBIDDEN", "You may not do this")
            }
            ScoringError::Busy => ApiError::unavailable(&"scoring kept conflicting"),
            ScoringError::Unavailable(cause) => ApiError::unavailable(&format!("{cause:#}")),
            ScoringError::PlayerNotFound => {
                ApiError::new(StatusCode::NOT_FOUND, "USER_NOT_FOUND", "No such user")
            }
            ScoringError::ProfilePrivate => ApiError::new(
                StatusCode::FORBIDDEN,
                "PROFILE_PRIVATE",
                "This profile is private",
            ),
            ScoringError::StatsPrivate => ApiError::new(
                StatusCode::FORBIDDEN,
                "STATS_PRIVATE",
                "This user's statistics are private",
            ),
            ScoringError::Internal(cause) => ApiError::internal(&format!("{cause:#}")),
        }
    }
}
