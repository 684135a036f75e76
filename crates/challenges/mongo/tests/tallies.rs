//! The tallies a scoring commit moves in its session: the document ends as the challenges
//! domain's formula says, an aborted transaction leaves it as it was, and a challenge that does
//! not exist is left alone. Needs `MONGODB_URI` (a replica set or the stand-in); skips loudly.

use stackrush_challenges::contract::sample;
use stackrush_challenges::ports::ChallengeRepository;
use stackrush_challenges::{AttemptOutcome, ChallengeId};
use stackrush_challenges_mongo::{ensure_indexes, tallies, MongoChallenges};

fn outcome(i: u32) -> AttemptOutcome {
    AttemptOutcome {
        success: !i.is_multiple_of(3),
        score: f64::from(i * 7 % 101),
        seconds: Some(f64::from(i)),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attempts_recorded_in_a_transaction_follow_the_domain_formula() {
    let Ok(uri) = std::env::var("MONGODB_URI") else {
        eprintln!("SKIPPED: MongoDB tallies test (MONGODB_URI is not set)");
        return;
    };
    let client = mongodb::Client::with_uri_str(&uri).await.unwrap();
    let db = client.database(&format!(
        "stackrush_challenges_tallies_{}",
        std::process::id()
    ));
    db.drop().await.unwrap();
    ensure_indexes(&db).await.unwrap();
    let repo = MongoChallenges::new(&db);
    let challenge = sample("arrays", "Tallied");
    repo.insert(&challenge).await.unwrap();
    let id = challenge.id;

    let mut session = client.start_session().await.unwrap();
    for i in 1..=10 {
        session.start_transaction().await.unwrap();
        tallies::record_attempt(&db, &mut session, id, &outcome(i))
            .await
            .unwrap();
        session.commit_transaction().await.unwrap();
    }
    let expected = (1..=10).fold(challenge.stats.clone(), |s, i| s.after(&outcome(i)));
    let stored = repo.find_by_id(id).await.unwrap().unwrap().stats;
    assert_eq!(stored, expected);

    session.start_transaction().await.unwrap();
    tallies::record_attempt(&db, &mut session, id, &outcome(11))
        .await
        .unwrap();
    session.abort_transaction().await.unwrap();
    assert_eq!(
        repo.find_by_id(id).await.unwrap().unwrap().stats,
        expected,
        "nothing of an aborted commit"
    );

    let missing = ChallengeId::generate(chrono::Utc::now());
    session.start_transaction().await.unwrap();
    tallies::record_attempt(&db, &mut session, missing, &outcome(1))
        .await
        .unwrap();
    session.commit_transaction().await.unwrap();
    assert!(repo.find_by_id(missing).await.unwrap().is_none());
    db.drop().await.unwrap();
}
