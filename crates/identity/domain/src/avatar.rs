//! Profile pictures their owners upload: checked by their bytes, stored under a key the service
//! makes, set as the profile's avatar, and the picture they replace removed.

use std::sync::Arc;

use async_trait::async_trait;
use stackrush_kernel::image::checked_image;
use stackrush_kernel::{Clock, ObjectIdBytes};

use crate::error::IdentityError;
use crate::model::*;
use crate::ports::UserRepository;

/// Where uploaded pictures are kept.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AvatarFiles: Send + Sync {
    /// Stores `bytes` under `key` and answers the URL they are served at.
    async fn store(&self, key: &str, bytes: Vec<u8>) -> anyhow::Result<String>;

    /// Removes the stored file `url` points to; URLs of files kept elsewhere are left alone.
    async fn discard(&self, url: &str) -> anyhow::Result<()>;
}

/// The avatar use case's inbound port.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AvatarApi: Send + Sync {
    /// Makes `image` (PNG, JPEG or WebP, at most [`stackrush_kernel::image::MAX_IMAGE_BYTES`])
    /// the caller's avatar; answers the URL it is served at. Errors: `Validation` (field
    /// `file`), `UserNotFound`, `Unavailable`.
    async fn replace(&self, actor: Actor, image: Vec<u8>) -> Result<String, IdentityError>;
}

/// Replaces avatars over the account store and the file store.
pub struct AvatarService {
    users: Arc<dyn UserRepository>,
    files: Arc<dyn AvatarFiles>,
    clock: Arc<dyn Clock>,
}

impl AvatarService {
    /// The service over its three ports.
    pub fn new(
        users: Arc<dyn UserRepository>,
        files: Arc<dyn AvatarFiles>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            users,
            files,
            clock,
        }
    }

    /// Removes a file that is no longer anyone's avatar; a failure leaves an unreferenced file
    /// (logged), never a broken profile.
    async fn discard(&self, url: &str) {
        if let Err(e) = self.files.discard(url).await {
            tracing::warn!(error = %e, "an unused avatar file could not be removed");
        }
    }
}

#[async_trait]
impl AvatarApi for AvatarService {
    async fn replace(&self, actor: Actor, image: Vec<u8>) -> Result<String, IdentityError> {
        let kind = checked_image(&image).map_err(|p| IdentityError::invalid("file", &p))?;
        let user = match self.users.find_by_id(actor.id).await? {
            Some(u) if u.is_usable() => u,
            _ => return Err(IdentityError::UserNotFound),
        };
        let now = self.clock.now();
        let key = format!(
            "avatars/{}/{}.{}",
            user.id,
            ObjectIdBytes::generate(now.timestamp()).to_hex(),
            kind.extension()
        );
        let url = self
            .files
            .store(&key, image)
            .await
            .map_err(IdentityError::Unavailable)?;
        let previous = user.profile.avatar.clone();
        let patch = UserPatch {
            profile: Some(Profile {
                avatar: Some(url.clone()),
                ..user.profile
            }),
            ..UserPatch::default()
        };
        match self.users.update(actor.id, &patch, now).await {
            Ok(Some(_)) => {
                if let Some(old) = previous {
                    self.discard(&old).await;
                }
                Ok(url)
            }
            Ok(None) => {
                self.discard(&url).await;
                Err(IdentityError::UserNotFound)
            }
            Err(e) => {
                self.discard(&url).await;
                Err(e.into())
            }
        }
    }
}
