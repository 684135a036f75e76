//! The contract suite against the in-memory fake.

use std::sync::Arc;

use stackrush_community::ports::Stores;

#[tokio::test]
async fn in_memory_fake_passes_the_community_contract() {
    let store = Arc::new(stackrush_community::fake::InMemoryCommunity::default());
    stackrush_community::contract::run_all(Stores {
        posts: store.clone(),
        comments: store.clone(),
        reports: store.clone(),
        log: store.clone(),
        follows: store.clone(),
        collaborations: store.clone(),
        mentorships: store,
    })
    .await;
}
