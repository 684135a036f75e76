use async_trait::async_trait;
use sqlx::Row;
use stackrush_identity::ports::LinkTokenRepository;
use stackrush_identity::{LinkPurpose, LinkToken, UserId};
use stackrush_kernel::StoreError;
use stackrush_store_sqlite::Db;

use crate::{corrupt, from_millis, millis, store_error};

/// Single-use link tokens in the `link_tokens` table.
#[derive(Debug, Clone)]
pub struct SqliteLinkTokens {
    db: Db,
}

impl SqliteLinkTokens {
    /// The adapter over `db` (migrated with [`crate::migrate`]).
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[async_trait]
impl LinkTokenRepository for SqliteLinkTokens {
    async fn insert(&self, t: &LinkToken) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO link_tokens (purpose, hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(t.purpose.as_str())
        .bind(&t.hash)
        .bind(t.user_id.to_hex())
        .bind(millis(t.created_at))
        .bind(millis(t.expires_at))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn take(
        &self,
        purpose: LinkPurpose,
        hash: &str,
    ) -> Result<Option<LinkToken>, StoreError> {
        // DELETE ... RETURNING: the row goes to at most one caller.
        let row = sqlx::query(
            "DELETE FROM link_tokens WHERE purpose = ?1 AND hash = ?2 \
             RETURNING purpose, hash, user_id, created_at, expires_at",
        )
        .bind(purpose.as_str())
        .bind(hash)
        .fetch_optional(self.db.writes())
        .await
        .map_err(store_error)?;
        let Some(row) = row else { return Ok(None) };
        let e = |e: sqlx::Error| corrupt("link token row", e);
        Ok(Some(LinkToken {
            hash: row.try_get("hash").map_err(e)?,
            user_id: row
                .try_get::<String, _>("user_id")
                .map_err(e)?
                .parse()
                .map_err(|x| corrupt("user id", x))?,
            purpose,
            created_at: from_millis(row.try_get("created_at").map_err(e)?)?,
            expires_at: from_millis(row.try_get("expires_at").map_err(e)?)?,
        }))
    }

    async fn delete_for_user(&self, user: UserId, purpose: LinkPurpose) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM link_tokens WHERE user_id = ?1 AND purpose = ?2")
            .bind(user.to_hex())
            .bind(purpose.as_str())
            .execute(self.db.writes())
            .await
            .map_err(store_error)?;
        Ok(())
    }
}
