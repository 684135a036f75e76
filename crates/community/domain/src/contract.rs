//! The contract suite every adapter of the community store ports must pass.
#![expect(
    clippy::unwrap_used,
    reason = "a test suite reports failures by panicking"
)]

use std::sync::Arc;

use chrono::{DateTime, Duration, DurationRound, Utc};
use stackrush_kernel::PageRequest;

use crate::model::*;
use crate::ports::{
    CollaborationRepository, CommentRepository, FollowRepository, MentorshipRepository,
    ModerationLog, PostRepository, ReportRepository, Stores,
};
use crate::trending;

fn now() -> DateTime<Utc> {
    Utc::now()
        .duration_trunc(Duration::milliseconds(1))
        .unwrap()
}

/// A live post with every field set.
pub fn sample(author: MemberId, at: DateTime<Utc>) -> Post {
    let interactions = Interactions::default();
    Post {
        id: PostId::generate(at),
        author,
        title: "Two pointers — ünïcode".into(),
        content: "Use **two** pointers".into(),
        content_html: "<p>Use <strong>two</strong> pointers</p>\n".into(),
        category: Category::CodeShare,
        tags: vec!["arrays".into(), "two-pointers".into()],
        code: Some(CodeSubmission {
            title: Some("Solution".into()),
            description: Some("O(n)".into()),
            code: Some("const f = (a) => a;".into()),
            html_code: None,
            css_code: None,
            js_code: Some("console.log(1)".into()),
            language: Some("javascript".into()),
            github_url: Some("https://github.com/x/y".into()),
            live_demo: None,
            challenge: Some(ChallengeRef::generate(at)),
        }),
        project: Some(ProjectDetails {
            github_url: Some("https://github.com/x/y".into()),
            live_demo: Some("https://x.example".into()),
            technologies: vec!["rust".into()],
            is_open_source: true,
        }),
        collaboration: Some(CollaborationDetails {
            is_looking_for_collaborators: true,
            skills_needed: vec!["css".into()],
            project_type: Some("game".into()),
            time_commitment: Some("weekends".into()),
            contact_method: None,
        }),
        difficulty: Some(Difficulty::Medium),
        challenge_type: Some(ChallengeType::Dsa),
        is_pinned: false,
        is_featured: true,
        is_hidden: false,
        comments_locked: false,
        hot: trending::hot(&interactions, at),
        interactions,
        is_active: true,
        created_at: at,
        updated_at: at,
    }
}

/// A plain discussion post without code.
pub fn plain(author: MemberId, at: DateTime<Utc>, title: &str) -> Post {
    Post {
        title: title.into(),
        content: format!("About {title}"),
        category: Category::Discussion,
        tags: vec![],
        code: None,
        project: None,
        collaboration: None,
        difficulty: None,
        challenge_type: None,
        is_featured: false,
        ..sample(author, at)
    }
}

fn comment(post: PostId, author: MemberId, at: DateTime<Utc>, parent: Option<&Comment>) -> Comment {
    let id = CommentId::generate(at);
    Comment {
        id,
        post,
        parent: parent.map(|p| p.id),
        root: parent.map_or(id, |p| p.root),
        depth: parent.map_or(0, |p| p.depth + 1),
        author,
        content: "Nice — ü".into(),
        content_html: "<p>Nice — ü</p>\n".into(),
        likes: 0,
        replies: 0,
        is_deleted: false,
        is_hidden: false,
        created_at: at,
        updated_at: at,
    }
}

async fn titles(posts: &dyn PostRepository, filter: PostFilter, sort: PostSort) -> Vec<String> {
    posts
        .list(&filter, sort, PageRequest::new(1, 100), None)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|p| p.title)
        .collect()
}

/// Round trip, update of the editable fields only, soft delete.
pub async fn posts_round_trip(posts: &dyn PostRepository) {
    let t0 = now();
    let me = MemberId::generate(t0);
    let post = sample(me, t0);
    posts.insert(&post).await.unwrap();
    assert_eq!(posts.get(post.id).await.unwrap(), Some(post.clone()));
    assert_eq!(posts.get(PostId::generate(t0)).await.unwrap(), None);

    // Editable fields change; counters, pins and score stay.
    let stored_hot = post.hot;
    let changed = Post {
        title: "Edited".into(),
        content: "New".into(),
        content_html: "<p>New</p>\n".into(),
        category: Category::Help,
        tags: vec!["help".into()],
        code: None,
        project: None,
        collaboration: None,
        difficulty: None,
        challenge_type: Some(ChallengeType::BugFix),
        is_pinned: true,
        is_hidden: true,
        comments_locked: true,
        hot: 1e9,
        interactions: Interactions {
            likes: 99,
            ..Interactions::default()
        },
        updated_at: t0 + Duration::seconds(5),
        ..post.clone()
    };
    assert!(posts.update(&changed).await.unwrap());
    let read = posts.get(post.id).await.unwrap().unwrap();
    assert_eq!(read.title, "Edited");
    assert_eq!(read.category, Category::Help);
    assert_eq!(read.tags, vec!["help".to_owned()]);
    assert_eq!(read.code, None);
    assert_eq!(read.challenge_type, Some(ChallengeType::BugFix));
    assert_eq!(read.updated_at, t0 + Duration::seconds(5));
    assert_eq!(read.interactions, Interactions::default());
    assert!(!read.is_pinned && !read.is_hidden && !read.comments_locked);
    assert!((read.hot - stored_hot).abs() < 1e-9);

    assert!(posts.remove(post.id, t0).await.unwrap());
    assert!(!posts.remove(post.id, t0).await.unwrap());
    assert!(!posts.get(post.id).await.unwrap().unwrap().is_active);
    assert!(!posts.update(&changed).await.unwrap());
}

