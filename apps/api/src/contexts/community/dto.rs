//! Community bodies and queries, in the shape of the spec's CommunityPosts and Comments
//! collections and of what the web client reads.

use apistos::{ApiComponent, JsonSchema};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use stackrush_community as cm;

use crate::error::ApiError;

use crate::http::patterns::{LINE, LINE_FILLED, TEXT, TEXT_FILLED, URL};

/// A tag or language name.
const WORD: &str = r"^[\w+#.-]+$";

macro_rules! dto_enum {
    ($(#[$meta:meta])* $name:ident => $domain:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, ApiComponent)]
        #[schemars(crate = "apistos")]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl From<$name> for cm::$domain {
            fn from(v: $name) -> Self {
                match v { $($name::$variant => Self::$variant),+ }
            }
        }

        impl From<cm::$domain> for $name {
            fn from(v: cm::$domain) -> Self {
                match v { $(cm::$domain::$variant => Self::$variant),+ }
            }
        }
    };
}

dto_enum!(
    /// What a post is.
    PostCategoryDto => Category {
        Discussion = "discussion",
        Help = "help",
        Showcase = "showcase",
        Tips = "tips",
        News = "news",
        CodeShare = "code-share",
        Collaboration = "collaboration",
        Resource = "resource",
    }
);

dto_enum!(
    /// How hard.
    PostDifficultyDto => Difficulty { Easy = "Easy", Medium = "Medium", Hard = "Hard" }
);

dto_enum!(
    /// The kind of challenge.
    PostChallengeTypeDto => ChallengeType { Dsa = "dsa", BugFix = "bug-fix", Feature = "feature" }
);

/// Code shared in a post. URLs must be http(s); `challengeId` must name a public challenge.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct CodeSubmissionDto {
    /// Whether any code is shared (computed; ignored in requests).
    #[serde(default)]
    pub has_code: bool,
    #[schemars(length(max = 200), regex(pattern = LINE))]
    pub title: Option<String>,
    #[schemars(length(max = 2000), regex(pattern = TEXT))]
    pub description: Option<String>,
    #[schemars(length(max = 100000), regex(pattern = TEXT))]
    pub code: Option<String>,
    #[schemars(length(max = 100000), regex(pattern = TEXT))]
    pub html_code: Option<String>,
    #[schemars(length(max = 100000), regex(pattern = TEXT))]
    pub css_code: Option<String>,
    #[schemars(length(max = 100000), regex(pattern = TEXT))]
    pub js_code: Option<String>,
    #[schemars(length(min = 1, max = 30), regex(pattern = WORD))]
    pub language: Option<String>,
    #[schemars(length(max = 500), regex(pattern = URL))]
    pub github_url: Option<String>,
    #[schemars(length(max = 500), regex(pattern = URL))]
    pub live_demo: Option<String>,
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub challenge_id: Option<String>,
}

/// A showcased project.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ProjectDetailsDto {
    #[schemars(length(max = 500), regex(pattern = URL))]
    pub github_url: Option<String>,
    #[schemars(length(max = 500), regex(pattern = URL))]
    pub live_demo: Option<String>,
    #[serde(default)]
    #[schemars(length(max = 20), inner(length(min = 1, max = 50), regex(pattern = LINE_FILLED)))]
    pub technologies: Vec<String>,
    #[serde(default)]
    pub is_open_source: bool,
}

/// What a collaboration post looks for.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct CollaborationDetailsDto {
    #[serde(default)]
    pub is_looking_for_collaborators: bool,
    #[serde(default)]
    #[schemars(length(max = 20), inner(length(min = 1, max = 50), regex(pattern = LINE_FILLED)))]
    pub skills_needed: Vec<String>,
    #[schemars(length(max = 200), regex(pattern = LINE))]
    pub project_type: Option<String>,
    #[schemars(length(max = 200), regex(pattern = LINE))]
    pub time_commitment: Option<String>,
    #[schemars(length(max = 200), regex(pattern = LINE))]
    pub contact_method: Option<String>,
}

