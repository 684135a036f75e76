//! The analytics context's one error type.

use stackrush_kernel::{FieldError, StoreError};

/// Everything an analytics operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    /// Input breaks a rule; one entry per field.
    #[error("validation failed")]
    Invalid(Vec<FieldError>),
    /// No such focus session of this user.
    #[error("focus session not found")]
    NotFound,
    /// The linked submission does not exist or is someone else's.
    #[error("submission not found")]
    SubmissionNotFound,
    /// No such user (or one the viewer may not know of).
    #[error("user not found")]
    UserNotFound,
    /// The user's profile is private to this viewer.
    #[error("profile is private")]
    ProfilePrivate,
    /// The user's stats are private to this viewer.
    #[error("stats are private")]
    StatsPrivate,
    /// The user's activity is private to this viewer.
    #[error("activity is private")]
    ActivityPrivate,
    /// Only admins may do this.
    #[error("not allowed")]
    Forbidden,
    /// The store is unreachable.
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// A bug or unexpected failure.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl From<StoreError> for AnalyticsError {
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
