//! MongoDB adapter of the reviews ports; [`ensure_indexes`] is idempotent and runs at start.
//!
//! Every write that moves a count is one multi-document transaction: the review, reply or
//! helpful mark (each under a unique index where one is implied) and the count it moves (the
//! challenge's rating histogram, the review's reply count, a helpful count) commit together or
//! not at all. Transactions that meet a concurrent writer are retried with a short random pause
//! ([`stackrush_store_mongo::transaction`]). The spec's Reviews document embeds its replies and
//! helpful marks; here they are their own collections, so a review with many replies never
//! outgrows a document and marks are unique by index.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{doc, Bson, Document};
use mongodb::options::{IndexOptions, ReturnDocument};
use mongodb::{Client, ClientSession, Collection, Database};
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_reviews::ports::{CodeReviewRepository, ReviewRepository, Stores};
use stackrush_reviews::*;
use stackrush_store_mongo::fields::{count as number, datetime, id_of, n, oid, text, texts, time};
use stackrush_store_mongo::{corrupt, Work};

const REVIEWS: &str = "reviews";
const REPLIES: &str = "review_replies";
const HELPFUL: &str = "review_helpful";
const RATINGS: &str = "review_ratings";
const CODE_REVIEWS: &str = "code_reviews";
const CODE_COMMENTS: &str = "code_review_comments";

/// How many times a transaction that met a concurrent writer is tried.
const TRIES: u32 = 60;
/// How many locks this process's counter writes are spread over.
const STRIPES: usize = 64;

fn store_error(err: mongodb::error::Error) -> StoreError {
    stackrush_store_mongo::store_error(err, &[])
}

/// Creates this context's indexes.
pub async fn ensure_indexes(db: &Database) -> Result<(), StoreError> {
    let index = stackrush_store_mongo::named_index;
    db.collection::<Document>(REVIEWS)
        .create_indexes([
            index(
                doc! { "challengeId": 1, "userId": 1 },
                "reviews_live",
                Some(
                    IndexOptions::builder()
                        .unique(true)
                        .partial_filter_expression(doc! { "isActive": true })
                        .build(),
                ),
            ),
            index(
                doc! { "challengeId": 1, "isActive": 1, "createdAt": -1, "_id": -1 },
                "reviews_challenge_newest",
                None,
            ),
            index(
                doc! { "challengeId": 1, "isActive": 1, "interactions.helpful": -1, "createdAt": -1, "_id": -1 },
                "reviews_challenge_helpful",
                None,
            ),
            index(
                doc! { "userId": 1, "isActive": 1, "createdAt": -1, "_id": -1 },
                "reviews_author",
                None,
            ),
        ])
        .await
        .map_err(store_error)?;
    db.collection::<Document>(REPLIES)
        .create_indexes([index(
            doc! { "reviewId": 1, "createdAt": 1, "_id": 1 },
            "review_replies_review",
            None,
        )])
        .await
        .map_err(store_error)?;
    db.collection::<Document>(HELPFUL)
        .create_indexes([
            index(
                doc! { "kind": 1, "target": 1, "member": 1 },
                "review_helpful_unique",
                Some(IndexOptions::builder().unique(true).build()),
            ),
            index(
                doc! { "member": 1, "target": 1 },
                "review_helpful_member",
                None,
            ),
        ])
        .await
        .map_err(store_error)?;
    db.collection::<Document>(CODE_REVIEWS)
        .create_indexes([
            index(
                doc! { "submission": 1 },
                "code_reviews_submission",
                Some(IndexOptions::builder().unique(true).build()),
            ),
            index(
                doc! { "status": 1, "createdAt": 1, "_id": 1 },
                "code_reviews_queue",
                None,
            ),
            index(
                doc! { "author": 1, "updatedAt": -1, "_id": -1 },
                "code_reviews_author",
                None,
            ),
            index(
                doc! { "reviewers": 1, "updatedAt": -1, "_id": -1 },
                "code_reviews_reviewers",
                None,
            ),
        ])
        .await
        .map_err(store_error)?;
    db.collection::<Document>(CODE_COMMENTS)
        .create_indexes([index(
            doc! { "review": 1, "createdAt": 1, "_id": 1 },
            "code_review_comments_review",
            None,
        )])
        .await
        .map_err(store_error)?;
    Ok(())
}

