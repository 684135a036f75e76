//! The scoring service over the in-memory store and mocked neighbours.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{Duration, TimeZone, Utc};
use stackrush_kernel::activity::{Happened, RecordedActivity};
use stackrush_kernel::{FixedClock, PageRequest};

use crate::achievement::{AchievementDraft, AchievementId, Criteria, CriteriaType, Rewards};
use crate::error::ScoringError;
use crate::fake::InMemoryScoring;
use crate::model::*;
use crate::ports::*;
use crate::progress::{Board, CommitError, ProgressOrder};
use crate::service::{ScoringApi, ScoringService, REVIEW_REWARDS_PER_DAY, REVIEW_XP};
use crate::submission::*;

/// Events collected for assertions.
#[derive(Default)]
struct Recorded(Mutex<Vec<ScoringEvent>>);

#[async_trait]
impl ScoringEvents for Recorded {
    async fn publish(&self, event: ScoringEvent) {
        self.0.lock().unwrap().push(event);
    }
}

struct World {
    store: InMemoryScoring,
    clock: Arc<FixedClock>,
    events: Arc<Recorded>,
    activity: Arc<RecordedActivity>,
    challenges: Vec<ScoringChallenge>,
    service: ScoringService,
    author: PlayerId,
}

fn challenge(author: PlayerId, time_limit: u32) -> ScoringChallenge {
    let now = Utc::now();
    ScoringChallenge {
        id: ChallengeRef::generate(now),
        author,
        difficulty: "Easy".into(),
        kind: "bug-fix".into(),
        time_limit,
        tests: vec![
            ScoringTest {
                id: TestRef::generate(now),
                input: "[1,2]".into(),
                expected_output: "3".into(),
                is_hidden: false,
                weight: 1,
            },
            ScoringTest {
                id: TestRef::generate(now),
                input: "[2,2]".into(),
                expected_output: "{\"sum\": 4}".into(),
                is_hidden: true,
                weight: 3,
            },
        ],
        forbidden_keywords: vec!["eval".into()],
        required_keywords: vec![],
        skills: vec!["arrays".into(), "bug-fix".into()],
    }
}

fn world_with(store: InMemoryScoring, progress: Option<Arc<dyn ProgressRepository>>) -> World {
    let author = PlayerId::generate(Utc::now());
    let challenges: Vec<ScoringChallenge> = (0..30).map(|_| challenge(author, 30)).collect();
    let mut catalog = MockChallengeCatalog::new();
    let known = challenges.clone();
    catalog
        .expect_for_scoring()
        .returning(move |id, _| Ok(known.iter().find(|c| c.id == id).cloned()));
    catalog.expect_author().returning(move |_| Ok(Some(author)));
    catalog.expect_titles().returning(|_, ids| {
        Ok(ids
            .iter()
            .map(|id| {
                let title = ChallengeTitle {
                    title: format!("title {}", id.to_hex()),
                    slug: format!("slug-{}", id.to_hex()),
                    kind: "dsa".into(),
                };
                (*id, title)
            })
            .collect())
    });
    let mut players = MockPlayerDirectory::new();
    players.expect_player().returning(|_| {
        Ok(Some(PlayerInfo {
            timezone: "Europe/Berlin".into(),
            listed: true,
        }))
    });
    players.expect_faces().returning(|ids| {
        Ok(ids
            .iter()
            .map(|id| {
                let face = PlayerFace {
                    username: format!("p{}", id.to_hex()),
                    ..PlayerFace::default()
                };
                (*id, face)
            })
            .collect())
    });
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap(),
    ));
    let events = Arc::new(Recorded::default());
    let activity = Arc::new(RecordedActivity::default());
    let shared = Arc::new(store.clone());
    let service = ScoringService::new(Ports {
        attempts: shared.clone(),
        submissions: shared.clone(),
        progress: progress.unwrap_or(shared.clone()),
        boards: shared.clone(),
        achievements: shared,
        catalog: Arc::new(catalog),
        players: Arc::new(players),
        events: events.clone(),
        activity: activity.clone(),
        clock: clock.clone(),
    });
    World {
        store,
        clock,
        events,
        activity,
        challenges,
        service,
        author,
    }
}

fn world() -> World {
    world_with(InMemoryScoring::default(), None)
}

fn viewer() -> Viewer {
    Viewer {
        player: PlayerId::generate(Utc::now()),
        is_admin: false,
    }
}

fn new_submission(c: &ScoringChallenge) -> NewSubmission {
    NewSubmission {
        challenge: c.id,
        code: "function sum(a) { return a[0] + a[1]; }".into(),
        language: Language::Javascript,
        simulation: Simulation::default(),
        attempt: None,
    }
}

/// A run where the browser claims everything passed but reports the given outputs.
fn run(c: &ScoringChallenge, outputs: [&str; 2]) -> BrowserRun {
    BrowserRun {
        status: RunStatus::Completed,
        test_results: c
            .tests
            .iter()
            .zip(outputs)
            .map(|(t, out)| ReportedTest {
                test_case: t.id,
                passed: true,
                actual_output: out.into(),
                execution_time: Some(3),
                error: None,
            })
            .collect(),
        execution_time: Some(12),
        memory_usage: Some(1024),
        output: None,
        error: None,
        browser_environment: Some("webcontainer/1".into()),
    }
}

const RIGHT: [&str; 2] = ["3", "{ \"sum\" : 4 }"];

async fn ledger_sum(w: &World, player: PlayerId) -> i64 {
    let page = w
        .store
        .ledger(player, PageRequest::new(1, 100))
        .await
        .unwrap();
    page.items.iter().map(|e| e.delta).sum()
}

