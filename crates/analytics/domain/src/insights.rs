//! The analytics routes' figures: a user's overview, skills, activity, performance, streaks and
//! time distribution, the platform's overview, community stats, popular templates and challenge
//! stats. Days the job closed are read from its rollups, later ones from the events (the live
//! tail), so today's events count at once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;
use stackrush_kernel::{Clock, FieldError, Freshness, ReadMemory, Recall, RefreshClaim};

use crate::dashboard::Viewer;
use crate::error::AnalyticsError;
use crate::events::{EventKind, TIME_RANGES};
use crate::job::DAILY_JOB;
use crate::model::SubjectId;
use crate::ports::{EventStore, JobStore};
use crate::rollup::{DayRange, PlatformDay, PlatformRollup, SkillDay, Source, UserDay, UserRollup};

/// The longest range a query may ask for, in days.
pub const MAX_RANGE_DAYS: i64 = 366;
/// The range a query gets without `from`: the last 30 days.
pub const DEFAULT_RANGE_DAYS: i64 = 30;
/// XP at which skill levels 2, 3, 4 and 5 start.
pub const SKILL_LEVELS: [u64; 4] = [100, 300, 600, 1000];
/// The challenge types performance is shown for.
pub const CHALLENGE_TYPES: [&str; 3] = ["dsa", "bug-fix", "feature"];

/// Day buckets of an activity series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Granularity {
    #[default]
    Day,
    /// ISO weeks (from Monday).
    Week,
    Month,
}

/// A range as asked: both ends optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RangeQuery {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub granularity: Granularity,
}

impl RangeQuery {
    /// The range meant: without `to`, the [`MAX_RANGE_DAYS`] days from `from` up to `today`
    /// at most (`today` without either); without `from`, the [`DEFAULT_RANGE_DAYS`] ending
    /// `to`. Errors: `to` before `from`, longer than [`MAX_RANGE_DAYS`], or ending after
    /// `today`.
    pub fn resolve(&self, today: NaiveDate) -> Result<DayRange, AnalyticsError> {
        let to = match (self.to, self.from) {
            (Some(to), _) => to,
            (None, Some(from)) => from
                .checked_add_signed(Duration::days(MAX_RANGE_DAYS - 1))
                .map_or(today, |end| end.min(today)),
            (None, None) => today,
        };
        // The default range starts no earlier than the first day a range may start on.
        let from = self.from.unwrap_or_else(|| {
            to.checked_sub_signed(Duration::days(DEFAULT_RANGE_DAYS - 1))
                .unwrap_or(NaiveDate::MIN)
                .max(earliest().min(to))
        });
        let invalid = |field: &str, message: String| {
            Err(AnalyticsError::Invalid(vec![FieldError::new(
                field, message,
            )]))
        };
        if from < earliest() {
            return invalid("from", "must be 1970-01-01 or later".into());
        }
        if to < from {
            return invalid("to", "must not be before from".into());
        }
        if (to - from).num_days() + 1 > MAX_RANGE_DAYS {
            return invalid(
                "from",
                format!("a range covers at most {MAX_RANGE_DAYS} days"),
            );
        }
        if to > today + Duration::days(1) {
            return invalid("to", "must not be in the future".into());
        }
        Ok(DayRange { from, to })
    }
}

/// A user's privacy settings and time zone, as identity keeps them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Account {
    /// Whether their profile is public.
    pub public: bool,
    pub show_stats: bool,
    pub show_activity: bool,
    pub zone: Tz,
}

/// What a viewer may see of a user.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sight {
    /// Their figures (overview, skills, performance, streaks, time distribution).
    pub stats: bool,
    /// When they were active (activity timeline, last activity date).
    pub activity: bool,
    /// Their time zone, whose days their figures count in.
    pub zone: Tz,
}

/// A user as public aggregates may name them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub user: SubjectId,
    pub username: String,
    /// IANA name.
    pub zone: String,
    /// Whether their profile is public (and the account usable).
    pub public: bool,
}

/// Accounts, as the identity context knows them.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait People: Send + Sync {
    /// The privacy settings and time zones of those of `users` with an active account (one
    /// read however many).
    async fn accounts(
        &self,
        users: &[SubjectId],
    ) -> Result<HashMap<SubjectId, Account>, AnalyticsError>;

    /// The listings of those of `users` that exist.
    async fn listings(&self, users: &[SubjectId]) -> Result<Vec<Listing>, AnalyticsError>;

    /// How many active accounts exist now.
    async fn total(&self) -> Result<u64, AnalyticsError>;
}

/// A public challenge or template's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub title: String,
    /// A challenge's type; `None` for templates.
    pub kind: Option<String>,
}

/// Challenges and templates, as their contexts show them publicly.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Catalog: Send + Sync {
    /// The public ones of these challenges (24 hex ids), by id.
    async fn challenges(&self, ids: &[String]) -> Result<HashMap<String, Named>, AnalyticsError>;
    /// The public ones of these templates, by id.
    async fn templates(&self, ids: &[String]) -> Result<HashMap<String, Named>, AnalyticsError>;
}

/// The insights service's ports.
#[derive(Clone)]
pub struct InsightsPorts {
    pub events: Arc<dyn EventStore>,
    pub jobs: Arc<dyn JobStore>,
    pub people: Arc<dyn People>,
    pub catalog: Arc<dyn Catalog>,
    pub clock: Arc<dyn Clock>,
}

/// The spec's `overallStats`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OverallStats {
    /// Scored submissions.
    pub total_challenges: u64,
    /// Challenges solved (first successes).
    pub completed_challenges: u64,
    /// Percent of scored submissions that succeeded, two decimals.
    pub completion_rate: f64,
    pub average_score: f64,
    /// Minutes.
    pub total_time_spent: f64,
    pub current_streak: u32,
    pub best_streak: u32,
    /// `None` without activity, or when the viewer may not see it.
    pub last_activity_date: Option<NaiveDate>,
    pub xp_gained: u64,
    pub posts: u64,
    pub comments: u64,
    pub lessons_completed: u64,
}

