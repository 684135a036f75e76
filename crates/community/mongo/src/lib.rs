//! MongoDB adapter of the community ports; [`ensure_indexes`] is idempotent and runs at start.
//!
//! Every write that moves a counter is one multi-document transaction: the mark, view or comment
//! document (each under a unique index) and the counter it moves (with the post's trending
//! score) commit together or not at all, so a counter always equals its documents. Transactions
//! that meet a concurrent writer (`TransientTransactionError`, a duplicate key from a racing
//! toggle of the same member) are retried with a short random pause, as MongoDB documents.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{doc, Bson, DateTime as BsonTime, Document};
use mongodb::options::{IndexOptions, ReturnDocument};
use mongodb::{Client, ClientSession, Collection, Database};
use stackrush_community::ports::{
    CollaborationRepository, CommentRepository, FollowRepository, MentorshipRepository,
    ModerationLog, PostRepository, ReportRepository, Stores,
};
use stackrush_community::trending;
use stackrush_community::*;
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_store_mongo::fields::{count, datetime, id_of, n, oid, text, texts, time};
use stackrush_store_mongo::{corrupt, literal_regex, Work};

const POSTS: &str = "community_posts";
const MARKS: &str = "community_marks";
const VIEWS: &str = "community_views";
const COMMENTS: &str = "community_comments";
const COMMENT_LIKES: &str = "community_comment_likes";
const REPORTS: &str = "community_reports";
const LOG: &str = "community_moderation_log";
const FOLLOWS: &str = "community_follows";
const COLLABORATIONS: &str = "community_collaborations";
const MENTORSHIPS: &str = "community_mentorships";

/// How many times a transaction that met a concurrent writer is tried.
const TRIES: u32 = 60;

fn store_error(err: mongodb::error::Error) -> StoreError {
    stackrush_store_mongo::store_error(err, &[])
}

/// Creates this context's indexes.
pub async fn ensure_indexes(db: &Database) -> Result<(), StoreError> {
    let index = stackrush_store_mongo::named_index;
    let unique = || Some(IndexOptions::builder().unique(true).build());
    // Unique among the documents in `status` only (one open report, one pending request).
    let unique_while = |status: &str| {
        Some(
            IndexOptions::builder()
                .unique(true)
                .partial_filter_expression(doc! { "status": status })
                .build(),
        )
    };
    let live_order = |key: Option<&str>| {
        let mut d = doc! { "isActive": 1, "metadata.isPinned": -1 };
        if let Some(k) = key {
            d.insert(k, -1);
        }
        d.insert("createdAt", -1);
        d.insert("_id", -1);
        d
    };
    db.collection::<Document>(POSTS)
        .create_indexes([
            index(live_order(None), "community_posts_recent", None),
            index(
                live_order(Some("interactions.likes")),
                "community_posts_popular",
                None,
            ),
            index(
                live_order(Some("interactions.comments")),
                "community_posts_commented",
                None,
            ),
            index(live_order(Some("hot")), "community_posts_hot", None),
            index(
                doc! { "category": 1, "isActive": 1, "metadata.isPinned": -1, "createdAt": -1, "_id": -1 },
                "community_posts_category_order",
                None,
            ),
            index(
                doc! { "tags": 1, "createdAt": -1 },
                "community_posts_tags",
                None,
            ),
            index(
                doc! { "author": 1, "createdAt": -1 },
                "community_posts_author",
                None,
            ),
            index(
                doc! { "codeSubmission.challengeId": 1 },
                "community_posts_challenge",
                None,
            ),
            index(doc! { "createdAt": 1 }, "community_posts_created", None),
        ])
        .await
        .map_err(store_error)?;
    db.collection::<Document>(MARKS)
        .create_indexes([
            index(
                doc! { "post": 1, "kind": 1, "member": 1 },
                "community_marks_unique",
                unique(),
            ),
            index(
                doc! { "member": 1, "kind": 1, "at": -1 },
                "community_marks_member",
                None,
            ),
        ])
        .await
        .map_err(store_error)?;
    db.collection::<Document>(VIEWS)
        .create_indexes([
            index(
                doc! { "post": 1, "viewer": 1, "day": 1 },
                "community_views_unique",
                unique(),
            ),
            // A day's view keys are only needed that day.
            index(
                doc! { "at": 1 },
                "community_views_ttl",
                Some(
                    IndexOptions::builder()
                        .expire_after(Duration::from_secs(2 * 24 * 3600))
                        .build(),
                ),
            ),
        ])
        .await
        .map_err(store_error)?;
    db.collection::<Document>(COMMENTS)
        .create_indexes([
            index(
                doc! { "postId": 1, "parentCommentId": 1, "createdAt": 1, "_id": 1 },
                "community_comments_top",
                None,
            ),
            index(
                doc! { "root": 1, "createdAt": 1, "_id": 1 },
                "community_comments_root",
                None,
            ),
            index(doc! { "createdAt": 1 }, "community_comments_created", None),
            index(
                doc! { "author": 1, "createdAt": 1 },
                "community_comments_author",
                None,
            ),
        ])
        .await
        .map_err(store_error)?;
    db.collection::<Document>(REPORTS)
        .create_indexes([
            index(
                doc! { "target.kind": 1, "target.id": 1, "reporter": 1 },
                "community_reports_open",
                unique_while("open"),
            ),
            index(
                doc! { "status": 1, "createdAt": 1, "_id": 1 },
                "community_reports_status",
                None,
            ),
            index(
                doc! { "target.kind": 1, "target.id": 1, "status": 1 },
                "community_reports_target",
                None,
            ),
        ])
        .await
        .map_err(store_error)?;
    db.collection::<Document>(LOG)
        .create_indexes([index(
            doc! { "at": -1, "_id": -1 },
            "community_moderation_log_at",
            None,
        )])
        .await
        .map_err(store_error)?;
    db.collection::<Document>(FOLLOWS)
        .create_indexes([
            index(
                doc! { "follower": 1, "followee": 1 },
                "community_follows_unique",
                unique(),
            ),
            index(
                doc! { "followee": 1, "at": -1 },
                "community_follows_followee",
                None,
            ),
            index(
                doc! { "follower": 1, "at": -1 },
                "community_follows_follower_at",
                None,
            ),
        ])
        .await
        .map_err(store_error)?;
    db.collection::<Document>(COLLABORATIONS)
        .create_indexes([
            index(
                doc! { "postId": 1, "requester": 1 },
                "community_collaborations_pending",
                unique_while("pending"),
            ),
            index(
                doc! { "requester": 1, "createdAt": -1 },
                "community_collaborations_sent",
                None,
            ),
            index(
                doc! { "postAuthor": 1, "createdAt": -1 },
                "community_collaborations_received",
                None,
            ),
        ])
        .await
        .map_err(store_error)?;
    // `open` is true exactly while pending or active: an equality partial filter, which every
    // MongoDB version indexes (`$in` in a partial filter needs 6.0).
    db.collection::<Document>(MENTORSHIPS)
        .create_indexes([
            index(
                doc! { "mentor": 1, "mentee": 1 },
                "community_mentorships_open",
                Some(
                    IndexOptions::builder()
                        .unique(true)
                        .partial_filter_expression(doc! { "open": true })
                        .build(),
                ),
            ),
            index(
                doc! { "mentor": 1, "createdAt": -1, "_id": -1 },
                "community_mentorships_mentor",
                None,
            ),
            index(
                doc! { "mentee": 1, "createdAt": -1, "_id": -1 },
                "community_mentorships_mentee",
                None,
            ),
        ])
        .await
        .map_err(store_error)?;
    db.collection::<Document>(COMMENT_LIKES)
        .create_indexes([index(
            doc! { "comment": 1, "member": 1 },
            "community_comment_likes_unique",
            unique(),
        )])
        .await
        .map_err(store_error)?;
    Ok(())
}

