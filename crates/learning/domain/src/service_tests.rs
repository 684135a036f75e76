//! The learning rules against the in-memory store and hand-written stand-ins for the other
//! contexts.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use stackrush_kernel::{FixedClock, PageRequest};

use crate::api::*;
use crate::certificate::*;
use crate::error::LearningError;
use crate::fake::InMemoryLearning;
use crate::model::*;
use crate::ports::*;
use crate::recommend::*;
use crate::service::{completion_xp, LearningService};

#[derive(Default)]
struct World2 {
    public: Mutex<HashSet<ChallengeRef>>,
    solved: Mutex<HashSet<(MemberId, ChallengeRef)>>,
    awarded: Mutex<HashMap<(MemberId, PlaylistId), u64>>,
    notified: Mutex<Vec<(MemberId, PlaylistId, u64)>>,
    drawings: Mutex<HashMap<CertificateId, Vec<u8>>>,
    drawn: Mutex<u32>,
    /// Challenge types other than `dsa`.
    types: Mutex<HashMap<ChallengeRef, String>>,
    figures: Mutex<PracticeFigures>,
}

#[async_trait]
impl Practice for World2 {
    async fn figures(&self, _: MemberId) -> anyhow::Result<PracticeFigures> {
        Ok(self.figures.lock().unwrap().clone())
    }
}

#[async_trait]
impl CertificateFiles for World2 {
    async fn get(&self, id: CertificateId) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(self.drawings.lock().unwrap().get(&id).cloned())
    }

    async fn put(&self, id: CertificateId, svg: Vec<u8>) -> anyhow::Result<()> {
        *self.drawn.lock().unwrap() += 1;
        self.drawings.lock().unwrap().insert(id, svg);
        Ok(())
    }
}

#[async_trait]
impl Challenges for World2 {
    async fn public_type(&self, challenge: ChallengeRef) -> anyhow::Result<Option<String>> {
        let kind = self.types.lock().unwrap().get(&challenge).cloned();
        Ok(self
            .public
            .lock()
            .unwrap()
            .contains(&challenge)
            .then(|| kind.unwrap_or_else(|| "dsa".to_owned())))
    }

    async fn solved(&self, member: MemberId, challenge: ChallengeRef) -> anyhow::Result<bool> {
        Ok(self.solved.lock().unwrap().contains(&(member, challenge)))
    }
}

#[async_trait]
impl Rewards for World2 {
    async fn award_completion(
        &self,
        learner: MemberId,
        playlist: PlaylistId,
        xp: u64,
    ) -> anyhow::Result<u64> {
        let mut awarded = self.awarded.lock().unwrap();
        if awarded.contains_key(&(learner, playlist)) {
            return Ok(0);
        }
        awarded.insert((learner, playlist), xp);
        Ok(xp)
    }

    async fn notify_completion(&self, learner: MemberId, playlist: &Playlist, xp: u64) {
        self.notified
            .lock()
            .unwrap()
            .push((learner, playlist.id, xp));
    }
}

#[async_trait]
impl Members for World2 {
    async fn faces(&self, members: &[MemberId]) -> anyhow::Result<HashMap<MemberId, Face>> {
        Ok(members
            .iter()
            .map(|m| {
                (
                    *m,
                    Face {
                        username: format!("u{}", &m.to_hex()[18..]),
                        first_name: None,
                        last_name: None,
                        avatar: None,
                    },
                )
            })
            .collect())
    }
}

struct World {
    service: Arc<LearningService>,
    store: Arc<InMemoryLearning>,
    world: Arc<World2>,
    activity: Arc<stackrush_kernel::activity::RecordedActivity>,
    challenge: ChallengeRef,
}

impl World {
    /// What `member` did, as analytics was told it, oldest first.
    fn told(&self, member: Caller) -> Vec<stackrush_kernel::activity::Happened> {
        self.activity
            .taken()
            .into_iter()
            .filter(|a| a.actor == member.id.bytes())
            .map(|a| a.what)
            .collect()
    }
}

