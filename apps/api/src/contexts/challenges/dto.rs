//! Challenge bodies, shaped as the architecture document's collection and the client reads it.

pub use crate::http::OrderDto;
use apistos::{ApiComponent, JsonSchema};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use stackrush_challenges as ch;

/// `dsa`, `bug-fix` or `feature`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub enum ChallengeTypeDto {
    #[serde(rename = "dsa")]
    Dsa,
    #[serde(rename = "bug-fix")]
    BugFix,
    #[serde(rename = "feature")]
    Feature,
}

impl From<ChallengeTypeDto> for ch::ChallengeType {
    fn from(t: ChallengeTypeDto) -> Self {
        match t {
            ChallengeTypeDto::Dsa => Self::Dsa,
            ChallengeTypeDto::BugFix => Self::BugFix,
            ChallengeTypeDto::Feature => Self::Feature,
        }
    }
}

impl From<ch::ChallengeType> for ChallengeTypeDto {
    fn from(t: ch::ChallengeType) -> Self {
        match t {
            ch::ChallengeType::Dsa => Self::Dsa,
            ch::ChallengeType::BugFix => Self::BugFix,
            ch::ChallengeType::Feature => Self::Feature,
        }
    }
}

/// `Easy`, `Medium` or `Hard`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub enum DifficultyDto {
    Easy,
    Medium,
    Hard,
}

impl From<DifficultyDto> for ch::Difficulty {
    fn from(d: DifficultyDto) -> Self {
        match d {
            DifficultyDto::Easy => Self::Easy,
            DifficultyDto::Medium => Self::Medium,
            DifficultyDto::Hard => Self::Hard,
        }
    }
}

impl From<ch::Difficulty> for DifficultyDto {
    fn from(d: ch::Difficulty) -> Self {
        match d {
            ch::Difficulty::Easy => Self::Easy,
            ch::Difficulty::Medium => Self::Medium,
            ch::Difficulty::Hard => Self::Hard,
        }
    }
}

/// `low`, `medium` or `high`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum UrgencyDto {
    Low,
    Medium,
    High,
}

impl From<UrgencyDto> for ch::Urgency {
    fn from(u: UrgencyDto) -> Self {
        match u {
            UrgencyDto::Low => Self::Low,
            UrgencyDto::Medium => Self::Medium,
            UrgencyDto::High => Self::High,
        }
    }
}

impl From<ch::Urgency> for UrgencyDto {
    fn from(u: ch::Urgency) -> Self {
        match u {
            ch::Urgency::Low => Self::Low,
            ch::Urgency::Medium => Self::Medium,
            ch::Urgency::High => Self::High,
        }
    }
}

/// A worked example.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct ExampleDto {
    #[schemars(length(max = 10000))]
    pub input: String,
    #[schemars(length(max = 10000))]
    pub output: String,
    #[schemars(length(max = 5000))]
    pub explanation: Option<String>,
}

/// The problem text (in requests, the solution too).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ContentInput {
    #[schemars(length(min = 1, max = 20000), regex(pattern = r"\S"))]
    pub problem_statement: String,
    #[schemars(length(max = 5000))]
    pub constraints: Option<String>,
    #[serde(default)]
    #[schemars(length(max = 20))]
    pub examples: Vec<ExampleDto>,
    #[serde(default)]
    #[schemars(length(max = 20), inner(length(min = 1, max = 1000)))]
    pub hints: Vec<String>,
    #[schemars(length(max = 50000))]
    pub solution: Option<String>,
    #[schemars(length(max = 20000))]
    pub solution_explanation: Option<String>,
}

/// Starting code per language.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct StarterCodeDto {
    #[schemars(length(max = 50000))]
    pub javascript: Option<String>,
    #[schemars(length(max = 50000))]
    pub typescript: Option<String>,
    #[schemars(length(max = 50000))]
    pub python: Option<String>,
    #[schemars(length(max = 50000))]
    pub java: Option<String>,
    #[schemars(length(max = 50000))]
    pub cpp: Option<String>,
}

