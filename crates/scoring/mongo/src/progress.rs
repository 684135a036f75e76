//! Progress, the XP ledger and the scoring commit (one multi-document transaction).

use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::bson::{doc, Bson, DateTime as BsonTime, Document};
use mongodb::ClientSession;
use stackrush_challenges::{AttemptOutcome, ChallengeId};
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_scoring::achievement::AchievementId;
use stackrush_scoring::ports::ProgressRepository;
use stackrush_scoring::progress::{
    BoardMove, CommitError, LedgerEntry, PlayerSnapshot, Progress, ScoringCommit, XpReason,
    XpSource,
};
use stackrush_scoring::{ChallengeRef, Language, PlayerId};
use stackrush_store_mongo::corrupt;

use crate::documents::{BestDoc, BoardScoreDoc, LedgerDoc, ProgressDoc, UnlockDoc};
use crate::{
    n, oid, store_error, u, MongoScoring, BESTS, BOARD_BUCKETS, BOARD_SCORES, LEDGER, PROGRESS,
    SUBMISSIONS, UNLOCKS,
};

/// A failed step inside the transaction: conflicts (write conflicts, duplicate keys) mean a
/// concurrent commit got there first.
fn commit_error(err: mongodb::error::Error) -> CommitError {
    if err.contains_label("TransientTransactionError") {
        return CommitError::Stale;
    }
    match store_error(err) {
        StoreError::Conflict { .. } => CommitError::Stale,
        e => CommitError::Store(e),
    }
}

fn time(t: chrono::DateTime<chrono::Utc>) -> BsonTime {
    BsonTime::from_chrono(t)
}

impl MongoScoring {
    async fn bucket(
        &self,
        session: &mut ClientSession,
        board: &str,
        xp: i64,
        by: i64,
    ) -> Result<(), mongodb::error::Error> {
        let buckets = self.collection::<Document>(BOARD_BUCKETS);
        buckets
            .update_one(
                doc! { "board": board, "xp": xp },
                doc! { "$inc": { "players": by } },
            )
            .upsert(true)
            .session(&mut *session)
            .await?;
        buckets
            .delete_one(doc! { "board": board, "xp": xp, "players": { "$lte": 0 } })
            .session(&mut *session)
            .await?;
        Ok(())
    }

    /// Moves the player's row on one board; the bucket changes it implies are added to
    /// `buckets` (applied last, see [`Self::write_all`]).
    async fn move_on_board(
        &self,
        session: &mut ClientSession,
        player: PlayerId,
        m: &BoardMove,
        listed: bool,
        at: BsonTime,
        buckets: &mut Vec<(String, i64, i64)>,
    ) -> Result<(), mongodb::error::Error> {
        let scores = self.collection::<BoardScoreDoc>(BOARD_SCORES);
        let key = doc! { "board": &m.key, "user": oid(player.bytes()) };
        let old = scores.find_one(key.clone()).session(&mut *session).await?;
        if let Some(old) = old.filter(|o| o.listed && o.xp > 0) {
            buckets.push((m.key.clone(), old.xp, -1));
        }
        scores
            .update_one(
                key,
                doc! { "$set": { "xp": n(m.to), "reachedAt": at, "listed": listed } },
            )
            .upsert(true)
            .session(&mut *session)
            .await?;
        if listed && m.to > 0 {
            buckets.push((m.key.clone(), n(m.to), 1));
        }
        Ok(())
    }