/// A user's overview.
#[derive(Debug, Clone, PartialEq)]
pub struct Overview {
    pub user: SubjectId,
    pub overall: OverallStats,
    /// The last day the job closed; later days come from the events.
    pub aggregated_through: Option<NaiveDate>,
}

/// One skill's progress.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillProgress {
    pub skill: String,
    /// 1–5.
    pub level: u8,
    /// 0–100 towards the next level (100 at level 5).
    pub progress: u8,
    pub xp: u64,
    pub attempts: u64,
    pub solved: u64,
    /// The last day worked on.
    pub updated_at: NaiveDate,
}

/// One bucket of an activity series (starting `date`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActivityPoint {
    pub date: NaiveDate,
    pub submissions: u64,
    /// Successful submissions.
    pub challenges_completed: u64,
    pub average_score: f64,
    /// Minutes.
    pub time_spent: f64,
    pub xp_gained: u64,
    pub posts: u64,
    pub comments: u64,
    pub lessons: u64,
}

/// A user's activity in a range.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivitySeries {
    pub range: DayRange,
    pub granularity: Granularity,
    pub points: Vec<ActivityPoint>,
}

/// Figures of one challenge type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypePerformance {
    pub kind: String,
    pub attempts: u64,
    /// Successful submissions.
    pub completed: u64,
    pub average_score: f64,
    /// Minutes per submission.
    pub average_time: f64,
    pub best_score: Option<f64>,
    pub worst_score: Option<f64>,
}

/// A user's streaks (local days with a successful submission in a row).
#[derive(Debug, Clone, PartialEq)]
pub struct Streaks {
    pub current: u32,
    pub best: u32,
    pub last_success: Option<NaiveDate>,
    /// Days with a success among the last 30.
    pub days_last_30: u32,
}

/// How many submissions took how long.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeBucket {
    pub range: &'static str,
    pub count: u64,
}

/// Retention of the users who signed up in one week.
#[derive(Debug, Clone, PartialEq)]
pub struct Cohort {
    /// The week's Monday.
    pub week: NaiveDate,
    pub signed_up: u64,
    /// Percent active in each of the four following weeks; `None` for weeks not over yet.
    pub retained: Vec<Option<f64>>,
}

/// The platform's overview in a range of UTC days.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformOverview {
    pub range: DayRange,
    pub total_users: u64,
    pub new_users: u64,
    /// Distinct users active in the range.
    pub active_users: u64,
    pub active_daily: u64,
    pub active_weekly: u64,
    pub active_monthly: u64,
    pub submissions: u64,
    pub successful: u64,
    pub success_rate: f64,
    pub retention: Vec<Cohort>,
}

/// A public contributor.
#[derive(Debug, Clone, PartialEq)]
pub struct TopContributor {
    pub user: SubjectId,
    pub username: String,
    pub contributions: u64,
}

/// The spec's CommunityStats of one UTC day.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CommunityDay {
    pub date: NaiveDate,
    pub total_members: u64,
    pub active_today: u64,
    pub new_members_today: u64,
    pub top_contributors: Vec<TopContributor>,
    pub total_posts: u64,
    pub posts_today: u64,
    pub total_code_shares: u64,
    pub code_shares_today: u64,
    pub total_comments: u64,
    pub comments_today: u64,
    pub total_likes: u64,
    pub likes_today: u64,
    pub total_views: u64,
    pub views_today: u64,
    pub total_downloads: u64,
    pub downloads_today: u64,
}

/// A template's popularity in a range.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplatePopularity {
    pub template: String,
    pub title: String,
    pub downloads: u64,
    pub forks: u64,
    pub stars: u64,
}

/// A challenge's figures in a range.
#[derive(Debug, Clone, PartialEq)]
pub struct ChallengeFigures {
    pub challenge: String,
    pub title: String,
    pub kind: String,
    pub attempts: u64,
    pub successes: u64,
    pub success_rate: f64,
    pub average_score: f64,
    pub average_time: f64,
    pub players: u64,
}

/// Every challenge's figures in a range, and the busiest ones.
#[derive(Debug, Clone, PartialEq)]
pub struct ChallengeStats {
    pub range: DayRange,
    pub attempts: u64,
    pub successes: u64,
    pub success_rate: f64,
    pub challenges: Vec<ChallengeFigures>,
}

/// The analytics routes, as an inbound port.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait InsightsApi: Send + Sync {
    /// Errors (every per-user figure): `UserNotFound`, `ProfilePrivate`, `StatsPrivate`.
    async fn overview(
        &self,
        viewer: Option<Viewer>,
        user: SubjectId,
    ) -> Result<Overview, AnalyticsError>;
    async fn skills(
        &self,
        viewer: Option<Viewer>,
        user: SubjectId,
    ) -> Result<Vec<SkillProgress>, AnalyticsError>;
    /// Errors also: `ActivityPrivate`, `Invalid` (the range).
    async fn activity(
        &self,
        viewer: Option<Viewer>,
        user: SubjectId,
        range: RangeQuery,
    ) -> Result<ActivitySeries, AnalyticsError>;
    async fn performance(
        &self,
        viewer: Option<Viewer>,
        user: SubjectId,
    ) -> Result<Vec<TypePerformance>, AnalyticsError>;
    async fn streaks(
        &self,
        viewer: Option<Viewer>,
        user: SubjectId,
    ) -> Result<Streaks, AnalyticsError>;
    async fn time_distribution(
        &self,
        viewer: Option<Viewer>,
        user: SubjectId,
    ) -> Result<Vec<TimeBucket>, AnalyticsError>;
    /// Admins only (`Forbidden` otherwise).
    async fn platform(
        &self,
        viewer: Viewer,
        range: RangeQuery,
    ) -> Result<PlatformOverview, AnalyticsError>;
    async fn community(&self, range: RangeQuery) -> Result<Vec<CommunityDay>, AnalyticsError>;
    async fn popular_templates(
        &self,
        range: RangeQuery,
        limit: usize,
    ) -> Result<(DayRange, Vec<TemplatePopularity>), AnalyticsError>;
    async fn challenge_stats(
        &self,
        range: RangeQuery,
        limit: usize,
    ) -> Result<ChallengeStats, AnalyticsError>;

    /// Reads again, ahead of their expiry, the rows and privacy settings of the users asked for
    /// in the last [`WANTED_SECONDS`] whose memory expires within [`WARM_AHEAD_MILLIS`]; how
    /// many. A background task calls it a few times a second, so that pages polling them are
    /// answered from memory instead of waiting for the store.
    async fn keep_warm(&self) -> Result<usize, AnalyticsError>;
}

