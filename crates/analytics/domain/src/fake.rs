//! An in-memory implementation of the focus session store port.

use std::sync::Mutex;

use async_trait::async_trait;
use stackrush_kernel::{Page, PageRequest, StoreError};

use crate::model::*;
use crate::ports::FocusSessionRepository;

/// Sessions in a vector.
#[derive(Debug, Default)]
pub struct InMemoryFocusSessions {
    items: Mutex<Vec<FocusSession>>,
}

impl InMemoryFocusSessions {
    fn items(&self) -> std::sync::MutexGuard<'_, Vec<FocusSession>> {
        self.items.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl FocusSessionRepository for InMemoryFocusSessions {
    async fn insert(&self, session: &FocusSession) -> Result<(), StoreError> {
        self.items().push(session.clone());
        Ok(())
    }

    async fn find(
        &self,
        user: SubjectId,
        id: FocusSessionId,
    ) -> Result<Option<FocusSession>, StoreError> {
        Ok(self
            .items()
            .iter()
            .find(|s| s.id == id && s.user == user)
            .cloned())
    }

    async fn list(
        &self,
        user: SubjectId,
        f: &SessionFilter,
        page: PageRequest,
    ) -> Result<Page<FocusSession>, StoreError> {
        let mut found: Vec<FocusSession> = self
            .items()
            .iter()
            .filter(|s| s.user == user)
            .filter(|s| f.challenge.is_none_or(|c| s.challenge == Some(c)))
            .filter(|s| f.environment.is_none_or(|e| s.environment == e))
            .filter(|s| f.from.is_none_or(|t| s.start_time >= t))
            .filter(|s| f.to.is_none_or(|t| s.start_time <= t))
            .cloned()
            .collect();
        found.sort_by(|a, b| {
            let by = match f.sort {
                SessionSort::StartTime => a.start_time.cmp(&b.start_time),
                SessionSort::FocusScore => a.focus_score.cmp(&b.focus_score),
            };
            let by = if f.descending { by.reverse() } else { by };
            by.then(b.id.cmp(&a.id))
        });
        Ok(Page::slice(found, page))
    }

    async fn all(&self, user: SubjectId) -> Result<Vec<FocusSession>, StoreError> {
        Ok(self
            .items()
            .iter()
            .filter(|s| s.user == user)
            .cloned()
            .collect())
    }

    async fn average_focus(&self) -> Result<Option<f64>, StoreError> {
        let items = self.items();
        if items.is_empty() {
            return Ok(None);
        }
        Ok(Some(
            items.iter().map(|s| f64::from(s.focus_score)).sum::<f64>() / items.len() as f64,
        ))
    }

    async fn delete(&self, user: SubjectId, id: FocusSessionId) -> Result<bool, StoreError> {
        let mut items = self.items();
        let before = items.len();
        items.retain(|s| !(s.id == id && s.user == user));
        Ok(items.len() != before)
    }
}

/// The audit log in a vector.
#[derive(Debug, Default)]
pub struct InMemoryAuditLog {
    entries: Mutex<Vec<crate::audit::AuditEntry>>,
}

#[async_trait]
impl crate::audit::AuditRepository for InMemoryAuditLog {
    async fn append(&self, entry: &crate::audit::AuditEntry) -> Result<(), StoreError> {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(entry.clone());
        Ok(())
    }

    async fn list(
        &self,
        filter: &crate::audit::AuditFilter,
        page: PageRequest,
    ) -> Result<Page<crate::audit::AuditEntry>, StoreError> {
        let mut found: Vec<_> = self
            .entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|e| crate::audit::selects(filter, e))
            .cloned()
            .collect();
        found.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));
        Ok(Page::slice(found, page))
    }

    async fn exists(
        &self,
        actor: crate::audit::AuditActor,
        action: &str,
        address: &str,
    ) -> Result<bool, StoreError> {
        Ok(self
            .entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .any(|e| {
                e.actor == Some(actor)
                    && e.action == action
                    && e.address.as_deref() == Some(address)
            }))
    }
}
