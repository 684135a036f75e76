//! User routes. Fixed paths are registered before `/users/{id}` so they win.

use actix_web::web::{Data, Json, Path, Query};
use apistos::api_operation;
use apistos::web::{delete, get, patch, put, resource, ServiceConfig};
use stackrush_identity::{UserFilter, UserId};

use crate::auth::{Auth, MaybeAuth};
use crate::dto::identity::*;
use crate::dto::IdPath;
use crate::envelope::{ApiResponse, Empty, Paginated};
use crate::error::ApiError;
use crate::state::AppState;

type Reply<T> = Result<Json<ApiResponse<T>>, ApiError>;

/// The caller's own account.
#[api_operation(
    tag = "users",
    summary = "Get my profile",
    error_code = 401,
    error_code = 429,
    error_code = 503
)]
pub async fn get_profile(state: Data<AppState>, auth: Auth) -> Reply<UserDto> {
    let user = state.identity.profile(auth.0).await?;
    Ok(Json(ApiResponse::ok(UserDto::own(user))))
}

/// Change profile fields of the caller.
#[api_operation(
    tag = "users",
    summary = "Update my profile",
    error_code = 400,
    error_code = 401,
    error_code = 413,
    error_code = 408,
    error_code = 415,
    error_code = 429,
    error_code = 503
)]
pub async fn update_profile(
    state: Data<AppState>,
    auth: Auth,
    body: Json<UpdateProfileRequest>,
) -> Reply<UserDto> {
    let user = state
        .identity
        .update_profile(auth.0, body.into_inner().into())
        .await?;
    Ok(Json(ApiResponse::with_message(
        UserDto::own(user),
        "Profile updated",
    )))
}

/// The caller's preferences.
#[api_operation(
    tag = "users",
    summary = "Get my preferences",
    error_code = 401,
    error_code = 429,
    error_code = 503
)]
pub async fn get_preferences(state: Data<AppState>, auth: Auth) -> Reply<PreferencesDto> {
    let prefs = state.identity.preferences(auth.0).await?;
    Ok(Json(ApiResponse::ok(prefs.into())))
}

/// Change preferences of the caller.
#[api_operation(
    tag = "users",
    summary = "Update my preferences",
    error_code = 400,
    error_code = 401,
    error_code = 413,
    error_code = 408,
    error_code = 415,
    error_code = 429,
    error_code = 503
)]
pub async fn update_preferences(
    state: Data<AppState>,
    auth: Auth,
    body: Json<UpdatePreferencesRequest>,
) -> Reply<PreferencesDto> {
    let who = crate::adapters::player(&auth.0);
    let prefs = state
        .identity
        .update_preferences(auth.0, body.into_inner().into())
        .await?;
    // Leaderboards follow the privacy setting.
    state
        .scoring
        .set_listed(who, prefs.privacy.show_stats)
        .await?;
    Ok(Json(ApiResponse::with_message(
        prefs.into(),
        "Preferences updated",
    )))
}

/// Delete the caller's account (soft delete); every token stops working.
#[api_operation(
    tag = "users",
    summary = "Delete my account",
    error_code = 401,
    error_code = 429,
    error_code = 503
)]
pub async fn delete_account(state: Data<AppState>, auth: Auth) -> Reply<Empty> {
    let who = crate::adapters::player(&auth.0);
    state.identity.delete_account(auth.0).await?;
    state.scoring.set_listed(who, false).await?;
    Ok(Json(ApiResponse::with_message(Empty {}, "Account deleted")))
}

/// Admin: list accounts with filters.
#[api_operation(
    tag = "users",
    summary = "List users (admin)",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 429,
    error_code = 503
)]
pub async fn list_users(
    state: Data<AppState>,
    auth: Auth,
    query: Query<ListUsersQuery>,
) -> Reply<Paginated<UserDto>> {
    let q = query.into_inner();
    crate::routes::max_chars("search", q.search.as_deref(), 100)?;
    let page = crate::routes::page_request(q.page, q.limit, 20)?;
    let filter = UserFilter {
        search: q.search.filter(|s| !s.is_empty()),
        role: q.role.map(Into::into),
        is_active: q.is_active,
        email_verified: q.email_verified,
        include_deleted: q.include_deleted.unwrap_or(false),
    };
    let users = state.identity.list_users(auth.0, filter, page).await?;
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        users,
        UserDto::for_admin,
    ))))
}

/// Admin: change another account's roles or active flag.
#[api_operation(
    tag = "users",
    summary = "Update a user (admin)",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 413,
    error_code = 408,
    error_code = 415,
    error_code = 429,
    error_code = 503
)]
pub async fn admin_update_user(
    state: Data<AppState>,
    auth: Auth,
    path: Path<IdPath>,
    body: Json<AdminUpdateUserRequest>,
) -> Reply<UserDto> {
    let id = path.parse::<UserId>()?;
    let user = state
        .identity
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

/// A user by username, as the caller may see them.
#[api_operation(
    tag = "users",
    summary = "Get a user by username",
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 429,
    error_code = 503
)]
pub async fn get_by_username(
    state: Data<AppState>,
    viewer: MaybeAuth,
    path: Path<UsernamePath>,
) -> Reply<UserDto> {
    let view = state
        .identity
        .user_by_username(viewer.0, path.into_inner().username)
        .await?;
    Ok(Json(ApiResponse::ok(view.into())))
}

/// A user by id, as the caller may see them.
#[api_operation(
    tag = "users",
    summary = "Get a user",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 429,
    error_code = 503
)]
pub async fn get_user(
    state: Data<AppState>,
    viewer: MaybeAuth,
    path: Path<IdPath>,
) -> Reply<UserDto> {
    let view = state
        .identity
        .user_by_id(viewer.0, path.parse::<UserId>()?)
        .await?;
    Ok(Json(ApiResponse::ok(view.into())))
}

/// `/users/*`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        crate::routes::allowing(resource("/users/profile"), "GET, PUT, PATCH")
            .route(get().to(get_profile))
            .route(put().to(update_profile))
            .route(patch().to(update_profile)),
    )
    .service(
        crate::routes::allowing(resource("/users/preferences"), "GET, PUT, PATCH")
            .route(get().to(get_preferences))
            .route(put().to(update_preferences))
            .route(patch().to(update_preferences)),
    )
    .service(
        crate::routes::allowing(resource("/users/account"), "DELETE")
            .route(delete().to(delete_account)),
    )
    .service(crate::routes::allowing(resource("/users"), "GET").route(get().to(list_users)))
    .service(
        crate::routes::allowing(resource("/users/username/{username}"), "GET")
            .route(get().to(get_by_username)),
    )
    .service(
        crate::routes::allowing(resource("/users/{id}"), "GET, PATCH")
            .route(get().to(get_user))
            .route(patch().to(admin_update_user)),
    );
}
