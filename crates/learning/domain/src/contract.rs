//! The contract suite every adapter of the learning store ports must pass.
//!
//! Each function checks one behaviour the ports' documentation promises, on playlists and
//! learners of its own, so one store can serve every check; [`run_all`] runs them all.
#![expect(
    clippy::unwrap_used,
    reason = "a test suite reports failures by panicking"
)]

use std::sync::Arc;

use chrono::{DateTime, Duration, DurationRound, Utc};
use stackrush_kernel::PageRequest;

use crate::certificate::*;
use crate::model::*;
use crate::ports::{CertificateRepository, EnrolmentRepository, PlaylistRepository, Written};

/// Now, at millisecond precision (what every store keeps).
pub fn now_ms() -> DateTime<Utc> {
    Utc::now()
        .duration_trunc(Duration::milliseconds(1))
        .unwrap()
}

fn lesson(title: &str, kind: LessonKind, challenge: Option<ChallengeRef>) -> Lesson {
    Lesson {
        id: LessonId::generate(now_ms()),
        title: title.to_owned(),
        description: format!("About {title}: $set and {{\"a.b\": 1}} stay text"),
        kind,
        challenge,
        challenge_type: challenge.map(|_| "bug-fix".to_owned()),
        duration: 15,
    }
}

/// A playlist of `author` in `category`, created at `at`.
pub fn sample(author: MemberId, category: &str, at: DateTime<Utc>) -> Playlist {
    Playlist {
        id: PlaylistId::generate(at),
        author,
        title: format!("Playlist in {category}"),
        description: "Learn step by step".to_owned(),
        category: category.to_owned(),
        level: Level::Intermediate,
        duration_text: Some("8 weeks".to_owned()),
        topics: vec!["arrays".to_owned(), "c++".to_owned()],
        is_premium: false,
        lessons: vec![
            lesson("Intro", LessonKind::Video, None),
            lesson(
                "Two sum",
                LessonKind::Challenge,
                Some(ChallengeRef::generate(at)),
            ),
            lesson("Notes", LessonKind::Reading, None),
        ],
        stats: PlaylistStats::default(),
        revision: 1,
        deleted_at: None,
        created_at: at,
        updated_at: at,
    }
}

fn unique_category() -> String {
    format!("cat-{}", &PlaylistId::generate(Utc::now()).to_hex()[16..])
}

/// Playlists round-trip with their lessons in order; updates are conditional on the revision
/// and never write the figures; deletion is soft and once.
pub async fn playlists_round_trip(repo: &dyn PlaylistRepository) {
    let author = MemberId::generate(now_ms());
    let mut p = sample(author, &unique_category(), now_ms());
    repo.insert(&p).await.unwrap();
    assert_eq!(repo.get(p.id).await.unwrap().as_ref(), Some(&p));
    assert_eq!(repo.get_many(&[p.id]).await.unwrap(), vec![p.clone()]);

    let mut edited = p.clone();
    edited.title = "Edited".to_owned();
    edited.lessons.reverse();
    edited.lessons.pop();
    edited.duration_text = None;
    edited.is_premium = true;
    edited.revision = 2;
    edited.updated_at = now_ms();
    edited.stats.students = 99;
    assert_eq!(repo.update(&edited, 1).await.unwrap(), Written::Done);
    assert_eq!(repo.update(&edited, 1).await.unwrap(), Written::Stale);
    let stored = repo.get(p.id).await.unwrap().unwrap();
    assert_eq!(
        stored.stats,
        PlaylistStats::default(),
        "figures are not edited"
    );
    edited.stats = PlaylistStats::default();
    assert_eq!(stored, edited);

    let at = now_ms();
    assert!(repo.delete(p.id, at).await.unwrap());
    assert!(!repo.delete(p.id, at).await.unwrap(), "once");
    p = repo.get(p.id).await.unwrap().unwrap();
    assert_eq!(p.deleted_at, Some(at));
    assert_eq!(repo.update(&edited, 2).await.unwrap(), Written::Gone);
    let missing = PlaylistId::generate(now_ms());
    assert_eq!(repo.get(missing).await.unwrap(), None);
}

