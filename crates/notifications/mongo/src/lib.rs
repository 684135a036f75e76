//! MongoDB adapter of the notification ports; [`ensure_indexes`] is idempotent and runs at start.
//! Expired documents are invisible at once and removed by the server's TTL monitor (`expiresAt`
//! TTL index); `purge_expired` exists for completeness.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{doc, Bson, DateTime as BsonTime, Document};
use mongodb::options::IndexOptions;
use mongodb::{Collection, Database};
use serde::{Deserialize, Serialize};
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_notifications::ports::NotificationRepository;
use stackrush_notifications::{
    Filter, Kind, Notification, NotificationId, Priority, RecipientId, Sort, Unread,
};
use stackrush_store_mongo::corrupt;

mod outbox;
pub use outbox::MongoOutbox;

const NOTIFICATIONS: &str = "notifications";

pub(crate) fn store_error(err: mongodb::error::Error) -> StoreError {
    stackrush_store_mongo::store_error(err, &[("notifications_dedup", "dedup")])
}

pub(crate) fn time(t: DateTime<Utc>) -> BsonTime {
    BsonTime::from_chrono(t)
}

/// Creates this context's indexes (a TTL index removes expired notifications).
pub async fn ensure_indexes(db: &Database) -> Result<(), StoreError> {
    let index = |keys: Document, name: &str, options: IndexOptions| {
        stackrush_store_mongo::named_index(keys, name, Some(options))
    };
    db.collection::<Document>(NOTIFICATIONS)
        .create_indexes([
            index(
                doc! { "recipient": 1, "status.isRead": 1, "expiresAt": 1 },
                "notifications_unread",
                IndexOptions::default(),
            ),
            index(
                doc! { "recipient": 1, "createdAt": -1, "_id": -1 },
                "notifications_recipient_created",
                IndexOptions::default(),
            ),
            index(
                doc! { "recipient": 1, "dedupKey": 1 },
                "notifications_dedup",
                IndexOptions::builder()
                    .unique(true)
                    .partial_filter_expression(doc! { "dedupKey": { "$type": "string" } })
                    .build(),
            ),
            index(
                doc! { "expiresAt": 1 },
                "notifications_ttl",
                IndexOptions::builder()
                    .expire_after(std::time::Duration::from_secs(0))
                    .build(),
            ),
        ])
        .await
        .map_err(store_error)?;
    outbox::ensure_indexes(db).await
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatusDoc {
    is_read: bool,
    read_at: Option<BsonTime>,
    is_delivered: bool,
    delivered_at: Option<BsonTime>,
}

/// A notification document; field names follow the architecture document.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NotificationDoc {
    #[serde(rename = "_id")]
    id: ObjectId,
    recipient: ObjectId,
    #[serde(rename = "type")]
    kind: String,
    title: String,
    message: String,
    data: Document,
    priority: String,
    priority_rank: i32,
    status: StatusDoc,
    #[serde(skip_serializing_if = "Option::is_none")]
    dedup_key: Option<String>,
    created_at: BsonTime,
    expires_at: Option<BsonTime>,
}

impl NotificationDoc {
    fn new(n: &Notification) -> Result<Self, StoreError> {
        let data = mongodb::bson::to_document(&n.data).map_err(|e| StoreError::Other(e.into()))?;
        Ok(Self {
            id: ObjectId::from_bytes(n.id.bytes()),
            recipient: ObjectId::from_bytes(n.recipient.bytes()),
            kind: n.kind.as_str().to_owned(),
            title: n.title.clone(),
            message: n.message.clone(),
            data,
            priority: n.priority.as_str().to_owned(),
            priority_rank: i32::from(n.priority.rank()),
            status: StatusDoc {
                is_read: n.is_read,
                read_at: n.read_at.map(time),
                is_delivered: n.is_delivered,
                delivered_at: n.delivered_at.map(time),
            },
            dedup_key: n.dedup_key.clone(),
            created_at: time(n.created_at),
            expires_at: n.expires_at.map(time),
        })
    }
}

impl TryFrom<NotificationDoc> for Notification {
    type Error = StoreError;

    fn try_from(d: NotificationDoc) -> Result<Self, StoreError> {
        let data: serde_json::Map<String, serde_json::Value> =
            mongodb::bson::from_document(d.data).map_err(|e| corrupt("data", e))?;
        Ok(Self {
            id: NotificationId::from_bytes(d.id.bytes()),
            recipient: RecipientId::from_bytes(d.recipient.bytes()),
            kind: Kind::parse(&d.kind).ok_or_else(|| corrupt("type", &d.kind))?,
            title: d.title,
            message: d.message,
            data,
            priority: Priority::parse(&d.priority)
                .ok_or_else(|| corrupt("priority", &d.priority))?,
            is_read: d.status.is_read,
            read_at: d.status.read_at.map(BsonTime::to_chrono),
            is_delivered: d.status.is_delivered,
            delivered_at: d.status.delivered_at.map(BsonTime::to_chrono),
            dedup_key: d.dedup_key,
            created_at: d.created_at.to_chrono(),
            expires_at: d.expires_at.map(BsonTime::to_chrono),
        })
    }
}

/// Notifications in the `notifications` collection.
#[derive(Debug, Clone)]
pub struct MongoNotifications {
    collection: Collection<NotificationDoc>,
}

impl MongoNotifications {
    /// The adapter over `db` (indexed with [`ensure_indexes`]).
    pub fn new(db: &Database) -> Self {
        Self {
            collection: db.collection(NOTIFICATIONS),
        }
    }
}

