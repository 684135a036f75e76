//! The scoring commit, written by the synchronous writer (`Db::write`): commits that arrive while
//! a batch holds the writer are applied together, in one transaction, each inside a savepoint of
//! its own, with no thread hand-off between their statements.
//!
//! Every scoring rewrites the same hot pages (rank buckets, the challenge's row and the catalogue
//! indexes over its stats, board indexes); committed one by one, each commit would append all of
//! them to the WAL again. Each commit still succeeds or fails on its own: a stale plan or an
//! already scored submission rolls back only its savepoint. A store failure that ends the
//! transaction fails every commit of the batch, and none is applied.

use std::sync::LazyLock;

use rusqlite::{params, Connection};
use stackrush_challenges::{AttemptOutcome, ChallengeId};
use stackrush_kernel::StoreError;
use stackrush_scoring::progress::{CommitError, ScoringCommit, XpSource};
use stackrush_store_sqlite::{millis, WriteError};

use crate::progress::PROGRESS;
use crate::{n, SqliteScoring};
use stackrush_store_sqlite::rows::to_json;

/// A first progress row (every column of [`PROGRESS`], in order), unless one exists already.
static INSERT_PROGRESS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO progress ({PROGRESS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
         ON CONFLICT (player) DO NOTHING"
    )
});

/// A failed statement inside a commit: conflicts mean someone else got there first.
fn failed(err: rusqlite::Error) -> CommitError {
    match crate::sync_store_error(err) {
        StoreError::Conflict { .. } => CommitError::Stale,
        e => CommitError::Store(e),
    }
}

impl SqliteScoring {
    /// Applies `commit` in the writer's next group commit.
    pub(crate) async fn apply(&self, commit: &ScoringCommit) -> Result<(), CommitError> {
        let commit = commit.clone();
        let mirror = self.mirror;
        self.db
            .write(move |conn| write_commit(conn, &commit, mirror))
            .await
            .map_err(WriteError::into_inner)
    }
}

/// Writes commit `c` on `conn` (inside the job's savepoint); with `mirror`, also the challenge's
/// stats columns.
fn write_commit(conn: &Connection, c: &ScoringCommit, mirror: bool) -> Result<(), CommitError> {
    let at = millis(c.at);
    let player = c.progress.player.to_hex();
    if let Some(s) = &c.submission {
        let execution = to_json(&s.execution)?;
        let updated = conn
            .prepare_cached(
                "UPDATE submissions SET status = ?2, score = ?3, success = ?4, \
                   execution_time = ?5, xp_awarded = ?6, execution = ?7, scored_at = ?8, \
                   updated_at = ?9 \
                 WHERE id = ?1 AND scored_at IS NULL",
            )
            .and_then(|mut q| {
                q.execute(params![
                    s.id.to_hex(),
                    s.execution.status.as_str(),
                    s.execution.score,
                    s.success,
                    s.execution.execution_time.map(n),
                    n(s.xp_awarded),
                    execution,
                    s.scored_at.map(millis),
                    millis(s.updated_at),
                ])
            })
            .map_err(failed)?;
        if updated != 1 {
            return Err(CommitError::AlreadyScored);
        }
    }
    write_progress(conn, c, &player)?;
    for e in &c.ledger {
        let (kind, source) = source_key(e.source);
        conn.prepare_cached(
            "INSERT INTO xp_ledger (id, player, delta, reason, source_kind, source, challenge, \
               balance, at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .and_then(|mut q| {
            q.execute(params![
                e.id.to_hex(),
                e.player.to_hex(),
                e.delta,
                e.reason.as_str(),
                kind,
                source,
                e.challenge.map(|c| c.to_hex()),
                n(e.balance),
                millis(e.at),
            ])
        })
        .map_err(failed)?;
    }
    // The boards' buckets follow by trigger (`3004_bucket_triggers.sql`).
    for m in &c.boards {
        conn.prepare_cached(
            "INSERT INTO board_scores (board, player, xp, reached_at, listed) \
             VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (board, player) DO UPDATE SET xp = excluded.xp, \
               reached_at = excluded.reached_at, listed = excluded.listed",
        )
        .and_then(|mut q| q.execute(params![m.key, player, n(m.to), at, c.progress.listed]))
        .map_err(failed)?;
    }
    if let Some(b) = &c.best {
        conn.prepare_cached(
            "INSERT INTO challenge_bests (challenge, player, submission, score, achieved_at, \
               execution_time, solve_time, listed) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
             ON CONFLICT (challenge, player) DO UPDATE SET submission = excluded.submission, \
               score = excluded.score, achieved_at = excluded.achieved_at, \
               execution_time = excluded.execution_time, solve_time = excluded.solve_time, \
               listed = excluded.listed",
        )
        .and_then(|mut q| {
            q.execute(params![
                b.challenge.to_hex(),
                b.player.to_hex(),
                b.submission.to_hex(),
                b.score,
                millis(b.achieved_at),
                b.execution_time.map(n),
                n(b.solve_key()),
                b.listed,
            ])
        })
        .map_err(failed)?;
    }
    for unlock in &c.unlocks {
        conn.prepare_cached(
            "INSERT INTO player_achievements (player, achievement, unlocked_at) \
             VALUES (?1, ?2, ?3)",
        )
        .and_then(|mut q| {
            q.execute(params![
                unlock.player.to_hex(),
                unlock.achievement.to_hex(),
                millis(unlock.unlocked_at),
            ])
        })
        .map_err(failed)?;
    }
    if mirror {
        mirror_stats(conn, c)?;
    }
    Ok(())
}

