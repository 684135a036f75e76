//! The challenges context's outbound ports, served by other contexts.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use std::sync::OnceLock;

use stackrush_challenges::ports::{AuthorDirectory, ChallengeRatings};
use stackrush_challenges::{AuthorId, AuthorSummary, ChallengeId, Ratings};
use stackrush_identity::{IdentityApi, UserId};
use stackrush_reviews::{ChallengeRef, ReviewsApi};

/// The challenges context's author directory, served by the identity context.
pub struct IdentityAuthors(pub Arc<dyn IdentityApi>);

#[async_trait]
impl AuthorDirectory for IdentityAuthors {
    async fn summaries(
        &self,
        ids: &[AuthorId],
    ) -> anyhow::Result<HashMap<AuthorId, AuthorSummary>> {
        let ids = ids
            .iter()
            .map(|id| UserId::from_bytes(id.bytes()))
            .collect();
        let found = self
            .0
            .summaries(ids)
            .await
            .map_err(|e| anyhow::anyhow!("identity summaries: {e}"))?;
        Ok(found
            .into_iter()
            .map(|u| {
                let id = AuthorId::from_bytes(u.id.bytes());
                (
                    id,
                    AuthorSummary {
                        id,
                        username: u.username,
                        first_name: u.first_name,
                        last_name: u.last_name,
                        avatar: u.avatar,
                    },
                )
            })
            .collect())
    }
}

/// The challenges context's link to the reviews, which keep each challenge's ratings. The
/// reviews context is built after this one (it reads challenges), so it is bound once it
/// exists, before the server serves anything.
#[derive(Default)]
pub struct ReviewsLink(OnceLock<Arc<dyn ReviewsApi>>);

impl ReviewsLink {
    /// Reaches `reviews` from now on.
    pub fn bind(&self, reviews: Arc<dyn ReviewsApi>) {
        if self.0.set(reviews).is_err() {
            tracing::warn!("the reviews link was bound twice; the first binding stays");
        }
    }
}

#[async_trait]
impl ChallengeRatings for ReviewsLink {
    async fn ratings(&self, ids: &[ChallengeId]) -> anyhow::Result<HashMap<ChallengeId, Ratings>> {
        let reviews = self
            .0
            .get()
            .ok_or_else(|| anyhow::anyhow!("the reviews context is not wired yet"))?;
        let refs: Vec<ChallengeRef> = ids
            .iter()
            .map(|id| ChallengeRef::from_bytes(id.bytes()))
            .collect();
        let found = reviews
            .summaries(&refs)
            .await
            .map_err(|e| anyhow::anyhow!("reviews: {e}"))?;
        Ok(found
            .into_iter()
            .map(|(c, s)| {
                (
                    ChallengeId::from_bytes(c.bytes()),
                    Ratings {
                        histogram: s.histogram,
                    },
                )
            })
            .collect())
    }
}
