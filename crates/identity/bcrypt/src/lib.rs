//! bcrypt, the identity context's password hashing adapter (`ports::PasswordHasher`), run on
//! threads of its own at the lowest scheduling priority.

use async_trait::async_trait;
use stackrush_identity::ports::PasswordHasher;

/// bcrypt at a configurable cost, run on the [`hashing`] threads.
#[derive(Debug, Clone, Copy)]
pub struct BcryptHasher {
    cost: u32,
    max_wait: std::time::Duration,
}

impl BcryptHasher {
    /// A hasher using `cost` (4..=31; 12 in production, 4 in tests), waiting at most
    /// [`hashing::MAX_QUEUE_WAIT`] for a hashing thread.
    pub fn new(cost: u32) -> Self {
        Self {
            cost: cost.clamp(4, 31),
            max_wait: hashing::MAX_QUEUE_WAIT,
        }
    }

    /// The same, giving up (with [`hashing::Busy`]) after `max_wait` in the hashing queue.
    pub fn waiting_at_most(self, max_wait: std::time::Duration) -> Self {
        Self { max_wait, ..self }
    }
}

#[async_trait]
impl PasswordHasher for BcryptHasher {
    async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let password = password.to_owned();
        let cost = self.cost;
        // The service rejects passwords over 72 bytes; non_truncating_hash makes that a hard error
        // here too instead of a silent truncation.
        Ok(hashing::run(self.max_wait, move || {
            bcrypt::non_truncating_hash(password, cost)
        })
        .await??)
    }

    async fn verify(&self, password: &str, hash: &str) -> anyhow::Result<bool> {
        let password = password.to_owned();
        let hash = hash.to_owned();
        hashing::run(self.max_wait, move || {
            bcrypt::non_truncating_verify(password, &hash).unwrap_or(false)
        })
        .await
    }
}

/// The threads password hashes run on: one per CPU the process may use, in the idle scheduling
/// class (Linux). bcrypt is deliberately slow; a flood of logins queues here and takes only the
/// CPU time that request handling leaves, instead of one blocking thread per login competing
/// with every other request. Under a load that leaves no CPU at all, logins wait, for at most
/// [`hashing::MAX_QUEUE_WAIT`]: then they are answered [`hashing::Busy`] (a 503) instead of
/// being hashed for a client that has most likely given up, which would make every login
/// after a flood wait for the whole backlog.
pub mod hashing {
    use std::sync::mpsc::{channel, Receiver, Sender};
    use std::sync::{Arc, Mutex, OnceLock};
    use std::time::{Duration, Instant};

    /// How long a hash may wait for a hashing thread before it is given up (by default).
    pub const MAX_QUEUE_WAIT: Duration = Duration::from_secs(10);

    /// The hash was not computed: it waited longer than allowed for a hashing thread (the
    /// identity service answers it with 503).
    pub use stackrush_identity::ports::HashingBusy as Busy;

    type Job = Box<dyn FnOnce() + Send>;

    static POOL: OnceLock<Option<Sender<Job>>> = OnceLock::new();

    fn start() -> Option<Sender<Job>> {
        let (sender, receiver) = channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let mut started = 0;
        for n in 0..threads {
            let receiver = receiver.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-hash-{n}"))
                .spawn(move || work(&receiver));
            match spawned {
                Ok(_) => started += 1,
                Err(e) => tracing::error!(error = %e, "could not start a password hashing thread"),
            }
        }
        (started > 0).then_some(sender)
    }

    fn work(receiver: &Mutex<Receiver<Job>>) {
        if let Err(e) = lower_priority() {
            tracing::warn!(error = ?e, "password hashing runs at normal priority");
        }
        loop {
            let job = match receiver.lock() {
                Ok(r) => r.recv(),
                Err(poisoned) => poisoned.into_inner().recv(),
            };
            match job {
                Ok(job) => job(),
                Err(_) => return,
            }
        }
    }

