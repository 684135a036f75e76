//! The contract suite against the in-memory fake.

#[tokio::test]
async fn in_memory_fake_passes_the_notifications_contract() {
    stackrush_notifications::contract::run_all(
        &stackrush_notifications::fake::InMemoryNotifications::default(),
    )
    .await;
}

#[tokio::test]
async fn in_memory_fake_passes_the_outbox_contract() {
    stackrush_notifications::contract::run_outbox(
        &stackrush_notifications::fake::InMemoryOutbox::default(),
    )
    .await;
}
