//! An in-memory implementation of the community store ports.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use stackrush_kernel::{Page, PageRequest, StoreError};

use crate::model::*;
use crate::ports::{
    CollaborationRepository, CommentRepository, FollowRepository, MentorshipRepository,
    ModerationLog, PostRepository, ReportRepository,
};
use crate::trending;

#[derive(Debug, Default)]
struct State {
    posts: Vec<Post>,
    marks: HashMap<(Reaction, PostId, MemberId), DateTime<Utc>>,
    views: HashSet<(PostId, String, chrono::NaiveDate)>,
    comments: Vec<Comment>,
    comment_likes: HashSet<(CommentId, MemberId)>,
    reports: Vec<Report>,
    log: Vec<ModerationRecord>,
    /// (follower, followee) → since.
    follows: HashMap<(MemberId, MemberId), DateTime<Utc>>,
    collaborations: Vec<CollaborationRequest>,
    mentorships: Vec<Mentorship>,
}

impl State {
    fn post_mut(&mut self, id: PostId) -> Option<&mut Post> {
        self.posts.iter_mut().find(|p| p.id == id && p.is_active)
    }

    /// A live post that is not hidden.
    fn shown_mut(&mut self, id: PostId) -> Option<&mut Post> {
        self.post_mut(id).filter(|p| !p.is_hidden)
    }
}

fn rescore(post: &mut Post) {
    post.hot = trending::hot(&post.interactions, post.created_at);
}

/// Posts, comments and marks in vectors and sets.
#[derive(Debug, Default)]
pub struct InMemoryCommunity {
    state: Mutex<State>,
}

impl InMemoryCommunity {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn matches(p: &Post, f: &PostFilter) -> bool {
    let text = |needle: &str| {
        let needle = needle.to_lowercase();
        p.title.to_lowercase().contains(&needle) || p.content.to_lowercase().contains(&needle)
    };
    p.is_active
        && !p.is_hidden
        && f.category.is_none_or(|c| p.category == c)
        && (f.tags.is_empty() || f.tags.iter().any(|t| p.tags.contains(t)))
        && f.author.is_none_or(|a| p.author == a)
        && f.search.as_deref().is_none_or(text)
        && f.has_code.is_none_or(|h| p.has_code() == h)
        && f.challenge.is_none_or(|c| p.challenge() == Some(c))
}

/// Shown in lists: live, or deleted with live replies.
fn listed(c: &Comment) -> bool {
    !c.is_deleted || c.replies > 0
}

#[async_trait]
impl PostRepository for InMemoryCommunity {
    async fn insert(&self, post: &Post) -> Result<(), StoreError> {
        self.state().posts.push(post.clone());
        Ok(())
    }

    async fn get(&self, id: PostId) -> Result<Option<Post>, StoreError> {
        Ok(self.state().posts.iter().find(|p| p.id == id).cloned())
    }

    async fn update(&self, post: &Post) -> Result<bool, StoreError> {
        let mut state = self.state();
        let Some(stored) = state.post_mut(post.id) else {
            return Ok(false);
        };
        *stored = Post {
            interactions: stored.interactions,
            hot: stored.hot,
            is_pinned: stored.is_pinned,
            is_featured: stored.is_featured,
            is_hidden: stored.is_hidden,
            comments_locked: stored.comments_locked,
            is_active: stored.is_active,
            created_at: stored.created_at,
            author: stored.author,
            ..post.clone()
        };
        Ok(true)
    }

    async fn remove(&self, id: PostId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut state = self.state();
        let Some(stored) = state.post_mut(id) else {
            return Ok(false);
        };
        stored.is_active = false;
        stored.updated_at = at;
        Ok(true)
    }

