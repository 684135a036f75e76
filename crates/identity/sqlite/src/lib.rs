//! SQLite adapter of the identity store ports: the embedded default store.
//!
//! [`open`] creates the database file if needed (WAL mode) and [`migrate`] applies this context's
//! embedded migrations; both are idempotent. Other contexts share the same pool.

mod links;
mod pool;
mod refresh;
mod users;

pub use links::SqliteLinkTokens;
pub use pool::migrate;
pub use refresh::SqliteRefreshTokens;
pub use users::SqliteUsers;

use stackrush_kernel::StoreError;
pub(crate) use stackrush_store_sqlite::{corrupt, from_millis, millis, opt_from_millis};

/// Unique violations of this context's tables, named by their logical key.
fn store_error(err: sqlx::Error) -> StoreError {
    stackrush_store_sqlite::store_error(
        err,
        &[
            ("users.email", "email"),
            ("users.username_key", "username"),
            ("hash", "hash"),
        ],
    )
}
