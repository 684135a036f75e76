//! The identity context over HTTP: accounts, sessions, profiles, preferences and admin user
//! management.

mod adapters;
mod auth_routes;
mod avatar_routes;
pub mod dto;
mod error;
#[cfg(test)]
mod tests;
mod user_routes;

use std::sync::Arc;

use apistos::web::ServiceConfig;
use stackrush_identity::ports::{Mailer, Ports, Stores, UserRepository};
use stackrush_identity::{
    AvatarApi, AvatarFiles, AvatarService, IdentityApi, IdentityConfig, IdentityService,
    LockoutPolicy, Secrets, User, UserId,
};
use stackrush_identity_bcrypt::BcryptHasher;
use stackrush_kernel::SystemClock;

use crate::http::Port;
use crate::settings::{MailSettings, Settings};
use crate::store::Store;

pub use adapters::ContextLinks;

/// The identity service on `store`, configured from `settings` (signing secrets generated into
/// `SECRETS_FILE` when not set); account changes reach the leaderboards and the community, and
/// players' figures come from the scoring context, through `links`.
pub fn wire(
    store: &Store,
    settings: &Settings,
    links: Arc<ContextLinks>,
    activity: Arc<dyn stackrush_kernel::activity::ActivityLog>,
) -> anyhow::Result<Arc<dyn IdentityApi>> {
    let (jwt, refresh) = crate::secrets::load_or_create(settings)?;
    let secrets = Secrets::new(jwt.expose(), refresh.expose());
    let stores = stores(store);
    let mailer = mailer(settings)?;
    let mut config = IdentityConfig::new(secrets);
    config.access_ttl = settings.access_ttl;
    config.refresh_ttl = settings.refresh_ttl;
    config.refresh_grace = settings.refresh_grace;
    config.lockout = LockoutPolicy {
        threshold: settings.lockout_threshold,
        base_delay: settings.lockout_base,
        max_delay: settings.lockout_max,
        forget_after: settings.lockout_forget,
    };
    config.app_url = settings.app_url.clone();
    config.freshness = store.freshness();
    let ports = Ports {
        users: stores.users,
        refresh_tokens: stores.refresh_tokens,
        link_tokens: stores.link_tokens,
        login_throttle: stores.login_throttle,
        hasher: Arc::new(
            BcryptHasher::new(settings.bcrypt_cost)
                .waiting_at_most(settings.password_queue_timeout),
        ),
        mailer,
        events: links.clone(),
        figures: links.clone(),
        social: links,
        activity,
        clock: Arc::new(SystemClock),
    };
    Ok(IdentityService::new(ports, config).into_api())
}

/// The mail server `settings` name: SMTP, or `.eml` files in a directory (development). Every
/// context's mail goes through it.
pub fn mailer(settings: &Settings) -> anyhow::Result<Arc<dyn Mailer>> {
    Ok(match &settings.mail {
        MailSettings::Files { dir } => Arc::new(stackrush_identity_mail::FileMailer::new(
            dir.clone(),
            &settings.mail_from,
        )?),
        MailSettings::Smtp { url } => Arc::new(stackrush_identity_mail::SmtpMailer::new(
            url,
            &settings.mail_from,
        )?),
    })
}

/// The avatar use case on `store`, keeping pictures in `files`.
pub fn wire_avatars(store: &Store, files: Arc<dyn AvatarFiles>) -> Arc<dyn AvatarApi> {
    Arc::new(AvatarService::new(
        stores(store).users,
        files,
        Arc::new(SystemClock),
    ))
}

/// Registers the avatar port and its route (`/users/avatar`, before `/users/{id}`).
pub fn mount_avatars(cfg: &mut ServiceConfig, api: Arc<dyn AvatarApi>) {
    Port::register(cfg, api);
    avatar_routes::configure(cfg);
}

/// The identity context's store ports on `store`.
pub fn stores(store: &Store) -> Stores {
    match store {
        Store::Sqlite(db) => stackrush_identity_sqlite::stores(db),
        Store::Mongo(mongo) => stackrush_identity_mongo::stores(&mongo.db),
    }
}

/// Registers the identity port (which every context's `Auth` extractor uses) and the routes
/// under fixed paths: `/auth/*`, `/users/profile`, `/users/preferences`, `/users/account`,
/// `/users`, `/users/username/{username}`.
pub fn mount(cfg: &mut ServiceConfig, api: Arc<dyn IdentityApi>) {
    Port::register(cfg, api);
    auth_routes::configure(cfg);
    user_routes::configure(cfg);
}

/// `/users/{id}`: mounted after every context's literal `/users/…` paths.
pub fn mount_by_id(cfg: &mut ServiceConfig) {
    user_routes::configure_by_id(cfg);
}

/// The account behind another context's user id (the same 12 bytes), unless it was deleted.
pub async fn live_account(
    users: &dyn UserRepository,
    id: [u8; 12],
) -> anyhow::Result<Option<User>> {
    let user = users
        .find_by_id(UserId::from_bytes(id))
        .await
        .map_err(|e| anyhow::anyhow!("identity users: {e}"))?;
    Ok(user.filter(|u| u.deleted_at.is_none()))
}
