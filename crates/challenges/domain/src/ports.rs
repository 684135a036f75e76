//! Outbound ports of the challenges context.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use stackrush_kernel::{Clock, Page, PageRequest, StoreError};

use crate::model::{
    AuthorId, AuthorSummary, Challenge, ChallengeFilter, ChallengeId, Ratings, Visibility,
};

/// Storage of challenges.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ChallengeRepository: Send + Sync {
    /// Stores a new challenge. MUST return `Conflict { key: "slug" }` when the slug is taken (by
    /// any challenge, deleted ones included) and store nothing.
    async fn insert(&self, challenge: &Challenge) -> Result<(), StoreError>;

    /// The challenge with this id, deleted or not.
    async fn find_by_id(&self, id: ChallengeId) -> Result<Option<Challenge>, StoreError>;

    /// The challenge with this slug, deleted or not.
    async fn find_by_slug(&self, slug: &str) -> Result<Option<Challenge>, StoreError>;

    /// Replaces everything an author edits (title, slug, texts, code, scenario, flags) and
    /// `updated_at`, leaving id, author, stats and creation time as stored. `Conflict { key:
    /// "slug" }` when the new slug is taken; `Ok(false)` when there is no such challenge.
    async fn replace_content(&self, challenge: &Challenge) -> Result<bool, StoreError>;

    /// Marks the challenge deleted at `at`; `Ok(false)` when there is none (or it already is).
    async fn soft_delete(&self, id: ChallengeId, at: DateTime<Utc>) -> Result<bool, StoreError>;

    /// A page of challenges visible under `visibility` that match `filter`, in its order (ties
    /// broken by id, newest first).
    async fn list(
        &self,
        filter: &ChallengeFilter,
        visibility: Visibility,
        page: PageRequest,
    ) -> Result<Page<Challenge>, StoreError>;

    /// Public active challenges per category, most populated first.
    async fn category_counts(&self) -> Result<Vec<(String, u64)>, StoreError>;
}

/// Display data of users, provided by whoever owns them.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AuthorDirectory: Send + Sync {
    /// Summaries of the given users that exist; unknown ids are left out.
    async fn summaries(&self, ids: &[AuthorId])
        -> anyhow::Result<HashMap<AuthorId, AuthorSummary>>;
}

/// Each challenge's ratings, provided by whoever keeps the reviews.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ChallengeRatings: Send + Sync {
    /// The ratings of those of `ids` that have reviews; the rest are left out.
    async fn ratings(&self, ids: &[ChallengeId]) -> anyhow::Result<HashMap<ChallengeId, Ratings>>;
}

/// Nobody reviews (a program that links the challenges context without the reviews).
pub struct NoRatings;

#[async_trait]
impl ChallengeRatings for NoRatings {
    async fn ratings(&self, _: &[ChallengeId]) -> anyhow::Result<HashMap<ChallengeId, Ratings>> {
        Ok(HashMap::new())
    }
}

/// Every port the service needs.
#[derive(Clone)]
pub struct Ports {
    pub challenges: Arc<dyn ChallengeRepository>,
    pub authors: Arc<dyn AuthorDirectory>,
    pub ratings: Arc<dyn ChallengeRatings>,
    pub clock: Arc<dyn Clock>,
}
