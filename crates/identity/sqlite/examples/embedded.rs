//! Using the identity context from any Rust program, without HTTP: an in-memory SQLite store,
//! register, sign in, refresh, read the profile.
//!
//! Run: `cargo run -p stackrush-identity-sqlite --example embedded`

use std::sync::Arc;

use stackrush_identity::ports::{
    LogMailer, NoAccountEvents, NoPlayerFigures, NoSocialFigures, Ports,
};
use stackrush_identity::{IdentityApi, IdentityConfig, IdentityService, RegisterCommand, Secrets};
use stackrush_identity_bcrypt::BcryptHasher;
use stackrush_identity_sqlite::{
    migrate, SqliteLinkTokens, SqliteLoginThrottle, SqliteRefreshTokens, SqliteUsers,
};
use stackrush_kernel::SystemClock;
use stackrush_store_sqlite::open_in_memory;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let pool = open_in_memory().await?;
    migrate(&pool).await?;
    let ports = Ports {
        users: Arc::new(SqliteUsers::new(pool.clone())),
        refresh_tokens: Arc::new(SqliteRefreshTokens::new(pool.clone())),
        link_tokens: Arc::new(SqliteLinkTokens::new(pool.clone())),
        login_throttle: Arc::new(SqliteLoginThrottle::new(pool)),
        hasher: Arc::new(BcryptHasher::new(4)),
        mailer: Arc::new(LogMailer),
        events: Arc::new(NoAccountEvents),
        figures: Arc::new(NoPlayerFigures),
        social: Arc::new(NoSocialFigures),
        activity: Arc::new(stackrush_kernel::activity::NoActivityLog),
        clock: Arc::new(SystemClock),
    };
    let secrets = Secrets::new(
        "an-example-jwt-secret-of-enough-length",
        "an-example-refresh-secret-of-enough-length",
    );
    let identity: Arc<dyn IdentityApi> =
        IdentityService::new(ports, IdentityConfig::new(secrets)).into_api();

    let user = identity
        .register(RegisterCommand {
            email: "grace@example.com".into(),
            username: "grace".into(),
            password: "Compiler-1952!".into(),
            first_name: Some("Grace".into()),
            last_name: Some("Hopper".into()),
        })
        .await
        .map_err(|e| anyhow::anyhow!("register: {e:?}"))?;
    let (_, tokens) = identity
        .login(
            "grace".into(),
            "Compiler-1952!".into(),
            std::net::IpAddr::from([127, 0, 0, 1]),
        )
        .await
        .map_err(|e| anyhow::anyhow!("login: {e:?}"))?;
    let actor = identity
        .authenticate(tokens.access_token)
        .await
        .map_err(|e| anyhow::anyhow!("authenticate: {e:?}"))?;
    let (_, rotated) = identity
        .refresh(tokens.refresh_token)
        .await
        .map_err(|e| anyhow::anyhow!("refresh: {e:?}"))?;
    let profile = identity
        .profile(actor)
        .await
        .map_err(|e| anyhow::anyhow!("profile: {e:?}"))?;
    assert_eq!(profile.id, user.id);
    println!(
        "registered and signed in {} ({}); refresh token rotated: {}",
        profile.username,
        profile.id,
        !rotated.refresh_token.is_empty()
    );
    Ok(())
}
