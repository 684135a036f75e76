//! Email: milestone mails and weekly summaries, queued in an outbox and sent by a job.
//!
//! A mail is queued once per recipient and key (`level:5`, `weekly:2026-11-23`), so a retried
//! producer or a second job run never queues it twice. The body is composed when it is queued;
//! the address, the recipient's `notifications.email` preference and the unsubscribe link are
//! looked up when it is sent, so switching email off (or unsubscribing) stops mails already
//! queued. Sending claims a batch for a while ([`SEND_LEASE_MINUTES`]): another instance does
//! not send it meanwhile, and a batch whose sender died is sent again after it (at least once).

use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use stackrush_kernel::{define_id, StoreError};

use crate::model::RecipientId;

define_id!(
    /// Identifies one queued mail.
    MailId
);

/// How long a claimed mail is left to its sender before another may send it.
pub const SEND_LEASE_MINUTES: i64 = 10;

/// Tries before a mail is given up.
pub const MAX_ATTEMPTS: u32 = 5;

/// How long finished mails are kept (then purged).
pub const KEEP_DAYS: i64 = 30;

/// Where a queued mail is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailState {
    /// Waiting to be sent (or to be tried again).
    Queued,
    /// Handed to the mail server.
    Sent,
    /// Not sent: the recipient switched email off or has no account any more.
    Dropped,
    /// Given up after [`MAX_ATTEMPTS`] failures.
    Failed,
}

impl MailState {
    /// Every state.
    pub const ALL: [MailState; 4] = [Self::Queued, Self::Sent, Self::Dropped, Self::Failed];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Dropped => "dropped",
            Self::Failed => "failed",
        }
    }

    /// The state named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// A mail in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedMail {
    pub id: MailId,
    pub recipient: RecipientId,
    /// Unique per recipient: what the mail is about.
    pub key: String,
    pub subject: String,
    /// The body, without greeting address or unsubscribe footer (added when sent).
    pub text: String,
    pub state: MailState,
    /// Tries so far (claims).
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    /// Not sent before this (a retry's backoff, or a claim's lease).
    pub next_try_at: DateTime<Utc>,
    /// When it was sent, dropped or given up.
    pub finished_at: Option<DateTime<Utc>>,
}

impl QueuedMail {
    /// A mail queued at `now`, due at once.
    pub fn new(
        recipient: RecipientId,
        key: String,
        subject: String,
        text: String,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: MailId::generate(now),
            recipient,
            key,
            subject,
            text,
            state: MailState::Queued,
            attempts: 0,
            created_at: now,
            next_try_at: now,
            finished_at: None,
        }
    }
}

/// The outbox of mails.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait MailOutbox: Send + Sync {
    /// Queues `mails`, skipping any whose `(recipient, key)` was queued before; how many were.
    async fn enqueue(&self, mails: &[QueuedMail]) -> Result<usize, StoreError>;

    /// Which of `recipients` have a mail with `key` (in any state).
    async fn holding(
        &self,
        key: &str,
        recipients: &[RecipientId],
    ) -> Result<Vec<RecipientId>, StoreError>;

    /// Claims up to `limit` queued mails due at `now` (oldest first): counts a try on each and
    /// makes it not due before `until`, so no other claim takes it meanwhile. Of racing
    /// claimers, each mail goes to one.
    async fn claim(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<QueuedMail>, StoreError>;

    /// Ends a claimed mail in `state` (sent, dropped, failed) at `at`.
    async fn finish(
        &self,
        id: MailId,
        state: MailState,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Leaves a claimed mail queued, due again at `at`.
    async fn retry_at(&self, id: MailId, at: DateTime<Utc>) -> Result<(), StoreError>;

    /// One mail, whatever its state.
    async fn find(&self, id: MailId) -> Result<Option<QueuedMail>, StoreError>;

    /// Removes mails finished before `before`; how many.
    async fn purge_finished(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;
}

/// Where and whether to mail a recipient, from the identity context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub address: String,
    /// How to greet them (their username).
    pub name: String,
    /// Their `notifications.email` preference.
    pub email_wanted: bool,
    /// A link that switches email off without signing in.
    pub unsubscribe_url: String,
}

/// One mail as handed to the mail server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub to: String,
    pub subject: String,
    pub text: String,
    /// Sent as `List-Unsubscribe` (one click, RFC 8058) as well as in the text.
    pub unsubscribe_url: String,
}

/// The mail server (SMTP, or `.eml` files in development).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Postman: Send + Sync {
    /// Hands `letter` over; an error means it was not accepted.
    async fn deliver(&self, letter: &Letter) -> anyhow::Result<()>;
}

