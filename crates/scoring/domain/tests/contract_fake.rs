//! The contract suite against the in-memory fake.

#[tokio::test]
async fn in_memory_fake_passes_the_scoring_contract() {
    stackrush_scoring::contract::run_all(&stackrush_scoring::fake::InMemoryScoring::default())
        .await;
}
