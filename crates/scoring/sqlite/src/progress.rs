//! Progress, the XP ledger and the scoring commit.

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite, Transaction};
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_scoring::achievement::AchievementId;
use stackrush_scoring::ports::ProgressRepository;
use stackrush_scoring::progress::{
    ChallengeBest, CommitError, LedgerEntry, PlayerSnapshot, Progress, ScoringCommit, XpReason,
    XpSource,
};
use stackrush_scoring::streak::Streak;
use stackrush_scoring::{ChallengeRef, Language, PlayerId};
use stackrush_store_sqlite::{corrupt, from_millis, millis, opt_from_millis};

use crate::rows::{get, json, parsed, parsed_opt, to_json};
use crate::{n, store_error, u, SqliteScoring};

const PROGRESS: &str = "player, xp, level, attempts, completed, streak, best_streak, last_day, \
    last_active_at, listed, version";

/// Everything a scoring plan starts from, for player `?1`, challenge `?2` (or NULL) and the
/// window boards `?3`, `?4`.
const SNAPSHOT: &str = "SELECT p.player, p.xp, p.level, p.attempts, p.completed, p.streak, \
      p.best_streak, p.last_day, p.last_active_at, p.listed, p.version, \
      b.challenge AS b_challenge, b.player AS b_player, b.submission AS b_submission, \
      b.score AS b_score, b.achieved_at AS b_achieved_at, b.execution_time AS b_execution_time, \
      b.listed AS b_listed, \
      (SELECT xp FROM board_scores WHERE board = ?3 AND player = ?1) AS weekly_xp, \
      (SELECT xp FROM board_scores WHERE board = ?4 AND player = ?1) AS monthly_xp, \
      (SELECT json_group_array(achievement) FROM player_achievements WHERE player = ?1) \
        AS unlocked, \
      (SELECT json_group_array(json_array(language, n)) FROM \
        (SELECT language, COUNT(*) AS n FROM submissions WHERE player = ?1 AND success = 1 \
         GROUP BY language ORDER BY language)) AS languages \
    FROM (SELECT 1) AS one \
    LEFT JOIN progress AS p ON p.player = ?1 \
    LEFT JOIN challenge_bests AS b ON b.challenge = ?2 AND b.player = ?1";

pub(crate) fn progress_row(row: &SqliteRow) -> Result<Progress, StoreError> {
    let last_day: Option<String> = get(row, "last_day")?;
    Ok(Progress {
        player: parsed(row, "player")?,
        xp: u(get(row, "xp")?),
        level: u32::try_from(get::<i64>(row, "level")?).map_err(|e| corrupt("level", e))?,
        attempts: u(get(row, "attempts")?),
        completed: u(get(row, "completed")?),
        streak: Streak {
            current: u32::try_from(get::<i64>(row, "streak")?).map_err(|e| corrupt("streak", e))?,
            best: u32::try_from(get::<i64>(row, "best_streak")?)
                .map_err(|e| corrupt("best streak", e))?,
            last_day: last_day
                .map(|d| d.parse::<NaiveDate>().map_err(|e| corrupt("last day", e)))
                .transpose()?,
        },
        last_active_at: opt_from_millis(get(row, "last_active_at")?)?,
        listed: get(row, "listed")?,
        version: u(get(row, "version")?),
    })
}

pub(crate) fn best_row(row: &SqliteRow) -> Result<ChallengeBest, StoreError> {
    best_row_as(row, "")
}

/// A best read from columns named with `prefix` (`b_challenge`, …) in a joined row.
fn best_row_as(row: &SqliteRow, prefix: &str) -> Result<ChallengeBest, StoreError> {
    let column = |name: &str| format!("{prefix}{name}");
    Ok(ChallengeBest {
        player: parsed(row, &column("player"))?,
        challenge: parsed(row, &column("challenge"))?,
        submission: parsed(row, &column("submission"))?,
        score: get(row, &column("score"))?,
        achieved_at: from_millis(get(row, &column("achieved_at"))?)?,
        execution_time: get::<Option<i64>>(row, &column("execution_time"))?.map(u),
        listed: get(row, &column("listed"))?,
    })
}

