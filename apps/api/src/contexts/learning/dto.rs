//! Playlist bodies, queries and documents, in the shape of the spec's LearningPlaylists and
//! UserPlaylistProgress collections plus the fields the web client reads
//! (`instructor`, `metadata.difficulty`, `metadata.lessonCount`, `metadata.duration` in minutes,
//! `stats.enrollments`).

use apistos::{ApiComponent, JsonSchema};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use stackrush_learning as ln;

use crate::contexts::challenges::dto::{AuthorDto, AuthorProfileDto};
use crate::error::ApiError;
use crate::http::mirrored_enum;
use crate::http::patterns::{LINE, LINE_FILLED, TEXT, TEXT_FILLED};

const HEX_ID: &str = r"^[0-9a-fA-F]{24}$";

mirrored_enum!(
    /// Who a playlist is for.
    PlaylistLevelDto => ln::Level {
        Beginner = "Beginner",
        Intermediate = "Intermediate",
        Advanced = "Advanced",
    }
);

mirrored_enum!(
    /// What a lesson asks of the learner.
    LessonTypeDto => ln::LessonKind {
        Video = "video",
        Challenge = "challenge",
        Reading = "reading",
        Project = "project",
    }
);

fn parse_id<T: std::str::FromStr>(field: &str, value: &str) -> Result<T, ApiError> {
    value
        .parse()
        .map_err(|_| ApiError::invalid_body(field, "must be 24 hexadecimal characters"))
}

/// A lesson as the author writes it. On a whole-playlist edit, `id` names a lesson the
/// playlist has (kept, with learners' progress); without it the lesson is new.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct LessonRequest {
    #[schemars(regex(pattern = HEX_ID))]
    pub id: Option<String>,
    #[schemars(length(min = 1, max = 100), regex(pattern = LINE_FILLED))]
    pub title: String,
    #[serde(default)]
    #[schemars(length(max = 5000), regex(pattern = TEXT))]
    pub description: String,
    #[serde(rename = "type")]
    pub kind: LessonTypeDto,
    /// Required for challenge lessons (a public challenge), refused for the others.
    #[schemars(regex(pattern = HEX_ID))]
    pub challenge_id: Option<String>,
    /// Minutes (at most a day).
    #[serde(default)]
    #[schemars(range(max = 1440))]
    pub duration: u32,
}

impl LessonRequest {
    /// The draft, with ids parsed (`at` names the lesson in errors).
    pub fn draft(self, at: &str) -> Result<ln::LessonDraft, ApiError> {
        Ok(ln::LessonDraft {
            id: self
                .id
                .as_deref()
                .map(|i| parse_id(&format!("{at}id"), i))
                .transpose()?,
            title: self.title,
            description: self.description,
            kind: self.kind.into(),
            challenge: self
                .challenge_id
                .as_deref()
                .map(|c| parse_id(&format!("{at}challengeId"), c))
                .transpose()?,
            duration: self.duration,
        })
    }
}

fn drafts(lessons: Vec<LessonRequest>) -> Result<Vec<ln::LessonDraft>, ApiError> {
    lessons
        .into_iter()
        .enumerate()
        .map(|(i, l)| l.draft(&format!("lessons[{i}].")))
        .collect()
}

/// A new playlist (premium members, moderators and admins).
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct CreatePlaylistRequest {
    #[schemars(length(min = 3, max = 100), regex(pattern = LINE_FILLED))]
    pub title: String,
    #[schemars(length(min = 1, max = 2000), regex(pattern = TEXT_FILLED))]
    pub description: String,
    /// A lower-case tag of letters, digits and `-` (`dsa`, `web-dev`).
    #[schemars(length(min = 1, max = 30), regex(pattern = r"^\s*[A-Za-z0-9-]+\s*$"))]
    pub category: String,
    pub level: PlaylistLevelDto,
    /// The author's words for its length ("8 weeks").
    #[schemars(length(max = 50), regex(pattern = LINE))]
    pub duration_text: Option<String>,
    /// Stored trimmed, lower-cased, without repeats.
    #[serde(default)]
    #[schemars(
        length(max = 10),
        inner(
            length(min = 1, max = 30),
            regex(pattern = r"^\s*[A-Za-z0-9+#._ -]+\s*$")
        )
    )]
    pub topics: Vec<String>,
    #[serde(default)]
    pub is_premium: bool,
    #[serde(default)]
    #[schemars(length(max = 100))]
    pub lessons: Vec<LessonRequest>,
}

