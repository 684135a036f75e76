//! The contract suite every adapter of the scoring store ports must pass.
#![expect(
    clippy::unwrap_used,
    reason = "a test suite reports failures by panicking"
)]

use chrono::{DateTime, Duration, DurationRound, Utc};
use stackrush_kernel::{PageRequest, StoreError};

use crate::achievement::{
    Achievement, AchievementCategory, AchievementId, Criteria, CriteriaType, Rarity, Rewards,
    Unlock,
};
use crate::model::*;
use crate::plan::{plan_award, window_keys};
use crate::ports::*;
use crate::progress::*;
use crate::streak::Streak;
use crate::submission::*;

/// Every scoring store port, as one adapter implements them.
pub trait ScoringStore:
    AttemptRepository
    + SubmissionRepository
    + ProgressRepository
    + LeaderboardRepository
    + AchievementRepository
{
}

impl<T> ScoringStore for T where
    T: AttemptRepository
        + SubmissionRepository
        + ProgressRepository
        + LeaderboardRepository
        + AchievementRepository
{
}

fn now() -> DateTime<Utc> {
    Utc::now()
        .duration_trunc(Duration::milliseconds(1))
        .unwrap()
}

/// An attempt with every field set, at millisecond precision.
pub fn sample_attempt() -> Attempt {
    let now = now();
    Attempt {
        id: AttemptId::generate(now),
        player: PlayerId::generate(now),
        challenge: ChallengeRef::generate(now),
        mode: Mode::Interview,
        distraction_level: DistractionLevel::High,
        started_at: now,
        expires_at: now + Duration::minutes(35),
        nonce: "0123456789abcdef0123456789abcdef".into(),
    }
}

/// A pending submission with every field set.
pub fn sample_submission(player: PlayerId, challenge: ChallengeRef) -> Submission {
    let now = now();
    Submission {
        id: SubmissionId::generate(now),
        player,
        challenge,
        attempt: Some(AttemptId::generate(now)),
        code: "const answer = () => 42; // ünïcode".into(),
        language: Language::Typescript,
        difficulty: "Medium".into(),
        challenge_type: "bug-fix".into(),
        execution: Execution {
            time_factor: 1.0,
            executed_in_browser: true,
            ..Execution::default()
        },
        simulation: Simulation {
            mode: Mode::Zen,
            distraction_level: DistractionLevel::Low,
            time_spent: Some(12),
            distractions_encountered: Some(3),
            focus_score: Some(80),
            stress_level: Some(20),
        },
        started_at: now - Duration::minutes(12),
        submitted_at: now,
        scored_at: None,
        success: false,
        xp_awarded: 0,
        created_at: now,
        updated_at: now,
    }
}

fn scored(mut s: Submission, score: f64, at: DateTime<Utc>) -> Submission {
    s.execution = Execution {
        status: RunStatus::Completed,
        score,
        raw_score: score,
        time_factor: 1.0,
        total_tests: 2,
        passed_tests: 2,
        execution_time: Some(40),
        memory_usage: Some(2048),
        output: Some("ok".into()),
        error: None,
        test_results: vec![TestVerdict {
            test_case: TestRef::generate(at),
            passed: true,
            is_hidden: true,
            weight: 2,
            expected_output: None,
            actual_output: Some("[1, 2]".into()),
            execution_time: Some(3),
            error: None,
        }],
        violations: vec!["missing: reduce".into()],
        executed_in_browser: true,
        browser_environment: Some("webcontainer".into()),
    };
    s.success = score >= 70.0;
    s.scored_at = Some(at);
    s.updated_at = at;
    s.xp_awarded = 50;
    s
}

