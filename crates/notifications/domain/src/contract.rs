//! The contract suite every adapter of the notification store port must pass.
#![expect(
    clippy::unwrap_used,
    reason = "a test suite reports failures by panicking"
)]

use chrono::{DateTime, Duration, DurationRound, Utc};
use stackrush_kernel::PageRequest;

use crate::model::*;
use crate::ports::NotificationRepository;

fn now() -> DateTime<Utc> {
    Utc::now()
        .duration_trunc(Duration::milliseconds(1))
        .unwrap()
}

/// A live, unread notification with every field set.
pub fn sample(recipient: RecipientId, at: DateTime<Utc>) -> Notification {
    let mut data = serde_json::Map::new();
    data.insert(
        "achievementId".into(),
        serde_json::json!("0123456789abcdef01234567"),
    );
    data.insert("xp".into(), serde_json::json!(50));
    Notification {
        id: NotificationId::generate(at),
        recipient,
        kind: Kind::Achievement,
        title: "Achievement unlocked — ünïcode".into(),
        message: "First Steps".into(),
        data,
        priority: Priority::High,
        is_read: false,
        read_at: None,
        is_delivered: true,
        delivered_at: Some(at),
        dedup_key: None,
        created_at: at,
        expires_at: Some(at + Duration::days(90)),
    }
}

async fn ids(
    repo: &dyn NotificationRepository,
    who: RecipientId,
    f: Filter,
    at: DateTime<Utc>,
) -> Vec<NotificationId> {
    repo.list(who, &f, PageRequest::new(1, 100), at)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|n| n.id)
        .collect()
}

/// Round trip, dedup keys, filters, sorts, paging and expiry.
pub async fn store_list_and_dedup(repo: &dyn NotificationRepository) {
    let t0 = now();
    let (me, other) = (RecipientId::generate(t0), RecipientId::generate(t0));
    let a = sample(me, t0);
    let mut b = sample(me, t0 + Duration::seconds(1));
    b.kind = Kind::System;
    b.priority = Priority::Low;
    b.dedup_key = Some("level:2".into());
    let mut c = sample(me, t0 + Duration::seconds(2));
    c.priority = Priority::Urgent;
    c.data = serde_json::Map::new();
    c.expires_at = None;
    let mut gone = sample(me, t0 + Duration::seconds(3));
    gone.expires_at = Some(t0 + Duration::seconds(10));
    let mut theirs = sample(other, t0);
    theirs.dedup_key = Some("level:2".into());
    let mut twin = sample(me, t0);
    twin.dedup_key = Some("level:2".into());
    let stored = repo
        .insert_many(&[
            a.clone(),
            b.clone(),
            c.clone(),
            gone.clone(),
            theirs.clone(),
            twin,
        ])
        .await
        .unwrap();
    assert_eq!(
        stored, 5,
        "the twin of b (same recipient and key) is dropped"
    );
    let mut again = sample(me, t0);
    again.dedup_key = Some("level:2".into());
    assert_eq!(
        repo.insert_many(&[again]).await.unwrap(),
        0,
        "across requests too"
    );

    let later = t0 + Duration::seconds(20);
    let page = repo
        .list(
            me,
            &Filter {
                descending: true,
                ..Filter::default()
            },
            PageRequest::new(1, 10),
            later,
        )
        .await
        .unwrap();
    assert_eq!(
        page.items,
        vec![c.clone(), b.clone(), a.clone()],
        "round trip, newest first, expired gone"
    );
    assert_eq!(page.total, 3);
    let at_t0 = t0 + Duration::seconds(5);
    assert_eq!(
        ids(repo, me, Filter::default(), at_t0).await.len(),
        4,
        "not yet expired"
    );
    let by_priority = Filter {
        sort: Sort::Priority,
        descending: true,
        ..Filter::default()
    };
    assert_eq!(
        ids(repo, me, by_priority, later).await,
        vec![c.id, a.id, b.id]
    );
    let system = Filter {
        kind: Some(Kind::System),
        ..Filter::default()
    };
    assert_eq!(ids(repo, me, system, later).await, vec![b.id]);
    let urgent = Filter {
        priority: Some(Priority::Urgent),
        ..Filter::default()
    };
    assert_eq!(ids(repo, me, urgent, later).await, vec![c.id]);
    let window = Filter {
        from: Some(t0 + Duration::milliseconds(500)),
        to: Some(t0 + Duration::milliseconds(1500)),
        ..Filter::default()
    };
    assert_eq!(ids(repo, me, window, later).await, vec![b.id]);
    let second = repo
        .list(
            me,
            &Filter {
                descending: true,
                ..Filter::default()
            },
            PageRequest::new(2, 2),
            later,
        )
        .await
        .unwrap();
    assert_eq!((second.total, second.items.len()), (3, 1));
    assert_eq!(
        ids(repo, other, Filter::default(), later).await,
        vec![theirs.id]
    );
}

