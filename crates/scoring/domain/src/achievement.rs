//! Achievements: definitions, the facts they are judged on, and the default set.

use chrono::{DateTime, Utc};
use garde::Validate;
use serde::{Deserialize, Serialize};
use stackrush_kernel::define_id;

use crate::model::PlayerId;
use crate::submission::Language;

define_id!(
    /// Identifies one achievement definition.
    AchievementId
);

/// Groups achievements on the profile page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AchievementCategory {
    Beginner,
    Performance,
    Consistency,
    Social,
}

/// How rare an achievement is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rarity {
    Common,
    Rare,
    Epic,
    Legendary,
}

impl Rarity {
    /// Rare or rarer: a milestone worth an email.
    pub fn is_rare(self) -> bool {
        !matches!(self, Self::Common)
    }
}

/// What an achievement measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CriteriaType {
    /// Challenges completed (first successes) ≥ target.
    ChallengeCount,
    /// Current streak ≥ target days.
    Streak,
    /// A successful submission scored ≥ target.
    Score,
    /// A success within target seconds of starting the attempt.
    Time,
    /// Named by `conditions.kind`: `first_submission` (target scored submissions) or
    /// `language_mastery` (target successes in `conditions.language`, or in any one language).
    Special,
}

/// When an achievement unlocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(rename_all = "camelCase")]
pub struct Criteria {
    #[garde(skip)]
    #[serde(rename = "type")]
    pub kind: CriteriaType,
    #[garde(range(min = 0, max = 1_000_000))]
    pub target: u64,
    #[garde(skip)]
    #[serde(default)]
    pub conditions: serde_json::Map<String, serde_json::Value>,
}

/// What unlocking gives.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[serde(rename_all = "camelCase")]
pub struct Rewards {
    #[garde(range(max = 100_000))]
    pub xp: u64,
    #[garde(inner(length(chars, min = 1, max = 100)))]
    pub badge: Option<String>,
    #[garde(inner(length(chars, min = 1, max = 100)))]
    pub title: Option<String>,
}

/// An achievement definition as written by an admin.
#[derive(Debug, Clone, PartialEq, Validate)]
pub struct AchievementDraft {
    /// Stable identifier of seeded definitions (`first-submission`); unique.
    #[garde(length(chars, min = 1, max = 60), pattern(r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub key: String,
    #[garde(length(chars, min = 1, max = 100))]
    pub name: String,
    #[garde(length(chars, min = 1, max = 500))]
    pub description: String,
    #[garde(inner(length(chars, max = 200)))]
    pub icon: Option<String>,
    #[garde(skip)]
    pub category: AchievementCategory,
    #[garde(dive)]
    pub criteria: Criteria,
    #[garde(dive)]
    pub rewards: Rewards,
    #[garde(skip)]
    pub rarity: Rarity,
    #[garde(skip)]
    pub is_active: bool,
}

/// An achievement definition as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Achievement {
    pub id: AchievementId,
    pub key: String,
    pub name: String,
    pub description: String,
    pub icon: Option<String>,
    pub category: AchievementCategory,
    pub criteria: Criteria,
    pub rewards: Rewards,
    pub rarity: Rarity,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
}

impl Achievement {
    /// The definition `draft` stored as `id`.
    pub fn from_draft(id: AchievementId, draft: AchievementDraft, now: DateTime<Utc>) -> Self {
        Self {
            id,
            key: draft.key,
            name: draft.name,
            description: draft.description,
            icon: draft.icon,
            category: draft.category,
            criteria: draft.criteria,
            rewards: draft.rewards,
            rarity: draft.rarity,
            is_active: draft.is_active,
            created_at: now,
        }
    }
}

/// One achievement a player unlocked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unlock {
    pub player: PlayerId,
    pub achievement: AchievementId,
    pub xp: u64,
    pub unlocked_at: DateTime<Utc>,
}

/// An unlocked achievement with its definition.
#[derive(Debug, Clone, PartialEq)]
pub struct UnlockedAchievement {
    pub achievement: Achievement,
    pub unlocked_at: DateTime<Utc>,
}

/// What achievements are judged on.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Facts {
    pub scored_submissions: u64,
    pub completed_challenges: u64,
    pub current_streak: u32,
    /// The submission just scored, when it succeeded.
    pub success: Option<SuccessFacts>,
    /// Successes per language, this one included.
    pub language_successes: Vec<(Language, u64)>,
}