/// Filters, sorts, pinned first, literal search, paging.
pub async fn lists(posts: &dyn PostRepository) {
    let t0 = now();
    let (me, you) = (MemberId::generate(t0), MemberId::generate(t0));
    // A unique word keeps this run's posts apart from other runs' in a shared store.
    let word = format!("w{}", PostId::generate(t0).to_hex());
    let mut a = plain(me, t0, &format!("{word} alpha 100%"));
    a.tags = vec!["rust".into(), format!("t{word}")];
    let mut b = sample(you, t0 + Duration::seconds(1));
    b.title = format!("{word} beta a_b");
    b.tags = vec![format!("t{word}"), "css".into()];
    let mut c = plain(me, t0 + Duration::seconds(2), &format!("{word} gamma"));
    c.is_pinned = true;
    c.tags = vec![format!("t{word}")];
    let mut gone = plain(me, t0 + Duration::seconds(3), &format!("{word} deleted"));
    gone.tags = vec![format!("t{word}")];
    for p in [&a, &b, &c, &gone] {
        posts.insert(p).await.unwrap();
    }
    posts.remove(gone.id, t0).await.unwrap();
    let mine = |f: PostFilter| PostFilter {
        tags: if f.tags.is_empty() {
            vec![format!("t{word}")]
        } else {
            f.tags
        },
        ..f
    };

    // Recent, pinned first; the deleted one never.
    assert_eq!(
        titles(posts, mine(PostFilter::default()), PostSort::Recent).await,
        vec![c.title.clone(), b.title.clone(), a.title.clone()]
    );
    // Any of several tags.
    let either = PostFilter {
        tags: vec!["css".into(), "rust".into()],
        search: Some(word.clone()),
        ..PostFilter::default()
    };
    assert_eq!(
        titles(posts, either, PostSort::Recent).await,
        vec![b.title.clone(), a.title.clone()]
    );
    for (filter, expected) in [
        (
            PostFilter {
                category: Some(Category::CodeShare),
                ..PostFilter::default()
            },
            vec![b.title.clone()],
        ),
        (
            PostFilter {
                author: Some(me),
                ..PostFilter::default()
            },
            vec![c.title.clone(), a.title.clone()],
        ),
        (
            PostFilter {
                has_code: Some(true),
                ..PostFilter::default()
            },
            vec![b.title.clone()],
        ),
        (
            PostFilter {
                has_code: Some(false),
                ..PostFilter::default()
            },
            vec![c.title.clone(), a.title.clone()],
        ),
        (
            PostFilter {
                challenge: b.challenge(),
                ..PostFilter::default()
            },
            vec![b.title.clone()],
        ),
    ] {
        assert_eq!(
            titles(posts, mine(filter.clone()), PostSort::Recent).await,
            expected,
            "{filter:?}"
        );
    }
    // Search is literal and case-insensitive, over title and content; no pinned-first.
    for (needle, expected) in [
        ("100%", vec![a.title.clone()]),
        ("A_B", vec![b.title.clone()]),
        ("%", vec![a.title.clone()]),
        ("_", vec![b.title.clone()]),
        ("about", vec![c.title.clone(), a.title.clone()]),
        (".*", vec![]),
    ] {
        let f = PostFilter {
            search: Some(needle.into()),
            ..PostFilter::default()
        };
        assert_eq!(
            titles(posts, mine(f), PostSort::Recent).await,
            expected,
            "{needle}"
        );
    }
    // Popular and most-commented: pinned first, then the counter, then newest.
    for _ in 0..2 {
        posts
            .toggle(Reaction::Like, a.id, MemberId::generate(t0), t0)
            .await
            .unwrap();
    }
    posts
        .toggle(Reaction::Like, b.id, MemberId::generate(t0), t0)
        .await
        .unwrap();
    assert_eq!(
        titles(posts, mine(PostFilter::default()), PostSort::Popular).await,
        vec![c.title.clone(), a.title.clone(), b.title.clone()]
    );
    assert_eq!(
        titles(posts, mine(PostFilter::default()), PostSort::Trending).await[0],
        c.title
    );
    // Paging: totals and no overlap.
    let page = posts
        .list(
            &mine(PostFilter::default()),
            PostSort::Recent,
            PageRequest::new(2, 2),
            None,
        )
        .await
        .unwrap();
    assert_eq!(page.total, 3);
    // A total the caller remembers is answered as given (the store does not count).
    let known = posts
        .list(
            &mine(PostFilter::default()),
            PostSort::Recent,
            PageRequest::new(2, 2),
            Some(42),
        )
        .await
        .unwrap();
    assert_eq!((known.total, known.items.len()), (42, 1));
    assert_eq!(
        page.items
            .iter()
            .map(|p| p.title.clone())
            .collect::<Vec<_>>(),
        vec![a.title.clone()]
    );
}

