//! Leaderboard and achievement bodies.

use apistos::{ApiComponent, JsonSchema};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use stackrush_scoring as sc;

use super::dto::AchievementDto;
use crate::envelope::Pagination;

/// A ranked user's public face.
#[derive(Debug, Clone, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct RankedUserDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub username: Option<String>,
    pub profile: RankedProfileDto,
}

/// Name and avatar.
#[derive(Debug, Clone, Default, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct RankedProfileDto {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub avatar: Option<String>,
}

impl RankedUserDto {
    /// The user `id`, described by their face when their account is usable.
    pub fn new(id: String, summary: Option<&sc::PlayerFace>) -> Self {
        Self {
            id,
            username: summary.map(|s| s.username.clone()),
            profile: summary.map_or_else(RankedProfileDto::default, |s| RankedProfileDto {
                first_name: s.first_name.clone(),
                last_name: s.last_name.clone(),
                avatar: s.avatar.clone(),
            }),
        }
    }
}

/// One row of an XP board.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct BoardEntryDto {
    /// Competition rank: ties share it, the next rank skips (1, 2, 2, 4).
    pub rank: u64,
    pub user: RankedUserDto,
    pub xp: u64,
    /// When the user reached this XP; earlier first among ties.
    pub reached_at: DateTime<Utc>,
}

/// The window a board covers (`null` bounds for all time).
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct WindowDto {
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

/// An XP board.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct LeaderboardDto {
    /// `global`, `weekly` or `monthly`.
    pub board: String,
    pub window: WindowDto,
    pub tie_rule: String,
    pub entries: Vec<BoardEntryDto>,
    pub pagination: Pagination,
}

/// One row of a challenge's board.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ChallengeEntryDto {
    pub rank: u64,
    pub user: RankedUserDto,
    pub score: f64,
    pub achieved_at: DateTime<Utc>,
    /// Milliseconds the browser reported (shown only).
    pub execution_time: Option<u64>,
    /// Milliseconds from the attempt's start to the scoring, as the server observed them: equal
    /// scores rank by this, then by `achievedAt` (null: no attempt was started; ranks last).
    pub solve_time: Option<u64>,
    pub submission: String,
}

/// A challenge's board.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ChallengeBoardDto {
    pub challenge: String,
    pub tie_rule: String,
    pub entries: Vec<ChallengeEntryDto>,
    pub pagination: Pagination,
}

/// `me`: the caller's rank with neighbours.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum AroundDto {
    Me,
}

/// Leaderboard query.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct BoardQuery {
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub page: Option<u32>,
    /// At most 100 (larger values are clamped).
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub limit: Option<u32>,
    /// `me` (signed in): the caller's row with five neighbours each side.
    pub around: Option<AroundDto>,
}

/// Ranking figure of the client's `/users/leaderboard`.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum TopTypeDto {
    Xp,
    Level,
    Streak,
    Completed,
}

/// `GET /users/leaderboard` query.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct TopQuery {
    #[serde(rename = "type")]
    pub kind: Option<TopTypeDto>,
    /// At most 100 (larger values are clamped); default 10.
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub limit: Option<u32>,
}

/// Figures shown on `/users/leaderboard`.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct TopStatsDto {
    pub xp: u64,
    pub level: u32,
    pub completed_challenges: u64,
    pub streak: u32,
}

/// One row of `/users/leaderboard`.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct TopUserDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub username: Option<String>,
    pub profile: RankedProfileDto,
    pub stats: TopStatsDto,
}

impl TopUserDto {
    /// Progress `p` with the user's public face.
    pub fn new(p: sc::Progress, summary: Option<&sc::PlayerFace>) -> Self {
        let user = RankedUserDto::new(p.player.to_hex(), summary);
        Self {
            id: user.id,
            username: user.username,
            profile: user.profile,
            stats: TopStatsDto {
                xp: p.xp,
                level: p.level,
                completed_challenges: p.completed,
                streak: p.streak.current,
            },
        }
    }
}

