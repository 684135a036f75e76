//! Where one context needs another's data: the app adapts one's inbound port to the other's
//! outbound port, so context crates never import each other.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use stackrush_analytics::ports::{Linked, SubmissionLookup};
use stackrush_analytics::{Environment, FocusSession, SubmissionKey};
use stackrush_challenges::ports::AuthorDirectory;
use stackrush_challenges::{
    AuthorId, AuthorSummary, Caller, ChallengeApi, ChallengeError, ChallengeId,
};
use stackrush_identity::ports::UserRepository;
use stackrush_identity::{Actor, IdentityApi, Role, UserId};
use stackrush_notifications::ports::RecipientDirectory;
use stackrush_notifications::{Kind, NotificationApi, Notify, Priority, RecipientId, Wants};
use stackrush_scoring::ports::{
    ChallengeCatalog, PlayerDirectory, PlayerInfo, ScoringEvent, ScoringEvents,
};
use stackrush_scoring::{ChallengeRef, PlayerId, ScoringChallenge, ScoringTest, TestRef};
use stackrush_scoring::{FocusReport, Mode, ScoringApi, ScoringError, SubmissionId};

/// The challenges context's author directory, served by the identity context.
pub struct IdentityAuthors(pub Arc<dyn IdentityApi>);

#[async_trait]
impl AuthorDirectory for IdentityAuthors {
    async fn summaries(
        &self,
        ids: &[AuthorId],
    ) -> anyhow::Result<HashMap<AuthorId, AuthorSummary>> {
        let ids = ids
            .iter()
            .map(|id| UserId::from_bytes(id.bytes()))
            .collect();
        let found = self
            .0
            .summaries(ids)
            .await
            .map_err(|e| anyhow::anyhow!("identity summaries: {e}"))?;
        Ok(found
            .into_iter()
            .map(|u| {
                let id = AuthorId::from_bytes(u.id.bytes());
                (
                    id,
                    AuthorSummary {
                        id,
                        username: u.username,
                        first_name: u.first_name,
                        last_name: u.last_name,
                        avatar: u.avatar,
                    },
                )
            })
            .collect())
    }
}

/// The scoring context's challenge catalog, served by the challenges context.
pub struct ChallengesCatalog(pub Arc<dyn ChallengeApi>);

#[async_trait]
impl ChallengeCatalog for ChallengesCatalog {
    async fn for_scoring(
        &self,
        challenge: ChallengeRef,
        player: PlayerId,
    ) -> anyhow::Result<Option<ScoringChallenge>> {
        // The player as an ordinary caller: drafts are theirs to attempt only if they wrote them.
        let caller = Caller {
            id: AuthorId::from_bytes(player.bytes()),
            is_admin: false,
            can_create: false,
        };
        let found = match self
            .0
            .scoring_view(caller, ChallengeId::from_bytes(challenge.bytes()))
            .await
        {
            Ok(found) => found,
            Err(ChallengeError::NotFound) => return Ok(None),
            Err(e) => return Err(anyhow::anyhow!("challenges: {e}")),
        };
        Ok(Some(ScoringChallenge {
            id: challenge,
            author: PlayerId::from_bytes(found.author.bytes()),
            difficulty: found.difficulty.as_str().to_owned(),
            kind: found.kind.as_str().to_owned(),
            time_limit: found.time_limit,
            tests: found
                .code
                .test_cases
                .into_iter()
                .map(|t| ScoringTest {
                    id: TestRef::from_bytes(t.id.bytes()),
                    input: t.input,
                    expected_output: t.expected_output,
                    is_hidden: t.is_hidden,
                    weight: t.weight,
                })
                .collect(),
            forbidden_keywords: found.code.validation_rules.forbidden_keywords,
            required_keywords: found.code.validation_rules.required_keywords,
        }))
    }

    async fn author(&self, challenge: ChallengeRef) -> anyhow::Result<Option<PlayerId>> {
        // Read as an admin would: drafts and inactive challenges have authors too.
        let everything = Caller {
            id: AuthorId::from_bytes([0; 12]),
            is_admin: true,
            can_create: false,
        };
        match self
            .0
            .scoring_view(everything, ChallengeId::from_bytes(challenge.bytes()))
            .await
        {
            Ok(found) => Ok(Some(PlayerId::from_bytes(found.author.bytes()))),
            Err(ChallengeError::NotFound) => Ok(None),
            Err(e) => Err(anyhow::anyhow!("challenges: {e}")),
        }
    }
}

