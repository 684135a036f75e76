//! The community context's inbound port and what crosses it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;

use stackrush_kernel::{Page, PageRequest, Shared};

use crate::error::CommunityError;
use crate::model::*;

/// A new post as its author writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct PostDraft {
    pub title: String,
    pub content: String,
    pub category: Category,
    pub tags: Vec<String>,
    pub code: Option<CodeSubmission>,
    pub project: Option<ProjectDetails>,
    pub collaboration: Option<CollaborationDetails>,
    pub difficulty: Option<Difficulty>,
    pub challenge_type: Option<ChallengeType>,
}

/// Changes to a post: each given field replaces the stored one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PostPatch {
    pub title: Option<String>,
    pub content: Option<String>,
    pub category: Option<Category>,
    pub tags: Option<Vec<String>>,
    pub code: Option<CodeSubmission>,
    pub project: Option<ProjectDetails>,
    pub collaboration: Option<CollaborationDetails>,
    pub difficulty: Option<Difficulty>,
    pub challenge_type: Option<ChallengeType>,
}

/// A post with what its reader sees beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct PostView {
    pub post: Post,
    /// `None`: the author's account is gone (shown as a deleted user).
    pub author: Option<Face>,
    /// Whether the reader liked / bookmarked it (`false` for anonymous readers).
    pub liked: bool,
    pub bookmarked: bool,
}

/// A comment with its author's face.
#[derive(Debug, Clone, PartialEq)]
pub struct CommentView {
    pub comment: Comment,
    pub author: Option<Face>,
}

/// A comment and the replies under it, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Thread {
    pub comment: CommentView,
    pub replies: Vec<Thread>,
}

/// A top contributor.
#[derive(Debug, Clone, PartialEq)]
pub struct Contributor {
    pub member: MemberId,
    pub face: Option<Face>,
    pub contributions: u64,
}

/// The community's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct CommunityStats {
    pub members: u64,
    pub figures: Figures,
    pub top_contributors: Vec<Contributor>,
    pub date: DateTime<Utc>,
}

