//! Group commit on a synchronous connection of its own: [`Db::write`](crate::Db::write).
//!
//! A write that goes through sqlx is a round trip to the connection's worker thread for every
//! statement (and two more to check the connection out and back in); a scoring is about fifteen
//! statements, so most of its cost was thread hand-offs, not SQLite. Jobs given to `Db::write`
//! are closures over a `rusqlite` connection owned by the writer thread: they run there without
//! a hand-off between statements, and the jobs that queue while a batch runs are applied together
//! in the next one — one `BEGIN IMMEDIATE` transaction, each job inside a savepoint of its own.
//! Pages that many jobs touch (index roots, counters) are appended to the WAL once per batch.
//!
//! Each job still succeeds or fails alone: a job that returns `Err` has its savepoint rolled back
//! and gets its own error. A store failure that ends the transaction (SQLite rolls back on a full
//! disk or an I/O error) or a failed `COMMIT` fails every job of the batch: none is applied.
//!
//! The sqlx writer connection ([`Db::writes`](crate::Db::writes)) is held for each batch, so the
//! two writer connections of this process take turns instead of meeting SQLite's busy handler.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use sqlx::SqlitePool;
use stackrush_kernel::StoreError;
use tokio::sync::{mpsc, oneshot};

/// The WAL file is cut back to this size when it starts over (after a burst made it larger).
pub(crate) const JOURNAL_SIZE_LIMIT: i64 = 64 << 20;

/// At most this many jobs in one transaction.
const MAX_BATCH: usize = 64;

/// Why a [`Db::write`](crate::Db::write) job was not applied.
#[derive(Debug)]
pub enum WriteError<E> {
    /// The job returned this error; its writes were rolled back, the batch went on.
    Job(E),
    /// The store failed the batch (or never ran it): nothing of the job was applied.
    Store(StoreError),
}

impl<E: From<StoreError>> WriteError<E> {
    /// Either cause as the job's own error type.
    pub fn into_inner(self) -> E {
        match self {
            WriteError::Job(own) => own,
            WriteError::Store(e) => e.into(),
        }
    }
}

/// A queued job, type-erased so that jobs of any result type share one queue.
trait Job: Send {
    /// Runs the work on `conn`; `false` when it failed (its savepoint is then rolled back).
    fn run(&mut self, conn: &Connection) -> bool;
    /// Answers the caller once the batch is over: `batch` is whether the transaction committed.
    fn finish(self: Box<Self>, batch: Result<(), &StoreError>);
}

struct Pending<W, R, E> {
    work: Option<W>,
    outcome: Option<Result<R, E>>,
    done: oneshot::Sender<Result<R, WriteError<E>>>,
}

impl<W, R, E> Job for Pending<W, R, E>
where
    W: FnOnce(&Connection) -> Result<R, E> + Send,
    R: Send,
    E: Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let Some(work) = self.work.take() else {
            return false;
        };
        // A panicking job must not take the writer thread down with it: it counts as failed
        // (no outcome), and its savepoint is rolled back like any failed job's.
        match catch_unwind(AssertUnwindSafe(|| work(conn))) {
            Ok(outcome) => {
                let ok = outcome.is_ok();
                self.outcome = Some(outcome);
                ok
            }
            Err(_) => false,
        }
    }

    fn finish(self: Box<Self>, batch: Result<(), &StoreError>) {
        let answer = match (self.outcome, batch) {
            (Some(Err(own)), _) => Err(WriteError::Job(own)),
            (Some(Ok(value)), Ok(())) => Ok(value),
            (Some(Ok(_)), Err(e)) => Err(WriteError::Store(copy_of(e))),
            (None, Err(e)) => Err(WriteError::Store(copy_of(e))),
            (None, Ok(())) => Err(WriteError::Store(StoreError::Other(anyhow::anyhow!(
                "the write job panicked"
            )))),
        };
        // The caller may have gone; nothing to tell then.
        let _ = self.done.send(answer);
    }
}

/// The queue to the writer thread.
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    jobs: mpsc::UnboundedSender<Box<dyn Job>>,
}

