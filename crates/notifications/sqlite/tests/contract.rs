//! The notifications contract suite against SQLite.

use stackrush_notifications_sqlite::{migrate, SqliteNotifications, SqliteOutbox};

#[tokio::test]
async fn sqlite_passes_the_notifications_contract() {
    let dir = tempfile::tempdir().unwrap();
    let pool = stackrush_store_sqlite::open(&dir.path().join("n.db"))
        .await
        .unwrap();
    migrate(&pool).await.unwrap();
    migrate(&pool).await.unwrap();
    stackrush_notifications::contract::run_all(&SqliteNotifications::new(pool.clone())).await;
    stackrush_notifications::contract::run_outbox(&SqliteOutbox::new(pool)).await;
}
