//! SQLite adapter of the analytics ports; [`migrate`] applies this context's migrations.

use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};
use stackrush_analytics::audit::{
    ActionMatch, AuditActor, AuditEntry, AuditFilter, AuditRepository,
};
use stackrush_analytics::ports::FocusSessionRepository;
use stackrush_analytics::{
    Environment, FocusSession, FocusSessionId, SessionFilter, SessionSort, SubjectId,
};
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_store_sqlite::{corrupt, from_millis, millis};
use stackrush_store_sqlite::{Db, PageQuery};

mod events;
pub use events::SqliteEvents;

/// Applies this context's migrations; other contexts' migrations in the same file are left alone.
pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    stackrush_store_sqlite::apply_migrations(db, sqlx::migrate!("./migrations")).await
}

fn store_error(err: sqlx::Error) -> StoreError {
    stackrush_store_sqlite::store_error(err, &[])
}

const COLUMNS: &str = "id, user_id, challenge, submission, start_time, end_time, \
    distractions_encountered, focus_score, environment, created_at";

/// Focus sessions in the `focus_sessions` table.
#[derive(Debug, Clone)]
pub struct SqliteFocusSessions {
    db: Db,
}

impl SqliteFocusSessions {
    /// The adapter over `db` (migrated with [`migrate`]).
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

fn get<'r, T>(row: &'r SqliteRow, column: &str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>,
{
    row.try_get(column).map_err(|e| corrupt(column, e))
}

fn id<T: std::str::FromStr>(text: String, what: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| corrupt(what, e))
}

fn from_row(row: &SqliteRow) -> Result<FocusSession, StoreError> {
    let environment: String = get(row, "environment")?;
    let small = |column: &str| -> Result<u32, StoreError> {
        u32::try_from(get::<i64>(row, column)?).map_err(|e| corrupt(column, e))
    };
    Ok(FocusSession {
        id: id(get(row, "id")?, "id")?,
        user: id(get(row, "user_id")?, "user")?,
        challenge: get::<Option<String>>(row, "challenge")?
            .map(|c| id(c, "challenge"))
            .transpose()?,
        submission: get::<Option<String>>(row, "submission")?
            .map(|s| id(s, "submission"))
            .transpose()?,
        start_time: from_millis(get(row, "start_time")?)?,
        end_time: from_millis(get(row, "end_time")?)?,
        distractions_encountered: small("distractions_encountered")?,
        focus_score: small("focus_score")?,
        environment: Environment::parse(&environment)
            .ok_or_else(|| corrupt("environment", &environment))?,
        created_at: from_millis(get(row, "created_at")?)?,
    })
}

fn push_filter(q: &mut QueryBuilder<'_, Sqlite>, user: SubjectId, f: &SessionFilter) {
    q.push(" WHERE user_id = ").push_bind(user.to_hex());
    if let Some(c) = f.challenge {
        q.push(" AND challenge = ").push_bind(c.to_hex());
    }
    if let Some(e) = f.environment {
        q.push(" AND environment = ").push_bind(e.as_str());
    }
    if let Some(t) = f.from {
        q.push(" AND start_time >= ").push_bind(millis(t));
    }
    if let Some(t) = f.to {
        q.push(" AND start_time <= ").push_bind(millis(t));
    }
}