fn ledger_row(row: &SqliteRow) -> Result<LedgerEntry, StoreError> {
    let reason: String = get(row, "reason")?;
    let kind: String = get(row, "source_kind")?;
    let source = match kind.as_str() {
        "submission" => XpSource::Submission(parsed(row, "source")?),
        "achievement" => XpSource::Achievement(parsed(row, "source")?),
        other => return Err(corrupt("source kind", other)),
    };
    Ok(LedgerEntry {
        id: parsed(row, "id")?,
        player: parsed(row, "player")?,
        delta: get(row, "delta")?,
        reason: XpReason::parse(&reason).ok_or_else(|| corrupt("reason", &reason))?,
        source,
        challenge: parsed_opt(row, "challenge")?,
        balance: u(get(row, "balance")?),
        at: from_millis(get(row, "at")?)?,
    })
}

/// A failed statement inside a commit: conflicts mean someone else got there first.
fn commit_error(err: sqlx::Error) -> CommitError {
    match store_error(err) {
        StoreError::Conflict { .. } => CommitError::Stale,
        e => CommitError::Store(e),
    }
}

async fn write_progress(
    tx: &mut Transaction<'static, Sqlite>,
    c: &ScoringCommit,
) -> Result<(), CommitError> {
    let p = &c.progress;
    let sql = if c.expected_version == 0 {
        format!(
            "INSERT INTO progress ({PROGRESS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
             ON CONFLICT (player) DO NOTHING"
        )
    } else {
        "UPDATE progress SET xp = ?2, level = ?3, attempts = ?4, completed = ?5, streak = ?6, \
           best_streak = ?7, last_day = ?8, last_active_at = ?9, listed = ?10, version = ?11 \
         WHERE player = ?1 AND version = ?12"
            .to_owned()
    };
    let done = sqlx::query(&sql)
        .bind(p.player.to_hex())
        .bind(n(p.xp))
        .bind(i64::from(p.level))
        .bind(n(p.attempts))
        .bind(n(p.completed))
        .bind(i64::from(p.streak.current))
        .bind(i64::from(p.streak.best))
        .bind(p.streak.last_day.map(|d| d.to_string()))
        .bind(p.last_active_at.map(millis))
        .bind(p.listed)
        .bind(n(p.version))
        .bind(n(c.expected_version))
        .execute(&mut **tx)
        .await
        .map_err(commit_error)?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(CommitError::Stale)
    }
}

/// Writes the player's score on each board the commit moves, in one statement; the boards'
/// buckets follow by trigger (`3004_bucket_triggers.sql`).
async fn move_on_boards(
    tx: &mut Transaction<'static, Sqlite>,
    c: &ScoringCommit,
    at: i64,
) -> Result<(), CommitError> {
    let player = c.progress.player.to_hex();
    let mut q = QueryBuilder::<Sqlite>::new(
        "INSERT INTO board_scores (board, player, xp, reached_at, listed) ",
    );
    q.push_values(&c.boards, |mut row, m| {
        row.push_bind(m.key.clone())
            .push_bind(player.clone())
            .push_bind(n(m.to))
            .push_bind(at)
            .push_bind(c.progress.listed);
    });
    q.push(
        " ON CONFLICT (board, player) DO UPDATE SET xp = excluded.xp, \
           reached_at = excluded.reached_at, listed = excluded.listed",
    );
    q.build().execute(&mut **tx).await.map_err(commit_error)?;
    Ok(())
}

