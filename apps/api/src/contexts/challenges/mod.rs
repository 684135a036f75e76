//! The challenges context over HTTP: the catalogue, its filters, stats and authoring.

mod adapters;
pub mod catalogue;

pub use adapters::ReviewsLink;
pub mod dto;
mod error;
mod routes;

use std::sync::Arc;

use apistos::web::ServiceConfig;
use stackrush_challenges::{AuthorId, Caller, ChallengeApi, ChallengeService, Ports};
use stackrush_challenges_mongo::MongoChallenges;
use stackrush_challenges_sqlite::SqliteChallenges;
use stackrush_identity::{Actor, IdentityApi, Role};
use stackrush_kernel::SystemClock;

use crate::http::Port;
use crate::store::Store;

/// The challenges service on `store`; authors' names come from the identity context, ratings
/// from the reviews (bound to `reviews` once they exist).
pub fn wire(
    store: &Store,
    identity: Arc<dyn IdentityApi>,
    reviews: Arc<ReviewsLink>,
) -> Arc<dyn ChallengeApi> {
    ChallengeService::new(Ports {
        challenges: match store {
            Store::Sqlite(db) => Arc::new(SqliteChallenges::new(db.clone())),
            Store::Mongo(mongo) => Arc::new(MongoChallenges::new(&mongo.db)),
        },
        authors: Arc::new(adapters::IdentityAuthors(identity)),
        ratings: reviews,
        clock: Arc::new(SystemClock),
    })
    .remembering(store.freshness())
    .into_api()
}

/// Registers the challenges port and `/challenges/*` (except `/challenges/{id}/start`, scoring's).
pub fn mount(cfg: &mut ServiceConfig, api: Arc<dyn ChallengeApi>) {
    Port::register(cfg, api);
    routes::configure(cfg);
}

/// The identity context's actor as the challenges context's caller.
pub fn caller(actor: &Actor) -> Caller {
    Caller {
        id: AuthorId::from_bytes(actor.id.bytes()),
        is_admin: actor.is_admin(),
        can_create: actor.is_admin() || actor.has_role(Role::Moderator),
    }
}
