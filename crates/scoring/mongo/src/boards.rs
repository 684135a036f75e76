//! Ordered board reads. The count ahead of an XP value comes from `board_buckets` (players per XP
//! value), so it costs a sum over distinct XP values above it, not a count over every player
//! above it; the domain turns counts into ranks.

use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::bson::{doc, Bson, Document};
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_scoring::ports::LeaderboardRepository;
use stackrush_scoring::progress::{BoardEntry, ChallengeBest, Progress, ProgressOrder, Side};
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
}

fn entry_of(d: BoardScoreDoc) -> BoardEntry {
    BoardEntry {
        player: PlayerId::from_bytes(d.user.bytes()),
        xp: u(d.xp),
        reached_at: d.reached_at.to_chrono(),
    }
}

#[async_trait]
impl LeaderboardRepository for MongoScoring {
    async fn board(&self, key: &str, page: PageRequest) -> Result<Page<BoardEntry>, StoreError> {
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
            items: docs.into_iter().map(entry_of).collect(),
            request: page,
            total,
        })
    }

    async fn entry(&self, key: &str, player: PlayerId) -> Result<Option<BoardEntry>, StoreError> {
        let found = self
            .collection::<BoardScoreDoc>(BOARD_SCORES)
            .find_one(doc! {
                "board": key, "user": oid(player.bytes()), "listed": true, "xp": { "$gt": 0 },
            })
            .await
            .map_err(store_error)?;
        Ok(found.map(entry_of))
    }

    async fn neighbours(
        &self,
        key: &str,
        from: &BoardEntry,
        side: Side,
        limit: u32,
    ) -> Result<Vec<BoardEntry>, StoreError> {
        let (xp, at, user) = (
            n(from.xp),
            mongodb::bson::DateTime::from_chrono(from.reached_at),
            oid(from.player.bytes()),
        );
        let with = |extra: Document| {
            let mut f = doc! { "board": key, "listed": true };
            f.extend(extra);
            f
        };
        // Those level with `from` on its side first (nearest first), then those past its XP.
        let (cmp, same_sort, past, past_sort) = match side {
            Side::Ahead => (
                "$lt",
                doc! { "reachedAt": -1, "user": -1 },
                doc! { "xp": { "$gt": xp } },
                doc! { "xp": 1, "reachedAt": -1, "user": -1 },
            ),
            Side::Behind => (
                "$gt",
                doc! { "reachedAt": 1, "user": 1 },
                doc! { "xp": { "$lt": xp, "$gt": 0 } },
                doc! { "xp": -1, "reachedAt": 1, "user": 1 },
            ),
        };
        let limit = i64::from(limit);
        let same = with(doc! { "xp": xp, "$or": [
            { "reachedAt": { cmp: at } },
            { "reachedAt": at, "user": { cmp: user } },
        ] });
        let mut docs = self.scores(same, same_sort, 0, limit).await?;
        let room = usize::try_from(limit)
            .unwrap_or(0)
            .saturating_sub(docs.len());
        if room > 0 {
            let more = self.scores(with(past), past_sort, 0, limit).await?;
            docs.extend(more.into_iter().take(room));
        }
        Ok(docs.into_iter().map(entry_of).collect())
    }

    async fn more_xp_than(&self, key: &str, xp: u64) -> Result<u64, StoreError> {
        self.players_over(key, Some(xp)).await
    }

    async fn challenge_board(
        &self,
        challenge: ChallengeRef,
        page: PageRequest,
    ) -> Result<Page<ChallengeBest>, StoreError> {
        let bests = self.collection::<BestDoc>(BESTS);
        let filter = doc! { "challenge": oid(challenge.bytes()), "listed": true };
        let total = bests
            .count_documents(filter.clone())
            .await
            .map_err(store_error)?;
        let docs: Vec<BestDoc> = bests
            .find(filter)
            .sort(doc! { "score": -1, "solveKey": 1, "achievedAt": 1, "user": 1 })
            .skip(page.offset())
            .limit(i64::from(page.limit()))
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        Ok(Page {
            items: docs.into_iter().map(ChallengeBest::from).collect(),
            request: page,
            total,
        })
    }

    async fn bests_beating(
        &self,
        challenge: ChallengeRef,
        best: &ChallengeBest,
    ) -> Result<u64, StoreError> {
        let key = BestDoc::from(best);
        let (score, solve, achieved) = (key.score, key.solve_key, key.achieved_at);
        self.collection::<BestDoc>(BESTS)
            .count_documents(
                doc! { "challenge": oid(challenge.bytes()), "listed": true, "$or": [
                    { "score": { "$gt": score } },
                    { "score": score, "solveKey": { "$lt": solve } },
                    { "score": score, "solveKey": solve, "achievedAt": { "$lt": achieved } },
                ] },
            )
            .await
            .map_err(store_error)
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
