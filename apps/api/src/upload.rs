//! Image uploads: a `multipart/form-data` body whose field `file` holds the image. The body is
//! read as a stream and refused (413) as soon as it passes the image limit, so a large upload is
//! never held in memory; what the bytes are is the service's to decide (by their signature).

use std::collections::BTreeMap;

use actix_multipart::Multipart;
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use apistos::paths::{MediaType, RequestBody};
use apistos::reference_or::ReferenceOr;
use apistos::{ApiComponent, ApistosSchema, OpenApiVersion, VersionSpecificSchema};
use futures::future::LocalBoxFuture;
use futures::StreamExt;
use stackrush_kernel::image::MAX_IMAGE_BYTES;

use crate::error::ApiError;

/// Room for the multipart framing around the file.
const FRAMING_BYTES: usize = 16 * 1024;

/// The bytes of the uploaded file (field `file`, at most [`MAX_IMAGE_BYTES`]).
pub struct ImageUpload(pub Vec<u8>);

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "PAYLOAD_TOO_LARGE",
        format!("The file must be at most {MAX_IMAGE_BYTES} bytes"),
    )
}

fn malformed(message: impl std::fmt::Display) -> ApiError {
    ApiError::invalid_body(
        "file",
        format!("the multipart body is malformed: {message}"),
    )
}

async fn read(mut parts: Multipart) -> Result<Vec<u8>, ApiError> {
    let mut file = None;
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(malformed)?;
        let name = part
            .content_disposition()
            .and_then(|d| d.get_name())
            .map(str::to_owned);
        if name.as_deref() != Some("file") {
            return Err(ApiError::invalid_body(
                name.unwrap_or_else(|| "body".to_owned()),
                "unknown field: send the image as the field `file` only",
            ));
        }
        if file.is_some() {
            return Err(ApiError::invalid_body("file", "send one file"));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(malformed)?;
            if bytes.len() + chunk.len() > MAX_IMAGE_BYTES {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        file = Some(bytes);
    }
    file.ok_or_else(|| ApiError::invalid_body("file", "is required"))
}

impl FromRequest for ImageUpload {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if req.content_type() != "multipart/form-data" {
            return Box::pin(async {
                Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "UNSUPPORTED_MEDIA_TYPE",
                    "Send the image as multipart/form-data in the field `file`",
                ))
            });
        }
        let declared = req
            .headers()
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > MAX_IMAGE_BYTES + FRAMING_BYTES) {
            return Box::pin(async { Err(too_large()) });
        }
        let parts = Multipart::new(req.headers(), payload.take());
        Box::pin(async move { read(parts).await.map(ImageUpload) })
    }
}

impl ApiComponent for ImageUpload {
    fn content_type() -> String {
        "multipart/form-data".to_owned()
    }

    fn child_schemas(_: OpenApiVersion) -> Vec<(String, ReferenceOr<ApistosSchema>)> {
        Vec::new()
    }

    fn schema(_: OpenApiVersion) -> Option<(String, ReferenceOr<ApistosSchema>)> {
        None
    }

    fn request_body(version: OpenApiVersion, description: Option<String>) -> Option<RequestBody> {
        let schema = ApistosSchema::new(
            apistos::Schema::try_from(serde_json::json!({
                "type": "object",
                "required": ["file"],
                "additionalProperties": false,
                "properties": {
                    "file": {
                        "description": "A PNG, JPEG or WebP image of at most 2 MiB (told by its bytes)",
                        "type": "string",
                        "format": "binary",
                    }
                }
            }))
            .unwrap_or_default(),
            version,
        );
        let schema = match version {
            OpenApiVersion::OAS3_0 => VersionSpecificSchema::OAS3_0(ReferenceOr::Object(schema)),
            OpenApiVersion::OAS3_1 => VersionSpecificSchema::OAS3_1(schema),
        };
        Some(RequestBody {
            description,
            content: BTreeMap::from([(
                "multipart/form-data".to_owned(),
                MediaType {
                    schema: Some(schema),
                    ..Default::default()
                },
            )]),
            required: Some(true),
            ..Default::default()
        })
    }
}
