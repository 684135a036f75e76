//! Group commit: scoring commits that arrive while a batch holds the writer are applied together,
//! in one transaction, each inside a savepoint of its own.
//!
//! Every scoring rewrites the same hot pages (rank buckets, the challenge's row and the catalogue
//! indexes over its stats, board indexes); committed one by one, each commit appends all of them
//! to the WAL again. In a batch they are appended once per batch. Each commit still succeeds or
//! fails on its own: a stale plan or an already scored submission rolls back only its savepoint.
//! A store failure ends the whole batch (SQLite may have rolled the transaction back already):
//! every commit in it gets that error (same kind, same cause) and none is applied.

use std::mem;
use std::sync::{Mutex, MutexGuard};

use stackrush_kernel::StoreError;
use stackrush_scoring::progress::{CommitError, ScoringCommit};
use tokio::sync::oneshot;

use crate::{store_error, SqliteScoring};

/// At most this many commits in one transaction.
const MAX_BATCH: usize = 64;

/// Commits waiting for the writer, and whether some caller is applying batches.
#[derive(Debug, Default)]
pub(crate) struct Batches(Mutex<Queue>);

#[derive(Debug, Default)]
struct Queue {
    waiting: Vec<Waiting>,
    leading: bool,
    /// Counts leads, so a lead that ended cannot end its successor's.
    leads: u64,
}

#[derive(Debug)]
struct Waiting {
    commit: ScoringCommit,
    done: oneshot::Sender<Result<(), CommitError>>,
}

fn abandoned() -> CommitError {
    CommitError::Store(StoreError::Unavailable(anyhow::anyhow!(
        "the scoring commit's batch was abandoned"
    )))
}

impl Batches {
    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `commit`; a caller that finds no batch running starts one on the writer thread,
    /// which applies batches until the queue is empty. Every caller waits for its own outcome
    /// only.
    pub(crate) async fn commit(
        &self,
        adapter: &SqliteScoring,
        commit: &ScoringCommit,
    ) -> Result<(), CommitError> {
        let (done, outcome) = oneshot::channel();
        let lead = {
            let mut queue = self.queue();
            queue.waiting.push(Waiting {
                commit: commit.clone(),
                done,
            });
            (!mem::replace(&mut queue.leading, true)).then(|| {
                queue.leads += 1;
                queue.leads
            })
        };
        if let Some(lead) = lead {
            let leader = Leader {
                adapter: adapter.clone(),
                lead,
            };
            adapter.db.spawn_on_writer_thread(async move {
                while let Some(batch) = leader.adapter.batches.next_batch() {
                    leader.adapter.apply_batch(batch).await;
                }
            });
        }
        outcome.await.unwrap_or_else(|_| Err(abandoned()))
    }

    /// Up to [`MAX_BATCH`] waiting commits, oldest first; when none wait, the lead ends (in the
    /// same step, so a commit queued a moment later starts a new one).
    fn next_batch(&self) -> Option<Vec<Waiting>> {
        let mut queue = self.queue();
        if queue.waiting.is_empty() {
            queue.leading = false;
            return None;
        }
        let take = queue.waiting.len().min(MAX_BATCH);
        let rest = queue.waiting.split_off(take);
        Some(mem::replace(&mut queue.waiting, rest))
    }
}

/// The task applying batches. Should it stop before the queue is empty (dropped unfinished),
/// its lead ends anyway and the commits still waiting are told they were abandoned.
struct Leader {
    adapter: SqliteScoring,
    lead: u64,
}

impl Drop for Leader {
    fn drop(&mut self) {
        let orphans = {
            let mut queue = self.adapter.batches.queue();
            // Finished normally (`next_batch` ended the lead), perhaps with a successor leading.
            if !queue.leading || queue.leads != self.lead {
                return;
            }
            queue.leading = false;
            mem::take(&mut queue.waiting)
        };
        for orphan in orphans {
            let _ = orphan.done.send(Err(abandoned()));
        }
    }
}

impl SqliteScoring {
    /// Applies `batch` in one `BEGIN IMMEDIATE` transaction and tells each waiter its outcome.
    async fn apply_batch(&self, batch: Vec<Waiting>) {
        match self.run_batch(&batch).await {
            Ok(outcomes) => {
                for (waiting, outcome) in batch.into_iter().zip(outcomes) {
                    let _ = waiting.done.send(outcome);
                }
            }
            Err(failed) => {
                for waiting in batch {
                    let _ = waiting.done.send(Err(CommitError::Store(copy_of(&failed))));
                }
            }
        }
    }

    /// Each commit's outcome, or the store error that ended the batch (nothing applied).
    async fn run_batch(
        &self,
        batch: &[Waiting],
    ) -> Result<Vec<Result<(), CommitError>>, StoreError> {
        let mut tx = self.db.begin_write().await.map_err(store_error)?;
        let mut outcomes = Vec::with_capacity(batch.len());
        for waiting in batch {
            sqlx::query("SAVEPOINT scoring")
                .execute(&mut *tx)
                .await
                .map_err(store_error)?;
            match self.apply_in(&mut tx, &waiting.commit).await {
                Ok(()) => outcomes.push(Ok(())),
                Err(own @ (CommitError::Stale | CommitError::AlreadyScored)) => {
                    sqlx::query("ROLLBACK TO scoring")
                        .execute(&mut *tx)
                        .await
                        .map_err(store_error)?;
                    outcomes.push(Err(own));
                }
                // The transaction may be gone: end the batch (dropping `tx` rolls back).
                Err(CommitError::Store(e)) => return Err(e),
            }
            sqlx::query("RELEASE scoring")
                .execute(&mut *tx)
                .await
                .map_err(store_error)?;
        }
        tx.commit().await.map_err(store_error)?;
        Ok(outcomes)
    }
}

/// The batch's error for one of its commits: the same kind, with the whole cause as text.
fn copy_of(e: &StoreError) -> StoreError {
    match e {
        StoreError::Conflict { key } => StoreError::conflict(key.clone()),
        StoreError::Unavailable(cause) => StoreError::Unavailable(anyhow::anyhow!("{cause:#}")),
        StoreError::Other(cause) => StoreError::Other(anyhow::anyhow!("{cause:#}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_commit_gets_the_batch_error_with_its_kind_and_cause() {
        let io = std::io::Error::other("disk full");
        let failed = StoreError::Unavailable(anyhow::Error::new(io).context("writing the WAL"));
        match copy_of(&failed) {
            StoreError::Unavailable(cause) => {
                assert_eq!(format!("{cause:#}"), "writing the WAL: disk full");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            copy_of(&StoreError::Other(anyhow::anyhow!("corrupt row"))),
            StoreError::Other(cause) if cause.to_string() == "corrupt row"
        ));
        assert!(matches!(
            copy_of(&StoreError::conflict("unlock")),
            StoreError::Conflict { key } if key == "unlock"
        ));
    }
}
