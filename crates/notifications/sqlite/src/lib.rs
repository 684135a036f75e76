//! SQLite adapter of the notification ports; [`migrate`] applies this context's migrations.
//! Expired rows are invisible at once and removed by `purge_expired` (the app runs it
//! periodically: SQLite has no TTL index).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_notifications::ports::NotificationRepository;
use stackrush_notifications::{
    Filter, Kind, Notification, NotificationId, Priority, RecipientId, Sort, Unread,
};
use stackrush_store_sqlite::{corrupt, from_millis, millis, opt_from_millis};
use stackrush_store_sqlite::{Db, PageQuery};

/// Applies this context's migrations; other contexts' migrations in the same file are left alone.
pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    stackrush_store_sqlite::apply_migrations(db, sqlx::migrate!("./migrations")).await
}

mod outbox;
pub use outbox::SqliteOutbox;

pub(crate) fn store_error(err: sqlx::Error) -> StoreError {
    stackrush_store_sqlite::store_error(err, &[("dedup_key", "dedup")])
}

const COLUMNS: &str =
    "id, recipient, kind, title, message, data, priority, priority_rank, is_read, \
    read_at, is_delivered, delivered_at, dedup_key, created_at, expires_at";

/// Notifications in the `notifications` table.
#[derive(Debug, Clone)]
pub struct SqliteNotifications {
    db: Db,
}

impl SqliteNotifications {
    /// The adapter over `db` (migrated with [`migrate`]).
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

pub(crate) fn get<'r, T>(row: &'r SqliteRow, column: &str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>,
{
    row.try_get(column).map_err(|e| corrupt(column, e))
}

fn from_row(row: &SqliteRow) -> Result<Notification, StoreError> {
    let kind: String = get(row, "kind")?;
    let priority: String = get(row, "priority")?;
    let data: String = get(row, "data")?;
    Ok(Notification {
        id: get::<String>(row, "id")?
            .parse()
            .map_err(|e| corrupt("id", e))?,
        recipient: get::<String>(row, "recipient")?
            .parse()
            .map_err(|e| corrupt("recipient", e))?,
        kind: Kind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
        title: get(row, "title")?,
        message: get(row, "message")?,
        data: serde_json::from_str(&data).map_err(|e| corrupt("data", e))?,
        priority: Priority::parse(&priority).ok_or_else(|| corrupt("priority", &priority))?,
        is_read: get(row, "is_read")?,
        read_at: opt_from_millis(get(row, "read_at")?)?,
        is_delivered: get(row, "is_delivered")?,
        delivered_at: opt_from_millis(get(row, "delivered_at")?)?,
        dedup_key: get(row, "dedup_key")?,
        created_at: from_millis(get(row, "created_at")?)?,
        expires_at: opt_from_millis(get(row, "expires_at")?)?,
    })
}

fn push_live(q: &mut QueryBuilder<'_, Sqlite>, recipient: RecipientId, now: DateTime<Utc>) {
    q.push(" WHERE recipient = ")
        .push_bind(recipient.to_hex())
        .push(" AND (expires_at IS NULL OR expires_at > ")
        .push_bind(millis(now))
        .push(")");
}

fn push_filter(q: &mut QueryBuilder<'_, Sqlite>, f: &Filter) {
    if let Some(k) = f.kind {
        q.push(" AND kind = ").push_bind(k.as_str());
    }
    if let Some(r) = f.is_read {
        q.push(" AND is_read = ").push_bind(r);
    }
    if let Some(p) = f.priority {
        q.push(" AND priority = ").push_bind(p.as_str());
    }
    if let Some(t) = f.from {
        q.push(" AND created_at >= ").push_bind(millis(t));
    }
    if let Some(t) = f.to {
        q.push(" AND created_at <= ").push_bind(millis(t));
    }
}

fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

#[async_trait]
impl NotificationRepository for SqliteNotifications {
    async fn insert_many(&self, items: &[Notification]) -> Result<usize, StoreError> {
        let mut tx = self.db.begin_write().await.map_err(store_error)?;
        let mut stored = 0;
        for n in items {
            let data = serde_json::to_string(&n.data).map_err(|e| StoreError::Other(e.into()))?;
            let done = sqlx::query(&format!(
                "INSERT INTO notifications ({COLUMNS}) VALUES \
                 (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) \
                 ON CONFLICT DO NOTHING"
            ))
            .bind(n.id.to_hex())
            .bind(n.recipient.to_hex())
            .bind(n.kind.as_str())
            .bind(&n.title)
            .bind(&n.message)
            .bind(data)
            .bind(n.priority.as_str())
            .bind(i64::from(n.priority.rank()))
            .bind(n.is_read)
            .bind(n.read_at.map(millis))
            .bind(n.is_delivered)
            .bind(n.delivered_at.map(millis))
            .bind(n.dedup_key.as_deref())
            .bind(millis(n.created_at))
            .bind(n.expires_at.map(millis))
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
            stored += usize::try_from(done.rows_affected()).unwrap_or(0);
        }
        tx.commit().await.map_err(store_error)?;
        Ok(stored)
    }

    async fn list(
        &self,
        recipient: RecipientId,
        f: &Filter,
        page: PageRequest,
        now: DateTime<Utc>,
    ) -> Result<Page<Notification>, StoreError> {
        let column = match f.sort {
            Sort::CreatedAt => "created_at",
            Sort::Priority => "priority_rank",
        };
        let direction = if f.descending { "DESC" } else { "ASC" };
        PageQuery {
            table: "notifications",
            columns: COLUMNS,
            filter: |q: &mut QueryBuilder<'_, Sqlite>| {
                push_live(q, recipient, now);
                push_filter(q, f);
            },
            order: &format!("{column} {direction}, created_at DESC, id DESC"),
        }
        .fetch(&self.db, page, from_row, store_error)
        .await
    }

    async fn unread_count(
        &self,
        recipient: RecipientId,
        now: DateTime<Utc>,
    ) -> Result<Unread, StoreError> {
        let (n, next): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(expires_at) FROM notifications \
             WHERE recipient = ?1 AND is_read = 0 AND (expires_at IS NULL OR expires_at > ?2)",
        )
        .bind(recipient.to_hex())
        .bind(millis(now))
        .fetch_one(self.db.reads())
        .await
        .map_err(store_error)?;
        Ok(Unread {
            count: count(n),
            next_expiry: opt_from_millis(next)?,
        })
    }

    async fn mark_read(
        &self,
        recipient: RecipientId,
        id: NotificationId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE notifications SET is_read = 1, read_at = COALESCE(read_at, ?3) \
             WHERE id = ?1 AND recipient = ?2 AND (expires_at IS NULL OR expires_at > ?3)",
        )
        .bind(id.to_hex())
        .bind(recipient.to_hex())
        .bind(millis(now))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn mark_all_read(
        &self,
        recipient: RecipientId,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE notifications SET is_read = 1, read_at = ?2 \
             WHERE recipient = ?1 AND is_read = 0 AND (expires_at IS NULL OR expires_at > ?2)",
        )
        .bind(recipient.to_hex())
        .bind(millis(now))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected())
    }

    async fn delete(&self, recipient: RecipientId, id: NotificationId) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM notifications WHERE id = ?1 AND recipient = ?2")
            .bind(id.to_hex())
            .bind(recipient.to_hex())
            .execute(self.db.writes())
            .await
            .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM notifications WHERE expires_at IS NOT NULL AND expires_at <= ?1",
        )
        .bind(millis(now))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected())
    }
}
