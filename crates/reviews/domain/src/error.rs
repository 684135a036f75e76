//! The reviews context's one error type.

use stackrush_kernel::{FieldError, StoreError};

use crate::code::CodeReviewStatus;

/// Everything a reviews operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// Input breaks a rule; one entry per field.
    #[error("validation failed")]
    Invalid(Vec<FieldError>),
    /// No such live review.
    #[error("review not found")]
    ReviewNotFound,
    /// No such reply (or its review is gone).
    #[error("reply not found")]
    ReplyNotFound,
    /// No such public challenge.
    #[error("challenge not found")]
    ChallengeNotFound,
    /// No such member.
    #[error("member not found")]
    MemberNotFound,
    /// Only the author (or, to delete, a moderator or admin) may do this.
    #[error("not allowed")]
    Forbidden,
    /// Reviewing needs a scored submission of the challenge.
    #[error("not attempted")]
    NotAttempted,
    /// Reviewing, replying and marking need an active account with a verified email.
    #[error("email not verified")]
    NotVerified,
    /// The member has a live review of this challenge already.
    #[error("already reviewed")]
    AlreadyReviewed,
    /// Marking one's own review or reply helpful.
    #[error("own content")]
    OwnContent,
    /// No such submission of the caller's.
    #[error("submission not found")]
    SubmissionNotFound,
    /// No such code review (or not the caller's to see).
    #[error("code review not found")]
    CodeReviewNotFound,
    /// No such comment on that code review.
    #[error("comment not found")]
    CommentNotFound,
    /// The submission is under review already.
    #[error("already requested")]
    AlreadyRequested,
    /// Reviewing one's own submission.
    #[error("own submission")]
    OwnSubmission,
    /// The code review cannot make that move from where it stands.
    #[error("code review is {}", .0.as_str())]
    CodeReviewIs(CodeReviewStatus),
    /// The store or another context is unreachable.
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// A bug or unexpected failure.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ReviewError {
    /// A single-field validation error.
    pub fn invalid(field: &str, message: &str) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }
}

impl From<StoreError> for ReviewError {
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
