//! The StackRush notifications context: each user's notification centre. Producers (scoring's
//! events, admins) hand in [`Notify`] requests; the [`NotificationService`] applies the
//! recipient's delivery preferences, drops duplicates by key, stamps expiry, and serves the
//! list, the unread count and the read/delete actions over the [`ports`].

pub mod error;
pub mod mail;
pub mod model;
pub mod ports;
pub mod service;

#[cfg(feature = "fake")]
pub mod fake;

#[cfg(feature = "contract")]
pub mod contract;

pub use error::NotificationError;
pub use mail::{
    Contact, Letter, MailId, MailRun, MailState, QueuedMail, Suggestion, WeeklySummary,
};
pub use model::*;
pub use ports::Ports;
pub use service::{NotificationApi, NotificationService};

#[cfg(feature = "mock")]
pub use service::MockNotificationApi;
