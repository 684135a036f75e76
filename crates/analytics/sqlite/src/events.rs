//! The event store, its daily rollups and the job state in SQLite. The rollups are computed by
//! SQLite (`GROUP BY`, `json_each` for skills, a window for the top contributors); the same
//! queries serve the job (inserted into the rollup tables) and the live tail (read).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite};
use stackrush_analytics::events::{Event, EventKind};
use stackrush_analytics::ports::{EventStore, JobStore};
use stackrush_analytics::rollup::{
    sort_targets, ActiveDay, Contributor, DayRange, PlatformDay, PlatformRollup, SkillDay, Source,
    TargetFigures, UserDay, UserRollup,
};
use stackrush_analytics::SubjectId;
use stackrush_kernel::StoreError;
use stackrush_store_sqlite::{corrupt, millis, Db};

use crate::{get, id, store_error};

/// The event store and job state in the `analytics_*` tables.
#[derive(Debug, Clone)]
pub struct SqliteEvents {
    db: Db,
}

impl SqliteEvents {
    /// The adapter over `db` (migrated with [`crate::migrate`]).
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

/// Rows per multi-row insert (14 parameters each, far below SQLite's limit).
const BATCH: usize = 500;

const USER_ROWS: &str = "SELECT user_id, day, kind, category, COUNT(*) AS count, \
    SUM(success) AS successes, SUM(first) AS firsts, TOTAL(score) AS score_sum, \
    MIN(score) AS score_min, MAX(score) AS score_max, TOTAL(minutes) AS minutes, \
    SUM(xp) AS xp, \
    SUM(CASE WHEN minutes < 15 THEN 1 ELSE 0 END) AS r0, \
    SUM(CASE WHEN minutes >= 15 AND minutes < 30 THEN 1 ELSE 0 END) AS r1, \
    SUM(CASE WHEN minutes >= 30 AND minutes < 60 THEN 1 ELSE 0 END) AS r2, \
    SUM(CASE WHEN minutes >= 60 AND minutes < 120 THEN 1 ELSE 0 END) AS r3, \
    SUM(CASE WHEN minutes >= 120 THEN 1 ELSE 0 END) AS r4 \
    FROM analytics_events";
const USER_GROUP: &str = " GROUP BY user_id, day, kind, category";
const USER_COLUMNS: &str = "user_id, day, kind, category, count, successes, firsts, score_sum, \
    score_min, score_max, minutes, xp, r0, r1, r2, r3, r4";

const SKILL_ROWS: &str = "SELECT e.user_id AS user_id, e.day AS day, j.value AS skill, \
    COUNT(*) AS attempts, SUM(e.success) AS solved, SUM(e.xp) AS xp \
    FROM analytics_events e, json_each(e.skills) j";
const SKILL_GROUP: &str = " GROUP BY e.user_id, e.day, j.value";

const PLATFORM_ROWS: &str = "SELECT utc_day AS day, kind, COUNT(*) AS count, \
    COUNT(DISTINCT user_id) AS users, SUM(success) AS successes \
    FROM analytics_events WHERE utc_day BETWEEN ?1 AND ?2 GROUP BY utc_day, kind \
    UNION ALL \
    SELECT utc_day AS day, '' AS kind, COUNT(*) AS count, \
    COUNT(DISTINCT user_id) AS users, SUM(success) AS successes \
    FROM analytics_events WHERE utc_day BETWEEN ?1 AND ?2 GROUP BY utc_day";

const CONTRIBUTOR_ROWS: &str = "SELECT day, user_id, contributions FROM ( \
    SELECT utc_day AS day, user_id, COUNT(*) AS contributions, \
    ROW_NUMBER() OVER (PARTITION BY utc_day ORDER BY COUNT(*) DESC, user_id ASC) AS place \
    FROM analytics_events \
    WHERE kind IN ('post', 'code_share', 'comment') AND utc_day BETWEEN ?1 AND ?2 \
    GROUP BY utc_day, user_id) WHERE place <= 5";

fn text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn date(row: &SqliteRow, column: &str) -> Result<NaiveDate, StoreError> {
    let t: String = get(row, column)?;
    t.parse().map_err(|e| corrupt(column, e))
}

fn count(row: &SqliteRow, column: &str) -> Result<u64, StoreError> {
    u64::try_from(get::<i64>(row, column)?).map_err(|e| corrupt(column, e))
}

fn kind(row: &SqliteRow) -> Result<EventKind, StoreError> {
    let k: String = get(row, "kind")?;
    EventKind::parse(&k).ok_or_else(|| corrupt("kind", &k))
}

fn user_day(row: &SqliteRow) -> Result<UserDay, StoreError> {
    Ok(UserDay {
        user: id(get(row, "user_id")?, "user")?,
        day: date(row, "day")?,
        kind: kind(row)?,
        category: get(row, "category")?,
        count: count(row, "count")?,
        successes: count(row, "successes")?,
        firsts: count(row, "firsts")?,
        score_sum: get(row, "score_sum")?,
        score_min: get(row, "score_min")?,
        score_max: get(row, "score_max")?,
        minutes: get(row, "minutes")?,
        xp: count(row, "xp")?,
        ranges: [
            count(row, "r0")?,
            count(row, "r1")?,
            count(row, "r2")?,
            count(row, "r3")?,
            count(row, "r4")?,
        ],
    })
}

fn skill_day(row: &SqliteRow) -> Result<SkillDay, StoreError> {
    Ok(SkillDay {
        user: id(get(row, "user_id")?, "user")?,
        day: date(row, "day")?,
        skill: get(row, "skill")?,
        attempts: count(row, "attempts")?,
        solved: count(row, "solved")?,
        xp: count(row, "xp")?,
    })
}

fn platform_day(row: &SqliteRow) -> Result<PlatformDay, StoreError> {
    let k: String = get(row, "kind")?;
    Ok(PlatformDay {
        day: date(row, "day")?,
        kind: if k.is_empty() {
            None
        } else {
            Some(EventKind::parse(&k).ok_or_else(|| corrupt("kind", &k))?)
        },
        count: count(row, "count")?,
        users: count(row, "users")?,
        successes: count(row, "successes")?,
    })
}

fn contributor(row: &SqliteRow) -> Result<Contributor, StoreError> {
    Ok(Contributor {
        day: date(row, "day")?,
        user: id(get(row, "user_id")?, "user")?,
        contributions: count(row, "contributions")?,
    })
}

fn all<T>(
    rows: &[SqliteRow],
    f: fn(&SqliteRow) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    rows.iter().map(f).collect()
}

/// An empty range, for a part of a query that has nothing to read.
fn bounds(range: Option<DayRange>) -> (String, String) {
    range.map_or_else(
        || ("1".to_owned(), "0".to_owned()),
        |r| (text(r.from), text(r.to)),
    )
}

/// The users a query reads, bound as one JSON array (`user_id IN (SELECT value FROM
/// json_each(?1))`), so a batch of any size is one statement.
const IN_USERS: &str = "IN (SELECT value FROM json_each(?1))";

impl SqliteEvents {
    /// The rows `sql` reads, binding `users` (as [`IN_USERS`] reads them), then the first and
    /// last day of `days`.
    async fn read(
        &self,
        sql: &str,
        users: &[SubjectId],
        days: DayRange,
    ) -> Result<Vec<SqliteRow>, StoreError> {
        let ids: Vec<String> = users.iter().map(|u| u.to_hex()).collect();
        sqlx::query(sql)
            .bind(serde_json::Value::from(ids).to_string())
            .bind(text(days.from))
            .bind(text(days.to))
            .fetch_all(self.db.reads())
            .await
            .map_err(store_error)
    }

