//! Building and running the application: `Application::build(settings)` binds (port 0 in tests)
//! and wires every context to its adapters.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::from_fn;
use actix_web::{web, HttpRequest, HttpServer};
use apistos::app::{BuildConfig, OpenApiWrapper};
use apistos::web::scope;
use stackrush_identity::{IdentityApi, IdentityError, RegisterCommand};

pub use crate::contexts::Contexts;
use crate::error::{ApiError, Detail};
use crate::health::Health;
use crate::middleware::{
    api_alias, body_deadline, cors_refusals, rate_limit, request_context, security_headers,
    store_gate, BodyTimeout, RateLimit,
};
use crate::settings::Settings;
use crate::store::Store;

/// HTTP-level options of the app, independent of the contexts.
#[derive(Clone)]
pub struct HttpOptions {
    pub cors_origins: Vec<String>,
    pub body_limit: usize,
    pub body_timeout: std::time::Duration,
    pub rate_limit: web::Data<RateLimit>,
    /// `GET /metrics` for bearers of `METRICS_TOKEN`; off without one.
    pub metrics: Option<crate::metrics::MetricsAccess>,
    /// Where succeeded sensitive operations are recorded (none in handler tests).
    pub audit: Option<Arc<dyn stackrush_analytics::AuditApi>>,
}

/// The field a serde message is about: serde names it between backticks in "unknown field
/// `roles`", "missing field `password`" and "duplicate field `x`"; other messages (a wrong type,
/// a malformed document) are about the body or query as a whole, named `whole`.
/// A message of a [`crate::http::Body`] starts with the path where it happened (`at
/// \`code.testCases[0]\`: …`), to which a field named in the rest is appended.
fn serde_field(message: &str, whole: &str) -> String {
    let (path, rest) = match message
        .strip_prefix(crate::http::AT_PATH)
        .and_then(|m| m.split_once("`: "))
    {
        Some((path, rest)) => (Some(path), rest),
        None => (None, message),
    };
    let named = ["unknown field `", "missing field `", "duplicate field `"]
        .iter()
        .find_map(|prefix| rest.find(prefix).map(|at| &rest[at + prefix.len()..]))
        .and_then(|rest| rest.split('`').next())
        .filter(|f| !f.is_empty() && f.len() < 64);
    match (path, named) {
        // An unknown field is already the path's last step; a missing one is not.
        (Some(path), Some(named)) if path.rsplit('.').next() != Some(named) => {
            format!("{path}.{named}")
        }
        (Some(path), _) => path.to_owned(),
        (None, Some(named)) => named.to_owned(),
        (None, None) => whole.to_owned(),
    }
}

/// The field and the client-readable message of a serde error (its path prefix, if any, moved
/// into the field).
pub(crate) fn serde_detail(message: &str, whole: &str) -> (String, String) {
    let rest = message
        .strip_prefix(crate::http::AT_PATH)
        .and_then(|m| m.split_once("`: "))
        .map_or(message, |(_, rest)| rest);
    (serde_field(message, whole), serde_message(rest))
}

/// A serde message as a client may read it: the Rust type names serde mentions ("expected struct
/// LoginRequest") become what the JSON should have been.
pub(crate) fn serde_message(message: &str) -> String {
    const KINDS: [(&str, &str); 4] = [
        ("expected tuple struct ", "expected an array"),
        ("expected unit struct ", "expected null"),
        ("expected struct ", "expected an object"),
        ("expected enum ", "expected one of the allowed values"),
    ];
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    'scan: while !rest.is_empty() {
        for (kind, plain) in KINDS {
            if let Some(after) = rest.strip_prefix(kind) {
                out.push_str(plain);
                rest = after.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_');
                continue 'scan;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out
}

pub(crate) fn json_error(err: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    let api = match &err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                "The request body is too large",
            )
        }
        JsonPayloadError::Payload(actix_web::error::PayloadError::Io(io))
            if io.kind() == std::io::ErrorKind::TimedOut =>
        {
            ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "REQUEST_TIMEOUT",
                "The request body did not arrive in time",
            )
        }
        JsonPayloadError::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "Send the body as application/json",
        ),
        JsonPayloadError::Payload(actix_web::error::PayloadError::Io(io))
            if io.kind() == std::io::ErrorKind::InvalidData =>
        {
            ApiError::invalid_body("body", crate::middleware::NOT_AN_OBJECT)
        }
        JsonPayloadError::Deserialize(e) => {
            let (field, message) = serde_detail(&e.to_string(), "body");
            ApiError::validation(
                "VALIDATION_ERROR",
                "The request body is invalid",
                vec![Detail {
                    field,
                    message,
                    value: None,
                }],
            )
        }
        other => ApiError::validation(
            "VALIDATION_ERROR",
            "The request body could not be read",
            vec![Detail {
                field: "body".into(),
                message: other.to_string(),
                value: None,
            }],
        ),
    };
    api.into()
}

