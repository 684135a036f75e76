//! The community service: who may write what, what a post or comment may hold, threads, views
//! and the figures.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use stackrush_kernel::{FieldError, Page, PageRequest};

use crate::error::CommunityError;
use crate::markdown;
use crate::model::*;
use crate::ports::{CommunityEvent, Ports};
use crate::trending;

/// The most tags a post carries.
pub const MAX_TAGS: usize = 10;
/// The longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 30;
/// The longest post title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest post content (markdown), in characters.
pub const MAX_POST_CHARS: usize = 50_000;
/// The longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 10_000;
/// The longest shared code field (code, htmlCode, cssCode, jsCode), in characters.
pub const MAX_CODE_CHARS: usize = 100_000;
/// The longest URL.
pub const MAX_URL_CHARS: usize = 500;
/// Replies nest at most this deep (a top-level comment is depth 0): a reply to a comment at this
/// depth attaches to that comment's parent instead, so threads have at most five levels.
pub const MAX_DEPTH: u8 = 4;
/// Top contributors are counted over this many days.
pub const CONTRIBUTOR_DAYS: i64 = 30;
/// How many top contributors the figures name.
pub const TOP_CONTRIBUTORS: usize = 5;
/// Posts one member may publish per hour (moderators and admins are not limited).
pub const POSTS_PER_HOUR: u64 = 10;
/// Comments one member may write per hour (moderators and admins are not limited).
pub const COMMENTS_PER_HOUR: u64 = 60;
/// The longest report text and moderator reason, in characters.
pub const MAX_REASON_CHARS: usize = 1_000;

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

    /// One page of live posts.
    async fn posts(
        &self,
        viewer: Option<Caller>,
        filter: PostFilter,
        sort: PostSort,
        page: PageRequest,
    ) -> Result<Page<PostView>, CommunityError>;

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
    /// withdrawn (counters drop at once; idempotent). Their posts and comments stay, shown as
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

/// The community rules over the outbound ports.
pub struct CommunityService {
    ports: Ports,
}

impl CommunityService {
    /// A service over `ports`.
    pub fn new(ports: Ports) -> Self {
        Self { ports }
    }

    /// The service as a shared inbound port.
    pub fn into_api(self) -> Arc<dyn CommunityApi> {
        Arc::new(self)
    }

    async fn contributor(&self, caller: Caller) -> Result<(), CommunityError> {
        let standing = self
            .ports
            .members
            .standing(caller.id)
            .await
            .map_err(CommunityError::Unavailable)?;
        match standing {
            Some(s) if s.may_contribute => Ok(()),
            _ => Err(CommunityError::NotVerified),
        }
    }

    async fn live_post(&self, id: PostId) -> Result<Post, CommunityError> {
        match self.ports.posts.get(id).await? {
            Some(p) if p.is_active => Ok(p),
            _ => Err(CommunityError::PostNotFound),
        }
    }

    /// A live post `viewer` may see: hidden ones only for their author and moderators.
    async fn visible_post(
        &self,
        viewer: Option<Caller>,
        id: PostId,
    ) -> Result<Post, CommunityError> {
        let post = self.live_post(id).await?;
        let privileged = viewer.is_some_and(|c| c.is_moderator || c.id == post.author);
        if post.is_hidden && !privileged {
            return Err(CommunityError::PostNotFound);
        }
        Ok(post)
    }

    async fn existing(&self, member: MemberId) -> Result<(), CommunityError> {
        let standing = self
            .ports
            .members
            .standing(member)
            .await
            .map_err(CommunityError::Unavailable)?;
        standing.map(|_| ()).ok_or(CommunityError::MemberNotFound)
    }

    async fn following_state(
        &self,
        member: MemberId,
        following: bool,
    ) -> Result<Following, CommunityError> {
        Ok(Following {
            following,
            counts: self.ports.follows.counts(member).await?,
        })
    }

    async fn collaboration_view(
        &self,
        request: CollaborationRequest,
    ) -> Result<CollaborationView, CommunityError> {
        let faces = self
            .faces(&[request.requester, request.post_author])
            .await?;
        Ok(CollaborationView {
            requester: faces.get(&request.requester).cloned(),
            post_author: faces.get(&request.post_author).cloned(),
            request,
        })
    }

    fn moderator(caller: Caller) -> Result<(), CommunityError> {
        if caller.is_moderator {
            Ok(())
        } else {
            Err(CommunityError::Forbidden)
        }
    }

    /// Refuses a member's post or comment beyond the hourly limit (moderators are exempt).
    async fn within_limit(&self, caller: Caller, comment: bool) -> Result<(), CommunityError> {
        if caller.is_moderator {
            return Ok(());
        }
        let since = self.ports.clock.now() - Duration::hours(1);
        let (done, limit) = if comment {
            let n = self.ports.comments.comments_since(caller.id, since).await?;
            (n, COMMENTS_PER_HOUR)
        } else {
            let n = self.ports.posts.posts_since(caller.id, since).await?;
            (n, POSTS_PER_HOUR)
        };
        if done >= limit {
            return Err(CommunityError::RateLimited {
                retry_after_secs: 3600 / limit,
            });
        }
        Ok(())
    }

    async fn record(
        &self,
        caller: Caller,
        action: ModerationAction,
        target: Target,
        report: Option<ReportId>,
        reason: String,
    ) -> Result<ModerationRecord, CommunityError> {
        let now = self.ports.clock.now();
        let record = ModerationRecord {
            id: ModerationId::generate(now),
            moderator: caller.id,
            action,
            target,
            report,
            reason,
            at: now,
        };
        self.ports.log.append(&record).await?;
        Ok(record)
    }

    /// After a moderator hid or deleted someone's content: their open reports are actioned,
    /// the author is told, the action is logged.
    async fn moderated(
        &self,
        caller: Caller,
        target: Target,
        author: MemberId,
        action: ModerationAction,
        reason: String,
    ) -> Result<ModerationRecord, CommunityError> {
        let now = self.ports.clock.now();
        let closes = matches!(
            action,
            ModerationAction::Hide | ModerationAction::Delete | ModerationAction::Lock
        );
        if closes {
            self.ports
                .reports
                .resolve_target(target, ReportStatus::Actioned, caller.id, now)
                .await?;
        }
        let record = self
            .record(caller, action, target, None, reason.clone())
            .await?;
        if matches!(action, ModerationAction::Hide | ModerationAction::Delete)
            && author != caller.id
        {
            self.ports
                .events
                .publish(CommunityEvent::Moderated {
                    to: author,
                    target,
                    action,
                    reason,
                })
                .await;
        }
        Ok(record)
    }

    /// A live comment on a live post.
    async fn live_comment(&self, id: CommentId) -> Result<Comment, CommunityError> {
        let comment = match self.ports.comments.get(id).await? {
            Some(c) if !c.is_deleted => c,
            _ => return Err(CommunityError::CommentNotFound),
        };
        match self.ports.posts.get(comment.post).await? {
            Some(p) if p.is_active => Ok(comment),
            _ => Err(CommunityError::CommentNotFound),
        }
    }

    async fn faces(&self, members: &[MemberId]) -> Result<HashMap<MemberId, Face>, CommunityError> {
        let mut distinct: Vec<MemberId> = members.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        self.ports
            .members
            .faces(&distinct)
            .await
            .map_err(CommunityError::Unavailable)
    }

