//! SQLite adapter of the community ports; [`migrate`] applies this context's migrations.
//!
//! Every write that moves a counter runs as one job on the synchronous writer ([`Db::write`]):
//! the mark, view or comment row and its counter (and the post's trending score) change in one
//! savepoint of one transaction, so a counter always equals its rows. Likes, bookmarks and views
//! are keyed by their primary keys, never read-modify-written.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite};
use stackrush_community::ports::{
    CollaborationRepository, CommentRepository, FollowRepository, MentorshipRepository,
    ModerationLog, PostRepository, ReportRepository, Stores,
};
use stackrush_community::trending;
use stackrush_community::*;
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_store_sqlite::rows::{count, get, parsed as id};
use stackrush_store_sqlite::{corrupt, from_millis, millis, Db, PageQuery, WriteError};

/// Applies this context's migrations; other contexts' migrations in the same file are left alone.
pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    stackrush_store_sqlite::apply_migrations(db, sqlx::migrate!("./migrations")).await
}

/// The community context's store ports on `db` (migrated with [`migrate`]).
pub fn stores(db: &Db) -> Stores {
    let community = std::sync::Arc::new(SqliteCommunity::new(db.clone()));
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

fn store_error(err: sqlx::Error) -> StoreError {
    stackrush_store_sqlite::store_error(err, &[])
}

fn sync_error(err: rusqlite::Error) -> StoreError {
    stackrush_store_sqlite::sync_store_error(err, &[])
}

fn job_error(err: WriteError<StoreError>) -> StoreError {
    err.into_inner()
}

const POST_COLUMNS: &str = "id, author, title, content, content_html, category, tags, code, \
    project, collaboration, has_code, challenge, difficulty, challenge_type, is_pinned, \
    is_featured, likes, views, comments, bookmarks, hot, is_active, created_at, updated_at, \
    is_hidden, comments_locked";

const COMMENT_COLUMNS: &str = "id, post, parent, root, depth, author, content, content_html, \
    likes, replies, is_deleted, created_at, updated_at, is_hidden";

/// Posts, comments and marks in the `community_*` tables.
#[derive(Debug, Clone)]
pub struct SqliteCommunity {
    db: Db,
}

impl SqliteCommunity {
    /// The adapter over `db` (migrated with [`migrate`]).
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

fn json<T: serde::de::DeserializeOwned>(
    row: &SqliteRow,
    column: &str,
) -> Result<Option<T>, StoreError> {
    get::<Option<String>>(row, column)?
        .map(|text| serde_json::from_str(&text).map_err(|e| corrupt(column, e)))
        .transpose()
}

fn named<T>(row: &SqliteRow, column: &str, parse: fn(&str) -> Option<T>) -> Result<T, StoreError> {
    let text: String = get(row, column)?;
    parse(&text).ok_or_else(|| corrupt(column, &text))
}

fn opt_named<T>(
    row: &SqliteRow,
    column: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<Option<T>, StoreError> {
    get::<Option<String>>(row, column)?
        .map(|text| parse(&text).ok_or_else(|| corrupt(column, &text)))
        .transpose()
}

fn post_row(row: &SqliteRow) -> Result<Post, StoreError> {
    Ok(Post {
        id: id(row, "id")?,
        author: id(row, "author")?,
        title: get(row, "title")?,
        content: get(row, "content")?,
        content_html: get(row, "content_html")?,
        category: named(row, "category", Category::parse)?,
        tags: json(row, "tags")?.unwrap_or_default(),
        code: json(row, "code")?,
        project: json(row, "project")?,
        collaboration: json(row, "collaboration")?,
        difficulty: opt_named(row, "difficulty", Difficulty::parse)?,
        challenge_type: opt_named(row, "challenge_type", ChallengeType::parse)?,
        is_pinned: get(row, "is_pinned")?,
        is_featured: get(row, "is_featured")?,
        is_hidden: get(row, "is_hidden")?,
        comments_locked: get(row, "comments_locked")?,
        interactions: Interactions {
            likes: count(row, "likes")?,
            views: count(row, "views")?,
            comments: count(row, "comments")?,
            bookmarks: count(row, "bookmarks")?,
        },
        hot: get(row, "hot")?,
        is_active: get(row, "is_active")?,
        created_at: from_millis(get(row, "created_at")?)?,
        updated_at: from_millis(get(row, "updated_at")?)?,
    })
}

fn comment_row(row: &SqliteRow) -> Result<Comment, StoreError> {
    let parent: Option<String> = get(row, "parent")?;
    Ok(Comment {
        id: id(row, "id")?,
        post: id(row, "post")?,
        parent: parent
            .map(|p| p.parse().map_err(|e| corrupt("parent", e)))
            .transpose()?,
        root: id(row, "root")?,
        depth: u8::try_from(get::<i64>(row, "depth")?).map_err(|e| corrupt("depth", e))?,
        author: id(row, "author")?,
        content: get(row, "content")?,
        content_html: get(row, "content_html")?,
        likes: count(row, "likes")?,
        replies: count(row, "replies")?,
        is_deleted: get(row, "is_deleted")?,
        is_hidden: get(row, "is_hidden")?,
        created_at: from_millis(get(row, "created_at")?)?,
        updated_at: from_millis(get(row, "updated_at")?)?,
    })
}

fn to_json<T: serde::Serialize>(value: Option<&T>) -> Result<Option<String>, StoreError> {
    value
        .map(|v| serde_json::to_string(v).map_err(|e| StoreError::Other(e.into())))
        .transpose()
}

/// The editable columns of a post, in the order of [`EDITABLE`].
struct Editable {
    title: String,
    content: String,
    content_html: String,
    category: &'static str,
    tags: String,
    code: Option<String>,
    project: Option<String>,
    collaboration: Option<String>,
    has_code: bool,
    challenge: Option<String>,
    difficulty: Option<&'static str>,
    challenge_type: Option<&'static str>,
    updated_at: i64,
    tag_list: Vec<String>,
}

impl Editable {
    fn of(p: &Post) -> Result<Self, StoreError> {
        Ok(Self {
            title: p.title.clone(),
            content: p.content.clone(),
            content_html: p.content_html.clone(),
            category: p.category.as_str(),
            tags: serde_json::to_string(&p.tags).map_err(|e| StoreError::Other(e.into()))?,
            code: to_json(p.code.as_ref())?,
            project: to_json(p.project.as_ref())?,
            collaboration: to_json(p.collaboration.as_ref())?,
            has_code: p.has_code(),
            challenge: p.challenge().map(|c| c.to_hex()),
            difficulty: p.difficulty.map(Difficulty::as_str),
            challenge_type: p.challenge_type.map(ChallengeType::as_str),
            updated_at: millis(p.updated_at),
            tag_list: p.tags.clone(),
        })
    }
}

fn write_tags(conn: &Connection, post: &str, tags: &[String]) -> Result<(), StoreError> {
    conn.execute("DELETE FROM community_post_tags WHERE post = ?1", [post])
        .map_err(sync_error)?;
    for tag in tags {
        conn.execute(
            "INSERT OR IGNORE INTO community_post_tags (tag, post) VALUES (?1, ?2)",
            params![tag, post],
        )
        .map_err(sync_error)?;
    }
    Ok(())
}

/// Takes back the mark `delete` finds under `key`, or sets it with `insert` (the key's values,
/// then `at`) when there was none; whether it is set now. The primary key decides, so a mark
/// never counts twice.
fn flip(
    conn: &Connection,
    delete: &str,
    insert: &str,
    key: &[&dyn rusqlite::ToSql],
    at: i64,
) -> Result<bool, StoreError> {
    if conn.execute(delete, key).map_err(sync_error)? > 0 {
        return Ok(false);
    }
    let mut row: Vec<&dyn rusqlite::ToSql> = key.to_vec();
    row.push(&at);
    conn.execute(insert, row.as_slice()).map_err(sync_error)?;
    Ok(true)
}

/// Recomputes a post's trending score from its stored counters.
fn rescore(conn: &Connection, post: &str) -> Result<(), StoreError> {
    let found: Option<(i64, i64, i64, i64)> = conn
        .query_row(
            "SELECT likes, views, comments, created_at FROM community_posts WHERE id = ?1",
            [post],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()
        .map_err(sync_error)?;
    let Some((likes, views, comments, created)) = found else {
        return Ok(());
    };
    let counts = Interactions {
        likes: u64::try_from(likes).unwrap_or(0),
        views: u64::try_from(views).unwrap_or(0),
        comments: u64::try_from(comments).unwrap_or(0),
        bookmarks: 0,
    };
    let hot = trending::hot(&counts, from_millis(created)?);
    conn.execute(
        "UPDATE community_posts SET hot = ?2 WHERE id = ?1",
        params![post, hot],
    )
    .map_err(sync_error)?;
    Ok(())
}

/// Whether the post is live and not hidden (it takes reactions and views).
fn is_shown_post(conn: &Connection, post: &str) -> Result<bool, StoreError> {
    conn.query_row(
        "SELECT 1 FROM community_posts WHERE id = ?1 AND is_active = 1 AND is_hidden = 0",
        [post],
        |_| Ok(()),
    )
    .optional()
    .map(|found| found.is_some())
    .map_err(sync_error)
}

fn counter(conn: &Connection, sql: &str, key: &str) -> Result<u64, StoreError> {
    let n: i64 = conn
        .query_row(sql, [key], |r| r.get(0))
        .map_err(sync_error)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

fn mark_kind(reaction: Reaction) -> (&'static str, &'static str) {
    match reaction {
        Reaction::Like => ("like", "likes"),
        Reaction::Bookmark => ("bookmark", "bookmarks"),
    }
}

fn push_filter(q: &mut QueryBuilder<'_, Sqlite>, f: &PostFilter) {
    q.push(" WHERE is_active = 1 AND is_hidden = 0");
    if let Some(c) = f.category {
        q.push(" AND category = ").push_bind(c.as_str());
    }
    if !f.tags.is_empty() {
        q.push(" AND id IN (SELECT post FROM community_post_tags WHERE tag IN (");
        stackrush_store_sqlite::push_binds(q, f.tags.iter().cloned());
        q.push("))");
    }
    if let Some(a) = f.author {
        q.push(" AND author = ").push_bind(a.to_hex());
    }
    if let Some(s) = &f.search {
        // instr, not LIKE: the text is matched literally, `%` and `_` included.
        let needle = s.to_lowercase();
        q.push(" AND (instr(lower(title), ")
            .push_bind(needle.clone())
            .push(") > 0 OR instr(lower(content), ")
            .push_bind(needle)
            .push(") > 0)");
    }
    if let Some(h) = f.has_code {
        q.push(" AND has_code = ").push_bind(h);
    }
    if let Some(c) = f.challenge {
        q.push(" AND challenge = ").push_bind(c.to_hex());
    }
}

#[async_trait]
impl PostRepository for SqliteCommunity {
    async fn insert(&self, post: &Post) -> Result<(), StoreError> {
        let p = post.clone();
        let e = Editable::of(post)?;
        self.db
            .write(move |conn| {
                let id = p.id.to_hex();
                conn.execute(
                    &format!(
                        "INSERT INTO community_posts ({POST_COLUMNS}) VALUES (?1, ?2, ?3, ?4, \
                         ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, \
                         ?20, ?21, ?22, ?23, ?24, ?25, ?26)"
                    ),
                    params![
                        id,
                        p.author.to_hex(),
                        e.title,
                        e.content,
                        e.content_html,
                        e.category,
                        e.tags,
                        e.code,
                        e.project,
                        e.collaboration,
                        e.has_code,
                        e.challenge,
                        e.difficulty,
                        e.challenge_type,
                        p.is_pinned,
                        p.is_featured,
                        i64::try_from(p.interactions.likes).unwrap_or(i64::MAX),
                        i64::try_from(p.interactions.views).unwrap_or(i64::MAX),
                        i64::try_from(p.interactions.comments).unwrap_or(i64::MAX),
                        i64::try_from(p.interactions.bookmarks).unwrap_or(i64::MAX),
                        p.hot,
                        p.is_active,
                        millis(p.created_at),
                        e.updated_at,
                        p.is_hidden,
                        p.comments_locked,
                    ],
                )
                .map_err(sync_error)?;
                write_tags(conn, &id, &e.tag_list)
            })
            .await
            .map_err(job_error)
    }

    async fn get(&self, id: PostId) -> Result<Option<Post>, StoreError> {
        sqlx::query(&format!(
            "SELECT {POST_COLUMNS} FROM community_posts WHERE id = ?1"
        ))
        .bind(id.to_hex())
        .fetch_optional(self.db.reads())
        .await
        .map_err(store_error)?
        .as_ref()
        .map(post_row)
        .transpose()
    }

    async fn update(&self, post: &Post) -> Result<bool, StoreError> {
        let id = post.id.to_hex();
        let e = Editable::of(post)?;
        self.db
            .write(move |conn| {
                let changed = conn
                    .execute(
                        "UPDATE community_posts SET title = ?2, content = ?3, content_html = ?4, \
                         category = ?5, tags = ?6, code = ?7, project = ?8, collaboration = ?9, \
                         has_code = ?10, challenge = ?11, difficulty = ?12, challenge_type = ?13, \
                         updated_at = ?14 WHERE id = ?1 AND is_active = 1",
                        params![
                            id,
                            e.title,
                            e.content,
                            e.content_html,
                            e.category,
                            e.tags,
                            e.code,
                            e.project,
                            e.collaboration,
                            e.has_code,
                            e.challenge,
                            e.difficulty,
                            e.challenge_type,
                            e.updated_at,
                        ],
                    )
                    .map_err(sync_error)?;
                if changed == 1 {
                    write_tags(conn, &id, &e.tag_list)?;
                }
                Ok(changed == 1)
            })
            .await
            .map_err(job_error)
    }

    async fn remove(&self, id: PostId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE community_posts SET is_active = 0, updated_at = ?2 \
             WHERE id = ?1 AND is_active = 1",
        )
        .bind(id.to_hex())
        .bind(millis(at))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn list(
        &self,
        filter: &PostFilter,
        sort: PostSort,
        page: PageRequest,
        known_total: Option<u64>,
    ) -> Result<Page<Post>, StoreError> {
        let key = match sort {
            PostSort::Recent => "",
            PostSort::Popular => "likes DESC, ",
            PostSort::MostCommented => "comments DESC, ",
            PostSort::Trending => "hot DESC, ",
        };
        let pinned = if filter.search.is_none() {
            "is_pinned DESC, "
        } else {
            ""
        };
        PageQuery {
            table: "community_posts",
            columns: POST_COLUMNS,
            filter: |q: &mut QueryBuilder<'_, Sqlite>| push_filter(q, filter),
            order: &format!("{pinned}{key}created_at DESC, id DESC"),
        }
        .fetch_knowing(&self.db, page, known_total, post_row, store_error)
        .await
    }

    async fn record_view(&self, view: &ViewKey) -> Result<Option<u64>, StoreError> {
        let post = view.post.to_hex();
        let viewer = view.viewer.clone();
        let day = view.day.to_string();
        self.db
            .write(move |conn| {
                if !is_shown_post(conn, &post)? {
                    return Ok(None);
                }
                let fresh = conn
                    .execute(
                        "INSERT OR IGNORE INTO community_views (post, viewer, day) \
                         VALUES (?1, ?2, ?3)",
                        params![post, viewer, day],
                    )
                    .map_err(sync_error)?;
                if fresh == 1 {
                    conn.execute(
                        "UPDATE community_posts SET views = views + 1 WHERE id = ?1",
                        [&post],
                    )
                    .map_err(sync_error)?;
                    rescore(conn, &post)?;
                }
                counter(
                    conn,
                    "SELECT views FROM community_posts WHERE id = ?1",
                    &post,
                )
                .map(Some)
            })
            .await
            .map_err(job_error)
    }

    async fn purge_views(&self, before: chrono::NaiveDate) -> Result<u64, StoreError> {
        // Days are ISO dates: text order is date order.
        let done = sqlx::query("DELETE FROM community_views WHERE day < ?1")
            .bind(before.to_string())
            .execute(self.db.writes())
            .await
            .map_err(store_error)?;
        Ok(done.rows_affected())
    }

    async fn toggle(
        &self,
        reaction: Reaction,
        post: PostId,
        member: MemberId,
        at: DateTime<Utc>,
    ) -> Result<Option<Toggled>, StoreError> {
        let (post, member, at) = (post.to_hex(), member.to_hex(), millis(at));
        let (kind, column) = mark_kind(reaction);
        self.db
            .write(move |conn| {
                if !is_shown_post(conn, &post)? {
                    return Ok(None);
                }
                let active = flip(
                    conn,
                    "DELETE FROM community_marks WHERE post = ?1 AND kind = ?2 AND member = ?3",
                    "INSERT INTO community_marks (post, kind, member, at) VALUES (?1, ?2, ?3, ?4)",
                    params![post, kind, member],
                    at,
                )?;
                let delta = if active { 1 } else { -1 };
                conn.execute(
                    &format!(
                        "UPDATE community_posts SET {column} = MAX({column} + ?2, 0) WHERE id = ?1"
                    ),
                    params![post, delta],
                )
                .map_err(sync_error)?;
                if reaction == Reaction::Like {
                    rescore(conn, &post)?;
                }
                let count = counter(
                    conn,
                    &format!("SELECT {column} FROM community_posts WHERE id = ?1"),
                    &post,
                )?;
                Ok(Some(Toggled { active, count }))
            })
            .await
            .map_err(job_error)
    }

    async fn reacted(&self, member: MemberId, posts: &[PostId]) -> Result<Reacted, StoreError> {
        let mut out = Reacted::default();
        if posts.is_empty() {
            return Ok(out);
        }
        let mut q =
            QueryBuilder::<Sqlite>::new("SELECT post, kind FROM community_marks WHERE member = ");
        q.push_bind(member.to_hex()).push(" AND post IN (");
        stackrush_store_sqlite::push_binds(&mut q, posts.iter().map(|p| p.to_hex()));
        q.push(")");
        let rows = q
            .build()
            .fetch_all(self.db.reads())
            .await
            .map_err(store_error)?;
        for row in &rows {
            let post: PostId = id(row, "post")?;
            match get::<String>(row, "kind")?.as_str() {
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
        let member = member.to_hex();
        let columns = POST_COLUMNS
            .split(", ")
            .map(|c| format!("p.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        PageQuery {
            table: "community_marks m JOIN community_posts p ON p.id = m.post",
            columns: &columns,
            filter: |q: &mut QueryBuilder<'_, Sqlite>| {
                q.push(
                    " WHERE m.kind = 'bookmark' AND p.is_active = 1 AND p.is_hidden = 0 \
                     AND m.member = ",
                )
                .push_bind(member.clone());
            },
            order: "m.at DESC, p.id DESC",
        }
        .fetch(&self.db, page, post_row, store_error)
        .await
    }

    async fn set_flag(
        &self,
        id: PostId,
        flag: PostFlag,
        value: bool,
        _at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let column = match flag {
            PostFlag::Hidden => "is_hidden",
            PostFlag::CommentsLocked => "comments_locked",
            PostFlag::Pinned => "is_pinned",
            PostFlag::Featured => "is_featured",
        };
        let done = sqlx::query(&format!(
            "UPDATE community_posts SET {column} = ?2 WHERE id = ?1 AND is_active = 1"
        ))
        .bind(id.to_hex())
        .bind(value)
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn posts_since(&self, author: MemberId, since: DateTime<Utc>) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM community_posts WHERE author = ?1 AND created_at >= ?2",
        )
        .bind(author.to_hex())
        .bind(millis(since))
        .fetch_one(self.db.reads())
        .await
        .map_err(store_error)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn withdraw_marks(&self, member: MemberId) -> Result<u64, StoreError> {
        let member = member.to_hex();
        self.db
            .write(move |conn| {
                let marks: Vec<(String, String)> = conn
                    .prepare("SELECT post, kind FROM community_marks WHERE member = ?1")
                    .and_then(|mut q| {
                        q.query_map([&member], |r| Ok((r.get(0)?, r.get(1)?)))?
                            .collect::<Result<_, _>>()
                    })
                    .map_err(sync_error)?;
                for (post, kind) in &marks {
                    let column = if kind == "like" { "likes" } else { "bookmarks" };
                    conn.execute(
                        &format!(
                            "UPDATE community_posts SET {column} = MAX({column} - 1, 0) WHERE id = ?1"
                        ),
                        [post],
                    )
                    .map_err(sync_error)?;
                    rescore(conn, post)?;
                }
                conn.execute("DELETE FROM community_marks WHERE member = ?1", [&member])
                    .map_err(sync_error)?;
                Ok(marks.len() as u64)
            })
            .await
            .map_err(job_error)
    }

    async fn feed(&self, member: MemberId, page: PageRequest) -> Result<Page<Post>, StoreError> {
        let member = member.to_hex();
        PageQuery {
            table: "community_posts",
            columns: POST_COLUMNS,
            filter: |q: &mut QueryBuilder<'_, Sqlite>| {
                q.push(
                    " WHERE is_active = 1 AND is_hidden = 0 AND author IN \
                     (SELECT followee FROM community_follows WHERE follower = ",
                )
                .push_bind(member.clone())
                .push(")");
            },
            order: "created_at DESC, id DESC",
        }
        .fetch(&self.db, page, post_row, store_error)
        .await
    }

    async fn figures(
        &self,
        since: DateTime<Utc>,
        window_start: DateTime<Utc>,
        top: usize,
    ) -> Result<Figures, StoreError> {
        let since_ms = millis(since);
        let row = sqlx::query(
            "SELECT COUNT(*) AS posts, \
               COALESCE(SUM(created_at >= ?1), 0) AS posts_today, \
               COALESCE(SUM(has_code), 0) AS code_shares, \
               COALESCE(SUM(has_code AND created_at >= ?1), 0) AS code_shares_today, \
               COALESCE(SUM(comments), 0) AS comments, \
               COALESCE(SUM(likes), 0) AS likes, \
               COALESCE(SUM(views), 0) AS views \
             FROM community_posts WHERE is_active = 1",
        )
        .bind(since_ms)
        .fetch_one(self.db.reads())
        .await
        .map_err(store_error)?;
        let (comments_today, active_today): (i64, i64) = sqlx::query_as(
            "SELECT \
               (SELECT COUNT(*) FROM community_comments WHERE is_deleted = 0 AND created_at >= ?1), \
               (SELECT COUNT(*) FROM ( \
                  SELECT author FROM community_posts WHERE is_active = 1 AND created_at >= ?1 \
                  UNION \
                  SELECT author FROM community_comments WHERE is_deleted = 0 AND created_at >= ?1))",
        )
        .bind(since_ms)
        .fetch_one(self.db.reads())
        .await
        .map_err(store_error)?;
        let ranked = sqlx::query(
            "SELECT author, COUNT(*) AS n FROM ( \
               SELECT author FROM community_posts WHERE is_active = 1 AND created_at >= ?1 \
               UNION ALL \
               SELECT author FROM community_comments WHERE is_deleted = 0 AND created_at >= ?1) \
             GROUP BY author ORDER BY n DESC, author ASC LIMIT ?2",
        )
        .bind(millis(window_start))
        .bind(i64::try_from(top).unwrap_or(i64::MAX))
        .fetch_all(self.db.reads())
        .await
        .map_err(store_error)?;
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(Figures {
            posts: count(&row, "posts")?,
            posts_today: count(&row, "posts_today")?,
            code_shares: count(&row, "code_shares")?,
            code_shares_today: count(&row, "code_shares_today")?,
            comments: count(&row, "comments")?,
            comments_today: n(comments_today),
            likes: count(&row, "likes")?,
            views: count(&row, "views")?,
            active_today: n(active_today),
            top_contributors: ranked
                .iter()
                .map(|r| Ok((id(r, "author")?, count(r, "n")?)))
                .collect::<Result<_, StoreError>>()?,
        })
    }
}

/// Shown in lists: live, or deleted with live replies.
const LISTED: &str = "(is_deleted = 0 OR replies > 0)";

#[async_trait]
impl CommentRepository for SqliteCommunity {
    async fn insert(&self, comment: &Comment) -> Result<bool, StoreError> {
        let c = comment.clone();
        self.db
            .write(move |conn| {
                let post = c.post.to_hex();
                let open = conn
                    .query_row(
                        "SELECT 1 FROM community_posts WHERE id = ?1 AND is_active = 1 \
                         AND is_hidden = 0 AND comments_locked = 0",
                        [&post],
                        |_| Ok(()),
                    )
                    .optional()
                    .map_err(sync_error)?;
                if open.is_none() {
                    return Ok(false);
                }
                if let Some(parent) = c.parent {
                    let bumped = conn
                        .execute(
                            "UPDATE community_comments SET replies = replies + 1 \
                             WHERE id = ?1 AND post = ?2 AND is_deleted = 0 AND is_hidden = 0",
                            params![parent.to_hex(), post],
                        )
                        .map_err(sync_error)?;
                    if bumped == 0 {
                        return Ok(false);
                    }
                }
                conn.execute(
                    &format!(
                        "INSERT INTO community_comments ({COMMENT_COLUMNS}) VALUES \
                         (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
                    ),
                    params![
                        c.id.to_hex(),
                        post,
                        c.parent.map(|p| p.to_hex()),
                        c.root.to_hex(),
                        i64::from(c.depth),
                        c.author.to_hex(),
                        c.content,
                        c.content_html,
                        i64::try_from(c.likes).unwrap_or(i64::MAX),
                        i64::try_from(c.replies).unwrap_or(i64::MAX),
                        c.is_deleted,
                        millis(c.created_at),
                        millis(c.updated_at),
                        c.is_hidden,
                    ],
                )
                .map_err(sync_error)?;
                conn.execute(
                    "UPDATE community_posts SET comments = comments + 1 WHERE id = ?1",
                    [&post],
                )
                .map_err(sync_error)?;
                rescore(conn, &post)?;
                Ok(true)
            })
            .await
            .map_err(job_error)
    }

    async fn get(&self, id: CommentId) -> Result<Option<Comment>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COMMENT_COLUMNS} FROM community_comments WHERE id = ?1"
        ))
        .bind(id.to_hex())
        .fetch_optional(self.db.reads())
        .await
        .map_err(store_error)?
        .as_ref()
        .map(comment_row)
        .transpose()
    }

    async fn update(
        &self,
        id: CommentId,
        content: &str,
        content_html: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE community_comments SET content = ?2, content_html = ?3, updated_at = ?4 \
             WHERE id = ?1 AND is_deleted = 0",
        )
        .bind(id.to_hex())
        .bind(content)
        .bind(content_html)
        .bind(millis(at))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn remove(&self, id: CommentId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let id = id.to_hex();
        let at = millis(at);
        self.db
            .write(move |conn| {
                let found: Option<(String, Option<String>)> = conn
                    .query_row(
                        "UPDATE community_comments SET is_deleted = 1, updated_at = ?2 \
                         WHERE id = ?1 AND is_deleted = 0 RETURNING post, parent",
                        params![id, at],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()
                    .map_err(sync_error)?;
                let Some((post, parent)) = found else {
                    return Ok(false);
                };
                if let Some(parent) = parent {
                    conn.execute(
                        "UPDATE community_comments SET replies = MAX(replies - 1, 0) WHERE id = ?1",
                        [parent],
                    )
                    .map_err(sync_error)?;
                }
                conn.execute(
                    "UPDATE community_posts SET comments = MAX(comments - 1, 0) WHERE id = ?1",
                    [&post],
                )
                .map_err(sync_error)?;
                rescore(conn, &post)?;
                Ok(true)
            })
            .await
            .map_err(job_error)
    }

    async fn top_level(
        &self,
        post: PostId,
        page: PageRequest,
    ) -> Result<Page<Comment>, StoreError> {
        let post = post.to_hex();
        PageQuery {
            table: "community_comments",
            columns: COMMENT_COLUMNS,
            filter: |q: &mut QueryBuilder<'_, Sqlite>| {
                q.push(" WHERE parent IS NULL AND post = ")
                    .push_bind(post.clone())
                    .push(format!(" AND {LISTED}"));
            },
            order: "created_at ASC, id ASC",
        }
        .fetch(&self.db, page, comment_row, store_error)
        .await
    }

    async fn replies(&self, roots: &[CommentId]) -> Result<Vec<Comment>, StoreError> {
        if roots.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {COMMENT_COLUMNS} FROM community_comments WHERE parent IS NOT NULL \
             AND {LISTED} AND root IN ("
        ));
        stackrush_store_sqlite::push_binds(&mut q, roots.iter().map(|r| r.to_hex()));
        q.push(") ORDER BY created_at ASC, id ASC");
        let rows = q
            .build()
            .fetch_all(self.db.reads())
            .await
            .map_err(store_error)?;
        rows.iter().map(comment_row).collect()
    }

    async fn toggle_like(
        &self,
        comment: CommentId,
        member: MemberId,
        at: DateTime<Utc>,
    ) -> Result<Option<Toggled>, StoreError> {
        let (comment, member, at) = (comment.to_hex(), member.to_hex(), millis(at));
        self.db
            .write(move |conn| {
                let live = conn
                    .query_row(
                        "SELECT 1 FROM community_comments WHERE id = ?1 AND is_deleted = 0 \
                         AND is_hidden = 0",
                        [&comment],
                        |_| Ok(()),
                    )
                    .optional()
                    .map_err(sync_error)?
                    .is_some();
                if !live {
                    return Ok(None);
                }
                let active = flip(
                    conn,
                    "DELETE FROM community_comment_likes WHERE comment = ?1 AND member = ?2",
                    "INSERT INTO community_comment_likes (comment, member, at) VALUES (?1, ?2, ?3)",
                    params![comment, member],
                    at,
                )?;
                let delta = if active { 1 } else { -1 };
                conn.execute(
                    "UPDATE community_comments SET likes = MAX(likes + ?2, 0) WHERE id = ?1",
                    params![comment, delta],
                )
                .map_err(sync_error)?;
                let count = counter(
                    conn,
                    "SELECT likes FROM community_comments WHERE id = ?1",
                    &comment,
                )?;
                Ok(Some(Toggled { active, count }))
            })
            .await
            .map_err(job_error)
    }

    async fn set_hidden(
        &self,
        id: CommentId,
        hidden: bool,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE community_comments SET is_hidden = ?2, updated_at = ?3 \
             WHERE id = ?1 AND is_deleted = 0",
        )
        .bind(id.to_hex())
        .bind(hidden)
        .bind(millis(at))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn withdraw_likes(&self, member: MemberId) -> Result<u64, StoreError> {
        let member = member.to_hex();
        self.db
            .write(move |conn| {
                let changed = conn
                    .execute(
                        "UPDATE community_comments SET likes = MAX(likes - 1, 0) WHERE id IN \
                         (SELECT comment FROM community_comment_likes WHERE member = ?1)",
                        [&member],
                    )
                    .map_err(sync_error)?;
                conn.execute(
                    "DELETE FROM community_comment_likes WHERE member = ?1",
                    [&member],
                )
                .map_err(sync_error)?;
                Ok(changed as u64)
            })
            .await
            .map_err(job_error)
    }

    async fn comments_since(
        &self,
        author: MemberId,
        since: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM community_comments WHERE author = ?1 AND created_at >= ?2",
        )
        .bind(author.to_hex())
        .bind(millis(since))
        .fetch_one(self.db.reads())
        .await
        .map_err(store_error)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

const REPORT_COLUMNS: &str = "id, target_kind, target, post, reporter, reason, text, status, \
    created_at, resolved_by, resolved_at";

fn target_of(row: &SqliteRow) -> Result<Target, StoreError> {
    let kind: String = get(row, "target_kind")?;
    let id: PostId = id(row, "target")?;
    Target::from_parts(&kind, id.bytes()).ok_or_else(|| corrupt("target_kind", &kind))
}

fn target_hex(target: Target) -> String {
    PostId::from_bytes(target.bytes()).to_hex()
}

fn report_row(row: &SqliteRow) -> Result<Report, StoreError> {
    let resolved_by: Option<String> = get(row, "resolved_by")?;
    Ok(Report {
        id: id(row, "id")?,
        target: target_of(row)?,
        post: id(row, "post")?,
        reporter: id(row, "reporter")?,
        reason: named(row, "reason", ReportReason::parse)?,
        text: get(row, "text")?,
        status: named(row, "status", ReportStatus::parse)?,
        created_at: from_millis(get(row, "created_at")?)?,
        resolved_by: resolved_by
            .map(|m| m.parse().map_err(|e| corrupt("resolved_by", e)))
            .transpose()?,
        resolved_at: stackrush_store_sqlite::opt_from_millis(get(row, "resolved_at")?)?,
    })
}

#[async_trait]
impl ReportRepository for SqliteCommunity {
    async fn insert(&self, report: &Report) -> Result<bool, StoreError> {
        let done = sqlx::query(&format!(
            "INSERT INTO community_reports ({REPORT_COLUMNS}) VALUES \
             (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT DO NOTHING"
        ))
        .bind(report.id.to_hex())
        .bind(report.target.kind())
        .bind(target_hex(report.target))
        .bind(report.post.to_hex())
        .bind(report.reporter.to_hex())
        .bind(report.reason.as_str())
        .bind(&report.text)
        .bind(report.status.as_str())
        .bind(millis(report.created_at))
        .bind(report.resolved_by.map(|m| m.to_hex()))
        .bind(report.resolved_at.map(millis))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn get(&self, id: ReportId) -> Result<Option<Report>, StoreError> {
        sqlx::query(&format!(
            "SELECT {REPORT_COLUMNS} FROM community_reports WHERE id = ?1"
        ))
        .bind(id.to_hex())
        .fetch_optional(self.db.reads())
        .await
        .map_err(store_error)?
        .as_ref()
        .map(report_row)
        .transpose()
    }

    async fn list(
        &self,
        status: Option<ReportStatus>,
        page: PageRequest,
    ) -> Result<Page<Report>, StoreError> {
        let order = if status == Some(ReportStatus::Open) {
            "created_at ASC, id ASC"
        } else {
            "created_at DESC, id DESC"
        };
        PageQuery {
            table: "community_reports",
            columns: REPORT_COLUMNS,
            filter: |q: &mut QueryBuilder<'_, Sqlite>| {
                if let Some(s) = status {
                    q.push(" WHERE status = ").push_bind(s.as_str());
                }
            },
            order,
        }
        .fetch(&self.db, page, report_row, store_error)
        .await
    }

    async fn resolve(
        &self,
        id: ReportId,
        status: ReportStatus,
        by: MemberId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE community_reports SET status = ?2, resolved_by = ?3, resolved_at = ?4 \
             WHERE id = ?1 AND status = 'open'",
        )
        .bind(id.to_hex())
        .bind(status.as_str())
        .bind(by.to_hex())
        .bind(millis(at))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn resolve_target(
        &self,
        target: Target,
        status: ReportStatus,
        by: MemberId,
        at: DateTime<Utc>,
    ) -> Result<Vec<ReportId>, StoreError> {
        let ids: Vec<String> = sqlx::query_scalar(
            "UPDATE community_reports SET status = ?3, resolved_by = ?4, resolved_at = ?5 \
             WHERE target_kind = ?1 AND target = ?2 AND status = 'open' RETURNING id",
        )
        .bind(target.kind())
        .bind(target_hex(target))
        .bind(status.as_str())
        .bind(by.to_hex())
        .bind(millis(at))
        .fetch_all(self.db.writes())
        .await
        .map_err(store_error)?;
        ids.iter()
            .map(|i| i.parse().map_err(|e| corrupt("id", e)))
            .collect()
    }
}

fn log_row(row: &SqliteRow) -> Result<ModerationRecord, StoreError> {
    let report: Option<String> = get(row, "report")?;
    Ok(ModerationRecord {
        id: id(row, "id")?,
        moderator: id(row, "moderator")?,
        action: named(row, "action", ModerationAction::parse)?,
        target: target_of(row)?,
        report: report
            .map(|r| r.parse().map_err(|e| corrupt("report", e)))
            .transpose()?,
        reason: get(row, "reason")?,
        at: from_millis(get(row, "at")?)?,
    })
}

#[async_trait]
impl ModerationLog for SqliteCommunity {
    async fn append(&self, r: &ModerationRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO community_moderation_log \
             (id, moderator, action, target_kind, target, report, reason, at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .bind(r.id.to_hex())
        .bind(r.moderator.to_hex())
        .bind(r.action.as_str())
        .bind(r.target.kind())
        .bind(target_hex(r.target))
        .bind(r.report.map(|x| x.to_hex()))
        .bind(&r.reason)
        .bind(millis(r.at))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn list(&self, page: PageRequest) -> Result<Page<ModerationRecord>, StoreError> {
        PageQuery {
            table: "community_moderation_log",
            columns: "id, moderator, action, target_kind, target, report, reason, at",
            filter: |_: &mut QueryBuilder<'_, Sqlite>| {},
            order: "at DESC, id DESC",
        }
        .fetch(&self.db, page, log_row, store_error)
        .await
    }
}

fn follow_row(row: &SqliteRow) -> Result<Follow, StoreError> {
    Ok(Follow {
        member: id(row, "member")?,
        since: from_millis(get(row, "at")?)?,
    })
}

impl SqliteCommunity {
    async fn follow_page(
        &self,
        key: &str,
        other: &str,
        member: MemberId,
        page: PageRequest,
    ) -> Result<Page<Follow>, StoreError> {
        let member = member.to_hex();
        PageQuery {
            table: "community_follows",
            columns: &format!("{other} AS member, at"),
            filter: |q: &mut QueryBuilder<'_, Sqlite>| {
                q.push(format!(" WHERE {key} = ")).push_bind(member.clone());
            },
            order: &format!("at DESC, {other} DESC"),
        }
        .fetch(&self.db, page, follow_row, store_error)
        .await
    }
}

#[async_trait]
impl FollowRepository for SqliteCommunity {
    async fn follow(
        &self,
        follower: MemberId,
        followee: MemberId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO community_follows (follower, followee, at) VALUES (?1, ?2, ?3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(follower.to_hex())
        .bind(followee.to_hex())
        .bind(millis(at))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn unfollow(&self, follower: MemberId, followee: MemberId) -> Result<bool, StoreError> {
        let done =
            sqlx::query("DELETE FROM community_follows WHERE follower = ?1 AND followee = ?2")
                .bind(follower.to_hex())
                .bind(followee.to_hex())
                .execute(self.db.writes())
                .await
                .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn follows(&self, follower: MemberId, followee: MemberId) -> Result<bool, StoreError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM community_follows WHERE follower = ?1 AND followee = ?2",
        )
        .bind(follower.to_hex())
        .bind(followee.to_hex())
        .fetch_optional(self.db.reads())
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
        let done =
            sqlx::query("DELETE FROM community_follows WHERE follower = ?1 OR followee = ?1")
                .bind(member.to_hex())
                .execute(self.db.writes())
                .await
                .map_err(store_error)?;
        Ok(done.rows_affected())
    }

    async fn counts(&self, member: MemberId) -> Result<FollowCounts, StoreError> {
        let (followers, following): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM community_follows WHERE followee = ?1), \
                    (SELECT COUNT(*) FROM community_follows WHERE follower = ?1)",
        )
        .bind(member.to_hex())
        .fetch_one(self.db.reads())
        .await
        .map_err(store_error)?;
        Ok(FollowCounts {
            followers: u64::try_from(followers).unwrap_or(0),
            following: u64::try_from(following).unwrap_or(0),
        })
    }
}

const COLLABORATION_COLUMNS: &str =
    "id, post, requester, post_author, message, skills, status, created_at, responded_at";

fn collaboration_row(row: &SqliteRow) -> Result<CollaborationRequest, StoreError> {
    Ok(CollaborationRequest {
        id: id(row, "id")?,
        post: id(row, "post")?,
        requester: id(row, "requester")?,
        post_author: id(row, "post_author")?,
        message: get(row, "message")?,
        skills: json(row, "skills")?.unwrap_or_default(),
        status: named(row, "status", CollaborationStatus::parse)?,
        created_at: from_millis(get(row, "created_at")?)?,
        responded_at: stackrush_store_sqlite::opt_from_millis(get(row, "responded_at")?)?,
    })
}

#[async_trait]
impl CollaborationRepository for SqliteCommunity {
    async fn insert(&self, r: &CollaborationRequest) -> Result<bool, StoreError> {
        let skills = serde_json::to_string(&r.skills).map_err(|e| StoreError::Other(e.into()))?;
        let done = sqlx::query(&format!(
            "INSERT INTO community_collaborations ({COLLABORATION_COLUMNS}) VALUES \
             (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING"
        ))
        .bind(r.id.to_hex())
        .bind(r.post.to_hex())
        .bind(r.requester.to_hex())
        .bind(r.post_author.to_hex())
        .bind(&r.message)
        .bind(skills)
        .bind(r.status.as_str())
        .bind(millis(r.created_at))
        .bind(r.responded_at.map(millis))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn get(&self, id: CollaborationId) -> Result<Option<CollaborationRequest>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COLLABORATION_COLUMNS} FROM community_collaborations WHERE id = ?1"
        ))
        .bind(id.to_hex())
        .fetch_optional(self.db.reads())
        .await
        .map_err(store_error)?
        .as_ref()
        .map(collaboration_row)
        .transpose()
    }

    async fn list(
        &self,
        member: MemberId,
        side: CollaborationSide,
        status: Option<CollaborationStatus>,
        page: PageRequest,
    ) -> Result<Page<CollaborationRequest>, StoreError> {
        let column = match side {
            CollaborationSide::Sent => "requester",
            CollaborationSide::Received => "post_author",
        };
        let member = member.to_hex();
        PageQuery {
            table: "community_collaborations",
            columns: COLLABORATION_COLUMNS,
            filter: |q: &mut QueryBuilder<'_, Sqlite>| {
                q.push(format!(" WHERE {column} = "))
                    .push_bind(member.clone());
                if let Some(s) = status {
                    q.push(" AND status = ").push_bind(s.as_str());
                }
            },
            order: "created_at DESC, id DESC",
        }
        .fetch(&self.db, page, collaboration_row, store_error)
        .await
    }

    async fn answer(
        &self,
        id: CollaborationId,
        status: CollaborationStatus,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE community_collaborations SET status = ?2, responded_at = ?3 \
             WHERE id = ?1 AND status = 'pending'",
        )
        .bind(id.to_hex())
        .bind(status.as_str())
        .bind(millis(at))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }
}