/// The reviews context's store ports on `db` (indexed with [`ensure_indexes`]).
pub fn stores(db: &Database) -> Stores {
    let adapter = std::sync::Arc::new(MongoReviews::new(db));
    Stores {
        reviews: adapter.clone(),
        code_reviews: adapter,
    }
}

/// Reviews, replies, marks and rating histograms in the `review*` collections.
#[derive(Debug, Clone)]
pub struct MongoReviews {
    stripes: stackrush_store_mongo::Stripes,
    client: Client,
    reviews: Collection<Document>,
    replies: Collection<Document>,
    helpful: Collection<Document>,
    ratings: Collection<Document>,
    code_reviews: Collection<Document>,
    code_comments: Collection<Document>,
}

impl MongoReviews {
    /// The adapter over `db` (indexed with [`ensure_indexes`]).
    pub fn new(db: &Database) -> Self {
        Self {
            stripes: stackrush_store_mongo::Stripes::new(STRIPES),
            client: db.client().clone(),
            reviews: db.collection(REVIEWS),
            replies: db.collection(REPLIES),
            helpful: db.collection(HELPFUL),
            ratings: db.collection(RATINGS),
            code_reviews: db.collection(CODE_REVIEWS),
            code_comments: db.collection(CODE_COMMENTS),
        }
    }

    /// The lock that writes to the counters of the document `key` take turns on.
    fn stripe(&self, key: ObjectId) -> &tokio::sync::Mutex<()> {
        self.stripes.of(key)
    }

    async fn transaction<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: for<'s> Fn(&'s mut ClientSession) -> Work<'s, T> + Send + Sync,
        T: Send,
    {
        stackrush_store_mongo::transaction(&self.client, TRIES, "reviews", work).await
    }
}

fn interaction(d: &Document, key: &str) -> u64 {
    number(d.get_document("interactions").ok().and_then(|i| i.get(key)))
}

fn review_doc(r: &Review) -> Document {
    doc! {
        "_id": oid(r.id.bytes()),
        "challengeId": oid(r.challenge.bytes()),
        "userId": oid(r.author.bytes()),
        "rating": i32::from(r.rating),
        "title": &r.title,
        "content": &r.content,
        "tags": &r.tags,
        "interactions": { "helpful": n(r.helpful), "replies": n(r.replies) },
        "isActive": r.is_active,
        "createdAt": time(r.created_at),
        "updatedAt": time(r.updated_at),
    }
}

fn review_of(d: &Document) -> Result<Review, StoreError> {
    let rating = d.get_i32("rating").map_err(|e| corrupt("rating", e))?;
    let tags = texts(d, "tags")?;
    Ok(Review {
        id: id_of(d, "_id", ReviewId::from_bytes)?,
        challenge: id_of(d, "challengeId", ChallengeRef::from_bytes)?,
        author: id_of(d, "userId", MemberId::from_bytes)?,
        rating: u8::try_from(rating).map_err(|e| corrupt("rating", e))?,
        title: text(d, "title")?,
        content: text(d, "content")?,
        tags,
        helpful: interaction(d, "helpful"),
        replies: interaction(d, "replies"),
        is_active: d.get_bool("isActive").map_err(|e| corrupt("isActive", e))?,
        created_at: datetime(d, "createdAt")?,
        updated_at: datetime(d, "updatedAt")?,
    })
}

fn reply_of(d: &Document) -> Result<Reply, StoreError> {
    Ok(Reply {
        id: id_of(d, "_id", ReplyId::from_bytes)?,
        review: id_of(d, "reviewId", ReviewId::from_bytes)?,
        author: id_of(d, "userId", MemberId::from_bytes)?,
        content: text(d, "content")?,
        by_challenge_author: d
            .get_bool("byChallengeAuthor")
            .map_err(|e| corrupt("byChallengeAuthor", e))?,
        helpful: number(d.get("helpful")),
        created_at: datetime(d, "createdAt")?,
    })
}

