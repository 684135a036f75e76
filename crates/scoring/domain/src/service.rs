//! The scoring service.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use garde::Validate;
use rand::RngCore;
use stackrush_kernel::{
    FieldError, Freshness, Page, PageRequest, ReadMemory, Shared, SharedAnswers, StoreError,
};

use crate::achievement::{
    default_set, Achievement, AchievementDraft, AchievementId, UnlockedAchievement,
};
use crate::error::ScoringError;
use crate::model::*;
use crate::plan::{plan_award, plan_check, plan_scoring, window_keys, Plan, ScoringInput};
use crate::ports::{ChallengeTitle, PlayerFace, PlayerInfo, Ports, StatsAccess};
use crate::progress::{
    Board, BoardEntry, BoardRow, BoardWindow, ChallengeBoardRow, CommitError, LedgerEntry,
    Progress, ProgressOrder, Side, XpReason, XpSource,
};
use crate::ranking;
use crate::score::{score, KeywordRules, TestSpec, Violation};
use crate::stats::summarize;
use crate::submission::*;
use crate::xp::is_success;

/// Extra time after the limit during which results are still accepted (network, slow machines).
pub const GRACE: Duration = Duration::minutes(5);

/// How long a scoring is planned and committed again while concurrent commits keep winning
/// (another instance scoring the same player, or other players' commits holding the counters
/// they share, such as a challenge's stats) before the caller gets `Busy`.
const RETRY_BUDGET: std::time::Duration = std::time::Duration::from_secs(10);

/// The longest pause between two tries, in milliseconds (jittered below it).
const MAX_BACKOFF_MS: u64 = 64;

/// Per-player write locks, striped: one instance never races itself on a player's progress.
const STRIPES: usize = 256;

/// How many times the asked number of players the streak board reads to find live streaks
/// among stored ones (a streak broken since is read as 0 and left out).
const STREAK_DEPTH: u32 = 4;

/// A scored submission and what it changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub submission: Submission,
    pub progress: Progress,
    /// Achievements this scoring unlocked.
    pub unlocked: Vec<Achievement>,
}

/// Where a player stands now and how this week went.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub progress: Progress,
    /// Global rank; `None` when not on the board (no XP, or hidden).
    pub rank: Option<u64>,
    /// XP earned since Monday 00:00 UTC.
    pub weekly_xp: u64,
    /// Challenges first completed since Monday 00:00 UTC.
    pub weekly_completed: u64,
    /// Places gained this week: the rank the week-start XP would have on today's board,
    /// minus today's rank (0 when not ranked).
    pub rank_change: i64,
}

/// A player's rank and how far some XP moved it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RankMove {
    /// Global rank; `None` when not on the board (no XP, or hidden).
    pub rank: Option<u64>,
    /// Places gained by the XP (0 when not ranked).
    pub change: i64,
    /// The current streak as shown now.
    pub streak: u32,
}

/// One page of an XP board and the window it covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Leaderboard {
    pub window: BoardWindow,
    pub rows: Page<BoardRow>,
    /// The faces of the players on `rows` (those whose accounts are usable).
    pub faces: HashMap<PlayerId, PlayerFace>,
}

/// Submissions, with the titles of their challenges the viewer may see.
#[derive(Debug, Clone, PartialEq)]
pub struct Titled<T> {
    pub items: T,
    pub titles: HashMap<ChallengeRef, ChallengeTitle>,
}

/// Something listing players, with their faces.
#[derive(Debug, Clone, PartialEq)]
pub struct Faced<T> {
    pub items: T,
    /// The faces of the players in `items` (those whose accounts are usable).
    pub faces: HashMap<PlayerId, PlayerFace>,
}

