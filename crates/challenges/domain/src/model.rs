//! Challenges as stored, the commands that create and change them, and the views callers get.

use chrono::{DateTime, Utc};
use garde::Validate;
use serde::{Deserialize, Serialize};
use stackrush_kernel::define_id;

pub use crate::workspace::{ApiSpec, Environment, Header, HttpMethod, ProjectFile, StarterProject};

define_id!(
    /// Identifies a challenge.
    ChallengeId
);
define_id!(
    /// Identifies one test case of a challenge.
    TestCaseId
);
define_id!(
    /// A user, as the challenges context knows them (the author of a challenge).
    AuthorId
);

/// What kind of work a challenge asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChallengeType {
    Dsa,
    BugFix,
    Feature,
}

impl ChallengeType {
    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dsa => "dsa",
            Self::BugFix => "bug-fix",
            Self::Feature => "feature",
        }
    }

    /// The type named `name` (exact).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "dsa" => Some(Self::Dsa),
            "bug-fix" => Some(Self::BugFix),
            "feature" => Some(Self::Feature),
            _ => None,
        }
    }
}

/// How hard a challenge is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

impl Difficulty {
    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Easy => "Easy",
            Self::Medium => "Medium",
            Self::Hard => "Hard",
        }
    }

    /// The difficulty named `name`, ignoring case.
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "easy" => Some(Self::Easy),
            "medium" => Some(Self::Medium),
            "hard" => Some(Self::Hard),
            _ => None,
        }
    }

    /// 1, 2 or 3: how difficulty sorts.
    pub fn rank(self) -> u8 {
        match self {
            Self::Easy => 1,
            Self::Medium => 2,
            Self::Hard => 3,
        }
    }
}

/// How pressing a scenario is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Urgency {
    Low,
    Medium,
    High,
}

impl Urgency {
    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }

    /// The urgency named `name` (exact).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "low" => Some(Self::Low),
            "medium" => Some(Self::Medium),
            "high" => Some(Self::High),
            _ => None,
        }
    }
}

/// A worked example shown with the problem.
#[derive(Debug, Clone, PartialEq, Eq, Validate, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Example {
    #[garde(length(chars, max = 10_000), custom(crate::validate::text))]
    pub input: String,
    #[garde(length(chars, max = 10_000), custom(crate::validate::text))]
    pub output: String,
    #[garde(inner(length(chars, max = 5_000), custom(crate::validate::text)))]
    pub explanation: Option<String>,
}

/// The problem as the solver reads it, plus the author's solution.
#[derive(Debug, Clone, PartialEq, Eq, Default, Validate, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Content {
    #[garde(
        length(chars, min = 1, max = 20_000),
        custom(crate::validate::not_blank),
        custom(crate::validate::text)
    )]
    pub problem_statement: String,
    #[garde(inner(length(chars, max = 5_000), custom(crate::validate::text)))]
    pub constraints: Option<String>,
    #[garde(length(max = 20), dive)]
    pub examples: Vec<Example>,
    #[garde(
        length(max = 20),
        inner(length(chars, min = 1, max = 1_000), custom(crate::validate::text))
    )]
    pub hints: Vec<String>,
    /// Author and admins only.
    #[garde(inner(length(chars, max = 50_000), custom(crate::validate::text)))]
    pub solution: Option<String>,
    /// Author and admins only.
    #[garde(inner(length(chars, max = 20_000), custom(crate::validate::text)))]
    pub solution_explanation: Option<String>,
}

/// Starting code per language.
#[derive(Debug, Clone, PartialEq, Eq, Default, Validate, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StarterCode {
    #[garde(inner(length(chars, max = 50_000), custom(crate::validate::text)))]
    pub javascript: Option<String>,
    #[garde(inner(length(chars, max = 50_000), custom(crate::validate::text)))]
    pub typescript: Option<String>,
    #[garde(inner(length(chars, max = 50_000), custom(crate::validate::text)))]
    pub python: Option<String>,
    #[garde(inner(length(chars, max = 50_000), custom(crate::validate::text)))]
    pub java: Option<String>,
    #[garde(inner(length(chars, max = 50_000), custom(crate::validate::text)))]
    pub cpp: Option<String>,
}

/// One test the browser runs; hidden ones keep their expected output from solvers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestCase {
    pub id: TestCaseId,
    pub input: String,
    pub expected_output: String,
    pub is_hidden: bool,
    /// Share of the score, relative to the other tests' weights (1..=100).
    pub weight: u32,
}

