//! The learning context's inbound port and the shapes it takes and answers.

use async_trait::async_trait;
use stackrush_kernel::{Page, PageRequest};

use crate::certificate::*;
use crate::error::LearningError;
use crate::model::*;
use crate::recommend::Recommendation;

/// A lesson as an author writes it. On an edit of the whole playlist, a lesson naming the id of
/// one it already has keeps that id (learners' progress refers to it); without an id it is new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonDraft {
    pub id: Option<LessonId>,
    pub title: String,
    pub description: String,
    pub kind: LessonKind,
    pub challenge: Option<ChallengeRef>,
    pub duration: u32,
}

/// A new playlist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaylistDraft {
    pub title: String,
    pub description: String,
    pub category: String,
    pub level: Level,
    pub duration_text: Option<String>,
    pub topics: Vec<String>,
    pub is_premium: bool,
    pub lessons: Vec<LessonDraft>,
}

/// Changes to a playlist: each `Some` replaces that field. `revision`, when given, must be the
/// stored one (an edit based on an older revision is refused with its current number).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlaylistPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub level: Option<Level>,
    pub duration_text: Option<Option<String>>,
    pub topics: Option<Vec<String>>,
    pub is_premium: Option<bool>,
    pub lessons: Option<Vec<LessonDraft>>,
    pub revision: Option<u32>,
}

/// A playlist as a reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaylistView {
    /// With `locked`, its lessons' descriptions and challenges are emptied.
    pub playlist: Playlist,
    pub author: Option<Face>,
    /// Whether the reader is actively enrolled.
    pub enrolled: bool,
    /// A premium playlist whose lesson content the reader may not see (they see the outline).
    pub locked: bool,
}

/// A progress report of one lesson.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressUpdate {
    pub lesson: LessonId,
    pub completed: bool,
    /// Minutes spent since the last report (0–1440).
    pub time_spent: u32,
}

/// What a progress report led to.
#[derive(Debug, Clone, PartialEq)]
pub struct Progressed {
    pub progress: ProgressView,
    /// Set when this report completed the playlist: the XP it awarded.
    pub completed_with_xp: Option<u64>,
}

/// An enrolment with its playlist, as the learner's own list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct MyPlaylist {
    pub playlist: PlaylistView,
    pub progress: ProgressView,
}