/// Likes and bookmarks toggle; counts equal distinct members, also under concurrency; views
/// once per viewer per day; the score follows the counters.
pub async fn reactions_and_views(posts: Arc<dyn PostRepository>) {
    let t0 = now();
    let post = plain(MemberId::generate(t0), t0, "reactions");
    posts.insert(&post).await.unwrap();
    let me = MemberId::generate(t0);

    let on = posts.toggle(Reaction::Like, post.id, me, t0).await.unwrap();
    assert_eq!(
        on,
        Some(Toggled {
            active: true,
            count: 1
        })
    );
    let liked = posts.get(post.id).await.unwrap().unwrap();
    assert_eq!(liked.interactions.likes, 1);
    assert!(
        (liked.hot - trending::hot(&liked.interactions, post.created_at)).abs() < 1e-9,
        "the score moves with the counter"
    );
    let bm = posts
        .toggle(Reaction::Bookmark, post.id, me, t0)
        .await
        .unwrap();
    assert_eq!(
        bm,
        Some(Toggled {
            active: true,
            count: 1
        })
    );
    let reacted = posts
        .reacted(me, &[post.id, PostId::generate(t0)])
        .await
        .unwrap();
    assert!(reacted.liked.contains(&post.id) && reacted.bookmarked.contains(&post.id));
    assert_eq!(reacted.liked.len(), 1);
    let off = posts.toggle(Reaction::Like, post.id, me, t0).await.unwrap();
    assert_eq!(
        off,
        Some(Toggled {
            active: false,
            count: 0
        })
    );
    let reacted = posts.reacted(me, &[post.id]).await.unwrap();
    assert!(!reacted.liked.contains(&post.id) && reacted.bookmarked.contains(&post.id));
    assert_eq!(
        posts
            .get(post.id)
            .await
            .unwrap()
            .unwrap()
            .interactions
            .bookmarks,
        1
    );

    // 1,000 members at once, then the same 1,000 again: exact both times.
    let members: Vec<MemberId> = (0..1000).map(|_| MemberId::generate(t0)).collect();
    for expected in [1000, 0] {
        let tasks = members.iter().map(|&m| {
            let posts = posts.clone();
            async move { posts.toggle(Reaction::Like, post.id, m, t0).await.unwrap() }
        });
        let results = futures::future::join_all(tasks).await;
        assert!(results.iter().all(|r| r.unwrap().active == (expected > 0)));
        let stored = posts.get(post.id).await.unwrap().unwrap();
        assert_eq!(stored.interactions.likes, expected);
    }

    // Views: once per viewer per day.
    let day = t0.date_naive();
    let view = |viewer: &str, day| ViewKey {
        post: post.id,
        viewer: viewer.into(),
        day,
    };
    assert_eq!(posts.record_view(&view("m:1", day)).await.unwrap(), Some(1));
    assert_eq!(posts.record_view(&view("m:1", day)).await.unwrap(), Some(1));
    assert_eq!(posts.record_view(&view("a:2", day)).await.unwrap(), Some(2));
    let tomorrow = day.succ_opt().unwrap();
    assert_eq!(
        posts.record_view(&view("m:1", tomorrow)).await.unwrap(),
        Some(3)
    );
    // Old days' keys can go (the counter stays); the day's own still keep a view from counting
    // twice.
    assert!(posts.purge_views(tomorrow).await.unwrap() >= 2);
    assert_eq!(
        posts.record_view(&view("m:1", tomorrow)).await.unwrap(),
        Some(3)
    );

    // Bookmarks list: latest bookmark first, deleted posts left out.
    let other = plain(MemberId::generate(t0), t0, "second");
    let third = plain(MemberId::generate(t0), t0, "third");
    posts.insert(&other).await.unwrap();
    posts.insert(&third).await.unwrap();
    posts
        .toggle(Reaction::Bookmark, other.id, me, t0 + Duration::seconds(1))
        .await
        .unwrap();
    posts
        .toggle(Reaction::Bookmark, third.id, me, t0 + Duration::seconds(2))
        .await
        .unwrap();
    posts.remove(third.id, t0).await.unwrap();
    let marked = posts.bookmarks(me, PageRequest::new(1, 10)).await.unwrap();
    assert_eq!(
        marked.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![other.id, post.id]
    );
    assert_eq!(marked.total, 2);

    // A deleted post takes no reaction or view.
    posts.remove(post.id, t0).await.unwrap();
    assert_eq!(
        posts.toggle(Reaction::Like, post.id, me, t0).await.unwrap(),
        None
    );
    assert_eq!(posts.record_view(&view("m:9", day)).await.unwrap(), None);
}

