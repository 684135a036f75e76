//! The aggregation job and the insights service over the in-memory stores.
#![expect(clippy::unwrap_used, reason = "tests report failures by panicking")]

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use stackrush_analytics::dashboard::Viewer;
use stackrush_analytics::fake::InMemoryEvents;
use stackrush_analytics::insights::*;
use stackrush_analytics::job::{last_closed_day, RunOutcome};
use stackrush_analytics::ports::{EventStore, JobStore};
use stackrush_analytics::rollup::{DayRange, Source};
use stackrush_analytics::{Aggregator, AnalyticsError, SubjectId};
use stackrush_kernel::FixedClock;

struct Everyone {
    private: Option<SubjectId>,
}

#[async_trait]
impl People for Everyone {
    async fn account(&self, user: SubjectId) -> Result<Option<Account>, AnalyticsError> {
        let public = self.private != Some(user);
        Ok(Some(Account {
            public: true,
            show_stats: public,
            show_activity: public,
            zone: chrono_tz::UTC,
        }))
    }

    async fn listings(&self, users: &[SubjectId]) -> Result<Vec<Listing>, AnalyticsError> {
        Ok(users
            .iter()
            .map(|u| Listing {
                user: *u,
                username: format!("u{}", &u.to_hex()[20..]),
                zone: "UTC".into(),
                public: self.private != Some(*u),
            })
            .collect())
    }
    async fn total(&self) -> Result<u64, AnalyticsError> {
        Ok(10)
    }
}

struct AllPublic;

#[async_trait]
impl Catalog for AllPublic {
    async fn challenges(&self, ids: &[String]) -> Result<HashMap<String, Named>, AnalyticsError> {
        Ok(ids
            .iter()
            .map(|i| {
                (
                    i.clone(),
                    Named {
                        title: "Two Sum".into(),
                        kind: Some("dsa".into()),
                    },
                )
            })
            .collect())
    }
    async fn templates(&self, ids: &[String]) -> Result<HashMap<String, Named>, AnalyticsError> {
        Ok(ids
            .iter()
            .filter(|i| !i.starts_with("04"))
            .map(|i| {
                (
                    i.clone(),
                    Named {
                        title: "Starter".into(),
                        kind: None,
                    },
                )
            })
            .collect())
    }
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 2, d).unwrap()
}

fn setup(private: Option<SubjectId>) -> (Arc<InMemoryEvents>, Arc<FixedClock>, InsightsService) {
    let store = Arc::new(InMemoryEvents::default());
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 2, 2, 12, 0, 0).unwrap(),
    ));
    let service = InsightsService::new(InsightsPorts {
        events: store.clone(),
        jobs: store.clone(),
        people: Arc::new(Everyone { private }),
        catalog: Arc::new(AllPublic),
        clock: clock.clone(),
    });
    (store, clock, service)
}

#[tokio::test]
async fn the_job_catches_up_once_per_day_and_reads_do_not_change_after_it() {
    let (a, b) = (
        SubjectId::from_bytes([1; 12]),
        SubjectId::from_bytes([2; 12]),
    );
    let (store, clock, insights) = setup(None);
    store
        .append(&stackrush_analytics::contract::sample_events(a, b))
        .await
        .unwrap();
    let me = Some(Viewer {
        id: a,
        is_admin: false,
    });

    // Before any job run: everything from the live tail.
    let before = insights.overview(me, a).await.unwrap();
    assert_eq!(before.aggregated_through, None);
    assert_eq!(before.overall.total_challenges, 4);
    assert_eq!(before.overall.completed_challenges, 2);
    assert_eq!(before.overall.completion_rate, 50.0);
    assert_eq!(before.overall.average_score, 62.63);
    assert_eq!(before.overall.current_streak, 1);
    let perf_before = insights.performance(me, a).await.unwrap();
    let skills_before = insights.skills(me, a).await.unwrap();
    let times_before = insights.time_distribution(me, a).await.unwrap();

    // Days close 36 h after they start, plus the grace.
    let job = Aggregator::new(store.clone(), store.clone(), clock.clone(), "one");
    assert_eq!(
        job.run().await.unwrap(),
        RunOutcome::Ran {
            days: vec![],
            watermark: None
        }
    );
    clock.advance(Duration::days(3));
    let closed = last_closed_day(Utc.with_ymd_and_hms(2026, 2, 5, 12, 0, 0).unwrap());
    assert_eq!(closed, day(3));
    let RunOutcome::Ran { days, watermark } = job.run().await.unwrap() else {
        panic!("the job ran elsewhere");
    };
    assert_eq!(
        days,
        vec![day(1), day(2), day(3)],
        "missed days are caught up"
    );
    assert_eq!(watermark, Some(day(3)));
    assert_eq!(
        job.run().await.unwrap(),
        RunOutcome::Ran {
            days: vec![],
            watermark
        }
    );

    let after = insights.overview(me, a).await.unwrap();
    assert_eq!(after.aggregated_through, Some(day(3)));
    assert_eq!(
        after.overall.total_challenges,
        before.overall.total_challenges
    );
    assert_eq!(after.overall.average_score, before.overall.average_score);
    assert_eq!(
        after.overall.current_streak, 0,
        "no success yesterday or today"
    );
    assert_eq!(after.overall.best_streak, 1);
    assert_eq!(insights.performance(me, a).await.unwrap(), perf_before);
    assert_eq!(insights.skills(me, a).await.unwrap(), skills_before);
    assert_eq!(
        insights.time_distribution(me, a).await.unwrap(),
        times_before
    );

    let stored = store
        .user_rollup(
            a,
            DayRange {
                from: day(1),
                to: day(3),
            },
            Source::Stored,
        )
        .await
        .unwrap();
    // Rebuilding from the 2nd gives the same rows.
    let mut seen = Vec::new();
    job.rebuild(day(2), &mut |done, total| seen.push((done, total)))
        .await
        .unwrap();
    assert_eq!(seen, vec![(1, 2), (2, 2)]);
    let again = store
        .user_rollup(
            a,
            DayRange {
                from: day(1),
                to: day(3),
            },
            Source::Stored,
        )
        .await
        .unwrap();
    assert_eq!(again, stored);
    assert!(matches!(
        job.rebuild(day(20), &mut |_, _| {}).await,
        Err(AnalyticsError::Invalid(_))
    ));
}