/// The histogram field of `rating`.
fn rating_field(rating: u8) -> Result<String, mongodb::error::Error> {
    if (MIN_RATING..=MAX_RATING).contains(&rating) {
        Ok(format!("r{rating}"))
    } else {
        Err(mongodb::error::Error::custom(format!(
            "rating {rating} is outside 1-5"
        )))
    }
}

/// Moves the histogram of `challenge` by `delta` at each `(rating, delta)`, in `session`.
async fn rate(
    ratings: &Collection<Document>,
    session: &mut ClientSession,
    challenge: ObjectId,
    moves: &[(u8, i64)],
) -> Result<(), mongodb::error::Error> {
    let mut inc = Document::new();
    for (rating, delta) in moves {
        inc.insert(rating_field(*rating)?, *delta);
    }
    ratings
        .update_one(doc! { "_id": challenge }, doc! { "$inc": inc })
        .upsert(true)
        .session(&mut *session)
        .await?;
    Ok(())
}

/// The live review `id` (its challenge and rating), in `session`.
async fn live(
    reviews: &Collection<Document>,
    session: &mut ClientSession,
    id: ObjectId,
) -> Result<Option<(ObjectId, u8)>, mongodb::error::Error> {
    let found = reviews
        .find_one(doc! { "_id": id, "isActive": true })
        .projection(doc! { "challengeId": 1, "rating": 1 })
        .session(&mut *session)
        .await?;
    Ok(found.and_then(|d| {
        let challenge = d.get_object_id("challengeId").ok()?;
        let rating = u8::try_from(d.get_i32("rating").ok()?).ok()?;
        Some((challenge, rating))
    }))
}

fn list_filter(f: &ReviewFilter) -> Document {
    let mut filter = doc! { "isActive": true };
    if let Some(c) = f.challenge {
        filter.insert("challengeId", oid(c.bytes()));
    }
    if let Some(a) = f.author {
        filter.insert("userId", oid(a.bytes()));
    }
    if let Some(r) = f.rating {
        filter.insert("rating", i32::from(r));
    }
    if let Some(t) = &f.tag {
        // Equality on an array field matches an element; `$eq` keeps the text literal.
        filter.insert("tags", doc! { "$eq": t });
    }
    filter
}

fn target_key(target: Helpful) -> (&'static str, ObjectId) {
    match target {
        Helpful::Review(id) => ("review", oid(id.bytes())),
        Helpful::Reply(id) => ("reply", oid(id.bytes())),
    }
}

#[async_trait]
impl ReviewRepository for MongoReviews {
    async fn insert(&self, r: &Review) -> Result<bool, StoreError> {
        let row = review_doc(r);
        let (challenge, author, rating, active) = (
            oid(r.challenge.bytes()),
            oid(r.author.bytes()),
            r.rating,
            r.is_active,
        );
        let (reviews, ratings) = (self.reviews.clone(), self.ratings.clone());
        let _turn = self.stripe(challenge).lock().await;
        self.transaction(move |s| {
            let (reviews, ratings, row) = (reviews.clone(), ratings.clone(), row.clone());
            Box::pin(async move {
                // A racing insert of the same pair meets the unique index, and the retry
                // finds it here.
                let taken = reviews
                    .find_one(doc! { "challengeId": challenge, "userId": author, "isActive": true })
                    .projection(doc! { "_id": 1 })
                    .session(&mut *s)
                    .await?;
                if taken.is_some() && active {
                    return Ok(false);
                }
                reviews.insert_one(row).session(&mut *s).await?;
                if active {
                    rate(&ratings, s, challenge, &[(rating, 1)]).await?;
                }
                Ok(true)
            })
        })
        .await
    }

    async fn get(&self, id: ReviewId) -> Result<Option<Review>, StoreError> {
        self.reviews
            .find_one(doc! { "_id": oid(id.bytes()) })
            .await
            .map_err(store_error)?
            .as_ref()
            .map(review_of)
            .transpose()
    }

