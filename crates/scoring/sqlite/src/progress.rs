//! Progress, the XP ledger and the scoring snapshot (the scoring commit is in `commit`).

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::sqlite::SqliteRow;
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_scoring::achievement::AchievementId;
use stackrush_scoring::ports::ProgressRepository;
use stackrush_scoring::progress::{
    ChallengeBest, CommitError, LedgerEntry, PlayerSnapshot, Progress, ScoringCommit, XpReason,
    XpSource,
};
use stackrush_scoring::streak::Streak;
use stackrush_scoring::{ChallengeRef, Language, PlayerId};
use stackrush_store_sqlite::{corrupt, from_millis, opt_from_millis, WriteError};

use crate::{n, store_error, sync_store_error, u, SqliteScoring};
use stackrush_store_sqlite::rows::{get, json, parsed, parsed_opt, Row};

pub(crate) const PROGRESS: &str =
    "player, xp, level, attempts, completed, streak, best_streak, last_day, \
    last_active_at, listed, version";

/// Everything a scoring plan starts from, for player `?1`, challenge `?2` (or NULL) and the
/// window boards `?3`, `?4`.
const SNAPSHOT: &str = "SELECT p.player, p.xp, p.level, p.attempts, p.completed, p.streak, \
      p.best_streak, p.last_day, p.last_active_at, p.listed, p.version, \
      b.challenge AS b_challenge, b.player AS b_player, b.submission AS b_submission, \
      b.score AS b_score, b.achieved_at AS b_achieved_at, b.execution_time AS b_execution_time, \
      b.solve_time AS b_solve_time, \
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

pub(crate) fn progress_row(row: &impl Row) -> Result<Progress, StoreError> {
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

pub(crate) fn best_row(row: &impl Row) -> Result<ChallengeBest, StoreError> {
    best_row_as(row, "")
}

/// A best read from columns named with `prefix` (`b_challenge`, …) in a joined row.
fn best_row_as(row: &impl Row, prefix: &str) -> Result<ChallengeBest, StoreError> {
    let column = |name: &str| format!("{prefix}{name}");
    Ok(ChallengeBest {
        player: parsed(row, &column("player"))?,
        challenge: parsed(row, &column("challenge"))?,
        submission: parsed(row, &column("submission"))?,
        score: get(row, &column("score"))?,
        achieved_at: from_millis(get(row, &column("achieved_at"))?)?,
        execution_time: get::<Option<i64>>(row, &column("execution_time"))?.map(u),
        solve_time: Some(get::<i64>(row, &column("solve_time"))?)
            .filter(|t| *t != i64::MAX)
            .map(u),
        listed: get(row, &column("listed"))?,
    })
}

fn ledger_row(row: &SqliteRow) -> Result<LedgerEntry, StoreError> {
    let reason: String = get(row, "reason")?;
    let kind: String = get(row, "source_kind")?;
    let source = match kind.as_str() {
        "submission" => XpSource::Submission(parsed(row, "source")?),
        "achievement" => XpSource::Achievement(parsed(row, "source")?),
        "code_review" => XpSource::CodeReview(parsed(row, "source")?),
        "playlist" => XpSource::Playlist(parsed(row, "source")?),
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

/// The snapshot from [`SNAPSHOT`]'s row (which always exists; the joined parts are NULL when
/// missing).
fn snapshot_row(row: &impl Row) -> Result<PlayerSnapshot, StoreError> {
    let progress = match get::<Option<String>>(row, "player")? {
        Some(_) => Some(progress_row(row)?),
        None => None,
    };
    let best = match get::<Option<String>>(row, "b_player")? {
        Some(_) => Some(best_row_as(row, "b_")?),
        None => None,
    };
    let unlocked: Vec<String> = json(row, "unlocked")?;
    let languages: Vec<(String, i64)> = json(row, "languages")?;
    Ok(PlayerSnapshot {
        progress,
        best,
        weekly_xp: get::<Option<i64>>(row, "weekly_xp")?.map_or(0, u),
        monthly_xp: get::<Option<i64>>(row, "monthly_xp")?.map_or(0, u),
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

#[async_trait]
impl ProgressRepository for SqliteScoring {
    async fn snapshot(
        &self,
        player: PlayerId,
        challenge: Option<ChallengeRef>,
        windows: [String; 2],
    ) -> Result<PlayerSnapshot, StoreError> {
        // One statement: a consistent view of everything the plan starts from. It runs on the
        // writer, where the commit planned from it will run: that connection's page cache holds
        // the pages both need (a reader's is emptied by every commit), and it is answered only
        // once the batch it ran in committed, so it never reports a write that was undone.
        let params = (player.to_hex(), challenge.map(|c| c.to_hex()), windows);
        self.db
            .write(move |conn| {
                let (player, challenge, [weekly, monthly]) = &params;
                let mut query = conn.prepare_cached(SNAPSHOT).map_err(sync_store_error)?;
                let mut rows = query
                    .query(rusqlite::params![player, challenge, weekly, monthly])
                    .map_err(sync_store_error)?;
                let row = rows
                    .next()
                    .map_err(sync_store_error)?
                    .ok_or_else(|| corrupt("snapshot", "no row"))?;
                snapshot_row(row)
            })
            .await
            .map_err(WriteError::into_inner)
    }

    async fn commit(&self, commit: &ScoringCommit) -> Result<(), CommitError> {
        // Together with the commits that arrive while another batch holds the writer.
        self.apply(commit).await
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

    async fn awards_since(
        &self,
        player: PlayerId,
        reason: XpReason,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM xp_ledger WHERE player = ?1 AND at >= ?2 AND reason = ?3",
        )
        .bind(player.to_hex())
        .bind(stackrush_store_sqlite::millis(since))
        .bind(reason.as_str())
        .fetch_one(self.db.reads())
        .await
        .map_err(store_error)?;
        Ok(u(count))
    }

    async fn awarded(
        &self,
        player: PlayerId,
        reason: XpReason,
        source: XpSource,
    ) -> Result<bool, StoreError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM xp_ledger WHERE player = ?1 AND reason = ?2 AND source = ?3",
        )
        .bind(player.to_hex())
        .bind(reason.as_str())
        .bind(crate::commit::source_key(source).1)
        .fetch_optional(self.db.reads())
        .await
        .map_err(store_error)?;
        Ok(found.is_some())
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
