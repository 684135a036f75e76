//! Attempts in the `attempts` table.

use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use stackrush_kernel::StoreError;
use stackrush_scoring::ports::AttemptRepository;
use stackrush_scoring::{Attempt, AttemptId, DistractionLevel, Mode};
use stackrush_store_sqlite::{corrupt, from_millis, millis};

use crate::{store_error, SqliteScoring};
use stackrush_store_sqlite::rows::{get, parsed};

fn from_row(row: &SqliteRow) -> Result<Attempt, StoreError> {
    let mode: String = get(row, "mode")?;
    let level: String = get(row, "distraction_level")?;
    Ok(Attempt {
        id: parsed(row, "id")?,
        player: parsed(row, "player")?,
        challenge: parsed(row, "challenge")?,
        mode: Mode::parse(&mode).ok_or_else(|| corrupt("mode", &mode))?,
        distraction_level: DistractionLevel::parse(&level)
            .ok_or_else(|| corrupt("distraction level", &level))?,
        started_at: from_millis(get(row, "started_at")?)?,
        expires_at: from_millis(get(row, "expires_at")?)?,
        nonce: get(row, "nonce")?,
    })
}

#[async_trait]
impl AttemptRepository for SqliteScoring {
    async fn insert(&self, a: &Attempt) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO attempts (id, player, challenge, mode, distraction_level, started_at, expires_at, nonce) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .bind(a.id.to_hex())
        .bind(a.player.to_hex())
        .bind(a.challenge.to_hex())
        .bind(a.mode.as_str())
        .bind(a.distraction_level.as_str())
        .bind(millis(a.started_at))
        .bind(millis(a.expires_at))
        .bind(&a.nonce)
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn find(&self, id: AttemptId) -> Result<Option<Attempt>, StoreError> {
        let row = sqlx::query(
            "SELECT id, player, challenge, mode, distraction_level, started_at, expires_at, nonce \
             FROM attempts WHERE id = ?1",
        )
        .bind(id.to_hex())
        .fetch_optional(self.db.reads())
        .await
        .map_err(store_error)?;
        row.as_ref().map(from_row).transpose()
    }
}
