use async_trait::async_trait;
use chrono::Utc;
use mongodb::bson::{doc, DateTime, Document};
use mongodb::options::ReturnDocument;
use mongodb::{Collection, Database};
use serde::{Deserialize, Serialize};
use stackrush_identity::ports::LoginThrottleRepository;
use stackrush_identity::{ThrottleKey, ThrottleState};
use stackrush_kernel::StoreError;

use crate::documents::bson_time;
use crate::{corrupt, store_error, LOGIN_THROTTLE};

/// One throttle record; MongoDB's TTL monitor removes it some time after `expiresAt` (reads
/// never trust that and filter on `expiresAt` themselves).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ThrottleDoc {
    pub subject: String,
    pub address: String,
    pub failures: i64,
    #[serde(default)]
    pub locked_until: Option<DateTime>,
    pub expires_at: DateTime,
}

/// The login throttle in the `login_throttle` collection (unique on subject and address).
#[derive(Debug, Clone)]
pub struct MongoLoginThrottle {
    collection: Collection<ThrottleDoc>,
}

impl MongoLoginThrottle {
    /// The adapter over `db` (indexed with [`crate::ensure_indexes`]).
    pub fn new(db: &Database) -> Self {
        Self {
            collection: db.collection(LOGIN_THROTTLE),
        }
    }
}

fn filter(key: &ThrottleKey) -> Document {
    doc! { "subject": &key.subject, "address": &key.address }
}

#[async_trait]
impl LoginThrottleRepository for MongoLoginThrottle {
    async fn get(
        &self,
        key: &ThrottleKey,
        now: chrono::DateTime<Utc>,
    ) -> Result<Option<ThrottleState>, StoreError> {
        let mut live = filter(key);
        live.insert("expiresAt", doc! { "$gt": bson_time(now) });
        let Some(found) = self.collection.find_one(live).await.map_err(store_error)? else {
            return Ok(None);
        };
        Ok(Some(ThrottleState {
            failures: u32::try_from(found.failures).map_err(|e| corrupt("failures", e))?,
            locked_until: found.locked_until.map(DateTime::to_chrono),
        }))
    }

    async fn count_failure(
        &self,
        key: &ThrottleKey,
        now: chrono::DateTime<Utc>,
        expires_at: chrono::DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        // An expired record goes first, so the count below starts again from 1 without its lock.
        let mut expired = filter(key);
        expired.insert("expiresAt", doc! { "$lte": bson_time(now) });
        self.collection
            .delete_one(expired)
            .await
            .map_err(store_error)?;
        let count = doc! {
            "$inc": { "failures": 1_i64 },
            "$set": { "expiresAt": bson_time(expires_at) },
        };
        // Count on the record if there is one, else create it with 1. First failures racing to
        // create it meet the unique index: the losers go back to counting on the winner's
        // record. (An upsert would do the same in one call, but this states the rule plainly
        // and does not lean on how a server retries upserts that collide.)
        for _ in 0..4 {
            let counted = self
                .collection
                .find_one_and_update(filter(key), count.clone())
                .return_document(ReturnDocument::After)
                .await
                .map_err(store_error)?;
            if let Some(counted) = counted {
                return u32::try_from(counted.failures).map_err(|e| corrupt("failures", e));
            }
            let first = ThrottleDoc {
                subject: key.subject.clone(),
                address: key.address.clone(),
                failures: 1,
                locked_until: None,
                expires_at: bson_time(expires_at),
            };
            match self.collection.insert_one(first).await.map_err(store_error) {
                Ok(_) => return Ok(1),
                Err(StoreError::Conflict { .. }) => continue,
                Err(other) => return Err(other),
            }
        }
        Err(StoreError::Other(anyhow::anyhow!(
            "login throttle record kept vanishing while counting"
        )))
    }

    async fn lock(
        &self,
        key: &ThrottleKey,
        until: chrono::DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // $max sets a missing or null field and never lowers a later one.
        self.collection
            .update_one(
                filter(key),
                doc! { "$max": { "lockedUntil": bson_time(until) } },
            )
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn clear(&self, key: &ThrottleKey) -> Result<(), StoreError> {
        self.collection
            .delete_one(filter(key))
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn clear_subject(&self, subject: &str) -> Result<(), StoreError> {
        self.collection
            .delete_many(doc! { "subject": subject })
            .await
            .map_err(store_error)?;
        Ok(())
    }
}
