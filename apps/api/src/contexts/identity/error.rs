//! How the identity context's errors answer over HTTP: status, `code` and message.

use actix_web::http::StatusCode;
use stackrush_identity::IdentityError;

use crate::error::{ApiError, Detail};

impl From<IdentityError> for ApiError {
    fn from(err: IdentityError) -> Self {
        use IdentityError as E;
        let s = |status, code, message: &str| ApiError::new(status, code, message);
        // Exhaustive on purpose: a new variant must be given its status and code here.
        match err {
            E::Validation(details) => ApiError::validation(
                "VALIDATION_ERROR",
                "The request is invalid",
                details.into_iter().map(Detail::from).collect(),
            ),
            E::EmailExists => s(
                StatusCode::CONFLICT,
                "EMAIL_EXISTS",
                "An account with this email already exists",
            ),
            E::UsernameExists => s(
                StatusCode::CONFLICT,
                "USERNAME_EXISTS",
                "This username is taken",
            ),
            E::InvalidCredentials => s(
                StatusCode::UNAUTHORIZED,
                "INVALID_CREDENTIALS",
                "Invalid email/username or password",
            ),
            E::AccountLocked { retry_after_secs } => ApiError {
                retry_after: Some(retry_after_secs),
                ..s(
                    StatusCode::UNAUTHORIZED,
                    "ACCOUNT_LOCKED",
                    "Too many failed logins with this name from your address; try again after Retry-After seconds",
                )
            },
            E::InvalidToken => s(
                StatusCode::UNAUTHORIZED,
                "INVALID_TOKEN",
                "The access token is invalid",
            ),
            E::TokenExpired => s(
                StatusCode::UNAUTHORIZED,
                "TOKEN_EXPIRED",
                "The access token has expired",
            ),
            E::InvalidUser => s(
                StatusCode::UNAUTHORIZED,
                "INVALID_USER",
                "The account no longer exists or is inactive",
            ),
            E::InvalidRefreshToken => s(
                StatusCode::UNAUTHORIZED,
                "INVALID_REFRESH_TOKEN",
                "The refresh token is invalid",
            ),
            E::RefreshTokenExpired => s(
                StatusCode::UNAUTHORIZED,
                "REFRESH_TOKEN_EXPIRED",
                "The refresh token has expired",
            ),
            // The link names a pending action that does not exist (any more).
            E::InvalidLinkToken => s(
                StatusCode::NOT_FOUND,
                "INVALID_OR_EXPIRED_TOKEN",
                "This link is invalid or has expired",
            ),
            // Not 401: the caller is signed in, and a 401 would make the client refresh and retry.
            E::WrongPassword => ApiError {
                details: vec![Detail {
                    field: "currentPassword".into(),
                    message: "is incorrect".into(),
                    value: None,
                }],
                ..s(
                    StatusCode::FORBIDDEN,
                    "INVALID_CURRENT_PASSWORD",
                    "The current password is incorrect",
                )
            },
            E::UserNotFound => s(StatusCode::NOT_FOUND, "USER_NOT_FOUND", "No such user"),
            E::ProfilePrivate => s(
                StatusCode::FORBIDDEN,
                "PROFILE_PRIVATE",
                "This profile is private",
            ),
            E::StatsPrivate => s(
                StatusCode::FORBIDDEN,
                "STATS_PRIVATE",
                "This user's statistics are private",
            ),
            E::InsufficientPermissions => s(
                StatusCode::FORBIDDEN,
                "INSUFFICIENT_PERMISSIONS",
                "You do not have permission to do this",
            ),
            E::Unavailable(cause) => ApiError::unavailable(&format!("{cause:#}")),
            E::Internal(cause) => ApiError::internal(&format!("{cause:#}")),
        }
    }
}