/// Unread counts, read marks (own, live ones only) and deletes.
pub async fn read_count_and_delete(repo: &dyn NotificationRepository) {
    let t0 = now();
    let (me, other) = (RecipientId::generate(t0), RecipientId::generate(t0));
    let a = sample(me, t0);
    let b = sample(me, t0 + Duration::seconds(1));
    let mut gone = sample(me, t0);
    gone.expires_at = Some(t0 + Duration::seconds(1));
    let theirs = sample(other, t0);
    repo.insert_many(&[a.clone(), b.clone(), gone.clone(), theirs.clone()])
        .await
        .unwrap();
    let mut never = sample(me, t0);
    never.expires_at = None;
    repo.insert_many(std::slice::from_ref(&never))
        .await
        .unwrap();
    let later = t0 + Duration::seconds(5);
    assert_eq!(
        repo.unread_count(me, later).await.unwrap(),
        Unread {
            count: 3,
            next_expiry: a.expires_at,
        },
        "live ones only; the first expiry among them (one never expires)"
    );
    assert!(repo.delete(me, never.id).await.unwrap());
    assert!(
        !repo.mark_read(other, a.id, later).await.unwrap(),
        "not theirs"
    );
    assert!(
        !repo.mark_read(me, gone.id, later).await.unwrap(),
        "expired"
    );
    assert!(repo.mark_read(me, a.id, later).await.unwrap());
    assert!(
        repo.mark_read(me, a.id, later + Duration::seconds(1))
            .await
            .unwrap(),
        "idempotent"
    );
    assert_eq!(repo.unread_count(me, later).await.unwrap().count, 1);
    let read = repo
        .list(
            me,
            &Filter {
                is_read: Some(true),
                ..Filter::default()
            },
            PageRequest::new(1, 10),
            later,
        )
        .await
        .unwrap();
    assert_eq!(read.items.len(), 1);
    assert_eq!(read.items[0].read_at, Some(later), "first read time kept");
    assert_eq!(repo.mark_all_read(me, later).await.unwrap(), 1);
    assert_eq!(repo.unread_count(me, later).await.unwrap().count, 0);
    assert_eq!(
        repo.unread_count(other, later).await.unwrap().count,
        1,
        "others untouched"
    );
    assert!(!repo.delete(other, b.id).await.unwrap());
    assert!(repo.delete(me, b.id).await.unwrap());
    assert!(!repo.delete(me, b.id).await.unwrap());
    let purged = repo.purge_expired(later).await.unwrap();
    assert!(purged >= 1, "the expired one is removed");
    assert!(
        !repo.mark_read(me, gone.id, t0).await.unwrap(),
        "gone for good"
    );
}

/// Every check, against one store.
pub async fn run_all(repo: &dyn NotificationRepository) {
    store_list_and_dedup(repo).await;
    read_count_and_delete(repo).await;
}

