//! The scoring context over HTTP: attempts, submissions and their scoring, the XP ledger,
//! leaderboards and achievements.

pub mod adapters;
mod attempt_routes;
pub mod board_dto;
mod board_routes;
pub mod dto;
mod error;
mod submission_routes;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use apistos::web::ServiceConfig;
use stackrush_challenges::ChallengeApi;
use stackrush_identity::{Actor, IdentityApi};
use stackrush_kernel::{Clock, SystemClock};
use stackrush_notifications::NotificationApi;
use stackrush_scoring::{PlayerId, Ports, ScoringApi, ScoringService, Viewer};

use crate::contexts::identity;
use crate::http::Port;
use crate::store::Store;

/// The scoring service on `store`: challenges come from the challenges context, players'
/// listing, time zones and faces from the identity context, and its events become notifications.
pub fn wire(
    store: &Store,
    identity: Arc<dyn IdentityApi>,
    challenges: Arc<dyn ChallengeApi>,
    notifications: Arc<dyn NotificationApi>,
    learning: Arc<adapters::LearningLink>,
    activity: Arc<dyn stackrush_kernel::activity::ActivityLog>,
) -> Arc<dyn ScoringApi> {
    let stores = match store {
        Store::Sqlite(db) => stackrush_scoring_sqlite::stores(db),
        Store::Mongo(mongo) => stackrush_scoring_mongo::stores(&mongo.db),
    };
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    ScoringService::new(Ports {
        attempts: stores.attempts,
        submissions: stores.submissions,
        progress: stores.progress,
        boards: stores.boards,
        achievements: stores.achievements,
        catalog: Arc::new(adapters::ChallengesCatalog(challenges)),
        players: Arc::new(adapters::IdentityPlayers {
            users: identity::stores(store).users,
            identity,
        }),
        events: Arc::new(adapters::NotifyOnScoring {
            notifications,
            clock: clock.clone(),
            learning,
        }),
        activity,
        clock,
    })
    .into_api()
}

/// Registers the scoring port and its routes: `/challenges/{id}/start`, `/submissions/*`,
/// `/users/{id}/submissions`, `/users/{id}/xp-history`, `/challenges/{id}/submissions`,
/// `/leaderboard/*`, `/users/leaderboard`, `/achievements/*` and `/users/{id}/achievements`.
pub fn mount(cfg: &mut ServiceConfig, api: Arc<dyn ScoringApi>) {
    Port::register(cfg, api);
    attempt_routes::configure(cfg);
    submission_routes::configure(cfg);
    board_routes::configure(cfg);
}

/// The identity context's actor as the scoring context's player.
pub fn player(actor: &Actor) -> PlayerId {
    PlayerId::from_bytes(actor.id.bytes())
}

/// The identity context's actor as the scoring context's viewer.
pub fn viewer(actor: &Actor) -> Viewer {
    Viewer {
        player: player(actor),
        is_admin: actor.is_admin(),
    }
}
