//! The scoring context's outbound ports, served by other contexts.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use stackrush_challenges::{AuthorId, Caller, ChallengeApi, ChallengeError, ChallengeId};
use stackrush_identity::ports::UserRepository;
use stackrush_identity::{Actor, IdentityApi, IdentityError, Role, UserId};
use stackrush_kernel::Clock;
use stackrush_learning::LearningApi;
use stackrush_notifications::{Kind, NotificationApi, Notify, Priority, RecipientId};
use stackrush_scoring::ports::{
    ChallengeCatalog, ChallengeTitle, PlayerDirectory, PlayerFace, PlayerInfo, ScoringEvent,
    ScoringEvents, StatsAccess,
};
use stackrush_scoring::{ChallengeRef, PlayerId, ScoringChallenge, ScoringTest, TestRef, Viewer};

use crate::contexts::identity::live_account;

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
            skills: found
                .tags
                .iter()
                .cloned()
                .chain(std::iter::once(found.category.clone()))
                .collect(),
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

    async fn titles(
        &self,
        viewer: Viewer,
        challenges: &[ChallengeRef],
    ) -> anyhow::Result<HashMap<ChallengeRef, ChallengeTitle>> {
        let caller = Caller {
            id: AuthorId::from_bytes(viewer.player.bytes()),
            is_admin: viewer.is_admin,
            can_create: false,
        };
        // Each challenge as the viewer may see it: one they may not (or that is gone) is simply
        // not named; a store that cannot answer fails the list.
        let mut titles = HashMap::with_capacity(challenges.len());
        for &id in challenges {
            let seen = match self
                .0
                .get(Some(caller), ChallengeId::from_bytes(id.bytes()))
                .await
            {
                Ok(view) => Some(view),
                Err(ChallengeError::NotFound) => None,
                Err(e) => return Err(anyhow::anyhow!("challenges: {e}")),
            };
            if let Some(view) = seen {
                let c = view.challenge;
                let title = ChallengeTitle {
                    title: c.title,
                    slug: c.slug,
                    kind: c.kind.as_str().to_owned(),
                };
                titles.insert(id, title);
            }
        }
        Ok(titles)
    }
}

/// The scoring context's player directory, served by the identity context: listing and time
/// zone from its accounts, faces from its (usable) accounts' summaries.
pub struct IdentityPlayers {
    pub users: Arc<dyn UserRepository>,
    pub identity: Arc<dyn IdentityApi>,
}

#[async_trait]
impl PlayerDirectory for IdentityPlayers {
    async fn player(&self, id: PlayerId) -> anyhow::Result<Option<PlayerInfo>> {
        let user = live_account(self.users.as_ref(), id.bytes()).await?;
        Ok(user.map(|u| PlayerInfo {
            listed: u.is_ranked(),
            timezone: u.preferences.timezone,
        }))
    }

    async fn faces(&self, players: &[PlayerId]) -> anyhow::Result<HashMap<PlayerId, PlayerFace>> {
        let ids = players
            .iter()
            .map(|p| UserId::from_bytes(p.bytes()))
            .collect();
        let found = self
            .identity
            .summaries(ids)
            .await
            .map_err(|e| anyhow::anyhow!("identity summaries: {e}"))?;
        Ok(found
            .into_iter()
            .map(|s| {
                let face = PlayerFace {
                    username: s.username,
                    first_name: s.first_name,
                    last_name: s.last_name,
                    avatar: s.avatar,
                };
                (PlayerId::from_bytes(s.id.bytes()), face)
            })
            .collect())
    }

    async fn stats_access(
        &self,
        viewer: Option<Viewer>,
        player: PlayerId,
    ) -> anyhow::Result<StatsAccess> {
        // Identity's one privacy rule decides, as for the profile and `/users/{id}/stats`.
        let actor = viewer.map(|v| Actor {
            id: UserId::from_bytes(v.player.bytes()),
            roles: if v.is_admin {
                vec![Role::User, Role::Admin]
            } else {
                vec![Role::User]
            },
        });
        match self
            .identity
            .user_by_id(actor, UserId::from_bytes(player.bytes()))
            .await
        {
            Ok(view) if view.shows_stats() => Ok(StatsAccess::Shown),
            Ok(_) => Ok(StatsAccess::StatsPrivate),
            Err(IdentityError::UserNotFound) => Ok(StatsAccess::Unknown),
            Err(IdentityError::ProfilePrivate) => Ok(StatsAccess::ProfilePrivate),
            Err(e) => Err(anyhow::anyhow!("identity: {e}")),
        }
    }
}