/// Checks on the submitted code.
#[derive(Debug, Clone, PartialEq, Eq, Default, Validate, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationRules {
    #[garde(inner(length(chars, max = 50), custom(crate::validate::line)))]
    pub time_complexity: Option<String>,
    #[garde(inner(length(chars, max = 50), custom(crate::validate::line)))]
    pub space_complexity: Option<String>,
    #[garde(
        length(max = 20),
        inner(length(chars, min = 1, max = 50), custom(crate::validate::line))
    )]
    pub forbidden_keywords: Vec<String>,
    #[garde(
        length(max = 20),
        inner(length(chars, min = 1, max = 50), custom(crate::validate::line))
    )]
    pub required_keywords: Vec<String>,
}

/// Code-related parts of a challenge.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Code {
    pub starter_code: StarterCode,
    pub test_cases: Vec<TestCase>,
    pub validation_rules: ValidationRules,
}

/// Something that interrupts the solver in simulation mode.
#[derive(Debug, Clone, PartialEq, Eq, Validate, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Distraction {
    #[garde(length(chars, min = 1, max = 50), custom(crate::validate::line))]
    #[serde(rename = "type")]
    pub kind: String,
    #[garde(length(chars, min = 1, max = 50), custom(crate::validate::line))]
    pub frequency: String,
    #[garde(length(chars, min = 1, max = 1_000), custom(crate::validate::text))]
    pub content: String,
}

/// The workplace story around a challenge.
#[derive(Debug, Clone, PartialEq, Eq, Default, Validate, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Scenario {
    #[garde(inner(length(chars, max = 2_000), custom(crate::validate::text)))]
    pub background: Option<String>,
    #[garde(inner(length(chars, max = 100), custom(crate::validate::line)))]
    pub role: Option<String>,
    #[garde(inner(length(chars, max = 100), custom(crate::validate::line)))]
    pub company: Option<String>,
    #[garde(skip)]
    pub urgency: Option<Urgency>,
    #[garde(length(max = 20), dive)]
    pub distractions: Vec<Distraction>,
    /// Who cares about the outcome (e.g. "Head of Support").
    #[garde(
        length(max = 20),
        inner(length(chars, min = 1, max = 100), custom(crate::validate::line))
    )]
    #[serde(default)]
    pub stakeholders: Vec<String>,
    #[garde(inner(length(chars, max = 5_000), custom(crate::validate::text)))]
    #[serde(default)]
    pub business_context: Option<String>,
    /// The workplace's constraints (e.g. "no new dependencies").
    #[garde(
        length(max = 20),
        inner(length(chars, min = 1, max = 500), custom(crate::validate::text))
    )]
    #[serde(default)]
    pub constraints: Vec<String>,
}

/// Aggregates over the challenge's scored attempts, moved by [`ChallengeStats::after`] (the one
/// formula) in the scoring commit's transaction.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChallengeStats {
    pub total_attempts: u64,
    pub successful_attempts: u64,
    /// Seconds, over successful attempts.
    pub average_time: f64,
    /// 0–100, over scored attempts.
    pub average_score: f64,
    pub popularity_score: f64,
}

/// One scored attempt at a challenge, as its statistics count it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AttemptOutcome {
    pub success: bool,
    /// 0–100.
    pub score: f64,
    /// Seconds spent, counted for successes only.
    pub seconds: Option<f64>,
}

impl ChallengeStats {
    /// The statistics after one more scored attempt: running averages of the score (over every
    /// attempt) and of the time (over successes), and a popularity of one point per attempt and
    /// two more per success.
    pub fn after(&self, attempt: &AttemptOutcome) -> ChallengeStats {
        let attempts = self.total_attempts.saturating_add(1);
        let successes = self
            .successful_attempts
            .saturating_add(u64::from(attempt.success));
        let average_time = if attempt.success {
            let total = self.average_time * self.successful_attempts as f64
                + attempt.seconds.unwrap_or(0.0);
            total / successes as f64
        } else {
            self.average_time
        };
        ChallengeStats {
            total_attempts: attempts,
            successful_attempts: successes,
            average_time,
            average_score: (self.average_score * self.total_attempts as f64 + attempt.score)
                / attempts as f64,
            popularity_score: attempts as f64 + 2.0 * successes as f64,
        }
    }
}