/// A post's difficulty and challenge type (pins and features are moderators').
#[derive(Debug, Clone, Default, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct PostMetadataInput {
    pub difficulty: Option<PostDifficultyDto>,
    pub challenge_type: Option<PostChallengeTypeDto>,
}

/// A new post (the web client sends `{title, content, category, tags}`). Content is markdown.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct CreatePostRequest {
    #[schemars(length(min = 1, max = 200), regex(pattern = LINE_FILLED))]
    pub title: String,
    #[schemars(length(min = 1, max = 50000), regex(pattern = TEXT_FILLED))]
    pub content: String,
    /// Also accepted as `postType` (the spec's enhanced name).
    #[serde(alias = "postType")]
    pub category: PostCategoryDto,
    /// Lower-cased and deduplicated; at most 10.
    #[serde(default)]
    #[schemars(
        length(max = 10),
        inner(length(min = 1, max = 30), regex(pattern = WORD))
    )]
    pub tags: Vec<String>,
    #[serde(default, deserialize_with = "crate::http::object")]
    pub code_submission: Option<CodeSubmissionDto>,
    #[serde(default, deserialize_with = "crate::http::object")]
    pub project_details: Option<ProjectDetailsDto>,
    #[serde(default, deserialize_with = "crate::http::object")]
    pub collaboration_details: Option<CollaborationDetailsDto>,
    #[serde(default, deserialize_with = "crate::http::object")]
    pub metadata: Option<PostMetadataInput>,
}

/// Changes to a post: every given field replaces the stored one.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct UpdatePostRequest {
    #[schemars(length(min = 1, max = 200), regex(pattern = LINE_FILLED))]
    pub title: Option<String>,
    #[schemars(length(min = 1, max = 50000), regex(pattern = TEXT_FILLED))]
    pub content: Option<String>,
    #[serde(alias = "postType")]
    pub category: Option<PostCategoryDto>,
    #[schemars(
        length(max = 10),
        inner(length(min = 1, max = 30), regex(pattern = WORD))
    )]
    pub tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::http::object")]
    pub code_submission: Option<CodeSubmissionDto>,
    #[serde(default, deserialize_with = "crate::http::object")]
    pub project_details: Option<ProjectDetailsDto>,
    #[serde(default, deserialize_with = "crate::http::object")]
    pub collaboration_details: Option<CollaborationDetailsDto>,
    #[serde(default, deserialize_with = "crate::http::object")]
    pub metadata: Option<PostMetadataInput>,
}

fn challenge_id(id: Option<String>) -> Result<Option<cm::ChallengeRef>, ApiError> {
    id.map(|id| {
        id.parse().map_err(|_| {
            ApiError::invalid_body(
                "codeSubmission.challengeId",
                "must be 24 hexadecimal characters",
            )
        })
    })
    .transpose()
}

fn code(dto: CodeSubmissionDto) -> Result<cm::CodeSubmission, ApiError> {
    Ok(cm::CodeSubmission {
        title: dto.title,
        description: dto.description,
        code: dto.code,
        html_code: dto.html_code,
        css_code: dto.css_code,
        js_code: dto.js_code,
        language: dto.language,
        github_url: dto.github_url,
        live_demo: dto.live_demo,
        challenge: challenge_id(dto.challenge_id)?,
    })
}

impl From<ProjectDetailsDto> for cm::ProjectDetails {
    fn from(d: ProjectDetailsDto) -> Self {
        Self {
            github_url: d.github_url,
            live_demo: d.live_demo,
            technologies: d.technologies,
            is_open_source: d.is_open_source,
        }
    }
}

impl From<CollaborationDetailsDto> for cm::CollaborationDetails {
    fn from(d: CollaborationDetailsDto) -> Self {
        Self {
            is_looking_for_collaborators: d.is_looking_for_collaborators,
            skills_needed: d.skills_needed,
            project_type: d.project_type,
            time_commitment: d.time_commitment,
            contact_method: d.contact_method,
        }
    }
}

