//! The templates context's one error type.

use stackrush_kernel::{FieldError, StoreError};

/// Everything a templates operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// Input breaks a rule; one entry per field.
    #[error("validation failed")]
    Invalid(Vec<FieldError>),
    /// No such template the caller may see (deleted, private to someone else, or unknown:
    /// the three answer alike).
    #[error("template not found")]
    NotFound,
    /// No such member.
    #[error("member not found")]
    MemberNotFound,
    /// Only the author (or, to delete, an admin) may do this.
    #[error("not allowed")]
    Forbidden,
    /// Publishing needs an active account with a verified email.
    #[error("email not verified")]
    NotVerified,
    /// No such live project of the caller's (or no project shared under that link).
    #[error("project not found")]
    ProjectNotFound,
    /// The change was based on an older version than the stored one.
    #[error("version conflict")]
    VersionConflict { current: u32 },
    /// The member keeps the most projects allowed.
    #[error("too many projects")]
    TooManyProjects,
    /// The template changed under a concurrent update, again and again.
    #[error("template busy")]
    Busy,
    /// The store or another context is unreachable.
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// A bug or unexpected failure.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl TemplateError {
    /// A single-field validation error.
    pub fn invalid(field: &str, message: &str) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }
}

impl From<StoreError> for TemplateError {
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
