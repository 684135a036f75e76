//! Leaderboards over many users: generates a SQLite dataset (users, progress, board entries for
//! the global, weekly and monthly windows) and drives the real app's leaderboard routes.
//!
//! `cargo run --release -p stackrush-bench --bin leaderboard -- --users 1000000`

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use clap::Parser;
use stackrush_scoring::plan::window_keys;

/// Users written per transaction.
const CHUNK: u64 = 20_000;

#[derive(Parser)]
struct Args {
    /// Users (each with progress on every board).
    #[arg(long, default_value_t = 1_000_000)]
    users: u64,
    /// The dataset file (generated when missing).
    #[arg(long)]
    db: Option<PathBuf>,
    /// Seconds per scenario.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Concurrent connections.
    #[arg(long, default_value_t = 16)]
    connections: usize,
}

/// Writes `users` users with progress and board entries (XP spread over 0–10,000 in steps of
/// 25, so many players share a value as they do in reality).
async fn generate(path: &std::path::Path, users: u64) -> anyhow::Result<()> {
    let pool = stackrush_bench::dataset::create(path).await?;
    let [week, month] = window_keys(Utc::now());
    let now = Utc::now().timestamp_millis();
    let bar = stackrush_bench::dataset::progress(users)?;
    let mut from = 1;
    while from <= users {
        let to = (from + CHUNK - 1).min(users);
        let mut tx = pool.begin().await?;
        let series = stackrush_bench::dataset::SERIES;
        stackrush_bench::dataset::insert_users(&mut tx, from, to, now).await?;
        sqlx::query(&format!(
            "{series} INSERT INTO progress (player, xp, level, attempts, completed, streak, best_streak, \
               last_day, last_active_at, listed, version) \
             SELECT printf('%024x', i), ((i * 7919) % 401) * 25, ((i * 7919) % 401) * 25 / 1000 + 1, \
               (i % 50) + 1, (i % 40) + 1, i % 30, i % 60, NULL, ?3, 1, 1 FROM n"
        ))
        .bind(i64::try_from(from)?)
        .bind(i64::try_from(to)?)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for (key, modulo) in [("all", 401), (week.as_str(), 41), (month.as_str(), 161)] {
            sqlx::query(&format!(
                "{series} INSERT INTO board_scores (board, player, xp, reached_at, listed) \
                 SELECT ?4, printf('%024x', i), ((i * 7919) % ?5) * 25, ?3 - (i * 31) % 86400000, 1 \
                 FROM n WHERE ((i * 7919) % ?5) > 0"
            ))
            .bind(i64::try_from(from)?)
            .bind(i64::try_from(to)?)
            .bind(now)
            .bind(key)
            .bind(modulo)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        bar.set_position(to);
        from = to + 1;
    }
    bar.finish_with_message("generated");
    // board_buckets followed the inserted scores by trigger.
    sqlx::query("ANALYZE").execute(&pool).await?;
    pool.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let db = args
        .db
        .unwrap_or_else(|| PathBuf::from(format!("target/bench/leaderboard-{}.db", args.users)));
    if !db.exists() {
        if let Some(dir) = db.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let t0 = std::time::Instant::now();
        generate(&db, args.users).await?;
        println!(
            "dataset: {} users in {:.1} s -> {}",
            args.users,
            t0.elapsed().as_secs_f64(),
            db.display()
        );
    }
    let mail = std::env::temp_dir().join("stackrush-bench-mail");
    let base = stackrush_bench::start_app(&db, &mail).await?;
    let tokens_for = Arc::new(stackrush_bench::dataset::Tokens::new()?);
    let users = args.users;
    let token = move |i: u64| -> Option<String> {
        // Spread over the whole board: a multiplicative hash of the request number.
        let n = (i.wrapping_mul(2_654_435_761) % users) + 1;
        tokens_for.for_user(n)
    };
    let duration = Duration::from_secs(args.seconds);
    let c = args.connections;
    println!("| scenario | requests | errors | req/s | p50 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|---|---|");
    let health = format!("{base}/health");
    let r = stackrush_bench::drive("GET /health (ceiling)", c, duration, move |_| {
        (health.clone(), None)
    })
    .await?;
    println!("{r}");
    for (name, path) in [
        ("global top-100", "/api/leaderboard/global?limit=100"),
        ("weekly top-100", "/api/leaderboard/weekly?limit=100"),
        ("monthly top-100", "/api/leaderboard/monthly?limit=100"),
        (
            "users/leaderboard type=xp limit=100",
            "/api/users/leaderboard?type=xp&limit=100",
        ),
    ] {
        let url = format!("{base}{path}");
        let r = stackrush_bench::drive(name, c, duration, move |_| (url.clone(), None)).await?;
        println!("{r}");
    }
    for (name, path) in [
        (
            "global my rank (around=me)",
            "/api/leaderboard/global?around=me",
        ),
        (
            "weekly my rank (around=me)",
            "/api/leaderboard/weekly?around=me",
        ),
    ] {
        let url = format!("{base}{path}");
        let token = token.clone();
        let r = stackrush_bench::drive(name, c, duration, move |i| (url.clone(), token(i))).await?;
        println!("{r}");
    }
    Ok(())
}