    async fn views(
        &self,
        viewer: Option<Caller>,
        posts: Vec<Post>,
    ) -> Result<Vec<PostView>, CommunityError> {
        let authors: Vec<MemberId> = posts.iter().map(|p| p.author).collect();
        let faces = self.faces(&authors).await?;
        let reacted = match viewer {
            Some(c) if !posts.is_empty() => {
                let ids: Vec<PostId> = posts.iter().map(|p| p.id).collect();
                self.ports.posts.reacted(c.id, &ids).await?
            }
            _ => Reacted::default(),
        };
        Ok(posts
            .into_iter()
            .map(|post| PostView {
                author: faces.get(&post.author).cloned(),
                liked: reacted.liked.contains(&post.id),
                bookmarked: reacted.bookmarked.contains(&post.id),
                post,
            })
            .collect())
    }

    async fn view_page(
        &self,
        viewer: Option<Caller>,
        page: Page<Post>,
    ) -> Result<Page<PostView>, CommunityError> {
        let Page {
            items,
            request,
            total,
        } = page;
        Ok(Page {
            items: self.views(viewer, items).await?,
            request,
            total,
        })
    }

    async fn one_view(
        &self,
        viewer: Option<Caller>,
        post: Post,
    ) -> Result<PostView, CommunityError> {
        self.views(viewer, vec![post])
            .await?
            .pop()
            .ok_or_else(|| CommunityError::Internal(anyhow::anyhow!("a view went missing")))
    }

    async fn check_challenge(&self, draft: &PostDraft) -> Result<(), CommunityError> {
        let Some(challenge) = draft.code.as_ref().and_then(|c| c.challenge) else {
            return Ok(());
        };
        let public = self
            .ports
            .challenges
            .is_public(challenge)
            .await
            .map_err(CommunityError::Unavailable)?;
        if public {
            Ok(())
        } else {
            Err(CommunityError::ChallengeNotFound)
        }
    }

    async fn comment_view(&self, comment: Comment) -> Result<CommentView, CommunityError> {
        let mut faces = self.faces(&[comment.author]).await?;
        Ok(CommentView {
            author: faces.remove(&comment.author),
            comment,
        })
    }
}

/// The key a view is counted under: the member, or a hash of the address (no address is
/// stored).
fn viewer_key(reader: &Reader) -> String {
    match reader {
        Reader::Member(c) => format!("m:{}", c.id.to_hex()),
        Reader::Anonymous { address } => {
            let digest = Sha256::digest(format!("stackrush-view:{address}").as_bytes());
            format!("a:{}", hex::encode(&digest[..16]))
        }
    }
}

#[async_trait]
impl CommunityApi for CommunityService {
    async fn create_post(
        &self,
        caller: Caller,
        draft: PostDraft,
    ) -> Result<PostView, CommunityError> {
        let draft = normalized(draft)?;
        self.contributor(caller).await?;
        self.within_limit(caller, false).await?;
        self.check_challenge(&draft).await?;
        let now = self.ports.clock.now();
        let interactions = Interactions::default();
        let post = Post {
            id: PostId::generate(now),
            author: caller.id,
            content_html: markdown::render(&draft.content),
            title: draft.title,
            content: draft.content,
            category: draft.category,
            tags: draft.tags,
            code: draft.code,
            project: draft.project,
            collaboration: draft.collaboration,
            difficulty: draft.difficulty,
            challenge_type: draft.challenge_type,
            is_pinned: false,
            is_featured: false,
            is_hidden: false,
            comments_locked: false,
            hot: trending::hot(&interactions, now),
            interactions,
            is_active: true,
            created_at: now,
            updated_at: now,
        };
        self.ports.posts.insert(&post).await?;
        self.one_view(Some(caller), post).await
    }

    async fn post(&self, reader: Reader, id: PostId) -> Result<PostView, CommunityError> {
        let mut post = self.visible_post(reader.caller(), id).await?;
        if post.is_hidden {
            // Read by its author or a moderator: not a view.
            return self.one_view(reader.caller(), post).await;
        }
        let view = ViewKey {
            post: id,
            viewer: viewer_key(&reader),
            day: self.ports.clock.now().date_naive(),
        };
        // A view that cannot be counted does not keep the post from its reader.
        match self.ports.posts.record_view(&view).await {
            Ok(Some(views)) => post.interactions.views = views,
            Ok(None) => return Err(CommunityError::PostNotFound),
            Err(e) => tracing::warn!(error = %e, post = %id, "could not count a view"),
        }
        self.one_view(reader.caller(), post).await
    }

    async fn update_post(
        &self,
        caller: Caller,
        id: PostId,
        patch: PostPatch,
    ) -> Result<PostView, CommunityError> {
        let stored = self.live_post(id).await?;
        if stored.author != caller.id {
            return Err(CommunityError::Forbidden);
        }
        let draft = normalized(PostDraft {
            title: patch.title.unwrap_or_else(|| stored.title.clone()),
            content: patch.content.unwrap_or_else(|| stored.content.clone()),
            category: patch.category.unwrap_or(stored.category),
            tags: patch.tags.unwrap_or_else(|| stored.tags.clone()),
            code: patch.code.or_else(|| stored.code.clone()),
            project: patch.project.or_else(|| stored.project.clone()),
            collaboration: patch.collaboration.or_else(|| stored.collaboration.clone()),
            difficulty: patch.difficulty.or(stored.difficulty),
            challenge_type: patch.challenge_type.or(stored.challenge_type),
        })?;
        if draft.code.as_ref().and_then(|c| c.challenge) != stored.challenge() {
            self.check_challenge(&draft).await?;
        }
        let post = Post {
            content_html: if draft.content == stored.content {
                stored.content_html.clone()
            } else {
                markdown::render(&draft.content)
            },
            title: draft.title,
            content: draft.content,
            category: draft.category,
            tags: draft.tags,
            code: draft.code,
            project: draft.project,
            collaboration: draft.collaboration,
            difficulty: draft.difficulty,
            challenge_type: draft.challenge_type,
            updated_at: self.ports.clock.now(),
            ..stored
        };
        if !self.ports.posts.update(&post).await? {
            return Err(CommunityError::PostNotFound);
        }
        self.one_view(Some(caller), post).await
    }

    async fn delete_post(&self, caller: Caller, id: PostId) -> Result<(), CommunityError> {
        let post = self.live_post(id).await?;
        if post.author != caller.id && !caller.is_moderator {
            return Err(CommunityError::Forbidden);
        }
        if !self.ports.posts.remove(id, self.ports.clock.now()).await? {
            return Err(CommunityError::PostNotFound);
        }
        if post.author != caller.id {
            let target = Target::Post(id);
            let reason = "deleted by a moderator".to_owned();
            self.moderated(
                caller,
                target,
                post.author,
                ModerationAction::Delete,
                reason,
            )
            .await?;
        }
        Ok(())
    }

    async fn posts(
        &self,
        viewer: Option<Caller>,
        filter: PostFilter,
        sort: PostSort,
        page: PageRequest,
    ) -> Result<Page<PostView>, CommunityError> {
        let filter = normalized_filter(filter)?;
        let found = self.ports.posts.list(&filter, sort, page).await?;
        self.view_page(viewer, found).await
    }