impl TryFrom<CreatePostRequest> for cm::PostDraft {
    type Error = ApiError;

    fn try_from(r: CreatePostRequest) -> Result<Self, ApiError> {
        let meta = r.metadata.unwrap_or_default();
        Ok(Self {
            title: r.title,
            content: r.content,
            category: r.category.into(),
            tags: r.tags,
            code: r.code_submission.map(code).transpose()?,
            project: r.project_details.map(Into::into),
            collaboration: r.collaboration_details.map(Into::into),
            difficulty: meta.difficulty.map(Into::into),
            challenge_type: meta.challenge_type.map(Into::into),
        })
    }
}

impl TryFrom<UpdatePostRequest> for cm::PostPatch {
    type Error = ApiError;

    fn try_from(r: UpdatePostRequest) -> Result<Self, ApiError> {
        let meta = r.metadata.unwrap_or_default();
        Ok(Self {
            title: r.title,
            content: r.content,
            category: r.category.map(Into::into),
            tags: r.tags,
            code: r.code_submission.map(code).transpose()?,
            project: r.project_details.map(Into::into),
            collaboration: r.collaboration_details.map(Into::into),
            difficulty: meta.difficulty.map(Into::into),
            challenge_type: meta.challenge_type.map(Into::into),
        })
    }
}

/// A new comment, or a reply to one (`parentCommentId`, also accepted as `parentId`).
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct CommentRequest {
    /// Markdown.
    #[schemars(length(min = 1, max = 10000), regex(pattern = TEXT_FILLED))]
    pub content: String,
    #[serde(alias = "parentId")]
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub parent_comment_id: Option<String>,
}

/// A changed comment.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct CommentEdit {
    #[schemars(length(min = 1, max = 10000), regex(pattern = TEXT_FILLED))]
    pub content: String,
}

/// Order of a post list.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "kebab-case")]
#[schemars(crate = "apistos")]
pub enum PostSortDto {
    /// Newest first (default).
    Recent,
    /// Most liked first.
    Popular,
    /// Most commented first.
    MostCommented,
    /// By the trending score.
    Trending,
}

/// Filters, order and page of the post list.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct PostsQuery {
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub page: Option<u32>,
    /// Clamped to 100.
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub limit: Option<u32>,
    pub category: Option<PostCategoryDto>,
    /// Comma-separated: posts with any of them.
    #[schemars(length(max = 300))]
    pub tags: Option<String>,
    /// An author's user id.
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub author: Option<String>,
    /// Literal text in the title or content (pinned posts are then not put first).
    #[schemars(length(max = 100), regex(pattern = LINE))]
    pub search: Option<String>,
    pub has_code: Option<bool>,
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub challenge_id: Option<String>,
    pub sort: Option<PostSortDto>,
}

impl PostsQuery {
    /// The domain's filter and order, or a 400 naming the parameter.
    pub fn filter(&self) -> Result<(cm::PostFilter, cm::PostSort), ApiError> {
        crate::http::max_chars("tags", self.tags.as_deref(), 300)?;
        crate::http::max_chars("search", self.search.as_deref(), 100)?;
        fn id<T: std::str::FromStr>(field: &str, v: Option<&str>) -> Result<Option<T>, ApiError> {
            v.map(|s| {
                s.parse().map_err(|_| {
                    ApiError::invalid_query(field, "must be 24 hexadecimal characters")
                })
            })
            .transpose()
        }
        let filter = cm::PostFilter {
            category: self.category.map(Into::into),
            tags: self
                .tags
                .as_deref()
                .map(|t| t.split(',').map(str::to_owned).collect())
                .unwrap_or_default(),
            author: id("author", self.author.as_deref())?,
            search: self.search.clone(),
            has_code: self.has_code,
            challenge: id("challengeId", self.challenge_id.as_deref())?,
        };
        let sort = match self.sort {
            None | Some(PostSortDto::Recent) => cm::PostSort::Recent,
            Some(PostSortDto::Popular) => cm::PostSort::Popular,
            Some(PostSortDto::MostCommented) => cm::PostSort::MostCommented,
            Some(PostSortDto::Trending) => cm::PostSort::Trending,
        };
        Ok((filter, sort))
    }
}