/// Comments: counts on the post and the parent, deletion keeps threads, likes.
pub async fn comments(posts: &dyn PostRepository, comments: Arc<dyn CommentRepository>) {
    let t0 = now();
    let author = MemberId::generate(t0);
    let post = plain(author, t0, "comments");
    posts.insert(&post).await.unwrap();
    let me = MemberId::generate(t0);
    let top = comment(post.id, me, t0, None);
    assert!(comments.insert(&top).await.unwrap());
    let reply = comment(post.id, author, t0 + Duration::seconds(1), Some(&top));
    assert!(comments.insert(&reply).await.unwrap());
    let deep = comment(post.id, me, t0 + Duration::seconds(2), Some(&reply));
    assert!(comments.insert(&deep).await.unwrap());
    let second = comment(post.id, me, t0 + Duration::seconds(3), None);
    assert!(comments.insert(&second).await.unwrap());
    assert_eq!(
        posts
            .get(post.id)
            .await
            .unwrap()
            .unwrap()
            .interactions
            .comments,
        4
    );
    let stored = comments.get(top.id).await.unwrap().unwrap();
    assert_eq!(stored.replies, 1);
    assert_eq!(stored.content, top.content);
    let stored_reply = comments.get(reply.id).await.unwrap().unwrap();
    assert_eq!((stored_reply.root, stored_reply.depth), (top.id, 1));

    // Update.
    assert!(comments
        .update(
            top.id,
            "Edited",
            "<p>Edited</p>\n",
            t0 + Duration::seconds(9)
        )
        .await
        .unwrap());
    let edited = comments.get(top.id).await.unwrap().unwrap();
    assert_eq!(
        (edited.content.as_str(), edited.updated_at),
        ("Edited", t0 + Duration::seconds(9))
    );

    // Listing: top level oldest first with paging, replies under the roots.
    let page = comments
        .top_level(post.id, PageRequest::new(1, 1))
        .await
        .unwrap();
    assert_eq!((page.total, page.items[0].id), (2, top.id));
    let replies = comments.replies(&[top.id]).await.unwrap();
    assert_eq!(
        replies.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![reply.id, deep.id]
    );

    // Deleting a comment with a live reply keeps it listed; a leaf disappears.
    assert!(comments.remove(top.id, t0).await.unwrap());
    assert!(!comments.remove(top.id, t0).await.unwrap());
    assert!(!comments.update(top.id, "x", "x", t0).await.unwrap());
    let page = comments
        .top_level(post.id, PageRequest::new(1, 10))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert!(page.items[0].is_deleted);
    assert!(comments.remove(deep.id, t0).await.unwrap());
    assert_eq!(comments.get(reply.id).await.unwrap().unwrap().replies, 0);
    assert_eq!(comments.replies(&[top.id]).await.unwrap().len(), 1);
    assert_eq!(
        posts
            .get(post.id)
            .await
            .unwrap()
            .unwrap()
            .interactions
            .comments,
        2
    );
    // A reply to a deleted comment is refused.
    let orphan = comment(post.id, me, t0, Some(&top));
    assert!(!comments.insert(&orphan).await.unwrap());
    assert_eq!(comments.get(orphan.id).await.unwrap(), None);

    // Likes on comments, exact under concurrency.
    let members: Vec<MemberId> = (0..50).map(|_| MemberId::generate(t0)).collect();
    let tasks = members.iter().map(|&m| {
        let comments = comments.clone();
        async move { comments.toggle_like(second.id, m, t0).await.unwrap() }
    });
    futures::future::join_all(tasks).await;
    assert_eq!(comments.get(second.id).await.unwrap().unwrap().likes, 50);
    let off = comments
        .toggle_like(second.id, members[0], t0)
        .await
        .unwrap();
    assert_eq!(
        off,
        Some(Toggled {
            active: false,
            count: 49
        })
    );
    assert_eq!(comments.toggle_like(top.id, me, t0).await.unwrap(), None);

    // A comment on a deleted post is refused.
    posts.remove(post.id, t0).await.unwrap();
    let late = comment(post.id, me, t0, None);
    assert!(!comments.insert(&late).await.unwrap());
}

/// Totals, today's figures and top contributors (in a fresh store).
pub async fn figures(posts: &dyn PostRepository, comments: &dyn CommentRepository) {
    let t0 = now();
    let yesterday = t0 - Duration::days(1);
    let (a, b) = (MemberId::generate(t0), MemberId::generate(t0));
    let old = plain(a, yesterday, "old");
    let new = sample(b, t0);
    let gone = plain(b, t0, "gone");
    for p in [&old, &new, &gone] {
        posts.insert(p).await.unwrap();
    }
    posts.remove(gone.id, t0).await.unwrap();
    let c1 = comment(old.id, b, t0, None);
    let c2 = comment(old.id, b, yesterday, None);
    comments.insert(&c1).await.unwrap();
    comments.insert(&c2).await.unwrap();
    posts.toggle(Reaction::Like, old.id, a, t0).await.unwrap();
    posts
        .record_view(&ViewKey {
            post: new.id,
            viewer: "m:x".into(),
            day: t0.date_naive(),
        })
        .await
        .unwrap();
    let since = t0 - Duration::hours(1);
    let f = posts
        .figures(since, t0 - Duration::days(30), 5)
        .await
        .unwrap();
    assert_eq!(
        f,
        Figures {
            posts: 2,
            posts_today: 1,
            code_shares: 1,
            code_shares_today: 1,
            comments: 2,
            comments_today: 1,
            likes: 1,
            views: 1,
            active_today: 1,
            top_contributors: vec![(b, 3), (a, 1)],
        }
    );
}