/// The scoring context's inbound port.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ScoringApi: Send + Sync {
    /// Starts an attempt: stores it (expiring after the time limit plus [`GRACE`], with a random
    /// nonce) and returns it with every test's input, expected outputs only for visible tests.
    /// Errors: `ChallengeNotFound` (also for challenges the player may not see).
    async fn start_attempt(&self, cmd: StartAttempt) -> Result<StartedAttempt, ScoringError>;

    /// Stores a pending submission. Errors: `Invalid` (code blank or over 102,400 characters),
    /// `ChallengeNotFound`, `AttemptNotFound` (not theirs or another challenge's),
    /// `AttemptMismatch` (nonce), `AttemptExpired`.
    async fn submit(&self, viewer: Viewer, new: NewSubmission) -> Result<Submission, ScoringError>;

    /// A submission its owner, an admin or the challenge's author may read.
    /// Errors: `SubmissionNotFound`.
    async fn submission(
        &self,
        viewer: Viewer,
        id: SubmissionId,
    ) -> Result<Submission, ScoringError>;

    /// One page of submissions. Without `filter.player` they are the viewer's own; another
    /// player's need an admin (`Forbidden`).
    async fn submissions(
        &self,
        viewer: Viewer,
        filter: SubmissionFilter,
        page: PageRequest,
    ) -> Result<Titled<Page<Submission>>, ScoringError>;

    /// One page of a challenge's submissions, for its author or an admin.
    /// Errors: `ChallengeNotFound`, `Forbidden`.
    async fn challenge_submissions(
        &self,
        viewer: Viewer,
        challenge: ChallengeRef,
        filter: SubmissionFilter,
        page: PageRequest,
    ) -> Result<Titled<Page<Submission>>, ScoringError>;

    /// Deletes one of the viewer's submissions (XP earned stays). Errors: `SubmissionNotFound`.
    async fn delete_submission(&self, viewer: Viewer, id: SubmissionId)
        -> Result<(), ScoringError>;

    /// The viewer's submission statistics.
    async fn submission_stats(&self, player: PlayerId) -> Result<SubmissionStats, ScoringError>;

    /// Keeps a focus session's figures in the simulation record of the submission written in
    /// it: the one it names (which must be the player's: else `SubmissionNotFound`), or else the
    /// player's latest submission to its challenge whose attempt started during the session.
    /// Which submission it updated, if any.
    async fn record_focus(
        &self,
        player: PlayerId,
        report: FocusReport,
    ) -> Result<Option<SubmissionId>, ScoringError>;

    /// Scores the browser's run of a submission: the server decides every test, computes the
    /// score, and applies XP, level, streak, bests, stats and achievements in one write.
    /// Errors: `Invalid` (a pending status), `SubmissionNotFound` (not the owner's),
    /// `AlreadyScored`, `AttemptExpired`, `ChallengeNotFound`, `Busy`.
    async fn score(
        &self,
        viewer: Viewer,
        id: SubmissionId,
        run: BrowserRun,
    ) -> Result<Scored, ScoringError>;

    /// One page of a player's XP ledger, newest first; for them or an admin (`Forbidden`).
    async fn xp_history(
        &self,
        viewer: Viewer,
        player: PlayerId,
        page: PageRequest,
    ) -> Result<Page<LedgerEntry>, ScoringError>;

    /// One page of the current window of an XP board, shared by everyone who asks for it
    /// within a second (see [`BOARD_PAGE_TTL`]).
    async fn leaderboard(
        &self,
        board: Board,
        page: PageRequest,
    ) -> Result<Arc<Shared<Leaderboard>>, ScoringError>;

    /// The player's row on the current window of a board, with `span` neighbours each side
    /// (no rows when they are not on it).
    async fn around(
        &self,
        board: Board,
        player: PlayerId,
        span: u32,
    ) -> Result<Leaderboard, ScoringError>;

    /// One page of a visible challenge's board. Errors: `ChallengeNotFound`.
    async fn challenge_leaderboard(
        &self,
        viewer: Option<Viewer>,
        challenge: ChallengeRef,
        page: PageRequest,
    ) -> Result<Faced<Page<ChallengeBoardRow>>, ScoringError>;

    /// The listed players highest by `order`.
    async fn top_players(
        &self,
        order: ProgressOrder,
        limit: u32,
    ) -> Result<Faced<Vec<Progress>>, ScoringError>;

    /// Percent of scored submissions, everyone's, that succeeded (platform figures).
    async fn success_rate(&self) -> Result<f64, ScoringError>;

    /// A player's rank and this week's figures.
    async fn standing(&self, player: PlayerId) -> Result<Standing, ScoringError>;

    /// A player's global rank now, and the places the last `gained` XP moved them on today's
    /// board (for a summary of a period in which they earned it), with their streak.
    async fn rank_move(&self, player: PlayerId, gained: u64) -> Result<RankMove, ScoringError>;

    /// A player's progress (a fresh one before their first scoring), its streak as shown now:
    /// broken (0) once a whole local day passed without a success.
    async fn progress(&self, player: PlayerId) -> Result<Progress, ScoringError>;

    /// Achievement definitions: active ones, or all for admins.
    async fn achievements(&self, viewer: Option<Viewer>) -> Result<Vec<Achievement>, ScoringError>;

    /// One definition (inactive ones for admins only). Errors: `AchievementNotFound`.
    async fn achievement(
        &self,
        viewer: Option<Viewer>,
        id: AchievementId,
    ) -> Result<Achievement, ScoringError>;

    /// Admin: a new definition. Errors: `Forbidden`, `Invalid`, `AchievementExists`.
    async fn create_achievement(
        &self,
        viewer: Viewer,
        draft: AchievementDraft,
    ) -> Result<Achievement, ScoringError>;

    /// Admin: replaces a definition. Errors: `Forbidden`, `Invalid`, `AchievementNotFound`,
    /// `AchievementExists`.
    async fn update_achievement(
        &self,
        viewer: Viewer,
        id: AchievementId,
        draft: AchievementDraft,
    ) -> Result<Achievement, ScoringError>;

    /// Admin: deletes a definition (unlocks and their XP stay). Errors: `Forbidden`,
    /// `AchievementNotFound`.
    async fn delete_achievement(
        &self,
        viewer: Viewer,
        id: AchievementId,
    ) -> Result<(), ScoringError>;

    /// What a player unlocked, oldest first.
    async fn unlocked(&self, player: PlayerId) -> Result<Vec<UnlockedAchievement>, ScoringError>;

    /// What a player unlocked, oldest first, as `viewer` may see it (their privacy rule).
    /// Errors: `PlayerNotFound`, `ProfilePrivate`, `StatsPrivate`.
    async fn unlocked_for(
        &self,
        viewer: Option<Viewer>,
        player: PlayerId,
    ) -> Result<Vec<UnlockedAchievement>, ScoringError>;

    /// Unlocks whatever the player has earned and not yet unlocked; returns those.
    async fn check_achievements(&self, player: PlayerId) -> Result<Vec<Achievement>, ScoringError>;

    /// Stores the default achievements that are missing (by key); how many were added.
    async fn seed_achievements(&self) -> Result<usize, ScoringError>;

    /// Shows or hides a player on every leaderboard (their privacy settings changed).
    async fn set_listed(&self, player: PlayerId, listed: bool) -> Result<(), ScoringError>;

    /// Pays `reviewer` [`REVIEW_XP`] for completing code review `review` (once per review, at
    /// most [`REVIEW_REWARDS_PER_DAY`] a UTC day; the reviews context decides what counts).
    /// The XP paid: 0 when the review was paid already or the day's cap is reached.
    async fn reward_review(
        &self,
        reviewer: PlayerId,
        review: ReviewRef,
    ) -> Result<u64, ScoringError>;

    /// Whether `player` has a successful scored submission of `challenge`.
    async fn has_solved(
        &self,
        player: PlayerId,
        challenge: ChallengeRef,
    ) -> Result<bool, ScoringError>;

    /// Pays `learner` `xp` for completing learning playlist `playlist` (the learning context
    /// decides when and how much), once per learner and playlist: the XP paid, 0 when it was
    /// paid already.
    async fn reward_playlist(
        &self,
        learner: PlayerId,
        playlist: PlaylistRef,
        xp: u64,
    ) -> Result<u64, ScoringError>;
}

/// XP a reviewer earns for a completed code review.
pub const REVIEW_XP: u64 = 25;
/// Completed code reviews paid per reviewer and UTC day.
pub const REVIEW_REWARDS_PER_DAY: u64 = 5;

