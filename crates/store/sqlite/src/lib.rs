//! What every StackRush SQLite adapter shares: opening the database ([`Db`]: one writer
//! connection, a pool of read-only readers, WAL), error translation into [`StoreError`], and
//! millisecond time columns.

use std::future::Future;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use stackrush_kernel::StoreError;

/// The database as the adapters use it: every write goes through [`Db::writes`], a pool of
/// exactly one connection, so this process's writers queue in order on an async semaphore
/// instead of contending for SQLite's lock (whose busy handler sleeps 1, 2, 5, … ms while the
/// lock may already be free), and the writer's page cache stays valid across commits. Reads go
/// through [`Db::reads`]: read-only connections, so a write sent there fails loudly.
#[derive(Debug, Clone)]
pub struct Db {
    reads: SqlitePool,
    writes: SqlitePool,
    writer_thread: Option<Arc<WriterThread>>,
}

/// A thread of its own for transactions of many statements (see [`Db::spawn_on_writer_thread`]).
#[derive(Debug)]
struct WriterThread {
    runtime: tokio::runtime::Handle,
    /// Dropped with the last `Db`: the thread's runtime then stops.
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl WriterThread {
    fn start() -> anyhow::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("sqlite-writer".to_owned())
            .spawn(move || {
                // Err: the sender is gone, which is the signal too.
                let _ = runtime.block_on(stopped);
            })?;
        Ok(Self {
            runtime: handle,
            _stop: stop,
        })
    }
}

impl Db {
    /// The readers' pool (read-only connections, or the one shared connection in memory).
    pub fn reads(&self) -> &SqlitePool {
        &self.reads
    }

    /// The writer: one connection, handed to one writer at a time.
    pub fn writes(&self) -> &SqlitePool {
        &self.writes
    }

    /// A transaction on the writer that takes SQLite's write lock at once (`BEGIN IMMEDIATE`):
    /// one that reads before it writes cannot then find its snapshot outdated by another
    /// process writing the same file (`seed`, `admin`); it waits for them at the start instead.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.writes.begin_with("BEGIN IMMEDIATE").await
    }

    /// Starts `work` (transactions of many statements on [`Db::writes`]) on a thread of its
    /// own, without waiting for it.
    ///
    /// Each statement is a round trip between the awaiting task and the connection's worker
    /// thread. On the request threads every return trip waits behind all the requests ready to
    /// run, while the transaction holds the one writer everyone else queues for; on this thread
    /// it is taken up at once. Without a writer thread (in memory) `work` is spawned on the
    /// current runtime.
    pub fn spawn_on_writer_thread(&self, work: impl Future<Output = ()> + Send + 'static) {
        match &self.writer_thread {
            Some(thread) => drop(thread.runtime.spawn(work)),
            None => drop(tokio::spawn(work)),
        }
    }
}

/// One pool for both (an in-memory database has a single connection that does everything).
impl From<SqlitePool> for Db {
    fn from(pool: SqlitePool) -> Self {
        Self {
            reads: pool.clone(),
            writes: pool,
            writer_thread: None,
        }
    }
}

/// How many read-only connections a file database gets.
const READERS: u32 = 8;

/// Opens (creating if needed) the database at `path` in WAL mode: the writer first (it creates
/// the file), then the readers. The busy timeout stays for other processes (`seed`, `admin`)
/// writing the same file.
pub async fn open(path: &Path) -> anyhow::Result<Db> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let writes = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        // The writer checkpoints: every 10,000 pages (~40 MB of WAL) instead of SQLite's 1,000,
        // as a checkpoint writes each page once however often it changed, and syncs.
        .connect_with(options.clone().pragma("wal_autocheckpoint", "10000"))
        .await?;
    let reads = SqlitePoolOptions::new()
        .max_connections(READERS)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options.read_only(true))
        .await?;
    Ok(Db {
        reads,
        writes,
        writer_thread: Some(Arc::new(WriterThread::start()?)),
    })
}

/// A private in-memory database (one connection that reads and writes), for tests and examples.
pub async fn open_in_memory() -> anyhow::Result<Db> {
    let options = SqliteConnectOptions::from_str("sqlite::memory:")?;
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(options)
        .await?;
    Ok(pool.into())
}

/// Applies one context's embedded migrations (`sqlx::migrate!()` in that context's crate) to the
/// shared database; safe at every start. Each context numbers its own migrations, so those of the
/// other contexts in the file are expected and left alone.
pub async fn apply_migrations(
    db: &Db,
    mut migrator: sqlx::migrate::Migrator,
) -> anyhow::Result<()> {
    migrator.set_ignore_missing(true);
    migrator.run(db.writes()).await?;
    Ok(())
}

