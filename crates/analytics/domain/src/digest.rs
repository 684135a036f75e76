//! The weekly summary job: on Monday morning in each user's time zone, the week just ended
//! (Monday to Sunday, local days) of everyone who was active in it — XP, challenges solved,
//! submissions, streak, rank change, suggestions — handed to the notifications context, which
//! mails it to those who want email. One instance runs it at a time (a lease); a summary is
//! queued once per user and week however often the job runs, so a crash or a second instance
//! never mails it twice.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use stackrush_kernel::Clock;

use crate::error::AnalyticsError;
use crate::events::EventKind;
use crate::insights::{monday, user_rows, People};
use crate::job::Lease;
use crate::model::SubjectId;
use crate::ports::{EventStore, JobStore};
use crate::rollup::DayRange;

/// The job's name in the job store (its lease).
pub const DIGEST_JOB: &str = "analytics.weekly-digest";

/// The local hour on Monday from which the week's summary is sent.
pub const SEND_HOUR: u32 = 8;

/// How long after [`SEND_HOUR`] a summary may still be sent (catching up after downtime);
/// later, that week is skipped.
pub const SEND_WINDOW: Duration = Duration::hours(48);

/// How many users one batch reads and queues (the lease is renewed between batches).
const BATCH: usize = 200;

/// A user's place on the board, from the scoring context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Momentum {
    /// Global rank; `None` when not ranked.
    pub rank: Option<u64>,
    /// Places the week's XP gained.
    pub rank_change: i64,
    /// Days in a row with a success.
    pub streak: u32,
}

/// Something worth doing next, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub title: String,
    pub reason: String,
}

/// Players' standing and what to suggest to them (scoring and learning).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Players: Send + Sync {
    /// `user`'s rank now and the places their last `gained` XP moved them, with their streak.
    async fn momentum(&self, user: SubjectId, gained: u64) -> anyhow::Result<Momentum>;

    /// Up to three things for `user` to do next.
    async fn hints(&self, user: SubjectId) -> anyhow::Result<Vec<Hint>>;
}

/// One user's week.
#[derive(Debug, Clone, PartialEq)]
pub struct Digest {
    pub user: SubjectId,
    /// The Monday the week starts on.
    pub week: NaiveDate,
    pub xp: u64,
    /// Challenges solved for the first time.
    pub solved: u64,
    pub submissions: u64,
    pub momentum: Momentum,
    pub hints: Vec<Hint>,
}

/// Where summaries go (the notifications context's mail outbox).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Digests: Send + Sync {
    /// Which of `users` have the summary of the week starting on `week` queued already.
    async fn queued(&self, week: NaiveDate, users: &[SubjectId]) -> anyhow::Result<Vec<SubjectId>>;

    /// Queues `digests` (each once per user and week; mailed only to those who want email).
    async fn queue(&self, digests: Vec<Digest>) -> anyhow::Result<()>;
}

/// The job's ports.
#[derive(Clone)]
pub struct DigestPorts {
    pub events: Arc<dyn EventStore>,
    pub jobs: Arc<dyn JobStore>,
    pub people: Arc<dyn People>,
    pub players: Arc<dyn Players>,
    pub digests: Arc<dyn Digests>,
    pub clock: Arc<dyn Clock>,
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DigestRun {
    /// Another instance held the lease.
    pub elsewhere: bool,
    /// Summaries handed over, per week.
    pub queued: Vec<(NaiveDate, usize)>,
}

/// When the summary of the week starting on `week` is due for someone in `zone`: from Monday
/// [`SEND_HOUR`] local after it, for [`SEND_WINDOW`].
pub fn window(week: NaiveDate, zone: Tz) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let next_monday = week.checked_add_signed(Duration::days(7))?;
    let local = next_monday.and_hms_opt(SEND_HOUR, 0, 0)?;
    // A gap (a clock change at 08:00) moves it to the first existing instant after.
    let start = zone
        .from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(local + Duration::hours(1)))
                .earliest()
        })?
        .with_timezone(&Utc);
    Some((start, start + SEND_WINDOW))
}

/// The weeks whose summaries may be due somewhere at `now`: the one before the current UTC
/// week and the current one (already over in zones far ahead of UTC on Sunday).
pub fn candidate_weeks(now: DateTime<Utc>) -> [NaiveDate; 2] {
    let this = monday(now.date_naive());
    [this - Duration::days(7), this]
}

/// Runs the weekly summary job as `holder` (an id unique to this instance).
pub struct WeeklyDigest {
    ports: DigestPorts,
    lease: Lease,
}

