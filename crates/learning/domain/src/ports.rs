//! What the learning context needs from the world: its store, and members, challenges and
//! scoring as the other contexts know them.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use stackrush_kernel::{Clock, Page, PageRequest, StoreError};

use crate::certificate::*;
use crate::model::*;
use crate::recommend::PracticeFigures;

/// What a conditional write of a playlist found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// Stored.
    Done,
    /// The playlist is live but was edited since the revision the write was based on.
    Stale,
    /// The playlist is deleted or was never stored.
    Gone,
}

/// What enrolling did.
#[derive(Debug, Clone, PartialEq)]
pub struct Enrolled {
    pub enrolment: Enrolment,
    /// Whether this call enrolled the learner (counted as a student); `false` when they were
    /// enrolled already.
    pub newly: bool,
}

/// Storage of playlists.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PlaylistRepository: Send + Sync {
    /// Stores a new playlist.
    async fn insert(&self, playlist: &Playlist) -> Result<(), StoreError>;

    /// The playlist, live or deleted.
    async fn get(&self, id: PlaylistId) -> Result<Option<Playlist>, StoreError>;

    /// The playlists with these ids that exist (live or deleted), in no particular order.
    async fn get_many(&self, ids: &[PlaylistId]) -> Result<Vec<Playlist>, StoreError>;

    /// Replaces the editable fields (title, description, category, level, duration text,
    /// topics, premium, lessons, revision, `updated_at`) of the live playlist if its stored
    /// revision is still `based_on`. Stats are never written here.
    async fn update(&self, playlist: &Playlist, based_on: u32) -> Result<Written, StoreError>;

    /// Deletes a live playlist (soft). Whether it was live.
    async fn delete(&self, id: PlaylistId, at: DateTime<Utc>) -> Result<bool, StoreError>;

    /// One page of live playlists matching `filter`, in `sort` order (popular: students, then
    /// completions; rating: average, then number of ratings; newest: creation), ties by id
    /// (newest first).
    async fn list(
        &self,
        filter: &PlaylistFilter,
        sort: PlaylistSort,
        page: PageRequest,
    ) -> Result<Page<Playlist>, StoreError>;

    /// How many live playlists each category has (categories without any are left out).
    async fn categories(&self) -> Result<HashMap<String, u64>, StoreError>;
}

/// Storage of enrolments. Every write that moves a playlist's figures moves them in the same
/// transaction as the enrolment it counts: enrolling and unenrolling with `students`, a
/// completion with `completions` (once per learner, ever), a rating with `rating_sum` and
/// `ratings` (a replaced rating moves the sum by the difference).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait EnrolmentRepository: Send + Sync {
    /// The learner's enrolment in the playlist (active or not).
    async fn get(
        &self,
        playlist: PlaylistId,
        learner: MemberId,
    ) -> Result<Option<Enrolment>, StoreError>;

    /// Enrols the learner in a live playlist, or makes their inactive enrolment active again
    /// (progress kept), counting a student either way; an active one is left as it is.
    /// `None` (nothing stored) when the playlist is not live.
    async fn enrol(
        &self,
        playlist: PlaylistId,
        learner: MemberId,
        at: DateTime<Utc>,
    ) -> Result<Option<Enrolled>, StoreError>;

    /// Makes an active enrolment inactive (progress kept) and takes the student away from the
    /// playlist's count. Whether it was active.
    async fn unenrol(
        &self,
        playlist: PlaylistId,
        learner: MemberId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// On an active enrolment, in one atomic write: adds `lesson` to the completed lessons
    /// (`completed`, once) or takes it away (`!completed`), adds `minutes` to the time spent
    /// and sets the last access. The enrolment afterwards; `None` when not actively enrolled.
    async fn record(
        &self,
        playlist: PlaylistId,
        learner: MemberId,
        lesson: LessonId,
        completed: bool,
        minutes: u32,
        at: DateTime<Utc>,
    ) -> Result<Option<Enrolment>, StoreError>;

    /// In one transaction, if the learner's enrolment in the certificate's playlist was not
    /// completed before: marks it completed at the certificate's `completed_at` naming the
    /// certificate, stores the certificate and counts a completion on the playlist. Whether
    /// this call completed it: of concurrent calls for one learner exactly one gets `true`,
    /// and only its certificate is stored.
    async fn complete(&self, certificate: &Certificate) -> Result<bool, StoreError>;

    /// Sets (or replaces) the learner's rating on an active enrolment, moving the playlist's
    /// rating sum and count with it. Whether it was stored (`false`: not actively enrolled).
    async fn rate(
        &self,
        playlist: PlaylistId,
        learner: MemberId,
        rating: &Rating,
    ) -> Result<bool, StoreError>;

    /// Which of `playlists` the learner is actively enrolled in.
    async fn enrolled_among(
        &self,
        learner: MemberId,
        playlists: &[PlaylistId],
    ) -> Result<Vec<PlaylistId>, StoreError>;

    /// One page of the learner's active enrolments, most recently accessed first.
    async fn active_of(
        &self,
        learner: MemberId,
        page: PageRequest,
    ) -> Result<Page<Enrolment>, StoreError>;
}

