//! The reviews context's outbound ports, served by other contexts.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use stackrush_challenges::{ChallengeApi, ChallengeError, ChallengeId, ChallengeView};
use stackrush_identity::ports::UserRepository;
use stackrush_identity::{IdentityApi, UserId};
use stackrush_kernel::PageRequest;
use stackrush_reviews::ports::{Attempts, Challenges, Members};
use stackrush_reviews::{ChallengeFacts, ChallengeRef, Face, MemberId};
use stackrush_scoring::{RunStatus, ScoringApi, SubmissionFilter, Viewer};

use crate::contexts::identity::live_account;

/// Members as the identity context keeps them: whether they may write from the account, faces
/// from its summaries of live accounts.
pub struct IdentityMembers {
    pub users: Arc<dyn UserRepository>,
    pub identity: Arc<dyn IdentityApi>,
}

#[async_trait]
impl Members for IdentityMembers {
    async fn may_write(&self, member: MemberId) -> anyhow::Result<Option<bool>> {
        let user = live_account(self.users.as_ref(), member.bytes()).await?;
        Ok(user.map(|u| u.is_usable() && u.email_verified))
    }

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

/// Challenges as an anonymous visitor sees them: reviewed only while public.
pub struct PublicChallenges(pub Arc<dyn ChallengeApi>);

impl PublicChallenges {
    async fn public_view(&self, c: ChallengeRef) -> anyhow::Result<Option<ChallengeView>> {
        match self.0.get(None, ChallengeId::from_bytes(c.bytes())).await {
            Ok(view) => Ok(Some(view)),
            Err(ChallengeError::NotFound) => Ok(None),
            Err(e) => Err(anyhow::anyhow!("challenges: {e}")),
        }
    }
}

#[async_trait]
impl Challenges for PublicChallenges {
    async fn public(&self, c: ChallengeRef) -> anyhow::Result<Option<ChallengeFacts>> {
        Ok(self.public_view(c).await?.map(|v| ChallengeFacts {
            title: v.challenge.title,
            author: MemberId::from_bytes(v.challenge.author.bytes()),
        }))
    }

    async fn titles(
        &self,
        challenges: &[ChallengeRef],
    ) -> anyhow::Result<HashMap<ChallengeRef, String>> {
        let mut titles = HashMap::with_capacity(challenges.len());
        for &c in challenges {
            if let Some(v) = self.public_view(c).await? {
                titles.insert(c, v.challenge.title);
            }
        }
        Ok(titles)
    }
}

/// Attempts as scoring records them: a member tried a challenge once a submission of theirs
/// to it was scored (completed, failed or timed out).
pub struct ScoredAttempts(pub Arc<dyn ScoringApi>);

#[async_trait]
impl Attempts for ScoredAttempts {
    async fn has_scored(&self, member: MemberId, challenge: ChallengeRef) -> anyhow::Result<bool> {
        let viewer = Viewer {
            player: stackrush_scoring::PlayerId::from_bytes(member.bytes()),
            is_admin: false,
        };
        for status in [RunStatus::Completed, RunStatus::Failed, RunStatus::Timeout] {
            let filter = SubmissionFilter {
                challenge: Some(stackrush_scoring::ChallengeRef::from_bytes(
                    challenge.bytes(),
                )),
                status: Some(status),
                ..SubmissionFilter::default()
            };
            let found = self
                .0
                .submissions(viewer, filter, PageRequest::new(1, 1))
                .await
                .map_err(|e| anyhow::anyhow!("scoring submissions: {e}"))?;
            if found.items.total > 0 {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