/// The community context's store ports on `db` (indexed with [`ensure_indexes`]).
pub fn stores(db: &Database) -> Stores {
    let community = std::sync::Arc::new(MongoCommunity::new(db));
    Stores {
        posts: community.clone(),
        comments: community.clone(),
        reports: community.clone(),
        log: community.clone(),
        follows: community.clone(),
        collaborations: community.clone(),
        mentorships: community,
    }
}

/// How many locks this process's counter writes are spread over.
const STRIPES: usize = 64;

/// Posts, comments and marks in the `community_*` collections.
///
/// Writes that move the same counter queue on one of [`STRIPES`] in-process locks before their
/// transaction starts: transactions on one document abort each other with write conflicts, so
/// letting a burst on one post race inside MongoDB would only turn it into retries. Writers on
/// other instances still meet in the database, where the retries handle them.
#[derive(Debug, Clone)]
pub struct MongoCommunity {
    stripes: stackrush_store_mongo::Stripes,
    client: Client,
    posts: Collection<Document>,
    marks: Collection<Document>,
    views: Collection<Document>,
    comments: Collection<Document>,
    comment_likes: Collection<Document>,
    reports: Collection<Document>,
    log: Collection<Document>,
    follows: Collection<Document>,
    collaborations: Collection<Document>,
    mentorships: Collection<Document>,
}

impl MongoCommunity {
    /// The adapter over `db` (indexed with [`ensure_indexes`]).
    pub fn new(db: &Database) -> Self {
        Self {
            stripes: stackrush_store_mongo::Stripes::new(STRIPES),
            client: db.client().clone(),
            posts: db.collection(POSTS),
            marks: db.collection(MARKS),
            views: db.collection(VIEWS),
            comments: db.collection(COMMENTS),
            comment_likes: db.collection(COMMENT_LIKES),
            reports: db.collection(REPORTS),
            log: db.collection(LOG),
            follows: db.collection(FOLLOWS),
            collaborations: db.collection(COLLABORATIONS),
            mentorships: db.collection(MENTORSHIPS),
        }
    }

    /// The lock that writes to the counters of the document `key` take turns on.
    fn stripe(&self, key: ObjectId) -> &tokio::sync::Mutex<()> {
        self.stripes.of(key)
    }

    /// Runs `work` in a transaction, retried while it meets concurrent writers.
    async fn transaction<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: for<'s> Fn(&'s mut ClientSession) -> Work<'s, T> + Send + Sync,
        T: Send,
    {
        stackrush_store_mongo::transaction(&self.client, TRIES, "community", work).await
    }
}

fn counts_of(d: &Document) -> Interactions {
    let get = |k: &str| count(d.get_document("interactions").ok().and_then(|i| i.get(k)));
    Interactions {
        likes: get("likes"),
        views: get("views"),
        comments: get("comments"),
        bookmarks: get("bookmarks"),
    }
}

/// Takes back the mark under `key`, or sets it (stamped `at`) when there was none, in `session`;
/// whether it is set now. The unique index on the key makes a racing second set fail (and the
/// transaction retry), never count twice.
async fn flip(
    marks: &Collection<Document>,
    session: &mut ClientSession,
    key: Document,
    at: DateTime<Utc>,
) -> Result<bool, mongodb::error::Error> {
    let removed = marks.delete_one(key.clone()).session(&mut *session).await?;
    if removed.deleted_count > 0 {
        return Ok(false);
    }
    let mut row = key;
    row.insert("at", time(at));
    marks.insert_one(row).session(&mut *session).await?;
    Ok(true)
}

/// Moves one of a live post's counters by `delta` and rescores it, in `session`; the post after
/// it, `None` when it is not live.
async fn bump(
    posts: &Collection<Document>,
    session: &mut ClientSession,
    post: ObjectId,
    counter: &str,
    delta: i64,
) -> Result<Option<Document>, mongodb::error::Error> {
    let Some(mut updated) = posts
        .find_one_and_update(
            doc! { "_id": post, "isActive": true },
            doc! { "$inc": { format!("interactions.{counter}"): delta } },
        )
        .return_document(ReturnDocument::After)
        .session(&mut *session)
        .await?
    else {
        return Ok(None);
    };
    let created = updated
        .get_datetime("createdAt")
        .map(|t| t.to_chrono())
        .unwrap_or_default();
    let hot = trending::hot(&counts_of(&updated), created);
    posts
        .update_one(doc! { "_id": post }, doc! { "$set": { "hot": hot } })
        .session(&mut *session)
        .await?;
    updated.insert("hot", hot);
    Ok(Some(updated))
}

fn bson_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Other(anyhow::anyhow!("bson: {e}"))
}

fn code_doc(code: &CodeSubmission) -> Result<Document, StoreError> {
    let mut d = mongodb::bson::to_document(code).map_err(bson_err)?;
    d.insert("hasCode", code.has_code());
    match code.challenge {
        Some(c) => d.insert("challengeId", oid(c.bytes())),
        None => d.insert("challengeId", Bson::Null),
    };
    Ok(d)
}

fn opt_doc<T: serde::Serialize>(value: Option<&T>) -> Result<Bson, StoreError> {
    value.map_or(Ok(Bson::Null), |v| {
        mongodb::bson::to_document(v)
            .map(Bson::Document)
            .map_err(bson_err)
    })
}

/// The editable fields of a post as a `$set` document.
fn editable(p: &Post) -> Result<Document, StoreError> {
    Ok(doc! {
        "title": &p.title,
        "content": &p.content,
        "contentHtml": &p.content_html,
        "category": p.category.as_str(),
        "postType": p.category.as_str(),
        "tags": &p.tags,
        "codeSubmission": match &p.code { Some(c) => Bson::Document(code_doc(c)?), None => Bson::Null },
        "hasCode": p.has_code(),
        "projectDetails": opt_doc(p.project.as_ref())?,
        "collaborationDetails": opt_doc(p.collaboration.as_ref())?,
        "metadata.difficulty": p.difficulty.map(Difficulty::as_str),
        "metadata.challengeType": p.challenge_type.map(ChallengeType::as_str),
        "updatedAt": time(p.updated_at),
    })
}

fn post_doc(p: &Post) -> Result<Document, StoreError> {
    let mut d = editable(p)?;
    d.remove("metadata.difficulty");
    d.remove("metadata.challengeType");
    d.insert("_id", oid(p.id.bytes()));
    d.insert("author", oid(p.author.bytes()));
    d.insert(
        "metadata",
        doc! {
            "difficulty": p.difficulty.map(Difficulty::as_str),
            "challengeType": p.challenge_type.map(ChallengeType::as_str),
            "isPinned": p.is_pinned,
            "isFeatured": p.is_featured,
        },
    );
    d.insert(
        "interactions",
        doc! {
            "likes": n(p.interactions.likes),
            "views": n(p.interactions.views),
            "comments": n(p.interactions.comments),
            "bookmarks": n(p.interactions.bookmarks),
        },
    );
    d.insert("hot", p.hot);
    d.insert("isActive", p.is_active);
    d.insert("isHidden", p.is_hidden);
    d.insert("commentsLocked", p.comments_locked);
    d.insert("createdAt", time(p.created_at));
    Ok(d)
}

