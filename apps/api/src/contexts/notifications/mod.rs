//! The notification centre over HTTP.

mod adapters;
pub mod dto;
mod error;
mod routes;

use std::sync::Arc;

use apistos::web::ServiceConfig;
use stackrush_identity::ports::Mailer;
use stackrush_identity::IdentityApi;
use stackrush_kernel::SystemClock;
use stackrush_notifications::mail::MailOutbox;
use stackrush_notifications::ports::NotificationRepository;
use stackrush_notifications::{NotificationApi, NotificationService, Ports};
use stackrush_notifications_mongo::{MongoNotifications, MongoOutbox};
use stackrush_notifications_sqlite::{SqliteNotifications, SqliteOutbox};

use crate::contexts::identity;
use crate::http::Port;
use crate::store::Store;

/// The notifications service on `store`; recipients' wishes and addresses come from identity,
/// mail goes out through `mailer`, with unsubscribe links to `public_url`'s API.
pub fn wire(
    store: &Store,
    identity: Arc<dyn IdentityApi>,
    mailer: Arc<dyn Mailer>,
    public_url: &str,
) -> Arc<dyn NotificationApi> {
    let (notifications, outbox): (Arc<dyn NotificationRepository>, Arc<dyn MailOutbox>) =
        match store {
            Store::Sqlite(db) => (
                Arc::new(SqliteNotifications::new(db.clone())),
                Arc::new(SqliteOutbox::new(db.clone())),
            ),
            Store::Mongo(mongo) => (
                Arc::new(MongoNotifications::new(&mongo.db)),
                Arc::new(MongoOutbox::new(&mongo.db)),
            ),
        };
    NotificationService::new(Ports {
        notifications,
        recipients: Arc::new(adapters::IdentityRecipients {
            users: identity::stores(store).users,
            identity,
            unsubscribe_url: format!(
                "{}{}/auth/unsubscribe",
                public_url.trim_end_matches('/'),
                crate::middleware::API_BASE
            ),
        }),
        outbox,
        postman: Arc::new(adapters::MailerPostman(mailer)),
        clock: Arc::new(SystemClock),
    })
    .remembering(store.freshness())
    .into_api()
}

/// Registers the notifications port and `/notifications/*`.
pub fn mount(cfg: &mut ServiceConfig, api: Arc<dyn NotificationApi>) {
    Port::register(cfg, api);
    routes::configure(cfg);
}
