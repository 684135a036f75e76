//! The community context's one error type.

use stackrush_kernel::{FieldError, StoreError};

use crate::model::MentorshipStatus;

/// Everything a community operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CommunityError {
    /// Input breaks a rule; one entry per field.
    #[error("validation failed")]
    Invalid(Vec<FieldError>),
    /// No such live post.
    #[error("post not found")]
    PostNotFound,
    /// The challenge a post links to does not exist or is not public.
    #[error("challenge not found")]
    ChallengeNotFound,
    /// No such live comment (or its post is gone).
    #[error("comment not found")]
    CommentNotFound,
    /// Only the author (or, for deletions, a moderator or admin) may do this.
    #[error("not allowed")]
    Forbidden,
    /// Posting, commenting and reacting need an active account with a verified email.
    #[error("email not verified")]
    NotVerified,
    /// The post is closed to new comments.
    #[error("comments locked")]
    CommentsLocked,
    /// The reporter has an open report on this target already.
    #[error("already reported")]
    AlreadyReported,
    /// No such report.
    #[error("report not found")]
    ReportNotFound,
    /// The report was resolved already.
    #[error("report resolved")]
    ReportResolved,
    /// Too many posts or comments in the window; try again after this many seconds.
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    /// No such member.
    #[error("member not found")]
    MemberNotFound,
    /// No such collaboration request (or not the caller's to see).
    #[error("collaboration request not found")]
    CollaborationNotFound,
    /// The requester has a pending request on this post already.
    #[error("already requested")]
    AlreadyRequested,
    /// The request was answered already.
    #[error("already answered")]
    AlreadyAnswered,
    /// No such mentorship (or not the caller's to see).
    #[error("mentorship not found")]
    MentorshipNotFound,
    /// The pair has an open (pending or active) mentorship already.
    #[error("mentorship exists")]
    MentorshipExists,
    /// The mentorship cannot make that move from where it stands.
    #[error("mentorship is {}", .0.as_str())]
    MentorshipIs(MentorshipStatus),
    /// The store is unreachable.
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// A bug or unexpected failure.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl CommunityError {
    /// A single-field validation error.
    pub fn invalid(field: &str, message: &str) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }
}

impl From<StoreError> for CommunityError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(e) => Self::Unavailable(e),
            StoreError::Conflict { key } => {
                Self::Internal(anyhow::anyhow!("unexpected conflict on {key}"))
            }
            StoreError::Other(e) => Self::Internal(e),
        }
    }
}
