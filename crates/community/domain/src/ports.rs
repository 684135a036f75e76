//! Outbound ports of the community context.
//!
//! Counters are the store's to keep exact: every like, bookmark, view and comment is a row (or
//! document) under a unique key, and the counter moves in the same transaction as that row, so
//! a counter always equals the number of rows behind it, however many requests race. The trending
//! score ([`crate::trending::hot`]) moves in that transaction too.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use stackrush_kernel::{Clock, Page, PageRequest, StoreError};

use crate::model::*;

/// Storage of posts and their per-member marks (likes, bookmarks, views).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PostRepository: Send + Sync {
    /// Stores a new post.
    async fn insert(&self, post: &Post) -> Result<(), StoreError>;

    /// The post, live or deleted.
    async fn get(&self, id: PostId) -> Result<Option<Post>, StoreError>;

    /// Writes a live post's editable fields (title, content and its HTML, category, tags, code,
    /// project, collaboration, difficulty, challenge type, `updated_at`); counters, pins and
    /// the score stay as stored. Whether a live post was changed.
    async fn update(&self, post: &Post) -> Result<bool, StoreError>;

    /// Deletes a live post (soft: `is_active` false). Whether it was live.
    async fn remove(&self, id: PostId, at: DateTime<Utc>) -> Result<bool, StoreError>;

    /// One page of live posts (hidden ones never). With `known_total` (a count the caller
    /// remembers for this filter) the store does not count the list again.
    async fn list(
        &self,
        filter: &PostFilter,
        sort: PostSort,
        page: PageRequest,
        known_total: Option<u64>,
    ) -> Result<Page<Post>, StoreError>;

    /// Counts a view unless this viewer was counted on this post this day; the post's views
    /// after it, `None` when the post is not live or hidden.
    async fn record_view(&self, view: &ViewKey) -> Result<Option<u64>, StoreError>;

    /// Forgets the view keys of days before `before` (they only keep a day's views from
    /// counting twice); how many.
    async fn purge_views(&self, before: chrono::NaiveDate) -> Result<u64, StoreError>;

    /// Sets or clears `member`'s `reaction` on a live post (whichever it is not); `None` when
    /// the post is not live or hidden.
    async fn toggle(
        &self,
        reaction: Reaction,
        post: PostId,
        member: MemberId,
        at: DateTime<Utc>,
    ) -> Result<Option<Toggled>, StoreError>;

    /// Which of `posts` `member` has liked and bookmarked.
    async fn reacted(&self, member: MemberId, posts: &[PostId]) -> Result<Reacted, StoreError>;

    /// `member`'s bookmarked live posts, the latest bookmark first.
    async fn bookmarks(
        &self,
        member: MemberId,
        page: PageRequest,
    ) -> Result<Page<Post>, StoreError>;

    /// Sets or clears a moderator's flag on a live post (`updated_at` is left alone). Whether
    /// the post is live.
    async fn set_flag(
        &self,
        id: PostId,
        flag: PostFlag,
        value: bool,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// How many posts `author` created since `since` (deleted ones too): the per-member limit.
    async fn posts_since(&self, author: MemberId, since: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Withdraws every like and bookmark `member` gave, moving each post's counters (and score)
    /// with it; how many were withdrawn.
    async fn withdraw_marks(&self, member: MemberId) -> Result<u64, StoreError>;

    /// One page of the live posts (not hidden) of the members `member` follows, newest first.
    async fn feed(&self, member: MemberId, page: PageRequest) -> Result<Page<Post>, StoreError>;

    /// The community figures: totals over live content, and what was created since `since`;
    /// top contributors counted over posts and comments created since `window_start`.
    async fn figures(
        &self,
        since: DateTime<Utc>,
        window_start: DateTime<Utc>,
        top: usize,
    ) -> Result<Figures, StoreError>;
}

/// Storage of comments.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait CommentRepository: Send + Sync {
    /// Stores a new comment on a live post, adding one to the post's comments (and score) and to
    /// its parent's replies. `false` (nothing stored) when the post is not live, hidden or
    /// locked, or the parent is deleted or hidden.
    async fn insert(&self, comment: &Comment) -> Result<bool, StoreError>;

    /// The comment (deleted ones too).
    async fn get(&self, id: CommentId) -> Result<Option<Comment>, StoreError>;

    /// Replaces a live comment's content. Whether it was live.
    async fn update(
        &self,
        id: CommentId,
        content: &str,
        content_html: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Marks a live comment deleted, taking one from its post's comments (and score) and from
    /// its parent's replies. Whether it was live.
    async fn remove(&self, id: CommentId, at: DateTime<Utc>) -> Result<bool, StoreError>;

    /// One page of a post's top-level comments, oldest first: live ones, and deleted ones that
    /// still have live replies.
    async fn top_level(&self, post: PostId, page: PageRequest)
        -> Result<Page<Comment>, StoreError>;

    /// The replies (any depth) under these top-level comments, oldest first: live ones, and
    /// deleted ones that still have live replies.
    async fn replies(&self, roots: &[CommentId]) -> Result<Vec<Comment>, StoreError>;

    /// Sets or clears `member`'s like on a live comment; `None` when it is deleted or hidden.
    async fn toggle_like(
        &self,
        comment: CommentId,
        member: MemberId,
        at: DateTime<Utc>,
    ) -> Result<Option<Toggled>, StoreError>;

    /// Hides or shows a comment that is not deleted. Whether there was one.
    async fn set_hidden(
        &self,
        id: CommentId,
        hidden: bool,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Withdraws every comment like `member` gave, moving each comment's count with it; how
    /// many were withdrawn.
    async fn withdraw_likes(&self, member: MemberId) -> Result<u64, StoreError>;

    /// How many comments `author` wrote since `since` (deleted ones too): the per-member limit.
    async fn comments_since(
        &self,
        author: MemberId,
        since: DateTime<Utc>,
    ) -> Result<u64, StoreError>;
}

/// Storage of reports.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ReportRepository: Send + Sync {
    /// Stores a new open report; `false` (nothing stored) when the reporter has an open report
    /// on that target already (a unique key, not a read-then-write).
    async fn insert(&self, report: &Report) -> Result<bool, StoreError>;

    /// The report.
    async fn get(&self, id: ReportId) -> Result<Option<Report>, StoreError>;

    /// One page of reports, optionally of one status: open ones oldest first (a queue), others
    /// latest first.
    async fn list(
        &self,
        status: Option<ReportStatus>,
        page: PageRequest,
    ) -> Result<Page<Report>, StoreError>;

    /// Closes one open report with `status`. Whether it was open.
    async fn resolve(
        &self,
        id: ReportId,
        status: ReportStatus,
        by: MemberId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Closes every open report on `target` with `status`; which ones.
    async fn resolve_target(
        &self,
        target: Target,
        status: ReportStatus,
        by: MemberId,
        at: DateTime<Utc>,
    ) -> Result<Vec<ReportId>, StoreError>;
}

/// Who follows whom: one row per pair, under a unique key.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait FollowRepository: Send + Sync {
    /// `follower` follows `followee` from `at`; `false` when they did already.
    async fn follow(
        &self,
        follower: MemberId,
        followee: MemberId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// `follower` stops following `followee`; `false` when they did not.
    async fn unfollow(&self, follower: MemberId, followee: MemberId) -> Result<bool, StoreError>;

    /// Whether `follower` follows `followee`.
    async fn follows(&self, follower: MemberId, followee: MemberId) -> Result<bool, StoreError>;

    /// The member's followers, latest first.
    async fn followers(
        &self,
        member: MemberId,
        page: PageRequest,
    ) -> Result<Page<Follow>, StoreError>;

    /// The members the member follows, latest first.
    async fn following(
        &self,
        member: MemberId,
        page: PageRequest,
    ) -> Result<Page<Follow>, StoreError>;

    /// Removes every follow from or to `member`; how many.
    async fn withdraw(&self, member: MemberId) -> Result<u64, StoreError>;

    /// How many follow the member and how many the member follows (index counts).
    async fn counts(&self, member: MemberId) -> Result<FollowCounts, StoreError>;
}

/// Storage of collaboration requests.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait CollaborationRepository: Send + Sync {
    /// Stores a new pending request; `false` (nothing stored) when the requester has a pending
    /// request on that post already (a unique key).
    async fn insert(&self, request: &CollaborationRequest) -> Result<bool, StoreError>;

    /// The request.
    async fn get(&self, id: CollaborationId) -> Result<Option<CollaborationRequest>, StoreError>;

    /// One page of the requests `member` sent or received, optionally of one status, latest
    /// first.
    async fn list(
        &self,
        member: MemberId,
        side: CollaborationSide,
        status: Option<CollaborationStatus>,
        page: PageRequest,
    ) -> Result<Page<CollaborationRequest>, StoreError>;

    /// Answers a pending request. Whether it was pending.
    async fn answer(
        &self,
        id: CollaborationId,
        status: CollaborationStatus,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
}

/// Storage of mentorships.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait MentorshipRepository: Send + Sync {
    /// Stores a new pending mentorship; `false` (nothing stored) when the pair has an open
    /// (pending or active) one already (a unique key, not a read-then-write).
    async fn insert(&self, mentorship: &Mentorship) -> Result<bool, StoreError>;

    /// The mentorship.
    async fn get(&self, id: MentorshipId) -> Result<Option<Mentorship>, StoreError>;

    /// One page of the mentorships where `member` plays `side`, optionally of one status,
    /// latest first.
    async fn list(
        &self,
        member: MemberId,
        side: MentorshipSide,
        status: Option<MentorshipStatus>,
        page: PageRequest,
    ) -> Result<Page<Mentorship>, StoreError>;

    /// Moves the mentorship from `from` to `to` at `at` (stamping `responded_at` when it
    /// becomes active or declined, `ended_at` when it ends). Whether it was in `from`.
    async fn advance(
        &self,
        id: MentorshipId,
        from: MentorshipStatus,
        to: MentorshipStatus,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Ends every open mentorship of `member` (on either side) at `at`; how many.
    async fn end_all(&self, member: MemberId, at: DateTime<Utc>) -> Result<u64, StoreError>;

    /// How many active mentorships the member has on each side (index counts).
    async fn counts(&self, member: MemberId) -> Result<MentorshipCounts, StoreError>;
}

/// The moderation log: append-only.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ModerationLog: Send + Sync {
    /// Appends one entry.
    async fn append(&self, record: &ModerationRecord) -> Result<(), StoreError>;

    /// One page of entries, latest first.
    async fn list(&self, page: PageRequest) -> Result<Page<ModerationRecord>, StoreError>;
}

/// Members as the identity context knows them.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Members: Send + Sync {
    /// The member's standing; `None` when there is no such account.
    async fn standing(&self, member: MemberId) -> anyhow::Result<Option<Standing>>;

    /// How the given members are shown; members without a live account are left out (their
    /// content shows as from a deleted user).
    async fn faces(&self, members: &[MemberId]) -> anyhow::Result<HashMap<MemberId, Face>>;

    /// How many active accounts exist.
    async fn count(&self) -> anyhow::Result<u64>;
}

