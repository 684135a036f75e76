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

/// Rows stored before the rollups were merged on their key fields have the key as their `_id`:
/// aggregating their day again replaces them (keeping that `_id`), never adds a second row.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_keyed_by_a_compound_id_are_replaced_not_doubled() {
    use mongodb::bson::{doc, oid::ObjectId, Document};
    use stackrush_analytics::ports::EventStore;
    use stackrush_analytics::rollup::{roll_user, DayRange, Source};
    let Ok(uri) = std::env::var("MONGODB_URI") else {
        eprintln!("SKIPPED: MongoDB rollup key test (MONGODB_URI is not set)");
        return;
    };
    let client = mongodb::Client::with_uri_str(&uri).await.unwrap();
    let db = client.database(&format!("stackrush_analytics_keys_{}", std::process::id()));
    db.drop().await.unwrap();
    let now = chrono::Utc::now();
    let (a, b) = (
        stackrush_analytics::SubjectId::generate(now),
        stackrush_analytics::SubjectId::generate(now),
    );
    let user = ObjectId::from_bytes(a.bytes());
    let key = doc! { "user": user, "day": "2026-02-01", "kind": "submission", "category": "dsa" };
    let mut old = key.clone();
    old.insert("_id", key.clone());
    old.insert("count", 99_i64);
    let rows = db.collection::<Document>("analytics_user_days");
    rows.insert_one(old).await.unwrap();
    ensure_indexes(&db).await.unwrap();

    let events = stackrush_analytics_mongo::MongoEvents::new(&db);
    let sample = stackrush_analytics::contract::sample_events(a, b);
    events.append(&sample).await.unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
    events.aggregate(day).await.unwrap();

    let found: Vec<Document> = futures::TryStreamExt::try_collect(rows.find(key).await.unwrap())
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "one row for the key");
    assert_eq!(
        found[0].get_document("_id").unwrap().get_str("kind"),
        Ok("submission")
    );
    let of_day: Vec<_> = sample
        .iter()
        .filter(|e| e.user == a && e.day == day)
        .cloned()
        .collect();
    let stored = events
        .user_rollup(&[a], DayRange { from: day, to: day }, Source::Stored)
        .await
        .unwrap();
    assert_eq!(
        stored,
        roll_user(&of_day),
        "the old row holds the day's figures now"
    );
    db.drop().await.unwrap();
}