    /// On Linux, the idle scheduling class: the thread runs when no request needs the CPU and
    /// is preempted as soon as one does. Elsewhere, the lowest priority.
    fn lower_priority() -> Result<(), thread_priority::Error> {
        #[cfg(target_os = "linux")]
        {
            use thread_priority::unix::{
                set_thread_priority_and_policy, thread_native_id, NormalThreadSchedulePolicy,
                ThreadSchedulePolicy,
            };
            set_thread_priority_and_policy(
                thread_native_id(),
                thread_priority::ThreadPriority::Min,
                ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle),
            )
        }
        #[cfg(not(target_os = "linux"))]
        {
            thread_priority::set_current_thread_priority(thread_priority::ThreadPriority::Min)
        }
    }

    /// Runs `f` on a hashing thread and awaits its result; [`Busy`] if it waited more than
    /// `max_wait` for one.
    pub async fn run<T, F>(max_wait: Duration, f: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let Some(pool) = POOL.get_or_init(start) else {
            // No thread could be started: tokio's blocking pool still works.
            return Ok(tokio::task::spawn_blocking(f).await?);
        };
        let (tx, rx) = tokio::sync::oneshot::channel();
        let queued = Instant::now();
        pool.send(Box::new(move || {
            // Whoever asked is gone (its request was dropped), or has waited too long: a hash
            // nobody awaits would only delay the logins still waiting behind it.
            let waited = queued.elapsed();
            metrics::histogram!("stackrush_password_hash_queue_wait_seconds")
                .record(waited.as_secs_f64());
            if tx.is_closed() {
                return;
            }
            if waited > max_wait {
                let _ = tx.send(Err(Busy(waited)));
                return;
            }
            let _ = tx.send(Ok(f()));
        }))
        .map_err(|_| anyhow::anyhow!("the password hashing threads are gone"))?;
        Ok(rx.await??)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bcrypt_verifies_the_right_password_only() {
        let hasher = BcryptHasher::new(4);
        let hash = hasher.hash("Correct-Horse-1").await.unwrap();
        assert!(hasher.verify("Correct-Horse-1", &hash).await.unwrap());
        assert!(!hasher.verify("Correct-Horse-2", &hash).await.unwrap());
        assert!(!hasher
            .verify("Correct-Horse-1", "not-a-hash")
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn bcrypt_refuses_to_truncate_long_passwords() {
        let hasher = BcryptHasher::new(4);
        assert!(hasher.hash(&"a".repeat(73)).await.is_err());
    }

    #[tokio::test]
    async fn hashing_threads_run_at_the_lowest_priority_and_in_parallel() {
        let (policy, name) = hashing::run(hashing::MAX_QUEUE_WAIT, || {
            let policy = thread_priority::unix::thread_schedule_policy();
            (policy, std::thread::current().name().map(str::to_owned))
        })
        .await
        .unwrap();
        assert!(name.unwrap().starts_with("password-hash-"));
        assert_eq!(
            policy.unwrap(),
            thread_priority::unix::ThreadSchedulePolicy::Normal(
                thread_priority::unix::NormalThreadSchedulePolicy::Idle
            )
        );
        let hasher = BcryptHasher::new(4);
        let jobs: Vec<_> = (0..8)
            .map(|_| tokio::spawn(async move { hasher.hash("Correct-Horse-1").await }))
            .collect();
        for job in jobs {
            assert!(job.await.unwrap().is_ok(), "queued jobs all complete");
        }
    }

    /// Occupies every hashing thread until the returned senders are dropped; returns once all
    /// are busy, with the jobs' handles.
    async fn occupy_every_hashing_thread() -> (
        Vec<tokio::sync::oneshot::Sender<()>>,
        Vec<tokio::task::JoinHandle<anyhow::Result<()>>>,
    ) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;

        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let busy = Arc::new(AtomicUsize::new(0));
        let (gates, jobs) = (0..threads)
            .map(|_| {
                let (release, gate) = tokio::sync::oneshot::channel::<()>();
                let busy = busy.clone();
                let job = tokio::spawn(hashing::run(hashing::MAX_QUEUE_WAIT, move || {
                    busy.fetch_add(1, Ordering::SeqCst);
                    let _ = gate.blocking_recv();
                }));
                (release, job)
            })
            .unzip();
        while busy.load(Ordering::SeqCst) < threads {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        (gates, jobs)
    }

    #[tokio::test]
    async fn queued_work_whose_caller_left_is_skipped() {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::Arc;
        use std::time::Duration;

        let (gates, blockers) = occupy_every_hashing_thread().await;
        // Queued behind them, then abandoned by its caller.
        let ran = Arc::new(AtomicBool::new(false));
        let flag = ran.clone();
        let abandoned = hashing::run(hashing::MAX_QUEUE_WAIT, move || {
            flag.store(true, Ordering::SeqCst)
        });
        assert!(tokio::time::timeout(Duration::from_millis(20), abandoned)
            .await
            .is_err());

        drop(gates);
        for blocker in blockers {
            blocker.await.unwrap().unwrap();
        }
        // Work queued after it still runs; the abandoned job never did.
        assert_eq!(
            hashing::run(hashing::MAX_QUEUE_WAIT, || 7).await.unwrap(),
            7
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!ran.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn work_that_waited_too_long_for_a_thread_is_answered_busy_not_run() {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::Arc;
        use std::time::Duration;

        let (gates, blockers) = occupy_every_hashing_thread().await;
        let ran = Arc::new(AtomicBool::new(false));
        let flag = ran.clone();
        let late = tokio::spawn(hashing::run(Duration::from_millis(30), move || {
            flag.store(true, Ordering::SeqCst)
        }));
        let patient = tokio::spawn(hashing::run(Duration::from_secs(60), || 7));
        tokio::time::sleep(Duration::from_millis(60)).await;
        drop(gates);

        let err = late.await.unwrap().unwrap_err();
        assert!(err.downcast_ref::<hashing::Busy>().is_some(), "{err:#}");
        assert_eq!(patient.await.unwrap().unwrap(), 7);
        for blocker in blockers {
            blocker.await.unwrap().unwrap();
        }
        assert!(!ran.load(Ordering::SeqCst));
    }
}