fn opt_text(d: &Document, key: &str) -> Option<String> {
    d.get_str(key).ok().map(str::to_owned)
}

fn sub<T: serde::de::DeserializeOwned>(d: &Document, key: &str) -> Result<Option<T>, StoreError> {
    match d.get(key) {
        Some(Bson::Document(inner)) => mongodb::bson::from_document(inner.clone())
            .map(Some)
            .map_err(|e| corrupt(key, e)),
        _ => Ok(None),
    }
}

fn code_of(d: &Document) -> Result<Option<CodeSubmission>, StoreError> {
    let Ok(inner) = d.get_document("codeSubmission") else {
        return Ok(None);
    };
    let mut inner = inner.clone();
    let challenge = inner.get_object_id("challengeId").ok();
    inner.remove("challengeId");
    inner.remove("hasCode");
    let mut code: CodeSubmission =
        mongodb::bson::from_document(inner).map_err(|e| corrupt("codeSubmission", e))?;
    code.challenge = challenge.map(|o| ChallengeRef::from_bytes(o.bytes()));
    Ok(Some(code))
}

fn post_of(d: &Document) -> Result<Post, StoreError> {
    let meta = d
        .get_document("metadata")
        .map_err(|e| corrupt("metadata", e))?;
    let category = text(d, "category")?;
    let tags = texts(d, "tags")?;
    Ok(Post {
        id: id_of(d, "_id", PostId::from_bytes)?,
        author: id_of(d, "author", MemberId::from_bytes)?,
        title: text(d, "title")?,
        content: text(d, "content")?,
        content_html: text(d, "contentHtml")?,
        category: Category::parse(&category).ok_or_else(|| corrupt("category", &category))?,
        tags,
        code: code_of(d)?,
        project: sub(d, "projectDetails")?,
        collaboration: sub(d, "collaborationDetails")?,
        difficulty: opt_text(meta, "difficulty")
            .map(|v| Difficulty::parse(&v).ok_or_else(|| corrupt("metadata.difficulty", &v)))
            .transpose()?,
        challenge_type: opt_text(meta, "challengeType")
            .map(|v| ChallengeType::parse(&v).ok_or_else(|| corrupt("metadata.challengeType", &v)))
            .transpose()?,
        is_pinned: meta.get_bool("isPinned").unwrap_or(false),
        is_featured: meta.get_bool("isFeatured").unwrap_or(false),
        is_hidden: d.get_bool("isHidden").map_err(|e| corrupt("isHidden", e))?,
        comments_locked: d
            .get_bool("commentsLocked")
            .map_err(|e| corrupt("commentsLocked", e))?,
        interactions: counts_of(d),
        hot: d.get_f64("hot").map_err(|e| corrupt("hot", e))?,
        is_active: d.get_bool("isActive").map_err(|e| corrupt("isActive", e))?,
        created_at: datetime(d, "createdAt")?,
        updated_at: datetime(d, "updatedAt")?,
    })
}

fn count_of(d: &Document, key: &str) -> u64 {
    match d.get(key) {
        Some(Bson::Int32(v)) => u64::try_from(*v).unwrap_or(0),
        Some(Bson::Int64(v)) => u64::try_from(*v).unwrap_or(0),
        Some(Bson::Double(v)) if *v >= 0.0 => {
            // Sums come back as doubles from some servers; counts are whole.
            let whole = v.round();
            if whole < 9.0e15 {
                whole as u64
            } else {
                u64::MAX
            }
        }
        _ => 0,
    }
}

fn comment_doc(c: &Comment) -> Document {
    doc! {
        "_id": oid(c.id.bytes()),
        "postId": oid(c.post.bytes()),
        "parentCommentId": c.parent.map(|p| oid(p.bytes())),
        "root": oid(c.root.bytes()),
        "depth": i32::from(c.depth),
        "author": oid(c.author.bytes()),
        "content": &c.content,
        "contentHtml": &c.content_html,
        "interactions": { "likes": n(c.likes) },
        "replies": n(c.replies),
        "isDeleted": c.is_deleted,
        "isHidden": c.is_hidden,
        "isActive": !c.is_deleted,
        "createdAt": time(c.created_at),
        "updatedAt": time(c.updated_at),
    }
}

fn comment_of(d: &Document) -> Result<Comment, StoreError> {
    let depth = d.get_i32("depth").map_err(|e| corrupt("depth", e))?;
    Ok(Comment {
        id: id_of(d, "_id", CommentId::from_bytes)?,
        post: id_of(d, "postId", PostId::from_bytes)?,
        parent: d
            .get_object_id("parentCommentId")
            .ok()
            .map(|o| CommentId::from_bytes(o.bytes())),
        root: id_of(d, "root", CommentId::from_bytes)?,
        depth: u8::try_from(depth).map_err(|e| corrupt("depth", e))?,
        author: id_of(d, "author", MemberId::from_bytes)?,
        content: text(d, "content")?,
        content_html: text(d, "contentHtml")?,
        likes: d
            .get_document("interactions")
            .map(|i| count_of(i, "likes"))
            .unwrap_or(0),
        replies: count_of(d, "replies"),
        is_deleted: d
            .get_bool("isDeleted")
            .map_err(|e| corrupt("isDeleted", e))?,
        is_hidden: d.get_bool("isHidden").map_err(|e| corrupt("isHidden", e))?,
        created_at: datetime(d, "createdAt")?,
        updated_at: datetime(d, "updatedAt")?,
    })
}

fn filter_doc(f: &PostFilter) -> Document {
    let mut d = doc! { "isActive": true, "isHidden": false };
    if let Some(c) = f.category {
        d.insert("category", c.as_str());
    }
    if !f.tags.is_empty() {
        d.insert("tags", doc! { "$in": &f.tags });
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
                doc! { "content": { "$regex": &pattern, "$options": "i" } },
            ],
        );
    }
    if let Some(h) = f.has_code {
        d.insert("hasCode", h);
    }
    if let Some(c) = f.challenge {
        d.insert("codeSubmission.challengeId", oid(c.bytes()));
    }
    d
}

fn mark_kind(reaction: Reaction) -> (&'static str, &'static str) {
    match reaction {
        Reaction::Like => ("like", "likes"),
        Reaction::Bookmark => ("bookmark", "bookmarks"),
    }
}

async fn collect(cursor: mongodb::Cursor<Document>) -> Result<Vec<Document>, StoreError> {
    cursor.try_collect().await.map_err(store_error)
}

