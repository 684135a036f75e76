//! How the community context's errors answer over HTTP: status, `code` and message.

use actix_web::http::StatusCode;
use stackrush_community::CommunityError;

use crate::error::ApiError;

impl From<CommunityError> for ApiError {
    fn from(err: CommunityError) -> Self {
        match err {
            CommunityError::Invalid(fields) => ApiError::validation(
                "VALIDATION_ERROR",
                "The request body is invalid",
                fields.into_iter().map(Into::into).collect(),
            ),
            CommunityError::PostNotFound => {
                ApiError::new(StatusCode::NOT_FOUND, "POST_NOT_FOUND", "No such post")
            }
            CommunityError::ChallengeNotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "CHALLENGE_NOT_FOUND",
                "codeSubmission.challengeId names no public challenge",
            ),
            CommunityError::CommentNotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "COMMENT_NOT_FOUND",
                "No such comment",
            ),
            CommunityError::Forbidden => ApiError::new(
                StatusCode::FORBIDDEN,
                "INSUFFICIENT_PERMISSIONS",
                "Only the author (or, to delete, a moderator or admin) may do this",
            ),
            CommunityError::NotVerified => ApiError::new(
                StatusCode::FORBIDDEN,
                "EMAIL_NOT_VERIFIED",
                "Verify your email address before posting, commenting or reacting",
            ),
            CommunityError::CommentsLocked => ApiError::new(
                StatusCode::FORBIDDEN,
                "COMMENTS_LOCKED",
                "A moderator closed this post to new comments",
            ),
            CommunityError::AlreadyReported => ApiError::new(
                StatusCode::CONFLICT,
                "ALREADY_REPORTED",
                "You have an open report on this already",
            ),
            CommunityError::ReportNotFound => {
                ApiError::new(StatusCode::NOT_FOUND, "REPORT_NOT_FOUND", "No such report")
            }
            CommunityError::ReportResolved => ApiError::new(
                StatusCode::CONFLICT,
                "REPORT_RESOLVED",
                "The report was resolved already",
            ),
            CommunityError::RateLimited { retry_after_secs } => ApiError {
                retry_after: Some(retry_after_secs),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "RATE_LIMITED",
                    "Too many posts or comments in the last hour; try again later",
                )
            },
            CommunityError::MemberNotFound => {
                ApiError::new(StatusCode::NOT_FOUND, "USER_NOT_FOUND", "No such user")
            }
            CommunityError::CollaborationNotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "COLLABORATION_NOT_FOUND",
                "No such collaboration request",
            ),
            CommunityError::AlreadyRequested => ApiError::new(
                StatusCode::CONFLICT,
                "ALREADY_REQUESTED",
                "You have a pending request on this post already",
            ),
            CommunityError::AlreadyAnswered => ApiError::new(
                StatusCode::CONFLICT,
                "ALREADY_ANSWERED",
                "The request was answered already",
            ),
            CommunityError::MentorshipNotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "MENTORSHIP_NOT_FOUND",
                "No such mentorship",
            ),
            CommunityError::MentorshipExists => ApiError::new(
                StatusCode::CONFLICT,
                "MENTORSHIP_EXISTS",
                "You have a pending or active mentorship with this member already",
            ),
            CommunityError::MentorshipIs(status) => ApiError::new(
                StatusCode::CONFLICT,
                "MENTORSHIP_CLOSED",
                format!(
                    "The mentorship is {} and cannot make that move",
                    status.as_str()
                ),
            ),
            CommunityError::Unavailable(cause) => ApiError::unavailable(&format!("{cause:#}")),
            CommunityError::Internal(cause) => ApiError::internal(&format!("{cause:#}")),
        }
    }
}
