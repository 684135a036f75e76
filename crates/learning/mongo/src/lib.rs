//! MongoDB adapter of the learning ports; [`ensure_indexes`] is idempotent and runs at start.
//!
//! Playlists are documents in the spec's shape (`metadata`, ordered `lessons[]`, `stats`), plus
//! `revision` and `deletedAt`; `stats.ratingSum` and `stats.ratingKey` (the average in
//! hundredths, what the rating order sorts by) keep the average exact. Enrolments are the
//! spec's UserPlaylistProgress documents, unique per playlist and learner. Every write that
//! moves a playlist's figures is one multi-document transaction with the enrolment it counts
//! (retried when it meets a concurrent writer, [`stackrush_store_mongo::transaction`]); this
//! process's transactions on one playlist take turns on a lock first, so a crowd completing
//! one playlist does not spend its time in write conflicts.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{doc, Bson, Document};
use mongodb::options::{IndexOptions, ReturnDocument};
use mongodb::{Client, ClientSession, Collection, Database};
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_learning::ports::{
    CertificateRepository, Enrolled, EnrolmentRepository, PlaylistRepository, Stores, Written,
};
use stackrush_learning::*;
use stackrush_store_mongo::fields::{count as number, datetime, id_of, n, oid, text, texts, time};
use stackrush_store_mongo::{corrupt, literal_regex, Work};

const PLAYLISTS: &str = "learning_playlists";
const ENROLMENTS: &str = "learning_enrolments";
const CERTIFICATES: &str = "learning_certificates";
/// How many times a transaction that met a concurrent writer is tried.
const TRIES: u32 = 60;
/// How many locks this process's figure writes are spread over.
const STRIPES: usize = 64;

fn store_error(err: mongodb::error::Error) -> StoreError {
    stackrush_store_mongo::store_error(err, &[])
}

/// Creates this context's indexes.
pub async fn ensure_indexes(db: &Database) -> Result<(), StoreError> {
    let index = |keys: Document, name: &str, unique: bool| {
        let unique = unique.then(|| IndexOptions::builder().unique(true).build());
        stackrush_store_mongo::named_index(keys, name, unique)
    };
    db.collection::<Document>(PLAYLISTS)
        .create_indexes([
            index(
                doc! { "deletedAt": 1, "createdAt": -1, "_id": -1 },
                "learning_playlists_newest",
                false,
            ),
            index(
                doc! { "deletedAt": 1, "stats.students": -1, "stats.completions": -1, "_id": -1 },
                "learning_playlists_popular",
                false,
            ),
            index(
                doc! { "deletedAt": 1, "stats.ratingKey": -1, "stats.totalRatings": -1, "_id": -1 },
                "learning_playlists_rating",
                false,
            ),
            index(
                doc! { "metadata.category": 1, "deletedAt": 1, "createdAt": -1, "_id": -1 },
                "learning_playlists_category",
                false,
            ),
            index(
                doc! { "author": 1, "deletedAt": 1, "createdAt": -1, "_id": -1 },
                "learning_playlists_author",
                false,
            ),
        ])
        .await
        .map_err(store_error)?;
    db.collection::<Document>(ENROLMENTS)
        .create_indexes([
            index(
                doc! { "playlist": 1, "user": 1 },
                "learning_enrolments_unique",
                true,
            ),
            index(
                doc! { "user": 1, "active": 1, "progress.lastAccessedAt": -1, "playlist": -1 },
                "learning_enrolments_user",
                false,
            ),
        ])
        .await
        .map_err(store_error)?;
    db.collection::<Document>(CERTIFICATES)
        .create_indexes([index(
            doc! { "playlist": 1, "user": 1 },
            "learning_certificates_unique",
            true,
        )])
        .await
        .map_err(store_error)?;
    Ok(())
}

/// The learning context's store ports on `db` (indexed with [`ensure_indexes`]).
pub fn stores(db: &Database) -> Stores {
    let adapter = std::sync::Arc::new(MongoLearning::new(db));
    Stores {
        playlists: adapter.clone(),
        enrolments: adapter.clone(),
        certificates: adapter,
    }
}