/// Certificates, as [`EnrolmentRepository::complete`] stored them.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait CertificateRepository: Send + Sync {
    /// The certificate.
    async fn get(&self, id: CertificateId) -> Result<Option<Certificate>, StoreError>;

    /// Revokes a certificate that is not revoked yet. Whether this call revoked it (`false`:
    /// unknown or revoked before; the first revocation stays).
    async fn revoke(&self, id: CertificateId, revocation: &Revocation) -> Result<bool, StoreError>;
}

/// Rendered certificates, kept through the file-storage port once drawn.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait CertificateFiles: Send + Sync {
    /// The stored drawing of the certificate, if drawn before.
    async fn get(&self, id: CertificateId) -> anyhow::Result<Option<Vec<u8>>>;

    /// Keeps the drawing of the certificate.
    async fn put(&self, id: CertificateId, svg: Vec<u8>) -> anyhow::Result<()>;
}

/// Members as the identity context knows them.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Members: Send + Sync {
    /// How the given members are shown; members without a live account are left out.
    async fn faces(&self, members: &[MemberId]) -> anyhow::Result<HashMap<MemberId, Face>>;
}

/// Challenges as the challenges and scoring contexts know them.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Challenges: Send + Sync {
    /// The challenge's type (`dsa`, `bug-fix`, `feature`) if it exists, is public and active
    /// (what a lesson may point at); `None` otherwise.
    async fn public_type(&self, challenge: ChallengeRef) -> anyhow::Result<Option<String>>;

    /// Whether the member has a successful scored submission of the challenge.
    async fn solved(&self, member: MemberId, challenge: ChallengeRef) -> anyhow::Result<bool>;
}

/// A learner's practice as the scoring context knows it.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Practice: Send + Sync {
    /// The member's level and how each challenge type went for them.
    async fn figures(&self, member: MemberId) -> anyhow::Result<PracticeFigures>;
}

/// What completing a playlist brings, through the scoring and notifications contexts.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Rewards: Send + Sync {
    /// Awards `xp` to the learner through scoring's ledger, once per (learner, playlist): a
    /// second call for the same pair awards nothing. The XP actually awarded.
    async fn award_completion(
        &self,
        learner: MemberId,
        playlist: PlaylistId,
        xp: u64,
    ) -> anyhow::Result<u64>;

    /// Tells the learner they completed the playlist (at most once per playlist).
    async fn notify_completion(&self, learner: MemberId, playlist: &Playlist, xp: u64);
}

/// The learning context's store ports, as one adapter crate provides them.
#[derive(Clone)]
pub struct Stores {
    pub playlists: Arc<dyn PlaylistRepository>,
    pub enrolments: Arc<dyn EnrolmentRepository>,
    pub certificates: Arc<dyn CertificateRepository>,
}

/// Every port the learning service needs.
#[derive(Clone)]
pub struct Ports {
    pub playlists: Arc<dyn PlaylistRepository>,
    pub enrolments: Arc<dyn EnrolmentRepository>,
    pub members: Arc<dyn Members>,
    pub challenges: Arc<dyn Challenges>,
    pub rewards: Arc<dyn Rewards>,
    pub practice: Arc<dyn Practice>,
    pub certificates: Arc<dyn CertificateRepository>,
    pub certificate_files: Arc<dyn CertificateFiles>,
    pub signer: Arc<dyn Signer>,
    /// Where a certificate is verified: its id is appended
    /// (`https://api.example.com/api/certificates/`).
    pub certificate_url: String,
    /// Enrolments, lessons and completions, for the analytics context's event store.
    pub activity: Arc<dyn stackrush_kernel::activity::ActivityLog>,
    pub clock: Arc<dyn Clock>,
}