/// Lists filter, search literally, sort as documented and page; categories count live ones.
pub async fn playlists_list(repo: &dyn PlaylistRepository, enrolments: &dyn EnrolmentRepository) {
    let category = unique_category();
    let author = MemberId::generate(now_ms());
    let t0 = now_ms() - Duration::hours(1);
    let mut made = Vec::new();
    for i in 0..4 {
        let mut p = sample(author, &category, t0 + Duration::minutes(i));
        p.title = format!("Graph walk {i} (100%_done)");
        p.level = if i % 2 == 0 {
            Level::Beginner
        } else {
            Level::Advanced
        };
        p.is_premium = i == 3;
        if i == 2 {
            p.topics = vec!["graphs".to_owned()];
        }
        repo.insert(&p).await.unwrap();
        made.push(p);
    }
    let filter = PlaylistFilter {
        category: Some(category.clone()),
        ..PlaylistFilter::default()
    };
    let newest = repo
        .list(&filter, PlaylistSort::Newest, PageRequest::new(1, 3))
        .await
        .unwrap();
    assert_eq!(newest.total, 4);
    let ids: Vec<PlaylistId> = newest.items.iter().map(|p| p.id).collect();
    assert_eq!(ids, vec![made[3].id, made[2].id, made[1].id]);
    let rest = repo
        .list(&filter, PlaylistSort::Newest, PageRequest::new(2, 3))
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 1);

    let narrow = |f: PlaylistFilter| {
        let f = PlaylistFilter {
            category: Some(category.clone()),
            ..f
        };
        async move {
            repo.list(&f, PlaylistSort::Newest, PageRequest::new(1, 10))
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|p| p.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        narrow(PlaylistFilter {
            level: Some(Level::Advanced),
            ..Default::default()
        })
        .await,
        vec![made[3].id, made[1].id]
    );
    assert_eq!(
        narrow(PlaylistFilter {
            premium: Some(true),
            ..Default::default()
        })
        .await,
        vec![made[3].id]
    );
    assert_eq!(
        narrow(PlaylistFilter {
            topic: Some("graphs".to_owned()),
            ..Default::default()
        })
        .await,
        vec![made[2].id]
    );
    assert_eq!(
        narrow(PlaylistFilter {
            search: Some("walk 1 (100%_".to_owned()),
            ..Default::default()
        })
        .await,
        vec![made[1].id],
        "search is literal and ignores case"
    );
    assert!(narrow(PlaylistFilter {
        search: Some("walk .".to_owned()),
        ..Default::default()
    })
    .await
    .is_empty());
    assert_eq!(
        narrow(PlaylistFilter {
            author: Some(MemberId::generate(now_ms())),
            ..Default::default()
        })
        .await,
        Vec::<PlaylistId>::new()
    );

    // Popular: most students first; rating: best average first.
    let learners: Vec<MemberId> = (0..3).map(|_| MemberId::generate(now_ms())).collect();
    for learner in &learners {
        enrolments
            .enrol(made[0].id, *learner, now_ms())
            .await
            .unwrap();
    }
    enrolments
        .enrol(made[1].id, learners[0], now_ms())
        .await
        .unwrap();
    let popular = repo
        .list(&filter, PlaylistSort::Popular, PageRequest::new(1, 2))
        .await
        .unwrap();
    let ids: Vec<PlaylistId> = popular.items.iter().map(|p| p.id).collect();
    assert_eq!(ids, vec![made[0].id, made[1].id]);
    let rate = |score: u8| Rating {
        score,
        review: String::new(),
        at: now_ms(),
    };
    enrolments
        .rate(made[0].id, learners[0], &rate(3))
        .await
        .unwrap();
    enrolments
        .rate(made[1].id, learners[0], &rate(5))
        .await
        .unwrap();
    let rated = repo
        .list(&filter, PlaylistSort::Rating, PageRequest::new(1, 2))
        .await
        .unwrap();
    let ids: Vec<PlaylistId> = rated.items.iter().map(|p| p.id).collect();
    assert_eq!(ids, vec![made[1].id, made[0].id]);

    repo.delete(made[0].id, now_ms()).await.unwrap();
    let categories = repo.categories().await.unwrap();
    assert_eq!(
        categories.get(&category),
        Some(&3),
        "deleted ones are not counted"
    );
}

