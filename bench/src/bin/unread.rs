//! The notification-polling hot path: `GET /api/notifications/unread/count` with a JWT, against
//! `GET /health` of the same binary in the same run.
//!
//! `cargo run --release -p stackrush-bench --bin unread -- --users 10000`

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use stackrush_api::settings::StoreSettings;
use stackrush_api::store::Store;
use stackrush_identity::ports::UserRepository;
use stackrush_identity::tokens::AccessTokenCodec;
use stackrush_identity::{Preferences, Profile, Role, Stats, User, UserId};

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

const TEMPLATE: &str = "ffffffffffffffffffffffff";
const CHUNK: u64 = 2_000;

fn template_user() -> anyhow::Result<User> {
    let now = Utc::now();
    Ok(User {
        id: TEMPLATE.parse()?,
        email: "template@bench.test".into(),
        username: "template".into(),
        password_hash: "$2b$04$benchbenchbenchbenchbeOj6p4xP8c2wq0s1cYl7S1y0lJcP1l2e".into(),
        profile: Profile::default(),
        stats: Stats::default(),
        preferences: Preferences::default(),
        roles: vec![Role::User],
        is_active: true,
        email_verified: true,
        token_version: 0,
        failed_logins: 0,
        locked_until: None,
        deleted_at: None,
        created_at: now,
        updated_at: now,
    })
}

async fn generate(path: &std::path::Path, users: u64, per_user: u64) -> anyhow::Result<()> {
    let store = Store::open(&StoreSettings::Sqlite {
        path: path.to_owned(),
    })
    .await?;
    let Store::Sqlite(pool) = store else {
        anyhow::bail!("expected SQLite");
    };
    stackrush_identity_sqlite::SqliteUsers::new(pool.clone())
        .insert(&template_user()?)
        .await?;
    let now = Utc::now().timestamp_millis();
    let expires = now + 30 * 24 * 3_600_000;
    let bar = ProgressBar::new(users);
    bar.set_style(ProgressStyle::with_template(
        "{msg} [{bar:40}] {pos}/{len} ({per_sec}, eta {eta})",
    )?);
    bar.set_message("generating");
    let mut from = 1;
    while from <= users {
        let to = (from + CHUNK - 1).min(users);
        let mut tx = pool.begin().await?;
        let series =
            "WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)";
        sqlx::query(&format!(
            "{series} INSERT INTO users (id, email, username, username_key, password_hash, profile, \
               preferences, roles, level, xp, total_challenges, completed_challenges, streak, \
               is_active, email_verified, token_version, failed_logins, created_at, updated_at) \
             SELECT printf('%024x', i), 'u' || i || '@bench.test', 'user' || i, 'user' || i, \
               t.password_hash, t.profile, t.preferences, t.roles, 1, 0, 0, 0, 0, 1, 1, 0, 0, ?3, ?3 \
             FROM n, (SELECT * FROM users WHERE id = '{TEMPLATE}') AS t"
        ))
        .bind(i64::try_from(from)?)
        .bind(i64::try_from(to)?)
        .bind(now)
        .execute(&mut *tx)
        .await?;
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
    let codec = Arc::new(AccessTokenCodec::new(
        stackrush_bench::JWT_SECRET.as_bytes(),
        "stackrush",
        "stackrush-web",
        chrono::Duration::hours(1),
    ));
    let template = Arc::new(template_user()?);
    let users = args.users;
    // One token per user, minted up front: the client polls with the token it holds.
    let tokens: Arc<Vec<String>> = Arc::new(
        (1..=users.min(10_000))
            .filter_map(|n| {
                let mut user = (*template).clone();
                user.id = format!("{n:024x}").parse::<UserId>().ok()?;
                codec.issue(&user, Utc::now()).ok()
            })
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
