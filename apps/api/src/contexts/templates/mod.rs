//! The templates context over HTTP: the catalogue, versions, stars, forks and zip downloads;
//! code-runner projects, their share links and exports.

mod adapters;
pub mod dto;
mod error;
pub mod project_dto;
mod project_routes;
mod routes;

use std::sync::Arc;

use apistos::web::ServiceConfig;
use stackrush_identity::{Actor, IdentityApi};
use stackrush_kernel::SystemClock;
use stackrush_templates::ports::ThumbnailFiles;
use stackrush_templates::{
    Caller, MemberId, Ports, ProjectPorts, ProjectService, ProjectsApi, Stores, TemplateService,
    TemplatesApi,
};

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

/// The templates context's two inbound ports.
#[derive(Clone)]
pub struct Templates {
    pub templates: Arc<dyn TemplatesApi>,
    pub projects: Arc<dyn ProjectsApi>,
}

/// The templates and projects services on `store`, with members from identity and thumbnails
/// in `files`.
pub fn wire(
    store: &Store,
    identity: Arc<dyn IdentityApi>,
    files: Arc<dyn ThumbnailFiles>,
    activity: Arc<dyn stackrush_kernel::activity::ActivityLog>,
) -> Templates {
    let Stores {
        templates,
        projects,
    } = stores(store);
    let members = Arc::new(adapters::IdentityMembers {
        users: identity::stores(store).users,
        identity,
    });
    Templates {
        templates: TemplateService::new(Ports {
            templates: templates.clone(),
            members: members.clone(),
            files,
            activity,
            clock: Arc::new(SystemClock),
        })
        .into_api(),
        projects: ProjectService::new(ProjectPorts {
            projects,
            templates,
            members,
            clock: Arc::new(SystemClock),
        })
        .into_api(),
    }
}

/// Registers the templates and projects ports and their routes.
pub fn mount(cfg: &mut ServiceConfig, api: &Templates) {
    Port::register(cfg, api.templates.clone());
    Port::register(cfg, api.projects.clone());
    routes::configure(cfg);
    project_routes::configure(cfg);
}

/// The identity context's actor as the templates context's caller.
pub fn caller(actor: &Actor) -> Caller {
    Caller {
        id: MemberId::from_bytes(actor.id.bytes()),
        is_admin: actor.is_admin(),
    }
}
