//! Authentication routes.

use actix_web::web::{Json, Query};
use actix_web::{HttpMessage, HttpRequest};
use apistos::actix::CreatedJson;
use apistos::api_operation;
use apistos::web::{get, post, resource, ServiceConfig};

use super::dto::*;
use crate::auth::{Auth, Authenticated};
use crate::download::HtmlPage;
use crate::envelope::{ApiResponse, Empty};
use crate::error::ApiError;
use crate::http::Port;
use crate::http::{Body, ClientAddress};
use stackrush_identity::IdentityApi;

type Reply<T> = Result<Json<ApiResponse<T>>, ApiError>;

/// Register.
/// Create an account. It does not sign in; a verification link is mailed.
#[api_operation(tag = "auth", summary = "Register", error_code = 400, error_code = 409)]
pub async fn register(
    identity: Port<dyn IdentityApi>,
    body: Body<RegisterRequest>,
) -> Result<CreatedJson<ApiResponse<RegisteredDto>>, ApiError> {
    let user = identity.register(body.into_inner().into()).await?;
    let data = RegisteredDto {
        user: UserDto::own(user),
    };
    Ok(CreatedJson(ApiResponse::with_message(
        data,
        "Account created; check your email to verify it",
    )))
}

/// Log in.
/// Sign in with an email or username and a password.
#[api_operation(tag = "auth", summary = "Log in", error_code = 400, error_code = 401)]
pub async fn login(
    identity: Port<dyn IdentityApi>,
    address: ClientAddress,
    req: HttpRequest,
    body: Body<LoginRequest>,
) -> Reply<SessionDto> {
    let LoginRequest {
        identifier,
        password,
    } = body.into_inner();
    let (user, tokens) = identity.login(identifier, password, address.0).await?;
    // Who signed in, for the audit trail (sign-ins from a new address are recorded).
    req.extensions_mut().insert(Authenticated(user.id));
    Ok(Json(ApiResponse::ok(SessionDto::new(user, tokens))))
}

/// Refresh tokens.
/// Trade a refresh token for a new pair (the old one is spent).
#[api_operation(
    tag = "auth",
    summary = "Refresh tokens",
    error_code = 400,
    error_code = 401
)]
pub async fn refresh(
    identity: Port<dyn IdentityApi>,
    body: Body<RefreshRequest>,
) -> Reply<SessionDto> {
    let (user, tokens) = identity.refresh(body.into_inner().refresh_token).await?;
    Ok(Json(ApiResponse::ok(SessionDto::new(user, tokens))))
}

/// Log out.
/// Sign out: revokes the refresh token's session and every outstanding access token.
#[api_operation(tag = "auth", summary = "Log out", error_code = 400, error_code = 401)]
pub async fn logout(
    identity: Port<dyn IdentityApi>,
    auth: Auth,
    body: Body<LogoutRequest>,
) -> Reply<Empty> {
    identity
        .logout(auth.0, body.into_inner().refresh_token)
        .await?;
    Ok(Json(ApiResponse::with_message(Empty {}, "Signed out")))
}

/// Forgot password.
/// Mail a password-reset link; the answer is the same whether or not the address is known.
#[api_operation(tag = "auth", summary = "Forgot password", error_code = 400)]
pub async fn forgot_password(
    identity: Port<dyn IdentityApi>,
    body: Body<ForgotPasswordRequest>,
) -> Reply<Empty> {
    identity.forgot_password(body.into_inner().email).await?;
    Ok(Json(ApiResponse::with_message(
        Empty {},
        "If the address belongs to an account, a reset link is on its way",
    )))
}

/// Reset password.
/// Set a new password with the emailed token; signs out everywhere.
#[api_operation(
    tag = "auth",
    summary = "Reset password",
    error_code = 400,
    error_code = 404
)]
pub async fn reset_password(
    identity: Port<dyn IdentityApi>,
    body: Body<ResetPasswordRequest>,
) -> Reply<Empty> {
    let ResetPasswordRequest { token, password } = body.into_inner();
    identity.reset_password(token, password).await?;
    Ok(Json(ApiResponse::with_message(
        Empty {},
        "Password changed; sign in again",
    )))
}

