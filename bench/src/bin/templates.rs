//! Templates at scale: generates a SQLite dataset (users, public templates with their first
//! version, six categories and seven frameworks in turn) for `load --templates-db`.
//!
//! `cargo run --release -p stackrush-bench --bin templates -- --templates 100000`

use std::path::PathBuf;

use chrono::Utc;
use clap::Parser;

/// Rows written per transaction.
const CHUNK: u64 = 50_000;

#[derive(Parser)]
struct Args {
    /// Templates.
    #[arg(long, default_value_t = 100_000)]
    templates: u64,
    /// Verified members (authors and, in the load run, starrers).
    #[arg(long, default_value_t = 10_000)]
    users: u64,
    /// The dataset file.
    #[arg(long)]
    db: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let path = args
        .db
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("target/bench/templates-{}.db", args.templates)));
    if path.exists() {
        anyhow::bail!("{} exists: remove it first", path.display());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let pool = stackrush_bench::dataset::create(&path).await?;
    let now_ms = Utc::now().timestamp_millis();
    let series = stackrush_bench::dataset::SERIES;

    stackrush_bench::dataset::insert_all_users(&pool, args.users, now_ms).await?;

    // Template i was published (templates - i) seconds ago, by user (i % users) + 1.
    let bar = stackrush_bench::dataset::progress(args.templates)?;
    bar.set_message("templates");
    let mut from = 1;
    while from <= args.templates {
        let to = (from + CHUNK - 1).min(args.templates);
        let mut tx = pool.begin().await?;
        sqlx::query(&format!(
            "{series} INSERT INTO templates (id, author, title, description, html, css, js, \
               language, framework, category, difficulty, tags, features, stars, downloads, \
               forks, views, version, forked_from, forked_version, thumbnail, is_public, \
               is_active, created_at, updated_at) \
             SELECT printf('%024x', 3000000000000 + i), printf('%024x', (i % ?4) + 1), \
               'Starter ' || i || ': a counter page', \
               'A small page with a button that counts clicks (template ' || i || ').', \
               '<main><button id=\"b\">0</button></main>', \
               'button {{ font-size: 2rem; padding: 1rem 2rem; }}', \
               'let n = 0;\nconst b = document.getElementById(\"b\");\nb.onclick = () => b.textContent = ++n;', \
               'javascript', \
               CASE i % 7 WHEN 0 THEN 'React' WHEN 1 THEN 'Next.js' WHEN 2 THEN 'Node.js' \
                 WHEN 3 THEN 'Vue' WHEN 4 THEN 'Angular' WHEN 5 THEN 'Express' ELSE 'Vanilla' END, \
               CASE i % 6 WHEN 0 THEN 'algorithm' WHEN 1 THEN 'data-structure' \
                 WHEN 2 THEN 'web-dev' WHEN 3 THEN 'mobile' WHEN 4 THEN 'backend' ELSE 'devops' END, \
               CASE i % 3 WHEN 0 THEN 'Beginner' WHEN 1 THEN 'Intermediate' ELSE 'Advanced' END, \
               '[\"t' || (i % 50) || '\"]', '[\"Counter\"]', 0, 0, 0, 0, 1, NULL, NULL, NULL, \
               1, 1, ?3 - (?5 - i) * 1000, ?3 - (?5 - i) * 1000 FROM n"
        ))
        .bind(i64::try_from(from)?)
        .bind(i64::try_from(to)?)
        .bind(now_ms)
        .bind(i64::try_from(args.users)?)
        .bind(i64::try_from(args.templates)?)
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "{series} INSERT INTO template_versions (template, number, html, css, js, language, \
               framework, created_at) \
             SELECT id, 1, html, css, js, language, framework, created_at FROM templates \
             WHERE id IN (SELECT printf('%024x', 3000000000000 + i) FROM n)"
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
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&pool)
        .await?;
    sqlx::query("ANALYZE").execute(&pool).await?;
    println!(
        "{}: {} users, {} templates",
        path.display(),
        args.users,
        args.templates
    );
    Ok(())
}
