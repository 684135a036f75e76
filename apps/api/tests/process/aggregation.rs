//! Issue 14's crash test: kill -9 the server while the daily analytics job aggregates; after a
//! restart every day is closed and equal to a clean rebuild from the events.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use stackrush_analytics::events::{Event, EventId};
use stackrush_analytics::job::{last_closed_day, DAILY_JOB};
use stackrush_analytics::ports::{EventStore, JobStore};
use stackrush_analytics::rollup::{DayRange, Source};
use stackrush_analytics::SubjectId;
use stackrush_kernel::activity::{Activity, Happened, Scored};

use super::faults::{Server, StoreChoice};

trait Events: EventStore + JobStore {}
impl<T: EventStore + JobStore> Events for T {}

async fn open(dir: &std::path::Path, store: &StoreChoice) -> Arc<dyn Events> {
    match store {
        StoreChoice::Sqlite => {
            let db = stackrush_store_sqlite::open(&dir.join("db/app.db"))
                .await
                .unwrap();
            Arc::new(stackrush_analytics_sqlite::SqliteEvents::new(db))
        }
        StoreChoice::Mongo { uri, db } => {
            let client = mongodb::Client::with_uri_str(uri).await.unwrap();
            Arc::new(stackrush_analytics_mongo::MongoEvents::new(
                &client.database(db),
            ))
        }
    }
}

/// `n` events of `users` users on `day`, most of them scored submissions.
fn events_of(day: NaiveDate, n: usize, users: &[SubjectId]) -> Vec<Event> {
    let start = Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap());
    (0..n)
        .map(|i| {
            let at = start + chrono::Duration::milliseconds((i as i64 * 86_399_000) / n as i64);
            let what = match i % 10 {
                0 => Happened::Posted {
                    post: [1; 12],
                    code: i % 20 == 0,
                },
                1 => Happened::Commented { post: [1; 12] },
                _ => Happened::Scored(Scored {
                    challenge: [(i % 7) as u8; 12],
                    challenge_type: ["dsa", "bug-fix", "feature"][i % 3].into(),
                    score: (i % 101) as f64,
                    success: i % 3 != 0,
                    first: i % 11 == 0,
                    xp: (i % 50) as u64,
                    minutes: Some((i % 150) as f64),
                    skills: vec![format!("skill-{}", i % 5)],
                }),
            };
            let activity = Activity {
                actor: users[i % users.len()].bytes(),
                at,
                what,
            };
            Event::of(EventId::generate(at), activity, chrono_tz::UTC)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_during_aggregation_then_every_day_equals_a_clean_rebuild() {
    for store in StoreChoice::all() {
        let dir = tempfile::tempdir().unwrap();
        let quiet = [("ANALYTICS_JOB_SECS", "0".to_owned())];
        // A first start creates and migrates the store; the events go in while the job is off.
        let mut server = Server::start(dir.path(), &store, &quiet);
        let events = open(dir.path(), &store).await;
        let today = Utc::now().date_naive();
        let big = today - chrono::Duration::days(5);
        // The MongoDB stand-in is slow at aggregation: fewer events and users there.
        let (volume, people) = match store {
            StoreChoice::Sqlite => (200_000, 200u8),
            StoreChoice::Mongo { .. } => (5_000, 20u8),
        };
        let users: Vec<SubjectId> = (0..people)
            .map(|i| SubjectId::from_bytes([i; 12]))
            .collect();
        let mut all = events_of(big, volume, &users);
        all.extend(events_of(
            big + chrono::Duration::days(2),
            500,
            &users[..10],
        ));
        for chunk in all.chunks(5_000) {
            events.append(chunk).await.unwrap();
        }
        server.kill_9();

        let job = [
            ("ANALYTICS_JOB_SECS", "1".to_owned()),
            ("ANALYTICS_LEASE_SECS", "2".to_owned()),
        ];
        let mut server = Server::start(dir.path(), &store, &job);
        // Kill once the server holds the job's lease (it is aggregating the first, big day):
        // a probe that cannot take the lease finds it held.
        let started = Instant::now();
        loop {
            let now = Utc::now();
            let probe = events
                .lease(
                    DAILY_JOB,
                    "probe",
                    now,
                    now + chrono::Duration::milliseconds(1),
                )
                .await
                .unwrap();
            if !probe {
                break;
            }
            events.release(DAILY_JOB, "probe").await.unwrap();
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the job never started"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        server.kill_9();
        let at_kill = events.watermark(DAILY_JOB).await.unwrap();
        eprintln!(
            "{}: killed holding the lease, closed through {at_kill:?} (the big day is {big})",
            store.name()
        );

        let _server = Server::start(dir.path(), &store, &job);
        let closed = last_closed_day(Utc::now());
        let started = Instant::now();
        while events
            .watermark(DAILY_JOB)
            .await
            .unwrap()
            .is_none_or(|w| w < closed)
        {
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "{}: the restarted job did not catch up",
                store.name()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let range = DayRange {
            from: big,
            to: closed,
        };
        for u in &users {
            let stored = events
                .user_rollup(&[*u], range, Source::Stored)
                .await
                .unwrap();
            let rebuilt = events
                .user_rollup(&[*u], range, Source::Live)
                .await
                .unwrap();
            assert_eq!(stored, rebuilt, "{}: a user's days", store.name());
        }
        let stored = events.platform_rollup(range, Source::Stored).await.unwrap();
        let rebuilt = events.platform_rollup(range, Source::Live).await.unwrap();
        assert_eq!(stored, rebuilt, "{}: the platform's days", store.name());
        let whole = stored
            .days
            .iter()
            .find(|d| d.day == big && d.kind.is_none())
            .unwrap();
        assert_eq!(whole.count, volume as u64, "{}", store.name());
    }
}
