//! The community service: who may write what, what a post or comment may hold, threads, views
//! and the figures.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::Duration;
use sha2::{Digest, Sha256};
use stackrush_kernel::activity::{Activity, Happened};
use stackrush_kernel::{Freshness, Page, PageRequest, ReadMemory, Shared, SharedAnswers};

use crate::error::CommunityError;
use crate::markdown;
use crate::model::*;
use crate::ports::{CommunityEvent, Ports};
use crate::trending;

use crate::api::*;
use crate::validation::*;

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

/// How many list totals are remembered; beyond it the memory starts over.
const TOTALS_CAPACITY: usize = 10_000;
/// How many list pages are remembered; beyond it the memory starts over.
const PAGES_CAPACITY: usize = 2_000;

/// How long a remembered list page is answered with: its counters (likes, comments, views) may
/// lag this much behind the store; what a list holds never does (see [`CommunityService`]).
pub const PAGE_TTL: Duration = Duration::seconds(1);

/// A list page: its filter, order, page number and size.
type PageKey = (PostFilter, PostSort, u32, u32);

/// The community rules over the outbound ports.
///
/// Post lists answer with their total, which over a large community is a count of many rows:
/// totals are remembered per filter, forgotten all at once whenever this service changes what a
/// list holds (a post created, edited, deleted, hidden or shown; a member's marks withdrawn does
/// not change them), and otherwise trusted as the store's [`Freshness`] allows (one second by
/// default, so other instances' posts show within it).
///
/// Pages of lists are remembered too, for [`PAGE_TTL`] (each between half of it and all of it, so
/// pages read together do not expire together), forgotten with the totals; when one expires, one
/// request reads it again while the others answer with it; when none is remembered, readers of
/// cold pages take turns, so a burst of them does not count the same large list many times over.
/// Members' own marks (liked, bookmarked) are read for each request.
pub struct CommunityService {
    ports: Ports,
    totals: ReadMemory<PostFilter, u64>,
    pages: SharedAnswers<PageKey, Page<PostView>>,
}

impl CommunityService {
    /// Tells the event store what `member` did (never fails the action).
    async fn note(&self, member: MemberId, what: Happened) {
        let activity = Activity {
            actor: member.bytes(),
            at: self.ports.clock.now(),
            what,
        };
        self.ports.activity.record(activity).await;
    }

    /// A service over `ports`, remembering list totals for one second.
    pub fn new(ports: Ports) -> Self {
        Self {
            ports,
            totals: ReadMemory::new(Freshness::default(), TOTALS_CAPACITY),
            pages: SharedAnswers::new(PAGE_TTL, PAGES_CAPACITY),
        }
    }

    /// The same service, trusting remembered totals as `freshness` allows.
    pub fn remembering(self, freshness: Freshness) -> Self {
        Self {
            totals: ReadMemory::new(freshness, TOTALS_CAPACITY),
            ..self
        }
    }

    /// One page of a list, its total from memory when remembered.
    async fn list_page(
        &self,
        filter: &PostFilter,
        sort: PostSort,
        page: PageRequest,
    ) -> Result<Page<Post>, CommunityError> {
        let now = self.ports.clock.now();
        let known = self.totals.get(filter, now);
        let ticket = self.totals.ticket();
        let found = self.ports.posts.list(filter, sort, page, known).await?;
        if known.is_none() {
            self.totals
                .put(ticket, filter.clone(), found.total, now, None);
        }
        Ok(found)
    }

    /// Lists may hold something else now.
    fn lists_changed(&self) {
        self.totals.forget_all();
        self.pages.forget_all();
    }

