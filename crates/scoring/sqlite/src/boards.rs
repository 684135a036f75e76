//! Ranked reads. Ranks come from `board_buckets` (players per XP value), so a rank costs a sum
//! over distinct XP values above it, not a count over every player above it.

use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_scoring::ports::LeaderboardRepository;
use stackrush_scoring::progress::{BoardRow, ChallengeBoardRow, Progress, ProgressOrder};
use stackrush_scoring::{ChallengeRef, PlayerId};
use stackrush_store_sqlite::from_millis;

use crate::progress::best_row;
use crate::rows::{get, parsed};
use crate::{n, store_error, u, SqliteScoring};

fn board_row(
    row: &SqliteRow,
) -> Result<(PlayerId, u64, chrono::DateTime<chrono::Utc>), StoreError> {
    Ok((
        parsed(row, "player")?,
        u(get(row, "xp")?),
        from_millis(get(row, "reached_at")?)?,
    ))
}

impl SqliteScoring {
    /// How many listed players on `board` have more than `xp`.
    async fn better_than(&self, board: &str, xp: u64) -> Result<u64, StoreError> {
        let better: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM(players), 0) FROM board_buckets WHERE board = ?1 AND xp > ?2",
        )
        .bind(board)
        .bind(n(xp))
        .fetch_one(self.db.reads())
        .await
        .map_err(store_error)?;
        Ok(u(better))
    }

    /// Rows of `key` by a neighbour query: `?1` board, `?2` XP, then (with `tie`) `?3` time
    /// reached and `?4` player, then the limit.
    async fn neighbours(
        &self,
        sql: &'static str,
        key: &str,
        xp: i64,
        tie: Option<(i64, &str)>,
        limit: i64,
    ) -> Result<Vec<(PlayerId, u64, chrono::DateTime<chrono::Utc>)>, StoreError> {
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

    /// Competition ranks for rows in board order, the first one's looked up.
    async fn rank_rows(
        &self,
        board: &str,
        rows: Vec<(PlayerId, u64, chrono::DateTime<chrono::Utc>)>,
    ) -> Result<Vec<BoardRow>, StoreError> {
        let mut out: Vec<BoardRow> = Vec::with_capacity(rows.len());
        for (player, xp, reached_at) in rows {
            let rank = match out.last() {
                Some(prev) if prev.xp == xp => prev.rank,
                _ => self.better_than(board, xp).await? + 1,
            };
            out.push(BoardRow {
                player,
                xp,
                rank,
                reached_at,
            });
        }
        Ok(out)
    }
}

const TOP: &str = "SELECT player, xp, listed, level, attempts, completed, streak, best_streak, \
    last_day, last_active_at, version FROM progress WHERE listed = 1";

#[async_trait]
impl LeaderboardRepository for SqliteScoring {
    async fn board(&self, key: &str, page: PageRequest) -> Result<Page<BoardRow>, StoreError> {
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
        let rows = rows.iter().map(board_row).collect::<Result<Vec<_>, _>>()?;
        Ok(Page {
            items: self.rank_rows(key, rows).await?,
            request: page,
            total: u(total),
        })
    }

    async fn around(
        &self,
        key: &str,
        player: PlayerId,
        span: u32,
    ) -> Result<Vec<BoardRow>, StoreError> {
        let me = sqlx::query(
            "SELECT player, xp, reached_at FROM board_scores \
             WHERE board = ?1 AND player = ?2 AND listed = 1 AND xp > 0",
        )
        .bind(key)
        .bind(player.to_hex())
        .fetch_optional(self.db.reads())
        .await
        .map_err(store_error)?;
        let Some(me) = me.as_ref().map(board_row).transpose()? else {
            return Ok(Vec::new());
        };
        let (p, xp, at) = (me.0.to_hex(), n(me.1), me.2.timestamp_millis());
        let span = i64::from(span);
        let wanted = usize::try_from(span).unwrap_or(0);
        let same = |sql| self.neighbours(sql, key, xp, Some((at, p.as_str())), span);
        let other = |sql| self.neighbours(sql, key, xp, None, span);
        let mut ahead = same(
            "SELECT player, xp, reached_at FROM board_scores WHERE board = ?1 AND listed = 1 \
               AND xp = ?2 AND (reached_at, player) < (?3, ?4) \
             ORDER BY reached_at DESC, player DESC LIMIT ?5",
        )
        .await?;
        if ahead.len() < wanted {
            let more = other(
                "SELECT player, xp, reached_at FROM board_scores WHERE board = ?1 AND listed = 1 \
                   AND xp > ?2 ORDER BY xp ASC, reached_at DESC, player DESC LIMIT ?3",
            )
            .await?;
            let room = wanted - ahead.len();
            ahead.extend(more.into_iter().take(room));
        }
        ahead.reverse();
        let mut behind = same(
            "SELECT player, xp, reached_at FROM board_scores WHERE board = ?1 AND listed = 1 \
               AND xp = ?2 AND (reached_at, player) > (?3, ?4) \
             ORDER BY reached_at, player LIMIT ?5",
        )
        .await?;
        if behind.len() < wanted {
            let more = other(
                "SELECT player, xp, reached_at FROM board_scores WHERE board = ?1 AND listed = 1 \
                   AND xp < ?2 AND xp > 0 ORDER BY xp DESC, reached_at, player LIMIT ?3",
            )
            .await?;
            let room = wanted - behind.len();
            behind.extend(more.into_iter().take(room));
        }
        let mut around = ahead;
        around.push(me);
        around.extend(behind);
        self.rank_rows(key, around).await
    }

    async fn rank_of(&self, key: &str, xp: u64) -> Result<u64, StoreError> {
        Ok(self.better_than(key, xp).await? + 1)
    }

    async fn challenge_board(
        &self,
        challenge: ChallengeRef,
        page: PageRequest,
    ) -> Result<Page<ChallengeBoardRow>, StoreError> {
        let c = challenge.to_hex();
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM challenge_bests WHERE challenge = ?1 AND listed = 1",
        )
        .bind(&c)
        .fetch_one(self.db.reads())
        .await
        .map_err(store_error)?;
        let rows = sqlx::query(
            "SELECT challenge, player, submission, score, achieved_at, execution_time, listed \
             FROM challenge_bests WHERE challenge = ?1 AND listed = 1 \
             ORDER BY score DESC, achieved_at, COALESCE(execution_time, 9223372036854775807), player \
             LIMIT ?2 OFFSET ?3",
        )
        .bind(&c)
        .bind(i64::from(page.limit()))
        .bind(n(page.offset()))
        .fetch_all(self.db.reads())
        .await
        .map_err(store_error)?;
        let mut items: Vec<ChallengeBoardRow> = Vec::with_capacity(rows.len());
        for row in &rows {
            let best = best_row(row)?;
            let rank = match items.last() {
                Some(prev) if !prev.best.beats(&best) => prev.rank,
                _ => {
                    let time = best.execution_time.map_or(i64::MAX, n);
                    let better: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM challenge_bests WHERE challenge = ?1 AND listed = 1 \
                           AND (score > ?2 OR (score = ?2 AND (achieved_at < ?3 OR (achieved_at = ?3 \
                             AND COALESCE(execution_time, 9223372036854775807) < ?4))))",
                    )
                    .bind(&c)
                    .bind(best.score)
                    .bind(best.achieved_at.timestamp_millis())
                    .bind(time)
                    .fetch_one(self.db.reads())
                    .await
                    .map_err(store_error)?;
                    u(better) + 1
                }
            };
            items.push(ChallengeBoardRow { best, rank });
        }
        Ok(Page {
            items,
            request: page,
            total: u(total),
        })
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
