//! The contract suite every adapter of the reviews store port must pass.
#![expect(
    clippy::unwrap_used,
    reason = "a test suite reports failures by panicking"
)]

use std::sync::Arc;

use chrono::{DateTime, Duration, DurationRound, Utc};
use stackrush_kernel::PageRequest;

use crate::code::*;
use crate::model::*;
use crate::ports::{CodeReviewRepository, ReviewRepository, Stores};

fn now() -> DateTime<Utc> {
    Utc::now()
        .duration_trunc(Duration::milliseconds(1))
        .unwrap()
}

/// A live review with every field set.
pub fn sample(challenge: ChallengeRef, author: MemberId, rating: u8, at: DateTime<Utc>) -> Review {
    Review {
        id: ReviewId::generate(at),
        challenge,
        author,
        rating,
        title: format!("Rated {rating} — ü"),
        content: "Clear statement,\n\tfair tests.".into(),
        tags: vec!["clear".into(), "fair tests".into()],
        helpful: 0,
        replies: 0,
        is_active: true,
        created_at: at,
        updated_at: at,
    }
}

fn reply(review: ReviewId, author: MemberId, at: DateTime<Utc>) -> Reply {
    Reply {
        id: ReplyId::generate(at),
        review,
        author,
        content: "Thanks!".into(),
        by_challenge_author: true,
        helpful: 0,
        created_at: at,
    }
}

async fn summary(store: &dyn ReviewRepository, challenge: ChallengeRef) -> RatingSummary {
    store
        .summaries(&[challenge])
        .await
        .unwrap()
        .remove(&challenge)
        .unwrap_or_default()
}

/// Reviews: round trip, one live review per member and challenge, the summary moving with
/// every insert, update and delete.
pub async fn reviews_and_summaries(store: &dyn ReviewRepository) {
    let t0 = now();
    let (challenge, other) = (ChallengeRef::generate(t0), ChallengeRef::generate(t0));
    let (ada, bob) = (MemberId::generate(t0), MemberId::generate(t0));
    let first = sample(challenge, ada, 4, t0);
    assert!(store.insert(&first).await.unwrap());
    assert_eq!(store.get(first.id).await.unwrap(), Some(first.clone()));
    assert!(
        !store.insert(&sample(challenge, ada, 2, t0)).await.unwrap(),
        "one live review per member and challenge"
    );
    assert!(store.insert(&sample(other, ada, 1, t0)).await.unwrap());
    let second = sample(challenge, bob, 5, t0 + Duration::seconds(1));
    assert!(store.insert(&second).await.unwrap());
    assert_eq!(summary(store, challenge).await.histogram, [0, 0, 0, 1, 1]);
    assert_eq!(summary(store, other).await.histogram, [1, 0, 0, 0, 0]);
    assert!(store
        .summaries(&[ChallengeRef::generate(t0)])
        .await
        .unwrap()
        .is_empty());

    let t1 = t0 + Duration::seconds(5);
    let edited = Review {
        rating: 2,
        title: "Changed my mind".into(),
        content: "Second look.".into(),
        tags: vec![],
        updated_at: t1,
        ..first.clone()
    };
    assert!(store.update(&edited).await.unwrap());
    assert_eq!(store.get(first.id).await.unwrap(), Some(edited.clone()));
    assert_eq!(
        summary(store, challenge).await.histogram,
        [0, 1, 0, 0, 1],
        "moved from 4 to 2"
    );

    assert!(store.delete(first.id, t1).await.unwrap());
    assert!(!store.delete(first.id, t1).await.unwrap(), "once");
    assert!(
        !store.update(&edited).await.unwrap(),
        "a deleted review stays deleted"
    );
    let gone = store.get(first.id).await.unwrap().unwrap();
    assert!(!gone.is_active);
    assert_eq!(summary(store, challenge).await.histogram, [0, 0, 0, 0, 1]);
    let again = sample(challenge, ada, 3, t1);
    assert!(
        store.insert(&again).await.unwrap(),
        "deleted, the member may review again"
    );
    assert_eq!(summary(store, challenge).await.histogram, [0, 0, 1, 0, 1]);
}

