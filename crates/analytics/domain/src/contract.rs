//! The contract suite every adapter of the focus session store port must pass.
#![expect(
    clippy::unwrap_used,
    reason = "a test suite reports failures by panicking"
)]

use chrono::{DateTime, Duration, DurationRound, Utc};
use stackrush_kernel::PageRequest;

use crate::model::*;
use crate::ports::FocusSessionRepository;

fn now() -> DateTime<Utc> {
    Utc::now()
        .duration_trunc(Duration::milliseconds(1))
        .unwrap()
}

/// A session with every field set, starting `minutes_ago`.
pub fn sample(user: SubjectId, minutes_ago: i64, focus: u32) -> FocusSession {
    let at = now();
    let start = at - Duration::minutes(minutes_ago);
    FocusSession {
        id: FocusSessionId::generate(at),
        user,
        challenge: Some(ChallengeKey::generate(at)),
        submission: Some(SubmissionKey::generate(at)),
        start_time: start,
        end_time: start + Duration::minutes(25),
        distractions_encountered: 3,
        focus_score: focus,
        environment: Environment::Interview,
        created_at: at,
    }
}

/// Round trip, ownership, filters, sorts, paging and deletes.
pub async fn sessions_round_trip_and_filter(repo: &dyn FocusSessionRepository) {
    let at = now();
    let (me, other) = (SubjectId::generate(at), SubjectId::generate(at));
    let old = sample(me, 300, 40);
    let mut mid = sample(me, 200, 90);
    mid.environment = Environment::Zen;
    mid.challenge = None;
    mid.submission = None;
    let new = sample(me, 100, 60);
    let theirs = sample(other, 50, 10);
    for s in [&old, &mid, &new, &theirs] {
        repo.insert(s).await.unwrap();
    }
    assert_eq!(repo.find(me, mid.id).await.unwrap(), Some(mid.clone()));
    assert_eq!(repo.find(other, mid.id).await.unwrap(), None, "not theirs");
    let ids = |p: stackrush_kernel::Page<FocusSession>| {
        p.items.into_iter().map(|s| s.id).collect::<Vec<_>>()
    };
    let newest = SessionFilter {
        descending: true,
        ..SessionFilter::default()
    };
    let page = repo
        .list(me, &newest, PageRequest::new(1, 10))
        .await
        .unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(ids(page), vec![new.id, mid.id, old.id]);
    let by_focus = SessionFilter {
        sort: SessionSort::FocusScore,
        descending: true,
        ..SessionFilter::default()
    };
    assert_eq!(
        ids(repo
            .list(me, &by_focus, PageRequest::new(1, 10))
            .await
            .unwrap()),
        vec![mid.id, new.id, old.id]
    );
    let zen = SessionFilter {
        environment: Some(Environment::Zen),
        ..SessionFilter::default()
    };
    assert_eq!(
        ids(repo.list(me, &zen, PageRequest::new(1, 10)).await.unwrap()),
        vec![mid.id]
    );
    let on = SessionFilter {
        challenge: new.challenge,
        ..SessionFilter::default()
    };
    assert_eq!(
        ids(repo.list(me, &on, PageRequest::new(1, 10)).await.unwrap()),
        vec![new.id]
    );
    let window = SessionFilter {
        from: Some(at - Duration::minutes(250)),
        to: Some(at - Duration::minutes(150)),
        ..SessionFilter::default()
    };
    assert_eq!(
        ids(repo
            .list(me, &window, PageRequest::new(1, 10))
            .await
            .unwrap()),
        vec![mid.id]
    );
    let second = repo
        .list(me, &newest, PageRequest::new(2, 2))
        .await
        .unwrap();
    assert_eq!((second.total, second.items.len()), (3, 1));
    assert_eq!(repo.all(me).await.unwrap().len(), 3);
    let average = repo.average_focus().await.unwrap().unwrap();
    assert!((10.0..=90.0).contains(&average), "{average}");
    assert!(!repo.delete(other, old.id).await.unwrap());
    assert!(repo.delete(me, old.id).await.unwrap());
    assert!(!repo.delete(me, old.id).await.unwrap());
    assert_eq!(repo.all(me).await.unwrap().len(), 2);
}

/// Every check, against one store.
pub async fn run_all(repo: &dyn FocusSessionRepository) {
    sessions_round_trip_and_filter(repo).await;
}
