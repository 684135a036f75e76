//! Submissions: code a player hands in, and the run their browser reports for it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use stackrush_kernel::define_id;

use crate::model::{AttemptId, ChallengeRef, DistractionLevel, Mode, PlayerId, TestRef};

define_id!(
    /// Identifies one submission.
    SubmissionId
);

/// The longest submitted code: 100 K characters (the request body limit bounds the bytes).
pub const MAX_CODE_CHARS: usize = 100 * 1024;

/// The languages a challenge can be solved in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Javascript,
    Typescript,
    Python,
    Java,
    Cpp,
}

impl Language {
    /// Every language, in display order.
    pub const ALL: [Language; 5] = [
        Self::Javascript,
        Self::Typescript,
        Self::Python,
        Self::Java,
        Self::Cpp,
    ];

    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Javascript => "javascript",
            Self::Typescript => "typescript",
            Self::Python => "python",
            Self::Java => "java",
            Self::Cpp => "cpp",
        }
    }

    /// The language named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == name)
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Not scored yet.
    #[default]
    Pending,
    Completed,
    Failed,
    Timeout,
}

impl RunStatus {
    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Timeout => "timeout",
        }
    }

    /// The status named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Pending, Self::Completed, Self::Failed, Self::Timeout]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// The simulated working conditions of a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Simulation {
    pub mode: Mode,
    pub distraction_level: DistractionLevel,
    /// Minutes, as the browser reports it.
    pub time_spent: Option<u32>,
    pub distractions_encountered: Option<u32>,
    /// 0–100.
    pub focus_score: Option<u32>,
    /// 0–100.
    pub stress_level: Option<u32>,
}

/// One test of a browser run, as reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedTest {
    pub test_case: TestRef,
    /// The browser's opinion; never trusted when the server knows the expected output.
    pub passed: bool,
    pub actual_output: String,
    /// Milliseconds.
    pub execution_time: Option<u64>,
    pub error: Option<String>,
}

/// A browser's run of a submission, as posted for scoring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserRun {
    pub status: RunStatus,
    pub test_results: Vec<ReportedTest>,
    /// Milliseconds.
    pub execution_time: Option<u64>,
    /// Bytes.
    pub memory_usage: Option<u64>,
    pub output: Option<String>,
    pub error: Option<String>,
    pub browser_environment: Option<String>,
}

/// The longest run (and test) a browser may report, in milliseconds: a day.
pub const MAX_RUN_MILLIS: u64 = 86_400_000;
/// The most memory a browser may report, in bytes: 1 TiB.
pub const MAX_MEMORY_BYTES: u64 = 1 << 40;
/// The most tests one run may report.
pub const MAX_REPORTED_TESTS: usize = 200;
/// The longest output (of the run, or of one test) and error, in characters.
pub const MAX_OUTPUT_CHARS: usize = 100_000;
pub const MAX_ERROR_CHARS: usize = 10_000;
/// The longest browser environment name, in characters.
pub const MAX_ENVIRONMENT_CHARS: usize = 200;