/// Lists: filters and the four orders, deleted reviews never listed.
pub async fn lists(store: &dyn ReviewRepository) {
    let t0 = now();
    let challenge = ChallengeRef::generate(t0);
    let members: Vec<MemberId> = (0..4).map(|_| MemberId::generate(t0)).collect();
    let mut made = Vec::new();
    for (i, (rating, member)) in [3u8, 5, 1, 4].into_iter().zip(&members).enumerate() {
        let mut r = sample(challenge, *member, rating, t0 + Duration::seconds(i as i64));
        if i == 1 {
            r.tags = vec!["tricky".into()];
        }
        assert!(store.insert(&r).await.unwrap());
        made.push(r);
    }
    // The 1-star review is marked helpful twice, the 4-star once.
    for m in &members[..2] {
        store
            .toggle_helpful(Helpful::Review(made[2].id), *m, t0)
            .await
            .unwrap();
    }
    store
        .toggle_helpful(Helpful::Review(made[3].id), members[0], t0)
        .await
        .unwrap();
    let on = |sort| async move {
        store
            .list(
                &ReviewFilter {
                    challenge: Some(challenge),
                    ..ReviewFilter::default()
                },
                sort,
                PageRequest::new(1, 10),
            )
            .await
            .unwrap()
            .items
            .iter()
            .map(|r| r.rating)
            .collect::<Vec<_>>()
    };
    assert_eq!(on(ReviewSort::Helpful).await, vec![1, 4, 5, 3]);
    assert_eq!(on(ReviewSort::Newest).await, vec![4, 1, 5, 3]);
    assert_eq!(on(ReviewSort::Highest).await, vec![5, 4, 3, 1]);
    assert_eq!(on(ReviewSort::Lowest).await, vec![1, 3, 4, 5]);

    let page = store
        .list(
            &ReviewFilter {
                challenge: Some(challenge),
                ..ReviewFilter::default()
            },
            ReviewSort::Newest,
            PageRequest::new(2, 3),
        )
        .await
        .unwrap();
    assert_eq!((page.total, page.items.len()), (4, 1));
    let count = |filter: ReviewFilter| async move {
        store
            .list(&filter, ReviewSort::Newest, PageRequest::new(1, 10))
            .await
            .unwrap()
            .total
    };
    let mine = ReviewFilter {
        author: Some(members[1]),
        ..ReviewFilter::default()
    };
    assert_eq!(count(mine).await, 1);
    let tagged = ReviewFilter {
        challenge: Some(challenge),
        tag: Some("tricky".into()),
        ..ReviewFilter::default()
    };
    assert_eq!(count(tagged).await, 1);
    let fives = ReviewFilter {
        challenge: Some(challenge),
        rating: Some(5),
        ..ReviewFilter::default()
    };
    assert_eq!(count(fives.clone()).await, 1);
    store.delete(made[1].id, t0).await.unwrap();
    assert_eq!(count(fives).await, 0, "deleted reviews are not listed");
}