    async fn list(
        &self,
        filter: &PostFilter,
        sort: PostSort,
        page: PageRequest,
        known_total: Option<u64>,
    ) -> Result<Page<Post>, StoreError> {
        let mut found: Vec<Post> = self
            .state()
            .posts
            .iter()
            .filter(|p| matches(p, filter))
            .cloned()
            .collect();
        let pinned_first = filter.search.is_none();
        found.sort_by(|a, b| {
            let pin = if pinned_first {
                b.is_pinned.cmp(&a.is_pinned)
            } else {
                std::cmp::Ordering::Equal
            };
            let key = match sort {
                PostSort::Recent => std::cmp::Ordering::Equal,
                PostSort::Popular => b.interactions.likes.cmp(&a.interactions.likes),
                PostSort::MostCommented => b.interactions.comments.cmp(&a.interactions.comments),
                PostSort::Trending => b.hot.total_cmp(&a.hot),
            };
            pin.then(key)
                .then(b.created_at.cmp(&a.created_at))
                .then(b.id.cmp(&a.id))
        });
        let mut listed = Page::slice(found, page);
        if let Some(total) = known_total {
            listed.total = total;
        }
        Ok(listed)
    }

    async fn record_view(&self, view: &ViewKey) -> Result<Option<u64>, StoreError> {
        let mut state = self.state();
        if state.shown_mut(view.post).is_none() {
            return Ok(None);
        }
        let fresh = state
            .views
            .insert((view.post, view.viewer.clone(), view.day));
        let Some(post) = state.post_mut(view.post) else {
            return Ok(None);
        };
        if fresh {
            post.interactions.views += 1;
            rescore(post);
        }
        Ok(Some(post.interactions.views))
    }

    async fn purge_views(&self, before: chrono::NaiveDate) -> Result<u64, StoreError> {
        let mut state = self.state();
        let n = state.views.len();
        state.views.retain(|(_, _, day)| *day >= before);
        Ok((n - state.views.len()) as u64)
    }

    async fn toggle(
        &self,
        reaction: Reaction,
        post: PostId,
        member: MemberId,
        at: DateTime<Utc>,
    ) -> Result<Option<Toggled>, StoreError> {
        let mut state = self.state();
        if state.shown_mut(post).is_none() {
            return Ok(None);
        }
        let key = (reaction, post, member);
        let active = if state.marks.remove(&key).is_some() {
            false
        } else {
            state.marks.insert(key, at);
            true
        };
        let Some(p) = state.post_mut(post) else {
            return Ok(None);
        };
        let counter = match reaction {
            Reaction::Like => &mut p.interactions.likes,
            Reaction::Bookmark => &mut p.interactions.bookmarks,
        };
        *counter = if active {
            *counter + 1
        } else {
            counter.saturating_sub(1)
        };
        let count = *counter;
        rescore(p);
        Ok(Some(Toggled { active, count }))
    }

    async fn reacted(&self, member: MemberId, posts: &[PostId]) -> Result<Reacted, StoreError> {
        let state = self.state();
        let mut out = Reacted::default();
        for &p in posts {
            if state.marks.contains_key(&(Reaction::Like, p, member)) {
                out.liked.insert(p);
            }
            if state.marks.contains_key(&(Reaction::Bookmark, p, member)) {
                out.bookmarked.insert(p);
            }
        }
        Ok(out)
    }

