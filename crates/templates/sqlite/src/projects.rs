//! Projects in the `projects` table. Saves are conditional on the version they were based on
//! (one `UPDATE … WHERE version = ?`); share links are unique by index.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite};
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_store_sqlite::rows::{count, get, parsed as id, parsed_opt as opt_id};
use stackrush_store_sqlite::{from_millis, millis, Db, PageQuery};
use stackrush_templates::ports::Written;
use stackrush_templates::project::{Project, ProjectId, ProjectRepository};
use stackrush_templates::MemberId;

use crate::{code, number, store_error};

const COLUMNS: &str = "id, owner, title, html, css, js, language, framework, template, \
    forked_from, version, share, views, is_active, created_at, updated_at";

/// Projects in the `projects` table.
#[derive(Debug, Clone)]
pub struct SqliteProjects {
    db: Db,
}

impl SqliteProjects {
    /// The adapter over `db` (migrated with [`crate::migrate`]).
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    async fn one(&self, sql: &str, key: String) -> Result<Option<Project>, StoreError> {
        sqlx::query(sql)
            .bind(key)
            .fetch_optional(self.db.reads())
            .await
            .map_err(store_error)?
            .as_ref()
            .map(project_row)
            .transpose()
    }
}

fn project_row(row: &SqliteRow) -> Result<Project, StoreError> {
    Ok(Project {
        id: id(row, "id")?,
        owner: id(row, "owner")?,
        title: get(row, "title")?,
        code: code(row)?,
        template: opt_id(row, "template")?,
        forked_from: opt_id(row, "forked_from")?,
        version: number(row, "version")?,
        share: get(row, "share")?,
        views: count(row, "views")?,
        is_active: get(row, "is_active")?,
        created_at: from_millis(get(row, "created_at")?)?,
        updated_at: from_millis(get(row, "updated_at")?)?,
    })
}

#[async_trait]
impl ProjectRepository for SqliteProjects {
    async fn insert(&self, p: &Project) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO projects ({COLUMNS}) VALUES \
             (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
        ))
        .bind(p.id.to_hex())
        .bind(p.owner.to_hex())
        .bind(&p.title)
        .bind(&p.code.html)
        .bind(&p.code.css)
        .bind(&p.code.js)
        .bind(p.code.language.as_str())
        .bind(p.code.framework.as_str())
        .bind(p.template.map(|t| t.to_hex()))
        .bind(p.forked_from.map(|f| f.to_hex()))
        .bind(p.version)
        .bind(&p.share)
        .bind(i64::try_from(p.views).unwrap_or(i64::MAX))
        .bind(p.is_active)
        .bind(millis(p.created_at))
        .bind(millis(p.updated_at))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn get(&self, id: ProjectId) -> Result<Option<Project>, StoreError> {
        self.one(
            &format!("SELECT {COLUMNS} FROM projects WHERE id = ?1"),
            id.to_hex(),
        )
        .await
    }

    async fn shared(&self, slug: &str) -> Result<Option<Project>, StoreError> {
        self.one(
            &format!("SELECT {COLUMNS} FROM projects WHERE share = ?1 AND is_active = 1"),
            slug.to_owned(),
        )
        .await
    }

    async fn update(&self, p: &Project, based_on: u32) -> Result<Written, StoreError> {
        let changed = sqlx::query(
            "UPDATE projects SET title = ?3, html = ?4, css = ?5, js = ?6, language = ?7, \
             framework = ?8, version = ?9, updated_at = ?10 \
             WHERE id = ?1 AND is_active = 1 AND version = ?2",
        )
        .bind(p.id.to_hex())
        .bind(based_on)
        .bind(&p.title)
        .bind(&p.code.html)
        .bind(&p.code.css)
        .bind(&p.code.js)
        .bind(p.code.language.as_str())
        .bind(p.code.framework.as_str())
        .bind(p.version)
        .bind(millis(p.updated_at))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        if changed.rows_affected() > 0 {
            return Ok(Written::Done);
        }
        Ok(match self.get(p.id).await? {
            Some(stored) if stored.is_active => Written::Stale,
            _ => Written::Gone,
        })
    }

    async fn delete(&self, id: ProjectId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE projects SET is_active = 0, share = NULL, updated_at = ?2 \
             WHERE id = ?1 AND is_active = 1",
        )
        .bind(id.to_hex())
        .bind(millis(at))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(changed.rows_affected() > 0)
    }

    async fn list(&self, owner: MemberId, page: PageRequest) -> Result<Page<Project>, StoreError> {
        let owner = owner.to_hex();
        PageQuery {
            table: "projects",
            columns: COLUMNS,
            filter: |q: &mut QueryBuilder<'_, Sqlite>| {
                q.push(" WHERE owner = ")
                    .push_bind(owner.clone())
                    .push(" AND is_active = 1");
            },
            order: "updated_at DESC, id DESC",
        }
        .fetch(&self.db, page, project_row, store_error)
        .await
    }

    async fn share(&self, id: ProjectId, slug: &str) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar(
            "UPDATE projects SET share = COALESCE(share, ?2) WHERE id = ?1 AND is_active = 1 \
             RETURNING share",
        )
        .bind(id.to_hex())
        .bind(slug)
        .fetch_optional(self.db.writes())
        .await
        .map_err(store_error)
    }

    async fn unshare(&self, id: ProjectId) -> Result<bool, StoreError> {
        let changed =
            sqlx::query("UPDATE projects SET share = NULL WHERE id = ?1 AND is_active = 1")
                .bind(id.to_hex())
                .execute(self.db.writes())
                .await
                .map_err(store_error)?;
        Ok(changed.rows_affected() > 0)
    }

    async fn count_view(&self, slug: &str) -> Result<Option<u64>, StoreError> {
        let views: Option<i64> = sqlx::query_scalar(
            "UPDATE projects SET views = views + 1 WHERE share = ?1 AND is_active = 1 \
             RETURNING views",
        )
        .bind(slug)
        .fetch_optional(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(views.map(|v| u64::try_from(v).unwrap_or(0)))
    }
}