/// Moderators' flags: hidden posts leave lists and take no reactions, views or comments;
/// locked posts take no comments; pins and hidden comments; the per-member counts.
pub async fn moderation_flags(posts: &dyn PostRepository, comments: &dyn CommentRepository) {
    let t0 = now();
    let author = MemberId::generate(t0);
    let word = format!("m{}", PostId::generate(t0).to_hex());
    let mut a = plain(author, t0, &format!("{word} a"));
    a.tags = vec![word.clone()];
    let mut b = plain(author, t0 + Duration::seconds(1), &format!("{word} b"));
    b.tags = vec![word.clone()];
    posts.insert(&a).await.unwrap();
    posts.insert(&b).await.unwrap();
    let mine = PostFilter {
        tags: vec![word.clone()],
        ..PostFilter::default()
    };
    let top = comment(a.id, author, t0, None);
    assert!(comments.insert(&top).await.unwrap());

    // Hidden: out of lists, no reactions, views or comments; still readable by id.
    assert!(posts
        .set_flag(a.id, PostFlag::Hidden, true, t0)
        .await
        .unwrap());
    assert_eq!(
        titles(posts, mine.clone(), PostSort::Recent).await,
        vec![b.title.clone()]
    );
    let someone = MemberId::generate(t0);
    assert_eq!(
        posts
            .toggle(Reaction::Like, a.id, someone, t0)
            .await
            .unwrap(),
        None
    );
    let view = ViewKey {
        post: a.id,
        viewer: "m:x".into(),
        day: t0.date_naive(),
    };
    assert_eq!(posts.record_view(&view).await.unwrap(), None);
    assert!(!comments
        .insert(&comment(a.id, someone, t0, None))
        .await
        .unwrap());
    assert!(posts.get(a.id).await.unwrap().unwrap().is_hidden);
    assert!(posts
        .set_flag(a.id, PostFlag::Hidden, false, t0)
        .await
        .unwrap());
    assert_eq!(titles(posts, mine.clone(), PostSort::Recent).await.len(), 2);

    // Locked: no new comments, everything else as usual.
    assert!(posts
        .set_flag(a.id, PostFlag::CommentsLocked, true, t0)
        .await
        .unwrap());
    assert!(!comments
        .insert(&comment(a.id, someone, t0, None))
        .await
        .unwrap());
    assert!(posts
        .toggle(Reaction::Like, a.id, someone, t0)
        .await
        .unwrap()
        .is_some());
    assert!(posts
        .set_flag(a.id, PostFlag::CommentsLocked, false, t0)
        .await
        .unwrap());
    assert!(comments
        .insert(&comment(a.id, someone, t0, None))
        .await
        .unwrap());

    // Pinned first, featured stored.
    assert!(posts
        .set_flag(a.id, PostFlag::Pinned, true, t0)
        .await
        .unwrap());
    assert!(posts
        .set_flag(a.id, PostFlag::Featured, true, t0)
        .await
        .unwrap());
    assert_eq!(titles(posts, mine, PostSort::Recent).await[0], a.title);
    let stored = posts.get(a.id).await.unwrap().unwrap();
    assert!(stored.is_pinned && stored.is_featured && !stored.is_hidden);
    assert!(!posts
        .set_flag(PostId::generate(t0), PostFlag::Pinned, true, t0)
        .await
        .unwrap());

    // A hidden comment takes no likes or replies, and shows again when unhidden.
    assert!(comments.set_hidden(top.id, true, t0).await.unwrap());
    assert!(comments.get(top.id).await.unwrap().unwrap().is_hidden);
    assert_eq!(
        comments.toggle_like(top.id, someone, t0).await.unwrap(),
        None
    );
    assert!(!comments
        .insert(&comment(a.id, someone, t0, Some(&top)))
        .await
        .unwrap());
    assert_eq!(
        comments
            .top_level(a.id, PageRequest::new(1, 10))
            .await
            .unwrap()
            .total,
        2
    );
    assert!(comments.set_hidden(top.id, false, t0).await.unwrap());
    assert!(comments
        .toggle_like(top.id, someone, t0)
        .await
        .unwrap()
        .is_some());

    // The per-member counts: everything created since, deleted or not.
    posts.remove(b.id, t0).await.unwrap();
    assert_eq!(posts.posts_since(author, t0).await.unwrap(), 2);
    assert_eq!(
        posts
            .posts_since(author, t0 + Duration::seconds(1))
            .await
            .unwrap(),
        1
    );
    assert_eq!(comments.comments_since(someone, t0).await.unwrap(), 1);
    assert_eq!(
        comments
            .comments_since(author, t0 + Duration::seconds(1))
            .await
            .unwrap(),
        0
    );
}

fn report(target: Target, post: PostId, reporter: MemberId, at: DateTime<Utc>) -> Report {
    Report {
        id: ReportId::generate(at),
        target,
        post,
        reporter,
        reason: ReportReason::Spam,
        text: "Buy now — ü".into(),
        status: ReportStatus::Open,
        created_at: at,
        resolved_by: None,
        resolved_at: None,
    }
}