/// Challenges a post may link to, as the challenges context publishes them.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Challenges: Send + Sync {
    /// Whether the challenge exists and is public.
    async fn is_public(&self, challenge: ChallengeRef) -> anyhow::Result<bool>;
}

/// Something that happened in the community, for the people it concerns.
#[derive(Debug, Clone, PartialEq)]
pub enum CommunityEvent {
    /// `by` replied on `post`: to the post's author (`to`), or to the author of the comment
    /// replied to.
    Replied {
        to: MemberId,
        by: MemberId,
        post: PostId,
        post_title: String,
        comment: CommentId,
        on_comment: bool,
    },
    /// `by` started following `to`.
    Followed { to: MemberId, by: MemberId },
    /// `to`'s post reached a number of likes worth telling (1, 10, 50, 100, 500, 1000, …): likes
    /// are told in batches, never one notification per like.
    LikesReached {
        to: MemberId,
        post: PostId,
        post_title: String,
        likes: u64,
    },
    /// `by` asked to collaborate on `to`'s post.
    CollaborationRequested {
        to: MemberId,
        by: MemberId,
        post: PostId,
        post_title: String,
        request: CollaborationId,
    },
    /// The post's author accepted or declined `to`'s request.
    CollaborationAnswered {
        to: MemberId,
        post: PostId,
        request: CollaborationId,
        accepted: bool,
    },
    /// `by` asked `to` to mentor them.
    MentorshipRequested {
        to: MemberId,
        by: MemberId,
        mentorship: MentorshipId,
    },
    /// The mentor `by` accepted or declined `to`'s request.
    MentorshipAnswered {
        to: MemberId,
        by: MemberId,
        mentorship: MentorshipId,
        accepted: bool,
    },
    /// A moderator hid or deleted `to`'s post or comment.
    Moderated {
        to: MemberId,
        target: Target,
        action: ModerationAction,
        reason: String,
    },
}

