//! Outbound ports of the analytics context.

use std::sync::Arc;

use async_trait::async_trait;
use stackrush_kernel::{Clock, Page, PageRequest, StoreError};

use chrono::{DateTime, NaiveDate, Utc};

use crate::events::{Event, EventKind};
use crate::model::{FocusSession, FocusSessionId, SessionFilter, SubjectId, SubmissionKey};
use crate::rollup::{ActiveDay, DayRange, PlatformRollup, Source, TargetFigures, UserRollup};

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

/// The append-only event store and the daily rollups the aggregation job keeps of it.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Appends `events`; an id stored before is skipped, so a retried batch records each once.
    /// Events are never changed or removed afterwards.
    async fn append(&self, events: &[Event]) -> Result<(), StoreError>;

    /// The earliest day (local or UTC) of any event; `None` without events.
    async fn first_day(&self) -> Result<Option<NaiveDate>, StoreError>;

    /// Recomputes `day`'s rollups from its events and replaces what was stored for it: the
    /// user and skill rows of that local day, the platform rows and top contributors of that
    /// UTC day ([`crate::rollup::roll_user`], [`crate::rollup::roll_platform`]). Running it
    /// again gives the same rows.
    async fn aggregate(&self, day: NaiveDate) -> Result<(), StoreError>;

    /// The rows of `users` (one or many: a batch is one read) of the local days in `days`,
    /// sorted by key ([`UserRollup::sort`]); none for an empty `users`.
    async fn user_rollup(
        &self,
        users: &[SubjectId],
        days: DayRange,
        source: Source,
    ) -> Result<UserRollup, StoreError>;

    /// The platform rows of the UTC days in `days`, sorted by day then kind.
    async fn platform_rollup(
        &self,
        days: DayRange,
        source: Source,
    ) -> Result<PlatformRollup, StoreError>;

    /// The distinct (user, local day) pairs with any event in `days`: from the stored rows for
    /// days through `stored_through`, from the events after it. Sorted.
    async fn active_days(
        &self,
        days: DayRange,
        stored_through: Option<NaiveDate>,
    ) -> Result<Vec<ActiveDay>, StoreError>;

    /// The figures per target and kind of the events of `kinds` on the UTC days in `days`, in
    /// [`crate::rollup::sort_targets`]' order.
    async fn targets(
        &self,
        kinds: &[EventKind],
        days: DayRange,
    ) -> Result<Vec<TargetFigures>, StoreError>;
}

/// Background jobs' state: how far each got, and who may run it now.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait JobStore: Send + Sync {
    /// The last day `job` completed; `None` before its first.
    async fn watermark(&self, job: &str) -> Result<Option<NaiveDate>, StoreError>;

    /// Records that `job` completed `day` (or, `None`, forgets every day), only while `holder`
    /// holds its lease — took it and has not released it, nor had it taken by another after it
    /// expired; whether it did.
    async fn set_watermark(
        &self,
        job: &str,
        holder: &str,
        day: Option<NaiveDate>,
    ) -> Result<bool, StoreError>;

    /// Takes or extends `job`'s lease for `holder` until `until`, unless another holder's lease
    /// is still running at `now`; whether `holder` holds it now. Of racing callers one wins.
    async fn lease(
        &self,
        job: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Gives the lease up, if `holder` holds it.
    async fn release(&self, job: &str, holder: &str) -> Result<(), StoreError>;
}