/// Reports (one open per reporter and target, the queue, resolving) and the moderation log.
pub async fn reports_and_log(reports: &dyn ReportRepository, log: &dyn ModerationLog) {
    let t0 = now();
    let post = PostId::generate(t0);
    let target = Target::Post(post);
    let other = Target::Comment(CommentId::generate(t0));
    let (ann, ben, mod_) = (
        MemberId::generate(t0),
        MemberId::generate(t0),
        MemberId::generate(t0),
    );
    let first = report(target, post, ann, t0);
    assert!(reports.insert(&first).await.unwrap());
    assert_eq!(reports.get(first.id).await.unwrap(), Some(first.clone()));
    assert!(
        !reports
            .insert(&report(target, post, ann, t0))
            .await
            .unwrap(),
        "one open report"
    );
    let second = report(target, post, ben, t0 + Duration::seconds(1));
    let third = report(other, post, ann, t0 + Duration::seconds(2));
    assert!(reports.insert(&second).await.unwrap());
    assert!(reports.insert(&third).await.unwrap());

    let open = reports
        .list(Some(ReportStatus::Open), PageRequest::new(1, 10))
        .await
        .unwrap();
    let ids: Vec<ReportId> = open.items.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![first.id, second.id, third.id], "oldest first");

    // Dismissing one, actioning a target's others.
    assert!(reports
        .resolve(third.id, ReportStatus::Dismissed, mod_, t0)
        .await
        .unwrap());
    assert!(!reports
        .resolve(third.id, ReportStatus::Dismissed, mod_, t0)
        .await
        .unwrap());
    let closed = reports
        .resolve_target(
            target,
            ReportStatus::Actioned,
            mod_,
            t0 + Duration::seconds(5),
        )
        .await
        .unwrap();
    assert_eq!(closed.len(), 2);
    let done = reports.get(first.id).await.unwrap().unwrap();
    assert_eq!(done.status, ReportStatus::Actioned);
    assert_eq!(done.resolved_by, Some(mod_));
    assert_eq!(done.resolved_at, Some(t0 + Duration::seconds(5)));
    assert_eq!(
        reports
            .list(Some(ReportStatus::Open), PageRequest::new(1, 10))
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        reports
            .list(None, PageRequest::new(1, 10))
            .await
            .unwrap()
            .total,
        3
    );
    // Once closed, the same member may report the same target again.
    assert!(reports
        .insert(&report(target, post, ann, t0))
        .await
        .unwrap());

    // The log: append-only, latest first.
    let entry = |action, at| ModerationRecord {
        id: ModerationId::generate(at),
        moderator: mod_,
        action,
        target,
        report: Some(first.id),
        reason: "spam — ü".into(),
        at,
    };
    let a = entry(ModerationAction::Hide, t0);
    let b = ModerationRecord {
        report: None,
        ..entry(ModerationAction::Unhide, t0 + Duration::seconds(1))
    };
    log.append(&a).await.unwrap();
    log.append(&b).await.unwrap();
    let page = log.list(PageRequest::new(1, 10)).await.unwrap();
    assert_eq!(page.items, vec![b, a]);
}

/// Follows: one row per pair, lists latest first, counts, and the feed of followed authors.
pub async fn follows_and_feed(follows: &dyn FollowRepository, posts: &dyn PostRepository) {
    let t0 = now();
    let (me, a, b, c) = (
        MemberId::generate(t0),
        MemberId::generate(t0),
        MemberId::generate(t0),
        MemberId::generate(t0),
    );
    assert!(follows.follow(me, a, t0).await.unwrap());
    assert!(!follows.follow(me, a, t0).await.unwrap(), "once per pair");
    assert!(follows
        .follow(me, b, t0 + Duration::seconds(1))
        .await
        .unwrap());
    assert!(follows
        .follow(c, a, t0 + Duration::seconds(2))
        .await
        .unwrap());
    assert!(follows.follows(me, a).await.unwrap());
    assert!(!follows.follows(a, me).await.unwrap());
    assert_eq!(
        follows.counts(a).await.unwrap(),
        FollowCounts {
            followers: 2,
            following: 0
        }
    );
    assert_eq!(
        follows.counts(me).await.unwrap(),
        FollowCounts {
            followers: 0,
            following: 2
        }
    );
    let mine = follows
        .following(me, PageRequest::new(1, 10))
        .await
        .unwrap();
    assert_eq!(
        mine.items,
        vec![
            Follow {
                member: b,
                since: t0 + Duration::seconds(1)
            },
            Follow {
                member: a,
                since: t0
            }
        ]
    );
    let theirs = follows.followers(a, PageRequest::new(1, 1)).await.unwrap();
    assert_eq!((theirs.total, theirs.items[0].member), (2, c));

    // The feed: live, visible posts of followed authors, newest first.
    let pa = plain(a, t0, "by a");
    let pb = plain(b, t0 + Duration::seconds(1), "by b");
    let pc = plain(c, t0 + Duration::seconds(2), "by c");
    let gone = plain(a, t0 + Duration::seconds(3), "gone");
    let hidden = plain(b, t0 + Duration::seconds(4), "hidden");
    for p in [&pa, &pb, &pc, &gone, &hidden] {
        posts.insert(p).await.unwrap();
    }
    posts.remove(gone.id, t0).await.unwrap();
    posts
        .set_flag(hidden.id, PostFlag::Hidden, true, t0)
        .await
        .unwrap();
    let feed = posts.feed(me, PageRequest::new(1, 10)).await.unwrap();
    assert_eq!(
        feed.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![pb.id, pa.id]
    );
    assert_eq!(feed.total, 2);

    assert!(follows.unfollow(me, b).await.unwrap());
    assert!(!follows.unfollow(me, b).await.unwrap());
    assert_eq!(
        posts.feed(me, PageRequest::new(1, 10)).await.unwrap().total,
        1
    );
    assert_eq!(follows.counts(me).await.unwrap().following, 1);
}

