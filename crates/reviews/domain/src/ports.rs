//! What the reviews context needs from the world: its store, members and challenges as other
//! contexts know them, and whether a member tried a challenge.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use stackrush_kernel::{Clock, Page, PageRequest, StoreError};

use crate::model::*;

/// Storage of reviews, replies, helpful marks and rating summaries.
///
/// Every write that moves a count moves it in the same transaction as the row it counts: a
/// review's rating with the challenge's summary, a reply with its review's reply count, a
/// helpful mark (one per member and target, under a unique key) with the target's count.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ReviewRepository: Send + Sync {
    /// Stores a new live review and adds its rating to the challenge's summary; `false`
    /// (nothing stored) when its author has a live review of that challenge already.
    async fn insert(&self, review: &Review) -> Result<bool, StoreError>;

    /// The review, live or deleted.
    async fn get(&self, id: ReviewId) -> Result<Option<Review>, StoreError>;

    /// Replaces the rating, title, content, tags and `updated_at` of a live review, moving the
    /// challenge's summary from the stored rating to the new one. Whether it was live.
    async fn update(&self, review: &Review) -> Result<bool, StoreError>;

    /// Deletes a live review (soft) and takes its rating out of the summary. Whether it was
    /// live.
    async fn delete(&self, id: ReviewId, at: DateTime<Utc>) -> Result<bool, StoreError>;

    /// One page of live reviews.
    async fn list(
        &self,
        filter: &ReviewFilter,
        sort: ReviewSort,
        page: PageRequest,
    ) -> Result<Page<Review>, StoreError>;

    /// Stores a reply to a live review and counts it; `false` (nothing stored) when the
    /// review is not live.
    async fn add_reply(&self, reply: &Reply) -> Result<bool, StoreError>;

    /// The reply.
    async fn reply(&self, id: ReplyId) -> Result<Option<Reply>, StoreError>;

    /// One page of a review's replies, oldest first.
    async fn replies(&self, review: ReviewId, page: PageRequest)
        -> Result<Page<Reply>, StoreError>;

    /// Sets `member`'s helpful mark on `target`, or takes it back when set, moving the count
    /// with it. `None` (nothing changed) when the target or its review is not live.
    async fn toggle_helpful(
        &self,
        target: Helpful,
        member: MemberId,
        at: DateTime<Utc>,
    ) -> Result<Option<Toggled>, StoreError>;

    /// Which of `targets` `member` marked helpful.
    async fn marked(
        &self,
        member: MemberId,
        targets: &[Helpful],
    ) -> Result<HashSet<Helpful>, StoreError>;

    /// The rating summaries of `challenges` (those without live reviews are left out).
    async fn summaries(
        &self,
        challenges: &[ChallengeRef],
    ) -> Result<HashMap<ChallengeRef, RatingSummary>, StoreError>;
}

/// Members as the identity context knows them.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Members: Send + Sync {
    /// Whether the member may write (an active account with a verified email); `None` when
    /// there is no such account.
    async fn may_write(&self, member: MemberId) -> anyhow::Result<Option<bool>>;

    /// How the given members are shown; members without a live account are left out.
    async fn faces(&self, members: &[MemberId]) -> anyhow::Result<HashMap<MemberId, Face>>;
}

/// Challenges as the challenges context publishes them.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Challenges: Send + Sync {
    /// The challenge if it exists and is public.
    async fn public(&self, challenge: ChallengeRef) -> anyhow::Result<Option<ChallengeFacts>>;

    /// The titles of those of `challenges` that exist (any visibility: reviews keep their
    /// challenge's name even if it is later hidden).
    async fn titles(
        &self,
        challenges: &[ChallengeRef],
    ) -> anyhow::Result<HashMap<ChallengeRef, String>>;
}

/// Attempts as the scoring context records them.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Attempts: Send + Sync {
    /// Whether `member` has a scored (not pending) submission of `challenge`.
    async fn has_scored(&self, member: MemberId, challenge: ChallengeRef) -> anyhow::Result<bool>;
}

/// The reviews context's store ports, as one adapter crate provides them.
#[derive(Clone)]
pub struct Stores {
    pub reviews: Arc<dyn ReviewRepository>,
}

/// Every port the service needs.
#[derive(Clone)]
pub struct Ports {
    pub reviews: Arc<dyn ReviewRepository>,
    pub members: Arc<dyn Members>,
    pub challenges: Arc<dyn Challenges>,
    pub attempts: Arc<dyn Attempts>,
    pub clock: Arc<dyn Clock>,
}
