//! The challenges contract suite against MongoDB. Needs `MONGODB_URI`; without it the test says
//! loudly that it skipped. Each run uses a fresh database.

use stackrush_challenges::contract;
use stackrush_challenges_mongo::{ensure_indexes, MongoChallenges};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mongodb_passes_the_challenge_contract() {
    let Ok(uri) = std::env::var("MONGODB_URI") else {
        eprintln!("SKIPPED: MongoDB challenges contract suite (MONGODB_URI is not set)");
        return;
    };
    let client = mongodb::Client::with_uri_str(&uri).await.unwrap();
    let db = client.database(&format!(
        "stackrush_challenges_contract_{}",
        std::process::id()
    ));
    db.drop().await.unwrap();
    ensure_indexes(&db).await.unwrap();
    ensure_indexes(&db).await.unwrap(); // idempotent
    contract::run_all(&MongoChallenges::new(&db)).await;
    db.drop().await.unwrap();
}
