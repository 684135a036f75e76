//! The learning contract suite against MongoDB; skipped loudly without `MONGODB_URI`.

use stackrush_learning_mongo::{ensure_indexes, stores};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mongo_passes_the_learning_contract() {
    let Ok(uri) = std::env::var("MONGODB_URI") else {
        eprintln!("SKIPPED: MongoDB learning contract suite (MONGODB_URI is not set)");
        return;
    };
    let client = mongodb::Client::with_uri_str(&uri).await.unwrap();
    let db = client.database(&format!(
        "stackrush_learning_contract_{}",
        std::process::id()
    ));
    db.drop().await.unwrap();
    ensure_indexes(&db).await.unwrap();
    ensure_indexes(&db).await.unwrap();
    let s = stores(&db);
    stackrush_learning::contract::run_all(s.playlists, s.enrolments, s.certificates).await;
    db.drop().await.unwrap();
}
