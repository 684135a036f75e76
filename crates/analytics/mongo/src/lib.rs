//! MongoDB adapter of the analytics ports; [`ensure_indexes`] is idempotent and runs at start.

use async_trait::async_trait;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{doc, DateTime as BsonTime, Document};
use mongodb::options::IndexOptions;
use mongodb::{Collection, Database, IndexModel};
use serde::{Deserialize, Serialize};
use stackrush_analytics::audit::{
    ActionMatch, AuditActor, AuditEntry, AuditFilter, AuditId, AuditRepository,
};
use stackrush_analytics::ports::FocusSessionRepository;
use stackrush_analytics::{
    ChallengeKey, Environment, FocusSession, FocusSessionId, SessionFilter, SessionSort, SubjectId,
    SubmissionKey,
};
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_store_mongo::corrupt;

mod events;
pub use events::MongoEvents;

const SESSIONS: &str = "focus_sessions";
const AUDIT: &str = "audit_log";

fn store_error(err: mongodb::error::Error) -> StoreError {
    stackrush_store_mongo::store_error(err, &[])
}

fn oid(bytes: [u8; 12]) -> ObjectId {
    ObjectId::from_bytes(bytes)
}

/// Creates this context's indexes.
pub async fn ensure_indexes(db: &Database) -> Result<(), StoreError> {
    events::ensure_indexes(db).await?;
    db.collection::<Document>(SESSIONS)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "user": 1, "startTime": -1, "_id": -1 })
                .options(
                    IndexOptions::builder()
                        .name("focus_sessions_user_start".to_owned())
                        .build(),
                )
                .build(),
        )
        .await
        .map_err(store_error)?;
    let audit = |keys: Document, name: &str| {
        IndexModel::builder()
            .keys(keys)
            .options(IndexOptions::builder().name(name.to_owned()).build())
            .build()
    };
    db.collection::<Document>(AUDIT)
        .create_indexes([
            audit(doc! { "at": -1, "_id": -1 }, "audit_log_newest"),
            audit(doc! { "actor": 1, "at": -1, "_id": -1 }, "audit_log_actor"),
            audit(
                doc! { "action": 1, "at": -1, "_id": -1 },
                "audit_log_action",
            ),
            audit(
                doc! { "target": 1, "at": -1, "_id": -1 },
                "audit_log_target",
            ),
        ])
        .await
        .map_err(store_error)?;
    Ok(())
}

/// A focus session document (the client's field names).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionDoc {
    #[serde(rename = "_id")]
    id: ObjectId,
    user: ObjectId,
    challenge_id: Option<ObjectId>,
    submission_id: Option<ObjectId>,
    start_time: BsonTime,
    end_time: BsonTime,
    distractions_encountered: i64,
    focus_score: i64,
    environment: String,
    created_at: BsonTime,
}

impl From<&FocusSession> for SessionDoc {
    fn from(s: &FocusSession) -> Self {
        Self {
            id: oid(s.id.bytes()),
            user: oid(s.user.bytes()),
            challenge_id: s.challenge.map(|c| oid(c.bytes())),
            submission_id: s.submission.map(|c| oid(c.bytes())),
            start_time: BsonTime::from_chrono(s.start_time),
            end_time: BsonTime::from_chrono(s.end_time),
            distractions_encountered: i64::from(s.distractions_encountered),
            focus_score: i64::from(s.focus_score),
            environment: s.environment.as_str().to_owned(),
            created_at: BsonTime::from_chrono(s.created_at),
        }
    }
}

impl TryFrom<SessionDoc> for FocusSession {
    type Error = StoreError;

    fn try_from(d: SessionDoc) -> Result<Self, StoreError> {
        let small = |v: i64, what: &str| u32::try_from(v).map_err(|e| corrupt(what, e));
        Ok(Self {
            id: FocusSessionId::from_bytes(d.id.bytes()),
            user: SubjectId::from_bytes(d.user.bytes()),
            challenge: d.challenge_id.map(|c| ChallengeKey::from_bytes(c.bytes())),
            submission: d
                .submission_id
                .map(|c| SubmissionKey::from_bytes(c.bytes())),
            start_time: d.start_time.to_chrono(),
            end_time: d.end_time.to_chrono(),
            distractions_encountered: small(d.distractions_encountered, "distractions")?,
            focus_score: small(d.focus_score, "focus score")?,
            environment: Environment::parse(&d.environment)
                .ok_or_else(|| corrupt("environment", &d.environment))?,
            created_at: d.created_at.to_chrono(),
        })
    }
}

/// Focus sessions in the `focus_sessions` collection.
#[derive(Debug, Clone)]
pub struct MongoFocusSessions {
    collection: Collection<SessionDoc>,
}

impl MongoFocusSessions {
    /// The adapter over `db` (indexed with [`ensure_indexes`]).
    pub fn new(db: &Database) -> Self {
        Self {
            collection: db.collection(SESSIONS),
        }
    }
}

fn filter_doc(user: SubjectId, f: &SessionFilter) -> Document {
    let mut d = doc! { "user": oid(user.bytes()) };
    if let Some(c) = f.challenge {
        d.insert("challengeId", oid(c.bytes()));
    }
    if let Some(e) = f.environment {
        d.insert("environment", e.as_str());
    }
    let mut start = Document::new();
    if let Some(t) = f.from {
        start.insert("$gte", BsonTime::from_chrono(t));
    }
    if let Some(t) = f.to {
        start.insert("$lte", BsonTime::from_chrono(t));
    }
    if !start.is_empty() {
        d.insert("startTime", start);
    }
    d
}