impl BrowserRun {
    /// Every way the report breaks the documented limits (numbers past their maxima, texts too
    /// long or holding control characters other than tabs and line breaks); empty when none.
    /// Checked before anything is read or written, so a refused report changes nothing.
    pub fn problems(&self) -> Vec<stackrush_kernel::FieldError> {
        use stackrush_kernel::text::{line_problem, text_problem};
        use stackrush_kernel::FieldError;
        let mut out = Vec::new();
        let mut add = |field: String, problem: Option<String>| {
            if let Some(p) = problem {
                out.push(FieldError::new(field, p));
            }
        };
        let millis = |v: Option<u64>| {
            v.filter(|v| *v > MAX_RUN_MILLIS)
                .map(|_| format!("must be at most {MAX_RUN_MILLIS} milliseconds"))
        };
        let text = |v: &Option<String>, max| v.as_deref().and_then(|t| text_problem(t, 0, max));
        add("executionTime".into(), millis(self.execution_time));
        add(
            "memoryUsage".into(),
            self.memory_usage
                .filter(|m| *m > MAX_MEMORY_BYTES)
                .map(|_| format!("must be at most {MAX_MEMORY_BYTES} bytes")),
        );
        add("output".into(), text(&self.output, MAX_OUTPUT_CHARS));
        add("error".into(), text(&self.error, MAX_ERROR_CHARS));
        add(
            "browserEnvironment".into(),
            self.browser_environment
                .as_deref()
                .and_then(|e| line_problem(e, MAX_ENVIRONMENT_CHARS)),
        );
        if self.test_results.len() > MAX_REPORTED_TESTS {
            add(
                "testResults".into(),
                Some(format!("must have at most {MAX_REPORTED_TESTS} items")),
            );
        }
        for (i, t) in self
            .test_results
            .iter()
            .take(MAX_REPORTED_TESTS)
            .enumerate()
        {
            add(
                format!("testResults[{i}].executionTime"),
                millis(t.execution_time),
            );
            add(
                format!("testResults[{i}].actualOutput"),
                text_problem(&t.actual_output, 0, MAX_OUTPUT_CHARS),
            );
            add(
                format!("testResults[{i}].error"),
                text(&t.error, MAX_ERROR_CHARS),
            );
        }
        out
    }
}

/// The server's verdict on one test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestVerdict {
    pub test_case: TestRef,
    pub passed: bool,
    pub is_hidden: bool,
    pub weight: u32,
    /// Only for visible tests.
    pub expected_output: Option<String>,
    /// `None` when the browser did not report this test.
    pub actual_output: Option<String>,
    pub execution_time: Option<u64>,
    pub error: Option<String>,
}

/// A submission's execution record: pending until the browser's run is scored.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Execution {
    pub status: RunStatus,
    /// 0–100, two decimals.
    pub score: f64,
    /// Weighted share of passed tests before the time factor, 0–100.
    pub raw_score: f64,
    pub time_factor: f64,
    pub total_tests: u32,
    pub passed_tests: u32,
    /// Milliseconds.
    pub execution_time: Option<u64>,
    /// Bytes.
    pub memory_usage: Option<u64>,
    pub output: Option<String>,
    pub error: Option<String>,
    pub test_results: Vec<TestVerdict>,
    /// Keyword rules the code broke ("forbidden: eval", "missing: reduce").
    pub violations: Vec<String>,
    pub executed_in_browser: bool,
    pub browser_environment: Option<String>,
}

/// A submission as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    pub id: SubmissionId,
    pub player: PlayerId,
    pub challenge: ChallengeRef,
    pub attempt: Option<AttemptId>,
    pub code: String,
    pub language: Language,
    /// The challenge's difficulty when submitted ("Easy", "Medium", "Hard").
    pub difficulty: String,
    /// The challenge's type when submitted ("dsa", "bug-fix", "feature").
    pub challenge_type: String,
    pub execution: Execution,
    pub simulation: Simulation,
    /// The attempt's start, or the submission time without an attempt.
    pub started_at: DateTime<Utc>,
    pub submitted_at: DateTime<Utc>,
    /// Set once, when the run is scored.
    pub scored_at: Option<DateTime<Utc>>,
    /// Completed with a score of at least 70.
    pub success: bool,
    /// XP this scoring earned (first success on the challenge only).
    pub xp_awarded: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Submission {
    /// Lines of submitted code.
    pub fn lines(&self) -> u32 {
        u32::try_from(self.code.lines().count()).unwrap_or(u32::MAX)
    }

    /// Minutes it took: the attempt's clock when it had one (start to scoring), else what the
    /// browser reported; one decimal.
    pub fn minutes_spent(&self) -> f64 {
        match (self.attempt, self.scored_at) {
            (Some(_), Some(done)) => {
                ((done - self.started_at).num_seconds() as f64 / 6.0).round() / 10.0
            }
            _ => self.simulation.time_spent.map_or(0.0, f64::from),
        }
    }

    /// Whether the run has been scored.
    pub fn is_completed(&self) -> bool {
        self.scored_at.is_some()
    }
}

