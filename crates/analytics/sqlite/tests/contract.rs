//! The analytics contract suite against SQLite.

use stackrush_analytics_sqlite::{migrate, SqliteFocusSessions};

#[tokio::test]
async fn sqlite_passes_the_analytics_contract() {
    let dir = tempfile::tempdir().unwrap();
    let pool = stackrush_store_sqlite::open(&dir.path().join("a.db"))
        .await
        .unwrap();
    migrate(&pool).await.unwrap();
    migrate(&pool).await.unwrap();
    stackrush_analytics::contract::run_all(&SqliteFocusSessions::new(pool)).await;
}

#[tokio::test]
async fn sqlite_audit_log_passes_the_contract_and_refuses_changes() {
    let dir = tempfile::tempdir().unwrap();
    let db = stackrush_store_sqlite::open(&dir.path().join("a.db"))
        .await
        .unwrap();
    migrate(&db).await.unwrap();
    let log = stackrush_analytics_sqlite::SqliteAuditLog::new(db.clone());
    stackrush_analytics::contract::audit_log_appends_and_filters(&log).await;
    for change in [
        "UPDATE audit_log SET action = 'nothing'",
        "DELETE FROM audit_log",
    ] {
        let refused = sqlx::query(change).execute(db.writes()).await;
        assert!(refused.is_err(), "{change} must be refused");
    }
}

#[tokio::test]
async fn sqlite_events_pass_the_event_store_contract_and_refuse_changes() {
    let dir = tempfile::tempdir().unwrap();
    let db = stackrush_store_sqlite::open(&dir.path().join("a.db"))
        .await
        .unwrap();
    migrate(&db).await.unwrap();
    let store = stackrush_analytics_sqlite::SqliteEvents::new(db.clone());
    stackrush_analytics::contract::events_roll_up_like_the_reference(&store).await;
    stackrush_analytics::contract::job_leases_exclude_each_other(&store).await;
    for change in [
        "UPDATE analytics_events SET kind = 'like'",
        "DELETE FROM analytics_events",
    ] {
        assert!(
            sqlx::query(change).execute(db.writes()).await.is_err(),
            "{change}"
        );
    }
}

#[tokio::test]
async fn two_sqlite_jobs_on_one_file_never_both_aggregate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let one = stackrush_store_sqlite::open(&path).await.unwrap();
    migrate(&one).await.unwrap();
    let two = stackrush_store_sqlite::open(&path).await.unwrap();
    stackrush_analytics::contract::two_jobs_never_both_aggregate(
        std::sync::Arc::new(stackrush_analytics_sqlite::SqliteEvents::new(one)),
        std::sync::Arc::new(stackrush_analytics_sqlite::SqliteEvents::new(two)),
    )
    .await;
}
