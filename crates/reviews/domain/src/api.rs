//! The reviews context's inbound port and the views it answers with.

use std::collections::HashMap;

use async_trait::async_trait;
use stackrush_kernel::{Page, PageRequest};

use crate::error::ReviewError;
use crate::model::*;

/// What a member writes: a rating 1–5, a title, the text and tags.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewDraft {
    pub rating: u8,
    pub title: String,
    pub content: String,
    pub tags: Vec<String>,
}

/// A review as a reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewView {
    pub review: Review,
    /// `None`: the account is gone.
    pub author: Option<Face>,
    /// `None`: the challenge is gone.
    pub challenge_title: Option<String>,
    /// Whether the reader marked it helpful (`false` when anonymous).
    pub marked_helpful: bool,
    /// The first replies, oldest first (on a single review; empty in lists).
    pub replies: Vec<ReplyView>,
}

/// A reply as a reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplyView {
    pub reply: Reply,
    pub author: Option<Face>,
    pub marked_helpful: bool,
}

/// The reviews context's inbound port.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ReviewsApi: Send + Sync {
    /// Reviews a public challenge the caller has a scored submission of. Errors: `Invalid`,
    /// `NotVerified`, `ChallengeNotFound`, `NotAttempted`, `AlreadyReviewed`.
    async fn create(
        &self,
        caller: Caller,
        challenge: ChallengeRef,
        draft: ReviewDraft,
    ) -> Result<ReviewView, ReviewError>;

    /// One live review with its first replies. Errors: `ReviewNotFound`.
    async fn review(&self, reader: Option<Caller>, id: ReviewId)
        -> Result<ReviewView, ReviewError>;

    /// The author rewrites their review. Errors: `Invalid`, `ReviewNotFound`, `Forbidden`.
    async fn update(
        &self,
        caller: Caller,
        id: ReviewId,
        draft: ReviewDraft,
    ) -> Result<ReviewView, ReviewError>;

    /// The author, a moderator or an admin deletes a review. Errors: `ReviewNotFound`,
    /// `Forbidden`.
    async fn delete(&self, caller: Caller, id: ReviewId) -> Result<(), ReviewError>;

    /// One page of live reviews. A named challenge must be public (`ChallengeNotFound`), a
    /// named author must exist (`MemberNotFound`); `Invalid` for a rating outside 1–5.
    async fn list(
        &self,
        reader: Option<Caller>,
        filter: ReviewFilter,
        sort: ReviewSort,
        page: PageRequest,
    ) -> Result<Page<ReviewView>, ReviewError>;

    /// Marks a review or reply helpful, or takes the mark back. Not on one's own. Errors:
    /// `NotVerified`, `ReviewNotFound`, `ReplyNotFound`, `OwnContent`.
    async fn toggle_helpful(&self, caller: Caller, target: Helpful)
        -> Result<Toggled, ReviewError>;

    /// Replies to a live review. Errors: `Invalid`, `NotVerified`, `ReviewNotFound`.
    async fn reply(
        &self,
        caller: Caller,
        review: ReviewId,
        content: String,
    ) -> Result<ReplyView, ReviewError>;

    /// One page of a live review's replies, oldest first. Errors: `ReviewNotFound`.
    async fn replies(
        &self,
        reader: Option<Caller>,
        review: ReviewId,
        page: PageRequest,
    ) -> Result<Page<ReplyView>, ReviewError>;

    /// The rating summaries of `challenges` (zero for those without reviews).
    async fn summaries(
        &self,
        challenges: &[ChallengeRef],
    ) -> Result<HashMap<ChallengeRef, RatingSummary>, ReviewError>;
}
