//! The StackRush community context: posts (markdown with server-rendered, sanitized HTML),
//! threaded comments, likes, bookmarks, views counted once per reader per day, a trending order
//! and the community's figures. Counters are exact: the store keeps each one in the same
//! transaction as the row it counts ([`ports`]).

pub mod api;
pub mod error;
pub mod markdown;
pub mod model;
pub mod ports;
pub mod service;
pub mod trending;
pub mod validation;

#[cfg(feature = "fake")]
pub mod fake;

#[cfg(feature = "contract")]
pub mod contract;

pub use api::{
    likes_milestone, CollaborationView, CommentView, CommunityApi, CommunityStats, Contributor,
    Following, LogView, MemberCard, MemberProfile, MentorshipView, PostDraft, PostPatch, PostView,
    ReportView, Thread,
};
pub use error::CommunityError;
pub use model::*;
pub use ports::{Ports, Stores};
pub use service::CommunityService;

#[cfg(feature = "mock")]
pub use api::MockCommunityApi;
