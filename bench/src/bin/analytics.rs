//! The daily aggregation over 1,000,000 events of one day: time and peak memory, on SQLite (in
//! this process, as the server runs it) or MongoDB (in the database: `--mongo-pid` names the
//! server process whose peak RSS to read). The SQLite file it leaves (users and aggregated
//! events) is what `load --analytics-db` reads overviews from.
//!
//! `cargo run --release -p stackrush-bench --bin analytics -- --events 1000000`

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use clap::Parser;
use stackrush_analytics::events::{Event, EventId};
use stackrush_analytics::job::{Aggregator, RunOutcome};
use stackrush_analytics::ports::{EventStore, JobStore};
use stackrush_analytics::SubjectId;
use stackrush_kernel::activity::{Activity, Happened, Scored};

#[derive(Parser)]
struct Args {
    /// Events on the aggregated day.
    #[arg(long, default_value_t = 1_000_000)]
    events: u64,
    /// Users the events belong to (generated accounts, so the server can read them).
    #[arg(long, default_value_t = 10_000)]
    users: u64,
    /// The SQLite dataset file (replaced).
    #[arg(long)]
    db: Option<PathBuf>,
    /// Aggregate on MongoDB at this URI (a fresh database) instead.
    #[arg(long)]
    mongodb_uri: Option<String>,
    /// The MongoDB server's process id, for its peak RSS.
    #[arg(long)]
    mongo_pid: Option<u32>,
}

trait Events: EventStore + JobStore {}
impl<T: EventStore + JobStore> Events for T {}

/// Event `i` of `n` on the day starting `start`: nine in ten scored submissions.
fn event(i: u64, n: u64, users: u64, start: chrono::DateTime<Utc>) -> Event {
    let at = start + Duration::milliseconds(i64::try_from(i * 86_399_000 / n).unwrap_or(0));
    let what = match i % 10 {
        0 => Happened::Posted {
            post: [1; 12],
            code: i.is_multiple_of(20),
        },
        1 => Happened::Commented { post: [1; 12] },
        _ => Happened::Scored(Scored {
            challenge: [(i % 97) as u8; 12],
            challenge_type: ["dsa", "bug-fix", "feature"][(i % 3) as usize].into(),
            score: (i % 101) as f64,
            success: !i.is_multiple_of(3),
            first: i.is_multiple_of(11),
            xp: i % 50,
            minutes: Some((i % 150) as f64),
            skills: vec![format!("skill-{}", i % 12), "arrays".into()],
        }),
    };
    let user = stackrush_bench::dataset::user_id(i % users + 1)
        .map(|u| SubjectId::from_bytes(u.bytes()))
        .unwrap_or_else(|| SubjectId::from_bytes([0; 12]));
    let activity = Activity {
        actor: user.bytes(),
        at,
        what,
    };
    Event::of(EventId::generate(at), activity, chrono_tz::UTC)
}

/// The peak resident set of `pid` (this process without one), in MB, reset first when `reset`.
fn peak_rss_mb(pid: Option<u32>, reset: bool) -> f64 {
    let proc_dir = pid.map_or_else(|| "/proc/self".to_owned(), |p| format!("/proc/{p}"));
    if reset {
        let _ = std::fs::write(format!("{proc_dir}/clear_refs"), "5");
    }
    std::fs::read_to_string(format!("{proc_dir}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let now = Utc::now();
    let day = (now - Duration::days(3)).date_naive();
    let start = Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default());
    let store: Arc<dyn Events> = match &args.mongodb_uri {
        Some(uri) => {
            let client = mongodb::Client::with_uri_str(uri).await?;
            let db = client.database(&format!("bench_analytics_{}", std::process::id()));
            stackrush_analytics_mongo::ensure_indexes(&db).await?;
            Arc::new(stackrush_analytics_mongo::MongoEvents::new(&db))
        }
        None => {
            let path = args.db.clone().unwrap_or_else(|| {
                PathBuf::from(format!("target/bench/analytics-{}.db", args.events))
            });
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            let pool = stackrush_bench::dataset::create(&path).await?;
            stackrush_bench::dataset::insert_all_users(&pool, args.users, now.timestamp_millis())
                .await?;
            pool.close().await;
            let db = stackrush_store_sqlite::open(&path).await?;
            println!("dataset: {}", path.display());
            Arc::new(stackrush_analytics_sqlite::SqliteEvents::new(db))
        }
    };
    let bar = stackrush_bench::dataset::progress(args.events)?;
    bar.set_message("events");
    let mut i = 0;
    while i < args.events {
        let to = (i + 5_000).min(args.events);
        let batch: Vec<Event> = (i..to)
            .map(|k| event(k, args.events, args.users, start))
            .collect();
        store.append(&batch).await?;
        i = to;
        bar.set_position(i);
    }
    bar.finish();

    let before = peak_rss_mb(args.mongo_pid, true);
    let t0 = Instant::now();
    store.aggregate(day).await?;
    let first = t0.elapsed();
    let peak = peak_rss_mb(args.mongo_pid, false);
    let t1 = Instant::now();
    store.aggregate(day).await?;
    let again = t1.elapsed();
    let whose = if args.mongo_pid.is_some() {
        "the MongoDB server"
    } else {
        "this process (SQLite runs in it)"
    };
    println!(
        "aggregate({day}) of {} events, {} users: {:.2} s (again, replacing: {:.2} s); \
         peak RSS of {whose}: {peak:.0} MB (was {before:.0} MB)",
        args.events,
        args.users,
        first.as_secs_f64(),
        again.as_secs_f64(),
    );
    // The job over the remaining days, so the server reads stored rows (and its watermark).
    let job = Aggregator::new(
        store.clone(),
        store.clone(),
        Arc::new(stackrush_kernel::SystemClock),
        "bench",
    );
    if let RunOutcome::Ran { days, watermark } = job.run().await? {
        println!("job: {} day(s) closed, through {watermark:?}", days.len());
    }
    Ok(())
}