/// Enrolling counts a student once; unenrolling takes them away and keeps the progress; a
/// second enrolment resumes it; deleted playlists take no one.
pub async fn enrolments_enrol_and_resume(
    playlists: &dyn PlaylistRepository,
    repo: &dyn EnrolmentRepository,
) {
    let p = sample(MemberId::generate(now_ms()), &unique_category(), now_ms());
    playlists.insert(&p).await.unwrap();
    let learner = MemberId::generate(now_ms());
    let at = now_ms();
    let first = repo.enrol(p.id, learner, at).await.unwrap().unwrap();
    assert!(first.newly);
    assert_eq!(
        first.enrolment,
        Enrolment {
            playlist: p.id,
            learner,
            active: true,
            completed: Vec::new(),
            time_spent: 0,
            last_accessed_at: at,
            rating: None,
            enrolled_at: at,
            completed_at: None,
            certificate: None,
        }
    );
    assert!(!repo.enrol(p.id, learner, at).await.unwrap().unwrap().newly);
    let students = |n: u64| async move {
        assert_eq!(
            playlists.get(p.id).await.unwrap().unwrap().stats.students,
            n
        );
    };
    students(1).await;
    let lesson = p.lessons[0].id;
    repo.record(p.id, learner, lesson, true, 20, at)
        .await
        .unwrap();
    assert!(repo.unenrol(p.id, learner, at).await.unwrap());
    assert!(!repo.unenrol(p.id, learner, at).await.unwrap(), "once");
    students(0).await;
    let kept = repo.get(p.id, learner).await.unwrap().unwrap();
    assert!(!kept.active);
    assert_eq!(
        (kept.completed.clone(), kept.time_spent),
        (vec![lesson], 20)
    );
    assert_eq!(
        repo.record(p.id, learner, lesson, true, 5, at)
            .await
            .unwrap(),
        None,
        "no progress while unenrolled"
    );
    let again = repo.enrol(p.id, learner, now_ms()).await.unwrap().unwrap();
    assert!(again.newly);
    assert_eq!(again.enrolment.completed, vec![lesson], "resumed");
    assert_eq!(
        again.enrolment.enrolled_at, at,
        "enrolled since the first time"
    );
    students(1).await;

    playlists.delete(p.id, now_ms()).await.unwrap();
    let late = MemberId::generate(now_ms());
    assert_eq!(repo.enrol(p.id, late, now_ms()).await.unwrap(), None);
    assert_eq!(repo.get(p.id, late).await.unwrap(), None);
}

/// Recording adds a lesson once, takes it away, adds minutes and the last access.
pub async fn enrolments_record(playlists: &dyn PlaylistRepository, repo: &dyn EnrolmentRepository) {
    let p = sample(MemberId::generate(now_ms()), &unique_category(), now_ms());
    playlists.insert(&p).await.unwrap();
    let learner = MemberId::generate(now_ms());
    repo.enrol(p.id, learner, now_ms()).await.unwrap();
    let (a, b) = (p.lessons[0].id, p.lessons[2].id);
    repo.record(p.id, learner, b, true, 10, now_ms())
        .await
        .unwrap();
    repo.record(p.id, learner, a, true, 0, now_ms())
        .await
        .unwrap();
    let later = now_ms() + Duration::seconds(5);
    let e = repo
        .record(p.id, learner, b, true, 7, later)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(e.completed, vec![b, a], "once each, in the order completed");
    assert_eq!(e.time_spent, 17);
    assert_eq!(e.last_accessed_at, later);
    let e = repo
        .record(p.id, learner, b, false, 0, later)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(e.completed, vec![a]);
    assert_eq!(repo.get(p.id, learner).await.unwrap(), Some(e));
    let stranger = MemberId::generate(now_ms());
    assert_eq!(
        repo.record(p.id, stranger, a, true, 1, later)
            .await
            .unwrap(),
        None
    );
}

