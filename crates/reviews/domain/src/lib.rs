//! The StackRush reviews context: challenge reviews written by people who tried the challenge
//! (a rating 1–5, a title, text and tags), replies (the challenge author's marked as such),
//! "helpful" marks on both, and each challenge's rating summary. Counters and summaries are
//! exact: the store moves them in the same transaction as the row they count ([`ports`]).

pub mod api;
pub mod code;
pub mod code_service;
pub mod error;
pub mod model;
pub mod ports;
pub mod service;

#[cfg(feature = "fake")]
pub mod fake;

#[cfg(feature = "contract")]
pub mod contract;

pub use api::{ReplyView, ReviewDraft, ReviewView, ReviewsApi};
pub use code::*;
pub use code_service::{
    CodeCommentView, CodeReviewService, CodeReviewView, CodeReviewsApi, NewComment, Scope,
};
pub use error::ReviewError;
pub use model::*;
pub use ports::{CodePorts, Ports, Stores};
pub use service::ReviewService;

#[cfg(feature = "mock")]
pub use api::MockReviewsApi;