/// The scoring rules over the outbound ports.
pub struct ScoringService {
    ports: Ports,
    stripes: Vec<tokio::sync::Mutex<()>>,
    definitions: ReadMemory<(), Arc<Vec<Achievement>>>,
    board_pages: SharedAnswers<(String, PageRequest), Leaderboard>,
}

/// How long an XP board page is answered from memory. Every XP change and every change of who
/// is listed made through this service forgets the pages at once (hiding one's stats leaves the
/// board at once); what this bounds is how old the names and avatars on a page may be, and
/// XP moved by other instances sharing a MongoDB.
pub const BOARD_PAGE_TTL: Duration = Duration::seconds(1);

/// The most board pages remembered at once (windows × pages actually read).
const BOARD_PAGES: usize = 256;

/// How long the achievement definitions (read by every scoring) are remembered. Writes through
/// this service forget them at once; the `seed` command may add some from another process,
/// so even on a file held by one server they are trusted only this long.
const DEFINITIONS_TTL: Duration = Duration::seconds(1);

impl ScoringService {
    /// A service over `ports`.
    pub fn new(ports: Ports) -> Self {
        Self {
            ports,
            stripes: (0..STRIPES).map(|_| tokio::sync::Mutex::new(())).collect(),
            definitions: ReadMemory::new(Freshness::Shared(DEFINITIONS_TTL), 1),
            board_pages: SharedAnswers::new(BOARD_PAGE_TTL, BOARD_PAGES),
        }
    }

    /// Every achievement definition, active or not (remembered briefly, see [`DEFINITIONS_TTL`]).
    async fn definitions(&self) -> Result<Arc<Vec<Achievement>>, ScoringError> {
        let now = self.ports.clock.now();
        if let Some(all) = self.definitions.get(&(), now) {
            return Ok(all);
        }
        let ticket = self.definitions.ticket();
        let all = Arc::new(self.ports.achievements.list().await?);
        self.definitions
            .put(ticket, (), Arc::clone(&all), now, None);
        Ok(all)
    }

    fn stripe(&self, player: PlayerId) -> &tokio::sync::Mutex<()> {
        let bytes = player.bytes();
        // The id's last bytes are a counter: they spread players evenly.
        let index = usize::from(bytes[11]) | (usize::from(bytes[10]) << 8);
        &self.stripes[index % self.stripes.len()]
    }

    /// The service as a shared inbound port.
    pub fn into_api(self) -> Arc<dyn ScoringApi> {
        Arc::new(self)
    }

    async fn challenge_author(
        &self,
        challenge: ChallengeRef,
    ) -> Result<Option<PlayerId>, ScoringError> {
        self.ports
            .catalog
            .author(challenge)
            .await
            .map_err(ScoringError::Unavailable)
    }

    async fn may_read(&self, viewer: Viewer, s: &Submission) -> Result<bool, ScoringError> {
        if viewer.is_admin || viewer.player == s.player {
            return Ok(true);
        }
        Ok(self.challenge_author(s.challenge).await? == Some(viewer.player))
    }

    /// `page` with the titles of its submissions' challenges that `viewer` may see.
    async fn titled(
        &self,
        viewer: Viewer,
        page: Page<Submission>,
    ) -> Result<Titled<Page<Submission>>, ScoringError> {
        let mut seen = std::collections::HashSet::new();
        let ids: Vec<ChallengeRef> = page
            .items
            .iter()
            .map(|s| s.challenge)
            .filter(|id| seen.insert(*id))
            .collect();
        let titles = if ids.is_empty() {
            HashMap::new()
        } else {
            self.ports
                .catalog
                .titles(viewer, &ids)
                .await
                .map_err(ScoringError::Unavailable)?
        };
        Ok(Titled {
            items: page,
            titles,
        })
    }

    /// The faces of `players`, from the identity context.
    async fn faces(
        &self,
        players: impl Iterator<Item = PlayerId>,
    ) -> Result<HashMap<PlayerId, PlayerFace>, ScoringError> {
        let ids: Vec<PlayerId> = players.collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        self.ports
            .players
            .faces(&ids)
            .await
            .map_err(ScoringError::Unavailable)
    }

    /// `rows` of board window `key`, in board order, with their competition ranks.
    /// The player's global rank, and the places the last `gained` of their `xp` moved them:
    /// the rank `xp - gained` would have on today's board, minus today's rank.
    async fn moved(
        &self,
        player: PlayerId,
        xp: u64,
        gained: u64,
    ) -> Result<(Option<u64>, i64), StoreError> {
        let boards = &self.ports.boards;
        let Some(me) = boards.entry("all", player).await? else {
            return Ok((None, 0));
        };
        let now_rank = ranking::rank_from_better_count(boards.more_xp_than("all", me.xp).await?);
        let before = xp.saturating_sub(gained);
        let mut then = ranking::rank_from_better_count(boards.more_xp_than("all", before).await?);
        if gained > 0 {
            // Today's board counts the player above their own earlier XP.
            then = then.saturating_sub(1);
        }
        let change = i64::try_from(then).unwrap_or(i64::MAX) - i64::try_from(now_rank).unwrap_or(0);
        Ok((Some(now_rank), change))
    }

    async fn ranked(&self, key: &str, rows: Vec<BoardEntry>) -> Result<Vec<BoardRow>, StoreError> {
        let ranked = ranking::competition_ranked(
            rows,
            |ahead, entry| ahead.xp == entry.xp,
            |entry| self.ports.boards.more_xp_than(key, entry.xp),
        )
        .await?;
        Ok(ranked
            .into_iter()
            .map(|(entry, rank)| entry.ranked(rank))
            .collect())
    }

    async fn player_info(&self, player: PlayerId) -> Result<PlayerInfo, ScoringError> {
        Ok(self
            .ports
            .players
            .player(player)
            .await
            .map_err(ScoringError::Unavailable)?
            .unwrap_or(PlayerInfo {
                timezone: "UTC".to_owned(),
                listed: false,
            }))
    }