/// A commit moving `player` from `before` (None: first) by `gained` XP at `at`.
fn commit(
    player: PlayerId,
    before: Option<&Progress>,
    gained: u64,
    submission: Option<Submission>,
    at: DateTime<Utc>,
) -> ScoringCommit {
    let old = before
        .cloned()
        .unwrap_or_else(|| Progress::new(player, true));
    let mut new = old.clone();
    new.version = old.version + 1;
    new.xp = old.xp + gained;
    new.level = crate::xp::level(new.xp);
    new.attempts += 1;
    new.completed += 1;
    new.streak = Streak {
        current: 2,
        best: 5,
        last_day: Some(at.date_naive()),
    };
    new.last_active_at = Some(at);
    let [week, month] = window_keys(at);
    let ledger = (gained > 0)
        .then(|| LedgerEntry {
            id: LedgerEntryId::generate(at),
            player,
            delta: gained as i64,
            reason: XpReason::ChallengeCompleted,
            source: submission
                .as_ref()
                .map_or(XpSource::Achievement(AchievementId::generate(at)), |s| {
                    XpSource::Submission(s.id)
                }),
            challenge: submission.as_ref().map(|s| s.challenge),
            balance: new.xp,
            at,
        })
        .into_iter()
        .collect();
    let boards = if gained > 0 {
        vec![
            BoardMove {
                key: "all".into(),
                from: old.xp,
                to: new.xp,
            },
            BoardMove {
                key: week,
                from: old.xp,
                to: new.xp,
            },
            BoardMove {
                key: month,
                from: old.xp,
                to: new.xp,
            },
        ]
    } else {
        vec![]
    };
    let best = submission
        .as_ref()
        .filter(|s| s.success)
        .map(|s| ChallengeBest {
            player,
            challenge: s.challenge,
            submission: s.id,
            score: s.execution.score,
            achieved_at: at,
            execution_time: s.execution.execution_time,
            solve_time: Some(61_250),
            listed: new.listed,
        });
    let challenge_stats = submission.as_ref().map(|s| ChallengeStatsDelta {
        challenge: s.challenge,
        success: s.success,
        score: s.execution.score,
        time_spent: Some(60.0),
    });
    ScoringCommit {
        submission,
        expected_version: old.version,
        progress: new,
        ledger,
        boards,
        best,
        challenge_stats,
        unlocks: vec![],
        at,
    }
}

/// Attempts round-trip every field; unknown ids are `None`.
pub async fn attempts_round_trip(repo: &dyn AttemptRepository) {
    let a = sample_attempt();
    repo.insert(&a).await.unwrap();
    let mut b = sample_attempt();
    b.mode = Mode::Zen;
    b.distraction_level = DistractionLevel::Low;
    repo.insert(&b).await.unwrap();
    assert_eq!(repo.find(a.id).await.unwrap(), Some(a));
    assert_eq!(repo.find(b.id).await.unwrap(), Some(b));
    assert_eq!(
        repo.find(AttemptId::generate(Utc::now())).await.unwrap(),
        None
    );
}

