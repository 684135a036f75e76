//! The notification centre over HTTP.

mod adapters;
pub mod dto;
mod error;
mod routes;

use std::sync::Arc;

use apistos::web::ServiceConfig;
use stackrush_kernel::SystemClock;
use stackrush_notifications::{NotificationApi, NotificationService, Ports};
use stackrush_notifications_mongo::MongoNotifications;
use stackrush_notifications_sqlite::SqliteNotifications;

use crate::contexts::identity;
use crate::http::Port;
use crate::store::Store;

/// The notifications service on `store`; recipients' wishes come from identity's accounts.
pub fn wire(store: &Store) -> Arc<dyn NotificationApi> {
    NotificationService::new(Ports {
        notifications: match store {
            Store::Sqlite(db) => Arc::new(SqliteNotifications::new(db.clone())),
            Store::Mongo(mongo) => Arc::new(MongoNotifications::new(&mongo.db)),
        },
        recipients: Arc::new(adapters::IdentityRecipients(identity::stores(store).users)),
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
