//! The analytics contract suite against MongoDB; skipped loudly without `MONGODB_URI`.

use stackrush_analytics_mongo::{ensure_indexes, MongoAuditLog, MongoFocusSessions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mongodb_passes_the_analytics_contract() {
    let Ok(uri) = std::env::var("MONGODB_URI") else {
        eprintln!("SKIPPED: MongoDB analytics contract suite (MONGODB_URI is not set)");
        return;
    };
    let client = mongodb::Client::with_uri_str(&uri).await.unwrap();
    let db = client.database(&format!(
        "stackrush_analytics_contract_{}",
        std::process::id()
    ));
    db.drop().await.unwrap();
    ensure_indexes(&db).await.unwrap();
    ensure_indexes(&db).await.unwrap();
    stackrush_analytics::contract::run_all(&MongoFocusSessions::new(&db)).await;
    stackrush_analytics::contract::audit_log_appends_and_filters(&MongoAuditLog::new(&db)).await;
    let events = stackrush_analytics_mongo::MongoEvents::new(&db);
    stackrush_analytics::contract::events_roll_up_like_the_reference(&events).await;
    stackrush_analytics::contract::job_leases_exclude_each_other(&events).await;
    db.drop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_mongodb_jobs_on_one_database_never_both_aggregate() {
    let Ok(uri) = std::env::var("MONGODB_URI") else {
        eprintln!("SKIPPED: MongoDB analytics job test (MONGODB_URI is not set)");
        return;
    };
    let name = format!("stackrush_analytics_jobs_{}", std::process::id());
    let first = mongodb::Client::with_uri_str(&uri)
        .await
        .unwrap()
        .database(&name);
    let second = mongodb::Client::with_uri_str(&uri)
        .await
        .unwrap()
        .database(&name);
    first.drop().await.unwrap();
    ensure_indexes(&first).await.unwrap();
    stackrush_analytics::contract::two_jobs_never_both_aggregate(
        std::sync::Arc::new(stackrush_analytics_mongo::MongoEvents::new(&first)),
        std::sync::Arc::new(stackrush_analytics_mongo::MongoEvents::new(&second)),
    )
    .await;
    first.drop().await.unwrap();
}
