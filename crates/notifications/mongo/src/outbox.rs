//! The mail outbox in the `mailOutbox` collection.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{doc, DateTime as BsonTime, Document};
use mongodb::options::{IndexOptions, ReturnDocument};
use mongodb::{Collection, Database};
use serde::{Deserialize, Serialize};
use stackrush_kernel::StoreError;
use stackrush_notifications::mail::MailOutbox;
use stackrush_notifications::{MailId, MailState, QueuedMail, RecipientId};
use stackrush_store_mongo::corrupt;

use crate::{store_error, time};

const OUTBOX: &str = "mailOutbox";

/// Creates the outbox's indexes: one mail per recipient and key, the sender's due scan, and
/// finished mails by time (the periodic purge).
pub(crate) async fn ensure_indexes(db: &Database) -> Result<(), StoreError> {
    let index = |keys: Document, name: &str, options: IndexOptions| {
        stackrush_store_mongo::named_index(keys, name, Some(options))
    };
    db.collection::<Document>(OUTBOX)
        .create_indexes([
            index(
                doc! { "recipient": 1, "key": 1 },
                "mail_outbox_key",
                IndexOptions::builder().unique(true).build(),
            ),
            index(
                doc! { "state": 1, "nextTryAt": 1, "_id": 1 },
                "mail_outbox_due",
                IndexOptions::default(),
            ),
            index(
                doc! { "finishedAt": 1 },
                "mail_outbox_finished",
                IndexOptions::default(),
            ),
        ])
        .await
        .map_err(store_error)?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MailDoc {
    #[serde(rename = "_id")]
    id: ObjectId,
    recipient: ObjectId,
    key: String,
    subject: String,
    text: String,
    state: String,
    attempts: i64,
    created_at: BsonTime,
    next_try_at: BsonTime,
    finished_at: Option<BsonTime>,
}

impl MailDoc {
    fn new(m: &QueuedMail) -> Self {
        Self {
            id: ObjectId::from_bytes(m.id.bytes()),
            recipient: ObjectId::from_bytes(m.recipient.bytes()),
            key: m.key.clone(),
            subject: m.subject.clone(),
            text: m.text.clone(),
            state: m.state.as_str().to_owned(),
            attempts: i64::from(m.attempts),
            created_at: time(m.created_at),
            next_try_at: time(m.next_try_at),
            finished_at: m.finished_at.map(time),
        }
    }
}

impl TryFrom<MailDoc> for QueuedMail {
    type Error = StoreError;

    fn try_from(d: MailDoc) -> Result<Self, StoreError> {
        Ok(Self {
            id: MailId::from_bytes(d.id.bytes()),
            recipient: RecipientId::from_bytes(d.recipient.bytes()),
            key: d.key,
            subject: d.subject,
            text: d.text,
            state: MailState::parse(&d.state).ok_or_else(|| corrupt("state", &d.state))?,
            attempts: u32::try_from(d.attempts).map_err(|e| corrupt("attempts", e))?,
            created_at: d.created_at.to_chrono(),
            next_try_at: d.next_try_at.to_chrono(),
            finished_at: d.finished_at.map(BsonTime::to_chrono),
        })
    }
}

/// The outbox of mails.
#[derive(Debug, Clone)]
pub struct MongoOutbox {
    collection: Collection<MailDoc>,
}

impl MongoOutbox {
    /// The adapter over `db` (indexed with [`crate::ensure_indexes`]).
    pub fn new(db: &Database) -> Self {
        Self {
            collection: db.collection(OUTBOX),
        }
    }
}

#[async_trait]
impl MailOutbox for MongoOutbox {
    async fn enqueue(&self, mails: &[QueuedMail]) -> Result<usize, StoreError> {
        // A mail queued before (the unique key) is skipped.
        crate::insert_new(&self.collection, mails.iter().map(MailDoc::new).collect()).await
    }

    async fn holding(
        &self,
        key: &str,
        recipients: &[RecipientId],
    ) -> Result<Vec<RecipientId>, StoreError> {
        let mut found = Vec::new();
        for chunk in recipients.chunks(500) {
            let ids: Vec<ObjectId> = chunk
                .iter()
                .map(|r| ObjectId::from_bytes(r.bytes()))
                .collect();
            let docs: Vec<Document> = self
                .collection
                .clone_with_type::<Document>()
                .find(doc! { "key": key, "recipient": { "$in": ids } })
                .projection(doc! { "recipient": 1, "_id": 0 })
                .await
                .map_err(store_error)?
                .try_collect()
                .await
                .map_err(store_error)?;
            for d in docs {
                let id = d
                    .get_object_id("recipient")
                    .map_err(|e| corrupt("recipient", e))?;
                found.push(RecipientId::from_bytes(id.bytes()));
            }
        }
        Ok(found)
    }

    async fn claim(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<QueuedMail>, StoreError> {
        // One document at a time, each an atomic find-and-modify: racing claimers never take
        // the same mail.
        let mut claimed = Vec::new();
        for _ in 0..limit {
            let next = self
                .collection
                .find_one_and_update(
                    doc! { "state": MailState::Queued.as_str(), "nextTryAt": { "$lte": time(now) } },
                    doc! { "$inc": { "attempts": 1 }, "$set": { "nextTryAt": time(until) } },
                )
                .sort(doc! { "nextTryAt": 1, "_id": 1 })
                .return_document(ReturnDocument::After)
                .await
                .map_err(store_error)?;
            match next {
                Some(d) => claimed.push(QueuedMail::try_from(d)?),
                None => break,
            }
        }
        claimed.sort_by_key(|m| (m.created_at, m.id));
        Ok(claimed)
    }

    async fn finish(
        &self,
        id: MailId,
        state: MailState,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.collection
            .update_one(
                doc! { "_id": ObjectId::from_bytes(id.bytes()) },
                doc! { "$set": { "state": state.as_str(), "finishedAt": time(at) } },
            )
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn retry_at(&self, id: MailId, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.collection
            .update_one(
                doc! { "_id": ObjectId::from_bytes(id.bytes()), "state": MailState::Queued.as_str() },
                doc! { "$set": { "nextTryAt": time(at) } },
            )
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn find(&self, id: MailId) -> Result<Option<QueuedMail>, StoreError> {
        self.collection
            .find_one(doc! { "_id": ObjectId::from_bytes(id.bytes()) })
            .await
            .map_err(store_error)?
            .map(QueuedMail::try_from)
            .transpose()
    }

    async fn purge_finished(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = self
            .collection
            .delete_many(doc! { "finishedAt": { "$ne": null, "$lt": time(before) } })
            .await
            .map_err(store_error)?;
        Ok(done.deleted_count)
    }
}
