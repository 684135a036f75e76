//! The reviews context over HTTP: challenge reviews, replies, helpful marks and ratings; code
//! reviews of submissions.

mod adapters;
pub mod code_dto;
mod code_routes;
pub mod dto;
mod error;
mod routes;

use std::sync::Arc;

use apistos::web::ServiceConfig;
use stackrush_challenges::ChallengeApi;
use stackrush_identity::{Actor, IdentityApi, Role};
use stackrush_kernel::SystemClock;
use stackrush_notifications::NotificationApi;
use stackrush_reviews::{
    Caller, CodePorts, CodeReviewService, CodeReviewsApi, MemberId, Ports, ReviewService,
    ReviewsApi, Stores,
};
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

/// The reviews context's two inbound ports.
#[derive(Clone)]
pub struct Reviews {
    pub reviews: Arc<dyn ReviewsApi>,
    pub code_reviews: Arc<dyn CodeReviewsApi>,
}

/// The reviews services on `store`: members from identity, challenges from challenges, tries
/// and submissions from scoring, notifications to code review authors.
pub fn wire(
    store: &Store,
    identity: Arc<dyn IdentityApi>,
    challenges: Arc<dyn ChallengeApi>,
    scoring: Arc<dyn ScoringApi>,
    notifications: Arc<dyn NotificationApi>,
) -> Reviews {
    let Stores {
        reviews,
        code_reviews,
    } = stores(store);
    let members = Arc::new(adapters::IdentityMembers {
        users: identity::stores(store).users,
        identity,
    });
    Reviews {
        reviews: ReviewService::new(Ports {
            reviews,
            members: members.clone(),
            challenges: Arc::new(adapters::PublicChallenges(challenges)),
            attempts: Arc::new(adapters::ScoredAttempts(scoring.clone())),
            clock: Arc::new(SystemClock),
        })
        .into_api(),
        code_reviews: CodeReviewService::new(CodePorts {
            code_reviews,
            submissions: Arc::new(adapters::OwnedSubmissions(scoring.clone())),
            members,
            events: Arc::new(adapters::NotifyOnReviews(notifications)),
            rewards: Arc::new(adapters::ScoringRewards(scoring)),
            clock: Arc::new(SystemClock),
        })
        .into_api(),
    }
}

/// Registers the reviews ports and their routes.
pub fn mount(cfg: &mut ServiceConfig, api: &Reviews) {
    Port::register(cfg, api.reviews.clone());
    Port::register(cfg, api.code_reviews.clone());
    routes::configure(cfg);
    code_routes::configure(cfg);
}

/// The identity context's actor as the reviews context's caller.
pub fn caller(actor: &Actor) -> Caller {
    Caller {
        id: MemberId::from_bytes(actor.id.bytes()),
        is_moderator: actor.is_admin() || actor.has_role(Role::Moderator),
        is_admin: actor.is_admin(),
    }
}
