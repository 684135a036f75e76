//! The community service's rules, over the in-memory fake.

use std::sync::Mutex;

use chrono::Utc;
use stackrush_kernel::FixedClock;

use super::*;
use crate::fake::InMemoryCommunity;
use crate::ports::PostRepository;
use crate::ports::{Challenges, CommunityEvents, Members};

/// Members: `verified` may contribute; everyone has a face named after their first byte.
struct TestMembers {
    verified: Vec<MemberId>,
}

#[async_trait]
impl Members for TestMembers {
    async fn standing(&self, member: MemberId) -> anyhow::Result<Option<Standing>> {
        Ok(Some(Standing {
            may_contribute: self.verified.contains(&member),
        }))
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

    async fn count(&self) -> anyhow::Result<u64> {
        Ok(self.verified.len() as u64)
    }
}

struct OnlyChallenge(ChallengeRef);

#[async_trait]
impl Challenges for OnlyChallenge {
    async fn is_public(&self, challenge: ChallengeRef) -> anyhow::Result<bool> {
        Ok(challenge == self.0)
    }
}

#[derive(Default)]
struct Recorded(Mutex<Vec<CommunityEvent>>);

#[async_trait]
impl CommunityEvents for Recorded {
    async fn publish(&self, event: CommunityEvent) {
        self.0.lock().unwrap().push(event);
    }
}

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

fn moderator(n: u8) -> Caller {
    Caller {
        id: member(n),
        is_moderator: true,
        is_admin: false,
    }
}

struct World {
    service: CommunityService,
    /// The store behind the service, for writes another instance would make.
    store: Arc<InMemoryCommunity>,
    clock: Arc<FixedClock>,
    events: Arc<Recorded>,
    activity: Arc<stackrush_kernel::activity::RecordedActivity>,
    public: ChallengeRef,
}

fn world() -> World {
    let store = Arc::new(InMemoryCommunity::default());
    let events = Arc::new(Recorded::default());
    let activity = Arc::new(stackrush_kernel::activity::RecordedActivity::default());
    let public = ChallengeRef::from_bytes([7; 12]);
    let clock = Arc::new(FixedClock::new(Utc::now()));
    let service = CommunityService::new(Ports {
        posts: store.clone(),
        comments: store.clone(),
        reports: store.clone(),
        log: store.clone(),
        follows: store.clone(),
        collaborations: store.clone(),
        mentorships: store.clone(),
        members: Arc::new(TestMembers {
            verified: vec![member(1), member(2), member(3)],
        }),
        challenges: Arc::new(OnlyChallenge(public)),
        events: events.clone(),
        activity: activity.clone(),
        clock: clock.clone(),
    });
    World {
        service,
        store,
        clock,
        events,
        activity,
        public,
    }
}

fn draft(title: &str) -> PostDraft {
    PostDraft {
        title: title.into(),
        content: "Some *text*".into(),
        category: Category::Discussion,
        tags: vec![],
        code: None,
        project: None,
        collaboration: None,
        difficulty: None,
        challenge_type: None,
    }
}

fn fields(err: CommunityError) -> Vec<String> {
    match err {
        CommunityError::Invalid(problems) => problems.into_iter().map(|p| p.field).collect(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn posting_needs_a_verified_member_and_valid_content() {
    let w = world();
    let err = w
        .service
        .create_post(caller(9), draft("T"))
        .await
        .unwrap_err();
    assert!(matches!(err, CommunityError::NotVerified), "{err:?}");
    let mut bad = draft(" ");
    bad.content = "\u{202e}evil".into();
    bad.tags = vec!["ok".into(), "not ok".into()];
    bad.code = Some(CodeSubmission {
        github_url: Some("ftp://x".into()),
        live_demo: Some("https://fine.example".into()),
        challenge: Some(ChallengeRef::from_bytes([8; 12])),
        ..CodeSubmission::default()
    });
    let err = w.service.create_post(caller(1), bad).await.unwrap_err();
    assert_eq!(
        fields(err),
        vec!["title", "content", "tags[1]", "codeSubmission.githubUrl"]
    );
    // Only a public challenge may be linked.
    let mut linked = draft("Linked");
    linked.code = Some(CodeSubmission {
        challenge: Some(ChallengeRef::from_bytes([8; 12])),
        ..CodeSubmission::default()
    });
    let err = w
        .service
        .create_post(caller(1), linked.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, CommunityError::ChallengeNotFound), "{err:?}");
    linked.code = Some(CodeSubmission {
        challenge: Some(w.public),
        ..CodeSubmission::default()
    });
    let made = w.service.create_post(caller(1), linked).await.unwrap();
    assert_eq!(made.post.challenge(), Some(w.public));
    assert_eq!(made.post.content_html, "<p>Some <em>text</em></p>\n");
    assert_eq!(made.author.unwrap().username, "u1");
}

#[tokio::test]
async fn only_authors_edit_and_moderators_may_also_delete() {
    let w = world();
    let post = w
        .service
        .create_post(caller(1), draft("Mine"))
        .await
        .unwrap();
    let id = post.post.id;
    let patch = PostPatch {
        title: Some("Changed".into()),
        ..PostPatch::default()
    };
    let err = w
        .service
        .update_post(caller(2), id, patch.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, CommunityError::Forbidden));
    let changed = w.service.update_post(caller(1), id, patch).await.unwrap();
    assert_eq!(changed.post.title, "Changed");
    assert_eq!(changed.post.content, "Some *text*");
    let err = w.service.delete_post(caller(2), id).await.unwrap_err();
    assert!(matches!(err, CommunityError::Forbidden));
    w.service.delete_post(moderator(3), id).await.unwrap();
    let err = w
        .service
        .post(Reader::Member(caller(1)), id)
        .await
        .unwrap_err();
    assert!(matches!(err, CommunityError::PostNotFound));
}

#[tokio::test]
async fn views_count_once_per_reader_and_anonymous_readers_by_address() {
    let w = world();
    let id = w
        .service
        .create_post(caller(1), draft("Seen"))
        .await
        .unwrap()
        .post
        .id;
    let anon = |a: &str| Reader::Anonymous { address: a.into() };
    for reader in [
        Reader::Member(caller(2)),
        Reader::Member(caller(2)),
        anon("10.0.0.1"),
        anon("10.0.0.1"),
        anon("10.0.0.2"),
    ] {
        w.service.post(reader, id).await.unwrap();
    }
    let seen = w.service.post(anon("10.0.0.2"), id).await.unwrap();
    assert_eq!(seen.post.interactions.views, 3);
    assert_ne!(viewer_key(&anon("10.0.0.1")), viewer_key(&anon("10.0.0.2")));
    assert!(
        !viewer_key(&anon("10.0.0.1")).contains("10.0.0.1"),
        "no address is stored"
    );
}

#[tokio::test]
async fn replies_nest_to_the_depth_limit_stay_on_their_post_and_notify_others() {
    let w = world();
    let post = w
        .service
        .create_post(caller(1), draft("Thread"))
        .await
        .unwrap()
        .post
        .id;
    let other = w
        .service
        .create_post(caller(1), draft("Other"))
        .await
        .unwrap()
        .post
        .id;
    // Commenting on your own post notifies nobody.
    let top = w
        .service
        .comment(caller(1), post, "mine".into(), None)
        .await
        .unwrap();
    assert!(w.events.0.lock().unwrap().is_empty());
    let mut parent = top.comment.id;
    for expected in [1, 2, 3, 4, 4, 4] {
        let reply = w
            .service
            .comment(caller(2), post, "deeper".into(), Some(parent))
            .await
            .unwrap();
        assert_eq!(reply.comment.depth, expected);
        assert_eq!(reply.comment.root, top.comment.id);
        parent = reply.comment.id;
    }
    // The first reply answered member 1's comment: they were told, once.
    let events = w.events.0.lock().unwrap().clone();
    assert!(matches!(
        events[0],
        CommunityEvent::Replied { to, on_comment: true, .. } if to == member(1)
    ));
    let err = w
        .service
        .comment(caller(2), other, "x".into(), Some(top.comment.id))
        .await
        .unwrap_err();
    assert_eq!(fields(err), vec!["parentId"]);
    let err = w
        .service
        .comment(caller(9), post, "x".into(), None)
        .await
        .unwrap_err();
    assert!(matches!(err, CommunityError::NotVerified));
    let err = w
        .service
        .comment(caller(2), post, " \n ".into(), None)
        .await
        .unwrap_err();
    assert_eq!(fields(err), vec!["content"]);

    // The tree: one thread, every reply under its parent.
    let page = w
        .service
        .comments(None, post, PageRequest::new(1, 10))
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    let mut depth = 0;
    let mut node = &page.items[0];
    while let Some(next) = node.replies.first() {
        depth += 1;
        node = next;
    }
    assert_eq!(depth, 4, "the deepest level holds the overflow replies");
}

#[tokio::test]
async fn a_deleted_comment_with_replies_keeps_its_place_without_its_text_or_author() {
    let w = world();
    let post = w
        .service
        .create_post(caller(1), draft("T"))
        .await
        .unwrap()
        .post
        .id;
    let top = w
        .service
        .comment(caller(2), post, "secret".into(), None)
        .await
        .unwrap();
    w.service
        .comment(caller(3), post, "reply".into(), Some(top.comment.id))
        .await
        .unwrap();
    let err = w
        .service
        .delete_comment(caller(3), top.comment.id)
        .await
        .unwrap_err();
    assert!(matches!(err, CommunityError::Forbidden));
    w.service
        .delete_comment(caller(2), top.comment.id)
        .await
        .unwrap();
    let page = w
        .service
        .comments(None, post, PageRequest::new(1, 10))
        .await
        .unwrap();
    let shown = &page.items[0].comment;
    assert_eq!(shown.comment.content, "[deleted]");
    assert!(!shown.comment.content_html.contains("secret"));
    assert_eq!(shown.author, None);
    assert_eq!(page.items[0].replies.len(), 1);
}

#[tokio::test]
async fn reports_queue_for_moderators_whose_actions_close_them_log_and_tell_the_author() {
    let w = world();
    let post = w
        .service
        .create_post(caller(1), draft("Spam"))
        .await
        .unwrap()
        .post
        .id;
    let target = Target::Post(post);
    let err = w
        .service
        .report(caller(1), target, ReportReason::Spam, String::new())
        .await
        .unwrap_err();
    assert_eq!(fields(err), vec!["target"], "not one's own");
    let report = w
        .service
        .report(caller(2), target, ReportReason::Spam, "ads".into())
        .await
        .unwrap();
    let err = w
        .service
        .report(caller(2), target, ReportReason::Other, String::new())
        .await
        .unwrap_err();
    assert!(matches!(err, CommunityError::AlreadyReported));
    let err = w
        .service
        .reports(caller(2), None, PageRequest::new(1, 10))
        .await
        .unwrap_err();
    assert!(matches!(err, CommunityError::Forbidden));
    let queue = w
        .service
        .reports(
            moderator(3),
            Some(ReportStatus::Open),
            PageRequest::new(1, 10),
        )
        .await
        .unwrap();
    assert_eq!(queue.items[0].report.id, report.id);
    assert_eq!(queue.items[0].excerpt.as_deref(), Some("Spam"));

    // A reason is required; hiding closes the report, logs and tells the author.
    let err = w
        .service
        .moderate(moderator(3), target, ModerationAction::Hide, " ".into())
        .await
        .unwrap_err();
    assert_eq!(fields(err), vec!["reason"]);
    w.service
        .moderate(moderator(3), target, ModerationAction::Hide, "spam".into())
        .await
        .unwrap();
    let open = w
        .service
        .reports(
            moderator(3),
            Some(ReportStatus::Open),
            PageRequest::new(1, 10),
        )
        .await
        .unwrap();
    assert_eq!(open.total, 0);
    assert!(w.events.0.lock().unwrap().iter().any(|e| matches!(
        e,
        CommunityEvent::Moderated { to, action: ModerationAction::Hide, .. } if *to == member(1)
    )));
    // Hidden: gone for others, still there for its author and moderators.
    let err = w
        .service
        .post(Reader::Member(caller(2)), post)
        .await
        .unwrap_err();
    assert!(matches!(err, CommunityError::PostNotFound));
    assert!(
        w.service
            .post(Reader::Member(caller(1)), post)
            .await
            .unwrap()
            .post
            .is_hidden
    );
    let err = w
        .service
        .toggle(caller(2), Reaction::Like, post)
        .await
        .unwrap_err();
    assert!(matches!(err, CommunityError::PostNotFound));

    // The log is for admins.
    let err = w
        .service
        .moderation_log(moderator(3), PageRequest::new(1, 10))
        .await
        .unwrap_err();
    assert!(matches!(err, CommunityError::Forbidden));
    let admin = Caller {
        is_admin: true,
        ..moderator(3)
    };
    let log = w
        .service
        .moderation_log(admin, PageRequest::new(1, 10))
        .await
        .unwrap();
    assert_eq!(log.items[0].record.action, ModerationAction::Hide);
    assert_eq!(log.items[0].record.reason, "spam");
}

#[tokio::test]
async fn locked_posts_take_no_comments_and_members_are_rate_limited() {
    let w = world();
    let post = w
        .service
        .create_post(caller(1), draft("Locked"))
        .await
        .unwrap()
        .post
        .id;
    w.service
        .moderate(
            moderator(3),
            Target::Post(post),
            ModerationAction::Lock,
            "heated".into(),
        )
        .await
        .unwrap();
    let err = w
        .service
        .comment(caller(2), post, "x".into(), None)
        .await
        .unwrap_err();
    assert!(matches!(err, CommunityError::CommentsLocked));
    for i in 1..POSTS_PER_HOUR {
        w.service
            .create_post(caller(2), draft(&format!("p{i}")))
            .await
            .unwrap();
    }
    w.service
        .create_post(caller(2), draft("last"))
        .await
        .unwrap();
    let err = w
        .service
        .create_post(caller(2), draft("one too many"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            CommunityError::RateLimited {
                retry_after_secs: 360
            }
        ),
        "{err:?}"
    );
    // Moderators are not limited.
    for i in 0..=POSTS_PER_HOUR {
        let mut m = moderator(3);
        m.id = member(3);
        w.service
            .create_post(m, draft(&format!("m{i}")))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn list_pages_and_totals_are_remembered_until_this_service_changes_a_list() {
    let w = world();
    let service = &w.service;
    let all = || {
        service.posts(
            None,
            PostFilter::default(),
            PostSort::Recent,
            PageRequest::new(1, 10),
        )
    };
    service.create_post(caller(1), draft("one")).await.unwrap();
    assert_eq!(all().await.unwrap().total, 1);
    // Written behind the service's back (another instance): the remembered total stands, as
    // the store's freshness allows (the clock here does not move).
    let mut other = crate::contract::plain(member(1), Utc::now(), "elsewhere");
    other.id = PostId::from_bytes([9; 12]);
    w.store.insert(&other).await.unwrap();
    let page = all().await.unwrap();
    assert_eq!(
        (page.total, page.items.len()),
        (1, 1),
        "the page is remembered too"
    );
    // A post written through the service: every total is counted again.
    service
        .create_post(caller(1), draft("three"))
        .await
        .unwrap();
    assert_eq!(all().await.unwrap().total, 3);
    // A category's total is its own.
    let tips = PostFilter {
        category: Some(Category::Tips),
        ..PostFilter::default()
    };
    let page = service
        .posts(None, tips, PostSort::Recent, PageRequest::new(1, 10))
        .await
        .unwrap();
    assert_eq!(page.total, 0);
}

#[tokio::test]
async fn a_remembered_page_s_counters_lag_at_most_its_lifetime_and_marks_are_the_reader_s() {
    let w = world();
    let service = &w.service;
    let post = service
        .create_post(caller(1), draft("liked"))
        .await
        .unwrap()
        .post
        .id;
    let list = |viewer| {
        service.posts(
            viewer,
            PostFilter::default(),
            PostSort::Recent,
            PageRequest::new(1, 10),
        )
    };
    assert_eq!(
        list(None).await.unwrap().items[0].post.interactions.likes,
        0
    );
    service
        .toggle(caller(2), Reaction::Like, post)
        .await
        .unwrap();
    // Within the page's lifetime the count lags; the reader's own mark never does.
    let seen = list(Some(caller(2))).await.unwrap();
    assert_eq!(seen.items[0].post.interactions.likes, 0);
    assert!(seen.items[0].liked);
    assert!(!list(Some(caller(1))).await.unwrap().items[0].liked);
    w.clock.advance(chrono::Duration::seconds(3));
    assert_eq!(
        list(None).await.unwrap().items[0].post.interactions.likes,
        1
    );
}

#[tokio::test]
async fn view_keys_older_than_yesterday_are_purged_and_views_stay_counted() {
    let w = world();
    let service = &w.service;
    let post = service
        .create_post(caller(1), draft("seen"))
        .await
        .unwrap()
        .post
        .id;
    service.post(Reader::Member(caller(2)), post).await.unwrap();
    w.clock.advance(chrono::Duration::days(1));
    service.post(Reader::Member(caller(2)), post).await.unwrap();
    // Today and yesterday are kept.
    assert_eq!(service.purge_views().await.unwrap(), 0);
    w.clock.advance(chrono::Duration::days(1));
    assert_eq!(service.purge_views().await.unwrap(), 1);
    let seen = service.post(Reader::Member(caller(2)), post).await.unwrap();
    assert_eq!(seen.post.interactions.views, 3);
}

#[tokio::test]
async fn mentorships_move_only_as_their_rules_allow() {
    let w = world();
    let (mentor, mentee, stranger) = (caller(1), caller(2), caller(3));
    let ask = |by: Caller, of: MemberId| {
        w.service.request_mentorship(
            by,
            of,
            "Teach me graphs".into(),
            vec![" Graphs ".into(), "graphs".into(), "DP".into()],
        )
    };
    assert!(matches!(
        ask(mentee, mentee.id).await,
        Err(CommunityError::Invalid(_))
    ));
    assert!(matches!(
        ask(caller(9), mentor.id).await,
        Err(CommunityError::NotVerified)
    ));
    let Err(CommunityError::Invalid(fields)) = w
        .service
        .request_mentorship(mentee, mentor.id, " ".into(), vec![String::new(); 11])
        .await
    else {
        panic!("blank message and too many topics are refused");
    };
    let named: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(named, vec!["message"]);

    let asked = ask(mentee, mentor.id).await.unwrap();
    let m = asked.mentorship.clone();
    assert_eq!(m.status, MentorshipStatus::Pending);
    assert_eq!(
        m.topics,
        vec!["graphs", "dp"],
        "trimmed, lower-cased, no repeats"
    );
    assert_eq!(asked.mentor.map(|f| f.username), Some("u1".to_owned()));
    assert!(matches!(
        ask(mentee, mentor.id).await,
        Err(CommunityError::MentorshipExists)
    ));
    assert!(w
        .events
        .0
        .lock()
        .unwrap()
        .contains(&CommunityEvent::MentorshipRequested {
            to: mentor.id,
            by: mentee.id,
            mentorship: m.id,
        }));

    // Only the two sides see it; only the mentor answers; the mentee withdraws instead.
    assert!(matches!(
        w.service.answer_mentorship(stranger, m.id, true).await,
        Err(CommunityError::MentorshipNotFound)
    ));
    assert!(matches!(
        w.service.answer_mentorship(mentee, m.id, true).await,
        Err(CommunityError::Forbidden)
    ));
    assert!(matches!(
        w.service.end_mentorship(mentor, m.id).await,
        Err(CommunityError::Forbidden)
    ));
    let active = w
        .service
        .answer_mentorship(mentor, m.id, true)
        .await
        .unwrap();
    assert_eq!(active.mentorship.status, MentorshipStatus::Active);
    assert!(active.mentorship.responded_at.is_some());
    assert!(matches!(
        w.service.answer_mentorship(mentor, m.id, false).await,
        Err(CommunityError::MentorshipIs(MentorshipStatus::Active))
    ));
    let profile = w.service.member(None, mentor.id).await.unwrap();
    assert_eq!(
        profile.mentorships,
        MentorshipCounts {
            mentors: 0,
            mentees: 1
        }
    );
    let mine = w
        .service
        .mentorships(
            mentor,
            MentorshipSide::Mentor,
            Some(MentorshipStatus::Active),
            PageRequest::new(1, 10),
        )
        .await
        .unwrap();
    assert_eq!(mine.total, 1);
    assert!(w
        .service
        .mentorships(
            mentor,
            MentorshipSide::Mentee,
            None,
            PageRequest::new(1, 10)
        )
        .await
        .unwrap()
        .items
        .is_empty());

    let ended = w.service.end_mentorship(mentee, m.id).await.unwrap();
    assert_eq!(ended.mentorship.status, MentorshipStatus::Ended);
    assert!(matches!(
        w.service.end_mentorship(mentor, m.id).await,
        Err(CommunityError::MentorshipIs(MentorshipStatus::Ended))
    ));

    // Asking again is allowed once it ended; a gone member's open ones end.
    let again = ask(mentee, mentor.id).await.unwrap().mentorship;
    w.service.withdraw(mentor.id).await.unwrap();
    let after = w
        .service
        .mentorships(
            mentee,
            MentorshipSide::Mentee,
            None,
            PageRequest::new(1, 10),
        )
        .await
        .unwrap();
    assert!(after
        .items
        .iter()
        .any(|v| v.mentorship.id == again.id && v.mentorship.status == MentorshipStatus::Ended));
}

#[tokio::test]
async fn posts_comments_likes_and_counted_views_are_told_to_analytics() {
    use stackrush_kernel::activity::Happened;
    let w = world();
    let id = w
        .service
        .create_post(caller(1), draft("Told"))
        .await
        .unwrap()
        .post
        .id;
    let p = id.bytes();
    w.service
        .comment(caller(2), id, "Nice one".into(), None)
        .await
        .unwrap();
    w.service
        .toggle(caller(2), Reaction::Like, id)
        .await
        .unwrap();
    // Unliking is not an event; a second view the same day does not count.
    w.service
        .toggle(caller(2), Reaction::Like, id)
        .await
        .unwrap();
    w.service.post(Reader::Member(caller(3)), id).await.unwrap();
    w.service.post(Reader::Member(caller(3)), id).await.unwrap();
    let told: Vec<([u8; 12], Happened)> = w
        .activity
        .taken()
        .into_iter()
        .map(|a| (a.actor, a.what))
        .collect();
    assert_eq!(
        told,
        vec![
            (
                caller(1).id.bytes(),
                Happened::Posted {
                    post: p,
                    code: false
                }
            ),
            (caller(2).id.bytes(), Happened::Commented { post: p }),
            (caller(2).id.bytes(), Happened::Liked { post: p }),
            (caller(3).id.bytes(), Happened::Viewed { post: p }),
        ]
    );
}