fn live(recipient: RecipientId, now: DateTime<Utc>) -> Document {
    doc! {
        "recipient": ObjectId::from_bytes(recipient.bytes()),
        "$or": [ { "expiresAt": Bson::Null }, { "expiresAt": { "$gt": time(now) } } ],
    }
}

fn filter_doc(recipient: RecipientId, f: &Filter, now: DateTime<Utc>) -> Document {
    let mut d = live(recipient, now);
    if let Some(k) = f.kind {
        d.insert("type", k.as_str());
    }
    if let Some(r) = f.is_read {
        d.insert("status.isRead", r);
    }
    if let Some(p) = f.priority {
        d.insert("priority", p.as_str());
    }
    let mut created = Document::new();
    if let Some(t) = f.from {
        created.insert("$gte", time(t));
    }
    if let Some(t) = f.to {
        created.insert("$lte", time(t));
    }
    if !created.is_empty() {
        d.insert("createdAt", created);
    }
    d
}

/// Inserts `docs` one by one, skipping those a unique index already holds (a duplicate skips
/// that document, not the rest); how many were inserted.
pub(crate) async fn insert_new<T>(
    collection: &Collection<T>,
    docs: Vec<T>,
) -> Result<usize, StoreError>
where
    T: Serialize + Send + Sync,
{
    let mut stored = 0;
    for doc in docs {
        match collection.insert_one(doc).await {
            Ok(_) => stored += 1,
            Err(e) => match store_error(e) {
                StoreError::Conflict { .. } => {}
                other => return Err(other),
            },
        }
    }
    Ok(stored)
}

#[async_trait]
impl NotificationRepository for MongoNotifications {
    async fn insert_many(&self, items: &[Notification]) -> Result<usize, StoreError> {
        let docs = items
            .iter()
            .map(NotificationDoc::new)
            .collect::<Result<Vec<_>, _>>()?;
        insert_new(&self.collection, docs).await
    }

    async fn list(
        &self,
        recipient: RecipientId,
        f: &Filter,
        page: PageRequest,
        now: DateTime<Utc>,
    ) -> Result<Page<Notification>, StoreError> {
        let field = match f.sort {
            Sort::CreatedAt => "createdAt",
            Sort::Priority => "priorityRank",
        };
        let direction = if f.descending { -1 } else { 1 };
        let mut sort = doc! { field: direction };
        if field != "createdAt" {
            sort.insert("createdAt", -1);
        }
        sort.insert("_id", -1);
        let found = stackrush_store_mongo::find_page(
            &self.collection,
            filter_doc(recipient, f, now),
            sort,
            page,
            &[],
        )
        .await?;
        let Page {
            items,
            request,
            total,
        } = found;
        Ok(Page {
            items: items
                .into_iter()
                .map(Notification::try_from)
                .collect::<Result<_, _>>()?,
            request,
            total,
        })
    }

    async fn unread_count(
        &self,
        recipient: RecipientId,
        now: DateTime<Utc>,
    ) -> Result<Unread, StoreError> {
        use futures::TryStreamExt;
        let mut filter = live(recipient, now);
        filter.insert("status.isRead", false);
        let groups: Vec<Document> = self
            .collection
            .aggregate([
                doc! { "$match": filter },
                // `$min` skips the notifications that never expire (null).
                doc! { "$group": {
                    "_id": null,
                    "count": { "$sum": 1 },
                    "next": { "$min": "$expiresAt" },
                } },
            ])
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        let Some(group) = groups.first() else {
            return Ok(Unread::default());
        };
        let count = match group.get("count") {
            Some(Bson::Int32(n)) => u64::try_from(*n).ok(),
            Some(Bson::Int64(n)) => u64::try_from(*n).ok(),
            _ => None,
        }
        .ok_or_else(|| corrupt("count", group))?;
        let next_expiry = match group.get("next") {
            Some(Bson::DateTime(t)) => Some(t.to_chrono()),
            _ => None,
        };
        Ok(Unread { count, next_expiry })
    }

    async fn mark_read(
        &self,
        recipient: RecipientId,
        id: NotificationId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut filter = live(recipient, now);
        filter.insert("_id", ObjectId::from_bytes(id.bytes()));
        // A pipeline keeps the first read time.
        let update = vec![doc! { "$set": {
            "status.isRead": true,
            "status.readAt": { "$ifNull": ["$status.readAt", time(now)] },
        } }];
        let done = self
            .collection
            .update_one(filter, update)
            .await
            .map_err(store_error)?;
        Ok(done.matched_count == 1)
    }

    async fn mark_all_read(
        &self,
        recipient: RecipientId,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut filter = live(recipient, now);
        filter.insert("status.isRead", false);
        let done = self
            .collection
            .update_many(
                filter,
                doc! { "$set": { "status.isRead": true, "status.readAt": time(now) } },
            )
            .await
            .map_err(store_error)?;
        Ok(done.modified_count)
    }

    async fn delete(&self, recipient: RecipientId, id: NotificationId) -> Result<bool, StoreError> {
        let done = self
            .collection
            .delete_one(doc! {
                "_id": ObjectId::from_bytes(id.bytes()),
                "recipient": ObjectId::from_bytes(recipient.bytes()),
            })
            .await
            .map_err(store_error)?;
        Ok(done.deleted_count == 1)
    }

    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = self
            .collection
            .delete_many(doc! { "expiresAt": { "$lte": time(now) } })
            .await
            .map_err(store_error)?;
        Ok(done.deleted_count)
    }
}