    /// The rows of `users` of `days` read by `rows_sql` and `skills_sql` (as [`Self::read`]
    /// binds).
    async fn user_rows(
        &self,
        rows_sql: &str,
        skills_sql: &str,
        users: &[SubjectId],
        days: DayRange,
    ) -> Result<UserRollup, StoreError> {
        if users.is_empty() {
            return Ok(UserRollup::default());
        }
        let rows = self.read(rows_sql, users, days).await?;
        let skills = self.read(skills_sql, users, days).await?;
        Ok(UserRollup {
            days: all(&rows, user_day)?,
            skills: all(&skills, skill_day)?,
        })
    }
}

#[async_trait]
impl EventStore for SqliteEvents {
    async fn append(&self, events: &[Event]) -> Result<(), StoreError> {
        let mut tx = self.db.begin_write().await.map_err(store_error)?;
        for chunk in events.chunks(BATCH) {
            let mut q: QueryBuilder<'_, Sqlite> = QueryBuilder::new(
                "INSERT OR IGNORE INTO analytics_events (id, user_id, at, day, utc_day, kind, \
                 category, target, score, success, first, xp, minutes, skills) ",
            );
            q.push_values(chunk, |mut b, e| {
                b.push_bind(e.id.to_hex())
                    .push_bind(e.user.to_hex())
                    .push_bind(millis(e.at))
                    .push_bind(text(e.day))
                    .push_bind(text(e.utc_day))
                    .push_bind(e.kind.as_str())
                    .push_bind(e.category.clone())
                    .push_bind(e.target.clone())
                    .push_bind(e.score)
                    .push_bind(e.success)
                    .push_bind(e.first)
                    .push_bind(i64::try_from(e.xp).unwrap_or(i64::MAX))
                    .push_bind(e.minutes)
                    .push_bind(serde_json::to_string(&e.skills).unwrap_or_else(|_| "[]".into()));
            });
            q.build().execute(&mut *tx).await.map_err(store_error)?;
        }
        tx.commit().await.map_err(store_error)?;
        Ok(())
    }

