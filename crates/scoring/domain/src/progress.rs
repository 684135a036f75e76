//! A player's progress (XP, level, streak), the XP ledger behind it, leaderboard positions, and
//! the one atomic write that scoring a submission makes.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Utc};
use stackrush_kernel::{define_id, StoreError};

use crate::achievement::{AchievementId, Unlock};
use crate::model::{ChallengeRef, PlayerId, PlaylistRef, ReviewRef};
use crate::streak::Streak;
use crate::submission::{Language, Submission, SubmissionId};

define_id!(
    /// Identifies one XP ledger entry.
    LedgerEntryId
);

/// Why XP changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XpReason {
    /// First success on a challenge.
    ChallengeCompleted,
    /// An achievement's reward.
    AchievementUnlocked,
    /// A code review completed for someone else (the reviews context's).
    CodeReviewed,
    /// A learning playlist completed (the learning context's).
    PlaylistCompleted,
}

impl XpReason {
    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ChallengeCompleted => "challenge_completed",
            Self::AchievementUnlocked => "achievement_unlocked",
            Self::CodeReviewed => "code_reviewed",
            Self::PlaylistCompleted => "playlist_completed",
        }
    }

    /// The reason named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::ChallengeCompleted,
            Self::AchievementUnlocked,
            Self::CodeReviewed,
            Self::PlaylistCompleted,
        ]
        .into_iter()
        .find(|r| r.as_str() == name)
    }
}

/// What an XP change came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XpSource {
    Submission(SubmissionId),
    Achievement(AchievementId),
    /// A code review (owned by the reviews context).
    CodeReview(ReviewRef),
    /// A learning playlist (owned by the learning context).
    Playlist(PlaylistRef),
}

impl XpSource {
    /// The stored and shown kind: `submission`, `achievement`, `code_review` or `playlist`.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Submission(_) => "submission",
            Self::Achievement(_) => "achievement",
            Self::CodeReview(_) => "code_review",
            Self::Playlist(_) => "playlist",
        }
    }

    /// The source's id.
    pub fn id_bytes(self) -> [u8; 12] {
        match self {
            Self::Submission(id) => id.bytes(),
            Self::Achievement(id) => id.bytes(),
            Self::CodeReview(id) => id.bytes(),
            Self::Playlist(id) => id.bytes(),
        }
    }
}

/// One append-only XP change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub id: LedgerEntryId,
    pub player: PlayerId,
    pub delta: i64,
    pub reason: XpReason,
    pub source: XpSource,
    /// Which challenge, for challenge completions.
    pub challenge: Option<ChallengeRef>,
    /// The player's XP after this entry.
    pub balance: u64,
    pub at: DateTime<Utc>,
}

/// A player's progress. `xp` always equals the sum of their ledger entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub player: PlayerId,
    pub xp: u64,
    pub level: u32,
    /// Scored submissions.
    pub attempts: u64,
    /// Challenges with at least one success.
    pub completed: u64,
    pub streak: Streak,
    pub last_active_at: Option<DateTime<Utc>>,
    /// Shown on leaderboards (the user's privacy lets others see their stats).
    pub listed: bool,
    /// Bumped by every write; a write expecting another version is stale.
    pub version: u64,
}

impl Progress {
    /// A player who has not scored anything yet (version 0: no stored record).
    pub fn new(player: PlayerId, listed: bool) -> Self {
        Self {
            player,
            xp: 0,
            level: 1,
            attempts: 0,
            completed: 0,
            streak: Streak::default(),
            last_active_at: None,
            listed,
            version: 0,
        }
    }
}

/// A player's best successful result on one challenge.
#[derive(Debug, Clone, PartialEq)]
pub struct ChallengeBest {
    pub player: PlayerId,
    pub challenge: ChallengeRef,
    pub submission: SubmissionId,
    pub score: f64,
    /// When this best score was first reached (the scoring's time).
    pub achieved_at: DateTime<Utc>,
    /// Milliseconds the browser reported (shown, never ranked on: anyone can forge it).
    pub execution_time: Option<u64>,
    /// Milliseconds the server observed from the attempt's start to the scoring; unknown (no
    /// attempt) ranks after every known time.
    pub solve_time: Option<u64>,
    pub listed: bool,
}

