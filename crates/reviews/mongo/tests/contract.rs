//! The reviews contract suite against MongoDB; skipped loudly without `MONGODB_URI`.

use stackrush_reviews_mongo::{ensure_indexes, stores};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mongo_passes_the_reviews_contract() {
    let Ok(uri) = std::env::var("MONGODB_URI") else {
        eprintln!("SKIPPED: MongoDB reviews contract suite (MONGODB_URI is not set)");
        return;
    };
    let client = mongodb::Client::with_uri_str(&uri).await.unwrap();
    let db = client.database(&format!(
        "stackrush_reviews_contract_{}",
        std::process::id()
    ));
    db.drop().await.unwrap();
    ensure_indexes(&db).await.unwrap();
    ensure_indexes(&db).await.unwrap();
    stackrush_reviews::contract::run_all(stores(&db)).await;
    db.drop().await.unwrap();
}