fn query_error(err: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    let message = err.to_string();
    ApiError::validation(
        "QUERY_VALIDATION_ERROR",
        "The query string is invalid",
        vec![Detail {
            field: serde_field(&message, "query"),
            message: serde_message(&message),
            value: None,
        }],
    )
    .into()
}

fn path_error(err: PathError, _: &HttpRequest) -> actix_web::Error {
    let message = err.to_string();
    ApiError::validation(
        "PARAMS_VALIDATION_ERROR",
        "The path is invalid",
        vec![Detail {
            field: "path".into(),
            message,
            value: None,
        }],
    )
    .into()
}

fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            header::HeaderName::from_static("x-request-id"),
            header::HeaderName::from_static("ratelimit-limit"),
            header::HeaderName::from_static("ratelimit-remaining"),
            header::HeaderName::from_static("ratelimit-reset"),
            header::RETRY_AFTER,
        ])
        .supports_credentials()
        // Other origins get no CORS headers (the browser then blocks them); the request itself is
        // not refused, so non-browser clients are unaffected.
        .block_on_origin_mismatch(false)
        .max_age(600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// What the app mounts under the API's base path: every context for the server, the contexts
/// (often mocks) a handler test calls.
pub type Mount = Arc<dyn Fn(&mut apistos::web::ServiceConfig) + Send + Sync>;

/// The actix app with every route and middleware; used by the server and by handler tests. The
/// API is served under [`crate::middleware::API_BASE`] (documented there) and under `/api`, its
/// alias (see [`api_alias`]).
pub fn app(
    mount: Mount,
    health: web::Data<Health>,
    options: HttpOptions,
) -> actix_web::App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    actix_web::App::new()
        .document(crate::openapi::spec())
        .app_data(health)
        .app_data(options.rate_limit.clone())
        .app_data(web::Data::new(crate::audit_trail::AuditTrail(
            options.audit.clone(),
        )))
        .app_data(
            web::JsonConfig::default()
                .limit(options.body_limit)
                .error_handler(json_error),
        )
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::Data::new(BodyTimeout(options.body_timeout)))
        .wrap(from_fn(crate::audit_trail::audit_trail))
        .wrap(from_fn(crate::openapi::document_shell_statuses))
        .wrap(from_fn(api_alias))
        .wrap(from_fn(store_gate))
        .wrap(from_fn(body_deadline))
        .wrap(from_fn(rate_limit))
        // Inside the headers and the request id, so that its refusals get them too.
        .wrap(cors(&options.cors_origins))
        .wrap(from_fn(cors_refusals))
        .wrap(from_fn(security_headers))
        .wrap(from_fn(request_context))
        .configure(crate::health::configure_root)
        .service(scope(crate::middleware::API_BASE).configure(move |cfg| {
            crate::health::configure_api(cfg);
            mount(cfg);
        }))
        .default_service(web::to(|| async {
            Err::<actix_web::HttpResponse, _>(ApiError::route_not_found())
        }))
        .build_with(crate::openapi::PATH, BuildConfig::default())
        .configure(crate::docs::configure)
        .configure(move |cfg| crate::metrics::configure(cfg, options.metrics.clone()))
}

