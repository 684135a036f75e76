//! SQLite adapter of the templates ports; [`migrate`] applies this context's migrations.
//!
//! Every write that moves a count runs as one job on the synchronous writer ([`Db::write`]):
//! a star and the template's star count, a fork and its origin's fork count, a template (or a
//! code change) and its version row change in one transaction. Stars are keyed by their
//! primary key, never read-modify-written.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite};
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_store_sqlite::rows::{count, get, json, parsed as id, to_json, Row};
use stackrush_store_sqlite::{corrupt, from_millis, millis, Db, PageQuery, WriteError};
use stackrush_templates::ports::{Stores, TemplateRepository, Written};
use stackrush_templates::*;

mod projects;
pub use projects::SqliteProjects;

/// Applies this context's migrations; other contexts' migrations in the same file are left alone.
pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    stackrush_store_sqlite::apply_migrations(db, sqlx::migrate!("./migrations")).await
}

/// The templates context's store ports on `db` (migrated with [`migrate`]).
pub fn stores(db: &Db) -> Stores {
    Stores {
        templates: std::sync::Arc::new(SqliteTemplates::new(db.clone())),
        projects: std::sync::Arc::new(SqliteProjects::new(db.clone())),
    }
}

pub(crate) fn store_error(err: sqlx::Error) -> StoreError {
    stackrush_store_sqlite::store_error(err, &[])
}

fn sync_error(err: rusqlite::Error) -> StoreError {
    stackrush_store_sqlite::sync_store_error(err, &[])
}

fn job_error(err: WriteError<StoreError>) -> StoreError {
    err.into_inner()
}

const COLUMNS: &str = "id, author, title, description, html, css, js, language, framework, \
    category, difficulty, tags, features, stars, downloads, forks, views, version, forked_from, \
    forked_version, thumbnail, is_public, is_active, created_at, updated_at";

/// [`COLUMNS`] of the table aliased `t`.
const T_COLUMNS: &str = "t.id, t.author, t.title, t.description, t.html, t.css, t.js, \
    t.language, t.framework, t.category, t.difficulty, t.tags, t.features, t.stars, \
    t.downloads, t.forks, t.views, t.version, t.forked_from, t.forked_version, t.thumbnail, \
    t.is_public, t.is_active, t.created_at, t.updated_at";

const VERSION_COLUMNS: &str = "template, number, html, css, js, language, framework, created_at";

/// Templates, versions and stars in the `template*` tables.
#[derive(Debug, Clone)]
pub struct SqliteTemplates {
    db: Db,
}