#[async_trait]
impl PostRepository for MongoCommunity {
    async fn insert(&self, post: &Post) -> Result<(), StoreError> {
        self.posts
            .insert_one(post_doc(post)?)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn get(&self, id: PostId) -> Result<Option<Post>, StoreError> {
        self.posts
            .find_one(doc! { "_id": oid(id.bytes()) })
            .await
            .map_err(store_error)?
            .as_ref()
            .map(post_of)
            .transpose()
    }

    async fn update(&self, post: &Post) -> Result<bool, StoreError> {
        let done = self
            .posts
            .update_one(
                doc! { "_id": oid(post.id.bytes()), "isActive": true },
                doc! { "$set": editable(post)? },
            )
            .await
            .map_err(store_error)?;
        Ok(done.matched_count == 1)
    }

    async fn remove(&self, id: PostId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = self
            .posts
            .update_one(
                doc! { "_id": oid(id.bytes()), "isActive": true },
                doc! { "$set": { "isActive": false, "updatedAt": time(at) } },
            )
            .await
            .map_err(store_error)?;
        Ok(done.modified_count == 1)
    }

    async fn list(
        &self,
        filter: &PostFilter,
        sort: PostSort,
        page: PageRequest,
        known_total: Option<u64>,
    ) -> Result<Page<Post>, StoreError> {
        let mut order = Document::new();
        if filter.search.is_none() {
            order.insert("metadata.isPinned", -1);
        }
        match sort {
            PostSort::Recent => {}
            PostSort::Popular => {
                order.insert("interactions.likes", -1);
            }
            PostSort::MostCommented => {
                order.insert("interactions.comments", -1);
            }
            PostSort::Trending => {
                order.insert("hot", -1);
            }
        }
        order.insert("createdAt", -1);
        order.insert("_id", -1);
        let found = stackrush_store_mongo::find_page_knowing(
            &self.posts,
            filter_doc(filter),
            order,
            page,
            known_total,
            &[],
        )
        .await?;
        found.try_map(|d| post_of(&d))
    }

    async fn record_view(&self, view: &ViewKey) -> Result<Option<u64>, StoreError> {
        let post = oid(view.post.bytes());
        let key = doc! { "post": post, "viewer": &view.viewer, "day": view.day.to_string() };
        let (posts, views) = (self.posts.clone(), self.views.clone());
        let _turn = self.stripe(post).lock().await;
        self.transaction(move |s| {
            let (posts, views, key) = (posts.clone(), views.clone(), key.clone());
            Box::pin(async move {
                let Some(current) = posts
                    .find_one(doc! { "_id": post, "isActive": true, "isHidden": false })
                    .session(&mut *s)
                    .await?
                else {
                    return Ok(None);
                };
                let seen = views.find_one(key.clone()).session(&mut *s).await?;
                if seen.is_some() {
                    return Ok(Some(counts_of(&current).views));
                }
                let mut row = key;
                row.insert("at", BsonTime::now());
                views.insert_one(row).session(&mut *s).await?;
                let after = bump(&posts, s, post, "views", 1).await?;
                Ok(after.map(|d| counts_of(&d).views))
            })
        })
        .await
    }

    async fn purge_views(&self, before: chrono::NaiveDate) -> Result<u64, StoreError> {
        // The TTL index removes them too; this keeps the rule the same on every store.
        let done = self
            .views
            .delete_many(doc! { "day": { "$lt": before.to_string() } })
            .await
            .map_err(store_error)?;
        Ok(done.deleted_count)
    }

    async fn toggle(
        &self,
        reaction: Reaction,
        post: PostId,
        member: MemberId,
        at: DateTime<Utc>,
    ) -> Result<Option<Toggled>, StoreError> {
        let (kind, counter) = mark_kind(reaction);
        let post = oid(post.bytes());
        let key = doc! { "post": post, "kind": kind, "member": oid(member.bytes()) };
        let (posts, marks) = (self.posts.clone(), self.marks.clone());
        let _turn = self.stripe(post).lock().await;
        self.transaction(move |s| {
            let (posts, marks, key) = (posts.clone(), marks.clone(), key.clone());
            Box::pin(async move {
                let live = posts
                    .find_one(doc! { "_id": post, "isActive": true, "isHidden": false })
                    .projection(doc! { "_id": 1 })
                    .session(&mut *s)
                    .await?;
                if live.is_none() {
                    return Ok(None);
                }
                let active = flip(&marks, s, key, at).await?;
                let after = bump(&posts, s, post, counter, if active { 1 } else { -1 }).await?;
                Ok(after.map(|d| {
                    let counts = counts_of(&d);
                    Toggled {
                        active,
                        count: match reaction {
                            Reaction::Like => counts.likes,
                            Reaction::Bookmark => counts.bookmarks,
                        },
                    }
                }))
            })
        })
        .await
    }

    async fn reacted(&self, member: MemberId, posts: &[PostId]) -> Result<Reacted, StoreError> {
        let mut out = Reacted::default();
        if posts.is_empty() {
            return Ok(out);
        }
        let ids: Vec<ObjectId> = posts.iter().map(|p| oid(p.bytes())).collect();
        let rows = collect(
            self.marks
                .find(doc! { "member": oid(member.bytes()), "post": { "$in": ids } })
                .await
                .map_err(store_error)?,
        )
        .await?;
        for row in &rows {
            let post = id_of(row, "post", PostId::from_bytes)?;
            match row.get_str("kind").map_err(|e| corrupt("kind", e))? {
                "like" => out.liked.insert(post),
                "bookmark" => out.bookmarked.insert(post),
                other => return Err(corrupt("kind", other)),
            };
        }
        Ok(out)
    }

    async fn bookmarks(
        &self,
        member: MemberId,
        page: PageRequest,
    ) -> Result<Page<Post>, StoreError> {
        // The member's bookmarks (ids only), then the live posts among them, in bookmark order.
        let marks = collect(
            self.marks
                .find(doc! { "member": oid(member.bytes()), "kind": "bookmark" })
                .sort(doc! { "at": -1, "post": -1 })
                .projection(doc! { "post": 1 })
                .await
                .map_err(store_error)?,
        )
        .await?;
        let order: Vec<ObjectId> = marks
            .iter()
            .map(|m| m.get_object_id("post").map_err(|e| corrupt("post", e)))
            .collect::<Result<_, _>>()?;
        let live = collect(
            self.posts
                .find(doc! { "_id": { "$in": &order }, "isActive": true, "isHidden": false })
                .await
                .map_err(store_error)?,
        )
        .await?;
        let mut by_id: HashMap<ObjectId, Document> = live
            .into_iter()
            .filter_map(|d| d.get_object_id("_id").ok().map(|id| (id, d)))
            .collect();
        let ordered: Vec<Document> = order.iter().filter_map(|id| by_id.remove(id)).collect();
        let total = ordered.len() as u64;
        let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
        let limit = usize::try_from(page.limit()).unwrap_or(usize::MAX);
        Ok(Page {
            items: ordered
                .iter()
                .skip(offset)
                .take(limit)
                .map(post_of)
                .collect::<Result<_, _>>()?,
            request: page,
            total,
        })
    }

    async fn set_flag(
        &self,
        id: PostId,
        flag: PostFlag,
        value: bool,
        _at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let field = match flag {
            PostFlag::Hidden => "isHidden",
            PostFlag::CommentsLocked => "commentsLocked",
            PostFlag::Pinned => "metadata.isPinned",
            PostFlag::Featured => "metadata.isFeatured",
        };
        let done = self
            .posts
            .update_one(
                doc! { "_id": oid(id.bytes()), "isActive": true },
                doc! { "$set": { field: value } },
            )
            .await
            .map_err(store_error)?;
        Ok(done.matched_count == 1)
    }

    async fn posts_since(&self, author: MemberId, since: DateTime<Utc>) -> Result<u64, StoreError> {
        self.posts
            .count_documents(
                doc! { "author": oid(author.bytes()), "createdAt": { "$gte": time(since) } },
            )
            .await
            .map_err(store_error)
    }

    async fn withdraw_marks(&self, member: MemberId) -> Result<u64, StoreError> {
        let who = oid(member.bytes());
        let marks = collect(
            self.marks
                .find(doc! { "member": who })
                .projection(doc! { "post": 1, "kind": 1 })
                .await
                .map_err(store_error)?,
        )
        .await?;
        let mut withdrawn = 0;
        for mark in &marks {
            let post = mark.get_object_id("post").map_err(|e| corrupt("post", e))?;
            let kind = mark
                .get_str("kind")
                .map_err(|e| corrupt("kind", e))?
                .to_owned();
            let counter = if kind == "like" { "likes" } else { "bookmarks" };
            let key = doc! { "post": post, "kind": &kind, "member": who };
            let (posts, marks) = (self.posts.clone(), self.marks.clone());
            let _turn = self.stripe(post).lock().await;
            // Each mark with its counter, in one transaction (as a toggle takes it back).
            let gone = self
                .transaction(move |s| {
                    let (posts, marks, key) = (posts.clone(), marks.clone(), key.clone());
                    Box::pin(async move {
                        let removed = marks.delete_one(key).session(&mut *s).await?;
                        if removed.deleted_count == 0 {
                            return Ok(false);
                        }
                        let moved = posts
                            .update_one(
                                doc! { "_id": post, format!("interactions.{counter}"): { "$gt": 0 } },
                                doc! { "$inc": { format!("interactions.{counter}"): -1 } },
                            )
                            .session(&mut *s)
                            .await?;
                        if moved.modified_count == 1 {
                            bump(&posts, s, post, counter, 0).await?;
                        }
                        Ok(true)
                    })
                })
                .await?;
            withdrawn += u64::from(gone);
        }
        Ok(withdrawn)
    }

    async fn feed(&self, member: MemberId, page: PageRequest) -> Result<Page<Post>, StoreError> {
        // The followed members' ids (an index range), then their posts.
        let followed = collect(
            self.follows
                .find(doc! { "follower": oid(member.bytes()) })
                .projection(doc! { "followee": 1 })
                .await
                .map_err(store_error)?,
        )
        .await?;
        let authors: Vec<ObjectId> = followed
            .iter()
            .filter_map(|d| d.get_object_id("followee").ok())
            .collect();
        let found = stackrush_store_mongo::find_page(
            &self.posts,
            doc! { "isActive": true, "isHidden": false, "author": { "$in": authors } },
            doc! { "createdAt": -1, "_id": -1 },
            page,
            &[],
        )
        .await?;
        found.try_map(|d| post_of(&d))
    }

    async fn figures(
        &self,
        since: DateTime<Utc>,
        window_start: DateTime<Utc>,
        top: usize,
    ) -> Result<Figures, StoreError> {
        let live = doc! { "isActive": true };
        let today = doc! { "isActive": true, "createdAt": { "$gte": time(since) } };
        let count = |filter: Document| {
            let posts = self.posts.clone();
            async move { posts.count_documents(filter).await.map_err(store_error) }
        };
        let (posts, posts_today, code_shares, code_shares_today) = futures::try_join!(
            count(live.clone()),
            count(today.clone()),
            count(doc! { "isActive": true, "hasCode": true }),
            count(doc! { "isActive": true, "hasCode": true, "createdAt": { "$gte": time(since) } }),
        )?;
        let sums = collect(
            self.posts
                .aggregate([
                    doc! { "$match": live },
                    doc! { "$group": {
                        "_id": Bson::Null,
                        "comments": { "$sum": "$interactions.comments" },
                        "likes": { "$sum": "$interactions.likes" },
                        "views": { "$sum": "$interactions.views" },
                    } },
                ])
                .await
                .map_err(store_error)?,
        )
        .await?;
        let sums = sums.first().cloned().unwrap_or_default();
        let live_comments_since =
            |t: DateTime<Utc>| doc! { "isDeleted": false, "createdAt": { "$gte": time(t) } };
        let comments_today = self
            .comments
            .count_documents(live_comments_since(since))
            .await
            .map_err(store_error)?;
        // Distinct members who posted or commented today.
        let mut active: std::collections::HashSet<ObjectId> = std::collections::HashSet::new();
        for (collection, filter) in [
            (&self.posts, today),
            (&self.comments, live_comments_since(since)),
        ] {
            for value in collection
                .distinct("author", filter)
                .await
                .map_err(store_error)?
            {
                if let Bson::ObjectId(o) = value {
                    active.insert(o);
                }
            }
        }
        // Contributions per member over the window, from both collections.
        let mut contributions: HashMap<ObjectId, u64> = HashMap::new();
        for (collection, filter) in [
            (
                &self.posts,
                doc! { "isActive": true, "createdAt": { "$gte": time(window_start) } },
            ),
            (&self.comments, live_comments_since(window_start)),
        ] {
            let groups = collect(
                collection
                    .aggregate([
                        doc! { "$match": filter },
                        doc! { "$group": { "_id": "$author", "n": { "$sum": 1 } } },
                    ])
                    .await
                    .map_err(store_error)?,
            )
            .await?;
            for g in &groups {
                let author = g.get_object_id("_id").map_err(|e| corrupt("author", e))?;
                *contributions.entry(author).or_default() += count_of(g, "n");
            }
        }
        let mut ranked: Vec<(MemberId, u64)> = contributions
            .into_iter()
            .map(|(o, c)| (MemberId::from_bytes(o.bytes()), c))
            .collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(top);
        Ok(Figures {
            posts,
            posts_today,
            code_shares,
            code_shares_today,
            comments: count_of(&sums, "comments"),
            comments_today,
            likes: count_of(&sums, "likes"),
            views: count_of(&sums, "views"),
            active_today: active.len() as u64,
            top_contributors: ranked,
        })
    }
}

/// Shown in lists: live, or deleted with live replies.
fn listed() -> Document {
    doc! { "$or": [ { "isDeleted": false }, { "replies": { "$gt": 0 } } ] }
}

#[async_trait]
impl CommentRepository for MongoCommunity {
    async fn insert(&self, comment: &Comment) -> Result<bool, StoreError> {
        let row = comment_doc(comment);
        let post = oid(comment.post.bytes());
        let parent = comment.parent.map(|p| oid(p.bytes()));
        let (posts, comments) = (self.posts.clone(), self.comments.clone());
        let _turn = self.stripe(post).lock().await;
        self.transaction(move |s| {
            let (posts, comments, row) = (posts.clone(), comments.clone(), row.clone());
            Box::pin(async move {
                let live = posts
                    .find_one(doc! { "_id": post, "isActive": true, "isHidden": false, "commentsLocked": false })
                    .projection(doc! { "_id": 1 })
                    .session(&mut *s)
                    .await?;
                if live.is_none() {
                    return Ok(false);
                }
                if let Some(parent) = parent {
                    let bumped = comments
                        .update_one(
                            doc! { "_id": parent, "postId": post, "isDeleted": false, "isHidden": false },
                            doc! { "$inc": { "replies": 1 } },
                        )
                        .session(&mut *s)
                        .await?;
                    if bumped.matched_count == 0 {
                        return Ok(false);
                    }
                }
                comments.insert_one(row).session(&mut *s).await?;
                bump(&posts, s, post, "comments", 1).await?;
                Ok(true)
            })
        })
        .await
    }