/// Submissions round-trip, filter, sort, page, delete only by their owner, and give facts.
pub async fn submissions_list_and_delete(store: &dyn ScoringStore) {
    let at = now();
    let (alice, bob) = (PlayerId::generate(at), PlayerId::generate(at));
    let (c1, c2) = (ChallengeRef::generate(at), ChallengeRef::generate(at));
    let mut pending = sample_submission(alice, c1);
    SubmissionRepository::insert(store, &pending).await.unwrap();
    assert_eq!(
        SubmissionRepository::find(store, pending.id).await.unwrap(),
        Some(pending.clone())
    );
    let focused = Simulation {
        mode: Mode::Interview,
        distraction_level: DistractionLevel::High,
        time_spent: Some(25),
        distractions_encountered: Some(4),
        focus_score: Some(81),
        stress_level: None,
    };
    let later = at + Duration::seconds(30);
    assert!(
        !store
            .set_simulation(pending.id, bob, &focused, later)
            .await
            .unwrap(),
        "not bob's"
    );
    assert!(store
        .set_simulation(pending.id, alice, &focused, later)
        .await
        .unwrap());
    pending.simulation = focused;
    pending.updated_at = later;
    assert_eq!(
        SubmissionRepository::find(store, pending.id).await.unwrap(),
        Some(pending.clone()),
        "only the simulation record and the update time changed"
    );
    let mut high = scored(sample_submission(alice, c2), 95.5, at);
    high.language = Language::Python;
    high.created_at = at + Duration::seconds(1);
    SubmissionRepository::insert(store, &high).await.unwrap();
    assert_eq!(
        SubmissionRepository::find(store, high.id).await.unwrap(),
        Some(high.clone())
    );
    let mut low = scored(sample_submission(alice, c1), 10.0, at);
    low.created_at = at + Duration::seconds(2);
    SubmissionRepository::insert(store, &low).await.unwrap();
    SubmissionRepository::insert(store, &sample_submission(bob, c1))
        .await
        .unwrap();

    let list = |f: SubmissionFilter| async move {
        SubmissionRepository::list(store, &f, PageRequest::new(1, 10))
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|s| s.id)
            .collect::<Vec<_>>()
    };
    let mine = SubmissionFilter {
        player: Some(alice),
        descending: true,
        ..Default::default()
    };
    assert_eq!(
        list(mine.clone()).await,
        vec![low.id, high.id, pending.id],
        "newest first"
    );
    let by_score = SubmissionFilter {
        sort: SubmissionSort::Score,
        ..mine.clone()
    };
    assert_eq!(list(by_score).await, vec![high.id, low.id, pending.id]);
    let ascending = SubmissionFilter {
        sort: SubmissionSort::Score,
        descending: false,
        ..mine.clone()
    };
    assert_eq!(list(ascending).await, vec![pending.id, low.id, high.id]);
    let python = SubmissionFilter {
        language: Some(Language::Python),
        ..mine.clone()
    };
    assert_eq!(list(python).await, vec![high.id]);
    let on_c1 = SubmissionFilter {
        challenge: Some(c1),
        ..mine.clone()
    };
    assert_eq!(list(on_c1).await, vec![low.id, pending.id]);
    let pending_only = SubmissionFilter {
        status: Some(RunStatus::Pending),
        ..mine.clone()
    };
    assert_eq!(list(pending_only).await, vec![pending.id]);
    let range = SubmissionFilter {
        min_score: Some(5.0),
        max_score: Some(50.0),
        ..mine.clone()
    };
    assert_eq!(list(range).await, vec![low.id]);
    let dates = SubmissionFilter {
        from: Some(at + Duration::milliseconds(500)),
        to: Some(at + Duration::milliseconds(1500)),
        ..mine.clone()
    };
    assert_eq!(list(dates).await, vec![high.id]);
    let everyone_on_c1 = SubmissionFilter {
        challenge: Some(c1),
        ..Default::default()
    };
    assert_eq!(list(everyone_on_c1).await.len(), 3);

    let page = SubmissionRepository::list(store, &mine, PageRequest::new(2, 2))
        .await
        .unwrap();
    assert_eq!((page.total, page.items.len()), (3, 1));

    let facts = store.facts(alice).await.unwrap();
    assert_eq!(facts.len(), 3);
    assert!(facts.iter().any(|f| f.language == Language::Python
        && f.score == 95.5
        && f.success
        && f.challenge_type == "bug-fix"
        && f.lines == 1));

    assert!(
        !SubmissionRepository::delete(store, high.id, bob)
            .await
            .unwrap(),
        "not bob's"
    );
    assert!(SubmissionRepository::delete(store, high.id, alice)
        .await
        .unwrap());
    assert!(!SubmissionRepository::delete(store, high.id, alice)
        .await
        .unwrap());
    assert_eq!(
        SubmissionRepository::find(store, high.id).await.unwrap(),
        None
    );
}