/// A member's public profile bits.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct MemberProfileDto {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub avatar: Option<String>,
}

/// Who wrote something; `username` is "[deleted]" once the account is gone.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct PostAuthorDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub username: String,
    pub profile: MemberProfileDto,
}

/// The name content of a deleted account shows.
pub const DELETED_USER: &str = "[deleted]";

impl PostAuthorDto {
    fn of(id: cm::MemberId, face: Option<cm::Face>) -> Self {
        match face {
            Some(f) => Self {
                id: id.to_hex(),
                username: f.username,
                profile: MemberProfileDto {
                    first_name: f.first_name,
                    last_name: f.last_name,
                    avatar: f.avatar,
                },
            },
            None => Self {
                id: id.to_hex(),
                username: DELETED_USER.to_owned(),
                profile: MemberProfileDto {
                    first_name: None,
                    last_name: None,
                    avatar: None,
                },
            },
        }
    }
}

/// A post's counters.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct PostInteractionsDto {
    pub likes: u64,
    pub views: u64,
    pub comments: u64,
    pub bookmarks: u64,
    /// Always 0 (posts are not downloaded or forked; templates are).
    pub downloads: u64,
    pub forks: u64,
}

/// A post's metadata.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct PostMetadataDto {
    pub difficulty: Option<PostDifficultyDto>,
    pub challenge_type: Option<PostChallengeTypeDto>,
    pub is_pinned: bool,
    pub is_featured: bool,
}

/// A community post.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct PostDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub title: String,
    /// Markdown as written.
    pub content: String,
    /// The content rendered and sanitized (safe to insert as HTML).
    pub content_html: String,
    pub author: PostAuthorDto,
    pub author_name: String,
    pub category: PostCategoryDto,
    /// The same as `category` (the spec's enhanced name).
    pub post_type: PostCategoryDto,
    pub tags: Vec<String>,
    pub code_submission: Option<CodeSubmissionDto>,
    pub project_details: Option<ProjectDetailsDto>,
    pub collaboration_details: Option<CollaborationDetailsDto>,
    pub interactions: PostInteractionsDto,
    pub metadata: PostMetadataDto,
    /// Whether the caller liked / bookmarked it (false when anonymous).
    pub is_liked: bool,
    pub is_bookmarked: bool,
    /// The trending score (see docs/architecture.md).
    pub trending_score: f64,
    /// Hidden by a moderator (then only its author and moderators see it).
    pub is_hidden: bool,
    /// Closed to new comments by a moderator.
    pub comments_locked: bool,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<cm::PostView> for PostDto {
    fn from(v: cm::PostView) -> Self {
        let p = v.post;
        let author = PostAuthorDto::of(p.author, v.author);
        let has_code = p.has_code();
        Self {
            id: p.id.to_hex(),
            title: p.title,
            content: p.content,
            content_html: p.content_html,
            author_name: author.username.clone(),
            author,
            category: p.category.into(),
            post_type: p.category.into(),
            tags: p.tags,
            code_submission: p.code.map(|c| CodeSubmissionDto {
                has_code,
                title: c.title,
                description: c.description,
                code: c.code,
                html_code: c.html_code,
                css_code: c.css_code,
                js_code: c.js_code,
                language: c.language,
                github_url: c.github_url,
                live_demo: c.live_demo,
                challenge_id: c.challenge.map(|c| c.to_hex()),
            }),
            project_details: p.project.map(|d| ProjectDetailsDto {
                github_url: d.github_url,
                live_demo: d.live_demo,
                technologies: d.technologies,
                is_open_source: d.is_open_source,
            }),
            collaboration_details: p.collaboration.map(|d| CollaborationDetailsDto {
                is_looking_for_collaborators: d.is_looking_for_collaborators,
                skills_needed: d.skills_needed,
                project_type: d.project_type,
                time_commitment: d.time_commitment,
                contact_method: d.contact_method,
            }),
            interactions: PostInteractionsDto {
                likes: p.interactions.likes,
                views: p.interactions.views,
                comments: p.interactions.comments,
                bookmarks: p.interactions.bookmarks,
                downloads: 0,
                forks: 0,
            },
            metadata: PostMetadataDto {
                difficulty: p.difficulty.map(Into::into),
                challenge_type: p.challenge_type.map(Into::into),
                is_pinned: p.is_pinned,
                is_featured: p.is_featured,
            },
            is_liked: v.liked,
            is_bookmarked: v.bookmarked,
            trending_score: p.hot,
            is_hidden: p.is_hidden,
            comments_locked: p.comments_locked,
            is_active: p.is_active,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// A like toggle's outcome.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct LikedDto {
    pub liked: bool,
    pub likes: u64,
}

/// A bookmark toggle's outcome.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct BookmarkedDto {
    pub bookmarked: bool,
    pub bookmarks: u64,
}

/// A comment's likes.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct CommentInteractionsDto {
    pub likes: u64,
}