/// Collaboration requests: one pending per requester and post, both sides' lists, answering
/// once.
pub async fn collaborations(requests: &dyn CollaborationRepository) {
    let t0 = now();
    let (post, other_post) = (PostId::generate(t0), PostId::generate(t0));
    let (author, me, you) = (
        MemberId::generate(t0),
        MemberId::generate(t0),
        MemberId::generate(t0),
    );
    let request = |post, requester, at| CollaborationRequest {
        id: CollaborationId::generate(at),
        post,
        requester,
        post_author: author,
        message: "I can help — ü".into(),
        skills: vec!["css".into(), "rust".into()],
        status: CollaborationStatus::Pending,
        created_at: at,
        responded_at: None,
    };
    let first = request(post, me, t0);
    assert!(requests.insert(&first).await.unwrap());
    assert_eq!(requests.get(first.id).await.unwrap(), Some(first.clone()));
    assert!(
        !requests.insert(&request(post, me, t0)).await.unwrap(),
        "one pending"
    );
    let second = request(post, you, t0 + Duration::seconds(1));
    let third = request(other_post, me, t0 + Duration::seconds(2));
    assert!(requests.insert(&second).await.unwrap());
    assert!(requests.insert(&third).await.unwrap());

    let received = requests
        .list(
            author,
            CollaborationSide::Received,
            None,
            PageRequest::new(1, 10),
        )
        .await
        .unwrap();
    assert_eq!(
        received.items.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![third.id, second.id, first.id]
    );
    let sent = requests
        .list(me, CollaborationSide::Sent, None, PageRequest::new(1, 10))
        .await
        .unwrap();
    assert_eq!(sent.total, 2);

    assert!(requests
        .answer(
            first.id,
            CollaborationStatus::Accepted,
            t0 + Duration::seconds(9)
        )
        .await
        .unwrap());
    assert!(!requests
        .answer(first.id, CollaborationStatus::Declined, t0)
        .await
        .unwrap());
    let answered = requests.get(first.id).await.unwrap().unwrap();
    assert_eq!(answered.status, CollaborationStatus::Accepted);
    assert_eq!(answered.responded_at, Some(t0 + Duration::seconds(9)));
    let pending = requests
        .list(
            author,
            CollaborationSide::Received,
            Some(CollaborationStatus::Pending),
            PageRequest::new(1, 10),
        )
        .await
        .unwrap();
    assert_eq!(pending.total, 2);
    // Answered, the same member may ask again.
    assert!(requests.insert(&request(post, me, t0)).await.unwrap());
}

/// A gone member's likes, bookmarks, comment likes and follows are withdrawn with their
/// counters.
pub async fn withdrawal(stores: &Stores) {
    let t0 = now();
    let (gone, stays, author) = (
        MemberId::generate(t0),
        MemberId::generate(t0),
        MemberId::generate(t0),
    );
    let p1 = plain(author, t0, "w1");
    let p2 = plain(author, t0, "w2");
    stores.posts.insert(&p1).await.unwrap();
    stores.posts.insert(&p2).await.unwrap();
    for (reaction, post, member) in [
        (Reaction::Like, p1.id, gone),
        (Reaction::Like, p1.id, stays),
        (Reaction::Bookmark, p1.id, gone),
        (Reaction::Like, p2.id, gone),
    ] {
        stores
            .posts
            .toggle(reaction, post, member, t0)
            .await
            .unwrap();
    }
    let c = comment(p1.id, author, t0, None);
    assert!(stores.comments.insert(&c).await.unwrap());
    stores.comments.toggle_like(c.id, gone, t0).await.unwrap();
    stores.comments.toggle_like(c.id, stays, t0).await.unwrap();
    stores.follows.follow(gone, author, t0).await.unwrap();
    stores.follows.follow(author, gone, t0).await.unwrap();
    stores.follows.follow(stays, author, t0).await.unwrap();

    assert_eq!(stores.posts.withdraw_marks(gone).await.unwrap(), 3);
    assert_eq!(stores.comments.withdraw_likes(gone).await.unwrap(), 1);
    assert_eq!(stores.follows.withdraw(gone).await.unwrap(), 2);
    let s1 = stores.posts.get(p1.id).await.unwrap().unwrap();
    assert_eq!((s1.interactions.likes, s1.interactions.bookmarks), (1, 0));
    assert!((s1.hot - trending::hot(&s1.interactions, s1.created_at)).abs() < 1e-9);
    assert_eq!(
        stores
            .posts
            .get(p2.id)
            .await
            .unwrap()
            .unwrap()
            .interactions
            .likes,
        0
    );
    assert_eq!(stores.comments.get(c.id).await.unwrap().unwrap().likes, 1);
    assert_eq!(
        stores.follows.counts(author).await.unwrap(),
        FollowCounts {
            followers: 1,
            following: 0
        }
    );
    assert!(stores
        .posts
        .reacted(gone, &[p1.id, p2.id])
        .await
        .unwrap()
        .liked
        .is_empty());
    // Idempotent.
    assert_eq!(stores.posts.withdraw_marks(gone).await.unwrap(), 0);
    assert_eq!(stores.follows.withdraw(gone).await.unwrap(), 0);
}

