//! SQLite adapter of the challenges ports. Shares the pool (and file) with the other contexts;
//! [`migrate`] applies this context's embedded migrations idempotently. [`tallies`] moves a
//! challenge's statistics inside another writer's transaction (the scoring commit's).

pub mod tallies;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};
use stackrush_challenges::ports::ChallengeRepository;
use stackrush_challenges::{
    ApiSpec, Challenge, ChallengeFilter, ChallengeId, ChallengeStats, ChallengeType, Code, Content,
    Difficulty, Scenario, SortKey, StarterProject, Visibility,
};
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_store_sqlite::Db;
use stackrush_store_sqlite::{corrupt, from_millis as time};

/// Applies this context's migrations; other contexts' migrations in the same file are left alone.
pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    stackrush_store_sqlite::apply_migrations(db, sqlx::migrate!("./migrations")).await
}

/// Challenges in the `challenges` table.
#[derive(Debug, Clone)]
pub struct SqliteChallenges {
    db: Db,
}

impl SqliteChallenges {
    /// The adapter over `db` (migrated with [`migrate`]).
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

/// The JSON `body` column.
#[derive(Serialize, Deserialize)]
struct Body {
    content: Content,
    code: Code,
    scenario: Scenario,
    /// Absent in rows written before backend-API challenges existed.
    #[serde(default)]
    api: ApiSpec,
    /// Absent in rows written before multi-file challenges existed.
    #[serde(default)]
    project: StarterProject,
}

const COLUMNS: &str = "id, slug, title, description, kind, difficulty, category, tags, time_limit, body, author, \
    is_public, is_active, deleted_at, total_attempts, successful_attempts, average_time, average_score, \
    popularity_score, created_at, updated_at";

fn store_error(err: sqlx::Error) -> StoreError {
    stackrush_store_sqlite::store_error(err, &[("slug", "slug")])
}

fn from_row(row: &SqliteRow) -> Result<Challenge, StoreError> {
    let e = |e: sqlx::Error| corrupt("challenge row", e);
    let body: Body = serde_json::from_str(&row.try_get::<String, _>("body").map_err(e)?)
        .map_err(|x| corrupt("body", x))?;
    let tags: Vec<String> = serde_json::from_str(&row.try_get::<String, _>("tags").map_err(e)?)
        .map_err(|x| corrupt("tags", x))?;
    let kind: String = row.try_get("kind").map_err(e)?;
    let difficulty: String = row.try_get("difficulty").map_err(e)?;
    Ok(Challenge {
        id: row
            .try_get::<String, _>("id")
            .map_err(e)?
            .parse()
            .map_err(|x| corrupt("id", x))?,
        slug: row.try_get("slug").map_err(e)?,
        title: row.try_get("title").map_err(e)?,
        description: row.try_get("description").map_err(e)?,
        kind: ChallengeType::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
        difficulty: Difficulty::parse(&difficulty)
            .ok_or_else(|| corrupt("difficulty", &difficulty))?,
        category: row.try_get("category").map_err(e)?,
        tags,
        time_limit: row.try_get("time_limit").map_err(e)?,
        content: body.content,
        code: body.code,
        scenario: body.scenario,
        api: body.api,
        project: body.project,
        stats: ChallengeStats {
            total_attempts: u64::try_from(row.try_get::<i64, _>("total_attempts").map_err(e)?)
                .unwrap_or(0),
            successful_attempts: u64::try_from(
                row.try_get::<i64, _>("successful_attempts").map_err(e)?,
            )
            .unwrap_or(0),
            average_time: row.try_get("average_time").map_err(e)?,
            average_score: row.try_get("average_score").map_err(e)?,
            popularity_score: row.try_get("popularity_score").map_err(e)?,
        },
        author: row
            .try_get::<String, _>("author")
            .map_err(e)?
            .parse()
            .map_err(|x| corrupt("author", x))?,
        is_public: row.try_get("is_public").map_err(e)?,
        is_active: row.try_get("is_active").map_err(e)?,
        deleted_at: row
            .try_get::<Option<i64>, _>("deleted_at")
            .map_err(e)?
            .map(time)
            .transpose()?,
        created_at: time(row.try_get("created_at").map_err(e)?)?,
        updated_at: time(row.try_get("updated_at").map_err(e)?)?,
    })
}

fn json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Other(e.into()))
}

