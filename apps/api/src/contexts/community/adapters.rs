//! The community context's outbound ports, served by other contexts.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use stackrush_challenges::{ChallengeApi, ChallengeError, ChallengeId};
use stackrush_community::ports::{Challenges, CommunityEvent, CommunityEvents, Members};
use stackrush_community::{ChallengeRef, Face, MemberId, ModerationAction, PostId, Standing};
use stackrush_identity::ports::UserRepository;
use stackrush_identity::{IdentityApi, UserId};
use stackrush_notifications::{Kind, NotificationApi, Notify, Priority, RecipientId};

use crate::contexts::identity::live_account;

/// Members as the identity context keeps them: standing from the account, faces from its
/// summaries of live accounts.
pub struct IdentityMembers {
    pub users: Arc<dyn UserRepository>,
    pub identity: Arc<dyn IdentityApi>,
}

#[async_trait]
impl Members for IdentityMembers {
    async fn standing(&self, member: MemberId) -> anyhow::Result<Option<Standing>> {
        let user = live_account(self.users.as_ref(), member.bytes()).await?;
        Ok(user.map(|u| Standing {
            may_contribute: u.is_usable() && u.email_verified,
        }))
    }

    async fn faces(&self, members: &[MemberId]) -> anyhow::Result<HashMap<MemberId, Face>> {
        if members.is_empty() {
            return Ok(HashMap::new());
        }
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

    async fn count(&self) -> anyhow::Result<u64> {
        self.identity
            .active_user_count()
            .await
            .map_err(|e| anyhow::anyhow!("identity count: {e}"))
    }
}

/// Challenges a post may link to: what an anonymous visitor may open.
pub struct PublicChallenges(pub Arc<dyn ChallengeApi>);

#[async_trait]
impl Challenges for PublicChallenges {
    async fn is_public(&self, challenge: ChallengeRef) -> anyhow::Result<bool> {
        match self
            .0
            .get(None, ChallengeId::from_bytes(challenge.bytes()))
            .await
        {
            Ok(_) => Ok(true),
            Err(ChallengeError::NotFound) => Ok(false),
            Err(e) => Err(anyhow::anyhow!("challenges: {e}")),
        }
    }
}

fn social(
    to: MemberId,
    title: String,
    message: String,
    data: serde_json::Value,
    dedup_key: String,
) -> Notify {
    Notify {
        recipient: RecipientId::from_bytes(to.bytes()),
        kind: Kind::Social,
        title,
        message,
        data: data.as_object().cloned().unwrap_or_default(),
        priority: Priority::Normal,
        dedup_key: Some(dedup_key),
        expires_at: None,
        email: false,
    }
}

/// Community events as social notifications, each at most once (a dedup key per event).
pub struct NotifyOnCommunity(pub Arc<dyn NotificationApi>);

#[async_trait]
impl CommunityEvents for NotifyOnCommunity {
    async fn publish(&self, event: CommunityEvent) {
        let request = match &event {
            CommunityEvent::Replied {
                to,
                post,
                post_title,
                comment,
                on_comment,
                ..
            } => {
                let title: String = post_title.chars().take(150).collect();
                Notify {
                    recipient: RecipientId::from_bytes(to.bytes()),
                    kind: Kind::Social,
                    title: if *on_comment {
                        "New reply to your comment".to_owned()
                    } else {
                        "New comment on your post".to_owned()
                    },
                    message: format!("Someone replied on \"{title}\"."),
                    data: serde_json::json!({
                        "postId": post.to_hex(),
                        "commentId": comment.to_hex(),
                    })
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
                    priority: Priority::Normal,
                    dedup_key: Some(format!("reply:{}", comment.to_hex())),
                    expires_at: None,
                    email: false,
                }
            }
            CommunityEvent::Followed { to, by } => social(
                *to,
                "New follower".to_owned(),
                "Someone started following you.".to_owned(),
                serde_json::json!({ "followerId": by.to_hex() }),
                format!("follow:{}:{}", by.to_hex(), to.to_hex()),
            ),
            CommunityEvent::LikesReached {
                to,
                post,
                post_title,
                likes,
            } => social(
                *to,
                format!(
                    "Your post reached {likes} like{}",
                    if *likes == 1 { "" } else { "s" }
                ),
                format!(
                    "\"{}\" is getting noticed.",
                    post_title.chars().take(150).collect::<String>()
                ),
                serde_json::json!({ "postId": post.to_hex(), "likes": likes }),
                format!("likes:{}:{likes}", post.to_hex()),
            ),
            CommunityEvent::CollaborationRequested {
                to,
                by,
                post,
                post_title,
                request,
            } => social(
                *to,
                "New collaboration request".to_owned(),
                format!(
                    "Someone wants to collaborate on \"{}\".",
                    post_title.chars().take(150).collect::<String>()
                ),
                serde_json::json!({
                    "postId": post.to_hex(), "requestId": request.to_hex(), "requesterId": by.to_hex(),
                }),
                format!("collaboration:{}", request.to_hex()),
            ),
            CommunityEvent::CollaborationAnswered {
                to,
                post,
                request,
                accepted,
            } => social(
                *to,
                format!(
                    "Your collaboration request was {}",
                    if *accepted { "accepted" } else { "declined" }
                ),
                "The post's author answered your request.".to_owned(),
                serde_json::json!({ "postId": post.to_hex(), "requestId": request.to_hex(), "accepted": accepted }),
                format!("collaboration-answer:{}", request.to_hex()),
            ),
            CommunityEvent::MentorshipRequested { to, by, mentorship } => social(
                *to,
                "New mentorship request".to_owned(),
                "Someone asked you to mentor them.".to_owned(),
                serde_json::json!({
                    "mentorshipId": mentorship.to_hex(), "menteeId": by.to_hex(),
                }),
                format!("mentorship:{}", mentorship.to_hex()),
            ),
            CommunityEvent::MentorshipAnswered {
                to,
                by,
                mentorship,
                accepted,
            } => social(
                *to,
                format!(
                    "Your mentorship request was {}",
                    if *accepted { "accepted" } else { "declined" }
                ),
                "The member you asked answered your request.".to_owned(),
                serde_json::json!({
                    "mentorshipId": mentorship.to_hex(), "mentorId": by.to_hex(), "accepted": accepted,
                }),
                format!("mentorship-answer:{}", mentorship.to_hex()),
            ),
            CommunityEvent::Moderated {
                to,
                target,
                action,
                reason,
            } => {
                let what = target.kind();
                let done = match action {
                    ModerationAction::Delete => "removed",
                    _ => "hidden",
                };
                let id = PostId::from_bytes(target.bytes()).to_hex();
                Notify {
                    recipient: RecipientId::from_bytes(to.bytes()),
                    kind: Kind::Social,
                    title: format!("Your {what} was {done} by a moderator"),
                    message: format!("Reason: {}", reason.chars().take(1000).collect::<String>()),
                    data: serde_json::json!({ "targetType": what, "targetId": id, "action": action.as_str() })
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                    priority: Priority::High,
                    dedup_key: Some(format!("moderated:{what}:{id}:{}", action.as_str())),
                    expires_at: None,
                    email: false,
                }
            }
        };
        // The comment is stored already; a failed notification is logged, never fatal.
        if let Err(e) = self.0.notify(vec![request]).await {
            tracing::warn!(error = %e, "could not store a community notification");
        }
    }
}
