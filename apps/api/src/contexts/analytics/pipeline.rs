//! The analytics pipeline in the server: a bounded in-memory queue between the contexts'
//! [`ActivityLog`] port and the event store (recording never waits for the store), and the
//! daily aggregation job's loop.
//!
//! What a crash can lose: the activities still in the queue — at most [`CAPACITY`], in practice
//! what arrived in the last [`FLUSH_EVERY`] — since a batch is written at least that often, and
//! on a graceful stop the queue is flushed first (`docs/reliability.md`).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono_tz::Tz;
use stackrush_analytics::events::{Event, EventId};
use stackrush_analytics::job::{Aggregator, RunOutcome, DAILY_JOB};
use stackrush_analytics::ports::{EventStore, JobStore};
use stackrush_analytics::WeeklyDigest;
use stackrush_identity::{IdentityApi, UserId};
use stackrush_kernel::activity::{Activity, ActivityLog};
use stackrush_kernel::Clock;
use tokio::sync::{mpsc, oneshot};

/// Activities the queue holds before it drops new ones.
pub const CAPACITY: usize = 10_000;
/// Activities per write.
const BATCH: usize = 500;
/// The longest an activity waits in the queue.
pub const FLUSH_EVERY: Duration = Duration::from_millis(250);
/// Writes tried per batch before it is dropped (and counted).
const WRITE_TRIES: u32 = 5;

enum Item {
    Activity(Activity),
    /// Write what is queued, then answer.
    Flush(oneshot::Sender<()>),
}

/// The identity context, reached once it is built (it is built after the queue, which it uses).
#[derive(Default)]
pub struct ZoneLink(OnceLock<Arc<dyn IdentityApi>>);

impl ZoneLink {
    /// Reads time zones from `identity` from now on.
    pub fn bind(&self, identity: Arc<dyn IdentityApi>) {
        if self.0.set(identity).is_err() {
            tracing::warn!("the time zone link was bound twice; the first binding stays");
        }
    }

    /// The time zones of `users` (UTC for those identity does not name or cannot answer for).
    async fn zones(&self, users: Vec<UserId>) -> HashMap<UserId, Tz> {
        let Some(identity) = self.0.get() else {
            return HashMap::new();
        };
        match identity.summaries(users).await {
            Ok(found) => found
                .into_iter()
                .map(|s| (s.id, s.timezone.parse().unwrap_or(Tz::UTC)))
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, "time zones unknown for an event batch; counting in UTC");
                HashMap::new()
            }
        }
    }
}

/// The contexts' activity log: a bounded queue written to the event store by one task.
pub struct ActivityQueue {
    sender: mpsc::Sender<Item>,
}

impl ActivityQueue {
    /// The queue, and its writer spawned on the current runtime.
    pub fn start(events: Arc<dyn EventStore>, zones: Arc<ZoneLink>) -> Arc<Self> {
        let (sender, receiver) = mpsc::channel(CAPACITY);
        tokio::spawn(write_loop(receiver, events, zones));
        Arc::new(Self { sender })
    }

    /// Writes what is queued; returns once written (or given up on), or after `within`.
    pub async fn flush(&self, within: Duration) {
        let (done, written) = oneshot::channel();
        if self.sender.send(Item::Flush(done)).await.is_ok() {
            let _ = tokio::time::timeout(within, written).await;
        }
    }
}

#[async_trait]
impl ActivityLog for ActivityQueue {
    async fn record(&self, activity: Activity) {
        match self.sender.try_send(Item::Activity(activity)) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                metrics::counter!("stackrush_analytics_events_dropped_total", "reason" => "queue_full")
                    .increment(1);
                tracing::warn!("the analytics queue is full; an activity was dropped");
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }
}

async fn write_loop(
    mut receiver: mpsc::Receiver<Item>,
    events: Arc<dyn EventStore>,
    zones: Arc<ZoneLink>,
) {
    let mut batch: Vec<Activity> = Vec::with_capacity(BATCH);
    loop {
        let first = match tokio::time::timeout(FLUSH_EVERY, receiver.recv()).await {
            Ok(Some(item)) => Some(item),
            Ok(None) => {
                write(&mut batch, events.as_ref(), &zones).await;
                return;
            }
            Err(_) => None,
        };
        let mut waiting = Vec::new();
        let mut take = |item: Item, batch: &mut Vec<Activity>| match item {
            Item::Activity(a) => batch.push(a),
            Item::Flush(done) => waiting.push(done),
        };
        if let Some(item) = first {
            take(item, &mut batch);
            while batch.len() < BATCH {
                match receiver.try_recv() {
                    Ok(item) => take(item, &mut batch),
                    Err(_) => break,
                }
            }
        }
        write(&mut batch, events.as_ref(), &zones).await;
        for done in waiting {
            let _ = done.send(());
        }
    }
}

