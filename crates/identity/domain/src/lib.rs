//! The StackRush identity context: accounts, credentials, sessions, profiles and preferences.
//!
//! Everything the context decides lives in [`IdentityService`]; it talks to the world only through
//! the outbound ports in [`ports`] (stores, password hashing, mail, other contexts, clock). The crate depends on no
//! web framework and no database driver, so any Rust program can link it with the adapters it wants:
//!
//! ```no_run
//! # async fn demo(users: std::sync::Arc<dyn stackrush_identity::ports::UserRepository>,
//! #               refresh: std::sync::Arc<dyn stackrush_identity::ports::RefreshTokenRepository>,
//! #               once: std::sync::Arc<dyn stackrush_identity::ports::LinkTokenRepository>,
//! #               throttle: std::sync::Arc<dyn stackrush_identity::ports::LoginThrottleRepository>,
//! #               bcrypt: std::sync::Arc<dyn stackrush_identity::ports::PasswordHasher>)
//! #   -> Result<(), stackrush_identity::IdentityError> {
//! use std::sync::Arc;
//! use stackrush_identity::{IdentityApi, IdentityConfig, IdentityService, Ports, RegisterCommand, Secrets};
//! use stackrush_identity::ports::{LogMailer, NoAccountEvents, NoPlayerFigures, NoSocialFigures};
//!
//! let service = IdentityService::new(
//!     Ports {
//!         users, refresh_tokens: refresh, link_tokens: once, login_throttle: throttle,
//!         hasher: bcrypt, // e.g. stackrush_identity_bcrypt::BcryptHasher::new(12)
//!         mailer: Arc::new(LogMailer), events: Arc::new(NoAccountEvents),
//!         figures: Arc::new(NoPlayerFigures), social: Arc::new(NoSocialFigures),
//!         activity: Arc::new(stackrush_kernel::activity::NoActivityLog),
//!         clock: Arc::new(stackrush_kernel::SystemClock),
//!     },
//!     IdentityConfig::new(Secrets::new("a-long-random-secret", "another-long-random-secret")),
//! );
//! service.register(RegisterCommand {
//!     email: "ada@example.com".into(), username: "ada".into(),
//!     password: "Analytical-Engine-1".into(), first_name: None, last_name: None,
//! }).await?;
//! # Ok(()) }
//! ```
//! A complete program is `examples/embedded.rs` in the SQLite adapter crate.

pub mod auth_cache;
pub mod avatar;
pub mod crypto;
pub mod error;
pub mod model;
pub mod ports;
pub mod service;
pub mod tokens;
mod validate;

#[cfg(feature = "fake")]
pub mod fake;

#[cfg(feature = "contract")]
pub mod contract;

#[cfg(test)]
mod avatar_tests;

pub use avatar::{AvatarApi, AvatarFiles, AvatarService};
pub use error::IdentityError;
pub use model::*;
pub use ports::Ports;
pub use service::{IdentityApi, IdentityConfig, IdentityService, MailContact, Secrets};
pub use tokens::{AccessClaims, TokenPair};

#[cfg(feature = "mock")]
pub use service::MockIdentityApi;
