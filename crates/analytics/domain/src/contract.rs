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

/// The event store of the contract suite: both ports on one adapter.
pub trait EventsAdapter: crate::ports::EventStore + crate::ports::JobStore {}
impl<T: crate::ports::EventStore + crate::ports::JobStore> EventsAdapter for T {}

/// Events of two users on two days, one of them in Tokyo (whose local day runs ahead of UTC).
pub fn sample_events(a: SubjectId, b: SubjectId) -> Vec<crate::events::Event> {
    use crate::events::{Event, EventId};
    use chrono::TimeZone;
    use stackrush_kernel::activity::{Activity, Happened, Scored};
    let at = |d: u32, h: u32, m: u32| Utc.with_ymd_and_hms(2026, 2, d, h, m, 0).unwrap();
    let scored = |score: f64, success: bool, first: bool, minutes: f64, kind: &str| {
        Happened::Scored(Scored {
            challenge: [7; 12],
            challenge_type: kind.into(),
            score,
            success,
            first,
            xp: if success { 40 } else { 0 },
            minutes: Some(minutes),
            skills: vec!["arrays".into(), kind.into()],
        })
    };
    let plan: Vec<(SubjectId, DateTime<Utc>, Happened, chrono_tz::Tz)> = vec![
        (a, at(1, 9, 0), Happened::SignedUp, chrono_tz::UTC),
        (
            a,
            at(1, 9, 5),
            scored(50.0, false, false, 12.5, "dsa"),
            chrono_tz::UTC,
        ),
        (
            a,
            at(1, 9, 30),
            scored(100.0, true, true, 20.25, "dsa"),
            chrono_tz::UTC,
        ),
        (
            a,
            at(1, 10, 0),
            scored(75.5, true, true, 45.0, "bug-fix"),
            chrono_tz::UTC,
        ),
        (
            a,
            at(1, 11, 0),
            Happened::Posted {
                post: [1; 12],
                code: true,
            },
            chrono_tz::UTC,
        ),
        (
            a,
            at(2, 8, 0),
            scored(25.0, false, false, 130.0, "dsa"),
            chrono_tz::UTC,
        ),
        (
            a,
            at(2, 8, 30),
            Happened::Commented { post: [1; 12] },
            chrono_tz::UTC,
        ),
        // 20:00 UTC on the 1st is the 2nd in Tokyo.
        (b, at(1, 20, 0), Happened::SignedUp, chrono_tz::Asia::Tokyo),
        (
            b,
            at(1, 20, 30),
            Happened::Commented { post: [1; 12] },
            chrono_tz::Asia::Tokyo,
        ),
        (
            b,
            at(1, 21, 0),
            Happened::Liked { post: [1; 12] },
            chrono_tz::Asia::Tokyo,
        ),
        (
            b,
            at(1, 21, 5),
            Happened::TemplateDownloaded { template: [3; 12] },
            chrono_tz::Asia::Tokyo,
        ),
        (
            b,
            at(2, 1, 0),
            scored(90.0, true, true, 3.0, "feature"),
            chrono_tz::Asia::Tokyo,
        ),
        (
            a,
            at(2, 9, 0),
            Happened::TemplateDownloaded { template: [3; 12] },
            chrono_tz::UTC,
        ),
        (
            a,
            at(2, 9, 1),
            Happened::TemplateStarred { template: [4; 12] },
            chrono_tz::UTC,
        ),
    ];
    plan.into_iter()
        .map(|(user, at, what, zone)| {
            Event::of(
                EventId::generate(at),
                Activity {
                    actor: user.bytes(),
                    at,
                    what,
                },
                zone,
            )
        })
        .collect()
}

