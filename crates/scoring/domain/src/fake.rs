//! In-memory implementations of the scoring store ports: one state behind one lock, so a commit
//! is as atomic here as in a real store.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use stackrush_kernel::{Page, PageRequest, StoreError};

use crate::achievement::{Achievement, AchievementId};
use crate::model::{Attempt, AttemptId, ChallengeRef, PlayerId};
use crate::ports::*;
use crate::progress::*;
use crate::submission::*;

#[derive(Debug, Clone)]
struct StoredEntry {
    xp: u64,
    reached_at: DateTime<Utc>,
    listed: bool,
}

/// Challenge statistics as the fake keeps them (the real stores write the challenge's record).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FakeChallengeStats {
    pub total_attempts: u64,
    pub successful_attempts: u64,
    pub score_sum: f64,
    pub time_sum: f64,
}

#[derive(Debug, Default)]
struct State {
    attempts: HashMap<AttemptId, Attempt>,
    submissions: BTreeMap<SubmissionId, Submission>,
    progress: HashMap<PlayerId, Progress>,
    ledger: Vec<LedgerEntry>,
    boards: HashMap<String, HashMap<PlayerId, StoredEntry>>,
    bests: HashMap<(ChallengeRef, PlayerId), ChallengeBest>,
    stats: HashMap<ChallengeRef, FakeChallengeStats>,
    achievements: Vec<Achievement>,
    unlocks: Vec<(PlayerId, AchievementId, DateTime<Utc>)>,
}

/// Every scoring store port in memory.
#[derive(Debug, Default, Clone)]
pub struct InMemoryScoring {
    state: Arc<Mutex<State>>,
}

/// Attempts only (kept for tests that need nothing else).
pub type InMemoryAttempts = InMemoryScoring;

impl InMemoryScoring {
    /// The listed bests of `challenge`, in no particular order.
    fn listed_bests(&self, challenge: ChallengeRef) -> Vec<ChallengeBest> {
        self.lock()
            .bests
            .values()
            .filter(|b| b.challenge == challenge && b.listed)
            .cloned()
            .collect()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The statistics commits added to `challenge`.
    pub fn challenge_stats(&self, challenge: ChallengeRef) -> FakeChallengeStats {
        self.lock()
            .stats
            .get(&challenge)
            .cloned()
            .unwrap_or_default()
    }
}

fn sort_key(s: &Submission, sort: SubmissionSort) -> f64 {
    match sort {
        SubmissionSort::CreatedAt => s.created_at.timestamp_millis() as f64,
        SubmissionSort::Score => s.execution.score,
        SubmissionSort::ExecutionTime => s.execution.execution_time.map_or(-1.0, |t| t as f64),
    }
}

fn matches(f: &SubmissionFilter, s: &Submission) -> bool {
    f.player.is_none_or(|p| p == s.player)
        && f.challenge.is_none_or(|c| c == s.challenge)
        && f.language.is_none_or(|l| l == s.language)
        && f.status.is_none_or(|st| st == s.execution.status)
        && f.min_score.is_none_or(|m| s.execution.score >= m)
        && f.max_score.is_none_or(|m| s.execution.score <= m)
        && f.from.is_none_or(|t| s.created_at >= t)
        && f.to.is_none_or(|t| s.created_at <= t)
}

fn ordered_board(state: &State, key: &str) -> Vec<(PlayerId, StoredEntry)> {
    let mut rows: Vec<(PlayerId, StoredEntry)> = state
        .boards
        .get(key)
        .map(|b| {
            b.iter()
                .filter(|(_, e)| e.listed && e.xp > 0)
                .map(|(p, e)| (*p, e.clone()))
                .collect()
        })
        .unwrap_or_default();
    rows.sort_by(|(pa, a), (pb, b)| {
        b.xp.cmp(&a.xp)
            .then(a.reached_at.cmp(&b.reached_at))
            .then(pa.cmp(pb))
    });
    rows
}

/// The board's entries in board order.
fn entries(state: &State, key: &str) -> Vec<BoardEntry> {
    ordered_board(state, key)
        .into_iter()
        .map(|(player, e)| BoardEntry {
            player,
            xp: e.xp,
            reached_at: e.reached_at,
        })
        .collect()
}

#[async_trait]
impl AttemptRepository for InMemoryScoring {
    async fn insert(&self, attempt: &Attempt) -> Result<(), StoreError> {
        self.lock().attempts.insert(attempt.id, attempt.clone());
        Ok(())
    }