    async fn bookmarks(
        &self,
        member: MemberId,
        page: PageRequest,
    ) -> Result<Page<Post>, StoreError> {
        let state = self.state();
        let mut marked: Vec<(DateTime<Utc>, Post)> = state
            .marks
            .iter()
            .filter(|((r, _, m), _)| *r == Reaction::Bookmark && *m == member)
            .filter_map(|((_, p, _), at)| {
                state
                    .posts
                    .iter()
                    .find(|post| post.id == *p && post.is_active && !post.is_hidden)
                    .map(|post| (*at, post.clone()))
            })
            .collect();
        marked.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.id.cmp(&a.1.id)));
        let posts: Vec<Post> = marked.into_iter().map(|(_, p)| p).collect();
        Ok(Page::slice(posts, page))
    }

    async fn set_flag(
        &self,
        id: PostId,
        flag: PostFlag,
        value: bool,
        _at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut state = self.state();
        let Some(p) = state.post_mut(id) else {
            return Ok(false);
        };
        match flag {
            PostFlag::Hidden => p.is_hidden = value,
            PostFlag::CommentsLocked => p.comments_locked = value,
            PostFlag::Pinned => p.is_pinned = value,
            PostFlag::Featured => p.is_featured = value,
        }
        Ok(true)
    }

    async fn posts_since(&self, author: MemberId, since: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(self
            .state()
            .posts
            .iter()
            .filter(|p| p.author == author && p.created_at >= since)
            .count() as u64)
    }

    async fn withdraw_marks(&self, member: MemberId) -> Result<u64, StoreError> {
        let mut state = self.state();
        let mine: Vec<(Reaction, PostId, MemberId)> = state
            .marks
            .keys()
            .filter(|(_, _, m)| *m == member)
            .copied()
            .collect();
        for key in &mine {
            state.marks.remove(key);
            if let Some(p) = state.posts.iter_mut().find(|p| p.id == key.1) {
                let counter = match key.0 {
                    Reaction::Like => &mut p.interactions.likes,
                    Reaction::Bookmark => &mut p.interactions.bookmarks,
                };
                *counter = counter.saturating_sub(1);
                rescore(p);
            }
        }
        Ok(mine.len() as u64)
    }

    async fn feed(&self, member: MemberId, page: PageRequest) -> Result<Page<Post>, StoreError> {
        let state = self.state();
        let mut found: Vec<Post> = state
            .posts
            .iter()
            .filter(|p| {
                p.is_active && !p.is_hidden && state.follows.contains_key(&(member, p.author))
            })
            .cloned()
            .collect();
        found.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        Ok(Page::slice(found, page))
    }

    async fn figures(
        &self,
        since: DateTime<Utc>,
        window_start: DateTime<Utc>,
        top: usize,
    ) -> Result<Figures, StoreError> {
        let state = self.state();
        let live: Vec<&Post> = state.posts.iter().filter(|p| p.is_active).collect();
        let comments: Vec<&Comment> = state.comments.iter().filter(|c| !c.is_deleted).collect();
        let mut active = HashSet::new();
        let mut contributions: HashMap<MemberId, u64> = HashMap::new();
        for p in &live {
            if p.created_at >= since {
                active.insert(p.author);
            }
            if p.created_at >= window_start {
                *contributions.entry(p.author).or_default() += 1;
            }
        }
        for c in &comments {
            if c.created_at >= since {
                active.insert(c.author);
            }
            if c.created_at >= window_start {
                *contributions.entry(c.author).or_default() += 1;
            }
        }
        let mut ranked: Vec<(MemberId, u64)> = contributions.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(top);
        Ok(Figures {
            posts: live.len() as u64,
            posts_today: live.iter().filter(|p| p.created_at >= since).count() as u64,
            code_shares: live.iter().filter(|p| p.has_code()).count() as u64,
            code_shares_today: live
                .iter()
                .filter(|p| p.has_code() && p.created_at >= since)
                .count() as u64,
            comments: live.iter().map(|p| p.interactions.comments).sum(),
            comments_today: comments.iter().filter(|c| c.created_at >= since).count() as u64,
            likes: live.iter().map(|p| p.interactions.likes).sum(),
            views: live.iter().map(|p| p.interactions.views).sum(),
            active_today: active.len() as u64,
            top_contributors: ranked,
        })
    }
}

#[async_trait]
impl CommentRepository for InMemoryCommunity {
    async fn insert(&self, comment: &Comment) -> Result<bool, StoreError> {
        let mut state = self.state();
        if state
            .shown_mut(comment.post)
            .is_none_or(|p| p.comments_locked)
        {
            return Ok(false);
        }
        if let Some(parent) = comment.parent {
            match state.comments.iter_mut().find(|c| c.id == parent) {
                Some(c) if !c.is_deleted && !c.is_hidden => c.replies += 1,
                _ => return Ok(false),
            }
        }
        if let Some(post) = state.post_mut(comment.post) {
            post.interactions.comments += 1;
            rescore(post);
        }
        state.comments.push(comment.clone());
        Ok(true)
    }

    async fn get(&self, id: CommentId) -> Result<Option<Comment>, StoreError> {
        Ok(self.state().comments.iter().find(|c| c.id == id).cloned())
    }