impl SqliteScoring {
    /// Writes commit `c` inside the open transaction `tx` (the caller commits or rolls back).
    pub(crate) async fn apply_in(
        &self,
        tx: &mut Transaction<'static, Sqlite>,
        c: &ScoringCommit,
    ) -> Result<(), CommitError> {
        let at = millis(c.at);
        if let Some(s) = &c.submission {
            let done = sqlx::query(
                "UPDATE submissions SET status = ?2, score = ?3, success = ?4, execution_time = ?5, \
                   xp_awarded = ?6, execution = ?7, scored_at = ?8, updated_at = ?9 \
                 WHERE id = ?1 AND scored_at IS NULL",
            )
            .bind(s.id.to_hex())
            .bind(s.execution.status.as_str())
            .bind(s.execution.score)
            .bind(s.success)
            .bind(s.execution.execution_time.map(n))
            .bind(n(s.xp_awarded))
            .bind(to_json(&s.execution)?)
            .bind(s.scored_at.map(millis))
            .bind(millis(s.updated_at))
            .execute(&mut **tx)
            .await
            .map_err(commit_error)?;
            if done.rows_affected() != 1 {
                return Err(CommitError::AlreadyScored);
            }
        }
        write_progress(tx, c).await?;
        if !c.ledger.is_empty() {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO xp_ledger (id, player, delta, reason, source_kind, source, challenge, balance, at) ",
            );
            q.push_values(&c.ledger, |mut row, e| {
                let (kind, source) = match e.source {
                    XpSource::Submission(id) => ("submission", id.to_hex()),
                    XpSource::Achievement(id) => ("achievement", id.to_hex()),
                };
                row.push_bind(e.id.to_hex())
                    .push_bind(e.player.to_hex())
                    .push_bind(e.delta)
                    .push_bind(e.reason.as_str())
                    .push_bind(kind)
                    .push_bind(source)
                    .push_bind(e.challenge.map(|c| c.to_hex()))
                    .push_bind(n(e.balance))
                    .push_bind(millis(e.at));
            });
            q.build().execute(&mut **tx).await.map_err(commit_error)?;
        }
        if !c.boards.is_empty() {
            move_on_boards(tx, c, at).await?;
        }
        if let Some(b) = &c.best {
            sqlx::query(
                "INSERT INTO challenge_bests (challenge, player, submission, score, achieved_at, execution_time, listed) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
                 ON CONFLICT (challenge, player) DO UPDATE SET submission = excluded.submission, \
                   score = excluded.score, achieved_at = excluded.achieved_at, \
                   execution_time = excluded.execution_time, listed = excluded.listed",
            )
            .bind(b.challenge.to_hex())
            .bind(b.player.to_hex())
            .bind(b.submission.to_hex())
            .bind(b.score)
            .bind(millis(b.achieved_at))
            .bind(b.execution_time.map(n))
            .bind(b.listed)
            .execute(&mut **tx)
            .await
            .map_err(commit_error)?;
        }
        for unlock in &c.unlocks {
            sqlx::query(
                "INSERT INTO player_achievements (player, achievement, unlocked_at) VALUES (?1, ?2, ?3)",
            )
            .bind(unlock.player.to_hex())
            .bind(unlock.achievement.to_hex())
            .bind(millis(unlock.unlocked_at))
            .execute(&mut **tx)
            .await
            .map_err(commit_error)?;
        }
        if self.mirror {
            if let Some(d) = &c.challenge_stats {
                // Every right-hand side reads the row as it was: one consistent step.
                sqlx::query(
                    "UPDATE challenges SET total_attempts = total_attempts + 1, \
                       successful_attempts = successful_attempts + ?2, \
                       average_score = (average_score * total_attempts + ?3) / (total_attempts + 1), \
                       average_time = CASE WHEN ?2 = 1 \
                         THEN (average_time * successful_attempts + ?4) / (successful_attempts + 1) \
                         ELSE average_time END, \
                       popularity_score = (total_attempts + 1) + 2 * (successful_attempts + ?2) \
                     WHERE id = ?1",
                )
                .bind(d.challenge.to_hex())
                .bind(i64::from(d.success))
                .bind(d.score)
                .bind(d.time_spent.unwrap_or(0.0))
                .execute(&mut **tx)
                .await
                .map_err(commit_error)?;
            }
            let p = &c.progress;
            sqlx::query(
                "UPDATE users SET xp = ?2, level = ?3, total_challenges = ?4, \
                   completed_challenges = ?5, streak = ?6, last_active_date = ?7 WHERE id = ?1",
            )
            .bind(p.player.to_hex())
            .bind(n(p.xp))
            .bind(i64::from(p.level))
            .bind(n(p.attempts))
            .bind(n(p.completed))
            .bind(i64::from(p.streak.current))
            .bind(p.last_active_at.map(millis))
            .execute(&mut **tx)
            .await
            .map_err(commit_error)?;
        }
        Ok(())
    }
}

