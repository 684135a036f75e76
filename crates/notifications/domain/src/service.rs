//! The notifications service.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Duration;
use garde::Validate;
use stackrush_kernel::{FieldError, Freshness, Page, PageRequest, ReadMemory};

use crate::error::NotificationError;
use crate::model::*;
use crate::ports::Ports;

/// How long a notification lives unless its producer says otherwise.
pub const DEFAULT_TTL_DAYS: i64 = 90;

/// The most notifications one admin request creates.
pub const MAX_BULK: usize = 100;

/// What a create or notify request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Delivered {
    /// Stored and visible to their recipients.
    pub stored: usize,
    /// Dropped: the recipient does not want this kind, has no account, or has it already
    /// (same dedup key).
    pub skipped: usize,
}

/// The notifications context's inbound port.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait NotificationApi: Send + Sync {
    /// Delivers producers' notifications (scoring events, system messages), honouring each
    /// recipient's preferences and dedup keys. Errors: `Invalid`.
    async fn notify(&self, requests: Vec<Notify>) -> Result<Delivered, NotificationError>;

    /// Admin: creates one to [`MAX_BULK`] notifications. Errors: `Forbidden`, `Invalid`.
    async fn create(
        &self,
        reader: Reader,
        requests: Vec<Notify>,
    ) -> Result<Delivered, NotificationError>;

    /// One page of the reader's live notifications.
    async fn list(
        &self,
        reader: Reader,
        filter: Filter,
        page: PageRequest,
    ) -> Result<Page<Notification>, NotificationError>;

    /// How many live unread notifications the reader has.
    async fn unread_count(&self, reader: Reader) -> Result<u64, NotificationError>;

    /// Marks one of the reader's notifications read. Errors: `NotFound`.
    async fn mark_read(&self, reader: Reader, id: NotificationId) -> Result<(), NotificationError>;

    /// Marks all the reader's notifications read; how many changed.
    async fn mark_all_read(&self, reader: Reader) -> Result<u64, NotificationError>;

    /// Deletes one of the reader's notifications. Errors: `NotFound`.
    async fn delete(&self, reader: Reader, id: NotificationId) -> Result<(), NotificationError>;

    /// Removes expired notifications (stores without TTL indexes run this periodically).
    async fn purge_expired(&self) -> Result<u64, NotificationError>;
}

/// The most recipients whose counts are remembered; beyond it the memory starts over.
const COUNT_CAPACITY: usize = 100_000;

/// The notification rules over the outbound ports.
///
/// Unread counts (the client polls them) are answered from memory: every write through this
/// service forgets the recipient's count at once, a count is never kept past the expiry of the
/// first notification it counts, and otherwise it is trusted as the store's [`Freshness`] allows
/// (one second by default, so other instances' writes show within it).
pub struct NotificationService {
    ports: Ports,
    counts: ReadMemory<RecipientId, u64>,
}

impl NotificationService {
    /// A service over `ports`, remembering unread counts for one second.
    pub fn new(ports: Ports) -> Self {
        Self {
            ports,
            counts: ReadMemory::new(Freshness::default(), COUNT_CAPACITY),
        }
    }

    /// The same service, trusting remembered counts as `freshness` allows.
    pub fn remembering(self, freshness: Freshness) -> Self {
        Self {
            counts: ReadMemory::new(freshness, COUNT_CAPACITY),
            ..self
        }
    }

    fn forget(&self, recipient: RecipientId) {
        self.counts.forget(&recipient);
    }

    /// The service as a shared inbound port.
    pub fn into_api(self) -> Arc<dyn NotificationApi> {
        Arc::new(self)
    }