    /// Every write of `c`, inside the session's transaction. The player's own documents come
    /// first; the counters every player shares (rank buckets, the challenge's stats) come last, so
    /// a concurrent transaction of another player conflicts on them only in the last moments
    /// before the commit (MongoDB aborts the second writer of a document at once, and the
    /// service plans and commits again).
    async fn write_all(
        &self,
        session: &mut ClientSession,
        c: &ScoringCommit,
    ) -> Result<(), CommitError> {
        let at = time(c.at);
        if let Some(s) = &c.submission {
            let execution = mongodb::bson::to_bson(&s.execution)
                .map_err(|e| CommitError::Store(StoreError::Other(e.into())))?;
            let done = self
                .collection::<Document>(SUBMISSIONS)
                .update_one(
                    doc! { "_id": oid(s.id.bytes()), "metadata.scoredAt": Bson::Null },
                    doc! { "$set": {
                        "execution": execution,
                        "success": s.success,
                        "xpAwarded": n(s.xp_awarded),
                        "metadata.scoredAt": s.scored_at.map(time),
                        "metadata.isCompleted": true,
                        "updatedAt": time(s.updated_at),
                    } },
                )
                .session(&mut *session)
                .await
                .map_err(commit_error)?;
            if done.matched_count != 1 {
                return Err(CommitError::AlreadyScored);
            }
        }
        let progress = self.collection::<ProgressDoc>(PROGRESS);
        let new = ProgressDoc::from(&c.progress);
        if c.expected_version == 0 {
            // A duplicate _id means someone else's first commit won.
            progress
                .insert_one(&new)
                .session(&mut *session)
                .await
                .map_err(commit_error)?;
        } else {
            let replaced = progress
                .replace_one(
                    doc! { "_id": new.user, "version": n(c.expected_version) },
                    &new,
                )
                .session(&mut *session)
                .await
                .map_err(commit_error)?;
            if replaced.matched_count != 1 {
                return Err(CommitError::Stale);
            }
        }
        if !c.ledger.is_empty() {
            self.collection::<LedgerDoc>(LEDGER)
                .insert_many(c.ledger.iter().map(LedgerDoc::from))
                .session(&mut *session)
                .await
                .map_err(commit_error)?;
        }
        let mut buckets = Vec::new();
        for m in &c.boards {
            self.move_on_board(
                session,
                c.progress.player,
                m,
                c.progress.listed,
                at,
                &mut buckets,
            )
            .await
            .map_err(commit_error)?;
        }
        if let Some(b) = &c.best {
            let d = BestDoc::from(b);
            self.collection::<BestDoc>(BESTS)
                .replace_one(doc! { "challenge": d.challenge, "user": d.user }, &d)
                .upsert(true)
                .session(&mut *session)
                .await
                .map_err(commit_error)?;
        }
        if !c.unlocks.is_empty() {
            self.collection::<UnlockDoc>(UNLOCKS)
                .insert_many(c.unlocks.iter().map(|u| UnlockDoc {
                    user: oid(u.player.bytes()),
                    achievement: oid(u.achievement.bytes()),
                    unlocked_at: time(u.unlocked_at),
                }))
                .session(&mut *session)
                .await
                .map_err(commit_error)?;
        }
        buckets.sort();
        for (board, xp, by) in &buckets {
            self.bucket(session, board, *xp, *by)
                .await
                .map_err(commit_error)?;
        }
        if self.mirror {
            if let Some(d) = &c.challenge_stats {
                // The challenges adapter owns the document and applies the challenges domain's
                // formula; it runs in this session, so the tallies move with the ledger.
                stackrush_challenges_mongo::tallies::record_attempt(
                    &self.db,
                    session,
                    ChallengeId::from_bytes(d.challenge.bytes()),
                    &AttemptOutcome {
                        success: d.success,
                        score: d.score,
                        seconds: d.time_spent,
                    },
                )
                .await
                .map_err(commit_error)?;
            }
        }
        Ok(())
    }
}

#[async_trait]
impl ProgressRepository for MongoScoring {
    async fn snapshot(
        &self,
        player: PlayerId,
        challenge: Option<ChallengeRef>,
        windows: [String; 2],
    ) -> Result<PlayerSnapshot, StoreError> {
        // Not one read transaction: the commit's version check rejects plans made from a
        // snapshot that a concurrent commit overtook.
        let user = oid(player.bytes());
        let progress = self
            .collection::<ProgressDoc>(PROGRESS)
            .find_one(doc! { "_id": user })
            .await
            .map_err(store_error)?
            .map(Progress::try_from)
            .transpose()?;
        let best = match challenge {
            None => None,
            Some(c) => self
                .collection::<BestDoc>(BESTS)
                .find_one(doc! { "challenge": oid(c.bytes()), "user": user })
                .await
                .map_err(store_error)?
                .map(Into::into),
        };
        let mut window_xp = [0u64; 2];
        for (slot, key) in window_xp.iter_mut().zip(&windows) {
            *slot = self
                .collection::<BoardScoreDoc>(BOARD_SCORES)
                .find_one(doc! { "board": key, "user": user })
                .await
                .map_err(store_error)?
                .map_or(0, |d| u(d.xp));
        }
        let unlocked: Vec<UnlockDoc> = self
            .collection::<UnlockDoc>(UNLOCKS)
            .find(doc! { "user": user })
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        let languages: Vec<Document> = self
            .collection::<Document>(SUBMISSIONS)
            .aggregate([
                doc! { "$match": { "user": user, "success": true } },
                doc! { "$group": { "_id": "$language", "count": { "$sum": 1 } } },
                doc! { "$sort": { "_id": 1 } },
            ])
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        Ok(PlayerSnapshot {
            progress,
            best,
            weekly_xp: window_xp[0],
            monthly_xp: window_xp[1],
            unlocked: unlocked
                .into_iter()
                .map(|d| AchievementId::from_bytes(d.achievement.bytes()))
                .collect(),
            language_successes: languages
                .iter()
                .map(|d| {
                    let name = d.get_str("_id").map_err(|e| corrupt("language", e))?;
                    let count = match d.get("count") {
                        Some(Bson::Int32(c)) => u64::try_from(*c).unwrap_or(0),
                        Some(Bson::Int64(c)) => u(*c),
                        other => return Err(corrupt("count", format!("{other:?}"))),
                    };
                    Language::parse(name)
                        .map(|l| (l, count))
                        .ok_or_else(|| corrupt("language", name))
                })
                .collect::<Result<_, _>>()?,
        })
    }

