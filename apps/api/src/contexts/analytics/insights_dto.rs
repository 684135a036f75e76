//! The `/analytics/*` routes' JSON: the spec's UserAnalytics and CommunityStats fields, in
//! camelCase, days as `YYYY-MM-DD`.

use apistos::{ApiComponent, JsonSchema};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use stackrush_analytics::insights::*;

use crate::error::ApiError;

/// A day between 1970 and 9999.
const DAY: &str = r"^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";

/// Buckets of an activity series.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum GranularityDto {
    Day,
    Week,
    Month,
}

/// A range of days: `from` and `to` included, at most 366 days; without `from`, the 30 days
/// ending `to` (default: today); without `to`, the 366 days from `from`, up to today.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct RangeParams {
    /// First day (`YYYY-MM-DD`).
    #[schemars(regex(pattern = DAY))]
    pub from: Option<String>,
    /// Last day (`YYYY-MM-DD`), not in the future.
    #[schemars(regex(pattern = DAY))]
    pub to: Option<String>,
    /// Buckets of the series (default `day`; weeks start on Monday).
    pub granularity: Option<GranularityDto>,
}

/// A range of days (as in [`RangeParams`]) and how many items to list.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct TopParams {
    /// First day (`YYYY-MM-DD`).
    #[schemars(regex(pattern = DAY))]
    pub from: Option<String>,
    /// Last day (`YYYY-MM-DD`), not in the future.
    #[schemars(regex(pattern = DAY))]
    pub to: Option<String>,
    /// 1–50, default 10.
    #[schemars(range(min = 1, max = 50))]
    pub limit: Option<u32>,
}

fn day(field: &str, text: &Option<String>) -> Result<Option<NaiveDate>, ApiError> {
    text.as_deref()
        .map(|t| {
            NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .map_err(|_| ApiError::invalid_query(field, "must be a day such as 2026-01-31"))
        })
        .transpose()
}

fn range(
    from: &Option<String>,
    to: &Option<String>,
    granularity: Option<GranularityDto>,
) -> Result<RangeQuery, ApiError> {
    Ok(RangeQuery {
        from: day("from", from)?,
        to: day("to", to)?,
        granularity: match granularity {
            None | Some(GranularityDto::Day) => Granularity::Day,
            Some(GranularityDto::Week) => Granularity::Week,
            Some(GranularityDto::Month) => Granularity::Month,
        },
    })
}

impl RangeParams {
    /// The range asked for.
    pub fn query(&self) -> Result<RangeQuery, ApiError> {
        range(&self.from, &self.to, self.granularity)
    }
}

impl TopParams {
    /// The range asked for and the list's length.
    pub fn query(&self) -> Result<(RangeQuery, usize), ApiError> {
        let limit = self.limit.unwrap_or(10);
        if !(1..=50).contains(&limit) {
            return Err(ApiError::invalid_query("limit", "must be 1 to 50"));
        }
        Ok((range(&self.from, &self.to, None)?, limit as usize))
    }
}

/// The spec's `overallStats`.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct OverallStatsDto {
    /// Scored submissions.
    pub total_challenges: u64,
    /// Challenges solved (first successes).
    pub completed_challenges: u64,
    /// Percent of scored submissions that succeeded.
    pub completion_rate: f64,
    pub average_score: f64,
    /// Minutes (timed submissions).
    pub total_time_spent: f64,
    pub current_streak: u32,
    pub best_streak: u32,
    /// Hidden (null) when the user does not show their activity.
    pub last_activity_date: Option<NaiveDate>,
    pub xp_gained: u64,
    pub posts: u64,
    pub comments: u64,
    pub lessons_completed: u64,
}

/// A user's analytics overview.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct OverviewDto {
    pub user: String,
    pub overall_stats: OverallStatsDto,
    /// The last day the daily job closed; later days are counted from the events as they come.
    pub aggregated_through: Option<NaiveDate>,
}

impl From<Overview> for OverviewDto {
    fn from(o: Overview) -> Self {
        let s = o.overall;
        Self {
            user: o.user.to_hex(),
            overall_stats: OverallStatsDto {
                total_challenges: s.total_challenges,
                completed_challenges: s.completed_challenges,
                completion_rate: s.completion_rate,
                average_score: s.average_score,
                total_time_spent: s.total_time_spent,
                current_streak: s.current_streak,
                best_streak: s.best_streak,
                last_activity_date: s.last_activity_date,
                xp_gained: s.xp_gained,
                posts: s.posts,
                comments: s.comments,
                lessons_completed: s.lessons_completed,
            },
            aggregated_through: o.aggregated_through,
        }
    }
}

/// One skill (a challenge tag or category).
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct SkillDto {
    pub skill: String,
    /// 1–5.
    pub level: u8,
    /// 0–100 towards the next level.
    pub progress: u8,
    pub xp: u64,
    pub attempts: u64,
    pub solved: u64,
    pub updated_at: NaiveDate,
}

