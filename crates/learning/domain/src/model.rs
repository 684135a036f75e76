//! Playlists, their lessons and learners' enrolments as the learning context keeps them.

use chrono::{DateTime, Utc};
use stackrush_kernel::{define_id, named_enum};

define_id!(
    /// Identifies one learning playlist.
    PlaylistId
);
define_id!(
    /// Identifies one lesson of a playlist (kept when lessons are edited or reordered).
    LessonId
);
define_id!(
    /// A user, as the learning context knows them (learner or author).
    MemberId
);
define_id!(
    /// A challenge of the challenges context that a lesson asks to solve.
    ChallengeRef
);

named_enum!(
    /// Who a playlist is for (the spec's list; the web client calls it `difficulty`).
    Level {
        Beginner => "Beginner",
        Intermediate => "Intermediate",
        Advanced => "Advanced",
    }
);

named_enum!(
    /// What a lesson asks of the learner (the spec's list).
    LessonKind {
        Video => "video",
        Challenge => "challenge",
        Reading => "reading",
        Project => "project",
    }
);

/// One lesson. Its position in the playlist's list is its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lesson {
    pub id: LessonId,
    pub title: String,
    pub description: String,
    pub kind: LessonKind,
    /// Set exactly for challenge lessons: the public challenge to solve.
    pub challenge: Option<ChallengeRef>,
    /// The challenge's type (`dsa`, `bug-fix`, `feature`) when the lesson was written; what
    /// recommendations match weak challenge types with.
    pub challenge_type: Option<String>,
    /// Minutes.
    pub duration: u32,
}

/// A playlist's figures, kept exact by the store: they move in the same write as the
/// enrolment or rating they count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PlaylistStats {
    /// The sum of every current rating's score (1–5 each).
    pub rating_sum: u64,
    pub ratings: u64,
    /// Learners enrolled now (an unenrolment takes one away, a re-enrolment puts it back).
    pub students: u64,
    /// Learners who completed it (once each, ever).
    pub completions: u64,
}

impl PlaylistStats {
    /// The average rating to two decimals (0 without ratings).
    pub fn rating(&self) -> f64 {
        if self.ratings == 0 {
            return 0.0;
        }
        let hundredths = (self.rating_sum * 200 + self.ratings) / (2 * self.ratings);
        hundredths as f64 / 100.0
    }
}

/// A learning playlist.
#[derive(Debug, Clone, PartialEq)]
pub struct Playlist {
    pub id: PlaylistId,
    pub author: MemberId,
    pub title: String,
    pub description: String,
    /// What it is about, as a lower-case tag (`dsa`, `web-dev`, …): the client's category.
    pub category: String,
    pub level: Level,
    /// The author's own words for its length ("8 weeks"); the minutes are the lessons' sum.
    pub duration_text: Option<String>,
    /// Trimmed, lower-cased, without repeats.
    pub topics: Vec<String>,
    /// Listed for everyone; lessons' content only for premium members, staff and the enrolled.
    pub is_premium: bool,
    pub lessons: Vec<Lesson>,
    pub stats: PlaylistStats,
    /// Bumped by every edit: an edit based on an older revision is refused.
    pub revision: u32,
    /// Set once deleted (soft: enrolled learners keep their progress and certificates).
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Playlist {
    /// Total minutes of its lessons.
    pub fn minutes(&self) -> u64 {
        self.lessons.iter().map(|l| u64::from(l.duration)).sum()
    }

    /// The lesson with this id.
    pub fn lesson(&self, id: LessonId) -> Option<&Lesson> {
        self.lessons.iter().find(|l| l.id == id)
    }

    pub fn is_live(&self) -> bool {
        self.deleted_at.is_none()
    }
}

/// A learner's rating of a playlist (one per learner; rating again replaces it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    /// 1 to 5.
    pub score: u8,
    pub review: String,
    pub at: DateTime<Utc>,
}

/// A learner's enrolment in a playlist, with their progress. Unenrolling keeps it (inactive);
/// enrolling again resumes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Enrolment {
    pub playlist: PlaylistId,
    pub learner: MemberId,
    pub active: bool,
    /// Completed lessons, in the order completed.
    pub completed: Vec<LessonId>,
    /// Minutes the learner reported spending.
    pub time_spent: u64,
    pub last_accessed_at: DateTime<Utc>,
    pub rating: Option<Rating>,
    pub enrolled_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// The certificate issued with the completion.
    pub certificate: Option<crate::certificate::CertificateId>,
}

/// What a learner's progress through a playlist amounts to, computed from the enrolment and
/// the playlist as it is now (lessons removed since no longer count).
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressView {
    pub enrolment: Enrolment,
    /// Completed lessons that the playlist still has, in the playlist's order.
    pub completed: Vec<LessonId>,
    /// 0–100, whole percent of the playlist's lessons completed.
    pub percentage: u32,
    /// The first lesson in order not completed yet.
    pub current: Option<LessonId>,
}

impl ProgressView {
    /// The progress of `enrolment` through `playlist`.
    pub fn of(enrolment: Enrolment, playlist: &Playlist) -> Self {
        let completed: Vec<LessonId> = playlist
            .lessons
            .iter()
            .map(|l| l.id)
            .filter(|id| enrolment.completed.contains(id))
            .collect();
        let total = playlist.lessons.len();
        let percentage = (completed.len() * 100)
            .checked_div(total)
            .map_or(0, |p| u32::try_from(p).unwrap_or(100));
        let current = playlist
            .lessons
            .iter()
            .map(|l| l.id)
            .find(|id| !completed.contains(id));
        Self {
            enrolment,
            completed,
            percentage,
            current,
        }
    }

    /// Every lesson of a non-empty playlist is completed.
    pub fn is_complete(&self) -> bool {
        self.percentage == 100
    }
}

/// How a member may act on playlists, as the caller's roles say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub id: MemberId,
    pub is_admin: bool,
    /// Holds the premium role (or is staff): may create playlists and read premium lessons.
    pub is_premium: bool,
    pub is_moderator: bool,
}

impl Caller {
    /// May create playlists: premium members, moderators and admins (the spec's "premium
    /// users").
    pub fn may_author(&self) -> bool {
        self.is_premium || self.is_moderator || self.is_admin
    }
}

named_enum!(
    /// The order of a playlist list.
    PlaylistSort {
        Popular => "popular",
        Rating => "rating",
        Newest => "newest",
    }
);

/// What a playlist list is restricted to (each `Some` narrows it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PlaylistFilter {
    pub category: Option<String>,
    /// Playlists having this topic.
    pub topic: Option<String>,
    pub level: Option<Level>,
    pub premium: Option<bool>,
    pub author: Option<MemberId>,
    /// Literal text in the title or description (no patterns), ignoring case.
    pub search: Option<String>,
}

/// How a member is shown next to what they wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Face {
    pub username: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub avatar: Option<String>,
}