/// How long a user's rows are answered from memory: a new event shows within this.
pub const MEMORY_SECONDS: i64 = 1;

/// How long a user's stored rows (the days the job closed) are kept: they change when the
/// watermark moves (checked on every use) or when a rebuild rewrites closed days (seen within
/// this).
pub const STORED_MEMORY_SECONDS: i64 = 300;

/// How long a user whose figures were asked for is kept warm without being asked again.
pub const WANTED_SECONDS: i64 = 10;

/// How far ahead of their expiry [`InsightsApi::keep_warm`] reads entries again.
pub const WARM_AHEAD_MILLIS: i64 = 300;

/// How many users [`InsightsApi::keep_warm`] reads in one batch.
pub const WARM_BATCH: usize = 500;

/// A user's rows through their today, and the watermark they were read under.
type History = Arc<(UserRollup, Option<NaiveDate>)>;

/// A user's stored rows and the watermark they go through.
type Stored = Arc<(NaiveDate, UserRollup)>;

/// Composes the figures from the ports.
///
/// Pages poll the same users' figures: a user's rows (stored plus today's live tail) and privacy
/// settings are remembered for about [`MEMORY_SECONDS`] (each user's entries expire at their own
/// point in the second), and the one request that finds an entry just expired reads it again
/// while the others answer with the old one for up to another [`MEMORY_SECONDS`]. The stored
/// part of the rows is kept for [`STORED_MEMORY_SECONDS`] while the watermark stays, so a
/// refresh reads only the watermark (remembered a second) and the live tail.
pub struct InsightsService {
    ports: InsightsPorts,
    histories: ReadMemory<SubjectId, History>,
    stored: ReadMemory<SubjectId, Stored>,
    watermarks: ReadMemory<(), Option<NaiveDate>>,
    accounts: ReadMemory<SubjectId, Option<Account>>,
    /// Users whose figures were asked for lately (kept warm by [`InsightsApi::keep_warm`]).
    wanted: ReadMemory<SubjectId, ()>,
}

/// When `user`'s entries read at `now` expire: between half [`MEMORY_SECONDS`] and all of it,
/// fixed per user, so that entries read together are not all read again in the same instant.
fn spread(user: SubjectId, now: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    let whole = Duration::seconds(MEMORY_SECONDS);
    let step = i32::from(user.bytes()[11]);
    now + whole / 2 + whole / 2 * step / 255
}

/// The first day a range may start on.
fn earliest() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// The first day any figure can be about.
fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN)
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn ratio(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        round2(part / whole)
    } else {
        0.0
    }
}

/// Skill level (1–5) and progress (0–100) at `xp`.
pub fn skill_level(xp: u64) -> (u8, u8) {
    let passed = SKILL_LEVELS.iter().filter(|t| xp >= **t).count();
    let level = 1 + passed as u8;
    if passed == SKILL_LEVELS.len() {
        return (level, 100);
    }
    let low = if passed == 0 {
        0
    } else {
        SKILL_LEVELS[passed - 1]
    };
    let high = SKILL_LEVELS[passed];
    let progress = (xp - low) * 100 / (high - low);
    (level, progress.min(99) as u8)
}

/// The longest run of consecutive days in `days`, and the run ending `today` or the day
/// before (a streak is broken after a whole day without a success).
pub fn streaks_of(days: &BTreeSet<NaiveDate>, today: NaiveDate) -> (u32, u32) {
    let (mut best, mut run, mut previous) = (0u32, 0u32, None::<NaiveDate>);
    for day in days {
        run = match previous {
            Some(p) if p.succ_opt() == Some(*day) => run + 1,
            _ => 1,
        };
        best = best.max(run);
        previous = Some(*day);
    }
    let current = match previous {
        Some(last) if last >= today - Duration::days(1) && last <= today => run,
        _ => 0,
    };
    (current, best)
}

fn bucket(day: NaiveDate, granularity: Granularity) -> NaiveDate {
    match granularity {
        Granularity::Day => day,
        Granularity::Week => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
        Granularity::Month => day.with_day(1).unwrap_or(day),
    }
}

pub(crate) fn monday(day: NaiveDate) -> NaiveDate {
    bucket(day, Granularity::Week)
}

impl InsightsService {
    /// A service over `ports`.
    pub fn new(ports: InsightsPorts) -> Self {
        Self {
            ports,
            histories: ReadMemory::new(
                Freshness::Shared(Duration::seconds(MEMORY_SECONDS)),
                10_000,
            ),
            stored: ReadMemory::new(
                Freshness::Shared(Duration::seconds(STORED_MEMORY_SECONDS)),
                10_000,
            ),
            watermarks: ReadMemory::new(Freshness::Shared(Duration::seconds(MEMORY_SECONDS)), 1),
            accounts: ReadMemory::new(Freshness::Shared(Duration::seconds(MEMORY_SECONDS)), 10_000),
            wanted: ReadMemory::new(Freshness::Shared(Duration::seconds(WANTED_SECONDS)), 10_000),
        }
    }

    /// As the inbound port.
    pub fn into_api(self) -> Arc<dyn InsightsApi> {
        Arc::new(self)
    }

    fn utc_today(&self) -> NaiveDate {
        self.ports.clock.now().date_naive()
    }

    async fn watermark(&self) -> Result<Option<NaiveDate>, AnalyticsError> {
        Ok(self.ports.jobs.watermark(DAILY_JOB).await?)
    }

