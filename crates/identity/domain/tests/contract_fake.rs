//! The contract suite against the in-memory fake, so the fake stays a faithful stand-in.

use std::sync::Arc;

use stackrush_identity::contract;
use stackrush_identity::fake::{
    InMemoryLinkTokens, InMemoryLoginThrottle, InMemoryRefreshTokens, InMemoryUsers,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_memory_fake_passes_the_identity_contract() {
    contract::run_all(
        Arc::new(InMemoryUsers::default()),
        Arc::new(InMemoryRefreshTokens::default()),
        Arc::new(InMemoryLinkTokens::default()),
        Arc::new(InMemoryLoginThrottle::default()),
    )
    .await;
}
