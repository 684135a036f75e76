//! An in-memory challenge store and author directory, for tests and trying the crate out.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use stackrush_kernel::{Page, PageRequest, StoreError};

use crate::model::*;
use crate::ports::{AuthorDirectory, ChallengeRepository};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Challenges in a map.
#[derive(Debug, Default)]
pub struct InMemoryChallenges {
    items: Mutex<HashMap<ChallengeId, Challenge>>,
}

impl InMemoryChallenges {
    /// How many challenges are stored, deleted ones included.
    pub fn len(&self) -> usize {
        lock(&self.items).len()
    }

    /// Whether none is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Whether `c` is visible under `v` (never when deleted).
pub fn visible(c: &Challenge, v: Visibility) -> bool {
    c.deleted_at.is_none()
        && match v {
            Visibility::Everything => true,
            Visibility::Public { also_author } => {
                (c.is_public && c.is_active) || also_author == Some(c.author)
            }
        }
}

/// Whether `c` passes `f`: the semantics every adapter implements.
pub fn matches(c: &Challenge, f: &ChallengeFilter) -> bool {
    if let Some(search) = &f.search {
        let needle = search.to_lowercase();
        let hit = c.title.to_lowercase().contains(&needle)
            || c.description.to_lowercase().contains(&needle)
            || c.tags.iter().any(|t| t.contains(&needle));
        if !hit {
            return false;
        }
    }
    f.kind.is_none_or(|k| c.kind == k)
        && f.difficulty.is_none_or(|d| c.difficulty == d)
        && f.category.as_ref().is_none_or(|cat| &c.category == cat)
        && (f.tags.is_empty() || f.tags.iter().any(|t| c.tags.contains(t)))
        && f.max_time_limit.is_none_or(|m| c.time_limit <= m)
        && f.author.is_none_or(|a| c.author == a)
}

/// The list order every adapter implements: the sort key, then newest id first.
pub fn compare(a: &Challenge, b: &Challenge, f: &ChallengeFilter) -> Ordering {
    let by_key = match f.sort {
        SortKey::CreatedAt => a.created_at.cmp(&b.created_at),
        SortKey::Title => a.title.cmp(&b.title),
        SortKey::Difficulty => a.difficulty.rank().cmp(&b.difficulty.rank()),
        SortKey::Popularity => a
            .stats
            .popularity_score
            .total_cmp(&b.stats.popularity_score),
        SortKey::TotalAttempts => a.stats.total_attempts.cmp(&b.stats.total_attempts),
        SortKey::AverageScore => a.stats.average_score.total_cmp(&b.stats.average_score),
    };
    let by_key = if f.descending {
        by_key.reverse()
    } else {
        by_key
    };
    by_key.then(b.id.cmp(&a.id))
}

#[async_trait]
impl ChallengeRepository for InMemoryChallenges {
    async fn insert(&self, challenge: &Challenge) -> Result<(), StoreError> {
        let mut items = lock(&self.items);
        if items.values().any(|c| c.slug == challenge.slug) {
            return Err(StoreError::conflict("slug"));
        }
        items.insert(challenge.id, challenge.clone());
        Ok(())
    }

    async fn find_by_id(&self, id: ChallengeId) -> Result<Option<Challenge>, StoreError> {
        Ok(lock(&self.items).get(&id).cloned())
    }

    async fn find_by_slug(&self, slug: &str) -> Result<Option<Challenge>, StoreError> {
        Ok(lock(&self.items).values().find(|c| c.slug == slug).cloned())
    }

    async fn replace_content(&self, challenge: &Challenge) -> Result<bool, StoreError> {
        let mut items = lock(&self.items);
        if items
            .values()
            .any(|c| c.slug == challenge.slug && c.id != challenge.id)
        {
            return Err(StoreError::conflict("slug"));
        }
        let Some(stored) = items.get_mut(&challenge.id) else {
            return Ok(false);
        };
        let keep = (
            stored.author,
            stored.stats.clone(),
            stored.created_at,
            stored.deleted_at,
        );
        *stored = challenge.clone();
        (
            stored.author,
            stored.stats,
            stored.created_at,
            stored.deleted_at,
        ) = keep;
        Ok(true)
    }

    async fn soft_delete(&self, id: ChallengeId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut items = lock(&self.items);
        match items.get_mut(&id) {
            Some(c) if c.deleted_at.is_none() => {
                c.deleted_at = Some(at);
                c.updated_at = at;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn list(
        &self,
        filter: &ChallengeFilter,
        visibility: Visibility,
        page: PageRequest,
    ) -> Result<Page<Challenge>, StoreError> {
        let items = lock(&self.items);
        let mut found: Vec<Challenge> = items
            .values()
            .filter(|c| visible(c, visibility) && matches(c, filter))
            .cloned()
            .collect();
        found.sort_by(|a, b| compare(a, b, filter));
        Ok(Page::slice(found, page))
    }

    async fn category_counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let items = lock(&self.items);
        let mut counts: HashMap<String, u64> = HashMap::new();
        for c in items
            .values()
            .filter(|c| visible(c, Visibility::Public { also_author: None }))
        {
            *counts.entry(c.category.clone()).or_default() += 1;
        }
        let mut counts: Vec<_> = counts.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(counts)
    }
}

/// Authors from a fixed map.
#[derive(Debug, Default)]
pub struct InMemoryAuthors {
    pub authors: Mutex<HashMap<AuthorId, AuthorSummary>>,
}

#[async_trait]
impl AuthorDirectory for InMemoryAuthors {
    async fn summaries(
        &self,
        ids: &[AuthorId],
    ) -> anyhow::Result<HashMap<AuthorId, AuthorSummary>> {
        let authors = lock(&self.authors);
        Ok(ids
            .iter()
            .filter_map(|id| authors.get(id).map(|a| (*id, a.clone())))
            .collect())
    }
}
