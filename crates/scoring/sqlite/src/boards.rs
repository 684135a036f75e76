//! Ordered board reads. The count ahead of an XP value comes from `board_buckets` (players per XP
//! value), so it costs a sum over distinct XP values above it, not a count over every player
//! above it; the domain turns counts into ranks.

use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_scoring::ports::LeaderboardRepository;
use stackrush_scoring::progress::{BoardEntry, ChallengeBest, Progress, ProgressOrder, Side};
use stackrush_scoring::{ChallengeRef, PlayerId};
use stackrush_store_sqlite::from_millis;

use crate::progress::best_row;
use crate::{n, store_error, u, SqliteScoring};
use stackrush_store_sqlite::rows::{get, parsed};

fn board_row(row: &SqliteRow) -> Result<BoardEntry, StoreError> {
    Ok(BoardEntry {
        player: parsed(row, "player")?,
        xp: u(get(row, "xp")?),
        reached_at: from_millis(get(row, "reached_at")?)?,
    })
}

impl SqliteScoring {
    /// Rows of `key` by a neighbour query: `?1` board, `?2` XP, then (with `tie`) `?3` time
    /// reached and `?4` player, then the limit.
    async fn neighbour_rows(
        &self,
        sql: &'static str,
        key: &str,
        xp: i64,
        tie: Option<(i64, &str)>,
        limit: i64,
    ) -> Result<Vec<BoardEntry>, StoreError> {
        let mut query = sqlx::query(sql).bind(key).bind(xp);
        if let Some((at, player)) = tie {
            query = query.bind(at).bind(player);
        }
        let rows = query
            .bind(limit)
            .fetch_all(self.db.reads())
            .await
            .map_err(store_error)?;
        rows.iter().map(board_row).collect()
    }
}

const TOP: &str = "SELECT player, xp, listed, level, attempts, completed, streak, best_streak, \
    last_day, last_active_at, version FROM progress WHERE listed = 1";

/// Neighbours of one entry, nearest first: those level with it on its side (index order on
/// `(board, listed, xp, reached_at, player)`), then those past its XP value.
const SAME_AHEAD: &str = "SELECT player, xp, reached_at FROM board_scores WHERE board = ?1 \
    AND listed = 1 AND xp = ?2 AND (reached_at, player) < (?3, ?4) \
    ORDER BY reached_at DESC, player DESC LIMIT ?5";
const MORE_XP: &str = "SELECT player, xp, reached_at FROM board_scores WHERE board = ?1 \
    AND listed = 1 AND xp > ?2 ORDER BY xp ASC, reached_at DESC, player DESC LIMIT ?3";
const SAME_BEHIND: &str = "SELECT player, xp, reached_at FROM board_scores WHERE board = ?1 \
    AND listed = 1 AND xp = ?2 AND (reached_at, player) > (?3, ?4) \
    ORDER BY reached_at, player LIMIT ?5";
const LESS_XP: &str = "SELECT player, xp, reached_at FROM board_scores WHERE board = ?1 \
    AND listed = 1 AND xp < ?2 AND xp > 0 ORDER BY xp DESC, reached_at, player LIMIT ?3";

