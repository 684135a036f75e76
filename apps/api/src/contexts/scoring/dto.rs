//! Scoring bodies.

use apistos::{ApiComponent, JsonSchema};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use stackrush_scoring as sc;

pub use crate::http::{OrderDto, PageQuery};

use crate::error::ApiError;

/// `standard`, `interview` or `zen`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum ModeDto {
    Standard,
    Interview,
    Zen,
}

/// `low`, `medium` or `high`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum DistractionLevelDto {
    Low,
    Medium,
    High,
}

impl From<ModeDto> for sc::Mode {
    fn from(m: ModeDto) -> Self {
        match m {
            ModeDto::Standard => Self::Standard,
            ModeDto::Interview => Self::Interview,
            ModeDto::Zen => Self::Zen,
        }
    }
}

impl From<sc::Mode> for ModeDto {
    fn from(m: sc::Mode) -> Self {
        match m {
            sc::Mode::Standard => Self::Standard,
            sc::Mode::Interview => Self::Interview,
            sc::Mode::Zen => Self::Zen,
        }
    }
}

impl From<DistractionLevelDto> for sc::DistractionLevel {
    fn from(l: DistractionLevelDto) -> Self {
        match l {
            DistractionLevelDto::Low => Self::Low,
            DistractionLevelDto::Medium => Self::Medium,
            DistractionLevelDto::High => Self::High,
        }
    }
}

impl From<sc::DistractionLevel> for DistractionLevelDto {
    fn from(l: sc::DistractionLevel) -> Self {
        match l {
            sc::DistractionLevel::Low => Self::Low,
            sc::DistractionLevel::Medium => Self::Medium,
            sc::DistractionLevel::High => Self::High,
        }
    }
}

/// `POST /challenges/{id}/start` (send `{}` for the defaults: standard, medium).
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct StartAttemptRequest {
    pub mode: Option<ModeDto>,
    pub distraction_level: Option<DistractionLevelDto>,
}

/// A started attempt.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct AttemptDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub user: String,
    pub challenge: String,
    pub mode: ModeDto,
    pub distraction_level: DistractionLevelDto,
    pub started_at: DateTime<Utc>,
    /// Results are accepted until then (time limit plus five minutes).
    pub expires_at: DateTime<Utc>,
    /// Send back with the results.
    pub nonce: String,
}

/// A test to run in the browser; hidden tests come without their expected output.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct AttemptTestDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub input: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_output: Option<String>,
    pub is_hidden: bool,
    pub weight: u32,
}

/// The attempt and its tests.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct StartedAttemptDto {
    pub attempt: AttemptDto,
    pub tests: Vec<AttemptTestDto>,
}

impl From<sc::StartedAttempt> for StartedAttemptDto {
    fn from(s: sc::StartedAttempt) -> Self {
        let a = s.attempt;
        Self {
            attempt: AttemptDto {
                id: a.id.to_hex(),
                user: a.player.to_hex(),
                challenge: a.challenge.to_hex(),
                mode: a.mode.into(),
                distraction_level: a.distraction_level.into(),
                started_at: a.started_at,
                expires_at: a.expires_at,
                nonce: a.nonce,
            },
            tests: s
                .tests
                .into_iter()
                .map(|t| AttemptTestDto {
                    id: t.id.to_hex(),
                    input: t.input,
                    expected_output: t.expected_output,
                    is_hidden: t.is_hidden,
                    weight: t.weight,
                })
                .collect(),
        }
    }
}

/// A language a solution is written in.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum LanguageDto {
    Javascript,
    Typescript,
    Python,
    Java,
    Cpp,
}

impl From<LanguageDto> for sc::Language {
    fn from(l: LanguageDto) -> Self {
        match l {
            LanguageDto::Javascript => Self::Javascript,
            LanguageDto::Typescript => Self::Typescript,
            LanguageDto::Python => Self::Python,
            LanguageDto::Java => Self::Java,
            LanguageDto::Cpp => Self::Cpp,
        }
    }
}

