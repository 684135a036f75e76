//! The challenges context's one error type.

use stackrush_kernel::{FieldError, StoreError};

/// Everything a challenges operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ChallengeError {
    /// The input breaks one or more rules.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// No such challenge, or the caller may not see it.
    #[error("challenge not found")]
    NotFound,
    /// Another challenge already has this slug (title).
    #[error("a challenge with this slug exists")]
    SlugTaken,
    /// Only admins and moderators create challenges; only admins export and import them.
    #[error("insufficient permissions")]
    InsufficientPermissions,
    /// Only the author or an admin may change this challenge.
    #[error("not the author")]
    NotAuthor,
    /// The store is unreachable.
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// A bug or unexpected failure.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ChallengeError {
    /// A validation error about one field.
    pub fn invalid(field: &str, message: &str) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }
}

impl From<StoreError> for ChallengeError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict { key } if key == "slug" => Self::SlugTaken,
            StoreError::Conflict { key } => {
                Self::Internal(anyhow::anyhow!("unexpected conflict on {key}"))
            }
            StoreError::Unavailable(e) => Self::Unavailable(e),
            StoreError::Other(e) => Self::Internal(e),
        }
    }
}
