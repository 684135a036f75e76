//! Pure planning of what a scoring (or an achievement check) writes: XP only for the first
//! success on a challenge, the ledger, level, streak, board moves, bests, stats and unlocks.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::achievement::{newly_unlocked, Achievement, Facts, SuccessFacts, Unlock};
use crate::model::{ChallengeRef, PlayerId};
use crate::ports::ScoringEvent;
use crate::progress::{
    Board, BoardMove, BoardWindow, ChallengeBest, ChallengeStatsDelta, LedgerEntry, LedgerEntryId,
    PlayerSnapshot, Progress, ScoringCommit, XpReason, XpSource,
};
use crate::streak::record_success;
use crate::submission::Submission;
use crate::xp::{level, xp_for_score};

/// Streak lengths worth a notification.
pub const STREAK_MILESTONES: [u32; 6] = [3, 7, 14, 30, 100, 365];

/// The board windows containing `now`: weekly, then monthly.
pub fn windows(now: DateTime<Utc>) -> [BoardWindow; 2] {
    [
        BoardWindow::containing(Board::Weekly, now),
        BoardWindow::containing(Board::Monthly, now),
    ]
}

/// The keys of [`windows`].
pub fn window_keys(now: DateTime<Utc>) -> [String; 2] {
    let [w, m] = windows(now);
    [w.key(), m.key()]
}

/// What a scoring starts from besides the snapshot.
pub struct ScoringInput<'a> {
    /// The submission, already carrying its execution record, `success` and `scored_at`.
    pub scored: &'a Submission,
    /// Seconds from the attempt's start; `None` without an attempt.
    pub seconds: Option<f64>,
    pub snapshot: &'a PlayerSnapshot,
    pub definitions: &'a [Achievement],
    pub tz: Tz,
    /// Whether a player without stored progress is shown on leaderboards.
    pub listed: bool,
    pub now: DateTime<Utc>,
}

/// A planned write and the events to publish once it is applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub commit: ScoringCommit,
    pub events: Vec<ScoringEvent>,
    pub unlocked: Vec<Achievement>,
}

struct Builder {
    player: PlayerId,
    before: Progress,
    after: Progress,
    ledger: Vec<LedgerEntry>,
    now: DateTime<Utc>,
}

impl Builder {
    fn new(player: PlayerId, snapshot: &PlayerSnapshot, listed: bool, now: DateTime<Utc>) -> Self {
        let before = snapshot
            .progress
            .clone()
            .unwrap_or_else(|| Progress::new(player, listed));
        let mut after = before.clone();
        after.version = before.version + 1;
        Self {
            player,
            before,
            after,
            ledger: Vec::new(),
            now,
        }
    }

    fn award(
        &mut self,
        xp: u64,
        reason: XpReason,
        source: XpSource,
        challenge: Option<ChallengeRef>,
    ) {
        if xp == 0 {
            return;
        }
        self.after.xp = self.after.xp.saturating_add(xp);
        self.ledger.push(LedgerEntry {
            id: LedgerEntryId::generate(self.now),
            player: self.player,
            delta: i64::try_from(xp).unwrap_or(i64::MAX),
            reason,
            source,
            challenge,
            balance: self.after.xp,
            at: self.now,
        });
    }

    fn unlock(
        &mut self,
        definitions: &[Achievement],
        snapshot: &PlayerSnapshot,
        facts: &Facts,
        events: &mut Vec<ScoringEvent>,
    ) -> (Vec<Unlock>, Vec<Achievement>) {
        let mut unlocks = Vec::new();
        let mut unlocked = Vec::new();
        for a in newly_unlocked(definitions, &snapshot.unlocked, facts) {
            self.award(
                a.rewards.xp,
                XpReason::AchievementUnlocked,
                XpSource::Achievement(a.id),
                None,
            );
            unlocks.push(Unlock {
                player: self.player,
                achievement: a.id,
                xp: a.rewards.xp,
                unlocked_at: self.now,
            });
            events.push(ScoringEvent::AchievementUnlocked {
                player: self.player,
                achievement: a.id,
                name: a.name.clone(),
                xp: a.rewards.xp,
                rarity: a.rarity,
            });
            unlocked.push(a.clone());
        }
        (unlocks, unlocked)
    }

    fn finish(
        mut self,
        snapshot: &PlayerSnapshot,
        events: &mut Vec<ScoringEvent>,
    ) -> (Progress, u64, Vec<LedgerEntry>, Vec<BoardMove>) {
        self.after.level = level(self.after.xp);
        if self.after.level > self.before.level {
            events.push(ScoringEvent::LevelUp {
                player: self.player,
                level: self.after.level,
            });
        }
        let gained = self.after.xp - self.before.xp;
        let mut boards = Vec::new();
        if gained > 0 {
            let [week, month] = window_keys(self.now);
            boards.push(BoardMove {
                key: "all".to_owned(),
                from: self.before.xp,
                to: self.after.xp,
            });
            boards.push(BoardMove {
                key: week,
                from: snapshot.weekly_xp,
                to: snapshot.weekly_xp.saturating_add(gained),
            });
            boards.push(BoardMove {
                key: month,
                from: snapshot.monthly_xp,
                to: snapshot.monthly_xp.saturating_add(gained),
            });
        }
        (self.after, self.before.version, self.ledger, boards)
    }
}

