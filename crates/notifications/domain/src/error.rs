//! The notifications context's one error type.

use stackrush_kernel::{FieldError, StoreError};

/// Everything a notifications operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum NotificationError {
    /// Input breaks a rule; one entry per field.
    #[error("validation failed")]
    Invalid(Vec<FieldError>),
    /// No such notification for this recipient.
    #[error("notification not found")]
    NotFound,
    /// Admins only.
    #[error("forbidden")]
    Forbidden,
    /// The store is unreachable.
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// A bug or unexpected failure.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl From<StoreError> for NotificationError {
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
