//! The code review rules, over the in-memory fake.

use std::sync::Mutex;

use chrono::Utc;
use stackrush_kernel::FixedClock;

use super::*;
use crate::fake::InMemoryReviews;
use crate::model::ChallengeRef;
use crate::ports::{Members, ReviewEvents, ReviewerRewards, Submissions, SubmittedCode};

fn member(n: u8) -> MemberId {
    MemberId::from_bytes([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, n])
}

fn caller(n: u8) -> Caller {
    Caller {
        id: member(n),
        is_moderator: false,
        is_admin: n == 7,
    }
}

/// Members 1–8 are verified (7 is an admin); 9 is not.
struct TestMembers;

#[async_trait]
impl Members for TestMembers {
    async fn may_write(&self, m: MemberId) -> anyhow::Result<Option<bool>> {
        Ok(Some((1..=8).contains(&m.bytes()[11])))
    }

    async fn faces(&self, members: &[MemberId]) -> anyhow::Result<HashMap<MemberId, Face>> {
        Ok(members
            .iter()
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

/// Submissions: (owner, id) → code, all of one challenge.
#[derive(Default)]
struct Kept(Mutex<HashMap<(MemberId, SubmissionRef), SubmittedCode>>);

#[async_trait]
impl Submissions for Kept {
    async fn of_owner(
        &self,
        owner: MemberId,
        id: SubmissionRef,
    ) -> anyhow::Result<Option<SubmittedCode>> {
        Ok(self.0.lock().unwrap().get(&(owner, id)).cloned())
    }
}

/// Pays 25 XP once per review, like scoring does.
#[derive(Default)]
struct Paid(Mutex<Vec<(MemberId, CodeReviewId)>>);

#[async_trait]
impl ReviewerRewards for Paid {
    async fn reward(&self, reviewer: MemberId, review: CodeReviewId) -> anyhow::Result<u64> {
        let mut paid = self.0.lock().unwrap();
        if paid.contains(&(reviewer, review)) {
            return Ok(0);
        }
        paid.push((reviewer, review));
        Ok(25)
    }
}

#[derive(Default)]
struct Recorded(Mutex<Vec<ReviewEvent>>);

#[async_trait]
impl ReviewEvents for Recorded {
    async fn publish(&self, event: ReviewEvent) {
        self.0.lock().unwrap().push(event);
    }
}

struct World {
    service: CodeReviewService,
    kept: Arc<Kept>,
    events: Arc<Recorded>,
    paid: Arc<Paid>,
    clock: Arc<FixedClock>,
}

fn world() -> World {
    let store = Arc::new(InMemoryReviews::default());
    let kept = Arc::new(Kept::default());
    let events = Arc::new(Recorded::default());
    let clock = Arc::new(FixedClock::new(Utc::now()));
    let paid = Arc::new(Paid::default());
    let service = CodeReviewService::new(CodePorts {
        code_reviews: store,
        submissions: kept.clone(),
        members: Arc::new(TestMembers),
        events: events.clone(),
        rewards: paid.clone(),
        clock: clock.clone(),
    });
    World {
        service,
        kept,
        events,
        paid,
        clock,
    }
}

impl World {
    /// A submission of `owner`'s with `code`, of challenge 1 (or `other`).
    fn submission(&self, owner: u8, code: &str, other: bool) -> SubmissionRef {
        let id = SubmissionRef::generate(Utc::now());
        let submission = ReviewedSubmission {
            id,
            challenge: ChallengeRef::from_bytes([if other { 2 } else { 1 }; 12]),
            language: "javascript".into(),
            challenge_type: "dsa".into(),
            difficulty: "Easy".into(),
            lines: u32::try_from(code.lines().count()).unwrap(),
        };
        self.kept.0.lock().unwrap().insert(
            (member(owner), id),
            SubmittedCode {
                submission,
                code: code.into(),
            },
        );
        id
    }
}

fn note(content: &str, line: Option<u32>) -> NewComment {
    NewComment {
        content: content.into(),
        line,
        kind: CommentKind::Suggestion,
        parent: None,
    }
}

fn decision(status: CodeReviewStatus) -> Decision {
    Decision {
        status,
        summary: "Looks fine.".into(),
        metrics: Some(Metrics {
            code_quality: 8,
            performance: 7,
            readability: 9,
            test_coverage: 6,
        }),
    }
}

#[tokio::test]
async fn only_owners_request_and_only_insiders_read_the_code() {
    let w = world();
    let mine = w.submission(1, "a\nb\nc", false);
    assert!(matches!(
        w.service.request(caller(2), mine, String::new()).await,
        Err(ReviewError::SubmissionNotFound)
    ));
    assert!(matches!(
        w.service.request(caller(9), mine, String::new()).await,
        Err(ReviewError::NotVerified)
    ));
    let asked = w
        .service
        .request(caller(1), mine, "Please look".into())
        .await
        .unwrap();
    assert_eq!(asked.code.as_deref(), Some("a\nb\nc"));
    let id = asked.review.id;
    assert!(matches!(
        w.service.request(caller(1), mine, String::new()).await,
        Err(ReviewError::AlreadyRequested)
    ));
    // In the queue: others see it without the code; the admin sees the code.
    let seen = w.service.get(caller(2), id).await.unwrap();
    assert_eq!(seen.code, None);
    assert_eq!(seen.author.map(|f| f.username), Some("u1".into()));
    assert!(w.service.get(caller(7), id).await.unwrap().code.is_some());
    let queue = w
        .service
        .list(
            caller(3),
            Scope::Queue,
            CodeReviewFilter::default(),
            PageRequest::new(1, 10),
        )
        .await
        .unwrap();
    assert_eq!(queue.total, 1);
    assert!(matches!(
        w.service
            .list(
                caller(3),
                Scope::All,
                CodeReviewFilter::default(),
                PageRequest::new(1, 10)
            )
            .await,
        Err(ReviewError::Forbidden)
    ));

    // Claimed, it leaves the queue and strangers lose sight of it; the reviewer reads the code.
    assert!(matches!(
        w.service.claim(caller(1), id).await,
        Err(ReviewError::OwnSubmission)
    ));
    let claimed = w.service.claim(caller(2), id).await.unwrap();
    assert_eq!(claimed.review.status, CodeReviewStatus::InReview);
    assert_eq!(claimed.code.as_deref(), Some("a\nb\nc"));
    assert!(matches!(
        w.service.claim(caller(3), id).await,
        Err(ReviewError::CodeReviewIs(CodeReviewStatus::InReview))
    ));
    assert!(matches!(
        w.service.get(caller(3), id).await,
        Err(ReviewError::CodeReviewNotFound)
    ));
    assert!(w.events.0.lock().unwrap().contains(&ReviewEvent::Claimed {
        to: member(1),
        by: member(2),
        review: id,
    }));
}

#[tokio::test]
async fn comments_anchor_to_real_lines_and_decisions_follow_the_status_machine() {
    let w = world();
    let first = w.submission(1, "a\nb\nc", false);
    let id = w
        .service
        .request(caller(1), first, String::new())
        .await
        .unwrap()
        .review
        .id;
    assert!(matches!(
        w.service
            .decide(caller(2), id, decision(CodeReviewStatus::Approved))
            .await,
        Err(ReviewError::CodeReviewIs(CodeReviewStatus::Pending))
    ));
    w.service.claim(caller(2), id).await.unwrap();

    // Lines 1–3 exist; 0 and 4 do not. Only the author and the reviewer comment.
    for bad in [0, 4] {
        let Err(ReviewError::Invalid(fields)) =
            w.service.comment(caller(2), id, note("x", Some(bad))).await
        else {
            panic!("line {bad} must be refused");
        };
        assert_eq!(fields[0].field, "lineNumber");
    }
    let on_line = w
        .service
        .comment(caller(2), id, note("Use a map", Some(3)))
        .await
        .unwrap();
    assert_eq!(
        (on_line.comment.line, on_line.comment.version),
        (Some(3), 1)
    );
    assert!(matches!(
        w.service
            .comment(caller(3), id, note("drive-by", None))
            .await,
        Err(ReviewError::CodeReviewNotFound)
    ));
    let answer = w
        .service
        .comment(
            caller(1),
            id,
            NewComment {
                parent: Some(on_line.comment.id),
                ..note("Done", None)
            },
        )
        .await
        .unwrap();
    assert_eq!(answer.comment.parent, Some(on_line.comment.id));
    assert!(matches!(
        w.service
            .comment(
                caller(1),
                id,
                NewComment {
                    parent: Some(CodeCommentId::generate(Utc::now())),
                    ..note("?", None)
                },
            )
            .await,
        Err(ReviewError::CommentNotFound)
    ));

    // Decisions: a summary and marks 1–10, by the reviewer only.
    let mut bad = decision(CodeReviewStatus::ChangesRequested);
    bad.summary = " ".into();
    bad.metrics = bad.metrics.map(|m| Metrics {
        performance: 11,
        ..m
    });
    let Err(ReviewError::Invalid(fields)) = w.service.decide(caller(2), id, bad).await else {
        panic!("a blank summary and a mark of 11 are refused");
    };
    let named: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(named, vec!["summary", "metrics.performance"]);
    assert!(matches!(
        w.service
            .decide(caller(1), id, decision(CodeReviewStatus::Approved))
            .await,
        Err(ReviewError::Forbidden)
    ));
    let changes = w
        .service
        .decide(caller(2), id, decision(CodeReviewStatus::ChangesRequested))
        .await
        .unwrap();
    assert_eq!(changes.review.status, CodeReviewStatus::ChangesRequested);
    assert_eq!(
        changes.xp_awarded, 25,
        "a completed review pays the reviewer"
    );

    // Re-request on a newer submission of the same challenge: version 2, back in the queue;
    // the old comments stay on version 1.
    let elsewhere = w.submission(1, "x", true);
    assert!(matches!(
        w.service.re_request(caller(1), id, Some(elsewhere)).await,
        Err(ReviewError::Invalid(_))
    ));
    let newer = w.submission(1, "a\nb\nc\nd\ne", false);
    let back = w
        .service
        .re_request(caller(1), id, Some(newer))
        .await
        .unwrap();
    assert_eq!(
        (
            back.review.status,
            back.review.version,
            back.review.submission.lines
        ),
        (CodeReviewStatus::Pending, 2, 5)
    );
    assert!(matches!(
        w.service.re_request(caller(1), id, None).await,
        Err(ReviewError::CodeReviewIs(CodeReviewStatus::Pending))
    ));
    w.service.claim(caller(2), id).await.unwrap();
    w.service
        .comment(caller(2), id, note("Line 5 now exists", Some(5)))
        .await
        .unwrap();
    let all = w
        .service
        .comments(caller(1), id, PageRequest::new(1, 10))
        .await
        .unwrap();
    let versions: Vec<u32> = all.items.iter().map(|c| c.comment.version).collect();
    assert_eq!(versions, vec![1, 1, 2]);
    let approved = w
        .service
        .decide(caller(2), id, decision(CodeReviewStatus::Approved))
        .await
        .unwrap();
    assert_eq!(approved.review.status, CodeReviewStatus::Approved);
    assert_eq!(approved.xp_awarded, 0, "once per review");
    assert_eq!(w.paid.0.lock().unwrap().as_slice(), &[(member(2), id)]);
    assert!(matches!(
        w.service.comment(caller(1), id, note("late", None)).await,
        Err(ReviewError::CodeReviewIs(CodeReviewStatus::Approved))
    ));
    assert!(w.events.0.lock().unwrap().contains(&ReviewEvent::Decided {
        to: member(1),
        review: id,
        version: 2,
        status: CodeReviewStatus::Approved,
    }));
}

#[tokio::test]
async fn an_idle_claim_lapses_and_returns_to_the_queue() {
    let w = world();
    let s = w.submission(1, "a", false);
    let id = w
        .service
        .request(caller(1), s, String::new())
        .await
        .unwrap()
        .review
        .id;
    w.service.claim(caller(2), id).await.unwrap();
    w.clock.advance(CLAIM_TTL);
    let lapsed = w.service.get(caller(3), id).await.unwrap();
    assert_eq!(
        (lapsed.review.status, lapsed.review.reviewer),
        (CodeReviewStatus::Pending, None)
    );
    assert!(matches!(
        w.service
            .decide(caller(2), id, decision(CodeReviewStatus::Approved))
            .await,
        Err(ReviewError::CodeReviewIs(CodeReviewStatus::Pending))
    ));
    let taken = w.service.claim(caller(3), id).await.unwrap();
    assert_eq!(taken.review.reviewer, Some(member(3)));
    assert_eq!(taken.review.reviewers, vec![member(2), member(3)]);
    // The first reviewer still reads it (and its code): they took part.
    assert!(w.service.get(caller(2), id).await.unwrap().code.is_some());
}
