//! `/files/{kind}/{owner}/{name}`: stored images (avatars, template thumbnails), served with
//! their media type for a year (a new image gets a new name).

use actix_web::http::StatusCode;
use actix_web::web::Path;
use apistos::api_operation;
use apistos::web::{get, resource, ServiceConfig};
use apistos::{ApiComponent, JsonSchema};
use serde::Deserialize;
use stackrush_files::{FileKey, FileStore};

use crate::download::StoredImage;
use crate::error::ApiError;
use crate::http::Port;

/// A stored image's place: its kind, its owner's id and its generated name.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct FilePath {
    /// `avatars` or `thumbnails`.
    #[schemars(regex(pattern = r"^(avatars|thumbnails)$"))]
    pub kind: String,
    /// The user (avatars) or template (thumbnails) it belongs to.
    #[schemars(regex(pattern = r"^[0-9a-f]{24}$"))]
    pub owner: String,
    #[schemars(regex(pattern = r"^[0-9a-f]{24}\.(png|jpg|webp)$"))]
    pub name: String,
}

fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "FILE_NOT_FOUND", "No such file")
}

/// Get a stored image.
/// A stored image.
#[api_operation(tag = "files", summary = "Get a stored image", error_code = 404)]
pub async fn get_one(
    files: Port<dyn FileStore>,
    path: Path<FilePath>,
) -> Result<StoredImage, ApiError> {
    if !matches!(path.kind.as_str(), "avatars" | "thumbnails") {
        return Err(not_found());
    }
    let key = FileKey::parse(&format!("{}/{}/{}", path.kind, path.owner, path.name))
        .map_err(|_| not_found())?;
    let content_type = key.content_type();
    if !content_type.starts_with("image/") {
        return Err(not_found());
    }
    match files.get(&key).await {
        Ok(Some(bytes)) => Ok(StoredImage {
            content_type,
            bytes,
        }),
        Ok(None) => Err(not_found()),
        Err(e) => Err(ApiError::unavailable(&e)),
    }
}

/// The stored-files route.
pub fn configure(cfg: &mut ServiceConfig) {
    use crate::http::allowing;
    cfg.service(allowing(resource("/files/{kind}/{owner}/{name}"), "GET").route(get().to(get_one)));
}