    async fn find(&self, id: AttemptId) -> Result<Option<Attempt>, StoreError> {
        Ok(self.lock().attempts.get(&id).cloned())
    }
}

#[async_trait]
impl SubmissionRepository for InMemoryScoring {
    async fn insert(&self, submission: &Submission) -> Result<(), StoreError> {
        let mut state = self.lock();
        if state.submissions.contains_key(&submission.id) {
            return Err(StoreError::conflict("id"));
        }
        state.submissions.insert(submission.id, submission.clone());
        Ok(())
    }

    async fn find(&self, id: SubmissionId) -> Result<Option<Submission>, StoreError> {
        Ok(self.lock().submissions.get(&id).cloned())
    }

    async fn list(
        &self,
        filter: &SubmissionFilter,
        page: PageRequest,
    ) -> Result<Page<Submission>, StoreError> {
        let mut all: Vec<Submission> = self
            .lock()
            .submissions
            .values()
            .filter(|s| matches(filter, s))
            .cloned()
            .collect();
        all.sort_by(|a, b| {
            let (ka, kb) = (sort_key(a, filter.sort), sort_key(b, filter.sort));
            let by_key = if filter.descending {
                kb.total_cmp(&ka)
            } else {
                ka.total_cmp(&kb)
            };
            by_key.then(b.id.cmp(&a.id))
        });
        Ok(Page::slice(all, page))
    }

    async fn delete(&self, id: SubmissionId, player: PlayerId) -> Result<bool, StoreError> {
        let mut state = self.lock();
        if state
            .submissions
            .get(&id)
            .is_some_and(|s| s.player == player)
        {
            state.submissions.remove(&id);
            Ok(true)
        } else {
            Ok(false)
        }
    }