/// A challenge as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Challenge {
    pub id: ChallengeId,
    pub title: String,
    pub slug: String,
    pub description: String,
    pub kind: ChallengeType,
    pub difficulty: Difficulty,
    pub category: String,
    pub tags: Vec<String>,
    /// Minutes.
    pub time_limit: u32,
    pub content: Content,
    pub code: Code,
    pub scenario: Scenario,
    /// The endpoint of a backend-API challenge (empty otherwise).
    pub api: ApiSpec,
    /// The multi-file starter project of a frontend or backend challenge (empty otherwise).
    pub project: StarterProject,
    pub stats: ChallengeStats,
    pub author: AuthorId,
    pub is_public: bool,
    pub is_active: bool,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The author as shown beside a challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorSummary {
    pub id: AuthorId,
    pub username: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub avatar: Option<String>,
}

/// Who is asking, as far as challenges care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub id: AuthorId,
    pub is_admin: bool,
    /// Admins and moderators may create challenges.
    pub can_create: bool,
}

/// How the members who tried a challenge rated it (kept by the reviews context): how many
/// live reviews gave each of 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ratings {
    /// `histogram[i]` reviews rated `i + 1`.
    pub histogram: [u64; 5],
}

impl Ratings {
    /// How many reviews.
    pub fn count(&self) -> u64 {
        self.histogram.iter().sum()
    }

    /// The mean rating to two decimals, 0 without reviews.
    pub fn average(&self) -> f64 {
        let count = self.count();
        if count == 0 {
            return 0.0;
        }
        let sum: u64 = self.histogram.iter().zip(1u64..).map(|(n, r)| n * r).sum();
        (sum as f64 / count as f64 * 100.0).round() / 100.0
    }
}

/// A challenge as a caller may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChallengeView {
    /// Already redacted when `full` is false.
    pub challenge: Challenge,
    pub author: Option<AuthorSummary>,
    /// Its ratings (zero when the reviews cannot be read now: a list never fails for them).
    pub ratings: Ratings,
    /// Whether the caller sees solutions and hidden expected outputs (author or admin).
    pub full: bool,
}

/// A test case as an author writes it (the service gives it an id unless it names one).
#[derive(Debug, Clone, PartialEq, Eq, Validate)]
pub struct NewTestCase {
    /// Keeps a test's id (an import, an edit that names it); unique within the challenge.
    #[garde(skip)]
    pub id: Option<TestCaseId>,
    #[garde(length(chars, max = 10_000), custom(crate::validate::text))]
    pub input: String,
    #[garde(length(chars, max = 10_000), custom(crate::validate::text))]
    pub expected_output: String,
    #[garde(skip)]
    pub is_hidden: bool,
    #[garde(range(min = 1, max = 100))]
    pub weight: u32,
}

/// Everything an author writes; used to create and to replace a challenge.
#[derive(Debug, Clone, Validate)]
pub struct ChallengeDraft {
    #[garde(
        length(chars, min = 3, max = 200),
        custom(crate::validate::not_blank),
        custom(crate::validate::line)
    )]
    pub title: String,
    #[garde(
        length(chars, min = 10, max = 5_000),
        custom(crate::validate::not_blank),
        custom(crate::validate::text)
    )]
    pub description: String,
    #[garde(skip)]
    pub kind: ChallengeType,
    #[garde(skip)]
    pub difficulty: Difficulty,
    #[garde(
        length(chars, min = 1, max = 50),
        custom(crate::validate::not_blank),
        custom(crate::validate::line)
    )]
    pub category: String,
    #[garde(
        length(max = 10),
        inner(length(chars, min = 1, max = 30), custom(crate::validate::line))
    )]
    pub tags: Vec<String>,
    /// Minutes, 1..=480.
    #[garde(range(min = 1, max = 480))]
    pub time_limit: u32,
    #[garde(dive)]
    pub content: Content,
    #[garde(dive)]
    pub starter_code: StarterCode,
    /// At least one.
    #[garde(
        length(min = 1, max = 100),
        custom(crate::validate::unique_test_ids),
        dive
    )]
    pub test_cases: Vec<NewTestCase>,
    #[garde(dive)]
    pub validation_rules: ValidationRules,
    #[garde(dive)]
    pub scenario: Scenario,
    #[garde(dive)]
    pub api: ApiSpec,
    #[garde(dive)]
    pub project: StarterProject,
    #[garde(skip)]
    pub is_public: bool,
    #[garde(skip)]
    pub is_active: bool,
}

/// Sort keys of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortKey {
    #[default]
    CreatedAt,
    Title,
    Difficulty,
    Popularity,
    TotalAttempts,
    AverageScore,
}

impl SortKey {
    /// The direction a list sorts in when the caller names none: newest, most popular, most
    /// attempted and best scored first; titles A to Z and difficulty easy to hard.
    pub fn default_descending(self) -> bool {
        !matches!(self, SortKey::Title | SortKey::Difficulty)
    }
}