/// Playlists and enrolments in the `learning_*` collections.
#[derive(Debug, Clone)]
pub struct MongoLearning {
    stripes: stackrush_store_mongo::Stripes,
    client: Client,
    playlists: Collection<Document>,
    enrolments: Collection<Document>,
    certificates: Collection<Document>,
}

impl MongoLearning {
    /// The adapter over `db` (indexed with [`ensure_indexes`]).
    pub fn new(db: &Database) -> Self {
        Self {
            stripes: stackrush_store_mongo::Stripes::new(STRIPES),
            client: db.client().clone(),
            playlists: db.collection(PLAYLISTS),
            enrolments: db.collection(ENROLMENTS),
            certificates: db.collection(CERTIFICATES),
        }
    }

    /// One enrolment attempt: `Some(newly)`, or `None` when the playlist is not live.
    async fn enrol_once(
        &self,
        playlist: PlaylistId,
        learner: MemberId,
        at: DateTime<Utc>,
    ) -> Result<Option<bool>, StoreError> {
        let (playlists, enrolments) = (self.playlists.clone(), self.enrolments.clone());
        self.transaction(move |s| {
            let (playlists, enrolments) = (playlists.clone(), enrolments.clone());
            Box::pin(async move {
                let live = playlists
                    .find_one(doc! { "_id": oid(playlist.bytes()), "deletedAt": Bson::Null })
                    .projection(doc! { "_id": 1 })
                    .session(&mut *s)
                    .await?;
                if live.is_none() {
                    return Ok(None);
                }
                let existing = enrolments
                    .find_one(key(playlist, learner))
                    .session(&mut *s)
                    .await?;
                let newly = match existing {
                    Some(e) if e.get_bool("active").unwrap_or(false) => false,
                    Some(_) => {
                        enrolments
                            .update_one(
                                key(playlist, learner),
                                doc! { "$set": {
                                    "active": true,
                                    "progress.lastAccessedAt": time(at),
                                } },
                            )
                            .session(&mut *s)
                            .await?;
                        true
                    }
                    None => {
                        let mut row = key(playlist, learner);
                        row.insert("active", true);
                        row.insert(
                            "progress",
                            doc! {
                                "completedLessons": Vec::<Bson>::new(),
                                "timeSpent": 0_i64,
                                "lastAccessedAt": time(at),
                            },
                        );
                        row.insert("rating", Bson::Null);
                        row.insert("enrolledAt", time(at));
                        row.insert("completedAt", Bson::Null);
                        enrolments.insert_one(row).session(&mut *s).await?;
                        true
                    }
                };
                if newly {
                    move_figures(&playlists, s, playlist, doc! { "stats.students": 1_i64 }).await?;
                }
                Ok(Some(newly))
            })
        })
        .await
    }

    async fn transaction<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: for<'s> Fn(&'s mut ClientSession) -> Work<'s, T> + Send + Sync,
        T: Send,
    {
        stackrush_store_mongo::transaction(&self.client, TRIES, "learning", work).await
    }
}

fn lesson_doc(l: &Lesson) -> Document {
    doc! {
        "_id": oid(l.id.bytes()),
        "title": &l.title,
        "description": &l.description,
        "type": l.kind.as_str(),
        "challengeId": l.challenge.map_or(Bson::Null, |c| Bson::ObjectId(oid(c.bytes()))),
        "challengeType": l.challenge_type.as_deref().map_or(Bson::Null, |t| Bson::String(t.to_owned())),
        "duration": i64::from(l.duration),
    }
}

/// The fields an edit replaces.
fn editable(p: &Playlist) -> Document {
    doc! {
        "title": &p.title,
        "description": &p.description,
        "metadata": {
            "category": &p.category,
            "level": p.level.as_str(),
            "durationText": p.duration_text.as_deref().map_or(Bson::Null, |t| Bson::String(t.to_owned())),
            "topics": &p.topics,
            "isPremium": p.is_premium,
        },
        "lessons": p.lessons.iter().map(lesson_doc).collect::<Vec<_>>(),
        "revision": i64::from(p.revision),
        "updatedAt": time(p.updated_at),
    }
}