#[async_trait]
impl LeaderboardRepository for SqliteScoring {
    async fn board(&self, key: &str, page: PageRequest) -> Result<Page<BoardEntry>, StoreError> {
        let total: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM(players), 0) FROM board_buckets WHERE board = ?1",
        )
        .bind(key)
        .fetch_one(self.db.reads())
        .await
        .map_err(store_error)?;
        let rows = sqlx::query(
            "SELECT player, xp, reached_at FROM board_scores \
             WHERE board = ?1 AND listed = 1 AND xp > 0 \
             ORDER BY xp DESC, reached_at, player LIMIT ?2 OFFSET ?3",
        )
        .bind(key)
        .bind(i64::from(page.limit()))
        .bind(n(page.offset()))
        .fetch_all(self.db.reads())
        .await
        .map_err(store_error)?;
        Ok(Page {
            items: rows.iter().map(board_row).collect::<Result<_, _>>()?,
            request: page,
            total: u(total),
        })
    }

    async fn entry(&self, key: &str, player: PlayerId) -> Result<Option<BoardEntry>, StoreError> {
        let row = sqlx::query(
            "SELECT player, xp, reached_at FROM board_scores \
             WHERE board = ?1 AND player = ?2 AND listed = 1 AND xp > 0",
        )
        .bind(key)
        .bind(player.to_hex())
        .fetch_optional(self.db.reads())
        .await
        .map_err(store_error)?;
        row.as_ref().map(board_row).transpose()
    }

    async fn neighbours(
        &self,
        key: &str,
        from: &BoardEntry,
        side: Side,
        limit: u32,
    ) -> Result<Vec<BoardEntry>, StoreError> {
        let (same, past) = match side {
            Side::Ahead => (SAME_AHEAD, MORE_XP),
            Side::Behind => (SAME_BEHIND, LESS_XP),
        };
        let (player, xp) = (from.player.to_hex(), n(from.xp));
        let tie = Some((from.reached_at.timestamp_millis(), player.as_str()));
        let limit = i64::from(limit);
        let mut rows = self.neighbour_rows(same, key, xp, tie, limit).await?;
        let room = usize::try_from(limit)
            .unwrap_or(0)
            .saturating_sub(rows.len());
        if room > 0 {
            let more = self.neighbour_rows(past, key, xp, None, limit).await?;
            rows.extend(more.into_iter().take(room));
        }
        Ok(rows)
    }

    async fn more_xp_than(&self, key: &str, xp: u64) -> Result<u64, StoreError> {
        let better: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM(players), 0) FROM board_buckets WHERE board = ?1 AND xp > ?2",
        )
        .bind(key)
        .bind(n(xp))
        .fetch_one(self.db.reads())
        .await
        .map_err(store_error)?;
        Ok(u(better))
    }

    async fn challenge_board(
        &self,
        challenge: ChallengeRef,
        page: PageRequest,
    ) -> Result<Page<ChallengeBest>, StoreError> {
        let c = challenge.to_hex();
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM challenge_bests WHERE challenge = ?1 AND listed = 1",
        )
        .bind(&c)
        .fetch_one(self.db.reads())
        .await
        .map_err(store_error)?;
        let rows = sqlx::query(
            "SELECT challenge, player, submission, score, achieved_at, execution_time, \
               solve_time, listed \
             FROM challenge_bests WHERE challenge = ?1 AND listed = 1 \
             ORDER BY score DESC, solve_time, achieved_at, player LIMIT ?2 OFFSET ?3",
        )
        .bind(&c)
        .bind(i64::from(page.limit()))
        .bind(n(page.offset()))
        .fetch_all(self.db.reads())
        .await
        .map_err(store_error)?;
        Ok(Page {
            items: rows.iter().map(best_row).collect::<Result<_, _>>()?,
            request: page,
            total: u(total),
        })
    }

    async fn bests_beating(
        &self,
        challenge: ChallengeRef,
        best: &ChallengeBest,
    ) -> Result<u64, StoreError> {
        let better: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM challenge_bests WHERE challenge = ?1 AND listed = 1 \
               AND (score > ?2 OR (score = ?2 AND (solve_time < ?3 OR (solve_time = ?3 \
                 AND achieved_at < ?4))))",
        )
        .bind(challenge.to_hex())
        .bind(best.score)
        .bind(n(best.solve_key()))
        .bind(best.achieved_at.timestamp_millis())
        .fetch_one(self.db.reads())
        .await
        .map_err(store_error)?;
        Ok(u(better))
    }

    async fn top(&self, order: ProgressOrder, limit: u32) -> Result<Vec<Progress>, StoreError> {
        let by = match order {
            ProgressOrder::Xp => "xp DESC, player",
            ProgressOrder::Level => "level DESC, xp DESC, player",
            ProgressOrder::Streak => "streak DESC, xp DESC, player",
            ProgressOrder::Completed => "completed DESC, xp DESC, player",
        };
        let rows = sqlx::query(&format!("{TOP} ORDER BY {by} LIMIT ?1"))
            .bind(i64::from(limit))
            .fetch_all(self.db.reads())
            .await
            .map_err(store_error)?;
        rows.iter().map(crate::progress::progress_row).collect()
    }
}