/// The successful submission just scored.
#[derive(Debug, Clone, PartialEq)]
pub struct SuccessFacts {
    pub score: f64,
    pub language: Language,
    /// Seconds from the attempt's start; `None` without an attempt.
    pub seconds: Option<f64>,
}

/// Whether `criteria` holds for `facts`.
pub fn is_met(criteria: &Criteria, facts: &Facts) -> bool {
    let target = criteria.target;
    match criteria.kind {
        CriteriaType::ChallengeCount => facts.completed_challenges >= target,
        CriteriaType::Streak => u64::from(facts.current_streak) >= target,
        CriteriaType::Score => facts
            .success
            .as_ref()
            .is_some_and(|s| s.score >= target as f64),
        CriteriaType::Time => facts
            .success
            .as_ref()
            .and_then(|s| s.seconds)
            .is_some_and(|secs| secs <= target as f64),
        CriteriaType::Special => match criteria.conditions.get("kind").and_then(|k| k.as_str()) {
            Some("first_submission") => facts.scored_submissions >= target.max(1),
            Some("language_mastery") => {
                let wanted = criteria
                    .conditions
                    .get("language")
                    .and_then(|l| l.as_str())
                    .and_then(Language::parse);
                facts
                    .language_successes
                    .iter()
                    .filter(|(l, _)| wanted.is_none_or(|w| w == *l))
                    .any(|(_, n)| *n >= target.max(1))
            }
            _ => false,
        },
    }
}

/// The definitions `facts` newly unlock: active, met, and not in `unlocked`.
pub fn newly_unlocked<'a>(
    definitions: &'a [Achievement],
    unlocked: &[AchievementId],
    facts: &Facts,
) -> Vec<&'a Achievement> {
    definitions
        .iter()
        .filter(|a| a.is_active && !unlocked.contains(&a.id) && is_met(&a.criteria, facts))
        .collect()
}

#[expect(clippy::too_many_arguments, reason = "one row of the default table")]
fn draft(
    key: &str,
    name: &str,
    description: &str,
    icon: &str,
    category: AchievementCategory,
    criteria: (CriteriaType, u64, serde_json::Value),
    xp: u64,
    rarity: Rarity,
) -> AchievementDraft {
    let (kind, target, conditions) = criteria;
    AchievementDraft {
        key: key.to_owned(),
        name: name.to_owned(),
        description: description.to_owned(),
        icon: Some(icon.to_owned()),
        category,
        criteria: Criteria {
            kind,
            target,
            conditions: match conditions {
                serde_json::Value::Object(map) => map,
                _ => serde_json::Map::new(),
            },
        },
        rewards: Rewards {
            xp,
            badge: Some(key.to_owned()),
            title: None,
        },
        rarity,
        is_active: true,
    }
}

