//! What every StackRush SQLite adapter shares: opening the database ([`Db`]: a pool of
//! read-only readers, two writer connections that take turns — sqlx's, and a synchronous one
//! committing jobs in groups — WAL), error translation into [`StoreError`], and millisecond time
//! columns.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
pub mod rows;

pub use page::{push_binds, PageQuery};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use stackrush_kernel::StoreError;
pub use writer::WriteError;
use writer::Writer;

mod checkpoint;
mod page;
mod writer;

/// The database as the adapters use it. Reads go through [`Db::reads`]: read-only connections,
/// so a write sent there fails loudly. Writes go through one of two writer connections, which
/// take turns (a batch of [`Db::write`] holds the sqlx writer while it runs):
/// - [`Db::writes`], a pool of exactly one sqlx connection, so this process's writers queue in
///   order on an async semaphore instead of contending for SQLite's lock (whose busy handler
///   sleeps 1, 2, 5, … ms while the lock may already be free);
/// - [`Db::write`], jobs over a synchronous connection on the writer thread, committed in groups
///   (see `writer`): for the hot write paths, where statements add up.
#[derive(Debug, Clone)]
pub struct Db {
    reads: SqlitePool,
    writes: SqlitePool,
    writer: Writer,
    _thread: Arc<WriterThread>,
    /// `None` in memory (no WAL).
    _checkpointer: Option<Arc<checkpoint::Checkpointer>>,
}

/// The thread the synchronous writer connection lives on.
#[derive(Debug)]
struct WriterThread {
    runtime: tokio::runtime::Handle,
    /// Dropped with the last `Db`: the thread's runtime then stops (closing the connection).
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
    /// `reads` and `writes` with the synchronous writer on `path` beside them.
    fn with_writer(
        reads: SqlitePool,
        writes: SqlitePool,
        path: &Path,
        in_memory: bool,
    ) -> anyhow::Result<Self> {
        let thread = WriterThread::start()?;
        let writer = Writer::start(path, in_memory, writes.clone(), &thread.runtime)?;
        // An in-memory database has no WAL to checkpoint.
        let checkpointer = if in_memory {
            None
        } else {
            let lock = writes.clone();
            let checkpointer = checkpoint::Checkpointer::start(path, lock, thread.runtime.clone())?;
            Some(Arc::new(checkpointer))
        };
        Ok(Self {
            reads,
            writes,
            writer,
            _thread: Arc::new(thread),
            _checkpointer: checkpointer,
        })
    }

    /// The readers' pool (read-only connections, or the one shared connection in memory).
    pub fn reads(&self) -> &SqlitePool {
        &self.reads
    }

    /// The sqlx writer: one connection, handed to one writer at a time.
    pub fn writes(&self) -> &SqlitePool {
        &self.writes
    }

    /// A transaction on the sqlx writer that takes SQLite's write lock at once (`BEGIN
    /// IMMEDIATE`): one that reads before it writes cannot then find its snapshot outdated by
    /// another process writing the same file (`seed`, `admin`); it waits for them at the start.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.writes.begin_with("BEGIN IMMEDIATE").await
    }

    /// Runs `work` on the writer thread's synchronous connection, inside a savepoint of the next
    /// group-committed transaction, and answers once that transaction is over.
    ///
    /// `Err` from `work` rolls back its own writes only ([`WriteError::Job`]); a store failure of
    /// the transaction ([`WriteError::Store`]) means nothing of `work` was applied. `work` runs
    /// on the writer thread while every other writer waits: statements only, no waiting.
    pub async fn write<W, R, E>(&self, work: W) -> Result<R, WriteError<E>>
    where
        W: FnOnce(&rusqlite::Connection) -> Result<R, E> + Send + 'static,
        R: Send + 'static,
        E: Send + 'static,
    {
        self.writer.write(work).await
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
    // No ping before handing out a connection (a round trip to its worker thread): a local
    // file's connection cannot be cut off, and sqlx still pings each one when it comes back.
    let writes = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .test_before_acquire(false)
        // Writers never checkpoint: a thread of its own does (see `checkpoint`).
        .connect_with(
            options
                .clone()
                .pragma("wal_autocheckpoint", "0")
                .pragma("journal_size_limit", writer::JOURNAL_SIZE_LIMIT.to_string()),
        )
        .await?;
    let reads = SqlitePoolOptions::new()
        .max_connections(READERS)
        .acquire_timeout(Duration::from_secs(5))
        .test_before_acquire(false)
        .connect_with(options.read_only(true))
        .await?;
    Db::with_writer(reads, writes, path, false)
}

