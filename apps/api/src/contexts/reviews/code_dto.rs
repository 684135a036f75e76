//! Code review bodies and queries, in the shape of the spec's CodeReviews collection.

use apistos::{ApiComponent, JsonSchema};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use stackrush_reviews as rv;

use super::dto::ReviewerDto;
use crate::error::ApiError;
use crate::http::patterns::{TEXT, TEXT_FILLED};

const HEX_ID: &str = r"^[0-9a-fA-F]{24}$";

fn parsed<T: std::str::FromStr>(field: &str, value: &str) -> Result<T, ApiError> {
    value
        .parse()
        .map_err(|_| ApiError::invalid_body(field, "must be 24 hexadecimal characters"))
}

/// Ask for a review of one of your submissions.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct CodeReviewRequest {
    #[schemars(regex(pattern = HEX_ID))]
    pub submission_id: String,
    /// What you would like the reviewer to look at.
    #[serde(default)]
    #[schemars(length(max = 1000), regex(pattern = TEXT))]
    pub message: String,
}

impl CodeReviewRequest {
    /// The submission named.
    pub fn submission(&self) -> Result<rv::SubmissionRef, ApiError> {
        parsed("submissionId", &self.submission_id)
    }
}

/// The author's new message.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct CodeReviewUpdate {
    #[schemars(length(max = 1000), regex(pattern = TEXT))]
    pub message: String,
}

/// Ask again after changes were requested, optionally on a newer submission of the challenge.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct ReRequest {
    #[schemars(regex(pattern = HEX_ID))]
    pub submission_id: Option<String>,
}

impl ReRequest {
    /// The submission named, if any.
    pub fn submission(&self) -> Result<Option<rv::SubmissionRef>, ApiError> {
        self.submission_id
            .as_deref()
            .map(|s| parsed("submissionId", s))
            .transpose()
    }
}

/// What a comment is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum CommentKindDto {
    General,
    Suggestion,
    Issue,
    Praise,
}

impl From<CommentKindDto> for rv::CommentKind {
    fn from(k: CommentKindDto) -> Self {
        match k {
            CommentKindDto::General => Self::General,
            CommentKindDto::Suggestion => Self::Suggestion,
            CommentKindDto::Issue => Self::Issue,
            CommentKindDto::Praise => Self::Praise,
        }
    }
}

impl From<rv::CommentKind> for CommentKindDto {
    fn from(k: rv::CommentKind) -> Self {
        match k {
            rv::CommentKind::General => Self::General,
            rv::CommentKind::Suggestion => Self::Suggestion,
            rv::CommentKind::Issue => Self::Issue,
            rv::CommentKind::Praise => Self::Praise,
        }
    }
}

/// A comment on a code review: general, or on one line of the submission under review.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct CodeCommentRequest {
    #[schemars(length(min = 1, max = 5000), regex(pattern = TEXT_FILLED))]
    pub content: String,
    /// 1-based line of the submission under review; absent for a general comment.
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub line_number: Option<u32>,
    /// `general` when absent.
    #[serde(rename = "type")]
    pub kind: Option<CommentKindDto>,
    /// The comment this one answers.
    #[schemars(regex(pattern = HEX_ID))]
    pub parent_id: Option<String>,
}

impl CodeCommentRequest {
    /// The new comment.
    pub fn into_new(self) -> Result<rv::NewComment, ApiError> {
        Ok(rv::NewComment {
            parent: self
                .parent_id
                .as_deref()
                .map(|p| parsed("parentId", p))
                .transpose()?,
            content: self.content,
            line: self.line_number,
            kind: self.kind.map_or(rv::CommentKind::General, Into::into),
        })
    }
}

/// The reviewer's marks, each 1 to 10.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct MetricsDto {
    #[schemars(range(min = 1, max = 10))]
    pub code_quality: u8,
    #[schemars(range(min = 1, max = 10))]
    pub performance: u8,
    #[schemars(range(min = 1, max = 10))]
    pub readability: u8,
    #[schemars(range(min = 1, max = 10))]
    pub test_coverage: u8,
}

