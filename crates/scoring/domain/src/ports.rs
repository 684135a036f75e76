//! Outbound ports of the scoring context.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use stackrush_kernel::{Clock, Page, PageRequest, StoreError};

use crate::achievement::{Achievement, AchievementId};
use crate::model::{Attempt, AttemptId, ChallengeRef, PlayerId, ScoringChallenge};
use crate::progress::{
    BoardEntry, ChallengeBest, CommitError, LedgerEntry, PlayerSnapshot, Progress, ProgressOrder,
    ScoringCommit, Side, XpReason, XpSource,
};
use crate::submission::{
    Simulation, Submission, SubmissionFacts, SubmissionFilter, SubmissionId, Viewer,
};

/// Storage of attempts.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AttemptRepository: Send + Sync {
    /// Stores a new attempt.
    async fn insert(&self, attempt: &Attempt) -> Result<(), StoreError>;

    /// The attempt with this id.
    async fn find(&self, id: AttemptId) -> Result<Option<Attempt>, StoreError>;
}

/// Storage of submissions. Scoring one goes through [`ProgressRepository::commit`].
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait SubmissionRepository: Send + Sync {
    /// Stores a new (pending) submission.
    async fn insert(&self, submission: &Submission) -> Result<(), StoreError>;

    /// The submission with this id.
    async fn find(&self, id: SubmissionId) -> Result<Option<Submission>, StoreError>;

    /// One page of the submissions `filter` selects, in its order (ties: newest id first).
    async fn list(
        &self,
        filter: &SubmissionFilter,
        page: PageRequest,
    ) -> Result<Page<Submission>, StoreError>;

    /// Deletes `id` if `player` submitted it; whether it did.
    async fn delete(&self, id: SubmissionId, player: PlayerId) -> Result<bool, StoreError>;

    /// Replaces the simulation record of `id` if `player` submitted it; whether it did.
    async fn set_simulation(
        &self,
        id: SubmissionId,
        player: PlayerId,
        simulation: &Simulation,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// One row per submission of `player`, for statistics.
    async fn facts(&self, player: PlayerId) -> Result<Vec<SubmissionFacts>, StoreError>;
}

/// Player progress, the XP ledger and leaderboard positions: written together, atomically.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ProgressRepository: Send + Sync {
    /// What scoring a submission of `player` on `challenge` starts from; `windows` are the keys
    /// of the current weekly and monthly board windows.
    async fn snapshot(
        &self,
        player: PlayerId,
        challenge: Option<ChallengeRef>,
        windows: [String; 2],
    ) -> Result<PlayerSnapshot, StoreError>;

    /// Applies everything in `commit` in one transaction: marks the submission scored (only if
    /// it was not: else `AlreadyScored`), replaces the progress (only if its version is still
    /// `expected_version`: else `Stale`), appends the ledger entries, moves the board entries,
    /// records the best, adds to the challenge's stats, records the unlocks (each once per
    /// player). Nothing is written on error.
    async fn commit(&self, commit: &ScoringCommit) -> Result<(), CommitError>;

    /// The stored progress of `player`.
    async fn progress(&self, player: PlayerId) -> Result<Option<Progress>, StoreError>;

    /// One page of `player`'s ledger, newest first.
    async fn ledger(
        &self,
        player: PlayerId,
        page: PageRequest,
    ) -> Result<Page<LedgerEntry>, StoreError>;

    /// Shows or hides `player` on every leaderboard.
    async fn set_listed(&self, player: PlayerId, listed: bool) -> Result<(), StoreError>;

    /// How many ledger entries of `reason` `player` has from `since` on.
    async fn awards_since(
        &self,
        player: PlayerId,
        reason: XpReason,
        since: DateTime<Utc>,
    ) -> Result<u64, StoreError>;

    /// Whether `source` paid `player` for `reason` already (the ledger's once-key).
    async fn awarded(
        &self,
        player: PlayerId,
        reason: XpReason,
        source: XpSource,
    ) -> Result<bool, StoreError>;
}

