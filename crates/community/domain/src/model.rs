//! Posts, comments and reactions as the community context keeps them.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use stackrush_kernel::{define_id, named_enum};

define_id!(
    /// Identifies one community post.
    PostId
);
define_id!(
    /// Identifies one comment.
    CommentId
);
define_id!(
    /// A user, as the community context knows them.
    MemberId
);
define_id!(
    /// A challenge a post links to (owned by the challenges context).
    ChallengeRef
);
define_id!(
    /// Identifies one report of a post or comment.
    ReportId
);
define_id!(
    /// Identifies one entry of the moderation log.
    ModerationId
);
define_id!(
    /// Identifies one collaboration request.
    CollaborationId
);
define_id!(
    /// Identifies one mentorship (from its request on).
    MentorshipId
);

named_enum!(
    /// What a post is (the spec's categories and its enhanced post types).
    Category {
        Discussion => "discussion",
        Help => "help",
        Showcase => "showcase",
        Tips => "tips",
        News => "news",
        CodeShare => "code-share",
        Collaboration => "collaboration",
        Resource => "resource",
    }
);

named_enum!(
    /// How hard the code or challenge a post is about is.
    Difficulty {
        Easy => "Easy",
        Medium => "Medium",
        Hard => "Hard",
    }
);

named_enum!(
    /// The kind of challenge a post is about.
    ChallengeType {
        Dsa => "dsa",
        BugFix => "bug-fix",
        Feature => "feature",
    }
);

/// Code shared in a post: a snippet, or html/css/js of a small page, with links.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CodeSubmission {
    pub title: Option<String>,
    pub description: Option<String>,
    pub code: Option<String>,
    pub html_code: Option<String>,
    pub css_code: Option<String>,
    pub js_code: Option<String>,
    pub language: Option<String>,
    pub github_url: Option<String>,
    pub live_demo: Option<String>,
    #[serde(rename = "challengeId")]
    pub challenge: Option<ChallengeRef>,
}

impl CodeSubmission {
    /// Whether any code is shared (not only links).
    pub fn has_code(&self) -> bool {
        [&self.code, &self.html_code, &self.css_code, &self.js_code]
            .iter()
            .any(|c| c.as_deref().is_some_and(|c| !c.trim().is_empty()))
    }
}

/// A showcased project.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectDetails {
    pub github_url: Option<String>,
    pub live_demo: Option<String>,
    pub technologies: Vec<String>,
    pub is_open_source: bool,
}

/// What a collaboration post looks for.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CollaborationDetails {
    pub is_looking_for_collaborators: bool,
    pub skills_needed: Vec<String>,
    pub project_type: Option<String>,
    pub time_commitment: Option<String>,
    pub contact_method: Option<String>,
}

/// A post's counters; each equals the number of distinct rows behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Interactions {
    pub likes: u64,
    /// At most one per viewer per post per UTC day.
    pub views: u64,
    /// Live comments (deleted ones are not counted).
    pub comments: u64,
    pub bookmarks: u64,
}

/// A community post as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    pub id: PostId,
    pub author: MemberId,
    pub title: String,
    /// Markdown, as written.
    pub content: String,
    /// `content` rendered and sanitized ([`crate::markdown::render`]).
    pub content_html: String,
    pub category: Category,
    /// Lower-case, distinct, at most [`crate::validation::MAX_TAGS`].
    pub tags: Vec<String>,
    pub code: Option<CodeSubmission>,
    pub project: Option<ProjectDetails>,
    pub collaboration: Option<CollaborationDetails>,
    pub difficulty: Option<Difficulty>,
    pub challenge_type: Option<ChallengeType>,
    pub is_pinned: bool,
    pub is_featured: bool,
    /// Hidden by a moderator: out of lists, readable by its author and moderators only, no
    /// reactions or comments.
    pub is_hidden: bool,
    /// Closed to new comments by a moderator.
    pub comments_locked: bool,
    pub interactions: Interactions,
    /// The trending score ([`crate::trending::hot`]); the store keeps it current as counters move.
    pub hot: f64,
    /// `false` once deleted (soft: its comments disappear with it).
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Post {
    /// Whether the post shares code.
    pub fn has_code(&self) -> bool {
        self.code.as_ref().is_some_and(CodeSubmission::has_code)
    }

    /// The challenge it links to, if any.
    pub fn challenge(&self) -> Option<ChallengeRef> {
        self.code.as_ref().and_then(|c| c.challenge)
    }
}