    /// `progress` as shown now: the stored streak is the one at the last success; shown, it is
    /// broken once a whole local day (in the player's time zone) passed without one.
    async fn as_shown(&self, mut progress: Progress) -> Result<Progress, ScoringError> {
        if progress.streak.current == 0 {
            return Ok(progress);
        }
        let tz: Tz = self
            .player_info(progress.player)
            .await?
            .timezone
            .parse()
            .unwrap_or(Tz::UTC);
        progress.streak.current =
            crate::streak::current_at(progress.streak, self.ports.clock.now(), tz);
        Ok(progress)
    }

    async fn active_definitions(&self) -> Result<Vec<Achievement>, ScoringError> {
        let all = self.definitions().await?;
        Ok(all.iter().filter(|a| a.is_active).cloned().collect())
    }

    /// Plans with a fresh snapshot and commits, again while the progress moves underneath.
    async fn apply<F>(
        &self,
        player: PlayerId,
        challenge: Option<ChallengeRef>,
        now: DateTime<Utc>,
        mut planner: F,
    ) -> Result<Option<Plan>, ScoringError>
    where
        F: FnMut(&crate::progress::PlayerSnapshot) -> Option<Plan> + Send,
    {
        let turn = self.stripe(player).lock().await;
        let deadline = std::time::Instant::now() + RETRY_BUDGET;
        for attempt in 0_u32.. {
            if attempt > 0 {
                if std::time::Instant::now() >= deadline {
                    break;
                }
                // Another writer won the race: back off a little, with jitter.
                let ceiling = (2_u64 << attempt.min(6)).min(MAX_BACKOFF_MS);
                let wait = rand::random_range(1..=ceiling);
                tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
            }
            let snapshot = self
                .ports
                .progress
                .snapshot(player, challenge, window_keys(now))
                .await?;
            let Some(plan) = planner(&snapshot) else {
                return Ok(None);
            };
            match self.ports.progress.commit(&plan.commit).await {
                Ok(()) => {
                    self.board_pages.forget_all();
                    // Published after the player's turn ends: a subscriber may come back to
                    // this service for the same player (a completed playlist's XP).
                    drop(turn);
                    for event in &plan.events {
                        self.ports.events.publish(event.clone()).await;
                    }
                    return Ok(Some(plan));
                }
                Err(CommitError::Stale) => continue,
                Err(CommitError::AlreadyScored) => return Err(ScoringError::AlreadyScored),
                Err(CommitError::Store(e)) => return Err(e.into()),
            }
        }
        Err(ScoringError::Busy)
    }
}

fn nonce() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn validation(report: garde::Report) -> ScoringError {
    ScoringError::Invalid(
        report
            .iter()
            .map(|(path, e)| {
                FieldError::new(
                    stackrush_kernel::json_field_path(&path.to_string()),
                    e.message(),
                )
            })
            .collect(),
    )
}

fn admin(viewer: Viewer) -> Result<(), ScoringError> {
    if viewer.is_admin {
        Ok(())
    } else {
        Err(ScoringError::Forbidden)
    }
}

fn achievement_conflict(e: StoreError) -> ScoringError {
    match e {
        StoreError::Conflict { .. } => ScoringError::AchievementExists,
        e => e.into(),
    }
}

/// The execution record the server decides for `run` of `code` on `challenge`.
fn judge(
    challenge: &ScoringChallenge,
    code: &str,
    run: &BrowserRun,
    seconds: Option<f64>,
) -> Execution {
    let specs: Vec<TestSpec<'_>> = challenge
        .tests
        .iter()
        .map(|t| TestSpec {
            expected_output: &t.expected_output,
            weight: t.weight,
        })
        .collect();
    let reported: Vec<Option<&ReportedTest>> = challenge
        .tests
        .iter()
        .map(|t| run.test_results.iter().find(|r| r.test_case == t.id))
        .collect();
    let actual: Vec<Option<&str>> = reported
        .iter()
        .map(|r| r.map(|r| r.actual_output.as_str()))
        .collect();
    let rules = KeywordRules {
        forbidden: &challenge.forbidden_keywords,
        required: &challenge.required_keywords,
    };
    let limit_secs = f64::from(challenge.time_limit) * 60.0;
    let outcome = score(
        &specs,
        &actual,
        seconds.unwrap_or(f64::NAN),
        limit_secs,
        code,
        &rules,
    );
    let test_results = challenge
        .tests
        .iter()
        .zip(&reported)
        .zip(&outcome.passed)
        .map(|((t, r), passed)| TestVerdict {
            test_case: t.id,
            passed: *passed,
            is_hidden: t.is_hidden,
            weight: t.weight,
            expected_output: (!t.is_hidden).then(|| t.expected_output.clone()),
            actual_output: r.map(|r| r.actual_output.clone()),
            execution_time: r.and_then(|r| r.execution_time),
            error: r.and_then(|r| r.error.clone()),
        })
        .collect();
    Execution {
        status: run.status,
        score: outcome.score,
        raw_score: (outcome.raw_score * 100.0).round() / 100.0,
        time_factor: outcome.time_factor,
        total_tests: u32::try_from(outcome.total_tests).unwrap_or(u32::MAX),
        passed_tests: u32::try_from(outcome.passed_tests).unwrap_or(u32::MAX),
        execution_time: run.execution_time,
        memory_usage: run.memory_usage,
        output: run.output.clone(),
        error: run.error.clone(),
        test_results,
        violations: outcome
            .violations
            .iter()
            .map(|v| match v {
                Violation::Forbidden(w) => format!("forbidden: {w}"),
                Violation::Missing(w) => format!("missing: {w}"),
            })
            .collect(),
        executed_in_browser: true,
        browser_environment: run.browser_environment.clone(),
    }
}

