//! The identity context's outbound ports, served by other contexts.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use stackrush_identity::ports::{AccountEvent, AccountEvents, PlayerFigures};
use stackrush_identity::{Stats, UserId};
use stackrush_scoring::{PlayerId, ScoringApi};

/// Identity's link to the scoring context: account events reach the leaderboards (which list an
/// account exactly while it is ranked), and profiles read each player's figures from scoring's
/// progress. Scoring is built after identity (it reads challenges, which read identity's
/// authors), so the scoring port is bound once it exists, before the server serves anything.
#[derive(Default)]
pub struct ScoringLink(OnceLock<Arc<dyn ScoringApi>>);

impl ScoringLink {
    /// Reaches `scoring` from now on.
    pub fn bind(&self, scoring: Arc<dyn ScoringApi>) {
        if self.0.set(scoring).is_err() {
            tracing::warn!("the scoring link was bound twice; the first binding stays");
        }
    }

    fn scoring(&self) -> anyhow::Result<&Arc<dyn ScoringApi>> {
        self.0
            .get()
            .ok_or_else(|| anyhow::anyhow!("the scoring context is not wired yet"))
    }
}

#[async_trait]
impl AccountEvents for ScoringLink {
    async fn publish(&self, event: AccountEvent) -> anyhow::Result<()> {
        self.scoring()?
            .set_listed(PlayerId::from_bytes(event.user().bytes()), event.ranked())
            .await
            .map_err(|e| anyhow::anyhow!("scoring: {e}"))
    }
}

#[async_trait]
impl PlayerFigures for ScoringLink {
    async fn figures(&self, users: &[UserId]) -> anyhow::Result<HashMap<UserId, Stats>> {
        let scoring = self.scoring()?;
        let mut found = HashMap::with_capacity(users.len());
        for &user in users {
            let p = scoring
                .progress(PlayerId::from_bytes(user.bytes()))
                .await
                .map_err(|e| anyhow::anyhow!("scoring: {e}"))?;
            found.insert(
                user,
                Stats {
                    level: p.level,
                    xp: p.xp,
                    total_challenges: p.attempts,
                    completed_challenges: p.completed,
                    streak: p.streak.current,
                    last_active_date: p.last_active_at,
                },
            );
        }
        Ok(found)
    }
}
