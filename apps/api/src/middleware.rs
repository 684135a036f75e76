//! Cross-cutting request handling: request ids and logs, JSON for every error, security
//! headers, per-address rate limits, and a deadline for request bodies.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use governor::clock::{Clock as _, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use tracing::Instrument;

use crate::error::{ApiError, RenderedError};
use crate::settings::RateLimits;

/// The id of the current request, also sent back as `X-Request-Id`.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn incoming_request_id(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(&REQUEST_ID)?.to_str().ok()?;
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    ok.then(|| value.to_owned())
}

/// Outermost app middleware: gives every request an id and a span, logs its outcome, and makes
/// every error response the contract's JSON (with the request path), including actix's own
/// 404/405.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let id = incoming_request_id(&req).unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    let path = req.path().to_owned();
    let span = tracing::info_span!("request", request_id = %id, method = %method, path = %path);
    let started = Instant::now();
    // Handlers and inner middleware answer errors as responses; an `Err` here would come from
    // actix itself and is passed on as it is.
    let response = next
        .call(req)
        .instrument(span.clone())
        .await?
        .map_into_boxed_body();
    let mut response = render_error(response, &path);
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    if crate::metrics::enabled() {
        let route = response
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_owned());
        crate::metrics::record_request(method.as_str(), &route, status, elapsed);
    }
    let millis = elapsed.as_secs_f64() * 1000.0;
    span.in_scope(|| {
        if status >= 500 {
            tracing::error!(status, millis, "request failed");
        } else {
            tracing::info!(status, millis, "request done");
        }
    });
    Ok(response)
}

fn render_error(response: ServiceResponse<BoxBody>, path: &str) -> ServiceResponse<BoxBody> {
    let status = response.status();
    if !status.is_client_error() && !status.is_server_error() {
        return response;
    }
    let error = response
        .response()
        .extensions()
        .get::<RenderedError>()
        .map(|e| e.0.clone());
    let error = match error {
        Some(error) => error,
        None => match status {
            StatusCode::NOT_FOUND => ApiError::route_not_found(),
            StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
                status,
                "METHOD_NOT_ALLOWED",
                "This method is not allowed on this route",
            ),
            s if s.is_server_error() => ApiError::internal(&"unhandled server error"),
            s => ApiError::new(
                s,
                "BAD_REQUEST",
                s.canonical_reason().unwrap_or("Bad request"),
            ),
        },
    };
    let (req, old) = response.into_parts();
    let mut fresh = error.to_response(path);
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE
            && name != header::CONTENT_LENGTH
            && !fresh.headers().contains_key(name)
        {
            fresh.headers_mut().insert(name.clone(), value.clone());
        }
    }
    ServiceResponse::new(req, fresh)
}

/// Answers what the CORS layer refuses (a request or preflight from an origin that is not
/// allowed, a method or header it does not allow) as the usual JSON error, so that it carries
/// the envelope, the security headers and the request id like every other answer.
pub async fn cors_refusals(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let response = next.call(req).await?.map_into_boxed_body();
    let refused = response
        .response()
        .error()
        .and_then(|e| e.as_error::<actix_cors::CorsError>())
        .map(|e| {
            let message = format!("Cross-origin request refused: {e}");
            match e {
                actix_cors::CorsError::OriginNotAllowed
                | actix_cors::CorsError::MethodNotAllowed
                | actix_cors::CorsError::HeadersNotAllowed => {
                    ApiError::new(StatusCode::FORBIDDEN, "CORS_NOT_ALLOWED", message)
                }
                // A malformed preflight (no or a bad requested method or headers).
                _ => ApiError::new(StatusCode::BAD_REQUEST, "BAD_CORS_REQUEST", message),
            }
        });
    Ok(match refused {
        Some(api) => response.into_response(api.to_response("")),
        None => response,
    })
}

/// Security headers on every response; API responses are never cached. Served over HTTPS (a
/// trusted proxy saying `X-Forwarded-Proto: https` or `Forwarded: proto=https`), browsers are
/// told to use HTTPS only (HSTS, a year).
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let docs = req.path().starts_with(crate::docs::PATH);
    let trust_proxy = req
        .app_data::<web::Data<RateLimit>>()
        .is_some_and(|limits| limits.trust_proxy);
    let https = trust_proxy && req.connection_info().scheme() == "https";
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    let csp = if docs {
        crate::docs::CSP
    } else {
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    };
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}

type KeyedLimiter =
    RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock, StateInformationMiddleware>;

/// One per-address limit, with the numbers the `RateLimit-*` headers report.
struct Limit {
    limiter: KeyedLimiter,
    per_minute: u32,
}

impl Limit {
    fn new(per_minute: u32) -> Option<Self> {
        let n = NonZeroU32::new(per_minute)?;
        Some(Self {
            limiter: RateLimiter::keyed(Quota::per_minute(n).allow_burst(n))
                .with_middleware::<StateInformationMiddleware>(),
            per_minute,
        })
    }
}

