//! SQLite adapter of the identity store ports: the embedded default store.
//!
//! [`open`] creates the database file if needed (WAL mode) and [`migrate`] applies this context's
//! embedded migrations; both are idempotent. Other contexts share the same pool.

mod links;
mod pool;
mod refresh;
mod users;

pub use links::SqliteLinkTokens;
pub use pool::{migrate, open, open_in_memory, ping};
pub use refresh::SqliteRefreshTokens;
pub use users::SqliteUsers;

use chrono::{DateTime, TimeZone, Utc};
use stackrush_kernel::StoreError;

/// Milliseconds since the epoch: how times are stored.
fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn from_millis(ms: i64) -> Result<DateTime<Utc>, StoreError> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .ok_or_else(|| StoreError::Other(anyhow::anyhow!("stored time {ms} out of range")))
}

fn opt_from_millis(ms: Option<i64>) -> Result<Option<DateTime<Utc>>, StoreError> {
    ms.map(from_millis).transpose()
}

/// Translates sqlx errors: unique violations name their key, I/O and pool trouble is
/// `Unavailable`, the rest is `Other`.
fn store_error(err: sqlx::Error) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            let message = db.message();
            let key = if message.contains("users.email") {
                "email"
            } else if message.contains("users.username_key") {
                "username"
            } else if message.contains("hash") {
                "hash"
            } else {
                "unique"
            };
            StoreError::conflict(key)
        }
        sqlx::Error::Database(db) if is_busy_or_io(db.code().as_deref()) => {
            StoreError::Unavailable(err.into())
        }
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(err.into()),
        _ => StoreError::Other(err.into()),
    }
}

/// SQLITE_BUSY (5), SQLITE_LOCKED (6), SQLITE_IOERR (10), SQLITE_FULL (13), SQLITE_CANTOPEN (14)
/// and their extended codes.
fn is_busy_or_io(code: Option<&str>) -> bool {
    code.and_then(|c| c.parse::<i32>().ok())
        .is_some_and(|c| matches!(c & 0xff, 5 | 6 | 10 | 13 | 14))
}

fn corrupt(what: &str, err: impl std::fmt::Display) -> StoreError {
    StoreError::Other(anyhow::anyhow!("corrupt {what}: {err}"))
}