#[async_trait]
impl ScoringApi for ScoringService {
    async fn start_attempt(&self, cmd: StartAttempt) -> Result<StartedAttempt, ScoringError> {
        let challenge = self
            .ports
            .catalog
            .for_scoring(cmd.challenge, cmd.player)
            .await
            .map_err(ScoringError::Unavailable)?
            .ok_or(ScoringError::ChallengeNotFound)?;
        let now = self.ports.clock.now();
        let attempt = Attempt {
            id: AttemptId::generate(now),
            player: cmd.player,
            challenge: challenge.id,
            mode: cmd.mode,
            distraction_level: cmd.distraction_level,
            started_at: now,
            expires_at: now + Duration::minutes(i64::from(challenge.time_limit)) + GRACE,
            nonce: nonce(),
        };
        self.ports.attempts.insert(&attempt).await?;
        let tests = challenge
            .tests
            .into_iter()
            .map(|t| AttemptTest {
                id: t.id,
                expected_output: (!t.is_hidden).then_some(t.expected_output),
                input: t.input,
                is_hidden: t.is_hidden,
                weight: t.weight,
            })
            .collect();
        Ok(StartedAttempt { attempt, tests })
    }

    async fn submit(&self, viewer: Viewer, new: NewSubmission) -> Result<Submission, ScoringError> {
        if new.code.trim().is_empty() {
            return Err(ScoringError::invalid("code", "must not be empty"));
        }
        if new.code.chars().count() > MAX_CODE_CHARS {
            return Err(ScoringError::invalid(
                "code",
                "must be at most 102400 characters",
            ));
        }
        let challenge = self
            .ports
            .catalog
            .for_scoring(new.challenge, viewer.player)
            .await
            .map_err(ScoringError::Unavailable)?
            .ok_or(ScoringError::ChallengeNotFound)?;
        let now = self.ports.clock.now();
        let mut simulation = new.simulation;
        let (attempt, started_at) = match new.attempt {
            None => (None, now),
            Some((id, nonce)) => {
                let attempt = self
                    .ports
                    .attempts
                    .find(id)
                    .await?
                    .filter(|a| a.player == viewer.player && a.challenge == challenge.id)
                    .ok_or(ScoringError::AttemptNotFound)?;
                if attempt.nonce != nonce {
                    return Err(ScoringError::AttemptMismatch);
                }
                if now > attempt.expires_at {
                    return Err(ScoringError::AttemptExpired);
                }
                // The server's record of the conditions wins over the browser's.
                simulation.mode = attempt.mode;
                simulation.distraction_level = attempt.distraction_level;
                (Some(attempt.id), attempt.started_at)
            }
        };
        let submission = Submission {
            id: SubmissionId::generate(now),
            player: viewer.player,
            challenge: challenge.id,
            attempt,
            code: new.code,
            language: new.language,
            difficulty: challenge.difficulty,
            challenge_type: challenge.kind,
            execution: Execution {
                executed_in_browser: true,
                time_factor: 1.0,
                ..Execution::default()
            },
            simulation,
            started_at,
            submitted_at: now,
            scored_at: None,
            success: false,
            xp_awarded: 0,
            created_at: now,
            updated_at: now,
        };
        self.ports.submissions.insert(&submission).await?;
        Ok(submission)
    }

    async fn submission(
        &self,
        viewer: Viewer,
        id: SubmissionId,
    ) -> Result<Submission, ScoringError> {
        let found = self
            .ports
            .submissions
            .find(id)
            .await?
            .ok_or(ScoringError::SubmissionNotFound)?;
        if self.may_read(viewer, &found).await? {
            Ok(found)
        } else {
            Err(ScoringError::SubmissionNotFound)
        }
    }

    async fn submissions(
        &self,
        viewer: Viewer,
        mut filter: SubmissionFilter,
        page: PageRequest,
    ) -> Result<Titled<Page<Submission>>, ScoringError> {
        match filter.player {
            None => filter.player = Some(viewer.player),
            Some(p) if p != viewer.player && !viewer.is_admin => {
                return Err(ScoringError::Forbidden)
            }
            Some(_) => {}
        }
        let found = self.ports.submissions.list(&filter, page).await?;
        self.titled(viewer, found).await
    }

    async fn challenge_submissions(
        &self,
        viewer: Viewer,
        challenge: ChallengeRef,
        mut filter: SubmissionFilter,
        page: PageRequest,
    ) -> Result<Titled<Page<Submission>>, ScoringError> {
        let author = self
            .challenge_author(challenge)
            .await?
            .ok_or(ScoringError::ChallengeNotFound)?;
        if !viewer.is_admin && author != viewer.player {
            // Someone who may not see the challenge learns no more than "not found".
            let visible = self
                .ports
                .catalog
                .for_scoring(challenge, viewer.player)
                .await
                .map_err(ScoringError::Unavailable)?
                .is_some();
            return Err(if visible {
                ScoringError::Forbidden
            } else {
                ScoringError::ChallengeNotFound
            });
        }
        filter.challenge = Some(challenge);
        let found = self.ports.submissions.list(&filter, page).await?;
        self.titled(viewer, found).await
    }

    async fn delete_submission(
        &self,
        viewer: Viewer,
        id: SubmissionId,
    ) -> Result<(), ScoringError> {
        if self.ports.submissions.delete(id, viewer.player).await? {
            Ok(())
        } else {
            Err(ScoringError::SubmissionNotFound)
        }
    }

    async fn submission_stats(&self, player: PlayerId) -> Result<SubmissionStats, ScoringError> {
        Ok(summarize(&self.ports.submissions.facts(player).await?))
    }

    async fn record_focus(
        &self,
        player: PlayerId,
        report: FocusReport,
    ) -> Result<Option<SubmissionId>, ScoringError> {
        let target = match (report.submission, report.challenge) {
            (Some(id), _) => Some(
                self.ports
                    .submissions
                    .find(id)
                    .await?
                    .filter(|s| s.player == player)
                    .ok_or(ScoringError::SubmissionNotFound)?,
            ),
            (None, Some(challenge)) => {
                let filter = SubmissionFilter {
                    player: Some(player),
                    challenge: Some(challenge),
                    descending: true,
                    ..SubmissionFilter::default()
                };
                let recent = self
                    .ports
                    .submissions
                    .list(&filter, PageRequest::new(1, 20))
                    .await?;
                recent.items.into_iter().find(|s| report.covers(s))
            }
            (None, None) => None,
        };
        let Some(target) = target else {
            return Ok(None);
        };
        let simulation = report.applied_to(&target.simulation);
        let now = self.ports.clock.now();
        if self
            .ports
            .submissions
            .set_simulation(target.id, player, &simulation, now)
            .await?
        {
            Ok(Some(target.id))
        } else {
            // Deleted meanwhile.
            Err(ScoringError::SubmissionNotFound)
        }
    }