/// A comment. A deleted one that still has replies keeps its place: content "[deleted]", no
/// author name.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct CommentDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub post_id: String,
    pub parent_comment_id: Option<String>,
    /// 0 for a top-level comment; replies nest at most 4 deep.
    pub depth: u8,
    pub author: PostAuthorDto,
    pub author_name: String,
    pub content: String,
    pub content_html: String,
    pub interactions: CommentInteractionsDto,
    /// Live direct replies.
    pub reply_count: u64,
    pub is_deleted: bool,
    /// Hidden by a moderator: content "[hidden by a moderator]", no author name.
    pub is_hidden: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<cm::CommentView> for CommentDto {
    fn from(v: cm::CommentView) -> Self {
        let c = v.comment;
        let author = PostAuthorDto::of(c.author, v.author);
        Self {
            id: c.id.to_hex(),
            post_id: c.post.to_hex(),
            parent_comment_id: c.parent.map(|p| p.to_hex()),
            depth: c.depth,
            author_name: author.username.clone(),
            author,
            content: c.content,
            content_html: c.content_html,
            interactions: CommentInteractionsDto { likes: c.likes },
            reply_count: c.replies,
            is_deleted: c.is_deleted,
            is_hidden: c.is_hidden,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A top-level comment with its whole thread: `replies` lists every reply under it in reading
/// order (each after its parent, siblings oldest first), each naming its parent and depth.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ThreadDto {
    #[serde(flatten)]
    pub comment: CommentDto,
    pub replies: Vec<CommentDto>,
}

fn flatten(thread: cm::Thread, into: &mut Vec<CommentDto>) {
    into.push(thread.comment.into());
    for reply in thread.replies {
        flatten(reply, into);
    }
}

impl From<cm::Thread> for ThreadDto {
    fn from(t: cm::Thread) -> Self {
        let mut replies = Vec::new();
        for reply in t.replies {
            flatten(reply, &mut replies);
        }
        Self {
            comment: t.comment.into(),
            replies,
        }
    }
}

/// A top contributor.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ContributorDto {
    pub user_id: String,
    pub user_name: String,
    /// Posts and comments in the last 30 days.
    pub contributions: u64,
}

/// Members.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct MemberStatsDto {
    pub total_members: u64,
    /// Members who posted or commented today (UTC).
    pub active_today: u64,
    pub top_contributors: Vec<ContributorDto>,
}

