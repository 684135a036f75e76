//! Attempts, and the challenge data scoring needs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use stackrush_kernel::define_id;

define_id!(
    /// Identifies one attempt at a challenge.
    AttemptId
);
define_id!(
    /// A user, as the scoring context knows them.
    PlayerId
);
define_id!(
    /// A challenge, as the scoring context knows it.
    ChallengeRef
);
define_id!(
    /// A test case of a challenge, as the scoring context knows it.
    TestRef
);
define_id!(
    /// A code review, as the scoring context knows it (the reviews context owns it).
    ReviewRef
);
define_id!(
    /// A learning playlist, as the scoring context knows it (the learning context owns it).
    PlaylistRef
);

/// How the solver works on the challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Standard,
    Interview,
    Zen,
}

impl Mode {
    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Interview => "interview",
            Self::Zen => "zen",
        }
    }

    /// The mode named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "standard" => Some(Self::Standard),
            "interview" => Some(Self::Interview),
            "zen" => Some(Self::Zen),
            _ => None,
        }
    }
}

/// How many distractions the simulation throws in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DistractionLevel {
    Low,
    #[default]
    Medium,
    High,
}

impl DistractionLevel {
    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }

    /// The level named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "low" => Some(Self::Low),
            "medium" => Some(Self::Medium),
            "high" => Some(Self::High),
            _ => None,
        }
    }
}

/// One test as scoring knows it (expected outputs included: scoring runs on the server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoringTest {
    pub id: TestRef,
    pub input: String,
    pub expected_output: String,
    pub is_hidden: bool,
    pub weight: u32,
}

/// What scoring needs of a challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoringChallenge {
    pub id: ChallengeRef,
    /// Its author, who may read submissions to it.
    pub author: PlayerId,
    /// "Easy", "Medium" or "Hard", kept on submissions for breakdowns.
    pub difficulty: String,
    /// "dsa", "bug-fix" or "feature", kept on submissions for breakdowns.
    pub kind: String,
    /// Minutes.
    pub time_limit: u32,
    pub tests: Vec<ScoringTest>,
    pub forbidden_keywords: Vec<String>,
    pub required_keywords: Vec<String>,
    /// The skills it practises (its tags and category), for analytics.
    pub skills: Vec<String>,
}

/// A started attempt. Results are accepted until `expires_at`, and only with its `nonce`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub id: AttemptId,
    pub player: PlayerId,
    pub challenge: ChallengeRef,
    pub mode: Mode,
    pub distraction_level: DistractionLevel,
    pub started_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Random; ties results to this attempt.
    pub nonce: String,
}

/// A test as the solver's browser receives it: hidden tests without their expected output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptTest {
    pub id: TestRef,
    pub input: String,
    pub expected_output: Option<String>,
    pub is_hidden: bool,
    pub weight: u32,
}

/// A new attempt and the tests the browser runs for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartedAttempt {
    pub attempt: Attempt,
    pub tests: Vec<AttemptTest>,
}

/// Start an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartAttempt {
    pub player: PlayerId,
    pub challenge: ChallengeRef,
    pub mode: Mode,
    pub distraction_level: DistractionLevel,
}
