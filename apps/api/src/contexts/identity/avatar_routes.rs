//! `POST /users/avatar`: the caller's profile picture, uploaded as `multipart/form-data`.

use actix_web::web::Json;
use apistos::api_operation;
use apistos::web::{post, resource, ServiceConfig};
use apistos::{ApiComponent, JsonSchema};
use serde::Serialize;
use stackrush_identity::AvatarApi;

use crate::auth::Auth;
use crate::envelope::ApiResponse;
use crate::error::ApiError;
use crate::http::Port;
use crate::upload::ImageUpload;

/// Where the new avatar is served (now the profile's `avatar`).
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct AvatarDto {
    pub avatar: String,
}

/// Upload my avatar.
/// Upload a PNG, JPEG or WebP image (at most 2 MiB, told by its bytes) as your avatar; the one
/// it replaces is removed.
#[api_operation(
    tag = "users",
    summary = "Upload my avatar",
    error_code = 400,
    error_code = 401,
    error_code = 404,
    error_code = 413,
    error_code = 415
)]
pub async fn upload(
    avatars: Port<dyn AvatarApi>,
    auth: Auth,
    file: ImageUpload,
) -> Result<Json<ApiResponse<AvatarDto>>, ApiError> {
    let avatar = avatars.replace(auth.0, file.0).await?;
    Ok(Json(ApiResponse::ok(AvatarDto { avatar })))
}

/// The avatar route.
pub fn configure(cfg: &mut ServiceConfig) {
    use crate::http::allowing;
    cfg.service(allowing(resource("/users/avatar"), "POST").route(post().to(upload)));
}
