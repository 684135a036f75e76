//! The identity context's outbound ports, served by other contexts.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use stackrush_community::{CommunityApi, MemberId};
use stackrush_identity::ports::{AccountEvent, AccountEvents, PlayerFigures, SocialFigures};
use stackrush_identity::{Social, Stats, UserId};
use stackrush_scoring::{PlayerId, ScoringApi};

/// Identity's links to the contexts built after it: account events reach scoring's leaderboards
/// (which list an account exactly while it is ranked) and the community (which withdraws a gone
/// member's likes, bookmarks and follows), and profiles read each player's figures from
/// scoring's progress and their follow counts from the community. Scoring and community are built after identity (they read it), so their
/// ports are bound once they exist, before the server serves anything.
#[derive(Default)]
pub struct ContextLinks {
    scoring: OnceLock<Arc<dyn ScoringApi>>,
    community: OnceLock<Arc<dyn CommunityApi>>,
}

impl ContextLinks {
    /// Reaches `scoring` from now on.
    pub fn bind_scoring(&self, scoring: Arc<dyn ScoringApi>) {
        if self.scoring.set(scoring).is_err() {
            tracing::warn!("the scoring link was bound twice; the first binding stays");
        }
    }

    /// Reaches `community` from now on.
    pub fn bind_community(&self, community: Arc<dyn CommunityApi>) {
        if self.community.set(community).is_err() {
            tracing::warn!("the community link was bound twice; the first binding stays");
        }
    }

    fn scoring(&self) -> anyhow::Result<&Arc<dyn ScoringApi>> {
        self.scoring
            .get()
            .ok_or_else(|| anyhow::anyhow!("the scoring context is not wired yet"))
    }

    fn community(&self) -> anyhow::Result<&Arc<dyn CommunityApi>> {
        self.community
            .get()
            .ok_or_else(|| anyhow::anyhow!("the community context is not wired yet"))
    }
}

#[async_trait]
impl AccountEvents for ContextLinks {
    async fn publish(&self, event: AccountEvent) -> anyhow::Result<()> {
        self.scoring()?
            .set_listed(PlayerId::from_bytes(event.user().bytes()), event.ranked())
            .await
            .map_err(|e| anyhow::anyhow!("scoring: {e}"))?;
        if matches!(
            event,
            AccountEvent::Deactivated { .. } | AccountEvent::Deleted { .. }
        ) {
            self.community()?
                .withdraw(MemberId::from_bytes(event.user().bytes()))
                .await
                .map_err(|e| anyhow::anyhow!("community: {e}"))?;
        }
        Ok(())
    }
}

#[async_trait]
impl PlayerFigures for ContextLinks {
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

#[async_trait]
impl SocialFigures for ContextLinks {
    async fn social(&self, users: &[UserId]) -> anyhow::Result<HashMap<UserId, Social>> {
        let members: Vec<MemberId> = users
            .iter()
            .map(|u| MemberId::from_bytes(u.bytes()))
            .collect();
        let counts = self
            .community()?
            .follow_counts(&members)
            .await
            .map_err(|e| anyhow::anyhow!("community: {e}"))?;
        Ok(counts
            .into_iter()
            .map(|(member, c)| {
                (
                    UserId::from_bytes(member.bytes()),
                    Social {
                        followers: c.followers,
                        following: c.following,
                    },
                )
            })
            .collect())
    }
}