    async fn set_simulation(
        &self,
        id: SubmissionId,
        player: PlayerId,
        simulation: &Simulation,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut state = self.lock();
        match state
            .submissions
            .get_mut(&id)
            .filter(|s| s.player == player)
        {
            Some(s) => {
                s.simulation = *simulation;
                s.updated_at = now;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn facts(&self, player: PlayerId) -> Result<Vec<SubmissionFacts>, StoreError> {
        Ok(self
            .lock()
            .submissions
            .values()
            .filter(|s| s.player == player)
            .map(|s| SubmissionFacts {
                language: s.language,
                difficulty: s.difficulty.clone(),
                challenge_type: s.challenge_type.clone(),
                lines: s.lines(),
                success: s.success,
                status: s.execution.status,
                score: s.execution.score,
                execution_time: s.execution.execution_time,
                created_at: s.created_at,
            })
            .collect())
    }
}

#[async_trait]
impl ProgressRepository for InMemoryScoring {
    async fn snapshot(
        &self,
        player: PlayerId,
        challenge: Option<ChallengeRef>,
        windows: [String; 2],
    ) -> Result<PlayerSnapshot, StoreError> {
        let state = self.lock();
        let window_xp = |key: &str| {
            state
                .boards
                .get(key)
                .and_then(|b| b.get(&player))
                .map_or(0, |e| e.xp)
        };
        let mut languages: Vec<(Language, u64)> = Vec::new();
        for s in state
            .submissions
            .values()
            .filter(|s| s.player == player && s.success)
        {
            match languages.iter_mut().find(|(l, _)| *l == s.language) {
                Some((_, n)) => *n += 1,
                None => languages.push((s.language, 1)),
            }
        }
        Ok(PlayerSnapshot {
            progress: state.progress.get(&player).cloned(),
            best: challenge.and_then(|c| state.bests.get(&(c, player)).cloned()),
            weekly_xp: window_xp(&windows[0]),
            monthly_xp: window_xp(&windows[1]),
            unlocked: state
                .unlocks
                .iter()
                .filter(|(p, _, _)| *p == player)
                .map(|(_, a, _)| *a)
                .collect(),
            language_successes: languages,
        })
    }

    async fn commit(&self, c: &ScoringCommit) -> Result<(), CommitError> {
        let mut state = self.lock();
        if let Some(s) = &c.submission {
            if state
                .submissions
                .get(&s.id)
                .is_none_or(|old| old.is_completed())
            {
                return Err(CommitError::AlreadyScored);
            }
        }
        let player = c.progress.player;
        let current = state.progress.get(&player).map_or(0, |p| p.version);
        if current != c.expected_version {
            return Err(CommitError::Stale);
        }
        if c.unlocks.iter().any(|u| {
            state
                .unlocks
                .iter()
                .any(|(p, a, _)| *p == u.player && *a == u.achievement)
        }) {
            return Err(CommitError::Stale);
        }
        if let Some(s) = &c.submission {
            state.submissions.insert(s.id, s.clone());
        }
        state.progress.insert(player, c.progress.clone());
        state.ledger.extend(c.ledger.iter().cloned());
        let listed = c.progress.listed;
        for m in &c.boards {
            state.boards.entry(m.key.clone()).or_default().insert(
                player,
                StoredEntry {
                    xp: m.to,
                    reached_at: c.at,
                    listed,
                },
            );
        }
        if let Some(best) = &c.best {
            state
                .bests
                .insert((best.challenge, best.player), best.clone());
        }
        if let Some(d) = &c.challenge_stats {
            let s = state.stats.entry(d.challenge).or_default();
            s.total_attempts += 1;
            s.score_sum += d.score;
            if d.success {
                s.successful_attempts += 1;
                s.time_sum += d.time_spent.unwrap_or(0.0);
            }
        }
        for u in &c.unlocks {
            state.unlocks.push((u.player, u.achievement, u.unlocked_at));
        }
        Ok(())
    }

    async fn progress(&self, player: PlayerId) -> Result<Option<Progress>, StoreError> {
        Ok(self.lock().progress.get(&player).cloned())
    }

    async fn ledger(
        &self,
        player: PlayerId,
        page: PageRequest,
    ) -> Result<Page<LedgerEntry>, StoreError> {
        let mut mine: Vec<LedgerEntry> = self
            .lock()
            .ledger
            .iter()
            .filter(|e| e.player == player)
            .cloned()
            .collect();
        mine.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));
        Ok(Page::slice(mine, page))
    }

    async fn awards_since(
        &self,
        player: PlayerId,
        reason: XpReason,
        since: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        Ok(self
            .lock()
            .ledger
            .iter()
            .filter(|e| e.player == player && e.reason == reason && e.at >= since)
            .count() as u64)
    }

    async fn awarded(
        &self,
        player: PlayerId,
        reason: XpReason,
        source: XpSource,
    ) -> Result<bool, StoreError> {
        Ok(self
            .lock()
            .ledger
            .iter()
            .any(|e| e.player == player && e.reason == reason && e.source == source))
    }

    async fn set_listed(&self, player: PlayerId, listed: bool) -> Result<(), StoreError> {
        let mut state = self.lock();
        if let Some(p) = state.progress.get_mut(&player) {
            p.listed = listed;
        }
        for board in state.boards.values_mut() {
            if let Some(e) = board.get_mut(&player) {
                e.listed = listed;
            }
        }
        for ((_, p), best) in state.bests.iter_mut() {
            if *p == player {
                best.listed = listed;
            }
        }
        Ok(())
    }
}

#[async_trait]
impl LeaderboardRepository for InMemoryScoring {
    async fn board(&self, key: &str, page: PageRequest) -> Result<Page<BoardEntry>, StoreError> {
        Ok(Page::slice(entries(&self.lock(), key), page))
    }

    async fn entry(&self, key: &str, player: PlayerId) -> Result<Option<BoardEntry>, StoreError> {
        Ok(entries(&self.lock(), key)
            .into_iter()
            .find(|e| e.player == player))
    }

