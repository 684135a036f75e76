use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use stackrush_identity::ports::UserRepository;
use stackrush_identity::{username_key, Role, Social, Stats, User, UserFilter, UserId, UserPatch};
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_store_sqlite::Db;

use crate::{corrupt, from_millis, millis, opt_from_millis, store_error};

/// Users in the `users` table.
#[derive(Debug, Clone)]
pub struct SqliteUsers {
    db: Db,
}

impl SqliteUsers {
    /// The adapter over `db` (migrated with [`crate::migrate`]).
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

/// The stats columns of the first migration (level, xp, …) are no longer read or written: a
/// player's figures are the scoring context's (see `User::stats`).
const COLUMNS: &str =
    "id, email, username, password_hash, profile, preferences, roles, is_active, email_verified, \
    token_version, deleted_at, created_at, updated_at";

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Other(e.into()))
}

fn from_row(row: &SqliteRow) -> Result<User, StoreError> {
    let get_err = |e: sqlx::Error| corrupt("user row", e);
    let id: String = row.try_get("id").map_err(get_err)?;
    let profile: String = row.try_get("profile").map_err(get_err)?;
    let preferences: String = row.try_get("preferences").map_err(get_err)?;
    let roles: String = row.try_get("roles").map_err(get_err)?;
    let roles: Vec<String> = serde_json::from_str(&roles).map_err(|e| corrupt("roles", e))?;
    Ok(User {
        id: id.parse().map_err(|e| corrupt("user id", e))?,
        email: row.try_get("email").map_err(get_err)?,
        username: row.try_get("username").map_err(get_err)?,
        password_hash: row.try_get("password_hash").map_err(get_err)?,
        profile: serde_json::from_str(&profile).map_err(|e| corrupt("profile", e))?,
        preferences: serde_json::from_str(&preferences).map_err(|e| corrupt("preferences", e))?,
        roles: roles.iter().filter_map(|r| Role::parse(r)).collect(),
        stats: Stats::default(),
        social: Social::default(),
        is_active: row.try_get("is_active").map_err(get_err)?,
        email_verified: row.try_get("email_verified").map_err(get_err)?,
        token_version: row.try_get("token_version").map_err(get_err)?,
        deleted_at: opt_from_millis(row.try_get("deleted_at").map_err(get_err)?)?,
        created_at: from_millis(row.try_get("created_at").map_err(get_err)?)?,
        updated_at: from_millis(row.try_get("updated_at").map_err(get_err)?)?,
    })
}

fn role_names(roles: &[Role]) -> Result<String, StoreError> {
    to_json(&roles.iter().map(Role::as_str).collect::<Vec<_>>())
}

impl SqliteUsers {
    async fn find_one(&self, clause: &str, value: &str) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE {clause} = ?1");
        let row = sqlx::query(&sql)
            .bind(value)
            .fetch_optional(self.db.reads())
            .await
            .map_err(store_error)?;
        row.as_ref().map(from_row).transpose()
    }
}

#[async_trait]
impl UserRepository for SqliteUsers {
    async fn insert(&self, user: &User) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO users ({COLUMNS}, username_key) VALUES \
             (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
        );
        sqlx::query(&sql)
            .bind(user.id.to_hex())
            .bind(&user.email)
            .bind(&user.username)
            .bind(&user.password_hash)
            .bind(to_json(&user.profile)?)
            .bind(to_json(&user.preferences)?)
            .bind(role_names(&user.roles)?)
            .bind(user.is_active)
            .bind(user.email_verified)
            .bind(user.token_version)
            .bind(user.deleted_at.map(millis))
            .bind(millis(user.created_at))
            .bind(millis(user.updated_at))
            .bind(username_key(&user.username))
            .execute(self.db.writes())
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        self.find_one("id", &id.to_hex()).await
    }

    async fn find_by_ids(&self, ids: &[UserId]) -> Result<Vec<User>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let hex: Vec<String> = ids.iter().map(|id| id.to_hex()).collect();
        let list = serde_json::to_string(&hex).map_err(|e| StoreError::Other(e.into()))?;
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM users WHERE id IN (SELECT value FROM json_each(?1))"
        ))
        .bind(list)
        .fetch_all(self.db.reads())
        .await
        .map_err(store_error)?;
        rows.iter().map(from_row).collect()
    }

    async fn find_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        self.find_one("email", email).await
    }

    async fn find_by_username(&self, username: &str) -> Result<Option<User>, StoreError> {
        self.find_one("username_key", &username_key(username)).await
    }

    async fn update(
        &self,
        id: UserId,
        patch: &UserPatch,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError> {
        // One statement: NULL parameters leave their column as it is.
        let sql = format!(
            "UPDATE users SET \
               profile = COALESCE(?2, profile), \
               preferences = COALESCE(?3, preferences), \
               password_hash = COALESCE(?4, password_hash), \
               email_verified = COALESCE(?5, email_verified), \
               roles = COALESCE(?6, roles), \
               is_active = COALESCE(?7, is_active), \
               deleted_at = COALESCE(?8, deleted_at), \
               token_version = token_version + ?9, \
               updated_at = ?10 \
             WHERE id = ?1 RETURNING {COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(id.to_hex())
            .bind(patch.profile.as_ref().map(to_json).transpose()?)
            .bind(patch.preferences.as_ref().map(to_json).transpose()?)
            .bind(patch.password_hash.as_deref())
            .bind(patch.email_verified)
            .bind(patch.roles.as_deref().map(role_names).transpose()?)
            .bind(patch.is_active)
            .bind(patch.deleted_at.map(millis))
            .bind(i64::from(patch.bump_token_version))
            .bind(millis(now))
            .fetch_optional(self.db.writes())
            .await
            .map_err(store_error)?;
        row.as_ref().map(from_row).transpose()
    }

    async fn list(&self, filter: &UserFilter, page: PageRequest) -> Result<Page<User>, StoreError> {
        // Every filter is a bound parameter; NULL disables it. `instr` matches literally.
        let conditions = "(?1 IS NULL OR instr(username_key, ?1) > 0 OR instr(email, ?1) > 0) \
             AND (?2 IS NULL OR EXISTS (SELECT 1 FROM json_each(users.roles) WHERE json_each.value = ?2)) \
             AND (?3 IS NULL OR is_active = ?3) \
             AND (?4 IS NULL OR email_verified = ?4) \
             AND (?5 OR deleted_at IS NULL)";
        let search = filter.search.as_ref().map(|s| s.to_lowercase());
        let role = filter.role.map(|r| r.as_str());
        let total: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM users WHERE {conditions}"))
                .bind(search.as_deref())
                .bind(role)
                .bind(filter.is_active)
                .bind(filter.email_verified)
                .bind(filter.include_deleted)
                .fetch_one(self.db.reads())
                .await
                .map_err(store_error)?;
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM users WHERE {conditions} ORDER BY created_at DESC, id DESC LIMIT ?6 OFFSET ?7"
        ))
        .bind(search.as_deref())
        .bind(role)
        .bind(filter.is_active)
        .bind(filter.email_verified)
        .bind(filter.include_deleted)
        .bind(page.limit())
        .bind(i64::try_from(page.offset()).unwrap_or(i64::MAX))
        .fetch_all(self.db.reads())
        .await
        .map_err(store_error)?;
        Ok(Page {
            items: rows.iter().map(from_row).collect::<Result<_, _>>()?,
            request: page,
            total: u64::try_from(total).unwrap_or(0),
        })
    }
}