#[async_trait]
impl ProgressRepository for SqliteScoring {
    async fn snapshot(
        &self,
        player: PlayerId,
        challenge: Option<ChallengeRef>,
        windows: [String; 2],
    ) -> Result<PlayerSnapshot, StoreError> {
        // One statement: a consistent view of everything the plan starts from, in one trip to
        // the connection (the row always exists; the joined parts are NULL when missing).
        let row = sqlx::query(SNAPSHOT)
            .bind(player.to_hex())
            .bind(challenge.map(|c| c.to_hex()))
            .bind(&windows[0])
            .bind(&windows[1])
            .fetch_one(self.db.reads())
            .await
            .map_err(store_error)?;
        let progress = match get::<Option<String>>(&row, "player")? {
            Some(_) => Some(progress_row(&row)?),
            None => None,
        };
        let best = match get::<Option<String>>(&row, "b_player")? {
            Some(_) => Some(best_row_as(&row, "b_")?),
            None => None,
        };
        let unlocked: Vec<String> = json(&row, "unlocked")?;
        let languages: Vec<(String, i64)> = json(&row, "languages")?;
        Ok(PlayerSnapshot {
            progress,
            best,
            weekly_xp: get::<Option<i64>>(&row, "weekly_xp")?.map_or(0, u),
            monthly_xp: get::<Option<i64>>(&row, "monthly_xp")?.map_or(0, u),
            unlocked: unlocked
                .iter()
                .map(|a| {
                    a.parse::<AchievementId>()
                        .map_err(|e| corrupt("achievement", e))
                })
                .collect::<Result<_, _>>()?,
            language_successes: languages
                .into_iter()
                .map(|(l, count)| {
                    Language::parse(&l)
                        .map(|l| (l, u(count)))
                        .ok_or_else(|| corrupt("language", l))
                })
                .collect::<Result<_, _>>()?,
        })
    }

    async fn commit(&self, commit: &ScoringCommit) -> Result<(), CommitError> {
        // Together with the commits that arrive while another batch holds the writer.
        self.batches.commit(self, commit).await
    }

    async fn progress(&self, player: PlayerId) -> Result<Option<Progress>, StoreError> {
        sqlx::query(&format!(
            "SELECT {PROGRESS} FROM progress WHERE player = ?1"
        ))
        .bind(player.to_hex())
        .fetch_optional(self.db.reads())
        .await
        .map_err(store_error)?
        .as_ref()
        .map(progress_row)
        .transpose()
    }

    async fn ledger(
        &self,
        player: PlayerId,
        page: PageRequest,
    ) -> Result<Page<LedgerEntry>, StoreError> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM xp_ledger WHERE player = ?1")
            .bind(player.to_hex())
            .fetch_one(self.db.reads())
            .await
            .map_err(store_error)?;
        let rows = sqlx::query(
            "SELECT id, player, delta, reason, source_kind, source, challenge, balance, at \
             FROM xp_ledger WHERE player = ?1 ORDER BY at DESC, id DESC LIMIT ?2 OFFSET ?3",
        )
        .bind(player.to_hex())
        .bind(i64::from(page.limit()))
        .bind(n(page.offset()))
        .fetch_all(self.db.reads())
        .await
        .map_err(store_error)?;
        Ok(Page {
            items: rows.iter().map(ledger_row).collect::<Result<_, _>>()?,
            request: page,
            total: u(total),
        })
    }

    async fn set_listed(&self, player: PlayerId, listed: bool) -> Result<(), StoreError> {
        let mut tx = self.db.begin_write().await.map_err(store_error)?;
        let p = player.to_hex();
        // The boards' buckets follow `board_scores.listed` by trigger.
        for sql in [
            "UPDATE board_scores SET listed = ?2 WHERE player = ?1",
            "UPDATE challenge_bests SET listed = ?2 WHERE player = ?1",
            "UPDATE progress SET listed = ?2 WHERE player = ?1",
        ] {
            sqlx::query(sql)
                .bind(&p)
                .bind(listed)
                .execute(&mut *tx)
                .await
                .map_err(store_error)?;
        }
        tx.commit().await.map_err(store_error)
    }
}