/// A user's skills, most XP first.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct SkillsDto {
    pub skill_progress: Vec<SkillDto>,
}

impl From<Vec<SkillProgress>> for SkillsDto {
    fn from(skills: Vec<SkillProgress>) -> Self {
        Self {
            skill_progress: skills
                .into_iter()
                .map(|s| SkillDto {
                    skill: s.skill,
                    level: s.level,
                    progress: s.progress,
                    xp: s.xp,
                    attempts: s.attempts,
                    solved: s.solved,
                    updated_at: s.updated_at,
                })
                .collect(),
        }
    }
}

/// One bucket of activity (starting `date`).
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ActivityPointDto {
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

/// A user's activity in a range, one entry per bucket (empty ones included).
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct AnalyticsActivityDto {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub granularity: GranularityDto,
    pub daily_activity: Vec<ActivityPointDto>,
}

impl From<ActivitySeries> for AnalyticsActivityDto {
    fn from(a: ActivitySeries) -> Self {
        Self {
            from: a.range.from,
            to: a.range.to,
            granularity: match a.granularity {
                Granularity::Day => GranularityDto::Day,
                Granularity::Week => GranularityDto::Week,
                Granularity::Month => GranularityDto::Month,
            },
            daily_activity: a
                .points
                .into_iter()
                .map(|p| ActivityPointDto {
                    date: p.date,
                    submissions: p.submissions,
                    challenges_completed: p.challenges_completed,
                    average_score: p.average_score,
                    time_spent: p.time_spent,
                    xp_gained: p.xp_gained,
                    posts: p.posts,
                    comments: p.comments,
                    lessons: p.lessons,
                })
                .collect(),
        }
    }
}

/// Figures of one challenge type.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct TypePerformanceDto {
    /// `dsa`, `bug-fix` or `feature`.
    #[serde(rename = "type")]
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

/// Performance by challenge type.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct PerformanceDto {
    pub performance_by_type: Vec<TypePerformanceDto>,
}

impl From<Vec<TypePerformance>> for PerformanceDto {
    fn from(rows: Vec<TypePerformance>) -> Self {
        Self {
            performance_by_type: rows
                .into_iter()
                .map(|t| TypePerformanceDto {
                    kind: t.kind,
                    attempts: t.attempts,
                    completed: t.completed,
                    average_score: t.average_score,
                    average_time: t.average_time,
                    best_score: t.best_score,
                    worst_score: t.worst_score,
                })
                .collect(),
        }
    }
}

/// A user's streaks of days with a successful submission (in their time zone).
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct StreaksDto {
    pub current_streak: u32,
    pub best_streak: u32,
    /// Hidden (null) when the user does not show their activity.
    pub last_success_date: Option<NaiveDate>,
    pub active_days_last_30: u32,
}

impl From<Streaks> for StreaksDto {
    fn from(s: Streaks) -> Self {
        Self {
            current_streak: s.current,
            best_streak: s.best,
            last_success_date: s.last_success,
            active_days_last_30: s.days_last_30,
        }
    }
}

/// How many timed submissions took how long.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct TimeBucketDto {
    /// `0-15 min`, `15-30 min`, `30-60 min`, `1-2 h`, `2 h+`.
    pub time_range: String,
    pub count: u64,
}

/// A user's time distribution.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct TimeDistributionDto {
    pub time_distribution: Vec<TimeBucketDto>,
}

impl From<Vec<TimeBucket>> for TimeDistributionDto {
    fn from(buckets: Vec<TimeBucket>) -> Self {
        Self {
            time_distribution: buckets
                .into_iter()
                .map(|b| TimeBucketDto {
                    time_range: b.range.to_owned(),
                    count: b.count,
                })
                .collect(),
        }
    }
}

/// Retention of one signup week.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct CohortDto {
    /// The week's Monday.
    pub week: NaiveDate,
    pub signed_up: u64,
    /// Percent active in each of the 4 following weeks (null: not over yet).
    pub retained: Vec<Option<f64>>,
}

/// Platform-wide figures (admins).
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct PlatformOverviewDto {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub total_users: u64,
    pub new_users: u64,
    pub active_users: u64,
    pub daily_active_users: u64,
    pub weekly_active_users: u64,
    pub monthly_active_users: u64,
    pub submissions: u64,
    pub successful_submissions: u64,
    pub success_rate: f64,
    pub retention: Vec<CohortDto>,
}

