//! The identity contract suite against SQLite: a file database (WAL, several connections, as in
//! production) and the in-memory one.

use std::sync::Arc;

use stackrush_identity::contract;
use stackrush_identity_sqlite::{
    migrate, SqliteLinkTokens, SqliteLoginThrottle, SqliteRefreshTokens, SqliteUsers,
};
use stackrush_store_sqlite::{open, open_in_memory};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_file_database_passes_the_identity_contract() {
    let dir = tempfile::tempdir().unwrap();
    let pool = open(&dir.path().join("nested/identity.db")).await.unwrap();
    migrate(&pool).await.unwrap();
    migrate(&pool).await.unwrap(); // idempotent
    contract::run_all(
        Arc::new(SqliteUsers::new(pool.clone())),
        Arc::new(SqliteRefreshTokens::new(pool.clone())),
        Arc::new(SqliteLinkTokens::new(pool.clone())),
        Arc::new(SqliteLoginThrottle::new(pool)),
    )
    .await;
}

#[tokio::test]
async fn sqlite_memory_database_passes_the_identity_contract() {
    let pool = open_in_memory().await.unwrap();
    migrate(&pool).await.unwrap();
    contract::run_all(
        Arc::new(SqliteUsers::new(pool.clone())),
        Arc::new(SqliteRefreshTokens::new(pool.clone())),
        Arc::new(SqliteLinkTokens::new(pool.clone())),
        Arc::new(SqliteLoginThrottle::new(pool)),
    )
    .await;
}
