//! Achievement definitions (`achievements`) and unlocks (`player_achievements`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteRow;
use stackrush_kernel::StoreError;
use stackrush_scoring::achievement::{
    Achievement, AchievementCategory, AchievementId, Criteria, Rarity, Rewards,
};
use stackrush_scoring::ports::AchievementRepository;
use stackrush_scoring::PlayerId;
use stackrush_store_sqlite::{from_millis, millis};

use crate::{store_error, SqliteScoring};
use stackrush_store_sqlite::rows::{get, json, parsed, to_json};

/// What the `body` column holds.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Body {
    name: String,
    description: String,
    icon: Option<String>,
    category: AchievementCategory,
    criteria: Criteria,
    rewards: Rewards,
    rarity: Rarity,
    is_active: bool,
}

fn body(a: &Achievement) -> Result<String, StoreError> {
    to_json(&Body {
        name: a.name.clone(),
        description: a.description.clone(),
        icon: a.icon.clone(),
        category: a.category,
        criteria: a.criteria.clone(),
        rewards: a.rewards.clone(),
        rarity: a.rarity,
        is_active: a.is_active,
    })
}

fn from_row(row: &SqliteRow) -> Result<Achievement, StoreError> {
    let b: Body = json(row, "body")?;
    Ok(Achievement {
        id: parsed(row, "id")?,
        key: get(row, "key")?,
        name: b.name,
        description: b.description,
        icon: b.icon,
        category: b.category,
        criteria: b.criteria,
        rewards: b.rewards,
        rarity: b.rarity,
        is_active: b.is_active,
        created_at: from_millis(get(row, "created_at")?)?,
    })
}

#[async_trait]
impl AchievementRepository for SqliteScoring {
    async fn insert(&self, a: &Achievement) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO achievements (id, key, body, created_at) VALUES (?1, ?2, ?3, ?4)")
            .bind(a.id.to_hex())
            .bind(&a.key)
            .bind(body(a)?)
            .bind(millis(a.created_at))
            .execute(self.db.writes())
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn replace(&self, a: &Achievement) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE achievements SET key = ?2, body = ?3 WHERE id = ?1")
            .bind(a.id.to_hex())
            .bind(&a.key)
            .bind(body(a)?)
            .execute(self.db.writes())
            .await
            .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete(&self, id: AchievementId) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM achievements WHERE id = ?1")
            .bind(id.to_hex())
            .execute(self.db.writes())
            .await
            .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn find(&self, id: AchievementId) -> Result<Option<Achievement>, StoreError> {
        sqlx::query("SELECT id, key, body, created_at FROM achievements WHERE id = ?1")
            .bind(id.to_hex())
            .fetch_optional(self.db.reads())
            .await
            .map_err(store_error)?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    async fn list(&self) -> Result<Vec<Achievement>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, key, body, created_at FROM achievements ORDER BY created_at, id",
        )
        .fetch_all(self.db.reads())
        .await
        .map_err(store_error)?;
        rows.iter().map(from_row).collect()
    }

    async fn unlocked(
        &self,
        player: PlayerId,
    ) -> Result<Vec<(AchievementId, DateTime<Utc>)>, StoreError> {
        let rows = sqlx::query(
            "SELECT achievement, unlocked_at FROM player_achievements WHERE player = ?1 \
             ORDER BY unlocked_at, achievement",
        )
        .bind(player.to_hex())
        .fetch_all(self.db.reads())
        .await
        .map_err(store_error)?;
        rows.iter()
            .map(|row| {
                Ok((
                    parsed(row, "achievement")?,
                    from_millis(get(row, "unlocked_at")?)?,
                ))
            })
            .collect()
    }
}
