//! The reviews context's outbound ports, served by other contexts.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use stackrush_challenges::{ChallengeApi, ChallengeError, ChallengeId, ChallengeView};
use stackrush_identity::ports::UserRepository;
use stackrush_identity::{IdentityApi, UserId};
use stackrush_kernel::PageRequest;
use stackrush_notifications::{Kind, NotificationApi, Notify, Priority, RecipientId};
use stackrush_reviews::ports::{
    Attempts, Challenges, Members, ReviewEvent, ReviewEvents, Submissions, SubmittedCode,
};
use stackrush_reviews::{
    ChallengeFacts, ChallengeRef, CodeReviewStatus, Face, MemberId, ReviewedSubmission,
    SubmissionRef,
};
use stackrush_scoring::{
    RunStatus, ScoringApi, ScoringError, SubmissionFilter, SubmissionId, Viewer,
};

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

/// Submissions as scoring keeps them, read as their owner would.
pub struct OwnedSubmissions(pub Arc<dyn ScoringApi>);

#[async_trait]
impl Submissions for OwnedSubmissions {
    async fn of_owner(
        &self,
        owner: MemberId,
        id: SubmissionRef,
    ) -> anyhow::Result<Option<SubmittedCode>> {
        let viewer = Viewer {
            player: stackrush_scoring::PlayerId::from_bytes(owner.bytes()),
            is_admin: false,
        };
        let found = match self
            .0
            .submission(viewer, SubmissionId::from_bytes(id.bytes()))
            .await
        {
            Ok(s) => s,
            Err(ScoringError::SubmissionNotFound) => return Ok(None),
            Err(e) => return Err(anyhow::anyhow!("scoring submission: {e}")),
        };
        // Challenge authors may read submissions too: only the owner's own count here.
        if found.player.bytes() != owner.bytes() {
            return Ok(None);
        }
        Ok(Some(SubmittedCode {
            submission: ReviewedSubmission {
                id,
                challenge: ChallengeRef::from_bytes(found.challenge.bytes()),
                language: found.language.as_str().to_owned(),
                challenge_type: found.challenge_type.clone(),
                difficulty: found.difficulty.clone(),
                lines: found.lines(),
            },
            code: found.code,
        }))
    }
}

/// Code review events as social notifications to the submission's author, each at most once.
pub struct NotifyOnReviews(pub Arc<dyn NotificationApi>);

#[async_trait]
impl ReviewEvents for NotifyOnReviews {
    async fn publish(&self, event: ReviewEvent) {
        let (to, title, message, data, key) = match &event {
            ReviewEvent::Claimed { to, by, review } => (
                *to,
                "Your code is being reviewed".to_owned(),
                "A reviewer took your code review request.".to_owned(),
                serde_json::json!({ "codeReviewId": review.to_hex(), "reviewerId": by.to_hex() }),
                format!("code-review-claim:{}:{}", review.to_hex(), by.to_hex()),
            ),
            ReviewEvent::Commented {
                to,
                by,
                review,
                comment,
            } => (
                *to,
                "New comment on your code review".to_owned(),
                "Your reviewer left a comment.".to_owned(),
                serde_json::json!({
                    "codeReviewId": review.to_hex(), "commentId": comment.to_hex(),
                    "authorId": by.to_hex(),
                }),
                format!("code-review-comment:{}", comment.to_hex()),
            ),
            ReviewEvent::Decided {
                to,
                review,
                version,
                status,
            } => {
                let verdict = match status {
                    CodeReviewStatus::Approved => "approved",
                    CodeReviewStatus::Rejected => "rejected",
                    _ => "sent back with requested changes",
                };
                (
                    *to,
                    format!("Your code review was {verdict}"),
                    "Your reviewer decided; see the summary.".to_owned(),
                    serde_json::json!({ "codeReviewId": review.to_hex(), "status": status.as_str() }),
                    format!("code-review-decision:{}:{version}", review.to_hex()),
                )
            }
        };
        let notify = Notify {
            recipient: RecipientId::from_bytes(to.bytes()),
            kind: Kind::Social,
            title,
            message,
            data: data.as_object().cloned().unwrap_or_default(),
            priority: Priority::Normal,
            dedup_key: Some(key),
            expires_at: None,
            email: false,
        };
        if let Err(e) = self.0.notify(vec![notify]).await {
            tracing::warn!(error = %e, "code review notification failed");
        }
    }
}

/// Reviewer XP through scoring's ledger (scoring owns the amount, the once-per-review rule and
/// the daily cap).
pub struct ScoringRewards(pub Arc<dyn ScoringApi>);

#[async_trait]
impl stackrush_reviews::ports::ReviewerRewards for ScoringRewards {
    async fn reward(
        &self,
        reviewer: MemberId,
        review: stackrush_reviews::CodeReviewId,
    ) -> anyhow::Result<u64> {
        self.0
            .reward_review(
                stackrush_scoring::PlayerId::from_bytes(reviewer.bytes()),
                stackrush_scoring::ReviewRef::from_bytes(review.bytes()),
            )
            .await
            .map_err(|e| anyhow::anyhow!("scoring reward: {e}"))
    }
}