/// Ordered reads of the boards. Adapters fetch rows in board order and count; ranks and the
/// "around me" window are the domain's (see [`crate::ranking`]).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait LeaderboardRepository: Send + Sync {
    /// One page of board window `key`'s entries (listed players with XP), in board order: more
    /// XP first, then who reached it first, then player id. `total` counts every entry.
    async fn board(&self, key: &str, page: PageRequest) -> Result<Page<BoardEntry>, StoreError>;

    /// `player`'s entry on `key`, if they are on it (listed, with XP).
    async fn entry(&self, key: &str, player: PlayerId) -> Result<Option<BoardEntry>, StoreError>;

    /// Up to `limit` entries of `key` next to `from` on `side` in board order, nearest first
    /// (`from` itself never).
    async fn neighbours(
        &self,
        key: &str,
        from: &BoardEntry,
        side: Side,
        limit: u32,
    ) -> Result<Vec<BoardEntry>, StoreError>;

    /// How many entries of `key` have more XP than `xp`.
    async fn more_xp_than(&self, key: &str, xp: u64) -> Result<u64, StoreError>;

    /// One page of a challenge's listed bests, in board order: each before those it
    /// [`ChallengeBest::beats`], equal ones by player id. `total` counts every listed best.
    async fn challenge_board(
        &self,
        challenge: ChallengeRef,
        page: PageRequest,
    ) -> Result<Page<ChallengeBest>, StoreError>;

    /// How many listed bests of `challenge` beat `best`.
    async fn bests_beating(
        &self,
        challenge: ChallengeRef,
        best: &ChallengeBest,
    ) -> Result<u64, StoreError>;

    /// The `limit` listed players highest by `order` (ties: more XP, then id).
    async fn top(&self, order: ProgressOrder, limit: u32) -> Result<Vec<Progress>, StoreError>;
}

/// Achievement definitions and who unlocked them.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AchievementRepository: Send + Sync {
    /// Stores a new definition; `Conflict { key: "key" }` when its key is taken.
    async fn insert(&self, achievement: &Achievement) -> Result<(), StoreError>;

    /// Replaces a definition; whether it existed. `Conflict { key: "key" }` as for insert.
    async fn replace(&self, achievement: &Achievement) -> Result<bool, StoreError>;

    /// Deletes a definition (unlocks stay recorded); whether it existed.
    async fn delete(&self, id: AchievementId) -> Result<bool, StoreError>;

    /// The definition with this id.
    async fn find(&self, id: AchievementId) -> Result<Option<Achievement>, StoreError>;

    /// Every definition, oldest first.
    async fn list(&self) -> Result<Vec<Achievement>, StoreError>;

    /// What `player` unlocked, and when, oldest first.
    async fn unlocked(
        &self,
        player: PlayerId,
    ) -> Result<Vec<(AchievementId, DateTime<Utc>)>, StoreError>;
}

/// Challenge data for scoring, provided by the challenges context.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ChallengeCatalog: Send + Sync {
    /// The challenge with everything scoring needs, if it exists and `player` may attempt it
    /// (public and active, or theirs); `None` otherwise.
    async fn for_scoring(
        &self,
        challenge: ChallengeRef,
        player: PlayerId,
    ) -> anyhow::Result<Option<ScoringChallenge>>;

    /// The author of a challenge (deleted ones included), if it exists.
    async fn author(&self, challenge: ChallengeRef) -> anyhow::Result<Option<PlayerId>>;

    /// The titles of those of `challenges` that `viewer` may see (others are missing).
    async fn titles(
        &self,
        viewer: Viewer,
        challenges: &[ChallengeRef],
    ) -> anyhow::Result<HashMap<ChallengeRef, ChallengeTitle>>;
}

/// How a submission list names the challenge of each submission.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChallengeTitle {
    pub title: String,
    pub slug: String,
    /// The challenge's type (`dsa`, `bug-fix`, `feature`).
    pub kind: String,
}

/// What scoring needs to know of a user, provided by the identity context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayerInfo {
    /// IANA time zone name; streak days are counted in it.
    pub timezone: String,
    /// Whether their privacy settings let others see their stats.
    pub listed: bool,
}

