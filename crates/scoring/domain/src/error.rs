//! The scoring context's one error type.

use stackrush_kernel::StoreError;

/// Everything a scoring operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ScoringError {
    /// No such challenge, or the player may not see it.
    #[error("challenge not found")]
    ChallengeNotFound,
    /// The store is unreachable.
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// A bug or unexpected failure.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl From<StoreError> for ScoringError {
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