    async fn update(&self, r: &Review) -> Result<bool, StoreError> {
        let id = oid(r.id.bytes());
        let set = doc! {
            "rating": i32::from(r.rating),
            "title": &r.title,
            "content": &r.content,
            "tags": &r.tags,
            "updatedAt": time(r.updated_at),
        };
        let rating = r.rating;
        let (reviews, ratings) = (self.reviews.clone(), self.ratings.clone());
        let _turn = self.stripe(oid(r.challenge.bytes())).lock().await;
        self.transaction(move |s| {
            let (reviews, ratings, set) = (reviews.clone(), ratings.clone(), set.clone());
            Box::pin(async move {
                rating_field(rating)?;
                let Some((challenge, before)) = live(&reviews, s, id).await? else {
                    return Ok(false);
                };
                reviews
                    .update_one(doc! { "_id": id, "isActive": true }, doc! { "$set": set })
                    .session(&mut *s)
                    .await?;
                if before != rating {
                    rate(&ratings, s, challenge, &[(before, -1), (rating, 1)]).await?;
                }
                Ok(true)
            })
        })
        .await
    }

    async fn delete(&self, id: ReviewId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let id = oid(id.bytes());
        let (reviews, ratings) = (self.reviews.clone(), self.ratings.clone());
        self.transaction(move |s| {
            let (reviews, ratings) = (reviews.clone(), ratings.clone());
            Box::pin(async move {
                let Some((challenge, rating)) = live(&reviews, s, id).await? else {
                    return Ok(false);
                };
                reviews
                    .update_one(
                        doc! { "_id": id, "isActive": true },
                        doc! { "$set": { "isActive": false, "updatedAt": time(at) } },
                    )
                    .session(&mut *s)
                    .await?;
                rate(&ratings, s, challenge, &[(rating, -1)]).await?;
                Ok(true)
            })
        })
        .await
    }

    async fn list(
        &self,
        filter: &ReviewFilter,
        sort: ReviewSort,
        page: PageRequest,
    ) -> Result<Page<Review>, StoreError> {
        let mut order = match sort {
            ReviewSort::Helpful => doc! { "interactions.helpful": -1 },
            ReviewSort::Newest => Document::new(),
            ReviewSort::Highest => doc! { "rating": -1 },
            ReviewSort::Lowest => doc! { "rating": 1 },
        };
        order.insert("createdAt", -1);
        order.insert("_id", -1);
        let found =
            stackrush_store_mongo::find_page(&self.reviews, list_filter(filter), order, page, &[])
                .await?;
        found.try_map(|d| review_of(&d))
    }

    async fn add_reply(&self, reply: &Reply) -> Result<bool, StoreError> {
        let review = oid(reply.review.bytes());
        let row = doc! {
            "_id": oid(reply.id.bytes()),
            "reviewId": review,
            "userId": oid(reply.author.bytes()),
            "content": &reply.content,
            "byChallengeAuthor": reply.by_challenge_author,
            "helpful": n(reply.helpful),
            "createdAt": time(reply.created_at),
        };
        let (reviews, replies) = (self.reviews.clone(), self.replies.clone());
        let _turn = self.stripe(review).lock().await;
        self.transaction(move |s| {
            let (reviews, replies, row) = (reviews.clone(), replies.clone(), row.clone());
            Box::pin(async move {
                let counted = reviews
                    .update_one(
                        doc! { "_id": review, "isActive": true },
                        doc! { "$inc": { "interactions.replies": 1 } },
                    )
                    .session(&mut *s)
                    .await?;
                if counted.matched_count == 0 {
                    return Ok(false);
                }
                replies.insert_one(row).session(&mut *s).await?;
                Ok(true)
            })
        })
        .await
    }

    async fn reply(&self, id: ReplyId) -> Result<Option<Reply>, StoreError> {
        self.replies
            .find_one(doc! { "_id": oid(id.bytes()) })
            .await
            .map_err(store_error)?
            .as_ref()
            .map(reply_of)
            .transpose()
    }