/// A player's public face on the boards: their name and avatar.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlayerFace {
    pub username: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub avatar: Option<String>,
}

/// Users as scoring knows them, provided by the identity context.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PlayerDirectory: Send + Sync {
    /// The player, if their account exists.
    async fn player(&self, id: PlayerId) -> anyhow::Result<Option<PlayerInfo>>;

    /// The public faces of those of `players` whose accounts are usable (others are missing).
    async fn faces(&self, players: &[PlayerId]) -> anyhow::Result<HashMap<PlayerId, PlayerFace>>;

    /// Whether `viewer` (`None`: anonymous) may see `player`'s stats, by the profile's privacy
    /// rule the identity context keeps (one rule for every read about a user).
    async fn stats_access(
        &self,
        viewer: Option<Viewer>,
        player: PlayerId,
    ) -> anyhow::Result<StatsAccess>;
}

/// What a viewer may see of a player's stats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsAccess {
    /// No such account.
    Unknown,
    /// Their profile is private.
    ProfilePrivate,
    /// Their profile is public, their stats are not.
    StatsPrivate,
    /// Shown.
    Shown,
}

/// Something worth telling the player about.
#[derive(Debug, Clone, PartialEq)]
pub enum ScoringEvent {
    AchievementUnlocked {
        player: PlayerId,
        achievement: AchievementId,
        name: String,
        xp: u64,
        rarity: crate::achievement::Rarity,
    },
    LevelUp {
        player: PlayerId,
        level: u32,
    },
    StreakMilestone {
        player: PlayerId,
        days: u32,
    },
    /// A successful scored submission (first or not): what learning playlists' challenge
    /// lessons wait for.
    ChallengeSolved {
        player: PlayerId,
        challenge: ChallengeRef,
    },
}

/// Where scoring's events go (the notifications context subscribes when it exists). Publishing
/// happens after the commit and must not fail the scoring.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ScoringEvents: Send + Sync {
    async fn publish(&self, event: ScoringEvent);
}

/// Events written to the log only.
pub struct LogEvents;

#[async_trait]
impl ScoringEvents for LogEvents {
    async fn publish(&self, event: ScoringEvent) {
        tracing::info!(?event, "scoring event");
    }
}

/// The scoring context's store ports, as an adapter crate opens them on one database
/// (`stackrush_scoring_sqlite::stores`, `stackrush_scoring_mongo::stores`).
#[derive(Clone)]
pub struct Stores {
    pub attempts: Arc<dyn AttemptRepository>,
    pub submissions: Arc<dyn SubmissionRepository>,
    pub progress: Arc<dyn ProgressRepository>,
    pub boards: Arc<dyn LeaderboardRepository>,
    pub achievements: Arc<dyn AchievementRepository>,
}

impl Stores {
    /// Every port served by one adapter.
    pub fn of<T>(adapter: Arc<T>) -> Self
    where
        T: AttemptRepository
            + SubmissionRepository
            + ProgressRepository
            + LeaderboardRepository
            + AchievementRepository
            + 'static,
    {
        Self {
            attempts: adapter.clone(),
            submissions: adapter.clone(),
            progress: adapter.clone(),
            boards: adapter.clone(),
            achievements: adapter,
        }
    }
}

/// Every port the service needs.
#[derive(Clone)]
pub struct Ports {
    pub attempts: Arc<dyn AttemptRepository>,
    pub submissions: Arc<dyn SubmissionRepository>,
    pub progress: Arc<dyn ProgressRepository>,
    pub boards: Arc<dyn LeaderboardRepository>,
    pub achievements: Arc<dyn AchievementRepository>,
    pub catalog: Arc<dyn ChallengeCatalog>,
    pub players: Arc<dyn PlayerDirectory>,
    pub events: Arc<dyn ScoringEvents>,
    /// Scored submissions, for the analytics context's event store.
    pub activity: Arc<dyn stackrush_kernel::activity::ActivityLog>,
    pub clock: Arc<dyn Clock>,
}
