//! The community at scale: generates a SQLite dataset (users, posts with tags, comments; every
//! counter equal to its rows) for `load --community-db`.
//!
//! `cargo run --release -p stackrush-bench --bin community -- --posts 1000000 --comments 5000000`

use std::path::PathBuf;

use chrono::Utc;
use clap::Parser;
use stackrush_community::trending;
use stackrush_community::Interactions;

/// Rows written per transaction.
const CHUNK: u64 = 50_000;

/// The categories the web client sends, in turn.
const CATEGORIES: [&str; 6] = [
    "discussion",
    "help",
    "showcase",
    "tips",
    "news",
    "code-share",
];

#[derive(Parser)]
struct Args {
    /// Posts.
    #[arg(long, default_value_t = 1_000_000)]
    posts: u64,
    /// Comments, spread evenly over the posts (top-level, oldest first).
    #[arg(long, default_value_t = 5_000_000)]
    comments: u64,
    /// Verified members (authors and, in the load run, likers).
    #[arg(long, default_value_t = 10_000)]
    users: u64,
    /// The dataset file.
    #[arg(long)]
    db: Option<PathBuf>,
}

/// Post number `i` (1-based): its id, apart from users' and comments' ids.
fn post_hex(i: u64) -> String {
    format!("{:024x}", 1_000_000_000_000 + i)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let path = args
        .db
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("target/bench/community-{}.db", args.posts)));
    if path.exists() {
        anyhow::bail!("{} exists: remove it first", path.display());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let pool = stackrush_bench::dataset::create(&path).await?;
    let now = Utc::now();
    let now_ms = now.timestamp_millis();
    let series = stackrush_bench::dataset::SERIES;
    let per_post = args.comments / args.posts.max(1);

    stackrush_bench::dataset::insert_all_users(&pool, args.users, now_ms).await?;

    // Post i was written (posts - i) seconds ago. With no likes or views and `per_post`
    // comments each, the trending score is the domain's formula of those counters.
    let engagement = trending::hot(
        &Interactions {
            comments: per_post,
            ..Interactions::default()
        },
        chrono::DateTime::from_timestamp(1_704_067_200, 0).unwrap_or(now),
    );
    let bar = stackrush_bench::dataset::progress(args.posts)?;
    bar.set_message("posts");
    let mut from = 1;
    while from <= args.posts {
        let to = (from + CHUNK - 1).min(args.posts);
        let mut tx = pool.begin().await?;
        sqlx::query(&format!(
            "{series} INSERT INTO community_posts (id, author, title, content, content_html, \
               category, tags, code, project, collaboration, has_code, challenge, difficulty, \
               challenge_type, is_pinned, is_featured, likes, views, comments, bookmarks, hot, \
               is_active, created_at, updated_at, is_hidden, comments_locked) \
             SELECT printf('%024x', 1000000000000 + i), printf('%024x', (i % ?4) + 1), \
               'Post ' || i || ' about two pointers', 'Some **markdown** for post ' || i, \
               '<p>Some <strong>markdown</strong> for post ' || i || '</p>\n', \
               CASE i % 6 WHEN 0 THEN 'discussion' WHEN 1 THEN 'help' WHEN 2 THEN 'showcase' \
                 WHEN 3 THEN 'tips' WHEN 4 THEN 'news' ELSE 'code-share' END, \
               '[\"t' || (i % 50) || '\"]', NULL, NULL, NULL, (i % 6 = 5), NULL, NULL, NULL, \
               0, 0, 0, 0, ?5, 0, ?6 + (?3 - 1704067200000 - (?7 - i) * 1000) / 45000000.0, \
               1, ?3 - (?7 - i) * 1000, ?3 - (?7 - i) * 1000, 0, 0 FROM n"
        ))
        .bind(i64::try_from(from)?)
        .bind(i64::try_from(to)?)
        .bind(now_ms)
        .bind(i64::try_from(args.users)?)
        .bind(i64::try_from(per_post)?)
        .bind(engagement)
        .bind(i64::try_from(args.posts)?)
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "{series} INSERT INTO community_post_tags (tag, post) \
             SELECT 't' || (i % 50), printf('%024x', 1000000000000 + i) FROM n"
        ))
        .bind(i64::try_from(from)?)
        .bind(i64::try_from(to)?)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        bar.set_position(to);
        from = to + 1;
    }
    bar.finish();

    let total = per_post * args.posts;
    let bar = stackrush_bench::dataset::progress(total)?;
    bar.set_message("comments");
    let mut from = 1;
    while from <= total {
        let to = (from + CHUNK - 1).min(total);
        let mut tx = pool.begin().await?;
        sqlx::query(&format!(
            "{series} INSERT INTO community_comments (id, post, parent, root, depth, author, \
               content, content_html, likes, replies, is_deleted, created_at, updated_at, \
               is_hidden) \
             SELECT printf('%024x', 2000000000000 + i), \
               printf('%024x', 1000000000000 + ((i - 1) % ?4) + 1), NULL, \
               printf('%024x', 2000000000000 + i), 0, printf('%024x', (i % ?5) + 1), \
               'Comment ' || i, '<p>Comment ' || i || '</p>\n', 0, 0, 0, ?3 - i, ?3 - i, 0 FROM n"
        ))
        .bind(i64::try_from(from)?)
        .bind(i64::try_from(to)?)
        .bind(now_ms)
        .bind(i64::try_from(args.posts)?)
        .bind(i64::try_from(args.users)?)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        bar.set_position(to);
        from = to + 1;
    }
    bar.finish();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&pool)
        .await?;
    sqlx::query("ANALYZE").execute(&pool).await?;
    println!(
        "{}: {} users, {} posts ({} categories), {} comments",
        path.display(),
        args.users,
        args.posts,
        CATEGORIES.len(),
        total
    );
    println!("first post {}", post_hex(1));
    Ok(())
}