impl ChallengeBest {
    /// The solve time as ranked: unknown is the longest.
    pub fn solve_key(&self) -> u64 {
        self.solve_time
            .unwrap_or(i64::MAX as u64)
            .min(i64::MAX as u64)
    }

    /// Whether `self` ranks above `other`: a higher score, then a shorter solve time as the
    /// server observed it, then reached earlier.
    pub fn beats(&self, other: &ChallengeBest) -> bool {
        (other.score, self.solve_key(), self.achieved_at)
            < (self.score, other.solve_key(), other.achieved_at)
    }
}

/// The leaderboards that rank players by XP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Board {
    /// Total XP.
    Global,
    /// XP earned since Monday 00:00 UTC.
    Weekly,
    /// XP earned since the 1st of the month, 00:00 UTC.
    Monthly,
}

/// One window of a board: the board and when the window started.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BoardWindow {
    pub board: Board,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

impl BoardWindow {
    /// The window of `board` that contains `at`.
    pub fn containing(board: Board, at: DateTime<Utc>) -> Self {
        let day = at.date_naive();
        let (start, end) = match board {
            Board::Global => {
                return Self {
                    board,
                    start: None,
                    end: None,
                }
            }
            Board::Weekly => {
                let back = u64::from(day.weekday().num_days_from_monday());
                let monday = day.checked_sub_days(Days::new(back)).unwrap_or(day);
                (monday, monday.checked_add_days(Days::new(7)))
            }
            Board::Monthly => {
                let first = NaiveDate::from_ymd_opt(day.year(), day.month(), 1).unwrap_or(day);
                (first, first.checked_add_months(chrono::Months::new(1)))
            }
        };
        let utc = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc();
        Self {
            board,
            start: Some(utc(start)),
            end: end.map(utc),
        }
    }

    /// The stored key of the window: `all`, `week:2026-11-23`, `month:2026-11-01`.
    pub fn key(&self) -> String {
        match (self.board, self.start) {
            (Board::Weekly, Some(s)) => format!("week:{}", s.date_naive()),
            (Board::Monthly, Some(s)) => format!("month:{}", s.date_naive()),
            _ => "all".to_owned(),
        }
    }
}

/// A player's XP on one board window before and after a scoring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardMove {
    pub key: String,
    pub from: u64,
    pub to: u64,
}

/// One row of an XP board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardRow {
    pub player: PlayerId,
    pub xp: u64,
    /// Competition rank (1, 2, 2, 4).
    pub rank: u64,
    /// When the player reached this XP (earlier ranks first among equals).
    pub reached_at: DateTime<Utc>,
}

/// A listed player's place on one XP board window, before ranking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardEntry {
    pub player: PlayerId,
    pub xp: u64,
    /// When the player reached this XP (earlier first among equals).
    pub reached_at: DateTime<Utc>,
}

impl BoardEntry {
    /// The entry with its competition rank.
    pub fn ranked(self, rank: u64) -> BoardRow {
        BoardRow {
            player: self.player,
            xp: self.xp,
            rank,
            reached_at: self.reached_at,
        }
    }
}

/// Which way from an entry, in board order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Towards the top (more XP, or the same reached earlier).
    Ahead,
    /// Towards the bottom.
    Behind,
}

/// One row of a challenge's board.
#[derive(Debug, Clone, PartialEq)]
pub struct ChallengeBoardRow {
    pub best: ChallengeBest,
    pub rank: u64,
}

/// Which progress figure a simple ranking orders by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressOrder {
    Xp,
    Level,
    Streak,
    Completed,
}

