//! The templates context over HTTP: the catalogue, versions, stars, forks and zip downloads.

mod adapters;
pub mod dto;
mod error;
mod routes;

use std::sync::Arc;

use apistos::web::ServiceConfig;
use stackrush_identity::{Actor, IdentityApi};
use stackrush_kernel::SystemClock;
use stackrush_templates::ports::ThumbnailFiles;
use stackrush_templates::{Caller, MemberId, Ports, Stores, TemplateService, TemplatesApi};

use crate::contexts::identity;
use crate::http::Port;
use crate::store::Store;

/// The templates context's store ports on `store`.
pub fn stores(store: &Store) -> Stores {
    match store {
        Store::Sqlite(db) => stackrush_templates_sqlite::stores(db),
        Store::Mongo(mongo) => stackrush_templates_mongo::stores(&mongo.db),
    }
}

/// The templates service on `store`, with members from identity and thumbnails in `files`.
pub fn wire(
    store: &Store,
    identity: Arc<dyn IdentityApi>,
    files: Arc<dyn ThumbnailFiles>,
) -> Arc<dyn TemplatesApi> {
    let Stores { templates } = stores(store);
    TemplateService::new(Ports {
        templates,
        members: Arc::new(adapters::IdentityMembers {
            users: identity::stores(store).users,
            identity,
        }),
        files,
        clock: Arc::new(SystemClock),
    })
    .into_api()
}

/// Registers the templates port and its routes.
pub fn mount(cfg: &mut ServiceConfig, api: Arc<dyn TemplatesApi>) {
    Port::register(cfg, api);
    routes::configure(cfg);
}

/// The identity context's actor as the templates context's caller.
pub fn caller(actor: &Actor) -> Caller {
    Caller {
        id: MemberId::from_bytes(actor.id.bytes()),
        is_admin: actor.is_admin(),
    }
}
