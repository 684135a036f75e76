//! The learning context's outbound ports, served by the identity, challenges, scoring and
//! notifications contexts.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use stackrush_challenges::{ChallengeApi, ChallengeError, ChallengeId};
use stackrush_files::{FileKey, FileStore};
use stackrush_identity::{IdentityApi, UserId};
use stackrush_learning::ports::{CertificateFiles, Challenges, Members, Practice, Rewards};
use stackrush_learning::{CertificateId, ChallengeRef, Face, MemberId, Playlist, PlaylistId};
use stackrush_learning::{PracticeFigures, TypeRecord};
use stackrush_notifications::{Kind, NotificationApi, Notify, Priority, RecipientId};
use stackrush_scoring::{PlayerId, PlaylistRef, ScoringApi};

/// Members as the identity context shows them.
pub struct IdentityMembers {
    pub identity: Arc<dyn IdentityApi>,
}

#[async_trait]
impl Members for IdentityMembers {
    async fn faces(&self, members: &[MemberId]) -> anyhow::Result<HashMap<MemberId, Face>> {
        let ids = members
            .iter()
            .map(|m| UserId::from_bytes(m.bytes()))
            .collect();
        let found = self
            .identity
            .summaries(ids)
            .await
            .map_err(|e| anyhow::anyhow!("identity summaries: {e}"))?;
        Ok(found
            .into_iter()
            .map(|s| {
                let face = Face {
                    username: s.username,
                    first_name: s.first_name,
                    last_name: s.last_name,
                    avatar: s.avatar,
                };
                (MemberId::from_bytes(s.id.bytes()), face)
            })
            .collect())
    }
}

/// Challenges as the challenges context lists them to anyone, solves as scoring records them.
pub struct CatalogueAndScoring {
    pub challenges: Arc<dyn ChallengeApi>,
    pub scoring: Arc<dyn ScoringApi>,
}

#[async_trait]
impl Challenges for CatalogueAndScoring {
    async fn public_type(&self, challenge: ChallengeRef) -> anyhow::Result<Option<String>> {
        // Read as nobody in particular: only what everyone may see (public and active).
        match self
            .challenges
            .get(None, ChallengeId::from_bytes(challenge.bytes()))
            .await
        {
            Ok(view) => Ok((view.challenge.is_public && view.challenge.is_active)
                .then(|| view.challenge.kind.as_str().to_owned())),
            Err(ChallengeError::NotFound) => Ok(None),
            Err(e) => Err(anyhow::anyhow!("challenges: {e}")),
        }
    }

    async fn solved(&self, member: MemberId, challenge: ChallengeRef) -> anyhow::Result<bool> {
        self.scoring
            .has_solved(
                PlayerId::from_bytes(member.bytes()),
                stackrush_scoring::ChallengeRef::from_bytes(challenge.bytes()),
            )
            .await
            .map_err(|e| anyhow::anyhow!("scoring: {e}"))
    }
}

/// Completion XP through scoring's ledger, the news through notifications.
pub struct ScoringRewards {
    pub scoring: Arc<dyn ScoringApi>,
    pub notifications: Arc<dyn NotificationApi>,
}

#[async_trait]
impl Rewards for ScoringRewards {
    async fn award_completion(
        &self,
        learner: MemberId,
        playlist: PlaylistId,
        xp: u64,
    ) -> anyhow::Result<u64> {
        self.scoring
            .reward_playlist(
                PlayerId::from_bytes(learner.bytes()),
                PlaylistRef::from_bytes(playlist.bytes()),
                xp,
            )
            .await
            .map_err(|e| anyhow::anyhow!("scoring: {e}"))
    }

    async fn notify_completion(&self, learner: MemberId, playlist: &Playlist, xp: u64) {
        let mut data = serde_json::Map::new();
        data.insert("playlistId".into(), playlist.id.to_hex().into());
        data.insert("xp".into(), xp.into());
        let request = Notify {
            recipient: RecipientId::from_bytes(learner.bytes()),
            kind: Kind::Achievement,
            title: format!("Playlist completed: {}", playlist.title),
            message: if xp > 0 {
                format!(
                    "You completed every lesson of \"{}\" and earned {xp} XP.",
                    playlist.title
                )
            } else {
                format!("You completed every lesson of \"{}\".", playlist.title)
            },
            data,
            priority: Priority::High,
            dedup_key: Some(format!("playlist-completed:{}", playlist.id.to_hex())),
            expires_at: None,
            email: false,
        };
        // The completion is stored already; a failed notification is logged, never fatal.
        if let Err(e) = self.notifications.notify(vec![request]).await {
            tracing::warn!(error = %e, playlist = %playlist.id, "could not store a notification");
        }
    }
}

/// Certificate drawings in file storage, under `certificates/<id>.svg`.
pub struct StoredDrawings {
    pub files: Arc<dyn FileStore>,
}

impl StoredDrawings {
    fn key(id: CertificateId) -> anyhow::Result<FileKey> {
        FileKey::parse(&format!("certificates/{}.svg", id.to_hex()))
            .map_err(|e| anyhow::anyhow!("certificate file key: {e}"))
    }
}

#[async_trait]
impl CertificateFiles for StoredDrawings {
    async fn get(&self, id: CertificateId) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(self.files.get(&Self::key(id)?).await?)
    }

    async fn put(&self, id: CertificateId, svg: Vec<u8>) -> anyhow::Result<()> {
        Ok(self.files.put(&Self::key(id)?, svg).await?)
    }
}

/// A learner's level and results per challenge type, as scoring counts them.
pub struct ScoringPractice {
    pub scoring: Arc<dyn ScoringApi>,
}

#[async_trait]
impl Practice for ScoringPractice {
    async fn figures(&self, member: MemberId) -> anyhow::Result<PracticeFigures> {
        let player = PlayerId::from_bytes(member.bytes());
        let (progress, stats) = futures::try_join!(
            self.scoring.progress(player),
            self.scoring.submission_stats(player)
        )
        .map_err(|e| anyhow::anyhow!("scoring: {e}"))?;
        Ok(PracticeFigures {
            level: progress.level,
            by_type: stats
                .by_type
                .into_iter()
                .map(|t| TypeRecord {
                    challenge_type: t.challenge_type,
                    scored: t.scored,
                    successes: t.successes,
                })
                .collect(),
        })
    }
}
