//! The identity context's one error type.

use stackrush_kernel::{FieldError, StoreError};

/// Everything an identity operation can fail with. The web app maps each variant to a status and
/// a code in one exhaustive `match`.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// The input breaks one or more rules; one entry per problem.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// Another account already uses this email.
    #[error("email already registered")]
    EmailExists,
    /// Another account already uses this username.
    #[error("username already taken")]
    UsernameExists,
    /// Unknown account or wrong password; deliberately indistinguishable.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many failed logins; the account refuses logins until `retry_after_secs` have passed.
    #[error("account locked")]
    AccountLocked {
        /// Seconds until the lock lifts.
        retry_after_secs: u64,
    },
    /// The access token is malformed, forged, of the wrong kind or superseded.
    #[error("invalid token")]
    InvalidToken,
    /// The access token has expired.
    #[error("token expired")]
    TokenExpired,
    /// The token is valid but its user is gone or deactivated.
    #[error("user no longer valid")]
    InvalidUser,
    /// The refresh token is unknown, revoked or was already used.
    #[error("invalid refresh token")]
    InvalidRefreshToken,
    /// The refresh token has expired.
    #[error("refresh token expired")]
    RefreshTokenExpired,
    /// An email-verification or password-reset token is unknown, used or expired.
    #[error("invalid or expired link token")]
    InvalidLinkToken,
    /// The current password given to confirm a change is wrong.
    #[error("current password is incorrect")]
    WrongPassword,
    /// No such (active) user.
    #[error("user not found")]
    UserNotFound,
    /// The user's profile is private.
    #[error("profile is private")]
    ProfilePrivate,
    /// The user hides their statistics.
    #[error("stats are private")]
    StatsPrivate,
    /// The caller's roles do not allow this.
    #[error("insufficient permissions")]
    InsufficientPermissions,
    /// The store is unreachable; retry later.
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// A bug or an unexpected failure; details are logged, never shown.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl IdentityError {
    /// A validation error about one field.
    pub fn invalid(field: &str, message: &str) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }
}

impl From<StoreError> for IdentityError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict { key } if key == "email" => Self::EmailExists,
            StoreError::Conflict { key } if key == "username" => Self::UsernameExists,
            StoreError::Conflict { key } => {
                Self::Internal(anyhow::anyhow!("unexpected unique-key conflict on {key}"))
            }
            StoreError::Unavailable(e) => Self::Unavailable(e),
            StoreError::Other(e) => Self::Internal(e),
        }
    }
}
