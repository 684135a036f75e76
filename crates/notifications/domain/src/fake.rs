//! An in-memory implementation of the notification store port.

use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use stackrush_kernel::{Page, PageRequest, StoreError};

use crate::model::*;
use crate::ports::NotificationRepository;

/// Notifications in a vector.
#[derive(Debug, Default)]
pub struct InMemoryNotifications {
    items: Mutex<Vec<Notification>>,
}

fn live(n: &Notification, now: DateTime<Utc>) -> bool {
    n.expires_at.is_none_or(|t| t > now)
}

#[async_trait]
impl NotificationRepository for InMemoryNotifications {
    async fn insert_many(&self, new: &[Notification]) -> Result<usize, StoreError> {
        let mut items = self.items.lock().unwrap_or_else(|p| p.into_inner());
        let mut stored = 0;
        for n in new {
            let duplicate = n.dedup_key.is_some()
                && items
                    .iter()
                    .any(|o| o.recipient == n.recipient && o.dedup_key == n.dedup_key);
            if !duplicate {
                items.push(n.clone());
                stored += 1;
            }
        }
        Ok(stored)
    }

    async fn list(
        &self,
        recipient: RecipientId,
        f: &Filter,
        page: PageRequest,
        now: DateTime<Utc>,
    ) -> Result<Page<Notification>, StoreError> {
        let mut found: Vec<Notification> = self
            .items
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|n| n.recipient == recipient && live(n, now))
            .filter(|n| f.kind.is_none_or(|k| k == n.kind))
            .filter(|n| f.is_read.is_none_or(|r| r == n.is_read))
            .filter(|n| f.priority.is_none_or(|p| p == n.priority))
            .filter(|n| f.from.is_none_or(|t| n.created_at >= t))
            .filter(|n| f.to.is_none_or(|t| n.created_at <= t))
            .cloned()
            .collect();
        found.sort_by(|a, b| {
            let by = match f.sort {
                Sort::CreatedAt => a.created_at.cmp(&b.created_at),
                Sort::Priority => a.priority.rank().cmp(&b.priority.rank()),
            };
            let by = if f.descending { by.reverse() } else { by };
            by.then(b.created_at.cmp(&a.created_at))
                .then(b.id.cmp(&a.id))
        });
        Ok(Page::slice(found, page))
    }

    async fn unread_count(
        &self,
        recipient: RecipientId,
        now: DateTime<Utc>,
    ) -> Result<Unread, StoreError> {
        let items = self.items.lock().unwrap_or_else(|p| p.into_inner());
        let unread: Vec<_> = items
            .iter()
            .filter(|n| n.recipient == recipient && !n.is_read && live(n, now))
            .collect();
        Ok(Unread {
            count: unread.len() as u64,
            next_expiry: unread.iter().filter_map(|n| n.expires_at).min(),
        })
    }

    async fn mark_read(
        &self,
        recipient: RecipientId,
        id: NotificationId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut items = self.items.lock().unwrap_or_else(|p| p.into_inner());
        match items
            .iter_mut()
            .find(|n| n.id == id && n.recipient == recipient && live(n, now))
        {
            Some(n) => {
                if !n.is_read {
                    n.is_read = true;
                    n.read_at = Some(now);
                }
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn mark_all_read(
        &self,
        recipient: RecipientId,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut items = self.items.lock().unwrap_or_else(|p| p.into_inner());
        let mut changed = 0;
        for n in items
            .iter_mut()
            .filter(|n| n.recipient == recipient && !n.is_read && live(n, now))
        {
            n.is_read = true;
            n.read_at = Some(now);
            changed += 1;
        }
        Ok(changed)
    }

    async fn delete(&self, recipient: RecipientId, id: NotificationId) -> Result<bool, StoreError> {
        let mut items = self.items.lock().unwrap_or_else(|p| p.into_inner());
        let before = items.len();
        items.retain(|n| !(n.id == id && n.recipient == recipient));
        Ok(items.len() != before)
    }

    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut items = self.items.lock().unwrap_or_else(|p| p.into_inner());
        let before = items.len();
        items.retain(|n| live(n, now));
        Ok((before - items.len()) as u64)
    }
}

/// Queued mails in a vector.
#[derive(Debug, Default)]
pub struct InMemoryOutbox {
    mails: Mutex<Vec<crate::mail::QueuedMail>>,
}

impl InMemoryOutbox {
    /// Every mail, in queueing order.
    pub fn all(&self) -> Vec<crate::mail::QueuedMail> {
        self.mails.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

#[async_trait]
impl crate::mail::MailOutbox for InMemoryOutbox {
    async fn enqueue(&self, new: &[crate::mail::QueuedMail]) -> Result<usize, StoreError> {
        let mut mails = self.mails.lock().unwrap_or_else(|p| p.into_inner());
        let mut stored = 0;
        for m in new {
            if !mails
                .iter()
                .any(|o| o.recipient == m.recipient && o.key == m.key)
            {
                mails.push(m.clone());
                stored += 1;
            }
        }
        Ok(stored)
    }

    async fn holding(
        &self,
        key: &str,
        recipients: &[RecipientId],
    ) -> Result<Vec<RecipientId>, StoreError> {
        let mails = self.mails.lock().unwrap_or_else(|p| p.into_inner());
        Ok(recipients
            .iter()
            .copied()
            .filter(|r| mails.iter().any(|m| m.recipient == *r && m.key == key))
            .collect())
    }

    async fn claim(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<crate::mail::QueuedMail>, StoreError> {
        let mut mails = self.mails.lock().unwrap_or_else(|p| p.into_inner());
        let mut due: Vec<usize> = (0..mails.len())
            .filter(|&i| {
                mails[i].state == crate::mail::MailState::Queued && mails[i].next_try_at <= now
            })
            .collect();
        due.sort_by_key(|&i| (mails[i].next_try_at, mails[i].id));
        due.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(due
            .into_iter()
            .map(|i| {
                mails[i].attempts += 1;
                mails[i].next_try_at = until;
                mails[i].clone()
            })
            .collect())
    }

    async fn finish(
        &self,
        id: crate::mail::MailId,
        state: crate::mail::MailState,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut mails = self.mails.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(m) = mails.iter_mut().find(|m| m.id == id) {
            m.state = state;
            m.finished_at = Some(at);
        }
        Ok(())
    }

    async fn retry_at(&self, id: crate::mail::MailId, at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut mails = self.mails.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(m) = mails
            .iter_mut()
            .find(|m| m.id == id && m.state == crate::mail::MailState::Queued)
        {
            m.next_try_at = at;
        }
        Ok(())
    }

    async fn find(
        &self,
        id: crate::mail::MailId,
    ) -> Result<Option<crate::mail::QueuedMail>, StoreError> {
        let mails = self.mails.lock().unwrap_or_else(|p| p.into_inner());
        Ok(mails.iter().find(|m| m.id == id).cloned())
    }

    async fn purge_finished(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut mails = self.mails.lock().unwrap_or_else(|p| p.into_inner());
        let was = mails.len();
        mails.retain(|m| m.finished_at.is_none_or(|t| t >= before));
        Ok(u64::try_from(was - mails.len()).unwrap_or(0))
    }
}