/// Where community events go (notifications); publishing never fails the action.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait CommunityEvents: Send + Sync {
    /// Hands the event on; failures are the receiver's to log.
    async fn publish(&self, event: CommunityEvent);
}

/// Events nobody listens to.
pub struct NoEvents;

#[async_trait]
impl CommunityEvents for NoEvents {
    async fn publish(&self, _: CommunityEvent) {}
}

/// The community context's store ports, as one adapter crate provides them.
#[derive(Clone)]
pub struct Stores {
    pub posts: Arc<dyn PostRepository>,
    pub comments: Arc<dyn CommentRepository>,
    pub reports: Arc<dyn ReportRepository>,
    pub log: Arc<dyn ModerationLog>,
    pub follows: Arc<dyn FollowRepository>,
    pub collaborations: Arc<dyn CollaborationRepository>,
    pub mentorships: Arc<dyn MentorshipRepository>,
}

/// Every port the service needs.
#[derive(Clone)]
pub struct Ports {
    pub posts: Arc<dyn PostRepository>,
    pub comments: Arc<dyn CommentRepository>,
    pub reports: Arc<dyn ReportRepository>,
    pub log: Arc<dyn ModerationLog>,
    pub follows: Arc<dyn FollowRepository>,
    pub collaborations: Arc<dyn CollaborationRepository>,
    pub mentorships: Arc<dyn MentorshipRepository>,
    pub members: Arc<dyn Members>,
    pub challenges: Arc<dyn Challenges>,
    pub events: Arc<dyn CommunityEvents>,
    /// Posts, comments, likes and views, for the analytics context's event store.
    pub activity: Arc<dyn stackrush_kernel::activity::ActivityLog>,
    pub clock: Arc<dyn Clock>,
}