/// List filters; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ChallengeFilter {
    pub kind: Option<ChallengeType>,
    pub difficulty: Option<Difficulty>,
    pub category: Option<String>,
    /// Challenges with at least one of these tags.
    pub tags: Vec<String>,
    /// Minutes.
    pub max_time_limit: Option<u32>,
    pub author: Option<AuthorId>,
    /// Literal, case-insensitive text in title, description or tags.
    pub search: Option<String>,
    pub sort: SortKey,
    pub descending: bool,
}

/// Who a store query may return: public active challenges, plus those of `also_author`, or every
/// one for admins. Deleted challenges never.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Visibility {
    Public { also_author: Option<AuthorId> },
    Everything,
}

/// The statistics view of one challenge.
#[derive(Debug, Clone, PartialEq)]
pub struct ChallengeStatsView {
    pub total_attempts: u64,
    pub successful_attempts: u64,
    /// Percent of attempts that succeeded.
    pub completion_rate: f64,
    pub average_time: f64,
    pub average_score: f64,
    /// 1 (easy) to 5 (hard): the stated difficulty adjusted by how often people fail.
    pub difficulty_rating: f64,
    pub popularity_score: f64,
    /// How the members who tried it rated it.
    pub ratings: Ratings,
}

impl Challenge {
    /// The challenge without its solution and without hidden tests' expected outputs.
    pub fn redacted(mut self) -> Self {
        self.content.solution = None;
        self.content.solution_explanation = None;
        for test in &mut self.code.test_cases {
            if test.is_hidden {
                test.expected_output.clear();
            }
        }
        self
    }

    /// The statistics as shown.
    pub fn stats_view(&self) -> ChallengeStatsView {
        let s = &self.stats;
        let rate = if s.total_attempts == 0 {
            0.0
        } else {
            s.successful_attempts as f64 / s.total_attempts as f64
        };
        let base = match self.difficulty {
            Difficulty::Easy => 1.5,
            Difficulty::Medium => 3.0,
            Difficulty::Hard => 4.5,
        };
        let rating = if s.total_attempts == 0 {
            base
        } else {
            (base + (0.5 - rate)).clamp(1.0, 5.0)
        };
        ChallengeStatsView {
            total_attempts: s.total_attempts,
            successful_attempts: s.successful_attempts,
            completion_rate: (rate * 1000.0).round() / 10.0,
            average_time: s.average_time,
            average_score: s.average_score,
            difficulty_rating: (rating * 10.0).round() / 10.0,
            popularity_score: s.popularity_score,
            ratings: Ratings::default(),
        }
    }
}

#[cfg(test)]
mod stats_tests {
    use super::*;

    fn outcome(success: bool, score: f64, seconds: Option<f64>) -> AttemptOutcome {
        AttemptOutcome {
            success,
            score,
            seconds,
        }
    }

    #[test]
    fn averages_run_over_attempts_and_times_over_successes_only() {
        let stats = ChallengeStats::default()
            .after(&outcome(true, 90.0, Some(60.0)))
            .after(&outcome(false, 30.0, Some(999.0)))
            .after(&outcome(true, 60.0, Some(120.0)));
        assert_eq!(stats.total_attempts, 3);
        assert_eq!(stats.successful_attempts, 2);
        assert_eq!(stats.average_score, 60.0);
        assert_eq!(stats.average_time, 90.0, "a failure's time is not counted");
        assert_eq!(stats.popularity_score, 3.0 + 2.0 * 2.0);
    }

    #[test]
    fn a_failure_leaves_the_average_time_and_a_first_success_sets_it() {
        let failed = ChallengeStats::default().after(&outcome(false, 10.0, None));
        assert_eq!(failed.average_time, 0.0);
        assert_eq!(failed.average_score, 10.0);
        assert_eq!(failed.popularity_score, 1.0);
        let solved = failed.after(&outcome(true, 100.0, None));
        assert_eq!(solved.average_time, 0.0, "no reported time counts as zero");
        assert_eq!(solved.average_score, 55.0);
    }

    #[test]
    fn counters_saturate_instead_of_wrapping() {
        let full = ChallengeStats {
            total_attempts: u64::MAX,
            successful_attempts: u64::MAX,
            ..ChallengeStats::default()
        };
        let next = full.after(&outcome(true, 50.0, Some(1.0)));
        assert_eq!(next.total_attempts, u64::MAX);
        assert_eq!(next.successful_attempts, u64::MAX);
        assert!(next.average_score.is_finite());
    }
}