/// The community context's inbound port.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait CommunityApi: Send + Sync {
    /// Publishes a post. Errors: `NotVerified`, `Invalid`, `ChallengeNotFound` (the linked one).
    async fn create_post(
        &self,
        caller: Caller,
        draft: PostDraft,
    ) -> Result<PostView, CommunityError>;

    /// A live post, counting the reader's view (once per reader per post per UTC day).
    /// Errors: `PostNotFound`.
    async fn post(&self, reader: Reader, id: PostId) -> Result<PostView, CommunityError>;

    /// Changes a post (its author only). Errors: `PostNotFound`, `Forbidden`, `Invalid`,
    /// `ChallengeNotFound`.
    async fn update_post(
        &self,
        caller: Caller,
        id: PostId,
        patch: PostPatch,
    ) -> Result<PostView, CommunityError>;

    /// Deletes a post (its author, a moderator or an admin); its comments go with it.
    /// Errors: `PostNotFound`, `Forbidden`.
    async fn delete_post(&self, caller: Caller, id: PostId) -> Result<(), CommunityError>;

    /// One page of live posts (anonymous readers share remembered pages; see the service).
    async fn posts(
        &self,
        viewer: Option<Caller>,
        filter: PostFilter,
        sort: PostSort,
        page: PageRequest,
    ) -> Result<Arc<Shared<Page<PostView>>>, CommunityError>;

    /// Likes or bookmarks a post, or takes it back. Errors: `NotVerified`, `PostNotFound`.
    async fn toggle(
        &self,
        caller: Caller,
        reaction: Reaction,
        post: PostId,
    ) -> Result<Toggled, CommunityError>;

    /// The caller's bookmarked posts, the latest bookmark first.
    async fn bookmarks(
        &self,
        caller: Caller,
        page: PageRequest,
    ) -> Result<Page<PostView>, CommunityError>;

    /// Comments on a post, or replies to one of its comments. Errors: `NotVerified`,
    /// `PostNotFound`, `CommentNotFound` (the parent), `Invalid`.
    async fn comment(
        &self,
        caller: Caller,
        post: PostId,
        content: String,
        parent: Option<CommentId>,
    ) -> Result<CommentView, CommunityError>;

    /// One page of a live post's top-level comments, each with its whole reply tree.
    /// Errors: `PostNotFound`.
    async fn comments(
        &self,
        viewer: Option<Caller>,
        post: PostId,
        page: PageRequest,
    ) -> Result<Page<Thread>, CommunityError>;

    /// Changes a comment (its author only). Errors: `CommentNotFound`, `Forbidden`, `Invalid`.
    async fn update_comment(
        &self,
        caller: Caller,
        id: CommentId,
        content: String,
    ) -> Result<CommentView, CommunityError>;

    /// Deletes a comment (its author, a moderator or an admin). Errors: `CommentNotFound`,
    /// `Forbidden`.
    async fn delete_comment(&self, caller: Caller, id: CommentId) -> Result<(), CommunityError>;

    /// Likes a comment or takes the like back. Errors: `NotVerified`, `CommentNotFound`.
    async fn toggle_comment_like(
        &self,
        caller: Caller,
        id: CommentId,
    ) -> Result<Toggled, CommunityError>;

    /// Forgets the view keys of days before yesterday (UTC); how many. Run periodically.
    async fn purge_views(&self) -> Result<u64, CommunityError>;

    /// Totals and today's (UTC) figures.
    async fn stats(&self) -> Result<CommunityStats, CommunityError>;

    /// Reports a visible post or comment of someone else (one open report per member per
    /// target). Errors: `PostNotFound`, `CommentNotFound`, `AlreadyReported`, `Invalid`.
    async fn report(
        &self,
        caller: Caller,
        target: Target,
        reason: ReportReason,
        text: String,
    ) -> Result<Report, CommunityError>;

    /// Moderators: one page of reports (open ones oldest first). Errors: `Forbidden`.
    async fn reports(
        &self,
        caller: Caller,
        status: Option<ReportStatus>,
        page: PageRequest,
    ) -> Result<Page<ReportView>, CommunityError>;

    /// Moderators: hides, shows, locks, unlocks, pins, unpins, features, unfeatures or deletes
    /// a post (a comment: hide, unhide, delete), closing its open reports when the action
    /// answers them; recorded in the log; the author is told of a hide or delete.
    /// Errors: `Forbidden`, `PostNotFound`, `CommentNotFound`, `Invalid`.
    async fn moderate(
        &self,
        caller: Caller,
        target: Target,
        action: ModerationAction,
        reason: String,
    ) -> Result<ModerationRecord, CommunityError>;

    /// Moderators: dismisses an open report (recorded in the log). Errors: `Forbidden`,
    /// `ReportNotFound`, `ReportResolved`, `Invalid`.
    async fn dismiss(
        &self,
        caller: Caller,
        report: ReportId,
        reason: String,
    ) -> Result<ModerationRecord, CommunityError>;

    /// Admins: the moderation log, latest first. Errors: `Forbidden`.
    async fn moderation_log(
        &self,
        caller: Caller,
        page: PageRequest,
    ) -> Result<Page<LogView>, CommunityError>;

    /// Follows a member (idempotent). Errors: `NotVerified`, `MemberNotFound`, `Invalid`
    /// (oneself).
    async fn follow(&self, caller: Caller, member: MemberId) -> Result<Following, CommunityError>;

    /// Stops following a member (idempotent). Errors: `MemberNotFound`.
    async fn unfollow(&self, caller: Caller, member: MemberId)
        -> Result<Following, CommunityError>;

    /// A member's followers (`followers`) or the members they follow, latest first.
    /// Errors: `MemberNotFound`.
    async fn follow_list(
        &self,
        member: MemberId,
        followers: bool,
        page: PageRequest,
    ) -> Result<Page<MemberCard>, CommunityError>;

    /// A member as the community shows them: face, follow counts, whether the viewer follows
    /// them. Errors: `MemberNotFound`.
    async fn member(
        &self,
        viewer: Option<Caller>,
        member: MemberId,
    ) -> Result<MemberProfile, CommunityError>;

    /// The follow counts of each of `members` (zero for those without follows), for other
    /// contexts' profiles.
    async fn follow_counts(
        &self,
        members: &[MemberId],
    ) -> Result<HashMap<MemberId, FollowCounts>, CommunityError>;

    /// The posts of the members the caller follows, newest first.
    async fn feed(
        &self,
        caller: Caller,
        page: PageRequest,
    ) -> Result<Page<PostView>, CommunityError>;

    /// Asks to collaborate on a collaboration post of someone else. Errors: `NotVerified`,
    /// `PostNotFound`, `AlreadyRequested`, `Invalid`.
    async fn request_collaboration(
        &self,
        caller: Caller,
        post: PostId,
        message: String,
        skills: Vec<String>,
    ) -> Result<CollaborationView, CommunityError>;

    /// The requests the caller sent or received.
    async fn collaborations(
        &self,
        caller: Caller,
        side: CollaborationSide,
        status: Option<CollaborationStatus>,
        page: PageRequest,
    ) -> Result<Page<CollaborationView>, CommunityError>;

    /// A member's account was deactivated or deleted: their likes, bookmarks and follows are
    /// withdrawn (counters drop at once; idempotent) and their open mentorships end. Their posts and comments stay, shown as
    /// from a deleted user. Reactivation does not bring the withdrawn ones back.
    async fn withdraw(&self, member: MemberId) -> Result<(), CommunityError>;

    /// The post's author accepts or declines a pending request. Errors:
    /// `CollaborationNotFound`, `Forbidden`, `AlreadyAnswered`.
    async fn answer_collaboration(
        &self,
        caller: Caller,
        id: CollaborationId,
        accept: bool,
    ) -> Result<CollaborationView, CommunityError>;

    /// Asks `mentor` to mentor the caller. Errors: `NotVerified`, `MemberNotFound`,
    /// `MentorshipExists` (an open one with that mentor), `Invalid` (oneself, bad text).
    async fn request_mentorship(
        &self,
        caller: Caller,
        mentor: MemberId,
        message: String,
        topics: Vec<String>,
    ) -> Result<MentorshipView, CommunityError>;

    /// The caller's mentorships on one side, optionally of one status, latest first.
    async fn mentorships(
        &self,
        caller: Caller,
        side: MentorshipSide,
        status: Option<MentorshipStatus>,
        page: PageRequest,
    ) -> Result<Page<MentorshipView>, CommunityError>;

    /// The mentor accepts or declines a pending request. Errors: `MentorshipNotFound`,
    /// `Forbidden` (the mentee), `MentorshipIs` (not pending).
    async fn answer_mentorship(
        &self,
        caller: Caller,
        id: MentorshipId,
        accept: bool,
    ) -> Result<MentorshipView, CommunityError>;

    /// Either side ends an active mentorship; the mentee may also withdraw a pending request
    /// (the mentor declines instead). Errors: `MentorshipNotFound`, `Forbidden`,
    /// `MentorshipIs` (declined or ended already).
    async fn end_mentorship(
        &self,
        caller: Caller,
        id: MentorshipId,
    ) -> Result<MentorshipView, CommunityError>;
}

