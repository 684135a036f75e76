//! The learning context over HTTP: playlists and their lessons, enrolment, progress,
//! ratings and certificates.

mod adapters;
pub mod certificate_dto;
mod certificate_routes;
pub mod dto;
mod error;
mod routes;

use std::sync::Arc;

use apistos::web::ServiceConfig;
use stackrush_challenges::ChallengeApi;
use stackrush_files::FileStore;
use stackrush_identity::{Actor, IdentityApi, Role};
use stackrush_kernel::SystemClock;
use stackrush_learning::{
    Caller, Ed25519Signer, LearningApi, LearningService, MemberId, Ports, Stores,
};
use stackrush_notifications::NotificationApi;
use stackrush_scoring::ScoringApi;

use crate::http::Port;
use crate::store::Store;

/// The learning context's store ports on `store`.
pub fn stores(store: &Store) -> Stores {
    match store {
        Store::Sqlite(db) => stackrush_learning_sqlite::stores(db),
        Store::Mongo(mongo) => stackrush_learning_mongo::stores(&mongo.db),
    }
}

/// What the learning context reaches outside its store.
pub struct Neighbours {
    pub identity: Arc<dyn IdentityApi>,
    pub challenges: Arc<dyn ChallengeApi>,
    pub scoring: Arc<dyn ScoringApi>,
    pub notifications: Arc<dyn NotificationApi>,
    pub files: Arc<dyn FileStore>,
    pub activity: Arc<dyn stackrush_kernel::activity::ActivityLog>,
}

/// The learning service on `store`, with members from identity, challenges from the catalogue,
/// solves and XP from scoring, news through notifications, certificates signed with
/// `certificate_key` (base64 seed) and drawn into file storage, verified under `public_url`.
pub fn wire(
    store: &Store,
    neighbours: Neighbours,
    certificate_key: &str,
    public_url: &str,
) -> anyhow::Result<Arc<dyn LearningApi>> {
    let Neighbours {
        identity,
        challenges,
        scoring,
        notifications,
        files,
        activity,
    } = neighbours;
    let Stores {
        playlists,
        enrolments,
        certificates,
    } = stores(store);
    let signer = Ed25519Signer::from_base64(certificate_key)
        .map_err(|e| anyhow::anyhow!("the certificate signing key {e}"))?;
    Ok(LearningService::new(Ports {
        playlists,
        enrolments,
        members: Arc::new(adapters::IdentityMembers { identity }),
        challenges: Arc::new(adapters::CatalogueAndScoring {
            challenges,
            scoring: scoring.clone(),
        }),
        practice: Arc::new(adapters::ScoringPractice {
            scoring: scoring.clone(),
        }),
        rewards: Arc::new(adapters::ScoringRewards {
            scoring,
            notifications,
        }),
        certificates,
        certificate_files: Arc::new(adapters::StoredDrawings { files }),
        signer: Arc::new(signer),
        certificate_url: format!("{public_url}/api/certificates/"),
        activity,
        clock: Arc::new(SystemClock),
    })
    .into_api())
}

/// Registers the learning port and its routes.
pub fn mount(cfg: &mut ServiceConfig, api: Arc<dyn LearningApi>) {
    Port::register(cfg, api);
    routes::configure(cfg);
    certificate_routes::configure(cfg);
}

/// The identity context's actor as the learning context's caller.
pub fn caller(actor: &Actor) -> Caller {
    Caller {
        id: MemberId::from_bytes(actor.id.bytes()),
        is_admin: actor.is_admin(),
        is_premium: actor.has_role(Role::Premium),
        is_moderator: actor.has_role(Role::Moderator),
    }
}
