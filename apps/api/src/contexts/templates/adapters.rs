//! The templates context's outbound ports, served by the identity context.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use stackrush_identity::ports::UserRepository;
use stackrush_identity::{IdentityApi, UserId};
use stackrush_templates::ports::Members;
use stackrush_templates::{Face, MemberId};

use crate::contexts::identity::live_account;

/// Members as the identity context keeps them: whether they may publish from the account,
/// faces from its summaries of live accounts.
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
                let member = MemberId::from_bytes(s.id.bytes());
                let face = Face {
                    username: s.username,
                    first_name: s.first_name,
                    last_name: s.last_name,
                    avatar: s.avatar,
                };
                (member, face)
            })
            .collect())
    }
}
