//! The learning context over HTTP: playlists and their lessons, enrolment, progress and
//! ratings.

mod adapters;
pub mod dto;
mod error;
mod routes;

use std::sync::Arc;

use apistos::web::ServiceConfig;
use stackrush_challenges::ChallengeApi;
use stackrush_identity::{Actor, IdentityApi, Role};
use stackrush_kernel::SystemClock;
use stackrush_learning::{Caller, LearningApi, LearningService, MemberId, Ports, Stores};
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

/// The learning service on `store`, with members from identity, challenges from the catalogue,
/// solves and XP from scoring and news through notifications.
pub fn wire(
    store: &Store,
    identity: Arc<dyn IdentityApi>,
    challenges: Arc<dyn ChallengeApi>,
    scoring: Arc<dyn ScoringApi>,
    notifications: Arc<dyn NotificationApi>,
) -> Arc<dyn LearningApi> {
    let Stores {
        playlists,
        enrolments,
    } = stores(store);
    LearningService::new(Ports {
        playlists,
        enrolments,
        members: Arc::new(adapters::IdentityMembers { identity }),
        challenges: Arc::new(adapters::CatalogueAndScoring {
            challenges,
            scoring: scoring.clone(),
        }),
        rewards: Arc::new(adapters::ScoringRewards {
            scoring,
            notifications,
        }),
        clock: Arc::new(SystemClock),
    })
    .into_api()
}

/// Registers the learning port and its routes.
pub fn mount(cfg: &mut ServiceConfig, api: Arc<dyn LearningApi>) {
    Port::register(cfg, api);
    routes::configure(cfg);
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
