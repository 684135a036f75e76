use sqlx::migrate::Migrator;
use sqlx::SqlitePool;

/// Applies this context's migrations; safe to run at every start. Migrations of other contexts
/// in the same database are left alone.
pub async fn migrate(pool: &SqlitePool) -> anyhow::Result<()> {
    let mut migrator: Migrator = sqlx::migrate!("./migrations");
    // Each context brings its own numbered migrations into the shared database.
    migrator.set_ignore_missing(true);
    migrator.run(pool).await?;
    Ok(())
}
