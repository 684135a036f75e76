//! The community context over HTTP: posts, threaded comments, likes, bookmarks, trending, the
//! figures, moderation, follows, collaboration requests and mentorships.

mod adapters;
pub mod dto;
mod error;
mod mentorship_routes;
mod moderation_routes;
mod people_routes;
mod routes;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use apistos::web::ServiceConfig;
use stackrush_challenges::ChallengeApi;
use stackrush_community::{Caller, CommunityApi, CommunityService, MemberId, Ports, Stores};
use stackrush_identity::{Actor, IdentityApi, Role};
use stackrush_kernel::SystemClock;
use stackrush_notifications::NotificationApi;

use crate::contexts::identity;
use crate::http::Port;
use crate::store::Store;

/// The community context's store ports on `store`.
pub fn stores(store: &Store) -> Stores {
    match store {
        Store::Sqlite(db) => stackrush_community_sqlite::stores(db),
        Store::Mongo(mongo) => stackrush_community_mongo::stores(&mongo.db),
    }
}

/// The community service on `store`: members from identity, linked challenges from challenges,
/// social notifications through notifications.
pub fn wire(
    store: &Store,
    identity: Arc<dyn IdentityApi>,
    challenges: Arc<dyn ChallengeApi>,
    notifications: Arc<dyn NotificationApi>,
    activity: Arc<dyn stackrush_kernel::activity::ActivityLog>,
) -> Arc<dyn CommunityApi> {
    let Stores {
        posts,
        comments,
        reports,
        log,
        follows,
        collaborations,
        mentorships,
    } = stores(store);
    CommunityService::new(Ports {
        posts,
        comments,
        reports,
        log,
        follows,
        collaborations,
        mentorships,
        members: Arc::new(adapters::IdentityMembers {
            users: identity::stores(store).users,
            identity,
        }),
        challenges: Arc::new(adapters::PublicChallenges(challenges)),
        events: Arc::new(adapters::NotifyOnCommunity(notifications)),
        activity,
        clock: Arc::new(SystemClock),
    })
    .remembering(store.freshness())
    .into_api()
}

/// Registers the community port and `/community/*`.
pub fn mount(cfg: &mut ServiceConfig, api: Arc<dyn CommunityApi>) {
    Port::register(cfg, api);
    routes::configure(cfg);
    moderation_routes::configure(cfg);
    people_routes::configure(cfg);
    mentorship_routes::configure(cfg);
}

/// The identity context's actor as the community context's caller.
pub fn caller(actor: &Actor) -> Caller {
    Caller {
        id: MemberId::from_bytes(actor.id.bytes()),
        is_moderator: actor.is_admin() || actor.has_role(Role::Moderator),
        is_admin: actor.is_admin(),
    }
}
