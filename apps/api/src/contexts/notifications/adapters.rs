//! The notifications context's outbound ports, served by other contexts.

use std::sync::Arc;

use async_trait::async_trait;
use stackrush_identity::ports::UserRepository;
use stackrush_notifications::ports::RecipientDirectory;
use stackrush_notifications::{RecipientId, Wants};

use crate::contexts::identity::live_account;

/// The notifications context's recipient directory, served by the identity context's user store.
pub struct IdentityRecipients(pub Arc<dyn UserRepository>);

#[async_trait]
impl RecipientDirectory for IdentityRecipients {
    async fn wants(&self, id: RecipientId) -> anyhow::Result<Option<Wants>> {
        let user = live_account(self.0.as_ref(), id.bytes()).await?;
        Ok(user.filter(|u| u.is_active).map(|u| Wants {
            achievements: u.preferences.notifications.achievements,
            challenges: u.preferences.notifications.challenges,
            social: u.preferences.notifications.social,
        }))
    }
}