/// A mentorship with both sides' faces (`None`: that account is gone).
#[derive(Debug, Clone, PartialEq)]
pub struct MentorshipView {
    pub mentorship: Mentorship,
    pub mentor: Option<Face>,
    pub mentee: Option<Face>,
}

/// Whether the caller follows a member now, and the member's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Following {
    pub following: bool,
    pub counts: FollowCounts,
}

/// A member in a follow list.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberCard {
    pub member: MemberId,
    /// `None`: the account is gone.
    pub face: Option<Face>,
    pub since: DateTime<Utc>,
}

/// A member as the community shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberProfile {
    pub member: MemberId,
    pub face: Face,
    pub counts: FollowCounts,
    /// Their active mentorships on each side.
    pub mentorships: MentorshipCounts,
    /// Whether the viewer follows them (`false` for anonymous viewers).
    pub is_following: bool,
}

/// A collaboration request with both sides' faces.
#[derive(Debug, Clone, PartialEq)]
pub struct CollaborationView {
    pub request: CollaborationRequest,
    pub requester: Option<Face>,
    pub post_author: Option<Face>,
}

/// Like counts worth telling a post's author: 1, 10, 50, then every power of ten and its half
/// from 100 on (100, 500, 1000, 5000, …).
pub fn likes_milestone(likes: u64) -> bool {
    if matches!(likes, 1 | 10 | 50) {
        return true;
    }
    let mut step = 100u64;
    while step <= likes {
        if likes == step || likes == step * 5 {
            return true;
        }
        match step.checked_mul(10) {
            Some(next) => step = next,
            None => return false,
        }
    }
    false
}

/// A report with who filed it and what it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportView {
    pub report: Report,
    pub reporter: Option<Face>,
    /// The post's title, or the comment's first 200 characters (`None` when it is gone).
    pub excerpt: Option<String>,
}

/// A moderation log entry with the moderator's face.
#[derive(Debug, Clone, PartialEq)]
pub struct LogView {
    pub record: ModerationRecord,
    pub moderator: Option<Face>,
}