/// A test case as the author writes it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct TestCaseInput {
    /// Keeps this test's id (as an export lists it); new tests get one. Unique per challenge.
    #[serde(rename = "_id", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>", regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub id: Option<ch::TestCaseId>,
    #[schemars(length(max = 10000))]
    pub input: String,
    #[schemars(length(max = 10000))]
    pub expected_output: String,
    /// Hidden tests keep their expected output from solvers. Default false.
    pub is_hidden: Option<bool>,
    /// Share of the score relative to the other tests (1–100, default 1).
    #[schemars(range(min = 1, max = 100))]
    pub weight: Option<u32>,
}

/// Checks on submitted code.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ValidationRulesDto {
    #[schemars(length(max = 50))]
    pub time_complexity: Option<String>,
    #[schemars(length(max = 50))]
    pub space_complexity: Option<String>,
    #[serde(default)]
    #[schemars(length(max = 20), inner(length(min = 1, max = 50)))]
    pub forbidden_keywords: Vec<String>,
    #[serde(default)]
    #[schemars(length(max = 20), inner(length(min = 1, max = 50)))]
    pub required_keywords: Vec<String>,
}

/// Code parts of a challenge as the author writes them.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct CodeInput {
    pub starter_code: Option<StarterCodeDto>,
    /// At least one.
    #[schemars(length(min = 1, max = 100))]
    pub test_cases: Vec<TestCaseInput>,
    pub validation_rules: Option<ValidationRulesDto>,
}

/// An interruption in simulation mode.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct DistractionDto {
    #[serde(rename = "type")]
    #[schemars(length(min = 1, max = 50))]
    pub kind: String,
    #[schemars(length(min = 1, max = 50))]
    pub frequency: String,
    #[schemars(length(min = 1, max = 1000))]
    pub content: String,
}

/// The workplace story.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct ScenarioDto {
    #[schemars(length(max = 2000))]
    pub background: Option<String>,
    #[schemars(length(max = 100))]
    pub role: Option<String>,
    #[schemars(length(max = 100))]
    pub company: Option<String>,
    pub urgency: Option<UrgencyDto>,
    #[serde(default)]
    #[schemars(length(max = 20))]
    pub distractions: Vec<DistractionDto>,
    /// Who cares about the outcome.
    #[serde(default)]
    #[schemars(length(max = 20), inner(length(min = 1, max = 100)))]
    pub stakeholders: Vec<String>,
    #[serde(rename = "businessContext")]
    #[schemars(length(max = 5000))]
    pub business_context: Option<String>,
    /// The workplace's constraints.
    #[serde(default)]
    #[schemars(length(max = 20), inner(length(min = 1, max = 500)))]
    pub constraints: Vec<String>,
}

/// `POST /challenges` and `PUT /challenges/{id}`: the whole challenge as its author writes it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ChallengeRequest {
    #[schemars(length(min = 3, max = 200), regex(pattern = r"\S"))]
    pub title: String,
    #[schemars(length(min = 10, max = 5000), regex(pattern = r"\S"))]
    pub description: String,
    #[serde(rename = "type")]
    pub kind: ChallengeTypeDto,
    pub difficulty: DifficultyDto,
    #[schemars(length(min = 1, max = 50), regex(pattern = r"\S"))]
    pub category: String,
    #[serde(default)]
    #[schemars(length(max = 10), inner(length(min = 1, max = 30)))]
    pub tags: Vec<String>,
    /// Minutes.
    #[schemars(range(min = 1, max = 480))]
    pub time_limit: u32,
    pub content: ContentInput,
    pub code: CodeInput,
    pub scenario: Option<ScenarioDto>,
    /// Backend-API challenges: the path the solver's endpoint serves.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 500), regex(pattern = r"^/[!-~]*$"))]
    pub api_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<HttpMethodDto>,
    /// Any JSON value, at most 64 KiB as compact JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample_payload: Option<serde_json::Value>,
    /// Request headers of the sample request, by name (at most 30).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    #[schemars(length(max = 30))]
    pub headers: std::collections::BTreeMap<String, String>,
    /// Multi-file starter project: at most 100 files and 512 KiB of content together.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 100))]
    pub files: Vec<ProjectFileDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<ProjectEnvironmentDto>,
    /// Default true.
    pub is_public: Option<bool>,
    /// Default true.
    pub is_active: Option<bool>,
}

/// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "UPPERCASE")]
#[schemars(crate = "apistos")]
pub enum HttpMethodDto {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl From<HttpMethodDto> for ch::HttpMethod {
    fn from(m: HttpMethodDto) -> Self {
        match m {
            HttpMethodDto::Get => Self::Get,
            HttpMethodDto::Post => Self::Post,
            HttpMethodDto::Put => Self::Put,
            HttpMethodDto::Patch => Self::Patch,
            HttpMethodDto::Delete => Self::Delete,
        }
    }
}

impl From<ch::HttpMethod> for HttpMethodDto {
    fn from(m: ch::HttpMethod) -> Self {
        match m {
            ch::HttpMethod::Get => Self::Get,
            ch::HttpMethod::Post => Self::Post,
            ch::HttpMethod::Put => Self::Put,
            ch::HttpMethod::Patch => Self::Patch,
            ch::HttpMethod::Delete => Self::Delete,
        }
    }
}

/// One file of a starter project.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ProjectFileDto {
    /// Relative: names of ASCII letters, digits and `._@+-` joined by `/`, no `.` or `..`
    /// segments; unique in the project.
    #[schemars(length(min = 1, max = 200), regex(pattern = ch::workspace::PATH_PATTERN))]
    pub path: String,
    pub content: String,
    #[schemars(length(min = 1, max = 30))]
    pub language: Option<String>,
    /// Default false.
    #[serde(default)]
    pub read_only: bool,
}

/// What a starter project runs on.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct ProjectEnvironmentDto {
    #[schemars(length(min = 1, max = 50), regex(pattern = r"\S"))]
    pub runtime: String,
    #[serde(default)]
    #[schemars(length(max = 100), inner(length(min = 1, max = 200)))]
    pub dependencies: Vec<String>,
    /// 1–65535, unique.
    #[serde(default)]
    #[schemars(length(max = 10), inner(range(min = 1, max = 65535)))]
    pub ports: Vec<u16>,
}

impl From<ch::ProjectFile> for ProjectFileDto {
    fn from(f: ch::ProjectFile) -> Self {
        Self {
            path: f.path,
            content: f.content,
            language: f.language,
            read_only: f.read_only,
        }
    }
}

impl From<ch::Environment> for ProjectEnvironmentDto {
    fn from(e: ch::Environment) -> Self {
        Self {
            runtime: e.runtime,
            dependencies: e.dependencies,
            ports: e.ports,
        }
    }
}

impl From<ch::Scenario> for ScenarioDto {
    fn from(s: ch::Scenario) -> Self {
        Self {
            background: s.background,
            role: s.role,
            company: s.company,
            urgency: s.urgency.map(Into::into),
            distractions: s
                .distractions
                .into_iter()
                .map(|d| DistractionDto {
                    kind: d.kind,
                    frequency: d.frequency,
                    content: d.content,
                })
                .collect(),
            stakeholders: s.stakeholders,
            business_context: s.business_context,
            constraints: s.constraints,
        }
    }
}

impl From<ch::Example> for ExampleDto {
    fn from(e: ch::Example) -> Self {
        Self {
            input: e.input,
            output: e.output,
            explanation: e.explanation,
        }
    }
}

impl From<ch::StarterCode> for StarterCodeDto {
    fn from(c: ch::StarterCode) -> Self {
        Self {
            javascript: c.javascript,
            typescript: c.typescript,
            python: c.python,
            java: c.java,
            cpp: c.cpp,
        }
    }
}

/// The sample payload as JSON again (stored as its compact text).
fn payload_json(text: Option<String>) -> Option<serde_json::Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

