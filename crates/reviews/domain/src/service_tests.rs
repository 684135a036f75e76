//! The review rules, over the in-memory fake.

use std::sync::Mutex;

use chrono::Utc;
use stackrush_kernel::FixedClock;

use super::*;
use crate::fake::InMemoryReviews;
use crate::ports::{Attempts, Challenges, Members, ReviewRepository};

fn member(n: u8) -> MemberId {
    MemberId::from_bytes([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, n])
}

fn caller(n: u8) -> Caller {
    Caller {
        id: member(n),
        is_moderator: false,
        is_admin: false,
    }
}

/// Members 1–8 exist and are verified; 9 exists unverified; others do not exist.
struct TestMembers;

#[async_trait]
impl Members for TestMembers {
    async fn may_write(&self, m: MemberId) -> anyhow::Result<Option<bool>> {
        Ok(match m.bytes()[11] {
            1..=8 => Some(true),
            9 => Some(false),
            _ => None,
        })
    }

    async fn faces(&self, members: &[MemberId]) -> anyhow::Result<HashMap<MemberId, Face>> {
        Ok(members
            .iter()
            .filter(|m| (1..=9).contains(&m.bytes()[11]))
            .map(|m| {
                let face = Face {
                    username: format!("u{}", m.bytes()[11]),
                    first_name: None,
                    last_name: None,
                    avatar: None,
                };
                (*m, face)
            })
            .collect())
    }
}

/// One public challenge, written by member 8.
struct OneChallenge(ChallengeRef);

#[async_trait]
impl Challenges for OneChallenge {
    async fn public(&self, c: ChallengeRef) -> anyhow::Result<Option<ChallengeFacts>> {
        Ok((c == self.0).then(|| ChallengeFacts {
            title: "Two Sum".into(),
            author: member(8),
        }))
    }

    async fn titles(&self, cs: &[ChallengeRef]) -> anyhow::Result<HashMap<ChallengeRef, String>> {
        Ok(cs
            .iter()
            .filter(|c| **c == self.0)
            .map(|c| (*c, "Two Sum".to_owned()))
            .collect())
    }
}

/// Who has a scored submission of what.
#[derive(Default)]
struct Tried(Mutex<HashSet<(MemberId, ChallengeRef)>>);

#[async_trait]
impl Attempts for Tried {
    async fn has_scored(&self, m: MemberId, c: ChallengeRef) -> anyhow::Result<bool> {
        Ok(self.0.lock().unwrap().contains(&(m, c)))
    }
}

struct World {
    service: ReviewService,
    store: Arc<InMemoryReviews>,
    tried: Arc<Tried>,
    challenge: ChallengeRef,
}

fn world() -> World {
    let store = Arc::new(InMemoryReviews::default());
    let tried = Arc::new(Tried::default());
    let challenge = ChallengeRef::from_bytes([7; 12]);
    let service = ReviewService::new(Ports {
        reviews: store.clone(),
        members: Arc::new(TestMembers),
        challenges: Arc::new(OneChallenge(challenge)),
        attempts: tried.clone(),
        clock: Arc::new(FixedClock::new(Utc::now())),
    });
    World {
        service,
        store,
        tried,
        challenge,
    }
}

fn draft(rating: u8) -> ReviewDraft {
    ReviewDraft {
        rating,
        title: "  Fair and clear ".into(),
        content: "Good tests.".into(),
        tags: vec![" Clear ".into(), "clear".into(), "DP".into()],
    }
}

impl World {
    fn tried(&self, n: u8) {
        self.tried
            .0
            .lock()
            .unwrap()
            .insert((member(n), self.challenge));
    }
}