const MENTORSHIP_COLUMNS: &str =
    "id, mentor, mentee, message, topics, status, created_at, responded_at, ended_at";

fn mentorship_row(row: &SqliteRow) -> Result<Mentorship, StoreError> {
    Ok(Mentorship {
        id: id(row, "id")?,
        mentor: id(row, "mentor")?,
        mentee: id(row, "mentee")?,
        message: get(row, "message")?,
        topics: json(row, "topics")?.unwrap_or_default(),
        status: named(row, "status", MentorshipStatus::parse)?,
        created_at: from_millis(get(row, "created_at")?)?,
        responded_at: stackrush_store_sqlite::opt_from_millis(get(row, "responded_at")?)?,
        ended_at: stackrush_store_sqlite::opt_from_millis(get(row, "ended_at")?)?,
    })
}

#[async_trait]
impl MentorshipRepository for SqliteCommunity {
    async fn insert(&self, m: &Mentorship) -> Result<bool, StoreError> {
        let topics = serde_json::to_string(&m.topics).map_err(|e| StoreError::Other(e.into()))?;
        let done = sqlx::query(&format!(
            "INSERT INTO community_mentorships ({MENTORSHIP_COLUMNS}) VALUES \
             (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING"
        ))
        .bind(m.id.to_hex())
        .bind(m.mentor.to_hex())
        .bind(m.mentee.to_hex())
        .bind(&m.message)
        .bind(topics)
        .bind(m.status.as_str())
        .bind(millis(m.created_at))
        .bind(m.responded_at.map(millis))
        .bind(m.ended_at.map(millis))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn get(&self, id: MentorshipId) -> Result<Option<Mentorship>, StoreError> {
        sqlx::query(&format!(
            "SELECT {MENTORSHIP_COLUMNS} FROM community_mentorships WHERE id = ?1"
        ))
        .bind(id.to_hex())
        .fetch_optional(self.db.reads())
        .await
        .map_err(store_error)?
        .as_ref()
        .map(mentorship_row)
        .transpose()
    }

    async fn list(
        &self,
        member: MemberId,
        side: MentorshipSide,
        status: Option<MentorshipStatus>,
        page: PageRequest,
    ) -> Result<Page<Mentorship>, StoreError> {
        let column = match side {
            MentorshipSide::Mentor => "mentor",
            MentorshipSide::Mentee => "mentee",
        };
        let member = member.to_hex();
        PageQuery {
            table: "community_mentorships",
            columns: MENTORSHIP_COLUMNS,
            filter: |q: &mut QueryBuilder<'_, Sqlite>| {
                q.push(format!(" WHERE {column} = "))
                    .push_bind(member.clone());
                if let Some(s) = status {
                    q.push(" AND status = ").push_bind(s.as_str());
                }
            },
            order: "created_at DESC, id DESC",
        }
        .fetch(&self.db, page, mentorship_row, store_error)
        .await
    }