/// A commit writes everything; a repeated or stale one writes nothing.
pub async fn commits_are_all_or_nothing(store: &dyn ScoringStore) {
    let at = now();
    let player = PlayerId::generate(at);
    let challenge = ChallengeRef::generate(at);
    let windows = window_keys(at);
    let empty = store
        .snapshot(player, Some(challenge), windows.clone())
        .await
        .unwrap();
    assert_eq!(empty.progress, None);
    assert_eq!((empty.weekly_xp, empty.monthly_xp), (0, 0));
    assert!(empty.best.is_none() && empty.unlocked.is_empty());

    let submission = sample_submission(player, challenge);
    SubmissionRepository::insert(store, &submission)
        .await
        .unwrap();
    let done = scored(submission.clone(), 90.0, at);
    let mut first = commit(player, None, 100, Some(done.clone()), at);
    let achievement = AchievementId::generate(at);
    first.unlocks.push(Unlock {
        player,
        achievement,
        xp: 0,
        unlocked_at: at,
    });
    store.commit(&first).await.unwrap();

    assert_eq!(
        SubmissionRepository::find(store, submission.id)
            .await
            .unwrap(),
        Some(done.clone())
    );
    assert_eq!(
        store.progress(player).await.unwrap(),
        Some(first.progress.clone())
    );
    let snap = store
        .snapshot(player, Some(challenge), windows.clone())
        .await
        .unwrap();
    assert_eq!(snap.progress.as_ref(), Some(&first.progress));
    assert_eq!((snap.weekly_xp, snap.monthly_xp), (100, 100));
    assert_eq!(snap.best, first.best);
    assert_eq!(snap.unlocked, vec![achievement]);
    assert_eq!(snap.language_successes, vec![(Language::Typescript, 1)]);
    let ledger = store.ledger(player, PageRequest::new(1, 10)).await.unwrap();
    assert_eq!(ledger.items, first.ledger);
    assert_eq!(
        store.unlocked(player).await.unwrap(),
        vec![(achievement, at)]
    );

    // The same submission again: nothing changes.
    let again = commit(player, Some(&first.progress), 100, Some(done.clone()), at);
    assert!(matches!(
        store.commit(&again).await,
        Err(CommitError::AlreadyScored)
    ));
    // A stale version: nothing changes, the submission stays pending.
    let other = sample_submission(player, challenge);
    SubmissionRepository::insert(store, &other).await.unwrap();
    let stale = commit(player, None, 75, Some(scored(other.clone(), 80.0, at)), at);
    assert!(matches!(
        store.commit(&stale).await,
        Err(CommitError::Stale)
    ));
    // An unlock recorded already: nothing changes.
    let mut twice = commit(player, Some(&first.progress), 10, None, at);
    twice.unlocks.push(Unlock {
        player,
        achievement,
        xp: 10,
        unlocked_at: at,
    });
    assert!(store.commit(&twice).await.is_err());

    assert_eq!(
        store.progress(player).await.unwrap(),
        Some(first.progress.clone())
    );
    assert_eq!(
        SubmissionRepository::find(store, other.id).await.unwrap(),
        Some(other)
    );
    assert_eq!(
        store
            .ledger(player, PageRequest::new(1, 10))
            .await
            .unwrap()
            .total,
        1
    );
    let board = store.board("all", PageRequest::new(1, 100)).await.unwrap();
    assert_eq!(board.items.iter().filter(|r| r.player == player).count(), 1);
    assert_eq!(store.unlocked(player).await.unwrap().len(), 1);
}

/// Of several commits from one snapshot, exactly one applies.
pub async fn concurrent_commits_from_one_snapshot_apply_once(store: &dyn ScoringStore) {
    let at = now();
    let player = PlayerId::generate(at);
    let results = futures::future::join_all((0..6).map(|_| {
        let c = commit(player, None, 50, None, at);
        async move { store.commit(&c).await }
    }))
    .await;
    let applied = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(applied, 1, "{results:?}");
    assert!(results
        .iter()
        .all(|r| matches!(r, Ok(()) | Err(CommitError::Stale))));
    let p = store.progress(player).await.unwrap().unwrap();
    assert_eq!((p.xp, p.version), (50, 1));
    assert_eq!(
        store
            .ledger(player, PageRequest::new(1, 10))
            .await
            .unwrap()
            .total,
        1
    );
}

