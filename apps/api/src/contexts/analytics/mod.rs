//! The analytics context over HTTP: focus sessions and their statistics.

mod adapters;
pub mod dto;
mod error;
mod routes;

use std::sync::Arc;

use apistos::web::ServiceConfig;
use stackrush_analytics::{AnalyticsApi, AnalyticsService, Ports};
use stackrush_analytics_mongo::MongoFocusSessions;
use stackrush_analytics_sqlite::SqliteFocusSessions;
use stackrush_kernel::SystemClock;
use stackrush_scoring::ScoringApi;

use crate::http::Port;
use crate::store::Store;

/// The analytics service on `store`; sessions are linked to submissions by the scoring context.
pub fn wire(store: &Store, scoring: Arc<dyn ScoringApi>) -> Arc<dyn AnalyticsApi> {
    AnalyticsService::new(Ports {
        sessions: match store {
            Store::Sqlite(db) => Arc::new(SqliteFocusSessions::new(db.clone())),
            Store::Mongo(mongo) => Arc::new(MongoFocusSessions::new(&mongo.db)),
        },
        submissions: Arc::new(adapters::ScoringSubmissions(scoring)),
        clock: Arc::new(SystemClock),
    })
    .into_api()
}

/// Registers the analytics port and `/focus-sessions/*`.
pub fn mount(cfg: &mut ServiceConfig, api: Arc<dyn AnalyticsApi>) {
    Port::register(cfg, api);
    routes::configure(cfg);
}