/// A playlist or challenge worth doing next, in a weekly summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub title: String,
    /// Why, in words.
    pub reason: String,
}

/// One user's week, as the analytics context summarises it.
#[derive(Debug, Clone, PartialEq)]
pub struct WeeklySummary {
    pub recipient: RecipientId,
    /// The Monday the summarised week (Monday to Sunday, in the user's time zone) starts on.
    pub week: NaiveDate,
    pub xp: u64,
    /// Challenges solved for the first time.
    pub solved: u64,
    pub submissions: u64,
    /// Days in a row with a success, as of the summary.
    pub streak: u32,
    /// Global rank; `None` when not on the board.
    pub rank: Option<u64>,
    /// Places gained during the week (negative: lost).
    pub rank_change: i64,
    pub suggestions: Vec<Suggestion>,
}

/// What one pass of the sender did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MailRun {
    pub sent: usize,
    pub dropped: usize,
    /// Failed this time, tried again later.
    pub retried: usize,
    /// Failed for the last time.
    pub failed: usize,
}

/// The outbox key of the weekly summary of the week starting on `monday`.
pub fn weekly_key(monday: NaiveDate) -> String {
    format!("weekly:{monday}")
}

/// How long after its `attempts`-th failed try a mail is tried again (1, 5, 30, 120 minutes).
pub fn backoff(attempts: u32) -> Duration {
    Duration::minutes(match attempts {
        0 | 1 => 1,
        2 => 5,
        3 => 30,
        _ => 120,
    })
}

/// The weekly summary's subject and body.
pub fn weekly_text(s: &WeeklySummary) -> (String, String) {
    let end = s.week + Duration::days(6);
    let subject = format!("Your StackRush week: {} XP, {} solved", s.xp, s.solved);
    let mut text = format!(
        "Your week from {} to {}:\n\n- XP earned: {}\n- Challenges solved: {}\n- Submissions: {}\n- Current streak: {} day{}\n",
        s.week.format("%A %-d %B"),
        end.format("%A %-d %B %Y"),
        s.xp,
        s.solved,
        s.submissions,
        s.streak,
        if s.streak == 1 { "" } else { "s" },
    );
    match s.rank {
        Some(rank) => {
            let change = match s.rank_change {
                0 => "unchanged".to_owned(),
                c if c > 0 => format!("up {c}"),
                c => format!("down {}", c.unsigned_abs()),
            };
            text.push_str(&format!("- Global rank: #{rank} ({change})\n"));
        }
        None => text.push_str("- Global rank: not ranked yet\n"),
    }
    if !s.suggestions.is_empty() {
        text.push_str("\nWorth a look next:\n");
        for g in &s.suggestions {
            text.push_str(&format!("- {}: {}\n", g.title, g.reason));
        }
    }
    (subject, text)
}

/// The body as sent: greeting, text, and the unsubscribe footer.
pub fn letter_text(contact: &Contact, text: &str) -> String {
    format!(
        "Hello {},\n\n{}\n-- StackRush\n\nYou get these emails because email notifications are on in your settings.\nTo stop them, open: {}\n",
        contact.name,
        text.trim_end(),
        contact.unsubscribe_url,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_and_states_round_trip() {
        assert!(backoff(1) < backoff(2) && backoff(2) < backoff(3) && backoff(3) < backoff(4));
        assert_eq!(backoff(9), Duration::minutes(120));
        for s in MailState::ALL {
            assert_eq!(MailState::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn a_weekly_summary_reads_well() {
        let s = WeeklySummary {
            recipient: RecipientId::generate(Utc::now()),
            week: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default(),
            xp: 250,
            solved: 3,
            submissions: 7,
            streak: 1,
            rank: Some(12),
            rank_change: -2,
            suggestions: vec![Suggestion {
                title: "Graphs".into(),
                reason: "practises your weakest type".into(),
            }],
        };
        let (subject, text) = weekly_text(&s);
        assert_eq!(subject, "Your StackRush week: 250 XP, 3 solved");
        assert!(
            text.contains("from Monday 23 November to Sunday 29 November 2026"),
            "{text}"
        );
        assert!(text.contains("Current streak: 1 day\n"), "{text}");
        assert!(text.contains("#12 (down 2)"), "{text}");
        assert!(
            text.contains("- Graphs: practises your weakest type"),
            "{text}"
        );
        let unranked = WeeklySummary {
            rank: None,
            suggestions: vec![],
            ..s
        };
        let (_, text) = weekly_text(&unranked);
        assert!(
            text.contains("not ranked yet") && !text.contains("Worth a look"),
            "{text}"
        );
    }
}
