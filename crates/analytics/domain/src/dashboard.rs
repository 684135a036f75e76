//! Read models over several contexts: a learner's dashboard, a user's public figures and the
//! platform's. Who the learner is comes from identity ([`Learners`]), their standing and
//! practice from scoring ([`PracticeRecords`]), their focus from this context's sessions; this
//! service composes them and owns the derived figures (completion rate, how many recent runs).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::AnalyticsError;
use crate::model::SubjectId;
use crate::ports::FocusSessionRepository;
use crate::stats::{summarize, FocusStats};

/// How many scored runs the dashboard's recent activity shows.
pub const RECENT_RUNS: usize = 5;

/// Who is asking: the learner's own id, and whether they are an admin (who sees every profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub id: SubjectId,
    pub is_admin: bool,
}

/// The learner's public face.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Learner {
    pub username: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub avatar: Option<String>,
}

/// The learner's progress and place on the boards.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Standing {
    pub level: u32,
    pub xp: u64,
    /// Challenges completed (first successes).
    pub completed: u64,
    /// Challenges attempted.
    pub attempts: u64,
    /// Current streak (already broken after a whole local day without a success).
    pub streak: u32,
    pub best_streak: u32,
    /// Global rank; `None` while not on the board.
    pub rank: Option<u64>,
    pub weekly_xp: u64,
    pub weekly_completed: u64,
    /// Places gained this week (negative: lost).
    pub rank_change: i64,
}

/// Figures of the learner's scored submissions.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Practice {
    pub average_score: f64,
    pub lines_of_code: u64,
    pub bugs_fixed: u64,
    pub code_quality: f64,
}

/// One scored run, newest first in [`Dashboard::recent`].
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// The submission's id (24 hex).
    pub submission: String,
    /// The challenge's id (24 hex).
    pub challenge: String,
    /// `None` when the challenge is no longer visible to the learner.
    pub title: Option<String>,
    pub kind: String,
    pub difficulty: String,
    pub completed_at: Option<DateTime<Utc>>,
    pub score: f64,
    pub success: bool,
    pub xp: u64,
    pub minutes: f64,
    pub distraction_level: String,
}

/// A user's stats as identity shows them to a viewer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PublicStats {
    pub xp: u64,
    pub level: u32,
    pub total_challenges: u64,
    pub completed_challenges: u64,
    pub streak: u32,
    pub last_active_date: Option<DateTime<Utc>>,
}

/// The learner's dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub learner: Learner,
    pub standing: Standing,
    /// Percent of attempted challenges completed, two decimals.
    pub completion_rate: f64,
    pub practice: Practice,
    pub recent: Vec<Activity>,
    pub focus: FocusStats,
}

/// A user's figures: their public stats with the completion rate and average score.
#[derive(Debug, Clone, PartialEq)]
pub struct UserFigures {
    pub stats: PublicStats,
    pub completion_rate: f64,
    pub average_score: f64,
}

/// The platform's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformFigures {
    pub total_users: u64,
    /// Percent of scored submissions that succeeded.
    pub success_rate: f64,
    /// Average focus over every session.
    pub average_focus: f64,
}

/// Accounts, as the identity context knows them.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Learners: Send + Sync {
    /// The signed-in learner's face. Errors: `UserNotFound` when the account is gone.
    async fn learner(&self, who: SubjectId) -> Result<Learner, AnalyticsError>;

    /// `id`'s stats as `viewer` may see them. Errors: `UserNotFound`, `ProfilePrivate`,
    /// `StatsPrivate` (identity's privacy rules decide).
    async fn public_stats(
        &self,
        viewer: Option<Viewer>,
        id: SubjectId,
    ) -> Result<PublicStats, AnalyticsError>;

    /// How many active accounts exist.
    async fn active_count(&self) -> Result<u64, AnalyticsError>;
}

/// Scored work, as the scoring context records it.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PracticeRecords: Send + Sync {
    /// `who`'s progress and place on the boards.
    async fn standing(&self, who: SubjectId) -> Result<Standing, AnalyticsError>;

    /// Figures of `who`'s scored submissions.
    async fn practice(&self, who: SubjectId) -> Result<Practice, AnalyticsError>;

    /// `viewer`'s latest scored (not pending) submissions, newest first, at most `limit`, with
    /// the titles of the challenges `viewer` may still see.
    async fn recent_scored(
        &self,
        viewer: Viewer,
        limit: usize,
    ) -> Result<Vec<Activity>, AnalyticsError>;

    /// Percent of scored submissions that succeeded, two decimals.
    async fn success_rate(&self) -> Result<f64, AnalyticsError>;
}

