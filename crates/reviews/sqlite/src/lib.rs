//! SQLite adapter of the reviews ports; [`migrate`] applies this context's migrations.
//!
//! Every write that moves a count runs as one job on the synchronous writer ([`Db::write`]): the
//! review, reply or helpful mark and the count it moves (a challenge's rating histogram, a
//! review's reply count, a helpful count) change in one savepoint of one transaction. Helpful
//! marks are keyed by their primary key, never read-modify-written.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite};
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_reviews::ports::{CodeReviewRepository, ReviewRepository, Stores};
use stackrush_reviews::*;
use stackrush_store_sqlite::rows::{count, get, json, parsed as id, parsed_opt as opt_id, to_json};
use stackrush_store_sqlite::{corrupt, from_millis, millis, Db, PageQuery, WriteError};

/// Applies this context's migrations; other contexts' migrations in the same file are left alone.
pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    stackrush_store_sqlite::apply_migrations(db, sqlx::migrate!("./migrations")).await
}

/// The reviews context's store ports on `db` (migrated with [`migrate`]).
pub fn stores(db: &Db) -> Stores {
    let adapter = std::sync::Arc::new(SqliteReviews::new(db.clone()));
    Stores {
        reviews: adapter.clone(),
        code_reviews: adapter,
    }
}

fn store_error(err: sqlx::Error) -> StoreError {
    stackrush_store_sqlite::store_error(err, &[])
}

fn sync_error(err: rusqlite::Error) -> StoreError {
    stackrush_store_sqlite::sync_store_error(err, &[])
}

fn job_error(err: WriteError<StoreError>) -> StoreError {
    err.into_inner()
}

const REVIEW_COLUMNS: &str = "id, challenge, author, rating, title, content, tags, helpful, \
    replies, is_active, created_at, updated_at";

const REPLY_COLUMNS: &str = "id, review, author, content, by_challenge_author, helpful, created_at";

/// Reviews, replies, marks and rating histograms in the `review*` tables.
#[derive(Debug, Clone)]
pub struct SqliteReviews {
    db: Db,
}

impl SqliteReviews {
    /// The adapter over `db` (migrated with [`migrate`]).
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

fn review_row(row: &SqliteRow) -> Result<Review, StoreError> {
    Ok(Review {
        id: id(row, "id")?,
        challenge: id(row, "challenge")?,
        author: id(row, "author")?,
        rating: u8::try_from(get::<i64>(row, "rating")?).map_err(|e| corrupt("rating", e))?,
        title: get(row, "title")?,
        content: get(row, "content")?,
        tags: json(row, "tags")?,
        helpful: count(row, "helpful")?,
        replies: count(row, "replies")?,
        is_active: get(row, "is_active")?,
        created_at: from_millis(get(row, "created_at")?)?,
        updated_at: from_millis(get(row, "updated_at")?)?,
    })
}

fn reply_row(row: &SqliteRow) -> Result<Reply, StoreError> {
    Ok(Reply {
        id: id(row, "id")?,
        review: id(row, "review")?,
        author: id(row, "author")?,
        content: get(row, "content")?,
        by_challenge_author: get(row, "by_challenge_author")?,
        helpful: count(row, "helpful")?,
        created_at: from_millis(get(row, "created_at")?)?,
    })
}

/// The histogram column of `rating`.
fn rating_column(rating: u8) -> Result<&'static str, StoreError> {
    match rating {
        1 => Ok("r1"),
        2 => Ok("r2"),
        3 => Ok("r3"),
        4 => Ok("r4"),
        5 => Ok("r5"),
        other => Err(StoreError::Other(anyhow::anyhow!(
            "rating {other} is outside 1-5"
        ))),
    }
}

/// Moves one review of `challenge` into (`delta` 1) or out of (`delta` -1) `rating`'s column.
fn rate(conn: &Connection, challenge: &str, rating: u8, delta: i64) -> Result<(), StoreError> {
    let column = rating_column(rating)?;
    conn.execute(
        &format!(
            "INSERT INTO review_ratings (challenge, {column}) VALUES (?1, MAX(?2, 0)) \
             ON CONFLICT (challenge) DO UPDATE SET {column} = MAX({column} + ?2, 0)"
        ),
        params![challenge, delta],
    )
    .map_err(sync_error)?;
    Ok(())
}

