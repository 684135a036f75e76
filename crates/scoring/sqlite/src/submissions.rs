//! Submissions in the `submissions` table: what lists filter and sort on has its own columns,
//! the execution record and simulation are JSON.

use std::sync::LazyLock;

use async_trait::async_trait;
use rusqlite::params;
use sqlx::sqlite::SqliteRow;
use sqlx::QueryBuilder;
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_scoring::ports::SubmissionRepository;
use stackrush_scoring::{
    Language, PlayerId, RunStatus, Simulation, Submission, SubmissionFacts, SubmissionFilter,
    SubmissionId, SubmissionSort,
};
use stackrush_store_sqlite::{
    corrupt, from_millis, millis, opt_from_millis, PageQuery, WriteError,
};

use crate::{n, store_error, sync_store_error, u, SqliteScoring};
use stackrush_store_sqlite::rows::{get, json, parsed, parsed_opt, to_json};

pub(crate) const COLUMNS: &str = "id, player, challenge, attempt, language, difficulty, status, \
    score, success, execution_time, xp_awarded, code, execution, simulation, started_at, \
    submitted_at, scored_at, created_at, updated_at, challenge_type, lines";

/// A new submission: every column, in the order of [`COLUMNS`].
static INSERT: LazyLock<String> = LazyLock::new(|| {
    let places: Vec<String> = (1..=COLUMNS.split(',').count())
        .map(|i| format!("?{i}"))
        .collect();
    format!(
        "INSERT INTO submissions ({COLUMNS}) VALUES ({})",
        places.join(", ")
    )
});

fn language(row: &SqliteRow) -> Result<Language, StoreError> {
    let name: String = get(row, "language")?;
    Language::parse(&name).ok_or_else(|| corrupt("language", name))
}

fn status(row: &SqliteRow) -> Result<RunStatus, StoreError> {
    let name: String = get(row, "status")?;
    RunStatus::parse(&name).ok_or_else(|| corrupt("status", name))
}

pub(crate) fn from_row(row: &SqliteRow) -> Result<Submission, StoreError> {
    Ok(Submission {
        id: parsed(row, "id")?,
        player: parsed(row, "player")?,
        challenge: parsed(row, "challenge")?,
        attempt: parsed_opt(row, "attempt")?,
        code: get(row, "code")?,
        language: language(row)?,
        difficulty: get(row, "difficulty")?,
        challenge_type: get(row, "challenge_type")?,
        execution: json(row, "execution")?,
        simulation: json(row, "simulation")?,
        started_at: from_millis(get(row, "started_at")?)?,
        submitted_at: from_millis(get(row, "submitted_at")?)?,
        scored_at: opt_from_millis(get(row, "scored_at")?)?,
        success: get(row, "success")?,
        xp_awarded: u(get(row, "xp_awarded")?),
        created_at: from_millis(get(row, "created_at")?)?,
        updated_at: from_millis(get(row, "updated_at")?)?,
    })
}

fn push_filter(q: &mut QueryBuilder<'_, sqlx::Sqlite>, f: &SubmissionFilter) {
    q.push(" WHERE 1 = 1");
    if let Some(p) = f.player {
        q.push(" AND player = ").push_bind(p.to_hex());
    }
    if let Some(c) = f.challenge {
        q.push(" AND challenge = ").push_bind(c.to_hex());
    }
    if let Some(l) = f.language {
        q.push(" AND language = ").push_bind(l.as_str());
    }
    if let Some(s) = f.status {
        q.push(" AND status = ").push_bind(s.as_str());
    }
    if let Some(m) = f.min_score {
        q.push(" AND score >= ").push_bind(m);
    }
    if let Some(m) = f.max_score {
        q.push(" AND score <= ").push_bind(m);
    }
    if let Some(t) = f.from {
        q.push(" AND created_at >= ").push_bind(millis(t));
    }
    if let Some(t) = f.to {
        q.push(" AND created_at <= ").push_bind(millis(t));
    }
}