    async fn toggle(
        &self,
        caller: Caller,
        reaction: Reaction,
        post: PostId,
    ) -> Result<Toggled, CommunityError> {
        self.contributor(caller).await?;
        let now = self.ports.clock.now();
        let toggled = self
            .ports
            .posts
            .toggle(reaction, post, caller.id, now)
            .await?
            .ok_or(CommunityError::PostNotFound)?;
        if reaction == Reaction::Like && toggled.active && likes_milestone(toggled.count) {
            if let Some(p) = self.ports.posts.get(post).await? {
                if p.author != caller.id {
                    self.ports
                        .events
                        .publish(CommunityEvent::LikesReached {
                            to: p.author,
                            post,
                            post_title: p.title,
                            likes: toggled.count,
                        })
                        .await;
                }
            }
        }
        Ok(toggled)
    }

    async fn bookmarks(
        &self,
        caller: Caller,
        page: PageRequest,
    ) -> Result<Page<PostView>, CommunityError> {
        let found = self.ports.posts.bookmarks(caller.id, page).await?;
        self.view_page(Some(caller), found).await
    }

    async fn comment(
        &self,
        caller: Caller,
        post: PostId,
        content: String,
        parent: Option<CommentId>,
    ) -> Result<CommentView, CommunityError> {
        let content = comment_text(content)?;
        self.contributor(caller).await?;
        let target = self.visible_post(Some(caller), post).await?;
        if target.is_hidden {
            return Err(CommunityError::PostNotFound);
        }
        if target.comments_locked {
            return Err(CommunityError::CommentsLocked);
        }
        self.within_limit(caller, true).await?;
        let now = self.ports.clock.now();
        let id = CommentId::generate(now);
        let (parent, root, depth, replied_to) = match parent {
            None => (None, id, 0, None),
            Some(parent_id) => {
                let parent = match self.ports.comments.get(parent_id).await? {
                    Some(c) if !c.is_deleted && !c.is_hidden => c,
                    _ => return Err(CommunityError::CommentNotFound),
                };
                if parent.post != post {
                    return Err(CommunityError::invalid(
                        "parentId",
                        "is a comment on another post",
                    ));
                }
                let to = parent.author;
                if parent.depth >= MAX_DEPTH {
                    // Too deep: the reply joins its parent's siblings' replies at the deepest
                    // allowed level.
                    let grand = parent.parent.unwrap_or(parent.root);
                    (Some(grand), parent.root, MAX_DEPTH, Some(to))
                } else {
                    (Some(parent.id), parent.root, parent.depth + 1, Some(to))
                }
            }
        };
        let comment = Comment {
            id,
            post,
            parent,
            root,
            depth,
            author: caller.id,
            content_html: markdown::render(&content),
            content,
            likes: 0,
            replies: 0,
            is_deleted: false,
            is_hidden: false,
            created_at: now,
            updated_at: now,
        };
        if !self.ports.comments.insert(&comment).await? {
            // The post or the parent went away (or was locked) meanwhile.
            let now_post = self.live_post(post).await?;
            return Err(if now_post.comments_locked {
                CommunityError::CommentsLocked
            } else if now_post.is_hidden {
                CommunityError::PostNotFound
            } else {
                CommunityError::CommentNotFound
            });
        }
        let to = replied_to.unwrap_or(target.author);
        if to != caller.id {
            self.ports
                .events
                .publish(CommunityEvent::Replied {
                    to,
                    by: caller.id,
                    post,
                    post_title: target.title,
                    comment: id,
                    on_comment: replied_to.is_some(),
                })
                .await;
        }
        self.comment_view(comment).await
    }

    async fn comments(
        &self,
        viewer: Option<Caller>,
        post: PostId,
        page: PageRequest,
    ) -> Result<Page<Thread>, CommunityError> {
        self.visible_post(viewer, post).await?;
        let top = self.ports.comments.top_level(post, page).await?;
        let roots: Vec<CommentId> = top.items.iter().map(|c| c.id).collect();
        let replies = if roots.is_empty() {
            Vec::new()
        } else {
            self.ports.comments.replies(&roots).await?
        };
        let authors: Vec<MemberId> = top
            .items
            .iter()
            .chain(replies.iter())
            .map(|c| c.author)
            .collect();
        let faces = self.faces(&authors).await?;
        let Page {
            items,
            request,
            total,
        } = top;
        Ok(Page {
            items: threads(items, replies, &faces),
            request,
            total,
        })
    }

    async fn update_comment(
        &self,
        caller: Caller,
        id: CommentId,
        content: String,
    ) -> Result<CommentView, CommunityError> {
        let content = comment_text(content)?;
        let mut comment = self.live_comment(id).await?;
        if comment.is_hidden {
            return Err(CommunityError::CommentNotFound);
        }
        if comment.author != caller.id {
            return Err(CommunityError::Forbidden);
        }
        let now = self.ports.clock.now();
        let html = markdown::render(&content);
        if !self.ports.comments.update(id, &content, &html, now).await? {
            return Err(CommunityError::CommentNotFound);
        }
        comment.content = content;
        comment.content_html = html;
        comment.updated_at = now;
        self.comment_view(comment).await
    }

    async fn delete_comment(&self, caller: Caller, id: CommentId) -> Result<(), CommunityError> {
        let comment = self.live_comment(id).await?;
        if comment.author != caller.id && !caller.is_moderator {
            return Err(CommunityError::Forbidden);
        }
        if !self
            .ports
            .comments
            .remove(id, self.ports.clock.now())
            .await?
        {
            return Err(CommunityError::CommentNotFound);
        }
        if comment.author != caller.id {
            let reason = "deleted by a moderator".to_owned();
            self.moderated(
                caller,
                Target::Comment(id),
                comment.author,
                ModerationAction::Delete,
                reason,
            )
            .await?;
        }
        Ok(())
    }

    async fn toggle_comment_like(
        &self,
        caller: Caller,
        id: CommentId,
    ) -> Result<Toggled, CommunityError> {
        self.contributor(caller).await?;
        self.live_comment(id).await?;
        self.ports
            .comments
            .toggle_like(id, caller.id, self.ports.clock.now())
            .await?
            .ok_or(CommunityError::CommentNotFound)
    }

    async fn stats(&self) -> Result<CommunityStats, CommunityError> {
        let now = self.ports.clock.now();
        let today = now
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .map_or(now, |t| t.and_utc());
        let (figures, members) = futures::try_join!(
            async {
                self.ports
                    .posts
                    .figures(
                        today,
                        now - Duration::days(CONTRIBUTOR_DAYS),
                        TOP_CONTRIBUTORS,
                    )
                    .await
                    .map_err(CommunityError::from)
            },
            async {
                self.ports
                    .members
                    .count()
                    .await
                    .map_err(CommunityError::Unavailable)
            },
        )?;
        let ids: Vec<MemberId> = figures.top_contributors.iter().map(|(m, _)| *m).collect();
        let faces = self.faces(&ids).await?;
        let top_contributors = figures
            .top_contributors
            .iter()
            .map(|&(member, contributions)| Contributor {
                member,
                face: faces.get(&member).cloned(),
                contributions,
            })
            .collect();
        Ok(CommunityStats {
            members,
            figures,
            top_contributors,
            date: today,
        })
    }

