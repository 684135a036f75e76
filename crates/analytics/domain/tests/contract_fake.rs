//! The contract suite against the in-memory fake.

#[tokio::test]
async fn in_memory_fake_passes_the_analytics_contract() {
    stackrush_analytics::contract::run_all(
        &stackrush_analytics::fake::InMemoryFocusSessions::default(),
    )
    .await;
}
