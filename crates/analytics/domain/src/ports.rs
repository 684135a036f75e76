//! Outbound ports of the analytics context.

use std::sync::Arc;

use async_trait::async_trait;
use stackrush_kernel::{Clock, Page, PageRequest, StoreError};

use crate::model::{FocusSession, FocusSessionId, SessionFilter, SubjectId, SubmissionKey};

/// Storage of focus sessions.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait FocusSessionRepository: Send + Sync {
    /// Stores a new session.
    async fn insert(&self, session: &FocusSession) -> Result<(), StoreError>;

    /// `user`'s session with this id.
    async fn find(
        &self,
        user: SubjectId,
        id: FocusSessionId,
    ) -> Result<Option<FocusSession>, StoreError>;

    /// One page of `user`'s sessions `filter` selects (ties: newest id first).
    async fn list(
        &self,
        user: SubjectId,
        filter: &SessionFilter,
        page: PageRequest,
    ) -> Result<Page<FocusSession>, StoreError>;

    /// Every session of `user`, for statistics.
    async fn all(&self, user: SubjectId) -> Result<Vec<FocusSession>, StoreError>;

    /// The average focus score over everyone's sessions; `None` without any.
    async fn average_focus(&self) -> Result<Option<f64>, StoreError>;

    /// Deletes `user`'s session; whether it existed.
    async fn delete(&self, user: SubjectId, id: FocusSessionId) -> Result<bool, StoreError>;
}

/// Which submission a focus session was linked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linked {
    /// This one now holds the session's figures in its simulation record.
    To(SubmissionKey),
    /// None was written in the session (no submission named, none started from an attempt
    /// during it).
    Nothing,
    /// The named submission does not exist or is not the session's user's.
    NotTheirs,
}

/// Submissions, as the scoring context answers for them.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait SubmissionLookup: Send + Sync {
    /// Keeps `session`'s figures in the simulation record of the submission written in it: the
    /// one it names, else the user's submission to its challenge whose attempt started during it.
    async fn link(&self, session: &FocusSession) -> anyhow::Result<Linked>;
}

/// Every port the service needs.
#[derive(Clone)]
pub struct Ports {
    pub sessions: Arc<dyn FocusSessionRepository>,
    pub submissions: Arc<dyn SubmissionLookup>,
    pub clock: Arc<dyn Clock>,
}