/// Writes arriving together (new submissions, commits) succeed or fail each on its own: a
/// submission id stored already is a conflict and an unlock recorded already a failed commit,
/// and neither takes the others with it.
pub async fn concurrent_writes_succeed_or_fail_alone(store: &dyn ScoringStore) {
    let at = now();
    let (player, other) = (PlayerId::generate(at), PlayerId::generate(at));
    let challenge = ChallengeRef::generate(at);
    let existing = sample_submission(player, challenge);
    SubmissionRepository::insert(store, &existing)
        .await
        .unwrap();
    let first = commit(player, None, 30, None, at);
    store.commit(&first).await.unwrap();
    let achievement = AchievementId::generate(at);
    let mut unlocking = commit(player, Some(&first.progress), 10, None, at);
    unlocking.unlocks.push(Unlock {
        player,
        achievement,
        xp: 10,
        unlocked_at: at,
    });
    store.commit(&unlocking).await.unwrap();

    let fresh: Vec<Submission> = (0..8)
        .map(|_| sample_submission(player, challenge))
        .collect();
    let mut twice = commit(player, Some(&unlocking.progress), 10, None, at);
    twice.unlocks = unlocking.unlocks.clone();
    let good = commit(other, None, 40, None, at);
    let inserts = futures::future::join_all(
        fresh
            .iter()
            .chain([&existing])
            .map(|s| SubmissionRepository::insert(store, s)),
    );
    let commits = futures::future::join_all([&twice, &good].map(|c| store.commit(c)));
    let (inserted, committed) = futures::join!(inserts, commits);

    assert!(inserted[..8].iter().all(Result::is_ok), "{inserted:?}");
    assert!(
        matches!(inserted[8], Err(StoreError::Conflict { .. })),
        "{inserted:?}"
    );
    assert!(
        committed[0].is_err() && committed[1].is_ok(),
        "{committed:?}"
    );
    for s in &fresh {
        assert_eq!(
            SubmissionRepository::find(store, s.id)
                .await
                .unwrap()
                .as_ref(),
            Some(s)
        );
    }
    assert_eq!(
        SubmissionRepository::find(store, existing.id)
            .await
            .unwrap(),
        Some(existing)
    );
    assert_eq!(
        store.progress(player).await.unwrap(),
        Some(unlocking.progress)
    );
    assert_eq!(store.progress(other).await.unwrap(), Some(good.progress));
    assert_eq!(
        store
            .ledger(other, PageRequest::new(1, 10))
            .await
            .unwrap()
            .total,
        1
    );
}