impl From<MetricsDto> for rv::Metrics {
    fn from(m: MetricsDto) -> Self {
        Self {
            code_quality: m.code_quality,
            performance: m.performance,
            readability: m.readability,
            test_coverage: m.test_coverage,
        }
    }
}

impl From<rv::Metrics> for MetricsDto {
    fn from(m: rv::Metrics) -> Self {
        Self {
            code_quality: m.code_quality,
            performance: m.performance,
            readability: m.readability,
            test_coverage: m.test_coverage,
        }
    }
}

/// The reviewer's decision: a summary and, optionally, marks.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct DecisionRequest {
    #[schemars(length(min = 1, max = 2000), regex(pattern = TEXT_FILLED))]
    pub summary: String,
    pub metrics: Option<MetricsDto>,
}

impl DecisionRequest {
    /// The decision ending in `status`.
    pub fn into_decision(self, status: rv::CodeReviewStatus) -> rv::Decision {
        rv::Decision {
            status,
            summary: self.summary,
            metrics: self.metrics.map(Into::into),
        }
    }
}

/// Where a code review stands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "kebab-case")]
#[schemars(crate = "apistos")]
pub enum CodeReviewStatusDto {
    Pending,
    InReview,
    Approved,
    ChangesRequested,
    Rejected,
}

impl From<CodeReviewStatusDto> for rv::CodeReviewStatus {
    fn from(s: CodeReviewStatusDto) -> Self {
        match s {
            CodeReviewStatusDto::Pending => Self::Pending,
            CodeReviewStatusDto::InReview => Self::InReview,
            CodeReviewStatusDto::Approved => Self::Approved,
            CodeReviewStatusDto::ChangesRequested => Self::ChangesRequested,
            CodeReviewStatusDto::Rejected => Self::Rejected,
        }
    }
}

impl From<rv::CodeReviewStatus> for CodeReviewStatusDto {
    fn from(s: rv::CodeReviewStatus) -> Self {
        match s {
            rv::CodeReviewStatus::Pending => Self::Pending,
            rv::CodeReviewStatus::InReview => Self::InReview,
            rv::CodeReviewStatus::Approved => Self::Approved,
            rv::CodeReviewStatus::ChangesRequested => Self::ChangesRequested,
            rv::CodeReviewStatus::Rejected => Self::Rejected,
        }
    }
}

/// Whose code reviews to list.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum CodeReviewRoleDto {
    /// My requests (the default unless `status=pending`).
    Author,
    /// Those I claimed.
    Reviewer,
    /// Everyone's (admins).
    All,
}

/// The code review list's filters and page. `status=pending` without `role` is the queue of
/// open requests anyone else may take.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct CodeReviewsQuery {
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub page: Option<u32>,
    /// Clamped to 100.
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub limit: Option<u32>,
    #[serde(default)]
    #[schemars(with = "CodeReviewStatusDto")]
    pub status: Option<CodeReviewStatusDto>,
    #[serde(default)]
    #[schemars(with = "CodeReviewRoleDto")]
    pub role: Option<CodeReviewRoleDto>,
    #[schemars(length(max = 20))]
    pub language: Option<String>,
    #[schemars(length(max = 20))]
    pub challenge_type: Option<String>,
    #[schemars(length(max = 20))]
    pub difficulty: Option<String>,
}

