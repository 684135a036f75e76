//! Errors shared across contexts.

/// What a store adapter reports when an operation fails.
///
/// Adapters translate their driver's errors into these variants; no driver type crosses a port.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint was violated; `key` names the logical field (for example `email`).
    #[error("duplicate value for unique key `{key}`")]
    Conflict {
        /// The logical name of the unique key that was violated.
        key: String,
    },
    /// The store could not be reached or timed out; the operation may be retried later.
    #[error("store unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// Anything else: a bug, corrupt data, an unexpected driver error.
    #[error("store error")]
    Other(#[source] anyhow::Error),
}

impl StoreError {
    /// A conflict on the unique key `key`.
    pub fn conflict(key: impl Into<String>) -> Self {
        Self::Conflict { key: key.into() }
    }
}

/// One problem with one field of an input, reported to the client as one `details` entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// Dotted path of the field, e.g. `profile.bio`.
    pub field: String,
    /// Human-readable description of the problem.
    pub message: String,
}

impl FieldError {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}