impl CreatePlaylistRequest {
    /// The draft.
    pub fn draft(self) -> Result<ln::PlaylistDraft, ApiError> {
        Ok(ln::PlaylistDraft {
            lessons: drafts(self.lessons)?,
            title: self.title,
            description: self.description,
            category: self.category,
            level: self.level.into(),
            duration_text: self.duration_text,
            topics: self.topics,
            is_premium: self.is_premium,
        })
    }
}

/// The author's changes; fields left out keep their value. `lessons` replaces the whole list
/// (name kept lessons by `id`). With `revision`, the change is refused (409) if the playlist
/// was edited since.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct UpdatePlaylistRequest {
    #[schemars(length(min = 3, max = 100), regex(pattern = LINE_FILLED))]
    pub title: Option<String>,
    #[schemars(length(min = 1, max = 2000), regex(pattern = TEXT_FILLED))]
    pub description: Option<String>,
    #[schemars(length(min = 1, max = 30), regex(pattern = r"^\s*[A-Za-z0-9-]+\s*$"))]
    pub category: Option<String>,
    pub level: Option<PlaylistLevelDto>,
    /// An empty text removes it.
    #[schemars(length(max = 50), regex(pattern = LINE))]
    pub duration_text: Option<String>,
    #[schemars(
        length(max = 10),
        inner(
            length(min = 1, max = 30),
            regex(pattern = r"^\s*[A-Za-z0-9+#._ -]+\s*$")
        )
    )]
    pub topics: Option<Vec<String>>,
    pub is_premium: Option<bool>,
    #[schemars(length(max = 100))]
    pub lessons: Option<Vec<LessonRequest>>,
    #[schemars(range(min = 1))]
    pub revision: Option<u32>,
}

impl UpdatePlaylistRequest {
    /// The patch.
    pub fn patch(self) -> Result<ln::PlaylistPatch, ApiError> {
        Ok(ln::PlaylistPatch {
            lessons: self.lessons.map(drafts).transpose()?,
            title: self.title,
            description: self.description,
            category: self.category,
            level: self.level.map(Into::into),
            duration_text: self
                .duration_text
                .map(|t| Some(t).filter(|t| !t.trim().is_empty())),
            topics: self.topics,
            is_premium: self.is_premium,
            revision: self.revision,
        })
    }
}

/// A lesson to add, at `position` (1-based; at the end without it).
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct AddLessonRequest {
    #[schemars(length(min = 1, max = 100), regex(pattern = LINE_FILLED))]
    pub title: String,
    #[serde(default)]
    #[schemars(length(max = 5000), regex(pattern = TEXT))]
    pub description: String,
    #[serde(rename = "type")]
    pub kind: LessonTypeDto,
    #[schemars(regex(pattern = HEX_ID))]
    pub challenge_id: Option<String>,
    #[serde(default)]
    #[schemars(range(max = 1440))]
    pub duration: u32,
    #[schemars(range(min = 1))]
    pub position: Option<u32>,
}

impl AddLessonRequest {
    /// The lesson and where it goes.
    pub fn draft(self) -> Result<(ln::LessonDraft, Option<u32>), ApiError> {
        let lesson = LessonRequest {
            id: None,
            title: self.title,
            description: self.description,
            kind: self.kind,
            challenge_id: self.challenge_id,
            duration: self.duration,
        };
        Ok((lesson.draft("")?, self.position))
    }
}

/// Every lesson id of the playlist, once each, in the new order.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct ReorderLessonsRequest {
    #[schemars(length(max = 100), inner(regex(pattern = HEX_ID)))]
    pub lesson_ids: Vec<String>,
}

impl ReorderLessonsRequest {
    /// The ids, parsed.
    pub fn order(self) -> Result<Vec<ln::LessonId>, ApiError> {
        self.lesson_ids
            .iter()
            .enumerate()
            .map(|(i, l)| parse_id(&format!("lessonIds[{i}]"), l))
            .collect()
    }
}

/// A lesson's progress: done (or not any more) and minutes spent since the last report.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct ProgressRequest {
    #[schemars(regex(pattern = HEX_ID))]
    pub lesson_id: String,
    /// Default `true`. A challenge lesson is completed only after a successful scored
    /// submission of its challenge.
    #[serde(default)]
    pub completed: Option<bool>,
    /// Minutes since the last report (0–1440).
    #[serde(default)]
    #[schemars(range(max = 1440))]
    pub time_spent: u32,
}