/// Whether the database answers.
pub async fn ping(db: &Db) -> anyhow::Result<()> {
    sqlx::query("SELECT 1").execute(db.reads()).await?;
    Ok(())
}

/// Translates sqlx errors: a unique violation becomes `Conflict` with the first of `keys` whose
/// column name appears in the message (`(column fragment, key)` pairs), I/O, busy and pool trouble
/// `Unavailable`, the rest `Other`.
pub fn store_error(err: sqlx::Error, keys: &[(&str, &str)]) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            let message = db.message();
            let key = keys
                .iter()
                .find(|(column, _)| message.contains(column))
                .map_or("unique", |(_, key)| key);
            StoreError::conflict(key)
        }
        // SQLITE_BUSY (5), LOCKED (6), IOERR (10), FULL (13), CANTOPEN (14) and their extended codes.
        sqlx::Error::Database(db)
            if db
                .code()
                .and_then(|c| c.parse::<i32>().ok())
                .is_some_and(|c| matches!(c & 0xff, 5 | 6 | 10 | 13 | 14)) =>
        {
            StoreError::Unavailable(err.into())
        }
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(err.into()),
        _ => StoreError::Other(err.into()),
    }
}

/// A stored value that cannot be read back.
pub fn corrupt(what: &str, err: impl std::fmt::Display) -> StoreError {
    StoreError::Other(anyhow::anyhow!("corrupt {what}: {err}"))
}

/// Milliseconds since the epoch: how times are stored.
pub fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The instant stored as `ms`.
pub fn from_millis(ms: i64) -> Result<DateTime<Utc>, StoreError> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .ok_or_else(|| corrupt("time", ms))
}

/// The optional instant stored as `ms`.
pub fn opt_from_millis(ms: Option<i64>) -> Result<Option<DateTime<Utc>>, StoreError> {
    ms.map(from_millis).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn file_db() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = open(&dir.path().join("t.db")).await.unwrap();
        sqlx::query("CREATE TABLE t (n INTEGER NOT NULL)")
            .execute(db.writes())
            .await
            .unwrap();
        (dir, db)
    }

    #[tokio::test]
    async fn readers_refuse_writes_and_see_committed_ones() {
        let (_dir, db) = file_db().await;
        let refused = sqlx::query("INSERT INTO t (n) VALUES (1)")
            .execute(db.reads())
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("readonly"), "{refused}");
        sqlx::query("INSERT INTO t (n) VALUES (2)")
            .execute(db.writes())
            .await
            .unwrap();
        let seen: i64 = sqlx::query_scalar("SELECT SUM(n) FROM t")
            .fetch_one(db.reads())
            .await
            .unwrap();
        assert_eq!(seen, 2);
    }

    /// Reads `n`, waits `pause` holding the writer, writes `n + 1`.
    async fn increment(db: &Db, pause: Duration) {
        let mut tx = db.begin_write().await.unwrap();
        let n: i64 = sqlx::query_scalar("SELECT n FROM t")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        tokio::time::sleep(pause).await;
        sqlx::query("UPDATE t SET n = ?1")
            .bind(n + 1)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn writers_queue_for_the_one_writer_connection() {
        let (_dir, db) = file_db().await;
        assert_eq!(db.writes().options().get_max_connections(), 1);
        // Each transaction reads, waits while holding the writer, then writes what it read plus
        // one: lost updates would show as a sum below the number of writers.
        sqlx::query("INSERT INTO t (n) VALUES (0)")
            .execute(db.writes())
            .await
            .unwrap();
        let writers = (0..64).map(|_| {
            let db = db.clone();
            tokio::spawn(async move { increment(&db, Duration::from_millis(1)).await })
        });
        for done in futures::future::join_all(writers).await {
            done.unwrap();
        }
        // The same through the writer thread.
        let on_thread = (0..16).map(|_| {
            let (done, outcome) = tokio::sync::oneshot::channel();
            let inner = db.clone();
            db.spawn_on_writer_thread(async move {
                increment(&inner, Duration::ZERO).await;
                let _ = done.send(std::thread::current().name().map(str::to_owned));
            });
            outcome
        });
        for thread in futures::future::join_all(on_thread).await {
            assert_eq!(thread.unwrap().as_deref(), Some("sqlite-writer"));
        }
        let n: i64 = sqlx::query_scalar("SELECT n FROM t")
            .fetch_one(db.reads())
            .await
            .unwrap();
        assert_eq!(n, 64 + 16);
    }
}