/// Scoring's events as notifications (each event has a dedup key, so it never notifies twice),
/// and solves passed on to the learning context.
pub struct NotifyOnScoring {
    pub notifications: Arc<dyn NotificationApi>,
    /// Whose day a streak milestone is deduplicated on (the service's clock).
    pub clock: Arc<dyn Clock>,
    pub learning: Arc<LearningLink>,
}

/// The learning context, reached once it is built (it is built after scoring, which it needs).
#[derive(Default)]
pub struct LearningLink(OnceLock<Arc<dyn LearningApi>>);

impl LearningLink {
    /// Reaches `learning` from now on.
    pub fn bind(&self, learning: Arc<dyn LearningApi>) {
        if self.0.set(learning).is_err() {
            tracing::warn!("the learning link was bound twice; the first binding stays");
        }
    }

    /// A solve completes the challenge lessons of the player's enrolments; a failure is
    /// logged (the scoring is committed, and the learner can still report the lesson).
    async fn solved(&self, player: PlayerId, challenge: ChallengeRef) {
        let Some(learning) = self.0.get() else {
            return;
        };
        let member = stackrush_learning::MemberId::from_bytes(player.bytes());
        let challenge = stackrush_learning::ChallengeRef::from_bytes(challenge.bytes());
        if let Err(e) = learning.challenge_solved(member, challenge).await {
            tracing::warn!(error = %e, "could not complete learning lessons after a solve");
        }
    }
}

fn notify(
    player: PlayerId,
    kind: Kind,
    title: String,
    message: String,
    data: serde_json::Value,
    priority: Priority,
    dedup_key: String,
) -> Notify {
    Notify {
        recipient: RecipientId::from_bytes(player.bytes()),
        kind,
        title,
        message,
        data: match data {
            serde_json::Value::Object(map) => map,
            _ => serde_json::Map::new(),
        },
        priority,
        dedup_key: Some(dedup_key),
        expires_at: None,
        email: false,
    }
}

#[async_trait]
impl ScoringEvents for NotifyOnScoring {
    async fn publish(&self, event: ScoringEvent) {
        let request = match &event {
            ScoringEvent::ChallengeSolved { player, challenge } => {
                self.learning.solved(*player, *challenge).await;
                return;
            }
            ScoringEvent::AchievementUnlocked {
                player,
                achievement,
                name,
                xp,
                rarity,
            } => Notify {
                // Rare achievements are milestones worth an email too.
                email: rarity.is_rare(),
                ..notify(
                    *player,
                    Kind::Achievement,
                    format!("Achievement unlocked: {name}"),
                    format!("You earned \"{name}\" and {xp} XP."),
                    serde_json::json!({ "achievementId": achievement.to_hex(), "xp": xp }),
                    Priority::High,
                    format!("achievement:{}", achievement.to_hex()),
                )
            },
            ScoringEvent::LevelUp { player, level } => Notify {
                // A level reached is a milestone worth an email too.
                email: true,
                ..notify(
                    *player,
                    Kind::Level,
                    format!("Level {level} reached"),
                    format!("You are now level {level}."),
                    serde_json::json!({ "level": level }),
                    Priority::Normal,
                    format!("level:{level}"),
                )
            },
            ScoringEvent::StreakMilestone { player, days } => notify(
                *player,
                Kind::Streak,
                format!("{days}-day streak"),
                format!("You have succeeded {days} days in a row."),
                serde_json::json!({ "streak": days }),
                Priority::Normal,
                // A milestone can be reached again after a break: once per day at most.
                format!("streak:{days}:{}", self.clock.now().date_naive()),
            ),
        };
        // The scoring is committed already; a failed notification is logged, never fatal.
        if let Err(e) = self.notifications.notify(vec![request]).await {
            tracing::warn!(error = %e, ?event, "could not store a notification");
        }
    }
}