/// Verify email.
/// Confirm the email address with the emailed token.
#[api_operation(
    tag = "auth",
    summary = "Verify email",
    error_code = 400,
    error_code = 404
)]
pub async fn verify_email(
    identity: Port<dyn IdentityApi>,
    body: Body<VerifyEmailRequest>,
) -> Reply<Empty> {
    identity.verify_email(body.into_inner().token).await?;
    Ok(Json(ApiResponse::with_message(Empty {}, "Email verified")))
}

/// Confirm unsubscribing from emails.
/// The page an unsubscribe link in an email opens: it asks to confirm (mail scanners follow
/// links; only the confirming POST switches email off). No sign-in needed: the link's token is
/// signed for the account.
#[api_operation(
    tag = "auth",
    summary = "Confirm unsubscribing from emails",
    error_code = 400,
    error_code = 404
)]
pub async fn unsubscribe_page(
    identity: Port<dyn IdentityApi>,
    query: Query<UnsubscribeQuery>,
) -> Result<HtmlPage, ApiError> {
    let token = query.into_inner().token;
    identity.check_unsubscribe(token.clone()).await?;
    let action = format!("?token={}", percent_encode(&token));
    Ok(HtmlPage {
        title: "Unsubscribe",
        body: format!(
            "<p>Stop all StackRush emails (milestones and weekly summaries)? Notifications in the app stay as they are.</p>\n<form method=\"post\" action=\"{}\"><button type=\"submit\">Unsubscribe</button></form>",
            stackrush_kernel::text::escape_markup(&action)
        ),
    })
}

/// Unsubscribe from emails.
/// Switches the account's emails off (the `notifications.email` preference): the confirming
/// form, or a mail client's one-click `List-Unsubscribe-Post` (RFC 8058). Idempotent; no
/// sign-in needed.
#[api_operation(
    tag = "auth",
    summary = "Unsubscribe from emails",
    error_code = 400,
    error_code = 404
)]
pub async fn unsubscribe(
    identity: Port<dyn IdentityApi>,
    query: Query<UnsubscribeQuery>,
) -> Result<HtmlPage, ApiError> {
    identity.unsubscribe(query.into_inner().token).await?;
    Ok(HtmlPage {
        title: "Unsubscribed",
        body: "<p>You will get no more StackRush emails. You can switch them on again in your notification settings.</p>".to_owned(),
    })
}

/// `text` with everything but unreserved URL characters percent-encoded.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Change password.
/// Change the password; every other session is signed out and this one gets a fresh pair.
#[api_operation(
    tag = "auth",
    summary = "Change password",
    error_code = 400,
    error_code = 401,
    error_code = 403
)]
pub async fn change_password(
    identity: Port<dyn IdentityApi>,
    auth: Auth,
    body: Body<ChangePasswordRequest>,
) -> Reply<TokensOnlyDto> {
    let ChangePasswordRequest {
        current_password,
        new_password,
    } = body.into_inner();
    let tokens = identity
        .change_password(auth.0, current_password, new_password)
        .await?;
    Ok(Json(ApiResponse::with_message(
        TokensOnlyDto {
            tokens: tokens.into(),
        },
        "Password changed",
    )))
}

/// `/auth/*`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        crate::http::allowing(resource("/auth/register"), "POST").route(post().to(register)),
    )
    .service(crate::http::allowing(resource("/auth/login"), "POST").route(post().to(login)))
    .service(crate::http::allowing(resource("/auth/refresh"), "POST").route(post().to(refresh)))
    .service(crate::http::allowing(resource("/auth/logout"), "POST").route(post().to(logout)))
    .service(
        crate::http::allowing(resource("/auth/forgot-password"), "POST")
            .route(post().to(forgot_password)),
    )
    .service(
        crate::http::allowing(resource("/auth/reset-password"), "POST")
            .route(post().to(reset_password)),
    )
    .service(
        crate::http::allowing(resource("/auth/verify-email"), "POST")
            .route(post().to(verify_email)),
    )
    .service(
        crate::http::allowing(resource("/auth/change-password"), "POST")
            .route(post().to(change_password)),
    )
    .service(
        crate::http::allowing(resource("/auth/unsubscribe"), "GET, POST")
            .route(get().to(unsubscribe_page))
            .route(post().to(unsubscribe)),
    );
}