    async fn get(&self, id: CommentId) -> Result<Option<Comment>, StoreError> {
        self.comments
            .find_one(doc! { "_id": oid(id.bytes()) })
            .await
            .map_err(store_error)?
            .as_ref()
            .map(comment_of)
            .transpose()
    }

    async fn update(
        &self,
        id: CommentId,
        content: &str,
        content_html: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = self
            .comments
            .update_one(
                doc! { "_id": oid(id.bytes()), "isDeleted": false },
                doc! { "$set": { "content": content, "contentHtml": content_html, "updatedAt": time(at) } },
            )
            .await
            .map_err(store_error)?;
        Ok(done.matched_count == 1)
    }

    async fn remove(&self, id: CommentId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let id = oid(id.bytes());
        let (posts, comments) = (self.posts.clone(), self.comments.clone());
        self.transaction(move |s| {
            let (posts, comments) = (posts.clone(), comments.clone());
            Box::pin(async move {
                let Some(gone) = comments
                    .find_one_and_update(
                        doc! { "_id": id, "isDeleted": false },
                        doc! { "$set": { "isDeleted": true, "isActive": false, "updatedAt": time(at) } },
                    )
                    .session(&mut *s)
                    .await?
                else {
                    return Ok(false);
                };
                if let Ok(parent) = gone.get_object_id("parentCommentId") {
                    comments
                        .update_one(
                            doc! { "_id": parent, "replies": { "$gt": 0 } },
                            doc! { "$inc": { "replies": -1 } },
                        )
                        .session(&mut *s)
                        .await?;
                }
                if let Ok(post) = gone.get_object_id("postId") {
                    // The post's counter, even when the post itself was deleted meanwhile.
                    let moved = posts
                        .update_one(
                            doc! { "_id": post, "interactions.comments": { "$gt": 0 } },
                            doc! { "$inc": { "interactions.comments": -1 } },
                        )
                        .session(&mut *s)
                        .await?;
                    if moved.modified_count == 1 {
                        bump(&posts, s, post, "comments", 0).await?;
                    }
                }
                Ok(true)
            })
        })
        .await
    }

