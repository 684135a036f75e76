//! The analytics context's outbound ports, served by other contexts.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use stackrush_analytics::dashboard::{
    Activity, Learner, Learners, Practice, PracticeRecords, PublicStats, Standing, Viewer,
};
use stackrush_analytics::insights::Named;
use stackrush_analytics::ports::{Linked, SubmissionLookup};
use stackrush_analytics::{AnalyticsError, Environment, FocusSession, SubjectId, SubmissionKey};
use stackrush_identity::{Actor, IdentityApi, IdentityError, Role, UserId};
use stackrush_kernel::PageRequest;
use stackrush_scoring::{
    ChallengeRef, FocusReport, Mode, PlayerId, RunStatus, ScoringApi, ScoringError,
    SubmissionFilter, SubmissionId,
};

/// The analytics context's submission lookup, served by the scoring context.
pub struct ScoringSubmissions(pub Arc<dyn ScoringApi>);

#[async_trait]
impl SubmissionLookup for ScoringSubmissions {
    async fn link(&self, session: &FocusSession) -> anyhow::Result<Linked> {
        let report = FocusReport {
            submission: session
                .submission
                .map(|k| SubmissionId::from_bytes(k.bytes())),
            challenge: session
                .challenge
                .map(|c| ChallengeRef::from_bytes(c.bytes())),
            started_at: session.start_time,
            ended_at: session.end_time,
            mode: match session.environment {
                Environment::Zen => Mode::Zen,
                Environment::Standard => Mode::Standard,
                Environment::Interview => Mode::Interview,
            },
            distractions: session.distractions_encountered,
            focus_score: session.focus_score,
        };
        let player = PlayerId::from_bytes(session.user.bytes());
        match self.0.record_focus(player, report).await {
            Ok(Some(id)) => Ok(Linked::To(SubmissionKey::from_bytes(id.bytes()))),
            Ok(None) => Ok(Linked::Nothing),
            Err(ScoringError::SubmissionNotFound) => Ok(Linked::NotTheirs),
            Err(e) => Err(anyhow::anyhow!("scoring: {e}")),
        }
    }
}

/// The dashboard's learners, served by the identity context.
pub struct IdentityLearners(pub Arc<dyn IdentityApi>);

/// The dashboard's viewer as the identity context's actor: identity's views look only at who
/// it is and whether they are an admin.
fn actor(viewer: Viewer) -> Actor {
    let mut roles = vec![Role::User];
    if viewer.is_admin {
        roles.push(Role::Admin);
    }
    Actor {
        id: UserId::from_bytes(viewer.id.bytes()),
        roles,
    }
}

fn from_identity(e: IdentityError) -> AnalyticsError {
    match e {
        IdentityError::UserNotFound | IdentityError::InvalidUser => AnalyticsError::UserNotFound,
        IdentityError::ProfilePrivate => AnalyticsError::ProfilePrivate,
        IdentityError::StatsPrivate => AnalyticsError::StatsPrivate,
        IdentityError::Unavailable(e) => AnalyticsError::Unavailable(e),
        other => AnalyticsError::Internal(anyhow::anyhow!("identity: {other}")),
    }
}

#[async_trait]
impl Learners for IdentityLearners {
    async fn learner(&self, who: SubjectId) -> Result<Learner, AnalyticsError> {
        let me = actor(Viewer {
            id: who,
            is_admin: false,
        });
        let user = self.0.profile(me).await.map_err(from_identity)?;
        Ok(Learner {
            username: user.username,
            first_name: user.profile.first_name,
            last_name: user.profile.last_name,
            avatar: user.profile.avatar,
        })
    }

    async fn public_stats(
        &self,
        viewer: Option<Viewer>,
        id: SubjectId,
    ) -> Result<PublicStats, AnalyticsError> {
        let stats = self
            .0
            .user_stats(viewer.map(actor), UserId::from_bytes(id.bytes()))
            .await
            .map_err(from_identity)?;
        Ok(PublicStats {
            xp: stats.xp,
            level: stats.level,
            total_challenges: stats.total_challenges,
            completed_challenges: stats.completed_challenges,
            streak: stats.streak,
            last_active_date: stats.last_active_date,
        })
    }

    async fn active_count(&self) -> Result<u64, AnalyticsError> {
        self.0.active_user_count().await.map_err(from_identity)
    }
}

/// The dashboard's practice records, served by the scoring context (whose submission lists name
/// the challenges the learner may still see).
pub struct ScoringPractice {
    pub scoring: Arc<dyn ScoringApi>,
}

fn from_scoring(e: ScoringError) -> AnalyticsError {
    match e {
        ScoringError::Unavailable(e) => AnalyticsError::Unavailable(e),
        other => AnalyticsError::Internal(anyhow::anyhow!("scoring: {other}")),
    }
}

/// How far back the recent activity looks for scored submissions among the latest ones.
const RECENT_WINDOW: u32 = 50;