#[tokio::test]
async fn the_server_decides_each_test_whatever_the_browser_claims() {
    let w = world();
    let v = viewer();
    let c = &w.challenges[0];
    let s = w.service.submit(v, new_submission(c)).await.unwrap();
    let scored = w
        .service
        .score(v, s.id, run(c, ["3", "wrong"]))
        .await
        .unwrap();
    let e = &scored.submission.execution;
    assert_eq!((e.passed_tests, e.total_tests), (1, 2));
    assert_eq!(e.score, 25.0, "weight 1 of 4 passed");
    assert!(!scored.submission.success);
    assert_eq!(scored.submission.xp_awarded, 0);
    assert!(!e.test_results[1].passed, "a claimed pass does not count");
    assert_eq!(
        e.test_results[1].expected_output, None,
        "hidden stays hidden"
    );
    assert_eq!(e.test_results[0].expected_output.as_deref(), Some("3"));
    assert_eq!(scored.progress.attempts, 1);
    assert_eq!(scored.progress.xp, 0);
}

#[tokio::test]
async fn xp_comes_only_with_the_first_success_on_a_challenge_and_matches_the_ledger() {
    let w = world();
    let v = viewer();
    let c = &w.challenges[0];
    let first = w.service.submit(v, new_submission(c)).await.unwrap();
    let scored = w.service.score(v, first.id, run(c, RIGHT)).await.unwrap();
    assert!(scored.submission.success);
    assert_eq!(scored.submission.execution.score, 100.0);
    assert_eq!(scored.submission.xp_awarded, 100);
    assert_eq!(scored.progress.completed, 1);
    assert_eq!(scored.progress.streak.current, 1);

    let again = w.service.submit(v, new_submission(c)).await.unwrap();
    let rescored = w.service.score(v, again.id, run(c, RIGHT)).await.unwrap();
    assert_eq!(rescored.submission.xp_awarded, 0, "second success: no XP");
    assert_eq!(rescored.progress.completed, 1);
    assert_eq!(rescored.progress.attempts, 2);
    assert_eq!(rescored.progress.xp, scored.progress.xp);
    assert_eq!(ledger_sum(&w, v.player).await, rescored.progress.xp as i64);
    let stats = w.store.challenge_stats(c.id);
    assert_eq!((stats.total_attempts, stats.successful_attempts), (2, 2));
    // Each scoring is told to analytics: the first success with its XP, the second without.
    let told: Vec<(bool, bool, u64, f64)> = w
        .activity
        .taken()
        .into_iter()
        .map(|a| match a.what {
            Happened::Scored(s) => {
                assert_eq!(a.actor, v.player.bytes());
                assert_eq!(s.challenge, c.id.bytes());
                assert_eq!(s.challenge_type, "bug-fix");
                assert_eq!(s.skills, vec!["arrays".to_owned(), "bug-fix".to_owned()]);
                (s.success, s.first, s.xp, s.score)
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        told,
        vec![(true, true, 100, 100.0), (true, false, 0, 100.0)]
    );
}

#[tokio::test]
async fn scoring_twice_is_a_conflict_and_awards_nothing() {
    let w = world();
    let v = viewer();
    let c = &w.challenges[0];
    let s = w.service.submit(v, new_submission(c)).await.unwrap();
    w.service.score(v, s.id, run(c, RIGHT)).await.unwrap();
    let before = w.service.progress(v.player).await.unwrap();
    let err = w.service.score(v, s.id, run(c, RIGHT)).await.unwrap_err();
    assert!(matches!(err, ScoringError::AlreadyScored), "{err:?}");
    assert_eq!(w.service.progress(v.player).await.unwrap(), before);
    assert_eq!(w.store.challenge_stats(c.id).total_attempts, 1);
}

#[tokio::test]
async fn someone_elses_submission_cannot_be_scored() {
    let w = world();
    let (owner, other) = (viewer(), viewer());
    let c = &w.challenges[0];
    let s = w.service.submit(owner, new_submission(c)).await.unwrap();
    let err = w
        .service
        .score(other, s.id, run(c, RIGHT))
        .await
        .unwrap_err();
    assert!(matches!(err, ScoringError::SubmissionNotFound), "{err:?}");
    let admin = Viewer {
        player: other.player,
        is_admin: true,
    };
    let err = w
        .service
        .score(admin, s.id, run(c, RIGHT))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ScoringError::SubmissionNotFound),
        "admins read, never score"
    );
    assert!(w.service.progress(owner.player).await.unwrap().attempts == 0);
    // Readers: the owner, admins, the challenge's author; not strangers.
    assert!(w.service.submission(admin, s.id).await.is_ok());
    let author = Viewer {
        player: w.author,
        is_admin: false,
    };
    assert!(w.service.submission(author, s.id).await.is_ok());
    assert!(matches!(
        w.service.submission(other, s.id).await,
        Err(ScoringError::SubmissionNotFound)
    ));
}

#[tokio::test]
async fn attempts_bind_nonce_and_expiry_and_time_the_score() {
    let w = world();
    let v = viewer();
    let c = &w.challenges[0];
    let started = w
        .service
        .start_attempt(StartAttempt {
            player: v.player,
            challenge: c.id,
            mode: Mode::Interview,
            distraction_level: DistractionLevel::High,
        })
        .await
        .unwrap();
    let a = &started.attempt;
    let with = |nonce: &str| NewSubmission {
        attempt: Some((a.id, nonce.to_owned())),
        ..new_submission(c)
    };
    assert!(matches!(
        w.service
            .submit(v, with("00000000000000000000000000000000"))
            .await,
        Err(ScoringError::AttemptMismatch)
    ));
    assert!(
        matches!(
            w.service.submit(viewer(), with(&a.nonce)).await,
            Err(ScoringError::AttemptNotFound)
        ),
        "someone else's attempt"
    );
    let s = w.service.submit(v, with(&a.nonce)).await.unwrap();
    assert_eq!(
        s.simulation.mode,
        Mode::Interview,
        "the attempt's mode wins"
    );
    // Ten minutes of thirty: under half the limit, ×1.1 (capped at 100).
    w.clock.advance(Duration::minutes(10));
    let partial = w.service.score(v, s.id, run(c, ["3", "no"])).await.unwrap();
    assert_eq!(partial.submission.execution.time_factor, 1.1);
    assert_eq!(partial.submission.execution.score, 27.5);

    let late = w.service.submit(v, with(&a.nonce)).await.unwrap();
    w.clock.advance(Duration::minutes(26));
    let err = w
        .service
        .score(v, late.id, run(c, RIGHT))
        .await
        .unwrap_err();
    assert!(matches!(err, ScoringError::AttemptExpired), "{err:?}");
    assert!(matches!(
        w.service.submit(v, with(&a.nonce)).await,
        Err(ScoringError::AttemptExpired)
    ));
}

