//! WAL checkpoints on a thread of their own.
//!
//! With SQLite's automatic checkpoints, the connection whose commit crosses the threshold copies
//! the WAL into the database file and syncs it before its commit returns — on the writer, while
//! every other write waits behind it (and the core idles through the `fsync`). Here the writers
//! never checkpoint (`wal_autocheckpoint = 0`); this thread does, every [`EVERY`], in two steps:
//! a `PASSIVE` checkpoint copies what no reader still needs without stopping the writers; then,
//! holding the sqlx writer connection (which both writer connections take before writing), a
//! `RESTART` checkpoint copies the few frames written meanwhile and waits (at most
//! [`RESTART_WAIT`]) for the readers still reading from the WAL, so the next write starts the WAL
//! over. Passive checkpoints alone never get there under steady reads and writes (some reader
//! always holds a WAL snapshot when a write begins): the first run of the scoring benchmark with
//! them ended with a 1.5 GB WAL after 10 s.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use sqlx::SqlitePool;

/// How often the WAL is checkpointed.
const EVERY: Duration = Duration::from_millis(250);

/// How long the second step waits for readers while the writers wait for it.
const RESTART_WAIT: Duration = Duration::from_millis(100);

/// Stops the thread when dropped (with the last `Db`).
#[derive(Debug)]
pub(crate) struct Checkpointer {
    _stop: mpsc::Sender<()>,
}

impl Checkpointer {
    /// Starts checkpointing the database file at `path`; `lock` is the sqlx writer pool,
    /// `runtime` the writer thread's (which drives `lock`'s waits).
    pub(crate) fn start(
        path: &Path,
        lock: SqlitePool,
        runtime: tokio::runtime::Handle,
    ) -> anyhow::Result<Self> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(RESTART_WAIT)?;
        let (stop, stopped) = mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("sqlite-checkpoint".to_owned())
            .spawn(move || {
                // Disconnected (the sender dropped) ends the loop; nothing is ever sent.
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(EVERY) {
                    if let Err(e) = runtime.block_on(checkpoint(&conn, &lock)) {
                        tracing::warn!(error = %e, "WAL checkpoint failed; tried again shortly");
                    }
                }
            })?;
        Ok(Self { _stop: stop })
    }
}

/// Both steps: the bulk beside the writers, the rest and the restart holding them off. A restart
/// that readers kept waiting past [`RESTART_WAIT`] is tried again next time.
async fn checkpoint(conn: &Connection, lock: &SqlitePool) -> anyhow::Result<()> {
    if run(conn, "PASSIVE")?.frames == 0 {
        return Ok(());
    }
    let held = lock.acquire().await?;
    run(conn, "RESTART")?;
    drop(held);
    Ok(())
}

/// What a checkpoint reports.
struct Checkpoint {
    /// Frames in the WAL (0: nothing written since it started over).
    frames: i64,
}

fn run(conn: &Connection, mode: &str) -> rusqlite::Result<Checkpoint> {
    conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |row| {
        Ok(Checkpoint {
            frames: row.get(1)?,
        })
    })
}
