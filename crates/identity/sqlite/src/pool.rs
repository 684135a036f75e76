use sqlx::SqlitePool;

/// Applies this context's migrations; safe to run at every start. Migrations of other contexts
/// in the same database are left alone.
pub async fn migrate(pool: &SqlitePool) -> anyhow::Result<()> {
    stackrush_store_sqlite::apply_migrations(pool, sqlx::migrate!("./migrations")).await
}
