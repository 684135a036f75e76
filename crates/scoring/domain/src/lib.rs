//! The StackRush scoring context: attempts at challenges, submissions, and the rules that turn a
//! browser's test run into a verdict, a score, XP, a level, a streak, ranks and achievements.
//!
//! The rules are pure functions ([`verdict`], [`score`], [`xp`], [`streak`], [`ranking`],
//! [`achievement`], [`plan`], [`stats`]); the [`ScoringService`] applies them over the outbound
//! ports in [`ports`]. Everything one scoring changes (submission, progress, XP ledger, boards,
//! challenge stats, unlocks) is one [`progress::ScoringCommit`], written atomically by the store.
//! Challenge and user data come through the [`ports::ChallengeCatalog`] and
//! [`ports::PlayerDirectory`] ports, which the app adapts from the other contexts.

pub mod achievement;
pub mod error;
pub mod model;
pub mod plan;
pub mod ports;
pub mod progress;
pub mod ranking;
pub mod score;
pub mod service;
pub mod stats;
pub mod streak;
pub mod submission;
pub mod verdict;
pub mod xp;

#[cfg(feature = "fake")]
pub mod fake;

#[cfg(feature = "contract")]
pub mod contract;

#[cfg(test)]
mod service_tests;

pub use achievement::{Achievement, AchievementDraft, AchievementId, UnlockedAchievement};
pub use error::ScoringError;
pub use model::*;
pub use ports::Ports;
pub use ports::{ChallengeTitle, PlayerFace};
pub use progress::{
    Board, BoardEntry, BoardRow, BoardWindow, ChallengeBoardRow, LedgerEntry, Progress,
    ProgressOrder, Side,
};
pub use service::{
    Faced, Leaderboard, RankMove, Scored, ScoringApi, ScoringService, Standing, Titled,
    REVIEW_REWARDS_PER_DAY, REVIEW_XP,
};
pub use submission::*;

#[cfg(feature = "mock")]
pub use service::MockScoringApi;
