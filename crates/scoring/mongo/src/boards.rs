//! Ranked reads. Ranks come from `board_buckets` (players per XP value), so a rank costs a sum
//! over distinct XP values above it, not a count over every player above it.

use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::bson::{doc, Bson, Document};
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_scoring::ports::LeaderboardRepository;
use stackrush_scoring::progress::{
    BoardRow, ChallengeBest, ChallengeBoardRow, Progress, ProgressOrder,
};
use stackrush_scoring::{ChallengeRef, PlayerId};

use crate::documents::{BestDoc, BoardScoreDoc, ProgressDoc};
use crate::{n, oid, store_error, u, MongoScoring, BESTS, BOARD_BUCKETS, BOARD_SCORES, PROGRESS};

fn sum_of(docs: &[Document]) -> u64 {
    match docs.first().and_then(|d| d.get("total")) {
        Some(Bson::Int32(v)) => u64::try_from(*v).unwrap_or(0),
        Some(Bson::Int64(v)) => u(*v),
        _ => 0,
    }
}

impl MongoScoring {
    async fn players_over(&self, board: &str, xp: Option<u64>) -> Result<u64, StoreError> {
        let mut filter = doc! { "board": board };
        if let Some(xp) = xp {
            filter.insert("xp", doc! { "$gt": n(xp) });
        }
        let docs: Vec<Document> = self
            .collection::<Document>(BOARD_BUCKETS)
            .aggregate([
                doc! { "$match": filter },
                doc! { "$group": { "_id": Bson::Null, "total": { "$sum": "$players" } } },
            ])
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        Ok(sum_of(&docs))
    }

    async fn scores(
        &self,
        filter: Document,
        sort: Document,
        skip: u64,
        limit: i64,
    ) -> Result<Vec<BoardScoreDoc>, StoreError> {
        self.collection::<BoardScoreDoc>(BOARD_SCORES)
            .find(filter)
            .sort(sort)
            .skip(skip)
            .limit(limit)
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)
    }

    async fn ranked(
        &self,
        board: &str,
        docs: Vec<BoardScoreDoc>,
    ) -> Result<Vec<BoardRow>, StoreError> {
        let mut out: Vec<BoardRow> = Vec::with_capacity(docs.len());
        for d in docs {
            let xp = u(d.xp);
            let rank = match out.last() {
                Some(prev) if prev.xp == xp => prev.rank,
                _ => self.players_over(board, Some(xp)).await? + 1,
            };
            out.push(BoardRow {
                player: PlayerId::from_bytes(d.user.bytes()),
                xp,
                rank,
                reached_at: d.reached_at.to_chrono(),
            });
        }
        Ok(out)
    }
}

#[async_trait]
impl LeaderboardRepository for MongoScoring {
    async fn board(&self, key: &str, page: PageRequest) -> Result<Page<BoardRow>, StoreError> {
        let total = self.players_over(key, None).await?;
        let docs = self
            .scores(
                doc! { "board": key, "listed": true, "xp": { "$gt": 0 } },
                doc! { "xp": -1, "reachedAt": 1, "user": 1 },
                page.offset(),
                i64::from(page.limit()),
            )
            .await?;
        Ok(Page {
            items: self.ranked(key, docs).await?,
            request: page,
            total,
        })
    }