/// What a focus session measured while a submission was being written (from the analytics
/// context), to be kept in that submission's simulation record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FocusReport {
    /// The submission the session names; without one, the player's submission to `challenge`
    /// whose attempt started during the session, if any.
    pub submission: Option<SubmissionId>,
    pub challenge: Option<ChallengeRef>,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub mode: Mode,
    pub distractions: u32,
    /// 0–100.
    pub focus_score: u32,
}

/// How early before a session an attempt may start and still belong to it (the client starts
/// the attempt and the session clock separately).
pub const FOCUS_LEEWAY_SECS: i64 = 60;

impl FocusReport {
    /// Whether `s` was written in this session: started from an attempt during it.
    pub fn covers(&self, s: &Submission) -> bool {
        s.attempt.is_some()
            && s.started_at >= self.started_at - chrono::Duration::seconds(FOCUS_LEEWAY_SECS)
            && s.started_at <= self.ended_at
    }

    /// `simulation` with this session's figures (mode, minutes, distractions, focus score).
    pub fn applied_to(&self, simulation: &Simulation) -> Simulation {
        let minutes = (self.ended_at - self.started_at).num_seconds().max(0) as f64 / 60.0;
        Simulation {
            mode: self.mode,
            time_spent: Some(u32::try_from(minutes.round() as i64).unwrap_or(u32::MAX)),
            distractions_encountered: Some(self.distractions),
            focus_score: Some(self.focus_score.min(100)),
            ..*simulation
        }
    }
}

/// Create a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubmission {
    pub challenge: ChallengeRef,
    pub code: String,
    pub language: Language,
    pub simulation: Simulation,
    /// With its nonce: ties the submission to a started attempt (and its timing).
    pub attempt: Option<(AttemptId, String)>,
}

/// Who asks, as the scoring context sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub player: PlayerId,
    pub is_admin: bool,
}

/// Order of submission lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SubmissionSort {
    #[default]
    CreatedAt,
    Score,
    ExecutionTime,
}

/// Which submissions a list shows (every field narrows it).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SubmissionFilter {
    pub player: Option<PlayerId>,
    pub challenge: Option<ChallengeRef>,
    pub language: Option<Language>,
    pub status: Option<RunStatus>,
    pub min_score: Option<f64>,
    pub max_score: Option<f64>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub sort: SubmissionSort,
    pub descending: bool,
}

/// What per-user submission statistics are computed from: one row per submission.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmissionFacts {
    pub language: Language,
    pub difficulty: String,
    pub challenge_type: String,
    pub lines: u32,
    pub success: bool,
    pub status: RunStatus,
    pub score: f64,
    pub execution_time: Option<u64>,
    pub created_at: DateTime<Utc>,
}

/// One day of recent activity.
#[derive(Debug, Clone, PartialEq)]
pub struct DayActivity {
    /// `YYYY-MM-DD`, UTC.
    pub date: String,
    pub submissions: u64,
    pub average_score: f64,
}

/// A user's submission statistics.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SubmissionStats {
    pub total_submissions: u64,
    /// Scored with status completed.
    pub completed_submissions: u64,
    /// Percent of submissions that completed.
    pub completion_rate: f64,
    /// Over scored submissions.
    pub average_score: f64,
    pub best_score: f64,
    pub total_execution_time: u64,
    pub average_execution_time: f64,
    pub language_breakdown: Vec<(Language, u64)>,
    /// Easy, Medium, Hard.
    pub difficulty_breakdown: [u64; 3],
    /// The last 7 UTC days with submissions, newest first.
    pub recent_activity: Vec<DayActivity>,
    /// Lines over all submissions.
    pub lines_of_code: u64,
    /// Successful submissions to bug-fix challenges.
    pub bugs_fixed: u64,
    /// Average score of successful submissions, 0–100.
    pub code_quality: f64,
    /// Scored submissions per challenge type (`dsa`, `bug-fix`, `feature`), by type name.
    pub by_type: Vec<TypeResults>,
}

/// How a user's scored submissions to one type of challenge went.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeResults {
    pub challenge_type: String,
    /// Scored submissions (pending ones are left out).
    pub scored: u64,
    pub successes: u64,
    pub average_score: f64,
}
