//! SQLite adapter of the learning ports; [`migrate`] applies this context's migrations.
//!
//! Every write that moves a playlist's figures runs as one job on the synchronous writer
//! ([`Db::write`]), so the enrolment (or rating, or completion) and the figure it moves change
//! in one transaction. Lessons are kept as JSON in the playlist's row (their order is the
//! array's).

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite};
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_learning::ports::{
    CertificateRepository, Enrolled, EnrolmentRepository, PlaylistRepository, Stores, Written,
};
use stackrush_learning::*;
use stackrush_store_sqlite::rows::{count, get, json, parsed as id, to_json, Row};
use stackrush_store_sqlite::{corrupt, from_millis, millis, Db, PageQuery, WriteError};

/// Applies this context's migrations; other contexts' migrations in the same file are left alone.
pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    stackrush_store_sqlite::apply_migrations(db, sqlx::migrate!("./migrations")).await
}

/// The learning context's store ports on `db` (migrated with [`migrate`]).
pub fn stores(db: &Db) -> Stores {
    let adapter = Arc::new(SqliteLearning::new(db.clone()));
    Stores {
        playlists: adapter.clone(),
        enrolments: adapter.clone(),
        certificates: adapter,
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

const PLAYLIST_COLUMNS: &str = "id, author, title, description, category, level, duration_text, \
    topics, is_premium, lessons, rating_sum, ratings, students, completions, revision, \
    deleted_at, created_at, updated_at";

const ENROLMENT_COLUMNS: &str = "playlist, learner, active, completed, time_spent, \
    last_accessed_at, rating_score, rating_review, rating_at, enrolled_at, completed_at, certificate";

const CERTIFICATE_COLUMNS: &str = "id, playlist, learner, learner_name, playlist_title, \
    author_name, completed_at, lessons, key_id, signature, revoked_at, revoked_reason, revoked_by";

/// Playlists and enrolments in the `learning_*` tables.
#[derive(Debug, Clone)]
pub struct SqliteLearning {
    db: Db,
}

impl SqliteLearning {
    /// The adapter over `db` (migrated with [`migrate`]).
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

/// A lesson as stored in the playlist's `lessons` JSON.
#[derive(Serialize, Deserialize)]
struct LessonRow {
    id: String,
    title: String,
    description: String,
    kind: String,
    challenge: Option<String>,
    /// Absent in lessons written before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    challenge_type: Option<String>,
    duration: u32,
}

fn lessons_json(lessons: &[Lesson]) -> Result<String, StoreError> {
    let rows: Vec<LessonRow> = lessons
        .iter()
        .map(|l| LessonRow {
            id: l.id.to_hex(),
            title: l.title.clone(),
            description: l.description.clone(),
            kind: l.kind.as_str().to_owned(),
            challenge: l.challenge.map(|c| c.to_hex()),
            challenge_type: l.challenge_type.clone(),
            duration: l.duration,
        })
        .collect();
    to_json(&rows)
}

fn lessons_of(rows: Vec<LessonRow>) -> Result<Vec<Lesson>, StoreError> {
    rows.into_iter()
        .map(|r| {
            Ok(Lesson {
                id: r.id.parse().map_err(|e| corrupt("lesson id", e))?,
                title: r.title,
                description: r.description,
                kind: LessonKind::parse(&r.kind).ok_or_else(|| corrupt("lesson kind", &r.kind))?,
                challenge: r
                    .challenge
                    .map(|c| c.parse().map_err(|e| corrupt("lesson challenge", e)))
                    .transpose()?,
                challenge_type: r.challenge_type,
                duration: r.duration,
            })
        })
        .collect()
}

fn opt_time(row: &impl Row, column: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    let ms: Option<i64> = get(row, column)?;
    ms.map(from_millis).transpose()
}

fn playlist_row(row: &impl Row) -> Result<Playlist, StoreError> {
    let level: String = get(row, "level")?;
    Ok(Playlist {
        id: id(row, "id")?,
        author: id(row, "author")?,
        title: get(row, "title")?,
        description: get(row, "description")?,
        category: get(row, "category")?,
        level: Level::parse(&level).ok_or_else(|| corrupt("level", &level))?,
        duration_text: get(row, "duration_text")?,
        topics: json(row, "topics")?,
        is_premium: get(row, "is_premium")?,
        lessons: lessons_of(json(row, "lessons")?)?,
        stats: PlaylistStats {
            rating_sum: count(row, "rating_sum")?,
            ratings: count(row, "ratings")?,
            students: count(row, "students")?,
            completions: count(row, "completions")?,
        },
        revision: u32::try_from(get::<i64>(row, "revision")?)
            .map_err(|e| corrupt("revision", e))?,
        deleted_at: opt_time(row, "deleted_at")?,
        created_at: from_millis(get(row, "created_at")?)?,
        updated_at: from_millis(get(row, "updated_at")?)?,
    })
}

fn enrolment_row(row: &impl Row) -> Result<Enrolment, StoreError> {
    let completed: Vec<String> = json(row, "completed")?;
    let score: Option<i64> = get(row, "rating_score")?;
    let rating = match score {
        Some(score) => Some(Rating {
            score: u8::try_from(score).map_err(|e| corrupt("rating_score", e))?,
            review: get::<Option<String>>(row, "rating_review")?.unwrap_or_default(),
            at: opt_time(row, "rating_at")?
                .ok_or_else(|| corrupt("rating_at", "missing beside a score"))?,
        }),
        None => None,
    };
    Ok(Enrolment {
        playlist: id(row, "playlist")?,
        learner: id(row, "learner")?,
        active: get(row, "active")?,
        completed: completed
            .iter()
            .map(|l| l.parse().map_err(|e| corrupt("completed lesson", e)))
            .collect::<Result<_, _>>()?,
        time_spent: count(row, "time_spent")?,
        last_accessed_at: from_millis(get(row, "last_accessed_at")?)?,
        rating,
        enrolled_at: from_millis(get(row, "enrolled_at")?)?,
        completed_at: opt_time(row, "completed_at")?,
        certificate: get::<Option<String>>(row, "certificate")?
            .map(|c| c.parse().map_err(|e| corrupt("certificate", e)))
            .transpose()?,
    })
}

fn certificate_row(row: &impl Row) -> Result<Certificate, StoreError> {
    let revocation = match opt_time(row, "revoked_at")? {
        Some(at) => Some(Revocation {
            at,
            reason: get::<Option<String>>(row, "revoked_reason")?.unwrap_or_default(),
            by: get::<Option<String>>(row, "revoked_by")?
                .ok_or_else(|| corrupt("revoked_by", "missing beside revoked_at"))?
                .parse()
                .map_err(|e| corrupt("revoked_by", e))?,
        }),
        None => None,
    };
    Ok(Certificate {
        id: id(row, "id")?,
        playlist: id(row, "playlist")?,
        learner: id(row, "learner")?,
        learner_name: get(row, "learner_name")?,
        playlist_title: get(row, "playlist_title")?,
        author_name: get(row, "author_name")?,
        completed_at: from_millis(get(row, "completed_at")?)?,
        lessons: json(row, "lessons")?,
        key_id: get(row, "key_id")?,
        signature: get(row, "signature")?,
        revocation,
    })
}

fn sql_row(row: &SqliteRow) -> Result<Playlist, StoreError> {
    playlist_row(row)
}

fn enrolment_in(
    conn: &Connection,
    playlist: &str,
    learner: &str,
) -> Result<Option<Enrolment>, StoreError> {
    conn.query_row(
        &format!(
            "SELECT {ENROLMENT_COLUMNS} FROM learning_enrolments \
             WHERE playlist = ?1 AND learner = ?2"
        ),
        params![playlist, learner],
        |r| Ok(enrolment_row(r)),
    )
    .optional()
    .map_err(sync_error)?
    .transpose()
}

fn push_filter(q: &mut QueryBuilder<'_, Sqlite>, f: &PlaylistFilter) {
    q.push(" WHERE deleted_at IS NULL");
    if let Some(c) = &f.category {
        q.push(" AND category = ").push_bind(c.clone());
    }
    if let Some(t) = &f.topic {
        q.push(" AND EXISTS (SELECT 1 FROM json_each(learning_playlists.topics) WHERE value = ")
            .push_bind(t.clone())
            .push(")");
    }
    if let Some(l) = f.level {
        q.push(" AND level = ").push_bind(l.as_str());
    }
    if let Some(p) = f.premium {
        q.push(" AND is_premium = ").push_bind(p);
    }
    if let Some(a) = f.author {
        q.push(" AND author = ").push_bind(a.to_hex());
    }
    if let Some(s) = &f.search {
        // instr, not LIKE: the text is matched literally, `%` and `_` included.
        let needle = s.to_lowercase();
        q.push(" AND (instr(lower(title), ")
            .push_bind(needle.clone())
            .push(") > 0 OR instr(lower(description), ")
            .push_bind(needle)
            .push(") > 0)");
    }
}

/// Moves a playlist's figures by these amounts (never below zero) and recomputes the rating
/// key from the sum and count.
fn move_figures(
    conn: &Connection,
    playlist: &str,
    students: i64,
    completions: i64,
    rating_sum: i64,
    ratings: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE learning_playlists SET \
           students = MAX(students + ?2, 0), \
           completions = MAX(completions + ?3, 0), \
           rating_sum = MAX(rating_sum + ?4, 0), \
           ratings = MAX(ratings + ?5, 0), \
           rating_key = CASE WHEN ratings + ?5 > 0 \
             THEN ((rating_sum + ?4) * 200 + (ratings + ?5)) / (2 * (ratings + ?5)) ELSE 0 END \
         WHERE id = ?1",
        params![playlist, students, completions, rating_sum, ratings],
    )
    .map_err(sync_error)?;
    Ok(())
}

#[async_trait]
impl PlaylistRepository for SqliteLearning {
    async fn insert(&self, p: &Playlist) -> Result<(), StoreError> {
        let lessons = lessons_json(&p.lessons)?;
        let topics = to_json(&p.topics)?;
        let p = p.clone();
        self.db
            .write(move |conn| {
                conn.execute(
                    &format!(
                        "INSERT INTO learning_playlists ({PLAYLIST_COLUMNS}, rating_key) VALUES \
                         (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, \
                          ?17, ?18, ?19)"
                    ),
                    params![
                        p.id.to_hex(),
                        p.author.to_hex(),
                        p.title,
                        p.description,
                        p.category,
                        p.level.as_str(),
                        p.duration_text,
                        topics,
                        p.is_premium,
                        lessons,
                        i64::try_from(p.stats.rating_sum).unwrap_or(i64::MAX),
                        i64::try_from(p.stats.ratings).unwrap_or(i64::MAX),
                        i64::try_from(p.stats.students).unwrap_or(i64::MAX),
                        i64::try_from(p.stats.completions).unwrap_or(i64::MAX),
                        p.revision,
                        p.deleted_at.map(millis),
                        millis(p.created_at),
                        millis(p.updated_at),
                        (p.stats.rating() * 100.0).round() as i64,
                    ],
                )
                .map_err(sync_error)?;
                Ok(())
            })
            .await
            .map_err(job_error)
    }

    async fn get(&self, id: PlaylistId) -> Result<Option<Playlist>, StoreError> {
        sqlx::query(&format!(
            "SELECT {PLAYLIST_COLUMNS} FROM learning_playlists WHERE id = ?1"
        ))
        .bind(id.to_hex())
        .fetch_optional(self.db.reads())
        .await
        .map_err(store_error)?
        .as_ref()
        .map(sql_row)
        .transpose()
    }

    async fn get_many(&self, ids: &[PlaylistId]) -> Result<Vec<Playlist>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {PLAYLIST_COLUMNS} FROM learning_playlists WHERE id IN ("
        ));
        stackrush_store_sqlite::push_binds(&mut q, ids.iter().map(|id| id.to_hex()));
        q.push(")");
        let rows = q
            .build()
            .fetch_all(self.db.reads())
            .await
            .map_err(store_error)?;
        rows.iter().map(sql_row).collect()
    }

    async fn update(&self, p: &Playlist, based_on: u32) -> Result<Written, StoreError> {
        let lessons = lessons_json(&p.lessons)?;
        let topics = to_json(&p.topics)?;
        let p = p.clone();
        self.db
            .write(move |conn| {
                let changed = conn
                    .execute(
                        "UPDATE learning_playlists SET title = ?3, description = ?4, \
                         category = ?5, level = ?6, duration_text = ?7, topics = ?8, \
                         is_premium = ?9, lessons = ?10, revision = ?11, updated_at = ?12 \
                         WHERE id = ?1 AND deleted_at IS NULL AND revision = ?2",
                        params![
                            p.id.to_hex(),
                            based_on,
                            p.title,
                            p.description,
                            p.category,
                            p.level.as_str(),
                            p.duration_text,
                            topics,
                            p.is_premium,
                            lessons,
                            p.revision,
                            millis(p.updated_at),
                        ],
                    )
                    .map_err(sync_error)?;
                if changed == 1 {
                    return Ok(Written::Done);
                }
                let live: Option<i64> = conn
                    .query_row(
                        "SELECT revision FROM learning_playlists \
                         WHERE id = ?1 AND deleted_at IS NULL",
                        [p.id.to_hex()],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(sync_error)?;
                Ok(if live.is_some() {
                    Written::Stale
                } else {
                    Written::Gone
                })
            })
            .await
            .map_err(job_error)
    }

    async fn delete(&self, id: PlaylistId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE learning_playlists SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
        )
        .bind(id.to_hex())
        .bind(millis(at))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(changed.rows_affected() == 1)
    }

    async fn list(
        &self,
        filter: &PlaylistFilter,
        sort: PlaylistSort,
        page: PageRequest,
    ) -> Result<Page<Playlist>, StoreError> {
        let order = match sort {
            PlaylistSort::Popular => "students DESC, completions DESC, id DESC",
            PlaylistSort::Rating => "rating_key DESC, ratings DESC, id DESC",
            PlaylistSort::Newest => "created_at DESC, id DESC",
        };
        PageQuery {
            table: "learning_playlists",
            columns: PLAYLIST_COLUMNS,
            filter: |q: &mut QueryBuilder<'_, Sqlite>| push_filter(q, filter),
            order,
        }
        .fetch(&self.db, page, sql_row, store_error)
        .await
    }

    async fn categories(&self) -> Result<HashMap<String, u64>, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT category, COUNT(*) FROM learning_playlists WHERE deleted_at IS NULL \
             GROUP BY category",
        )
        .fetch_all(self.db.reads())
        .await
        .map_err(store_error)?;
        Ok(rows
            .into_iter()
            .map(|(c, n)| (c, u64::try_from(n).unwrap_or(0)))
            .collect())
    }
}

