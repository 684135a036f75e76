//! Files answered as bytes, documented as binary bodies of their media types: a zip archive as
//! an attachment with a strong entity tag (`200`, or `304` when the reader holds it already),
//! and stored images.

use std::collections::BTreeMap;

use actix_web::body::BoxBody;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, Responder};
use apistos::paths::{MediaType, Response, Responses};
use apistos::reference_or::ReferenceOr;
use apistos::{ApiComponent, ApistosSchema, OpenApiVersion, VersionSpecificSchema};

/// The entity tags an `If-None-Match` header names (weak ones compared by their opaque part).
pub fn held_tags(req: &HttpRequest) -> Vec<String> {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/").to_owned())
        .filter(|tag| !tag.is_empty())
        .collect()
}

/// A zip archive to download, or word that the reader's copy is current.
pub enum ZipDownload {
    File {
        filename: String,
        etag: String,
        bytes: Vec<u8>,
    },
    Unchanged {
        etag: String,
    },
}

impl Responder for ZipDownload {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        let (mut response, etag) = match self {
            ZipDownload::File {
                filename,
                etag,
                bytes,
            } => {
                let response = HttpResponse::Ok()
                    .content_type("application/zip")
                    .insert_header(header::ContentDisposition::attachment(filename))
                    .body(bytes);
                (response, etag)
            }
            ZipDownload::Unchanged { etag } => (HttpResponse::NotModified().finish(), etag),
        };
        if let Ok(value) = HeaderValue::from_str(&etag) {
            response.headers_mut().insert(header::ETAG, value);
        }
        // Public archives may be kept by any cache, which must ask again before reusing them.
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        response
    }
}

/// Documents a responder whose one answer is a 200 with a binary body of one of `$media`
/// (an array of media types; the first is its content type).
macro_rules! one_body_component {
    ($name:ident, $media:expr, $fallback:literal) => {
        impl ApiComponent for $name {
            fn content_type() -> String {
                $media[0].to_owned()
            }

            fn child_schemas(_: OpenApiVersion) -> Vec<(String, ReferenceOr<ApistosSchema>)> {
                Vec::new()
            }

            fn schema(_: OpenApiVersion) -> Option<(String, ReferenceOr<ApistosSchema>)> {
                None
            }

            fn responses(
                version: OpenApiVersion,
                _: Option<String>,
                description: Option<String>,
            ) -> Option<Responses> {
                let ok = binary_response(version, &$media, description, $fallback);
                Some(Responses {
                    responses: BTreeMap::from([("200".to_owned(), ReferenceOr::Object(ok))]),
                    ..Default::default()
                })
            }
        }
    };
}

/// A stored image, served for a year: its key changes whenever the image does.
pub struct StoredImage {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// The media types [`StoredImage`] answers with.
const IMAGE_TYPES: [&str; 3] = ["image/png", "image/jpeg", "image/webp"];

impl Responder for StoredImage {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        HttpResponse::Ok()
            .content_type(self.content_type)
            .insert_header((
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ))
            .body(self.bytes)
    }
}

one_body_component!(StoredImage, IMAGE_TYPES, "The image");

/// A drawing served as `image/svg+xml`, with a policy that lets it run nothing and load
/// nothing (it is opened directly in browsers).
pub struct SvgDrawing {
    pub bytes: Vec<u8>,
}

impl Responder for SvgDrawing {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        HttpResponse::Ok()
            .content_type("image/svg+xml")
            .insert_header((
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
            ))
            .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
            .body(self.bytes)
    }
}

one_body_component!(SvgDrawing, ["image/svg+xml"], "The SVG drawing");

/// A small HTML page for a person following a link from an email (the unsubscribe page).
pub struct HtmlPage {
    pub title: &'static str,
    /// Already-escaped HTML of the page's body (`stackrush_kernel::text::escape_markup`).
    pub body: String,
}

impl Responder for HtmlPage {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        let page = format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{title} · StackRush</title></head>\n<body style=\"font-family:sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem\"><h1>{title}</h1>\n{body}\n</body></html>\n",
            title = self.title,
            body = self.body,
        );
        HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
                ),
            ))
            .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
            .body(page)
    }
}

one_body_component!(HtmlPage, ["text/html"], "An HTML page");

/// A response whose body is binary of any of `media_types`.
fn binary_response(
    version: OpenApiVersion,
    media_types: &[&str],
    description: Option<String>,
    fallback: &str,
) -> Response {
    Response {
        description: description.unwrap_or_else(|| fallback.to_owned()),
        content: media_types
            .iter()
            .map(|t| {
                let media = MediaType {
                    schema: Some(binary(version)),
                    ..Default::default()
                };
                ((*t).to_owned(), media)
            })
            .collect(),
        ..Default::default()
    }
}

fn binary(version: OpenApiVersion) -> VersionSpecificSchema {
    let schema = ApistosSchema::new(
        apistos::Schema::try_from(serde_json::json!({ "type": "string", "format": "binary" }))
            .unwrap_or_default(),
        version,
    );
    match version {
        OpenApiVersion::OAS3_0 => VersionSpecificSchema::OAS3_0(ReferenceOr::Object(schema)),
        OpenApiVersion::OAS3_1 => VersionSpecificSchema::OAS3_1(schema),
    }
}

impl ApiComponent for ZipDownload {
    fn content_type() -> String {
        "application/zip".to_owned()
    }

    fn child_schemas(_: OpenApiVersion) -> Vec<(String, ReferenceOr<ApistosSchema>)> {
        Vec::new()
    }

    fn schema(_: OpenApiVersion) -> Option<(String, ReferenceOr<ApistosSchema>)> {
        None
    }

    fn responses(
        version: OpenApiVersion,
        _: Option<String>,
        description: Option<String>,
    ) -> Option<Responses> {
        let ok = binary_response(
            version,
            &["application/zip"],
            description,
            "The zip archive",
        );
        let unchanged = Response {
            description: "The archive named in If-None-Match is current".to_owned(),
            ..Default::default()
        };
        Some(Responses {
            responses: BTreeMap::from([
                ("200".to_owned(), ReferenceOr::Object(ok)),
                ("304".to_owned(), ReferenceOr::Object(unchanged)),
            ]),
            ..Default::default()
        })
    }
}