/// The query service's ports.
#[derive(Clone)]
pub struct DashboardPorts {
    pub learners: Arc<dyn Learners>,
    pub practice: Arc<dyn PracticeRecords>,
    pub sessions: Arc<dyn FocusSessionRepository>,
}

/// The read models, as an inbound port.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait DashboardApi: Send + Sync {
    /// The viewer's own dashboard. Errors: `UserNotFound`.
    async fn dashboard(&self, viewer: Viewer) -> Result<Dashboard, AnalyticsError>;

    /// `id`'s figures as `viewer` may see them. Errors: `UserNotFound`, `ProfilePrivate`,
    /// `StatsPrivate`.
    async fn user_figures(
        &self,
        viewer: Option<Viewer>,
        id: SubjectId,
    ) -> Result<UserFigures, AnalyticsError>;

    /// The platform's figures.
    async fn platform(&self) -> Result<PlatformFigures, AnalyticsError>;
}

/// Composes the read models from the ports.
pub struct DashboardService {
    ports: DashboardPorts,
}

impl DashboardService {
    /// A service over `ports`.
    pub fn new(ports: DashboardPorts) -> Self {
        Self { ports }
    }

    /// The service as a shared inbound port.
    pub fn into_api(self) -> Arc<dyn DashboardApi> {
        Arc::new(self)
    }
}

/// `part` of `whole` in percent, two decimals; 0 of nothing.
pub fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 * 10_000.0 / whole as f64).round() / 100.0
    }
}

#[async_trait]
impl DashboardApi for DashboardService {
    async fn dashboard(&self, viewer: Viewer) -> Result<Dashboard, AnalyticsError> {
        let who = viewer.id;
        let learner = self.ports.learners.learner(who).await?;
        let standing = self.ports.practice.standing(who).await?;
        let practice = self.ports.practice.practice(who).await?;
        let recent = self
            .ports
            .practice
            .recent_scored(viewer, RECENT_RUNS)
            .await?;
        let focus = summarize(&self.ports.sessions.all(who).await?);
        Ok(Dashboard {
            completion_rate: percent(standing.completed, standing.attempts),
            learner,
            standing,
            practice,
            recent,
            focus,
        })
    }

    async fn user_figures(
        &self,
        viewer: Option<Viewer>,
        id: SubjectId,
    ) -> Result<UserFigures, AnalyticsError> {
        let stats = self.ports.learners.public_stats(viewer, id).await?;
        let practice = self.ports.practice.practice(id).await?;
        Ok(UserFigures {
            completion_rate: percent(stats.completed_challenges, stats.total_challenges),
            average_score: practice.average_score,
            stats,
        })
    }