#[async_trait]
impl EnrolmentRepository for SqliteLearning {
    async fn get(
        &self,
        playlist: PlaylistId,
        learner: MemberId,
    ) -> Result<Option<Enrolment>, StoreError> {
        sqlx::query(&format!(
            "SELECT {ENROLMENT_COLUMNS} FROM learning_enrolments \
             WHERE playlist = ?1 AND learner = ?2"
        ))
        .bind(playlist.to_hex())
        .bind(learner.to_hex())
        .fetch_optional(self.db.reads())
        .await
        .map_err(store_error)?
        .as_ref()
        .map(enrolment_row)
        .transpose()
    }

    async fn enrol(
        &self,
        playlist: PlaylistId,
        learner: MemberId,
        at: DateTime<Utc>,
    ) -> Result<Option<Enrolled>, StoreError> {
        let (playlist, learner, at) = (playlist.to_hex(), learner.to_hex(), millis(at));
        self.db
            .write(move |conn| {
                let live: i64 = conn
                    .query_row(
                        "SELECT COUNT(*) FROM learning_playlists \
                         WHERE id = ?1 AND deleted_at IS NULL",
                        [&playlist],
                        |r| r.get(0),
                    )
                    .map_err(sync_error)?;
                if live == 0 {
                    return Ok(None);
                }
                let inserted = conn
                    .execute(
                        "INSERT INTO learning_enrolments (playlist, learner, active, completed, \
                         time_spent, last_accessed_at, enrolled_at) \
                         VALUES (?1, ?2, 1, '[]', 0, ?3, ?3) \
                         ON CONFLICT (playlist, learner) DO UPDATE SET active = 1, \
                           last_accessed_at = excluded.last_accessed_at WHERE active = 0",
                        params![playlist, learner, at],
                    )
                    .map_err(sync_error)?;
                let newly = inserted == 1;
                if newly {
                    move_figures(conn, &playlist, 1, 0, 0, 0)?;
                }
                let enrolment = enrolment_in(conn, &playlist, &learner)?
                    .ok_or_else(|| corrupt("enrolment", "missing after enrolling"))?;
                Ok(Some(Enrolled { enrolment, newly }))
            })
            .await
            .map_err(job_error)
    }

