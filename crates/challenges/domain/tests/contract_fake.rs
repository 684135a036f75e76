//! The contract suite against the in-memory fake.

use stackrush_challenges::contract;
use stackrush_challenges::fake::InMemoryChallenges;

#[tokio::test]
async fn in_memory_fake_passes_the_challenge_contract() {
    contract::run_all(&InMemoryChallenges::default()).await;
}