impl From<ChallengeRequest> for ch::ChallengeDraft {
    fn from(r: ChallengeRequest) -> Self {
        let starter = r.code.starter_code.unwrap_or_default();
        let rules = r.code.validation_rules.unwrap_or_default();
        let scenario = r.scenario.unwrap_or_default();
        Self {
            title: r.title,
            description: r.description,
            kind: r.kind.into(),
            difficulty: r.difficulty.into(),
            category: r.category,
            tags: r.tags,
            time_limit: r.time_limit,
            content: ch::Content {
                problem_statement: r.content.problem_statement,
                constraints: r.content.constraints,
                examples: r
                    .content
                    .examples
                    .into_iter()
                    .map(|e| ch::Example {
                        input: e.input,
                        output: e.output,
                        explanation: e.explanation,
                    })
                    .collect(),
                hints: r.content.hints,
                solution: r.content.solution,
                solution_explanation: r.content.solution_explanation,
            },
            starter_code: ch::StarterCode {
                javascript: starter.javascript,
                typescript: starter.typescript,
                python: starter.python,
                java: starter.java,
                cpp: starter.cpp,
            },
            test_cases: r
                .code
                .test_cases
                .into_iter()
                .map(|t| ch::NewTestCase {
                    id: t.id,
                    input: t.input,
                    expected_output: t.expected_output,
                    is_hidden: t.is_hidden.unwrap_or(false),
                    weight: t.weight.unwrap_or(1),
                })
                .collect(),
            validation_rules: ch::ValidationRules {
                time_complexity: rules.time_complexity,
                space_complexity: rules.space_complexity,
                forbidden_keywords: rules.forbidden_keywords,
                required_keywords: rules.required_keywords,
            },
            scenario: ch::Scenario {
                background: scenario.background,
                role: scenario.role,
                company: scenario.company,
                urgency: scenario.urgency.map(Into::into),
                distractions: scenario
                    .distractions
                    .into_iter()
                    .map(|d| ch::Distraction {
                        kind: d.kind,
                        frequency: d.frequency,
                        content: d.content,
                    })
                    .collect(),
                stakeholders: scenario.stakeholders,
                business_context: scenario.business_context,
                constraints: scenario.constraints,
            },
            api: ch::ApiSpec {
                endpoint: r.api_endpoint,
                method: r.method.map(Into::into),
                sample_payload: r.sample_payload.map(|v| v.to_string()),
                headers: r
                    .headers
                    .into_iter()
                    .map(|(name, value)| ch::Header { name, value })
                    .collect(),
            },
            project: ch::StarterProject {
                files: r
                    .files
                    .into_iter()
                    .map(|f| ch::ProjectFile {
                        path: f.path,
                        content: f.content,
                        language: f.language,
                        read_only: f.read_only,
                    })
                    .collect(),
                environment: r.environment.map(|e| ch::Environment {
                    runtime: e.runtime,
                    dependencies: e.dependencies,
                    ports: e.ports,
                }),
            },
            is_public: r.is_public.unwrap_or(true),
            is_active: r.is_active.unwrap_or(true),
        }
    }
}

/// The author as displayed.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct AuthorDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub username: String,
    pub profile: AuthorProfileDto,
}

/// Name and avatar.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct AuthorProfileDto {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub avatar: Option<String>,
}

/// The problem as returned; solutions only for the author and admins.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ContentDto {
    pub problem_statement: String,
    pub constraints: Option<String>,
    pub examples: Vec<ExampleDto>,
    pub hints: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub solution: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub solution_explanation: Option<String>,
}

/// A test case as returned; hidden ones carry no expected output for solvers.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct TestCaseDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub input: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_output: Option<String>,
    pub is_hidden: bool,
    pub weight: u32,
}

/// Code parts as returned.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct CodeDto {
    pub starter_code: StarterCodeDto,
    pub test_cases: Vec<TestCaseDto>,
    pub validation_rules: ValidationRulesDto,
}

/// How the members who tried a challenge rated it in their reviews.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ChallengeRatingsDto {
    /// Mean rating, to two decimals (0 without reviews).
    pub average: f64,
    pub count: u64,
    /// How many reviews gave each rating, keyed "1" to "5".
    pub histogram: std::collections::BTreeMap<String, u64>,
}

