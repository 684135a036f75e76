//! The learning contract suite against SQLite: a file database (migrating twice is safe) and
//! the in-memory one.

use stackrush_learning_sqlite::{migrate, stores};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_file_database_passes_the_learning_contract() {
    let dir = tempfile::tempdir().unwrap();
    let db = stackrush_store_sqlite::open(&dir.path().join("learning.db"))
        .await
        .unwrap();
    migrate(&db).await.unwrap();
    migrate(&db).await.unwrap();
    let s = stores(&db);
    stackrush_learning::contract::run_all(s.playlists, s.enrolments, s.certificates).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_memory_database_passes_the_learning_contract() {
    let db = stackrush_store_sqlite::open_in_memory().await.unwrap();
    migrate(&db).await.unwrap();
    let s = stores(&db);
    stackrush_learning::contract::run_all(s.playlists, s.enrolments, s.certificates).await;
}
