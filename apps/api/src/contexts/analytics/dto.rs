//! Focus session bodies (the web client's model).

use apistos::{ApiComponent, JsonSchema};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use stackrush_analytics as an;

use crate::error::ApiError;

/// Where a session happened.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum EnvironmentDto {
    Zen,
    Standard,
    Interview,
}

impl From<EnvironmentDto> for an::Environment {
    fn from(e: EnvironmentDto) -> Self {
        match e {
            EnvironmentDto::Zen => Self::Zen,
            EnvironmentDto::Standard => Self::Standard,
            EnvironmentDto::Interview => Self::Interview,
        }
    }
}

impl From<an::Environment> for EnvironmentDto {
    fn from(e: an::Environment) -> Self {
        match e {
            an::Environment::Zen => Self::Zen,
            an::Environment::Standard => Self::Standard,
            an::Environment::Interview => Self::Interview,
        }
    }
}

/// `POST /focus-sessions`.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct CreateFocusSessionRequest {
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub challenge_id: Option<String>,
    /// A submission of the caller's made in this session: its simulation record gets the
    /// session's figures. Without it, the caller's submission to `challengeId` started from an
    /// attempt during the session is linked, if there is one.
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub submission_id: Option<String>,
    #[schemars(regex(pattern = crate::http::patterns::INSTANT))]
    pub start_time: DateTime<Utc>,
    /// Not before `startTime`, at most 24 hours after it, not in the future.
    #[schemars(regex(pattern = crate::http::patterns::INSTANT))]
    pub end_time: DateTime<Utc>,
    #[schemars(range(min = 0, max = 10_000))]
    pub distractions_encountered: Option<u32>,
    #[schemars(range(min = 0, max = 100))]
    pub focus_score: u32,
    /// Default `standard`.
    pub environment: Option<EnvironmentDto>,
}

/// A focus session.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct FocusSessionDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub user: String,
    pub challenge_id: Option<String>,
    pub submission_id: Option<String>,
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    /// Minutes.
    pub duration: f64,
    pub distractions_encountered: u32,
    pub focus_score: u32,
    pub environment: EnvironmentDto,
    pub created_at: DateTime<Utc>,
}

impl From<an::FocusSession> for FocusSessionDto {
    fn from(s: an::FocusSession) -> Self {
        Self {
            id: s.id.to_hex(),
            user: s.user.to_hex(),
            challenge_id: s.challenge.map(|c| c.to_hex()),
            submission_id: s.submission.map(|c| c.to_hex()),
            start_time: s.start_time,
            end_time: s.end_time,
            duration: (s.minutes() * 100.0).round() / 100.0,
            distractions_encountered: s.distractions_encountered,
            focus_score: s.focus_score,
            environment: s.environment.into(),
            created_at: s.created_at,
        }
    }
}

/// Sort keys of session lists.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub enum SessionSortDto {
    #[serde(rename = "startTime")]
    StartTime,
    #[serde(rename = "focusScore")]
    FocusScore,
}

/// `GET /focus-sessions` query.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct FocusSessionQuery {
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub page: Option<u32>,
    /// Clamped to 100.
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub limit: Option<u32>,
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub challenge_id: Option<String>,
    pub environment: Option<EnvironmentDto>,
    /// Started at or after (RFC 3339).
    #[schemars(regex(pattern = crate::http::patterns::INSTANT))]
    pub from: Option<DateTime<Utc>>,
    /// Started at or before (RFC 3339).
    #[schemars(regex(pattern = crate::http::patterns::INSTANT))]
    pub to: Option<DateTime<Utc>>,
    pub sort: Option<SessionSortDto>,
    pub order: Option<crate::http::OrderDto>,
}

/// `GET /focus-sessions/recent` query.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct RecentQuery {
    /// 1–50, default 5 (larger values are clamped).
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub limit: Option<u32>,
}

/// Sessions per environment.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct ByEnvironmentDto {
    pub zen: u64,
    pub standard: u64,
    pub interview: u64,
}

/// `GET /focus-sessions/stats`.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct FocusStatsDto {
    pub total_sessions: u64,
    pub total_minutes: f64,
    pub average_focus: f64,
    pub best_focus: u32,
    pub average_distractions: f64,
    pub by_environment: ByEnvironmentDto,
    /// Longest run of consecutive days with a session.
    pub best_streak: u32,
    /// Poor, Fair, Good or Excellent.
    pub distraction_resistance: String,
}

impl From<an::FocusStats> for FocusStatsDto {
    fn from(s: an::FocusStats) -> Self {
        Self {
            total_sessions: s.total_sessions,
            total_minutes: s.total_minutes,
            average_focus: s.average_focus,
            best_focus: s.best_focus,
            average_distractions: s.average_distractions,
            by_environment: ByEnvironmentDto {
                zen: s.by_environment[0],
                standard: s.by_environment[1],
                interview: s.by_environment[2],
            },
            best_streak: s.best_streak,
            distraction_resistance: s.distraction_resistance.to_owned(),
        }
    }
}

/// An optional id, or the error `invalid` names for `field`.
pub fn optional_id<T: std::str::FromStr>(
    value: Option<String>,
    field: &str,
    invalid: fn(&str, &str) -> ApiError,
) -> Result<Option<T>, ApiError> {
    value
        .map(|v| {
            v.parse()
                .map_err(|_| invalid(field, "must be 24 hexadecimal characters"))
        })
        .transpose()
}

impl TryFrom<CreateFocusSessionRequest> for an::NewFocusSession {
    type Error = ApiError;

    fn try_from(b: CreateFocusSessionRequest) -> Result<Self, ApiError> {
        Ok(Self {
            challenge: optional_id(b.challenge_id, "challengeId", |f, m| {
                ApiError::invalid_body(f, m)
            })?,
            submission: optional_id(b.submission_id, "submissionId", |f, m| {
                ApiError::invalid_body(f, m)
            })?,
            start_time: b.start_time,
            end_time: b.end_time,
            distractions_encountered: b.distractions_encountered.unwrap_or(0),
            focus_score: b.focus_score,
            environment: b.environment.map(Into::into).unwrap_or_default(),
        })
    }
}

impl TryFrom<FocusSessionQuery> for (an::SessionFilter, stackrush_kernel::PageRequest) {
    type Error = ApiError;

    fn try_from(q: FocusSessionQuery) -> Result<Self, ApiError> {
        crate::http::time_bounds(&[("from", q.from), ("to", q.to)])?;
        let page = crate::http::page_request(q.page, q.limit, 10)?;
        let filter = an::SessionFilter {
            challenge: optional_id(q.challenge_id, "challengeId", |f, m| {
                ApiError::invalid_query(f, m)
            })?,
            environment: q.environment.map(Into::into),
            from: q.from,
            to: q.to,
            sort: match q.sort {
                None | Some(SessionSortDto::StartTime) => an::SessionSort::StartTime,
                Some(SessionSortDto::FocusScore) => an::SessionSort::FocusScore,
            },
            descending: !matches!(q.order, Some(crate::http::OrderDto::Asc)),
        };
        Ok((filter, page))
    }
}
