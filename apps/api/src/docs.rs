//! The interactive documentation page at `/docs`: Swagger UI with its script and styles served
//! from the binary (the `swagger-ui-dist` crate embeds them), so it renders on a machine without
//! internet. The page and its start-up script are ours: no inline script, so the page's
//! Content-Security-Policy ([`CSP`]) allows scripts and styles from this origin only.

use actix_web::http::header;
use actix_web::web::{self, ServiceConfig};
use actix_web::HttpResponse;
use swagger_ui_dist::{ApiDefinition, OpenApiSource};

/// The path of the page; everything under it is the UI's assets.
pub const PATH: &str = "/docs";

/// The documentation page's policy: nothing from elsewhere, nothing inline; `data:` images are
/// the icons inside Swagger UI's stylesheet; requests go to this origin only ("Try it out").
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; \
    base-uri 'none'; form-action 'none'";

const INDEX: &str = include_str!("../assets/docs.html");
const INIT: &str = include_str!("../assets/docs-init.js");

/// Mounts the page, its start-up script and the UI's assets. Our routes come first: the crate's
/// scope also answers `/docs/` with a page of its own (inline script) and `/docs/openapi.json`
/// with an empty body, which are shadowed here.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.route(PATH, web::get().to(index))
        .route("/docs/", web::get().to(index))
        .route("/docs/index.html", web::get().to(index))
        .route("/docs/init.js", web::get().to(init))
        .route(
            "/docs/openapi.json",
            web::get().to(|| async { redirect_to_document() }),
        )
        .service(swagger_ui_dist::generate_scope(ApiDefinition {
            uri_prefix: PATH,
            api_definition: OpenApiSource::Uri(crate::openapi::PATH),
            title: Some("StackRush API"),
        }));
}

async fn index() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(INDEX)
}

async fn init() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .body(INIT)
}

fn redirect_to_document() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, crate::openapi::PATH))
        .finish()
}
