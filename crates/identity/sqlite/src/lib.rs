//! SQLite adapter of the identity store ports: the embedded default store.
//!
//! [`open`] creates the database file if needed (WAL mode) and [`migrate`] applies this context's
//! embedded migrations; both are idempotent. Other contexts share the same pool.

mod links;
mod pool;
mod refresh;
mod throttle;
mod users;

pub use links::SqliteLinkTokens;
pub use pool::migrate;
pub use refresh::SqliteRefreshTokens;
pub use throttle::SqliteLoginThrottle;
pub use users::SqliteUsers;

use std::sync::Arc;

use stackrush_identity::ports::Stores;
use stackrush_kernel::StoreError;
use stackrush_store_sqlite::Db;
pub(crate) use stackrush_store_sqlite::{corrupt, from_millis, millis, opt_from_millis};

/// This context's store ports on `db` (migrated with [`migrate`]).
pub fn stores(db: &Db) -> Stores {
    Stores {
        users: Arc::new(SqliteUsers::new(db.clone())),
        refresh_tokens: Arc::new(SqliteRefreshTokens::new(db.clone())),
        link_tokens: Arc::new(SqliteLinkTokens::new(db.clone())),
        login_throttle: Arc::new(SqliteLoginThrottle::new(db.clone())),
    }
}

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