/// A certificate of `learner` completing `p` at `at` (whole seconds), as the service makes one.
pub fn certificate_of(p: &Playlist, learner: MemberId, at: DateTime<Utc>) -> Certificate {
    Certificate {
        id: CertificateId::generate(at),
        playlist: p.id,
        learner,
        learner_name: "Zoë \"Z\" O'Brien".to_owned(),
        playlist_title: p.title.clone(),
        author_name: "Ada $set".to_owned(),
        completed_at: DateTime::from_timestamp(at.timestamp(), 0).unwrap(),
        lessons: p.lessons.iter().map(|l| l.title.clone()).collect(),
        key_id: "0123456789abcdef".to_owned(),
        signature: format!("sig-{}", learner.to_hex()),
        revocation: None,
    }
}

/// Completion is counted once per learner, with one certificate, also when many calls race;
/// many learners completing at once leave the exact count.
pub async fn enrolments_complete_once(
    playlists: Arc<dyn PlaylistRepository>,
    repo: Arc<dyn EnrolmentRepository>,
    certificates: Arc<dyn CertificateRepository>,
) {
    let p = sample(MemberId::generate(now_ms()), &unique_category(), now_ms());
    playlists.insert(&p).await.unwrap();
    let learner = MemberId::generate(now_ms());
    let early = certificate_of(&p, learner, now_ms());
    assert!(!repo.complete(&early).await.unwrap(), "not enrolled");
    assert_eq!(certificates.get(early.id).await.unwrap(), None);
    repo.enrol(p.id, learner, now_ms()).await.unwrap();
    let racing: Vec<_> = (0..10)
        .map(|_| {
            let (repo, certificate) = (repo.clone(), certificate_of(&p, learner, now_ms()));
            tokio::spawn(async move {
                let won = repo.complete(&certificate).await.unwrap();
                (won, certificate)
            })
        })
        .collect();
    let mut winners = Vec::new();
    let mut losers = Vec::new();
    for task in racing {
        match task.await.unwrap() {
            (true, c) => winners.push(c),
            (false, c) => losers.push(c),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one call completes it");
    let winner = &winners[0];
    let e = repo.get(p.id, learner).await.unwrap().unwrap();
    assert_eq!(e.completed_at, Some(winner.completed_at));
    assert_eq!(e.certificate, Some(winner.id));
    assert_eq!(
        certificates.get(winner.id).await.unwrap().as_ref(),
        Some(winner),
        "the certificate round-trips as issued"
    );
    for loser in &losers {
        assert_eq!(certificates.get(loser.id).await.unwrap(), None);
    }

    let learners: Vec<MemberId> = (0..200).map(|_| MemberId::generate(now_ms())).collect();
    for l in &learners {
        repo.enrol(p.id, *l, now_ms()).await.unwrap();
    }
    let crowd: Vec<_> = learners
        .iter()
        .map(|l| {
            let (repo, certificate) = (repo.clone(), certificate_of(&p, *l, now_ms()));
            tokio::spawn(async move { repo.complete(&certificate).await })
        })
        .collect();
    for task in crowd {
        assert!(task.await.unwrap().unwrap());
    }
    let stats = playlists.get(p.id).await.unwrap().unwrap().stats;
    assert_eq!((stats.completions, stats.students), (201, 201));
}

/// A certificate is revoked once: the first revocation stays; unknown ones are not revoked.
pub async fn certificates_revoke_once(
    playlists: &dyn PlaylistRepository,
    repo: &dyn EnrolmentRepository,
    certificates: &dyn CertificateRepository,
) {
    let p = sample(MemberId::generate(now_ms()), &unique_category(), now_ms());
    playlists.insert(&p).await.unwrap();
    let learner = MemberId::generate(now_ms());
    repo.enrol(p.id, learner, now_ms()).await.unwrap();
    let c = certificate_of(&p, learner, now_ms());
    assert!(repo.complete(&c).await.unwrap());
    let admin = MemberId::generate(now_ms());
    let first = Revocation {
        at: now_ms(),
        reason: "Plagiarised solutions".to_owned(),
        by: admin,
    };
    assert!(certificates.revoke(c.id, &first).await.unwrap());
    let second = Revocation {
        reason: "again".to_owned(),
        ..first.clone()
    };
    assert!(!certificates.revoke(c.id, &second).await.unwrap());
    let stored = certificates.get(c.id).await.unwrap().unwrap();
    assert_eq!(stored.revocation, Some(first.clone()));
    assert_eq!(
        Certificate {
            revocation: None,
            ..stored
        },
        c,
        "revoking changes nothing else"
    );
    assert!(!certificates
        .revoke(CertificateId::generate(now_ms()), &first)
        .await
        .unwrap());
}

/// A rating is one per learner: rating again replaces it and moves the sum by the difference;
/// only the actively enrolled rate.
pub async fn enrolments_rate(playlists: &dyn PlaylistRepository, repo: &dyn EnrolmentRepository) {
    let p = sample(MemberId::generate(now_ms()), &unique_category(), now_ms());
    playlists.insert(&p).await.unwrap();
    let (ann, bob, eve) = (
        MemberId::generate(now_ms()),
        MemberId::generate(now_ms()),
        MemberId::generate(now_ms()),
    );
    for l in [ann, bob] {
        repo.enrol(p.id, l, now_ms()).await.unwrap();
    }
    let rating = |score: u8, review: &str| Rating {
        score,
        review: review.to_owned(),
        at: now_ms(),
    };
    assert!(repo.rate(p.id, ann, &rating(5, "great")).await.unwrap());
    assert!(repo.rate(p.id, bob, &rating(4, "")).await.unwrap());
    assert!(repo
        .rate(p.id, ann, &rating(2, "changed my mind"))
        .await
        .unwrap());
    assert!(
        !repo.rate(p.id, eve, &rating(1, "")).await.unwrap(),
        "not enrolled"
    );
    let stats = playlists.get(p.id).await.unwrap().unwrap().stats;
    assert_eq!((stats.rating_sum, stats.ratings), (6, 2));
    assert!((stats.rating() - 3.0).abs() < f64::EPSILON);
    let ann_rating = repo.get(p.id, ann).await.unwrap().unwrap().rating.unwrap();
    assert_eq!(
        (ann_rating.score, ann_rating.review.as_str()),
        (2, "changed my mind")
    );
}

/// A learner's active enrolments, most recently accessed first, paged.
pub async fn enrolments_of_a_learner(
    playlists: &dyn PlaylistRepository,
    repo: &dyn EnrolmentRepository,
) {
    let learner = MemberId::generate(now_ms());
    let t0 = now_ms();
    let mut ids = Vec::new();
    for i in 0..3 {
        let p = sample(MemberId::generate(t0), &unique_category(), t0);
        playlists.insert(&p).await.unwrap();
        repo.enrol(p.id, learner, t0 + Duration::seconds(i))
            .await
            .unwrap();
        ids.push(p.id);
    }
    repo.unenrol(ids[1], learner, t0 + Duration::seconds(9))
        .await
        .unwrap();
    let page = repo
        .active_of(learner, PageRequest::new(1, 1))
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(page.items[0].playlist, ids[2]);
    let second = repo
        .active_of(learner, PageRequest::new(2, 1))
        .await
        .unwrap();
    assert_eq!(second.items[0].playlist, ids[0]);
    let mut among = repo.enrolled_among(learner, &ids).await.unwrap();
    among.sort_unstable();
    let mut expected = vec![ids[0], ids[2]];
    expected.sort_unstable();
    assert_eq!(among, expected, "active ones only");
    assert!(repo.enrolled_among(learner, &[]).await.unwrap().is_empty());
}

/// Every check above, against one pair of adapters on one store.
pub async fn run_all(
    playlists: Arc<dyn PlaylistRepository>,
    enrolments: Arc<dyn EnrolmentRepository>,
    certificates: Arc<dyn CertificateRepository>,
) {
    playlists_round_trip(playlists.as_ref()).await;
    playlists_list(playlists.as_ref(), enrolments.as_ref()).await;
    enrolments_enrol_and_resume(playlists.as_ref(), enrolments.as_ref()).await;
    enrolments_record(playlists.as_ref(), enrolments.as_ref()).await;
    enrolments_complete_once(playlists.clone(), enrolments.clone(), certificates.clone()).await;
    certificates_revoke_once(
        playlists.as_ref(),
        enrolments.as_ref(),
        certificates.as_ref(),
    )
    .await;
    enrolments_rate(playlists.as_ref(), enrolments.as_ref()).await;
    enrolments_of_a_learner(playlists.as_ref(), enrolments.as_ref()).await;
}
