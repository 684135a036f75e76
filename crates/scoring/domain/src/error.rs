//! The scoring context's one error type.

use stackrush_kernel::{FieldError, StoreError};

/// Everything a scoring operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ScoringError {
    /// Input breaks a rule; one entry per field.
    #[error("validation failed")]
    Invalid(Vec<FieldError>),
    /// No such challenge, or the player may not see it.
    #[error("challenge not found")]
    ChallengeNotFound,
    /// No such submission, or the caller may not see it.
    #[error("submission not found")]
    SubmissionNotFound,
    /// No such attempt, or it belongs to someone else or another challenge.
    #[error("attempt not found")]
    AttemptNotFound,
    /// The attempt's nonce does not match.
    #[error("attempt nonce does not match")]
    AttemptMismatch,
    /// Results arrived after the attempt's time limit and grace.
    #[error("attempt expired")]
    AttemptExpired,
    /// The submission was scored already; nothing was awarded again.
    #[error("submission already scored")]
    AlreadyScored,
    /// No such achievement.
    #[error("achievement not found")]
    AchievementNotFound,
    /// An achievement with this key exists.
    #[error("achievement exists")]
    AchievementExists,
    /// The caller may see this but not do it.
    #[error("forbidden")]
    Forbidden,
    /// The player's progress kept changing under concurrent writes; try again.
    #[error("busy")]
    Busy,
    /// The store is unreachable.
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// No such player.
    #[error("player not found")]
    PlayerNotFound,
    /// The player's profile is private.
    #[error("profile private")]
    ProfilePrivate,
    /// The player's stats are private.
    #[error("stats private")]
    StatsPrivate,
    /// A bug or unexpected failure.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ScoringError {
    /// A single-field validation error.
    pub fn invalid(field: &str, message: &str) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }
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