fn world() -> World {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0).unwrap(),
    ));
    let store = Arc::new(InMemoryLearning::default());
    let world = Arc::new(World2::default());
    let challenge = ChallengeRef::generate(Utc::now());
    world.public.lock().unwrap().insert(challenge);
    let activity = Arc::new(stackrush_kernel::activity::RecordedActivity::default());
    let service = LearningService::new(Ports {
        playlists: store.clone(),
        enrolments: store.clone(),
        members: world.clone(),
        challenges: world.clone(),
        rewards: world.clone(),
        practice: world.clone(),
        certificates: store.clone(),
        certificate_files: world.clone(),
        signer: Arc::new(Ed25519Signer::from_seed(&[3; 32])),
        certificate_url: "https://api.test/api/certificates/".to_owned(),
        activity: activity.clone(),
        clock,
    });
    World {
        service: Arc::new(service),
        store,
        world,
        activity,
        challenge,
    }
}

fn member(premium: bool) -> Caller {
    Caller {
        id: MemberId::generate(Utc::now()),
        is_admin: false,
        is_premium: premium,
        is_moderator: false,
    }
}

fn lesson(title: &str, kind: LessonKind, challenge: Option<ChallengeRef>) -> LessonDraft {
    LessonDraft {
        id: None,
        title: title.to_owned(),
        description: format!("{title} in depth"),
        kind,
        challenge,
        duration: 30,
    }
}

fn draft(w: &World) -> PlaylistDraft {
    PlaylistDraft {
        title: "Arrays from zero".to_owned(),
        description: "Everything about arrays".to_owned(),
        category: " DSA ".to_owned(),
        level: Level::Beginner,
        duration_text: Some("2 weeks".to_owned()),
        topics: vec!["Arrays".to_owned(), "arrays".to_owned()],
        is_premium: false,
        lessons: vec![
            lesson("Watch", LessonKind::Video, None),
            lesson("Solve", LessonKind::Challenge, Some(w.challenge)),
        ],
    }
}

fn fields(err: &LearningError) -> Vec<String> {
    match err {
        LearningError::Invalid(problems) => problems.iter().map(|p| p.field.clone()).collect(),
        other => panic!("not a validation error: {other:?}"),
    }
}

#[tokio::test]
async fn premium_members_and_staff_create_playlists_and_others_cannot() {
    let w = world();
    let plain = member(false);
    assert!(matches!(
        w.service.create(plain, draft(&w)).await,
        Err(LearningError::PremiumRequired)
    ));
    let moderator = Caller {
        is_moderator: true,
        ..member(false)
    };
    let created = w.service.create(moderator, draft(&w)).await.unwrap();
    let p = &created.playlist;
    assert_eq!(p.category, "dsa");
    assert_eq!(p.topics, vec!["arrays"]);
    assert_eq!(p.minutes(), 60);
    assert_eq!(p.lessons.len(), 2);
    assert!(created.author.is_some());
    assert!(w.service.create(member(true), draft(&w)).await.is_ok());
}

#[tokio::test]
async fn bad_playlists_are_refused_with_every_field_named_and_nothing_stored() {
    let w = world();
    let author = member(true);
    let mut bad = draft(&w);
    bad.title = "a\u{0}b".to_owned();
    bad.category = "no spaces".to_owned();
    bad.lessons = vec![
        lesson("", LessonKind::Challenge, None),
        LessonDraft {
            duration: 5_000,
            ..lesson("Read", LessonKind::Reading, Some(w.challenge))
        },
    ];
    let err = w.service.create(author, bad).await.unwrap_err();
    assert_eq!(
        fields(&err),
        vec![
            "title",
            "category",
            "lessons[0].title",
            "lessons[0].challengeId",
            "lessons[1].duration",
            "lessons[1].challengeId"
        ]
    );
    let mut repeated = draft(&w);
    repeated.topics = vec!["0".to_owned(); 11];
    let err = w.service.create(author, repeated).await.unwrap_err();
    assert_eq!(
        fields(&err),
        vec!["topics"],
        "counted as given, repeats included"
    );
    let mut private = draft(&w);
    private.lessons[1].challenge = Some(ChallengeRef::generate(Utc::now()));
    let err = w.service.create(author, private).await.unwrap_err();
    assert_eq!(fields(&err), vec!["lessons[1].challengeId"]);
    let listed = w
        .service
        .list(
            None,
            PlaylistFilter::default(),
            PlaylistSort::Newest,
            PageRequest::new(1, 10),
        )
        .await
        .unwrap();
    assert_eq!(listed.total, 0, "nothing stored");
}

