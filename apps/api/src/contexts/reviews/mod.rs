//! The reviews context over HTTP: challenge reviews, replies, helpful marks and ratings.

mod adapters;
pub mod dto;
mod error;
mod routes;

use std::sync::Arc;

use apistos::web::ServiceConfig;
use stackrush_challenges::ChallengeApi;
use stackrush_identity::{Actor, IdentityApi, Role};
use stackrush_kernel::SystemClock;
use stackrush_reviews::{Caller, MemberId, Ports, ReviewService, ReviewsApi, Stores};
use stackrush_scoring::ScoringApi;

use crate::contexts::identity;
use crate::http::Port;
use crate::store::Store;

/// The reviews context's store ports on `store`.
pub fn stores(store: &Store) -> Stores {
    match store {
        Store::Sqlite(db) => stackrush_reviews_sqlite::stores(db),
        Store::Mongo(mongo) => stackrush_reviews_mongo::stores(&mongo.db),
    }
}

/// The reviews service on `store`: members from identity, challenges from challenges, tries
/// from scoring.
pub fn wire(
    store: &Store,
    identity: Arc<dyn IdentityApi>,
    challenges: Arc<dyn ChallengeApi>,
    scoring: Arc<dyn ScoringApi>,
) -> Arc<dyn ReviewsApi> {
    let Stores { reviews } = stores(store);
    ReviewService::new(Ports {
        reviews,
        members: Arc::new(adapters::IdentityMembers {
            users: identity::stores(store).users,
            identity,
        }),
        challenges: Arc::new(adapters::PublicChallenges(challenges)),
        attempts: Arc::new(adapters::ScoredAttempts(scoring)),
        clock: Arc::new(SystemClock),
    })
    .into_api()
}

/// Registers the reviews port and its routes.
pub fn mount(cfg: &mut ServiceConfig, api: Arc<dyn ReviewsApi>) {
    Port::register(cfg, api);
    routes::configure(cfg);
}

/// The identity context's actor as the reviews context's caller.
pub fn caller(actor: &Actor) -> Caller {
    Caller {
        id: MemberId::from_bytes(actor.id.bytes()),
        is_moderator: actor.is_admin() || actor.has_role(Role::Moderator),
    }
}
