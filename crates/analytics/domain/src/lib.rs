//! The StackRush analytics context: focus sessions (how focused a user was while solving, in
//! which environment, with how many distractions) and the figures built from them; the event
//! store of what users do ([`events`]), its daily rollups ([`rollup`], [`job`]) and the figures
//! read from them ([`insights`]); the audit log of sensitive operations ([`audit`]).

pub mod audit;
pub mod dashboard;
pub mod digest;
pub mod error;
pub mod events;
pub mod insights;
pub mod job;
pub mod model;
pub mod ports;
pub mod rollup;
pub mod service;
pub mod stats;

#[cfg(feature = "fake")]
pub mod fake;

#[cfg(feature = "contract")]
pub mod contract;

pub use audit::{AuditApi, AuditService};
pub use dashboard::{DashboardApi, DashboardPorts, DashboardService};
pub use digest::{DigestPorts, WeeklyDigest};
pub use error::AnalyticsError;
pub use insights::{InsightsApi, InsightsPorts, InsightsService};
pub use job::Aggregator;
pub use model::*;
pub use ports::Ports;
pub use service::{AnalyticsApi, AnalyticsService};
pub use stats::FocusStats;

#[cfg(feature = "mock")]
pub use audit::MockAuditApi;
#[cfg(feature = "mock")]
pub use dashboard::MockDashboardApi;
#[cfg(feature = "mock")]
pub use insights::MockInsightsApi;
#[cfg(feature = "mock")]
pub use service::MockAnalyticsApi;