impl From<sc::Language> for LanguageDto {
    fn from(l: sc::Language) -> Self {
        match l {
            sc::Language::Javascript => Self::Javascript,
            sc::Language::Typescript => Self::Typescript,
            sc::Language::Python => Self::Python,
            sc::Language::Java => Self::Java,
            sc::Language::Cpp => Self::Cpp,
        }
    }
}

/// How a run ended (`pending` until scored).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum RunStatusDto {
    Pending,
    Completed,
    Failed,
    Timeout,
}

/// How a browser run ended.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum FinishedStatusDto {
    Completed,
    Failed,
    Timeout,
}

impl From<sc::RunStatus> for RunStatusDto {
    fn from(s: sc::RunStatus) -> Self {
        match s {
            sc::RunStatus::Pending => Self::Pending,
            sc::RunStatus::Completed => Self::Completed,
            sc::RunStatus::Failed => Self::Failed,
            sc::RunStatus::Timeout => Self::Timeout,
        }
    }
}

impl From<RunStatusDto> for sc::RunStatus {
    fn from(s: RunStatusDto) -> Self {
        match s {
            RunStatusDto::Pending => Self::Pending,
            RunStatusDto::Completed => Self::Completed,
            RunStatusDto::Failed => Self::Failed,
            RunStatusDto::Timeout => Self::Timeout,
        }
    }
}

/// The simulated conditions, as the browser reports them.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct SimulationDto {
    pub mode: Option<ModeDto>,
    pub distraction_level: Option<DistractionLevelDto>,
    /// Minutes.
    #[schemars(range(min = 0, max = 10_000))]
    pub time_spent: Option<u32>,
    #[schemars(range(min = 0, max = 10_000))]
    pub distractions_encountered: Option<u32>,
    #[schemars(range(min = 0, max = 100))]
    pub focus_score: Option<u32>,
    #[schemars(range(min = 0, max = 100))]
    pub stress_level: Option<u32>,
}

/// `POST /submissions`.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct CreateSubmissionRequest {
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub challenge_id: String,
    /// At most 102,400 characters, with at least one non-space character.
    #[schemars(length(min = 1, max = 102_400), regex(pattern = r"\S"))]
    pub code: String,
    pub language: LanguageDto,
    pub simulation: Option<SimulationDto>,
    /// From `POST /challenges/{id}/start`: ties the submission to the attempt's clock.
    pub attempt: Option<AttemptRefDto>,
}

/// A started attempt and its nonce.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct AttemptRefDto {
    /// The attempt's `_id`.
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub id: String,
    #[schemars(length(min = 1, max = 64))]
    pub nonce: String,
}

/// One test as the browser ran it.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct TestResultRequest {
    /// The test case's `_id`.
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub test_case: String,
    /// The browser's opinion; the server decides.
    pub passed: Option<bool>,
    #[schemars(length(max = 100_000))]
    pub actual_output: Option<String>,
    /// Milliseconds.
    #[schemars(range(min = 0, max = 86_400_000))]
    pub execution_time: Option<u64>,
    #[schemars(length(max = 10_000))]
    pub error: Option<String>,
}

/// `POST /submissions/{id}/score` (also `/results`, `/tests`, `/test`): the browser's run.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ScoreRequest {
    pub status: FinishedStatusDto,
    /// Ignored: the server counts.
    #[schemars(range(min = 0, max = 1000))]
    pub total_tests: Option<u32>,
    /// Ignored: the server decides.
    #[schemars(range(min = 0, max = 1000))]
    pub passed_tests: Option<u32>,
    /// Milliseconds.
    #[schemars(range(min = 0, max = 86_400_000))]
    pub execution_time: Option<u64>,
    /// Bytes.
    #[schemars(range(min = 0, max = 1_099_511_627_776_u64))]
    pub memory_usage: Option<u64>,
    #[schemars(length(max = 100_000))]
    pub output: Option<String>,
    #[schemars(length(max = 10_000))]
    pub error: Option<String>,
    #[schemars(length(max = 200))]
    pub test_results: Option<Vec<TestResultRequest>>,
    #[schemars(length(max = 200))]
    pub browser_environment: Option<String>,
}