    async fn replies(
        &self,
        review: ReviewId,
        page: PageRequest,
    ) -> Result<Page<Reply>, StoreError> {
        let found = stackrush_store_mongo::find_page(
            &self.replies,
            doc! { "reviewId": oid(review.bytes()) },
            doc! { "createdAt": 1, "_id": 1 },
            page,
            &[],
        )
        .await?;
        found.try_map(|d| reply_of(&d))
    }

    async fn toggle_helpful(
        &self,
        target: Helpful,
        member: MemberId,
        at: DateTime<Utc>,
    ) -> Result<Option<Toggled>, StoreError> {
        let (kind, key) = target_key(target);
        let mark = doc! { "kind": kind, "target": key, "member": oid(member.bytes()) };
        let (reviews, replies, helpful) = (
            self.reviews.clone(),
            self.replies.clone(),
            self.helpful.clone(),
        );
        let _turn = self.stripe(key).lock().await;
        self.transaction(move |s| {
            let (reviews, replies, helpful, mark) = (
                reviews.clone(),
                replies.clone(),
                helpful.clone(),
                mark.clone(),
            );
            Box::pin(async move {
                let review = match target {
                    Helpful::Review(_) => Some(key),
                    Helpful::Reply(_) => replies
                        .find_one(doc! { "_id": key })
                        .projection(doc! { "reviewId": 1 })
                        .session(&mut *s)
                        .await?
                        .and_then(|d| d.get_object_id("reviewId").ok()),
                };
                let Some(review) = review else {
                    return Ok(None);
                };
                if live(&reviews, s, review).await?.is_none() {
                    return Ok(None);
                }
                let removed = helpful.delete_one(mark.clone()).session(&mut *s).await?;
                let marked = removed.deleted_count == 0;
                if marked {
                    let mut row = mark;
                    row.insert("at", time(at));
                    helpful.insert_one(row).session(&mut *s).await?;
                }
                let delta: i64 = if marked { 1 } else { -1 };
                let (collection, field) = match target {
                    Helpful::Review(_) => (&reviews, "interactions.helpful"),
                    Helpful::Reply(_) => (&replies, "helpful"),
                };
                let after = collection
                    .find_one_and_update(doc! { "_id": key }, doc! { "$inc": { field: delta } })
                    .return_document(ReturnDocument::After)
                    .session(&mut *s)
                    .await?;
                Ok(after.map(|d| Toggled {
                    marked,
                    count: match target {
                        Helpful::Review(_) => interaction(&d, "helpful"),
                        Helpful::Reply(_) => number(d.get("helpful")),
                    },
                }))
            })
        })
        .await
    }

    async fn marked(
        &self,
        member: MemberId,
        targets: &[Helpful],
    ) -> Result<HashSet<Helpful>, StoreError> {
        if targets.is_empty() {
            return Ok(HashSet::new());
        }
        let keys: Vec<ObjectId> = targets.iter().map(|t| target_key(*t).1).collect();
        let rows: Vec<Document> = self
            .helpful
            .find(doc! { "member": oid(member.bytes()), "target": { "$in": keys } })
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        let mut found = HashSet::new();
        for row in &rows {
            let mark = match row.get_str("kind").map_err(|e| corrupt("kind", e))? {
                "review" => Helpful::Review(id_of(row, "target", ReviewId::from_bytes)?),
                "reply" => Helpful::Reply(id_of(row, "target", ReplyId::from_bytes)?),
                other => return Err(corrupt("kind", other)),
            };
            if targets.contains(&mark) {
                found.insert(mark);
            }
        }
        Ok(found)
    }

    async fn summaries(
        &self,
        challenges: &[ChallengeRef],
    ) -> Result<HashMap<ChallengeRef, RatingSummary>, StoreError> {
        if challenges.is_empty() {
            return Ok(HashMap::new());
        }
        let ids: Vec<ObjectId> = challenges.iter().map(|c| oid(c.bytes())).collect();
        let rows: Vec<Document> = self
            .ratings
            .find(doc! { "_id": { "$in": ids } })
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        let mut found = HashMap::new();
        for row in &rows {
            let summary = RatingSummary {
                histogram: [1, 2, 3, 4, 5].map(|r| number(row.get(format!("r{r}")))),
            };
            if summary.count() > 0 {
                found.insert(id_of(row, "_id", ChallengeRef::from_bytes)?, summary);
            }
        }
        Ok(found)
    }
}

