//! Notifications as stored and as requested.

use chrono::{DateTime, Utc};
use garde::Validate;
use stackrush_kernel::define_id;

define_id!(
    /// Identifies one notification.
    NotificationId
);
define_id!(
    /// A user, as the notifications context knows them.
    RecipientId
);

/// What a notification is about; decides which delivery preference applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Achievement,
    Challenge,
    Social,
    System,
    /// A level reached.
    Level,
    /// A streak milestone.
    Streak,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 6] = [
        Self::Achievement,
        Self::Challenge,
        Self::Social,
        Self::System,
        Self::Level,
        Self::Streak,
    ];

    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Achievement => "achievement",
            Self::Challenge => "challenge",
            Self::Social => "social",
            Self::System => "system",
            Self::Level => "level",
            Self::Streak => "streak",
        }
    }

    /// The kind named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// How urgent a notification is; lists can sort by it (urgent first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Priority {
    Low,
    #[default]
    Normal,
    High,
    Urgent,
}

impl Priority {
    /// Every priority, lowest first.
    pub const ALL: [Priority; 4] = [Self::Low, Self::Normal, Self::High, Self::Urgent];

    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::High => "high",
            Self::Urgent => "urgent",
        }
    }

    /// The priority named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// 0 (low) to 3 (urgent): how priorities sort.
    pub fn rank(self) -> u8 {
        match self {
            Self::Low => 0,
            Self::Normal => 1,
            Self::High => 2,
            Self::Urgent => 3,
        }
    }
}

/// A notification as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub id: NotificationId,
    pub recipient: RecipientId,
    pub kind: Kind,
    pub title: String,
    pub message: String,
    /// Free-form JSON object for the client (ids to link to, figures).
    pub data: serde_json::Map<String, serde_json::Value>,
    pub priority: Priority,
    pub is_read: bool,
    pub read_at: Option<DateTime<Utc>>,
    pub is_delivered: bool,
    pub delivered_at: Option<DateTime<Utc>>,
    /// One event never notifies twice: a second notification with this key for the same
    /// recipient is dropped.
    pub dedup_key: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Never listed or counted after this; removed soon after.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A request to notify someone.
#[derive(Debug, Clone, PartialEq, Validate)]
pub struct Notify {
    #[garde(skip)]
    pub recipient: RecipientId,
    #[garde(skip)]
    pub kind: Kind,
    #[garde(length(chars, min = 1, max = 200), custom(one_line))]
    pub title: String,
    #[garde(length(chars, min = 1, max = 2000), custom(multi_line))]
    pub message: String,
    #[garde(custom(small_object))]
    pub data: serde_json::Map<String, serde_json::Value>,
    #[garde(skip)]
    pub priority: Priority,
    #[garde(inner(length(chars, min = 1, max = 200), custom(one_line)))]
    pub dedup_key: Option<String>,
    /// `None`: the default lifetime ([`crate::service::DEFAULT_TTL_DAYS`]).
    #[garde(inner(custom(sane_time)))]
    pub expires_at: Option<DateTime<Utc>>,
    /// A milestone worth an email as well (a level reached, a rare achievement): mailed when
    /// the recipient wants this kind and email ([`Wants::email`]), once per dedup key.
    #[garde(skip)]
    pub email: bool,
}

/// The kernel's text rule for a title: no control characters, no bidirectional overrides.
fn one_line(value: &str, _: &()) -> garde::Result {
    stackrush_kernel::text::line_problem(value, usize::MAX)
        .map_or(Ok(()), |p| Err(garde::Error::new(p)))
}

/// The kernel's text rule for a message: tabs and line breaks, no other control characters.
fn multi_line(value: &str, _: &()) -> garde::Result {
    stackrush_kernel::text::text_problem(value, 0, usize::MAX)
        .map_or(Ok(()), |p| Err(garde::Error::new(p)))
}

/// An instant the stores represent alike (the kernel's range).
fn sane_time(value: &DateTime<Utc>, _: &()) -> garde::Result {
    stackrush_kernel::time_problem(*value).map_or(Ok(()), |p| Err(garde::Error::new(p)))
}

fn small_object(data: &serde_json::Map<String, serde_json::Value>, _: &()) -> garde::Result {
    let size = serde_json::to_string(data).map_or(usize::MAX, |s| s.len());
    if size > 10_000 {
        return Err(garde::Error::new("must be at most 10000 bytes of JSON"));
    }
    Ok(())
}

/// Order of notification lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    CreatedAt,
    Priority,
}

/// Which notifications a list shows (every field narrows it).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    pub kind: Option<Kind>,
    pub is_read: Option<bool>,
    pub priority: Option<Priority>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub sort: Sort,
    pub descending: bool,
}

/// Which kinds of notification a recipient wants (their preferences).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wants {
    pub achievements: bool,
    pub challenges: bool,
    /// Community notifications.
    pub social: bool,
    /// Email (milestone mails, weekly summaries) besides the in-app centre.
    pub email: bool,
}

impl Wants {
    /// Whether a notification of `kind` is delivered. System ones always are.
    pub fn allows(self, kind: Kind) -> bool {
        match kind {
            // Progress news (levels, streaks) follows the achievements switch.
            Kind::Achievement | Kind::Level | Kind::Streak => self.achievements,
            Kind::Challenge => self.challenges,
            Kind::Social => self.social,
            Kind::System => true,
        }
    }
}

/// A recipient's live unread notifications, as counted by the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Unread {
    pub count: u64,
    /// When the first of them expires (and the count drops); `None` when none expires.
    pub next_expiry: Option<DateTime<Utc>>,
}

/// Who asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reader {
    pub id: RecipientId,
    pub is_admin: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_news_follows_the_achievements_switch_and_system_news_always_arrives() {
        let no_achievements = Wants {
            achievements: false,
            challenges: true,
            social: true,
            email: true,
        };
        for kind in [Kind::Achievement, Kind::Level, Kind::Streak] {
            assert!(!no_achievements.allows(kind), "{}", kind.as_str());
        }
        assert!(no_achievements.allows(Kind::Challenge) && no_achievements.allows(Kind::System));
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
    }
}