/// A challenge as embedded in submission lists.
#[derive(Debug, Clone, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct ChallengeBriefDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub title: Option<String>,
    pub slug: Option<String>,
    pub difficulty: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// The challenge: its id, or (in lists) a summary.
#[derive(Debug, Clone, Serialize, JsonSchema, ApiComponent)]
#[serde(untagged)]
#[schemars(crate = "apistos")]
pub enum ChallengeFieldDto {
    Id(String),
    Embedded(ChallengeBriefDto),
}

/// The server's verdict on one test (hidden tests never show their expected output).
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct TestVerdictDto {
    pub test_case: String,
    pub passed: bool,
    pub is_hidden: bool,
    pub weight: u32,
    pub expected_output: Option<String>,
    pub actual_output: Option<String>,
    pub execution_time: Option<u64>,
    pub error: Option<String>,
}

/// The execution record.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ExecutionDto {
    pub status: RunStatusDto,
    pub score: f64,
    pub raw_score: f64,
    pub time_factor: f64,
    pub total_tests: u32,
    pub passed_tests: u32,
    pub execution_time: Option<u64>,
    pub memory_usage: Option<u64>,
    pub output: Option<String>,
    pub error: Option<String>,
    pub test_results: Vec<TestVerdictDto>,
    pub violations: Vec<String>,
    pub executed_in_browser: bool,
    pub browser_environment: Option<String>,
}

/// Simulation as stored.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct SimulationViewDto {
    pub mode: ModeDto,
    pub distraction_level: DistractionLevelDto,
    pub time_spent: Option<u32>,
    pub distractions_encountered: Option<u32>,
    pub focus_score: Option<u32>,
    pub stress_level: Option<u32>,
}

/// When it happened.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct MetadataDto {
    pub started_at: DateTime<Utc>,
    pub submitted_at: DateTime<Utc>,
    pub scored_at: Option<DateTime<Utc>>,
    pub is_completed: bool,
}