#[tokio::test]
async fn minutes_spent_come_from_the_attempt_clock_or_else_the_browser() {
    let w = world();
    let v = viewer();
    let c = &w.challenges[0];
    let started = w
        .service
        .start_attempt(StartAttempt {
            player: v.player,
            challenge: c.id,
            mode: Mode::Standard,
            distraction_level: DistractionLevel::Low,
        })
        .await
        .unwrap();
    let a = &started.attempt;
    let timed = NewSubmission {
        attempt: Some((a.id, a.nonce.clone())),
        ..new_submission(c)
    };
    let s = w.service.submit(v, timed).await.unwrap();
    w.clock.advance(Duration::seconds(12 * 60 + 30));
    let scored = w.service.score(v, s.id, run(c, RIGHT)).await.unwrap();
    assert_eq!(scored.submission.minutes_spent(), 12.5);
    let mut told = new_submission(c);
    told.simulation.time_spent = Some(7);
    let s = w.service.submit(v, told).await.unwrap();
    assert_eq!(s.minutes_spent(), 7.0, "no attempt: the browser's figure");
}

#[tokio::test]
async fn without_an_attempt_the_time_factor_is_neutral() {
    let w = world();
    let v = viewer();
    let c = &w.challenges[0];
    let mut new = new_submission(c);
    new.simulation.time_spent = Some(1);
    let s = w.service.submit(v, new).await.unwrap();
    let scored = w.service.score(v, s.id, run(c, ["3", "no"])).await.unwrap();
    assert_eq!(
        scored.submission.execution.time_factor, 1.0,
        "browser timing is not trusted"
    );
}

#[tokio::test]
async fn forbidden_keywords_score_zero() {
    let w = world();
    let v = viewer();
    let c = &w.challenges[0];
    let mut new = new_submission(c);
    new.code = "eval('1+2')".into();
    let s = w.service.submit(v, new).await.unwrap();
    let scored = w.service.score(v, s.id, run(c, RIGHT)).await.unwrap();
    assert_eq!(scored.submission.execution.score, 0.0);
    assert_eq!(
        scored.submission.execution.violations,
        vec!["forbidden: eval"]
    );
}

