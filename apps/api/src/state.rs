//! What every handler can reach: the contexts' inbound ports and the store's health.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use stackrush_challenges::ChallengeApi;
use stackrush_identity::IdentityApi;

use crate::store::Store;

/// Readiness of the backing store.
#[async_trait]
pub trait HealthCheck: Send + Sync {
    /// Short store name.
    fn kind(&self) -> &'static str;
    /// Ok when the store answers.
    async fn ping(&self) -> anyhow::Result<()>;
    /// Whether the store's schema (indexes) is in place.
    fn is_prepared(&self) -> bool {
        true
    }
}

#[async_trait]
impl HealthCheck for Store {
    fn kind(&self) -> &'static str {
        Store::kind(self)
    }

    async fn ping(&self) -> anyhow::Result<()> {
        Store::ping(self).await
    }

    fn is_prepared(&self) -> bool {
        Store::is_prepared(self)
    }
}

/// Shared application state.
pub struct AppState {
    pub identity: Arc<dyn IdentityApi>,
    pub challenges: Arc<dyn ChallengeApi>,
    pub scoring: Arc<dyn stackrush_scoring::ScoringApi>,
    pub notifications: Arc<dyn stackrush_notifications::NotificationApi>,
    pub analytics: Arc<dyn stackrush_analytics::AnalyticsApi>,
    pub health: Arc<dyn HealthCheck>,
    pub started: Instant,
}