impl SqliteTemplates {
    /// The adapter over `db` (migrated with [`migrate`]).
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

fn named<T>(row: &impl Row, column: &str, parse: fn(&str) -> Option<T>) -> Result<T, StoreError> {
    let text: String = get(row, column)?;
    parse(&text).ok_or_else(|| corrupt(column, format!("unknown value {text:?}")))
}

pub(crate) fn number(row: &impl Row, column: &str) -> Result<u32, StoreError> {
    u32::try_from(get::<i64>(row, column)?).map_err(|e| corrupt(column, e))
}

pub(crate) fn code(row: &impl Row) -> Result<Code, StoreError> {
    Ok(Code {
        html: get(row, "html")?,
        css: get(row, "css")?,
        js: get(row, "js")?,
        language: named(row, "language", Language::parse)?,
        framework: named(row, "framework", Framework::parse)?,
    })
}

fn template_row(row: &SqliteRow) -> Result<Template, StoreError> {
    let origin: Option<String> = get(row, "forked_from")?;
    let forked_from = match origin {
        Some(t) => Some(Origin {
            template: t.parse().map_err(|e| corrupt("forked_from", e))?,
            version: number(row, "forked_version")?,
        }),
        None => None,
    };
    Ok(Template {
        id: id(row, "id")?,
        author: id(row, "author")?,
        title: get(row, "title")?,
        description: get(row, "description")?,
        code: code(row)?,
        category: named(row, "category", Category::parse)?,
        difficulty: named(row, "difficulty", Difficulty::parse)?,
        tags: json(row, "tags")?,
        features: json(row, "features")?,
        stats: Stats {
            stars: count(row, "stars")?,
            downloads: count(row, "downloads")?,
            forks: count(row, "forks")?,
            views: count(row, "views")?,
        },
        version: number(row, "version")?,
        forked_from,
        thumbnail: get(row, "thumbnail")?,
        is_public: get(row, "is_public")?,
        is_active: get(row, "is_active")?,
        created_at: from_millis(get(row, "created_at")?)?,
        updated_at: from_millis(get(row, "updated_at")?)?,
    })
}

fn version_row(row: &SqliteRow) -> Result<Version, StoreError> {
    Ok(Version {
        template: id(row, "template")?,
        number: number(row, "number")?,
        code: code(row)?,
        created_at: from_millis(get(row, "created_at")?)?,
    })
}

/// The JSON lists and counters of a template, ready to bind.
struct Encoded {
    tags: String,
    features: String,
}

impl Encoded {
    fn of(t: &Template) -> Result<Self, StoreError> {
        Ok(Self {
            tags: to_json(&t.tags)?,
            features: to_json(&t.features)?,
        })
    }
}

fn n(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn insert_template(conn: &Connection, t: &Template, e: &Encoded) -> Result<(), StoreError> {
    conn.execute(
        &format!(
            "INSERT INTO templates ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, \
             ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)"
        ),
        params![
            t.id.to_hex(),
            t.author.to_hex(),
            t.title,
            t.description,
            t.code.html,
            t.code.css,
            t.code.js,
            t.code.language.as_str(),
            t.code.framework.as_str(),
            t.category.as_str(),
            t.difficulty.as_str(),
            e.tags,
            e.features,
            n(t.stats.stars),
            n(t.stats.downloads),
            n(t.stats.forks),
            n(t.stats.views),
            t.version,
            t.forked_from.map(|o| o.template.to_hex()),
            t.forked_from.map(|o| o.version),
            t.thumbnail,
            t.is_public,
            t.is_active,
            millis(t.created_at),
            millis(t.updated_at),
        ],
    )
    .map_err(sync_error)?;
    insert_version(conn, &t.current_version())
}

fn insert_version(conn: &Connection, v: &Version) -> Result<(), StoreError> {
    conn.execute(
        &format!(
            "INSERT INTO template_versions ({VERSION_COLUMNS}) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        ),
        params![
            v.template.to_hex(),
            v.number,
            v.code.html,
            v.code.css,
            v.code.js,
            v.code.language.as_str(),
            v.code.framework.as_str(),
            millis(v.created_at),
        ],
    )
    .map_err(sync_error)?;
    Ok(())
}

fn push_filter(q: &mut QueryBuilder<'_, Sqlite>, f: &TemplateFilter) {
    q.push(" WHERE is_active = 1");
    if f.visibility == Visibility::Public {
        q.push(" AND is_public = 1");
    }
    if let Some(a) = f.author {
        q.push(" AND author = ").push_bind(a.to_hex());
    }
    if let Some(c) = f.category {
        q.push(" AND category = ").push_bind(c.as_str());
    }
    if let Some(fw) = f.framework {
        q.push(" AND framework = ").push_bind(fw.as_str());
    }
    if let Some(d) = f.difficulty {
        q.push(" AND difficulty = ").push_bind(d.as_str());
    }
    if let Some(l) = f.language {
        q.push(" AND language = ").push_bind(l.as_str());
    }
    if let Some(t) = &f.tag {
        q.push(" AND EXISTS (SELECT 1 FROM json_each(templates.tags) WHERE value = ")
            .push_bind(t.clone())
            .push(")");
    }
    if let Some(o) = f.forked_from {
        q.push(" AND forked_from = ").push_bind(o.to_hex());
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

#[async_trait]
impl TemplateRepository for SqliteTemplates {
    async fn insert(&self, template: &Template) -> Result<(), StoreError> {
        let e = Encoded::of(template)?;
        let t = template.clone();
        self.db
            .write(move |conn| insert_template(conn, &t, &e))
            .await
            .map_err(job_error)
    }

    async fn get(&self, id: TemplateId) -> Result<Option<Template>, StoreError> {
        sqlx::query(&format!("SELECT {COLUMNS} FROM templates WHERE id = ?1"))
            .bind(id.to_hex())
            .fetch_optional(self.db.reads())
            .await
            .map_err(store_error)?
            .as_ref()
            .map(template_row)
            .transpose()
    }

    async fn update(&self, template: &Template, based_on: u32) -> Result<Written, StoreError> {
        let e = Encoded::of(template)?;
        let t = template.clone();
        self.db
            .write(move |conn| {
                let changed = conn
                    .execute(
                        "UPDATE templates SET title = ?3, description = ?4, html = ?5, css = ?6, \
                         js = ?7, language = ?8, framework = ?9, category = ?10, \
                         difficulty = ?11, tags = ?12, features = ?13, is_public = ?14, \
                         version = ?15, updated_at = ?16 \
                         WHERE id = ?1 AND is_active = 1 AND version = ?2",
                        params![
                            t.id.to_hex(),
                            based_on,
                            t.title,
                            t.description,
                            t.code.html,
                            t.code.css,
                            t.code.js,
                            t.code.language.as_str(),
                            t.code.framework.as_str(),
                            t.category.as_str(),
                            t.difficulty.as_str(),
                            e.tags,
                            e.features,
                            t.is_public,
                            t.version,
                            millis(t.updated_at),
                        ],
                    )
                    .map_err(sync_error)?;
                if changed == 0 {
                    let live: i64 = conn
                        .query_row(
                            "SELECT COUNT(*) FROM templates WHERE id = ?1 AND is_active = 1",
                            [t.id.to_hex()],
                            |r| r.get(0),
                        )
                        .map_err(sync_error)?;
                    return Ok(if live == 0 {
                        Written::Gone
                    } else {
                        Written::Stale
                    });
                }
                if t.version > based_on {
                    insert_version(conn, &t.current_version())?;
                }
                Ok(Written::Done)
            })
            .await
            .map_err(job_error)
    }

    async fn delete(&self, id: TemplateId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE templates SET is_active = 0, updated_at = ?2 WHERE id = ?1 AND is_active = 1",
        )
        .bind(id.to_hex())
        .bind(millis(at))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(changed.rows_affected() > 0)
    }

    async fn list(
        &self,
        filter: &TemplateFilter,
        sort: TemplateSort,
        page: PageRequest,
        known_total: Option<u64>,
    ) -> Result<Page<Template>, StoreError> {
        let key = match sort {
            TemplateSort::Newest => "",
            TemplateSort::Stars => "stars DESC, ",
            TemplateSort::Downloads => "downloads DESC, ",
            TemplateSort::Forks => "forks DESC, ",
        };
        PageQuery {
            table: "templates",
            columns: COLUMNS,
            filter: |q: &mut QueryBuilder<'_, Sqlite>| push_filter(q, filter),
            order: &format!("{key}created_at DESC, id DESC"),
        }
        .fetch_knowing(&self.db, page, known_total, template_row, store_error)
        .await
    }

    async fn versions(
        &self,
        template: TemplateId,
        page: PageRequest,
    ) -> Result<Page<Version>, StoreError> {
        let template = template.to_hex();
        PageQuery {
            table: "template_versions",
            columns: VERSION_COLUMNS,
            filter: |q: &mut QueryBuilder<'_, Sqlite>| {
                q.push(" WHERE template = ").push_bind(template.clone());
            },
            order: "number DESC",
        }
        .fetch(&self.db, page, version_row, store_error)
        .await
    }

    async fn insert_fork(&self, fork: &Template) -> Result<bool, StoreError> {
        let Some(origin) = fork.forked_from else {
            return Ok(false);
        };
        let e = Encoded::of(fork)?;
        let t = fork.clone();
        self.db
            .write(move |conn| {
                let counted = conn
                    .execute(
                        "UPDATE templates SET forks = forks + 1 WHERE id = ?1 AND is_active = 1",
                        [origin.template.to_hex()],
                    )
                    .map_err(sync_error)?;
                if counted == 0 {
                    return Ok(false);
                }
                insert_template(conn, &t, &e)?;
                Ok(true)
            })
            .await
            .map_err(job_error)
    }

    async fn toggle_star(
        &self,
        template: TemplateId,
        member: MemberId,
        at: DateTime<Utc>,
    ) -> Result<Option<Starred>, StoreError> {
        let (template, member, at) = (template.to_hex(), member.to_hex(), millis(at));
        self.db
            .write(move |conn| {
                let live: i64 = conn
                    .query_row(
                        "SELECT COUNT(*) FROM templates WHERE id = ?1 AND is_active = 1",
                        [&template],
                        |r| r.get(0),
                    )
                    .map_err(sync_error)?;
                if live == 0 {
                    return Ok(None);
                }
                let unstarred = conn
                    .execute(
                        "DELETE FROM template_stars WHERE template = ?1 AND member = ?2",
                        params![template, member],
                    )
                    .map_err(sync_error)?;
                let starred = unstarred == 0;
                if starred {
                    conn.execute(
                        "INSERT INTO template_stars (template, member, at) VALUES (?1, ?2, ?3)",
                        params![template, member, at],
                    )
                    .map_err(sync_error)?;
                }
                let delta: i64 = if starred { 1 } else { -1 };
                let stars: i64 = conn
                    .query_row(
                        "UPDATE templates SET stars = MAX(stars + ?2, 0) WHERE id = ?1 \
                         RETURNING stars",
                        params![template, delta],
                        |r| r.get(0),
                    )
                    .map_err(sync_error)?;
                Ok(Some(Starred {
                    starred,
                    stars: u64::try_from(stars).unwrap_or(0),
                }))
            })
            .await
            .map_err(job_error)
    }

    async fn starred_among(
        &self,
        member: MemberId,
        templates: &[TemplateId],
    ) -> Result<HashSet<TemplateId>, StoreError> {
        if templates.is_empty() {
            return Ok(HashSet::new());
        }
        let mut q =
            QueryBuilder::<Sqlite>::new("SELECT template FROM template_stars WHERE member = ");
        q.push_bind(member.to_hex()).push(" AND template IN (");
        stackrush_store_sqlite::push_binds(&mut q, templates.iter().map(|t| t.to_hex()));
        q.push(")");
        let rows = q
            .build()
            .fetch_all(self.db.reads())
            .await
            .map_err(store_error)?;
        rows.iter().map(|r| id(r, "template")).collect()
    }

    async fn starred(
        &self,
        member: MemberId,
        page: PageRequest,
    ) -> Result<Page<Template>, StoreError> {
        let member = member.to_hex();
        PageQuery {
            table: "template_stars s JOIN templates t ON t.id = s.template",
            columns: T_COLUMNS,
            filter: |q: &mut QueryBuilder<'_, Sqlite>| {
                q.push(" WHERE s.member = ")
                    .push_bind(member.clone())
                    .push(" AND t.is_active = 1 AND (t.is_public = 1 OR t.author = ")
                    .push_bind(member.clone())
                    .push(")");
            },
            order: "s.at DESC, t.id DESC",
        }
        .fetch(&self.db, page, template_row, store_error)
        .await
    }

    async fn set_thumbnail(
        &self,
        template: TemplateId,
        url: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<Option<String>>, StoreError> {
        let (template, url, at) = (template.to_hex(), url.to_owned(), millis(at));
        self.db
            .write(move |conn| {
                let previous: Option<Option<String>> = conn
                    .query_row(
                        "SELECT thumbnail FROM templates WHERE id = ?1 AND is_active = 1",
                        [&template],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(sync_error)?;
                if previous.is_some() {
                    conn.execute(
                        "UPDATE templates SET thumbnail = ?2, updated_at = ?3 WHERE id = ?1",
                        params![template, url, at],
                    )
                    .map_err(sync_error)?;
                }
                Ok(previous)
            })
            .await
            .map_err(job_error)
    }

    async fn count(
        &self,
        template: TemplateId,
        counter: Counter,
    ) -> Result<Option<u64>, StoreError> {
        let column = match counter {
            Counter::Downloads => "downloads",
            Counter::Views => "views",
        };
        let value: Option<i64> = sqlx::query_scalar(&format!(
            "UPDATE templates SET {column} = {column} + 1 WHERE id = ?1 AND is_active = 1 \
             RETURNING {column}"
        ))
        .bind(template.to_hex())
        .fetch_optional(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(value.map(|v| u64::try_from(v).unwrap_or(0)))
    }

    async fn facets(&self, kind: FacetKind) -> Result<HashMap<String, u64>, StoreError> {
        let column = match kind {
            FacetKind::Category => "category",
            FacetKind::Framework => "framework",
        };
        let rows: Vec<(String, i64)> = sqlx::query_as(&format!(
            "SELECT {column}, COUNT(*) FROM templates WHERE is_active = 1 AND is_public = 1 \
             GROUP BY {column}"
        ))
        .fetch_all(self.db.reads())
        .await
        .map_err(store_error)?;
        Ok(rows
            .into_iter()
            .map(|(name, n)| (name, u64::try_from(n).unwrap_or(0)))
            .collect())
    }
}
