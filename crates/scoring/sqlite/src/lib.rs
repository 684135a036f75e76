//! SQLite adapter of the scoring ports; [`migrate`] applies this context's migrations.

use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};
use stackrush_kernel::StoreError;
use stackrush_scoring::ports::AttemptRepository;
use stackrush_scoring::{Attempt, AttemptId, DistractionLevel, Mode};
use stackrush_store_sqlite::{corrupt, from_millis, millis};

/// Applies this context's migrations; other contexts' migrations in the same file are left alone.
pub async fn migrate(pool: &SqlitePool) -> anyhow::Result<()> {
    stackrush_store_sqlite::apply_migrations(pool, sqlx::migrate!("./migrations")).await
}

fn store_error(err: sqlx::Error) -> StoreError {
    stackrush_store_sqlite::store_error(err, &[])
}

/// Attempts in the `attempts` table.
#[derive(Debug, Clone)]
pub struct SqliteAttempts {
    pool: SqlitePool,
}

impl SqliteAttempts {
    /// The adapter over `pool` (migrated with [`migrate`]).
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

fn from_row(row: &SqliteRow) -> Result<Attempt, StoreError> {
    let e = |e: sqlx::Error| corrupt("attempt row", e);
    let mode: String = row.try_get("mode").map_err(e)?;
    let level: String = row.try_get("distraction_level").map_err(e)?;
    Ok(Attempt {
        id: row
            .try_get::<String, _>("id")
            .map_err(e)?
            .parse()
            .map_err(|x| corrupt("id", x))?,
        player: row
            .try_get::<String, _>("player")
            .map_err(e)?
            .parse()
            .map_err(|x| corrupt("player", x))?,
        challenge: row
            .try_get::<String, _>("challenge")
            .map_err(e)?
            .parse()
            .map_err(|x| corrupt("challenge", x))?,
        mode: Mode::parse(&mode).ok_or_else(|| corrupt("mode", &mode))?,
        distraction_level: DistractionLevel::parse(&level)
            .ok_or_else(|| corrupt("distraction level", &level))?,
        started_at: from_millis(row.try_get("started_at").map_err(e)?)?,
        expires_at: from_millis(row.try_get("expires_at").map_err(e)?)?,
        nonce: row.try_get("nonce").map_err(e)?,
    })
}

#[async_trait]
impl AttemptRepository for SqliteAttempts {
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
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn find(&self, id: AttemptId) -> Result<Option<Attempt>, StoreError> {
        let row = sqlx::query(
            "SELECT id, player, challenge, mode, distraction_level, started_at, expires_at, nonce FROM attempts WHERE id = ?1",
        )
        .bind(id.to_hex())
        .fetch_optional(&self.pool)
        .await
        .map_err(store_error)?;
        row.as_ref().map(from_row).transpose()
    }
}