/// Events are appended once (a retried batch adds nothing), rolled up in the store exactly as
/// the reference functions do, live or stored, and a day aggregated again is replaced.
pub async fn events_roll_up_like_the_reference(store: &dyn EventsAdapter) {
    use crate::events::EventKind;
    use crate::rollup::*;
    use chrono::NaiveDate;
    let t0 = now();
    let (a, b) = (SubjectId::generate(t0), SubjectId::generate(t0));
    let events = sample_events(a, b);
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 2, d).unwrap();
    let all_days = DayRange {
        from: day(1),
        to: day(3),
    };
    assert_eq!(store.first_day().await.unwrap(), None);
    store.append(&events[..5]).await.unwrap();
    store.append(&events).await.unwrap();
    store.append(&events).await.unwrap();
    assert_eq!(store.first_day().await.unwrap(), Some(day(1)));
    let only =
        |u: SubjectId| -> Vec<_> { events.iter().filter(|e| e.user == u).cloned().collect() };

    // Live: computed from the events.
    for u in [a, b] {
        let live = store
            .user_rollup(&[u], all_days, Source::Live)
            .await
            .unwrap();
        assert_eq!(live, roll_user(&only(u)), "live rows of a user");
    }
    // A batch reads both users at once, in the rows' order; an empty one reads nothing.
    let both = store
        .user_rollup(&[b, a], all_days, Source::Live)
        .await
        .unwrap();
    assert_eq!(both, roll_user(&events), "live rows of two users");
    let none = store
        .user_rollup(&[], all_days, Source::Live)
        .await
        .unwrap();
    assert_eq!(none, UserRollup::default());
    let live = store.platform_rollup(all_days, Source::Live).await.unwrap();
    assert_eq!(live, roll_platform(&events), "live platform rows");
    let a_rows = roll_user(&only(a));
    let dsa = a_rows
        .days
        .iter()
        .find(|r| r.day == day(1) && r.kind == EventKind::Submission && r.category == "dsa")
        .unwrap();
    assert_eq!(
        (dsa.count, dsa.successes, dsa.firsts, dsa.xp),
        (2, 1, 1, 40)
    );
    assert_eq!(
        (dsa.score_min, dsa.score_max, dsa.score_sum),
        (Some(50.0), Some(100.0), 150.0)
    );
    assert_eq!(dsa.ranges, [1, 1, 0, 0, 0]);

    // Stored: nothing before the job, then exactly the day's rows.
    let first = DayRange {
        from: day(1),
        to: day(1),
    };
    let stored = store
        .user_rollup(&[a], first, Source::Stored)
        .await
        .unwrap();
    assert_eq!(stored, UserRollup::default());
    store.aggregate(day(1)).await.unwrap();
    store.aggregate(day(1)).await.unwrap();
    for u in [a, b] {
        let of_day: Vec<_> = only(u).into_iter().filter(|e| e.day == day(1)).collect();
        let stored = store
            .user_rollup(&[u], first, Source::Stored)
            .await
            .unwrap();
        assert_eq!(stored, roll_user(&of_day), "stored rows of the 1st");
    }
    let of_first: Vec<_> = events.iter().filter(|e| e.day == day(1)).cloned().collect();
    let both = store
        .user_rollup(&[a, b], first, Source::Stored)
        .await
        .unwrap();
    assert_eq!(both, roll_user(&of_first), "stored rows of two users");
    let none = store.user_rollup(&[], first, Source::Stored).await.unwrap();
    assert_eq!(none, UserRollup::default());
    let utc_first: Vec<_> = events
        .iter()
        .filter(|e| e.utc_day == day(1))
        .cloned()
        .collect();
    let stored = store.platform_rollup(first, Source::Stored).await.unwrap();
    assert_eq!(
        stored,
        roll_platform(&utc_first),
        "stored platform rows of the 1st"
    );
    let active = stored.days.iter().find(|r| r.kind.is_none()).unwrap();
    assert_eq!((active.count, active.users), (utc_first.len() as u64, 2));
    // b's events of the 1st UTC are on the 2nd in Tokyo: not in the 1st's user rows.
    assert!(store
        .user_rollup(&[b], first, Source::Stored)
        .await
        .unwrap()
        .days
        .is_empty());

    // A late event of the 1st: aggregating again replaces the day's rows.
    let mut late = sample_events(a, b)[4].clone();
    late.id = crate::events::EventId::generate(t0);
    store.append(std::slice::from_ref(&late)).await.unwrap();
    store.aggregate(day(1)).await.unwrap();
    let stored = store
        .user_rollup(&[a], first, Source::Stored)
        .await
        .unwrap();
    let shares = stored
        .days
        .iter()
        .find(|r| r.kind == EventKind::CodeShare)
        .unwrap();
    assert_eq!(shares.count, 2);

    // Active days: stored through the 1st, live after.
    let mut everything = events.clone();
    everything.push(late);
    let active = store.active_days(all_days, Some(day(1))).await.unwrap();
    assert_eq!(active, active_days(&everything));
    assert!(active
        .iter()
        .any(|d| d.user == b && d.day == day(2) && d.signed_up));

    // Targets: per target and kind, busiest first.
    let kinds = [EventKind::TemplateDownload, EventKind::TemplateStar];
    let targets = store.targets(&kinds, all_days).await.unwrap();
    assert_eq!(targets, roll_targets(&everything, &kinds));
    assert_eq!(targets[0].count, 2);
    assert_eq!(targets[0].users, 2);
    let subs = store
        .targets(&[EventKind::Submission], first)
        .await
        .unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!((subs[0].count, subs[0].successes), (3, 2));
}