/// A private in-memory database, for tests and examples: one sqlx connection that reads and
/// writes (it keeps the database alive), and the synchronous writer on the same shared-cache
/// database.
pub async fn open_in_memory() -> anyhow::Result<Db> {
    let options = SqliteConnectOptions::from_str("sqlite::memory:")?;
    let name = options.get_filename().to_owned();
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .test_before_acquire(false)
        .connect_with(options)
        .await?;
    Db::with_writer(pool.clone(), pool, &name, true)
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
    let failure = match &err {
        sqlx::Error::Database(db) => db
            .code()
            .and_then(|c| c.parse::<i32>().ok())
            .map(|code| classify(code, db.message(), keys)),
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => Some(Failure::Unavailable),
        _ => None,
    };
    failure
        .unwrap_or(Failure::Other)
        .into_store_error(err.into())
}

/// [`store_error`] for the synchronous writer's errors ([`Db::write`]), by the same rules.
pub fn sync_store_error(err: rusqlite::Error, keys: &[(&str, &str)]) -> StoreError {
    let failure = match &err {
        rusqlite::Error::SqliteFailure(e, message) => classify(
            e.extended_code,
            message.as_deref().unwrap_or_default(),
            keys,
        ),
        _ => Failure::Other,
    };
    failure.into_store_error(err.into())
}

/// What an SQLite failure means to a caller, whichever driver reported it.
enum Failure {
    Conflict(String),
    Unavailable,
    Other,
}

impl Failure {
    fn into_store_error(self, cause: anyhow::Error) -> StoreError {
        match self {
            Failure::Conflict(key) => StoreError::conflict(key),
            Failure::Unavailable => StoreError::Unavailable(cause),
            Failure::Other => StoreError::Other(cause),
        }
    }
}