    async fn neighbours(
        &self,
        key: &str,
        from: &BoardEntry,
        side: Side,
        limit: u32,
    ) -> Result<Vec<BoardEntry>, StoreError> {
        let rows = entries(&self.lock(), key);
        let Some(at) = rows.iter().position(|e| e.player == from.player) else {
            return Ok(Vec::new());
        };
        let limit = limit as usize;
        Ok(match side {
            Side::Ahead => rows[..at].iter().rev().take(limit).cloned().collect(),
            Side::Behind => rows[at + 1..].iter().take(limit).cloned().collect(),
        })
    }

    async fn more_xp_than(&self, key: &str, xp: u64) -> Result<u64, StoreError> {
        Ok(entries(&self.lock(), key)
            .iter()
            .filter(|e| e.xp > xp)
            .count() as u64)
    }

    async fn challenge_board(
        &self,
        challenge: ChallengeRef,
        page: PageRequest,
    ) -> Result<Page<ChallengeBest>, StoreError> {
        let mut bests = self.listed_bests(challenge);
        bests.sort_by(|a, b| {
            if a.beats(b) {
                std::cmp::Ordering::Less
            } else if b.beats(a) {
                std::cmp::Ordering::Greater
            } else {
                a.player.cmp(&b.player)
            }
        });
        Ok(Page::slice(bests, page))
    }

    async fn bests_beating(
        &self,
        challenge: ChallengeRef,
        best: &ChallengeBest,
    ) -> Result<u64, StoreError> {
        Ok(self
            .listed_bests(challenge)
            .iter()
            .filter(|b| b.beats(best))
            .count() as u64)
    }

    async fn top(&self, order: ProgressOrder, limit: u32) -> Result<Vec<Progress>, StoreError> {
        let mut all: Vec<Progress> = self
            .lock()
            .progress
            .values()
            .filter(|p| p.listed)
            .cloned()
            .collect();
        let key = |p: &Progress| match order {
            ProgressOrder::Xp => p.xp,
            ProgressOrder::Level => u64::from(p.level),
            ProgressOrder::Streak => u64::from(p.streak.current),
            ProgressOrder::Completed => p.completed,
        };
        all.sort_by(|a, b| {
            key(b)
                .cmp(&key(a))
                .then(b.xp.cmp(&a.xp))
                .then(a.player.cmp(&b.player))
        });
        all.truncate(limit as usize);
        Ok(all)
    }
}

#[async_trait]
impl AchievementRepository for InMemoryScoring {
    async fn insert(&self, achievement: &Achievement) -> Result<(), StoreError> {
        let mut state = self.lock();
        if state.achievements.iter().any(|a| a.key == achievement.key) {
            return Err(StoreError::conflict("key"));
        }
        state.achievements.push(achievement.clone());
        Ok(())
    }

    async fn replace(&self, achievement: &Achievement) -> Result<bool, StoreError> {
        let mut state = self.lock();
        if state
            .achievements
            .iter()
            .any(|a| a.key == achievement.key && a.id != achievement.id)
        {
            return Err(StoreError::conflict("key"));
        }
        match state
            .achievements
            .iter_mut()
            .find(|a| a.id == achievement.id)
        {
            Some(slot) => {
                *slot = achievement.clone();
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn delete(&self, id: AchievementId) -> Result<bool, StoreError> {
        let mut state = self.lock();
        let before = state.achievements.len();
        state.achievements.retain(|a| a.id != id);
        Ok(state.achievements.len() != before)
    }

    async fn find(&self, id: AchievementId) -> Result<Option<Achievement>, StoreError> {
        Ok(self
            .lock()
            .achievements
            .iter()
            .find(|a| a.id == id)
            .cloned())
    }

    async fn list(&self) -> Result<Vec<Achievement>, StoreError> {
        let mut all = self.lock().achievements.clone();
        all.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(all)
    }

    async fn unlocked(
        &self,
        player: PlayerId,
    ) -> Result<Vec<(AchievementId, DateTime<Utc>)>, StoreError> {
        let mut mine: Vec<(AchievementId, DateTime<Utc>)> = self
            .lock()
            .unlocks
            .iter()
            .filter(|(p, _, _)| *p == player)
            .map(|(_, a, at)| (*a, *at))
            .collect();
        mine.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        Ok(mine)
    }
}