    async fn score(
        &self,
        viewer: Viewer,
        id: SubmissionId,
        run: BrowserRun,
    ) -> Result<Scored, ScoringError> {
        if run.status == RunStatus::Pending {
            return Err(ScoringError::invalid(
                "status",
                "must be completed, failed or timeout",
            ));
        }
        let problems = run.problems();
        if !problems.is_empty() {
            return Err(ScoringError::Invalid(problems));
        }
        let submission = self
            .ports
            .submissions
            .find(id)
            .await?
            .filter(|s| s.player == viewer.player)
            .ok_or(ScoringError::SubmissionNotFound)?;
        if submission.is_completed() {
            return Err(ScoringError::AlreadyScored);
        }
        let now = self.ports.clock.now();
        let seconds = match submission.attempt {
            None => None,
            Some(attempt) => {
                let attempt = self
                    .ports
                    .attempts
                    .find(attempt)
                    .await?
                    .ok_or(ScoringError::AttemptNotFound)?;
                if now > attempt.expires_at {
                    return Err(ScoringError::AttemptExpired);
                }
                Some((now - attempt.started_at).num_milliseconds().max(0) as f64 / 1000.0)
            }
        };
        let challenge = self
            .ports
            .catalog
            .for_scoring(submission.challenge, submission.player)
            .await
            .map_err(ScoringError::Unavailable)?
            .ok_or(ScoringError::ChallengeNotFound)?;
        let info = self.player_info(submission.player).await?;
        let tz: Tz = info.timezone.parse().unwrap_or(Tz::UTC);
        let definitions = self.active_definitions().await?;

        let mut scored = submission;
        scored.execution = judge(&challenge, &scored.code, &run, seconds);
        scored.success = is_success(run.status == RunStatus::Completed, scored.execution.score);
        scored.scored_at = Some(now);
        scored.updated_at = now;

        let completed_before = std::sync::atomic::AtomicU64::new(0);
        let plan = self
            .apply(scored.player, Some(scored.challenge), now, |snapshot| {
                completed_before.store(
                    snapshot.progress.as_ref().map_or(0, |p| p.completed),
                    std::sync::atomic::Ordering::Relaxed,
                );
                Some(plan_scoring(ScoringInput {
                    scored: &scored,
                    seconds,
                    snapshot,
                    definitions: &definitions,
                    tz,
                    listed: info.listed,
                    now,
                }))
            })
            .await?
            .ok_or_else(|| ScoringError::Internal(anyhow::anyhow!("scoring planned nothing")))?;
        let completed_before = completed_before.into_inner();
        let submission = plan.commit.submission.ok_or_else(|| {
            ScoringError::Internal(anyhow::anyhow!("scoring lost its submission"))
        })?;
        let xp: i64 = plan.commit.ledger.iter().map(|e| e.delta).sum();
        let facts = stackrush_kernel::activity::Scored {
            challenge: submission.challenge.bytes(),
            challenge_type: challenge.kind.clone(),
            score: submission.execution.score,
            success: submission.success,
            first: plan.commit.progress.completed > completed_before,
            xp: u64::try_from(xp).unwrap_or(0),
            minutes: seconds.map(|s| s / 60.0),
            skills: challenge.skills.clone(),
        };
        self.ports
            .activity
            .record(stackrush_kernel::activity::Activity {
                actor: submission.player.bytes(),
                at: now,
                what: stackrush_kernel::activity::Happened::Scored(facts),
            })
            .await;
        Ok(Scored {
            submission,
            progress: plan.commit.progress,
            unlocked: plan.unlocked,
        })
    }

    async fn xp_history(
        &self,
        viewer: Viewer,
        player: PlayerId,
        page: PageRequest,
    ) -> Result<Page<LedgerEntry>, ScoringError> {
        if viewer.player != player && !viewer.is_admin {
            return Err(ScoringError::Forbidden);
        }
        Ok(self.ports.progress.ledger(player, page).await?)
    }

    async fn leaderboard(
        &self,
        board: Board,
        page: PageRequest,
    ) -> Result<Arc<Shared<Leaderboard>>, ScoringError> {
        let now = self.ports.clock.now();
        let window = BoardWindow::containing(board, now);
        let key = window.key();
        let load = || async {
            let entries = self.ports.boards.board(&key, page).await?;
            let rows = Page {
                items: self.ranked(&key, entries.items).await?,
                request: entries.request,
                total: entries.total,
            };
            let faces = self.faces(rows.items.iter().map(|r| r.player)).await?;
            Ok::<_, ScoringError>(Leaderboard {
                window,
                rows,
                faces,
            })
        };
        self.board_pages
            .answer((key.clone(), page), now, load)
            .await
    }

    async fn around(
        &self,
        board: Board,
        player: PlayerId,
        span: u32,
    ) -> Result<Leaderboard, ScoringError> {
        let window = BoardWindow::containing(board, self.ports.clock.now());
        let key = window.key();
        let boards = &self.ports.boards;
        let items = match boards.entry(&key, player).await? {
            None => Vec::new(),
            Some(me) => {
                let ahead = boards.neighbours(&key, &me, Side::Ahead, span).await?;
                let behind = boards.neighbours(&key, &me, Side::Behind, span).await?;
                let rows = ranking::window(ahead, me, behind);
                self.ranked(&key, rows).await?
            }
        };
        let total = items.len() as u64;
        let request = PageRequest::new(1, u32::try_from(total).unwrap_or(1).max(1));
        let faces = self.faces(items.iter().map(|r| r.player)).await?;
        Ok(Leaderboard {
            window,
            rows: Page {
                items,
                request,
                total,
            },
            faces,
        })
    }

