//! Scoring bodies.

use apistos::{ApiComponent, JsonSchema};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use stackrush_scoring as sc;

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
