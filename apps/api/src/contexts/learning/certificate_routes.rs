//! `/certificates`: certificates of completing a playlist, public to read and to check; admins
//! revoke them.

use actix_web::web::{Json, Path};
use apistos::api_operation;
use apistos::web::{get, post, resource, ServiceConfig};
use stackrush_learning::{CertificateId, LearningApi};

use super::caller;
use super::certificate_dto::*;
use crate::auth::Auth;
use crate::download::SvgDrawing;
use crate::envelope::ApiResponse;
use crate::error::ApiError;
use crate::http::{Body, IdPath, Port};

type Reply<T> = Result<Json<ApiResponse<T>>, ApiError>;

/// Get the certificate signing key.
/// The public key certificates are signed with (Ed25519), to check copies offline.
#[api_operation(tag = "certificates", summary = "Get the certificate signing key")]
pub async fn public_key(learning: Port<dyn LearningApi>) -> Reply<CertificateKeyDto> {
    Ok(Json(ApiResponse::ok(learning.public_key().into())))
}

/// Get a certificate.
/// A certificate with its signature and whether it is valid (anyone may check it).
#[api_operation(
    tag = "certificates",
    summary = "Get a certificate",
    error_code = 400,
    error_code = 404
)]
pub async fn get_one(learning: Port<dyn LearningApi>, path: Path<IdPath>) -> Reply<CertificateDto> {
    let found = learning.certificate(path.parse::<CertificateId>()?).await?;
    Ok(Json(ApiResponse::ok(found.into())))
}

/// Get a certificate as SVG.
/// The certificate drawn as an SVG page with its verification address (drawn once, then kept
/// in file storage).
#[api_operation(
    tag = "certificates",
    summary = "Get a certificate as SVG",
    error_code = 400,
    error_code = 404
)]
pub async fn svg(
    learning: Port<dyn LearningApi>,
    path: Path<IdPath>,
) -> Result<SvgDrawing, ApiError> {
    let bytes = learning
        .certificate_svg(path.parse::<CertificateId>()?)
        .await?;
    Ok(SvgDrawing { bytes })
}

/// Verify a certificate.
/// Checks a certificate document as downloaded: `valid` when its signature holds over its
/// fields and it is not revoked; any changed field makes it `invalid`.
#[api_operation(
    tag = "certificates",
    summary = "Verify a certificate",
    error_code = 400,
    error_code = 413
)]
pub async fn verify(
    learning: Port<dyn LearningApi>,
    body: Body<CertificateCopyDto>,
) -> Reply<VerificationDto> {
    let verdict = learning
        .verify_certificate(body.into_inner().into())
        .await?;
    Ok(Json(ApiResponse::ok(verdict.into())))
}

/// Revoke a certificate.
/// Revoke a certificate (admins), saying why; it then verifies as revoked.
#[api_operation(
    tag = "certificates",
    summary = "Revoke a certificate",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 409
)]
pub async fn revoke(
    learning: Port<dyn LearningApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<RevokeCertificateRequest>,
) -> Reply<CertificateDto> {
    let id = path.parse::<CertificateId>()?;
    let revoked = learning
        .revoke_certificate(caller(&auth.0), id, body.into_inner().reason)
        .await?;
    Ok(Json(ApiResponse::ok(revoked.into())))
}

/// Registers the certificate routes.
pub fn configure(cfg: &mut ServiceConfig) {
    use crate::http::allowing;
    cfg.service(allowing(resource("/certificates/public-key"), "GET").route(get().to(public_key)))
        .service(allowing(resource("/certificates/verify"), "POST").route(post().to(verify)))
        .service(allowing(resource("/certificates/{id}"), "GET").route(get().to(get_one)))
        .service(allowing(resource("/certificates/{id}/svg"), "GET").route(get().to(svg)))
        .service(allowing(resource("/certificates/{id}/revoke"), "POST").route(post().to(revoke)));
}
