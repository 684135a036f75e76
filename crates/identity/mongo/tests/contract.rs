//! The identity contract suite against MongoDB. Needs `MONGODB_URI`; without it the test says
//! loudly that it skipped. Each run uses a fresh database.

use std::sync::Arc;

use stackrush_identity::contract;
use stackrush_identity_mongo::{
    ensure_indexes, MongoLinkTokens, MongoLoginThrottle, MongoRefreshTokens, MongoUsers,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mongodb_passes_the_identity_contract() {
    let Ok(uri) = std::env::var("MONGODB_URI") else {
        eprintln!("SKIPPED: MongoDB identity contract suite (MONGODB_URI is not set)");
        return;
    };
    let client = mongodb::Client::with_uri_str(&uri).await.unwrap();
    let name = format!("stackrush_contract_{}", std::process::id());
    let db = client.database(&name);
    db.drop().await.unwrap();
    ensure_indexes(&db).await.unwrap();
    ensure_indexes(&db).await.unwrap(); // idempotent
    contract::run_all(
        Arc::new(MongoUsers::new(&db)),
        Arc::new(MongoRefreshTokens::new(&db)),
        Arc::new(MongoLinkTokens::new(&db)),
        Arc::new(MongoLoginThrottle::new(&db)),
    )
    .await;
    db.drop().await.unwrap();
}