#[tokio::test]
async fn only_the_author_edits_and_a_stale_revision_is_refused() {
    let w = world();
    let author = member(true);
    let p = w.service.create(author, draft(&w)).await.unwrap().playlist;
    let patch = PlaylistPatch {
        title: Some("Arrays, revised".to_owned()),
        revision: Some(1),
        ..PlaylistPatch::default()
    };
    assert!(matches!(
        w.service.update(member(true), p.id, patch.clone()).await,
        Err(LearningError::Forbidden)
    ));
    let admin = Caller {
        is_admin: true,
        ..member(false)
    };
    assert!(matches!(
        w.service.update(admin, p.id, patch.clone()).await,
        Err(LearningError::Forbidden)
    ));
    let edited = w.service.update(author, p.id, patch.clone()).await.unwrap();
    assert_eq!(edited.playlist.title, "Arrays, revised");
    assert_eq!(edited.playlist.revision, 2);
    assert_eq!(edited.playlist.description, p.description, "untouched");
    assert!(matches!(
        w.service.update(author, p.id, patch).await,
        Err(LearningError::RevisionConflict { current: 2 })
    ));
}

#[tokio::test]
async fn lessons_are_added_edited_reordered_and_removed_keeping_their_ids() {
    let w = world();
    let author = member(true);
    let p = w.service.create(author, draft(&w)).await.unwrap().playlist;
    let (watch, solve) = (p.lessons[0].id, p.lessons[1].id);
    let added = w
        .service
        .add_lesson(
            author,
            p.id,
            lesson("Read", LessonKind::Reading, None),
            Some(1),
        )
        .await
        .unwrap()
        .playlist;
    let read = added.lessons[0].id;
    assert_eq!(
        added.lessons.iter().map(|l| l.id).collect::<Vec<_>>(),
        vec![read, watch, solve]
    );
    let edited = w
        .service
        .update_lesson(
            author,
            p.id,
            watch,
            lesson("Watch again", LessonKind::Video, None),
        )
        .await
        .unwrap()
        .playlist;
    assert_eq!(edited.lesson(watch).unwrap().title, "Watch again");

    let before = w.service.get(None, p.id).await.unwrap().playlist;
    for bad in [
        vec![solve, watch],
        vec![solve, watch, read, read],
        vec![solve, watch, LessonId::generate(Utc::now())],
    ] {
        let err = w
            .service
            .reorder_lessons(author, p.id, bad)
            .await
            .unwrap_err();
        assert!(matches!(err, LearningError::Invalid(_)), "{err:?}");
    }
    assert_eq!(
        w.service.get(None, p.id).await.unwrap().playlist,
        before,
        "unchanged"
    );
    let reordered = w
        .service
        .reorder_lessons(author, p.id, vec![solve, watch, read])
        .await
        .unwrap()
        .playlist;
    assert_eq!(
        reordered.lessons.iter().map(|l| l.id).collect::<Vec<_>>(),
        vec![solve, watch, read]
    );
    let removed = w
        .service
        .remove_lesson(author, p.id, watch)
        .await
        .unwrap()
        .playlist;
    assert_eq!(removed.lessons.len(), 2);
    assert!(matches!(
        w.service.remove_lesson(author, p.id, watch).await,
        Err(LearningError::LessonNotFound)
    ));
    assert!(matches!(
        w.service.remove_lesson(member(true), p.id, solve).await,
        Err(LearningError::Forbidden)
    ));
}

#[tokio::test]
async fn premium_lessons_are_for_premium_members_and_the_enrolled() {
    let w = world();
    let author = member(true);
    let mut d = draft(&w);
    d.is_premium = true;
    let p = w.service.create(author, d).await.unwrap().playlist;
    let outsider = member(false);
    let seen = w.service.get(Some(outsider), p.id).await.unwrap();
    assert!(seen.locked);
    assert_eq!(
        seen.playlist.lessons[0].title, "Watch",
        "the outline is listed"
    );
    assert!(seen
        .playlist
        .lessons
        .iter()
        .all(|l| l.description.is_empty() && l.challenge.is_none()));
    assert!(w.service.get(None, p.id).await.unwrap().locked);
    assert!(matches!(
        w.service.enrol(outsider, p.id).await,
        Err(LearningError::PremiumContent)
    ));
    let premium = member(true);
    assert!(!w.service.get(Some(premium), p.id).await.unwrap().locked);
    w.service.enrol(premium, p.id).await.unwrap();
    // Enrolled while premium: still enrolled (and reading) after the role is gone.
    let lapsed = Caller {
        is_premium: false,
        ..premium
    };
    let seen = w.service.get(Some(lapsed), p.id).await.unwrap();
    assert!(seen.enrolled && !seen.locked);
}