#[tokio::test]
async fn bad_inputs_are_rejected_before_anything_is_stored() {
    let w = world();
    let v = viewer();
    let c = &w.challenges[0];
    let mut big = new_submission(c);
    big.code = "é".repeat(MAX_CODE_CHARS + 1);
    assert!(matches!(
        w.service.submit(v, big).await,
        Err(ScoringError::Invalid(_))
    ));
    let mut unknown = new_submission(c);
    unknown.challenge = ChallengeRef::generate(Utc::now());
    assert!(matches!(
        w.service.submit(v, unknown).await,
        Err(ScoringError::ChallengeNotFound)
    ));
    let s = w.service.submit(v, new_submission(c)).await.unwrap();
    let mut pending = run(c, RIGHT);
    pending.status = RunStatus::Pending;
    assert!(matches!(
        w.service.score(v, s.id, pending).await,
        Err(ScoringError::Invalid(_))
    ));
    let page = w
        .service
        .submissions(v, SubmissionFilter::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(page.items.total, 1);
}

#[tokio::test]
async fn concurrent_scorings_keep_xp_equal_to_the_ledger() {
    let w = Arc::new(world());
    let v = viewer();
    let mut ids = Vec::new();
    for c in &w.challenges[..20] {
        ids.push((
            c.clone(),
            w.service.submit(v, new_submission(c)).await.unwrap().id,
        ));
    }
    let tasks: Vec<_> = ids
        .into_iter()
        .map(|(c, id)| {
            let w = w.clone();
            tokio::spawn(async move { w.service.score(v, id, run(&c, RIGHT)).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let p = w.service.progress(v.player).await.unwrap();
    assert_eq!(p.completed, 20);
    assert_eq!(p.attempts, 20);
    assert_eq!(p.xp, 2000);
    assert_eq!(p.level, 3);
    assert_eq!(ledger_sum(&w, v.player).await, 2000);
}

/// A progress store whose first commit finds the progress moved on.
struct StaleOnce {
    inner: InMemoryScoring,
    stale: Mutex<bool>,
}

#[async_trait]
impl ProgressRepository for StaleOnce {
    async fn snapshot(
        &self,
        player: PlayerId,
        challenge: Option<ChallengeRef>,
        windows: [String; 2],
    ) -> Result<crate::progress::PlayerSnapshot, stackrush_kernel::StoreError> {
        self.inner.snapshot(player, challenge, windows).await
    }
    async fn commit(&self, c: &crate::progress::ScoringCommit) -> Result<(), CommitError> {
        if std::mem::replace(&mut *self.stale.lock().unwrap(), false) {
            return Err(CommitError::Stale);
        }
        self.inner.commit(c).await
    }
    async fn progress(
        &self,
        p: PlayerId,
    ) -> Result<Option<crate::progress::Progress>, stackrush_kernel::StoreError> {
        self.inner.progress(p).await
    }
    async fn ledger(
        &self,
        p: PlayerId,
        page: PageRequest,
    ) -> Result<stackrush_kernel::Page<crate::progress::LedgerEntry>, stackrush_kernel::StoreError>
    {
        self.inner.ledger(p, page).await
    }
    async fn set_listed(&self, p: PlayerId, l: bool) -> Result<(), stackrush_kernel::StoreError> {
        self.inner.set_listed(p, l).await
    }
    async fn awards_since(
        &self,
        p: PlayerId,
        reason: crate::progress::XpReason,
        since: chrono::DateTime<Utc>,
    ) -> Result<u64, stackrush_kernel::StoreError> {
        self.inner.awards_since(p, reason, since).await
    }
    async fn awarded(
        &self,
        p: PlayerId,
        reason: crate::progress::XpReason,
        source: crate::progress::XpSource,
    ) -> Result<bool, stackrush_kernel::StoreError> {
        self.inner.awarded(p, reason, source).await
    }
}

#[tokio::test]
async fn a_stale_commit_is_planned_again_not_lost() {
    let store = InMemoryScoring::default();
    let stale = Arc::new(StaleOnce {
        inner: store.clone(),
        stale: Mutex::new(true),
    });
    let w = world_with(store, Some(stale.clone()));
    let v = viewer();
    let c = &w.challenges[0];
    let s = w.service.submit(v, new_submission(c)).await.unwrap();
    let scored = w.service.score(v, s.id, run(c, RIGHT)).await.unwrap();
    assert!(
        !*stale.stale.lock().unwrap(),
        "the first commit was refused"
    );
    assert_eq!(scored.progress.xp, 100);
    assert_eq!(ledger_sum(&w, v.player).await, 100);
}

fn draft(key: &str, kind: CriteriaType, target: u64, xp: u64) -> AchievementDraft {
    AchievementDraft {
        key: key.into(),
        name: key.into(),
        description: "d".into(),
        icon: None,
        category: crate::achievement::AchievementCategory::Beginner,
        criteria: Criteria {
            kind,
            target,
            conditions: Default::default(),
        },
        rewards: Rewards {
            xp,
            badge: None,
            title: None,
        },
        rarity: crate::achievement::Rarity::Common,
        is_active: true,
    }
}

#[tokio::test]
async fn achievements_unlock_once_pay_through_the_ledger_and_emit_events() {
    let w = world();
    let admin = Viewer {
        player: PlayerId::generate(Utc::now()),
        is_admin: true,
    };
    w.service
        .create_achievement(admin, draft("one", CriteriaType::ChallengeCount, 1, 950))
        .await
        .unwrap();
    let v = viewer();
    let c = &w.challenges[0];
    let s = w.service.submit(v, new_submission(c)).await.unwrap();
    let scored = w.service.score(v, s.id, run(c, RIGHT)).await.unwrap();
    assert_eq!(scored.unlocked.len(), 1);
    assert_eq!(scored.progress.xp, 1050);
    assert_eq!(scored.progress.level, 2);
    assert_eq!(ledger_sum(&w, v.player).await, 1050);
    let events = w.events.0.lock().unwrap().clone();
    assert!(events
        .iter()
        .any(|e| matches!(e, ScoringEvent::AchievementUnlocked { xp: 950, .. })));
    assert!(events
        .iter()
        .any(|e| matches!(e, ScoringEvent::LevelUp { level: 2, .. })));

    let s2 = w
        .service
        .submit(v, new_submission(&w.challenges[1]))
        .await
        .unwrap();
    let again = w
        .service
        .score(v, s2.id, run(&w.challenges[1], RIGHT))
        .await
        .unwrap();
    assert!(again.unlocked.is_empty(), "unlocks once");
    assert!(w
        .service
        .check_achievements(v.player)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(w.service.unlocked(v.player).await.unwrap().len(), 1);
}

#[tokio::test]
async fn checking_unlocks_new_definitions_for_past_progress() {
    let w = world();
    let v = viewer();
    let c = &w.challenges[0];
    let s = w.service.submit(v, new_submission(c)).await.unwrap();
    w.service.score(v, s.id, run(c, RIGHT)).await.unwrap();
    let admin = Viewer {
        player: PlayerId::generate(Utc::now()),
        is_admin: true,
    };
    w.service
        .create_achievement(admin, draft("late", CriteriaType::ChallengeCount, 1, 10))
        .await
        .unwrap();
    let got = w.service.check_achievements(v.player).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(w.service.progress(v.player).await.unwrap().xp, 110);
    assert_eq!(ledger_sum(&w, v.player).await, 110);
}

#[tokio::test]
async fn achievement_admin_rules() {
    let w = world();
    let v = viewer();
    assert!(matches!(
        w.service
            .create_achievement(v, draft("x", CriteriaType::Streak, 7, 0))
            .await,
        Err(ScoringError::Forbidden)
    ));
    let admin = Viewer {
        player: v.player,
        is_admin: true,
    };
    let mut bad = draft("Not A Key", CriteriaType::Streak, 7, 0);
    bad.name.clear();
    match w.service.create_achievement(admin, bad).await {
        Err(ScoringError::Invalid(fields)) => {
            let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
            assert!(
                names.contains(&"key") && names.contains(&"name"),
                "{names:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    let a = w
        .service
        .create_achievement(admin, draft("x", CriteriaType::Streak, 7, 0))
        .await
        .unwrap();
    assert!(matches!(
        w.service
            .create_achievement(admin, draft("x", CriteriaType::Streak, 7, 0))
            .await,
        Err(ScoringError::AchievementExists)
    ));
    let mut off = draft("x", CriteriaType::Streak, 7, 0);
    off.is_active = false;
    w.service
        .update_achievement(admin, a.id, off)
        .await
        .unwrap();
    assert!(matches!(
        w.service.achievement(None, a.id).await,
        Err(ScoringError::AchievementNotFound)
    ));
    assert!(w.service.achievement(Some(admin), a.id).await.is_ok());
    assert!(w.service.achievements(None).await.unwrap().is_empty());
    w.service.delete_achievement(admin, a.id).await.unwrap();
    assert!(matches!(
        w.service.delete_achievement(admin, a.id).await,
        Err(ScoringError::AchievementNotFound)
    ));
    assert!(matches!(
        w.service
            .update_achievement(
                admin,
                AchievementId::generate(Utc::now()),
                draft("y", CriteriaType::Streak, 1, 0)
            )
            .await,
        Err(ScoringError::AchievementNotFound)
    ));
    assert_eq!(w.service.seed_achievements().await.unwrap(), 10);
    assert_eq!(
        w.service.seed_achievements().await.unwrap(),
        0,
        "idempotent"
    );
}

#[tokio::test]
async fn board_pages_are_shared_until_xp_or_listing_moves_here_or_a_second_passes() {
    let w = world();
    let (a, b) = (viewer(), viewer());
    let c = &w.challenges[0];
    let s = w.service.submit(a, new_submission(c)).await.unwrap();
    w.service.score(a, s.id, run(c, RIGHT)).await.unwrap();
    let page = PageRequest::new(1, 10);
    let first = w.service.leaderboard(Board::Global, page).await.unwrap();
    let again = w.service.leaderboard(Board::Global, page).await.unwrap();
    assert!(
        Arc::ptr_eq(&first, &again),
        "one answer for everyone within the second"
    );
    let rows = |board: &crate::service::Leaderboard| board.rows.items.len();

    let s = w.service.submit(b, new_submission(c)).await.unwrap();
    w.service.score(b, s.id, run(c, RIGHT)).await.unwrap();
    let moved = w.service.leaderboard(Board::Global, page).await.unwrap();
    assert_eq!(rows(&moved), 2, "a scoring here shows at once");
    w.service.set_listed(b.player, false).await.unwrap();
    let hidden = w.service.leaderboard(Board::Global, page).await.unwrap();
    assert_eq!(
        rows(&hidden),
        1,
        "hiding one's stats leaves the board at once"
    );

    // A change made elsewhere (another instance on the same store) shows within a second.
    ProgressRepository::set_listed(&w.store, b.player, true)
        .await
        .unwrap();
    let remembered = w.service.leaderboard(Board::Global, page).await.unwrap();
    assert_eq!(rows(&remembered), 1);
    w.clock.advance(Duration::milliseconds(1001));
    let fresh = w.service.leaderboard(Board::Global, page).await.unwrap();
    assert_eq!(rows(&fresh), 2);
}

#[tokio::test]
async fn boards_rank_with_ties_and_hide_unlisted_players() {
    let w = world();
    let players: Vec<Viewer> = (0..4).map(|_| viewer()).collect();
    // XP: 200, 100, 100, 50 (scores 100, 100, 100 and a 70 with tiers).
    for (i, v) in players.iter().enumerate() {
        let solves = if i == 0 { 2 } else { 1 };
        for c in &w.challenges[..solves] {
            let s = w.service.submit(*v, new_submission(c)).await.unwrap();
            let outputs = if i == 3 { ["no", "{\"sum\":4}"] } else { RIGHT };
            w.service.score(*v, s.id, run(c, outputs)).await.unwrap();
        }
    }
    let board = w
        .service
        .leaderboard(Board::Weekly, PageRequest::new(1, 10))
        .await
        .unwrap();
    let ranks: Vec<(u64, u64)> = board.rows.items.iter().map(|r| (r.xp, r.rank)).collect();
    assert_eq!(ranks, vec![(200, 1), (100, 2), (100, 2), (50, 4)]);
    assert_eq!(
        board.rows.items[1].player, players[1].player,
        "who got there first leads ties"
    );
    assert_eq!(board.window.key(), "week:2026-11-23");
    assert!(
        board
            .rows
            .items
            .iter()
            .all(|r| board.faces.contains_key(&r.player)),
        "a face for every row"
    );

    let around = w
        .service
        .around(Board::Global, players[2].player, 1)
        .await
        .unwrap();
    let who: Vec<PlayerId> = around.rows.items.iter().map(|r| r.player).collect();
    assert_eq!(
        who,
        vec![players[1].player, players[2].player, players[3].player]
    );

    w.service
        .set_listed(players[0].player, false)
        .await
        .unwrap();
    let board = w
        .service
        .leaderboard(Board::Global, PageRequest::new(1, 10))
        .await
        .unwrap();
    assert_eq!(board.rows.items[0].rank, 1);
    assert_eq!(board.rows.items[0].xp, 100);
    assert!(w
        .service
        .around(Board::Global, players[0].player, 2)
        .await
        .unwrap()
        .rows
        .items
        .is_empty());
    let top = w.service.top_players(ProgressOrder::Xp, 10).await.unwrap();
    assert_eq!(top.items.len(), 3);
    for p in &top.items {
        assert_eq!(
            top.faces[&p.player].username,
            format!("p{}", p.player.to_hex())
        );
    }

    let cb = w
        .service
        .challenge_leaderboard(None, w.challenges[0].id, PageRequest::new(1, 10))
        .await
        .unwrap();
    assert_eq!(cb.items.items.len(), 3, "only listed successes");
    assert_eq!(cb.items.items[0].best.score, 100.0);
    assert_eq!(cb.items.items[2].best.score, 75.0);
    assert_eq!(cb.faces.len(), 3, "every ranked player's face");
}

#[tokio::test]
async fn standing_counts_this_weeks_completions_and_places_gained() {
    let w = world();
    let (ada, bob) = (viewer(), viewer());
    // Bob leads with two solves; Ada passes him this week with three.
    for c in &w.challenges[..2] {
        let s = w.service.submit(bob, new_submission(c)).await.unwrap();
        w.service.score(bob, s.id, run(c, RIGHT)).await.unwrap();
    }
    let before = w.service.standing(ada.player).await.unwrap();
    assert_eq!(
        (before.rank, before.weekly_xp, before.rank_change),
        (None, 0, 0)
    );
    for c in &w.challenges[2..5] {
        let s = w.service.submit(ada, new_submission(c)).await.unwrap();
        w.service.score(ada, s.id, run(c, RIGHT)).await.unwrap();
    }
    let st = w.service.standing(ada.player).await.unwrap();
    assert_eq!(st.rank, Some(1));
    assert_eq!(st.weekly_xp, 300);
    assert_eq!(st.weekly_completed, 3);
    assert_eq!(st.rank_change, 1, "from 2nd (0 XP behind bob's 200) to 1st");
    let bob_now = w.service.standing(bob.player).await.unwrap();
    assert_eq!(bob_now.rank, Some(2));
    assert_eq!(st.progress.streak.current, 1);
    // A summary's move: the places any amount of recent XP gained, with the streak.
    let moved = w.service.rank_move(ada.player, 300).await.unwrap();
    assert_eq!((moved.rank, moved.change, moved.streak), (Some(1), 1, 1));
    let moved = w.service.rank_move(ada.player, 50).await.unwrap();
    assert_eq!(moved.change, 0, "250 XP was already ahead of bob's 200");
    let unranked = w.service.rank_move(viewer().player, 100).await.unwrap();
    assert_eq!(
        (unranked.rank, unranked.change, unranked.streak),
        (None, 0, 0)
    );
    // Next week: nothing earned yet, no completions counted, the streak broken.
    w.clock.advance(Duration::days(7));
    let later = w.service.standing(ada.player).await.unwrap();
    assert_eq!(later.progress.streak.current, 0, "no success for a week");
    assert_eq!(later.progress.streak.best, 1);
    assert_eq!(
        (later.weekly_xp, later.weekly_completed, later.rank_change),
        (0, 0, 0)
    );
}

#[tokio::test]
async fn the_platform_success_rate_counts_scored_submissions_only() {
    let w = world();
    let v = viewer();
    assert_eq!(
        w.service.success_rate().await.unwrap(),
        0.0,
        "no division by zero"
    );
    let c = &w.challenges[0];
    for outputs in [RIGHT, ["3", "no"], RIGHT] {
        let s = w.service.submit(v, new_submission(c)).await.unwrap();
        w.service.score(v, s.id, run(c, outputs)).await.unwrap();
    }
    w.service.submit(v, new_submission(c)).await.unwrap();
    assert_eq!(
        w.service.success_rate().await.unwrap(),
        66.67,
        "2 of 3 scored; pending ignored"
    );
}

#[tokio::test]
async fn ledger_is_private_to_its_player_and_admins() {
    let w = world();
    let (v, other) = (viewer(), viewer());
    assert!(matches!(
        w.service
            .xp_history(other, v.player, PageRequest::default())
            .await,
        Err(ScoringError::Forbidden)
    ));
    let admin = Viewer {
        player: other.player,
        is_admin: true,
    };
    assert!(w
        .service
        .xp_history(admin, v.player, PageRequest::default())
        .await
        .is_ok());
}

#[tokio::test]
async fn lists_filter_and_belong_to_their_owner() {
    let w = world();
    let (v, other) = (viewer(), viewer());
    let c = &w.challenges[0];
    let s = w.service.submit(v, new_submission(c)).await.unwrap();
    w.service.submit(other, new_submission(c)).await.unwrap();
    w.service.score(v, s.id, run(c, RIGHT)).await.unwrap();
    let mine = w
        .service
        .submissions(v, SubmissionFilter::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(mine.items.total, 1);
    assert_eq!(
        mine.titles[&c.id].title,
        format!("title {}", c.id.to_hex()),
        "each submission's challenge named once"
    );
    let filter = SubmissionFilter {
        player: Some(other.player),
        ..Default::default()
    };
    assert!(matches!(
        w.service
            .submissions(v, filter, PageRequest::default())
            .await,
        Err(ScoringError::Forbidden)
    ));
    assert!(matches!(
        w.service
            .challenge_submissions(v, c.id, SubmissionFilter::default(), PageRequest::default())
            .await,
        Err(ScoringError::Forbidden)
    ));
    let author = Viewer {
        player: w.author,
        is_admin: false,
    };
    let all = w
        .service
        .challenge_submissions(
            author,
            c.id,
            SubmissionFilter::default(),
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(all.items.total, 2);
    let stats = w.service.submission_stats(v.player).await.unwrap();
    assert_eq!(
        (stats.total_submissions, stats.completed_submissions),
        (1, 1)
    );
    assert!(matches!(
        w.service.delete_submission(other, s.id).await,
        Err(ScoringError::SubmissionNotFound)
    ));
    w.service.delete_submission(v, s.id).await.unwrap();
    assert_eq!(
        w.service.progress(v.player).await.unwrap().xp,
        100,
        "earned XP stays"
    );
}

#[tokio::test]
async fn focus_sessions_fill_the_simulation_of_the_submission_written_in_them() {
    let w = world();
    let v = viewer();
    let c = &w.challenges[0];
    let session_start = stackrush_kernel::Clock::now(w.clock.as_ref());
    let started = w
        .service
        .start_attempt(StartAttempt {
            player: v.player,
            challenge: c.id,
            mode: Mode::Zen,
            distraction_level: DistractionLevel::Low,
        })
        .await
        .unwrap();
    let a = &started.attempt;
    w.clock.advance(Duration::minutes(20));
    let in_session = w
        .service
        .submit(
            v,
            NewSubmission {
                attempt: Some((a.id, a.nonce.clone())),
                ..new_submission(c)
            },
        )
        .await
        .unwrap();
    // Without an attempt there is no session clock to match.
    let unattempted = w.service.submit(v, new_submission(c)).await.unwrap();
    let report = FocusReport {
        submission: None,
        challenge: Some(c.id),
        started_at: session_start,
        ended_at: session_start + Duration::minutes(25),
        mode: Mode::Zen,
        distractions: 3,
        focus_score: 88,
    };
    assert_eq!(
        w.service.record_focus(v.player, report).await.unwrap(),
        Some(in_session.id)
    );
    let kept = w.service.submission(v, in_session.id).await.unwrap();
    assert_eq!(
        (
            kept.simulation.time_spent,
            kept.simulation.distractions_encountered,
            kept.simulation.focus_score,
            kept.simulation.distraction_level,
        ),
        (Some(25), Some(3), Some(88), DistractionLevel::Low)
    );
    let untouched = w.service.submission(v, unattempted.id).await.unwrap();
    assert_eq!(untouched.simulation, unattempted.simulation);

    // A session on another day matches nothing; another player's matches nothing of ours.
    let elsewhere = FocusReport {
        started_at: session_start + Duration::days(1),
        ended_at: session_start + Duration::days(1) + Duration::minutes(5),
        ..report
    };
    assert_eq!(
        w.service.record_focus(v.player, elsewhere).await.unwrap(),
        None
    );
    assert_eq!(
        w.service
            .record_focus(viewer().player, report)
            .await
            .unwrap(),
        None
    );

    // Naming a submission: it must be the player's; then it is updated even without an attempt.
    let named = FocusReport {
        submission: Some(unattempted.id),
        challenge: None,
        ..report
    };
    assert!(matches!(
        w.service.record_focus(viewer().player, named).await,
        Err(ScoringError::SubmissionNotFound)
    ));
    assert_eq!(
        w.service.record_focus(v.player, named).await.unwrap(),
        Some(unattempted.id)
    );
    let kept = w.service.submission(v, unattempted.id).await.unwrap();
    assert_eq!(kept.simulation.focus_score, Some(88));
}

#[tokio::test]
async fn definitions_written_elsewhere_count_after_a_second_and_ours_at_once() {
    let w = world();
    let keys = |all: Vec<crate::achievement::Achievement>| {
        all.into_iter().map(|a| a.key).collect::<Vec<_>>()
    };
    assert!(keys(w.service.achievements(None).await.unwrap()).is_empty());
    // The `seed` command, say, adding one from another process: remembered definitions stand…
    let now = stackrush_kernel::Clock::now(w.clock.as_ref());
    let elsewhere = crate::achievement::Achievement::from_draft(
        AchievementId::generate(now),
        draft("elsewhere", CriteriaType::ChallengeCount, 1, 10),
        now,
    );
    AchievementRepository::insert(&w.store, &elsewhere)
        .await
        .unwrap();
    assert!(keys(w.service.achievements(None).await.unwrap()).is_empty());
    // …for at most a second.
    w.clock.advance(Duration::milliseconds(1100));
    assert_eq!(
        keys(w.service.achievements(None).await.unwrap()),
        vec!["elsewhere".to_owned()]
    );
    // A definition written through the service counts at once.
    let admin = Viewer {
        player: PlayerId::generate(now),
        is_admin: true,
    };
    w.service
        .create_achievement(admin, draft("ours", CriteriaType::ChallengeCount, 1, 10))
        .await
        .unwrap();
    let mut all = keys(w.service.achievements(None).await.unwrap());
    all.sort();
    assert_eq!(all, vec!["elsewhere".to_owned(), "ours".to_owned()]);
}

#[tokio::test]
async fn boards_whose_faces_cannot_be_read_are_a_retry_later() {
    let w = world();
    let v = viewer();
    let c = &w.challenges[0];
    let s = w.service.submit(v, new_submission(c)).await.unwrap();
    w.service.score(v, s.id, run(c, RIGHT)).await.unwrap();
    let mut players = MockPlayerDirectory::new();
    players.expect_player().returning(|_| {
        Ok(Some(PlayerInfo {
            timezone: "UTC".into(),
            listed: true,
        }))
    });
    players
        .expect_faces()
        .returning(|_| Err(anyhow::anyhow!("identity store down")));
    let shared = Arc::new(w.store.clone());
    let service = ScoringService::new(Ports {
        attempts: shared.clone(),
        submissions: shared.clone(),
        progress: shared.clone(),
        boards: shared.clone(),
        achievements: shared,
        catalog: Arc::new(MockChallengeCatalog::new()),
        players: Arc::new(players),
        events: w.events.clone(),
        activity: Arc::new(stackrush_kernel::activity::NoActivityLog),
        clock: w.clock.clone(),
    });
    assert!(matches!(
        service
            .leaderboard(Board::Global, PageRequest::new(1, 10))
            .await,
        Err(ScoringError::Unavailable(_))
    ));
}

#[tokio::test]
async fn a_solve_is_announced_and_a_playlist_pays_its_xp_once_even_when_asked_at_once() {
    let w = world();
    let learner = viewer();
    let c = &w.challenges[0];
    assert!(!w.service.has_solved(learner.player, c.id).await.unwrap());
    let s = w.service.submit(learner, new_submission(c)).await.unwrap();
    w.service.score(learner, s.id, run(c, RIGHT)).await.unwrap();
    assert!(w.service.has_solved(learner.player, c.id).await.unwrap());
    assert!(w.events.0.lock().unwrap().iter().any(|e| matches!(
        e,
        ScoringEvent::ChallengeSolved { player, challenge }
            if *player == learner.player && *challenge == c.id
    )));
    let before = w.service.progress(learner.player).await.unwrap().xp;
    let playlist = PlaylistRef::generate(Utc::now());
    let service = Arc::new(w.service);
    let racing: Vec<_> = (0..6)
        .map(|_| {
            let service = service.clone();
            tokio::spawn(async move { service.reward_playlist(learner.player, playlist, 75).await })
        })
        .collect();
    let mut paid = 0;
    for task in racing {
        paid += task.await.unwrap().unwrap();
    }
    assert_eq!(paid, 75, "once");
    assert_eq!(
        service
            .reward_playlist(learner.player, playlist, 75)
            .await
            .unwrap(),
        0
    );
    let after = service.progress(learner.player).await.unwrap().xp;
    assert_eq!(after, before + 75);
    let other = PlaylistRef::generate(Utc::now());
    assert_eq!(
        service
            .reward_playlist(learner.player, other, 0)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn code_reviews_pay_once_each_and_at_most_the_daily_cap() {
    let w = world();
    let reviewer = viewer().player;
    let first = ReviewRef::generate(Utc::now());
    assert_eq!(
        w.service.reward_review(reviewer, first).await.unwrap(),
        REVIEW_XP
    );
    assert_eq!(
        w.service.reward_review(reviewer, first).await.unwrap(),
        0,
        "once per review"
    );
    for _ in 1..REVIEW_REWARDS_PER_DAY {
        let paid = w
            .service
            .reward_review(reviewer, ReviewRef::generate(Utc::now()))
            .await
            .unwrap();
        assert_eq!(paid, REVIEW_XP);
    }
    assert_eq!(
        w.service
            .reward_review(reviewer, ReviewRef::generate(Utc::now()))
            .await
            .unwrap(),
        0,
        "the day's cap"
    );
    let progress = w.service.progress(reviewer).await.unwrap();
    assert_eq!(progress.xp, REVIEW_XP * REVIEW_REWARDS_PER_DAY);
    assert_eq!(ledger_sum(&w, reviewer).await, progress.xp as i64);
    assert_eq!(progress.attempts, 0, "a review is not a scoring");

    // A new UTC day pays again.
    w.clock.advance(Duration::days(1));
    assert_eq!(
        w.service
            .reward_review(reviewer, ReviewRef::generate(Utc::now()))
            .await
            .unwrap(),
        REVIEW_XP
    );
}

#[tokio::test]
async fn a_broken_streak_reads_as_zero_on_progress_and_the_streak_board() {
    let w = world();
    let (stale, live) = (viewer(), viewer());
    let c = &w.challenges[0];
    let s = w.service.submit(stale, new_submission(c)).await.unwrap();
    w.service.score(stale, s.id, run(c, RIGHT)).await.unwrap();
    assert_eq!(
        w.service
            .progress(stale.player)
            .await
            .unwrap()
            .streak
            .current,
        1
    );

    // Two days later the first player has missed a whole day; the second just succeeded.
    w.clock.advance(Duration::days(2));
    let c = &w.challenges[1];
    let s = w.service.submit(live, new_submission(c)).await.unwrap();
    w.service.score(live, s.id, run(c, RIGHT)).await.unwrap();
    let shown = w.service.progress(stale.player).await.unwrap();
    assert_eq!(shown.streak.current, 0, "broken");
    assert_eq!(shown.streak.best, 1, "the best stays");
    let board = w
        .service
        .top_players(ProgressOrder::Streak, 10)
        .await
        .unwrap()
        .items;
    let players: Vec<PlayerId> = board.iter().map(|p| p.player).collect();
    assert_eq!(
        players,
        vec![live.player],
        "only live streaks are on the streak board"
    );
    let by_xp = w
        .service
        .top_players(ProgressOrder::Xp, 10)
        .await
        .unwrap()
        .items;
    let stale_row = by_xp.iter().find(|p| p.player == stale.player).unwrap();
    assert_eq!(stale_row.streak.current, 0, "and it reads 0 on every board");
}

#[tokio::test]
async fn equal_scores_rank_by_the_solve_time_the_server_observed_not_the_browsers() {
    let w = world();
    let c = &w.challenges[0];
    let solve = |minutes: i64, reported_ms: u64| {
        let w = &w;
        async move {
            let v = viewer();
            let started = w
                .service
                .start_attempt(StartAttempt {
                    player: v.player,
                    challenge: c.id,
                    mode: Mode::Standard,
                    distraction_level: DistractionLevel::Low,
                })
                .await
                .unwrap();
            let a = &started.attempt;
            let s = w
                .service
                .submit(
                    v,
                    NewSubmission {
                        attempt: Some((a.id, a.nonce.clone())),
                        ..new_submission(c)
                    },
                )
                .await
                .unwrap();
            w.clock.advance(Duration::minutes(minutes));
            let mut browser = run(c, RIGHT);
            browser.execution_time = Some(reported_ms);
            let scored = w.service.score(v, s.id, browser).await.unwrap();
            assert_eq!(scored.submission.execution.score, 100.0);
            v.player
        }
    };
    // The slow solver reached 100 first and claims a 1 ms run; the fast one came later.
    let slow = solve(20, 1).await;
    let fast = solve(2, 999_999).await;
    let board = w
        .service
        .challenge_leaderboard(None, c.id, PageRequest::new(1, 10))
        .await
        .unwrap();
    let order: Vec<PlayerId> = board.items.items.iter().map(|r| r.best.player).collect();
    assert_eq!(order, vec![fast, slow]);
    assert_eq!(board.items.items[0].best.solve_time, Some(120_000));
    assert_eq!(board.items.items[1].best.solve_time, Some(1_200_000));
    assert_eq!(board.items.items[0].rank, 1);
    assert_eq!(board.items.items[1].rank, 2);
}