/// Writes `batch` (emptying it), retrying a store that is down for a few seconds.
async fn write(batch: &mut Vec<Activity>, events: &dyn EventStore, zones: &ZoneLink) {
    if batch.is_empty() {
        return;
    }
    let mut users: Vec<UserId> = batch.iter().map(|a| UserId::from_bytes(a.actor)).collect();
    users.sort();
    users.dedup();
    let zones = zones.zones(users).await;
    let stored: Vec<Event> = batch
        .drain(..)
        .map(|a| {
            let zone = zones
                .get(&UserId::from_bytes(a.actor))
                .copied()
                .unwrap_or(Tz::UTC);
            Event::of(EventId::generate(a.at), a, zone)
        })
        .collect();
    for attempt in 1..=WRITE_TRIES {
        match events.append(&stored).await {
            Ok(()) => {
                metrics::counter!("stackrush_analytics_events_recorded_total")
                    .increment(stored.len() as u64);
                return;
            }
            Err(e) if attempt < WRITE_TRIES => {
                tracing::warn!(error = %e, attempt, "writing analytics events failed; retrying");
                tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
            }
            Err(e) => {
                metrics::counter!("stackrush_analytics_events_dropped_total", "reason" => "store")
                    .increment(stored.len() as u64);
                tracing::error!(error = %e, events = stored.len(), "analytics events dropped");
            }
        }
    }
}

/// Runs the daily job every `every` (first at once), recording runs, duration and lag; then,
/// each time, the weekly summary job (due summaries only).
pub fn spawn_job(
    events: Arc<dyn EventStore>,
    jobs: Arc<dyn JobStore>,
    digests: stackrush_analytics::DigestPorts,
    clock: Arc<dyn Clock>,
    every: Duration,
    lease: Duration,
) {
    let holder = format!(
        "{}-{}",
        std::process::id(),
        stackrush_kernel::id::random_hex(8)
    );
    let lease = chrono::Duration::from_std(lease).unwrap_or(stackrush_analytics::job::LEASE);
    let job =
        Aggregator::new(events, jobs.clone(), clock.clone(), holder.clone()).with_lease(lease);
    let digest = WeeklyDigest::new(digests, holder);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            run_once(&job, jobs.as_ref(), clock.as_ref()).await;
            summarise(&digest).await;
        }
    });
}

/// One run of the weekly summary job, with its metrics.
pub async fn summarise(digest: &WeeklyDigest) {
    match digest.run().await {
        Ok(run) => {
            let queued: usize = run.queued.iter().map(|(_, n)| n).sum();
            if queued > 0 {
                tracing::info!(queued, "weekly summaries queued");
            }
            metrics::counter!("stackrush_weekly_summaries_total").increment(queued as u64);
        }
        Err(e) => tracing::warn!(error = %e, "the weekly summary job failed; next run retries"),
    }
}

/// One run of the job, with its metrics.
pub async fn run_once(job: &Aggregator, jobs: &dyn JobStore, clock: &dyn Clock) {
    let started = Instant::now();
    let outcome = match job.run().await {
        Ok(RunOutcome::Elsewhere) => "elsewhere",
        Ok(RunOutcome::Ran { days, .. }) => {
            metrics::counter!("stackrush_analytics_job_days_total").increment(days.len() as u64);
            if !days.is_empty() {
                tracing::info!(days = days.len(), "analytics days aggregated");
            }
            "ran"
        }
        Err(e) => {
            tracing::warn!(error = %e, "the analytics aggregation failed; next run retries");
            "failed"
        }
    };
    metrics::counter!("stackrush_analytics_job_runs_total", "outcome" => outcome).increment(1);
    metrics::histogram!("stackrush_analytics_job_duration_seconds")
        .record(started.elapsed().as_secs_f64());
    if let Ok(watermark) = jobs.watermark(DAILY_JOB).await {
        if let Some(lag) = Aggregator::lag(watermark, clock.now()) {
            metrics::gauge!("stackrush_analytics_job_lag_seconds").set(lag.num_seconds() as f64);
        }
    }
}