#[async_trait]
impl FocusSessionRepository for SqliteFocusSessions {
    async fn insert(&self, s: &FocusSession) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO focus_sessions ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
        ))
        .bind(s.id.to_hex())
        .bind(s.user.to_hex())
        .bind(s.challenge.map(|c| c.to_hex()))
        .bind(s.submission.map(|c| c.to_hex()))
        .bind(millis(s.start_time))
        .bind(millis(s.end_time))
        .bind(i64::from(s.distractions_encountered))
        .bind(i64::from(s.focus_score))
        .bind(s.environment.as_str())
        .bind(millis(s.created_at))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn find(
        &self,
        user: SubjectId,
        id: FocusSessionId,
    ) -> Result<Option<FocusSession>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM focus_sessions WHERE id = ?1 AND user_id = ?2"
        ))
        .bind(id.to_hex())
        .bind(user.to_hex())
        .fetch_optional(self.db.reads())
        .await
        .map_err(store_error)?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    async fn list(
        &self,
        user: SubjectId,
        f: &SessionFilter,
        page: PageRequest,
    ) -> Result<Page<FocusSession>, StoreError> {
        let column = match f.sort {
            SessionSort::StartTime => "start_time",
            SessionSort::FocusScore => "focus_score",
        };
        let direction = if f.descending { "DESC" } else { "ASC" };
        PageQuery {
            table: "focus_sessions",
            columns: COLUMNS,
            filter: |q: &mut QueryBuilder<'_, Sqlite>| push_filter(q, user, f),
            order: &format!("{column} {direction}, id DESC"),
        }
        .fetch(&self.db, page, from_row, store_error)
        .await
    }

    async fn all(&self, user: SubjectId) -> Result<Vec<FocusSession>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM focus_sessions WHERE user_id = ?1"
        ))
        .bind(user.to_hex())
        .fetch_all(self.db.reads())
        .await
        .map_err(store_error)?;
        rows.iter().map(from_row).collect()
    }

    async fn average_focus(&self) -> Result<Option<f64>, StoreError> {
        sqlx::query_scalar("SELECT AVG(focus_score) FROM focus_sessions")
            .fetch_one(self.db.reads())
            .await
            .map_err(store_error)
    }

    async fn delete(&self, user: SubjectId, id: FocusSessionId) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM focus_sessions WHERE id = ?1 AND user_id = ?2")
            .bind(id.to_hex())
            .bind(user.to_hex())
            .execute(self.db.writes())
            .await
            .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }
}

/// The audit log in the append-only `audit_log` table.
#[derive(Debug, Clone)]
pub struct SqliteAuditLog {
    db: Db,
}

impl SqliteAuditLog {
    /// The adapter over `db` (migrated with [`migrate`]).
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

const AUDIT_COLUMNS: &str = "id, at, actor, action, target, address, request_id";

fn audit_row(row: &SqliteRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        id: id(get(row, "id")?, "id")?,
        at: from_millis(get(row, "at")?)?,
        actor: get::<Option<String>>(row, "actor")?
            .map(|a| id(a, "actor"))
            .transpose()?,
        action: get(row, "action")?,
        target: get(row, "target")?,
        address: get(row, "address")?,
        request_id: get(row, "request_id")?,
    })
}

/// The filter's conditions.
fn push_audit_filter(q: &mut QueryBuilder<'_, Sqlite>, f: &AuditFilter) {
    q.push(" WHERE 1 = 1");
    if let Some(a) = f.actor {
        q.push(" AND actor = ").push_bind(a.to_hex());
    }
    match f.action_match() {
        Some(ActionMatch::Between { from, to }) => {
            q.push(" AND action >= ").push_bind(from.to_owned());
            q.push(" AND action < ").push_bind(to);
        }
        Some(ActionMatch::Exactly(action)) => {
            q.push(" AND action = ").push_bind(action.to_owned());
        }
        None => {}
    }
    if let Some(t) = &f.target {
        q.push(" AND target = ").push_bind(t.clone());
    }
    if let Some(from) = f.from {
        q.push(" AND at >= ").push_bind(millis(from));
    }
    if let Some(to) = f.to {
        q.push(" AND at < ").push_bind(millis(to));
    }
}

#[async_trait]
impl AuditRepository for SqliteAuditLog {
    async fn append(&self, e: &AuditEntry) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_log (id, at, actor, action, target, address, request_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .bind(e.id.to_hex())
        .bind(millis(e.at))
        .bind(e.actor.map(|a| a.to_hex()))
        .bind(&e.action)
        .bind(&e.target)
        .bind(&e.address)
        .bind(&e.request_id)
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn list(
        &self,
        f: &AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>, StoreError> {
        PageQuery {
            table: "audit_log",
            columns: AUDIT_COLUMNS,
            filter: |q: &mut QueryBuilder<'_, Sqlite>| push_audit_filter(q, f),
            order: "at DESC, id DESC",
        }
        .fetch(&self.db, page, audit_row, store_error)
        .await
    }

    async fn exists(
        &self,
        actor: AuditActor,
        action: &str,
        address: &str,
    ) -> Result<bool, StoreError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM audit_log WHERE actor = ?1 AND action = ?2 AND address = ?3 LIMIT 1",
        )
        .bind(actor.to_hex())
        .bind(action)
        .bind(address)
        .fetch_optional(self.db.reads())
        .await
        .map_err(store_error)?;
        Ok(found.is_some())
    }
}