#[tokio::test]
async fn a_challenge_lesson_counts_only_after_a_solve_and_bad_reports_change_nothing() {
    let w = world();
    let p = w
        .service
        .create(member(true), draft(&w))
        .await
        .unwrap()
        .playlist;
    let learner = member(false);
    let report = |lesson: LessonId| ProgressUpdate {
        lesson,
        completed: true,
        time_spent: 10,
    };
    assert!(matches!(
        w.service
            .record_progress(learner, p.id, report(p.lessons[0].id))
            .await,
        Err(LearningError::NotEnrolled)
    ));
    w.service.enrol(learner, p.id).await.unwrap();
    assert!(matches!(
        w.service
            .record_progress(learner, p.id, report(p.lessons[1].id))
            .await,
        Err(LearningError::ChallengeNotSolved)
    ));
    let other = w
        .service
        .create(member(true), draft(&w))
        .await
        .unwrap()
        .playlist;
    let err = w
        .service
        .record_progress(learner, p.id, report(other.lessons[0].id))
        .await
        .unwrap_err();
    assert_eq!(fields(&err), vec!["lessonId"]);
    let err = w
        .service
        .record_progress(
            learner,
            p.id,
            ProgressUpdate {
                time_spent: 1_441,
                ..report(p.lessons[0].id)
            },
        )
        .await
        .unwrap_err();
    assert_eq!(fields(&err), vec!["timeSpent"]);
    let progress = w.service.progress(learner, p.id).await.unwrap();
    assert_eq!(
        (progress.percentage, progress.enrolment.time_spent),
        (0, 0),
        "nothing changed"
    );

    let done = w
        .service
        .record_progress(learner, p.id, report(p.lessons[0].id))
        .await
        .unwrap();
    assert_eq!(done.progress.percentage, 50);
    assert_eq!(done.progress.current, Some(p.lessons[1].id));
    assert_eq!(done.completed_with_xp, None);
    w.world
        .solved
        .lock()
        .unwrap()
        .insert((learner.id, w.challenge));
    let finished = w
        .service
        .record_progress(learner, p.id, report(p.lessons[1].id))
        .await
        .unwrap();
    assert_eq!(finished.completed_with_xp, Some(completion_xp(&p)));
    assert_eq!(
        completion_xp(&p),
        75,
        "50 and 25 for its one challenge lesson"
    );
    assert!(finished.progress.enrolment.completed_at.is_some());
    assert_eq!(finished.progress.current, None);
    assert_eq!(finished.progress.enrolment.time_spent, 20);
    let again = w
        .service
        .record_progress(learner, p.id, report(p.lessons[1].id))
        .await
        .unwrap();
    assert_eq!(again.completed_with_xp, None, "once");
    assert_eq!(w.world.notified.lock().unwrap().len(), 1);
    let stats = w.service.get(None, p.id).await.unwrap().playlist.stats;
    assert_eq!((stats.completions, stats.students), (1, 1));
}

#[tokio::test]
async fn a_double_submitted_last_lesson_completes_once() {
    let w = world();
    let mut d = draft(&w);
    d.lessons.truncate(1);
    let p = w.service.create(member(true), d).await.unwrap().playlist;
    let learner = member(false);
    w.service.enrol(learner, p.id).await.unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let service = w.service.clone();
            let lesson = p.lessons[0].id;
            tokio::spawn(async move {
                service
                    .record_progress(
                        learner,
                        p.id,
                        ProgressUpdate {
                            lesson,
                            completed: true,
                            time_spent: 1,
                        },
                    )
                    .await
            })
        })
        .collect();
    let mut completions = 0;
    let mut certificates = HashSet::new();
    for t in tasks {
        let done = t.await.unwrap().unwrap();
        if done.completed_with_xp.is_some() {
            completions += 1;
        }
        certificates.extend(done.progress.enrolment.certificate);
    }
    assert_eq!(completions, 1);
    assert_eq!(
        certificates.len(),
        1,
        "one certificate, named on every answer after it"
    );
    let id = certificates.into_iter().next().unwrap();
    assert_eq!(
        w.service.certificate(id).await.unwrap().status,
        CertificateStatus::Valid
    );
    assert_eq!(w.world.notified.lock().unwrap().len(), 1);
    assert_eq!(w.world.awarded.lock().unwrap().len(), 1);
    let stats = w.service.get(None, p.id).await.unwrap().playlist.stats;
    assert_eq!(stats.completions, 1);
}