impl From<ch::Ratings> for ChallengeRatingsDto {
    fn from(r: ch::Ratings) -> Self {
        Self {
            average: r.average(),
            count: r.count(),
            histogram: r
                .histogram
                .iter()
                .zip(1..)
                .map(|(n, rating)| (format!("{rating}"), *n))
                .collect(),
        }
    }
}

/// Aggregates and derived figures.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ChallengeStatsDto {
    pub total_attempts: u64,
    pub successful_attempts: u64,
    /// Percent.
    pub completion_rate: f64,
    /// Seconds.
    pub average_time: f64,
    pub average_score: f64,
    /// 1 (easy) to 5 (hard).
    pub difficulty_rating: f64,
    pub popularity_score: f64,
    /// Reviews' ratings (`GET /challenges/{id}/reviews` lists the reviews).
    pub ratings: ChallengeRatingsDto,
}

impl From<ch::ChallengeStatsView> for ChallengeStatsDto {
    fn from(s: ch::ChallengeStatsView) -> Self {
        Self {
            total_attempts: s.total_attempts,
            successful_attempts: s.successful_attempts,
            completion_rate: s.completion_rate,
            average_time: s.average_time,
            average_score: s.average_score,
            difficulty_rating: s.difficulty_rating,
            popularity_score: s.popularity_score,
            ratings: s.ratings.into(),
        }
    }
}

/// A challenge as the caller may see it.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ChallengeDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub title: String,
    pub slug: String,
    pub description: String,
    #[serde(rename = "type")]
    pub kind: ChallengeTypeDto,
    pub difficulty: DifficultyDto,
    pub category: String,
    pub tags: Vec<String>,
    /// Minutes.
    pub time_limit: u32,
    pub content: ContentDto,
    pub code: CodeDto,
    pub scenario: ScenarioDto,
    /// Backend-API challenges only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<HttpMethodDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample_payload: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub headers: std::collections::BTreeMap<String, String>,
    /// Multi-file starter project (frontend and backend challenges).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<ProjectFileDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<ProjectEnvironmentDto>,
    pub stats: ChallengeStatsDto,
    /// Null when the author's account is gone.
    pub author: Option<AuthorDto>,
    pub is_public: bool,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ch::ChallengeView> for ChallengeDto {
    fn from(view: ch::ChallengeView) -> Self {
        let full = view.full;
        let c = view.challenge;
        let stats = ch::ChallengeStatsView {
            ratings: view.ratings,
            ..c.stats_view()
        }
        .into();
        Self {
            id: c.id.to_hex(),
            title: c.title,
            slug: c.slug,
            description: c.description,
            kind: c.kind.into(),
            difficulty: c.difficulty.into(),
            category: c.category,
            tags: c.tags,
            time_limit: c.time_limit,
            content: ContentDto {
                problem_statement: c.content.problem_statement,
                constraints: c.content.constraints,
                examples: c.content.examples.into_iter().map(Into::into).collect(),
                hints: c.content.hints,
                solution: c.content.solution.filter(|_| full),
                solution_explanation: c.content.solution_explanation.filter(|_| full),
            },
            code: CodeDto {
                starter_code: c.code.starter_code.into(),
                test_cases: c
                    .code
                    .test_cases
                    .into_iter()
                    .map(|t| TestCaseDto {
                        id: t.id.to_hex(),
                        input: t.input,
                        expected_output: (full || !t.is_hidden).then_some(t.expected_output),
                        is_hidden: t.is_hidden,
                        weight: t.weight,
                    })
                    .collect(),
                validation_rules: ValidationRulesDto {
                    time_complexity: c.code.validation_rules.time_complexity,
                    space_complexity: c.code.validation_rules.space_complexity,
                    forbidden_keywords: c.code.validation_rules.forbidden_keywords,
                    required_keywords: c.code.validation_rules.required_keywords,
                },
            },
            scenario: c.scenario.into(),
            api_endpoint: c.api.endpoint,
            method: c.api.method.map(Into::into),
            sample_payload: payload_json(c.api.sample_payload),
            headers: c
                .api
                .headers
                .into_iter()
                .map(|h| (h.name, h.value))
                .collect(),
            files: c.project.files.into_iter().map(Into::into).collect(),
            environment: c.project.environment.map(Into::into),
            stats,
            author: view.author.map(|a| AuthorDto {
                id: a.id.to_hex(),
                username: a.username,
                profile: AuthorProfileDto {
                    first_name: a.first_name,
                    last_name: a.last_name,
                    avatar: a.avatar,
                },
            }),
            is_public: c.is_public,
            is_active: c.is_active,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// Sort keys of `GET /challenges`.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub enum SortDto {
    #[serde(rename = "createdAt")]
    CreatedAt,
    #[serde(rename = "title")]
    Title,
    #[serde(rename = "difficulty")]
    Difficulty,
    #[serde(rename = "popularity")]
    Popularity,
    #[serde(rename = "totalAttempts")]
    TotalAttempts,
    #[serde(rename = "averageScore")]
    AverageScore,
}

/// `GET /challenges` query. `tags` may be repeated or comma-separated.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ListChallengesQuery {
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub page: Option<u32>,
    /// Clamped to 100.
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub limit: Option<u32>,
    /// Literal, case-insensitive text in title, description or tags.
    #[schemars(length(max = 100))]
    pub search: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<ChallengeTypeDto>,
    /// Easy, Medium or Hard, in any case.
    #[schemars(regex(
        pattern = r"^([Ee][Aa][Ss][Yy]|[Mm][Ee][Dd][Ii][Uu][Mm]|[Hh][Aa][Rr][Dd])$"
    ))]
    pub difficulty: Option<String>,
    #[schemars(length(max = 50))]
    pub category: Option<String>,
    /// One or more tags, comma-separated or repeated: challenges with any of them.
    #[schemars(length(max = 300))]
    pub tags: Option<String>,
    /// Minutes.
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub max_time_limit: Option<u32>,
    /// An author's id.
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub author: Option<String>,
    pub sort: Option<SortDto>,
    /// Default: ascending for `title` and `difficulty`, descending otherwise.
    pub order: Option<OrderDto>,
}