    async fn top_level(
        &self,
        post: PostId,
        page: PageRequest,
    ) -> Result<Page<Comment>, StoreError> {
        let mut filter = listed();
        filter.insert("postId", oid(post.bytes()));
        filter.insert("parentCommentId", Bson::Null);
        let found = stackrush_store_mongo::find_page(
            &self.comments,
            filter,
            doc! { "createdAt": 1, "_id": 1 },
            page,
            &[],
        )
        .await?;
        found.try_map(|d| comment_of(&d))
    }

    async fn replies(&self, roots: &[CommentId]) -> Result<Vec<Comment>, StoreError> {
        if roots.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<ObjectId> = roots.iter().map(|r| oid(r.bytes())).collect();
        let mut filter = listed();
        filter.insert("root", doc! { "$in": ids });
        filter.insert("parentCommentId", doc! { "$ne": Bson::Null });
        let rows = collect(
            self.comments
                .find(filter)
                .sort(doc! { "createdAt": 1, "_id": 1 })
                .await
                .map_err(store_error)?,
        )
        .await?;
        rows.iter().map(comment_of).collect()
    }

    async fn toggle_like(
        &self,
        comment: CommentId,
        member: MemberId,
        at: DateTime<Utc>,
    ) -> Result<Option<Toggled>, StoreError> {
        let comment = oid(comment.bytes());
        let key = doc! { "comment": comment, "member": oid(member.bytes()) };
        let (comments, likes) = (self.comments.clone(), self.comment_likes.clone());
        let _turn = self.stripe(comment).lock().await;
        self.transaction(move |s| {
            let (comments, likes, key) = (comments.clone(), likes.clone(), key.clone());
            Box::pin(async move {
                let live = comments
                    .find_one(doc! { "_id": comment, "isDeleted": false, "isHidden": false })
                    .projection(doc! { "_id": 1 })
                    .session(&mut *s)
                    .await?;
                if live.is_none() {
                    return Ok(None);
                }
                let active = flip(&likes, s, key, at).await?;
                let after = comments
                    .find_one_and_update(
                        doc! { "_id": comment },
                        doc! { "$inc": { "interactions.likes": if active { 1 } else { -1 } } },
                    )
                    .return_document(ReturnDocument::After)
                    .session(&mut *s)
                    .await?;
                Ok(after.map(|d| Toggled {
                    active,
                    count: d
                        .get_document("interactions")
                        .map(|i| count_of(i, "likes"))
                        .unwrap_or(0),
                }))
            })
        })
        .await
    }
    async fn set_hidden(
        &self,
        id: CommentId,
        hidden: bool,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = self
            .comments
            .update_one(
                doc! { "_id": oid(id.bytes()), "isDeleted": false },
                doc! { "$set": { "isHidden": hidden, "updatedAt": time(at) } },
            )
            .await
            .map_err(store_error)?;
        Ok(done.matched_count == 1)
    }

    async fn withdraw_likes(&self, member: MemberId) -> Result<u64, StoreError> {
        let who = oid(member.bytes());
        let likes = collect(
            self.comment_likes
                .find(doc! { "member": who })
                .projection(doc! { "comment": 1 })
                .await
                .map_err(store_error)?,
        )
        .await?;
        let mut withdrawn = 0;
        for like in &likes {
            let comment = like
                .get_object_id("comment")
                .map_err(|e| corrupt("comment", e))?;
            let (comments, likes) = (self.comments.clone(), self.comment_likes.clone());
            let _turn = self.stripe(comment).lock().await;
            let gone = self
                .transaction(move |s| {
                    let (comments, likes) = (comments.clone(), likes.clone());
                    Box::pin(async move {
                        let removed = likes
                            .delete_one(doc! { "comment": comment, "member": who })
                            .session(&mut *s)
                            .await?;
                        if removed.deleted_count == 0 {
                            return Ok(false);
                        }
                        comments
                            .update_one(
                                doc! { "_id": comment, "interactions.likes": { "$gt": 0 } },
                                doc! { "$inc": { "interactions.likes": -1 } },
                            )
                            .session(&mut *s)
                            .await?;
                        Ok(true)
                    })
                })
                .await?;
            withdrawn += u64::from(gone);
        }
        Ok(withdrawn)
    }

    async fn comments_since(
        &self,
        author: MemberId,
        since: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        self.comments
            .count_documents(
                doc! { "author": oid(author.bytes()), "createdAt": { "$gte": time(since) } },
            )
            .await
            .map_err(store_error)
    }
}

fn target_doc(target: Target) -> Document {
    doc! { "kind": target.kind(), "id": oid(target.bytes()) }
}

fn target_of(d: &Document) -> Result<Target, StoreError> {
    let t = d.get_document("target").map_err(|e| corrupt("target", e))?;
    let kind = t.get_str("kind").map_err(|e| corrupt("target.kind", e))?;
    let id = t.get_object_id("id").map_err(|e| corrupt("target.id", e))?;
    Target::from_parts(kind, id.bytes()).ok_or_else(|| corrupt("target.kind", kind))
}

fn report_doc(r: &Report) -> Document {
    doc! {
        "_id": oid(r.id.bytes()),
        "target": target_doc(r.target),
        "postId": oid(r.post.bytes()),
        "reporter": oid(r.reporter.bytes()),
        "reason": r.reason.as_str(),
        "text": &r.text,
        "status": r.status.as_str(),
        "createdAt": time(r.created_at),
        "resolvedBy": r.resolved_by.map(|m| oid(m.bytes())),
        "resolvedAt": r.resolved_at.map(time),
    }
}

fn report_of(d: &Document) -> Result<Report, StoreError> {
    let reason = text(d, "reason")?;
    let status = text(d, "status")?;
    Ok(Report {
        id: id_of(d, "_id", ReportId::from_bytes)?,
        target: target_of(d)?,
        post: id_of(d, "postId", PostId::from_bytes)?,
        reporter: id_of(d, "reporter", MemberId::from_bytes)?,
        reason: ReportReason::parse(&reason).ok_or_else(|| corrupt("reason", &reason))?,
        text: text(d, "text")?,
        status: ReportStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        created_at: datetime(d, "createdAt")?,
        resolved_by: d
            .get_object_id("resolvedBy")
            .ok()
            .map(|o| MemberId::from_bytes(o.bytes())),
        resolved_at: d.get_datetime("resolvedAt").ok().map(|t| t.to_chrono()),
    })
}

fn is_duplicate(e: &mongodb::error::Error) -> bool {
    matches!(
        stackrush_store_mongo::store_error(e.clone(), &[]),
        StoreError::Conflict { .. }
    )
}

#[async_trait]
impl ReportRepository for MongoCommunity {
    async fn insert(&self, report: &Report) -> Result<bool, StoreError> {
        match self.reports.insert_one(report_doc(report)).await {
            Ok(_) => Ok(true),
            Err(e) if is_duplicate(&e) => Ok(false),
            Err(e) => Err(store_error(e)),
        }
    }

