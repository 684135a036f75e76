//! Outbound ports of the notifications context.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use stackrush_kernel::{Clock, Page, PageRequest, StoreError};

use crate::mail::{Contact, MailOutbox, Postman};
use crate::model::{Filter, Notification, NotificationId, RecipientId, Unread, Wants};

/// Storage of notifications. Expired ones (`expires_at <= now`) are never listed or counted.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait NotificationRepository: Send + Sync {
    /// Stores new notifications, skipping any whose `(recipient, dedup_key)` exists; how many
    /// were stored.
    async fn insert_many(&self, items: &[Notification]) -> Result<usize, StoreError>;

    /// One page of `recipient`'s live notifications.
    async fn list(
        &self,
        recipient: RecipientId,
        filter: &Filter,
        page: PageRequest,
        now: DateTime<Utc>,
    ) -> Result<Page<Notification>, StoreError>;

    /// How many live unread notifications `recipient` has and when the first of them expires
    /// (an index range, not a scan).
    async fn unread_count(
        &self,
        recipient: RecipientId,
        now: DateTime<Utc>,
    ) -> Result<Unread, StoreError>;

    /// Marks one read (idempotent); whether it exists, is live and is `recipient`'s.
    async fn mark_read(
        &self,
        recipient: RecipientId,
        id: NotificationId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Marks every unread one read; how many changed.
    async fn mark_all_read(
        &self,
        recipient: RecipientId,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError>;

    /// Deletes one; whether it existed and was `recipient`'s.
    async fn delete(&self, recipient: RecipientId, id: NotificationId) -> Result<bool, StoreError>;

    /// Removes expired notifications; how many.
    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;
}

/// Recipients' delivery preferences, provided by the identity context.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait RecipientDirectory: Send + Sync {
    /// What the recipient wants; `None` when the account does not exist (nothing is delivered).
    async fn wants(&self, recipient: RecipientId) -> anyhow::Result<Option<Wants>>;

    /// Where to mail the recipient and whether they want email; `None` when the account does
    /// not exist or is deactivated.
    async fn contact(&self, recipient: RecipientId) -> anyhow::Result<Option<Contact>>;
}

/// Every port the service needs.
#[derive(Clone)]
pub struct Ports {
    pub notifications: Arc<dyn NotificationRepository>,
    pub recipients: Arc<dyn RecipientDirectory>,
    pub outbox: Arc<dyn MailOutbox>,
    pub postman: Arc<dyn Postman>,
    pub clock: Arc<dyn Clock>,
}