/// One holder at a time: a lease is refused to others until it expires or is released, only the
/// holder moves the watermark (also after its lease expired, until another takes it), and of
/// racing takers exactly one wins.
pub async fn job_leases_exclude_each_other(store: &dyn EventsAdapter) {
    use chrono::NaiveDate;
    let job = format!(
        "contract.{}",
        crate::events::EventId::generate(now()).to_hex()
    );
    let t = now();
    let later = t + Duration::minutes(10);
    let day = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
    assert_eq!(store.watermark(&job).await.unwrap(), None);
    assert!(!store.set_watermark(&job, "a", Some(day)).await.unwrap());
    assert!(store.lease(&job, "a", t, later).await.unwrap());
    assert!(!store.lease(&job, "b", t, later).await.unwrap());
    assert!(store.lease(&job, "a", t, later).await.unwrap(), "renewal");
    assert!(!store.set_watermark(&job, "b", Some(day)).await.unwrap());
    assert!(store.set_watermark(&job, "a", Some(day)).await.unwrap());
    assert_eq!(store.watermark(&job).await.unwrap(), Some(day));
    store.release(&job, "b").await.unwrap();
    assert!(!store.lease(&job, "b", t, later).await.unwrap());
    // An expired lease still untaken is its holder's; taken by another, the former holder can no
    // longer write.
    assert!(store.set_watermark(&job, "a", Some(day)).await.unwrap());
    assert!(store
        .lease(&job, "b", later, later + Duration::minutes(10))
        .await
        .unwrap());
    assert!(!store.set_watermark(&job, "a", None).await.unwrap());
    store.release(&job, "b").await.unwrap();
    assert!(store
        .lease(&job, "c", later, later + Duration::minutes(1))
        .await
        .unwrap());
    assert!(store.set_watermark(&job, "c", None).await.unwrap());
    assert_eq!(store.watermark(&job).await.unwrap(), None);

    let race = format!("{job}.race");
    let holders: Vec<String> = (0..8).map(|i| format!("h{i}")).collect();
    let won =
        futures::future::join_all(holders.iter().map(|h| store.lease(&race, h, t, later))).await;
    let winners = won.into_iter().filter(|w| *w.as_ref().unwrap()).count();
    assert_eq!(winners, 1, "exactly one racing taker holds the lease");
}

/// Two instances running the daily job on one store at once: the days are closed once each,
/// never by both, and the rows are the reference's. `one` and `two` are separate handles (two
/// clients) on the same, empty store.
pub async fn two_jobs_never_both_aggregate<T>(one: std::sync::Arc<T>, two: std::sync::Arc<T>)
where
    T: EventsAdapter + 'static,
{
    use crate::job::{Aggregator, RunOutcome};
    use crate::rollup::*;
    use chrono::{NaiveDate, TimeZone};
    use std::sync::Arc;
    let t0 = now();
    let (a, b) = (SubjectId::generate(t0), SubjectId::generate(t0));
    let events = sample_events(a, b);
    one.append(&events).await.unwrap();
    let clock = Arc::new(stackrush_kernel::FixedClock::new(
        Utc.with_ymd_and_hms(2026, 2, 5, 12, 0, 0).unwrap(),
    ));
    let job =
        |store: Arc<T>, holder: &str| Aggregator::new(store.clone(), store, clock.clone(), holder);
    let (first, second) = (
        job(one.clone(), "instance-1"),
        job(two.clone(), "instance-2"),
    );
    let (x, y) = futures::join!(first.run(), second.run());
    let mut closed: Vec<NaiveDate> = Vec::new();
    let mut ran = 0;
    for outcome in [x.unwrap(), y.unwrap()] {
        if let RunOutcome::Ran { days, .. } = outcome {
            ran += usize::from(!days.is_empty());
            closed.extend(days);
        }
    }
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 2, d).unwrap();
    assert_eq!(ran, 1, "one instance aggregates");
    assert_eq!(closed, vec![day(1), day(2), day(3)], "each day once");
    let range = DayRange {
        from: day(1),
        to: day(3),
    };
    for u in [a, b] {
        let mine: Vec<_> = events.iter().filter(|e| e.user == u).cloned().collect();
        let stored = two.user_rollup(&[u], range, Source::Stored).await.unwrap();
        assert_eq!(stored, roll_user(&mine));
    }
    assert_eq!(
        two.platform_rollup(range, Source::Stored).await.unwrap(),
        roll_platform(&events)
    );
}