fn playlist_doc(p: &Playlist) -> Document {
    let mut d = editable(p);
    d.insert("_id", oid(p.id.bytes()));
    d.insert("author", oid(p.author.bytes()));
    d.insert(
        "stats",
        doc! {
            "ratingSum": n(p.stats.rating_sum),
            "totalRatings": n(p.stats.ratings),
            "ratingKey": (p.stats.rating() * 100.0).round() as i64,
            "students": n(p.stats.students),
            "completions": n(p.stats.completions),
        },
    );
    d.insert(
        "deletedAt",
        p.deleted_at.map_or(Bson::Null, |t| Bson::DateTime(time(t))),
    );
    d.insert("createdAt", time(p.created_at));
    d
}

fn sub<'d>(d: &'d Document, key: &str) -> Result<&'d Document, StoreError> {
    d.get_document(key).map_err(|e| corrupt(key, e))
}

fn whole(d: &Document, key: &str) -> Result<u32, StoreError> {
    let v = match d.get(key) {
        Some(Bson::Int32(v)) => i64::from(*v),
        Some(Bson::Int64(v)) => *v,
        other => return Err(corrupt(key, format!("{other:?}"))),
    };
    u32::try_from(v).map_err(|e| corrupt(key, e))
}

fn opt_time(d: &Document, key: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    match d.get(key) {
        None | Some(Bson::Null) => Ok(None),
        Some(Bson::DateTime(t)) => Ok(Some(t.to_chrono())),
        Some(other) => Err(corrupt(key, other)),
    }
}