#[tokio::test]
async fn a_second_instance_leaves_the_job_to_the_lease_holder() {
    let (store, clock, _) = setup(None);
    store
        .append(&stackrush_analytics::contract::sample_events(
            SubjectId::from_bytes([1; 12]),
            SubjectId::from_bytes([2; 12]),
        ))
        .await
        .unwrap();
    clock.advance(Duration::days(3));
    let now = clock.now_utc();
    assert!(store
        .lease(
            stackrush_analytics::job::DAILY_JOB,
            "other",
            now,
            now + Duration::minutes(5)
        )
        .await
        .unwrap());
    let job = Aggregator::new(store.clone(), store.clone(), clock.clone(), "me");
    assert_eq!(job.run().await.unwrap(), RunOutcome::Elsewhere);
    assert_eq!(
        store
            .watermark(stackrush_analytics::job::DAILY_JOB)
            .await
            .unwrap(),
        None
    );
    clock.advance(Duration::minutes(6));
    assert!(matches!(job.run().await.unwrap(), RunOutcome::Ran { .. }));
}

trait NowUtc {
    fn now_utc(&self) -> chrono::DateTime<Utc>;
}
impl NowUtc for FixedClock {
    fn now_utc(&self) -> chrono::DateTime<Utc> {
        stackrush_kernel::Clock::now(self)
    }
}

#[tokio::test]
async fn private_users_are_refused_to_others_and_left_out_of_public_figures() {
    let (a, b) = (
        SubjectId::from_bytes([1; 12]),
        SubjectId::from_bytes([2; 12]),
    );
    let (store, _, insights) = setup(Some(a));
    store
        .append(&stackrush_analytics::contract::sample_events(a, b))
        .await
        .unwrap();
    let stranger = Some(Viewer {
        id: b,
        is_admin: false,
    });
    assert!(matches!(
        insights.overview(stranger, a).await,
        Err(AnalyticsError::StatsPrivate)
    ));
    assert!(matches!(
        insights.activity(stranger, a, RangeQuery::default()).await,
        Err(AnalyticsError::StatsPrivate)
    ));
    let admin = Some(Viewer {
        id: b,
        is_admin: true,
    });
    assert_eq!(
        insights
            .overview(admin, a)
            .await
            .unwrap()
            .overall
            .total_challenges,
        4
    );
    assert!(matches!(
        insights
            .platform(
                Viewer {
                    id: b,
                    is_admin: false
                },
                RangeQuery::default()
            )
            .await,
        Err(AnalyticsError::Forbidden)
    ));

    let range = RangeQuery {
        from: Some(day(1)),
        to: Some(day(2)),
        ..RangeQuery::default()
    };
    let days = insights.community(range).await.unwrap();
    assert_eq!(days.len(), 2);
    let first = &days[0];
    assert_eq!(
        (
            first.posts_today,
            first.code_shares_today,
            first.comments_today
        ),
        (0, 1, 1)
    );
    assert_eq!(first.new_members_today, 2);
    assert_eq!(first.active_today, 2);
    assert_eq!(first.total_members, 10, "no sign-ups after the 2nd");
    // a contributed on the 1st but is private: only b is named.
    assert_eq!(
        first
            .top_contributors
            .iter()
            .map(|c| c.user)
            .collect::<Vec<_>>(),
        vec![b]
    );
    assert_eq!(days[1].total_comments, 2);

    let (_, popular) = insights.popular_templates(range, 10).await.unwrap();
    assert_eq!(popular.len(), 1, "the starred template is not public");
    assert_eq!(popular[0].downloads, 2);
    let stats = insights.challenge_stats(range, 10).await.unwrap();
    assert_eq!((stats.attempts, stats.successes), (5, 3));
    assert_eq!(stats.challenges[0].players, 2);

    let activity = insights
        .activity(
            Some(Viewer {
                id: a,
                is_admin: false,
            }),
            a,
            RangeQuery {
                granularity: Granularity::Week,
                ..range
            },
        )
        .await
        .unwrap();
    // The 1st is a Sunday: two ISO weeks, each starting on its Monday.
    let weeks: Vec<_> = activity
        .points
        .iter()
        .map(|p| (p.date, p.submissions))
        .collect();
    assert_eq!(
        weeks,
        vec![
            (NaiveDate::from_ymd_opt(2026, 1, 26).unwrap(), 3),
            (day(2), 1)
        ]
    );
    assert_eq!(activity.points[0].challenges_completed, 2);
    assert_eq!(activity.points[0].average_score, 75.17);
}
