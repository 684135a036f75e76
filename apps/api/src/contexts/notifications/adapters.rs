//! The notifications context's outbound ports, served by other contexts.

use std::sync::Arc;

use async_trait::async_trait;
use stackrush_identity::ports::{Mailer, OutgoingMail, UserRepository};
use stackrush_identity::{IdentityApi, UserId};
use stackrush_notifications::mail::Postman;
use stackrush_notifications::ports::RecipientDirectory;
use stackrush_notifications::{Contact, Letter, RecipientId, Wants};

use crate::contexts::identity::live_account;

/// The notifications context's recipient directory, served by the identity context: wishes
/// from its user store, mail contacts (with their signed unsubscribe links) from its service.
pub struct IdentityRecipients {
    pub users: Arc<dyn UserRepository>,
    pub identity: Arc<dyn IdentityApi>,
    /// The unsubscribe route's public address, to which `?token=` is appended.
    pub unsubscribe_url: String,
}

#[async_trait]
impl RecipientDirectory for IdentityRecipients {
    async fn wants(&self, id: RecipientId) -> anyhow::Result<Option<Wants>> {
        let user = live_account(self.users.as_ref(), id.bytes()).await?;
        Ok(user.filter(|u| u.is_active).map(|u| Wants {
            achievements: u.preferences.notifications.achievements,
            challenges: u.preferences.notifications.challenges,
            social: u.preferences.notifications.social,
            email: u.preferences.notifications.email,
        }))
    }

    async fn contact(&self, id: RecipientId) -> anyhow::Result<Option<Contact>> {
        let found = self
            .identity
            .mail_contact(UserId::from_bytes(id.bytes()))
            .await
            .map_err(|e| anyhow::anyhow!("identity mail contact: {e}"))?;
        Ok(found.map(|c| Contact {
            address: c.email,
            name: c.username,
            email_wanted: c.notifications.email,
            unsubscribe_url: format!("{}?token={}", self.unsubscribe_url, c.unsubscribe_token),
        }))
    }
}

/// The notifications context's mail server: the app's one mailer (SMTP or `.eml` files).
pub struct MailerPostman(pub Arc<dyn Mailer>);

#[async_trait]
impl Postman for MailerPostman {
    async fn deliver(&self, letter: &Letter) -> anyhow::Result<()> {
        self.0
            .send(&OutgoingMail {
                to: letter.to.clone(),
                subject: letter.subject.clone(),
                text: letter.text.clone(),
                unsubscribe: Some(letter.unsubscribe_url.clone()),
            })
            .await
    }
}