impl From<PlatformOverview> for PlatformOverviewDto {
    fn from(p: PlatformOverview) -> Self {
        Self {
            from: p.range.from,
            to: p.range.to,
            total_users: p.total_users,
            new_users: p.new_users,
            active_users: p.active_users,
            daily_active_users: p.active_daily,
            weekly_active_users: p.active_weekly,
            monthly_active_users: p.active_monthly,
            submissions: p.submissions,
            successful_submissions: p.successful,
            success_rate: p.success_rate,
            retention: p
                .retention
                .into_iter()
                .map(|c| CohortDto {
                    week: c.week,
                    signed_up: c.signed_up,
                    retained: c.retained,
                })
                .collect(),
        }
    }
}

/// A public contributor of the day.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct AnalyticsContributorDto {
    pub user_id: String,
    pub user_name: String,
    pub contributions: u64,
}

/// `memberStats`.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct AnalyticsMemberStatsDto {
    pub total_members: u64,
    pub active_today: u64,
    pub new_members_today: u64,
    /// Only users with a public profile are named.
    pub top_contributors: Vec<AnalyticsContributorDto>,
}

/// `contentStats`.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct AnalyticsContentStatsDto {
    pub total_posts: u64,
    pub posts_today: u64,
    pub total_code_shares: u64,
    pub code_shares_today: u64,
    pub total_comments: u64,
    pub comments_today: u64,
}

/// `engagementStats`.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct AnalyticsEngagementStatsDto {
    pub total_likes: u64,
    pub likes_today: u64,
    pub total_views: u64,
    pub views_today: u64,
    pub total_downloads: u64,
    pub downloads_today: u64,
}

/// The spec's CommunityStats of one UTC day.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct CommunityDayDto {
    pub date: NaiveDate,
    pub member_stats: AnalyticsMemberStatsDto,
    pub content_stats: AnalyticsContentStatsDto,
    pub engagement_stats: AnalyticsEngagementStatsDto,
}

/// Community stats, one entry per day of the range.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct AnalyticsCommunityStatsDto {
    pub days: Vec<CommunityDayDto>,
}

impl From<Vec<CommunityDay>> for AnalyticsCommunityStatsDto {
    fn from(days: Vec<CommunityDay>) -> Self {
        Self {
            days: days
                .into_iter()
                .map(|d| CommunityDayDto {
                    date: d.date,
                    member_stats: AnalyticsMemberStatsDto {
                        total_members: d.total_members,
                        active_today: d.active_today,
                        new_members_today: d.new_members_today,
                        top_contributors: d
                            .top_contributors
                            .into_iter()
                            .map(|c| AnalyticsContributorDto {
                                user_id: c.user.to_hex(),
                                user_name: c.username,
                                contributions: c.contributions,
                            })
                            .collect(),
                    },
                    content_stats: AnalyticsContentStatsDto {
                        total_posts: d.total_posts,
                        posts_today: d.posts_today,
                        total_code_shares: d.total_code_shares,
                        code_shares_today: d.code_shares_today,
                        total_comments: d.total_comments,
                        comments_today: d.comments_today,
                    },
                    engagement_stats: AnalyticsEngagementStatsDto {
                        total_likes: d.total_likes,
                        likes_today: d.likes_today,
                        total_views: d.total_views,
                        views_today: d.views_today,
                        total_downloads: d.total_downloads,
                        downloads_today: d.downloads_today,
                    },
                })
                .collect(),
        }
    }
}

/// A template's popularity in the range.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct PopularTemplateDto {
    pub template_id: String,
    pub title: String,
    pub downloads: u64,
    pub forks: u64,
    pub stars: u64,
}

/// The most used public templates of the range.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct PopularTemplatesDto {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub templates: Vec<PopularTemplateDto>,
}

/// One public challenge's figures in the range.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ChallengeFiguresDto {
    pub challenge_id: String,
    pub title: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub attempts: u64,
    pub successes: u64,
    pub success_rate: f64,
    pub average_score: f64,
    /// Minutes per timed submission.
    pub average_time: f64,
    pub players: u64,
}

/// Challenge completion statistics of the range.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct AnalyticsChallengeStatsDto {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub attempts: u64,
    pub successes: u64,
    pub success_rate: f64,
    /// The most attempted public challenges.
    pub challenges: Vec<ChallengeFiguresDto>,
}

impl From<ChallengeStats> for AnalyticsChallengeStatsDto {
    fn from(s: ChallengeStats) -> Self {
        Self {
            from: s.range.from,
            to: s.range.to,
            attempts: s.attempts,
            successes: s.successes,
            success_rate: s.success_rate,
            challenges: s
                .challenges
                .into_iter()
                .map(|c| ChallengeFiguresDto {
                    challenge_id: c.challenge,
                    title: c.title,
                    kind: c.kind,
                    attempts: c.attempts,
                    successes: c.successes,
                    success_rate: c.success_rate,
                    average_score: c.average_score,
                    average_time: c.average_time,
                    players: c.players,
                })
                .collect(),
        }
    }
}
