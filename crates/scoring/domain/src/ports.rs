//! Outbound ports of the scoring context.

use std::sync::Arc;

use async_trait::async_trait;
use stackrush_kernel::{Clock, StoreError};

use crate::model::{Attempt, AttemptId, ChallengeRef, PlayerId, ScoringChallenge};

/// Storage of attempts.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AttemptRepository: Send + Sync {
    /// Stores a new attempt.
    async fn insert(&self, attempt: &Attempt) -> Result<(), StoreError>;

    /// The attempt with this id.
    async fn find(&self, id: AttemptId) -> Result<Option<Attempt>, StoreError>;
}

/// Challenge data for scoring, provided by the challenges context.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ChallengeCatalog: Send + Sync {
    /// The challenge with everything scoring needs, if it exists and `player` may attempt it
    /// (public and active, or theirs); `None` otherwise.
    async fn for_scoring(
        &self,
        challenge: ChallengeRef,
        player: PlayerId,
    ) -> anyhow::Result<Option<ScoringChallenge>>;
}

/// Every port the service needs.
#[derive(Clone)]
pub struct Ports {
    pub attempts: Arc<dyn AttemptRepository>,
    pub catalog: Arc<dyn ChallengeCatalog>,
    pub clock: Arc<dyn Clock>,
}