/// Board pages come in board order across pages; counts, entries, neighbours and listing work.
pub async fn boards_order_count_and_hide(store: &dyn ScoringStore) {
    let at = now();
    let key = format!("contract:{}", PlayerId::generate(at).to_hex());
    let xps = [300_u64, 200, 200, 200, 100];
    let mut players = Vec::new();
    for (i, xp) in xps.iter().enumerate() {
        let player = PlayerId::generate(at);
        let mut c = commit(player, None, *xp, None, at + Duration::seconds(i as i64));
        c.boards = vec![BoardMove {
            key: key.clone(),
            from: 0,
            to: *xp,
        }];
        store.commit(&c).await.unwrap();
        players.push(player);
    }
    let row = |e: &BoardEntry| (e.player, e.xp);
    let rows = |page: &[BoardEntry]| page.iter().map(row).collect::<Vec<_>>();
    let page1 = store.board(&key, PageRequest::new(1, 2)).await.unwrap();
    assert_eq!(page1.total, 5);
    assert_eq!(
        rows(&page1.items),
        vec![(players[0], 300), (players[1], 200)]
    );
    let page2 = store.board(&key, PageRequest::new(2, 2)).await.unwrap();
    assert_eq!(
        rows(&page2.items),
        vec![(players[2], 200), (players[3], 200)],
        "equals in the order they reached it"
    );
    let page3 = store.board(&key, PageRequest::new(3, 2)).await.unwrap();
    assert_eq!(rows(&page3.items), vec![(players[4], 100)]);
    assert_eq!(page3.items[0].reached_at, at + Duration::seconds(4));

    for (xp, more) in [(250, 1), (200, 1), (199, 4), (0, 5), (300, 0)] {
        assert_eq!(store.more_xp_than(&key, xp).await.unwrap(), more, "xp {xp}");
    }
    let me = store.entry(&key, players[2]).await.unwrap().unwrap();
    assert_eq!(row(&me), (players[2], 200));
    let ahead = store.neighbours(&key, &me, Side::Ahead, 2).await.unwrap();
    assert_eq!(
        rows(&ahead),
        vec![(players[1], 200), (players[0], 300)],
        "nearest first, across XP values"
    );
    let behind = store.neighbours(&key, &me, Side::Behind, 5).await.unwrap();
    assert_eq!(rows(&behind), vec![(players[3], 200), (players[4], 100)]);
    let last = store.entry(&key, players[4]).await.unwrap().unwrap();
    assert!(store
        .neighbours(&key, &last, Side::Behind, 3)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.neighbours(&key, &last, Side::Ahead, 1).await.unwrap(),
        vec![store.entry(&key, players[3]).await.unwrap().unwrap()]
    );
    assert_eq!(
        store.entry(&key, PlayerId::generate(at)).await.unwrap(),
        None
    );

    store.set_listed(players[0], false).await.unwrap();
    let hidden = store.board(&key, PageRequest::new(1, 10)).await.unwrap();
    assert_eq!(hidden.total, 4);
    assert!(!hidden.items.iter().any(|e| e.player == players[0]));
    assert_eq!(store.more_xp_than(&key, 200).await.unwrap(), 0);
    assert_eq!(store.entry(&key, players[0]).await.unwrap(), None);
    assert_eq!(
        rows(&store.neighbours(&key, &me, Side::Ahead, 5).await.unwrap()),
        vec![(players[1], 200)],
        "hidden players are nobody's neighbours"
    );
    assert!(!store.progress(players[0]).await.unwrap().unwrap().listed);
    let top = store.top(ProgressOrder::Xp, 100).await.unwrap();
    assert!(!top.iter().any(|p| p.player == players[0]));
    store.set_listed(players[0], true).await.unwrap();
    let back = store.board(&key, PageRequest::new(1, 1)).await.unwrap();
    assert_eq!(row(&back.items[0]), (players[0], 300));

    // A player moving up leaves their old place.
    let before = store.progress(players[4]).await.unwrap().unwrap();
    let mut up = commit(
        players[4],
        Some(&before),
        300,
        None,
        at + Duration::minutes(1),
    );
    up.boards = vec![BoardMove {
        key: key.clone(),
        from: 100,
        to: 400,
    }];
    store.commit(&up).await.unwrap();
    assert_eq!(store.more_xp_than(&key, 300).await.unwrap(), 1);
    assert_eq!(store.more_xp_than(&key, 150).await.unwrap(), 5);
    assert_eq!(
        store.more_xp_than(&key, 50).await.unwrap(),
        5,
        "nobody at 100 any more"
    );
    let moved = store.board(&key, PageRequest::new(1, 10)).await.unwrap();
    assert_eq!(moved.total, 5);
    assert_eq!(
        rows(&moved.items),
        vec![
            (players[4], 400),
            (players[0], 300),
            (players[1], 200),
            (players[2], 200),
            (players[3], 200)
        ]
    );
}