/// The progress row: inserted for a first commit (version 0), otherwise updated only if still
/// at the version the plan read.
fn write_progress(conn: &Connection, c: &ScoringCommit, player: &str) -> Result<(), CommitError> {
    let p = &c.progress;
    let (xp, level, attempts, completed) =
        (n(p.xp), i64::from(p.level), n(p.attempts), n(p.completed));
    let (streak, best, last_day) = (
        i64::from(p.streak.current),
        i64::from(p.streak.best),
        p.streak.last_day.map(|d| d.to_string()),
    );
    let (active, version) = (p.last_active_at.map(millis), n(p.version));
    let written = if c.expected_version == 0 {
        conn.prepare_cached(&INSERT_PROGRESS).and_then(|mut q| {
            q.execute(params![
                player, xp, level, attempts, completed, streak, best, last_day, active, p.listed,
                version,
            ])
        })
    } else {
        conn.prepare_cached(
            "UPDATE progress SET xp = ?2, level = ?3, attempts = ?4, completed = ?5, \
               streak = ?6, best_streak = ?7, last_day = ?8, last_active_at = ?9, listed = ?10, \
               version = ?11 \
             WHERE player = ?1 AND version = ?12",
        )
        .and_then(|mut q| {
            q.execute(params![
                player,
                xp,
                level,
                attempts,
                completed,
                streak,
                best,
                last_day,
                active,
                p.listed,
                version,
                n(c.expected_version),
            ])
        })
    }
    .map_err(failed)?;
    if written == 1 {
        Ok(())
    } else {
        Err(CommitError::Stale)
    }
}

/// The challenge's statistics, moved by the challenges adapter (which owns the row and applies
/// the challenges domain's formula) on this connection, so they change in the same transaction
/// as the ledger. (A player's figures are this context's `progress` row, which identity reads
/// through its `PlayerFigures` port: nothing is copied into `users`.)
fn mirror_stats(conn: &Connection, c: &ScoringCommit) -> Result<(), CommitError> {
    if let Some(d) = &c.challenge_stats {
        stackrush_challenges_sqlite::tallies::record_attempt(
            conn,
            ChallengeId::from_bytes(d.challenge.bytes()),
            &AttemptOutcome {
                success: d.success,
                score: d.score,
                seconds: d.time_spent,
            },
        )
        .map_err(failed)?;
    }
    Ok(())
}

/// How a ledger entry's source is stored: its kind and its id.
pub(crate) fn source_key(source: XpSource) -> (&'static str, String) {
    (
        source.kind(),
        stackrush_kernel::ObjectIdBytes::from_bytes(source.id_bytes()).to_hex(),
    )
}
