//! The challenges contract suite against SQLite (a file database, as in production).

use stackrush_challenges::contract;
use stackrush_challenges_sqlite::{migrate, SqliteChallenges};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_passes_the_challenge_contract() {
    let dir = tempfile::tempdir().unwrap();
    let pool = stackrush_store_sqlite::open(&dir.path().join("c.db"))
        .await
        .unwrap();
    stackrush_identity_sqlite::migrate(&pool).await.unwrap();
    migrate(&pool).await.unwrap();
    migrate(&pool).await.unwrap(); // idempotent, and beside the identity migrations
    contract::run_all(&SqliteChallenges::new(pool)).await;
}