fn opt_oid<T>(d: &Document, key: &str, make: fn([u8; 12]) -> T) -> Option<T> {
    d.get_object_id(key).ok().map(|o| make(o.bytes()))
}

fn small(d: &Document, key: &str) -> Result<u32, StoreError> {
    match d.get(key) {
        Some(Bson::Int32(v)) => u32::try_from(*v).map_err(|e| corrupt(key, e)),
        Some(Bson::Int64(v)) => u32::try_from(*v).map_err(|e| corrupt(key, e)),
        other => Err(corrupt(key, format!("{other:?}"))),
    }
}

fn metrics_doc(m: &Metrics) -> Document {
    doc! {
        "codeQuality": i32::from(m.code_quality),
        "performance": i32::from(m.performance),
        "readability": i32::from(m.readability),
        "testCoverage": i32::from(m.test_coverage),
    }
}

fn metrics_of(d: &Document) -> Result<Metrics, StoreError> {
    let mark = |key: &str| -> Result<u8, StoreError> {
        let v = d.get_i32(key).map_err(|e| corrupt(key, e))?;
        u8::try_from(v).map_err(|e| corrupt(key, e))
    };
    Ok(Metrics {
        code_quality: mark("codeQuality")?,
        performance: mark("performance")?,
        readability: mark("readability")?,
        test_coverage: mark("testCoverage")?,
    })
}

fn submission_fields(s: &ReviewedSubmission) -> Document {
    doc! {
        "submission": oid(s.id.bytes()),
        "challengeId": oid(s.challenge.bytes()),
        "language": &s.language,
        "challengeType": &s.challenge_type,
        "difficulty": &s.difficulty,
        "lines": i64::from(s.lines),
    }
}

fn code_review_doc(r: &CodeReview) -> Document {
    let mut d = doc! {
        "_id": oid(r.id.bytes()),
        "author": oid(r.author.bytes()),
        "version": i64::from(r.version),
        "message": &r.message,
        "status": r.status.as_str(),
        "reviewer": r.reviewer.map(|m| oid(m.bytes())),
        "reviewers": r.reviewers.iter().map(|m| oid(m.bytes())).collect::<Vec<_>>(),
        "activeAt": r.active_at.map(time),
        "summary": r.summary.as_deref(),
        "metrics": r.metrics.as_ref().map(metrics_doc),
        "comments": n(r.comments),
        "createdAt": time(r.created_at),
        "updatedAt": time(r.updated_at),
    };
    d.extend(submission_fields(&r.submission));
    d
}

fn code_review_of(d: &Document) -> Result<CodeReview, StoreError> {
    let status = text(d, "status")?;
    let reviewers = d
        .get_array("reviewers")
        .map_err(|e| corrupt("reviewers", e))?
        .iter()
        .map(|r| match r {
            Bson::ObjectId(o) => Ok(MemberId::from_bytes(o.bytes())),
            other => Err(corrupt("reviewers", other)),
        })
        .collect::<Result<_, _>>()?;
    Ok(CodeReview {
        id: id_of(d, "_id", CodeReviewId::from_bytes)?,
        author: id_of(d, "author", MemberId::from_bytes)?,
        submission: ReviewedSubmission {
            id: id_of(d, "submission", SubmissionRef::from_bytes)?,
            challenge: id_of(d, "challengeId", ChallengeRef::from_bytes)?,
            language: text(d, "language")?,
            challenge_type: text(d, "challengeType")?,
            difficulty: text(d, "difficulty")?,
            lines: small(d, "lines")?,
        },
        version: small(d, "version")?,
        message: text(d, "message")?,
        status: CodeReviewStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        reviewer: opt_oid(d, "reviewer", MemberId::from_bytes),
        reviewers,
        active_at: d.get_datetime("activeAt").ok().map(|t| t.to_chrono()),
        summary: d.get_str("summary").ok().map(str::to_owned),
        metrics: d.get_document("metrics").ok().map(metrics_of).transpose()?,
        comments: number(d.get("comments")),
        created_at: datetime(d, "createdAt")?,
        updated_at: datetime(d, "updatedAt")?,
    })
}