fn opt_text(d: &Document, key: &str) -> Result<Option<String>, StoreError> {
    match d.get(key) {
        None | Some(Bson::Null) => Ok(None),
        Some(Bson::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(corrupt(key, other)),
    }
}

fn lesson_of(d: &Document) -> Result<Lesson, StoreError> {
    let kind = text(d, "type")?;
    Ok(Lesson {
        id: id_of(d, "_id", LessonId::from_bytes)?,
        title: text(d, "title")?,
        description: text(d, "description")?,
        kind: LessonKind::parse(&kind).ok_or_else(|| corrupt("type", &kind))?,
        challenge: match d.get("challengeId") {
            None | Some(Bson::Null) => None,
            Some(Bson::ObjectId(o)) => Some(ChallengeRef::from_bytes(o.bytes())),
            Some(other) => return Err(corrupt("challengeId", other)),
        },
        challenge_type: opt_text(d, "challengeType")?,
        duration: whole(d, "duration")?,
    })
}

fn playlist_of(d: &Document) -> Result<Playlist, StoreError> {
    let meta = sub(d, "metadata")?;
    let stats = sub(d, "stats")?;
    let level = text(meta, "level")?;
    let lessons = d
        .get_array("lessons")
        .map_err(|e| corrupt("lessons", e))?
        .iter()
        .map(|l| match l {
            Bson::Document(l) => lesson_of(l),
            other => Err(corrupt("lessons", other)),
        })
        .collect::<Result<_, _>>()?;
    Ok(Playlist {
        id: id_of(d, "_id", PlaylistId::from_bytes)?,
        author: id_of(d, "author", MemberId::from_bytes)?,
        title: text(d, "title")?,
        description: text(d, "description")?,
        category: text(meta, "category")?,
        level: Level::parse(&level).ok_or_else(|| corrupt("level", &level))?,
        duration_text: opt_text(meta, "durationText")?,
        topics: texts(meta, "topics")?,
        is_premium: meta
            .get_bool("isPremium")
            .map_err(|e| corrupt("isPremium", e))?,
        lessons,
        stats: PlaylistStats {
            rating_sum: number(stats.get("ratingSum")),
            ratings: number(stats.get("totalRatings")),
            students: number(stats.get("students")),
            completions: number(stats.get("completions")),
        },
        revision: whole(d, "revision")?,
        deleted_at: opt_time(d, "deletedAt")?,
        created_at: datetime(d, "createdAt")?,
        updated_at: datetime(d, "updatedAt")?,
    })
}

fn enrolment_of(d: &Document) -> Result<Enrolment, StoreError> {
    let progress = sub(d, "progress")?;
    let completed = progress
        .get_array("completedLessons")
        .map_err(|e| corrupt("completedLessons", e))?
        .iter()
        .map(|v| match v {
            Bson::ObjectId(o) => Ok(LessonId::from_bytes(o.bytes())),
            other => Err(corrupt("completedLessons", other)),
        })
        .collect::<Result<_, _>>()?;
    let rating = match d.get("rating") {
        Some(Bson::Document(r)) => Some(Rating {
            score: u8::try_from(whole(r, "score")?).map_err(|e| corrupt("score", e))?,
            review: text(r, "review")?,
            at: datetime(r, "createdAt")?,
        }),
        _ => None,
    };
    Ok(Enrolment {
        playlist: id_of(d, "playlist", PlaylistId::from_bytes)?,
        learner: id_of(d, "user", MemberId::from_bytes)?,
        active: d.get_bool("active").map_err(|e| corrupt("active", e))?,
        completed,
        time_spent: number(progress.get("timeSpent")),
        last_accessed_at: datetime(progress, "lastAccessedAt")?,
        rating,
        enrolled_at: datetime(d, "enrolledAt")?,
        completed_at: opt_time(d, "completedAt")?,
        certificate: match d.get("certificate") {
            None | Some(Bson::Null) => None,
            Some(Bson::ObjectId(o)) => Some(CertificateId::from_bytes(o.bytes())),
            Some(other) => return Err(corrupt("certificate", other)),
        },
    })
}

fn certificate_doc(c: &Certificate) -> Document {
    doc! {
        "_id": oid(c.id.bytes()),
        "playlist": oid(c.playlist.bytes()),
        "user": oid(c.learner.bytes()),
        "learnerName": &c.learner_name,
        "playlistTitle": &c.playlist_title,
        "authorName": &c.author_name,
        "completedAt": time(c.completed_at),
        "lessons": &c.lessons,
        "keyId": &c.key_id,
        "signature": &c.signature,
        "revocation": Bson::Null,
    }
}

fn certificate_of(d: &Document) -> Result<Certificate, StoreError> {
    let revocation = match d.get("revocation") {
        None | Some(Bson::Null) => None,
        Some(Bson::Document(r)) => Some(Revocation {
            at: datetime(r, "at")?,
            reason: text(r, "reason")?,
            by: id_of(r, "by", MemberId::from_bytes)?,
        }),
        Some(other) => return Err(corrupt("revocation", other)),
    };
    Ok(Certificate {
        id: id_of(d, "_id", CertificateId::from_bytes)?,
        playlist: id_of(d, "playlist", PlaylistId::from_bytes)?,
        learner: id_of(d, "user", MemberId::from_bytes)?,
        learner_name: text(d, "learnerName")?,
        playlist_title: text(d, "playlistTitle")?,
        author_name: text(d, "authorName")?,
        completed_at: datetime(d, "completedAt")?,
        lessons: texts(d, "lessons")?,
        key_id: text(d, "keyId")?,
        signature: text(d, "signature")?,
        revocation,
    })
}

fn list_filter(f: &PlaylistFilter) -> Document {
    let mut d = doc! { "deletedAt": Bson::Null };
    if let Some(c) = &f.category {
        d.insert("metadata.category", doc! { "$eq": c });
    }
    if let Some(t) = &f.topic {
        // Equality on an array field matches an element; `$eq` keeps the text literal.
        d.insert("metadata.topics", doc! { "$eq": t });
    }
    if let Some(l) = f.level {
        d.insert("metadata.level", l.as_str());
    }
    if let Some(p) = f.premium {
        d.insert("metadata.isPremium", p);
    }
    if let Some(a) = f.author {
        d.insert("author", oid(a.bytes()));
    }
    if let Some(s) = &f.search {
        let pattern = literal_regex(s);
        d.insert(
            "$or",
            vec![
                doc! { "title": { "$regex": &pattern, "$options": "i" } },
                doc! { "description": { "$regex": &pattern, "$options": "i" } },
            ],
        );
    }
    d
}

fn key(playlist: PlaylistId, learner: MemberId) -> Document {
    doc! { "playlist": oid(playlist.bytes()), "user": oid(learner.bytes()) }
}

/// Moves a playlist's figures in `session` (the rating key is recomputed from the result).
async fn move_figures(
    playlists: &Collection<Document>,
    session: &mut ClientSession,
    playlist: PlaylistId,
    inc: Document,
) -> Result<(), mongodb::error::Error> {
    let after = playlists
        .find_one_and_update(doc! { "_id": oid(playlist.bytes()) }, doc! { "$inc": inc })
        .return_document(ReturnDocument::After)
        .projection(doc! { "stats": 1 })
        .session(&mut *session)
        .await?;
    let Some(stats) = after.as_ref().and_then(|d| d.get_document("stats").ok()) else {
        return Ok(());
    };
    let computed = PlaylistStats {
        rating_sum: number(stats.get("ratingSum")),
        ratings: number(stats.get("totalRatings")),
        ..PlaylistStats::default()
    };
    playlists
        .update_one(
            doc! { "_id": oid(playlist.bytes()) },
            doc! { "$set": { "stats.ratingKey": (computed.rating() * 100.0).round() as i64 } },
        )
        .session(&mut *session)
        .await?;
    Ok(())
}

#[async_trait]
impl PlaylistRepository for MongoLearning {
    async fn insert(&self, playlist: &Playlist) -> Result<(), StoreError> {
        self.playlists
            .insert_one(playlist_doc(playlist))
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn get(&self, id: PlaylistId) -> Result<Option<Playlist>, StoreError> {
        self.playlists
            .find_one(doc! { "_id": oid(id.bytes()) })
            .await
            .map_err(store_error)?
            .as_ref()
            .map(playlist_of)
            .transpose()
    }

    async fn get_many(&self, ids: &[PlaylistId]) -> Result<Vec<Playlist>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Bson> = ids.iter().map(|i| Bson::ObjectId(oid(i.bytes()))).collect();
        let docs: Vec<Document> = self
            .playlists
            .find(doc! { "_id": { "$in": ids } })
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        docs.iter().map(playlist_of).collect()
    }

    async fn update(&self, playlist: &Playlist, based_on: u32) -> Result<Written, StoreError> {
        let id = oid(playlist.id.bytes());
        let changed = self
            .playlists
            .update_one(
                doc! { "_id": id, "deletedAt": Bson::Null, "revision": i64::from(based_on) },
                doc! { "$set": editable(playlist) },
            )
            .await
            .map_err(store_error)?;
        if changed.matched_count == 1 {
            return Ok(Written::Done);
        }
        let live = self
            .playlists
            .find_one(doc! { "_id": id, "deletedAt": Bson::Null })
            .projection(doc! { "_id": 1 })
            .await
            .map_err(store_error)?;
        Ok(if live.is_some() {
            Written::Stale
        } else {
            Written::Gone
        })
    }

    async fn delete(&self, id: PlaylistId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let changed = self
            .playlists
            .update_one(
                doc! { "_id": oid(id.bytes()), "deletedAt": Bson::Null },
                doc! { "$set": { "deletedAt": time(at) } },
            )
            .await
            .map_err(store_error)?;
        Ok(changed.modified_count == 1)
    }

    async fn list(
        &self,
        filter: &PlaylistFilter,
        sort: PlaylistSort,
        page: PageRequest,
    ) -> Result<Page<Playlist>, StoreError> {
        let order = match sort {
            PlaylistSort::Popular => {
                doc! { "stats.students": -1, "stats.completions": -1, "_id": -1 }
            }
            PlaylistSort::Rating => {
                doc! { "stats.ratingKey": -1, "stats.totalRatings": -1, "_id": -1 }
            }
            PlaylistSort::Newest => doc! { "createdAt": -1, "_id": -1 },
        };
        let found = stackrush_store_mongo::find_page(
            &self.playlists,
            list_filter(filter),
            order,
            page,
            &[],
        )
        .await?;
        found.try_map(|d| playlist_of(&d))
    }

    async fn categories(&self) -> Result<HashMap<String, u64>, StoreError> {
        let groups: Vec<Document> = self
            .playlists
            .aggregate([
                doc! { "$match": { "deletedAt": Bson::Null } },
                doc! { "$group": { "_id": "$metadata.category", "n": { "$sum": 1 } } },
            ])
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        Ok(groups
            .iter()
            .filter_map(|g| Some((g.get_str("_id").ok()?.to_owned(), number(g.get("n")))))
            .collect())
    }
}

#[async_trait]
impl EnrolmentRepository for MongoLearning {
    async fn get(
        &self,
        playlist: PlaylistId,
        learner: MemberId,
    ) -> Result<Option<Enrolment>, StoreError> {
        self.enrolments
            .find_one(key(playlist, learner))
            .await
            .map_err(store_error)?
            .as_ref()
            .map(enrolment_of)
            .transpose()
    }

    async fn enrol(
        &self,
        playlist: PlaylistId,
        learner: MemberId,
        at: DateTime<Utc>,
    ) -> Result<Option<Enrolled>, StoreError> {
        let _turn = self.stripes.of(oid(playlist.bytes())).lock().await;
        // Another instance enrolling the same learner at the same moment makes this insert meet
        // the unique key: the second try finds that enrolment and leaves it as it is.
        let outcome = match self.enrol_once(playlist, learner, at).await {
            Err(StoreError::Conflict { .. }) => self.enrol_once(playlist, learner, at).await,
            other => other,
        }?;
        let Some(newly) = outcome else {
            return Ok(None);
        };
        let enrolment = EnrolmentRepository::get(self, playlist, learner)
            .await?
            .ok_or_else(|| corrupt("enrolment", "missing after enrolling"))?;
        Ok(Some(Enrolled { enrolment, newly }))
    }

    async fn unenrol(
        &self,
        playlist: PlaylistId,
        learner: MemberId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (playlists, enrolments) = (self.playlists.clone(), self.enrolments.clone());
        let _turn = self.stripes.of(oid(playlist.bytes())).lock().await;
        self.transaction(move |s| {
            let (playlists, enrolments) = (playlists.clone(), enrolments.clone());
            Box::pin(async move {
                let mut active = key(playlist, learner);
                active.insert("active", true);
                let changed = enrolments
                    .update_one(
                        active,
                        doc! { "$set": { "active": false, "progress.lastAccessedAt": time(at) } },
                    )
                    .session(&mut *s)
                    .await?;
                if changed.modified_count == 1 {
                    move_figures(&playlists, s, playlist, doc! { "stats.students": -1_i64 })
                        .await?;
                }
                Ok(changed.modified_count == 1)
            })
        })
        .await
    }

    async fn record(
        &self,
        playlist: PlaylistId,
        learner: MemberId,
        lesson: LessonId,
        completed: bool,
        minutes: u32,
        at: DateTime<Utc>,
    ) -> Result<Option<Enrolment>, StoreError> {
        let mut active = key(playlist, learner);
        active.insert("active", true);
        let lesson = oid(lesson.bytes());
        let mut update = doc! {
            "$inc": { "progress.timeSpent": i64::from(minutes) },
            "$set": { "progress.lastAccessedAt": time(at) },
        };
        // $addToSet appends when absent (so the order completed is kept); $pull removes.
        if completed {
            update.insert("$addToSet", doc! { "progress.completedLessons": lesson });
        } else {
            update.insert("$pull", doc! { "progress.completedLessons": lesson });
        }
        self.enrolments
            .find_one_and_update(active, update)
            .return_document(ReturnDocument::After)
            .await
            .map_err(store_error)?
            .as_ref()
            .map(enrolment_of)
            .transpose()
    }

    async fn complete(&self, certificate: &Certificate) -> Result<bool, StoreError> {
        let (playlists, enrolments, certificates) = (
            self.playlists.clone(),
            self.enrolments.clone(),
            self.certificates.clone(),
        );
        let (playlist, learner) = (certificate.playlist, certificate.learner);
        let row = certificate_doc(certificate);
        let (at, id) = (time(certificate.completed_at), oid(certificate.id.bytes()));
        let _turn = self.stripes.of(oid(playlist.bytes())).lock().await;
        self.transaction(move |s| {
            let (playlists, enrolments, certificates, row) = (
                playlists.clone(),
                enrolments.clone(),
                certificates.clone(),
                row.clone(),
            );
            Box::pin(async move {
                let mut open = key(playlist, learner);
                open.insert("completedAt", Bson::Null);
                let changed = enrolments
                    .update_one(
                        open,
                        doc! { "$set": { "completedAt": at, "certificate": id } },
                    )
                    .session(&mut *s)
                    .await?;
                if changed.modified_count == 0 {
                    return Ok(false);
                }
                certificates.insert_one(row).session(&mut *s).await?;
                move_figures(&playlists, s, playlist, doc! { "stats.completions": 1_i64 }).await?;
                Ok(true)
            })
        })
        .await
    }

    async fn rate(
        &self,
        playlist: PlaylistId,
        learner: MemberId,
        rating: &Rating,
    ) -> Result<bool, StoreError> {
        let (playlists, enrolments) = (self.playlists.clone(), self.enrolments.clone());
        let rating = rating.clone();
        let _turn = self.stripes.of(oid(playlist.bytes())).lock().await;
        self.transaction(move |s| {
            let (playlists, enrolments, rating) =
                (playlists.clone(), enrolments.clone(), rating.clone());
            Box::pin(async move {
                let mut active = key(playlist, learner);
                active.insert("active", true);
                let before = enrolments
                    .find_one_and_update(
                        active,
                        doc! { "$set": { "rating": {
                            "score": i64::from(rating.score),
                            "review": &rating.review,
                            "createdAt": time(rating.at),
                        } } },
                    )
                    .return_document(ReturnDocument::Before)
                    .session(&mut *s)
                    .await?;
                let Some(before) = before else {
                    return Ok(false);
                };
                let score = i64::from(rating.score);
                let inc = match before.get("rating") {
                    Some(Bson::Document(old)) => {
                        let old = match old.get("score") {
                            Some(Bson::Int32(v)) => i64::from(*v),
                            Some(Bson::Int64(v)) => *v,
                            _ => 0,
                        };
                        doc! { "stats.ratingSum": score - old }
                    }
                    _ => doc! { "stats.ratingSum": score, "stats.totalRatings": 1_i64 },
                };
                move_figures(&playlists, s, playlist, inc).await?;
                Ok(true)
            })
        })
        .await
    }

    async fn enrolled_among(
        &self,
        learner: MemberId,
        playlists: &[PlaylistId],
    ) -> Result<Vec<PlaylistId>, StoreError> {
        if playlists.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Bson> = playlists
            .iter()
            .map(|p| Bson::ObjectId(oid(p.bytes())))
            .collect();
        let docs: Vec<Document> = self
            .enrolments
            .find(doc! { "user": oid(learner.bytes()), "active": true, "playlist": { "$in": ids } })
            .projection(doc! { "playlist": 1, "_id": 0 })
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        docs.iter()
            .map(|d| id_of(d, "playlist", PlaylistId::from_bytes))
            .collect()
    }

    async fn active_of(
        &self,
        learner: MemberId,
        page: PageRequest,
    ) -> Result<Page<Enrolment>, StoreError> {
        let found = stackrush_store_mongo::find_page(
            &self.enrolments,
            doc! { "user": oid(learner.bytes()), "active": true },
            doc! { "progress.lastAccessedAt": -1, "playlist": -1 },
            page,
            &[],
        )
        .await?;
        found.try_map(|d| enrolment_of(&d))
    }
}

#[async_trait]
impl CertificateRepository for MongoLearning {
    async fn get(&self, id: CertificateId) -> Result<Option<Certificate>, StoreError> {
        self.certificates
            .find_one(doc! { "_id": oid(id.bytes()) })
            .await
            .map_err(store_error)?
            .as_ref()
            .map(certificate_of)
            .transpose()
    }

    async fn revoke(&self, id: CertificateId, revocation: &Revocation) -> Result<bool, StoreError> {
        let changed = self
            .certificates
            .update_one(
                doc! { "_id": oid(id.bytes()), "revocation": Bson::Null },
                doc! { "$set": { "revocation": {
                    "at": time(revocation.at),
                    "reason": &revocation.reason,
                    "by": oid(revocation.by.bytes()),
                } } },
            )
            .await
            .map_err(store_error)?;
        Ok(changed.modified_count == 1)
    }
}