/// The achievements every installation starts with (`stackrush-api seed`).
pub fn default_set() -> Vec<AchievementDraft> {
    use serde_json::json;
    use AchievementCategory::*;
    use CriteriaType::*;
    use Rarity::*;
    vec![
        draft(
            "first-submission",
            "First Steps",
            "Score your first submission.",
            "🚀",
            Beginner,
            (Special, 1, json!({ "kind": "first_submission" })),
            25,
            Common,
        ),
        draft(
            "perfect-score",
            "Flawless",
            "Score 100 on a challenge.",
            "💯",
            Performance,
            (Score, 100, json!({})),
            100,
            Rare,
        ),
        draft(
            "ten-solves",
            "Getting Warm",
            "Complete 10 challenges.",
            "🔟",
            Beginner,
            (ChallengeCount, 10, json!({})),
            100,
            Common,
        ),
        draft(
            "fifty-solves",
            "Problem Solver",
            "Complete 50 challenges.",
            "🧩",
            Performance,
            (ChallengeCount, 50, json!({})),
            300,
            Epic,
        ),
        draft(
            "hundred-solves",
            "Centurion",
            "Complete 100 challenges.",
            "🏛️",
            Performance,
            (ChallengeCount, 100, json!({})),
            1000,
            Legendary,
        ),
        draft(
            "streak-7",
            "Week Warrior",
            "Succeed on 7 days in a row.",
            "🔥",
            Consistency,
            (Streak, 7, json!({})),
            100,
            Rare,
        ),
        draft(
            "streak-30",
            "Monthly Machine",
            "Succeed on 30 days in a row.",
            "📅",
            Consistency,
            (Streak, 30, json!({})),
            500,
            Epic,
        ),
        draft(
            "streak-100",
            "Unstoppable",
            "Succeed on 100 days in a row.",
            "☄️",
            Consistency,
            (Streak, 100, json!({})),
            2000,
            Legendary,
        ),
        draft(
            "fast-solve",
            "Speed Demon",
            "Succeed within 5 minutes of starting a challenge.",
            "⚡",
            Performance,
            (Time, 300, json!({})),
            100,
            Rare,
        ),
        draft(
            "language-mastery",
            "Polyglot's Root",
            "Succeed 10 times in one language.",
            "🗣️",
            Performance,
            (Special, 10, json!({ "kind": "language_mastery" })),
            150,
            Rare,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn achievement(criteria: Criteria) -> Achievement {
        let now = Utc::now();
        Achievement::from_draft(
            AchievementId::generate(now),
            AchievementDraft {
                key: "k".into(),
                name: "n".into(),
                description: "d".into(),
                icon: None,
                category: AchievementCategory::Beginner,
                criteria,
                rewards: Rewards::default(),
                rarity: Rarity::Common,
                is_active: true,
            },
            now,
        )
    }

    fn criteria(kind: CriteriaType, target: u64, conditions: serde_json::Value) -> Criteria {
        Criteria {
            kind,
            target,
            conditions: conditions.as_object().cloned().unwrap_or_default(),
        }
    }

    fn success(score: f64, seconds: Option<f64>) -> Option<SuccessFacts> {
        Some(SuccessFacts {
            score,
            language: Language::Python,
            seconds,
        })
    }

    #[test]
    fn every_criteria_type_is_judged_at_its_threshold() {
        use serde_json::json;
        use CriteriaType::*;
        let facts = Facts {
            scored_submissions: 1,
            completed_challenges: 10,
            current_streak: 7,
            success: success(100.0, Some(300.0)),
            language_successes: vec![(Language::Python, 10), (Language::Java, 2)],
        };
        let cases = [
            (criteria(ChallengeCount, 10, json!({})), true),
            (criteria(ChallengeCount, 11, json!({})), false),
            (criteria(Streak, 7, json!({})), true),
            (criteria(Streak, 8, json!({})), false),
            (criteria(Score, 100, json!({})), true),
            (criteria(Time, 300, json!({})), true),
            (criteria(Time, 299, json!({})), false),
            (
                criteria(Special, 1, json!({"kind": "first_submission"})),
                true,
            ),
            (
                criteria(Special, 2, json!({"kind": "first_submission"})),
                false,
            ),
            (
                criteria(Special, 10, json!({"kind": "language_mastery"})),
                true,
            ),
            (
                criteria(
                    Special,
                    10,
                    json!({"kind": "language_mastery", "language": "java"}),
                ),
                false,
            ),
            (criteria(Special, 1, json!({"kind": "unknown"})), false),
        ];
        for (c, expected) in cases {
            assert_eq!(is_met(&c, &facts), expected, "{c:?}");
        }
    }

    #[test]
    fn score_and_time_need_a_success_and_time_needs_an_attempt() {
        let mut facts = Facts {
            success: None,
            ..Facts::default()
        };
        assert!(!is_met(
            &criteria(CriteriaType::Score, 0, serde_json::json!({})),
            &facts
        ));
        facts.success = success(95.0, None);
        assert!(!is_met(
            &criteria(CriteriaType::Time, 10_000, serde_json::json!({})),
            &facts
        ));
        assert!(!is_met(
            &criteria(CriteriaType::Score, 96, serde_json::json!({})),
            &facts
        ));
    }

    #[test]
    fn unlocked_and_inactive_definitions_are_not_unlocked_again() {
        let c = criteria(CriteriaType::ChallengeCount, 1, serde_json::json!({}));
        let a = achievement(c.clone());
        let mut off = achievement(c);
        off.is_active = false;
        let facts = Facts {
            completed_challenges: 1,
            ..Facts::default()
        };
        let defs = [a.clone(), off];
        assert_eq!(newly_unlocked(&defs, &[], &facts), vec![&a]);
        assert!(newly_unlocked(&defs, &[a.id], &facts).is_empty());
    }

    #[test]
    fn the_default_set_is_valid_and_has_unique_keys() {
        let set = default_set();
        assert_eq!(set.len(), 10);
        for d in &set {
            d.validate().unwrap();
        }
        let mut keys: Vec<_> = set.iter().map(|d| d.key.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), set.len());
    }
}