fn body(c: &Challenge) -> Result<String, StoreError> {
    json(&Body {
        content: c.content.clone(),
        code: c.code.clone(),
        scenario: c.scenario.clone(),
        api: c.api.clone(),
        project: c.project.clone(),
    })
}

/// `WHERE …` for a list: only the filters in use, each value bound, so SQLite can pick the
/// index that fits (`?n IS NULL OR column = ?n` would force a scan). `instr` matches literally.
fn push_conditions(
    q: &mut QueryBuilder<'_, Sqlite>,
    f: &ChallengeFilter,
    visibility: Visibility,
) -> Result<(), StoreError> {
    q.push(" WHERE deleted_at IS NULL");
    match visibility {
        Visibility::Everything => {}
        Visibility::Public { also_author: None } => {
            q.push(" AND is_public = 1 AND is_active = 1");
        }
        Visibility::Public {
            also_author: Some(author),
        } => {
            q.push(" AND ((is_public = 1 AND is_active = 1) OR author = ")
                .push_bind(author.to_hex())
                .push(")");
        }
    }
    if let Some(kind) = f.kind {
        q.push(" AND kind = ").push_bind(kind.as_str());
    }
    if let Some(difficulty) = f.difficulty {
        q.push(" AND difficulty = ").push_bind(difficulty.as_str());
    }
    if let Some(category) = &f.category {
        q.push(" AND category = ").push_bind(category.clone());
    }
    if !f.tags.is_empty() {
        q.push(
            " AND EXISTS (SELECT 1 FROM json_each(challenges.tags) t \
             WHERE t.value IN (SELECT value FROM json_each(",
        )
        .push_bind(json(&f.tags)?)
        .push(")))");
    }
    if let Some(limit) = f.max_time_limit {
        q.push(" AND time_limit <= ").push_bind(limit);
    }
    if let Some(author) = f.author {
        q.push(" AND author = ").push_bind(author.to_hex());
    }
    if let Some(search) = f.search.as_ref().filter(|s| s.chars().count() >= 3) {
        // Trigram index: a quoted FTS5 string matches as a case-insensitive substring.
        q.push(" AND rowid IN (SELECT rowid FROM challenges_search WHERE challenges_search MATCH ")
            .push_bind(format!("\"{}\"", search.replace('"', "\"\"")))
            .push(")");
    } else if let Some(search) = &f.search {
        // Under three characters no trigram exists: a scan.
        let search = search.to_lowercase();
        q.push(" AND (instr(lower(title), ")
            .push_bind(search.clone())
            .push(") > 0 OR instr(lower(description), ")
            .push_bind(search.clone())
            .push(
                ") > 0 OR EXISTS (SELECT 1 FROM json_each(challenges.tags) t WHERE instr(t.value, ",
            )
            .push_bind(search)
            .push(") > 0))");
    }
    Ok(())
}

fn order_by(filter: &ChallengeFilter) -> String {
    let column = match filter.sort {
        SortKey::CreatedAt => "created_at",
        SortKey::Title => "title",
        SortKey::Difficulty => "difficulty_rank",
        SortKey::Popularity => "popularity_score",
        SortKey::TotalAttempts => "total_attempts",
        SortKey::AverageScore => "average_score",
    };
    let direction = if filter.descending { "DESC" } else { "ASC" };
    format!("{column} {direction}, id DESC")
}