/// Content.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ContentStatsDto {
    pub total_posts: u64,
    pub posts_today: u64,
    pub total_code_shares: u64,
    pub code_shares_today: u64,
    pub total_comments: u64,
    pub comments_today: u64,
}

/// Engagement.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct EngagementStatsDto {
    pub total_likes: u64,
    pub total_views: u64,
}

/// The community's figures, as the spec's CommunityStats document.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct CommunityStatsDto {
    /// The start of today (UTC).
    pub date: DateTime<Utc>,
    pub member_stats: MemberStatsDto,
    pub content_stats: ContentStatsDto,
    pub engagement_stats: EngagementStatsDto,
}

impl From<cm::CommunityStats> for CommunityStatsDto {
    fn from(s: cm::CommunityStats) -> Self {
        let f = s.figures;
        Self {
            date: s.date,
            member_stats: MemberStatsDto {
                total_members: s.members,
                active_today: f.active_today,
                top_contributors: s
                    .top_contributors
                    .into_iter()
                    .map(|c| ContributorDto {
                        user_id: c.member.to_hex(),
                        user_name: c
                            .face
                            .map_or_else(|| DELETED_USER.to_owned(), |f| f.username),
                        contributions: c.contributions,
                    })
                    .collect(),
            },
            content_stats: ContentStatsDto {
                total_posts: f.posts,
                posts_today: f.posts_today,
                total_code_shares: f.code_shares,
                code_shares_today: f.code_shares_today,
                total_comments: f.comments,
                comments_today: f.comments_today,
            },
            engagement_stats: EngagementStatsDto {
                total_likes: f.likes,
                total_views: f.views,
            },
        }
    }
}

dto_enum!(
    /// Why something is reported.
    ReportReasonDto => ReportReason {
        Spam = "spam",
        Harassment = "harassment",
        HateSpeech = "hate-speech",
        Misinformation = "misinformation",
        OffTopic = "off-topic",
        Inappropriate = "inappropriate",
        Plagiarism = "plagiarism",
        Other = "other",
    }
);

dto_enum!(
    /// Where a report stands.
    ReportStatusDto => ReportStatus { Open = "open", Actioned = "actioned", Dismissed = "dismissed" }
);

dto_enum!(
    /// A moderator's action (`dismiss` is recorded for reports only).
    ModerationActionDto => ModerationAction {
        Hide = "hide",
        Unhide = "unhide",
        Lock = "lock",
        Unlock = "unlock",
        Pin = "pin",
        Unpin = "unpin",
        Feature = "feature",
        Unfeature = "unfeature",
        Delete = "delete",
        Dismiss = "dismiss",
    }
);

/// A report of a post or comment.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct ReportRequest {
    pub reason: ReportReasonDto,
    /// What is wrong, in the reporter's words.
    #[schemars(length(max = 1000), regex(pattern = TEXT))]
    pub text: Option<String>,
}

/// What to do to a post or comment, and why (the author is told the reason of a hide or
/// delete). Posts: hide, unhide, lock, unlock, pin, unpin, feature, unfeature, delete;
/// comments: hide, unhide, delete.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct ModerateRequest {
    pub action: ModerationActionDto,
    #[schemars(length(min = 1, max = 1000), regex(pattern = TEXT_FILLED))]
    pub reason: String,
}

/// Why a report is dismissed.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct DismissRequest {
    #[schemars(length(min = 1, max = 1000), regex(pattern = TEXT_FILLED))]
    pub reason: String,
}

/// The report queue's filter and page.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct ReportsQuery {
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub page: Option<u32>,
    /// Clamped to 100.
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub limit: Option<u32>,
    /// Open reports come oldest first (a queue), others latest first.
    pub status: Option<ReportStatusDto>,
}

/// What a report or action is about.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct TargetDto {
    /// `post` or `comment`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "_id")]
    pub id: String,
}

impl From<cm::Target> for TargetDto {
    fn from(t: cm::Target) -> Self {
        Self {
            kind: t.kind().to_owned(),
            id: cm::PostId::from_bytes(t.bytes()).to_hex(),
        }
    }
}