    async fn around(
        &self,
        key: &str,
        player: PlayerId,
        span: u32,
    ) -> Result<Vec<BoardRow>, StoreError> {
        let Some(me) = self
            .collection::<BoardScoreDoc>(BOARD_SCORES)
            .find_one(doc! {
                "board": key, "user": oid(player.bytes()), "listed": true, "xp": { "$gt": 0 },
            })
            .await
            .map_err(store_error)?
        else {
            return Ok(Vec::new());
        };
        let span = i64::from(span);
        let wanted = usize::try_from(span).unwrap_or(0);
        let (xp, at, user) = (me.xp, me.reached_at, me.user);
        let base = doc! { "board": key, "listed": true };
        let with = |extra: Document| {
            let mut f = base.clone();
            f.extend(extra);
            f
        };
        let mut ahead = self
            .scores(
                with(doc! { "xp": xp, "$or": [
                    { "reachedAt": { "$lt": at } },
                    { "reachedAt": at, "user": { "$lt": user } },
                ] }),
                doc! { "reachedAt": -1, "user": -1 },
                0,
                span,
            )
            .await?;
        if ahead.len() < wanted {
            let more = self
                .scores(
                    with(doc! { "xp": { "$gt": xp } }),
                    doc! { "xp": 1, "reachedAt": -1, "user": -1 },
                    0,
                    span,
                )
                .await?;
            let room = wanted - ahead.len();
            ahead.extend(more.into_iter().take(room));
        }
        ahead.reverse();
        let mut behind = self
            .scores(
                with(doc! { "xp": xp, "$or": [
                    { "reachedAt": { "$gt": at } },
                    { "reachedAt": at, "user": { "$gt": user } },
                ] }),
                doc! { "reachedAt": 1, "user": 1 },
                0,
                span,
            )
            .await?;
        if behind.len() < wanted {
            let more = self
                .scores(
                    with(doc! { "xp": { "$lt": xp, "$gt": 0 } }),
                    doc! { "xp": -1, "reachedAt": 1, "user": 1 },
                    0,
                    span,
                )
                .await?;
            let room = wanted - behind.len();
            behind.extend(more.into_iter().take(room));
        }
        let mut docs = ahead;
        docs.push(me);
        docs.extend(behind);
        self.ranked(key, docs).await
    }

    async fn rank_of(&self, key: &str, xp: u64) -> Result<u64, StoreError> {
        Ok(self.players_over(key, Some(xp)).await? + 1)
    }

    async fn challenge_board(
        &self,
        challenge: ChallengeRef,
        page: PageRequest,
    ) -> Result<Page<ChallengeBoardRow>, StoreError> {
        let c = oid(challenge.bytes());
        let bests = self.collection::<BestDoc>(BESTS);
        let filter = doc! { "challenge": c, "listed": true };
        let total = bests
            .count_documents(filter.clone())
            .await
            .map_err(store_error)?;
        let docs: Vec<BestDoc> = bests
            .find(filter)
            .sort(doc! { "score": -1, "achievedAt": 1, "timeKey": 1, "user": 1 })
            .skip(page.offset())
            .limit(i64::from(page.limit()))
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        let mut items: Vec<ChallengeBoardRow> = Vec::with_capacity(docs.len());
        for d in docs {
            let (score, achieved, time_key) = (d.score, d.achieved_at, d.time_key);
            let best = ChallengeBest::from(d);
            let rank = match items.last() {
                Some(prev) if !prev.best.beats(&best) => prev.rank,
                _ => {
                    let better = bests
                        .count_documents(doc! { "challenge": c, "listed": true, "$or": [
                            { "score": { "$gt": score } },
                            { "score": score, "achievedAt": { "$lt": achieved } },
                            { "score": score, "achievedAt": achieved, "timeKey": { "$lt": time_key } },
                        ] })
                        .await
                        .map_err(store_error)?;
                    better + 1
                }
            };
            items.push(ChallengeBoardRow { best, rank });
        }
        Ok(Page {
            items,
            request: page,
            total,
        })
    }

    async fn top(&self, order: ProgressOrder, limit: u32) -> Result<Vec<Progress>, StoreError> {
        let sort = match order {
            ProgressOrder::Xp => doc! { "xp": -1, "_id": 1 },
            ProgressOrder::Level => doc! { "level": -1, "xp": -1, "_id": 1 },
            ProgressOrder::Streak => doc! { "streak": -1, "xp": -1, "_id": 1 },
            ProgressOrder::Completed => doc! { "completed": -1, "xp": -1, "_id": 1 },
        };
        let docs: Vec<ProgressDoc> = self
            .collection::<ProgressDoc>(PROGRESS)
            .find(doc! { "listed": true })
            .sort(sort)
            .limit(i64::from(limit))
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        docs.into_iter().map(Progress::try_from).collect()
    }
}
