//! The analytics context over HTTP: focus sessions and their statistics.

mod adapters;
pub mod audit_routes;
pub mod dashboard_dto;
mod dashboard_routes;
pub mod dto;
mod error;
pub mod insights_dto;
mod insights_routes;
pub mod pipeline;
mod routes;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use apistos::web::ServiceConfig;
use stackrush_analytics::ports::FocusSessionRepository;
use stackrush_analytics::ports::{EventStore, JobStore};
use stackrush_analytics::{
    AnalyticsApi, AnalyticsService, AuditApi, AuditService, DashboardApi, DashboardPorts,
    DashboardService, Ports,
};
use stackrush_analytics::{InsightsApi, InsightsPorts, InsightsService};
use stackrush_analytics_mongo::{MongoAuditLog, MongoEvents, MongoFocusSessions};
use stackrush_analytics_sqlite::{SqliteAuditLog, SqliteEvents, SqliteFocusSessions};
use stackrush_identity::IdentityApi;
use stackrush_kernel::SystemClock;
use stackrush_scoring::ScoringApi;

use crate::http::Port;
use crate::store::Store;

/// The focus sessions' store port on `store`.
fn sessions(store: &Store) -> Arc<dyn FocusSessionRepository> {
    match store {
        Store::Sqlite(db) => Arc::new(SqliteFocusSessions::new(db.clone())),
        Store::Mongo(mongo) => Arc::new(MongoFocusSessions::new(&mongo.db)),
    }
}

/// The event store and the jobs' state on `store`.
pub fn event_stores(store: &Store) -> (Arc<dyn EventStore>, Arc<dyn JobStore>) {
    match store {
        Store::Sqlite(db) => {
            let events = Arc::new(SqliteEvents::new(db.clone()));
            (events.clone(), events)
        }
        Store::Mongo(mongo) => {
            let events = Arc::new(MongoEvents::new(&mongo.db));
            (events.clone(), events)
        }
    }
}

/// The analytics routes' service: people from identity, names from challenges and templates.
pub fn wire_insights(
    events: Arc<dyn EventStore>,
    jobs: Arc<dyn JobStore>,
    identity: Arc<dyn IdentityApi>,
    challenges: Arc<dyn stackrush_challenges::ChallengeApi>,
    templates: Arc<dyn stackrush_templates::TemplatesApi>,
) -> Arc<dyn InsightsApi> {
    InsightsService::new(InsightsPorts {
        events,
        jobs,
        people: Arc::new(adapters::IdentityPeople(identity)),
        catalog: Arc::new(adapters::PublicCatalog {
            challenges,
            templates,
        }),
        clock: Arc::new(SystemClock),
    })
    .into_api()
}

/// The weekly summary job's ports: activity from the event store, time zones from identity,
/// rank moves from scoring, suggestions from learning, the mail outbox of notifications.
pub fn digest_ports(
    events: Arc<dyn EventStore>,
    jobs: Arc<dyn JobStore>,
    identity: Arc<dyn IdentityApi>,
    scoring: Arc<dyn ScoringApi>,
    learning: Arc<dyn stackrush_learning::LearningApi>,
    notifications: Arc<dyn stackrush_notifications::NotificationApi>,
) -> stackrush_analytics::DigestPorts {
    stackrush_analytics::DigestPorts {
        events,
        jobs,
        people: Arc::new(adapters::IdentityPeople(identity)),
        players: Arc::new(adapters::DigestPlayers { scoring, learning }),
        digests: Arc::new(adapters::DigestMail(notifications)),
        clock: Arc::new(SystemClock),
    }
}

/// The analytics service on `store`; sessions are linked to submissions by the scoring context.
pub fn wire(store: &Store, scoring: Arc<dyn ScoringApi>) -> Arc<dyn AnalyticsApi> {
    AnalyticsService::new(Ports {
        sessions: sessions(store),
        submissions: Arc::new(adapters::ScoringSubmissions(scoring)),
        clock: Arc::new(SystemClock),
    })
    .into_api()
}

/// The audit log on `store`.
pub fn wire_audit(store: &Store) -> Arc<dyn AuditApi> {
    let entries: Arc<dyn stackrush_analytics::audit::AuditRepository> = match store {
        Store::Sqlite(db) => Arc::new(SqliteAuditLog::new(db.clone())),
        Store::Mongo(mongo) => Arc::new(MongoAuditLog::new(&mongo.db)),
    };
    AuditService::new(entries, Arc::new(SystemClock)).into_api()
}

/// The dashboard query service: learners from identity, practice (with challenge titles) from
/// scoring, focus from this context's sessions.
pub fn wire_dashboard(
    store: &Store,
    identity: Arc<dyn IdentityApi>,
    scoring: Arc<dyn ScoringApi>,
) -> Arc<dyn DashboardApi> {
    DashboardService::new(DashboardPorts {
        learners: Arc::new(adapters::IdentityLearners(identity)),
        practice: Arc::new(adapters::ScoringPractice { scoring }),
        sessions: sessions(store),
    })
    .into_api()
}

/// Registers the analytics, dashboard, audit and insights ports, `/focus-sessions/*`,
/// `/users/dashboard`, `/users/stats`, `/users/{id}/stats`, `/admin/audit` and `/analytics/*`.
pub fn mount(
    cfg: &mut ServiceConfig,
    api: Arc<dyn AnalyticsApi>,
    dashboards: Arc<dyn DashboardApi>,
    audit: Arc<dyn AuditApi>,
    insights: Arc<dyn InsightsApi>,
) {
    Port::register(cfg, api);
    Port::register(cfg, dashboards);
    Port::register(cfg, audit);
    Port::register(cfg, insights);
    audit_routes::configure(cfg);
    insights_routes::configure(cfg);
    routes::configure(cfg);
    dashboard_routes::configure(cfg);
}