/// The failure an (extended) SQLite result code stands for: a unique or primary key violation is
/// a conflict on the first of `keys` whose column fragment `message` names; BUSY (5), LOCKED
/// (6), IOERR (10), FULL (13), CANTOPEN (14) and their extended codes mean unavailable.
fn classify(code: i32, message: &str, keys: &[(&str, &str)]) -> Failure {
    match code {
        // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
        2067 | 1555 => Failure::Conflict(
            keys.iter()
                .find(|(column, _)| message.contains(column))
                .map_or("unique", |(_, key)| key)
                .to_owned(),
        ),
        c if matches!(c & 0xff, 5 | 6 | 10 | 13 | 14) => Failure::Unavailable,
        _ => Failure::Other,
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

    /// Inserts `n` through the synchronous writer, failing the job (after its insert) when
    /// `fail` is set.
    async fn insert(db: &Db, n: i64, fail: bool) -> Result<i64, WriteError<&'static str>> {
        db.write(move |conn| {
            conn.execute("INSERT INTO t (n) VALUES (?1)", [n])
                .map_err(|_| "insert failed")?;
            if fail {
                Err("refused")
            } else {
                Ok(n)
            }
        })
        .await
    }

    async fn sum(db: &Db) -> i64 {
        sqlx::query_scalar("SELECT COALESCE(SUM(n), 0) FROM t")
            .fetch_one(db.reads())
            .await
            .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_job_undoes_only_its_own_writes() {
        let (_dir, db) = file_db().await;
        // Queued while the writer waits for the sqlx writer, so they share a transaction.
        let held = db.writes().acquire().await.unwrap();
        let jobs: Vec<_> = (1..=40)
            .map(|n| {
                let db = db.clone();
                tokio::spawn(async move { insert(&db, n, n % 4 == 0).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(100)).await;
        drop(held);
        let mut kept = 0;
        for (n, outcome) in (1..=40).zip(futures::future::join_all(jobs).await) {
            match outcome.unwrap() {
                Ok(got) => {
                    assert_eq!(got, n);
                    kept += n;
                }
                Err(WriteError::Job(own)) => {
                    assert_eq!(n % 4, 0);
                    assert_eq!(own, "refused");
                }
                Err(WriteError::Store(e)) => panic!("job {n}: {e:?}"),
            }
        }
        assert_eq!(sum(&db).await, kept);
        assert_eq!(kept, (1..=40).filter(|n| n % 4 != 0).sum::<i64>());
    }

    #[tokio::test]
    async fn the_wal_is_copied_into_the_database_file_by_the_checkpoint_thread() {
        let (dir, db) = file_db().await;
        for n in 1..=50 {
            insert(&db, n, false).await.unwrap();
        }
        // The database file alone, WAL ignored (`immutable`): what has been checkpointed.
        let in_file = || {
            let uri = format!("file:{}?immutable=1", dir.path().join("t.db").display());
            let conn = rusqlite::Connection::open_with_flags(
                uri,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI,
            )
            .unwrap();
            // Before the first checkpoint the file does not even have the table.
            conn.query_row("SELECT COALESCE(SUM(n), 0) FROM t", [], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap_or(0)
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while in_file() != (1..=50).sum::<i64>() {
            assert!(
                std::time::Instant::now() < deadline,
                "no checkpoint: {} in the file",
                in_file()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // The writers leave checkpoints to that thread.
        let auto: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
            .fetch_one(db.writes())
            .await
            .unwrap();
        assert_eq!(auto, 0);
    }

    /// Frames in the WAL now (`mxFrame` of the WAL index header in the `-shm` file, read
    /// without touching the database: a checkpoint query would be one more checkpoint).
    fn wal_frames(dir: &Path) -> u32 {
        let shm = std::fs::read(dir.join("t.db-shm")).unwrap();
        u32::from_ne_bytes(shm[16..20].try_into().unwrap())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_wal_starts_over_under_steady_reads_and_writes() {
        let (dir, db) = file_db().await;
        sqlx::query("CREATE TABLE pad (b BLOB NOT NULL)")
            .execute(db.writes())
            .await
            .unwrap();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        // Readers that always overlap: some reader holds a WAL snapshot at almost any moment,
        // which starves passive checkpoints (the WAL would only ever grow).
        let readers: Vec<_> = (0..8)
            .map(|_| {
                let (db, stop) = (db.clone(), stop.clone());
                tokio::spawn(async move {
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        sqlx::query("SELECT COUNT(*) FROM pad")
                            .fetch_one(db.reads())
                            .await
                            .unwrap();
                    }
                })
            })
            .collect();
        // Steady writes, each two pages or more; the WAL must start over (its frame count drop)
        // again and again, within a generous time for a loaded machine.
        let (mut restarts, mut last) = (0, 0);
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while restarts < 3 {
            assert!(
                std::time::Instant::now() < deadline,
                "the WAL started over {restarts} times; {last} frames now"
            );
            db.write(|conn| conn.execute("INSERT INTO pad (b) VALUES (zeroblob(5000))", []))
                .await
                .unwrap();
            let frames = wal_frames(dir.path());
            if frames < last {
                restarts += 1;
            }
            last = frames;
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for r in readers {
            r.await.unwrap();
        }
    }

    #[tokio::test]
    async fn a_panicking_job_fails_alone_and_the_writer_goes_on() {
        let (_dir, db) = file_db().await;
        let panicked = db
            .write(|conn| -> Result<(), rusqlite::Error> {
                conn.execute("INSERT INTO t (n) VALUES (5)", [])?;
                panic!("a bug in a job");
            })
            .await;
        assert!(
            matches!(&panicked, Err(WriteError::Store(StoreError::Other(_)))),
            "{panicked:?}"
        );
        assert_eq!(insert(&db, 7, false).await.unwrap(), 7);
        assert_eq!(sum(&db).await, 7);
    }

    #[tokio::test]
    async fn the_synchronous_writer_shares_an_in_memory_database() {
        let db = open_in_memory().await.unwrap();
        sqlx::query("CREATE TABLE t (n INTEGER NOT NULL UNIQUE)")
            .execute(db.writes())
            .await
            .unwrap();
        assert_eq!(insert(&db, 3, false).await.unwrap(), 3);
        assert_eq!(sum(&db).await, 3);
        // A unique violation through the synchronous writer is a conflict.
        let again = db
            .write(|conn| conn.execute("INSERT INTO t (n) VALUES (3)", []))
            .await;
        match again {
            Err(WriteError::Job(e)) => assert!(matches!(
                sync_store_error(e, &[("t.n", "n")]),
                StoreError::Conflict { key } if key == "n"
            )),
            other => panic!("{other:?}"),
        }
        assert_eq!(sum(&db).await, 3);
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
        // Jobs on the synchronous writer, while sqlx writers run too: the two writer
        // connections take turns (a lost update or a busy error would show).
        let sqlx_writers = (0..16).map(|_| {
            let db = db.clone();
            tokio::spawn(async move { increment(&db, Duration::ZERO).await })
        });
        let jobs = (0..64).map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                db.write(|conn| {
                    conn.execute("UPDATE t SET n = n + 1", [])
                        .map(|_| std::thread::current().name().map(str::to_owned))
                })
                .await
            })
        });
        for thread in futures::future::join_all(jobs).await {
            let thread = thread.unwrap().map_err(|e| format!("{e:?}")).unwrap();
            assert_eq!(thread.as_deref(), Some("sqlite-writer"));
        }
        for done in futures::future::join_all(sqlx_writers).await {
            done.unwrap();
        }
        let n: i64 = sqlx::query_scalar("SELECT n FROM t")
            .fetch_one(db.reads())
            .await
            .unwrap();
        assert_eq!(n, 64 + 16 + 64);
    }
}
