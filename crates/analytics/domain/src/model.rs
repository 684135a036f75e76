//! Focus sessions.

use chrono::{DateTime, Utc};
use stackrush_kernel::define_id;

define_id!(
    /// Identifies one focus session.
    FocusSessionId
);
define_id!(
    /// A user, as the analytics context knows them.
    SubjectId
);
define_id!(
    /// A challenge, as the analytics context knows it.
    ChallengeKey
);
define_id!(
    /// A submission, as the analytics context knows it.
    SubmissionKey
);

/// Where the session happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Environment {
    Zen,
    #[default]
    Standard,
    Interview,
}

impl Environment {
    /// Every environment.
    pub const ALL: [Environment; 3] = [Self::Zen, Self::Standard, Self::Interview];

    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Zen => "zen",
            Self::Standard => "standard",
            Self::Interview => "interview",
        }
    }

    /// The environment named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == name)
    }
}

/// A focus session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FocusSession {
    pub id: FocusSessionId,
    pub user: SubjectId,
    pub challenge: Option<ChallengeKey>,
    /// The submission made in this session, when there is one (its simulation data).
    pub submission: Option<SubmissionKey>,
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    pub distractions_encountered: u32,
    /// 0–100.
    pub focus_score: u32,
    pub environment: Environment,
    pub created_at: DateTime<Utc>,
}

impl FocusSession {
    /// Minutes between start and end.
    pub fn minutes(&self) -> f64 {
        (self.end_time - self.start_time).num_seconds() as f64 / 60.0
    }
}

/// Record a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFocusSession {
    pub challenge: Option<ChallengeKey>,
    pub submission: Option<SubmissionKey>,
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    pub distractions_encountered: u32,
    pub focus_score: u32,
    pub environment: Environment,
}

/// Order of session lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SessionSort {
    #[default]
    StartTime,
    FocusScore,
}

/// Which sessions a list shows (every field narrows it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SessionFilter {
    pub challenge: Option<ChallengeKey>,
    pub environment: Option<Environment>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub sort: SessionSort,
    pub descending: bool,
}