/// Replies and helpful marks: counts move with their rows; nothing on a deleted review.
pub async fn replies_and_marks(store: &dyn ReviewRepository) {
    let t0 = now();
    let challenge = ChallengeRef::generate(t0);
    let (ada, bob, cyd) = (
        MemberId::generate(t0),
        MemberId::generate(t0),
        MemberId::generate(t0),
    );
    let review = sample(challenge, ada, 5, t0);
    store.insert(&review).await.unwrap();
    let first = reply(review.id, bob, t0 + Duration::seconds(1));
    let second = reply(review.id, ada, t0 + Duration::seconds(2));
    assert!(store.add_reply(&second).await.unwrap());
    assert!(store.add_reply(&first).await.unwrap());
    assert_eq!(store.reply(first.id).await.unwrap(), Some(first.clone()));
    let page = store
        .replies(review.id, PageRequest::new(1, 10))
        .await
        .unwrap();
    assert_eq!(
        page.items,
        vec![first.clone(), second.clone()],
        "oldest first"
    );
    assert_eq!(store.get(review.id).await.unwrap().unwrap().replies, 2);

    let on = |target, member| store.toggle_helpful(target, member, t0);
    assert_eq!(
        on(Helpful::Review(review.id), bob).await.unwrap(),
        Some(Toggled {
            marked: true,
            count: 1
        })
    );
    assert_eq!(
        on(Helpful::Reply(first.id), cyd).await.unwrap(),
        Some(Toggled {
            marked: true,
            count: 1
        })
    );
    assert_eq!(
        on(Helpful::Reply(first.id), ada).await.unwrap(),
        Some(Toggled {
            marked: true,
            count: 2
        })
    );
    assert_eq!(
        on(Helpful::Reply(first.id), cyd).await.unwrap(),
        Some(Toggled {
            marked: false,
            count: 1
        })
    );
    assert_eq!(store.reply(first.id).await.unwrap().unwrap().helpful, 1);
    let marked = store
        .marked(
            ada,
            &[
                Helpful::Review(review.id),
                Helpful::Reply(first.id),
                Helpful::Reply(second.id),
            ],
        )
        .await
        .unwrap();
    assert_eq!(marked, [Helpful::Reply(first.id)].into_iter().collect());
    assert_eq!(
        on(Helpful::Reply(ReplyId::generate(t0)), ada)
            .await
            .unwrap(),
        None
    );

    store.delete(review.id, t0).await.unwrap();
    assert_eq!(on(Helpful::Review(review.id), cyd).await.unwrap(), None);
    assert_eq!(on(Helpful::Reply(first.id), cyd).await.unwrap(), None);
    assert!(!store.add_reply(&reply(review.id, cyd, t0)).await.unwrap());
    assert_eq!(store.reply(first.id).await.unwrap().unwrap().helpful, 1);
}

/// 100 members mark one review at once, then take it back at once: exact both ways.
pub async fn concurrent_marks(store: Arc<dyn ReviewRepository>) {
    let t0 = now();
    let review = sample(ChallengeRef::generate(t0), MemberId::generate(t0), 4, t0);
    store.insert(&review).await.unwrap();
    let members: Vec<MemberId> = (0..100).map(|_| MemberId::generate(t0)).collect();
    for expected in [true, false] {
        let runs = members.iter().map(|m| {
            let store = store.clone();
            let m = *m;
            async move {
                store
                    .toggle_helpful(Helpful::Review(review.id), m, t0)
                    .await
                    .unwrap()
                    .unwrap()
                    .marked
            }
        });
        let outcomes = futures::future::join_all(runs).await;
        assert!(outcomes.iter().all(|m| *m == expected));
        let count = store.get(review.id).await.unwrap().unwrap().helpful;
        assert_eq!(count, if expected { 100 } else { 0 });
    }
}

/// A submission under review, with every field set.
pub fn submitted(lines: u32, language: &str, at: DateTime<Utc>) -> ReviewedSubmission {
    ReviewedSubmission {
        id: SubmissionRef::generate(at),
        challenge: ChallengeRef::generate(at),
        language: language.into(),
        challenge_type: "dsa".into(),
        difficulty: "Easy".into(),
        lines,
    }
}

/// A pending request for review.
pub fn requested(
    author: MemberId,
    submission: ReviewedSubmission,
    at: DateTime<Utc>,
) -> CodeReview {
    CodeReview {
        id: CodeReviewId::generate(at),
        author,
        submission,
        version: 1,
        message: "Is my loop right? — ü".into(),
        status: CodeReviewStatus::Pending,
        reviewer: None,
        reviewers: Vec::new(),
        active_at: None,
        summary: None,
        metrics: None,
        comments: 0,
        created_at: at,
        updated_at: at,
    }
}

