use stackrush_store_sqlite::Db;

/// Applies this context's migrations; safe to run at every start. Migrations of other contexts
/// in the same database are left alone.
pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    stackrush_store_sqlite::apply_migrations(db, sqlx::migrate!("./migrations")).await
}