impl ProgressRequest {
    /// The update.
    pub fn update(self) -> Result<ln::ProgressUpdate, ApiError> {
        Ok(ln::ProgressUpdate {
            lesson: parse_id("lessonId", &self.lesson_id)?,
            completed: self.completed.unwrap_or(true),
            time_spent: self.time_spent,
        })
    }
}

/// A rating: 1 to 5, with an optional review.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct RateRequest {
    #[schemars(range(min = 1, max = 5))]
    pub score: u8,
    #[serde(default)]
    #[schemars(length(max = 1000), regex(pattern = TEXT))]
    pub review: String,
}

/// The order of a playlist list.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum PlaylistSortDto {
    /// Most students first.
    Popular,
    /// Best average rating first.
    Rating,
    /// Newest first (default).
    Newest,
}

/// A level as the list's query names it: the levels, or the web client's challenge
/// difficulties (Easy, Medium, Hard), read as Beginner, Intermediate, Advanced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub enum LevelParamDto {
    Beginner,
    Intermediate,
    Advanced,
    Easy,
    Medium,
    Hard,
}

impl From<LevelParamDto> for PlaylistLevelDto {
    fn from(v: LevelParamDto) -> Self {
        match v {
            LevelParamDto::Beginner | LevelParamDto::Easy => Self::Beginner,
            LevelParamDto::Intermediate | LevelParamDto::Medium => Self::Intermediate,
            LevelParamDto::Advanced | LevelParamDto::Hard => Self::Advanced,
        }
    }
}

/// Filters, order and page of `GET /learning/playlists` (the web client sends `limit`,
/// `category`, `difficulty` and `search`).
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct PlaylistsQuery {
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub page: Option<u32>,
    /// Clamped to 100.
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub limit: Option<u32>,
    #[schemars(length(max = 30), regex(pattern = r"^\s*[A-Za-z0-9-]*\s*$"))]
    pub category: Option<String>,
    #[schemars(length(max = 30), regex(pattern = LINE))]
    pub topic: Option<String>,
    /// The level (the client's name for it; Easy, Medium and Hard read as the three levels).
    #[serde(default)]
    #[schemars(with = "LevelParamDto")]
    pub difficulty: Option<LevelParamDto>,
    #[serde(default)]
    #[schemars(with = "LevelParamDto")]
    pub level: Option<LevelParamDto>,
    pub premium: Option<bool>,
    #[schemars(regex(pattern = HEX_ID))]
    pub author: Option<String>,
    /// Matched literally (case-insensitively) in titles and descriptions.
    #[schemars(length(max = 100), regex(pattern = LINE))]
    pub search: Option<String>,
    #[serde(default)]
    #[schemars(with = "PlaylistSortDto")]
    pub sort: Option<PlaylistSortDto>,
}

impl PlaylistsQuery {
    /// The filter asked for.
    pub fn filter(&self) -> Result<ln::PlaylistFilter, ApiError> {
        let author = match &self.author {
            Some(a) => Some(a.parse().map_err(|_| {
                ApiError::invalid_query("author", "must be 24 hexadecimal characters")
            })?),
            None => None,
        };
        for (field, value, max) in [
            ("search", &self.search, 100),
            ("category", &self.category, 30),
            ("topic", &self.topic, 30),
        ] {
            crate::http::max_chars(field, value.as_deref(), max)?;
            if let Some(problem) = value
                .as_deref()
                .and_then(|v| stackrush_kernel::text::line_problem(v, max))
            {
                return Err(ApiError::invalid_query(field, &problem));
            }
        }
        let category = self
            .category
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        if let Some(problem) = category.and_then(|c| {
            stackrush_learning::service::word_problem(
                c,
                stackrush_learning::service::CATEGORY_PUNCTUATION,
            )
        }) {
            return Err(ApiError::invalid_query("category", &problem));
        }
        let level = self.level.map(PlaylistLevelDto::from);
        let difficulty = self.difficulty.map(PlaylistLevelDto::from);
        if let (Some(a), Some(b)) = (level, difficulty) {
            if a != b {
                return Err(ApiError::invalid_query(
                    "difficulty",
                    "must equal level when both are given",
                ));
            }
        }
        Ok(ln::PlaylistFilter {
            category: self.category.clone().filter(|c| !c.trim().is_empty()),
            topic: self.topic.clone().filter(|t| !t.trim().is_empty()),
            level: level.or(difficulty).map(Into::into),
            premium: self.premium,
            author,
            search: self.search.clone(),
        })
    }

