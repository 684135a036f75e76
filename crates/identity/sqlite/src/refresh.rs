use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use stackrush_identity::ports::RefreshTokenRepository;
use stackrush_identity::{ConsumeOutcome, RefreshTokenRecord, TokenFamilyId, UserId};
use stackrush_kernel::StoreError;
use stackrush_store_sqlite::Db;

use crate::{corrupt, from_millis, millis, opt_from_millis, store_error};

/// Refresh tokens in the `refresh_tokens` table.
#[derive(Debug, Clone)]
pub struct SqliteRefreshTokens {
    db: Db,
}

impl SqliteRefreshTokens {
    /// The adapter over `db` (migrated with [`crate::migrate`]).
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

const COLUMNS: &str = "hash, user_id, family, created_at, expires_at, used_at, revoked_at";

fn from_row(row: &SqliteRow) -> Result<RefreshTokenRecord, StoreError> {
    let e = |e: sqlx::Error| corrupt("refresh token row", e);
    Ok(RefreshTokenRecord {
        hash: row.try_get("hash").map_err(e)?,
        user_id: row
            .try_get::<String, _>("user_id")
            .map_err(e)?
            .parse()
            .map_err(|x| corrupt("user id", x))?,
        family: row
            .try_get::<String, _>("family")
            .map_err(e)?
            .parse()
            .map_err(|x| corrupt("family", x))?,
        created_at: from_millis(row.try_get("created_at").map_err(e)?)?,
        expires_at: from_millis(row.try_get("expires_at").map_err(e)?)?,
        used_at: opt_from_millis(row.try_get("used_at").map_err(e)?)?,
        revoked_at: opt_from_millis(row.try_get("revoked_at").map_err(e)?)?,
    })
}

#[async_trait]
impl RefreshTokenRepository for SqliteRefreshTokens {
    async fn insert(&self, r: &RefreshTokenRecord) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO refresh_tokens ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
        ))
        .bind(&r.hash)
        .bind(r.user_id.to_hex())
        .bind(r.family.to_hex())
        .bind(millis(r.created_at))
        .bind(millis(r.expires_at))
        .bind(r.used_at.map(millis))
        .bind(r.revoked_at.map(millis))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn consume(&self, hash: &str, now: DateTime<Utc>) -> Result<ConsumeOutcome, StoreError> {
        // The conditional UPDATE is the atomic step: only one writer can move used_at off NULL.
        let consumed = sqlx::query(&format!(
            "UPDATE refresh_tokens SET used_at = ?2 \
             WHERE hash = ?1 AND used_at IS NULL AND revoked_at IS NULL RETURNING {COLUMNS}"
        ))
        .bind(hash)
        .bind(millis(now))
        .fetch_optional(self.db.writes())
        .await
        .map_err(store_error)?;
        if let Some(row) = consumed {
            return Ok(ConsumeOutcome::Consumed(from_row(&row)?));
        }
        Ok(match self.find(hash).await? {
            Some(record) => ConsumeOutcome::Replayed(record),
            None => ConsumeOutcome::Unknown,
        })
    }

    async fn revoke_family(
        &self,
        family: TokenFamilyId,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE refresh_tokens SET revoked_at = ?2 WHERE family = ?1 AND revoked_at IS NULL",
        )
        .bind(family.to_hex())
        .bind(millis(now))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected())
    }

    async fn revoke_all_for_user(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE refresh_tokens SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL",
        )
        .bind(user.to_hex())
        .bind(millis(now))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected())
    }

    async fn find(&self, hash: &str) -> Result<Option<RefreshTokenRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM refresh_tokens WHERE hash = ?1"
        ))
        .bind(hash)
        .fetch_optional(self.db.reads())
        .await
        .map_err(store_error)?;
        row.as_ref().map(from_row).transpose()
    }
}
