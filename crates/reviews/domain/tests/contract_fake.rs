//! The contract suite against the in-memory fake.

use std::sync::Arc;

use stackrush_reviews::ports::Stores;

#[tokio::test]
async fn in_memory_fake_passes_the_reviews_contract() {
    let store = Arc::new(stackrush_reviews::fake::InMemoryReviews::default());
    stackrush_reviews::contract::run_all(Stores {
        reviews: store.clone(),
        code_reviews: store,
    })
    .await;
}
