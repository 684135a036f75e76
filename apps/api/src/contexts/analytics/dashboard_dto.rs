//! `GET /users/dashboard` and `GET /users/{id}/stats`: read models composed from the identity,
//! scoring, challenges and analytics contexts.

use apistos::{ApiComponent, JsonSchema};
use chrono::{DateTime, Utc};
use serde::Serialize;
use stackrush_analytics::dashboard::{Dashboard, PlatformFigures, UserFigures};

/// `GET /users/{id}/stats` (the client's fields).
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct UserStatsDto {
    pub xp: u64,
    pub level: u32,
    pub total_challenges: u64,
    pub completed_challenges: u64,
    /// Percent of scored submissions that completed a challenge for the first time.
    pub completion_rate: f64,
    pub streak: u32,
    /// Over scored submissions, 0–100.
    pub average_score: f64,
    pub last_active_date: Option<DateTime<Utc>>,
}

/// The dashboard's owner.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct DashboardProfileDto {
    pub username: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub avatar: Option<String>,
}

/// Headline figures.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct DashboardStatsDto {
    pub level: u32,
    pub xp: u64,
    pub completed_challenges: u64,
    pub total_challenges: u64,
    pub completion_rate: f64,
    pub average_score: f64,
}

/// One recently scored submission.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ActivityDto {
    /// The submission's id.
    pub id: String,
    pub challenge_id: String,
    pub title: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub difficulty: String,
    pub completed_at: Option<DateTime<Utc>>,
    pub score: f64,
    pub success: bool,
    /// XP this submission earned.
    pub xp: u64,
    /// Minutes.
    pub time_spent: f64,
    pub distraction_level: String,
}

/// Focus, from focus sessions.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct FocusAnalysisDto {
    pub average_focus: f64,
    /// Longest run of consecutive days with a focus session.
    pub best_streak: u32,
    /// Poor, Fair, Good or Excellent.
    pub distraction_resistance: String,
}

/// Code, from submissions.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct CodingStatsDto {
    pub lines_of_code: u64,
    /// Successful submissions to bug-fix challenges.
    pub bugs_fixed: u64,
    /// Average score of successful submissions.
    pub code_quality: f64,
}

/// This week (since Monday 00:00 UTC), from the XP ledger.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct WeeklyStatsDto {
    pub xp_gained: u64,
    pub challenges_completed: u64,
    /// Places gained on the global board this week (negative: lost).
    pub rank_change: i64,
}

/// `GET /users/dashboard`.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct DashboardDto {
    pub profile: DashboardProfileDto,
    pub stats: DashboardStatsDto,
    pub recent_activity: Vec<ActivityDto>,
    pub streak: u32,
    pub best_streak: u32,
    /// Global rank; `null` before the first XP or with hidden stats.
    pub rank: Option<u64>,
    /// Average focus score of focus sessions, 0–100.
    pub focus_rating: f64,
    pub focus_analysis: FocusAnalysisDto,
    pub coding_stats: CodingStatsDto,
    pub weekly_stats: WeeklyStatsDto,
}

/// `GET /users/stats`: platform figures.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct PlatformStatsDto {
    /// Active accounts.
    pub total_users: u64,
    /// Percent of scored submissions that succeeded.
    pub success_rate: f64,
    /// Average focus score over all focus sessions.
    pub avg_focus_rating: f64,
}

impl From<UserFigures> for UserStatsDto {
    fn from(f: UserFigures) -> Self {
        Self {
            xp: f.stats.xp,
            level: f.stats.level,
            total_challenges: f.stats.total_challenges,
            completed_challenges: f.stats.completed_challenges,
            completion_rate: f.completion_rate,
            streak: f.stats.streak,
            average_score: f.average_score,
            last_active_date: f.stats.last_active_date,
        }
    }
}

impl From<PlatformFigures> for PlatformStatsDto {
    fn from(f: PlatformFigures) -> Self {
        Self {
            total_users: f.total_users,
            success_rate: f.success_rate,
            avg_focus_rating: f.average_focus,
        }
    }
}

impl From<Dashboard> for DashboardDto {
    fn from(d: Dashboard) -> Self {
        let (s, focus) = (d.standing, d.focus);
        Self {
            profile: DashboardProfileDto {
                username: d.learner.username,
                first_name: d.learner.first_name,
                last_name: d.learner.last_name,
                avatar: d.learner.avatar,
            },
            stats: DashboardStatsDto {
                level: s.level,
                xp: s.xp,
                completed_challenges: s.completed,
                total_challenges: s.attempts,
                completion_rate: d.completion_rate,
                average_score: d.practice.average_score,
            },
            recent_activity: d
                .recent
                .into_iter()
                .map(|a| ActivityDto {
                    id: a.submission,
                    challenge_id: a.challenge,
                    title: a.title,
                    kind: a.kind,
                    difficulty: a.difficulty,
                    completed_at: a.completed_at,
                    score: a.score,
                    success: a.success,
                    xp: a.xp,
                    time_spent: a.minutes,
                    distraction_level: a.distraction_level,
                })
                .collect(),
            streak: s.streak,
            best_streak: s.best_streak,
            rank: s.rank,
            focus_rating: focus.average_focus,
            focus_analysis: FocusAnalysisDto {
                average_focus: focus.average_focus,
                best_streak: focus.best_streak,
                distraction_resistance: focus.distraction_resistance.to_owned(),
            },
            coding_stats: CodingStatsDto {
                lines_of_code: d.practice.lines_of_code,
                bugs_fixed: d.practice.bugs_fixed,
                code_quality: d.practice.code_quality,
            },
            weekly_stats: WeeklyStatsDto {
                xp_gained: s.weekly_xp,
                challenges_completed: s.weekly_completed,
                rank_change: s.rank_change,
            },
        }
    }
}