    async fn advance(
        &self,
        id: MentorshipId,
        from: MentorshipStatus,
        to: MentorshipStatus,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE community_mentorships SET status = ?3, \
               responded_at = CASE WHEN ?3 IN ('active', 'declined') THEN ?4 ELSE responded_at END, \
               ended_at = CASE WHEN ?3 = 'ended' THEN ?4 ELSE ended_at END \
             WHERE id = ?1 AND status = ?2",
        )
        .bind(id.to_hex())
        .bind(from.as_str())
        .bind(to.as_str())
        .bind(millis(at))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn end_all(&self, member: MemberId, at: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE community_mentorships SET status = 'ended', ended_at = ?2 \
             WHERE (mentor = ?1 OR mentee = ?1) AND status IN ('pending', 'active')",
        )
        .bind(member.to_hex())
        .bind(millis(at))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected())
    }

    async fn counts(&self, member: MemberId) -> Result<MentorshipCounts, StoreError> {
        let (mentors, mentees): (i64, i64) = sqlx::query_as(
            "SELECT \
               (SELECT COUNT(*) FROM community_mentorships WHERE mentee = ?1 AND status = 'active'), \
               (SELECT COUNT(*) FROM community_mentorships WHERE mentor = ?1 AND status = 'active')",
        )
        .bind(member.to_hex())
        .fetch_one(self.db.reads())
        .await
        .map_err(store_error)?;
        Ok(MentorshipCounts {
            mentors: u64::try_from(mentors).unwrap_or(0),
            mentees: u64::try_from(mentees).unwrap_or(0),
        })
    }
}