    async fn challenge_leaderboard(
        &self,
        viewer: Option<Viewer>,
        challenge: ChallengeRef,
        page: PageRequest,
    ) -> Result<Faced<Page<ChallengeBoardRow>>, ScoringError> {
        // Visible to this viewer (or to anyone, for anonymous viewers): the catalog decides.
        let as_player = viewer.map_or(PlayerId::from_bytes([0; 12]), |v| v.player);
        let visible = viewer.is_some_and(|v| v.is_admin)
            || self
                .ports
                .catalog
                .for_scoring(challenge, as_player)
                .await
                .map_err(ScoringError::Unavailable)?
                .is_some();
        if !visible {
            return Err(ScoringError::ChallengeNotFound);
        }
        let bests = self.ports.boards.challenge_board(challenge, page).await?;
        let ranked = ranking::competition_ranked(
            bests.items,
            |ahead, best| !ahead.beats(best),
            |best| {
                let best = best.clone();
                async move { self.ports.boards.bests_beating(challenge, &best).await }
            },
        )
        .await?;
        let rows: Vec<ChallengeBoardRow> = ranked
            .into_iter()
            .map(|(best, rank)| ChallengeBoardRow { best, rank })
            .collect();
        let faces = self.faces(rows.iter().map(|r| r.best.player)).await?;
        Ok(Faced {
            items: Page {
                items: rows,
                request: bests.request,
                total: bests.total,
            },
            faces,
        })
    }

    async fn top_players(
        &self,
        order: ProgressOrder,
        limit: u32,
    ) -> Result<Faced<Vec<Progress>>, ScoringError> {
        let limit = limit.clamp(1, 100);
        let players = if order == ProgressOrder::Streak {
            // The store orders by the streak as of each player's last success; shown, a streak
            // with a whole missed local day is 0. Read deeper, break the stale ones, keep the
            // live ones in order.
            let stored = self
                .ports
                .boards
                .top(order, limit.saturating_mul(STREAK_DEPTH))
                .await?;
            let mut shown = Vec::with_capacity(stored.len());
            for p in stored {
                let p = self.as_shown(p).await?;
                if p.streak.current > 0 {
                    shown.push(p);
                }
            }
            shown.sort_by_key(|p| std::cmp::Reverse(p.streak.current));
            shown.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            shown
        } else {
            let mut shown = Vec::new();
            for p in self.ports.boards.top(order, limit).await? {
                shown.push(self.as_shown(p).await?);
            }
            shown
        };
        let faces = self.faces(players.iter().map(|p| p.player)).await?;
        Ok(Faced {
            items: players,
            faces,
        })
    }

    async fn success_rate(&self) -> Result<f64, ScoringError> {
        let one = PageRequest::new(1, 1);
        let count = |filter: SubmissionFilter| async move {
            Ok::<u64, ScoringError>(self.ports.submissions.list(&filter, one).await?.total)
        };
        let all = count(SubmissionFilter::default()).await?;
        let pending = count(SubmissionFilter {
            status: Some(RunStatus::Pending),
            ..SubmissionFilter::default()
        })
        .await?;
        // Success is a completed run scoring at least 70.
        let successes = count(SubmissionFilter {
            status: Some(RunStatus::Completed),
            min_score: Some(crate::xp::SUCCESS_SCORE),
            ..SubmissionFilter::default()
        })
        .await?;
        let scored = all.saturating_sub(pending);
        Ok(if scored == 0 {
            0.0
        } else {
            (successes as f64 * 10_000.0 / scored as f64).round() / 100.0
        })
    }

