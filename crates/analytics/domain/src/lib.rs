//! The StackRush analytics context: focus sessions (how focused a user was while solving, in
//! which environment, with how many distractions) and the figures built from them; the audit
//! log of sensitive operations ([`audit`]).

pub mod audit;
pub mod dashboard;
pub mod error;
pub mod model;
pub mod ports;
pub mod service;
pub mod stats;

#[cfg(feature = "fake")]
pub mod fake;

#[cfg(feature = "contract")]
pub mod contract;

pub use audit::{AuditApi, AuditService};
pub use dashboard::{DashboardApi, DashboardPorts, DashboardService};
pub use error::AnalyticsError;
pub use model::*;
pub use ports::Ports;
pub use service::{AnalyticsApi, AnalyticsService};
pub use stats::FocusStats;

#[cfg(feature = "mock")]
pub use audit::MockAuditApi;
#[cfg(feature = "mock")]
pub use dashboard::MockDashboardApi;
#[cfg(feature = "mock")]
pub use service::MockAnalyticsApi;
