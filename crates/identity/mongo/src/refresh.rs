use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mongodb::bson::{doc, Bson};
use mongodb::options::ReturnDocument;
use mongodb::{Collection, Database};
use stackrush_identity::ports::RefreshTokenRepository;
use stackrush_identity::{ConsumeOutcome, RefreshTokenRecord, TokenFamilyId, UserId};
use stackrush_kernel::StoreError;

use crate::documents::{bson_time, oid, RefreshTokenDoc};
use crate::{store_error, REFRESH_TOKENS};

/// Refresh tokens in the `refresh_tokens` collection.
#[derive(Debug, Clone)]
pub struct MongoRefreshTokens {
    collection: Collection<RefreshTokenDoc>,
}

impl MongoRefreshTokens {
    /// The adapter over `db` (indexed with [`crate::ensure_indexes`]).
    pub fn new(db: &Database) -> Self {
        Self {
            collection: db.collection(REFRESH_TOKENS),
        }
    }
}

#[async_trait]
impl RefreshTokenRepository for MongoRefreshTokens {
    async fn insert(&self, record: &RefreshTokenRecord) -> Result<(), StoreError> {
        self.collection
            .insert_one(RefreshTokenDoc::from(record))
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn consume(&self, hash: &str, now: DateTime<Utc>) -> Result<ConsumeOutcome, StoreError> {
        // A single-document conditional update is atomic: one caller moves usedAt off null.
        let consumed = self
            .collection
            .find_one_and_update(
                doc! { "hash": hash, "usedAt": Bson::Null, "revokedAt": Bson::Null },
                doc! { "$set": { "usedAt": bson_time(now) } },
            )
            .return_document(ReturnDocument::After)
            .await
            .map_err(store_error)?;
        if let Some(doc) = consumed {
            return Ok(ConsumeOutcome::Consumed(doc.into()));
        }
        Ok(match self.find(hash).await? {
            Some(record) => ConsumeOutcome::Replayed(record),
            None => ConsumeOutcome::Unknown,
        })
    }

    async fn revoke_family(
        &self,
        family: TokenFamilyId,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let done = self
            .collection
            .update_many(
                doc! { "family": oid(family.bytes()), "revokedAt": Bson::Null },
                doc! { "$set": { "revokedAt": bson_time(now) } },
            )
            .await
            .map_err(store_error)?;
        Ok(done.modified_count)
    }

    async fn revoke_all_for_user(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let done = self
            .collection
            .update_many(
                doc! { "userId": oid(user.bytes()), "revokedAt": Bson::Null },
                doc! { "$set": { "revokedAt": bson_time(now) } },
            )
            .await
            .map_err(store_error)?;
        Ok(done.modified_count)
    }

    async fn find(&self, hash: &str) -> Result<Option<RefreshTokenRecord>, StoreError> {
        Ok(self
            .collection
            .find_one(doc! { "hash": hash })
            .await
            .map_err(store_error)?
            .map(Into::into))
    }
}