fn code_comment_of(d: &Document) -> Result<CodeComment, StoreError> {
    let kind = text(d, "type")?;
    Ok(CodeComment {
        id: id_of(d, "_id", CodeCommentId::from_bytes)?,
        review: id_of(d, "review", CodeReviewId::from_bytes)?,
        author: id_of(d, "author", MemberId::from_bytes)?,
        submission: id_of(d, "submission", SubmissionRef::from_bytes)?,
        version: small(d, "version")?,
        line: match d.get("lineNumber") {
            Some(Bson::Null) | None => None,
            Some(_) => Some(small(d, "lineNumber")?),
        },
        kind: CommentKind::parse(&kind).ok_or_else(|| corrupt("type", &kind))?,
        content: text(d, "content")?,
        parent: opt_oid(d, "parent", CodeCommentId::from_bytes),
        created_at: datetime(d, "createdAt")?,
    })
}

/// Pending, or in review with a claim lapsed at `at`.
fn queued(at: DateTime<Utc>) -> Document {
    let cutoff = time(at - CLAIM_TTL);
    doc! { "$or": [
        { "status": "pending" },
        { "status": "in-review", "$or": [
            { "activeAt": null },
            { "activeAt": { "$lte": cutoff } },
        ] },
    ] }
}

#[async_trait]
impl CodeReviewRepository for MongoReviews {
    async fn insert(&self, r: &CodeReview) -> Result<bool, StoreError> {
        match self.code_reviews.insert_one(code_review_doc(r)).await {
            Ok(_) => Ok(true),
            Err(e) => match store_error(e) {
                StoreError::Conflict { .. } => Ok(false),
                other => Err(other),
            },
        }
    }

    async fn get(&self, id: CodeReviewId) -> Result<Option<CodeReview>, StoreError> {
        self.code_reviews
            .find_one(doc! { "_id": oid(id.bytes()) })
            .await
            .map_err(store_error)?
            .as_ref()
            .map(code_review_of)
            .transpose()
    }

    async fn list(
        &self,
        f: &CodeReviewFilter,
        now: DateTime<Utc>,
        page: PageRequest,
    ) -> Result<Page<CodeReview>, StoreError> {
        let mut filter = match f.status {
            Some(CodeReviewStatus::Pending) => queued(now),
            Some(s) => doc! { "status": s.as_str() },
            None => Document::new(),
        };
        if let Some(a) = f.author {
            filter.insert("author", oid(a.bytes()));
        }
        if let Some(r) = f.reviewer {
            filter.insert("reviewers", oid(r.bytes()));
        }
        for (key, value) in [
            ("language", &f.language),
            ("challengeType", &f.challenge_type),
            ("difficulty", &f.difficulty),
        ] {
            if let Some(v) = value {
                filter.insert(key, doc! { "$eq": v });
            }
        }
        let order = if f.status == Some(CodeReviewStatus::Pending) {
            doc! { "createdAt": 1, "_id": 1 }
        } else {
            doc! { "updatedAt": -1, "_id": -1 }
        };
        let found =
            stackrush_store_mongo::find_page(&self.code_reviews, filter, order, page, &[]).await?;
        found.try_map(|d| code_review_of(&d))
    }

    async fn claim(
        &self,
        id: CodeReviewId,
        reviewer: MemberId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut filter = queued(at);
        filter.insert("_id", oid(id.bytes()));
        let who = oid(reviewer.bytes());
        let done = self
            .code_reviews
            .update_one(
                filter,
                doc! {
                    "$set": {
                        "status": "in-review", "reviewer": who,
                        "activeAt": time(at), "updatedAt": time(at),
                    },
                    "$addToSet": { "reviewers": who },
                },
            )
            .await
            .map_err(store_error)?;
        Ok(done.matched_count == 1)
    }