/// The account behind another context's user id, unless it was deleted.
async fn account(
    users: &dyn UserRepository,
    id: [u8; 12],
) -> anyhow::Result<Option<stackrush_identity::User>> {
    let user = users
        .find_by_id(UserId::from_bytes(id))
        .await
        .map_err(|e| anyhow::anyhow!("identity users: {e}"))?;
    Ok(user.filter(|u| u.deleted_at.is_none()))
}

/// The scoring context's player directory, served by the identity context's user store.
pub struct IdentityPlayers(pub Arc<dyn UserRepository>);

#[async_trait]
impl PlayerDirectory for IdentityPlayers {
    async fn player(&self, id: PlayerId) -> anyhow::Result<Option<PlayerInfo>> {
        let user = account(self.0.as_ref(), id.bytes()).await?;
        Ok(user.map(|u| PlayerInfo {
            listed: u.preferences.privacy.show_stats && u.is_active,
            timezone: u.preferences.timezone,
        }))
    }
}

/// The notifications context's recipient directory, served by the identity context's user store.
pub struct IdentityRecipients(pub Arc<dyn UserRepository>);

#[async_trait]
impl RecipientDirectory for IdentityRecipients {
    async fn wants(&self, id: RecipientId) -> anyhow::Result<Option<Wants>> {
        let user = account(self.0.as_ref(), id.bytes()).await?;
        Ok(user.filter(|u| u.is_active).map(|u| Wants {
            achievements: u.preferences.notifications.achievements,
            challenges: u.preferences.notifications.challenges,
        }))
    }
}

/// Scoring's events as notifications: each event has a dedup key, so it never notifies twice.
pub struct NotifyOnScoring(pub Arc<dyn NotificationApi>);

fn notify(
    player: PlayerId,
    title: String,
    message: String,
    data: serde_json::Value,
    priority: Priority,
    dedup_key: String,
) -> Notify {
    Notify {
        recipient: RecipientId::from_bytes(player.bytes()),
        kind: Kind::Achievement,
        title,
        message,
        data: match data {
            serde_json::Value::Object(map) => map,
            _ => serde_json::Map::new(),
        },
        priority,
        dedup_key: Some(dedup_key),
        expires_at: None,
    }
}

#[async_trait]
impl ScoringEvents for NotifyOnScoring {
    async fn publish(&self, event: ScoringEvent) {
        let request = match &event {
            ScoringEvent::AchievementUnlocked {
                player,
                achievement,
                name,
                xp,
            } => notify(
                *player,
                format!("Achievement unlocked: {name}"),
                format!("You earned \"{name}\" and {xp} XP."),
                serde_json::json!({ "achievementId": achievement.to_hex(), "xp": xp }),
                Priority::High,
                format!("achievement:{}", achievement.to_hex()),
            ),
            ScoringEvent::LevelUp { player, level } => notify(
                *player,
                format!("Level {level} reached"),
                format!("You are now level {level}."),
                serde_json::json!({ "level": level }),
                Priority::Normal,
                format!("level:{level}"),
            ),
            ScoringEvent::StreakMilestone { player, days } => notify(
                *player,
                format!("{days}-day streak"),
                format!("You have succeeded {days} days in a row."),
                serde_json::json!({ "streak": days }),
                Priority::Normal,
                // A milestone can be reached again after a break: once per day at most.
                format!("streak:{days}:{}", chrono::Utc::now().date_naive()),
            ),
        };
        // The scoring is committed already; a failed notification is logged, never fatal.
        if let Err(e) = self.0.notify(vec![request]).await {
            tracing::warn!(error = %e, ?event, "could not store a notification");
        }
    }
}

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

/// The identity context's actor as the scoring context's player.
pub fn player(actor: &Actor) -> PlayerId {
    PlayerId::from_bytes(actor.id.bytes())
}

/// The identity context's actor as the challenges context's caller.
pub fn caller(actor: &Actor) -> Caller {
    Caller {
        id: AuthorId::from_bytes(actor.id.bytes()),
        is_admin: actor.is_admin(),
        can_create: actor.is_admin() || actor.has_role(Role::Moderator),
    }
}
