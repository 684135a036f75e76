//! The daily aggregation job: closes each day once all of its events are in, one day at a time,
//! under a lease so that one instance runs it; catches up every day it missed; can be rewound
//! to rebuild days from the events.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use stackrush_kernel::Clock;

use crate::error::AnalyticsError;
use crate::ports::{EventStore, JobStore};

/// The job's name in the job store.
pub const DAILY_JOB: &str = "analytics.daily";

/// How long a lease lasts without renewal by default (renewed before each day): how long a
/// crashed instance keeps the others from the job.
pub const LEASE: Duration = Duration::minutes(10);

/// How long after a day is over everywhere its last events may still be on their way.
pub const GRACE: Duration = Duration::minutes(10);

/// The last day that is over in every time zone (the last one, UTC−12, ends at 12:00 UTC the
/// next day) plus [`GRACE`]: the last day the job may close at `now`.
pub fn last_closed_day(now: DateTime<Utc>) -> NaiveDate {
    (now - Duration::hours(36) - GRACE).date_naive()
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    /// Another instance holds the lease: nothing was done.
    Elsewhere,
    /// The days closed, oldest first, and the last closed day after the run.
    Ran {
        days: Vec<NaiveDate>,
        watermark: Option<NaiveDate>,
    },
}

/// One holder's lease on one job: taken (or renewed) before each step of a run, so that of
/// several instances one does the work; given up when the run ends.
pub(crate) struct Lease {
    pub jobs: Arc<dyn JobStore>,
    pub clock: Arc<dyn Clock>,
    pub job: &'static str,
    pub holder: String,
    /// How long it lasts unrenewed: how long a crashed holder keeps the others out.
    pub length: Duration,
}

impl Lease {
    /// Takes or renews the lease; whether this holder holds it now.
    pub async fn hold(&self) -> Result<bool, AnalyticsError> {
        let now = self.clock.now();
        Ok(self
            .jobs
            .lease(self.job, &self.holder, now, now + self.length)
            .await?)
    }

    /// Gives it up (a failure is logged: the lease then expires).
    pub async fn release(&self) {
        if let Err(e) = self.jobs.release(self.job, &self.holder).await {
            tracing::warn!(error = %e, job = self.job, "could not release a job lease (it expires)");
        }
    }
}

/// Runs the daily job as `holder` (an id unique to this instance).
pub struct Aggregator {
    events: Arc<dyn EventStore>,
    lease: Lease,
}

impl Aggregator {
    /// The job over these ports.
    pub fn new(
        events: Arc<dyn EventStore>,
        jobs: Arc<dyn JobStore>,
        clock: Arc<dyn Clock>,
        holder: impl Into<String>,
    ) -> Self {
        Self {
            events,
            lease: Lease {
                jobs,
                clock,
                job: DAILY_JOB,
                holder: holder.into(),
                length: LEASE,
            },
        }
    }

    /// The same job with leases of `lease` (at least one second) instead of [`LEASE`]; it must
    /// be longer than the longest day's aggregation.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease.length = lease.max(Duration::seconds(1));
        self
    }

    /// Closes every day after the last closed one up to [`last_closed_day`] (from the first
    /// event's day on the first run). A crash leaves the last day unrecorded; the next run does
    /// it again, replacing whatever it had half-written.
    pub async fn run(&self) -> Result<RunOutcome, AnalyticsError> {
        self.work(None, &mut |_, _| {}).await
    }

    /// Forgets the days from `from` on and closes them again from the events; `progress` is
    /// told (days done, days in all) after each day. Errors: `Invalid` for a day that is not
    /// closed yet.
    pub async fn rebuild(
        &self,
        from: NaiveDate,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<RunOutcome, AnalyticsError> {
        if from > last_closed_day(self.lease.clock.now()) {
            return Err(AnalyticsError::Invalid(vec![
                stackrush_kernel::FieldError::new(
                    "from",
                    "must be a day that is over in every time zone",
                ),
            ]));
        }
        self.work(Some(from), progress).await
    }

    /// How long the last closed day has been over, at `now`: the job's lag.
    pub fn lag(watermark: Option<NaiveDate>, now: DateTime<Utc>) -> Option<Duration> {
        let end = watermark?.succ_opt()?.and_hms_opt(0, 0, 0)?.and_utc();
        Some(now - end)
    }

    async fn work(
        &self,
        rewind: Option<NaiveDate>,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<RunOutcome, AnalyticsError> {
        if !self.lease.hold().await? {
            return Ok(RunOutcome::Elsewhere);
        }
        let result = self.close_days(rewind, progress).await;
        self.lease.release().await;
        result
    }

    async fn close_days(
        &self,
        rewind: Option<NaiveDate>,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<RunOutcome, AnalyticsError> {
        if let Some(from) = rewind {
            let before = from.pred_opt();
            if !self.set(before).await? {
                return Ok(RunOutcome::Elsewhere);
            }
        }
        let mut watermark = self.lease.jobs.watermark(DAILY_JOB).await?;
        let Some(first) = self.events.first_day().await? else {
            return Ok(RunOutcome::Ran {
                days: Vec::new(),
                watermark,
            });
        };
        let start = match watermark.and_then(|d| d.succ_opt()) {
            Some(next) => next.max(first),
            None => first,
        };
        let end = last_closed_day(self.lease.clock.now());
        let total = u64::try_from((end - start).num_days() + 1).unwrap_or(0);
        let mut days = Vec::new();
        for day in start.iter_days().take_while(|d| *d <= end) {
            if !self.lease.hold().await? {
                tracing::warn!(%day, "lost the aggregation lease; another instance goes on");
                break;
            }
            self.events.aggregate(day).await?;
            if !self.set(Some(day)).await? {
                break;
            }
            watermark = Some(day);
            days.push(day);
            progress(days.len() as u64, total);
        }
        Ok(RunOutcome::Ran { days, watermark })
    }

    async fn set(&self, day: Option<NaiveDate>) -> Result<bool, AnalyticsError> {
        Ok(self
            .lease
            .jobs
            .set_watermark(DAILY_JOB, &self.lease.holder, day)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_day_closes_when_it_is_over_everywhere_plus_the_grace() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
        let closes = Utc.with_ymd_and_hms(2026, 1, 3, 12, 10, 0).unwrap();
        assert_eq!(last_closed_day(closes), day);
        assert_eq!(
            last_closed_day(closes - Duration::seconds(1)),
            day.pred_opt().unwrap()
        );
    }

    #[test]
    fn the_lag_counts_from_the_end_of_the_last_closed_day() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 1, 4, 6, 0, 0).unwrap();
        assert_eq!(Aggregator::lag(Some(day), now), Some(Duration::hours(30)));
        assert_eq!(Aggregator::lag(None, now), None);
    }
}