/// A submission.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct SubmissionDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub user: String,
    pub challenge: ChallengeFieldDto,
    pub attempt: Option<String>,
    pub code: String,
    pub language: LanguageDto,
    pub execution: ExecutionDto,
    pub simulation: SimulationViewDto,
    pub metadata: MetadataDto,
    pub success: bool,
    pub xp_awarded: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SubmissionDto {
    /// The submission with its challenge as `challenge`.
    pub fn new(s: sc::Submission, challenge: ChallengeFieldDto) -> Self {
        let e = s.execution;
        Self {
            id: s.id.to_hex(),
            user: s.player.to_hex(),
            challenge,
            attempt: s.attempt.map(|a| a.to_hex()),
            code: s.code,
            language: s.language.into(),
            execution: ExecutionDto {
                status: e.status.into(),
                score: e.score,
                raw_score: e.raw_score,
                time_factor: e.time_factor,
                total_tests: e.total_tests,
                passed_tests: e.passed_tests,
                execution_time: e.execution_time,
                memory_usage: e.memory_usage,
                output: e.output,
                error: e.error,
                test_results: e
                    .test_results
                    .into_iter()
                    .map(|t| TestVerdictDto {
                        test_case: t.test_case.to_hex(),
                        passed: t.passed,
                        is_hidden: t.is_hidden,
                        weight: t.weight,
                        // Stored only for visible tests; filtered again on the way out.
                        expected_output: t.expected_output.filter(|_| !t.is_hidden),
                        actual_output: t.actual_output,
                        execution_time: t.execution_time,
                        error: t.error,
                    })
                    .collect(),
                violations: e.violations,
                executed_in_browser: e.executed_in_browser,
                browser_environment: e.browser_environment,
            },
            simulation: SimulationViewDto {
                mode: s.simulation.mode.into(),
                distraction_level: s.simulation.distraction_level.into(),
                time_spent: s.simulation.time_spent,
                distractions_encountered: s.simulation.distractions_encountered,
                focus_score: s.simulation.focus_score,
                stress_level: s.simulation.stress_level,
            },
            metadata: MetadataDto {
                started_at: s.started_at,
                submitted_at: s.submitted_at,
                scored_at: s.scored_at,
                is_completed: s.scored_at.is_some(),
            },
            success: s.success,
            xp_awarded: s.xp_awarded,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// Progress after a scoring.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ProgressDto {
    pub xp: u64,
    pub level: u32,
    pub streak: u32,
    pub best_streak: u32,
    pub completed_challenges: u64,
    pub total_challenges: u64,
}

impl From<sc::Progress> for ProgressDto {
    fn from(p: sc::Progress) -> Self {
        Self {
            xp: p.xp,
            level: p.level,
            streak: p.streak.current,
            best_streak: p.streak.best,
            completed_challenges: p.completed,
            total_challenges: p.attempts,
        }
    }
}

/// An achievement definition.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct AchievementDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub key: String,
    pub name: String,
    pub description: String,
    pub icon: Option<String>,
    pub category: String,
    pub rarity: String,
    pub criteria: serde_json::Value,
    pub rewards: serde_json::Value,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
}

impl From<sc::Achievement> for AchievementDto {
    fn from(a: sc::Achievement) -> Self {
        let name = |v: serde_json::Value| v.as_str().unwrap_or_default().to_owned();
        Self {
            id: a.id.to_hex(),
            key: a.key,
            name: a.name,
            description: a.description,
            icon: a.icon,
            category: name(serde_json::to_value(a.category).unwrap_or_default()),
            rarity: name(serde_json::to_value(a.rarity).unwrap_or_default()),
            criteria: serde_json::to_value(a.criteria).unwrap_or_default(),
            rewards: serde_json::to_value(a.rewards).unwrap_or_default(),
            is_active: a.is_active,
            created_at: a.created_at,
        }
    }
}

/// The scored submission (the client reads it as the submission document), plus the player's
/// progress and what the scoring unlocked.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ScoredDto {
    #[serde(flatten)]
    pub submission: SubmissionDto,
    pub progress: ProgressDto,
    pub unlocked_achievements: Vec<AchievementDto>,
}

/// Score and per-test feedback.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ResultDto {
    pub submission_id: String,
    pub status: RunStatusDto,
    pub is_completed: bool,
    pub score: f64,
    pub raw_score: f64,
    pub time_factor: f64,
    pub passed_tests: u32,
    pub total_tests: u32,
    pub success: bool,
    pub xp_awarded: u64,
    pub violations: Vec<String>,
    pub feedback: Vec<TestVerdictDto>,
}

impl From<SubmissionDto> for ResultDto {
    fn from(s: SubmissionDto) -> Self {
        let e = s.execution;
        Self {
            submission_id: s.id,
            status: e.status,
            is_completed: s.metadata.is_completed,
            score: e.score,
            raw_score: e.raw_score,
            time_factor: e.time_factor,
            passed_tests: e.passed_tests,
            total_tests: e.total_tests,
            success: s.success,
            xp_awarded: s.xp_awarded,
            violations: e.violations,
            feedback: e.test_results,
        }
    }
}