#[tokio::test]
async fn a_solve_reported_by_scoring_completes_challenge_lessons_of_active_enrolments() {
    let w = world();
    let p = w
        .service
        .create(member(true), draft(&w))
        .await
        .unwrap()
        .playlist;
    let learner = member(false);
    w.service.enrol(learner, p.id).await.unwrap();
    w.service
        .record_progress(
            learner,
            p.id,
            ProgressUpdate {
                lesson: p.lessons[0].id,
                completed: true,
                time_spent: 0,
            },
        )
        .await
        .unwrap();
    let stranger = member(false);
    assert_eq!(
        w.service
            .challenge_solved(stranger.id, w.challenge)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        w.service
            .challenge_solved(learner.id, w.challenge)
            .await
            .unwrap(),
        1
    );
    let progress = w.service.progress(learner, p.id).await.unwrap();
    assert_eq!(progress.percentage, 100);
    assert!(
        progress.enrolment.completed_at.is_some(),
        "and the playlist with it"
    );
    assert_eq!(w.world.awarded.lock().unwrap().len(), 1);
    assert_eq!(
        w.service
            .challenge_solved(learner.id, w.challenge)
            .await
            .unwrap(),
        0
    );
    // Analytics hears of the lesson the solve completed and of the playlist, once.
    use stackrush_kernel::activity::Happened;
    let pl = p.id.bytes();
    assert_eq!(
        w.told(learner),
        vec![
            Happened::Enrolled { playlist: pl },
            Happened::LessonCompleted { playlist: pl },
            Happened::LessonCompleted { playlist: pl },
            Happened::PlaylistCompleted { playlist: pl },
        ]
    );
}

#[tokio::test]
async fn unenrolling_keeps_progress_and_enrolling_again_resumes_it() {
    let w = world();
    let p = w
        .service
        .create(member(true), draft(&w))
        .await
        .unwrap()
        .playlist;
    let learner = member(false);
    w.service.enrol(learner, p.id).await.unwrap();
    w.service
        .record_progress(
            learner,
            p.id,
            ProgressUpdate {
                lesson: p.lessons[0].id,
                completed: true,
                time_spent: 12,
            },
        )
        .await
        .unwrap();
    w.service.unenrol(learner, p.id).await.unwrap();
    assert!(matches!(
        w.service.unenrol(learner, p.id).await,
        Err(LearningError::NotEnrolled)
    ));
    assert_eq!(
        w.service
            .get(None, p.id)
            .await
            .unwrap()
            .playlist
            .stats
            .students,
        0
    );
    let resumed = w.service.enrol(learner, p.id).await.unwrap();
    assert_eq!(resumed.percentage, 50);
    assert_eq!(resumed.enrolment.time_spent, 12);
    let mine = w
        .service
        .my_playlists(learner, PageRequest::new(1, 10))
        .await
        .unwrap();
    assert_eq!(mine.total, 1);
    assert_eq!(mine.items[0].progress.percentage, 50);
    assert!(mine.items[0].playlist.enrolled);
}

#[tokio::test]
async fn ratings_are_for_the_enrolled_one_each_and_the_average_stays_exact() {
    let w = world();
    let p = w
        .service
        .create(member(true), draft(&w))
        .await
        .unwrap()
        .playlist;
    let (ann, bob) = (member(false), member(false));
    assert!(matches!(
        w.service.rate(ann, p.id, 5, String::new()).await,
        Err(LearningError::NotEnrolled)
    ));
    for l in [ann, bob] {
        w.service.enrol(l, p.id).await.unwrap();
    }
    for bad in [0, 6] {
        let err = w
            .service
            .rate(ann, p.id, bad, String::new())
            .await
            .unwrap_err();
        assert_eq!(fields(&err), vec!["score"]);
    }
    w.service.rate(ann, p.id, 5, "Clear".into()).await.unwrap();
    w.service.rate(bob, p.id, 4, String::new()).await.unwrap();
    let view = w
        .service
        .rate(ann, p.id, 3, "On reflection".into())
        .await
        .unwrap();
    let stats = view.playlist.stats;
    assert_eq!((stats.rating_sum, stats.ratings), (7, 2));
    assert!((stats.rating() - 3.5).abs() < f64::EPSILON);
}

