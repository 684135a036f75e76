//! The learning context's one error type.

use stackrush_kernel::{FieldError, StoreError};

/// Everything a learning operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum LearningError {
    /// Input breaks a rule; one entry per field.
    #[error("validation failed")]
    Invalid(Vec<FieldError>),
    /// No such live playlist (deleted and unknown ones answer alike).
    #[error("playlist not found")]
    PlaylistNotFound,
    /// No such lesson in this playlist.
    #[error("lesson not found")]
    LessonNotFound,
    /// Creating playlists is for premium members, moderators and admins.
    #[error("premium required")]
    PremiumRequired,
    /// A premium playlist's lessons are for premium members and the enrolled.
    #[error("premium content")]
    PremiumContent,
    /// Only the author (or, to delete, an admin) may do this.
    #[error("not allowed")]
    Forbidden,
    /// The caller is not (actively) enrolled in the playlist.
    #[error("not enrolled")]
    NotEnrolled,
    /// A challenge lesson counts as completed only after a successful scored submission.
    #[error("challenge not solved")]
    ChallengeNotSolved,
    /// No such certificate.
    #[error("certificate not found")]
    CertificateNotFound,
    /// The certificate was revoked before (the first revocation stays).
    #[error("certificate already revoked")]
    AlreadyRevoked,
    /// The playlist was edited since the revision the change was based on.
    #[error("revision conflict")]
    RevisionConflict { current: u32 },
    /// The store or another context is unreachable.
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// A bug or unexpected failure.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl LearningError {
    /// A single-field validation error.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }
}

impl From<StoreError> for LearningError {
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