/// Per-address rate limits, held in memory (so per instance; see the README).
pub struct RateLimit {
    global: Option<Limit>,
    auth: Option<Limit>,
    trust_proxy: bool,
}

/// What one request's check found.
struct Verdict {
    limit: u32,
    remaining: u32,
    reset_secs: u64,
    retry_after: Option<u64>,
}

impl RateLimit {
    /// Limits from settings; a limit of 0 disables it.
    pub fn new(settings: RateLimits) -> Arc<Self> {
        Arc::new(Self {
            global: Limit::new(settings.global_per_minute),
            auth: Limit::new(settings.auth_per_minute),
            trust_proxy: settings.trust_proxy,
        })
    }

    /// Drops state of addresses that are back at full allowance; called periodically.
    pub fn shrink(&self) {
        for limit in [&self.global, &self.auth].into_iter().flatten() {
            limit.limiter.retain_recent();
            limit.limiter.shrink_to_fit();
        }
    }

    fn check(limit: &Limit, ip: IpAddr) -> Verdict {
        let per_second = f64::from(limit.per_minute) / 60.0;
        match limit.limiter.check_key(&ip) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                let missing = f64::from(limit.per_minute.saturating_sub(remaining));
                Verdict {
                    limit: limit.per_minute,
                    remaining,
                    reset_secs: (missing / per_second).ceil() as u64,
                    retry_after: None,
                }
            }
            Err(not_until) => {
                let wait = not_until
                    .wait_time_from(DefaultClock::default().now())
                    .as_secs()
                    .max(1);
                Verdict {
                    limit: limit.per_minute,
                    remaining: 0,
                    reset_secs: wait,
                    retry_after: Some(wait),
                }
            }
        }
    }
}

fn is_credential_route(req: &ServiceRequest) -> bool {
    req.method() == actix_web::http::Method::POST
        && matches!(
            api_route(req.path()),
            Some(
                "/auth/login"
                    | "/auth/register"
                    | "/auth/refresh"
                    | "/auth/forgot-password"
                    | "/auth/reset-password"
                    | "/auth/verify-email"
                    | "/auth/change-password"
            )
        )
}

/// The caller's address: the proxy's `Forwarded`/`X-Forwarded-For` client when proxies are
/// trusted, the peer otherwise (0.0.0.0 when neither is known).
fn client_ip(info: &actix_web::dev::ConnectionInfo, trust_proxy: bool) -> IpAddr {
    let address = if trust_proxy {
        info.realip_remote_addr()
    } else {
        info.peer_addr()
    };
    address
        .and_then(|a| {
            a.parse::<std::net::SocketAddr>()
                .map(|s| s.ip())
                .ok()
                .or_else(|| a.parse::<IpAddr>().ok())
        })
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}

/// The address a request comes from, by the same rule as the rate limits.
pub fn request_ip(req: &actix_web::HttpRequest) -> IpAddr {
    let trust_proxy = req
        .app_data::<web::Data<RateLimit>>()
        .is_some_and(|limits| limits.trust_proxy);
    client_ip(&req.connection_info(), trust_proxy)
}

/// Applies the global limit to every request and the stricter one to credential routes, and
/// reports the tighter one in `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`.
pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(limits) = req.app_data::<web::Data<RateLimit>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let ip = client_ip(&req.connection_info(), limits.trust_proxy);
    let mut verdicts = Vec::new();
    if let Some(global) = &limits.global {
        verdicts.push(("global", RateLimit::check(global, ip)));
    }
    if is_credential_route(&req) {
        if let Some(auth) = &limits.auth {
            verdicts.push(("credentials", RateLimit::check(auth, ip)));
        }
    }
    let tightest = verdicts
        .into_iter()
        .min_by_key(|(_, v)| (v.retry_after.is_none(), v.remaining));
    let mut response = match &tightest {
        Some((
            limit,
            Verdict {
                retry_after: Some(wait),
                ..
            },
        )) => {
            tracing::warn!(%ip, "rate limit exceeded");
            metrics::counter!("stackrush_rate_limited_total", "limit" => *limit).increment(1);
            let error = ApiError {
                retry_after: Some(*wait),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "TOO_MANY_REQUESTS",
                    "Too many requests; slow down and retry later",
                )
            };
            let path = req.path().to_owned();
            req.into_response(error.to_response(&path))
        }
        _ => next.call(req).await?.map_into_boxed_body(),
    };
    if let Some((_, v)) = tightest {
        let headers = response.headers_mut();
        for (name, value) in [
            ("ratelimit-limit", v.limit as u64),
            ("ratelimit-remaining", v.remaining as u64),
            ("ratelimit-reset", v.reset_secs),
        ] {
            if let Ok(value) = HeaderValue::from_str(&value.to_string()) {
                headers.insert(HeaderName::from_static(name), value);
            }
        }
    }
    Ok(response)
}