fn fields(err: ReviewError) -> Vec<String> {
    match err {
        ReviewError::Invalid(f) => f.into_iter().map(|f| f.field).collect(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn only_members_who_tried_a_public_challenge_review_it_once() {
    let w = world();
    let bad = ReviewDraft {
        rating: 6,
        title: " ".into(),
        content: "a\u{0}b".into(),
        tags: vec!["ok".into(); 1]
            .into_iter()
            .chain(["<b>".into()])
            .collect(),
    };
    assert_eq!(
        fields(
            w.service
                .create(caller(1), w.challenge, bad)
                .await
                .unwrap_err()
        ),
        vec!["rating", "title", "content", "tags[1]"]
    );
    assert!(matches!(
        w.service.create(caller(9), w.challenge, draft(4)).await,
        Err(ReviewError::NotVerified)
    ));
    assert!(matches!(
        w.service
            .create(caller(1), ChallengeRef::from_bytes([6; 12]), draft(4))
            .await,
        Err(ReviewError::ChallengeNotFound)
    ));
    assert!(matches!(
        w.service.create(caller(1), w.challenge, draft(4)).await,
        Err(ReviewError::NotAttempted)
    ));
    w.tried(1);
    let made = w
        .service
        .create(caller(1), w.challenge, draft(4))
        .await
        .unwrap();
    assert_eq!(made.review.title, "Fair and clear");
    assert_eq!(made.review.tags, vec!["clear", "dp"]);
    assert_eq!(made.author.map(|f| f.username), Some("u1".to_owned()));
    assert_eq!(made.challenge_title.as_deref(), Some("Two Sum"));
    assert!(matches!(
        w.service.create(caller(1), w.challenge, draft(2)).await,
        Err(ReviewError::AlreadyReviewed)
    ));
    let summary = w.service.summaries(&[w.challenge]).await.unwrap()[&w.challenge];
    assert_eq!((summary.count(), summary.average()), (1, 4.0));
}

#[tokio::test]
async fn authors_edit_moderators_delete_and_the_summary_follows() {
    let w = world();
    for n in [1, 2] {
        w.tried(n);
    }
    let id = w
        .service
        .create(caller(1), w.challenge, draft(5))
        .await
        .unwrap()
        .review
        .id;
    w.service
        .create(caller(2), w.challenge, draft(2))
        .await
        .unwrap();
    assert!(matches!(
        w.service.update(caller(2), id, draft(1)).await,
        Err(ReviewError::Forbidden)
    ));
    let edited = w.service.update(caller(1), id, draft(3)).await.unwrap();
    assert_eq!(edited.review.rating, 3);
    let summary = w.service.summaries(&[w.challenge]).await.unwrap()[&w.challenge];
    assert_eq!(summary.histogram, [0, 1, 1, 0, 0]);
    assert!((summary.average() - 2.5).abs() < 1e-9);

    assert!(matches!(
        w.service.delete(caller(2), id).await,
        Err(ReviewError::Forbidden)
    ));
    let moderator = Caller {
        id: member(3),
        is_moderator: true,
        is_admin: false,
    };
    w.service.delete(moderator, id).await.unwrap();
    assert!(matches!(
        w.service.review(None, id).await,
        Err(ReviewError::ReviewNotFound)
    ));
    assert!(matches!(
        w.service.update(caller(1), id, draft(3)).await,
        Err(ReviewError::ReviewNotFound)
    ));
    let summary = w.service.summaries(&[w.challenge]).await.unwrap()[&w.challenge];
    assert_eq!(summary.histogram, [0, 1, 0, 0, 0]);
}

#[tokio::test]
async fn helpful_marks_and_replies_follow_their_rules() {
    let w = world();
    w.tried(1);
    let review = w
        .service
        .create(caller(1), w.challenge, draft(4))
        .await
        .unwrap()
        .review;
    assert!(matches!(
        w.service
            .toggle_helpful(caller(1), Helpful::Review(review.id))
            .await,
        Err(ReviewError::OwnContent)
    ));
    assert!(matches!(
        w.service
            .toggle_helpful(caller(9), Helpful::Review(review.id))
            .await,
        Err(ReviewError::NotVerified)
    ));
    let on = w
        .service
        .toggle_helpful(caller(2), Helpful::Review(review.id))
        .await
        .unwrap();
    assert_eq!(
        on,
        Toggled {
            marked: true,
            count: 1
        }
    );
    let seen = w.service.review(Some(caller(2)), review.id).await.unwrap();
    assert!(seen.marked_helpful);
    assert!(
        !w.service
            .review(None, review.id)
            .await
            .unwrap()
            .marked_helpful
    );

    // The challenge's author (member 8) replies as such; others do not.
    assert_eq!(
        fields(
            w.service
                .reply(caller(8), review.id, "  ".into())
                .await
                .unwrap_err()
        ),
        vec!["content"]
    );
    let by_author = w
        .service
        .reply(caller(8), review.id, "Thanks, fixed the tests.".into())
        .await
        .unwrap();
    assert!(by_author.reply.by_challenge_author);
    let by_other = w
        .service
        .reply(caller(2), review.id, "Agreed.".into())
        .await
        .unwrap();
    assert!(!by_other.reply.by_challenge_author);
    assert!(matches!(
        w.service
            .toggle_helpful(caller(2), Helpful::Reply(by_other.reply.id))
            .await,
        Err(ReviewError::OwnContent)
    ));
    w.service
        .toggle_helpful(caller(1), Helpful::Reply(by_author.reply.id))
        .await
        .unwrap();
    let full = w.service.review(Some(caller(1)), review.id).await.unwrap();
    assert_eq!(full.review.replies, 2);
    assert_eq!(full.replies.len(), 2);
    assert!(full.replies[0].marked_helpful);
    assert_eq!(full.replies[0].reply.helpful, 1);

    w.service.delete(caller(1), review.id).await.unwrap();
    assert!(matches!(
        w.service
            .toggle_helpful(caller(3), Helpful::Reply(by_author.reply.id))
            .await,
        Err(ReviewError::ReplyNotFound)
    ));
    assert!(matches!(
        w.service.reply(caller(3), review.id, "late".into()).await,
        Err(ReviewError::ReviewNotFound)
    ));
    assert_eq!(
        w.store
            .reply(by_author.reply.id)
            .await
            .unwrap()
            .unwrap()
            .helpful,
        1
    );
}

#[tokio::test]
async fn lists_check_what_they_name() {
    let w = world();
    w.tried(1);
    w.service
        .create(caller(1), w.challenge, draft(4))
        .await
        .unwrap();
    let list = |filter: ReviewFilter| {
        w.service
            .list(None, filter, ReviewSort::Helpful, PageRequest::new(1, 10))
    };
    assert!(matches!(
        list(ReviewFilter {
            rating: Some(0),
            ..ReviewFilter::default()
        })
        .await,
        Err(ReviewError::Invalid(_))
    ));
    assert!(matches!(
        list(ReviewFilter {
            challenge: Some(ChallengeRef::from_bytes([6; 12])),
            ..ReviewFilter::default()
        })
        .await,
        Err(ReviewError::ChallengeNotFound)
    ));
    assert!(matches!(
        list(ReviewFilter {
            author: Some(member(42)),
            ..ReviewFilter::default()
        })
        .await,
        Err(ReviewError::MemberNotFound)
    ));
    let page = list(ReviewFilter {
        challenge: Some(w.challenge),
        tag: Some(" DP ".into()),
        ..ReviewFilter::default()
    })
    .await
    .unwrap();
    assert_eq!(page.total, 1);
    assert!(page.items[0].replies.is_empty());
}