/// A comment as stored. Replies form a tree under one top-level comment (`root`).
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub id: CommentId,
    pub post: PostId,
    /// The comment this one replies to; `None` for a top-level comment.
    pub parent: Option<CommentId>,
    /// The top-level comment of its thread (itself for a top-level comment).
    pub root: CommentId,
    /// 0 for a top-level comment, at most [`crate::service::MAX_DEPTH`].
    pub depth: u8,
    pub author: MemberId,
    pub content: String,
    pub content_html: String,
    pub likes: u64,
    /// Live direct replies.
    pub replies: u64,
    /// Deleted: shown as "[deleted]" while live replies hang under it, hidden otherwise.
    pub is_deleted: bool,
    /// Hidden by a moderator: keeps its place, shown as "[hidden by a moderator]".
    pub is_hidden: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a post list shows (every field narrows it). Only live posts are ever listed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PostFilter {
    pub category: Option<Category>,
    /// Posts carrying any of these tags.
    pub tags: Vec<String>,
    pub author: Option<MemberId>,
    /// Literal text in the title or content (case-insensitive).
    pub search: Option<String>,
    pub has_code: Option<bool>,
    pub challenge: Option<ChallengeRef>,
}

/// Order of post lists. Pinned posts come first unless the list is a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PostSort {
    /// Newest first.
    #[default]
    Recent,
    /// Most liked first.
    Popular,
    /// Most commented first.
    MostCommented,
    /// Highest trending score first.
    Trending,
}

/// A per-user mark on a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reaction {
    Like,
    Bookmark,
}

/// A toggle's outcome: whether the mark is now set, and the count after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Toggled {
    pub active: bool,
    pub count: u64,
}

/// Which of some posts a member has liked or bookmarked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reacted {
    pub liked: HashSet<PostId>,
    pub bookmarked: HashSet<PostId>,
}

/// One count of a view: who (a member, or a hashed address) on which UTC day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewKey {
    pub post: PostId,
    pub viewer: String,
    pub day: NaiveDate,
}

/// The store's community figures: totals, and what happened since `since` ("today").
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Figures {
    pub posts: u64,
    pub posts_today: u64,
    pub code_shares: u64,
    pub code_shares_today: u64,
    pub comments: u64,
    pub comments_today: u64,
    pub likes: u64,
    pub views: u64,
    /// Distinct members who posted or commented since `since`.
    pub active_today: u64,
    /// Members with the most posts and comments in the contributors' window, most first.
    pub top_contributors: Vec<(MemberId, u64)>,
}

/// How a member is shown beside their content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Face {
    pub username: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub avatar: Option<String>,
}

/// What the community context needs to know of a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Active with a verified email: may post, comment and react.
    pub may_contribute: bool,
}

/// Who asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub id: MemberId,
    /// Moderators and admins may delete anyone's content and moderate.
    pub is_moderator: bool,
    /// Admins also read the moderation log.
    pub is_admin: bool,
}

/// Who is reading: a member, or an anonymous address (for counting views).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reader {
    Member(Caller),
    Anonymous { address: String },
}

impl Reader {
    /// The member, if signed in.
    pub fn caller(&self) -> Option<Caller> {
        match self {
            Self::Member(c) => Some(*c),
            Self::Anonymous { .. } => None,
        }
    }
}

/// What a report or moderator action is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    Post(PostId),
    Comment(CommentId),
}

impl Target {
    /// `post` or `comment`.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Post(_) => "post",
            Self::Comment(_) => "comment",
        }
    }

    /// The 12 bytes of the target's id.
    pub fn bytes(self) -> [u8; 12] {
        match self {
            Self::Post(id) => id.bytes(),
            Self::Comment(id) => id.bytes(),
        }
    }

    /// The target named by `kind` and `id` bytes.
    pub fn from_parts(kind: &str, bytes: [u8; 12]) -> Option<Self> {
        match kind {
            "post" => Some(Self::Post(PostId::from_bytes(bytes))),
            "comment" => Some(Self::Comment(CommentId::from_bytes(bytes))),
            _ => None,
        }
    }
}

