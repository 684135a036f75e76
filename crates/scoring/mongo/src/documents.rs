//! Document shapes; field names follow the architecture document where it names them.

use chrono::NaiveDate;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::DateTime as BsonTime;
use serde::{Deserialize, Serialize};
use stackrush_kernel::StoreError;
use stackrush_scoring::achievement::{
    Achievement, AchievementCategory, AchievementId, Criteria, Rarity, Rewards,
};
use stackrush_scoring::progress::{
    ChallengeBest, LedgerEntry, LedgerEntryId, Progress, XpReason, XpSource,
};
use stackrush_scoring::streak::Streak;
use stackrush_scoring::{
    AttemptId, ChallengeRef, Execution, Language, PlayerId, PlaylistRef, ReviewRef, Simulation,
    Submission, SubmissionId,
};
use stackrush_store_mongo::corrupt;

use crate::{n, oid, u};

fn time(t: chrono::DateTime<chrono::Utc>) -> BsonTime {
    BsonTime::from_chrono(t)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MetadataDoc {
    pub started_at: BsonTime,
    pub submitted_at: BsonTime,
    pub scored_at: Option<BsonTime>,
    pub is_completed: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SubmissionDoc {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub user: ObjectId,
    pub challenge: ObjectId,
    pub attempt: Option<ObjectId>,
    pub code: String,
    pub language: String,
    pub difficulty: String,
    #[serde(default)]
    pub challenge_type: String,
    #[serde(default)]
    pub lines: i64,
    pub execution: Execution,
    pub simulation: Simulation,
    pub metadata: MetadataDoc,
    pub success: bool,
    pub xp_awarded: i64,
    pub created_at: BsonTime,
    pub updated_at: BsonTime,
}

impl From<&Submission> for SubmissionDoc {
    fn from(s: &Submission) -> Self {
        Self {
            id: oid(s.id.bytes()),
            user: oid(s.player.bytes()),
            challenge: oid(s.challenge.bytes()),
            attempt: s.attempt.map(|a| oid(a.bytes())),
            code: s.code.clone(),
            language: s.language.as_str().to_owned(),
            difficulty: s.difficulty.clone(),
            challenge_type: s.challenge_type.clone(),
            lines: i64::from(s.lines()),
            execution: s.execution.clone(),
            simulation: s.simulation,
            metadata: MetadataDoc {
                started_at: time(s.started_at),
                submitted_at: time(s.submitted_at),
                scored_at: s.scored_at.map(time),
                is_completed: s.is_completed(),
            },
            success: s.success,
            xp_awarded: n(s.xp_awarded),
            created_at: time(s.created_at),
            updated_at: time(s.updated_at),
        }
    }
}

impl TryFrom<SubmissionDoc> for Submission {
    type Error = StoreError;

    fn try_from(d: SubmissionDoc) -> Result<Self, StoreError> {
        Ok(Self {
            id: SubmissionId::from_bytes(d.id.bytes()),
            player: PlayerId::from_bytes(d.user.bytes()),
            challenge: ChallengeRef::from_bytes(d.challenge.bytes()),
            attempt: d.attempt.map(|a| AttemptId::from_bytes(a.bytes())),
            code: d.code,
            language: Language::parse(&d.language)
                .ok_or_else(|| corrupt("language", &d.language))?,
            difficulty: d.difficulty,
            challenge_type: d.challenge_type,
            execution: d.execution,
            simulation: d.simulation,
            started_at: d.metadata.started_at.to_chrono(),
            submitted_at: d.metadata.submitted_at.to_chrono(),
            scored_at: d.metadata.scored_at.map(BsonTime::to_chrono),
            success: d.success,
            xp_awarded: u(d.xp_awarded),
            created_at: d.created_at.to_chrono(),
            updated_at: d.updated_at.to_chrono(),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProgressDoc {
    #[serde(rename = "_id")]
    pub user: ObjectId,
    pub xp: i64,
    pub level: i64,
    pub attempts: i64,
    pub completed: i64,
    pub streak: i64,
    pub best_streak: i64,
    pub last_day: Option<String>,
    pub last_active_at: Option<BsonTime>,
    pub listed: bool,
    pub version: i64,
}

impl From<&Progress> for ProgressDoc {
    fn from(p: &Progress) -> Self {
        Self {
            user: oid(p.player.bytes()),
            xp: n(p.xp),
            level: i64::from(p.level),
            attempts: n(p.attempts),
            completed: n(p.completed),
            streak: i64::from(p.streak.current),
            best_streak: i64::from(p.streak.best),
            last_day: p.streak.last_day.map(|d| d.to_string()),
            last_active_at: p.last_active_at.map(time),
            listed: p.listed,
            version: n(p.version),
        }
    }
}

fn small(value: i64, what: &str) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|e| corrupt(what, e))
}

impl TryFrom<ProgressDoc> for Progress {
    type Error = StoreError;

    fn try_from(d: ProgressDoc) -> Result<Self, StoreError> {
        Ok(Self {
            player: PlayerId::from_bytes(d.user.bytes()),
            xp: u(d.xp),
            level: small(d.level, "level")?,
            attempts: u(d.attempts),
            completed: u(d.completed),
            streak: Streak {
                current: small(d.streak, "streak")?,
                best: small(d.best_streak, "best streak")?,
                last_day: d
                    .last_day
                    .map(|s| s.parse::<NaiveDate>().map_err(|e| corrupt("last day", e)))
                    .transpose()?,
            },
            last_active_at: d.last_active_at.map(BsonTime::to_chrono),
            listed: d.listed,
            version: u(d.version),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LedgerDoc {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub user: ObjectId,
    pub delta: i64,
    pub reason: String,
    pub source_kind: String,
    pub source: ObjectId,
    pub challenge: Option<ObjectId>,
    pub balance: i64,
    pub at: BsonTime,
}

impl From<&LedgerEntry> for LedgerDoc {
    fn from(e: &LedgerEntry) -> Self {
        let (kind, source) = (e.source.kind(), e.source.id_bytes());
        Self {
            id: oid(e.id.bytes()),
            user: oid(e.player.bytes()),
            delta: e.delta,
            reason: e.reason.as_str().to_owned(),
            source_kind: kind.to_owned(),
            source: oid(source),
            challenge: e.challenge.map(|c| oid(c.bytes())),
            balance: n(e.balance),
            at: time(e.at),
        }
    }
}

impl TryFrom<LedgerDoc> for LedgerEntry {
    type Error = StoreError;

    fn try_from(d: LedgerDoc) -> Result<Self, StoreError> {
        let source = match d.source_kind.as_str() {
            "submission" => XpSource::Submission(SubmissionId::from_bytes(d.source.bytes())),
            "achievement" => XpSource::Achievement(AchievementId::from_bytes(d.source.bytes())),
            "code_review" => XpSource::CodeReview(ReviewRef::from_bytes(d.source.bytes())),
            "playlist" => XpSource::Playlist(PlaylistRef::from_bytes(d.source.bytes())),
            other => return Err(corrupt("source kind", other)),
        };
        Ok(Self {
            id: LedgerEntryId::from_bytes(d.id.bytes()),
            player: PlayerId::from_bytes(d.user.bytes()),
            delta: d.delta,
            reason: XpReason::parse(&d.reason).ok_or_else(|| corrupt("reason", &d.reason))?,
            source,
            challenge: d.challenge.map(|c| ChallengeRef::from_bytes(c.bytes())),
            balance: u(d.balance),
            at: d.at.to_chrono(),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BoardScoreDoc {
    pub board: String,
    pub user: ObjectId,
    pub xp: i64,
    pub reached_at: BsonTime,
    pub listed: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BestDoc {
    pub challenge: ObjectId,
    pub user: ObjectId,
    pub submission: ObjectId,
    pub score: f64,
    pub achieved_at: BsonTime,
    /// Reported by the browser; shown, never ranked on.
    pub execution_time: Option<i64>,
    /// Observed by the server (attempt start to scoring, milliseconds).
    #[serde(default)]
    pub solve_time: Option<i64>,
    /// `solveTime`, or the largest value without one: what ties sort on (then `achievedAt`).
    /// Documents from before it are given it by [`crate::ensure_indexes`].
    #[serde(default = "unknown_solve")]
    pub solve_key: i64,
    pub listed: bool,
}

/// The solve key of a best without a known solve time: after every known one.
pub(crate) fn unknown_solve() -> i64 {
    i64::MAX
}

impl From<&ChallengeBest> for BestDoc {
    fn from(b: &ChallengeBest) -> Self {
        Self {
            challenge: oid(b.challenge.bytes()),
            user: oid(b.player.bytes()),
            submission: oid(b.submission.bytes()),
            score: b.score,
            achieved_at: time(b.achieved_at),
            execution_time: b.execution_time.map(n),
            solve_time: b.solve_time.map(n),
            solve_key: n(b.solve_key()),
            listed: b.listed,
        }
    }
}

impl From<BestDoc> for ChallengeBest {
    fn from(d: BestDoc) -> Self {
        Self {
            player: PlayerId::from_bytes(d.user.bytes()),
            challenge: ChallengeRef::from_bytes(d.challenge.bytes()),
            submission: SubmissionId::from_bytes(d.submission.bytes()),
            score: d.score,
            achieved_at: d.achieved_at.to_chrono(),
            execution_time: d.execution_time.map(u),
            solve_time: d.solve_time.map(u),
            listed: d.listed,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AchievementDoc {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub key: String,
    pub name: String,
    pub description: String,
    pub icon: Option<String>,
    pub category: AchievementCategory,
    pub criteria: Criteria,
    pub rewards: Rewards,
    pub rarity: Rarity,
    pub is_active: bool,
    pub created_at: BsonTime,
}

impl From<&Achievement> for AchievementDoc {
    fn from(a: &Achievement) -> Self {
        Self {
            id: oid(a.id.bytes()),
            key: a.key.clone(),
            name: a.name.clone(),
            description: a.description.clone(),
            icon: a.icon.clone(),
            category: a.category,
            criteria: a.criteria.clone(),
            rewards: a.rewards.clone(),
            rarity: a.rarity,
            is_active: a.is_active,
            created_at: time(a.created_at),
        }
    }
}

impl From<AchievementDoc> for Achievement {
    fn from(d: AchievementDoc) -> Self {
        Self {
            id: AchievementId::from_bytes(d.id.bytes()),
            key: d.key,
            name: d.name,
            description: d.description,
            icon: d.icon,
            category: d.category,
            criteria: d.criteria,
            rewards: d.rewards,
            rarity: d.rarity,
            is_active: d.is_active,
            created_at: d.created_at.to_chrono(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UnlockDoc {
    pub user: ObjectId,
    pub achievement: ObjectId,
    pub unlocked_at: BsonTime,
}