    async fn get(&self, id: ReportId) -> Result<Option<Report>, StoreError> {
        self.reports
            .find_one(doc! { "_id": oid(id.bytes()) })
            .await
            .map_err(store_error)?
            .as_ref()
            .map(report_of)
            .transpose()
    }

    async fn list(
        &self,
        status: Option<ReportStatus>,
        page: PageRequest,
    ) -> Result<Page<Report>, StoreError> {
        let filter = status.map_or_else(Document::new, |s| doc! { "status": s.as_str() });
        let sort = if status == Some(ReportStatus::Open) {
            doc! { "createdAt": 1, "_id": 1 }
        } else {
            doc! { "createdAt": -1, "_id": -1 }
        };
        let found =
            stackrush_store_mongo::find_page(&self.reports, filter, sort, page, &[]).await?;
        found.try_map(|d| report_of(&d))
    }

    async fn resolve(
        &self,
        id: ReportId,
        status: ReportStatus,
        by: MemberId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = self
            .reports
            .update_one(
                doc! { "_id": oid(id.bytes()), "status": "open" },
                doc! { "$set": {
                    "status": status.as_str(), "resolvedBy": oid(by.bytes()), "resolvedAt": time(at),
                } },
            )
            .await
            .map_err(store_error)?;
        Ok(done.modified_count == 1)
    }