    async fn unenrol(
        &self,
        playlist: PlaylistId,
        learner: MemberId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (playlist, learner, at) = (playlist.to_hex(), learner.to_hex(), millis(at));
        self.db
            .write(move |conn| {
                let changed = conn
                    .execute(
                        "UPDATE learning_enrolments SET active = 0, last_accessed_at = ?3 \
                         WHERE playlist = ?1 AND learner = ?2 AND active = 1",
                        params![playlist, learner, at],
                    )
                    .map_err(sync_error)?;
                if changed == 1 {
                    move_figures(conn, &playlist, -1, 0, 0, 0)?;
                }
                Ok(changed == 1)
            })
            .await
            .map_err(job_error)
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
        let (playlist, learner, lesson, at) = (
            playlist.to_hex(),
            learner.to_hex(),
            lesson.to_hex(),
            millis(at),
        );
        self.db
            .write(move |conn| {
                // Read and written in one job on the one writer: nothing comes in between.
                let Some(mut e) = enrolment_in(conn, &playlist, &learner)?.filter(|e| e.active)
                else {
                    return Ok(None);
                };
                let lesson: LessonId = lesson.parse().map_err(|e| corrupt("lesson", e))?;
                if completed && !e.completed.contains(&lesson) {
                    e.completed.push(lesson);
                }
                if !completed {
                    e.completed.retain(|l| *l != lesson);
                }
                let done: Vec<String> = e.completed.iter().map(|l| l.to_hex()).collect();
                conn.execute(
                    "UPDATE learning_enrolments SET completed = ?3, \
                     time_spent = time_spent + ?4, last_accessed_at = ?5 \
                     WHERE playlist = ?1 AND learner = ?2",
                    params![playlist, learner, to_json(&done)?, minutes, at],
                )
                .map_err(sync_error)?;
                enrolment_in(conn, &playlist, &learner)
            })
            .await
            .map_err(job_error)
    }

