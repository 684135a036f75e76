//! The contract suite against the in-memory fake.

#[tokio::test]
async fn in_memory_fake_passes_the_analytics_contract() {
    stackrush_analytics::contract::run_all(
        &stackrush_analytics::fake::InMemoryFocusSessions::default(),
    )
    .await;
}

#[tokio::test]
async fn in_memory_events_pass_the_event_store_contract() {
    let store = stackrush_analytics::fake::InMemoryEvents::default();
    stackrush_analytics::contract::events_roll_up_like_the_reference(&store).await;
    stackrush_analytics::contract::job_leases_exclude_each_other(&store).await;
}

#[tokio::test]
async fn two_jobs_on_the_fake_never_both_aggregate() {
    let store = std::sync::Arc::new(stackrush_analytics::fake::InMemoryEvents::default());
    stackrush_analytics::contract::two_jobs_never_both_aggregate(store.clone(), store).await;
}