/// A report.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ReportDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub target: TargetDto,
    pub post_id: String,
    pub reporter: PostAuthorDto,
    pub reason: ReportReasonDto,
    pub text: String,
    pub status: ReportStatusDto,
    /// The post's title or the comment's first 200 characters (moderators' queue only).
    pub excerpt: Option<String>,
    pub created_at: DateTime<Utc>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
}

impl ReportDto {
    /// The report with what the queue shows beside it.
    pub fn of(r: cm::Report, reporter: Option<cm::Face>, excerpt: Option<String>) -> Self {
        Self {
            id: r.id.to_hex(),
            target: r.target.into(),
            post_id: r.post.to_hex(),
            reporter: PostAuthorDto::of(r.reporter, reporter),
            reason: r.reason.into(),
            text: r.text,
            status: r.status.into(),
            excerpt,
            created_at: r.created_at,
            resolved_by: r.resolved_by.map(|m| m.to_hex()),
            resolved_at: r.resolved_at,
        }
    }
}

impl From<cm::ReportView> for ReportDto {
    fn from(v: cm::ReportView) -> Self {
        Self::of(v.report, v.reporter, v.excerpt)
    }
}

/// One entry of the moderation log.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ModerationRecordDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub moderator: PostAuthorDto,
    pub action: ModerationActionDto,
    pub target: TargetDto,
    pub report_id: Option<String>,
    pub reason: String,
    pub at: DateTime<Utc>,
}

impl ModerationRecordDto {
    /// The entry with the moderator's face.
    pub fn of(r: cm::ModerationRecord, moderator: Option<cm::Face>) -> Self {
        Self {
            id: r.id.to_hex(),
            moderator: PostAuthorDto::of(r.moderator, moderator),
            action: r.action.into(),
            target: r.target.into(),
            report_id: r.report.map(|x| x.to_hex()),
            reason: r.reason,
            at: r.at,
        }
    }
}

impl From<cm::LogView> for ModerationRecordDto {
    fn from(v: cm::LogView) -> Self {
        Self::of(v.record, v.moderator)
    }
}

/// Whether the caller follows the member now, and the member's counts.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct FollowingDto {
    pub is_following: bool,
    pub followers: u64,
    pub following: u64,
}

impl From<cm::Following> for FollowingDto {
    fn from(f: cm::Following) -> Self {
        Self {
            is_following: f.following,
            followers: f.counts.followers,
            following: f.counts.following,
        }
    }
}

/// A member as the community shows them.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct MemberDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub username: String,
    pub profile: MemberProfileDto,
    pub followers: u64,
    pub following: u64,
    /// How many members mentor them now (active mentorships).
    pub mentors: u64,
    /// How many members they mentor now.
    pub mentees: u64,
    /// Whether the caller follows them (false when anonymous).
    pub is_following: bool,
}

impl From<cm::MemberProfile> for MemberDto {
    fn from(m: cm::MemberProfile) -> Self {
        let card = PostAuthorDto::of(m.member, Some(m.face));
        Self {
            id: card.id,
            username: card.username,
            profile: card.profile,
            followers: m.counts.followers,
            following: m.counts.following,
            mentors: m.mentorships.mentors,
            mentees: m.mentorships.mentees,
            is_following: m.is_following,
        }
    }
}

/// A member in a follow list ("[deleted]" once the account is gone).
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct MemberCardDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub username: String,
    pub profile: MemberProfileDto,
    /// When the follow began.
    pub since: DateTime<Utc>,
}

impl From<cm::MemberCard> for MemberCardDto {
    fn from(c: cm::MemberCard) -> Self {
        let card = PostAuthorDto::of(c.member, c.face);
        Self {
            id: card.id,
            username: card.username,
            profile: card.profile,
            since: c.since,
        }
    }
}

