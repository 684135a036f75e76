//! The notification centre over HTTP.

mod adapters;
pub mod dto;
mod error;
mod routes;

use std::sync::Arc;

use apistos::web::ServiceConfig;
use stackrush_kernel::SystemClock;
use stackrush_notifications::{NotificationApi, NotificationService, Ports};

use crate::http::Port;
use crate::store::Store;

/// The notifications service on `store`; recipients' wishes come from identity's accounts.
pub fn wire(store: &Store) -> Arc<dyn NotificationApi> {
    NotificationService::new(Ports {
        notifications: store.notifications(),
        recipients: Arc::new(adapters::IdentityRecipients(store.identity().users)),
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