/// The review's challenge and rating while it is live.
fn live_rating(conn: &Connection, review: &str) -> Result<Option<(String, u8)>, StoreError> {
    let found: Option<(String, i64)> = conn
        .query_row(
            "SELECT challenge, rating FROM reviews WHERE id = ?1 AND is_active = 1",
            [review],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(sync_error)?;
    found
        .map(|(c, r)| Ok((c, u8::try_from(r).map_err(|e| corrupt("rating", e))?)))
        .transpose()
}

fn push_filter(q: &mut QueryBuilder<'_, Sqlite>, f: &ReviewFilter) {
    q.push(" WHERE is_active = 1");
    if let Some(c) = f.challenge {
        q.push(" AND challenge = ").push_bind(c.to_hex());
    }
    if let Some(a) = f.author {
        q.push(" AND author = ").push_bind(a.to_hex());
    }
    if let Some(r) = f.rating {
        q.push(" AND rating = ").push_bind(i64::from(r));
    }
    if let Some(t) = &f.tag {
        q.push(" AND EXISTS (SELECT 1 FROM json_each(reviews.tags) WHERE value = ")
            .push_bind(t.clone())
            .push(")");
    }
}

#[async_trait]
impl ReviewRepository for SqliteReviews {
    async fn insert(&self, r: &Review) -> Result<bool, StoreError> {
        let tags = to_json(&r.tags)?;
        let r = r.clone();
        self.db
            .write(move |conn| {
                let stored = conn
                    .execute(
                        &format!(
                            "INSERT INTO reviews ({REVIEW_COLUMNS}) VALUES \
                             (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) \
                             ON CONFLICT DO NOTHING"
                        ),
                        params![
                            r.id.to_hex(),
                            r.challenge.to_hex(),
                            r.author.to_hex(),
                            i64::from(r.rating),
                            r.title,
                            r.content,
                            tags,
                            i64::try_from(r.helpful).unwrap_or(i64::MAX),
                            i64::try_from(r.replies).unwrap_or(i64::MAX),
                            r.is_active,
                            millis(r.created_at),
                            millis(r.updated_at),
                        ],
                    )
                    .map_err(sync_error)?;
                if stored == 0 {
                    return Ok(false);
                }
                if r.is_active {
                    rate(conn, &r.challenge.to_hex(), r.rating, 1)?;
                }
                Ok(true)
            })
            .await
            .map_err(job_error)
    }

    async fn get(&self, id: ReviewId) -> Result<Option<Review>, StoreError> {
        sqlx::query(&format!(
            "SELECT {REVIEW_COLUMNS} FROM reviews WHERE id = ?1"
        ))
        .bind(id.to_hex())
        .fetch_optional(self.db.reads())
        .await
        .map_err(store_error)?
        .as_ref()
        .map(review_row)
        .transpose()
    }

    async fn update(&self, r: &Review) -> Result<bool, StoreError> {
        let tags = to_json(&r.tags)?;
        let r = r.clone();
        self.db
            .write(move |conn| {
                let id = r.id.to_hex();
                let Some((challenge, before)) = live_rating(conn, &id)? else {
                    return Ok(false);
                };
                rating_column(r.rating)?;
                conn.execute(
                    "UPDATE reviews SET rating = ?2, title = ?3, content = ?4, tags = ?5, \
                     updated_at = ?6 WHERE id = ?1 AND is_active = 1",
                    params![
                        id,
                        i64::from(r.rating),
                        r.title,
                        r.content,
                        tags,
                        millis(r.updated_at)
                    ],
                )
                .map_err(sync_error)?;
                if before != r.rating {
                    rate(conn, &challenge, before, -1)?;
                    rate(conn, &challenge, r.rating, 1)?;
                }
                Ok(true)
            })
            .await
            .map_err(job_error)
    }

    async fn delete(&self, id: ReviewId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let (id, at) = (id.to_hex(), millis(at));
        self.db
            .write(move |conn| {
                let Some((challenge, rating)) = live_rating(conn, &id)? else {
                    return Ok(false);
                };
                conn.execute(
                    "UPDATE reviews SET is_active = 0, updated_at = ?2 WHERE id = ?1",
                    params![id, at],
                )
                .map_err(sync_error)?;
                rate(conn, &challenge, rating, -1)?;
                Ok(true)
            })
            .await
            .map_err(job_error)
    }

    async fn list(
        &self,
        filter: &ReviewFilter,
        sort: ReviewSort,
        page: PageRequest,
    ) -> Result<Page<Review>, StoreError> {
        let key = match sort {
            ReviewSort::Helpful => "helpful DESC, ",
            ReviewSort::Newest => "",
            ReviewSort::Highest => "rating DESC, ",
            ReviewSort::Lowest => "rating ASC, ",
        };
        PageQuery {
            table: "reviews",
            columns: REVIEW_COLUMNS,
            filter: |q: &mut QueryBuilder<'_, Sqlite>| push_filter(q, filter),
            order: &format!("{key}created_at DESC, id DESC"),
        }
        .fetch(&self.db, page, review_row, store_error)
        .await
    }

    async fn add_reply(&self, reply: &Reply) -> Result<bool, StoreError> {
        let r = reply.clone();
        self.db
            .write(move |conn| {
                let review = r.review.to_hex();
                let counted = conn
                    .execute(
                        "UPDATE reviews SET replies = replies + 1 WHERE id = ?1 AND is_active = 1",
                        [&review],
                    )
                    .map_err(sync_error)?;
                if counted == 0 {
                    return Ok(false);
                }
                conn.execute(
                    &format!(
                        "INSERT INTO review_replies ({REPLY_COLUMNS}) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                    ),
                    params![
                        r.id.to_hex(),
                        review,
                        r.author.to_hex(),
                        r.content,
                        r.by_challenge_author,
                        i64::try_from(r.helpful).unwrap_or(i64::MAX),
                        millis(r.created_at),
                    ],
                )
                .map_err(sync_error)?;
                Ok(true)
            })
            .await
            .map_err(job_error)
    }

    async fn reply(&self, id: ReplyId) -> Result<Option<Reply>, StoreError> {
        sqlx::query(&format!(
            "SELECT {REPLY_COLUMNS} FROM review_replies WHERE id = ?1"
        ))
        .bind(id.to_hex())
        .fetch_optional(self.db.reads())
        .await
        .map_err(store_error)?
        .as_ref()
        .map(reply_row)
        .transpose()
    }

    async fn replies(
        &self,
        review: ReviewId,
        page: PageRequest,
    ) -> Result<Page<Reply>, StoreError> {
        let review = review.to_hex();
        PageQuery {
            table: "review_replies",
            columns: REPLY_COLUMNS,
            filter: |q: &mut QueryBuilder<'_, Sqlite>| {
                q.push(" WHERE review = ").push_bind(review.clone());
            },
            order: "created_at ASC, id ASC",
        }
        .fetch(&self.db, page, reply_row, store_error)
        .await
    }

    async fn toggle_helpful(
        &self,
        target: Helpful,
        member: MemberId,
        at: DateTime<Utc>,
    ) -> Result<Option<Toggled>, StoreError> {
        let (kind, table, key) = match target {
            Helpful::Review(id) => ("review", "reviews", id.to_hex()),
            Helpful::Reply(id) => ("reply", "review_replies", id.to_hex()),
        };
        let (member, at) = (member.to_hex(), millis(at));
        self.db
            .write(move |conn| {
                let review: Option<String> = match target {
                    Helpful::Review(_) => Some(key.clone()),
                    Helpful::Reply(_) => conn
                        .query_row(
                            "SELECT review FROM review_replies WHERE id = ?1",
                            [&key],
                            |r| r.get(0),
                        )
                        .optional()
                        .map_err(sync_error)?,
                };
                let Some(review) = review else {
                    return Ok(None);
                };
                if live_rating(conn, &review)?.is_none() {
                    return Ok(None);
                }
                let unmarked = conn
                    .execute(
                        "DELETE FROM review_helpful WHERE kind = ?1 AND target = ?2 AND member = ?3",
                        params![kind, key, member],
                    )
                    .map_err(sync_error)?;
                let marked = unmarked == 0;
                if marked {
                    conn.execute(
                        "INSERT INTO review_helpful (kind, target, member, at) VALUES (?1, ?2, ?3, ?4)",
                        params![kind, key, member, at],
                    )
                    .map_err(sync_error)?;
                }
                let delta: i64 = if marked { 1 } else { -1 };
                let count: i64 = conn
                    .query_row(
                        &format!(
                            "UPDATE {table} SET helpful = MAX(helpful + ?2, 0) WHERE id = ?1 \
                             RETURNING helpful"
                        ),
                        params![key, delta],
                        |r| r.get(0),
                    )
                    .map_err(sync_error)?;
                Ok(Some(Toggled {
                    marked,
                    count: u64::try_from(count).unwrap_or(0),
                }))
            })
            .await
            .map_err(job_error)
    }

    async fn marked(
        &self,
        member: MemberId,
        targets: &[Helpful],
    ) -> Result<HashSet<Helpful>, StoreError> {
        if targets.is_empty() {
            return Ok(HashSet::new());
        }
        let mut q =
            QueryBuilder::<Sqlite>::new("SELECT kind, target FROM review_helpful WHERE member = ");
        q.push_bind(member.to_hex()).push(" AND target IN (");
        stackrush_store_sqlite::push_binds(
            &mut q,
            targets.iter().map(|t| match t {
                Helpful::Review(id) => id.to_hex(),
                Helpful::Reply(id) => id.to_hex(),
            }),
        );
        q.push(")");
        let rows = q
            .build()
            .fetch_all(self.db.reads())
            .await
            .map_err(store_error)?;
        let mut found = HashSet::new();
        for row in &rows {
            let mark = match get::<String>(row, "kind")?.as_str() {
                "review" => Helpful::Review(id(row, "target")?),
                "reply" => Helpful::Reply(id(row, "target")?),
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
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT challenge, r1, r2, r3, r4, r5 FROM review_ratings WHERE challenge IN (",
        );
        stackrush_store_sqlite::push_binds(&mut q, challenges.iter().map(|c| c.to_hex()));
        q.push(")");
        let rows = q
            .build()
            .fetch_all(self.db.reads())
            .await
            .map_err(store_error)?;
        let mut found = HashMap::new();
        for row in &rows {
            let summary = RatingSummary {
                histogram: [
                    count(row, "r1")?,
                    count(row, "r2")?,
                    count(row, "r3")?,
                    count(row, "r4")?,
                    count(row, "r5")?,
                ],
            };
            if summary.count() > 0 {
                found.insert(id(row, "challenge")?, summary);
            }
        }
        Ok(found)
    }
}

const CODE_COLUMNS: &str = "id, author, submission, challenge, language, challenge_type, \
    difficulty, lines, version, message, status, reviewer, reviewers, active_at, summary, \
    metrics, comments, created_at, updated_at";

const COMMENT_COLUMNS: &str =
    "id, review, author, submission, version, line, kind, content, parent, created_at";

fn small(row: &SqliteRow, column: &str) -> Result<u32, StoreError> {
    u32::try_from(get::<i64>(row, column)?).map_err(|e| corrupt(column, e))
}

fn metrics_json(m: &Metrics) -> String {
    format!(
        "[{},{},{},{}]",
        m.code_quality, m.performance, m.readability, m.test_coverage
    )
}

fn metrics_of(text: &str) -> Result<Metrics, StoreError> {
    let marks: [u8; 4] = serde_json::from_str(text).map_err(|e| corrupt("metrics", e))?;
    Ok(Metrics {
        code_quality: marks[0],
        performance: marks[1],
        readability: marks[2],
        test_coverage: marks[3],
    })
}

fn code_review_row(row: &SqliteRow) -> Result<CodeReview, StoreError> {
    let status: String = get(row, "status")?;
    let reviewers: Vec<String> = json(row, "reviewers")?;
    Ok(CodeReview {
        id: id(row, "id")?,
        author: id(row, "author")?,
        submission: ReviewedSubmission {
            id: id(row, "submission")?,
            challenge: id(row, "challenge")?,
            language: get(row, "language")?,
            challenge_type: get(row, "challenge_type")?,
            difficulty: get(row, "difficulty")?,
            lines: small(row, "lines")?,
        },
        version: small(row, "version")?,
        message: get(row, "message")?,
        status: CodeReviewStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        reviewer: opt_id(row, "reviewer")?,
        reviewers: reviewers
            .iter()
            .map(|r| r.parse().map_err(|e| corrupt("reviewers", e)))
            .collect::<Result<_, _>>()?,
        active_at: stackrush_store_sqlite::opt_from_millis(get(row, "active_at")?)?,
        summary: get(row, "summary")?,
        metrics: get::<Option<String>>(row, "metrics")?
            .as_deref()
            .map(metrics_of)
            .transpose()?,
        comments: count(row, "comments")?,
        created_at: from_millis(get(row, "created_at")?)?,
        updated_at: from_millis(get(row, "updated_at")?)?,
    })
}

fn code_comment_row(row: &SqliteRow) -> Result<CodeComment, StoreError> {
    let kind: String = get(row, "kind")?;
    Ok(CodeComment {
        id: id(row, "id")?,
        review: id(row, "review")?,
        author: id(row, "author")?,
        submission: id(row, "submission")?,
        version: small(row, "version")?,
        line: get::<Option<i64>>(row, "line")?
            .map(|l| u32::try_from(l).map_err(|e| corrupt("line", e)))
            .transpose()?,
        kind: CommentKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
        content: get(row, "content")?,
        parent: opt_id(row, "parent")?,
        created_at: from_millis(get(row, "created_at")?)?,
    })
}

/// The moment before which an in-review claim that saw no activity has lapsed at `at`.
fn lapse_cutoff(at: DateTime<Utc>) -> i64 {
    millis(at - CLAIM_TTL)
}

/// `status = pending`, counting claims lapsed at the cutoff bound next.
const QUEUED: &str = "(status = 'pending' OR (status = 'in-review' AND \
    (active_at IS NULL OR active_at <= ";

#[async_trait]
impl CodeReviewRepository for SqliteReviews {
    async fn insert(&self, r: &CodeReview) -> Result<bool, StoreError> {
        let reviewers: Vec<String> = r.reviewers.iter().map(|m| m.to_hex()).collect();
        let reviewers = to_json(&reviewers)?;
        let done = sqlx::query(&format!(
            "INSERT INTO code_reviews ({CODE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, \
             ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19) ON CONFLICT DO NOTHING"
        ))
        .bind(r.id.to_hex())
        .bind(r.author.to_hex())
        .bind(r.submission.id.to_hex())
        .bind(r.submission.challenge.to_hex())
        .bind(&r.submission.language)
        .bind(&r.submission.challenge_type)
        .bind(&r.submission.difficulty)
        .bind(i64::from(r.submission.lines))
        .bind(i64::from(r.version))
        .bind(&r.message)
        .bind(r.status.as_str())
        .bind(r.reviewer.map(|m| m.to_hex()))
        .bind(reviewers)
        .bind(r.active_at.map(millis))
        .bind(&r.summary)
        .bind(r.metrics.as_ref().map(metrics_json))
        .bind(i64::try_from(r.comments).unwrap_or(i64::MAX))
        .bind(millis(r.created_at))
        .bind(millis(r.updated_at))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn get(&self, id: CodeReviewId) -> Result<Option<CodeReview>, StoreError> {
        sqlx::query(&format!(
            "SELECT {CODE_COLUMNS} FROM code_reviews WHERE id = ?1"
        ))
        .bind(id.to_hex())
        .fetch_optional(self.db.reads())
        .await
        .map_err(store_error)?
        .as_ref()
        .map(code_review_row)
        .transpose()
    }

    async fn list(
        &self,
        filter: &CodeReviewFilter,
        now: DateTime<Utc>,
        page: PageRequest,
    ) -> Result<Page<CodeReview>, StoreError> {
        let queue = filter.status == Some(CodeReviewStatus::Pending);
        PageQuery {
            table: "code_reviews",
            columns: CODE_COLUMNS,
            filter: |q: &mut QueryBuilder<'_, Sqlite>| {
                q.push(" WHERE 1 = 1");
                match filter.status {
                    Some(CodeReviewStatus::Pending) => {
                        q.push(" AND ")
                            .push(QUEUED)
                            .push_bind(lapse_cutoff(now))
                            .push(")))");
                    }
                    Some(s) => {
                        q.push(" AND status = ").push_bind(s.as_str());
                    }
                    None => {}
                }
                if let Some(a) = filter.author {
                    q.push(" AND author = ").push_bind(a.to_hex());
                }
                if let Some(r) = filter.reviewer {
                    q.push(" AND EXISTS (SELECT 1 FROM json_each(code_reviews.reviewers) WHERE value = ")
                        .push_bind(r.to_hex())
                        .push(")");
                }
                for (column, value) in [
                    ("language", &filter.language),
                    ("challenge_type", &filter.challenge_type),
                    ("difficulty", &filter.difficulty),
                ] {
                    if let Some(v) = value {
                        q.push(format!(" AND {column} = ")).push_bind(v.clone());
                    }
                }
            },
            order: if queue {
                "created_at ASC, id ASC"
            } else {
                "updated_at DESC, id DESC"
            },
        }
        .fetch(&self.db, page, code_review_row, store_error)
        .await
    }

    async fn claim(
        &self,
        id: CodeReviewId,
        reviewer: MemberId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(&format!(
            "UPDATE code_reviews SET status = 'in-review', reviewer = ?2, active_at = ?3, \
               updated_at = ?3, \
               reviewers = CASE WHEN EXISTS (SELECT 1 FROM json_each(reviewers) WHERE value = ?2) \
                 THEN reviewers ELSE json_insert(reviewers, '$[#]', ?2) END \
             WHERE id = ?1 AND {QUEUED}?4)))"
        ))
        .bind(id.to_hex())
        .bind(reviewer.to_hex())
        .bind(millis(at))
        .bind(lapse_cutoff(at))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn decide(
        &self,
        id: CodeReviewId,
        reviewer: MemberId,
        decision: &Decision,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE code_reviews SET status = ?3, summary = ?4, metrics = ?5, active_at = ?6, \
               updated_at = ?6 \
             WHERE id = ?1 AND status = 'in-review' AND reviewer = ?2 AND active_at > ?7",
        )
        .bind(id.to_hex())
        .bind(reviewer.to_hex())
        .bind(decision.status.as_str())
        .bind(&decision.summary)
        .bind(decision.metrics.as_ref().map(metrics_json))
        .bind(millis(at))
        .bind(lapse_cutoff(at))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn re_request(
        &self,
        id: CodeReviewId,
        s: &ReviewedSubmission,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE code_reviews SET submission = ?2, challenge = ?3, language = ?4, \
               challenge_type = ?5, difficulty = ?6, lines = ?7, version = version + 1, \
               status = 'pending', reviewer = NULL, active_at = NULL, summary = NULL, \
               metrics = NULL, updated_at = ?8 \
             WHERE id = ?1 AND status = 'changes-requested'",
        )
        .bind(id.to_hex())
        .bind(s.id.to_hex())
        .bind(s.challenge.to_hex())
        .bind(&s.language)
        .bind(&s.challenge_type)
        .bind(&s.difficulty)
        .bind(i64::from(s.lines))
        .bind(millis(at))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_message(
        &self,
        id: CodeReviewId,
        message: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE code_reviews SET message = ?2, updated_at = ?3 \
             WHERE id = ?1 AND status IN ('pending', 'changes-requested')",
        )
        .bind(id.to_hex())
        .bind(message)
        .bind(millis(at))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn add_comment(&self, c: &CodeComment) -> Result<bool, StoreError> {
        let c = c.clone();
        self.db
            .write(move |conn| {
                let (review, author, at) =
                    (c.review.to_hex(), c.author.to_hex(), millis(c.created_at));
                let counted = conn
                    .execute(
                        "UPDATE code_reviews SET comments = comments + 1, \
                           active_at = CASE WHEN status = 'in-review' AND reviewer = ?2 \
                             THEN ?3 ELSE active_at END \
                         WHERE id = ?1",
                        params![review, author, at],
                    )
                    .map_err(sync_error)?;
                if counted == 0 {
                    return Ok(false);
                }
                conn.execute(
                    &format!(
                        "INSERT INTO code_review_comments ({COMMENT_COLUMNS}) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                    ),
                    params![
                        c.id.to_hex(),
                        review,
                        author,
                        c.submission.to_hex(),
                        i64::from(c.version),
                        c.line.map(i64::from),
                        c.kind.as_str(),
                        c.content,
                        c.parent.map(|p| p.to_hex()),
                        at,
                    ],
                )
                .map_err(sync_error)?;
                Ok(true)
            })
            .await
            .map_err(job_error)
    }

    async fn comment(&self, id: CodeCommentId) -> Result<Option<CodeComment>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COMMENT_COLUMNS} FROM code_review_comments WHERE id = ?1"
        ))
        .bind(id.to_hex())
        .fetch_optional(self.db.reads())
        .await
        .map_err(store_error)?
        .as_ref()
        .map(code_comment_row)
        .transpose()
    }

    async fn comments(
        &self,
        review: CodeReviewId,
        page: PageRequest,
    ) -> Result<Page<CodeComment>, StoreError> {
        let review = review.to_hex();
        PageQuery {
            table: "code_review_comments",
            columns: COMMENT_COLUMNS,
            filter: |q: &mut QueryBuilder<'_, Sqlite>| {
                q.push(" WHERE review = ").push_bind(review.clone());
            },
            order: "created_at ASC, id ASC",
        }
        .fetch(&self.db, page, code_comment_row, store_error)
        .await
    }
}