    async fn complete(&self, certificate: &Certificate) -> Result<bool, StoreError> {
        let c = certificate.clone();
        let lessons = to_json(&c.lessons)?;
        self.db
            .write(move |conn| {
                let (playlist, learner) = (c.playlist.to_hex(), c.learner.to_hex());
                let changed = conn
                    .execute(
                        "UPDATE learning_enrolments SET completed_at = ?3, certificate = ?4 \
                         WHERE playlist = ?1 AND learner = ?2 AND completed_at IS NULL",
                        params![playlist, learner, millis(c.completed_at), c.id.to_hex()],
                    )
                    .map_err(sync_error)?;
                if changed == 0 {
                    return Ok(false);
                }
                conn.execute(
                    "INSERT INTO learning_certificates (id, playlist, learner, learner_name, \
                     playlist_title, author_name, completed_at, lessons, key_id, signature) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    params![
                        c.id.to_hex(),
                        playlist,
                        learner,
                        c.learner_name,
                        c.playlist_title,
                        c.author_name,
                        millis(c.completed_at),
                        lessons,
                        c.key_id,
                        c.signature
                    ],
                )
                .map_err(sync_error)?;
                move_figures(conn, &playlist, 0, 1, 0, 0)?;
                Ok(true)
            })
            .await
            .map_err(job_error)
    }

    async fn rate(
        &self,
        playlist: PlaylistId,
        learner: MemberId,
        rating: &Rating,
    ) -> Result<bool, StoreError> {
        let (playlist, learner) = (playlist.to_hex(), learner.to_hex());
        let rating = rating.clone();
        self.db
            .write(move |conn| {
                let before: Option<Option<i64>> = conn
                    .query_row(
                        "SELECT rating_score FROM learning_enrolments \
                         WHERE playlist = ?1 AND learner = ?2 AND active = 1",
                        params![playlist, learner],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(sync_error)?;
                let Some(before) = before else {
                    return Ok(false);
                };
                conn.execute(
                    "UPDATE learning_enrolments SET rating_score = ?3, rating_review = ?4, \
                     rating_at = ?5 WHERE playlist = ?1 AND learner = ?2",
                    params![
                        playlist,
                        learner,
                        rating.score,
                        rating.review,
                        millis(rating.at)
                    ],
                )
                .map_err(sync_error)?;
                let score = i64::from(rating.score);
                match before {
                    Some(old) => move_figures(conn, &playlist, 0, 0, score - old, 0)?,
                    None => move_figures(conn, &playlist, 0, 0, score, 1)?,
                }
                Ok(true)
            })
            .await
            .map_err(job_error)
    }

    async fn enrolled_among(
        &self,
        learner: MemberId,
        playlists: &[PlaylistId],
    ) -> Result<Vec<PlaylistId>, StoreError> {
        if playlists.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT playlist FROM learning_enrolments WHERE active = 1 AND learner = ",
        );
        q.push_bind(learner.to_hex()).push(" AND playlist IN (");
        stackrush_store_sqlite::push_binds(&mut q, playlists.iter().map(|id| id.to_hex()));
        q.push(")");
        let rows = q
            .build()
            .fetch_all(self.db.reads())
            .await
            .map_err(store_error)?;
        rows.iter().map(|r| id(r, "playlist")).collect()
    }

    async fn active_of(
        &self,
        learner: MemberId,
        page: PageRequest,
    ) -> Result<Page<Enrolment>, StoreError> {
        let learner = learner.to_hex();
        PageQuery {
            table: "learning_enrolments",
            columns: ENROLMENT_COLUMNS,
            filter: |q: &mut QueryBuilder<'_, Sqlite>| {
                q.push(" WHERE learner = ")
                    .push_bind(learner.clone())
                    .push(" AND active = 1");
            },
            order: "last_accessed_at DESC, playlist DESC",
        }
        .fetch(&self.db, page, enrolment_row, store_error)
        .await
    }
}

#[async_trait]
impl CertificateRepository for SqliteLearning {
    async fn get(&self, id: CertificateId) -> Result<Option<Certificate>, StoreError> {
        sqlx::query(&format!(
            "SELECT {CERTIFICATE_COLUMNS} FROM learning_certificates WHERE id = ?1"
        ))
        .bind(id.to_hex())
        .fetch_optional(self.db.reads())
        .await
        .map_err(store_error)?
        .as_ref()
        .map(certificate_row)
        .transpose()
    }

    async fn revoke(&self, id: CertificateId, revocation: &Revocation) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE learning_certificates SET revoked_at = ?2, revoked_reason = ?3, \
             revoked_by = ?4 WHERE id = ?1 AND revoked_at IS NULL",
        )
        .bind(id.to_hex())
        .bind(millis(revocation.at))
        .bind(&revocation.reason)
        .bind(revocation.by.to_hex())
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(changed.rows_affected() == 1)
    }
}