/// An unlocked achievement.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct UnlockedDto {
    pub achievement: AchievementDto,
    pub unlocked_at: DateTime<Utc>,
}

/// What `POST /achievements/check` unlocked.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct CheckedDto {
    pub unlocked: Vec<AchievementDto>,
}

/// Category of an achievement.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum CategoryDto {
    Beginner,
    Performance,
    Consistency,
    Social,
}

/// Rarity of an achievement.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum RarityDto {
    Common,
    Rare,
    Epic,
    Legendary,
}

/// What an achievement measures.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "snake_case")]
#[schemars(crate = "apistos")]
pub enum CriteriaTypeDto {
    ChallengeCount,
    Streak,
    Score,
    Time,
    Special,
}

/// When an achievement unlocks.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct CriteriaDto {
    #[serde(rename = "type")]
    pub kind: CriteriaTypeDto,
    #[schemars(range(min = 0, max = 1_000_000))]
    pub target: u64,
    /// For `special`: `{"kind": "first_submission"}` or `{"kind": "language_mastery",
    /// "language": "python"}`.
    pub conditions: Option<serde_json::Map<String, serde_json::Value>>,
}

/// What unlocking gives.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct RewardsDto {
    #[schemars(range(min = 0, max = 100_000))]
    pub xp: Option<u64>,
    #[schemars(length(min = 1, max = 100))]
    pub badge: Option<String>,
    #[schemars(length(min = 1, max = 100))]
    pub title: Option<String>,
}

/// `POST /achievements`, `PUT /achievements/{id}` (admins).
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct AchievementRequest {
    /// Stable identifier: lowercase words joined by hyphens.
    #[schemars(
        length(min = 1, max = 60),
        regex(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$")
    )]
    pub key: String,
    #[schemars(length(min = 1, max = 100))]
    pub name: String,
    #[schemars(length(min = 1, max = 500))]
    pub description: String,
    #[schemars(length(max = 200))]
    pub icon: Option<String>,
    pub category: CategoryDto,
    pub criteria: CriteriaDto,
    pub rewards: Option<RewardsDto>,
    pub rarity: RarityDto,
    /// Default true.
    pub is_active: Option<bool>,
}

impl From<AchievementRequest> for sc::AchievementDraft {
    fn from(r: AchievementRequest) -> Self {
        use sc::achievement::{AchievementCategory as C, CriteriaType as T, Rarity as R};
        let rewards = r.rewards.unwrap_or(RewardsDto {
            xp: None,
            badge: None,
            title: None,
        });
        Self {
            key: r.key,
            name: r.name,
            description: r.description,
            icon: r.icon,
            category: match r.category {
                CategoryDto::Beginner => C::Beginner,
                CategoryDto::Performance => C::Performance,
                CategoryDto::Consistency => C::Consistency,
                CategoryDto::Social => C::Social,
            },
            criteria: sc::achievement::Criteria {
                kind: match r.criteria.kind {
                    CriteriaTypeDto::ChallengeCount => T::ChallengeCount,
                    CriteriaTypeDto::Streak => T::Streak,
                    CriteriaTypeDto::Score => T::Score,
                    CriteriaTypeDto::Time => T::Time,
                    CriteriaTypeDto::Special => T::Special,
                },
                target: r.criteria.target,
                conditions: r.criteria.conditions.unwrap_or_default(),
            },
            rewards: sc::achievement::Rewards {
                xp: rewards.xp.unwrap_or(0),
                badge: rewards.badge,
                title: rewards.title,
            },
            rarity: match r.rarity {
                RarityDto::Common => R::Common,
                RarityDto::Rare => R::Rare,
                RarityDto::Epic => R::Epic,
                RarityDto::Legendary => R::Legendary,
            },
            is_active: r.is_active.unwrap_or(true),
        }
    }
}
