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

/// A Rust field path as the JSON client spells it: `profile.first_name[0]` becomes
/// `profile.firstName[0]`.
pub fn json_field_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut upper = false;
    for c in path.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::json_field_path;

    #[test]
    fn field_paths_become_camel_case() {
        assert_eq!(json_field_path("profile.first_name"), "profile.firstName");
        assert_eq!(
            json_field_path("code.test_cases[2].expected_output"),
            "code.testCases[2].expectedOutput"
        );
        assert_eq!(json_field_path("email"), "email");
    }
}