    async fn report(
        &self,
        caller: Caller,
        target: Target,
        reason: ReportReason,
        text: String,
    ) -> Result<Report, CommunityError> {
        let text = reason_text("text", text, false)?;
        let (post, author) = match target {
            Target::Post(id) => {
                let post = self.visible_post(Some(caller), id).await?;
                (post.id, post.author)
            }
            Target::Comment(id) => {
                let comment = self.live_comment(id).await?;
                (comment.post, comment.author)
            }
        };
        if author == caller.id {
            return Err(CommunityError::invalid(
                "target",
                "is your own: edit or delete it instead",
            ));
        }
        let now = self.ports.clock.now();
        let report = Report {
            id: ReportId::generate(now),
            target,
            post,
            reporter: caller.id,
            reason,
            text,
            status: ReportStatus::Open,
            created_at: now,
            resolved_by: None,
            resolved_at: None,
        };
        if self.ports.reports.insert(&report).await? {
            Ok(report)
        } else {
            Err(CommunityError::AlreadyReported)
        }
    }

    async fn reports(
        &self,
        caller: Caller,
        status: Option<ReportStatus>,
        page: PageRequest,
    ) -> Result<Page<ReportView>, CommunityError> {
        Self::moderator(caller)?;
        let Page {
            items,
            request,
            total,
        } = self.ports.reports.list(status, page).await?;
        let reporters: Vec<MemberId> = items.iter().map(|r| r.reporter).collect();
        let faces = self.faces(&reporters).await?;
        let mut views = Vec::with_capacity(items.len());
        for report in items {
            let excerpt = match report.target {
                Target::Post(id) => self.ports.posts.get(id).await?.map(|p| p.title),
                Target::Comment(id) => self
                    .ports
                    .comments
                    .get(id)
                    .await?
                    .filter(|c| !c.is_deleted)
                    .map(|c| c.content.chars().take(200).collect()),
            };
            views.push(ReportView {
                reporter: faces.get(&report.reporter).cloned(),
                excerpt,
                report,
            });
        }
        Ok(Page {
            items: views,
            request,
            total,
        })
    }

    async fn moderate(
        &self,
        caller: Caller,
        target: Target,
        action: ModerationAction,
        reason: String,
    ) -> Result<ModerationRecord, CommunityError> {
        Self::moderator(caller)?;
        let reason = reason_text("reason", reason, true)?;
        let now = self.ports.clock.now();
        let author = match target {
            Target::Post(id) => {
                let post = self.live_post(id).await?;
                let flag = match action {
                    ModerationAction::Delete => {
                        if !self.ports.posts.remove(id, now).await? {
                            return Err(CommunityError::PostNotFound);
                        }
                        None
                    }
                    ModerationAction::Hide | ModerationAction::Unhide => Some(PostFlag::Hidden),
                    ModerationAction::Lock | ModerationAction::Unlock => {
                        Some(PostFlag::CommentsLocked)
                    }
                    ModerationAction::Pin | ModerationAction::Unpin => Some(PostFlag::Pinned),
                    ModerationAction::Feature | ModerationAction::Unfeature => {
                        Some(PostFlag::Featured)
                    }
                    ModerationAction::Dismiss => {
                        return Err(CommunityError::invalid(
                            "action",
                            "dismiss applies to a report: POST …/reports/{id}/dismiss",
                        ))
                    }
                };
                if let Some(flag) = flag {
                    let on = matches!(
                        action,
                        ModerationAction::Hide
                            | ModerationAction::Lock
                            | ModerationAction::Pin
                            | ModerationAction::Feature
                    );
                    if !self.ports.posts.set_flag(id, flag, on, now).await? {
                        return Err(CommunityError::PostNotFound);
                    }
                }
                post.author
            }
            Target::Comment(id) => {
                let comment = self.live_comment(id).await?;
                match action {
                    ModerationAction::Delete => {
                        if !self.ports.comments.remove(id, now).await? {
                            return Err(CommunityError::CommentNotFound);
                        }
                    }
                    ModerationAction::Hide | ModerationAction::Unhide => {
                        let hide = action == ModerationAction::Hide;
                        if !self.ports.comments.set_hidden(id, hide, now).await? {
                            return Err(CommunityError::CommentNotFound);
                        }
                    }
                    _ => {
                        return Err(CommunityError::invalid(
                            "action",
                            "a comment can be hidden, shown or deleted",
                        ))
                    }
                }
                comment.author
            }
        };
        self.moderated(caller, target, author, action, reason).await
    }

    async fn dismiss(
        &self,
        caller: Caller,
        report: ReportId,
        reason: String,
    ) -> Result<ModerationRecord, CommunityError> {
        Self::moderator(caller)?;
        let reason = reason_text("reason", reason, true)?;
        let found = self
            .ports
            .reports
            .get(report)
            .await?
            .ok_or(CommunityError::ReportNotFound)?;
        let now = self.ports.clock.now();
        if !self
            .ports
            .reports
            .resolve(report, ReportStatus::Dismissed, caller.id, now)
            .await?
        {
            return Err(CommunityError::ReportResolved);
        }
        self.record(
            caller,
            ModerationAction::Dismiss,
            found.target,
            Some(report),
            reason,
        )
        .await
    }

    async fn moderation_log(
        &self,
        caller: Caller,
        page: PageRequest,
    ) -> Result<Page<LogView>, CommunityError> {
        if !caller.is_admin {
            return Err(CommunityError::Forbidden);
        }
        let Page {
            items,
            request,
            total,
        } = self.ports.log.list(page).await?;
        let moderators: Vec<MemberId> = items.iter().map(|r| r.moderator).collect();
        let faces = self.faces(&moderators).await?;
        Ok(Page {
            items: items
                .into_iter()
                .map(|record| LogView {
                    moderator: faces.get(&record.moderator).cloned(),
                    record,
                })
                .collect(),
            request,
            total,
        })
    }

    async fn follow(&self, caller: Caller, member: MemberId) -> Result<Following, CommunityError> {
        if member == caller.id {
            return Err(CommunityError::invalid("id", "you cannot follow yourself"));
        }
        self.contributor(caller).await?;
        self.existing(member).await?;
        let now = self.ports.clock.now();
        if self.ports.follows.follow(caller.id, member, now).await? {
            self.ports
                .events
                .publish(CommunityEvent::Followed {
                    to: member,
                    by: caller.id,
                })
                .await;
        }
        self.following_state(member, true).await
    }

    async fn unfollow(
        &self,
        caller: Caller,
        member: MemberId,
    ) -> Result<Following, CommunityError> {
        self.existing(member).await?;
        self.ports.follows.unfollow(caller.id, member).await?;
        self.following_state(member, false).await
    }