/// Opens the store (waiting for it, see [`Store::open`]) and builds every context on it.
pub async fn open(settings: &Settings) -> anyhow::Result<Contexts> {
    Contexts::wire(Store::open(&settings.store).await?, settings)
}

async fn bootstrap_admin(settings: &Settings, identity: &dyn IdentityApi) -> anyhow::Result<()> {
    let (Some(email), Some(password)) = (&settings.admin_email, &settings.admin_password) else {
        return Ok(());
    };
    let cmd = RegisterCommand {
        email: email.clone(),
        username: settings.admin_username.clone(),
        password: password.expose().to_owned(),
        first_name: None,
        last_name: None,
    };
    match identity.create_admin(cmd).await {
        Ok(user) => tracing::info!(user = %user.id, "created the admin account from ADMIN_EMAIL"),
        Err(IdentityError::EmailExists) => tracing::debug!("ADMIN_EMAIL account already exists"),
        Err(err) => {
            return Err(anyhow::anyhow!(
                "could not create the ADMIN_EMAIL account: {err:?}"
            ))
        }
    }
    Ok(())
}

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    activity: Arc<crate::contexts::analytics::pipeline::ActivityQueue>,
    _lock: crate::store::ServerLock,
}

impl Application {
    /// Opens the store, applies migrations, binds `settings.host:settings.port` (0 picks a free
    /// port) and prepares the server.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let lock = crate::store::ServerLock::acquire(&settings.store)?;
        let contexts = Contexts::wire(Store::connect(&settings.store).await?, &settings)?;
        let (store, identity) = (contexts.store.clone(), contexts.identity.clone());
        // A MongoDB server that is down at start is waited for in the background: meanwhile
        // /ready answers 503 and API requests a JSON 503 (see `store_gate`), until the indexes
        // and the admin account are in place (a client told "ready" can sign in as admin).
        match store.prepare().await {
            Ok(()) => {
                bootstrap_admin(&settings, identity.as_ref()).await?;
                store.mark_prepared();
            }
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "store unreachable at start; retrying in the background");
                let (store, identity, settings) =
                    (store.clone(), identity.clone(), settings.clone());
                tokio::spawn(async move {
                    loop {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        let prepared = async {
                            store.prepare().await?;
                            bootstrap_admin(&settings, identity.as_ref()).await
                        };
                        match prepared.await {
                            Ok(()) => break,
                            Err(e) => {
                                tracing::warn!(error = %format!("{e:#}"), "store not prepared yet")
                            }
                        }
                    }
                    store.mark_prepared();
                    tracing::info!("store reachable: indexes and admin account in place");
                });
            }
        }
        // SQLite has no TTL index: expired notifications are removed here (MongoDB's TTL monitor
        // does the same there; the purge is then a no-op).
        let purger = contexts.notifications.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(600));
            loop {
                tick.tick().await;
                if let Err(e) = purger.purge_expired().await {
                    tracing::warn!(error = %e, "purging expired notifications failed");
                }
            }
        });
        // Users' analytics figures that pages poll are read again ahead of their expiry, so the
        // pages are answered from memory (see `InsightsService`).
        let insights = contexts.insights.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(200));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = insights.keep_warm().await {
                    tracing::debug!(error = %e, "keeping analytics figures warm failed");
                }
            }
        });
        // Queued mails (milestones, weekly summaries) go out from here; each pass claims its
        // batch, so several instances share the work without sending a mail twice.
        if settings.mail_send_secs > 0 {
            let sender = contexts.notifications.clone();
            let every = Duration::from_secs(settings.mail_send_secs);
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(every);
                loop {
                    tick.tick().await;
                    loop {
                        match sender.send_mail(50).await {
                            Ok(run) => {
                                metrics::counter!("stackrush_mail_total", "outcome" => "sent")
                                    .increment(run.sent as u64);
                                metrics::counter!("stackrush_mail_total", "outcome" => "dropped")
                                    .increment(run.dropped as u64);
                                metrics::counter!("stackrush_mail_total", "outcome" => "retried")
                                    .increment(run.retried as u64);
                                metrics::counter!("stackrush_mail_total", "outcome" => "failed")
                                    .increment(run.failed as u64);
                                // A full batch: more may be due.
                                if run.sent + run.dropped + run.retried + run.failed < 50 {
                                    break;
                                }
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "sending queued mail failed; next pass retries");
                                break;
                            }
                        }
                    }
                }
            });
        }
        // A day's view keys keep a reader's views of a post from counting twice that day; older
        // ones are removed here (MongoDB's TTL index removes them there as well).
        let views = contexts.community.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(3600));
            loop {
                tick.tick().await;
                if let Err(e) = views.purge_views().await {
                    tracing::warn!(error = %e, "purging old view keys failed");
                }
            }
        });
        if settings.analytics_job_secs > 0 {
            crate::contexts::analytics::pipeline::spawn_job(
                contexts.events.clone(),
                contexts.jobs.clone(),
                contexts.digests.clone(),
                Arc::new(stackrush_kernel::SystemClock),
                Duration::from_secs(settings.analytics_job_secs),
                Duration::from_secs(settings.analytics_lease_secs),
            );
        }
        let activity = contexts.activity.clone();
        let health = web::Data::new(Health::new(Arc::new(store)));
        let audit = contexts.audit.clone();
        let mount: Mount = Arc::new(move |cfg| contexts.configure(cfg));
        let rate_limit = web::Data::from(RateLimit::new(settings.rate_limits));
        let shrinker = rate_limit.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                shrinker.shrink();
            }
        });
        let options = HttpOptions {
            cors_origins: settings.cors_origins.clone(),
            body_limit: settings.body_limit,
            body_timeout: Duration::from_secs(settings.body_timeout_secs),
            rate_limit,
            metrics: settings
                .metrics_token
                .as_ref()
                .map(crate::metrics::MetricsAccess::new),
            audit: Some(audit),
        };
        if options.metrics.is_some() {
            // Without a token nothing reads the figures: the facade's calls stay no-ops.
            crate::metrics::recorder();
        }
        let listener = TcpListener::bind((settings.host, settings.port))?;
        let port = listener.local_addr()?.port();
        let server = HttpServer::new(move || app(mount.clone(), health.clone(), options.clone()))
            .listen(listener)?
            .client_request_timeout(Duration::from_secs(10))
            .client_disconnect_timeout(Duration::from_secs(5))
            .keep_alive(Duration::from_secs(30))
            .shutdown_timeout(settings.shutdown_timeout_secs)
            .run();
        tracing::info!(address = %settings.host, port, "listening");
        Ok(Self {
            port,
            server,
            activity,
            _lock: lock,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM/SIGINT, then finishes in-flight requests and returns.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let Self {
            server,
            activity,
            _lock,
            ..
        } = self;
        let stopped = server.await;
        // What the last requests did reaches the event store before the process ends.
        activity.flush(Duration::from_secs(5)).await;
        stopped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_name_fields_and_never_rust_types() {
        let m = "invalid type: integer `5`, expected struct LoginRequest at line 1 column 1";
        assert_eq!(serde_field(m, "body"), "body", "a value is not a field");
        assert_eq!(
            serde_message(m),
            "invalid type: integer `5`, expected an object at line 1 column 1"
        );
        assert_eq!(
            serde_field("unknown field `roles`, expected one of `email`", "body"),
            "roles"
        );
        assert_eq!(
            serde_field("Query deserialize error: missing field `type`", "query"),
            "type"
        );
        assert_eq!(
            serde_field("at `code.testCases[0].weight`: invalid type", "body"),
            "code.testCases[0].weight"
        );
        assert_eq!(
            serde_field(
                "at `scenario`: unknown field `mood`, expected one of",
                "body"
            ),
            "scenario.mood"
        );
        assert_eq!(
            serde_message("invalid type: string \"x\", expected enum RoleDto"),
            "invalid type: string \"x\", expected one of the allowed values"
        );
        assert_eq!(
            serde_message("expected tuple struct Pair and expected unit struct Nil"),
            "expected an array and expected null"
        );
    }
}
