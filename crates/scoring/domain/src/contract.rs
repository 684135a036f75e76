//! The contract suite every adapter of the scoring store ports must pass.
#![expect(
    clippy::unwrap_used,
    reason = "a test suite reports failures by panicking"
)]

use chrono::{Duration, DurationRound, Utc};

use crate::model::*;
use crate::ports::AttemptRepository;

/// An attempt with every field set, at millisecond precision.
pub fn sample_attempt() -> Attempt {
    let now = Utc::now()
        .duration_trunc(Duration::milliseconds(1))
        .unwrap();
    Attempt {
        id: AttemptId::generate(now),
        player: PlayerId::generate(now),
        challenge: ChallengeRef::generate(now),
        mode: Mode::Interview,
        distraction_level: DistractionLevel::High,
        started_at: now,
        expires_at: now + Duration::minutes(35),
        nonce: "0123456789abcdef0123456789abcdef".into(),
    }
}

/// Attempts round-trip every field; unknown ids are `None`.
pub async fn attempts_round_trip(repo: &dyn AttemptRepository) {
    let a = sample_attempt();
    repo.insert(&a).await.unwrap();
    let mut b = sample_attempt();
    b.mode = Mode::Zen;
    b.distraction_level = DistractionLevel::Low;
    repo.insert(&b).await.unwrap();
    assert_eq!(repo.find(a.id).await.unwrap(), Some(a));
    assert_eq!(repo.find(b.id).await.unwrap(), Some(b));
    assert_eq!(
        repo.find(AttemptId::generate(Utc::now())).await.unwrap(),
        None
    );
}

/// Every check, against one store.
pub async fn run_all(attempts: &dyn AttemptRepository) {
    attempts_round_trip(attempts).await;
}