    /// What `viewer` may see of `user`, refusing what their privacy hides.
    async fn sight(
        &self,
        viewer: Option<Viewer>,
        user: SubjectId,
        needs_activity: bool,
    ) -> Result<Sight, AnalyticsError> {
        let now = self.ports.clock.now();
        let grace = Duration::seconds(MEMORY_SECONDS);
        let account = match self.accounts.recall(&user, now, grace) {
            Recall::Fresh(known) => known,
            // Just expired: one request reads it again, the others answer with it meanwhile.
            Recall::Stale(known) => match self.accounts.claim_refresh(&user) {
                Some(_claim) => self
                    .read_accounts(&[user], now)
                    .await?
                    .remove(&user)
                    .flatten(),
                None => known,
            },
            Recall::Unknown => self
                .read_accounts(&[user], now)
                .await?
                .remove(&user)
                .flatten(),
        };
        let account = account.ok_or(AnalyticsError::UserNotFound)?;
        // Themselves and admins see everything; others what the user's settings show.
        let privileged = viewer.is_some_and(|v| v.id == user || v.is_admin);
        if !privileged && !account.public {
            return Err(AnalyticsError::ProfilePrivate);
        }
        let sight = Sight {
            stats: privileged || account.show_stats,
            activity: privileged || account.show_activity,
            zone: account.zone,
        };
        if !sight.stats {
            return Err(AnalyticsError::StatsPrivate);
        }
        if needs_activity && !sight.activity {
            return Err(AnalyticsError::ActivityPrivate);
        }
        Ok(sight)
    }