    async fn resolve_target(
        &self,
        target: Target,
        status: ReportStatus,
        by: MemberId,
        at: DateTime<Utc>,
    ) -> Result<Vec<ReportId>, StoreError> {
        let open = collect(
            self.reports
                .find(doc! {
                    "target.kind": target.kind(), "target.id": oid(target.bytes()), "status": "open",
                })
                .projection(doc! { "_id": 1 })
                .await
                .map_err(store_error)?,
        )
        .await?;
        // One by one, each only while still open: a report another moderator closed meanwhile
        // is not claimed as closed here.
        let mut closed = Vec::with_capacity(open.len());
        for d in &open {
            let id = id_of(d, "_id", ReportId::from_bytes)?;
            if self.resolve(id, status, by, at).await? {
                closed.push(id);
            }
        }
        Ok(closed)
    }
}

#[async_trait]
impl ModerationLog for MongoCommunity {
    async fn append(&self, r: &ModerationRecord) -> Result<(), StoreError> {
        self.log
            .insert_one(doc! {
                "_id": oid(r.id.bytes()),
                "moderator": oid(r.moderator.bytes()),
                "action": r.action.as_str(),
                "target": target_doc(r.target),
                "report": r.report.map(|x| oid(x.bytes())),
                "reason": &r.reason,
                "at": time(r.at),
            })
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn list(&self, page: PageRequest) -> Result<Page<ModerationRecord>, StoreError> {
        let found = stackrush_store_mongo::find_page(
            &self.log,
            Document::new(),
            doc! { "at": -1, "_id": -1 },
            page,
            &[],
        )
        .await?;
        let records = found
            .items
            .iter()
            .map(|d| {
                let action = text(d, "action")?;
                Ok(ModerationRecord {
                    id: id_of(d, "_id", ModerationId::from_bytes)?,
                    moderator: id_of(d, "moderator", MemberId::from_bytes)?,
                    action: ModerationAction::parse(&action)
                        .ok_or_else(|| corrupt("action", &action))?,
                    target: target_of(d)?,
                    report: d
                        .get_object_id("report")
                        .ok()
                        .map(|o| ReportId::from_bytes(o.bytes())),
                    reason: text(d, "reason")?,
                    at: datetime(d, "at")?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Page {
            items: records,
            request: found.request,
            total: found.total,
        })
    }
}

impl MongoCommunity {
    async fn follow_page(
        &self,
        key: &str,
        other: &str,
        member: MemberId,
        page: PageRequest,
    ) -> Result<Page<Follow>, StoreError> {
        let found = stackrush_store_mongo::find_page(
            &self.follows,
            doc! { key: oid(member.bytes()) },
            doc! { "at": -1, other: -1 },
            page,
            &[],
        )
        .await?;
        let items = found
            .items
            .iter()
            .map(|d| {
                Ok(Follow {
                    member: id_of(d, other, MemberId::from_bytes)?,
                    since: datetime(d, "at")?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Page {
            items,
            request: found.request,
            total: found.total,
        })
    }
}

#[async_trait]
impl FollowRepository for MongoCommunity {
    async fn follow(
        &self,
        follower: MemberId,
        followee: MemberId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let row = doc! {
            "follower": oid(follower.bytes()),
            "followee": oid(followee.bytes()),
            "at": time(at),
        };
        match self.follows.insert_one(row).await {
            Ok(_) => Ok(true),
            Err(e) if is_duplicate(&e) => Ok(false),
            Err(e) => Err(store_error(e)),
        }
    }

    async fn unfollow(&self, follower: MemberId, followee: MemberId) -> Result<bool, StoreError> {
        let done = self
            .follows
            .delete_one(
                doc! { "follower": oid(follower.bytes()), "followee": oid(followee.bytes()) },
            )
            .await
            .map_err(store_error)?;
        Ok(done.deleted_count == 1)
    }

    async fn follows(&self, follower: MemberId, followee: MemberId) -> Result<bool, StoreError> {
        let found = self
            .follows
            .find_one(doc! { "follower": oid(follower.bytes()), "followee": oid(followee.bytes()) })
            .await
            .map_err(store_error)?;
        Ok(found.is_some())
    }

    async fn followers(
        &self,
        member: MemberId,
        page: PageRequest,
    ) -> Result<Page<Follow>, StoreError> {
        self.follow_page("followee", "follower", member, page).await
    }

    async fn following(
        &self,
        member: MemberId,
        page: PageRequest,
    ) -> Result<Page<Follow>, StoreError> {
        self.follow_page("follower", "followee", member, page).await
    }

    async fn withdraw(&self, member: MemberId) -> Result<u64, StoreError> {
        let who = oid(member.bytes());
        let done = self
            .follows
            .delete_many(doc! { "$or": [ { "follower": who }, { "followee": who } ] })
            .await
            .map_err(store_error)?;
        Ok(done.deleted_count)
    }

    async fn counts(&self, member: MemberId) -> Result<FollowCounts, StoreError> {
        let id = oid(member.bytes());
        let (followers, following) = futures::try_join!(
            async {
                self.follows
                    .count_documents(doc! { "followee": id })
                    .await
                    .map_err(store_error)
            },
            async {
                self.follows
                    .count_documents(doc! { "follower": id })
                    .await
                    .map_err(store_error)
            },
        )?;
        Ok(FollowCounts {
            followers,
            following,
        })
    }
}

fn collaboration_of(d: &Document) -> Result<CollaborationRequest, StoreError> {
    let status = text(d, "status")?;
    let skills = texts(d, "skills")?;
    Ok(CollaborationRequest {
        id: id_of(d, "_id", CollaborationId::from_bytes)?,
        post: id_of(d, "postId", PostId::from_bytes)?,
        requester: id_of(d, "requester", MemberId::from_bytes)?,
        post_author: id_of(d, "postAuthor", MemberId::from_bytes)?,
        message: text(d, "message")?,
        skills,
        status: CollaborationStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        created_at: datetime(d, "createdAt")?,
        responded_at: d.get_datetime("respondedAt").ok().map(|t| t.to_chrono()),
    })
}

#[async_trait]
impl CollaborationRepository for MongoCommunity {
    async fn insert(&self, r: &CollaborationRequest) -> Result<bool, StoreError> {
        let row = doc! {
            "_id": oid(r.id.bytes()),
            "postId": oid(r.post.bytes()),
            "requester": oid(r.requester.bytes()),
            "postAuthor": oid(r.post_author.bytes()),
            "message": &r.message,
            "skills": &r.skills,
            "status": r.status.as_str(),
            "createdAt": time(r.created_at),
            "respondedAt": r.responded_at.map(time),
        };
        match self.collaborations.insert_one(row).await {
            Ok(_) => Ok(true),
            Err(e) if is_duplicate(&e) => Ok(false),
            Err(e) => Err(store_error(e)),
        }
    }

    async fn get(&self, id: CollaborationId) -> Result<Option<CollaborationRequest>, StoreError> {
        self.collaborations
            .find_one(doc! { "_id": oid(id.bytes()) })
            .await
            .map_err(store_error)?
            .as_ref()
            .map(collaboration_of)
            .transpose()
    }

    async fn list(
        &self,
        member: MemberId,
        side: CollaborationSide,
        status: Option<CollaborationStatus>,
        page: PageRequest,
    ) -> Result<Page<CollaborationRequest>, StoreError> {
        let key = match side {
            CollaborationSide::Sent => "requester",
            CollaborationSide::Received => "postAuthor",
        };
        let mut filter = doc! { key: oid(member.bytes()) };
        if let Some(s) = status {
            filter.insert("status", s.as_str());
        }
        let found = stackrush_store_mongo::find_page(
            &self.collaborations,
            filter,
            doc! { "createdAt": -1, "_id": -1 },
            page,
            &[],
        )
        .await?;
        found.try_map(|d| collaboration_of(&d))
    }

    async fn answer(
        &self,
        id: CollaborationId,
        status: CollaborationStatus,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = self
            .collaborations
            .update_one(
                doc! { "_id": oid(id.bytes()), "status": "pending" },
                doc! { "$set": { "status": status.as_str(), "respondedAt": time(at) } },
            )
            .await
            .map_err(store_error)?;
        Ok(done.modified_count == 1)
    }
}

fn mentorship_of(d: &Document) -> Result<Mentorship, StoreError> {
    let status = text(d, "status")?;
    let topics = texts(d, "topics")?;
    Ok(Mentorship {
        id: id_of(d, "_id", MentorshipId::from_bytes)?,
        mentor: id_of(d, "mentor", MemberId::from_bytes)?,
        mentee: id_of(d, "mentee", MemberId::from_bytes)?,
        message: text(d, "message")?,
        topics,
        status: MentorshipStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        created_at: datetime(d, "createdAt")?,
        responded_at: d.get_datetime("respondedAt").ok().map(|t| t.to_chrono()),
        ended_at: d.get_datetime("endedAt").ok().map(|t| t.to_chrono()),
    })
}

/// The open statuses, as stored.
fn open_statuses() -> Bson {
    Bson::Array(
        MentorshipStatus::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| Bson::from(s.as_str()))
            .collect(),
    )
}

#[async_trait]
impl MentorshipRepository for MongoCommunity {
    async fn insert(&self, m: &Mentorship) -> Result<bool, StoreError> {
        let row = doc! {
            "_id": oid(m.id.bytes()),
            "mentor": oid(m.mentor.bytes()),
            "mentee": oid(m.mentee.bytes()),
            "message": &m.message,
            "topics": &m.topics,
            "status": m.status.as_str(),
            "open": m.status.is_open(),
            "createdAt": time(m.created_at),
            "respondedAt": m.responded_at.map(time),
            "endedAt": m.ended_at.map(time),
        };
        match self.mentorships.insert_one(row).await {
            Ok(_) => Ok(true),
            Err(e) if is_duplicate(&e) => Ok(false),
            Err(e) => Err(store_error(e)),
        }
    }

    async fn get(&self, id: MentorshipId) -> Result<Option<Mentorship>, StoreError> {
        self.mentorships
            .find_one(doc! { "_id": oid(id.bytes()) })
            .await
            .map_err(store_error)?
            .as_ref()
            .map(mentorship_of)
            .transpose()
    }

    async fn list(
        &self,
        member: MemberId,
        side: MentorshipSide,
        status: Option<MentorshipStatus>,
        page: PageRequest,
    ) -> Result<Page<Mentorship>, StoreError> {
        let key = match side {
            MentorshipSide::Mentor => "mentor",
            MentorshipSide::Mentee => "mentee",
        };
        let mut filter = doc! { key: oid(member.bytes()) };
        if let Some(s) = status {
            filter.insert("status", s.as_str());
        }
        let found = stackrush_store_mongo::find_page(
            &self.mentorships,
            filter,
            doc! { "createdAt": -1, "_id": -1 },
            page,
            &[],
        )
        .await?;
        found.try_map(|d| mentorship_of(&d))
    }

    async fn advance(
        &self,
        id: MentorshipId,
        from: MentorshipStatus,
        to: MentorshipStatus,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut set = doc! { "status": to.as_str(), "open": to.is_open() };
        match to {
            MentorshipStatus::Active | MentorshipStatus::Declined => {
                set.insert("respondedAt", time(at));
            }
            MentorshipStatus::Ended => {
                set.insert("endedAt", time(at));
            }
            MentorshipStatus::Pending => {}
        }
        let done = self
            .mentorships
            .update_one(
                doc! { "_id": oid(id.bytes()), "status": from.as_str() },
                doc! { "$set": set },
            )
            .await
            .map_err(store_error)?;
        Ok(done.modified_count == 1)
    }

    async fn end_all(&self, member: MemberId, at: DateTime<Utc>) -> Result<u64, StoreError> {
        let id = oid(member.bytes());
        let done = self
            .mentorships
            .update_many(
                doc! {
                    "$or": [{ "mentor": id }, { "mentee": id }],
                    "status": { "$in": open_statuses() },
                },
                doc! { "$set": { "status": "ended", "open": false, "endedAt": time(at) } },
            )
            .await
            .map_err(store_error)?;
        Ok(done.modified_count)
    }

    async fn counts(&self, member: MemberId) -> Result<MentorshipCounts, StoreError> {
        let id = oid(member.bytes());
        let (mentors, mentees) = futures::try_join!(
            async {
                self.mentorships
                    .count_documents(doc! { "mentee": id, "status": "active" })
                    .await
                    .map_err(store_error)
            },
            async {
                self.mentorships
                    .count_documents(doc! { "mentor": id, "status": "active" })
                    .await
                    .map_err(store_error)
            },
        )?;
        Ok(MentorshipCounts { mentors, mentees })
    }
}
