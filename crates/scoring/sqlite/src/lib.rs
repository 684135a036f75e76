//! SQLite adapter of the scoring ports; [`migrate`] applies this context's migrations.
//!
//! [`SqliteScoring`] implements every store port. Scoring commits and new submissions are written
//! by the store's synchronous writer in group commits (one transaction per batch, a savepoint
//! per write: see `commit` and `stackrush_store_sqlite::Db::write`); with
//! [`SqliteScoring::mirroring`] the commit also records the attempt in the challenge's
//! statistics through the challenges adapter (`stackrush_challenges_sqlite::tallies`), on the
//! same connection, so they change atomically with the ledger (docs/architecture.md, "Who writes
//! what").

mod achievements;
mod attempts;
mod boards;
mod commit;
mod progress;
mod submissions;

use std::sync::Arc;

use stackrush_kernel::StoreError;
use stackrush_scoring::ports::Stores;
use stackrush_store_sqlite::Db;

/// Applies this context's migrations; other contexts' migrations in the same file are left alone.
pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    stackrush_store_sqlite::apply_migrations(db, sqlx::migrate!("./migrations")).await
}

fn store_error(err: sqlx::Error) -> StoreError {
    stackrush_store_sqlite::store_error(err, KEYS)
}

/// [`store_error`] for the synchronous writer.
fn sync_store_error(err: rusqlite::Error) -> StoreError {
    stackrush_store_sqlite::sync_store_error(err, KEYS)
}

/// Unique indexes and the conflict key each stands for.
const KEYS: &[(&str, &str)] = &[
    ("achievements.key", "key"),
    ("player_achievements", "unlock"),
];

/// This context's store ports on `db` (migrated with [`migrate`]), as the service runs them:
/// commits also advance the challenge stats columns ([`SqliteScoring::mirroring`]).
pub fn stores(db: &Db) -> Stores {
    Stores::of(Arc::new(SqliteScoring::new(db.clone()).mirroring()))
}

/// Every scoring store port on SQLite.
#[derive(Debug, Clone)]
pub struct SqliteScoring {
    db: Db,
    mirror: bool,
}

/// The attempts port alone (the same adapter).
pub type SqliteAttempts = SqliteScoring;

impl SqliteScoring {
    /// The adapter over `db` (migrated with [`migrate`]).
    pub fn new(db: Db) -> Self {
        Self { db, mirror: false }
    }

    /// Also records each commit's attempt in the challenge's statistics (through the challenges
    /// adapter), in the commit's transaction.
    pub fn mirroring(mut self) -> Self {
        self.mirror = true;
        self
    }
}

/// A count as SQLite stores it.
fn n(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A stored count.
fn u(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}