named_enum!(
    /// Why something was reported.
    ReportReason {
        Spam => "spam",
        Harassment => "harassment",
        HateSpeech => "hate-speech",
        Misinformation => "misinformation",
        OffTopic => "off-topic",
        Inappropriate => "inappropriate",
        Plagiarism => "plagiarism",
        Other => "other",
    }
);

named_enum!(
    /// Where a report stands.
    ReportStatus {
        Open => "open",
        Actioned => "actioned",
        Dismissed => "dismissed",
    }
);

/// A member's report of a post or comment. One open report per member per target.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub id: ReportId,
    pub target: Target,
    /// The post the target is or belongs to.
    pub post: PostId,
    pub reporter: MemberId,
    pub reason: ReportReason,
    pub text: String,
    pub status: ReportStatus,
    pub created_at: DateTime<Utc>,
    pub resolved_by: Option<MemberId>,
    pub resolved_at: Option<DateTime<Utc>>,
}

named_enum!(
    /// What a moderator did.
    ModerationAction {
        Hide => "hide",
        Unhide => "unhide",
        Lock => "lock",
        Unlock => "unlock",
        Pin => "pin",
        Unpin => "unpin",
        Feature => "feature",
        Unfeature => "unfeature",
        Delete => "delete",
        Dismiss => "dismiss",
    }
);

/// A switch on a post that moderators flip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostFlag {
    Hidden,
    CommentsLocked,
    Pinned,
    Featured,
}

/// One entry of the moderation log (append-only).
#[derive(Debug, Clone, PartialEq)]
pub struct ModerationRecord {
    pub id: ModerationId,
    pub moderator: MemberId,
    pub action: ModerationAction,
    pub target: Target,
    /// The report it answered, when it answered one.
    pub report: Option<ReportId>,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// A member one follows or is followed by, and since when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Follow {
    pub member: MemberId,
    pub since: DateTime<Utc>,
}

/// A member's follow counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FollowCounts {
    pub followers: u64,
    pub following: u64,
}

named_enum!(
    /// Where a collaboration request stands.
    CollaborationStatus {
        Pending => "pending",
        Accepted => "accepted",
        Declined => "declined",
    }
);

/// A member's request to join the project of a collaboration post.
#[derive(Debug, Clone, PartialEq)]
pub struct CollaborationRequest {
    pub id: CollaborationId,
    pub post: PostId,
    pub requester: MemberId,
    pub post_author: MemberId,
    pub message: String,
    pub skills: Vec<String>,
    pub status: CollaborationStatus,
    pub created_at: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
}

/// Which side of collaboration requests a member lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollaborationSide {
    /// Requests the member sent.
    Sent,
    /// Requests on the member's posts.
    Received,
}

named_enum!(
    /// Where a mentorship stands: asked for, under way, refused, or over. Pending and active
    /// ones are *open*: one open mentorship per mentor and mentee.
    MentorshipStatus {
        Pending => "pending",
        Active => "active",
        Declined => "declined",
        Ended => "ended",
    }
);

impl MentorshipStatus {
    /// Whether the mentorship is still asked for or under way.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::Active)
    }
}

/// The spec's mentor connection: a member (the mentee) asks another to mentor them; the mentor
/// accepts or declines; either side ends it.
#[derive(Debug, Clone, PartialEq)]
pub struct Mentorship {
    pub id: MentorshipId,
    pub mentor: MemberId,
    pub mentee: MemberId,
    pub message: String,
    /// What the mentee wants to learn (≤ 10, each ≤ 50 characters).
    pub topics: Vec<String>,
    pub status: MentorshipStatus,
    pub created_at: DateTime<Utc>,
    /// When the mentor accepted or declined.
    pub responded_at: Option<DateTime<Utc>>,
    /// When either side ended it (a pending request the mentee withdrew, too).
    pub ended_at: Option<DateTime<Utc>>,
}

/// Which role of their mentorships a member lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MentorshipSide {
    /// Those where the member is (or was asked to be) the mentor.
    Mentor,
    /// Those where the member is the mentee.
    Mentee,
}

/// How many active mentorships a member has on each side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MentorshipCounts {
    /// Members mentoring them.
    pub mentors: u64,
    /// Members they mentor.
    pub mentees: u64,
}