/// Mentorships: one open per pair, sides, moves only from where they stand, gone members.
pub async fn mentorships(store: &dyn MentorshipRepository) {
    let t0 = now();
    let (mentor, me, you) = (
        MemberId::generate(t0),
        MemberId::generate(t0),
        MemberId::generate(t0),
    );
    let ask = |mentor, mentee, at| Mentorship {
        id: MentorshipId::generate(at),
        mentor,
        mentee,
        message: "Teach me graphs — ü".into(),
        topics: vec!["graphs".into(), "dp".into()],
        status: MentorshipStatus::Pending,
        created_at: at,
        responded_at: None,
        ended_at: None,
    };
    let first = ask(mentor, me, t0);
    assert!(store.insert(&first).await.unwrap());
    assert_eq!(store.get(first.id).await.unwrap(), Some(first.clone()));
    assert!(
        !store.insert(&ask(mentor, me, t0)).await.unwrap(),
        "one open per pair"
    );
    let second = ask(mentor, you, t0 + Duration::seconds(1));
    let reverse = ask(me, mentor, t0 + Duration::seconds(2));
    assert!(store.insert(&second).await.unwrap());
    assert!(
        store.insert(&reverse).await.unwrap(),
        "the other direction is another pair"
    );

    let as_mentor = store
        .list(
            mentor,
            MentorshipSide::Mentor,
            None,
            PageRequest::new(1, 10),
        )
        .await
        .unwrap();
    assert_eq!(
        as_mentor.items.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![second.id, first.id]
    );
    let as_mentee = store
        .list(
            mentor,
            MentorshipSide::Mentee,
            None,
            PageRequest::new(1, 10),
        )
        .await
        .unwrap();
    assert_eq!(as_mentee.items, vec![reverse.clone()]);

    // Moves happen only from the status named.
    let t1 = t0 + Duration::seconds(9);
    assert!(!store
        .advance(
            first.id,
            MentorshipStatus::Active,
            MentorshipStatus::Ended,
            t1
        )
        .await
        .unwrap());
    assert!(store
        .advance(
            first.id,
            MentorshipStatus::Pending,
            MentorshipStatus::Active,
            t1
        )
        .await
        .unwrap());
    assert!(!store
        .advance(
            first.id,
            MentorshipStatus::Pending,
            MentorshipStatus::Declined,
            t1
        )
        .await
        .unwrap());
    let active = store.get(first.id).await.unwrap().unwrap();
    assert_eq!(
        (active.status, active.responded_at, active.ended_at),
        (MentorshipStatus::Active, Some(t1), None)
    );
    assert!(
        !store.insert(&ask(mentor, me, t1)).await.unwrap(),
        "an active one is open too"
    );
    assert_eq!(
        store.counts(mentor).await.unwrap(),
        MentorshipCounts {
            mentors: 0,
            mentees: 1
        }
    );
    assert_eq!(
        store.counts(me).await.unwrap(),
        MentorshipCounts {
            mentors: 1,
            mentees: 0
        },
        "the pending reverse request does not count"
    );
    let active_only = store
        .list(
            mentor,
            MentorshipSide::Mentor,
            Some(MentorshipStatus::Active),
            PageRequest::new(1, 10),
        )
        .await
        .unwrap();
    assert_eq!(active_only.items, vec![active]);

    let t2 = t1 + Duration::seconds(1);
    assert!(store
        .advance(
            first.id,
            MentorshipStatus::Active,
            MentorshipStatus::Ended,
            t2
        )
        .await
        .unwrap());
    let ended = store.get(first.id).await.unwrap().unwrap();
    assert_eq!(
        (ended.status, ended.responded_at, ended.ended_at),
        (MentorshipStatus::Ended, Some(t1), Some(t2))
    );
    assert!(
        store.insert(&ask(mentor, me, t2)).await.unwrap(),
        "ended, the pair may start again"
    );

    // A gone member's open mentorships end, on both sides; closed ones stay as they were.
    let t3 = t2 + Duration::seconds(1);
    assert_eq!(store.end_all(mentor, t3).await.unwrap(), 3);
    assert_eq!(store.end_all(mentor, t3).await.unwrap(), 0, "idempotent");
    let after = store
        .list(
            mentor,
            MentorshipSide::Mentor,
            None,
            PageRequest::new(1, 10),
        )
        .await
        .unwrap();
    assert!(after
        .items
        .iter()
        .all(|m| m.status == MentorshipStatus::Ended));
    assert_eq!(
        store.get(first.id).await.unwrap().unwrap().ended_at,
        Some(t2)
    );
    assert_eq!(
        store.get(reverse.id).await.unwrap().unwrap().ended_at,
        Some(t3)
    );
    assert_eq!(store.counts(me).await.unwrap(), MentorshipCounts::default());
}

/// Every check above, on fresh ports.
pub async fn run_all(stores: Stores) {
    let all = stores.clone();
    let Stores {
        posts,
        comments,
        reports,
        log,
        follows,
        collaborations,
        mentorships,
    } = stores;
    figures(posts.as_ref(), comments.as_ref()).await;
    posts_round_trip(posts.as_ref()).await;
    lists(posts.as_ref()).await;
    reactions_and_views(posts.clone()).await;
    moderation_flags(posts.as_ref(), comments.as_ref()).await;
    reports_and_log(reports.as_ref(), log.as_ref()).await;
    follows_and_feed(follows.as_ref(), posts.as_ref()).await;
    self::collaborations(collaborations.as_ref()).await;
    self::mentorships(mentorships.as_ref()).await;
    self::comments(posts.as_ref(), comments).await;
    withdrawal(&all).await;
}
