//! The notification-polling hot path: `GET /api/notifications/unread/count` with a JWT, against
//! `GET /health` of the same binary in the same run.
//!
//! `cargo run --release -p stackrush-bench --bin unread -- --users 10000`

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use clap::Parser;

/// Users written per transaction.
const CHUNK: u64 = 2_000;

#[derive(Parser)]
struct Args {
    /// Users, each with `--per-user` notifications (a quarter of them unread).
    #[arg(long, default_value_t = 10_000)]
    users: u64,
    #[arg(long, default_value_t = 40)]
    per_user: u64,
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

async fn generate(path: &std::path::Path, users: u64, per_user: u64) -> anyhow::Result<()> {
    let pool = stackrush_bench::dataset::create(path).await?;
    let now = Utc::now().timestamp_millis();
    let expires = now + 30 * 24 * 3_600_000;
    let bar = stackrush_bench::dataset::progress(users)?;
    let mut from = 1;
    while from <= users {
        let to = (from + CHUNK - 1).min(users);
        let mut tx = pool.begin().await?;
        let series = stackrush_bench::dataset::SERIES;
        stackrush_bench::dataset::insert_users(&mut tx, from, to, now).await?;
        sqlx::query(&format!(
            "{series}, k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k WHERE j < ?3) \
             INSERT INTO notifications (id, recipient, kind, title, message, data, priority, \
               priority_rank, is_read, read_at, is_delivered, delivered_at, dedup_key, created_at, expires_at) \
             SELECT printf('%016x%08x', i, j), printf('%024x', i), 'system', 'Hello', 'A message', '{{}}', \
               'normal', 1, (j % 4) <> 0, NULL, 1, ?4, NULL, ?4 - j * 60000, ?5 FROM n, k"
        ))
        .bind(i64::try_from(from)?)
        .bind(i64::try_from(to)?)
        .bind(i64::try_from(per_user)?)
        .bind(now)
        .bind(expires)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        bar.set_position(to);
        from = to + 1;
    }
    bar.finish_with_message("generated");
    sqlx::query("ANALYZE").execute(&pool).await?;
    pool.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let db = args.db.unwrap_or_else(|| {
        PathBuf::from(format!(
            "target/bench/unread-{}x{}.db",
            args.users, args.per_user
        ))
    });
    if !db.exists() {
        if let Some(dir) = db.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let t0 = std::time::Instant::now();
        generate(&db, args.users, args.per_user).await?;
        println!(
            "dataset: {} users x {} notifications in {:.1} s -> {}",
            args.users,
            args.per_user,
            t0.elapsed().as_secs_f64(),
            db.display()
        );
    }
    let mail = std::env::temp_dir().join("stackrush-bench-mail");
    let base = stackrush_bench::start_app(&db, &mail).await?;
    let tokens_for = Arc::new(stackrush_bench::dataset::Tokens::new()?);
    let users = args.users;
    // One token per user, minted up front: the client polls with the token it holds.
    let tokens: Arc<Vec<String>> = Arc::new(
        (1..=users.min(10_000))
            .filter_map(|n| tokens_for.for_user(n))
            .collect(),
    );
    let duration = Duration::from_secs(args.seconds);
    let c = args.connections;
    println!("| scenario | requests | errors | req/s | p50 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|---|---|");
    let health = format!("{base}/health");
    let ceiling = stackrush_bench::drive("GET /health (ceiling)", c, duration, move |_| {
        (health.clone(), None)
    })
    .await?;
    println!("{ceiling}");
    let url = format!("{base}/api/notifications/unread/count");
    let pick = tokens.clone();
    let unread = stackrush_bench::drive(
        "GET /api/notifications/unread/count",
        c,
        duration,
        move |i| {
            let n = usize::try_from(i.wrapping_mul(2_654_435_761) % pick.len() as u64).unwrap_or(0);
            (url.clone(), pick.get(n).cloned())
        },
    )
    .await?;
    println!("{unread}");
    println!(
        "\nunread count: {:.0}% of the ceiling's requests/s",
        unread.per_second * 100.0 / ceiling.per_second
    );
    Ok(())
}