/// The learning context's inbound port.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait LearningApi: Send + Sync {
    /// Creates a playlist (premium members, moderators, admins). Errors: `PremiumRequired`,
    /// `Invalid`.
    async fn create(
        &self,
        caller: Caller,
        draft: PlaylistDraft,
    ) -> Result<PlaylistView, LearningError>;

    /// Edits the caller's playlist. Errors: `PlaylistNotFound`, `Forbidden`, `Invalid`,
    /// `RevisionConflict`.
    async fn update(
        &self,
        caller: Caller,
        id: PlaylistId,
        patch: PlaylistPatch,
    ) -> Result<PlaylistView, LearningError>;

    /// Deletes a playlist (its author or an admin; soft: enrolments and progress stay).
    async fn delete(&self, caller: Caller, id: PlaylistId) -> Result<(), LearningError>;

    /// One live playlist. Errors: `PlaylistNotFound`.
    async fn get(
        &self,
        reader: Option<Caller>,
        id: PlaylistId,
    ) -> Result<PlaylistView, LearningError>;

    /// One page of live playlists. Errors: `Invalid` (search too long).
    async fn list(
        &self,
        reader: Option<Caller>,
        filter: PlaylistFilter,
        sort: PlaylistSort,
        page: PageRequest,
    ) -> Result<Page<PlaylistView>, LearningError>;

    /// Every category with how many live playlists it has, most first.
    async fn categories(&self) -> Result<Vec<(String, u64)>, LearningError>;

    /// Adds a lesson at `position` (1-based; at the end without one).
    async fn add_lesson(
        &self,
        caller: Caller,
        id: PlaylistId,
        lesson: LessonDraft,
        position: Option<u32>,
    ) -> Result<PlaylistView, LearningError>;

    /// Replaces one lesson's fields (its id and place stay). Errors: `LessonNotFound`.
    async fn update_lesson(
        &self,
        caller: Caller,
        id: PlaylistId,
        lesson: LessonId,
        draft: LessonDraft,
    ) -> Result<PlaylistView, LearningError>;

    /// Removes a lesson (learners' completion of it no longer counts). Errors: `LessonNotFound`.
    async fn remove_lesson(
        &self,
        caller: Caller,
        id: PlaylistId,
        lesson: LessonId,
    ) -> Result<PlaylistView, LearningError>;

    /// Puts the lessons in this order: every lesson id exactly once. Errors: `Invalid`.
    async fn reorder_lessons(
        &self,
        caller: Caller,
        id: PlaylistId,
        order: Vec<LessonId>,
    ) -> Result<PlaylistView, LearningError>;

    /// Enrols the caller (or resumes their earlier enrolment). A premium playlist takes a
    /// premium member or staff. Errors: `PlaylistNotFound`, `PremiumContent`.
    async fn enrol(&self, caller: Caller, id: PlaylistId) -> Result<ProgressView, LearningError>;

    /// Unenrols the caller; their progress is kept for a later enrolment. Errors:
    /// `NotEnrolled`.
    async fn unenrol(&self, caller: Caller, id: PlaylistId) -> Result<(), LearningError>;

    /// The caller's progress (also on a deleted playlist they were enrolled in). Errors:
    /// `NotEnrolled`.
    async fn progress(&self, caller: Caller, id: PlaylistId)
        -> Result<ProgressView, LearningError>;

    /// Records a lesson's progress. A challenge lesson is completed only when the caller has a
    /// successful scored submission of its challenge. Completing the last lesson completes the
    /// playlist: XP (once), a completion counted, a notification. Errors: `NotEnrolled`,
    /// `Invalid` (a lesson of another playlist), `ChallengeNotSolved`.
    async fn record_progress(
        &self,
        caller: Caller,
        id: PlaylistId,
        update: ProgressUpdate,
    ) -> Result<Progressed, LearningError>;

    /// Rates a playlist the caller is enrolled in (rating again replaces the rating). Errors:
    /// `NotEnrolled`, `Invalid`.
    async fn rate(
        &self,
        caller: Caller,
        id: PlaylistId,
        score: u8,
        review: String,
    ) -> Result<PlaylistView, LearningError>;

    /// One page of the caller's active enrolments with their playlists (deleted playlists
    /// included: the learner keeps their progress).
    async fn my_playlists(
        &self,
        caller: Caller,
        page: PageRequest,
    ) -> Result<Page<MyPlaylist>, LearningError>;

    /// Scoring saw `member` solve `challenge`: the challenge lessons of their active
    /// enrolments are completed (and playlists completed with them). Returns how many lessons.
    async fn challenge_solved(
        &self,
        member: MemberId,
        challenge: ChallengeRef,
    ) -> Result<u32, LearningError>;

    /// Up to `limit` (1–20) playlists for the caller, each with why: their unfinished
    /// enrolments, then playlists practising the challenge types they do worst at (from
    /// scoring's figures), then playlists at their level, then popular ones. Playlists they
    /// wrote, are enrolled in or may not enrol in (premium) are left out of the last three.
    /// Errors: `Invalid` (limit).
    async fn recommended(
        &self,
        caller: Caller,
        limit: u32,
    ) -> Result<Vec<Recommendation>, LearningError>;

    /// A certificate with what checking it finds (anyone may ask). Errors:
    /// `CertificateNotFound`.
    async fn certificate(&self, id: CertificateId) -> Result<CertificateView, LearningError>;

    /// The certificate drawn as an SVG page with its verification address: drawn the first
    /// time it is asked for, then kept through the file-storage port. Errors:
    /// `CertificateNotFound`.
    async fn certificate_svg(&self, id: CertificateId) -> Result<Vec<u8>, LearningError>;

    /// Checks a certificate document as downloaded: whether the signature holds over its
    /// fields, and whether it was revoked since.
    async fn verify_certificate(
        &self,
        copy: CertificateCopy,
    ) -> Result<Verification, LearningError>;

    /// Revokes a certificate (admins only), saying why. Errors: `Forbidden`,
    /// `CertificateNotFound`, `AlreadyRevoked`, `Invalid` (reason).
    async fn revoke_certificate(
        &self,
        caller: Caller,
        id: CertificateId,
        reason: String,
    ) -> Result<CertificateView, LearningError>;

    /// The public key certificates are signed with.
    fn public_key(&self) -> PublicKey;
}