/// A request to collaborate on a collaboration post.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct CollaborateRequest {
    #[schemars(length(min = 1, max = 1000), regex(pattern = TEXT_FILLED))]
    pub message: String,
    #[serde(default)]
    #[schemars(length(max = 20), inner(length(min = 1, max = 50), regex(pattern = LINE_FILLED)))]
    pub skills: Vec<String>,
}

dto_enum!(
    /// Where a collaboration request stands.
    CollaborationStatusDto => CollaborationStatus {
        Pending = "pending",
        Accepted = "accepted",
        Declined = "declined",
    }
);

/// Which requests to list.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum CollaborationSideDto {
    /// Requests I sent (default).
    Sent,
    /// Requests on my posts.
    Received,
}

/// The collaboration list's filter and page.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct CollaborationsQuery {
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub page: Option<u32>,
    /// Clamped to 100.
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub limit: Option<u32>,
    pub side: Option<CollaborationSideDto>,
    pub status: Option<CollaborationStatusDto>,
}

/// A collaboration request.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct CollaborationDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub post_id: String,
    pub requester: PostAuthorDto,
    pub post_author: PostAuthorDto,
    pub message: String,
    pub skills: Vec<String>,
    pub status: CollaborationStatusDto,
    pub created_at: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
}

impl From<cm::CollaborationView> for CollaborationDto {
    fn from(v: cm::CollaborationView) -> Self {
        let r = v.request;
        Self {
            id: r.id.to_hex(),
            post_id: r.post.to_hex(),
            requester: PostAuthorDto::of(r.requester, v.requester),
            post_author: PostAuthorDto::of(r.post_author, v.post_author),
            message: r.message,
            skills: r.skills,
            status: r.status.into(),
            created_at: r.created_at,
            responded_at: r.responded_at,
        }
    }
}

/// A request to be mentored by a member.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct MentorshipRequest {
    #[schemars(length(min = 1, max = 1000), regex(pattern = TEXT_FILLED))]
    pub message: String,
    /// What you want to learn (stored trimmed, lower-cased, without repeats).
    #[serde(default)]
    #[schemars(length(max = 10), inner(length(min = 1, max = 50), regex(pattern = LINE_FILLED)))]
    pub topics: Vec<String>,
}

dto_enum!(
    /// Where a mentorship stands.
    MentorshipStatusDto => MentorshipStatus {
        Pending = "pending",
        Active = "active",
        Declined = "declined",
        Ended = "ended",
    }
);

/// Which of my mentorships to list.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum MentorshipRoleDto {
    /// Those where I am the mentee (default).
    Mentee,
    /// Those where I am (or was asked to be) the mentor.
    Mentor,
}

/// The mentorship list's filter and page.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct MentorshipsQuery {
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub page: Option<u32>,
    /// Clamped to 100.
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub limit: Option<u32>,
    pub role: Option<MentorshipRoleDto>,
    pub status: Option<MentorshipStatusDto>,
}

/// A mentorship (the spec's mentor connection), from its request on.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct MentorshipDto {
    #[serde(rename = "_id")]
    pub id: String,
    /// Always "mentor": the spec's connection type.
    pub connection_type: &'static str,
    pub mentor: PostAuthorDto,
    pub mentee: PostAuthorDto,
    pub message: String,
    pub topics: Vec<String>,
    pub status: MentorshipStatusDto,
    pub created_at: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl From<cm::MentorshipView> for MentorshipDto {
    fn from(v: cm::MentorshipView) -> Self {
        let m = v.mentorship;
        Self {
            id: m.id.to_hex(),
            connection_type: "mentor",
            mentor: PostAuthorDto::of(m.mentor, v.mentor),
            mentee: PostAuthorDto::of(m.mentee, v.mentee),
            message: m.message,
            topics: m.topics,
            status: m.status.into(),
            created_at: m.created_at,
            responded_at: m.responded_at,
            ended_at: m.ended_at,
        }
    }
}