    async fn decide(
        &self,
        id: CodeReviewId,
        reviewer: MemberId,
        decision: &Decision,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = self
            .code_reviews
            .update_one(
                doc! {
                    "_id": oid(id.bytes()), "status": "in-review",
                    "reviewer": oid(reviewer.bytes()),
                    "activeAt": { "$gt": time(at - CLAIM_TTL) },
                },
                doc! { "$set": {
                    "status": decision.status.as_str(),
                    "summary": &decision.summary,
                    "metrics": decision.metrics.as_ref().map(metrics_doc),
                    "activeAt": time(at), "updatedAt": time(at),
                } },
            )
            .await
            .map_err(store_error)?;
        Ok(done.matched_count == 1)
    }

    async fn re_request(
        &self,
        id: CodeReviewId,
        s: &ReviewedSubmission,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut set = submission_fields(s);
        set.insert("status", "pending");
        set.insert("reviewer", Bson::Null);
        set.insert("activeAt", Bson::Null);
        set.insert("summary", Bson::Null);
        set.insert("metrics", Bson::Null);
        set.insert("updatedAt", time(at));
        let done = self
            .code_reviews
            .update_one(
                doc! { "_id": oid(id.bytes()), "status": "changes-requested" },
                doc! { "$set": set, "$inc": { "version": 1 } },
            )
            .await
            .map_err(store_error)?;
        Ok(done.matched_count == 1)
    }

    async fn set_message(
        &self,
        id: CodeReviewId,
        message: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = self
            .code_reviews
            .update_one(
                doc! {
                    "_id": oid(id.bytes()),
                    "status": { "$in": ["pending", "changes-requested"] },
                },
                doc! { "$set": { "message": message, "updatedAt": time(at) } },
            )
            .await
            .map_err(store_error)?;
        Ok(done.matched_count == 1)
    }

    async fn add_comment(&self, c: &CodeComment) -> Result<bool, StoreError> {
        let review = oid(c.review.bytes());
        let author = oid(c.author.bytes());
        let at = time(c.created_at);
        let row = doc! {
            "_id": oid(c.id.bytes()),
            "review": review,
            "author": author,
            "submission": oid(c.submission.bytes()),
            "version": i64::from(c.version),
            "lineNumber": c.line.map(i64::from),
            "type": c.kind.as_str(),
            "content": &c.content,
            "parent": c.parent.map(|p| oid(p.bytes())),
            "createdAt": at,
        };
        let (reviews, comments) = (self.code_reviews.clone(), self.code_comments.clone());
        let _turn = self.stripe(review).lock().await;
        self.transaction(move |s| {
            let (reviews, comments, row) = (reviews.clone(), comments.clone(), row.clone());
            Box::pin(async move {
                let counted = reviews
                    .update_one(doc! { "_id": review }, doc! { "$inc": { "comments": 1 } })
                    .session(&mut *s)
                    .await?;
                if counted.matched_count == 0 {
                    return Ok(false);
                }
                reviews
                    .update_one(
                        doc! { "_id": review, "status": "in-review", "reviewer": author },
                        doc! { "$set": { "activeAt": at } },
                    )
                    .session(&mut *s)
                    .await?;
                comments.insert_one(row).session(&mut *s).await?;
                Ok(true)
            })
        })
        .await
    }

    async fn comment(&self, id: CodeCommentId) -> Result<Option<CodeComment>, StoreError> {
        self.code_comments
            .find_one(doc! { "_id": oid(id.bytes()) })
            .await
            .map_err(store_error)?
            .as_ref()
            .map(code_comment_of)
            .transpose()
    }

    async fn comments(
        &self,
        review: CodeReviewId,
        page: PageRequest,
    ) -> Result<Page<CodeComment>, StoreError> {
        let found = stackrush_store_mongo::find_page(
            &self.code_comments,
            doc! { "review": oid(review.bytes()) },
            doc! { "createdAt": 1, "_id": 1 },
            page,
            &[],
        )
        .await?;
        found.try_map(|d| code_comment_of(&d))
    }
}
