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

/// The audit log keeps entries as appended and reads them newest first, by actor, action (or
/// area), target and time range, paged; a text that looks like a query operator stays text.
pub async fn audit_log_appends_and_filters(repo: &dyn crate::audit::AuditRepository) {
    use crate::audit::*;
    let t0 = now();
    let (admin, other) = (AuditActor::generate(t0), AuditActor::generate(t0));
    let target = format!("user:{}", AuditActor::generate(t0).to_hex());
    let entry = |i: i64, actor: Option<AuditActor>, action: &str, target: Option<String>| {
        let at = t0 + Duration::seconds(i);
        AuditEntry {
            id: AuditId::generate(at),
            at,
            actor,
            action: action.to_owned(),
            target,
            address: Some("203.0.113.7".to_owned()),
            request_id: Some(format!("req-{i}")),
        }
    };
    let written = vec![
        entry(0, Some(admin), "user.updated", Some(target.clone())),
        entry(1, None, "auth.password_reset", None),
        entry(
            2,
            Some(admin),
            "certificate.revoked",
            Some("certificate:x".into()),
        ),
        entry(3, Some(other), "user.updated", Some("{\"$ne\": 1}".into())),
        entry(4, Some(admin), "user.deleted", Some(target.clone())),
    ];
    for e in &written {
        repo.append(e).await.unwrap();
    }
    let ids = |page: stackrush_kernel::Page<AuditEntry>| -> Vec<AuditId> {
        page.items.into_iter().map(|e| e.id).collect()
    };
    let mine = AuditFilter {
        actor: Some(admin),
        ..AuditFilter::default()
    };
    let page = repo.list(&mine, PageRequest::new(1, 2)).await.unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(page.items[0], written[4], "round trip, newest first");
    assert_eq!(
        ids(repo.list(&mine, PageRequest::new(2, 2)).await.unwrap()),
        vec![written[0].id]
    );
    let area = AuditFilter {
        action: Some("user.".into()),
        from: Some(t0),
        to: Some(t0 + Duration::seconds(4)),
        ..AuditFilter::default()
    };
    assert_eq!(
        ids(repo.list(&area, PageRequest::new(1, 10)).await.unwrap()),
        vec![written[3].id, written[0].id],
        "an area, from inclusive, to exclusive"
    );
    let exact = AuditFilter {
        action: Some("user.updated".into()),
        target: Some(target.clone()),
        ..AuditFilter::default()
    };
    assert_eq!(
        ids(repo.list(&exact, PageRequest::new(1, 10)).await.unwrap()),
        vec![written[0].id]
    );
    let operator = AuditFilter {
        target: Some("{\"$ne\": 1}".into()),
        ..AuditFilter::default()
    };
    assert_eq!(
        ids(repo.list(&operator, PageRequest::new(1, 10)).await.unwrap()),
        vec![written[3].id]
    );
    let prefix_only = AuditFilter {
        action: Some("user".into()),
        actor: Some(admin),
        ..AuditFilter::default()
    };
    assert_eq!(
        repo.list(&prefix_only, PageRequest::new(1, 10))
            .await
            .unwrap()
            .total,
        0
    );
    let anonymous = repo
        .list(
            &AuditFilter {
                action: Some("auth.password_reset".into()),
                from: Some(t0),
                ..AuditFilter::default()
            },
            PageRequest::new(1, 10),
        )
        .await
        .unwrap();
    assert_eq!(anonymous.items, vec![written[1].clone()]);
    assert!(repo
        .exists(admin, "user.updated", "203.0.113.7")
        .await
        .unwrap());
    assert!(!repo
        .exists(admin, "user.updated", "203.0.113.8")
        .await
        .unwrap());
    assert!(!repo
        .exists(other, "user.deleted", "203.0.113.7")
        .await
        .unwrap());
}
