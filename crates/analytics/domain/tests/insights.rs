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

#[derive(Default)]
struct Everyone {
    private: Option<SubjectId>,
    /// How many times accounts were read.
    account_reads: std::sync::atomic::AtomicUsize,
}

#[async_trait]
impl People for Everyone {
    async fn accounts(
        &self,
        users: &[SubjectId],
    ) -> Result<HashMap<SubjectId, Account>, AnalyticsError> {
        self.account_reads
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(users
            .iter()
            .map(|user| {
                let public = self.private != Some(*user);
                let account = Account {
                    public: true,
                    show_stats: public,
                    show_activity: public,
                    zone: chrono_tz::UTC,
                };
                (*user, account)
            })
            .collect())
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
        people: Arc::new(Everyone {
            private,
            ..Everyone::default()
        }),
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
            &[a],
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
            &[a],
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

mod weekly_digest {
    use std::sync::Mutex;

    use chrono::DateTime;
    use stackrush_analytics::digest::*;
    use stackrush_analytics::events::{Event, EventId};
    use stackrush_kernel::activity::{Activity, Happened, Scored};
    use stackrush_kernel::Clock;

    use super::*;

    struct Zones(HashMap<SubjectId, &'static str>);

    #[async_trait]
    impl People for Zones {
        async fn accounts(
            &self,
            _: &[SubjectId],
        ) -> Result<HashMap<SubjectId, Account>, AnalyticsError> {
            Ok(HashMap::new())
        }
        async fn listings(&self, users: &[SubjectId]) -> Result<Vec<Listing>, AnalyticsError> {
            Ok(users
                .iter()
                .filter_map(|u| {
                    self.0.get(u).map(|z| Listing {
                        user: *u,
                        username: "someone".into(),
                        zone: (*z).into(),
                        public: true,
                    })
                })
                .collect())
        }
        async fn total(&self) -> Result<u64, AnalyticsError> {
            Ok(0)
        }
    }

    struct Board;

    #[async_trait]
    impl Players for Board {
        async fn momentum(&self, _: SubjectId, gained: u64) -> anyhow::Result<Momentum> {
            Ok(Momentum {
                rank: Some(3),
                rank_change: i64::try_from(gained / 100).unwrap(),
                streak: 2,
            })
        }
        async fn hints(&self, _: SubjectId) -> anyhow::Result<Vec<Hint>> {
            Ok(vec![Hint {
                title: "Graphs".into(),
                reason: "weak type".into(),
            }])
        }
    }

    #[derive(Default)]
    struct Outbox(Mutex<Vec<Digest>>);

    #[async_trait]
    impl Digests for Outbox {
        async fn queued(
            &self,
            week: NaiveDate,
            users: &[SubjectId],
        ) -> anyhow::Result<Vec<SubjectId>> {
            let all = self.0.lock().unwrap();
            Ok(users
                .iter()
                .copied()
                .filter(|u| all.iter().any(|d| d.user == *u && d.week == week))
                .collect())
        }
        async fn queue(&self, digests: Vec<Digest>) -> anyhow::Result<()> {
            self.0.lock().unwrap().extend(digests);
            Ok(())
        }
    }

    fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap()
    }

    fn solved(user: SubjectId, when: DateTime<Utc>, zone: chrono_tz::Tz, first: bool) -> Event {
        Event::of(
            EventId::generate(when),
            Activity {
                actor: user.bytes(),
                at: when,
                what: Happened::Scored(Scored {
                    challenge: [7; 12],
                    challenge_type: "dsa".into(),
                    score: 100.0,
                    success: true,
                    first,
                    xp: if first { 150 } else { 0 },
                    minutes: None,
                    skills: vec!["arrays".into()],
                }),
            },
            zone,
        )
    }

    #[tokio::test]
    async fn each_user_gets_their_weeks_summary_on_their_monday_morning_once() {
        let (tokyo, la, idle) = (
            SubjectId::from_bytes([1; 12]),
            SubjectId::from_bytes([2; 12]),
            SubjectId::from_bytes([3; 12]),
        );
        let store = Arc::new(InMemoryEvents::default());
        let (tz_tokyo, tz_la) = (chrono_tz::Asia::Tokyo, chrono_tz::America::Los_Angeles);
        store
            .append(&[
                // Tokyo: Monday 23rd 09:00 local and Sunday 29th 20:00 local: both in the week.
                solved(tokyo, at(23, 0, 0), tz_tokyo, true),
                solved(tokyo, at(29, 11, 0), tz_tokyo, true),
                solved(tokyo, at(29, 11, 30), tz_tokyo, false),
                // Los Angeles: Monday 23rd 01:00 UTC is Sunday 22nd there: the week before.
                solved(la, at(23, 1, 0), tz_la, true),
                solved(la, at(25, 18, 0), tz_la, true),
                // Idle this week: active the week before only.
                solved(idle, at(20, 12, 0), chrono_tz::UTC, true),
            ])
            .await
            .unwrap();
        let clock = Arc::new(FixedClock::new(at(29, 22, 0)));
        let outbox = Arc::new(Outbox::default());
        let ports = DigestPorts {
            events: store.clone(),
            jobs: store.clone(),
            people: Arc::new(Zones(HashMap::from([
                (tokyo, "Asia/Tokyo"),
                (la, "America/Los_Angeles"),
                (idle, "UTC"),
            ]))),
            players: Arc::new(Board),
            digests: outbox.clone(),
            clock: clock.clone(),
        };
        let job = WeeklyDigest::new(ports.clone(), "one");
        let week = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let queued = |run: DigestRun| run.queued.iter().map(|(_, n)| n).sum::<usize>();

        // Sunday 22:00 UTC is Monday 07:00 in Tokyo: not yet.
        assert_eq!(queued(job.run().await.unwrap()), 0);
        // 23:30 UTC is 08:30 in Tokyo, still Sunday in Los Angeles.
        clock.advance(Duration::minutes(90));
        assert_eq!(queued(job.run().await.unwrap()), 1);
        assert_eq!(queued(job.run().await.unwrap()), 0, "queued once");
        let first = outbox.0.lock().unwrap()[0].clone();
        assert_eq!(
            first,
            Digest {
                user: tokyo,
                week,
                xp: 300,
                solved: 2,
                submissions: 3,
                momentum: Momentum {
                    rank: Some(3),
                    rank_change: 3,
                    streak: 2
                },
                hints: vec![Hint {
                    title: "Graphs".into(),
                    reason: "weak type".into()
                }],
            }
        );

        // Another instance holding the lease does nothing.
        let other = WeeklyDigest::new(ports.clone(), "two");
        let now = clock.now();
        store
            .lease(DIGEST_JOB, "two", now, now + Duration::minutes(10))
            .await
            .unwrap();
        assert!(job.run().await.unwrap().elsewhere);
        store.release(DIGEST_JOB, "two").await.unwrap();

        // Monday 16:30 UTC is 08:30 in Los Angeles: their week holds one solve (the other was
        // their Sunday 22nd).
        clock.advance(Duration::hours(17));
        assert_eq!(queued(other.run().await.unwrap()), 1);
        let second = outbox.0.lock().unwrap()[1].clone();
        assert_eq!(
            (second.user, second.week, second.xp, second.solved),
            (la, week, 150, 1)
        );
        assert_eq!(
            outbox.0.lock().unwrap().len(),
            2,
            "nobody idle, nobody twice"
        );

        // Past the window a missed summary is skipped, not sent days late.
        let late = Arc::new(Outbox::default());
        let late_job = WeeklyDigest::new(
            DigestPorts {
                digests: late.clone(),
                ..ports
            },
            "three",
        );
        clock.advance(Duration::hours(48));
        assert_eq!(queued(late_job.run().await.unwrap()), 0);
        assert!(late.0.lock().unwrap().is_empty());
    }

    #[test]
    fn the_window_opens_at_eight_on_the_next_monday_local_time() {
        let week = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let (from, until) = window(week, chrono_tz::Asia::Tokyo).unwrap();
        assert_eq!(from, at(29, 23, 0));
        assert_eq!(until - from, SEND_WINDOW);
        assert_eq!(window(week, chrono_tz::UTC).unwrap().0, at(30, 8, 0));
        assert_eq!(
            candidate_weeks(at(29, 23, 0)),
            [week - Duration::days(7), week]
        );
    }
}

mod memory {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use stackrush_analytics::events::{Event, EventKind};
    use stackrush_analytics::rollup::{ActiveDay, PlatformRollup, TargetFigures, UserRollup};
    use stackrush_kernel::StoreError;

    use super::*;

    /// The fake, counting the user-row reads of each source.
    #[derive(Default)]
    struct Counting {
        inner: Arc<InMemoryEvents>,
        stored: AtomicUsize,
        live: AtomicUsize,
    }

    #[async_trait]
    impl EventStore for Counting {
        async fn append(&self, events: &[Event]) -> Result<(), StoreError> {
            self.inner.append(events).await
        }
        async fn first_day(&self) -> Result<Option<NaiveDate>, StoreError> {
            self.inner.first_day().await
        }
        async fn aggregate(&self, day: NaiveDate) -> Result<(), StoreError> {
            self.inner.aggregate(day).await
        }
        async fn user_rollup(
            &self,
            users: &[SubjectId],
            days: DayRange,
            source: Source,
        ) -> Result<UserRollup, StoreError> {
            match source {
                Source::Stored => &self.stored,
                Source::Live => &self.live,
            }
            .fetch_add(1, Ordering::SeqCst);
            self.inner.user_rollup(users, days, source).await
        }
        async fn platform_rollup(
            &self,
            days: DayRange,
            source: Source,
        ) -> Result<PlatformRollup, StoreError> {
            self.inner.platform_rollup(days, source).await
        }
        async fn active_days(
            &self,
            days: DayRange,
            stored_through: Option<NaiveDate>,
        ) -> Result<Vec<ActiveDay>, StoreError> {
            self.inner.active_days(days, stored_through).await
        }
        async fn targets(
            &self,
            kinds: &[EventKind],
            days: DayRange,
        ) -> Result<Vec<TargetFigures>, StoreError> {
            self.inner.targets(kinds, days).await
        }
    }

    #[tokio::test]
    async fn a_users_rows_are_read_once_a_second_and_the_closed_days_once_per_watermark() {
        let (a, b) = (
            SubjectId::from_bytes([1; 12]),
            SubjectId::from_bytes([2; 12]),
        );
        let store = Arc::new(Counting::default());
        store
            .append(&stackrush_analytics::contract::sample_events(a, b))
            .await
            .unwrap();
        let clock = Arc::new(FixedClock::new(
            Utc.with_ymd_and_hms(2026, 2, 5, 12, 0, 0).unwrap(),
        ));
        let jobs: Arc<dyn JobStore> = store.inner.clone();
        let people = Arc::new(Everyone::default());
        let insights = InsightsService::new(InsightsPorts {
            events: store.clone(),
            jobs: jobs.clone(),
            people: people.clone(),
            catalog: Arc::new(AllPublic),
            clock: clock.clone(),
        });
        Aggregator::new(store.clone(), jobs.clone(), clock.clone(), "job")
            .run()
            .await
            .unwrap();
        let reads = || {
            (
                store.stored.load(Ordering::SeqCst),
                store.live.load(Ordering::SeqCst),
            )
        };
        let me = Some(Viewer {
            id: a,
            is_admin: false,
        });
        let first = insights.overview(me, a).await.unwrap();
        assert_eq!(first.aggregated_through, Some(day(3)));
        for _ in 0..20 {
            insights.overview(me, a).await.unwrap();
        }
        assert_eq!(reads(), (1, 1), "twenty pages, one read of each part");

        // Past its second: the stale answer is refreshed by one request, the closed days are
        // not read again (the watermark stayed).
        clock.advance(Duration::milliseconds(1100));
        insights.overview(me, a).await.unwrap();
        insights.overview(me, a).await.unwrap();
        assert_eq!(reads(), (1, 2));
        assert_eq!(insights.overview(me, a).await.unwrap(), first);

        // The next day closes: the stored part is read again under the new watermark.
        clock.advance(Duration::days(1));
        Aggregator::new(store.clone(), jobs, clock.clone(), "job")
            .run()
            .await
            .unwrap();
        let later = insights.overview(me, a).await.unwrap();
        assert_eq!(later.aggregated_through, Some(day(4)));
        assert_eq!(reads(), (2, 3));
        assert_eq!(
            later.overall.total_challenges,
            first.overall.total_challenges
        );

        // Kept warm: read again in the background before it expires, so the next page is
        // answered from memory; a user nobody asked for in ten seconds is left to expire.
        clock.advance(Duration::milliseconds(300));
        assert_eq!(insights.keep_warm().await.unwrap(), 1);
        assert_eq!(reads(), (2, 4));
        clock.advance(Duration::milliseconds(400));
        insights.overview(me, a).await.unwrap();
        assert_eq!(
            reads(),
            (2, 4),
            "from memory, no request waited for the store"
        );
        clock.advance(Duration::seconds(11));
        assert_eq!(
            insights.keep_warm().await.unwrap(),
            0,
            "nobody asked lately"
        );
        assert_eq!(reads(), (2, 4));

        // Two users polled: kept warm together, one read of their live tails and one of their
        // accounts for both.
        let them = Some(Viewer {
            id: b,
            is_admin: false,
        });
        insights.overview(me, a).await.unwrap();
        let theirs = insights.overview(them, b).await.unwrap();
        assert_eq!(reads(), (3, 6));
        let accounts = || people.account_reads.load(Ordering::SeqCst);
        let accounts_before = accounts();
        clock.advance(Duration::milliseconds(300));
        assert_eq!(insights.keep_warm().await.unwrap(), 2);
        assert_eq!(reads(), (3, 7), "one batch for both users' live tails");
        assert_eq!(
            accounts(),
            accounts_before + 1,
            "one batch for both accounts"
        );
        clock.advance(Duration::milliseconds(400));
        assert_eq!(insights.overview(them, b).await.unwrap(), theirs);
        assert_eq!(reads(), (3, 7), "answered from memory");
    }
}