/// A request body that must arrive completely before a deadline. actix bounds the time to read
/// headers but not bodies, so a client trickling a body could hold a connection forever.
///
/// A JSON body must also be an object: serde would read an array into a struct by position
/// (`["alice", "secret"]` as a login), so a JSON body opening with `[` fails with
/// [`NOT_AN_OBJECT`] before any handler sees it (every body of this API is an object).
struct DeadlineBody {
    inner: actix_web::dev::Payload,
    deadline: std::pin::Pin<Box<tokio::time::Sleep>>,
    /// Still looking for the first significant byte of a JSON body.
    opening: bool,
}

/// The error a JSON body that is an array fails with (reported as a 400 on `body`).
pub const NOT_AN_OBJECT: &str = "the body must be a JSON object";

impl futures::Stream for DeadlineBody {
    type Item = Result<actix_web::web::Bytes, actix_web::error::PayloadError>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        if std::future::Future::poll(self.deadline.as_mut(), cx).is_ready() {
            let timeout = std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "request body not received in time",
            );
            return std::task::Poll::Ready(Some(Err(actix_web::error::PayloadError::Io(timeout))));
        }
        let next = futures::Stream::poll_next(std::pin::Pin::new(&mut self.inner), cx);
        if let std::task::Poll::Ready(Some(Ok(bytes))) = &next {
            if self.opening {
                let first = bytes
                    .iter()
                    .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
                if let Some(first) = first {
                    self.opening = false;
                    if *first == b'[' {
                        let refused =
                            std::io::Error::new(std::io::ErrorKind::InvalidData, NOT_AN_OBJECT);
                        return std::task::Poll::Ready(Some(Err(
                            actix_web::error::PayloadError::Io(refused),
                        )));
                    }
                }
            }
        }
        next
    }
}

/// How long a request body may take to arrive.
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub std::time::Duration);

/// Gives every request body a deadline (see [`BodyTimeout`]); reading past it fails with a
/// timeout that the JSON extractor reports as a 408.
pub async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let limit = req.app_data::<web::Data<BodyTimeout>>().map(|t| t.0);
    if let Some(limit) = limit {
        let json = req.content_type().to_ascii_lowercase().contains("json");
        let inner = req.take_payload();
        let body = DeadlineBody {
            inner,
            deadline: Box::pin(tokio::time::sleep(limit)),
            opening: json,
        };
        req.set_payload(actix_web::dev::Payload::Stream {
            payload: Box::pin(body),
        });
    }
    next.call(req).await
}

/// While the store's schema is not in place (MongoDB unreachable since the start), API requests
/// get a JSON 503 at once; health and readiness still answer.
pub async fn store_gate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let prepared = req
        .app_data::<web::Data<crate::health::Health>>()
        .is_none_or(|health| health.store.is_prepared());
    let path = req.path();
    let exempt = !matches!(api_route(path), Some(route) if route != "/health" && route != "/ready");
    if prepared || exempt {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let path = path.to_owned();
    let error = ApiError::unavailable(&"the store has not been reachable since the start");
    Ok(req.into_response(error.to_response(&path)))
}

/// The base path of the API's current version: every route is served under it, and the OpenAPI
/// document lists it. `/api` is its alias (see [`api_alias`] and the README's "API versions").
pub const API_BASE: &str = "/api/v1";

/// `path` within the API, whichever base it was sent to: `/api/v1/auth/login` and
/// `/api/auth/login` are both `/auth/login`; `None` outside `/api`.
pub fn api_route(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/api")?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    Some(match version_of(rest) {
        Some(version) => &rest[1 + version.len()..],
        None => rest,
    })
}

/// The version segment (`v1`) that `rest` (what follows `/api`) starts with, if any.
fn version_of(rest: &str) -> Option<&str> {
    let first = rest.strip_prefix('/')?.split('/').next()?;
    let digits = first.strip_prefix('v')?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(first)
}

/// Serves the unversioned `/api/…` as the current version ([`API_BASE`]), the base the web client
/// has compiled in. Runs innermost, just before routing, so the logs, error bodies and rate limits
/// see the path the client sent.
pub async fn api_alias(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let path = req.path();
    let unversioned = path
        .strip_prefix("/api")
        .filter(|rest| (rest.is_empty() || rest.starts_with('/')) && version_of(rest).is_none());
    if let Some(rest) = unversioned {
        let mut target = format!("{API_BASE}{rest}");
        if let Some(query) = req.uri().query() {
            target.push('?');
            target.push_str(query);
        }
        let mut parts = req.head().uri.clone().into_parts();
        parts.path_and_query = target.parse().ok();
        if let Ok(uri) = actix_web::http::Uri::from_parts(parts) {
            req.match_info_mut().get_mut().update(&uri);
            req.head_mut().uri = uri;
        }
    }
    next.call(req).await
}