#[tokio::test]
async fn deleting_is_for_the_author_or_an_admin_and_learners_keep_their_progress() {
    let w = world();
    let author = member(true);
    let p = w.service.create(author, draft(&w)).await.unwrap().playlist;
    let learner = member(false);
    w.service.enrol(learner, p.id).await.unwrap();
    assert!(matches!(
        w.service.delete(member(true), p.id).await,
        Err(LearningError::Forbidden)
    ));
    let admin = Caller {
        is_admin: true,
        ..member(false)
    };
    w.service.delete(admin, p.id).await.unwrap();
    assert!(matches!(
        w.service.get(None, p.id).await,
        Err(LearningError::PlaylistNotFound)
    ));
    assert!(matches!(
        w.service.delete(author, p.id).await,
        Err(LearningError::PlaylistNotFound)
    ));
    let kept = w.service.progress(learner, p.id).await.unwrap();
    assert!(kept.enrolment.active);
    let mine = w
        .service
        .my_playlists(learner, PageRequest::new(1, 10))
        .await
        .unwrap();
    assert_eq!(
        mine.items.len(),
        1,
        "a deleted playlist stays in the learner's list"
    );
    assert!(w.store.get_many(&[p.id]).await.unwrap()[0]
        .deleted_at
        .is_some());
}