    async fn update(
        &self,
        id: CommentId,
        content: &str,
        content_html: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut state = self.state();
        match state
            .comments
            .iter_mut()
            .find(|c| c.id == id && !c.is_deleted)
        {
            Some(c) => {
                content.clone_into(&mut c.content);
                content_html.clone_into(&mut c.content_html);
                c.updated_at = at;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn remove(&self, id: CommentId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut state = self.state();
        let Some(c) = state
            .comments
            .iter_mut()
            .find(|c| c.id == id && !c.is_deleted)
        else {
            return Ok(false);
        };
        c.is_deleted = true;
        c.updated_at = at;
        let (post, parent) = (c.post, c.parent);
        if let Some(parent) = parent {
            if let Some(p) = state.comments.iter_mut().find(|c| c.id == parent) {
                p.replies = p.replies.saturating_sub(1);
            }
        }
        if let Some(p) = state.posts.iter_mut().find(|p| p.id == post) {
            p.interactions.comments = p.interactions.comments.saturating_sub(1);
            rescore(p);
        }
        Ok(true)
    }

    async fn top_level(
        &self,
        post: PostId,
        page: PageRequest,
    ) -> Result<Page<Comment>, StoreError> {
        let mut found: Vec<Comment> = self
            .state()
            .comments
            .iter()
            .filter(|c| c.post == post && c.parent.is_none() && listed(c))
            .cloned()
            .collect();
        found.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(Page::slice(found, page))
    }

    async fn replies(&self, roots: &[CommentId]) -> Result<Vec<Comment>, StoreError> {
        let mut found: Vec<Comment> = self
            .state()
            .comments
            .iter()
            .filter(|c| c.parent.is_some() && roots.contains(&c.root) && listed(c))
            .cloned()
            .collect();
        found.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(found)
    }

    async fn toggle_like(
        &self,
        comment: CommentId,
        member: MemberId,
        _at: DateTime<Utc>,
    ) -> Result<Option<Toggled>, StoreError> {
        let mut state = self.state();
        if !state
            .comments
            .iter()
            .any(|c| c.id == comment && !c.is_deleted && !c.is_hidden)
        {
            return Ok(None);
        }
        let active = if state.comment_likes.remove(&(comment, member)) {
            false
        } else {
            state.comment_likes.insert((comment, member));
            true
        };
        let Some(c) = state.comments.iter_mut().find(|c| c.id == comment) else {
            return Ok(None);
        };
        c.likes = if active {
            c.likes + 1
        } else {
            c.likes.saturating_sub(1)
        };
        Ok(Some(Toggled {
            active,
            count: c.likes,
        }))
    }

    async fn set_hidden(
        &self,
        id: CommentId,
        hidden: bool,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut state = self.state();
        match state
            .comments
            .iter_mut()
            .find(|c| c.id == id && !c.is_deleted)
        {
            Some(c) => {
                c.is_hidden = hidden;
                c.updated_at = at;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn withdraw_likes(&self, member: MemberId) -> Result<u64, StoreError> {
        let mut state = self.state();
        let mine: Vec<(CommentId, MemberId)> = state
            .comment_likes
            .iter()
            .filter(|(_, m)| *m == member)
            .copied()
            .collect();
        for key in &mine {
            state.comment_likes.remove(key);
            if let Some(c) = state.comments.iter_mut().find(|c| c.id == key.0) {
                c.likes = c.likes.saturating_sub(1);
            }
        }
        Ok(mine.len() as u64)
    }

    async fn comments_since(
        &self,
        author: MemberId,
        since: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        Ok(self
            .state()
            .comments
            .iter()
            .filter(|c| c.author == author && c.created_at >= since)
            .count() as u64)
    }
}

#[async_trait]
impl ReportRepository for InMemoryCommunity {
    async fn insert(&self, report: &Report) -> Result<bool, StoreError> {
        let mut state = self.state();
        let open = state.reports.iter().any(|r| {
            r.reporter == report.reporter
                && r.target == report.target
                && r.status == ReportStatus::Open
        });
        if open {
            return Ok(false);
        }
        state.reports.push(report.clone());
        Ok(true)
    }

    async fn get(&self, id: ReportId) -> Result<Option<Report>, StoreError> {
        Ok(self.state().reports.iter().find(|r| r.id == id).cloned())
    }

    async fn list(
        &self,
        status: Option<ReportStatus>,
        page: PageRequest,
    ) -> Result<Page<Report>, StoreError> {
        let mut found: Vec<Report> = self
            .state()
            .reports
            .iter()
            .filter(|r| status.is_none_or(|s| r.status == s))
            .cloned()
            .collect();
        if status == Some(ReportStatus::Open) {
            found.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        } else {
            found.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        }
        Ok(Page::slice(found, page))
    }

    async fn resolve(
        &self,
        id: ReportId,
        status: ReportStatus,
        by: MemberId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut state = self.state();
        match state
            .reports
            .iter_mut()
            .find(|r| r.id == id && r.status == ReportStatus::Open)
        {
            Some(r) => {
                r.status = status;
                r.resolved_by = Some(by);
                r.resolved_at = Some(at);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn resolve_target(
        &self,
        target: Target,
        status: ReportStatus,
        by: MemberId,
        at: DateTime<Utc>,
    ) -> Result<Vec<ReportId>, StoreError> {
        let mut state = self.state();
        let mut closed = Vec::new();
        for r in state
            .reports
            .iter_mut()
            .filter(|r| r.target == target && r.status == ReportStatus::Open)
        {
            r.status = status;
            r.resolved_by = Some(by);
            r.resolved_at = Some(at);
            closed.push(r.id);
        }
        Ok(closed)
    }
}

#[async_trait]
impl ModerationLog for InMemoryCommunity {
    async fn append(&self, record: &ModerationRecord) -> Result<(), StoreError> {
        self.state().log.push(record.clone());
        Ok(())
    }

    async fn list(&self, page: PageRequest) -> Result<Page<ModerationRecord>, StoreError> {
        let mut found = self.state().log.clone();
        found.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));
        Ok(Page::slice(found, page))
    }
}

fn follow_page(mut rows: Vec<Follow>, page: PageRequest) -> Page<Follow> {
    rows.sort_by(|a, b| b.since.cmp(&a.since).then(b.member.cmp(&a.member)));
    Page::slice(rows, page)
}

#[async_trait]
impl FollowRepository for InMemoryCommunity {
    async fn follow(
        &self,
        follower: MemberId,
        followee: MemberId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut state = self.state();
        if state.follows.contains_key(&(follower, followee)) {
            return Ok(false);
        }
        state.follows.insert((follower, followee), at);
        Ok(true)
    }

    async fn unfollow(&self, follower: MemberId, followee: MemberId) -> Result<bool, StoreError> {
        Ok(self.state().follows.remove(&(follower, followee)).is_some())
    }

    async fn follows(&self, follower: MemberId, followee: MemberId) -> Result<bool, StoreError> {
        Ok(self.state().follows.contains_key(&(follower, followee)))
    }

    async fn followers(
        &self,
        member: MemberId,
        page: PageRequest,
    ) -> Result<Page<Follow>, StoreError> {
        let rows = self
            .state()
            .follows
            .iter()
            .filter(|((_, followee), _)| *followee == member)
            .map(|((follower, _), since)| Follow {
                member: *follower,
                since: *since,
            })
            .collect();
        Ok(follow_page(rows, page))
    }

    async fn following(
        &self,
        member: MemberId,
        page: PageRequest,
    ) -> Result<Page<Follow>, StoreError> {
        let rows = self
            .state()
            .follows
            .iter()
            .filter(|((follower, _), _)| *follower == member)
            .map(|((_, followee), since)| Follow {
                member: *followee,
                since: *since,
            })
            .collect();
        Ok(follow_page(rows, page))
    }

    async fn withdraw(&self, member: MemberId) -> Result<u64, StoreError> {
        let mut state = self.state();
        let before = state.follows.len();
        state
            .follows
            .retain(|(a, b), _| *a != member && *b != member);
        Ok((before - state.follows.len()) as u64)
    }

    async fn counts(&self, member: MemberId) -> Result<FollowCounts, StoreError> {
        let state = self.state();
        Ok(FollowCounts {
            followers: state.follows.keys().filter(|(_, b)| *b == member).count() as u64,
            following: state.follows.keys().filter(|(a, _)| *a == member).count() as u64,
        })
    }
}

#[async_trait]
impl CollaborationRepository for InMemoryCommunity {
    async fn insert(&self, request: &CollaborationRequest) -> Result<bool, StoreError> {
        let mut state = self.state();
        let pending = state.collaborations.iter().any(|r| {
            r.post == request.post
                && r.requester == request.requester
                && r.status == CollaborationStatus::Pending
        });
        if pending {
            return Ok(false);
        }
        state.collaborations.push(request.clone());
        Ok(true)
    }

    async fn get(&self, id: CollaborationId) -> Result<Option<CollaborationRequest>, StoreError> {
        Ok(self
            .state()
            .collaborations
            .iter()
            .find(|r| r.id == id)
            .cloned())
    }

    async fn list(
        &self,
        member: MemberId,
        side: CollaborationSide,
        status: Option<CollaborationStatus>,
        page: PageRequest,
    ) -> Result<Page<CollaborationRequest>, StoreError> {
        let mut found: Vec<CollaborationRequest> = self
            .state()
            .collaborations
            .iter()
            .filter(|r| match side {
                CollaborationSide::Sent => r.requester == member,
                CollaborationSide::Received => r.post_author == member,
            })
            .filter(|r| status.is_none_or(|s| r.status == s))
            .cloned()
            .collect();
        found.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        Ok(Page::slice(found, page))
    }

    async fn answer(
        &self,
        id: CollaborationId,
        status: CollaborationStatus,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut state = self.state();
        match state
            .collaborations
            .iter_mut()
            .find(|r| r.id == id && r.status == CollaborationStatus::Pending)
        {
            Some(r) => {
                r.status = status;
                r.responded_at = Some(at);
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

#[async_trait]
impl MentorshipRepository for InMemoryCommunity {
    async fn insert(&self, mentorship: &Mentorship) -> Result<bool, StoreError> {
        let mut state = self.state();
        let open = state.mentorships.iter().any(|m| {
            m.mentor == mentorship.mentor && m.mentee == mentorship.mentee && m.status.is_open()
        });
        if open {
            return Ok(false);
        }
        state.mentorships.push(mentorship.clone());
        Ok(true)
    }

    async fn get(&self, id: MentorshipId) -> Result<Option<Mentorship>, StoreError> {
        Ok(self
            .state()
            .mentorships
            .iter()
            .find(|m| m.id == id)
            .cloned())
    }

    async fn list(
        &self,
        member: MemberId,
        side: MentorshipSide,
        status: Option<MentorshipStatus>,
        page: PageRequest,
    ) -> Result<Page<Mentorship>, StoreError> {
        let mut found: Vec<Mentorship> = self
            .state()
            .mentorships
            .iter()
            .filter(|m| match side {
                MentorshipSide::Mentor => m.mentor == member,
                MentorshipSide::Mentee => m.mentee == member,
            })
            .filter(|m| status.is_none_or(|s| m.status == s))
            .cloned()
            .collect();
        found.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        Ok(Page::slice(found, page))
    }

    async fn advance(
        &self,
        id: MentorshipId,
        from: MentorshipStatus,
        to: MentorshipStatus,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut state = self.state();
        match state
            .mentorships
            .iter_mut()
            .find(|m| m.id == id && m.status == from)
        {
            Some(m) => {
                m.status = to;
                match to {
                    MentorshipStatus::Active | MentorshipStatus::Declined => {
                        m.responded_at = Some(at);
                    }
                    MentorshipStatus::Ended => m.ended_at = Some(at),
                    MentorshipStatus::Pending => {}
                }
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn end_all(&self, member: MemberId, at: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut state = self.state();
        let mut ended = 0;
        for m in state
            .mentorships
            .iter_mut()
            .filter(|m| (m.mentor == member || m.mentee == member) && m.status.is_open())
        {
            m.status = MentorshipStatus::Ended;
            m.ended_at = Some(at);
            ended += 1;
        }
        Ok(ended)
    }

    async fn counts(&self, member: MemberId) -> Result<MentorshipCounts, StoreError> {
        let state = self.state();
        let active = |m: &&Mentorship| m.status == MentorshipStatus::Active;
        Ok(MentorshipCounts {
            mentors: state
                .mentorships
                .iter()
                .filter(active)
                .filter(|m| m.mentee == member)
                .count() as u64,
            mentees: state
                .mentorships
                .iter()
                .filter(active)
                .filter(|m| m.mentor == member)
                .count() as u64,
        })
    }
}