    /// A list page as everyone sees it (no one's marks), remembered as [`CommunityService`] says.
    async fn shared_page(
        &self,
        key: PageKey,
    ) -> Result<Arc<Shared<Page<PostView>>>, CommunityError> {
        let now = self.ports.clock.now();
        let (filter, sort, number, limit) = key.clone();
        self.pages
            .answer(key, now, || async move {
                let request = PageRequest::new(number, limit);
                let found = self.list_page(&filter, sort, request).await?;
                self.view_page(None, found).await
            })
            .await
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

    async fn mentorship_view(
        &self,
        mentorship: Mentorship,
    ) -> Result<MentorshipView, CommunityError> {
        let faces = self.faces(&[mentorship.mentor, mentorship.mentee]).await?;
        Ok(MentorshipView {
            mentor: faces.get(&mentorship.mentor).cloned(),
            mentee: faces.get(&mentorship.mentee).cloned(),
            mentorship,
        })
    }

    /// A mentorship the caller is a side of (others' answer `MentorshipNotFound`).
    async fn own_mentorship(
        &self,
        caller: Caller,
        id: MentorshipId,
    ) -> Result<Mentorship, CommunityError> {
        self.ports
            .mentorships
            .get(id)
            .await?
            .filter(|m| m.mentor == caller.id || m.mentee == caller.id)
            .ok_or(CommunityError::MentorshipNotFound)
    }

    /// Moves `m` to `to` unless a concurrent move got there first (then its status now).
    async fn advance_mentorship(
        &self,
        mut m: Mentorship,
        to: MentorshipStatus,
    ) -> Result<Mentorship, CommunityError> {
        let now = self.ports.clock.now();
        if !self
            .ports
            .mentorships
            .advance(m.id, m.status, to, now)
            .await?
        {
            let status = self
                .ports
                .mentorships
                .get(m.id)
                .await?
                .map_or(m.status, |now| now.status);
            return Err(CommunityError::MentorshipIs(status));
        }
        match to {
            MentorshipStatus::Active | MentorshipStatus::Declined => m.responded_at = Some(now),
            MentorshipStatus::Ended => m.ended_at = Some(now),
            MentorshipStatus::Pending => {}
        }
        m.status = to;
        Ok(m)
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
        let stored = self.ports.posts.insert(&post).await;
        self.lists_changed();
        stored?;
        let code = post.code.is_some();
        self.note(
            caller.id,
            Happened::Posted {
                post: post.id.bytes(),
                code,
            },
        )
        .await;
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
            Ok(Some(views)) => {
                let counted = views > post.interactions.views;
                post.interactions.views = views;
                if let (true, Some(reader)) = (counted, reader.caller()) {
                    self.note(reader.id, Happened::Viewed { post: id.bytes() })
                        .await;
                }
            }
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
        let updated = self.ports.posts.update(&post).await;
        self.lists_changed();
        if !updated? {
            return Err(CommunityError::PostNotFound);
        }
        self.one_view(Some(caller), post).await
    }

    async fn delete_post(&self, caller: Caller, id: PostId) -> Result<(), CommunityError> {
        let post = self.live_post(id).await?;
        if post.author != caller.id && !caller.is_moderator {
            return Err(CommunityError::Forbidden);
        }
        let removed = self.ports.posts.remove(id, self.ports.clock.now()).await;
        self.lists_changed();
        if !removed? {
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
    ) -> Result<Arc<Shared<Page<PostView>>>, CommunityError> {
        let filter = normalized_filter(filter)?;
        let shared = self
            .shared_page((filter, sort, page.page(), page.limit()))
            .await?;
        // Everyone's page as it is; a member's with their own marks on a copy.
        let Some(caller) = viewer else {
            return Ok(shared);
        };
        if shared.items.is_empty() {
            return Ok(shared);
        }
        let ids: Vec<PostId> = shared.items.iter().map(|v| v.post.id).collect();
        let reacted = self.ports.posts.reacted(caller.id, &ids).await?;
        let mut answer = Page::clone(&shared);
        for view in &mut answer.items {
            view.liked = reacted.liked.contains(&view.post.id);
            view.bookmarked = reacted.bookmarked.contains(&view.post.id);
        }
        Ok(Shared::new(answer))
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
        if reaction == Reaction::Like && toggled.active {
            self.note(caller.id, Happened::Liked { post: post.bytes() })
                .await;
        }
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
        self.note(caller.id, Happened::Commented { post: post.bytes() })
            .await;
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

    async fn purge_views(&self) -> Result<u64, CommunityError> {
        let today = self.ports.clock.now().date_naive();
        let yesterday = today.pred_opt().unwrap_or(today);
        Ok(self.ports.posts.purge_views(yesterday).await?)
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
                        let removed = self.ports.posts.remove(id, now).await;
                        self.lists_changed();
                        if !removed? {
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
                    let set = self.ports.posts.set_flag(id, flag, on, now).await;
                    self.lists_changed();
                    if !set? {
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
        let mentorships = self.ports.mentorships.counts(member).await?;
        let is_following = match viewer {
            Some(v) if v.id != member => self.ports.follows.follows(v.id, member).await?,
            _ => false,
        };
        Ok(MemberProfile {
            member,
            face,
            counts,
            mentorships,
            is_following,
        })
    }

    async fn follow_counts(
        &self,
        members: &[MemberId],
    ) -> Result<HashMap<MemberId, FollowCounts>, CommunityError> {
        let mut counts = HashMap::with_capacity(members.len());
        for &member in members {
            counts.insert(member, self.ports.follows.counts(member).await?);
        }
        Ok(counts)
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
        let mentorships = self
            .ports
            .mentorships
            .end_all(member, self.ports.clock.now())
            .await?;
        tracing::info!(
            member = %member, marks, likes, follows, mentorships,
            "withdrew a gone member's marks"
        );
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

    async fn request_mentorship(
        &self,
        caller: Caller,
        mentor: MemberId,
        message: String,
        topics: Vec<String>,
    ) -> Result<MentorshipView, CommunityError> {
        if mentor == caller.id {
            return Err(CommunityError::invalid(
                "id",
                "you cannot ask yourself to mentor you",
            ));
        }
        let message = reason_text("message", message, true)?;
        let mut p = Problems(Vec::new());
        p.list("topics", &topics, MAX_MENTORSHIP_TOPICS, MAX_TOPIC_CHARS);
        if !p.0.is_empty() {
            return Err(CommunityError::Invalid(p.0));
        }
        self.contributor(caller).await?;
        self.existing(mentor).await?;
        let now = self.ports.clock.now();
        let mentorship = Mentorship {
            id: MentorshipId::generate(now),
            mentor,
            mentee: caller.id,
            message,
            topics: normalized_tags(topics),
            status: MentorshipStatus::Pending,
            created_at: now,
            responded_at: None,
            ended_at: None,
        };
        if !self.ports.mentorships.insert(&mentorship).await? {
            return Err(CommunityError::MentorshipExists);
        }
        self.ports
            .events
            .publish(CommunityEvent::MentorshipRequested {
                to: mentor,
                by: caller.id,
                mentorship: mentorship.id,
            })
            .await;
        self.mentorship_view(mentorship).await
    }

    async fn mentorships(
        &self,
        caller: Caller,
        side: MentorshipSide,
        status: Option<MentorshipStatus>,
        page: PageRequest,
    ) -> Result<Page<MentorshipView>, CommunityError> {
        let Page {
            items,
            request,
            total,
        } = self
            .ports
            .mentorships
            .list(caller.id, side, status, page)
            .await?;
        let people: Vec<MemberId> = items.iter().flat_map(|m| [m.mentor, m.mentee]).collect();
        let faces = self.faces(&people).await?;
        Ok(Page {
            items: items
                .into_iter()
                .map(|m| MentorshipView {
                    mentor: faces.get(&m.mentor).cloned(),
                    mentee: faces.get(&m.mentee).cloned(),
                    mentorship: m,
                })
                .collect(),
            request,
            total,
        })
    }

    async fn answer_mentorship(
        &self,
        caller: Caller,
        id: MentorshipId,
        accept: bool,
    ) -> Result<MentorshipView, CommunityError> {
        let m = self.own_mentorship(caller, id).await?;
        if m.mentor != caller.id {
            return Err(CommunityError::Forbidden);
        }
        if m.status != MentorshipStatus::Pending {
            return Err(CommunityError::MentorshipIs(m.status));
        }
        let to = if accept {
            MentorshipStatus::Active
        } else {
            MentorshipStatus::Declined
        };
        let m = self.advance_mentorship(m, to).await?;
        self.ports
            .events
            .publish(CommunityEvent::MentorshipAnswered {
                to: m.mentee,
                by: m.mentor,
                mentorship: m.id,
                accepted: accept,
            })
            .await;
        self.mentorship_view(m).await
    }

    async fn end_mentorship(
        &self,
        caller: Caller,
        id: MentorshipId,
    ) -> Result<MentorshipView, CommunityError> {
        let m = self.own_mentorship(caller, id).await?;
        match m.status {
            MentorshipStatus::Active => {}
            // A pending request is the mentee's to withdraw; the mentor answers it instead.
            MentorshipStatus::Pending if m.mentee == caller.id => {}
            MentorshipStatus::Pending => return Err(CommunityError::Forbidden),
            closed => return Err(CommunityError::MentorshipIs(closed)),
        }
        let m = self.advance_mentorship(m, MentorshipStatus::Ended).await?;
        self.mentorship_view(m).await
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

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
