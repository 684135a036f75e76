//! The audit log: an append-only record of sensitive operations — who did what to which
//! target, when and from where — that admins read. Entries are written once and never
//! changed or deleted through any port; they hold no secrets (no passwords, tokens or bodies:
//! an action's name, its target and the caller's address only).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use stackrush_kernel::{define_id, Clock, FieldError, Page, PageRequest, StoreError};

use crate::error::AnalyticsError;

define_id!(
    /// Identifies one audit entry.
    AuditId
);
define_id!(
    /// The user who acted, as the audit log knows them.
    AuditActor
);

/// The longest action name, target and address kept.
pub const MAX_ACTION_CHARS: usize = 64;
pub const MAX_TARGET_CHARS: usize = 100;
pub const MAX_ADDRESS_CHARS: usize = 64;
/// The widest time range one audit query may cover.
pub const MAX_RANGE_DAYS: i64 = 366;

/// A sensitive operation that happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    /// Who did it (`None`: nobody signed in, such as a password reset by emailed link).
    pub actor: Option<AuditActor>,
    /// What, as `area.verb` (`user.updated`, `certificate.revoked`).
    pub action: String,
    /// What it was done to, as `kind:id` (`user:65f…`), if anything.
    pub target: Option<String>,
    /// The client address it came from.
    pub address: Option<String>,
    /// The request's id (to find it in the logs).
    pub request_id: Option<String>,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: AuditId,
    pub at: DateTime<Utc>,
    pub actor: Option<AuditActor>,
    pub action: String,
    pub target: Option<String>,
    pub address: Option<String>,
    pub request_id: Option<String>,
}

/// Which entries an audit query reads (each `Some` narrows it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<AuditActor>,
    /// An action, or every action of an area when it ends in `.` (`user.`).
    pub action: Option<String>,
    pub target: Option<String>,
    /// From this time (inclusive)…
    pub from: Option<DateTime<Utc>>,
    /// …to this one (exclusive).
    pub to: Option<DateTime<Utc>>,
}

/// Which actions a filter's `action` selects, as stores compare them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionMatch<'a> {
    /// This action exactly.
    Exactly(&'a str),
    /// Every action of an area: from `area.` (inclusive) up to `area/` (exclusive, `/` being
    /// the character after `.`), which is exactly the actions starting with `area.`.
    Between { from: &'a str, to: String },
}

impl AuditFilter {
    /// The actions `action` selects, if it narrows them.
    pub fn action_match(&self) -> Option<ActionMatch<'_>> {
        let action = self.action.as_deref()?;
        Some(match action.strip_suffix('.') {
            Some(area) => ActionMatch::Between {
                from: action,
                to: format!("{area}/"),
            },
            None => ActionMatch::Exactly(action),
        })
    }
}

/// Storage of the audit log: append and read, nothing else.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AuditRepository: Send + Sync {
    /// Appends an entry.
    async fn append(&self, entry: &AuditEntry) -> Result<(), StoreError>;

    /// One page of the entries `filter` selects, newest first (ties: newest id first).
    async fn list(
        &self,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>, StoreError>;

    /// Whether an entry of `actor` with this action and address exists.
    async fn exists(
        &self,
        actor: AuditActor,
        action: &str,
        address: &str,
    ) -> Result<bool, StoreError>;
}

/// The audit log's inbound port.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AuditApi: Send + Sync {
    /// Appends what happened (texts cut to their documented lengths).
    async fn record(&self, entry: NewAuditEntry) -> Result<AuditEntry, AnalyticsError>;

    /// Appends what happened unless the actor already has an entry of this action from this
    /// address (a sign-in from a new address). The entry, if appended.
    async fn record_first_from_address(
        &self,
        entry: NewAuditEntry,
    ) -> Result<Option<AuditEntry>, AnalyticsError>;

    /// One page of the log, newest first: admins only. Errors: `Forbidden`, `Invalid` (a
    /// range backwards or wider than [`MAX_RANGE_DAYS`]).
    async fn list(
        &self,
        is_admin: bool,
        filter: AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>, AnalyticsError>;
}

/// The audit log over its store.
pub struct AuditService {
    entries: Arc<dyn AuditRepository>,
    clock: Arc<dyn Clock>,
}

impl AuditService {
    pub fn new(entries: Arc<dyn AuditRepository>, clock: Arc<dyn Clock>) -> Self {
        Self { entries, clock }
    }

    pub fn into_api(self) -> Arc<dyn AuditApi> {
        Arc::new(self)
    }
}

fn cut(text: Option<String>, max: usize) -> Option<String> {
    text.map(|t| t.chars().filter(|c| !c.is_control()).take(max).collect())
}

#[async_trait]
impl AuditApi for AuditService {
    async fn record(&self, entry: NewAuditEntry) -> Result<AuditEntry, AnalyticsError> {
        let at = self.clock.now();
        let stored = AuditEntry {
            id: AuditId::generate(at),
            at,
            actor: entry.actor,
            action: cut(Some(entry.action), MAX_ACTION_CHARS).unwrap_or_default(),
            target: cut(entry.target, MAX_TARGET_CHARS),
            address: cut(entry.address, MAX_ADDRESS_CHARS),
            request_id: cut(entry.request_id, MAX_ACTION_CHARS),
        };
        self.entries.append(&stored).await?;
        Ok(stored)
    }

