//! The tallies a scoring commit moves on the writer's connection: the row ends as the challenges
//! domain's formula says, whatever the order of concurrent writers' jobs, and a challenge that
//! does not exist is left alone.

use stackrush_challenges::contract::sample;
use stackrush_challenges::ports::ChallengeRepository;
use stackrush_challenges::{AttemptOutcome, ChallengeId};
use stackrush_challenges_sqlite::{migrate, tallies, SqliteChallenges};

fn outcome(i: u32) -> AttemptOutcome {
    AttemptOutcome {
        success: !i.is_multiple_of(3),
        score: f64::from(i * 7 % 101),
        seconds: Some(f64::from(i)),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attempts_recorded_on_the_writer_follow_the_domain_formula() {
    let dir = tempfile::tempdir().unwrap();
    let db = stackrush_store_sqlite::open(&dir.path().join("t.db"))
        .await
        .unwrap();
    migrate(&db).await.unwrap();
    let repo = SqliteChallenges::new(db.clone());
    let challenge = sample("arrays", "Tallied");
    repo.insert(&challenge).await.unwrap();
    let id = challenge.id;
    // Concurrent jobs, as the scoring commits of many players arrive.
    let jobs: Vec<_> = (1..=40)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                db.write(move |conn| tallies::record_attempt(conn, id, &outcome(i)))
                    .await
                    .map_err(|e| format!("{e:?}"))
            })
        })
        .collect();
    for job in jobs {
        job.await.unwrap().unwrap();
    }
    let stored = repo.find_by_id(id).await.unwrap().unwrap().stats;
    // Counts and the popularity do not depend on the order; the averages do only by rounding.
    let expected = (1..=40).fold(challenge.stats.clone(), |s, i| s.after(&outcome(i)));
    assert_eq!(stored.total_attempts, challenge.stats.total_attempts + 40);
    assert_eq!(stored.successful_attempts, expected.successful_attempts);
    assert_eq!(stored.popularity_score, expected.popularity_score);
    assert!((stored.average_score - expected.average_score).abs() < 1e-9);
    assert!((stored.average_time - expected.average_time).abs() < 1e-9);

    let missing = ChallengeId::generate(chrono::Utc::now());
    db.write(move |conn| tallies::record_attempt(conn, missing, &outcome(1)))
        .await
        .map_err(|e| format!("{e:?}"))
        .unwrap();
    assert!(repo.find_by_id(missing).await.unwrap().is_none());
}