/// Plans the scoring of `input.scored`.
pub fn plan_scoring(input: ScoringInput<'_>) -> Plan {
    let ScoringInput {
        scored,
        seconds,
        snapshot,
        definitions,
        tz,
        listed,
        now,
    } = input;
    let mut events = Vec::new();
    let mut b = Builder::new(scored.player, snapshot, listed, now);
    let score = scored.execution.score;
    let first_success = scored.success && snapshot.best.is_none();

    b.after.attempts += 1;
    b.after.last_active_at = Some(now);
    if first_success {
        b.after.completed += 1;
        b.award(
            xp_for_score(score),
            XpReason::ChallengeCompleted,
            XpSource::Submission(scored.id),
            Some(scored.challenge),
        );
    }
    if scored.success {
        events.push(ScoringEvent::ChallengeSolved {
            player: scored.player,
            challenge: scored.challenge,
        });
        let before = b.after.streak;
        b.after.streak = record_success(before, now, tz);
        let days = b.after.streak.current;
        if days > before.current && STREAK_MILESTONES.contains(&days) {
            events.push(ScoringEvent::StreakMilestone {
                player: scored.player,
                days,
            });
        }
    }

    let mut languages = snapshot.language_successes.clone();
    if scored.success {
        match languages.iter_mut().find(|(l, _)| *l == scored.language) {
            Some((_, n)) => *n += 1,
            None => languages.push((scored.language, 1)),
        }
    }
    let facts = Facts {
        scored_submissions: b.after.attempts,
        completed_challenges: b.after.completed,
        current_streak: b.after.streak.current,
        success: scored.success.then_some(SuccessFacts {
            score,
            language: scored.language,
            seconds,
        }),
        language_successes: languages,
    };
    let (unlocks, unlocked) = b.unlock(definitions, snapshot, &facts, &mut events);

    let challenge_xp = b
        .ledger
        .first()
        .filter(|e| e.reason == XpReason::ChallengeCompleted);
    let mut scored = scored.clone();
    scored.xp_awarded = challenge_xp.map_or(0, |e| e.delta.unsigned_abs());

    let listed_now = b.after.listed;
    let (progress, expected_version, ledger, boards) = b.finish(snapshot, &mut events);

    let candidate = scored.success.then_some(ChallengeBest {
        player: scored.player,
        challenge: scored.challenge,
        submission: scored.id,
        score,
        achieved_at: now,
        execution_time: scored.execution.execution_time,
        solve_time: seconds.map(|s| (s.max(0.0) * 1000.0).round() as u64),
        listed: listed_now,
    });
    let best = candidate.filter(|c| snapshot.best.as_ref().is_none_or(|old| c.score > old.score));
    let time_spent = seconds.or_else(|| scored.simulation.time_spent.map(|m| f64::from(m) * 60.0));
    let challenge_stats = Some(ChallengeStatsDelta {
        challenge: scored.challenge,
        success: scored.success,
        score,
        time_spent: if scored.success { time_spent } else { None },
    });
    Plan {
        commit: ScoringCommit {
            submission: Some(scored),
            expected_version,
            progress,
            ledger,
            boards,
            best,
            challenge_stats,
            unlocks,
            at: now,
        },
        events,
        unlocked,
    }
}

/// Plans paying `player` `xp` for `reason` from `source`, outside a scoring: the ledger entry,
/// the progress and the boards move together.
pub fn plan_award(
    player: PlayerId,
    snapshot: &PlayerSnapshot,
    award: (u64, XpReason, XpSource),
    listed: bool,
    now: DateTime<Utc>,
) -> Plan {
    let (xp, reason, source) = award;
    let mut events = Vec::new();
    let mut b = Builder::new(player, snapshot, listed, now);
    b.award(xp, reason, source, None);
    let (progress, expected_version, ledger, boards) = b.finish(snapshot, &mut events);
    Plan {
        commit: ScoringCommit {
            submission: None,
            expected_version,
            progress,
            ledger,
            boards,
            best: None,
            challenge_stats: None,
            unlocks: Vec::new(),
            at: now,
        },
        events,
        unlocked: Vec::new(),
    }
}

/// Plans unlocking what `player` has earned outside a scoring; `None` when nothing is new.
pub fn plan_check(
    player: PlayerId,
    snapshot: &PlayerSnapshot,
    definitions: &[Achievement],
    listed: bool,
    now: DateTime<Utc>,
) -> Option<Plan> {
    let mut events = Vec::new();
    let mut b = Builder::new(player, snapshot, listed, now);
    let facts = Facts {
        scored_submissions: b.after.attempts,
        completed_challenges: b.after.completed,
        current_streak: b.after.streak.current,
        success: None,
        language_successes: snapshot.language_successes.clone(),
    };
    let (unlocks, unlocked) = b.unlock(definitions, snapshot, &facts, &mut events);
    if unlocks.is_empty() {
        return None;
    }
    let (progress, expected_version, ledger, boards) = b.finish(snapshot, &mut events);
    Some(Plan {
        commit: ScoringCommit {
            submission: None,
            expected_version,
            progress,
            ledger,
            boards,
            best: None,
            challenge_stats: None,
            unlocks,
            at: now,
        },
        events,
        unlocked,
    })
}
