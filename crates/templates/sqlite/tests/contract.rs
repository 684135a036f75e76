//! The templates contract suite against SQLite (a fresh file database; migrating twice is safe).

use stackrush_templates_sqlite::{migrate, stores};

#[tokio::test]
async fn sqlite_passes_the_templates_contract() {
    let dir = tempfile::tempdir().unwrap();
    let db = stackrush_store_sqlite::open(&dir.path().join("templates.db"))
        .await
        .unwrap();
    migrate(&db).await.unwrap();
    migrate(&db).await.unwrap();
    stackrush_templates::contract::run_all(stores(&db)).await;
}
