//! The challenges context's outbound ports, served by other contexts.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use stackrush_challenges::ports::AuthorDirectory;
use stackrush_challenges::{AuthorId, AuthorSummary};
use stackrush_identity::{IdentityApi, UserId};

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
