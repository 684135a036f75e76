//! The analytics contract suite against SQLite.

use stackrush_analytics_sqlite::{migrate, SqliteFocusSessions};

#[tokio::test]
async fn sqlite_passes_the_analytics_contract() {
    let dir = tempfile::tempdir().unwrap();
    let pool = stackrush_store_sqlite::open(&dir.path().join("a.db"))
        .await
        .unwrap();
    migrate(&pool).await.unwrap();
    migrate(&pool).await.unwrap();
    stackrush_analytics::contract::run_all(&SqliteFocusSessions::new(pool)).await;
}