    async fn platform(&self) -> Result<PlatformFigures, AnalyticsError> {
        let average = self.ports.sessions.average_focus().await?.unwrap_or(0.0);
        Ok(PlatformFigures {
            total_users: self.ports.learners.active_count().await?,
            success_rate: self.ports.practice.success_rate().await?,
            average_focus: (average * 100.0).round() / 100.0,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::fake::InMemoryFocusSessions;
    use crate::model::{Environment, FocusSession, FocusSessionId};

    fn who() -> SubjectId {
        SubjectId::from_bytes([7; 12])
    }

    fn service(learners: MockLearners, practice: MockPracticeRecords) -> DashboardService {
        DashboardService::new(DashboardPorts {
            learners: Arc::new(learners),
            practice: Arc::new(practice),
            sessions: Arc::new(InMemoryFocusSessions::default()),
        })
    }

    fn run(score: f64) -> Activity {
        Activity {
            submission: "a".repeat(24),
            challenge: "b".repeat(24),
            title: Some("Two Sum".into()),
            kind: "dsa".into(),
            difficulty: "Easy".into(),
            completed_at: None,
            score,
            success: score >= 70.0,
            xp: 0,
            minutes: 3.0,
            distraction_level: "low".into(),
        }
    }

    #[test]
    fn percentages_round_to_two_decimals_and_never_divide_by_zero() {
        assert_eq!(percent(1, 3), 33.33);
        assert_eq!(percent(2, 2), 100.0);
        assert_eq!(percent(5, 0), 0.0);
    }

    #[tokio::test]
    async fn the_dashboard_asks_for_five_recent_runs_and_derives_the_completion_rate() {
        let mut learners = MockLearners::new();
        learners.expect_learner().times(1).returning(|_| {
            Ok(Learner {
                username: "ada".into(),
                ..Learner::default()
            })
        });
        let mut practice = MockPracticeRecords::new();
        practice.expect_standing().times(1).returning(|_| {
            Ok(Standing {
                completed: 1,
                attempts: 3,
                rank: Some(4),
                ..Standing::default()
            })
        });
        practice.expect_practice().times(1).returning(|_| {
            Ok(Practice {
                average_score: 81.5,
                ..Practice::default()
            })
        });
        practice
            .expect_recent_scored()
            .withf(|viewer, limit| viewer.id == who() && *limit == RECENT_RUNS)
            .times(1)
            .returning(|_, _| Ok(vec![run(90.0), run(40.0)]));
        let found = service(learners, practice)
            .dashboard(Viewer {
                id: who(),
                is_admin: false,
            })
            .await
            .unwrap();
        assert_eq!(found.learner.username, "ada");
        assert_eq!(found.completion_rate, 33.33);
        assert_eq!(found.practice.average_score, 81.5);
        assert_eq!(found.recent.len(), 2);
        assert_eq!(found.standing.rank, Some(4));
        assert_eq!(found.focus.total_sessions, 0);
    }

    #[tokio::test]
    async fn the_dashboard_counts_the_learner_s_own_focus_sessions() {
        let sessions = Arc::new(InMemoryFocusSessions::default());
        let start = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        for (user, focus) in [
            (who(), 80),
            (who(), 60),
            (SubjectId::from_bytes([8; 12]), 10),
        ] {
            sessions
                .insert(&FocusSession {
                    id: FocusSessionId::generate(start),
                    user,
                    challenge: None,
                    submission: None,
                    start_time: start,
                    end_time: start + chrono::Duration::minutes(30),
                    distractions_encountered: 1,
                    focus_score: focus,
                    environment: Environment::Zen,
                    created_at: start,
                })
                .await
                .unwrap();
        }
        let mut learners = MockLearners::new();
        learners
            .expect_learner()
            .returning(|_| Ok(Learner::default()));
        let mut practice = MockPracticeRecords::new();
        practice
            .expect_standing()
            .returning(|_| Ok(Standing::default()));
        practice
            .expect_practice()
            .returning(|_| Ok(Practice::default()));
        practice
            .expect_recent_scored()
            .returning(|_, _| Ok(Vec::new()));
        let service = DashboardService::new(DashboardPorts {
            learners: Arc::new(learners),
            practice: Arc::new(practice),
            sessions,
        });
        let found = service
            .dashboard(Viewer {
                id: who(),
                is_admin: false,
            })
            .await
            .unwrap();
        assert_eq!(found.focus.total_sessions, 2);
        assert_eq!(found.focus.average_focus, 70.0);
        assert_eq!(found.completion_rate, 0.0, "nothing attempted");
    }

    #[tokio::test]
    async fn private_stats_stay_private_and_nothing_else_is_read() {
        let mut learners = MockLearners::new();
        learners
            .expect_public_stats()
            .times(1)
            .returning(|_, _| Err(AnalyticsError::StatsPrivate));
        let mut practice = MockPracticeRecords::new();
        practice.expect_practice().never();
        let found = service(learners, practice).user_figures(None, who()).await;
        assert!(matches!(found, Err(AnalyticsError::StatsPrivate)));
    }

    #[tokio::test]
    async fn user_figures_add_the_completion_rate_and_average_score() {
        let mut learners = MockLearners::new();
        learners.expect_public_stats().returning(|_, _| {
            Ok(PublicStats {
                total_challenges: 4,
                completed_challenges: 3,
                ..PublicStats::default()
            })
        });
        let mut practice = MockPracticeRecords::new();
        practice.expect_practice().returning(|_| {
            Ok(Practice {
                average_score: 92.25,
                ..Practice::default()
            })
        });
        let found = service(learners, practice)
            .user_figures(None, who())
            .await
            .unwrap();
        assert_eq!(found.completion_rate, 75.0);
        assert_eq!(found.average_score, 92.25);
    }
}