    async fn standing(&self, player: PlayerId) -> Result<Standing, ScoringError> {
        let now = self.ports.clock.now();
        let progress = self.progress(player).await?;
        let [week, _] = crate::plan::windows(now);
        let boards = &self.ports.boards;
        let weekly_xp = boards.entry(&week.key(), player).await?.map_or(0, |e| e.xp);
        let (rank, rank_change) = self.moved(player, progress.xp, weekly_xp).await?;
        // Completions this week: the ledger, newest first, until the week's start.
        let start = week.start.unwrap_or(now);
        let mut weekly_completed = 0;
        let mut page = 1;
        'pages: loop {
            let entries = self
                .ports
                .progress
                .ledger(player, PageRequest::new(page, 100))
                .await?;
            for e in &entries.items {
                if e.at < start {
                    break 'pages;
                }
                if e.reason == crate::progress::XpReason::ChallengeCompleted {
                    weekly_completed += 1;
                }
            }
            if !entries.has_next() {
                break;
            }
            page += 1;
        }
        Ok(Standing {
            progress,
            rank,
            weekly_xp,
            weekly_completed,
            rank_change,
        })
    }

    async fn rank_move(&self, player: PlayerId, gained: u64) -> Result<RankMove, ScoringError> {
        let progress = self.progress(player).await?;
        let (rank, change) = self.moved(player, progress.xp, gained).await?;
        Ok(RankMove {
            rank,
            change,
            streak: progress.streak.current,
        })
    }

    async fn progress(&self, player: PlayerId) -> Result<Progress, ScoringError> {
        let progress = self
            .ports
            .progress
            .progress(player)
            .await?
            .unwrap_or_else(|| Progress::new(player, true));
        self.as_shown(progress).await
    }

    async fn achievements(&self, viewer: Option<Viewer>) -> Result<Vec<Achievement>, ScoringError> {
        let all = self.definitions().await?;
        let everything = viewer.is_some_and(|v| v.is_admin);
        Ok(all
            .iter()
            .filter(|a| everything || a.is_active)
            .cloned()
            .collect())
    }

    async fn achievement(
        &self,
        viewer: Option<Viewer>,
        id: AchievementId,
    ) -> Result<Achievement, ScoringError> {
        self.ports
            .achievements
            .find(id)
            .await?
            .filter(|a| a.is_active || viewer.is_some_and(|v| v.is_admin))
            .ok_or(ScoringError::AchievementNotFound)
    }

    async fn create_achievement(
        &self,
        viewer: Viewer,
        draft: AchievementDraft,
    ) -> Result<Achievement, ScoringError> {
        admin(viewer)?;
        draft.validate().map_err(validation)?;
        let now = self.ports.clock.now();
        let achievement = Achievement::from_draft(AchievementId::generate(now), draft, now);
        let stored = self.ports.achievements.insert(&achievement).await;
        self.definitions.forget_all();
        stored.map_err(achievement_conflict)?;
        Ok(achievement)
    }

    async fn update_achievement(
        &self,
        viewer: Viewer,
        id: AchievementId,
        draft: AchievementDraft,
    ) -> Result<Achievement, ScoringError> {
        admin(viewer)?;
        draft.validate().map_err(validation)?;
        let existing = self
            .ports
            .achievements
            .find(id)
            .await?
            .ok_or(ScoringError::AchievementNotFound)?;
        let updated = Achievement::from_draft(id, draft, existing.created_at);
        let replaced = self.ports.achievements.replace(&updated).await;
        self.definitions.forget_all();
        if replaced.map_err(achievement_conflict)? {
            Ok(updated)
        } else {
            Err(ScoringError::AchievementNotFound)
        }
    }

    async fn delete_achievement(
        &self,
        viewer: Viewer,
        id: AchievementId,
    ) -> Result<(), ScoringError> {
        admin(viewer)?;
        let deleted = self.ports.achievements.delete(id).await;
        self.definitions.forget_all();
        if deleted? {
            Ok(())
        } else {
            Err(ScoringError::AchievementNotFound)
        }
    }

    async fn unlocked(&self, player: PlayerId) -> Result<Vec<UnlockedAchievement>, ScoringError> {
        let unlocked = self.ports.achievements.unlocked(player).await?;
        let definitions = self.definitions().await?;
        Ok(unlocked
            .into_iter()
            .filter_map(|(id, at)| {
                definitions
                    .iter()
                    .find(|a| a.id == id)
                    .map(|a| UnlockedAchievement {
                        achievement: a.clone(),
                        unlocked_at: at,
                    })
            })
            .collect())
    }

    async fn unlocked_for(
        &self,
        viewer: Option<Viewer>,
        player: PlayerId,
    ) -> Result<Vec<UnlockedAchievement>, ScoringError> {
        let access = self
            .ports
            .players
            .stats_access(viewer, player)
            .await
            .map_err(ScoringError::Unavailable)?;
        match access {
            StatsAccess::Unknown => Err(ScoringError::PlayerNotFound),
            StatsAccess::ProfilePrivate => Err(ScoringError::ProfilePrivate),
            StatsAccess::StatsPrivate => Err(ScoringError::StatsPrivate),
            StatsAccess::Shown => self.unlocked(player).await,
        }
    }

    async fn check_achievements(&self, player: PlayerId) -> Result<Vec<Achievement>, ScoringError> {
        let info = self.player_info(player).await?;
        let definitions = self.active_definitions().await?;
        let now = self.ports.clock.now();
        let plan = self
            .apply(player, None, now, |snapshot| {
                plan_check(player, snapshot, &definitions, info.listed, now)
            })
            .await?;
        Ok(plan.map(|p| p.unlocked).unwrap_or_default())
    }

    async fn reward_review(
        &self,
        reviewer: PlayerId,
        review: ReviewRef,
    ) -> Result<u64, ScoringError> {
        let reason = XpReason::CodeReviewed;
        let source = XpSource::CodeReview(review);
        let now = self.ports.clock.now();
        let day = now
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .map_or(now, |midnight| midnight.and_utc());
        let progress = &self.ports.progress;
        if progress.awarded(reviewer, reason, source).await?
            || progress.awards_since(reviewer, reason, day).await? >= REVIEW_REWARDS_PER_DAY
        {
            return Ok(0);
        }
        let info = self.player_info(reviewer).await?;
        let plan = self
            .apply(reviewer, None, now, |snapshot| {
                Some(plan_award(
                    reviewer,
                    snapshot,
                    (REVIEW_XP, reason, source),
                    info.listed,
                    now,
                ))
            })
            .await?;
        Ok(plan.map_or(0, |_| REVIEW_XP))
    }

    async fn has_solved(
        &self,
        player: PlayerId,
        challenge: ChallengeRef,
    ) -> Result<bool, ScoringError> {
        // Every success records a best (kept when a later one is not better).
        let now = self.ports.clock.now();
        let snapshot = self
            .ports
            .progress
            .snapshot(player, Some(challenge), window_keys(now))
            .await?;
        Ok(snapshot.best.is_some())
    }

    async fn reward_playlist(
        &self,
        learner: PlayerId,
        playlist: PlaylistRef,
        xp: u64,
    ) -> Result<u64, ScoringError> {
        let reason = XpReason::PlaylistCompleted;
        let source = XpSource::Playlist(playlist);
        if xp == 0 || self.ports.progress.awarded(learner, reason, source).await? {
            return Ok(0);
        }
        let info = self.player_info(learner).await?;
        let now = self.ports.clock.now();
        // The ledger keeps one entry per player, reason and source (a unique key): of two
        // awards racing past the check above, the second commit is refused, and it answers 0.
        let planned = self
            .apply(learner, None, now, |snapshot| {
                Some(plan_award(
                    learner,
                    snapshot,
                    (xp, reason, source),
                    info.listed,
                    now,
                ))
            })
            .await;
        match planned {
            Ok(plan) => Ok(plan.map_or(0, |_| xp)),
            Err(e) if self.ports.progress.awarded(learner, reason, source).await? => {
                tracing::debug!(error = %e, "playlist XP was paid by a concurrent award");
                Ok(0)
            }
            Err(e) => Err(e),
        }
    }

    async fn seed_achievements(&self) -> Result<usize, ScoringError> {
        let existing = self.ports.achievements.list().await?;
        let now = self.ports.clock.now();
        let mut added = 0;
        for draft in default_set() {
            if existing.iter().any(|a| a.key == draft.key) {
                continue;
            }
            let achievement = Achievement::from_draft(AchievementId::generate(now), draft, now);
            let stored = self.ports.achievements.insert(&achievement).await;
            self.definitions.forget_all();
            match stored {
                Ok(()) => added += 1,
                // Seeded concurrently by another process: already there.
                Err(StoreError::Conflict { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(added)
    }

    async fn set_listed(&self, player: PlayerId, listed: bool) -> Result<(), ScoringError> {
        let result = self.ports.progress.set_listed(player, listed).await;
        self.board_pages.forget_all();
        Ok(result?)
    }
}