fn convert(docs: Vec<SessionDoc>) -> Result<Vec<FocusSession>, StoreError> {
    docs.into_iter().map(FocusSession::try_from).collect()
}

#[async_trait]
impl FocusSessionRepository for MongoFocusSessions {
    async fn insert(&self, s: &FocusSession) -> Result<(), StoreError> {
        self.collection
            .insert_one(SessionDoc::from(s))
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn find(
        &self,
        user: SubjectId,
        id: FocusSessionId,
    ) -> Result<Option<FocusSession>, StoreError> {
        self.collection
            .find_one(doc! { "_id": oid(id.bytes()), "user": oid(user.bytes()) })
            .await
            .map_err(store_error)?
            .map(FocusSession::try_from)
            .transpose()
    }

    async fn list(
        &self,
        user: SubjectId,
        f: &SessionFilter,
        page: PageRequest,
    ) -> Result<Page<FocusSession>, StoreError> {
        let field = match f.sort {
            SessionSort::StartTime => "startTime",
            SessionSort::FocusScore => "focusScore",
        };
        let direction = if f.descending { -1 } else { 1 };
        let found = stackrush_store_mongo::find_page(
            &self.collection,
            filter_doc(user, f),
            doc! { field: direction, "_id": -1 },
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
            items: convert(items)?,
            request,
            total,
        })
    }

    async fn all(&self, user: SubjectId) -> Result<Vec<FocusSession>, StoreError> {
        use futures::TryStreamExt;
        let docs: Vec<SessionDoc> = self
            .collection
            .find(doc! { "user": oid(user.bytes()) })
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        convert(docs)
    }

    async fn average_focus(&self) -> Result<Option<f64>, StoreError> {
        use futures::TryStreamExt;
        let docs: Vec<Document> = self
            .collection
            .aggregate([doc! { "$group": { "_id": null, "average": { "$avg": "$focusScore" } } }])
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        Ok(docs.first().and_then(|d| d.get_f64("average").ok()))
    }

    async fn delete(&self, user: SubjectId, id: FocusSessionId) -> Result<bool, StoreError> {
        let done = self
            .collection
            .delete_one(doc! { "_id": oid(id.bytes()), "user": oid(user.bytes()) })
            .await
            .map_err(store_error)?;
        Ok(done.deleted_count == 1)
    }
}

/// An audit entry document.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuditDoc {
    #[serde(rename = "_id")]
    id: ObjectId,
    at: BsonTime,
    actor: Option<ObjectId>,
    action: String,
    target: Option<String>,
    address: Option<String>,
    request_id: Option<String>,
}

/// The audit log in the `audit_log` collection (inserted, never updated or deleted here).
#[derive(Debug, Clone)]
pub struct MongoAuditLog {
    collection: Collection<AuditDoc>,
}

impl MongoAuditLog {
    /// The adapter over `db` (indexed with [`ensure_indexes`]).
    pub fn new(db: &Database) -> Self {
        Self {
            collection: db.collection(AUDIT),
        }
    }
}

fn audit_filter(f: &AuditFilter) -> Document {
    let mut d = Document::new();
    if let Some(a) = f.actor {
        d.insert("actor", oid(a.bytes()));
    }
    match f.action_match() {
        Some(ActionMatch::Between { from, to }) => {
            d.insert("action", doc! { "$gte": from, "$lt": to });
        }
        Some(ActionMatch::Exactly(action)) => {
            d.insert("action", doc! { "$eq": action });
        }
        None => {}
    }
    if let Some(t) = &f.target {
        d.insert("target", doc! { "$eq": t });
    }
    let mut at = Document::new();
    if let Some(from) = f.from {
        at.insert("$gte", BsonTime::from_chrono(from));
    }
    if let Some(to) = f.to {
        at.insert("$lt", BsonTime::from_chrono(to));
    }
    if !at.is_empty() {
        d.insert("at", at);
    }
    d
}

#[async_trait]
impl AuditRepository for MongoAuditLog {
    async fn append(&self, e: &AuditEntry) -> Result<(), StoreError> {
        let d = AuditDoc {
            id: oid(e.id.bytes()),
            at: BsonTime::from_chrono(e.at),
            actor: e.actor.map(|a| oid(a.bytes())),
            action: e.action.clone(),
            target: e.target.clone(),
            address: e.address.clone(),
            request_id: e.request_id.clone(),
        };
        self.collection.insert_one(d).await.map_err(store_error)?;
        Ok(())
    }

    async fn list(
        &self,
        f: &AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>, StoreError> {
        let found = stackrush_store_mongo::find_page(
            &self.collection,
            audit_filter(f),
            doc! { "at": -1, "_id": -1 },
            page,
            &[],
        )
        .await?;
        Ok(Page {
            items: found
                .items
                .into_iter()
                .map(|d| AuditEntry {
                    id: AuditId::from_bytes(d.id.bytes()),
                    at: d.at.to_chrono(),
                    actor: d.actor.map(|a| AuditActor::from_bytes(a.bytes())),
                    action: d.action,
                    target: d.target,
                    address: d.address,
                    request_id: d.request_id,
                })
                .collect(),
            request: found.request,
            total: found.total,
        })
    }

    async fn exists(
        &self,
        actor: AuditActor,
        action: &str,
        address: &str,
    ) -> Result<bool, StoreError> {
        let found = self
            .collection
            .count_documents(doc! {
                "actor": oid(actor.bytes()),
                "action": { "$eq": action },
                "address": { "$eq": address },
            })
            .limit(1)
            .await
            .map_err(store_error)?;
        Ok(found > 0)
    }
}