#[async_trait]
impl ChallengeRepository for SqliteChallenges {
    async fn insert(&self, c: &Challenge) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO challenges ({COLUMNS}, difficulty_rank) VALUES \
             (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)"
        );
        sqlx::query(&sql)
            .bind(c.id.to_hex())
            .bind(&c.slug)
            .bind(&c.title)
            .bind(&c.description)
            .bind(c.kind.as_str())
            .bind(c.difficulty.as_str())
            .bind(&c.category)
            .bind(json(&c.tags)?)
            .bind(c.time_limit)
            .bind(body(c)?)
            .bind(c.author.to_hex())
            .bind(c.is_public)
            .bind(c.is_active)
            .bind(c.deleted_at.map(|t| t.timestamp_millis()))
            .bind(i64::try_from(c.stats.total_attempts).unwrap_or(i64::MAX))
            .bind(i64::try_from(c.stats.successful_attempts).unwrap_or(i64::MAX))
            .bind(c.stats.average_time)
            .bind(c.stats.average_score)
            .bind(c.stats.popularity_score)
            .bind(c.created_at.timestamp_millis())
            .bind(c.updated_at.timestamp_millis())
            .bind(c.difficulty.rank())
            .execute(self.db.writes())
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn find_by_id(&self, id: ChallengeId) -> Result<Option<Challenge>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM challenges WHERE id = ?1"))
            .bind(id.to_hex())
            .fetch_optional(self.db.reads())
            .await
            .map_err(store_error)?;
        row.as_ref().map(from_row).transpose()
    }

    async fn find_by_slug(&self, slug: &str) -> Result<Option<Challenge>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM challenges WHERE slug = ?1"))
            .bind(slug)
            .fetch_optional(self.db.reads())
            .await
            .map_err(store_error)?;
        row.as_ref().map(from_row).transpose()
    }

    async fn replace_content(&self, c: &Challenge) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE challenges SET slug = ?2, title = ?3, description = ?4, kind = ?5, difficulty = ?6, \
             difficulty_rank = ?7, category = ?8, tags = ?9, time_limit = ?10, body = ?11, is_public = ?12, \
             is_active = ?13, updated_at = ?14 WHERE id = ?1",
        )
        .bind(c.id.to_hex())
        .bind(&c.slug)
        .bind(&c.title)
        .bind(&c.description)
        .bind(c.kind.as_str())
        .bind(c.difficulty.as_str())
        .bind(c.difficulty.rank())
        .bind(&c.category)
        .bind(json(&c.tags)?)
        .bind(c.time_limit)
        .bind(body(c)?)
        .bind(c.is_public)
        .bind(c.is_active)
        .bind(c.updated_at.timestamp_millis())
        .execute(self.db.writes())
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn soft_delete(&self, id: ChallengeId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE challenges SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1 AND deleted_at IS NULL")
            .bind(id.to_hex())
            .bind(at.timestamp_millis())
            .execute(self.db.writes())
            .await
            .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn list(
        &self,
        f: &ChallengeFilter,
        visibility: Visibility,
        page: PageRequest,
    ) -> Result<Page<Challenge>, StoreError> {
        let mut count = QueryBuilder::new("SELECT COUNT(*) FROM challenges");
        push_conditions(&mut count, f, visibility)?;
        let total: i64 = count
            .build_query_scalar()
            .fetch_one(self.db.reads())
            .await
            .map_err(store_error)?;
        // The page is chosen on narrow rows (id and sort key), then its full rows are read: the
        // sort never carries the content and code columns.
        let order = order_by(f);
        let mut list = QueryBuilder::new(format!(
            "SELECT {COLUMNS} FROM challenges WHERE id IN (SELECT id FROM challenges"
        ));
        push_conditions(&mut list, f, visibility)?;
        list.push(format!(" ORDER BY {order} LIMIT "))
            .push_bind(page.limit())
            .push(" OFFSET ")
            .push_bind(i64::try_from(page.offset()).unwrap_or(i64::MAX))
            .push(format!(") ORDER BY {order}"));
        let rows = list
            .build()
            .fetch_all(self.db.reads())
            .await
            .map_err(store_error)?;
        Ok(Page {
            items: rows.iter().map(from_row).collect::<Result<_, _>>()?,
            request: page,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    async fn category_counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT category, COUNT(*) AS n FROM challenges WHERE deleted_at IS NULL AND is_public = 1 AND is_active = 1 \
             GROUP BY category ORDER BY n DESC, category ASC",
        )
        .fetch_all(self.db.reads())
        .await
        .map_err(store_error)?;
        rows.iter()
            .map(|r| {
                let n: i64 = r.try_get("n").map_err(|e| corrupt("count", e))?;
                Ok((
                    r.try_get("category").map_err(|e| corrupt("category", e))?,
                    u64::try_from(n).unwrap_or(0),
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::Body;

    #[test]
    fn bodies_written_before_the_api_and_project_parts_still_read() {
        let c = stackrush_challenges::contract::sample("old", "Old Row");
        let mut value: serde_json::Value = serde_json::from_str(&super::body(&c).unwrap()).unwrap();
        let object = value.as_object_mut().unwrap();
        object.remove("api");
        object.remove("project");
        let scenario = object["scenario"].as_object_mut().unwrap();
        for key in ["stakeholders", "businessContext", "constraints"] {
            scenario.remove(key);
        }
        let old: Body = serde_json::from_value(value).unwrap();
        assert_eq!(old.api, Default::default());
        assert_eq!(old.project, Default::default());
        assert!(old.scenario.stakeholders.is_empty());
        assert_eq!(old.scenario.background, c.scenario.background);
    }
}