    /// Reads the accounts of `users` again (one read) and remembers them, a missing one as
    /// `None`.
    async fn read_accounts(
        &self,
        users: &[SubjectId],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<HashMap<SubjectId, Option<Account>>, AnalyticsError> {
        let ticket = self.accounts.ticket();
        let mut found = self.ports.people.accounts(users).await?;
        let mut out = HashMap::with_capacity(users.len());
        for user in users {
            let read = found.remove(user);
            self.accounts
                .put(ticket, *user, read, now, Some(spread(*user, now)));
            out.insert(*user, read);
        }
        Ok(out)
    }

    /// The daily job's watermark, remembered for [`MEMORY_SECONDS`].
    async fn remembered_watermark(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<NaiveDate>, AnalyticsError> {
        if let Some(known) = self.watermarks.get(&(), now) {
            return Ok(known);
        }
        let ticket = self.watermarks.ticket();
        let read = self.watermark().await?;
        self.watermarks.put(ticket, (), read, now, None);
        Ok(read)
    }

    /// The users asked for lately whose entries in `memory` expire within
    /// [`WARM_AHEAD_MILLIS`], each with the claim to read it again. One a request found expired
    /// meanwhile is left to that request (not raced).
    fn claim_expiring<'m, V: Clone>(
        &self,
        memory: &'m ReadMemory<SubjectId, V>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Vec<(SubjectId, RefreshClaim<'m, SubjectId, V>)> {
        memory
            .expiring(now, Duration::milliseconds(WARM_AHEAD_MILLIS))
            .into_iter()
            .filter(|user| self.wanted.get(user, now).is_some())
            .filter_map(|user| memory.claim_refresh(&user).map(|claim| (user, claim)))
            .collect()
    }

    /// The stored rows through `watermark` of `users`, kept while the watermark stays: those
    /// not kept are read in one batch.
    async fn stored_rows(
        &self,
        users: &[SubjectId],
        watermark: NaiveDate,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<HashMap<SubjectId, Stored>, AnalyticsError> {
        let mut out = HashMap::with_capacity(users.len());
        let mut missing = Vec::new();
        for user in users {
            match self.stored.get(user, now).filter(|k| k.0 == watermark) {
                Some(known) => {
                    out.insert(*user, known);
                }
                None => missing.push(*user),
            }
        }
        if missing.is_empty() {
            return Ok(out);
        }
        let ticket = self.stored.ticket();
        let days = DayRange {
            from: epoch(),
            to: watermark,
        };
        let mut rows = self
            .ports
            .events
            .user_rollup(&missing, days, Source::Stored)
            .await?
            .by_user();
        for user in missing {
            let stored: Stored = Arc::new((watermark, rows.remove(&user).unwrap_or_default()));
            self.stored.put(ticket, user, stored.clone(), now, None);
            out.insert(user, stored);
        }
        Ok(out)
    }

    /// Reads the rows of `users` again (the stored part only where the watermark moved; one
    /// read for the live tails of all) and remembers them.
    async fn read_histories(
        &self,
        users: &[SubjectId],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<HashMap<SubjectId, History>, AnalyticsError> {
        let ticket = self.histories.ticket();
        let watermark = self.remembered_watermark(now).await?;
        let mut stored = match watermark {
            Some(w) => self.stored_rows(users, w, now).await?,
            None => HashMap::new(),
        };
        let days = DayRange {
            from: epoch(),
            to: now.date_naive() + Duration::days(2),
        };
        let mut tails = match days.after(watermark) {
            Some(live) => self
                .ports
                .events
                .user_rollup(users, live, Source::Live)
                .await?
                .by_user(),
            None => HashMap::new(),
        };
        let mut out = HashMap::with_capacity(users.len());
        for user in users {
            let mut rows = stored.remove(user).map(|s| s.1.clone()).unwrap_or_default();
            if let Some(tail) = tails.remove(user) {
                rows.append(tail);
            }
            let history: History = Arc::new((rows, watermark));
            self.histories.put(
                ticket,
                *user,
                history.clone(),
                now,
                Some(spread(*user, now)),
            );
            out.insert(*user, history);
        }
        Ok(out)
    }

    /// Every row of `user` up to their today (the day after, for zones ahead of the server's
    /// clock), remembered for about [`MEMORY_SECONDS`] (see [`InsightsService`]).
    async fn user_history(
        &self,
        user: SubjectId,
        sight: &Sight,
    ) -> Result<(History, NaiveDate), AnalyticsError> {
        let now = self.ports.clock.now();
        let today = now.with_timezone(&sight.zone).date_naive();
        self.wanted.put(self.wanted.ticket(), user, (), now, None);
        let _claim = match self
            .histories
            .recall(&user, now, Duration::seconds(MEMORY_SECONDS))
        {
            Recall::Fresh(found) => return Ok((found, today)),
            Recall::Stale(found) => match self.histories.claim_refresh(&user) {
                Some(claim) => Some(claim),
                None => return Ok((found, today)),
            },
            Recall::Unknown => None,
        };
        let history = self.read_histories(&[user], now).await?.remove(&user);
        Ok((history.ok_or(AnalyticsError::UserNotFound)?, today))
    }

    /// The platform rows of `days`: stored through the watermark, live after it.
    async fn platform_rows(&self, days: DayRange) -> Result<PlatformRollup, AnalyticsError> {
        let watermark = self.watermark().await?;
        let mut all = PlatformRollup::default();
        if let Some(stored) = days.through(watermark) {
            all = self
                .ports
                .events
                .platform_rollup(stored, Source::Stored)
                .await?;
        }
        if let Some(live) = days.after(watermark) {
            let tail = self
                .ports
                .events
                .platform_rollup(live, Source::Live)
                .await?;
            all.days.extend(tail.days);
            all.contributors.extend(tail.contributors);
        }
        Ok(all)
    }
}

/// `user`'s rows of `days`: stored through the daily job's watermark, live after it; with the
/// watermark.
pub(crate) async fn user_rows(
    events: &dyn EventStore,
    jobs: &dyn JobStore,
    user: SubjectId,
    days: DayRange,
) -> Result<(UserRollup, Option<NaiveDate>), AnalyticsError> {
    let watermark = jobs.watermark(DAILY_JOB).await?;
    let stored = match days.through(watermark) {
        Some(stored) => events.user_rollup(&[user], stored, Source::Stored).await?,
        None => UserRollup::default(),
    };
    let all = with_live_tail(events, user, stored, days, watermark).await?;
    Ok((all, watermark))
}

/// `stored` (`user`'s rows through `watermark`) with the rows of the days of `days` after it,
/// computed from the events.
async fn with_live_tail(
    events: &dyn EventStore,
    user: SubjectId,
    mut stored: UserRollup,
    days: DayRange,
    watermark: Option<NaiveDate>,
) -> Result<UserRollup, AnalyticsError> {
    if let Some(live) = days.after(watermark) {
        stored.append(events.user_rollup(&[user], live, Source::Live).await?);
    }
    Ok(stored)
}

fn success_days(days: &[UserDay]) -> BTreeSet<NaiveDate> {
    days.iter()
        .filter(|d| d.kind == EventKind::Submission && d.successes > 0)
        .map(|d| d.day)
        .collect()
}

fn count_of(days: &[UserDay], kinds: &[EventKind]) -> u64 {
    days.iter()
        .filter(|d| kinds.contains(&d.kind))
        .map(|d| d.count)
        .sum()
}

fn overall(days: &[UserDay], today: NaiveDate, activity: bool) -> OverallStats {
    let subs: Vec<&UserDay> = days
        .iter()
        .filter(|d| d.kind == EventKind::Submission)
        .collect();
    let total: u64 = subs.iter().map(|d| d.count).sum();
    let successes: u64 = subs.iter().map(|d| d.successes).sum();
    let score_sum: f64 = subs.iter().map(|d| d.score_sum).sum();
    let (current, best) = streaks_of(&success_days(days), today);
    OverallStats {
        total_challenges: total,
        completed_challenges: subs.iter().map(|d| d.firsts).sum(),
        completion_rate: ratio(successes as f64 * 100.0, total as f64),
        average_score: ratio(score_sum, total as f64),
        total_time_spent: round2(subs.iter().map(|d| d.minutes).sum()),
        current_streak: current,
        best_streak: best,
        last_activity_date: if activity {
            days.iter().map(|d| d.day).max()
        } else {
            None
        },
        xp_gained: days.iter().map(|d| d.xp).sum(),
        posts: count_of(days, &[EventKind::Post, EventKind::CodeShare]),
        comments: count_of(days, &[EventKind::Comment]),
        lessons_completed: count_of(days, &[EventKind::Lesson]),
    }
}

fn skills(rows: &[SkillDay]) -> Vec<SkillProgress> {
    let mut by_skill: BTreeMap<&str, SkillProgress> = BTreeMap::new();
    for r in rows {
        let s = by_skill.entry(&r.skill).or_insert_with(|| SkillProgress {
            skill: r.skill.clone(),
            level: 1,
            progress: 0,
            xp: 0,
            attempts: 0,
            solved: 0,
            updated_at: r.day,
        });
        s.xp += r.xp;
        s.attempts += r.attempts;
        s.solved += r.solved;
        s.updated_at = s.updated_at.max(r.day);
    }
    let mut out: Vec<SkillProgress> = by_skill
        .into_values()
        .map(|mut s| {
            (s.level, s.progress) = skill_level(s.xp);
            s
        })
        .collect();
    out.sort_by(|a, b| b.xp.cmp(&a.xp).then_with(|| a.skill.cmp(&b.skill)));
    out
}

fn series(days: &[UserDay], range: DayRange, granularity: Granularity) -> Vec<ActivityPoint> {
    let mut points: BTreeMap<NaiveDate, ActivityPoint> = BTreeMap::new();
    let mut scores: BTreeMap<NaiveDate, f64> = BTreeMap::new();
    for day in range.from.iter_days().take_while(|d| *d <= range.to) {
        let b = bucket(day, granularity);
        points.entry(b).or_insert_with(|| ActivityPoint {
            date: b,
            ..ActivityPoint::default()
        });
    }
    for d in days.iter().filter(|d| range.contains(d.day)) {
        let b = bucket(d.day, granularity);
        let Some(p) = points.get_mut(&b) else {
            continue;
        };
        match d.kind {
            EventKind::Submission => {
                p.submissions += d.count;
                p.challenges_completed += d.successes;
                p.time_spent += d.minutes;
                *scores.entry(b).or_default() += d.score_sum;
            }
            EventKind::Post | EventKind::CodeShare => p.posts += d.count,
            EventKind::Comment => p.comments += d.count,
            EventKind::Lesson => p.lessons += d.count,
            _ => {}
        }
        p.xp_gained += d.xp;
    }
    points
        .into_values()
        .map(|mut p| {
            p.average_score = ratio(
                scores.get(&p.date).copied().unwrap_or(0.0),
                p.submissions as f64,
            );
            p.time_spent = round2(p.time_spent);
            p
        })
        .collect()
}

fn performance(days: &[UserDay]) -> Vec<TypePerformance> {
    CHALLENGE_TYPES
        .iter()
        .map(|kind| {
            let rows: Vec<&UserDay> = days
                .iter()
                .filter(|d| d.kind == EventKind::Submission && d.category == *kind)
                .collect();
            let attempts: u64 = rows.iter().map(|d| d.count).sum();
            TypePerformance {
                kind: (*kind).to_owned(),
                attempts,
                completed: rows.iter().map(|d| d.successes).sum(),
                average_score: ratio(rows.iter().map(|d| d.score_sum).sum(), attempts as f64),
                average_time: ratio(rows.iter().map(|d| d.minutes).sum(), attempts as f64),
                best_score: rows.iter().filter_map(|d| d.score_max).reduce(f64::max),
                worst_score: rows.iter().filter_map(|d| d.score_min).reduce(f64::min),
            }
        })
        .collect()
}

fn platform_count(rows: &[PlatformDay], day: NaiveDate, kinds: &[EventKind]) -> u64 {
    rows.iter()
        .filter(|r| r.day == day && r.kind.is_some_and(|k| kinds.contains(&k)))
        .map(|r| r.count)
        .sum()
}

#[async_trait]
impl InsightsApi for InsightsService {
    async fn overview(
        &self,
        viewer: Option<Viewer>,
        user: SubjectId,
    ) -> Result<Overview, AnalyticsError> {
        let sight = self.sight(viewer, user, false).await?;
        let (history, today) = self.user_history(user, &sight).await?;
        let (rows, watermark) = history.as_ref();
        Ok(Overview {
            user,
            overall: overall(&rows.days, today, sight.activity),
            aggregated_through: *watermark,
        })
    }

    async fn skills(
        &self,
        viewer: Option<Viewer>,
        user: SubjectId,
    ) -> Result<Vec<SkillProgress>, AnalyticsError> {
        let sight = self.sight(viewer, user, false).await?;
        let (history, _) = self.user_history(user, &sight).await?;
        Ok(skills(&history.0.skills))
    }

    async fn activity(
        &self,
        viewer: Option<Viewer>,
        user: SubjectId,
        query: RangeQuery,
    ) -> Result<ActivitySeries, AnalyticsError> {
        let sight = self.sight(viewer, user, true).await?;
        let today = self
            .ports
            .clock
            .now()
            .with_timezone(&sight.zone)
            .date_naive();
        let range = query.resolve(today)?;
        let (history, _) = self.user_history(user, &sight).await?;
        Ok(ActivitySeries {
            range,
            granularity: query.granularity,
            points: series(&history.0.days, range, query.granularity),
        })
    }

    async fn performance(
        &self,
        viewer: Option<Viewer>,
        user: SubjectId,
    ) -> Result<Vec<TypePerformance>, AnalyticsError> {
        let sight = self.sight(viewer, user, false).await?;
        let (history, _) = self.user_history(user, &sight).await?;
        Ok(performance(&history.0.days))
    }

    async fn streaks(
        &self,
        viewer: Option<Viewer>,
        user: SubjectId,
    ) -> Result<Streaks, AnalyticsError> {
        let sight = self.sight(viewer, user, false).await?;
        let (history, today) = self.user_history(user, &sight).await?;
        let days = success_days(&history.0.days);
        let (current, best) = streaks_of(&days, today);
        let month_ago = today - Duration::days(29);
        Ok(Streaks {
            current,
            best,
            last_success: if sight.activity {
                days.iter().next_back().copied()
            } else {
                None
            },
            days_last_30: days.range(month_ago..=today).count() as u32,
        })
    }

    async fn time_distribution(
        &self,
        viewer: Option<Viewer>,
        user: SubjectId,
    ) -> Result<Vec<TimeBucket>, AnalyticsError> {
        let sight = self.sight(viewer, user, false).await?;
        let (history, _) = self.user_history(user, &sight).await?;
        let mut counts = [0u64; TIME_RANGES.len()];
        for d in &history.0.days {
            for (c, n) in counts.iter_mut().zip(d.ranges) {
                *c += n;
            }
        }
        Ok(TIME_RANGES
            .iter()
            .zip(counts)
            .map(|(range, count)| TimeBucket { range, count })
            .collect())
    }

    async fn platform(
        &self,
        viewer: Viewer,
        query: RangeQuery,
    ) -> Result<PlatformOverview, AnalyticsError> {
        if !viewer.is_admin {
            return Err(AnalyticsError::Forbidden);
        }
        let today = self.utc_today();
        let range = query.resolve(today)?;
        let rows = self.platform_rows(range).await?;
        let watermark = self.watermark().await?;
        let in_range = |kind: EventKind| -> (u64, u64) {
            rows.days
                .iter()
                .filter(|r| r.kind == Some(kind))
                .fold((0, 0), |(n, s), r| (n + r.count, s + r.successes))
        };
        let (submissions, successful) = in_range(EventKind::Submission);
        // Activity from the range's start through four weeks after its last cohort.
        let span = DayRange {
            from: monday(range.from).min(today - Duration::days(29)),
            to: (range.to + Duration::days(35)).min(today + Duration::days(1)),
        };
        let active = self.ports.events.active_days(span, watermark).await?;
        let distinct = |from: NaiveDate, to: NaiveDate| -> u64 {
            active
                .iter()
                .filter(|a| a.day >= from && a.day <= to)
                .map(|a| a.user)
                .collect::<BTreeSet<_>>()
                .len() as u64
        };
        let mut cohorts: BTreeMap<NaiveDate, BTreeSet<SubjectId>> = BTreeMap::new();
        for a in active
            .iter()
            .filter(|a| a.signed_up && range.contains(a.day))
        {
            cohorts.entry(monday(a.day)).or_default().insert(a.user);
        }
        let retention = cohorts
            .into_iter()
            .map(|(week, members)| {
                let retained = (1..=4)
                    .map(|k| {
                        let start = week + Duration::days(7 * k);
                        let end = start + Duration::days(6);
                        (end < today).then(|| {
                            let back = active
                                .iter()
                                .filter(|a| a.day >= start && a.day <= end)
                                .filter(|a| members.contains(&a.user))
                                .map(|a| a.user)
                                .collect::<BTreeSet<_>>()
                                .len();
                            ratio(back as f64 * 100.0, members.len() as f64)
                        })
                    })
                    .collect();
                Cohort {
                    week,
                    signed_up: members.len() as u64,
                    retained,
                }
            })
            .collect();
        Ok(PlatformOverview {
            range,
            total_users: self.ports.people.total().await?,
            new_users: in_range(EventKind::SignedUp).0,
            active_users: distinct(range.from, range.to),
            active_daily: distinct(today, today + Duration::days(1)),
            active_weekly: distinct(today - Duration::days(6), today + Duration::days(1)),
            active_monthly: distinct(today - Duration::days(29), today + Duration::days(1)),
            submissions,
            successful,
            success_rate: ratio(successful as f64 * 100.0, submissions as f64),
            retention,
        })
    }

    async fn community(&self, query: RangeQuery) -> Result<Vec<CommunityDay>, AnalyticsError> {
        let today = self.utc_today();
        let range = query.resolve(today)?;
        // Totals count every event before the range too; members count back from today's.
        let first = self.ports.events.first_day().await?.unwrap_or(range.from);
        let rows = self
            .platform_rows(DayRange {
                from: first.min(range.from),
                to: today.max(range.to),
            })
            .await?;
        let ids: Vec<SubjectId> = rows
            .contributors
            .iter()
            .filter(|c| range.contains(c.day))
            .map(|c| c.user)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let public: HashMap<SubjectId, String> = self
            .ports
            .people
            .listings(&ids)
            .await?
            .into_iter()
            .filter(|l| l.public)
            .map(|l| (l.user, l.username))
            .collect();
        let members_now = self.ports.people.total().await?;
        let mut out = Vec::new();
        for day in range.from.iter_days().take_while(|d| *d <= range.to) {
            let upto = |kinds: &[EventKind]| -> u64 {
                rows.days
                    .iter()
                    .filter(|r| r.day <= day && r.kind.is_some_and(|k| kinds.contains(&k)))
                    .map(|r| r.count)
                    .sum()
            };
            let later_signups: u64 = rows
                .days
                .iter()
                .filter(|r| r.day > day && r.kind == Some(EventKind::SignedUp))
                .map(|r| r.count)
                .sum();
            let today_of = |kinds: &[EventKind]| platform_count(&rows.days, day, kinds);
            let downloads = [EventKind::TemplateDownload];
            out.push(CommunityDay {
                date: day,
                total_members: members_now.saturating_sub(later_signups),
                active_today: rows
                    .days
                    .iter()
                    .find(|r| r.day == day && r.kind.is_none())
                    .map_or(0, |r| r.users),
                new_members_today: today_of(&[EventKind::SignedUp]),
                top_contributors: rows
                    .contributors
                    .iter()
                    .filter(|c| c.day == day)
                    .filter_map(|c| {
                        public.get(&c.user).map(|name| TopContributor {
                            user: c.user,
                            username: name.clone(),
                            contributions: c.contributions,
                        })
                    })
                    .collect(),
                total_posts: upto(&[EventKind::Post]),
                posts_today: today_of(&[EventKind::Post]),
                total_code_shares: upto(&[EventKind::CodeShare]),
                code_shares_today: today_of(&[EventKind::CodeShare]),
                total_comments: upto(&[EventKind::Comment]),
                comments_today: today_of(&[EventKind::Comment]),
                total_likes: upto(&[EventKind::Like]),
                likes_today: today_of(&[EventKind::Like]),
                total_views: upto(&[EventKind::View]),
                views_today: today_of(&[EventKind::View]),
                total_downloads: upto(&downloads),
                downloads_today: today_of(&downloads),
            });
        }
        Ok(out)
    }

    async fn popular_templates(
        &self,
        query: RangeQuery,
        limit: usize,
    ) -> Result<(DayRange, Vec<TemplatePopularity>), AnalyticsError> {
        let range = query.resolve(self.utc_today())?;
        let kinds = [
            EventKind::TemplateDownload,
            EventKind::TemplateFork,
            EventKind::TemplateStar,
        ];
        let rows = self.ports.events.targets(&kinds, range).await?;
        let mut by_target: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
        for r in rows {
            let t = by_target.entry(r.target).or_default();
            match r.kind {
                EventKind::TemplateDownload => t.0 += r.count,
                EventKind::TemplateFork => t.1 += r.count,
                _ => t.2 += r.count,
            }
        }
        let mut ranked: Vec<(String, (u64, u64, u64))> = by_target.into_iter().collect();
        ranked.sort_by(|a, b| {
            let total = |t: &(u64, u64, u64)| t.0 + t.1 + t.2;
            total(&b.1).cmp(&total(&a.1)).then_with(|| a.0.cmp(&b.0))
        });
        let ids: Vec<String> = ranked.iter().map(|(id, _)| id.clone()).collect();
        let names = self.public_names(&ids, limit, Kind::Template).await?;
        Ok((
            range,
            ranked
                .into_iter()
                .filter_map(|(template, (downloads, forks, stars))| {
                    let title = names.get(&template)?.title.clone();
                    Some(TemplatePopularity {
                        template,
                        title,
                        downloads,
                        forks,
                        stars,
                    })
                })
                .take(limit)
                .collect(),
        ))
    }

    async fn keep_warm(&self) -> Result<usize, AnalyticsError> {
        let now = self.ports.clock.now();
        let histories = self.claim_expiring(&self.histories, now);
        let accounts = self.claim_expiring(&self.accounts, now);
        for batch in histories.chunks(WARM_BATCH) {
            let users: Vec<SubjectId> = batch.iter().map(|(user, _)| *user).collect();
            self.read_histories(&users, now).await?;
        }
        for batch in accounts.chunks(WARM_BATCH) {
            let users: Vec<SubjectId> = batch.iter().map(|(user, _)| *user).collect();
            self.read_accounts(&users, now).await?;
        }
        Ok(histories.len())
    }

    async fn challenge_stats(
        &self,
        query: RangeQuery,
        limit: usize,
    ) -> Result<ChallengeStats, AnalyticsError> {
        let range = query.resolve(self.utc_today())?;
        let rows = self
            .ports
            .events
            .targets(&[EventKind::Submission], range)
            .await?;
        // Totals over every challenge (no per-user figure); named rows only for public ones.
        let attempts: u64 = rows.iter().map(|r| r.count).sum();
        let successes: u64 = rows.iter().map(|r| r.successes).sum();
        let ids: Vec<String> = rows.iter().map(|r| r.target.clone()).collect();
        let names = self.public_names(&ids, limit, Kind::Challenge).await?;
        let challenges = rows
            .into_iter()
            .filter_map(|r| names.get(&r.target).map(|n| (r, n)))
            .take(limit)
            .map(|(r, n)| ChallengeFigures {
                title: n.title.clone(),
                kind: n.kind.clone().unwrap_or_default(),
                success_rate: ratio(r.successes as f64 * 100.0, r.count as f64),
                average_score: ratio(r.score_sum, r.count as f64),
                average_time: ratio(r.minutes, r.count as f64),
                attempts: r.count,
                successes: r.successes,
                players: r.users,
                challenge: r.target,
            })
            .collect();
        Ok(ChallengeStats {
            range,
            attempts,
            successes,
            success_rate: ratio(successes as f64 * 100.0, attempts as f64),
            challenges,
        })
    }
}

/// Which catalogue names are asked for.
#[derive(Clone, Copy)]
enum Kind {
    Challenge,
    Template,
}

impl InsightsService {
    /// The public names among `ids` (busiest first), asked for a chunk at a time until `limit`
    /// are found or none are left.
    async fn public_names(
        &self,
        ids: &[String],
        limit: usize,
        kind: Kind,
    ) -> Result<HashMap<String, Named>, AnalyticsError> {
        let mut names = HashMap::new();
        for chunk in ids.chunks(limit.max(1)) {
            if names.len() >= limit {
                break;
            }
            let found = match kind {
                Kind::Challenge => self.ports.catalog.challenges(chunk).await?,
                Kind::Template => self.ports.catalog.templates(chunk).await?,
            };
            names.extend(found);
        }
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn skill_levels_follow_the_thresholds() {
        assert_eq!(skill_level(0), (1, 0));
        assert_eq!(skill_level(50), (1, 50));
        assert_eq!(skill_level(100), (2, 0));
        assert_eq!(skill_level(200), (2, 50));
        assert_eq!(skill_level(999), (4, 99));
        assert_eq!(skill_level(1000), (5, 100));
        assert_eq!(skill_level(u64::MAX), (5, 100));
    }

    #[test]
    fn a_streak_survives_until_a_whole_day_passes() {
        let days: BTreeSet<NaiveDate> = ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-05"]
            .into_iter()
            .map(d)
            .collect();
        assert_eq!(streaks_of(&days, d("2026-01-05")), (1, 3));
        assert_eq!(streaks_of(&days, d("2026-01-06")), (1, 3));
        assert_eq!(streaks_of(&days, d("2026-01-07")), (0, 3));
        assert_eq!(streaks_of(&BTreeSet::new(), d("2026-01-07")), (0, 0));
    }

    #[test]
    fn ranges_default_to_thirty_days_and_refuse_bad_ones() {
        let today = d("2026-06-30");
        let r = RangeQuery::default().resolve(today).unwrap();
        assert_eq!((r.from, r.to), (d("2026-06-01"), today));
        let backwards = RangeQuery {
            from: Some(d("2026-06-10")),
            to: Some(d("2026-06-01")),
            ..RangeQuery::default()
        };
        assert!(matches!(
            backwards.resolve(today),
            Err(AnalyticsError::Invalid(_))
        ));
        let decade = RangeQuery {
            from: Some(d("2016-06-10")),
            to: Some(today),
            ..RangeQuery::default()
        };
        assert!(matches!(
            decade.resolve(today),
            Err(AnalyticsError::Invalid(_))
        ));
        // `from` alone: the longest range from it, ending today at most.
        let old = RangeQuery {
            from: Some(d("1970-01-01")),
            ..RangeQuery::default()
        };
        let r = old.resolve(today).unwrap();
        assert_eq!((r.from, r.to), (d("1970-01-01"), d("1971-01-01")));
        let year = RangeQuery {
            from: Some(d("2025-06-30")),
            ..RangeQuery::default()
        };
        assert_eq!(year.resolve(today).unwrap().from, d("2025-06-30"));
        // Without `from`, a range ending early in 1970 starts on its first day.
        let early = RangeQuery {
            to: Some(d("1970-01-05")),
            ..RangeQuery::default()
        };
        let r = early.resolve(today).unwrap();
        assert_eq!((r.from, r.to), (d("1970-01-01"), d("1970-01-05")));
        let before = RangeQuery {
            from: Some(d("1969-12-31")),
            to: Some(d("1970-01-05")),
            ..RangeQuery::default()
        };
        assert!(matches!(
            before.resolve(today),
            Err(AnalyticsError::Invalid(_))
        ));
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        assert_eq!(bucket(d("2026-12-03"), Granularity::Week), d("2026-11-30"));
        assert_eq!(bucket(d("2026-12-03"), Granularity::Month), d("2026-12-01"));
    }
}
