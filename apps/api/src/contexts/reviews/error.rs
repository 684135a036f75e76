//! How the reviews context's errors answer over HTTP: status, `code` and message.

use actix_web::http::StatusCode;
use stackrush_reviews::ReviewError;

use crate::error::{ApiError, Detail};

impl From<ReviewError> for ApiError {
    fn from(err: ReviewError) -> Self {
        match err {
            ReviewError::Invalid(fields) => ApiError::validation(
                "VALIDATION_ERROR",
                "The request body is invalid",
                fields.into_iter().map(Into::into).collect(),
            ),
            ReviewError::ReviewNotFound => {
                ApiError::new(StatusCode::NOT_FOUND, "REVIEW_NOT_FOUND", "No such review")
            }
            ReviewError::ReplyNotFound => {
                ApiError::new(StatusCode::NOT_FOUND, "REPLY_NOT_FOUND", "No such reply")
            }
            ReviewError::ChallengeNotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "CHALLENGE_NOT_FOUND",
                "No such public challenge",
            ),
            ReviewError::MemberNotFound => {
                ApiError::new(StatusCode::NOT_FOUND, "USER_NOT_FOUND", "No such user")
            }
            ReviewError::Forbidden => ApiError::new(
                StatusCode::FORBIDDEN,
                "INSUFFICIENT_PERMISSIONS",
                "Only the author (or, to delete, a moderator or admin) may do this",
            ),
            ReviewError::NotAttempted => ApiError::new(
                StatusCode::FORBIDDEN,
                "CHALLENGE_NOT_ATTEMPTED",
                "Review a challenge once you have a scored submission of it",
            ),
            ReviewError::NotVerified => ApiError::new(
                StatusCode::FORBIDDEN,
                "EMAIL_NOT_VERIFIED",
                "Verify your email address before reviewing, replying or marking reviews",
            ),
            ReviewError::AlreadyReviewed => ApiError::new(
                StatusCode::CONFLICT,
                "ALREADY_REVIEWED",
                "You reviewed this challenge already; update that review instead",
            ),
            ReviewError::OwnContent => ApiError::new(
                StatusCode::FORBIDDEN,
                "OWN_CONTENT",
                "You cannot mark your own review or reply helpful",
            ),
            ReviewError::SubmissionNotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "SUBMISSION_NOT_FOUND",
                "No such submission of yours",
            ),
            ReviewError::CodeReviewNotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "CODE_REVIEW_NOT_FOUND",
                "No such code review",
            ),
            ReviewError::CommentNotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "COMMENT_NOT_FOUND",
                "No such comment on this code review",
            ),
            ReviewError::AlreadyRequested => ApiError::new(
                StatusCode::CONFLICT,
                "ALREADY_REQUESTED",
                "That submission is under review already",
            ),
            ReviewError::OwnSubmission => ApiError::new(
                StatusCode::FORBIDDEN,
                "OWN_SUBMISSION",
                "You cannot review your own submission",
            ),
            ReviewError::CodeReviewIs(status) => ApiError {
                details: vec![Detail {
                    field: "status".into(),
                    message: "the code review's current status".into(),
                    value: Some(status.as_str().into()),
                }],
                ..ApiError::new(
                    StatusCode::CONFLICT,
                    "INVALID_STATUS_TRANSITION",
                    format!(
                        "The code review is {} and cannot make that move",
                        status.as_str()
                    ),
                )
            },
            ReviewError::Unavailable(cause) => ApiError::unavailable(&format!("{cause:#}")),
            ReviewError::Internal(cause) => ApiError::internal(&format!("{cause:#}")),
        }
    }
}
