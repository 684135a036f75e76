//! The mail outbox in the `mail_outbox` table.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite};
use stackrush_kernel::StoreError;
use stackrush_notifications::mail::MailOutbox;
use stackrush_notifications::{MailId, MailState, QueuedMail, RecipientId};
use stackrush_store_sqlite::{corrupt, from_millis, millis, opt_from_millis, Db};

use crate::{get, store_error};

const COLUMNS: &str =
    "id, recipient, key, subject, body, state, attempts, created_at, next_try_at, finished_at";

/// The outbox of mails.
#[derive(Debug, Clone)]
pub struct SqliteOutbox {
    db: Db,
}

impl SqliteOutbox {
    /// The adapter over `db` (migrated with [`crate::migrate`]).
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

fn from_row(row: &SqliteRow) -> Result<QueuedMail, StoreError> {
    let state: String = get(row, "state")?;
    Ok(QueuedMail {
        id: get::<String>(row, "id")?
            .parse()
            .map_err(|e| corrupt("id", e))?,
        recipient: get::<String>(row, "recipient")?
            .parse()
            .map_err(|e| corrupt("recipient", e))?,
        key: get(row, "key")?,
        subject: get(row, "subject")?,
        text: get(row, "body")?,
        state: MailState::parse(&state).ok_or_else(|| corrupt("state", &state))?,
        attempts: u32::try_from(get::<i64>(row, "attempts")?)
            .map_err(|e| corrupt("attempts", e))?,
        created_at: from_millis(get(row, "created_at")?)?,
        next_try_at: from_millis(get(row, "next_try_at")?)?,
        finished_at: opt_from_millis(get(row, "finished_at")?)?,
    })
}

#[async_trait]
impl MailOutbox for SqliteOutbox {
    async fn enqueue(&self, mails: &[QueuedMail]) -> Result<usize, StoreError> {
        let mut tx = self.db.begin_write().await.map_err(store_error)?;
        let mut stored = 0;
        for m in mails {
            let done = sqlx::query(&format!(
                "INSERT INTO mail_outbox ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
                 ON CONFLICT DO NOTHING"
            ))
            .bind(m.id.to_hex())
            .bind(m.recipient.to_hex())
            .bind(&m.key)
            .bind(&m.subject)
            .bind(&m.text)
            .bind(m.state.as_str())
            .bind(i64::from(m.attempts))
            .bind(millis(m.created_at))
            .bind(millis(m.next_try_at))
            .bind(m.finished_at.map(millis))
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
            stored += usize::try_from(done.rows_affected()).unwrap_or(0);
        }
        tx.commit().await.map_err(store_error)?;
        Ok(stored)
    }

    async fn holding(
        &self,
        key: &str,
        recipients: &[RecipientId],
    ) -> Result<Vec<RecipientId>, StoreError> {
        let mut found = Vec::new();
        for chunk in recipients.chunks(500) {
            let mut q =
                QueryBuilder::<Sqlite>::new("SELECT recipient FROM mail_outbox WHERE key = ");
            q.push_bind(key).push(" AND recipient IN (");
            let mut list = q.separated(", ");
            for r in chunk {
                list.push_bind(r.to_hex());
            }
            q.push(")");
            let rows: Vec<(String,)> = q
                .build_query_as()
                .fetch_all(self.db.reads())
                .await
                .map_err(store_error)?;
            for (hex,) in rows {
                found.push(hex.parse().map_err(|e| corrupt("recipient", e))?);
            }
        }
        Ok(found)
    }

    async fn claim(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<QueuedMail>, StoreError> {
        // One statement in the single-writer connection: racing claimers see each other's work.
        let rows = sqlx::query(&format!(
            "UPDATE mail_outbox SET attempts = attempts + 1, next_try_at = ?2 \
             WHERE id IN (SELECT id FROM mail_outbox WHERE state = 'queued' AND next_try_at <= ?1 \
                          ORDER BY next_try_at, id LIMIT ?3) \
             RETURNING {COLUMNS}"
        ))
        .bind(millis(now))
        .bind(millis(until))
        .bind(i64::from(limit))
        .fetch_all(self.db.writes())
        .await
        .map_err(store_error)?;
        let mut claimed = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
        claimed.sort_by_key(|m| (m.created_at, m.id));
        Ok(claimed)
    }

    async fn finish(
        &self,
        id: MailId,
        state: MailState,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE mail_outbox SET state = ?2, finished_at = ?3 WHERE id = ?1")
            .bind(id.to_hex())
            .bind(state.as_str())
            .bind(millis(at))
            .execute(self.db.writes())
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn retry_at(&self, id: MailId, at: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE mail_outbox SET next_try_at = ?2 WHERE id = ?1 AND state = 'queued'")
            .bind(id.to_hex())
            .bind(millis(at))
            .execute(self.db.writes())
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn find(&self, id: MailId) -> Result<Option<QueuedMail>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM mail_outbox WHERE id = ?1"))
            .bind(id.to_hex())
            .fetch_optional(self.db.reads())
            .await
            .map_err(store_error)?;
        row.as_ref().map(from_row).transpose()
    }

    async fn purge_finished(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM mail_outbox WHERE finished_at IS NOT NULL AND finished_at < ?1",
        )
        .bind(millis(before))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected())
    }
}
