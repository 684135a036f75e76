//! The notifications contract suite against MongoDB; skipped loudly without `MONGODB_URI`.

use stackrush_notifications_mongo::{ensure_indexes, MongoNotifications, MongoOutbox};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mongodb_passes_the_notifications_contract() {
    let Ok(uri) = std::env::var("MONGODB_URI") else {
        eprintln!("SKIPPED: MongoDB notifications contract suite (MONGODB_URI is not set)");
        return;
    };
    let client = mongodb::Client::with_uri_str(&uri).await.unwrap();
    let db = client.database(&format!(
        "stackrush_notifications_contract_{}",
        std::process::id()
    ));
    db.drop().await.unwrap();
    ensure_indexes(&db).await.unwrap();
    ensure_indexes(&db).await.unwrap();
    stackrush_notifications::contract::run_all(&MongoNotifications::new(&db)).await;
    stackrush_notifications::contract::run_outbox(&MongoOutbox::new(&db)).await;
    db.drop().await.unwrap();
}