/// Challenge boards order bests by score, then the solve time the server observed, then time
/// reached (never by the browser's reported time), and count who beats a best.
pub async fn challenge_boards_order_bests(store: &dyn ScoringStore) {
    let at = now();
    let challenge = ChallengeRef::generate(at);
    let mut bests = Vec::new();
    for (score, secs, ms) in [
        (90.0, 5, 10_u64),
        (100.0, 9, 50),
        (90.0, 5, 5),
        (90.0, 1, 99),
        (90.0, 5, 5),
    ] {
        let player = PlayerId::generate(at);
        let mut c = commit(player, None, 0, None, at);
        let best = ChallengeBest {
            player,
            challenge,
            submission: SubmissionId::generate(at),
            score,
            achieved_at: at + Duration::seconds(secs),
            // The browser's time is the reverse of the solve time: it must decide nothing.
            execution_time: Some(1_000 - ms),
            solve_time: Some(ms),
            listed: true,
        };
        c.best = Some(best.clone());
        store.commit(&c).await.unwrap();
        bests.push(best);
    }
    let board = store
        .challenge_board(challenge, PageRequest::new(1, 10))
        .await
        .unwrap();
    let order: Vec<PlayerId> = board.items.iter().map(|b| b.player).collect();
    let p = |i: usize| bests[i].player;
    let (tied_first, tied_second) = if p(2) < p(4) {
        (p(2), p(4))
    } else {
        (p(4), p(2))
    };
    assert_eq!(
        order,
        vec![p(1), tied_first, tied_second, p(0), p(3)],
        "equal bests by player id"
    );
    assert_eq!(board.total, 5);
    assert_eq!(board.items[0], bests[1]);
    for (i, beating) in [(1, 0), (2, 1), (4, 1), (0, 3), (3, 4)] {
        assert_eq!(
            store.bests_beating(challenge, &bests[i]).await.unwrap(),
            beating,
            "best {i}"
        );
    }
    let page2 = store
        .challenge_board(challenge, PageRequest::new(2, 2))
        .await
        .unwrap();
    assert_eq!(
        page2.items.iter().map(|b| b.player).collect::<Vec<_>>(),
        vec![tied_second, p(0)]
    );
    assert_eq!(page2.total, 5);
}

/// Top lists order by the chosen figure.
pub async fn top_orders_by_figure(store: &dyn ScoringStore) {
    let at = now();
    let (a, b) = (PlayerId::generate(at), PlayerId::generate(at));
    let mut ca = commit(a, None, 100_000_000, None, at);
    ca.progress.streak.current = 1;
    ca.boards.clear();
    store.commit(&ca).await.unwrap();
    let mut cb = commit(b, None, 99_999_999, None, at);
    cb.progress.streak.current = 10_000;
    cb.boards.clear();
    store.commit(&cb).await.unwrap();
    let top = store.top(ProgressOrder::Xp, 2).await.unwrap();
    assert_eq!(top.iter().map(|p| p.player).collect::<Vec<_>>(), vec![a, b]);
    let streaks = store.top(ProgressOrder::Streak, 1).await.unwrap();
    assert_eq!(streaks[0].player, b);
}

fn achievement(key: &str, at: DateTime<Utc>) -> Achievement {
    let mut conditions = serde_json::Map::new();
    conditions.insert("kind".into(), serde_json::json!("language_mastery"));
    Achievement {
        id: AchievementId::generate(at),
        key: key.into(),
        name: "Polyglot".into(),
        description: "Ten in one language".into(),
        icon: Some("🗣️".into()),
        category: AchievementCategory::Performance,
        criteria: Criteria {
            kind: CriteriaType::Special,
            target: 10,
            conditions,
        },
        rewards: Rewards {
            xp: 150,
            badge: Some("b".into()),
            title: Some("t".into()),
        },
        rarity: Rarity::Epic,
        is_active: true,
        created_at: at,
    }
}

