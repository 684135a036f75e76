//! User routes. Fixed paths are registered before `/users/{id}` so they win.

use actix_web::web::{Json, Path, Query};
use apistos::api_operation;
use apistos::web::{delete, get, patch, put, resource, ServiceConfig};
use stackrush_identity::UserId;

use super::dto::*;
use crate::auth::{Auth, MaybeAuth};
use crate::envelope::{ApiResponse, Empty, Paginated};
use crate::error::ApiError;
use crate::http::Body;
use crate::http::IdPath;
use crate::http::Port;
use stackrush_identity::IdentityApi;

type Reply<T> = Result<Json<ApiResponse<T>>, ApiError>;

/// Get my profile.
/// The caller's own account.
#[api_operation(tag = "users", summary = "Get my profile", error_code = 401)]
pub async fn get_profile(identity: Port<dyn IdentityApi>, auth: Auth) -> Reply<UserDto> {
    let user = identity.profile(auth.0).await?;
    Ok(Json(ApiResponse::ok(UserDto::own(user))))
}

/// Update my profile.
/// Change profile fields of the caller.
#[api_operation(
    tag = "users",
    summary = "Update my profile",
    error_code = 400,
    error_code = 401
)]
pub async fn update_profile(
    identity: Port<dyn IdentityApi>,
    auth: Auth,
    body: Body<UpdateProfileRequest>,
) -> Reply<UserDto> {
    let user = identity
        .update_profile(auth.0, body.into_inner().into())
        .await?;
    Ok(Json(ApiResponse::with_message(
        UserDto::own(user),
        "Profile updated",
    )))
}

/// Get my preferences.
/// The caller's preferences.
#[api_operation(tag = "users", summary = "Get my preferences", error_code = 401)]
pub async fn get_preferences(identity: Port<dyn IdentityApi>, auth: Auth) -> Reply<PreferencesDto> {
    let prefs = identity.preferences(auth.0).await?;
    Ok(Json(ApiResponse::ok(prefs.into())))
}

/// Update my preferences.
/// Change preferences of the caller.
#[api_operation(
    tag = "users",
    summary = "Update my preferences",
    error_code = 400,
    error_code = 401
)]
pub async fn update_preferences(
    identity: Port<dyn IdentityApi>,
    auth: Auth,
    body: Body<UpdatePreferencesRequest>,
) -> Reply<PreferencesDto> {
    let prefs = identity
        .update_preferences(auth.0, body.into_inner().into())
        .await?;
    Ok(Json(ApiResponse::with_message(
        prefs.into(),
        "Preferences updated",
    )))
}

/// Delete my account.
/// Delete the caller's account (soft delete), confirmed with the current password; every token
/// stops working.
#[api_operation(
    tag = "users",
    summary = "Delete my account",
    error_code = 400,
    error_code = 401,
    error_code = 403
)]
pub async fn delete_account(
    identity: Port<dyn IdentityApi>,
    auth: Auth,
    body: Body<DeleteAccountRequest>,
) -> Reply<Empty> {
    identity
        .delete_account(auth.0, body.into_inner().password)
        .await?;
    Ok(Json(ApiResponse::with_message(Empty {}, "Account deleted")))
}

/// List users (admin).
/// Admin: list accounts with filters.
#[api_operation(
    tag = "users",
    summary = "List users (admin)",
    error_code = 400,
    error_code = 401,
    error_code = 403
)]
pub async fn list_users(
    identity: Port<dyn IdentityApi>,
    auth: Auth,
    query: Query<ListUsersQuery>,
) -> Reply<Paginated<UserDto>> {
    let (filter, page) = query.into_inner().try_into()?;
    let users = identity.list_users(auth.0, filter, page).await?;
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        users,
        UserDto::for_admin,
    ))))
}

/// Update a user (admin).
/// Admin: change another account's roles or active flag.
#[api_operation(
    tag = "users",
    summary = "Update a user (admin)",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn admin_update_user(
    identity: Port<dyn IdentityApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<AdminUpdateUserRequest>,
) -> Reply<UserDto> {
    let id = path.parse::<UserId>()?;
    let user = identity
        .admin_update_user(auth.0, id, body.into_inner().into())
        .await?;
    Ok(Json(ApiResponse::ok(UserDto::for_admin(user))))
}

/// Username path.
#[derive(Debug, serde::Deserialize, apistos::JsonSchema, apistos::ApiComponent)]
#[schemars(crate = "apistos")]
pub struct UsernamePath {
    #[schemars(length(min = 1, max = 100))]
    pub username: String,
}

/// Get a user by username.
/// A user by username, as the caller may see them.
#[api_operation(
    tag = "users",
    summary = "Get a user by username",
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn get_by_username(
    identity: Port<dyn IdentityApi>,
    viewer: MaybeAuth,
    path: Path<UsernamePath>,
) -> Reply<UserDto> {
    let view = identity
        .user_by_username(viewer.0, path.into_inner().username)
        .await?;
    Ok(Json(ApiResponse::ok(view.into())))
}

/// Get a user.
/// A user by id, as the caller may see them.
#[api_operation(
    tag = "users",
    summary = "Get a user",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn get_user(
    identity: Port<dyn IdentityApi>,
    viewer: MaybeAuth,
    path: Path<IdPath>,
) -> Reply<UserDto> {
    let view = identity
        .user_by_id(viewer.0, path.parse::<UserId>()?)
        .await?;
    Ok(Json(ApiResponse::ok(view.into())))
}

/// `/users/*` under fixed paths.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        crate::http::allowing(resource("/users/profile"), "GET, PUT, PATCH")
            .route(get().to(get_profile))
            .route(put().to(update_profile))
            .route(patch().to(update_profile)),
    )
    .service(
        crate::http::allowing(resource("/users/preferences"), "GET, PUT, PATCH")
            .route(get().to(get_preferences))
            .route(put().to(update_preferences))
            .route(patch().to(update_preferences)),
    )
    .service(
        crate::http::allowing(resource("/users/account"), "DELETE")
            .route(delete().to(delete_account)),
    )
    .service(crate::http::allowing(resource("/users"), "GET").route(get().to(list_users)))
    .service(
        crate::http::allowing(resource("/users/username/{username}"), "GET")
            .route(get().to(get_by_username)),
    );
}

/// `/users/{id}`, which takes any segment: mounted after every context's literal `/users/…`.
pub fn configure_by_id(cfg: &mut ServiceConfig) {
    cfg.service(
        crate::http::allowing(resource("/users/{id}"), "GET, PATCH")
            .route(get().to(get_user))
            .route(patch().to(admin_update_user)),
    );
}