#[tokio::test]
async fn lists_filter_and_search_and_categories_count() {
    let w = world();
    let author = member(true);
    let mut d = draft(&w);
    w.service.create(author, d.clone()).await.unwrap();
    d.category = "web-dev".to_owned();
    d.title = "Flexbox 100%".to_owned();
    d.level = Level::Advanced;
    w.service.create(author, d).await.unwrap();
    let list = |filter: PlaylistFilter| {
        let service = w.service.clone();
        async move {
            service
                .list(None, filter, PlaylistSort::Newest, PageRequest::new(1, 10))
                .await
                .unwrap()
                .total
        }
    };
    assert_eq!(list(PlaylistFilter::default()).await, 2);
    assert_eq!(
        list(PlaylistFilter {
            category: Some("WEB-DEV".into()),
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        list(PlaylistFilter {
            search: Some("100%".into()),
            ..Default::default()
        })
        .await,
        1
    );
    let err = w
        .service
        .list(
            None,
            PlaylistFilter {
                search: Some("x".repeat(101)),
                ..Default::default()
            },
            PlaylistSort::Newest,
            PageRequest::new(1, 10),
        )
        .await
        .unwrap_err();
    assert_eq!(fields(&err), vec!["search"]);
    assert_eq!(
        w.service.categories().await.unwrap(),
        vec![("dsa".to_owned(), 1), ("web-dev".to_owned(), 1)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_in_memory_store_passes_the_learning_contract() {
    let store = Arc::new(InMemoryLearning::default());
    crate::contract::run_all(store.clone(), store.clone(), store).await;
}

/// Enrols `learner` in a one-lesson playlist and completes it; the progress afterwards.
async fn completed(w: &World, learner: Caller) -> (Playlist, ProgressView) {
    let mut d = draft(w);
    d.lessons.truncate(1);
    d.title = "Graphs & <trees>".to_owned();
    let p = w.service.create(member(true), d).await.unwrap().playlist;
    w.service.enrol(learner, p.id).await.unwrap();
    let done = w
        .service
        .record_progress(
            learner,
            p.id,
            ProgressUpdate {
                lesson: p.lessons[0].id,
                completed: true,
                time_spent: 5,
            },
        )
        .await
        .unwrap();
    (p, done.progress)
}

fn copy_of(view: &CertificateView) -> CertificateCopy {
    CertificateCopy {
        fields: view.certificate.signed_fields(),
        key_id: view.certificate.key_id.clone(),
        signature: view.certificate.signature.clone(),
    }
}

#[tokio::test]
async fn completing_issues_one_signed_certificate_that_verifies_and_tampering_fails() {
    let w = world();
    let learner = member(false);
    let (p, progress) = completed(&w, learner).await;
    let id = progress
        .enrolment
        .certificate
        .expect("a certificate id on the progress");
    let view = w.service.certificate(id).await.unwrap();
    assert_eq!(view.status, CertificateStatus::Valid);
    assert_eq!(
        view.verification_url,
        format!("https://api.test/api/certificates/{id}")
    );
    let c = &view.certificate;
    assert_eq!((c.playlist, c.learner), (p.id, learner.id));
    assert_eq!(c.playlist_title, "Graphs & <trees>");
    assert_eq!(c.learner_name, format!("u{}", &learner.id.to_hex()[18..]));
    assert_eq!(c.lessons, vec![p.lessons[0].title.clone()]);
    assert_eq!(Some(c.completed_at), progress.enrolment.completed_at);
    assert_eq!(c.key_id, w.service.public_key().key_id);
    let (_, other) = completed(&w, member(false)).await;
    let other = other.enrolment.certificate.unwrap();
    assert_ne!(
        id.to_hex()[..8],
        other.to_hex()[..8],
        "random ids: no shared time prefix to walk from"
    );

    let verdict = w.service.verify_certificate(copy_of(&view)).await.unwrap();
    assert_eq!(verdict.status, CertificateStatus::Valid);
    assert!(verdict.signature_valid);

    let mut renamed = copy_of(&view);
    renamed.fields.learner_name = "Mallory".to_owned();
    let mut redated = copy_of(&view);
    redated.fields.completed_at = "2020-01-01T00:00:00Z".to_owned();
    let mut fewer = copy_of(&view);
    fewer.fields.lessons.clear();
    let mut resigned = copy_of(&view);
    resigned.signature = sign(&Ed25519Signer::from_seed(&[9; 32]), &resigned.fields);
    for tampered in [renamed, redated, fewer, resigned] {
        let verdict = w.service.verify_certificate(tampered).await.unwrap();
        assert_eq!(verdict.status, CertificateStatus::Invalid);
        assert!(!verdict.signature_valid);
    }
}

#[tokio::test]
async fn revoked_certificates_verify_as_revoked_and_only_admins_revoke_once() {
    let w = world();
    let (_, progress) = completed(&w, member(false)).await;
    let id = progress.enrolment.certificate.unwrap();
    let admin = Caller {
        is_admin: true,
        ..member(false)
    };
    let err = w
        .service
        .revoke_certificate(member(true), id, "copied".to_owned())
        .await
        .unwrap_err();
    assert!(matches!(err, LearningError::Forbidden));
    let err = w
        .service
        .revoke_certificate(admin, id, "  ".to_owned())
        .await
        .unwrap_err();
    assert_eq!(fields(&err), vec!["reason"]);
    assert_eq!(
        w.service.certificate(id).await.unwrap().status,
        CertificateStatus::Valid,
        "refused revocations change nothing"
    );
    let revoked = w
        .service
        .revoke_certificate(admin, id, "Solutions were copied".to_owned())
        .await
        .unwrap();
    assert_eq!(revoked.status, CertificateStatus::Revoked);
    let verdict = w
        .service
        .verify_certificate(copy_of(&revoked))
        .await
        .unwrap();
    assert_eq!(verdict.status, CertificateStatus::Revoked);
    assert!(verdict.signature_valid);
    assert_eq!(
        verdict.revocation.map(|r| r.reason),
        Some("Solutions were copied".to_owned())
    );
    let again = w
        .service
        .revoke_certificate(admin, id, "twice".to_owned())
        .await
        .unwrap_err();
    assert!(matches!(again, LearningError::AlreadyRevoked));
    let unknown = w
        .service
        .revoke_certificate(admin, CertificateId::generate(Utc::now()), "x".to_owned())
        .await
        .unwrap_err();
    assert!(matches!(unknown, LearningError::CertificateNotFound));
}

#[tokio::test]
async fn the_drawing_is_made_once_then_kept_through_the_file_port() {
    let w = world();
    let (_, progress) = completed(&w, member(false)).await;
    let id = progress.enrolment.certificate.unwrap();
    let first = w.service.certificate_svg(id).await.unwrap();
    let second = w.service.certificate_svg(id).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(
        *w.world.drawn.lock().unwrap(),
        1,
        "drawn once, then served as kept"
    );
    let text = String::from_utf8(first).unwrap();
    assert!(text.contains("Graphs &amp; &lt;trees&gt;"));
    assert!(text.contains(&format!("https://api.test/api/certificates/{id}")));
    assert!(matches!(
        w.service
            .certificate_svg(CertificateId::generate(Utc::now()))
            .await,
        Err(LearningError::CertificateNotFound)
    ));
}

#[tokio::test]
async fn recommendations_continue_first_then_weak_types_then_level_then_popular_with_reasons() {
    let w = world();
    let author = member(true);
    let bug = ChallengeRef::generate(Utc::now());
    w.world.public.lock().unwrap().insert(bug);
    w.world
        .types
        .lock()
        .unwrap()
        .insert(bug, "bug-fix".to_owned());
    let playlist = |title: &str, category: &str, level: Level, premium: bool, lessons| {
        let (w, title, category) = (&w, title.to_owned(), category.to_owned());
        async move {
            let d = PlaylistDraft {
                title,
                description: "d".to_owned(),
                category,
                level,
                duration_text: None,
                topics: Vec::new(),
                is_premium: premium,
                lessons,
            };
            w.service.create(author, d).await.unwrap().playlist
        }
    };
    let reading = || vec![lesson("Read", LessonKind::Reading, None)];
    let started = playlist(
        "Started",
        "dsa",
        Level::Beginner,
        false,
        vec![
            lesson("One", LessonKind::Reading, None),
            lesson("Two", LessonKind::Reading, None),
        ],
    )
    .await;
    let debugging = playlist(
        "Debugging",
        "misc",
        Level::Advanced,
        false,
        vec![lesson("Fix it", LessonKind::Challenge, Some(bug))],
    )
    .await;
    let middle = playlist("Middle", "web", Level::Intermediate, false, reading()).await;
    let other = playlist("Other", "misc", Level::Advanced, false, reading()).await;
    playlist("Premium", "web", Level::Intermediate, true, reading()).await;

    let learner = member(false);
    w.service.enrol(learner, started.id).await.unwrap();
    w.service
        .record_progress(
            learner,
            started.id,
            ProgressUpdate {
                lesson: started.lessons[0].id,
                completed: true,
                time_spent: 3,
            },
        )
        .await
        .unwrap();
    *w.world.figures.lock().unwrap() = PracticeFigures {
        level: 5,
        by_type: vec![
            TypeRecord {
                challenge_type: "bug-fix".to_owned(),
                scored: 5,
                successes: 1,
            },
            TypeRecord {
                challenge_type: "dsa".to_owned(),
                scored: 10,
                successes: 9,
            },
        ],
    };

    let recs = w.service.recommended(learner, 10).await.unwrap();
    let got: Vec<(ReasonKind, PlaylistId)> = recs
        .iter()
        .map(|r| (r.kind, r.playlist.playlist.id))
        .collect();
    assert_eq!(
        got,
        vec![
            (ReasonKind::Continue, started.id),
            (ReasonKind::WeakType, debugging.id),
            (ReasonKind::Level, middle.id),
            (ReasonKind::Popular, other.id),
        ],
        "the premium playlist is left out for a learner who may not enrol in it"
    );
    assert!(recs[0].reason.contains("50%"), "{}", recs[0].reason);
    assert!(recs[0].reason.contains("\"Two\""), "{}", recs[0].reason);
    assert!(recs[0].playlist.enrolled);
    assert!(
        recs[1].reason.contains("1 of your 5 scored bug-fix"),
        "{}",
        recs[1].reason
    );
    assert!(
        recs[2].reason.contains("Intermediate"),
        "{}",
        recs[2].reason
    );

    let two = w.service.recommended(learner, 2).await.unwrap();
    assert_eq!(two.len(), 2);
    for bad in [0, 21] {
        let err = w.service.recommended(learner, bad).await.unwrap_err();
        assert_eq!(fields(&err), vec!["limit"]);
    }
    let premium = w.service.recommended(member(true), 20).await.unwrap();
    assert_eq!(
        premium.len(),
        5,
        "premium members see the premium playlist too"
    );
}

#[tokio::test]
async fn enrolments_lessons_and_completions_are_told_to_analytics_once() {
    use stackrush_kernel::activity::Happened;
    let w = world();
    let p = w
        .service
        .create(member(true), draft(&w))
        .await
        .unwrap()
        .playlist;
    let learner = member(false);
    w.service.enrol(learner, p.id).await.unwrap();
    w.service.enrol(learner, p.id).await.unwrap();
    w.world
        .solved
        .lock()
        .unwrap()
        .insert((learner.id, w.challenge));
    for lesson in p.lessons.iter().chain(p.lessons.iter()) {
        let report = ProgressUpdate {
            lesson: lesson.id,
            completed: true,
            time_spent: 5,
        };
        w.service
            .record_progress(learner, p.id, report)
            .await
            .unwrap();
    }
    let told = w.told(learner);
    let pl = p.id.bytes();
    let mut expected = vec![Happened::Enrolled { playlist: pl }];
    expected.extend(
        p.lessons
            .iter()
            .map(|_| Happened::LessonCompleted { playlist: pl }),
    );
    expected.push(Happened::PlaylistCompleted { playlist: pl });
    assert_eq!(told, expected);
}
