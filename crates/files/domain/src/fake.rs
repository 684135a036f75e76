//! An in-memory implementation of the file store port.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use stackrush_kernel::StoreError;

use crate::{FileKey, FileStore};

/// Files in a sorted map.
#[derive(Debug, Default)]
pub struct InMemoryFiles {
    files: Mutex<BTreeMap<FileKey, Vec<u8>>>,
}

impl InMemoryFiles {
    fn files(&self) -> std::sync::MutexGuard<'_, BTreeMap<FileKey, Vec<u8>>> {
        self.files.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl FileStore for InMemoryFiles {
    async fn put(&self, key: &FileKey, bytes: Vec<u8>) -> Result<(), StoreError> {
        self.files().insert(key.clone(), bytes);
        Ok(())
    }

    async fn get(&self, key: &FileKey) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.files().get(key).cloned())
    }

    async fn delete(&self, key: &FileKey) -> Result<(), StoreError> {
        self.files().remove(key);
        Ok(())
    }

    async fn list(&self, prefix: &FileKey) -> Result<Vec<FileKey>, StoreError> {
        let under = format!("{}/", prefix.as_str());
        Ok(self
            .files()
            .keys()
            .filter(|k| k.as_str().starts_with(&under))
            .cloned()
            .collect())
    }
}