impl Writer {
    /// Opens the synchronous writer connection to `path` (a file, or a shared in-memory
    /// database's URI name) and starts applying batches on `runtime` (the writer thread's),
    /// each while holding `lock`, the sqlx writer pool's one connection.
    pub(crate) fn start(
        path: &Path,
        in_memory: bool,
        lock: SqlitePool,
        runtime: &tokio::runtime::Handle,
    ) -> anyhow::Result<Self> {
        let conn = connect(path, in_memory)?;
        let (jobs, queue) = mpsc::unbounded_channel();
        runtime.spawn(apply_batches(conn, queue, lock));
        Ok(Self { jobs })
    }

    pub(crate) async fn write<W, R, E>(&self, work: W) -> Result<R, WriteError<E>>
    where
        W: FnOnce(&Connection) -> Result<R, E> + Send + 'static,
        R: Send + 'static,
        E: Send + 'static,
    {
        let (done, answer) = oneshot::channel();
        let job = Box::new(Pending {
            work: Some(work),
            outcome: None,
            done,
        });
        if self.jobs.send(job).is_err() {
            return Err(WriteError::Store(stopped()));
        }
        answer
            .await
            .unwrap_or_else(|_| Err(WriteError::Store(stopped())))
    }
}

fn stopped() -> StoreError {
    StoreError::Unavailable(anyhow::anyhow!("the SQLite writer thread has stopped"))
}

fn connect(path: &Path, in_memory: bool) -> anyhow::Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if in_memory {
        flags |= OpenFlags::SQLITE_OPEN_MEMORY | OpenFlags::SQLITE_OPEN_SHARED_CACHE;
    }
    let conn = Connection::open_with_flags(path, flags)?;
    // The same settings as the sqlx connections (the file is in WAL mode already).
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    conn.pragma_update(None, "journal_size_limit", JOURNAL_SIZE_LIMIT)?;
    // The hot write path's pages stay in this connection's cache (64 MB, not SQLite's 2 MB):
    // its own commits never invalidate it, only other connections' writes do.
    conn.pragma_update(None, "cache_size", -65_536)?;
    // Savepoints keep the pages they may roll back in memory, not in a temporary file.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.set_prepared_statement_cache_capacity(128);
    Ok(conn)
}

/// The writer thread's loop: every job waiting, up to [`MAX_BATCH`], in one transaction.
async fn apply_batches(
    mut conn: Connection,
    mut queue: mpsc::UnboundedReceiver<Box<dyn Job>>,
    lock: SqlitePool,
) {
    let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let outcome = match lock.acquire().await {
            Ok(held) => {
                let outcome = run_batch(&mut conn, &mut batch);
                drop(held);
                outcome
            }
            Err(e) => Err(crate::store_error(e, &[])),
        };
        for job in batch.drain(..) {
            job.finish(outcome.as_ref().map(|_| ()));
        }
    }
}

/// Runs `batch` in one transaction, each job in a savepoint of its own.
fn run_batch(conn: &mut Connection, batch: &mut [Box<dyn Job>]) -> Result<(), StoreError> {
    let failed = |e| crate::sync_store_error(e, &[]);
    let exec = |conn: &Connection, sql: &str| {
        conn.prepare_cached(sql)
            .and_then(|mut s| s.execute([]))
            .map_err(failed)
    };
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(failed)?;
    for job in batch.iter_mut() {
        exec(&tx, "SAVEPOINT job")?;
        if !job.run(&tx) {
            if tx.is_autocommit() {
                // SQLite ended the transaction itself (full disk, I/O error): every job of the
                // batch is undone.
                return Err(StoreError::Unavailable(anyhow::anyhow!(
                    "SQLite rolled the write transaction back after a failed statement"
                )));
            }
            exec(&tx, "ROLLBACK TO job")?;
        }
        exec(&tx, "RELEASE job")?;
    }
    tx.commit().map_err(failed)
}

/// The batch's error for one of its jobs: the same kind, with the whole cause as text.
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
    fn each_job_gets_the_batch_error_with_its_kind_and_cause() {
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
