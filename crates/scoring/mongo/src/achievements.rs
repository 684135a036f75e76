//! Achievement definitions (`achievements`) and unlocks (`user_achievements`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::doc;
use stackrush_kernel::StoreError;
use stackrush_scoring::achievement::{Achievement, AchievementId};
use stackrush_scoring::ports::AchievementRepository;
use stackrush_scoring::PlayerId;

use crate::documents::{AchievementDoc, UnlockDoc};
use crate::{oid, store_error, MongoScoring, ACHIEVEMENTS, UNLOCKS};

#[async_trait]
impl AchievementRepository for MongoScoring {
    async fn insert(&self, a: &Achievement) -> Result<(), StoreError> {
        self.collection::<AchievementDoc>(ACHIEVEMENTS)
            .insert_one(AchievementDoc::from(a))
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn replace(&self, a: &Achievement) -> Result<bool, StoreError> {
        let done = self
            .collection::<AchievementDoc>(ACHIEVEMENTS)
            .replace_one(doc! { "_id": oid(a.id.bytes()) }, AchievementDoc::from(a))
            .await
            .map_err(store_error)?;
        Ok(done.matched_count == 1)
    }

    async fn delete(&self, id: AchievementId) -> Result<bool, StoreError> {
        let done = self
            .collection::<AchievementDoc>(ACHIEVEMENTS)
            .delete_one(doc! { "_id": oid(id.bytes()) })
            .await
            .map_err(store_error)?;
        Ok(done.deleted_count == 1)
    }

    async fn find(&self, id: AchievementId) -> Result<Option<Achievement>, StoreError> {
        Ok(self
            .collection::<AchievementDoc>(ACHIEVEMENTS)
            .find_one(doc! { "_id": oid(id.bytes()) })
            .await
            .map_err(store_error)?
            .map(Into::into))
    }

    async fn list(&self) -> Result<Vec<Achievement>, StoreError> {
        let docs: Vec<AchievementDoc> = self
            .collection::<AchievementDoc>(ACHIEVEMENTS)
            .find(doc! {})
            .sort(doc! { "createdAt": 1, "_id": 1 })
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        Ok(docs.into_iter().map(Into::into).collect())
    }

    async fn unlocked(
        &self,
        player: PlayerId,
    ) -> Result<Vec<(AchievementId, DateTime<Utc>)>, StoreError> {
        let docs: Vec<UnlockDoc> = self
            .collection::<UnlockDoc>(UNLOCKS)
            .find(doc! { "user": oid(player.bytes()) })
            .sort(doc! { "unlockedAt": 1, "achievement": 1 })
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        Ok(docs
            .into_iter()
            .map(|d| {
                (
                    AchievementId::from_bytes(d.achievement.bytes()),
                    d.unlocked_at.to_chrono(),
                )
            })
            .collect())
    }
}