    async fn follow_list(
        &self,
        member: MemberId,
        followers: bool,
        page: PageRequest,
    ) -> Result<Page<MemberCard>, CommunityError> {
        self.existing(member).await?;
        let Page {
            items,
            request,
            total,
        } = if followers {
            self.ports.follows.followers(member, page).await?
        } else {
            self.ports.follows.following(member, page).await?
        };
        let ids: Vec<MemberId> = items.iter().map(|f| f.member).collect();
        let faces = self.faces(&ids).await?;
        Ok(Page {
            items: items
                .into_iter()
                .map(|f| MemberCard {
                    member: f.member,
                    face: faces.get(&f.member).cloned(),
                    since: f.since,
                })
                .collect(),
            request,
            total,
        })
    }

    async fn member(
        &self,
        viewer: Option<Caller>,
        member: MemberId,
    ) -> Result<MemberProfile, CommunityError> {
        let mut faces = self.faces(&[member]).await?;
        let face = faces
            .remove(&member)
            .ok_or(CommunityError::MemberNotFound)?;
        let counts = self.ports.follows.counts(member).await?;
        let is_following = match viewer {
            Some(v) if v.id != member => self.ports.follows.follows(v.id, member).await?,
            _ => false,
        };
        Ok(MemberProfile {
            member,
            face,
            counts,
            is_following,
        })
    }

    async fn feed(
        &self,
        caller: Caller,
        page: PageRequest,
    ) -> Result<Page<PostView>, CommunityError> {
        let found = self.ports.posts.feed(caller.id, page).await?;
        self.view_page(Some(caller), found).await
    }

    async fn request_collaboration(
        &self,
        caller: Caller,
        post: PostId,
        message: String,
        skills: Vec<String>,
    ) -> Result<CollaborationView, CommunityError> {
        let message = reason_text("message", message, true)?;
        let mut p = Problems(Vec::new());
        p.list("skills", &skills, 20, 50);
        if !p.0.is_empty() {
            return Err(CommunityError::Invalid(p.0));
        }
        self.contributor(caller).await?;
        let target = self.visible_post(Some(caller), post).await?;
        if target.is_hidden {
            return Err(CommunityError::PostNotFound);
        }
        let open = target.category == Category::Collaboration
            || target
                .collaboration
                .as_ref()
                .is_some_and(|c| c.is_looking_for_collaborators);
        if !open {
            return Err(CommunityError::invalid(
                "post",
                "is not looking for collaborators",
            ));
        }
        if target.author == caller.id {
            return Err(CommunityError::invalid("post", "is your own"));
        }
        let now = self.ports.clock.now();
        let request = CollaborationRequest {
            id: CollaborationId::generate(now),
            post,
            requester: caller.id,
            post_author: target.author,
            message,
            skills: skills.into_iter().map(|s| s.trim().to_owned()).collect(),
            status: CollaborationStatus::Pending,
            created_at: now,
            responded_at: None,
        };
        if !self.ports.collaborations.insert(&request).await? {
            return Err(CommunityError::AlreadyRequested);
        }
        self.ports
            .events
            .publish(CommunityEvent::CollaborationRequested {
                to: target.author,
                by: caller.id,
                post,
                post_title: target.title,
                request: request.id,
            })
            .await;
        self.collaboration_view(request).await
    }

    async fn collaborations(
        &self,
        caller: Caller,
        side: CollaborationSide,
        status: Option<CollaborationStatus>,
        page: PageRequest,
    ) -> Result<Page<CollaborationView>, CommunityError> {
        let Page {
            items,
            request,
            total,
        } = self
            .ports
            .collaborations
            .list(caller.id, side, status, page)
            .await?;
        let people: Vec<MemberId> = items
            .iter()
            .flat_map(|r| [r.requester, r.post_author])
            .collect();
        let faces = self.faces(&people).await?;
        Ok(Page {
            items: items
                .into_iter()
                .map(|r| CollaborationView {
                    requester: faces.get(&r.requester).cloned(),
                    post_author: faces.get(&r.post_author).cloned(),
                    request: r,
                })
                .collect(),
            request,
            total,
        })
    }

    async fn withdraw(&self, member: MemberId) -> Result<(), CommunityError> {
        let marks = self.ports.posts.withdraw_marks(member).await?;
        let likes = self.ports.comments.withdraw_likes(member).await?;
        let follows = self.ports.follows.withdraw(member).await?;
        tracing::info!(member = %member, marks, likes, follows, "withdrew a gone member's marks");
        Ok(())
    }

    async fn answer_collaboration(
        &self,
        caller: Caller,
        id: CollaborationId,
        accept: bool,
    ) -> Result<CollaborationView, CommunityError> {
        let mut request = self
            .ports
            .collaborations
            .get(id)
            .await?
            .filter(|r| r.post_author == caller.id || r.requester == caller.id)
            .ok_or(CommunityError::CollaborationNotFound)?;
        if request.post_author != caller.id {
            return Err(CommunityError::Forbidden);
        }
        let status = if accept {
            CollaborationStatus::Accepted
        } else {
            CollaborationStatus::Declined
        };
        let now = self.ports.clock.now();
        if !self.ports.collaborations.answer(id, status, now).await? {
            return Err(CommunityError::AlreadyAnswered);
        }
        request.status = status;
        request.responded_at = Some(now);
        self.ports
            .events
            .publish(CommunityEvent::CollaborationAnswered {
                to: request.requester,
                post: request.post,
                request: id,
                accepted: accept,
            })
            .await;
        self.collaboration_view(request).await
    }
}

/// Builds each top-level comment's reply tree from the flat replies (oldest first at every
/// level). Deleted comments keep their place, with their content replaced.
fn threads(
    roots: Vec<Comment>,
    replies: Vec<Comment>,
    faces: &HashMap<MemberId, Face>,
) -> Vec<Thread> {
    let mut children: HashMap<CommentId, Vec<Comment>> = HashMap::new();
    for reply in replies {
        if let Some(parent) = reply.parent {
            children.entry(parent).or_default().push(reply);
        }
    }
    fn build(
        comment: Comment,
        children: &mut HashMap<CommentId, Vec<Comment>>,
        faces: &HashMap<MemberId, Face>,
        seen: &mut HashSet<CommentId>,
    ) -> Thread {
        seen.insert(comment.id);
        let mut replies: Vec<Thread> = Vec::new();
        for child in children.remove(&comment.id).unwrap_or_default() {
            if !seen.contains(&child.id) {
                replies.push(build(child, children, faces, seen));
            }
        }
        let author = if comment.is_deleted || comment.is_hidden {
            None
        } else {
            faces.get(&comment.author).cloned()
        };
        Thread {
            comment: CommentView {
                comment: shown(comment),
                author,
            },
            replies,
        }
    }
    let mut seen = HashSet::new();
    roots
        .into_iter()
        .map(|root| build(root, &mut children, faces, &mut seen))
        .collect()
}

/// A comment as readers see it: a deleted one keeps its place with its content gone.
fn shown(mut comment: Comment) -> Comment {
    if comment.is_hidden && !comment.is_deleted {
        comment.content = "[hidden by a moderator]".to_owned();
        comment.content_html = "<p>[hidden by a moderator]</p>\n".to_owned();
        comment.likes = 0;
    }
    if comment.is_deleted {
        comment.content = "[deleted]".to_owned();
        comment.content_html = "<p>[deleted]</p>\n".to_owned();
        comment.likes = 0;
    }
    comment
}