/// Code reviews: one per submission, the queue and its filters, claims (lapsing after the TTL),
/// decisions only by the active reviewer, re-requests, comments counted and refreshing a claim.
pub async fn code_reviews(store: &dyn CodeReviewRepository) {
    let t0 = now();
    let (ada, bob, cyd) = (
        MemberId::generate(t0),
        MemberId::generate(t0),
        MemberId::generate(t0),
    );
    let first = requested(ada, submitted(12, "javascript", t0), t0);
    assert!(store.insert(&first).await.unwrap());
    assert_eq!(store.get(first.id).await.unwrap(), Some(first.clone()));
    let again = requested(ada, first.submission.clone(), t0);
    assert!(!store.insert(&again).await.unwrap(), "one per submission");
    let second = requested(bob, submitted(3, "python", t0), t0 + Duration::seconds(1));
    assert!(store.insert(&second).await.unwrap());

    let queue = |filter: CodeReviewFilter, at| async move {
        store
            .list(&filter, at, PageRequest::new(1, 50))
            .await
            .unwrap()
            .items
            .iter()
            .map(|r| r.id)
            .filter(|id| *id == first.id || *id == second.id)
            .collect::<Vec<_>>()
    };
    let pending = CodeReviewFilter {
        status: Some(CodeReviewStatus::Pending),
        ..CodeReviewFilter::default()
    };
    assert_eq!(
        queue(pending.clone(), t0).await,
        vec![first.id, second.id],
        "oldest first"
    );
    let python = CodeReviewFilter {
        language: Some("python".into()),
        ..pending.clone()
    };
    assert_eq!(queue(python, t0).await, vec![second.id]);

    // Claims: one winner; decisions only by them.
    let t1 = t0 + Duration::seconds(10);
    assert!(store.claim(first.id, bob, t1).await.unwrap());
    assert!(!store.claim(first.id, cyd, t1).await.unwrap(), "taken");
    let claimed = store.get(first.id).await.unwrap().unwrap();
    assert_eq!(
        (
            claimed.status,
            claimed.reviewer,
            claimed.reviewers.clone(),
            claimed.active_at
        ),
        (CodeReviewStatus::InReview, Some(bob), vec![bob], Some(t1))
    );
    assert_eq!(queue(pending.clone(), t1).await, vec![second.id]);
    let mine = CodeReviewFilter {
        reviewer: Some(bob),
        ..CodeReviewFilter::default()
    };
    assert_eq!(queue(mine, t1).await, vec![first.id]);

    // A comment by the reviewer keeps the claim alive; the author's does not.
    let comment = |author, at, line| CodeComment {
        id: CodeCommentId::generate(at),
        review: first.id,
        author,
        submission: first.submission.id,
        version: 1,
        line,
        kind: CommentKind::Suggestion,
        content: "Use a map.".into(),
        parent: None,
        created_at: at,
    };
    let t2 = t1 + CLAIM_TTL - Duration::seconds(1);
    let by_reviewer = comment(bob, t2, Some(3));
    assert!(store.add_comment(&by_reviewer).await.unwrap());
    let by_author = CodeComment {
        parent: Some(by_reviewer.id),
        ..comment(ada, t2 + Duration::seconds(1), None)
    };
    assert!(store.add_comment(&by_author).await.unwrap());
    assert_eq!(
        store.comment(by_author.id).await.unwrap(),
        Some(by_author.clone())
    );
    let read = store.get(first.id).await.unwrap().unwrap();
    assert_eq!((read.comments, read.active_at), (2, Some(t2)));
    let page = store
        .comments(first.id, PageRequest::new(1, 10))
        .await
        .unwrap();
    assert_eq!(page.items, vec![by_reviewer.clone(), by_author]);

    // Past the TTL the claim lapses: back in the queue, another may claim it, and the first
    // reviewer can no longer decide.
    let lapsed = t2 + CLAIM_TTL;
    assert_eq!(
        queue(pending.clone(), lapsed).await,
        vec![first.id, second.id]
    );
    let decision = Decision {
        status: CodeReviewStatus::ChangesRequested,
        summary: "Tidy the loop.".into(),
        metrics: Some(Metrics {
            code_quality: 6,
            performance: 7,
            readability: 5,
            test_coverage: 4,
        }),
    };
    assert!(!store
        .decide(first.id, bob, &decision, lapsed)
        .await
        .unwrap());
    assert!(store.claim(first.id, cyd, lapsed).await.unwrap());
    assert!(
        !store
            .decide(first.id, bob, &decision, lapsed)
            .await
            .unwrap(),
        "not theirs"
    );
    assert!(store
        .decide(first.id, cyd, &decision, lapsed)
        .await
        .unwrap());
    let decided = store.get(first.id).await.unwrap().unwrap();
    assert_eq!(decided.status, CodeReviewStatus::ChangesRequested);
    assert_eq!(decided.reviewers, vec![bob, cyd]);
    assert_eq!(decided.metrics, decision.metrics);
    assert_eq!(decided.summary.as_deref(), Some("Tidy the loop."));
    assert!(
        !store.claim(first.id, bob, lapsed).await.unwrap(),
        "decided"
    );

    // Messages change while it waits; a re-request moves it back to pending on a new version.
    assert!(store
        .set_message(first.id, "Updated", lapsed)
        .await
        .unwrap());
    assert!(matches!(
        store.re_request(first.id, &second.submission, lapsed).await,
        Err(stackrush_kernel::StoreError::Conflict { .. })
    ));
    let newer = ReviewedSubmission {
        id: SubmissionRef::generate(lapsed),
        lines: 20,
        ..first.submission.clone()
    };
    assert!(store.re_request(first.id, &newer, lapsed).await.unwrap());
    assert!(
        !store.re_request(first.id, &newer, lapsed).await.unwrap(),
        "once"
    );
    let back = store.get(first.id).await.unwrap().unwrap();
    assert_eq!(
        (
            back.status,
            back.version,
            back.reviewer,
            back.summary,
            back.submission.clone(),
            back.message
        ),
        (
            CodeReviewStatus::Pending,
            2,
            None,
            None,
            newer.clone(),
            "Updated".to_owned()
        )
    );
    assert!(
        !store.insert(&requested(ada, newer, lapsed)).await.unwrap(),
        "the newer submission is under review now"
    );
    assert!(
        store
            .insert(&requested(ada, first.submission.clone(), lapsed))
            .await
            .unwrap(),
        "the older one is free again"
    );
    let authored = CodeReviewFilter {
        author: Some(ada),
        ..CodeReviewFilter::default()
    };
    assert_eq!(
        store
            .list(&authored, lapsed, PageRequest::new(1, 10))
            .await
            .unwrap()
            .total,
        2
    );
}

/// Ten reviewers claim one request at once: exactly one wins.
pub async fn concurrent_claims(store: Arc<dyn CodeReviewRepository>) {
    let t0 = now();
    let review = requested(MemberId::generate(t0), submitted(5, "rust", t0), t0);
    store.insert(&review).await.unwrap();
    let runs = (0..10).map(|_| {
        let store = store.clone();
        async move {
            store
                .claim(review.id, MemberId::generate(t0), t0)
                .await
                .unwrap()
        }
    });
    let won = futures::future::join_all(runs)
        .await
        .into_iter()
        .filter(|w| *w)
        .count();
    assert_eq!(won, 1);
    assert_eq!(
        store.get(review.id).await.unwrap().unwrap().reviewers.len(),
        1
    );
}

/// Every check above, on fresh ports.
pub async fn run_all(stores: Stores) {
    let Stores {
        reviews,
        code_reviews,
    } = stores;
    reviews_and_summaries(reviews.as_ref()).await;
    lists(reviews.as_ref()).await;
    replies_and_marks(reviews.as_ref()).await;
    concurrent_marks(reviews).await;
    self::code_reviews(code_reviews.as_ref()).await;
    concurrent_claims(code_reviews).await;
}
