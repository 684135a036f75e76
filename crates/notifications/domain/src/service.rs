//! The notifications service.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{Duration, NaiveDate};
use garde::Validate;
use stackrush_kernel::{FieldError, Freshness, Page, PageRequest, ReadMemory};

use crate::error::NotificationError;
use crate::mail::{self, Letter, MailRun, MailState, QueuedMail, WeeklySummary};
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

    /// Removes expired notifications (stores without TTL indexes run this periodically), and
    /// mails finished more than [`crate::mail::KEEP_DAYS`] ago.
    async fn purge_expired(&self) -> Result<u64, NotificationError>;

    /// Queues the weekly summary of each recipient who wants email, once per recipient and
    /// week; for the others it records the week as done without mail (so it is not composed
    /// again). Errors: `Unavailable`.
    async fn queue_weekly(
        &self,
        summaries: Vec<WeeklySummary>,
    ) -> Result<Delivered, NotificationError>;

    /// Which of `recipients` have the summary of the week starting on `week` queued already.
    async fn weekly_queued(
        &self,
        week: NaiveDate,
        recipients: Vec<RecipientId>,
    ) -> Result<Vec<RecipientId>, NotificationError>;

    /// Sends up to `limit` due mails from the outbox: to the address the recipient has now,
    /// with an unsubscribe link; dropped when they no longer want email; a failure is tried
    /// again later ([`crate::mail::backoff`]) up to [`crate::mail::MAX_ATTEMPTS`] times.
    async fn send_mail(&self, limit: u32) -> Result<MailRun, NotificationError>;
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
        let mut mails = Vec::new();
        for r in requests {
            let wants = self
                .ports
                .recipients
                .wants(r.recipient)
                .await
                .map_err(NotificationError::Unavailable)?;
            let Some(wants) = wants.filter(|w| w.allows(r.kind)) else {
                continue;
            };
            let id = NotificationId::generate(now);
            if r.email && wants.email {
                let about = r.dedup_key.clone().unwrap_or_else(|| id.to_hex());
                mails.push(QueuedMail::new(
                    r.recipient,
                    format!("notice:{about}"),
                    r.title.clone(),
                    r.message.clone(),
                    now,
                ));
            }
            keep.push(Notification {
                id,
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
        // After the notifications: a retried request finds them stored, and queues (once)
        // the mails a failure here left out.
        if !mails.is_empty() {
            self.ports.outbox.enqueue(&mails).await?;
        }
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
        let purged = purged?;
        let mails = self
            .ports
            .outbox
            .purge_finished(now - Duration::days(mail::KEEP_DAYS))
            .await?;
        Ok(purged + mails)
    }

    async fn queue_weekly(
        &self,
        summaries: Vec<WeeklySummary>,
    ) -> Result<Delivered, NotificationError> {
        let now = self.ports.clock.now();
        let total = summaries.len();
        let mut mails = Vec::with_capacity(total);
        for s in &summaries {
            let wants = self
                .ports
                .recipients
                .wants(s.recipient)
                .await
                .map_err(NotificationError::Unavailable)?;
            let (subject, text) = mail::weekly_text(s);
            let mut queued =
                QueuedMail::new(s.recipient, mail::weekly_key(s.week), subject, text, now);
            if !wants.is_some_and(|w| w.email) {
                // Kept as dropped: the job sees the week done and does not compose it again.
                queued.state = MailState::Dropped;
                queued.finished_at = Some(now);
            }
            mails.push(queued);
        }
        let (sending, done): (Vec<_>, Vec<_>) = mails
            .into_iter()
            .partition(|m| m.state == MailState::Queued);
        if !done.is_empty() {
            self.ports.outbox.enqueue(&done).await?;
        }
        let stored = if sending.is_empty() {
            0
        } else {
            self.ports.outbox.enqueue(&sending).await?
        };
        Ok(Delivered {
            stored,
            skipped: total - stored,
        })
    }

    async fn weekly_queued(
        &self,
        week: NaiveDate,
        recipients: Vec<RecipientId>,
    ) -> Result<Vec<RecipientId>, NotificationError> {
        if recipients.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .ports
            .outbox
            .holding(&mail::weekly_key(week), &recipients)
            .await?)
    }

    async fn send_mail(&self, limit: u32) -> Result<MailRun, NotificationError> {
        let now = self.ports.clock.now();
        let until = now + Duration::minutes(mail::SEND_LEASE_MINUTES);
        let claimed = self.ports.outbox.claim(now, until, limit.max(1)).await?;
        let mut run = MailRun::default();
        for queued in claimed {
            let contact = match self.ports.recipients.contact(queued.recipient).await {
                Ok(contact) => contact,
                Err(e) => {
                    // Identity is unreachable: the claim expires and the mail is tried again.
                    tracing::warn!(error = %e, "could not look up a mail's recipient");
                    return Err(NotificationError::Unavailable(e));
                }
            };
            let outcome = match contact.filter(|c| c.email_wanted) {
                None => MailState::Dropped,
                Some(contact) => {
                    let letter = Letter {
                        to: contact.address.clone(),
                        subject: queued.subject.clone(),
                        text: mail::letter_text(&contact, &queued.text),
                        unsubscribe_url: contact.unsubscribe_url.clone(),
                    };
                    match self.ports.postman.deliver(&letter).await {
                        Ok(()) => MailState::Sent,
                        Err(e) => {
                            tracing::warn!(error = %e, mail = %queued.id, attempt = queued.attempts, "could not send a mail");
                            MailState::Failed
                        }
                    }
                }
            };
            let at = self.ports.clock.now();
            match outcome {
                MailState::Failed if queued.attempts < mail::MAX_ATTEMPTS => {
                    self.ports
                        .outbox
                        .retry_at(queued.id, at + mail::backoff(queued.attempts))
                        .await?;
                    run.retried += 1;
                }
                state => {
                    self.ports.outbox.finish(queued.id, state, at).await?;
                    match state {
                        MailState::Sent => run.sent += 1,
                        MailState::Dropped => run.dropped += 1,
                        _ => run.failed += 1,
                    }
                }
            }
        }
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::Utc;
    use stackrush_kernel::{Clock, FixedClock};

    use super::*;
    use crate::fake::{InMemoryNotifications, InMemoryOutbox};
    use crate::mail::{Contact, MockPostman, Suggestion};
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
            email: false,
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
            outbox: Arc::new(InMemoryOutbox::default()),
            postman: Arc::new(MockPostman::new()),
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
        email: true,
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
            email: true,
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
            outbox: Arc::new(InMemoryOutbox::default()),
            postman: Arc::new(MockPostman::new()),
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
            outbox: Arc::new(InMemoryOutbox::default()),
            postman: Arc::new(MockPostman::new()),
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
            outbox: Arc::new(InMemoryOutbox::default()),
            postman: Arc::new(MockPostman::new()),
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

    struct Mailing {
        service: NotificationService,
        outbox: Arc<InMemoryOutbox>,
        clock: Arc<FixedClock>,
        letters: Arc<std::sync::Mutex<Vec<Letter>>>,
    }

    /// A service whose recipients all want `wants`, with `contact` (email wanted or not), and a
    /// postman that fails the first `failures` letters.
    fn mailing(wants: Wants, email_wanted: bool, failures: usize) -> Mailing {
        let mut recipients = MockRecipientDirectory::new();
        recipients
            .expect_wants()
            .returning(move |_| Ok(Some(wants)));
        recipients.expect_contact().returning(move |r| {
            Ok(Some(Contact {
                address: format!("{}@example.com", r.to_hex()),
                name: "ada".into(),
                email_wanted,
                unsubscribe_url: format!(
                    "https://api.example.com/api/auth/unsubscribe?token=t-{}",
                    r.to_hex()
                ),
            }))
        });
        let letters = Arc::new(std::sync::Mutex::new(Vec::new()));
        let tries = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut postman = MockPostman::new();
        let kept = letters.clone();
        postman.expect_deliver().returning(move |letter| {
            if tries.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < failures {
                anyhow::bail!("421 try again later");
            }
            kept.lock().unwrap().push(letter.clone());
            Ok(())
        });
        let outbox = Arc::new(InMemoryOutbox::default());
        let clock = Arc::new(FixedClock::new(Utc::now()));
        let service = NotificationService::new(Ports {
            notifications: Arc::new(InMemoryNotifications::default()),
            recipients: Arc::new(recipients),
            outbox: outbox.clone(),
            postman: Arc::new(postman),
            clock: clock.clone(),
        });
        Mailing {
            service,
            outbox,
            clock,
            letters,
        }
    }

    fn milestone(me: RecipientId, kind: Kind, key: &str) -> Notify {
        Notify {
            email: true,
            title: "Level 5 reached".into(),
            message: "You are now level 5.".into(),
            ..notify(me, kind, Some(key))
        }
    }

    #[tokio::test]
    async fn milestones_are_mailed_once_to_those_who_want_email_and_the_kind() {
        let m = mailing(ALL, true, 0);
        let me = RecipientId::generate(Utc::now());
        for _ in 0..2 {
            m.service
                .notify(vec![
                    milestone(me, Kind::Level, "level:5"),
                    notify(me, Kind::Level, Some("level:4")),
                ])
                .await
                .unwrap();
        }
        let queued = m.outbox.all();
        assert_eq!(
            queued.len(),
            1,
            "one mail per milestone, none for an in-app-only notice"
        );
        assert_eq!(queued[0].key, "notice:level:5");
        assert_eq!(queued[0].subject, "Level 5 reached");

        let no_email = mailing(
            Wants {
                email: false,
                ..ALL
            },
            true,
            0,
        );
        no_email
            .service
            .notify(vec![milestone(me, Kind::Level, "level:5")])
            .await
            .unwrap();
        assert!(no_email.outbox.all().is_empty());
        assert_eq!(
            no_email.service.unread_count(reader(me)).await.unwrap(),
            1,
            "still in the centre"
        );

        let no_progress_news = mailing(
            Wants {
                achievements: false,
                ..ALL
            },
            true,
            0,
        );
        no_progress_news
            .service
            .notify(vec![milestone(me, Kind::Level, "level:5")])
            .await
            .unwrap();
        assert!(
            no_progress_news.outbox.all().is_empty(),
            "the kind's switch applies to mail too"
        );
    }

    #[tokio::test]
    async fn the_sender_mails_the_current_address_with_an_unsubscribe_link_once() {
        let m = mailing(ALL, true, 0);
        let me = RecipientId::generate(Utc::now());
        m.service
            .notify(vec![milestone(me, Kind::Level, "level:5")])
            .await
            .unwrap();
        let run = m.service.send_mail(10).await.unwrap();
        assert_eq!(
            run,
            MailRun {
                sent: 1,
                ..MailRun::default()
            }
        );
        let letters = m.letters.lock().unwrap().clone();
        assert_eq!(letters.len(), 1);
        let letter = &letters[0];
        assert_eq!(letter.to, format!("{}@example.com", me.to_hex()));
        assert!(
            letter
                .text
                .starts_with("Hello ada,\n\nYou are now level 5."),
            "{}",
            letter.text
        );
        assert!(letter.text.contains(&letter.unsubscribe_url));
        assert!(letter.unsubscribe_url.ends_with(&me.to_hex()));
        m.clock.advance(Duration::hours(1));
        assert_eq!(
            m.service.send_mail(10).await.unwrap(),
            MailRun::default(),
            "sent once"
        );
        assert_eq!(m.outbox.all()[0].state, MailState::Sent);
    }

    #[tokio::test]
    async fn a_mail_to_someone_who_switched_email_off_since_is_dropped() {
        let m = mailing(ALL, false, 0);
        let me = RecipientId::generate(Utc::now());
        m.service
            .notify(vec![milestone(me, Kind::Level, "level:5")])
            .await
            .unwrap();
        let run = m.service.send_mail(10).await.unwrap();
        assert_eq!(
            run,
            MailRun {
                dropped: 1,
                ..MailRun::default()
            }
        );
        assert!(m.letters.lock().unwrap().is_empty());
        assert_eq!(m.outbox.all()[0].state, MailState::Dropped);
    }

    #[tokio::test]
    async fn failed_mails_are_retried_with_backoff_then_given_up() {
        // Fails twice, then the server takes it.
        let m = mailing(ALL, true, 2);
        let me = RecipientId::generate(Utc::now());
        m.service
            .notify(vec![milestone(me, Kind::Level, "level:5")])
            .await
            .unwrap();
        assert_eq!(m.service.send_mail(10).await.unwrap().retried, 1);
        assert_eq!(
            m.service.send_mail(10).await.unwrap(),
            MailRun::default(),
            "not before its time"
        );
        m.clock.advance(mail::backoff(1));
        assert_eq!(m.service.send_mail(10).await.unwrap().retried, 1);
        m.clock.advance(mail::backoff(2));
        assert_eq!(m.service.send_mail(10).await.unwrap().sent, 1);
        assert_eq!(m.letters.lock().unwrap().len(), 1);

        // Never taken: given up after the last try.
        let m = mailing(ALL, true, usize::MAX);
        m.service
            .notify(vec![milestone(me, Kind::Level, "level:5")])
            .await
            .unwrap();
        let mut runs = Vec::new();
        for attempt in 1..=mail::MAX_ATTEMPTS {
            runs.push(m.service.send_mail(10).await.unwrap());
            m.clock.advance(mail::backoff(attempt));
        }
        assert!(runs[..runs.len() - 1].iter().all(|r| r.retried == 1));
        assert_eq!(runs.last().map(|r| r.failed), Some(1));
        assert_eq!(m.outbox.all()[0].state, MailState::Failed);
        m.clock.advance(Duration::days(1));
        assert_eq!(m.service.send_mail(10).await.unwrap(), MailRun::default());
    }

    #[tokio::test]
    async fn weekly_summaries_are_queued_once_per_week_for_those_who_want_email() {
        let m = mailing(ALL, true, 0);
        let me = RecipientId::generate(Utc::now());
        let week = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let summary = WeeklySummary {
            recipient: me,
            week,
            xp: 120,
            solved: 2,
            submissions: 5,
            streak: 3,
            rank: Some(4),
            rank_change: 2,
            suggestions: vec![Suggestion {
                title: "Graphs".into(),
                reason: "practises your weakest type".into(),
            }],
        };
        assert_eq!(
            m.service
                .queue_weekly(vec![summary.clone()])
                .await
                .unwrap()
                .stored,
            1
        );
        assert_eq!(
            m.service
                .queue_weekly(vec![summary.clone()])
                .await
                .unwrap()
                .stored,
            0
        );
        let other = RecipientId::generate(Utc::now());
        assert_eq!(
            m.service
                .weekly_queued(week, vec![me, other])
                .await
                .unwrap(),
            vec![me]
        );
        assert!(m
            .service
            .weekly_queued(week + Duration::days(7), vec![me])
            .await
            .unwrap()
            .is_empty());
        m.service.send_mail(10).await.unwrap();
        let letters = m.letters.lock().unwrap().clone();
        assert_eq!(letters[0].subject, "Your StackRush week: 120 XP, 2 solved");
        assert!(letters[0].text.contains("#4 (up 2)"), "{}", letters[0].text);

        let quiet = mailing(
            Wants {
                email: false,
                ..ALL
            },
            true,
            0,
        );
        assert_eq!(
            quiet
                .service
                .queue_weekly(vec![summary])
                .await
                .unwrap()
                .skipped,
            1
        );
        assert_eq!(
            quiet.outbox.all()[0].state,
            MailState::Dropped,
            "the week is done"
        );
        assert_eq!(
            quiet.service.weekly_queued(week, vec![me]).await.unwrap(),
            vec![me]
        );
        assert_eq!(
            quiet.service.send_mail(10).await.unwrap(),
            MailRun::default()
        );
        assert!(quiet.letters.lock().unwrap().is_empty());
    }
}
