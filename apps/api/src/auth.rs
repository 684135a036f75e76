//! Who is calling: extractors that turn a Bearer token into the identity context's `Actor`.

use std::collections::BTreeMap;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use apistos::reference_or::ReferenceOr;
use apistos::{ApiComponent, ApiSecurity, ApistosSchema, OpenApiVersion};
use futures::future::LocalBoxFuture;
use stackrush_identity::{Actor, IdentityApi};

use crate::error::ApiError;
use crate::http::Port;

fn bearer(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| invalid_header())?;
    let mut parts = value.splitn(2, ' ');
    match (parts.next(), parts.next()) {
        (Some(scheme), Some(token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim().to_owned()))
        }
        _ => Err(invalid_header()),
    }
}

fn invalid_header() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "INVALID_TOKEN",
        "The Authorization header must be 'Bearer <token>'",
    )
}

fn missing() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "MISSING_TOKEN",
        "Sign in first: no access token was sent",
    )
}

/// A signed-in caller (401 otherwise).
#[derive(Debug, Clone, ApiSecurity)]
#[openapi_security(
    name = "bearerAuth",
    scheme(security_type(http(scheme = "bearer", bearer_format = "JWT")))
)]
pub struct Auth(pub Actor);

/// Who a request was authenticated as, kept in its extensions for the audit trail.
#[derive(Debug, Clone, Copy)]
pub struct Authenticated(pub stackrush_identity::UserId);

/// The caller behind the request's Bearer token: `None` without one, an error for a bad one.
fn actor(req: &HttpRequest) -> LocalBoxFuture<'static, Result<Option<Actor>, ApiError>> {
    let token = bearer(req);
    let identity = Port::<dyn IdentityApi>::of(req);
    let req = req.clone();
    Box::pin(async move {
        let Some(token) = token? else { return Ok(None) };
        let identity = identity.ok_or_else(|| ApiError::internal(&"identity port missing"))?;
        let actor = identity.authenticate(token).await?;
        req.extensions_mut().insert(Authenticated(actor.id));
        Ok(Some(actor))
    })
}

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let actor = actor(req);
        Box::pin(async move { actor.await?.map(Auth).ok_or_else(missing) })
    }
}

/// A caller who may be anonymous; a token that is sent must still be valid.
#[derive(Debug, Clone)]
pub struct MaybeAuth(pub Option<Actor>);

impl FromRequest for MaybeAuth {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let actor = actor(req);
        Box::pin(async move { actor.await.map(MaybeAuth) })
    }
}

impl ApiComponent for MaybeAuth {
    fn child_schemas(_: OpenApiVersion) -> Vec<(String, ReferenceOr<ApistosSchema>)> {
        vec![]
    }

    fn schema(_: OpenApiVersion) -> Option<(String, ReferenceOr<ApistosSchema>)> {
        None
    }

    fn securities() -> BTreeMap<String, apistos::security::SecurityScheme> {
        BTreeMap::new()
    }
}