/// Control characters other than tab, newline and carriage return; bidirectional overrides.
fn hidden_char(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A one-line text: no control characters at all.
fn line_problem(value: &str, max: usize) -> Option<String> {
    if value.chars().any(|c| c.is_control() || hidden_char(c)) {
        return Some("must not contain control characters".to_owned());
    }
    if value.chars().count() > max {
        return Some(format!("must be at most {max} characters"));
    }
    None
}

/// A multi-line text: tabs and line breaks allowed.
fn text_problem(value: &str, min: usize, max: usize) -> Option<String> {
    if value.chars().any(hidden_char) {
        return Some("must not contain control characters".to_owned());
    }
    let n = value.chars().count();
    if n < min || value.trim().is_empty() && min > 0 {
        return Some("must not be empty".to_owned());
    }
    if n > max {
        return Some(format!("must be at most {max} characters"));
    }
    None
}

struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, field: &str, problem: Option<String>) {
        if let Some(message) = problem {
            self.0.push(FieldError::new(field, message));
        }
    }

    fn line(&mut self, field: &str, value: Option<&str>, max: usize) {
        if let Some(v) = value {
            self.add(field, line_problem(v, max));
        }
    }

    fn url(&mut self, field: &str, value: Option<&str>) {
        let Some(v) = value else { return };
        let scheme_ok = ["http://", "https://"].iter().any(|s| {
            v.get(..s.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(s))
                && v.len() > s.len()
        });
        if !scheme_ok || v.chars().any(char::is_whitespace) {
            self.add(field, Some("must be an http(s) URL".to_owned()));
        } else {
            self.line(field, value, MAX_URL_CHARS);
        }
    }

    fn list(&mut self, field: &str, values: &[String], max_items: usize, max_chars: usize) {
        if values.len() > max_items {
            self.add(field, Some(format!("must have at most {max_items} items")));
            return;
        }
        for (i, v) in values.iter().enumerate() {
            let item = format!("{field}[{i}]");
            if v.trim().is_empty() {
                self.add(&item, Some("must not be empty".to_owned()));
            } else {
                self.line(&item, Some(v), max_chars);
            }
        }
    }
}

/// Tags trimmed, lower-cased and deduplicated (first occurrence kept).
fn normalized_tags(tags: Vec<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    tags.into_iter()
        .map(|t| t.trim().to_lowercase())
        .filter(|t| seen.insert(t.clone()))
        .collect()
}

fn tag_problem(tag: &str) -> Option<String> {
    if tag.is_empty() {
        return Some("must not be empty".to_owned());
    }
    if tag.chars().count() > MAX_TAG_CHARS {
        return Some(format!("must be at most {MAX_TAG_CHARS} characters"));
    }
    if !tag
        .chars()
        .all(|c| c.is_alphanumeric() || "+#.-_".contains(c))
    {
        return Some("may hold letters, digits and + # . - _ only".to_owned());
    }
    None
}

/// The draft trimmed and normalized, or every problem with it.
fn normalized(mut d: PostDraft) -> Result<PostDraft, CommunityError> {
    let mut p = Problems(Vec::new());
    d.title = d.title.trim().to_owned();
    if d.title.is_empty() {
        p.add("title", Some("must not be empty".to_owned()));
    } else {
        p.line("title", Some(&d.title), MAX_TITLE_CHARS);
    }
    p.add("content", text_problem(&d.content, 1, MAX_POST_CHARS));
    d.tags = normalized_tags(d.tags);
    if d.tags.len() > MAX_TAGS {
        p.add("tags", Some(format!("must have at most {MAX_TAGS} items")));
    } else {
        for (i, tag) in d.tags.iter().enumerate() {
            p.add(&format!("tags[{i}]"), tag_problem(tag));
        }
    }
    if let Some(code) = &d.code {
        p.line(
            "codeSubmission.title",
            code.title.as_deref(),
            MAX_TITLE_CHARS,
        );
        if let Some(text) = &code.description {
            p.add("codeSubmission.description", text_problem(text, 0, 2_000));
        }
        for (field, value) in [
            ("codeSubmission.code", &code.code),
            ("codeSubmission.htmlCode", &code.html_code),
            ("codeSubmission.cssCode", &code.css_code),
            ("codeSubmission.jsCode", &code.js_code),
        ] {
            if let Some(text) = value {
                p.add(field, text_problem(text, 0, MAX_CODE_CHARS));
            }
        }
        if let Some(language) = &code.language {
            p.add("codeSubmission.language", tag_problem(language));
        }
        p.url("codeSubmission.githubUrl", code.github_url.as_deref());
        p.url("codeSubmission.liveDemo", code.live_demo.as_deref());
    }
    if let Some(project) = &d.project {
        p.url("projectDetails.githubUrl", project.github_url.as_deref());
        p.url("projectDetails.liveDemo", project.live_demo.as_deref());
        p.list("projectDetails.technologies", &project.technologies, 20, 50);
    }
    if let Some(c) = &d.collaboration {
        p.list(
            "collaborationDetails.skillsNeeded",
            &c.skills_needed,
            20,
            50,
        );
        p.line(
            "collaborationDetails.projectType",
            c.project_type.as_deref(),
            200,
        );
        p.line(
            "collaborationDetails.timeCommitment",
            c.time_commitment.as_deref(),
            200,
        );
        p.line(
            "collaborationDetails.contactMethod",
            c.contact_method.as_deref(),
            200,
        );
    }
    if p.0.is_empty() {
        Ok(d)
    } else {
        Err(CommunityError::Invalid(p.0))
    }
}

fn normalized_filter(mut f: PostFilter) -> Result<PostFilter, CommunityError> {
    f.tags = normalized_tags(f.tags);
    f.tags.retain(|t| !t.is_empty());
    if f.tags.len() > MAX_TAGS {
        return Err(CommunityError::Invalid(vec![FieldError::new(
            "tags",
            format!("must name at most {MAX_TAGS} tags"),
        )]));
    }
    f.search = f
        .search
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    if let Some(problem) = f.search.as_deref().and_then(|s| line_problem(s, 100)) {
        return Err(CommunityError::Invalid(vec![FieldError::new(
            "search", problem,
        )]));
    }
    Ok(f)
}

/// A report's text (may be empty) or a moderator's reason (required).
fn reason_text(field: &str, text: String, required: bool) -> Result<String, CommunityError> {
    let text = text.trim().to_owned();
    let problem = text_problem(&text, usize::from(required), MAX_REASON_CHARS);
    match problem {
        Some(problem) => Err(CommunityError::Invalid(vec![FieldError::new(
            field, problem,
        )])),
        None => Ok(text),
    }
}

