//! How the learning context's errors answer over HTTP: status, `code` and message.

use actix_web::http::StatusCode;
use stackrush_learning::LearningError;

use crate::error::{ApiError, Detail};

impl From<LearningError> for ApiError {
    fn from(err: LearningError) -> Self {
        match err {
            LearningError::Invalid(fields) => ApiError::validation(
                "VALIDATION_ERROR",
                "The request body is invalid",
                fields.into_iter().map(Into::into).collect(),
            ),
            LearningError::PlaylistNotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "PLAYLIST_NOT_FOUND",
                "No such playlist",
            ),
            LearningError::LessonNotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "LESSON_NOT_FOUND",
                "No such lesson in this playlist",
            ),
            LearningError::PremiumRequired => ApiError::new(
                StatusCode::FORBIDDEN,
                "PREMIUM_REQUIRED",
                "Creating playlists is for premium members, moderators and admins",
            ),
            LearningError::PremiumContent => ApiError::new(
                StatusCode::FORBIDDEN,
                "PREMIUM_CONTENT",
                "This playlist is for premium members",
            ),
            LearningError::Forbidden => ApiError::new(
                StatusCode::FORBIDDEN,
                "INSUFFICIENT_PERMISSIONS",
                "Only the author (or, to delete, an admin) may do this",
            ),
            LearningError::NotEnrolled => ApiError::new(
                StatusCode::FORBIDDEN,
                "NOT_ENROLLED",
                "Enrol in the playlist first",
            ),
            LearningError::ChallengeNotSolved => ApiError::new(
                StatusCode::CONFLICT,
                "CHALLENGE_NOT_SOLVED",
                "A challenge lesson is completed by solving its challenge (a successful scored submission)",
            ),
            LearningError::CertificateNotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "CERTIFICATE_NOT_FOUND",
                "No such certificate",
            ),
            LearningError::AlreadyRevoked => ApiError::new(
                StatusCode::CONFLICT,
                "ALREADY_REVOKED",
                "The certificate was revoked before",
            ),
            LearningError::RevisionConflict { current } => ApiError {
                details: vec![Detail {
                    field: "revision".into(),
                    message: "the playlist's current revision".into(),
                    value: Some(current.into()),
                }],
                ..ApiError::new(
                    StatusCode::CONFLICT,
                    "REVISION_CONFLICT",
                    format!(
                        "The playlist was edited since (now revision {current}); reload it and \
                         apply your change again"
                    ),
                )
            },
            LearningError::Unavailable(cause) => ApiError::unavailable(&format!("{cause:#}")),
            LearningError::Internal(cause) => ApiError::internal(&format!("{cause:#}")),
        }
    }
}
