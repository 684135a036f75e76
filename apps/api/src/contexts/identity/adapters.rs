//! The identity context's outbound ports, served by other contexts.

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use stackrush_identity::ports::{AccountEvent, AccountEvents};
use stackrush_scoring::{PlayerId, ScoringApi};

/// Account events reach scoring: the leaderboards list an account exactly while it is ranked.
/// Scoring is built after identity (it reads challenges, which read identity's authors), so the
/// scoring port is bound once it exists, before the server serves anything.
#[derive(Default)]
pub struct BoardListing(OnceLock<Arc<dyn ScoringApi>>);

impl BoardListing {
    /// Delivers events to `scoring` from now on.
    pub fn bind(&self, scoring: Arc<dyn ScoringApi>) {
        if self.0.set(scoring).is_err() {
            tracing::warn!("board listing bound twice; the first binding stays");
        }
    }
}

#[async_trait]
impl AccountEvents for BoardListing {
    async fn publish(&self, event: AccountEvent) -> anyhow::Result<()> {
        let scoring = self
            .0
            .get()
            .ok_or_else(|| anyhow::anyhow!("the scoring context is not wired yet"))?;
        scoring
            .set_listed(PlayerId::from_bytes(event.user().bytes()), event.ranked())
            .await
            .map_err(|e| anyhow::anyhow!("scoring: {e}"))
    }
}
