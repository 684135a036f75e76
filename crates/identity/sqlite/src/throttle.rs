use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use stackrush_identity::ports::LoginThrottleRepository;
use stackrush_identity::{ThrottleKey, ThrottleState};
use stackrush_kernel::StoreError;
use stackrush_store_sqlite::Db;

use crate::{corrupt, millis, opt_from_millis, store_error};

/// The login throttle in the `login_throttle` table; expired rows are purged as failures come.
#[derive(Debug, Clone)]
pub struct SqliteLoginThrottle {
    db: Db,
}

impl SqliteLoginThrottle {
    /// The adapter over `db` (migrated with [`crate::migrate`]).
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[async_trait]
impl LoginThrottleRepository for SqliteLoginThrottle {
    async fn get(
        &self,
        key: &ThrottleKey,
        now: DateTime<Utc>,
    ) -> Result<Option<ThrottleState>, StoreError> {
        let row = sqlx::query(
            "SELECT failures, locked_until FROM login_throttle \
             WHERE subject = ?1 AND address = ?2 AND expires_at > ?3",
        )
        .bind(&key.subject)
        .bind(&key.address)
        .bind(millis(now))
        .fetch_optional(self.db.reads())
        .await
        .map_err(store_error)?;
        let Some(row) = row else { return Ok(None) };
        let e = |e: sqlx::Error| corrupt("login throttle row", e);
        Ok(Some(ThrottleState {
            failures: row.try_get("failures").map_err(e)?,
            locked_until: opt_from_millis(row.try_get("locked_until").map_err(e)?)?,
        }))
    }

    async fn count_failure(
        &self,
        key: &ThrottleKey,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        // In SQLite's UPDATE every right-hand side reads the row as it was.
        let row = sqlx::query(
            "INSERT INTO login_throttle (subject, address, failures, locked_until, expires_at) \
             VALUES (?1, ?2, 1, NULL, ?4) \
             ON CONFLICT (subject, address) DO UPDATE SET \
               failures = CASE WHEN expires_at <= ?3 THEN 1 ELSE failures + 1 END, \
               locked_until = CASE WHEN expires_at <= ?3 THEN NULL ELSE locked_until END, \
               expires_at = excluded.expires_at \
             RETURNING failures",
        )
        .bind(&key.subject)
        .bind(&key.address)
        .bind(millis(now))
        .bind(millis(expires_at))
        .fetch_one(self.db.writes())
        .await
        .map_err(store_error)?;
        let failures = row
            .try_get("failures")
            .map_err(|e| corrupt("failures", e))?;
        sqlx::query("DELETE FROM login_throttle WHERE expires_at <= ?1")
            .bind(millis(now))
            .execute(self.db.writes())
            .await
            .map_err(store_error)?;
        Ok(failures)
    }

    async fn lock(&self, key: &ThrottleKey, until: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE login_throttle SET locked_until = MAX(COALESCE(locked_until, ?3), ?3) \
             WHERE subject = ?1 AND address = ?2",
        )
        .bind(&key.subject)
        .bind(&key.address)
        .bind(millis(until))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn clear(&self, key: &ThrottleKey) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_throttle WHERE subject = ?1 AND address = ?2")
            .bind(&key.subject)
            .bind(&key.address)
            .execute(self.db.writes())
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn clear_subject(&self, subject: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_throttle WHERE subject = ?1")
            .bind(subject)
            .execute(self.db.writes())
            .await
            .map_err(store_error)?;
        Ok(())
    }
}