/// What scoring knows about a player before scoring one of their submissions.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayerSnapshot {
    /// `None` before their first scoring.
    pub progress: Option<Progress>,
    /// Their best success on the challenge being scored, if any.
    pub best: Option<ChallengeBest>,
    /// XP on the current weekly and monthly windows.
    pub weekly_xp: u64,
    pub monthly_xp: u64,
    /// Achievements already unlocked.
    pub unlocked: Vec<AchievementId>,
    /// Successful submissions per language so far.
    pub language_successes: Vec<(Language, u64)>,
}

/// A scoring's effect on a challenge's statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct ChallengeStatsDelta {
    pub challenge: ChallengeRef,
    pub success: bool,
    pub score: f64,
    /// Seconds spent, for successes.
    pub time_spent: Option<f64>,
}

/// Everything scoring one submission writes, applied all together or not at all.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoringCommit {
    /// The submission with its execution record and `scored_at` set (`None` when only
    /// achievements are granted).
    pub submission: Option<Submission>,
    /// The progress version the rest was computed from.
    pub expected_version: u64,
    /// The progress after scoring (its `version` is `expected_version + 1`).
    pub progress: Progress,
    pub ledger: Vec<LedgerEntry>,
    pub boards: Vec<BoardMove>,
    /// A new best on the challenge.
    pub best: Option<ChallengeBest>,
    pub challenge_stats: Option<ChallengeStatsDelta>,
    pub unlocks: Vec<Unlock>,
    pub at: DateTime<Utc>,
}

/// Why a commit was not applied.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    /// The submission was scored already (nothing written).
    #[error("submission already scored")]
    AlreadyScored,
    /// The player's progress moved on since the snapshot (nothing written; compute again).
    #[error("progress changed concurrently")]
    Stale,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn weekly_windows_start_on_monday_midnight_utc() {
        // 2026-11-25 is a Wednesday.
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 23, 59, 0).unwrap();
        let w = BoardWindow::containing(Board::Weekly, at);
        assert_eq!(
            w.start,
            Some(Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap())
        );
        assert_eq!(
            w.end,
            Some(Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap())
        );
        assert_eq!(w.key(), "week:2026-11-23");
        let monday = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
        assert_eq!(
            BoardWindow::containing(Board::Weekly, monday).key(),
            "week:2026-11-23"
        );
        let sunday = monday - chrono::Duration::seconds(1);
        assert_eq!(
            BoardWindow::containing(Board::Weekly, sunday).key(),
            "week:2026-11-16"
        );
    }

    #[test]
    fn monthly_windows_start_on_the_first_and_cross_years() {
        let at = Utc.with_ymd_and_hms(2026, 12, 31, 12, 0, 0).unwrap();
        let m = BoardWindow::containing(Board::Monthly, at);
        assert_eq!(m.key(), "month:2026-12-01");
        assert_eq!(
            m.end,
            Some(Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap())
        );
        assert_eq!(BoardWindow::containing(Board::Global, at).key(), "all");
    }

    #[test]
    fn challenge_bests_rank_by_score_then_server_observed_time_then_earliest() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let best = |score: f64, mins: i64, solve: Option<u64>| ChallengeBest {
            player: PlayerId::generate(t0),
            challenge: ChallengeRef::generate(t0),
            submission: SubmissionId::generate(t0),
            score,
            achieved_at: t0 + chrono::Duration::minutes(mins),
            // A forged browser time decides nothing.
            execution_time: Some(0),
            solve_time: solve,
            listed: true,
        };
        assert!(best(90.0, 5, None).beats(&best(80.0, 0, Some(1))));
        assert!(
            best(90.0, 9, Some(1)).beats(&best(90.0, 0, Some(50))),
            "faster solve wins"
        );
        assert!(
            best(90.0, 0, Some(50)).beats(&best(90.0, 1, Some(50))),
            "then earlier"
        );
        assert!(
            best(90.0, 9, Some(1)).beats(&best(90.0, 0, None)),
            "unknown is slowest"
        );
        assert!(!best(90.0, 0, Some(1)).beats(&best(90.0, 0, Some(1))));
    }
}