/// `GET /challenges/popular` query.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct PopularQuery {
    /// 1–100, default 10 (larger values are clamped).
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub limit: Option<u32>,
}

impl From<ch::ChallengeDraft> for ChallengeRequest {
    /// The body that recreates `d` (test ids included), as an export writes it.
    fn from(d: ch::ChallengeDraft) -> Self {
        let c = d.content;
        let rules = d.validation_rules;
        Self {
            title: d.title,
            description: d.description,
            kind: d.kind.into(),
            difficulty: d.difficulty.into(),
            category: d.category,
            tags: d.tags,
            time_limit: d.time_limit,
            content: ContentInput {
                problem_statement: c.problem_statement,
                constraints: c.constraints,
                examples: c.examples.into_iter().map(Into::into).collect(),
                hints: c.hints,
                solution: c.solution,
                solution_explanation: c.solution_explanation,
            },
            code: CodeInput {
                starter_code: Some(d.starter_code.into()),
                test_cases: d
                    .test_cases
                    .into_iter()
                    .map(|t| TestCaseInput {
                        id: t.id,
                        input: t.input,
                        expected_output: t.expected_output,
                        is_hidden: Some(t.is_hidden),
                        weight: Some(t.weight),
                    })
                    .collect(),
                validation_rules: Some(ValidationRulesDto {
                    time_complexity: rules.time_complexity,
                    space_complexity: rules.space_complexity,
                    forbidden_keywords: rules.forbidden_keywords,
                    required_keywords: rules.required_keywords,
                }),
            },
            scenario: Some(d.scenario.into()),
            api_endpoint: d.api.endpoint,
            method: d.api.method.map(Into::into),
            sample_payload: payload_json(d.api.sample_payload),
            headers: d
                .api
                .headers
                .into_iter()
                .map(|h| (h.name, h.value))
                .collect(),
            files: d.project.files.into_iter().map(Into::into).collect(),
            environment: d.project.environment.map(Into::into),
            is_public: Some(d.is_public),
            is_active: Some(d.is_active),
        }
    }
}
