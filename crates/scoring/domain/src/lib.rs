//! The StackRush scoring context: attempts at challenges, and the rules that turn a browser's
//! test run into a verdict, a score, XP, a level, a streak and a rank.
//!
//! The rules are pure functions ([`verdict`], [`score`], [`xp`], [`streak`], [`ranking`]); the
//! [`ScoringService`] applies them over the outbound ports in [`ports`]. Challenge data comes
//! through the [`ports::ChallengeCatalog`] port, which the app adapts from the challenges context.

pub mod error;
pub mod model;
pub mod ports;
pub mod ranking;
pub mod score;
pub mod service;
pub mod streak;
pub mod verdict;
pub mod xp;

#[cfg(feature = "fake")]
pub mod fake;

#[cfg(feature = "contract")]
pub mod contract;

pub use error::ScoringError;
pub use model::*;
pub use ports::Ports;
pub use service::{ScoringApi, ScoringService};

#[cfg(feature = "mock")]
pub use service::MockScoringApi;