impl WeeklyDigest {
    /// The job over `ports`, with leases of [`crate::job::LEASE`].
    pub fn new(ports: DigestPorts, holder: impl Into<String>) -> Self {
        let lease = Lease {
            jobs: ports.jobs.clone(),
            clock: ports.clock.clone(),
            job: DIGEST_JOB,
            holder: holder.into(),
            length: crate::job::LEASE,
        };
        Self { ports, lease }
    }

    /// Queues the summaries due now that are not queued yet.
    pub async fn run(&self) -> Result<DigestRun, AnalyticsError> {
        if !self.lease.hold().await? {
            return Ok(DigestRun {
                elsewhere: true,
                ..DigestRun::default()
            });
        }
        let result = self.weeks().await;
        self.lease.release().await;
        result
    }

    async fn weeks(&self) -> Result<DigestRun, AnalyticsError> {
        let now = self.ports.clock.now();
        let mut run = DigestRun::default();
        for week in candidate_weeks(now) {
            // Due nowhere yet (UTC+14 is first) or anywhere any more (UTC−12 is last).
            let first = window(week, chrono_tz::Etc::GMTMinus14).map(|w| w.0);
            let last = window(week, chrono_tz::Etc::GMTPlus12).map(|w| w.1);
            if first.is_none_or(|t| now < t) || last.is_none_or(|t| now >= t) {
                continue;
            }
            let days = DayRange {
                from: week,
                to: week + Duration::days(6),
            };
            let watermark = self.ports.jobs.watermark(crate::job::DAILY_JOB).await?;
            let mut users: Vec<SubjectId> = self
                .ports
                .events
                .active_days(days, watermark)
                .await?
                .into_iter()
                .map(|a| a.user)
                .collect();
            users.dedup();
            let mut queued = 0;
            for batch in users.chunks(BATCH) {
                if !self.lease.hold().await? {
                    run.elsewhere = true;
                    return Ok(run);
                }
                queued += self.batch(week, days, batch).await?;
            }
            run.queued.push((week, queued));
        }
        Ok(run)
    }

    async fn batch(
        &self,
        week: NaiveDate,
        days: DayRange,
        users: &[SubjectId],
    ) -> Result<usize, AnalyticsError> {
        let now = self.ports.clock.now();
        let zones: HashMap<SubjectId, Tz> = self
            .ports
            .people
            .listings(users)
            .await?
            .into_iter()
            .map(|l| (l.user, l.zone.parse().unwrap_or(Tz::UTC)))
            .collect();
        let due: Vec<SubjectId> = users
            .iter()
            .copied()
            .filter(|u| {
                zones
                    .get(u)
                    .and_then(|z| window(week, *z))
                    .is_some_and(|(from, until)| from <= now && now < until)
            })
            .collect();
        if due.is_empty() {
            return Ok(0);
        }
        let done: HashSet<SubjectId> = self
            .ports
            .digests
            .queued(week, &due)
            .await
            .map_err(AnalyticsError::Unavailable)?
            .into_iter()
            .collect();
        let mut digests = Vec::new();
        for user in due.into_iter().filter(|u| !done.contains(u)) {
            digests.push(self.digest(user, week, days).await?);
        }
        let count = digests.len();
        if count > 0 {
            self.ports
                .digests
                .queue(digests)
                .await
                .map_err(AnalyticsError::Unavailable)?;
        }
        Ok(count)
    }

    async fn digest(
        &self,
        user: SubjectId,
        week: NaiveDate,
        days: DayRange,
    ) -> Result<Digest, AnalyticsError> {
        let (rows, _) = user_rows(
            self.ports.events.as_ref(),
            self.ports.jobs.as_ref(),
            user,
            days,
        )
        .await?;
        let submissions = rows.days.iter().filter(|d| d.kind == EventKind::Submission);
        let (submitted, solved) = submissions.fold((0, 0), |(n, s), d| (n + d.count, s + d.firsts));
        let xp = rows.days.iter().map(|d| d.xp).sum();
        let momentum = self
            .ports
            .players
            .momentum(user, xp)
            .await
            .map_err(AnalyticsError::Unavailable)?;
        // Suggestions are a nicety: without them the summary still goes.
        let hints = self.ports.players.hints(user).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "no suggestions for a weekly summary");
            Vec::new()
        });
        Ok(Digest {
            user,
            week,
            xp,
            solved,
            submissions: submitted,
            momentum,
            hints,
        })
    }
}
