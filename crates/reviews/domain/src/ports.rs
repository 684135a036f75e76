//! What the reviews context needs from the world: its store, members and challenges as other
//! contexts know them, and whether a member tried a challenge.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use stackrush_kernel::{Clock, Page, PageRequest, StoreError};

use crate::code::*;
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

/// Storage of code reviews and their comments.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait CodeReviewRepository: Send + Sync {
    /// Stores a new request; `false` (nothing stored) when its submission is under review
    /// already (a unique key on the submission under review).
    async fn insert(&self, review: &CodeReview) -> Result<bool, StoreError>;

    /// The code review.
    async fn get(&self, id: CodeReviewId) -> Result<Option<CodeReview>, StoreError>;

    /// One page: pending ones oldest first (a queue; `Pending` also holds claims lapsed at
    /// `now`), others latest changed first.
    async fn list(
        &self,
        filter: &CodeReviewFilter,
        now: DateTime<Utc>,
        page: PageRequest,
    ) -> Result<Page<CodeReview>, StoreError>;

    /// `reviewer` claims a pending review, or one whose claim lapsed at `at`: it becomes in
    /// review with them, active from `at`. Whether they won it (one conditional write: of
    /// concurrent claimants exactly one wins).
    async fn claim(
        &self,
        id: CodeReviewId,
        reviewer: MemberId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// The active reviewer decides (in review, their claim not lapsed at `at`). Whether it was.
    async fn decide(
        &self,
        id: CodeReviewId,
        reviewer: MemberId,
        decision: &Decision,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Back to pending on `submission` (version + 1, no reviewer, decision cleared) from
    /// changes-requested. `Ok(false)` when it was not in changes-requested; a `Conflict` when
    /// `submission` is under another review.
    async fn re_request(
        &self,
        id: CodeReviewId,
        submission: &ReviewedSubmission,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Replaces the author's message while the review is pending or changes were requested.
    /// Whether it was.
    async fn set_message(
        &self,
        id: CodeReviewId,
        message: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Stores a comment and counts it; when its author is the active reviewer, their claim is
    /// active from the comment's time. `false` (nothing stored) when the review is gone.
    async fn add_comment(&self, comment: &CodeComment) -> Result<bool, StoreError>;

    /// The comment.
    async fn comment(&self, id: CodeCommentId) -> Result<Option<CodeComment>, StoreError>;

    /// One page of a review's comments, oldest first (every version's).
    async fn comments(
        &self,
        review: CodeReviewId,
        page: PageRequest,
    ) -> Result<Page<CodeComment>, StoreError>;
}

/// A submission and its code, as the scoring context keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmittedCode {
    pub submission: ReviewedSubmission,
    pub code: String,
}

/// Submissions as the scoring context keeps them.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Submissions: Send + Sync {
    /// The submission if it is `owner`'s (and still kept).
    async fn of_owner(
        &self,
        owner: MemberId,
        id: SubmissionRef,
    ) -> anyhow::Result<Option<SubmittedCode>>;
}

/// XP for reviewers, as the scoring context pays it (its ledger, its rules: once per review,
/// a daily cap).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ReviewerRewards: Send + Sync {
    /// Pays `reviewer` for completing `review`; the XP paid (0 when it was paid already or the
    /// day's cap is reached).
    async fn reward(&self, reviewer: MemberId, review: CodeReviewId) -> anyhow::Result<u64>;
}

/// Nobody pays (a program that links the reviews without scoring).
pub struct NoRewards;

#[async_trait]
impl ReviewerRewards for NoRewards {
    async fn reward(&self, _: MemberId, _: CodeReviewId) -> anyhow::Result<u64> {
        Ok(0)
    }
}

/// Something that happened to a code review, for its author.
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewEvent {
    /// `by` claimed `to`'s request.
    Claimed {
        to: MemberId,
        by: MemberId,
        review: CodeReviewId,
    },
    /// `by` commented on `to`'s code review.
    Commented {
        to: MemberId,
        by: MemberId,
        review: CodeReviewId,
        comment: CodeCommentId,
    },
    /// The reviewer decided on version `version` of `to`'s code review.
    Decided {
        to: MemberId,
        review: CodeReviewId,
        version: u32,
        status: CodeReviewStatus,
    },
}

/// Where review events go (notifications); publishing never fails the action.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ReviewEvents: Send + Sync {
    /// Hands the event on; failures are the receiver's to log.
    async fn publish(&self, event: ReviewEvent);
}

/// Events nobody listens to.
pub struct NoEvents;

#[async_trait]
impl ReviewEvents for NoEvents {
    async fn publish(&self, _: ReviewEvent) {}
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
    pub code_reviews: Arc<dyn CodeReviewRepository>,
}

/// Every port the code review service needs.
#[derive(Clone)]
pub struct CodePorts {
    pub code_reviews: Arc<dyn CodeReviewRepository>,
    pub submissions: Arc<dyn Submissions>,
    pub members: Arc<dyn Members>,
    pub events: Arc<dyn ReviewEvents>,
    pub rewards: Arc<dyn ReviewerRewards>,
    pub clock: Arc<dyn Clock>,
}

/// Every port the review service needs.
#[derive(Clone)]
pub struct Ports {
    pub reviews: Arc<dyn ReviewRepository>,
    pub members: Arc<dyn Members>,
    pub challenges: Arc<dyn Challenges>,
    pub attempts: Arc<dyn Attempts>,
    pub clock: Arc<dyn Clock>,
}