    async fn commit(&self, c: &ScoringCommit) -> Result<(), CommitError> {
        // Commits of many players at once meet on the rank buckets and the challenge's stats:
        // within this process they take turns on those documents for the whole transaction
        // rather than abort each other (MongoDB refuses the second writer of a document);
        // other instances still meet in the database, and the service tries again.
        let mut shared: Vec<String> = c
            .boards
            .iter()
            .flat_map(|m| {
                [
                    format!("{}:{}", m.key, m.from),
                    format!("{}:{}", m.key, m.to),
                ]
            })
            .collect();
        if self.mirror {
            shared.extend(c.challenge_stats.as_ref().map(|d| d.challenge.to_hex()));
        }
        let _turns = self.shared.turns(shared).await;
        let mut session = self
            .client
            .start_session()
            .await
            .map_err(|e| CommitError::Store(store_error(e)))?;
        session
            .start_transaction()
            .await
            .map_err(|e| CommitError::Store(store_error(e)))?;
        if let Err(e) = self.write_all(&mut session, c).await {
            // Best effort: the server also aborts it when the session ends.
            let _ = session.abort_transaction().await;
            return Err(e);
        }
        let mut tries = 0;
        loop {
            tries += 1;
            match session.commit_transaction().await {
                Ok(()) => return Ok(()),
                // Committing again is safe: the server applies a transaction once.
                Err(e) if tries < 3 && e.contains_label("UnknownTransactionCommitResult") => {}
                Err(e) => return Err(commit_error(e)),
            }
        }
    }

    async fn progress(&self, player: PlayerId) -> Result<Option<Progress>, StoreError> {
        self.collection::<ProgressDoc>(PROGRESS)
            .find_one(doc! { "_id": oid(player.bytes()) })
            .await
            .map_err(store_error)?
            .map(Progress::try_from)
            .transpose()
    }

    async fn ledger(
        &self,
        player: PlayerId,
        page: PageRequest,
    ) -> Result<Page<LedgerEntry>, StoreError> {
        let found = stackrush_store_mongo::find_page(
            &self.collection::<LedgerDoc>(LEDGER),
            doc! { "user": oid(player.bytes()) },
            doc! { "at": -1, "_id": -1 },
            page,
            &[],
        )
        .await?;
        let Page {
            items,
            request,
            total,
        } = found;
        Ok(Page {
            items: items
                .into_iter()
                .map(LedgerEntry::try_from)
                .collect::<Result<_, _>>()?,
            request,
            total,
        })
    }

    async fn awards_since(
        &self,
        player: PlayerId,
        reason: XpReason,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64, StoreError> {
        self.collection::<Document>(LEDGER)
            .count_documents(doc! {
                "user": oid(player.bytes()),
                "at": { "$gte": BsonTime::from_chrono(since) },
                "reason": reason.as_str(),
            })
            .await
            .map_err(store_error)
    }

    async fn awarded(
        &self,
        player: PlayerId,
        reason: XpReason,
        source: XpSource,
    ) -> Result<bool, StoreError> {
        let id = source.id_bytes();
        let found = self
            .collection::<Document>(LEDGER)
            .find_one(doc! {
                "user": oid(player.bytes()), "reason": reason.as_str(), "source": oid(id),
            })
            .projection(doc! { "_id": 1 })
            .await
            .map_err(store_error)?;
        Ok(found.is_some())
    }

    async fn set_listed(&self, player: PlayerId, listed: bool) -> Result<(), StoreError> {
        for _ in 0..16 {
            let mut session = self.client.start_session().await.map_err(store_error)?;
            session.start_transaction().await.map_err(store_error)?;
            let result = self.write_listed(&mut session, player, listed).await;
            let result = match result {
                Ok(()) => session.commit_transaction().await,
                Err(e) => {
                    let _ = session.abort_transaction().await;
                    Err(e)
                }
            };
            match result {
                Ok(()) => return Ok(()),
                Err(e) if e.contains_label("TransientTransactionError") => continue,
                Err(e) => return Err(store_error(e)),
            }
        }
        Err(StoreError::Unavailable(anyhow::anyhow!(
            "listing kept conflicting with concurrent writes"
        )))
    }
}

impl MongoScoring {
    async fn write_listed(
        &self,
        session: &mut ClientSession,
        player: PlayerId,
        listed: bool,
    ) -> Result<(), mongodb::error::Error> {
        let user = oid(player.bytes());
        let rows: Vec<BoardScoreDoc> = self
            .collection::<BoardScoreDoc>(BOARD_SCORES)
            .find(doc! { "user": user, "xp": { "$gt": 0 }, "listed": !listed })
            .session(&mut *session)
            .await?
            .stream(&mut *session)
            .try_collect()
            .await?;
        for row in rows {
            self.bucket(session, &row.board, row.xp, if listed { 1 } else { -1 })
                .await?;
        }
        for collection in [BOARD_SCORES, BESTS] {
            self.collection::<Document>(collection)
                .update_many(doc! { "user": user }, doc! { "$set": { "listed": listed } })
                .session(&mut *session)
                .await?;
        }
        self.collection::<Document>(PROGRESS)
            .update_one(doc! { "_id": user }, doc! { "$set": { "listed": listed } })
            .session(&mut *session)
            .await?;
        Ok(())
    }
}