#[async_trait]
impl PracticeRecords for ScoringPractice {
    async fn standing(&self, who: SubjectId) -> Result<Standing, AnalyticsError> {
        let s = self
            .scoring
            .standing(PlayerId::from_bytes(who.bytes()))
            .await
            .map_err(from_scoring)?;
        let p = s.progress;
        Ok(Standing {
            level: p.level,
            xp: p.xp,
            completed: p.completed,
            attempts: p.attempts,
            streak: p.streak.current,
            best_streak: p.streak.best,
            rank: s.rank,
            weekly_xp: s.weekly_xp,
            weekly_completed: s.weekly_completed,
            rank_change: s.rank_change,
        })
    }

    async fn practice(&self, who: SubjectId) -> Result<Practice, AnalyticsError> {
        let s = self
            .scoring
            .submission_stats(PlayerId::from_bytes(who.bytes()))
            .await
            .map_err(from_scoring)?;
        Ok(Practice {
            average_score: s.average_score,
            lines_of_code: s.lines_of_code,
            bugs_fixed: s.bugs_fixed,
            code_quality: s.code_quality,
        })
    }

    async fn recent_scored(
        &self,
        viewer: Viewer,
        limit: usize,
    ) -> Result<Vec<Activity>, AnalyticsError> {
        let as_player = stackrush_scoring::Viewer {
            player: PlayerId::from_bytes(viewer.id.bytes()),
            is_admin: viewer.is_admin,
        };
        let latest = self
            .scoring
            .submissions(
                as_player,
                SubmissionFilter {
                    descending: true,
                    ..SubmissionFilter::default()
                },
                PageRequest::new(1, RECENT_WINDOW),
            )
            .await
            .map_err(from_scoring)?;
        let titles = latest.titles;
        Ok(latest
            .items
            .items
            .into_iter()
            .filter(|s| s.execution.status != RunStatus::Pending)
            .take(limit)
            .map(|s| Activity {
                submission: s.id.to_hex(),
                challenge: s.challenge.to_hex(),
                title: titles.get(&s.challenge).map(|t| t.title.clone()),
                minutes: s.minutes_spent(),
                kind: s.challenge_type,
                difficulty: s.difficulty,
                completed_at: s.scored_at,
                score: s.execution.score,
                success: s.success,
                xp: s.xp_awarded,
                distraction_level: s.simulation.distraction_level.as_str().to_owned(),
            })
            .collect())
    }

    async fn success_rate(&self) -> Result<f64, AnalyticsError> {
        self.scoring.success_rate().await.map_err(from_scoring)
    }
}

/// The insights' people, served by the identity context.
pub struct IdentityPeople(pub Arc<dyn IdentityApi>);

#[async_trait]
impl stackrush_analytics::insights::People for IdentityPeople {
    async fn accounts(
        &self,
        users: &[SubjectId],
    ) -> Result<HashMap<SubjectId, stackrush_analytics::insights::Account>, AnalyticsError> {
        // One read of the accounts' summaries (active accounts only), without the figures a
        // profile view would add.
        let ids = users
            .iter()
            .map(|u| UserId::from_bytes(u.bytes()))
            .collect();
        let found = self.0.summaries(ids).await.map_err(from_identity)?;
        Ok(found
            .into_iter()
            .map(|a| {
                let account = stackrush_analytics::insights::Account {
                    public: a.profile_public,
                    show_stats: a.show_stats,
                    show_activity: a.show_activity,
                    zone: a.timezone.parse().unwrap_or(chrono_tz::Tz::UTC),
                };
                (SubjectId::from_bytes(a.id.bytes()), account)
            })
            .collect())
    }

    async fn listings(
        &self,
        users: &[SubjectId],
    ) -> Result<Vec<stackrush_analytics::insights::Listing>, AnalyticsError> {
        let ids = users
            .iter()
            .map(|u| UserId::from_bytes(u.bytes()))
            .collect();
        let found = self.0.summaries(ids).await.map_err(from_identity)?;
        Ok(found
            .into_iter()
            .map(|s| stackrush_analytics::insights::Listing {
                user: SubjectId::from_bytes(s.id.bytes()),
                username: s.username,
                zone: s.timezone,
                public: s.profile_public,
            })
            .collect())
    }

    async fn total(&self) -> Result<u64, AnalyticsError> {
        self.0.active_user_count().await.map_err(from_identity)
    }
}

/// The insights' catalogue: public challenges and templates, as anonymous readers see them.
pub struct PublicCatalog {
    pub challenges: Arc<dyn stackrush_challenges::ChallengeApi>,
    pub templates: Arc<dyn stackrush_templates::TemplatesApi>,
}

/// The names `look` finds for those of `ids` that parse as its kind of id.
async fn names<I, F, Fut>(ids: &[String], look: F) -> Result<HashMap<String, Named>, AnalyticsError>
where
    I: std::str::FromStr,
    F: Fn(I) -> Fut,
    Fut: std::future::Future<Output = Result<Option<Named>, AnalyticsError>>,
{
    let mut out = HashMap::new();
    for hex in ids {
        let Ok(id) = hex.parse::<I>() else {
            continue;
        };
        if let Some(named) = look(id).await? {
            out.insert(hex.clone(), named);
        }
    }
    Ok(out)
}

