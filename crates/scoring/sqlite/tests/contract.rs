//! The scoring contract suite against SQLite.

use stackrush_scoring_sqlite::{migrate, SqliteScoring};

#[tokio::test]
async fn sqlite_passes_the_scoring_contract() {
    let dir = tempfile::tempdir().unwrap();
    let pool = stackrush_store_sqlite::open(&dir.path().join("s.db"))
        .await
        .unwrap();
    migrate(&pool).await.unwrap();
    migrate(&pool).await.unwrap();
    stackrush_scoring::contract::run_all(&SqliteScoring::new(pool)).await;
}
