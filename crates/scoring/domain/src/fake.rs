//! In-memory implementations of the scoring store ports.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use stackrush_kernel::StoreError;

use crate::model::{Attempt, AttemptId};
use crate::ports::AttemptRepository;

/// Attempts in a map.
#[derive(Debug, Default)]
pub struct InMemoryAttempts {
    items: Mutex<HashMap<AttemptId, Attempt>>,
}

#[async_trait]
impl AttemptRepository for InMemoryAttempts {
    async fn insert(&self, attempt: &Attempt) -> Result<(), StoreError> {
        let mut items = self.items.lock().unwrap_or_else(|p| p.into_inner());
        items.insert(attempt.id, attempt.clone());
        Ok(())
    }

    async fn find(&self, id: AttemptId) -> Result<Option<Attempt>, StoreError> {
        Ok(self
            .items
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned())
    }
}
