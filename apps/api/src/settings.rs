//! Settings, read from the environment (a `.env` file is loaded first in development).

use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;

use chrono::Duration;

/// Which store the service runs on.
#[derive(Clone)]
pub enum StoreSettings {
    /// The embedded default: a SQLite file, created if missing.
    Sqlite { path: PathBuf },
    /// MongoDB (a replica set in production).
    Mongo { uri: String, database: String },
}

impl std::fmt::Debug for StoreSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // A URI may carry credentials: show only the database name.
            StoreSettings::Mongo { database, .. } => f
                .debug_struct("Mongo")
                .field("uri", &"<redacted>")
                .field("database", database)
                .finish(),
            StoreSettings::Sqlite { path } => f.debug_struct("Sqlite").field("path", path).finish(),
        }
    }
}

/// Where uploaded files are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileSettings {
    /// A directory (the default).
    Local { dir: PathBuf },
    /// An S3-compatible bucket; credentials from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`.
    S3(stackrush_files_object_store::S3Config),
}

/// Where mail goes.
#[derive(Clone)]
pub enum MailSettings {
    /// `.eml` files in a directory (development default).
    Files { dir: PathBuf },
    /// An SMTP server.
    Smtp { url: String },
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MailSettings::Files { dir } => f.debug_struct("Files").field("dir", dir).finish(),
            MailSettings::Smtp { .. } => f.write_str("Smtp { url: <redacted> }"),
        }
    }
}

/// Requests per minute allowed to one client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Every request.
    pub global_per_minute: u32,
    /// Credential routes (login, register, refresh, password reset): far stricter.
    pub auth_per_minute: u32,
    /// Use the address in `X-Forwarded-For`/`Forwarded` (only behind a trusted proxy).
    pub trust_proxy: bool,
}

/// Everything the service reads at start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub host: IpAddr,
    pub port: u16,
    pub store: StoreSettings,
    pub jwt_secret: Option<Secret>,
    pub refresh_secret: Option<Secret>,
    /// Base64 of the 32-byte Ed25519 seed certificates are signed with (else from the secrets
    /// file). Every instance must share it.
    pub certificate_key: Option<Secret>,
    /// Bearer token that `GET /metrics` takes; the route is off without one.
    pub metrics_token: Option<Secret>,
    /// Where generated secrets are kept when none are configured.
    pub secrets_file: PathBuf,
    pub bcrypt_cost: u32,
    /// How long a login or registration may wait for a password hashing thread (then 503).
    pub password_queue_timeout: std::time::Duration,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    /// How long a just-rotated refresh token answers with its successor (0 turns it off).
    pub refresh_grace: Duration,
    /// The login throttle (per login name and client address): the failure that first locks,
    /// the first lock (doubled per further failure), the longest lock, and how long failures
    /// are remembered.
    pub lockout_threshold: u32,
    pub lockout_base: Duration,
    pub lockout_max: Duration,
    pub lockout_forget: Duration,
    pub cors_origins: Vec<String>,
    pub app_url: String,
    pub mail: MailSettings,
    pub mail_from: String,
    pub files: FileSettings,
    /// This service's address as clients reach it; stored files are served under it.
    pub public_url: String,
    pub rate_limits: RateLimits,
    /// Largest JSON body accepted, in bytes.
    pub body_limit: usize,
    /// Seconds a request body may take to arrive (slow senders get a 408).
    pub body_timeout_secs: u64,
    pub log_json: bool,
    pub admin_email: Option<String>,
    pub admin_username: String,
    pub admin_password: Option<Secret>,
    pub shutdown_timeout_secs: u64,
    /// How often the daily analytics job looks for days to close, in seconds (0: never; another
    /// instance or `stackrush-api analytics rebuild` does it).
    pub analytics_job_secs: u64,
    /// How long the job's lease lasts without renewal, in seconds: how long a crashed instance
    /// keeps the others from the job.
    pub analytics_lease_secs: u64,
    /// How often queued mails (milestones, weekly summaries) are sent, in seconds (0: never).
    pub mail_send_secs: u64,
}

/// A secret string: `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself; call only where it is used.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A setting that could not be understood; names the variable.
#[derive(Debug, thiserror::Error)]
#[error("invalid value for {name}: {reason}")]
pub struct SettingsError {
    pub name: &'static str,
    pub reason: String,
}