/// `GET /submissions` (and the user's and challenge's lists) query.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct SubmissionListQuery {
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub page: Option<u32>,
    /// Clamped to 100.
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub limit: Option<u32>,
    pub sort: Option<SubmissionSortDto>,
    pub order: Option<OrderDto>,
    pub status: Option<RunStatusDto>,
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub challenge: Option<String>,
    pub language: Option<LanguageDto>,
    #[serde(rename = "minScore")]
    #[schemars(range(min = 0, max = 100))]
    pub min_score: Option<f64>,
    #[serde(rename = "maxScore")]
    #[schemars(range(min = 0, max = 100))]
    pub max_score: Option<f64>,
    /// Created at or after (RFC 3339).
    #[schemars(regex(pattern = crate::http::patterns::INSTANT))]
    pub from: Option<DateTime<Utc>>,
    /// Created at or before (RFC 3339).
    #[schemars(regex(pattern = crate::http::patterns::INSTANT))]
    pub to: Option<DateTime<Utc>>,
}

/// Sort keys of submission lists.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub enum SubmissionSortDto {
    #[serde(rename = "createdAt")]
    CreatedAt,
    #[serde(rename = "score")]
    Score,
    #[serde(rename = "executionTime")]
    ExecutionTime,
}

impl SubmissionListQuery {
    /// The domain filter (the player is set by the route).
    pub fn filter(&self) -> Result<sc::SubmissionFilter, crate::error::ApiError> {
        crate::http::time_bounds(&[("from", self.from), ("to", self.to)])?;
        for (field, value) in [("minScore", self.min_score), ("maxScore", self.max_score)] {
            if value.is_some_and(|v| !(0.0..=100.0).contains(&v)) {
                return Err(crate::error::ApiError::invalid_query(
                    field,
                    "must be between 0 and 100",
                ));
            }
        }
        let challenge = match self.challenge.as_deref() {
            None => None,
            Some(c) => Some(c.parse::<sc::ChallengeRef>().map_err(|_| {
                crate::error::ApiError::invalid_query(
                    "challenge",
                    "must be 24 hexadecimal characters",
                )
            })?),
        };
        Ok(sc::SubmissionFilter {
            player: None,
            challenge,
            language: self.language.map(Into::into),
            status: self.status.map(Into::into),
            min_score: self.min_score,
            max_score: self.max_score,
            from: self.from,
            to: self.to,
            sort: match self.sort {
                None | Some(SubmissionSortDto::CreatedAt) => sc::SubmissionSort::CreatedAt,
                Some(SubmissionSortDto::Score) => sc::SubmissionSort::Score,
                Some(SubmissionSortDto::ExecutionTime) => sc::SubmissionSort::ExecutionTime,
            },
            descending: !matches!(self.order, Some(OrderDto::Asc)),
        })
    }
}

/// Per-day activity.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct DayActivityDto {
    pub date: String,
    pub submissions: u64,
    pub average_score: f64,
}

/// Submissions per difficulty.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct DifficultyBreakdownDto {
    #[serde(rename = "Easy")]
    pub easy: u64,
    #[serde(rename = "Medium")]
    pub medium: u64,
    #[serde(rename = "Hard")]
    pub hard: u64,
}

/// `GET /submissions/stats/user`.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct SubmissionStatsDto {
    pub total_submissions: u64,
    pub completed_submissions: u64,
    pub completion_rate: f64,
    pub average_score: f64,
    pub best_score: f64,
    pub total_execution_time: u64,
    pub average_execution_time: f64,
    pub language_breakdown: std::collections::BTreeMap<String, u64>,
    pub difficulty_breakdown: DifficultyBreakdownDto,
    pub recent_activity: Vec<DayActivityDto>,
}

impl From<sc::SubmissionStats> for SubmissionStatsDto {
    fn from(s: sc::SubmissionStats) -> Self {
        Self {
            total_submissions: s.total_submissions,
            completed_submissions: s.completed_submissions,
            completion_rate: s.completion_rate,
            average_score: s.average_score,
            best_score: s.best_score,
            total_execution_time: s.total_execution_time,
            average_execution_time: s.average_execution_time,
            language_breakdown: s
                .language_breakdown
                .into_iter()
                .map(|(l, n)| (l.as_str().to_owned(), n))
                .collect(),
            difficulty_breakdown: DifficultyBreakdownDto {
                easy: s.difficulty_breakdown[0],
                medium: s.difficulty_breakdown[1],
                hard: s.difficulty_breakdown[2],
            },
            recent_activity: s
                .recent_activity
                .into_iter()
                .map(|d| DayActivityDto {
                    date: d.date,
                    submissions: d.submissions,
                    average_score: d.average_score,
                })
                .collect(),
        }
    }
}