    /// The order asked for (newest first when none).
    pub fn sort(&self) -> ln::PlaylistSort {
        match self.sort {
            None | Some(PlaylistSortDto::Newest) => ln::PlaylistSort::Newest,
            Some(PlaylistSortDto::Popular) => ln::PlaylistSort::Popular,
            Some(PlaylistSortDto::Rating) => ln::PlaylistSort::Rating,
        }
    }
}

/// One lesson as returned (`description`, `challengeId` and `challengeType` are empty for
/// readers a premium playlist is locked to).
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct LessonDto {
    #[serde(rename = "_id")]
    pub underscore_id: String,
    /// The same id (the spec's `id`).
    pub id: String,
    pub title: String,
    pub description: String,
    #[serde(rename = "type")]
    pub kind: LessonTypeDto,
    pub challenge_id: Option<String>,
    /// The challenge's type (`dsa`, `bug-fix`, `feature`) when the lesson was written.
    pub challenge_type: Option<String>,
    /// Minutes.
    pub duration: u32,
    /// 1-based position.
    pub order: u32,
}

/// What a playlist is about and for whom.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct PlaylistMetadataDto {
    pub category: String,
    pub level: PlaylistLevelDto,
    /// The same as `level` (the web client's name).
    pub difficulty: PlaylistLevelDto,
    /// Minutes: the lessons' durations added up.
    pub duration: u64,
    /// The author's words for its length ("8 weeks").
    pub duration_text: Option<String>,
    pub total_lessons: u64,
    /// The same as `totalLessons` (the web client's name).
    pub lesson_count: u64,
    pub topics: Vec<String>,
    pub is_premium: bool,
}

/// A playlist's figures.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct PlaylistStatsDto {
    /// The average rating, to two decimals (0 without ratings).
    pub rating: f64,
    pub total_ratings: u64,
    /// Learners enrolled now.
    pub students: u64,
    /// The same as `students` (the web client's name).
    pub enrollments: u64,
    pub completions: u64,
}

/// A playlist as returned.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct PlaylistDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub title: String,
    pub description: String,
    /// Always present (`username` is "[deleted]" once the account is gone).
    pub author: AuthorDto,
    /// The same person as `author` (the web client's name).
    pub instructor: AuthorDto,
    pub author_name: String,
    pub metadata: PlaylistMetadataDto,
    pub lessons: Vec<LessonDto>,
    pub stats: PlaylistStatsDto,
    pub is_public: bool,
    pub is_active: bool,
    /// Whether the caller is enrolled.
    pub is_enrolled: bool,
    /// A premium playlist the caller sees the outline of only.
    pub content_locked: bool,
    /// Increases with every edit (send it back to refuse an edit based on an old copy).
    pub revision: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn author(id: ln::MemberId, face: Option<ln::Face>) -> AuthorDto {
    let face = face.unwrap_or_else(|| ln::Face {
        username: "[deleted]".to_owned(),
        first_name: None,
        last_name: None,
        avatar: None,
    });
    AuthorDto {
        id: id.to_hex(),
        username: face.username,
        profile: AuthorProfileDto {
            first_name: face.first_name,
            last_name: face.last_name,
            avatar: face.avatar,
        },
    }
}