/// Achievement definitions: unique keys, replace, delete.
pub async fn achievements_crud(store: &dyn ScoringStore) {
    let at = now();
    let key = format!("k-{}", AchievementId::generate(at).to_hex());
    let a = achievement(&key, at);
    AchievementRepository::insert(store, &a).await.unwrap();
    assert_eq!(
        AchievementRepository::find(store, a.id).await.unwrap(),
        Some(a.clone())
    );
    let dup = achievement(&key, at);
    assert!(matches!(
        AchievementRepository::insert(store, &dup).await,
        Err(StoreError::Conflict { .. })
    ));
    let other = achievement(&format!("{key}-2"), at + Duration::seconds(1));
    AchievementRepository::insert(store, &other).await.unwrap();
    let mut renamed = other.clone();
    renamed.key = key.clone();
    assert!(matches!(
        store.replace(&renamed).await,
        Err(StoreError::Conflict { .. })
    ));
    let mut changed = a.clone();
    changed.is_active = false;
    changed.name = "Renamed".into();
    assert!(store.replace(&changed).await.unwrap());
    assert_eq!(
        AchievementRepository::find(store, a.id).await.unwrap(),
        Some(changed.clone())
    );
    let listed = AchievementRepository::list(store).await.unwrap();
    let pos = |id| listed.iter().position(|x| x.id == id).unwrap();
    assert!(pos(a.id) < pos(other.id), "oldest first");
    assert!(AchievementRepository::delete(store, a.id).await.unwrap());
    assert!(!AchievementRepository::delete(store, a.id).await.unwrap());
    assert!(!store.replace(&changed).await.unwrap());
    assert_eq!(
        AchievementRepository::find(store, a.id).await.unwrap(),
        None
    );
}

/// Every check, against one store.
/// Awards outside scorings (code reviews): stored with their source, counted by reason and
/// time, and found by their once-key.
pub async fn awards_are_counted_and_found(store: &dyn ScoringStore) {
    let at = now();
    let player = PlayerId::generate(at);
    let review = ReviewRef::generate(at);
    let snapshot = store.snapshot(player, None, window_keys(at)).await.unwrap();
    let plan = plan_award(
        player,
        &snapshot,
        (25, XpReason::CodeReviewed, XpSource::CodeReview(review)),
        true,
        at,
    );
    store.commit(&plan.commit).await.unwrap();
    let ledger = store.ledger(player, PageRequest::new(1, 10)).await.unwrap();
    assert_eq!(ledger.items, plan.commit.ledger);
    assert_eq!(store.progress(player).await.unwrap().unwrap().xp, 25);
    let count = |since| store.awards_since(player, XpReason::CodeReviewed, since);
    assert_eq!(count(at).await.unwrap(), 1);
    assert_eq!(count(at + Duration::milliseconds(1)).await.unwrap(), 0);
    assert_eq!(
        store
            .awards_since(player, XpReason::AchievementUnlocked, at)
            .await
            .unwrap(),
        0
    );
    let paid = |source| store.awarded(player, XpReason::CodeReviewed, source);
    assert!(paid(XpSource::CodeReview(review)).await.unwrap());
    assert!(!paid(XpSource::CodeReview(ReviewRef::generate(at)))
        .await
        .unwrap());
}

pub async fn run_all(store: &dyn ScoringStore) {
    attempts_round_trip(store).await;
    submissions_list_and_delete(store).await;
    commits_are_all_or_nothing(store).await;
    concurrent_commits_from_one_snapshot_apply_once(store).await;
    concurrent_writes_succeed_or_fail_alone(store).await;
    boards_order_count_and_hide(store).await;
    challenge_boards_order_bests(store).await;
    top_orders_by_figure(store).await;
    achievements_crud(store).await;
    awards_are_counted_and_found(store).await;
}
