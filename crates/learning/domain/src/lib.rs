//! The StackRush learning context: playlists of lessons (videos, readings, projects and
//! challenges to solve) that premium members write and learners enrol in. Progress means
//! something: a challenge lesson is completed only by a successful scored submission of its
//! challenge (asked of scoring through a port, and completed by itself when scoring reports a
//! solve). Completing a playlist awards XP once, counts once and notifies. Figures (students,
//! completions, ratings) are exact: the store moves them with the row they count ([`ports`]).

pub mod api;
pub mod certificate;
pub mod error;
pub mod model;
pub mod ports;
pub mod recommend;
pub mod service;

#[cfg(feature = "fake")]
pub mod fake;

#[cfg(feature = "contract")]
pub mod contract;

pub use api::*;
pub use certificate::*;
pub use error::LearningError;
pub use model::*;
pub use ports::{Ports, Stores};
pub use recommend::{PracticeFigures, ReasonKind, Recommendation, TypeRecord};
pub use service::{completion_xp, LearningService};

#[cfg(test)]
mod service_tests;
