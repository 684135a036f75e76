//! The reviews contract suite against SQLite (a fresh file database; migrating twice is safe).

use stackrush_reviews_sqlite::{migrate, stores};

#[tokio::test]
async fn sqlite_passes_the_reviews_contract() {
    let dir = tempfile::tempdir().unwrap();
    let db = stackrush_store_sqlite::open(&dir.path().join("reviews.db"))
        .await
        .unwrap();
    migrate(&db).await.unwrap();
    migrate(&db).await.unwrap();
    stackrush_reviews::contract::run_all(stores(&db)).await;
}
