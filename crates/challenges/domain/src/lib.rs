//! The StackRush challenges context: the catalogue of coding challenges, who may create and edit
//! them, and what each caller may see of them (solutions and hidden expected outputs only for the
//! author and admins).
//!
//! Rules live in [`ChallengeService`]; storage is behind [`ports::ChallengeRepository`]; the
//! authors' display names come through [`ports::AuthorDirectory`], which the app adapts from the
//! identity context (contexts never import each other).

pub mod catalogue;
pub mod error;
pub mod model;
pub mod ports;
pub mod service;
mod slug;
pub mod validate;
pub mod workspace;

#[cfg(feature = "fake")]
pub mod fake;

#[cfg(feature = "contract")]
pub mod contract;

pub use catalogue::{
    CatalogueFilter, CatalogueItem, ImportAction, ImportEntry, ImportOptions, ImportProgress,
    ImportReport, Quietly,
};
pub use error::ChallengeError;
pub use model::*;
pub use ports::Ports;
pub use service::{ChallengeApi, ChallengeService};
pub use slug::slugify;

#[cfg(feature = "mock")]
pub use service::MockChallengeApi;