    fn validate(&self, requests: &[Notify]) -> Result<(), NotificationError> {
        let now = self.ports.clock.now();
        let mut problems = Vec::new();
        for (i, r) in requests.iter().enumerate() {
            let prefix = if requests.len() > 1 {
                format!("notifications[{i}].")
            } else {
                String::new()
            };
            if let Err(report) = r.validate() {
                for (path, e) in report.iter() {
                    let field = stackrush_kernel::json_field_path(&path.to_string());
                    problems.push(FieldError::new(format!("{prefix}{field}"), e.message()));
                }
            }
            if r.expires_at.is_some_and(|t| t <= now) {
                problems.push(FieldError::new(
                    format!("{prefix}expiresAt"),
                    "must be in the future",
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(NotificationError::Invalid(problems))
        }
    }

    async fn deliver(&self, requests: Vec<Notify>) -> Result<Delivered, NotificationError> {
        self.validate(&requests)?;
        let now = self.ports.clock.now();
        let total = requests.len();
        let mut keep = Vec::with_capacity(total);
        for r in requests {
            let wants = self
                .ports
                .recipients
                .wants(r.recipient)
                .await
                .map_err(NotificationError::Unavailable)?;
            if !wants.is_some_and(|w| w.allows(r.kind)) {
                continue;
            }
            keep.push(Notification {
                id: NotificationId::generate(now),
                recipient: r.recipient,
                kind: r.kind,
                title: r.title,
                message: r.message,
                data: r.data,
                priority: r.priority,
                is_read: false,
                read_at: None,
                // In-app delivery: stored is delivered.
                is_delivered: true,
                delivered_at: Some(now),
                dedup_key: r.dedup_key,
                created_at: now,
                expires_at: Some(
                    r.expires_at
                        .unwrap_or(now + Duration::days(DEFAULT_TTL_DAYS)),
                ),
            });
        }
        let stored = if keep.is_empty() {
            0
        } else {
            let stored = self.ports.notifications.insert_many(&keep).await;
            for n in &keep {
                self.forget(n.recipient);
            }
            stored?
        };
        Ok(Delivered {
            stored,
            skipped: total - stored,
        })
    }
}

#[async_trait]
impl NotificationApi for NotificationService {
    async fn notify(&self, requests: Vec<Notify>) -> Result<Delivered, NotificationError> {
        self.deliver(requests).await
    }

    async fn create(
        &self,
        reader: Reader,
        requests: Vec<Notify>,
    ) -> Result<Delivered, NotificationError> {
        if !reader.is_admin {
            return Err(NotificationError::Forbidden);
        }
        if requests.is_empty() || requests.len() > MAX_BULK {
            return Err(NotificationError::Invalid(vec![FieldError::new(
                "notifications",
                "must hold 1 to 100 notifications",
            )]));
        }
        self.deliver(requests).await
    }

    async fn list(
        &self,
        reader: Reader,
        filter: Filter,
        page: PageRequest,
    ) -> Result<Page<Notification>, NotificationError> {
        let now = self.ports.clock.now();
        Ok(self
            .ports
            .notifications
            .list(reader.id, &filter, page, now)
            .await?)
    }

    async fn unread_count(&self, reader: Reader) -> Result<u64, NotificationError> {
        let now = self.ports.clock.now();
        if let Some(count) = self.counts.get(&reader.id, now) {
            return Ok(count);
        }
        let ticket = self.counts.ticket();
        let unread = self
            .ports
            .notifications
            .unread_count(reader.id, now)
            .await?;
        self.counts
            .put(ticket, reader.id, unread.count, now, unread.next_expiry);
        Ok(unread.count)
    }
    async fn mark_read(&self, reader: Reader, id: NotificationId) -> Result<(), NotificationError> {
        let now = self.ports.clock.now();
        let marked = self.ports.notifications.mark_read(reader.id, id, now).await;
        self.forget(reader.id);
        if marked? {
            Ok(())
        } else {
            Err(NotificationError::NotFound)
        }
    }
    async fn mark_all_read(&self, reader: Reader) -> Result<u64, NotificationError> {
        let now = self.ports.clock.now();
        let marked = self.ports.notifications.mark_all_read(reader.id, now).await;
        self.forget(reader.id);
        Ok(marked?)
    }
    async fn delete(&self, reader: Reader, id: NotificationId) -> Result<(), NotificationError> {
        let deleted = self.ports.notifications.delete(reader.id, id).await;
        self.forget(reader.id);
        if deleted? {
            Ok(())
        } else {
            Err(NotificationError::NotFound)
        }
    }
    async fn purge_expired(&self) -> Result<u64, NotificationError> {
        let now = self.ports.clock.now();
        let purged = self.ports.notifications.purge_expired(now).await;
        self.counts.forget_all();
        Ok(purged?)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::Utc;
    use stackrush_kernel::{Clock, FixedClock};

    use super::*;
    use crate::fake::InMemoryNotifications;
    use crate::ports::{MockNotificationRepository, MockRecipientDirectory, Ports};

    fn notify(recipient: RecipientId, kind: Kind, key: Option<&str>) -> Notify {
        Notify {
            recipient,
            kind,
            title: "Achievement unlocked".into(),
            message: "First Steps".into(),
            data: serde_json::Map::new(),
            priority: Priority::High,
            dedup_key: key.map(Into::into),
            expires_at: None,
        }
    }

    fn service(
        wants: Option<Wants>,
    ) -> (
        NotificationService,
        Arc<InMemoryNotifications>,
        Arc<FixedClock>,
    ) {
        let store = Arc::new(InMemoryNotifications::default());
        let clock = Arc::new(FixedClock::new(Utc::now()));
        let mut recipients = MockRecipientDirectory::new();
        recipients.expect_wants().returning(move |_| Ok(wants));
        let service = NotificationService::new(Ports {
            notifications: store.clone(),
            recipients: Arc::new(recipients),
            clock: clock.clone(),
        });
        (service, store, clock)
    }

    fn reader(id: RecipientId) -> Reader {
        Reader {
            id,
            is_admin: false,
        }
    }

    const ALL: Wants = Wants {
        achievements: true,
        challenges: true,
        social: true,
    };

    #[tokio::test]
    async fn one_event_notifies_once_and_counts_as_unread() {
        let (service, _, _) = service(Some(ALL));
        let me = RecipientId::generate(Utc::now());
        let first = service
            .notify(vec![notify(me, Kind::Achievement, Some("achievement:x"))])
            .await
            .unwrap();
        assert_eq!(
            first,
            Delivered {
                stored: 1,
                skipped: 0
            }
        );
        let again = service
            .notify(vec![notify(me, Kind::Achievement, Some("achievement:x"))])
            .await
            .unwrap();
        assert_eq!(
            again,
            Delivered {
                stored: 0,
                skipped: 1
            }
        );
        assert_eq!(service.unread_count(reader(me)).await.unwrap(), 1);
        let page = service
            .list(reader(me), Filter::default(), PageRequest::default())
            .await
            .unwrap();
        let n = &page.items[0];
        assert!(n.is_delivered && !n.is_read);
        assert_eq!(
            n.expires_at,
            Some(n.created_at + Duration::days(DEFAULT_TTL_DAYS))
        );
        service.mark_read(reader(me), n.id).await.unwrap();
        assert_eq!(service.unread_count(reader(me)).await.unwrap(), 0);
    }

    #[tokio::test]
    async fn preferences_decide_delivery_but_system_messages_always_arrive() {
        let (service, _, _) = service(Some(Wants {
            achievements: false,
            challenges: true,
            social: false,
        }));
        let me = RecipientId::generate(Utc::now());
        let done = service
            .notify(vec![
                notify(me, Kind::Achievement, None),
                notify(me, Kind::Challenge, None),
                notify(me, Kind::Social, None),
                notify(me, Kind::System, None),
            ])
            .await
            .unwrap();
        assert_eq!(
            done,
            Delivered {
                stored: 2,
                skipped: 2
            }
        );
        let (nobody, _, _) = service_without_account();
        let done = nobody
            .notify(vec![notify(me, Kind::System, None)])
            .await
            .unwrap();
        assert_eq!(done.stored, 0, "no account, no notification");
    }

    fn service_without_account() -> (
        NotificationService,
        Arc<InMemoryNotifications>,
        Arc<FixedClock>,
    ) {
        service(None)
    }

    #[tokio::test]
    async fn expired_notifications_are_neither_listed_nor_counted_and_get_purged() {
        let (service, _, clock) = service(Some(ALL));
        let me = RecipientId::generate(Utc::now());
        let mut soon = notify(me, Kind::System, None);
        soon.expires_at = Some(clock.now() + Duration::minutes(5));
        service
            .notify(vec![soon, notify(me, Kind::System, None)])
            .await
            .unwrap();
        assert_eq!(service.unread_count(reader(me)).await.unwrap(), 2);
        clock.advance(Duration::minutes(6));
        assert_eq!(service.unread_count(reader(me)).await.unwrap(), 1);
        let page = service
            .list(reader(me), Filter::default(), PageRequest::default())
            .await
            .unwrap();
        assert_eq!(page.total, 1);
        assert_eq!(service.purge_expired().await.unwrap(), 1);
    }

    #[tokio::test]
    async fn admin_creation_is_validated_bounded_and_admin_only() {
        let (service, _, clock) = service(Some(ALL));
        let me = RecipientId::generate(Utc::now());
        let admin = Reader {
            id: me,
            is_admin: true,
        };
        assert!(matches!(
            service
                .create(reader(me), vec![notify(me, Kind::System, None)])
                .await,
            Err(NotificationError::Forbidden)
        ));
        assert!(matches!(
            service.create(admin, vec![]).await,
            Err(NotificationError::Invalid(_))
        ));
        let many = (0..101).map(|_| notify(me, Kind::System, None)).collect();
        assert!(matches!(
            service.create(admin, many).await,
            Err(NotificationError::Invalid(_))
        ));
        let mut bad = notify(me, Kind::System, None);
        bad.title.clear();
        bad.expires_at = Some(clock.now());
        match service
            .create(admin, vec![notify(me, Kind::System, None), bad])
            .await
        {
            Err(NotificationError::Invalid(fields)) => {
                let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
                assert_eq!(
                    names,
                    vec!["notifications[1].title", "notifications[1].expiresAt"]
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            service.unread_count(reader(me)).await.unwrap(),
            0,
            "nothing half-created"
        );
        let done = service
            .create(
                admin,
                (0..100).map(|_| notify(me, Kind::System, None)).collect(),
            )
            .await
            .unwrap();
        assert_eq!(done.stored, 100);
    }

    #[tokio::test]
    async fn unread_counts_are_remembered_briefly_and_forgotten_on_every_write() {
        let mut store = MockNotificationRepository::new();
        let mut calls = mockall::Sequence::new();
        store
            .expect_unread_count()
            .times(1)
            .in_sequence(&mut calls)
            .returning(|_, _| Ok(unread(3, None)));
        store
            .expect_mark_read()
            .times(1)
            .in_sequence(&mut calls)
            .returning(|_, _, _| Ok(true));
        store
            .expect_unread_count()
            .times(1)
            .in_sequence(&mut calls)
            .returning(|_, _| Ok(unread(2, None)));
        store
            .expect_unread_count()
            .times(1)
            .in_sequence(&mut calls)
            .returning(|_, _| Ok(unread(7, None)));
        let clock = Arc::new(FixedClock::new(Utc::now()));
        let service = NotificationService::new(Ports {
            notifications: Arc::new(store),
            recipients: Arc::new(MockRecipientDirectory::new()),
            clock: clock.clone(),
        });
        let me = reader(RecipientId::generate(Utc::now()));
        assert_eq!(service.unread_count(me).await.unwrap(), 3);
        assert_eq!(service.unread_count(me).await.unwrap(), 3, "from memory");
        service
            .mark_read(me, NotificationId::generate(Utc::now()))
            .await
            .unwrap();
        assert_eq!(
            service.unread_count(me).await.unwrap(),
            2,
            "the write forgot it"
        );
        assert_eq!(service.unread_count(me).await.unwrap(), 2);
        clock.advance(Duration::seconds(1));
        assert_eq!(
            service.unread_count(me).await.unwrap(),
            7,
            "stale after a second"
        );
    }

    fn unread(count: u64, next_expiry: Option<chrono::DateTime<Utc>>) -> Unread {
        Unread { count, next_expiry }
    }

    #[tokio::test]
    async fn an_exclusive_store_keeps_counts_until_written_or_a_counted_one_expires() {
        let t0 = Utc::now();
        let expiry = t0 + Duration::hours(2);
        let mut store = MockNotificationRepository::new();
        let mut calls = mockall::Sequence::new();
        store
            .expect_unread_count()
            .times(1)
            .in_sequence(&mut calls)
            .returning(move |_, _| Ok(unread(4, Some(expiry))));
        store
            .expect_unread_count()
            .times(1)
            .in_sequence(&mut calls)
            .returning(|_, _| Ok(unread(3, None)));
        let clock = Arc::new(FixedClock::new(t0));
        let service = NotificationService::new(Ports {
            notifications: Arc::new(store),
            recipients: Arc::new(MockRecipientDirectory::new()),
            clock: clock.clone(),
        })
        .remembering(Freshness::Exclusive);
        let me = reader(RecipientId::generate(t0));
        assert_eq!(service.unread_count(me).await.unwrap(), 4);
        clock.advance(Duration::minutes(119));
        assert_eq!(service.unread_count(me).await.unwrap(), 4, "from memory");
        clock.advance(Duration::minutes(1));
        assert_eq!(
            service.unread_count(me).await.unwrap(),
            3,
            "one counted notification expired: read again"
        );
        clock.advance(Duration::days(30));
        assert_eq!(service.unread_count(me).await.unwrap(), 3, "from memory");
    }

    #[tokio::test]
    async fn someone_elses_notification_is_not_found_and_unchanged() {
        let mut store = MockNotificationRepository::new();
        store.expect_mark_read().returning(|_, _, _| Ok(false));
        store.expect_delete().returning(|_, _| Ok(false));
        let service = NotificationService::new(Ports {
            notifications: Arc::new(store),
            recipients: Arc::new(MockRecipientDirectory::new()),
            clock: Arc::new(FixedClock::new(Utc::now())),
        });
        let me = reader(RecipientId::generate(Utc::now()));
        let id = NotificationId::generate(Utc::now());
        assert!(matches!(
            service.mark_read(me, id).await,
            Err(NotificationError::NotFound)
        ));
        assert!(matches!(
            service.delete(me, id).await,
            Err(NotificationError::NotFound)
        ));
    }
}
