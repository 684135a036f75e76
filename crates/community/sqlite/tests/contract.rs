//! The community contract suite against SQLite.

use stackrush_community_sqlite::{migrate, stores};

#[tokio::test]
async fn sqlite_passes_the_community_contract() {
    let dir = tempfile::tempdir().unwrap();
    let db = stackrush_store_sqlite::open(&dir.path().join("c.db"))
        .await
        .unwrap();
    migrate(&db).await.unwrap();
    migrate(&db).await.unwrap();
    stackrush_community::contract::run_all(stores(&db)).await;
}
