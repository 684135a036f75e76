//! What every StackRush SQLite adapter shares: opening the database (WAL, busy timeout), error
//! translation into [`StoreError`], and millisecond time columns.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use stackrush_kernel::StoreError;

/// Opens (creating if needed) the database at `path` in WAL mode with a busy timeout, so
/// concurrent writers wait instead of failing.
pub async fn open(path: &Path) -> anyhow::Result<SqlitePool> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await?;
    Ok(pool)
}

/// A private in-memory database (one shared connection), for tests and examples.
pub async fn open_in_memory() -> anyhow::Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str("sqlite::memory:")?;
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(options)
        .await?;
    Ok(pool)
}

/// Applies one context's embedded migrations (`sqlx::migrate!()` in that context's crate) to the
/// shared database; safe at every start. Each context numbers its own migrations, so those of the
/// other contexts in the file are expected and left alone.
pub async fn apply_migrations(
    pool: &SqlitePool,
    mut migrator: sqlx::migrate::Migrator,
) -> anyhow::Result<()> {
    migrator.set_ignore_missing(true);
    migrator.run(pool).await?;
    Ok(())
}

/// Whether the database answers.
pub async fn ping(pool: &SqlitePool) -> anyhow::Result<()> {
    sqlx::query("SELECT 1").execute(pool).await?;
    Ok(())
}

/// Translates sqlx errors: a unique violation becomes `Conflict` with the first of `keys` whose
/// column name appears in the message (`(column fragment, key)` pairs), I/O, busy and pool trouble
/// `Unavailable`, the rest `Other`.
pub fn store_error(err: sqlx::Error, keys: &[(&str, &str)]) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            let message = db.message();
            let key = keys
                .iter()
                .find(|(column, _)| message.contains(column))
                .map_or("unique", |(_, key)| key);
            StoreError::conflict(key)
        }
        // SQLITE_BUSY (5), LOCKED (6), IOERR (10), FULL (13), CANTOPEN (14) and their extended codes.
        sqlx::Error::Database(db)
            if db
                .code()
                .and_then(|c| c.parse::<i32>().ok())
                .is_some_and(|c| matches!(c & 0xff, 5 | 6 | 10 | 13 | 14)) =>
        {
            StoreError::Unavailable(err.into())
        }
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(err.into()),
        _ => StoreError::Other(err.into()),
    }
}

/// A stored value that cannot be read back.
pub fn corrupt(what: &str, err: impl std::fmt::Display) -> StoreError {
    StoreError::Other(anyhow::anyhow!("corrupt {what}: {err}"))
}

/// Milliseconds since the epoch: how times are stored.
pub fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The instant stored as `ms`.
pub fn from_millis(ms: i64) -> Result<DateTime<Utc>, StoreError> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .ok_or_else(|| corrupt("time", ms))
}

/// The optional instant stored as `ms`.
pub fn opt_from_millis(ms: Option<i64>) -> Result<Option<DateTime<Utc>>, StoreError> {
    ms.map(from_millis).transpose()
}
