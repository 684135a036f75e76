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