    async fn record_first_from_address(
        &self,
        entry: NewAuditEntry,
    ) -> Result<Option<AuditEntry>, AnalyticsError> {
        if let (Some(actor), Some(address)) = (entry.actor, entry.address.as_deref()) {
            let address = cut(Some(address.to_owned()), MAX_ADDRESS_CHARS).unwrap_or_default();
            if self.entries.exists(actor, &entry.action, &address).await? {
                return Ok(None);
            }
        }
        self.record(entry).await.map(Some)
    }

    async fn list(
        &self,
        is_admin: bool,
        filter: AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>, AnalyticsError> {
        if !is_admin {
            return Err(AnalyticsError::Forbidden);
        }
        let mut problems = Vec::new();
        if let Some(action) = &filter.action {
            let well_formed = action.split_once('.').is_some_and(|(area, verb)| {
                (1..=30).contains(&area.len())
                    && verb.len() <= 30
                    && area
                        .bytes()
                        .chain(verb.bytes())
                        .all(|b| b.is_ascii_lowercase() || b == b'_')
            });
            if !well_formed {
                problems.push(FieldError::new(
                    "action",
                    "must be an action (area.verb) or an area (area.)",
                ));
            }
        }
        if let Some(target) = &filter.target {
            if !(1..=MAX_TARGET_CHARS).contains(&target.chars().count()) {
                problems.push(FieldError::new(
                    "target",
                    format!("must be 1 to {MAX_TARGET_CHARS} characters"),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(AnalyticsError::Invalid(problems));
        }
        if let (Some(from), Some(to)) = (filter.from, filter.to) {
            if to < from {
                return Err(AnalyticsError::Invalid(vec![FieldError::new(
                    "to",
                    "must not be before from",
                )]));
            }
            if to - from > chrono::Duration::days(MAX_RANGE_DAYS) {
                return Err(AnalyticsError::Invalid(vec![FieldError::new(
                    "to",
                    format!("the range may cover at most {MAX_RANGE_DAYS} days"),
                )]));
            }
        }
        Ok(self.entries.list(&filter, page).await?)
    }
}

/// Whether `entry` is one `filter` selects (the ports' documented filter).
pub fn selects(filter: &AuditFilter, entry: &AuditEntry) -> bool {
    filter.actor.is_none_or(|a| entry.actor == Some(a))
        && filter.action_match().is_none_or(|m| match m {
            ActionMatch::Exactly(a) => entry.action == a,
            ActionMatch::Between { from, to } => {
                entry.action.as_str() >= from && entry.action.as_str() < to.as_str()
            }
        })
        && filter
            .target
            .as_deref()
            .is_none_or(|t| entry.target.as_deref() == Some(t))
        && filter.from.is_none_or(|f| entry.at >= f)
        && filter.to.is_none_or(|t| entry.at < t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::InMemoryAuditLog;
    use chrono::TimeZone;
    use stackrush_kernel::FixedClock;

    fn service() -> AuditService {
        let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap());
        AuditService::new(Arc::new(InMemoryAuditLog::default()), Arc::new(clock))
    }

    #[tokio::test]
    async fn the_in_memory_log_passes_the_contract() {
        crate::contract::audit_log_appends_and_filters(&InMemoryAuditLog::default()).await;
    }

    #[tokio::test]
    async fn only_admins_read_the_log_and_ranges_are_bounded() {
        let audit = service();
        let recorded = audit
            .record(NewAuditEntry {
                actor: None,
                action: format!("auth.password_reset{}", "x".repeat(100)),
                target: Some("user:\u{7}1".into()),
                address: Some("198.51.100.1".into()),
                request_id: None,
            })
            .await
            .unwrap();
        assert_eq!(recorded.action.chars().count(), MAX_ACTION_CHARS);
        assert_eq!(
            recorded.target.as_deref(),
            Some("user:1"),
            "no control characters"
        );
        let me = AuditActor::generate(Utc::now());
        let sign_in = |address: &str| NewAuditEntry {
            actor: Some(me),
            action: "auth.signed_in_from_new_address".into(),
            target: None,
            address: Some(address.into()),
            request_id: None,
        };
        assert!(audit
            .record_first_from_address(sign_in("10.0.0.1"))
            .await
            .unwrap()
            .is_some());
        assert!(audit
            .record_first_from_address(sign_in("10.0.0.1"))
            .await
            .unwrap()
            .is_none());
        assert!(audit
            .record_first_from_address(sign_in("10.0.0.2"))
            .await
            .unwrap()
            .is_some());
        let page = PageRequest::new(1, 10);
        assert!(matches!(
            audit.list(false, AuditFilter::default(), page).await,
            Err(AnalyticsError::Forbidden)
        ));
        let all = audit
            .list(true, AuditFilter::default(), page)
            .await
            .unwrap();
        assert_eq!(all.total, 3);
        assert!(all.items.contains(&recorded));
        for filter in [
            AuditFilter {
                action: Some("User.updated".into()),
                ..AuditFilter::default()
            },
            AuditFilter {
                action: Some("user".into()),
                ..AuditFilter::default()
            },
            AuditFilter {
                target: Some("x".repeat(MAX_TARGET_CHARS + 1)),
                ..AuditFilter::default()
            },
        ] {
            assert!(matches!(
                audit.list(true, filter, page).await,
                Err(AnalyticsError::Invalid(_))
            ));
        }
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        for (from, to) in [
            (at, at - chrono::Duration::seconds(1)),
            (at, at + chrono::Duration::days(MAX_RANGE_DAYS + 1)),
        ] {
            let filter = AuditFilter {
                from: Some(from),
                to: Some(to),
                ..AuditFilter::default()
            };
            assert!(matches!(
                audit.list(true, filter, page).await,
                Err(AnalyticsError::Invalid(_))
            ));
        }
    }
}