impl From<ln::PlaylistView> for PlaylistDto {
    fn from(v: ln::PlaylistView) -> Self {
        let p = v.playlist;
        let lessons = p.lessons.len() as u64;
        let minutes = p.minutes();
        let by = author(p.author, v.author.clone());
        let instructor = author(p.author, v.author);
        Self {
            id: p.id.to_hex(),
            title: p.title,
            description: p.description,
            author_name: by.username.clone(),
            author: by,
            instructor,
            metadata: PlaylistMetadataDto {
                category: p.category,
                level: p.level.into(),
                difficulty: p.level.into(),
                duration: minutes,
                duration_text: p.duration_text,
                total_lessons: lessons,
                lesson_count: lessons,
                topics: p.topics,
                is_premium: p.is_premium,
            },
            lessons: p
                .lessons
                .into_iter()
                .enumerate()
                .map(|(i, l)| LessonDto {
                    underscore_id: l.id.to_hex(),
                    id: l.id.to_hex(),
                    title: l.title,
                    description: l.description,
                    kind: l.kind.into(),
                    challenge_id: l.challenge.map(|c| c.to_hex()),
                    challenge_type: l.challenge_type,
                    duration: l.duration,
                    order: u32::try_from(i + 1).unwrap_or(u32::MAX),
                })
                .collect(),
            stats: PlaylistStatsDto {
                rating: p.stats.rating(),
                total_ratings: p.stats.ratings,
                students: p.stats.students,
                enrollments: p.stats.students,
                completions: p.stats.completions,
            },
            is_public: true,
            is_active: p.deleted_at.is_none(),
            is_enrolled: v.enrolled,
            content_locked: v.locked,
            revision: p.revision,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// A learner's rating as returned.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct RatingDto {
    pub score: u8,
    pub review: String,
    pub created_at: DateTime<Utc>,
}

/// What the server computed of a learner's progress (clients cannot set these).
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct PlaylistProgressFiguresDto {
    /// Completed lessons the playlist still has, in its order.
    pub completed_lessons: Vec<String>,
    /// The first lesson not completed yet.
    pub current_lesson: Option<String>,
    /// Whole percent of the lessons completed.
    pub completion_percentage: u32,
    /// Minutes reported.
    pub time_spent: u64,
    pub last_accessed_at: DateTime<Utc>,
}

/// A learner's enrolment and progress (the spec's UserPlaylistProgress document).
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct PlaylistProgressDto {
    pub playlist: String,
    pub user: String,
    /// Whether the learner is enrolled now (unenrolling keeps the progress).
    pub is_enrolled: bool,
    pub progress: PlaylistProgressFiguresDto,
    pub rating: Option<RatingDto>,
    pub enrolled_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// The certificate issued when the playlist was completed (`GET /certificates/{id}`);
    /// absent before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_id: Option<String>,
}

impl From<ln::ProgressView> for PlaylistProgressDto {
    fn from(v: ln::ProgressView) -> Self {
        let e = v.enrolment;
        Self {
            playlist: e.playlist.to_hex(),
            user: e.learner.to_hex(),
            is_enrolled: e.active,
            progress: PlaylistProgressFiguresDto {
                completed_lessons: v.completed.iter().map(|l| l.to_hex()).collect(),
                current_lesson: v.current.map(|l| l.to_hex()),
                completion_percentage: v.percentage,
                time_spent: e.time_spent,
                last_accessed_at: e.last_accessed_at,
            },
            rating: e.rating.map(|r| RatingDto {
                score: r.score,
                review: r.review,
                created_at: r.at,
            }),
            enrolled_at: e.enrolled_at,
            completed_at: e.completed_at,
            certificate_id: e.certificate.map(|c| c.to_hex()),
        }
    }
}

/// A progress report's outcome: the progress, and whether this report completed the playlist
/// (with the XP it brought).
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct PlaylistProgressedDto {
    #[serde(flatten)]
    pub progress: PlaylistProgressDto,
    pub playlist_completed: bool,
    pub xp_awarded: u64,
}

impl From<ln::Progressed> for PlaylistProgressedDto {
    fn from(v: ln::Progressed) -> Self {
        Self {
            progress: v.progress.into(),
            playlist_completed: v.completed_with_xp.is_some(),
            xp_awarded: v.completed_with_xp.unwrap_or(0),
        }
    }
}

/// One of the caller's playlists with their progress.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct MyPlaylistDto {
    pub playlist: PlaylistDto,
    pub progress: PlaylistProgressDto,
}

impl From<ln::MyPlaylist> for MyPlaylistDto {
    fn from(v: ln::MyPlaylist) -> Self {
        Self {
            playlist: v.playlist.into(),
            progress: v.progress.into(),
        }
    }
}

/// A category with how many playlists it has.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct LearningCategoryDto {
    pub category: String,
    pub count: u64,
}

mirrored_enum!(
    /// Why a playlist is recommended.
    ReasonKindDto => ln::ReasonKind {
        Continue = "continue",
        WeakType = "weak-type",
        Level = "level",
        Popular = "popular",
    }
);

/// `GET /learning/recommended`'s query.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct RecommendedQuery {
    /// 1 to 20 (default 10).
    #[schemars(range(min = 1, max = 20))]
    pub limit: Option<u32>,
}

/// A recommended playlist with why it is recommended.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct RecommendedPlaylistDto {
    #[serde(flatten)]
    pub playlist: PlaylistDto,
    /// Why, in words ("Practises bug-fix challenges: 1 of your 5 …").
    pub reason: String,
    pub reason_kind: ReasonKindDto,
}

impl From<ln::Recommendation> for RecommendedPlaylistDto {
    fn from(r: ln::Recommendation) -> Self {
        Self {
            playlist: r.playlist.into(),
            reason: r.reason,
            reason_kind: r.kind.into(),
        }
    }
}