fn comment_text(content: String) -> Result<String, CommunityError> {
    match text_problem(&content, 1, MAX_COMMENT_CHARS) {
        Some(problem) => Err(CommunityError::Invalid(vec![FieldError::new(
            "content", problem,
        )])),
        None => Ok(content),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use stackrush_kernel::FixedClock;

    use super::*;
    use crate::fake::InMemoryCommunity;
    use crate::ports::{Challenges, CommunityEvents, Members};

    /// Members: `verified` may contribute; everyone has a face named after their first byte.
    struct TestMembers {
        verified: Vec<MemberId>,
    }

    #[async_trait]
    impl Members for TestMembers {
        async fn standing(&self, member: MemberId) -> anyhow::Result<Option<Standing>> {
            Ok(Some(Standing {
                may_contribute: self.verified.contains(&member),
            }))
        }

        async fn faces(&self, members: &[MemberId]) -> anyhow::Result<HashMap<MemberId, Face>> {
            Ok(members
                .iter()
                .map(|m| {
                    let face = Face {
                        username: format!("u{}", m.bytes()[11]),
                        first_name: None,
                        last_name: None,
                        avatar: None,
                    };
                    (*m, face)
                })
                .collect())
        }

        async fn count(&self) -> anyhow::Result<u64> {
            Ok(self.verified.len() as u64)
        }
    }

    struct OnlyChallenge(ChallengeRef);

    #[async_trait]
    impl Challenges for OnlyChallenge {
        async fn is_public(&self, challenge: ChallengeRef) -> anyhow::Result<bool> {
            Ok(challenge == self.0)
        }
    }

    #[derive(Default)]
    struct Recorded(Mutex<Vec<CommunityEvent>>);

    #[async_trait]
    impl CommunityEvents for Recorded {
        async fn publish(&self, event: CommunityEvent) {
            self.0.lock().unwrap().push(event);
        }
    }

    fn member(n: u8) -> MemberId {
        MemberId::from_bytes([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, n])
    }

    fn caller(n: u8) -> Caller {
        Caller {
            id: member(n),
            is_moderator: false,
            is_admin: false,
        }
    }

    fn moderator(n: u8) -> Caller {
        Caller {
            id: member(n),
            is_moderator: true,
            is_admin: false,
        }
    }

    struct World {
        service: CommunityService,
        events: Arc<Recorded>,
        public: ChallengeRef,
    }

    fn world() -> World {
        let store = Arc::new(InMemoryCommunity::default());
        let events = Arc::new(Recorded::default());
        let public = ChallengeRef::from_bytes([7; 12]);
        let service = CommunityService::new(Ports {
            posts: store.clone(),
            comments: store.clone(),
            reports: store.clone(),
            log: store.clone(),
            follows: store.clone(),
            collaborations: store,
            members: Arc::new(TestMembers {
                verified: vec![member(1), member(2), member(3)],
            }),
            challenges: Arc::new(OnlyChallenge(public)),
            events: events.clone(),
            clock: Arc::new(FixedClock::new(Utc::now())),
        });
        World {
            service,
            events,
            public,
        }
    }

    fn draft(title: &str) -> PostDraft {
        PostDraft {
            title: title.into(),
            content: "Some *text*".into(),
            category: Category::Discussion,
            tags: vec![],
            code: None,
            project: None,
            collaboration: None,
            difficulty: None,
            challenge_type: None,
        }
    }

    fn fields(err: CommunityError) -> Vec<String> {
        match err {
            CommunityError::Invalid(problems) => problems.into_iter().map(|p| p.field).collect(),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn posting_needs_a_verified_member_and_valid_content() {
        let w = world();
        let err = w
            .service
            .create_post(caller(9), draft("T"))
            .await
            .unwrap_err();
        assert!(matches!(err, CommunityError::NotVerified), "{err:?}");
        let mut bad = draft(" ");
        bad.content = "\u{202e}evil".into();
        bad.tags = vec!["ok".into(), "not ok".into()];
        bad.code = Some(CodeSubmission {
            github_url: Some("ftp://x".into()),
            live_demo: Some("https://fine.example".into()),
            challenge: Some(ChallengeRef::from_bytes([8; 12])),
            ..CodeSubmission::default()
        });
        let err = w.service.create_post(caller(1), bad).await.unwrap_err();
        assert_eq!(
            fields(err),
            vec!["title", "content", "tags[1]", "codeSubmission.githubUrl"]
        );
        // Only a public challenge may be linked.
        let mut linked = draft("Linked");
        linked.code = Some(CodeSubmission {
            challenge: Some(ChallengeRef::from_bytes([8; 12])),
            ..CodeSubmission::default()
        });
        let err = w
            .service
            .create_post(caller(1), linked.clone())
            .await
            .unwrap_err();
        assert!(matches!(err, CommunityError::ChallengeNotFound), "{err:?}");
        linked.code = Some(CodeSubmission {
            challenge: Some(w.public),
            ..CodeSubmission::default()
        });
        let made = w.service.create_post(caller(1), linked).await.unwrap();
        assert_eq!(made.post.challenge(), Some(w.public));
        assert_eq!(made.post.content_html, "<p>Some <em>text</em></p>\n");
        assert_eq!(made.author.unwrap().username, "u1");
    }

    #[tokio::test]
    async fn only_authors_edit_and_moderators_may_also_delete() {
        let w = world();
        let post = w
            .service
            .create_post(caller(1), draft("Mine"))
            .await
            .unwrap();
        let id = post.post.id;
        let patch = PostPatch {
            title: Some("Changed".into()),
            ..PostPatch::default()
        };
        let err = w
            .service
            .update_post(caller(2), id, patch.clone())
            .await
            .unwrap_err();
        assert!(matches!(err, CommunityError::Forbidden));
        let changed = w.service.update_post(caller(1), id, patch).await.unwrap();
        assert_eq!(changed.post.title, "Changed");
        assert_eq!(changed.post.content, "Some *text*");
        let err = w.service.delete_post(caller(2), id).await.unwrap_err();
        assert!(matches!(err, CommunityError::Forbidden));
        w.service.delete_post(moderator(3), id).await.unwrap();
        let err = w
            .service
            .post(Reader::Member(caller(1)), id)
            .await
            .unwrap_err();
        assert!(matches!(err, CommunityError::PostNotFound));
    }

    #[tokio::test]
    async fn views_count_once_per_reader_and_anonymous_readers_by_address() {
        let w = world();
        let id = w
            .service
            .create_post(caller(1), draft("Seen"))
            .await
            .unwrap()
            .post
            .id;
        let anon = |a: &str| Reader::Anonymous { address: a.into() };
        for reader in [
            Reader::Member(caller(2)),
            Reader::Member(caller(2)),
            anon("10.0.0.1"),
            anon("10.0.0.1"),
            anon("10.0.0.2"),
        ] {
            w.service.post(reader, id).await.unwrap();
        }
        let seen = w.service.post(anon("10.0.0.2"), id).await.unwrap();
        assert_eq!(seen.post.interactions.views, 3);
        assert_ne!(viewer_key(&anon("10.0.0.1")), viewer_key(&anon("10.0.0.2")));
        assert!(
            !viewer_key(&anon("10.0.0.1")).contains("10.0.0.1"),
            "no address is stored"
        );
    }

    #[tokio::test]
    async fn replies_nest_to_the_depth_limit_stay_on_their_post_and_notify_others() {
        let w = world();
        let post = w
            .service
            .create_post(caller(1), draft("Thread"))
            .await
            .unwrap()
            .post
            .id;
        let other = w
            .service
            .create_post(caller(1), draft("Other"))
            .await
            .unwrap()
            .post
            .id;
        // Commenting on your own post notifies nobody.
        let top = w
            .service
            .comment(caller(1), post, "mine".into(), None)
            .await
            .unwrap();
        assert!(w.events.0.lock().unwrap().is_empty());
        let mut parent = top.comment.id;
        for expected in [1, 2, 3, 4, 4, 4] {
            let reply = w
                .service
                .comment(caller(2), post, "deeper".into(), Some(parent))
                .await
                .unwrap();
            assert_eq!(reply.comment.depth, expected);
            assert_eq!(reply.comment.root, top.comment.id);
            parent = reply.comment.id;
        }
        // The first reply answered member 1's comment: they were told, once.
        let events = w.events.0.lock().unwrap().clone();
        assert!(matches!(
            events[0],
            CommunityEvent::Replied { to, on_comment: true, .. } if to == member(1)
        ));
        let err = w
            .service
            .comment(caller(2), other, "x".into(), Some(top.comment.id))
            .await
            .unwrap_err();
        assert_eq!(fields(err), vec!["parentId"]);
        let err = w
            .service
            .comment(caller(9), post, "x".into(), None)
            .await
            .unwrap_err();
        assert!(matches!(err, CommunityError::NotVerified));
        let err = w
            .service
            .comment(caller(2), post, " \n ".into(), None)
            .await
            .unwrap_err();
        assert_eq!(fields(err), vec!["content"]);

        // The tree: one thread, every reply under its parent.
        let page = w
            .service
            .comments(None, post, PageRequest::new(1, 10))
            .await
            .unwrap();
        assert_eq!(page.total, 1);
        let mut depth = 0;
        let mut node = &page.items[0];
        while let Some(next) = node.replies.first() {
            depth += 1;
            node = next;
        }
        assert_eq!(depth, 4, "the deepest level holds the overflow replies");
    }

    #[tokio::test]
    async fn a_deleted_comment_with_replies_keeps_its_place_without_its_text_or_author() {
        let w = world();
        let post = w
            .service
            .create_post(caller(1), draft("T"))
            .await
            .unwrap()
            .post
            .id;
        let top = w
            .service
            .comment(caller(2), post, "secret".into(), None)
            .await
            .unwrap();
        w.service
            .comment(caller(3), post, "reply".into(), Some(top.comment.id))
            .await
            .unwrap();
        let err = w
            .service
            .delete_comment(caller(3), top.comment.id)
            .await
            .unwrap_err();
        assert!(matches!(err, CommunityError::Forbidden));
        w.service
            .delete_comment(caller(2), top.comment.id)
            .await
            .unwrap();
        let page = w
            .service
            .comments(None, post, PageRequest::new(1, 10))
            .await
            .unwrap();
        let shown = &page.items[0].comment;
        assert_eq!(shown.comment.content, "[deleted]");
        assert!(!shown.comment.content_html.contains("secret"));
        assert_eq!(shown.author, None);
        assert_eq!(page.items[0].replies.len(), 1);
    }

    #[tokio::test]
    async fn reports_queue_for_moderators_whose_actions_close_them_log_and_tell_the_author() {
        let w = world();
        let post = w
            .service
            .create_post(caller(1), draft("Spam"))
            .await
            .unwrap()
            .post
            .id;
        let target = Target::Post(post);
        let err = w
            .service
            .report(caller(1), target, ReportReason::Spam, String::new())
            .await
            .unwrap_err();
        assert_eq!(fields(err), vec!["target"], "not one's own");
        let report = w
            .service
            .report(caller(2), target, ReportReason::Spam, "ads".into())
            .await
            .unwrap();
        let err = w
            .service
            .report(caller(2), target, ReportReason::Other, String::new())
            .await
            .unwrap_err();
        assert!(matches!(err, CommunityError::AlreadyReported));
        let err = w
            .service
            .reports(caller(2), None, PageRequest::new(1, 10))
            .await
            .unwrap_err();
        assert!(matches!(err, CommunityError::Forbidden));
        let queue = w
            .service
            .reports(
                moderator(3),
                Some(ReportStatus::Open),
                PageRequest::new(1, 10),
            )
            .await
            .unwrap();
        assert_eq!(queue.items[0].report.id, report.id);
        assert_eq!(queue.items[0].excerpt.as_deref(), Some("Spam"));

        // A reason is required; hiding closes the report, logs and tells the author.
        let err = w
            .service
            .moderate(moderator(3), target, ModerationAction::Hide, " ".into())
            .await
            .unwrap_err();
        assert_eq!(fields(err), vec!["reason"]);
        w.service
            .moderate(moderator(3), target, ModerationAction::Hide, "spam".into())
            .await
            .unwrap();
        let open = w
            .service
            .reports(
                moderator(3),
                Some(ReportStatus::Open),
                PageRequest::new(1, 10),
            )
            .await
            .unwrap();
        assert_eq!(open.total, 0);
        assert!(w.events.0.lock().unwrap().iter().any(|e| matches!(
            e,
            CommunityEvent::Moderated { to, action: ModerationAction::Hide, .. } if *to == member(1)
        )));
        // Hidden: gone for others, still there for its author and moderators.
        let err = w
            .service
            .post(Reader::Member(caller(2)), post)
            .await
            .unwrap_err();
        assert!(matches!(err, CommunityError::PostNotFound));
        assert!(
            w.service
                .post(Reader::Member(caller(1)), post)
                .await
                .unwrap()
                .post
                .is_hidden
        );
        let err = w
            .service
            .toggle(caller(2), Reaction::Like, post)
            .await
            .unwrap_err();
        assert!(matches!(err, CommunityError::PostNotFound));

        // The log is for admins.
        let err = w
            .service
            .moderation_log(moderator(3), PageRequest::new(1, 10))
            .await
            .unwrap_err();
        assert!(matches!(err, CommunityError::Forbidden));
        let admin = Caller {
            is_admin: true,
            ..moderator(3)
        };
        let log = w
            .service
            .moderation_log(admin, PageRequest::new(1, 10))
            .await
            .unwrap();
        assert_eq!(log.items[0].record.action, ModerationAction::Hide);
        assert_eq!(log.items[0].record.reason, "spam");
    }

    #[tokio::test]
    async fn locked_posts_take_no_comments_and_members_are_rate_limited() {
        let w = world();
        let post = w
            .service
            .create_post(caller(1), draft("Locked"))
            .await
            .unwrap()
            .post
            .id;
        w.service
            .moderate(
                moderator(3),
                Target::Post(post),
                ModerationAction::Lock,
                "heated".into(),
            )
            .await
            .unwrap();
        let err = w
            .service
            .comment(caller(2), post, "x".into(), None)
            .await
            .unwrap_err();
        assert!(matches!(err, CommunityError::CommentsLocked));
        for i in 1..POSTS_PER_HOUR {
            w.service
                .create_post(caller(2), draft(&format!("p{i}")))
                .await
                .unwrap();
        }
        w.service
            .create_post(caller(2), draft("last"))
            .await
            .unwrap();
        let err = w
            .service
            .create_post(caller(2), draft("one too many"))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                CommunityError::RateLimited {
                    retry_after_secs: 360
                }
            ),
            "{err:?}"
        );
        // Moderators are not limited.
        for i in 0..=POSTS_PER_HOUR {
            let mut m = moderator(3);
            m.id = member(3);
            w.service
                .create_post(m, draft(&format!("m{i}")))
                .await
                .unwrap();
        }
    }
}