    async fn first_day(&self) -> Result<Option<NaiveDate>, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT MIN(day) FROM analytics_events) AS day, \
             (SELECT MIN(utc_day) FROM analytics_events) AS utc_day",
        )
        .fetch_one(self.db.reads())
        .await
        .map_err(store_error)?;
        let day: Option<String> = get(&row, "day")?;
        let utc: Option<String> = get(&row, "utc_day")?;
        let parse = |t: Option<String>, what: &str| -> Result<Option<NaiveDate>, StoreError> {
            t.map(|t| t.parse::<NaiveDate>().map_err(|e| corrupt(what, e)))
                .transpose()
        };
        Ok(match (parse(day, "day")?, parse(utc, "utc_day")?) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        })
    }

    async fn aggregate(&self, day: NaiveDate) -> Result<(), StoreError> {
        let day = text(day);
        let mut tx = self.db.begin_write().await.map_err(store_error)?;
        let statements = [
            "DELETE FROM analytics_user_days WHERE day = ?1".to_owned(),
            format!(
                "INSERT INTO analytics_user_days ({USER_COLUMNS}) \
                 {USER_ROWS} WHERE day = ?1{USER_GROUP}"
            ),
            "DELETE FROM analytics_skill_days WHERE day = ?1".to_owned(),
            format!(
                "INSERT INTO analytics_skill_days (user_id, day, skill, attempts, solved, xp) \
                 {SKILL_ROWS} WHERE e.day = ?1{SKILL_GROUP}"
            ),
            "DELETE FROM analytics_platform_days WHERE day = ?1".to_owned(),
            format!(
                "INSERT INTO analytics_platform_days (day, kind, count, users, successes) \
                 SELECT * FROM ({})",
                PLATFORM_ROWS.replace("?2", "?1")
            ),
            "DELETE FROM analytics_contributors WHERE day = ?1".to_owned(),
            format!(
                "INSERT INTO analytics_contributors (day, user_id, contributions) {}",
                CONTRIBUTOR_ROWS.replace("?2", "?1")
            ),
        ];
        for sql in &statements {
            sqlx::query(sql)
                .bind(&day)
                .execute(&mut *tx)
                .await
                .map_err(store_error)?;
        }
        tx.commit().await.map_err(store_error)?;
        Ok(())
    }

    async fn user_rollup(
        &self,
        users: &[SubjectId],
        days: DayRange,
        source: Source,
    ) -> Result<UserRollup, StoreError> {
        let mut out = match source {
            Source::Live => {
                let rows = format!(
                    "{USER_ROWS} WHERE user_id {IN_USERS} AND day BETWEEN ?2 AND ?3{USER_GROUP}"
                );
                let skills = format!(
                    "{SKILL_ROWS} WHERE e.user_id {IN_USERS} AND e.day BETWEEN ?2 AND ?3\
                     {SKILL_GROUP}"
                );
                self.user_rows(&rows, &skills, users, days).await?
            }
            Source::Stored => {
                let rows = format!(
                    "SELECT {USER_COLUMNS} FROM analytics_user_days \
                     WHERE user_id {IN_USERS} AND day BETWEEN ?2 AND ?3"
                );
                let skills = format!(
                    "SELECT user_id, day, skill, attempts, solved, xp FROM analytics_skill_days \
                     WHERE user_id {IN_USERS} AND day BETWEEN ?2 AND ?3"
                );
                self.user_rows(&rows, &skills, users, days).await?
            }
        };
        out.sort();
        Ok(out)
    }

    async fn platform_rollup(
        &self,
        days: DayRange,
        source: Source,
    ) -> Result<PlatformRollup, StoreError> {
        let (rows_sql, contributors_sql) = match source {
            Source::Live => (PLATFORM_ROWS.to_owned(), CONTRIBUTOR_ROWS.to_owned()),
            Source::Stored => (
                "SELECT day, kind, count, users, successes FROM analytics_platform_days \
                 WHERE day BETWEEN ?1 AND ?2"
                    .to_owned(),
                "SELECT day, user_id, contributions FROM analytics_contributors \
                 WHERE day BETWEEN ?1 AND ?2"
                    .to_owned(),
            ),
        };
        let rows = sqlx::query(&rows_sql)
            .bind(text(days.from))
            .bind(text(days.to))
            .fetch_all(self.db.reads())
            .await
            .map_err(store_error)?;
        let contributors = sqlx::query(&contributors_sql)
            .bind(text(days.from))
            .bind(text(days.to))
            .fetch_all(self.db.reads())
            .await
            .map_err(store_error)?;
        let mut out = PlatformRollup {
            days: all(&rows, platform_day)?,
            contributors: all(&contributors, contributor)?,
        };
        out.sort();
        Ok(out)
    }

    async fn active_days(
        &self,
        days: DayRange,
        stored_through: Option<NaiveDate>,
    ) -> Result<Vec<ActiveDay>, StoreError> {
        let (stored_from, stored_to) = bounds(days.through(stored_through));
        let (live_from, live_to) = bounds(days.after(stored_through));
        let rows = sqlx::query(
            "SELECT user_id, day, MAX(kind = 'signed_up') AS signed_up FROM ( \
             SELECT user_id, day, kind FROM analytics_user_days WHERE day BETWEEN ?1 AND ?2 \
             UNION ALL \
             SELECT user_id, day, kind FROM analytics_events WHERE day BETWEEN ?3 AND ?4) \
             GROUP BY user_id, day ORDER BY user_id, day",
        )
        .bind(stored_from)
        .bind(stored_to)
        .bind(live_from)
        .bind(live_to)
        .fetch_all(self.db.reads())
        .await
        .map_err(store_error)?;
        rows.iter()
            .map(|row| {
                Ok(ActiveDay {
                    user: id(get(row, "user_id")?, "user")?,
                    day: date(row, "day")?,
                    signed_up: get::<bool>(row, "signed_up")?,
                })
            })
            .collect()
    }

    async fn targets(
        &self,
        kinds: &[EventKind],
        days: DayRange,
    ) -> Result<Vec<TargetFigures>, StoreError> {
        if kinds.is_empty() {
            return Ok(Vec::new());
        }
        let mut q: QueryBuilder<'_, Sqlite> = QueryBuilder::new(
            "SELECT target, kind, COUNT(*) AS count, COUNT(DISTINCT user_id) AS users, \
             SUM(success) AS successes, TOTAL(score) AS score_sum, TOTAL(minutes) AS minutes \
             FROM analytics_events WHERE target IS NOT NULL AND utc_day BETWEEN ",
        );
        q.push_bind(text(days.from))
            .push(" AND ")
            .push_bind(text(days.to))
            .push(" AND kind IN (");
        let mut list = q.separated(", ");
        for k in kinds {
            list.push_bind(k.as_str());
        }
        q.push(") GROUP BY target, kind");
        let rows = q
            .build()
            .fetch_all(self.db.reads())
            .await
            .map_err(store_error)?;
        let mut out = rows
            .iter()
            .map(|row| {
                Ok(TargetFigures {
                    target: get(row, "target")?,
                    kind: kind(row)?,
                    count: count(row, "count")?,
                    users: count(row, "users")?,
                    successes: count(row, "successes")?,
                    score_sum: get(row, "score_sum")?,
                    minutes: get(row, "minutes")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        sort_targets(&mut out);
        Ok(out)
    }
}

#[async_trait]
impl JobStore for SqliteEvents {
    async fn watermark(&self, job: &str) -> Result<Option<NaiveDate>, StoreError> {
        let row = sqlx::query("SELECT watermark FROM analytics_jobs WHERE job = ?1")
            .bind(job)
            .fetch_optional(self.db.reads())
            .await
            .map_err(store_error)?;
        let Some(row) = row else { return Ok(None) };
        get::<Option<String>>(&row, "watermark")?
            .map(|t| t.parse().map_err(|e| corrupt("watermark", e)))
            .transpose()
    }

    async fn set_watermark(
        &self,
        job: &str,
        holder: &str,
        day: Option<NaiveDate>,
    ) -> Result<bool, StoreError> {
        let done =
            sqlx::query("UPDATE analytics_jobs SET watermark = ?3 WHERE job = ?1 AND holder = ?2")
                .bind(job)
                .bind(holder)
                .bind(day.map(text))
                .execute(self.db.writes())
                .await
                .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn lease(
        &self,
        job: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO analytics_jobs (job, watermark, holder, lease_until) \
             VALUES (?1, NULL, ?2, ?4) \
             ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, \
             lease_until = excluded.lease_until \
             WHERE analytics_jobs.holder IS NULL OR analytics_jobs.holder = ?2 \
             OR analytics_jobs.lease_until <= ?3",
        )
        .bind(job)
        .bind(holder)
        .bind(millis(now))
        .bind(millis(until))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn release(&self, job: &str, holder: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE analytics_jobs SET holder = NULL, lease_until = NULL \
             WHERE job = ?1 AND holder = ?2",
        )
        .bind(job)
        .bind(holder)
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(())
    }
}