/// The outbox: one mail per recipient and key, claims that exclude each other until their
/// lease ends, retries, finishing, purging.
pub async fn outbox_queues_once_and_claims_exclusively(outbox: &dyn crate::mail::MailOutbox) {
    use crate::mail::{MailState, QueuedMail};
    let at = now();
    let (ada, bob) = (RecipientId::generate(at), RecipientId::generate(at));
    let mail = |who, key: &str, t| {
        QueuedMail::new(
            who,
            key.into(),
            "Level 5 — ünïcode".into(),
            "Line one\nline two".into(),
            t,
        )
    };
    let first = mail(ada, "level:5", at);
    let queued = outbox
        .enqueue(&[
            first.clone(),
            mail(bob, "level:5", at),
            mail(ada, "level:5", at),
        ])
        .await
        .unwrap();
    assert_eq!(
        queued, 2,
        "the same key twice for one recipient is queued once"
    );
    assert_eq!(
        outbox.enqueue(&[mail(ada, "level:5", at)]).await.unwrap(),
        0
    );
    assert_eq!(outbox.find(first.id).await.unwrap(), Some(first.clone()));
    let later = mail(ada, "weekly:2026-11-23", at + Duration::seconds(1));
    outbox.enqueue(std::slice::from_ref(&later)).await.unwrap();
    let mut holding = outbox
        .holding("level:5", &[bob, ada, RecipientId::generate(at)])
        .await
        .unwrap();
    holding.sort();
    let mut both = vec![ada, bob];
    both.sort();
    assert_eq!(holding, both);

    // Nothing is due before it was queued; then the oldest first, up to the limit.
    assert!(outbox
        .claim(at - Duration::seconds(1), at + Duration::minutes(10), 10)
        .await
        .unwrap()
        .is_empty());
    let lease = at + Duration::minutes(10);
    let claimed = outbox
        .claim(at + Duration::seconds(2), lease, 2)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2);
    assert!(claimed
        .iter()
        .all(|m| m.attempts == 1 && m.next_try_at == lease));
    assert!(
        claimed.iter().all(|m| m.created_at == at),
        "the oldest first"
    );
    // Claimed mails are not due for another claimer until the lease ends.
    let rest = outbox
        .claim(at + Duration::seconds(3), lease, 10)
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].id, later.id);
    assert!(outbox
        .claim(at + Duration::minutes(9), lease, 10)
        .await
        .unwrap()
        .is_empty());

    // A failure is retried at the given time; a finished mail is never claimed again.
    outbox
        .retry_at(claimed[0].id, at + Duration::minutes(1))
        .await
        .unwrap();
    outbox
        .finish(claimed[1].id, MailState::Sent, at + Duration::seconds(5))
        .await
        .unwrap();
    outbox
        .finish(later.id, MailState::Dropped, at + Duration::seconds(5))
        .await
        .unwrap();
    let again = outbox
        .claim(at + Duration::minutes(2), at + Duration::minutes(12), 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].id, again[0].attempts), (claimed[0].id, 2));
    let sent = outbox.find(claimed[1].id).await.unwrap().unwrap();
    assert_eq!(
        (sent.state, sent.finished_at),
        (MailState::Sent, Some(at + Duration::seconds(5)))
    );
    // retry_at after a finish changes nothing.
    outbox.retry_at(claimed[1].id, at).await.unwrap();
    assert!(outbox
        .claim(at + Duration::hours(1), at + Duration::hours(2), 10)
        .await
        .unwrap()
        .iter()
        .all(|m| m.id != claimed[1].id));

    // Finished mails are purged after their time; queued ones never.
    assert_eq!(
        outbox
            .purge_finished(at + Duration::seconds(5))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        outbox
            .purge_finished(at + Duration::seconds(6))
            .await
            .unwrap(),
        2
    );
    assert!(outbox.find(later.id).await.unwrap().is_none());
    assert!(outbox.find(claimed[0].id).await.unwrap().is_some());
}

/// Racing claimers never get the same mail.
pub async fn racing_claims_share_nothing(outbox: &dyn crate::mail::MailOutbox) {
    use crate::mail::QueuedMail;
    let at = now();
    let mails: Vec<_> = (0..20)
        .map(|i| {
            QueuedMail::new(
                RecipientId::generate(at),
                format!("race:{i}"),
                "s".into(),
                "t".into(),
                at,
            )
        })
        .collect();
    outbox.enqueue(&mails).await.unwrap();
    assert_eq!(outbox.enqueue(&mails).await.unwrap(), 0, "queued before");
    let (due, until) = (at + Duration::seconds(1), at + Duration::minutes(10));
    let (a, b) = futures::join!(outbox.claim(due, until, 12), outbox.claim(due, until, 12));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.len() + b.len(), 20, "every due mail goes to one claimer");
    assert!(a.iter().all(|m| b.iter().all(|n| n.id != m.id)));
}

/// Every outbox contract test.
pub async fn run_outbox(outbox: &dyn crate::mail::MailOutbox) {
    outbox_queues_once_and_claims_exclusively(outbox).await;
    racing_claims_share_nothing(outbox).await;
}