/// One XP ledger entry.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct LedgerEntryDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub user: String,
    pub delta: i64,
    /// `challenge_completed`, `achievement_unlocked`, `code_reviewed` or `playlist_completed`.
    pub reason: String,
    /// `submission`, `achievement`, `code_review` or `playlist`.
    pub source_type: String,
    pub source: String,
    pub challenge: Option<String>,
    /// XP after this entry.
    pub balance: u64,
    pub created_at: DateTime<Utc>,
}

impl From<sc::LedgerEntry> for LedgerEntryDto {
    fn from(e: sc::LedgerEntry) -> Self {
        let (kind, source) = (
            e.source.kind(),
            stackrush_kernel::ObjectIdBytes::from_bytes(e.source.id_bytes()).to_hex(),
        );
        Self {
            id: e.id.to_hex(),
            user: e.player.to_hex(),
            delta: e.delta,
            reason: e.reason.as_str().to_owned(),
            source_type: kind.to_owned(),
            source,
            challenge: e.challenge.map(|c| c.to_hex()),
            balance: e.balance,
            created_at: e.at,
        }
    }
}

impl TryFrom<CreateSubmissionRequest> for sc::NewSubmission {
    type Error = ApiError;

    fn try_from(b: CreateSubmissionRequest) -> Result<Self, ApiError> {
        let challenge = b.challenge_id.parse::<sc::ChallengeRef>().map_err(|_| {
            ApiError::invalid_body("challengeId", "must be 24 hexadecimal characters")
        })?;
        let attempt = match b.attempt {
            None => None,
            Some(a) => Some((
                a.id.parse().map_err(|_| {
                    ApiError::invalid_body("attempt.id", "must be 24 hexadecimal characters")
                })?,
                a.nonce,
            )),
        };
        let sim = b.simulation.unwrap_or_default();
        Ok(sc::NewSubmission {
            challenge,
            code: b.code,
            language: b.language.into(),
            simulation: sc::Simulation {
                mode: sim.mode.map(Into::into).unwrap_or_default(),
                distraction_level: sim.distraction_level.map(Into::into).unwrap_or_default(),
                time_spent: sim.time_spent,
                distractions_encountered: sim.distractions_encountered,
                focus_score: sim.focus_score,
                stress_level: sim.stress_level,
            },
            attempt,
        })
    }
}

impl TryFrom<ScoreRequest> for sc::BrowserRun {
    type Error = ApiError;

    fn try_from(b: ScoreRequest) -> Result<Self, ApiError> {
        let mut tests = Vec::new();
        for (i, t) in b.test_results.unwrap_or_default().into_iter().enumerate() {
            tests.push(sc::ReportedTest {
                test_case: t.test_case.parse().map_err(|_| {
                    ApiError::invalid_body(
                        format!("testResults[{i}].testCase"),
                        "must be 24 hexadecimal characters",
                    )
                })?,
                passed: t.passed.unwrap_or(false),
                actual_output: t.actual_output.unwrap_or_default(),
                execution_time: t.execution_time,
                error: t.error,
            });
        }
        Ok(sc::BrowserRun {
            status: match b.status {
                FinishedStatusDto::Completed => sc::RunStatus::Completed,
                FinishedStatusDto::Failed => sc::RunStatus::Failed,
                FinishedStatusDto::Timeout => sc::RunStatus::Timeout,
            },
            test_results: tests,
            execution_time: b.execution_time,
            memory_usage: b.memory_usage,
            output: b.output,
            error: b.error,
            browser_environment: b.browser_environment,
        })
    }
}