impl CodeReviewsQuery {
    /// The scope and filter asked for.
    pub fn scope_and_filter(&self) -> Result<(rv::Scope, rv::CodeReviewFilter), ApiError> {
        for (field, value) in [
            ("language", &self.language),
            ("challengeType", &self.challenge_type),
            ("difficulty", &self.difficulty),
        ] {
            crate::http::max_chars(field, value.as_deref(), 20)?;
        }
        let status = self.status.map(rv::CodeReviewStatus::from);
        let scope = match self.role {
            Some(CodeReviewRoleDto::Author) => rv::Scope::Authored,
            Some(CodeReviewRoleDto::Reviewer) => rv::Scope::Reviewing,
            Some(CodeReviewRoleDto::All) => rv::Scope::All,
            None if status == Some(rv::CodeReviewStatus::Pending) => rv::Scope::Queue,
            None => rv::Scope::Authored,
        };
        Ok((
            scope,
            rv::CodeReviewFilter {
                status,
                author: None,
                reviewer: None,
                language: self.language.clone(),
                challenge_type: self.challenge_type.clone(),
                difficulty: self.difficulty.clone(),
            },
        ))
    }
}

/// The submission under review.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ReviewedSubmissionDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub challenge_id: String,
    pub language: String,
    pub challenge_type: String,
    pub difficulty: String,
    pub lines: u32,
    /// The code: for its owner, those who claimed the review, and admins; `null` otherwise
    /// (and in lists).
    pub code: Option<String>,
}

/// A code review (the spec's CodeReviews document; its comments are paged separately).
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct CodeReviewDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub submission: ReviewedSubmissionDto,
    pub author: ReviewerDto,
    /// The active (or deciding) reviewer.
    pub reviewer: Option<ReviewerDto>,
    /// Everyone who claimed it, in order.
    pub reviewers: Vec<String>,
    /// 1, then one more on every re-request.
    pub version: u32,
    pub message: String,
    pub status: CodeReviewStatusDto,
    pub summary: Option<String>,
    pub metrics: Option<MetricsDto>,
    pub comment_count: u64,
    /// XP the reviewer earned by the decision this answers (0 otherwise; 25 per completed
    /// review, once per review, at most 5 a UTC day).
    pub xp_awarded: u64,
    /// The reviewer's last activity; an idle claim lapses 48 hours after it.
    pub active_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<rv::CodeReviewView> for CodeReviewDto {
    fn from(v: rv::CodeReviewView) -> Self {
        let r = v.review;
        Self {
            id: r.id.to_hex(),
            submission: ReviewedSubmissionDto {
                id: r.submission.id.to_hex(),
                challenge_id: r.submission.challenge.to_hex(),
                language: r.submission.language,
                challenge_type: r.submission.challenge_type,
                difficulty: r.submission.difficulty,
                lines: r.submission.lines,
                code: v.code,
            },
            author: ReviewerDto::of(r.author, v.author),
            reviewer: r.reviewer.map(|m| ReviewerDto::of(m, v.reviewer)),
            reviewers: r.reviewers.iter().map(|m| m.to_hex()).collect(),
            version: r.version,
            message: r.message,
            status: r.status.into(),
            summary: r.summary,
            metrics: r.metrics.map(Into::into),
            comment_count: r.comments,
            xp_awarded: v.xp_awarded,
            active_at: r.active_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A comment on a code review.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct CodeCommentDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub author: ReviewerDto,
    pub content: String,
    pub line_number: Option<u32>,
    #[serde(rename = "type")]
    pub kind: CommentKindDto,
    pub parent_id: Option<String>,
    /// The submission and version it was written on.
    pub submission_id: String,
    pub version: u32,
    pub created_at: DateTime<Utc>,
}

impl From<rv::CodeCommentView> for CodeCommentDto {
    fn from(v: rv::CodeCommentView) -> Self {
        let c = v.comment;
        Self {
            id: c.id.to_hex(),
            author: ReviewerDto::of(c.author, v.author),
            content: c.content,
            line_number: c.line,
            kind: c.kind.into(),
            parent_id: c.parent.map(|p| p.to_hex()),
            submission_id: c.submission.to_hex(),
            version: c.version,
            created_at: c.created_at,
        }
    }
}