#[async_trait]
impl stackrush_analytics::insights::Catalog for PublicCatalog {
    async fn challenges(&self, ids: &[String]) -> Result<HashMap<String, Named>, AnalyticsError> {
        use stackrush_challenges::{ChallengeError, ChallengeId};
        names(ids, |id: ChallengeId| async move {
            match self.challenges.get(None, id).await {
                Ok(view) => Ok(Some(Named {
                    title: view.challenge.title,
                    kind: Some(view.challenge.kind.as_str().to_owned()),
                })),
                Err(ChallengeError::NotFound) => Ok(None),
                Err(ChallengeError::Unavailable(e)) => Err(AnalyticsError::Unavailable(e)),
                Err(e) => Err(AnalyticsError::Internal(anyhow::anyhow!("challenges: {e}"))),
            }
        })
        .await
    }

    async fn templates(&self, ids: &[String]) -> Result<HashMap<String, Named>, AnalyticsError> {
        use stackrush_templates::{TemplateError, TemplateId};
        names(ids, |id: TemplateId| async move {
            match self.templates.get(None, id).await {
                Ok(view) => Ok(Some(Named {
                    title: view.template.title,
                    kind: None,
                })),
                Err(TemplateError::NotFound) => Ok(None),
                Err(TemplateError::Unavailable(e)) => Err(AnalyticsError::Unavailable(e)),
                Err(e) => Err(AnalyticsError::Internal(anyhow::anyhow!("templates: {e}"))),
            }
        })
        .await
    }
}

/// The weekly summary job's view of players: their rank move and streak from scoring, what to
/// do next from learning's recommendations.
pub struct DigestPlayers {
    pub scoring: Arc<dyn stackrush_scoring::ScoringApi>,
    pub learning: Arc<dyn stackrush_learning::LearningApi>,
}

#[async_trait]
impl stackrush_analytics::digest::Players for DigestPlayers {
    async fn momentum(
        &self,
        user: SubjectId,
        gained: u64,
    ) -> anyhow::Result<stackrush_analytics::digest::Momentum> {
        let moved = self
            .scoring
            .rank_move(
                stackrush_scoring::PlayerId::from_bytes(user.bytes()),
                gained,
            )
            .await
            .map_err(|e| anyhow::anyhow!("scoring rank move: {e}"))?;
        Ok(stackrush_analytics::digest::Momentum {
            rank: moved.rank,
            rank_change: moved.change,
            streak: moved.streak,
        })
    }

    async fn hints(
        &self,
        user: SubjectId,
    ) -> anyhow::Result<Vec<stackrush_analytics::digest::Hint>> {
        // As a member without extra roles: nothing premium is suggested.
        let caller = stackrush_learning::Caller {
            id: stackrush_learning::MemberId::from_bytes(user.bytes()),
            is_admin: false,
            is_premium: false,
            is_moderator: false,
        };
        let found = self
            .learning
            .recommended(caller, 3)
            .await
            .map_err(|e| anyhow::anyhow!("learning recommendations: {e}"))?;
        Ok(found
            .into_iter()
            .map(|r| stackrush_analytics::digest::Hint {
                title: r.playlist.playlist.title,
                reason: r.reason,
            })
            .collect())
    }
}

/// Where weekly summaries go: the notifications context's mail outbox.
pub struct DigestMail(pub Arc<dyn stackrush_notifications::NotificationApi>);

#[async_trait]
impl stackrush_analytics::digest::Digests for DigestMail {
    async fn queued(
        &self,
        week: chrono::NaiveDate,
        users: &[SubjectId],
    ) -> anyhow::Result<Vec<SubjectId>> {
        let recipients = users
            .iter()
            .map(|u| stackrush_notifications::RecipientId::from_bytes(u.bytes()))
            .collect();
        let found = self
            .0
            .weekly_queued(week, recipients)
            .await
            .map_err(|e| anyhow::anyhow!("notifications outbox: {e}"))?;
        Ok(found
            .into_iter()
            .map(|r| SubjectId::from_bytes(r.bytes()))
            .collect())
    }

    async fn queue(&self, digests: Vec<stackrush_analytics::digest::Digest>) -> anyhow::Result<()> {
        let summaries = digests
            .into_iter()
            .map(|d| stackrush_notifications::WeeklySummary {
                recipient: stackrush_notifications::RecipientId::from_bytes(d.user.bytes()),
                week: d.week,
                xp: d.xp,
                solved: d.solved,
                submissions: d.submissions,
                streak: d.momentum.streak,
                rank: d.momentum.rank,
                rank_change: d.momentum.rank_change,
                suggestions: d
                    .hints
                    .into_iter()
                    .map(|h| stackrush_notifications::Suggestion {
                        title: h.title,
                        reason: h.reason,
                    })
                    .collect(),
            })
            .collect();
        self.0
            .queue_weekly(summaries)
            .await
            .map_err(|e| anyhow::anyhow!("notifications outbox: {e}"))?;
        Ok(())
    }
}