fn parse<T: FromStr>(
    lookup: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
) -> Result<T, SettingsError>
where
    T::Err: std::fmt::Display,
{
    match lookup(name).filter(|v| !v.trim().is_empty()) {
        None => Ok(default),
        Some(value) => value.trim().parse().map_err(|e: T::Err| SettingsError {
            name,
            reason: e.to_string(),
        }),
    }
}

fn text(lookup: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    lookup(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn parse_bool(
    lookup: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    default: bool,
) -> Result<bool, SettingsError> {
    match text(lookup, name).map(|v| v.to_lowercase()) {
        None => Ok(default),
        Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(true),
        Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(false),
        Some(v) => Err(SettingsError {
            name,
            reason: format!("expected true or false, got {v:?}"),
        }),
    }
}

impl Settings {
    /// Settings from the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(&|name| std::env::var(name).ok())
    }

    /// Settings from any variable source (tests pass a map).
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let store = match text(lookup, "MONGODB_URI") {
            Some(uri) => StoreSettings::Mongo {
                uri,
                database: text(lookup, "MONGODB_DB").unwrap_or_else(|| "stackrush".to_owned()),
            },
            None => StoreSettings::Sqlite {
                path: PathBuf::from(
                    text(lookup, "DATABASE_PATH")
                        .unwrap_or_else(|| "./data/stackrush.db".to_owned()),
                ),
            },
        };
        let secrets_file = match (text(lookup, "SECRETS_FILE"), &store) {
            (Some(path), _) => PathBuf::from(path),
            (None, StoreSettings::Sqlite { path }) => path
                .parent()
                .map(|d| d.join("secrets.json"))
                .unwrap_or_else(|| PathBuf::from("secrets.json")),
            (None, StoreSettings::Mongo { .. }) => PathBuf::from("./data/secrets.json"),
        };
        let mail = match text(lookup, "SMTP_URL") {
            Some(url) => MailSettings::Smtp { url },
            None => MailSettings::Files {
                dir: PathBuf::from(
                    text(lookup, "MAIL_DIR").unwrap_or_else(|| "./data/mail".to_owned()),
                ),
            },
        };
        let files = match text(lookup, "STORAGE").as_deref() {
            None | Some("local") => FileSettings::Local {
                dir: match (text(lookup, "STORAGE_DIR"), &store) {
                    (Some(dir), _) => PathBuf::from(dir),
                    (None, StoreSettings::Sqlite { path }) => path
                        .parent()
                        .map(|d| d.join("files"))
                        .unwrap_or_else(|| PathBuf::from("files")),
                    (None, StoreSettings::Mongo { .. }) => PathBuf::from("./data/files"),
                },
            },
            Some("s3") => FileSettings::S3(stackrush_files_object_store::S3Config {
                bucket: text(lookup, "S3_BUCKET").ok_or_else(|| SettingsError {
                    name: "S3_BUCKET",
                    reason: "is required with STORAGE=s3".into(),
                })?,
                region: text(lookup, "S3_REGION").unwrap_or_else(|| "us-east-1".to_owned()),
                endpoint: text(lookup, "S3_ENDPOINT"),
            }),
            Some(other) => {
                return Err(SettingsError {
                    name: "STORAGE",
                    reason: format!("{other:?} is neither local nor s3"),
                })
            }
        };
        let port = parse(lookup, "PORT", 3000u16)?;
        let public_url = text(lookup, "PUBLIC_URL")
            .unwrap_or_else(|| format!("http://localhost:{port}"))
            .trim_end_matches('/')
            .to_owned();
        if !public_url.starts_with("http://") && !public_url.starts_with("https://") {
            return Err(SettingsError {
                name: "PUBLIC_URL",
                reason: format!("{public_url:?} is not an http(s) address"),
            });
        }
        let bcrypt_cost = parse(lookup, "BCRYPT_COST", 12u32)?;
        if !(4..=31).contains(&bcrypt_cost) {
            return Err(SettingsError {
                name: "BCRYPT_COST",
                reason: "must be between 4 and 31".into(),
            });
        }
        let cors_origins = text(lookup, "CORS_ORIGINS")
            .unwrap_or_else(|| "http://localhost:5173".to_owned())
            .split(',')
            .map(|o| o.trim().trim_end_matches('/').to_owned())
            .filter(|o| !o.is_empty())
            .collect::<Vec<_>>();
        if let Some(bad) = cors_origins
            .iter()
            .find(|o| *o == "*" || *o == "null" || !o.contains("://"))
        {
            return Err(SettingsError {
                name: "CORS_ORIGINS",
                reason: format!("{bad:?} is not an origin like https://app.example.com"),
            });
        }
        let jwt_secret = text(lookup, "JWT_SECRET").map(Secret::new);
        let refresh_secret = text(lookup, "REFRESH_TOKEN_SECRET").map(Secret::new);
        for (name, secret) in [
            ("JWT_SECRET", &jwt_secret),
            ("REFRESH_TOKEN_SECRET", &refresh_secret),
        ] {
            if secret.as_ref().is_some_and(|s| s.expose().len() < 32) {
                return Err(SettingsError {
                    name: if name == "JWT_SECRET" {
                        "JWT_SECRET"
                    } else {
                        "REFRESH_TOKEN_SECRET"
                    },
                    reason: "must be at least 32 characters".into(),
                });
            }
        }
        let metrics_token = text(lookup, "METRICS_TOKEN").map(Secret::new);
        if metrics_token
            .as_ref()
            .is_some_and(|t| t.expose().len() < 16)
        {
            return Err(SettingsError {
                name: "METRICS_TOKEN",
                reason: "must be at least 16 characters".into(),
            });
        }
        let certificate_key = text(lookup, "CERTIFICATE_SIGNING_KEY").map(Secret::new);
        if let Some(Err(reason)) = certificate_key
            .as_ref()
            .map(|k| stackrush_learning::Ed25519Signer::from_base64(k.expose()))
        {
            return Err(SettingsError {
                name: "CERTIFICATE_SIGNING_KEY",
                reason: format!("{reason} (base64 of a 32-byte Ed25519 seed)"),
            });
        }
        let lockout_base = parse(lookup, "LOCKOUT_BASE_SECS", 30i64)?.clamp(1, 86_400);
        let lockout_max =
            parse(lookup, "LOCKOUT_MAX_SECS", 1_800i64)?.clamp(lockout_base, 7 * 86_400);
        Ok(Self {
            host: parse(lookup, "HOST", IpAddr::from([127, 0, 0, 1]))?,
            port,
            store,
            jwt_secret,
            certificate_key,
            metrics_token,
            refresh_secret,
            secrets_file,
            bcrypt_cost,
            password_queue_timeout: std::time::Duration::from_secs(
                parse(lookup, "PASSWORD_QUEUE_TIMEOUT_SECS", 10u64)?.max(1),
            ),
            access_ttl: Duration::seconds(parse(lookup, "ACCESS_TOKEN_TTL_SECS", 900i64)?),
            refresh_ttl: Duration::seconds(parse(
                lookup,
                "REFRESH_TOKEN_TTL_SECS",
                7 * 24 * 3600i64,
            )?),
            refresh_grace: Duration::seconds(
                parse(lookup, "REFRESH_GRACE_SECS", 5i64)?.clamp(0, 60),
            ),
            lockout_threshold: parse(lookup, "LOCKOUT_THRESHOLD", 5u32)?.max(1),
            lockout_base: Duration::seconds(lockout_base),
            lockout_max: Duration::seconds(lockout_max),
            lockout_forget: Duration::seconds(
                parse(lookup, "LOCKOUT_FORGET_SECS", 86_400i64)?.clamp(lockout_max, 365 * 86_400),
            ),
            cors_origins,
            app_url: text(lookup, "APP_URL").unwrap_or_else(|| "http://localhost:5173".to_owned()),
            mail,
            mail_from: text(lookup, "MAIL_FROM")
                .unwrap_or_else(|| "StackRush <no-reply@stackrush.local>".to_owned()),
            files,
            public_url,
            rate_limits: RateLimits {
                global_per_minute: parse(lookup, "RATE_LIMIT_PER_MINUTE", 300u32)?,
                auth_per_minute: parse(lookup, "AUTH_RATE_LIMIT_PER_MINUTE", 20u32)?,
                trust_proxy: parse_bool(lookup, "TRUST_PROXY", false)?,
            },
            body_limit: parse(lookup, "BODY_LIMIT_BYTES", 1_048_576usize)?,
            body_timeout_secs: parse(lookup, "BODY_TIMEOUT_SECS", 10u64)?.max(1),
            log_json: text(lookup, "LOG_FORMAT").is_some_and(|f| f.eq_ignore_ascii_case("json")),
            admin_email: text(lookup, "ADMIN_EMAIL"),
            admin_username: text(lookup, "ADMIN_USERNAME").unwrap_or_else(|| "admin".to_owned()),
            admin_password: text(lookup, "ADMIN_PASSWORD").map(Secret::new),
            shutdown_timeout_secs: parse(lookup, "SHUTDOWN_TIMEOUT_SECS", 30u64)?,
            analytics_job_secs: parse(lookup, "ANALYTICS_JOB_SECS", 300u64)?,
            analytics_lease_secs: parse(lookup, "ANALYTICS_LEASE_SECS", 600u64)?.max(1),
            mail_send_secs: parse(lookup, "MAIL_SEND_SECS", 30u64)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_lookup(&|name| map.get(name).cloned())
    }

    #[test]
    fn files_go_beside_the_database_unless_an_s3_bucket_is_named() {
        let s = settings(&[("DATABASE_PATH", "/var/lib/sr/db.sqlite")]).unwrap();
        assert_eq!(
            s.files,
            FileSettings::Local {
                dir: PathBuf::from("/var/lib/sr/files")
            }
        );
        assert_eq!(s.public_url, "http://localhost:3000");
        let s = settings(&[
            ("STORAGE", "s3"),
            ("S3_BUCKET", "pics"),
            ("S3_ENDPOINT", "http://127.0.0.1:9000"),
            ("PUBLIC_URL", "https://api.example.com/"),
        ])
        .unwrap();
        assert_eq!(
            s.files,
            FileSettings::S3(stackrush_files_object_store::S3Config {
                bucket: "pics".into(),
                region: "us-east-1".into(),
                endpoint: Some("http://127.0.0.1:9000".into()),
            })
        );
        assert_eq!(s.public_url, "https://api.example.com");
        for (vars, name) in [
            (vec![("STORAGE", "s3")], "S3_BUCKET"),
            (vec![("STORAGE", "ftp")], "STORAGE"),
            (vec![("PUBLIC_URL", "api.example.com")], "PUBLIC_URL"),
        ] {
            assert_eq!(settings(&vars).unwrap_err().name, name);
        }
    }

    #[test]
    fn defaults_run_on_sqlite_at_localhost_3000() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.port, 3000);
        assert_eq!(s.host.to_string(), "127.0.0.1");
        assert!(
            matches!(s.store, StoreSettings::Sqlite { ref path } if path.ends_with("stackrush.db"))
        );
        assert_eq!(s.secrets_file, PathBuf::from("./data/secrets.json"));
        assert_eq!(s.cors_origins, vec!["http://localhost:5173"]);
        assert_eq!(s.bcrypt_cost, 12);
        assert_eq!(s.password_queue_timeout, std::time::Duration::from_secs(10));
    }

    #[test]
    fn mongodb_uri_selects_mongo_and_is_never_printed() {
        let s = settings(&[("MONGODB_URI", "mongodb://user:hunter2@db/?replicaSet=rs0")]).unwrap();
        assert!(
            matches!(s.store, StoreSettings::Mongo { ref database, .. } if database == "stackrush")
        );
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn bad_values_name_their_variable() {
        assert_eq!(settings(&[("PORT", "eighty")]).unwrap_err().name, "PORT");
        let bad_key = settings(&[("CERTIFICATE_SIGNING_KEY", "c2hvcnQ=")]).unwrap_err();
        assert_eq!(bad_key.name, "CERTIFICATE_SIGNING_KEY");
        assert!(
            !bad_key.reason.contains("c2hvcnQ"),
            "the value is never repeated"
        );
        assert_eq!(
            settings(&[("BCRYPT_COST", "2")]).unwrap_err().name,
            "BCRYPT_COST"
        );
        assert_eq!(
            settings(&[("CORS_ORIGINS", "*")]).unwrap_err().name,
            "CORS_ORIGINS"
        );
        assert_eq!(
            settings(&[("JWT_SECRET", "short")]).unwrap_err().name,
            "JWT_SECRET"
        );
        assert_eq!(
            settings(&[("TRUST_PROXY", "maybe")]).unwrap_err().name,
            "TRUST_PROXY"
        );
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let s = settings(&[
            ("JWT_SECRET", "x".repeat(40).as_str()),
            ("ADMIN_PASSWORD", "Sup3r-secret!"),
        ])
        .unwrap();
        let shown = format!("{s:?}");
        assert!(!shown.contains("xxxxxxxx"));
        assert!(!shown.contains("Sup3r-secret!"));
    }
}
