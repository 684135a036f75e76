//! The scoring contract suite against MongoDB; skipped loudly without `MONGODB_URI`.

use stackrush_scoring_mongo::{ensure_indexes, MongoScoring};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mongodb_passes_the_scoring_contract() {
    let Ok(uri) = std::env::var("MONGODB_URI") else {
        eprintln!("SKIPPED: MongoDB scoring contract suite (MONGODB_URI is not set)");
        return;
    };
    let client = mongodb::Client::with_uri_str(&uri).await.unwrap();
    let db = client.database(&format!(
        "stackrush_scoring_contract_{}",
        std::process::id()
    ));
    db.drop().await.unwrap();
    ensure_indexes(&db).await.unwrap();
    ensure_indexes(&db).await.unwrap();
    stackrush_scoring::contract::run_all(&MongoScoring::new(&db)).await;
    db.drop().await.unwrap();
}

/// Bests stored before solve times ranked (no `solveKey`) are given the unknown key at start, so
/// they rank after a best with a known solve time and the same score, however early they were.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bests_from_before_solve_times_rank_after_known_ones() {
    use mongodb::bson::{doc, oid::ObjectId, DateTime};
    use stackrush_scoring::ports::LeaderboardRepository;
    use stackrush_scoring::ChallengeRef;

    let Ok(uri) = std::env::var("MONGODB_URI") else {
        eprintln!("SKIPPED: MongoDB best upgrade test (MONGODB_URI is not set)");
        return;
    };
    let client = mongodb::Client::with_uri_str(&uri).await.unwrap();
    let db = client.database(&format!("stackrush_scoring_upgrade_{}", std::process::id()));
    db.drop().await.unwrap();
    let challenge = ObjectId::new();
    let (old, new) = (ObjectId::new(), ObjectId::new());
    let bests = db.collection::<mongodb::bson::Document>("challenge_bests");
    let best = |user: ObjectId, at: i64, extra: mongodb::bson::Document| {
        let mut d = doc! {
            "challenge": challenge, "user": user, "submission": ObjectId::new(), "score": 90.0,
            "achievedAt": DateTime::from_millis(at), "executionTime": 1_i64, "timeKey": 1_i64,
            "listed": true,
        };
        d.extend(extra);
        d
    };
    // The old one was reached first and reported a faster browser time.
    bests.insert_one(best(old, 1_000, doc! {})).await.unwrap();
    bests
        .insert_one(best(
            new,
            2_000,
            doc! { "solveTime": 5_000_i64, "solveKey": 5_000_i64, "executionTime": 900_i64 },
        ))
        .await
        .unwrap();
    ensure_indexes(&db).await.unwrap();
    ensure_indexes(&db).await.unwrap();
    let board = MongoScoring::new(&db)
        .challenge_board(
            ChallengeRef::from_bytes(challenge.bytes()),
            stackrush_kernel::PageRequest::new(1, 10),
        )
        .await
        .unwrap();
    let users: Vec<[u8; 12]> = board.items.iter().map(|b| b.player.bytes()).collect();
    assert_eq!(users, vec![new.bytes(), old.bytes()]);
    assert_eq!(board.items[1].solve_time, None);
    db.drop().await.unwrap();
}