#[async_trait]
impl SubmissionRepository for SqliteScoring {
    async fn insert(&self, s: &Submission) -> Result<(), StoreError> {
        // In the writer's group commit, with the scorings.
        let (execution, simulation) = (to_json(&s.execution)?, to_json(&s.simulation)?);
        let s = s.clone();
        self.db
            .write(move |conn| {
                let mut insert = conn.prepare_cached(&INSERT).map_err(sync_store_error)?;
                insert
                    .execute(params![
                        s.id.to_hex(),
                        s.player.to_hex(),
                        s.challenge.to_hex(),
                        s.attempt.map(|a| a.to_hex()),
                        s.language.as_str(),
                        s.difficulty,
                        s.execution.status.as_str(),
                        s.execution.score,
                        s.success,
                        s.execution.execution_time.map(n),
                        n(s.xp_awarded),
                        s.code,
                        execution,
                        simulation,
                        millis(s.started_at),
                        millis(s.submitted_at),
                        s.scored_at.map(millis),
                        millis(s.created_at),
                        millis(s.updated_at),
                        s.challenge_type,
                        i64::from(s.lines()),
                    ])
                    .map_err(sync_store_error)
            })
            .await
            .map_err(WriteError::into_inner)?;
        Ok(())
    }

    async fn find(&self, id: SubmissionId) -> Result<Option<Submission>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM submissions WHERE id = ?1"))
            .bind(id.to_hex())
            .fetch_optional(self.db.reads())
            .await
            .map_err(store_error)?;
        row.as_ref().map(from_row).transpose()
    }

    async fn list(
        &self,
        filter: &SubmissionFilter,
        page: PageRequest,
    ) -> Result<Page<Submission>, StoreError> {
        let column = match filter.sort {
            SubmissionSort::CreatedAt => "created_at",
            SubmissionSort::Score => "score",
            SubmissionSort::ExecutionTime => "COALESCE(execution_time, -1)",
        };
        let direction = if filter.descending { "DESC" } else { "ASC" };
        PageQuery {
            table: "submissions",
            columns: COLUMNS,
            filter: |q: &mut QueryBuilder<'_, sqlx::Sqlite>| push_filter(q, filter),
            order: &format!("{column} {direction}, id DESC"),
        }
        .fetch(&self.db, page, from_row, store_error)
        .await
    }

    async fn delete(&self, id: SubmissionId, player: PlayerId) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM submissions WHERE id = ?1 AND player = ?2")
            .bind(id.to_hex())
            .bind(player.to_hex())
            .execute(self.db.writes())
            .await
            .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_simulation(
        &self,
        id: SubmissionId,
        player: PlayerId,
        simulation: &Simulation,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE submissions SET simulation = ?3, updated_at = ?4 WHERE id = ?1 AND player = ?2",
        )
        .bind(id.to_hex())
        .bind(player.to_hex())
        .bind(to_json(simulation)?)
        .bind(millis(now))
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn facts(&self, player: PlayerId) -> Result<Vec<SubmissionFacts>, StoreError> {
        let rows = sqlx::query(
            "SELECT language, difficulty, challenge_type, lines, success, status, score, \
               execution_time, created_at \
             FROM submissions WHERE player = ?1",
        )
        .bind(player.to_hex())
        .fetch_all(self.db.reads())
        .await
        .map_err(store_error)?;
        rows.iter()
            .map(|row| {
                Ok(SubmissionFacts {
                    language: language(row)?,
                    difficulty: get(row, "difficulty")?,
                    challenge_type: get(row, "challenge_type")?,
                    lines: u32::try_from(get::<i64>(row, "lines")?).unwrap_or(0),
                    success: get(row, "success")?,
                    status: status(row)?,
                    score: get(row, "score")?,
                    execution_time: get::<Option<i64>>(row, "execution_time")?.map(u),
                    created_at: from_millis(get(row, "created_at")?)?,
                })
            })
            .collect()
    }
}
