//! The community context over HTTP: posts, comments, likes, bookmarks, views, trending, stats.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_error, Options, TestApp};

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, body) = app.post("/api/community/posts", Some(token), body).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["data"].clone()
}

async fn total(app: &TestApp) -> u64 {
    let (status, body) = app.get("/api/community/posts", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"]["pagination"]["total"].as_u64().unwrap()
}

#[tokio::test]
async fn posts_work_as_the_web_client_sends_and_reads_them() {
    let app = TestApp::spawn().await;
    let ada = app.verified("ada").await;
    let bob = app.verified("bob").await;

    // The client's create call: {title, content, category, tags}.
    let post = create(
        &app,
        &ada.access,
        json!({
            "title": "How do I borrow twice?",
            "content": "Help with `&mut`:\n\n```rust\nlet a = &mut x;\n```\n<script>alert(1)</script>",
            "category": "help",
            "tags": ["Rust", "rust", " Borrowing "],
        }),
    )
    .await;
    let id = post["_id"].as_str().unwrap().to_owned();
    assert_eq!(post["author"]["username"], "ada");
    assert_eq!(post["author"]["_id"], ada.id.as_str());
    assert_eq!(post["category"], "help");
    assert_eq!(post["tags"], json!(["rust", "borrowing"]));
    assert_eq!(
        post["interactions"],
        json!({"likes": 0, "views": 0, "comments": 0, "bookmarks": 0, "downloads": 0, "forks": 0})
    );
    let html = post["contentHtml"].as_str().unwrap();
    assert!(html.contains(r#"<code class="language-rust">"#), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert!(
        post["content"].as_str().unwrap().contains("<script>"),
        "stored as written"
    );

    // The client's list call finds it; another category does not.
    let (status, body) = app
        .get(
            "/api/community/posts?limit=6&category=help&tags=rust&search=BORROW",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["pagination"]["total"], 1);
    assert_eq!(body["data"]["pagination"]["limit"], 6);
    let listed = &body["data"]["data"][0];
    assert_eq!(listed["_id"], id.as_str());
    for field in ["title", "content", "createdAt", "updatedAt"] {
        assert!(listed[field].is_string(), "{field}: {listed}");
    }
    assert!(listed["metadata"].is_object() && listed["interactions"]["likes"].is_number());
    let (_, body) = app.get("/api/community/posts?category=news", None).await;
    assert_eq!(body["data"]["pagination"]["total"], 0);

    // Views: once per reader per day; anonymous readers count by address.
    for _ in 0..3 {
        let (status, body) = app
            .get(&format!("/api/community/posts/{id}"), Some(&bob.access))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, body) = app.get(&format!("/api/community/posts/{id}"), None).await;
    assert_eq!(body["data"]["interactions"]["views"], 2, "{body}");

    // Only the author edits.
    let (status, body) = app
        .put(
            &format!("/api/community/posts/{id}"),
            Some(&bob.access),
            json!({"title": "Mine now"}),
        )
        .await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let (status, body) = app
        .patch(
            &format!("/api/community/posts/{id}"),
            Some(&ada.access),
            json!({"content": "**Solved**", "metadata": {"difficulty": "Easy", "challengeType": "dsa"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["data"]["contentHtml"],
        "<p><strong>Solved</strong></p>\n"
    );
    assert_eq!(body["data"]["title"], "How do I borrow twice?");
    assert_eq!(body["data"]["metadata"]["difficulty"], "Easy");
    assert_eq!(body["data"]["interactions"]["views"], 2);

    // Only the author or a moderator/admin deletes; deleted posts are gone everywhere.
    let (status, body) = app
        .delete(&format!("/api/community/posts/{id}"), Some(&bob.access))
        .await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let admin = app.admin().await;
    let (status, body) = app
        .delete(&format!("/api/community/posts/{id}"), Some(&admin.access))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.get(&format!("/api/community/posts/{id}"), None).await;
    assert_error(status, &body, 404, "POST_NOT_FOUND");
    assert_eq!(total(&app).await, 0);
    let (status, body) = app
        .post(
            &format!("/api/community/posts/{id}/like"),
            Some(&bob.access),
            json!({}),
        )
        .await;
    assert_error(status, &body, 404, "POST_NOT_FOUND");
}

#[tokio::test]
async fn bad_input_answers_clear_errors_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let unverified = app.signed_up("eve").await;
    let ada = app.verified("ada").await;
    let ok = json!({"title": "T", "content": "C", "category": "tips"});

    let (status, body) = app
        .post("/api/community/posts", Some(&unverified.access), ok.clone())
        .await;
    assert_error(status, &body, 403, "EMAIL_NOT_VERIFIED");
    let (status, body) = app.post("/api/community/posts", None, ok.clone()).await;
    assert_error(status, &body, 401, "MISSING_TOKEN");

    let long = "x".repeat(50_001);
    let eleven: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
    for (body, field) in [
        // Wrong JSON types and unknown enum values are refused while the body is read, named by
        // their path (the message lists the allowed values); the rules after it too.
        (
            json!({"title": "T", "content": "C", "category": "gossip"}),
            "category",
        ),
        (
            json!({"title": "T", "content": long, "category": "tips"}),
            "content",
        ),
        (
            json!({"title": "  ", "content": "C", "category": "tips"}),
            "title",
        ),
        (
            json!({"title": "a\u{0007}b", "content": "C", "category": "tips"}),
            "title",
        ),
        (
            json!({"title": "T", "content": "C", "category": "tips", "tags": eleven}),
            "tags",
        ),
        (
            json!({"title": "T", "content": "C", "category": "tips", "tags": ["a b"]}),
            "tags[0]",
        ),
        (
            json!({"title": "T", "content": "C", "category": "tips",
                   "codeSubmission": {"githubUrl": "javascript:alert(1)"}}),
            "codeSubmission.githubUrl",
        ),
        (
            json!({"title": {"$gt": ""}, "content": "C", "category": "tips"}),
            "title",
        ),
        (
            json!({"title": "T", "content": "C", "category": "tips", "isPinned": true}),
            "isPinned",
        ),
        (
            json!({"title": "T", "content": "C", "category": "tips", "metadata": ["Easy", "dsa"]}),
            "metadata",
        ),
    ] {
        let (status, answer) = app
            .post("/api/community/posts", Some(&ada.access), body.clone())
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body} → {answer}");
        let details = answer["error"]["details"].as_array().unwrap();
        assert!(
            details.iter().any(|d| d["field"] == field),
            "{body} should name {field}: {answer}"
        );
    }
    let (status, body) = app
        .post(
            "/api/community/posts",
            Some(&ada.access),
            json!({"title": "T", "content": "C", "category": "tips",
                   "codeSubmission": {"challengeId": "0123456789abcdef01234567"}}),
        )
        .await;
    assert_error(status, &body, 404, "CHALLENGE_NOT_FOUND");
    let (status, body) = app.get("/api/community/posts/not-an-id", None).await;
    assert_error(status, &body, 400, "PARAMS_VALIDATION_ERROR");
    let (status, body) = app.get("/api/community/posts?bogus=1", None).await;
    assert_error(status, &body, 400, "QUERY_VALIDATION_ERROR");
    let (status, body) = app.get("/api/community/posts?sort=oldest", None).await;
    assert_error(status, &body, 400, "QUERY_VALIDATION_ERROR");
    assert_eq!(total(&app).await, 0, "nothing was stored");
}

#[tokio::test]
async fn comments_form_threads_with_exact_counts_and_notify_the_author() {
    let app = TestApp::spawn().await;
    let ada = app.verified("ada").await;
    let bob = app.verified("bob").await;
    let post = create(
        &app,
        &ada.access,
        json!({"title": "Q", "content": "?", "category": "discussion"}),
    )
    .await;
    let other = create(
        &app,
        &ada.access,
        json!({"title": "R", "content": "!", "category": "discussion"}),
    )
    .await;
    let (post, other) = (
        post["_id"].as_str().unwrap(),
        other["_id"].as_str().unwrap(),
    );
    let comments = format!("/api/community/posts/{post}/comments");

    let add = |token: String, body: Value| {
        let app = &app;
        let comments = comments.clone();
        async move {
            let (status, body) = app.post(&comments, Some(&token), body).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            body["data"].clone()
        }
    };
    let top = add(bob.access.clone(), json!({"content": "First *reply*"})).await;
    assert_eq!(top["contentHtml"], "<p>First <em>reply</em></p>\n");
    assert_eq!(top["depth"], 0);
    let top_id = top["_id"].as_str().unwrap().to_owned();
    let reply = add(
        ada.access.clone(),
        json!({"content": "Thanks", "parentCommentId": top_id}),
    )
    .await;
    assert_eq!(reply["depth"], 1);
    // Replies nest at most 4 deep; deeper ones attach to the deepest allowed parent.
    let mut parent = reply["_id"].as_str().unwrap().to_owned();
    for depth in 2..=5 {
        let next = add(
            bob.access.clone(),
            json!({"content": format!("d{depth}"), "parentId": parent}),
        )
        .await;
        assert_eq!(next["depth"], depth.min(4), "{next}");
        parent = next["_id"].as_str().unwrap().to_owned();
    }
    // A parent on another post is refused, and nothing changes.
    let (status, body) = app
        .post(
            &format!("/api/community/posts/{other}/comments"),
            Some(&bob.access),
            json!({"content": "x", "parentCommentId": top_id}),
        )
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");

    let (status, body) = app.get(&comments, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["pagination"]["total"], 1);
    let thread = &body["data"]["data"][0];
    assert_eq!(thread["_id"], top_id.as_str());
    assert_eq!(thread["replyCount"], 1);
    let depths: Vec<u64> = thread["replies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["depth"].as_u64().unwrap())
        .collect();
    assert_eq!(depths, vec![1, 2, 3, 4, 4], "{thread}");
    let (_, body) = app.get(&format!("/api/community/posts/{post}"), None).await;
    assert_eq!(body["data"]["interactions"]["comments"], 6);

    // Only the author edits; deleting a comment with replies keeps its place.
    let (status, body) = app
        .put(
            &format!("/api/community/comments/{top_id}"),
            Some(&ada.access),
            json!({"content": "hijack"}),
        )
        .await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let (status, body) = app
        .put(
            &format!("/api/community/comments/{top_id}"),
            Some(&bob.access),
            json!({"content": "First, edited"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["content"], "First, edited");
    let (status, body) = app
        .delete(
            &format!("/api/community/comments/{top_id}"),
            Some(&bob.access),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = app.get(&comments, None).await;
    let thread = &body["data"]["data"][0];
    assert_eq!(thread["content"], "[deleted]");
    assert_eq!(thread["isDeleted"], true);
    assert_eq!(thread["replies"].as_array().unwrap().len(), 5);
    let (_, body) = app.get(&format!("/api/community/posts/{post}"), None).await;
    assert_eq!(body["data"]["interactions"]["comments"], 5);
    let (status, body) = app
        .post(
            &comments,
            Some(&ada.access),
            json!({"content": "late", "parentCommentId": top_id}),
        )
        .await;
    assert_error(status, &body, 404, "COMMENT_NOT_FOUND");

    // Ada was told about Bob's comment on her post (a social notification).
    let (status, body) = app
        .get("/api/notifications?type=social", Some(&ada.access))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let titles: Vec<&str> = body["data"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"New comment on your post"), "{body}");
}

#[tokio::test]
async fn likes_and_bookmarks_toggle_with_exact_counts_under_concurrency() {
    let app = TestApp::spawn().await;
    let ada = app.verified("ada").await;
    let post = create(
        &app,
        &ada.access,
        json!({"title": "Like me", "content": "!", "category": "showcase"}),
    )
    .await;
    let id = post["_id"].as_str().unwrap().to_owned();
    let mut fans = Vec::new();
    for i in 0..12 {
        fans.push(app.verified(&format!("fan{i}")).await);
    }
    for (expected, liked) in [(12, true), (0, false)] {
        let likes = fans.iter().map(|f| {
            let (app, id, token) = (&app, id.clone(), f.access.clone());
            async move {
                app.post(
                    &format!("/api/community/posts/{id}/like"),
                    Some(&token),
                    json!({}),
                )
                .await
            }
        });
        for (status, body) in futures::future::join_all(likes).await {
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["data"]["liked"], liked);
        }
        let (_, body) = app.get(&format!("/api/community/posts/{id}"), None).await;
        assert_eq!(body["data"]["interactions"]["likes"], expected);
    }

    // Bookmarks: the state shows on lists, and in the caller's bookmarks.
    let (status, body) = app
        .post(
            &format!("/api/community/posts/{id}/bookmark"),
            Some(&fans[0].access),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"], json!({"bookmarked": true, "bookmarks": 1}));
    let (_, body) = app.get("/api/community/posts", Some(&fans[0].access)).await;
    assert_eq!(body["data"]["data"][0]["isBookmarked"], true);
    assert_eq!(body["data"]["data"][0]["isLiked"], false);
    let (_, body) = app
        .get("/api/community/bookmarks", Some(&fans[0].access))
        .await;
    assert_eq!(body["data"]["pagination"]["total"], 1);
    assert_eq!(body["data"]["data"][0]["_id"], id.as_str());
    let (_, body) = app
        .get("/api/community/bookmarks", Some(&fans[1].access))
        .await;
    assert_eq!(body["data"]["pagination"]["total"], 0);

    // Comment likes.
    let (_, comment) = app
        .post(
            &format!("/api/community/posts/{id}/comments"),
            Some(&ada.access),
            json!({"content": "hi"}),
        )
        .await;
    let cid = comment["data"]["_id"].as_str().unwrap();
    let (status, body) = app
        .post(
            &format!("/api/community/comments/{cid}/like"),
            Some(&fans[1].access),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"], json!({"liked": true, "likes": 1}));

    // An unverified account cannot react.
    let eve = app.signed_up("eve").await;
    let (status, body) = app
        .post(
            &format!("/api/community/posts/{id}/like"),
            Some(&eve.access),
            json!({}),
        )
        .await;
    assert_error(status, &body, 403, "EMAIL_NOT_VERIFIED");
}

#[tokio::test]
async fn trending_and_stats_reflect_activity() {
    let app = TestApp::spawn().await;
    let ada = app.verified("ada").await;
    let bob = app.verified("bob").await;
    let quiet = create(
        &app,
        &ada.access,
        json!({"title": "Quiet", "content": "…", "category": "news"}),
    )
    .await;
    let loud = create(
        &app,
        &bob.access,
        json!({"title": "Loud", "content": "!", "category": "code-share",
               "codeSubmission": {"code": "let x = 1;", "language": "javascript", "githubUrl": "https://github.com/a/b"}}),
    )
    .await;
    assert_eq!(loud["codeSubmission"]["hasCode"], true);
    let (quiet, loud) = (
        quiet["_id"].as_str().unwrap(),
        loud["_id"].as_str().unwrap(),
    );
    app.post(
        &format!("/api/community/posts/{loud}/like"),
        Some(&ada.access),
        json!({}),
    )
    .await;
    app.post(
        &format!("/api/community/posts/{loud}/comments"),
        Some(&ada.access),
        json!({"content": "wow"}),
    )
    .await;

    let (status, body) = app.get("/api/community/trending?limit=2", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let order: Vec<&str> = body["data"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["_id"].as_str().unwrap())
        .collect();
    assert_eq!(order, vec![loud, quiet]);
    let (_, body) = app
        .get("/api/community/posts?sort=most-commented", None)
        .await;
    assert_eq!(body["data"]["data"][0]["_id"], loud);
    let (_, body) = app.get("/api/community/posts?hasCode=true", None).await;
    assert_eq!(body["data"]["pagination"]["total"], 1);

    let (status, body) = app.get("/api/community/stats", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let s = &body["data"];
    assert_eq!(
        s["memberStats"]["totalMembers"], 3,
        "two members and the admin: {s}"
    );
    assert_eq!(s["memberStats"]["activeToday"], 2);
    assert_eq!(s["memberStats"]["topContributors"][0]["userName"], "ada");
    assert_eq!(s["memberStats"]["topContributors"][0]["contributions"], 2);
    assert_eq!(s["contentStats"]["totalPosts"], 2);
    assert_eq!(s["contentStats"]["totalCodeShares"], 1);
    assert_eq!(s["contentStats"]["totalComments"], 1);
    assert_eq!(s["engagementStats"]["totalLikes"], 1);
}

#[tokio::test]
async fn a_post_links_a_public_challenge_and_lists_filter_by_it() {
    let app = TestApp::spawn_with(Options {
        seed: true,
        ..Options::default()
    })
    .await;
    let ada = app.verified("ada").await;
    let (_, body) = app.get("/api/challenges?limit=1", None).await;
    let challenge = body["data"]["data"][0]["_id"].as_str().unwrap().to_owned();
    let post = create(
        &app,
        &ada.access,
        json!({"title": "My solution", "content": "Here", "category": "code-share",
               "codeSubmission": {"challengeId": challenge, "code": "return 1;"}}),
    )
    .await;
    assert_eq!(post["codeSubmission"]["challengeId"], challenge.as_str());
    create(
        &app,
        &ada.access,
        json!({"title": "Other", "content": "x", "category": "tips"}),
    )
    .await;
    let (_, body) = app
        .get(
            &format!("/api/community/posts?challengeId={challenge}"),
            None,
        )
        .await;
    assert_eq!(body["data"]["pagination"]["total"], 1);
    assert_eq!(body["data"]["data"][0]["_id"], post["_id"]);
}

#[tokio::test]
async fn reports_reach_moderators_whose_actions_are_logged_and_told_to_the_author() {
    let app = TestApp::spawn().await;
    let ada = app.verified("ada").await;
    let bob = app.verified("bob").await;
    let admin = app.admin().await;
    let post = create(
        &app,
        &ada.access,
        json!({"title": "Buy pills", "content": "cheap", "category": "discussion"}),
    )
    .await;
    let other = create(
        &app,
        &ada.access,
        json!({"title": "Fine", "content": "ok", "category": "tips"}),
    )
    .await;
    let (post, other) = (
        post["_id"].as_str().unwrap(),
        other["_id"].as_str().unwrap(),
    );

    // Reports: one open per member and target, never one's own.
    let (status, body) = app
        .post(
            &format!("/api/community/posts/{post}/report"),
            Some(&bob.access),
            json!({"reason": "spam", "text": "ads"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["data"]["status"], "open");
    let (status, body) = app
        .post(
            &format!("/api/community/posts/{post}/report"),
            Some(&bob.access),
            json!({"reason": "other"}),
        )
        .await;
    assert_error(status, &body, 409, "ALREADY_REPORTED");
    let (status, body) = app
        .post(
            &format!("/api/community/posts/{post}/report"),
            Some(&ada.access),
            json!({"reason": "spam"}),
        )
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");

    // The queue is for moderators.
    let (status, body) = app
        .get(
            "/api/community/moderation/reports?status=open",
            Some(&bob.access),
        )
        .await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let (status, body) = app
        .get(
            "/api/community/moderation/reports?status=open",
            Some(&admin.access),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["pagination"]["total"], 1);
    assert_eq!(body["data"]["data"][0]["excerpt"], "Buy pills");
    assert_eq!(body["data"]["data"][0]["reporter"]["username"], "bob");

    // Hiding: out of sight for others, closes the report, tells the author.
    let hide = json!({"action": "hide", "reason": "Spam links"});
    let (status, body) = app
        .post(
            &format!("/api/community/posts/{post}/moderate"),
            Some(&bob.access),
            hide.clone(),
        )
        .await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let (status, body) = app
        .post(
            &format!("/api/community/posts/{post}/moderate"),
            Some(&admin.access),
            hide,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["action"], "hide");
    let (status, body) = app
        .get(&format!("/api/community/posts/{post}"), Some(&bob.access))
        .await;
    assert_error(status, &body, 404, "POST_NOT_FOUND");
    let (status, body) = app
        .get(&format!("/api/community/posts/{post}"), Some(&ada.access))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["isHidden"], true);
    assert_eq!(total(&app).await, 1);
    let (status, body) = app
        .post(
            &format!("/api/community/posts/{post}/like"),
            Some(&bob.access),
            json!({}),
        )
        .await;
    assert_error(status, &body, 404, "POST_NOT_FOUND");
    let (_, body) = app
        .get(
            "/api/community/moderation/reports?status=open",
            Some(&admin.access),
        )
        .await;
    assert_eq!(body["data"]["pagination"]["total"], 0);
    let (_, body) = app
        .get("/api/notifications?type=social", Some(&ada.access))
        .await;
    let told = body["data"]["data"].as_array().unwrap().iter().any(|n| {
        n["title"] == "Your post was hidden by a moderator" && n["message"] == "Reason: Spam links"
    });
    assert!(told, "{body}");

    // Locking and pinning.
    let (status, body) = app
        .post(
            &format!("/api/community/posts/{other}/moderate"),
            Some(&admin.access),
            json!({"action": "lock", "reason": "heated"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .post(
            &format!("/api/community/posts/{other}/comments"),
            Some(&bob.access),
            json!({"content": "more"}),
        )
        .await;
    assert_error(status, &body, 403, "COMMENTS_LOCKED");
    app.post(
        &format!("/api/community/posts/{other}/moderate"),
        Some(&admin.access),
        json!({"action": "unlock", "reason": "calm"}),
    )
    .await;
    let (status, comment) = app
        .post(
            &format!("/api/community/posts/{other}/comments"),
            Some(&bob.access),
            json!({"content": "rude words"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{comment}");
    let cid = comment["data"]["_id"].as_str().unwrap();

    // A comment report dismissed (once), then the comment hidden anyway.
    let (status, report) = app
        .post(
            &format!("/api/community/comments/{cid}/report"),
            Some(&ada.access),
            json!({"reason": "harassment"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let rid = report["data"]["_id"].as_str().unwrap();
    let dismiss = format!("/api/community/moderation/reports/{rid}/dismiss");
    let (status, body) = app
        .post(&dismiss, Some(&admin.access), json!({"reason": "banter"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .post(&dismiss, Some(&admin.access), json!({"reason": "again"}))
        .await;
    assert_error(status, &body, 409, "REPORT_RESOLVED");
    let (status, body) = app
        .post(
            &format!("/api/community/comments/{cid}/moderate"),
            Some(&admin.access),
            json!({"action": "pin", "reason": "x"}),
        )
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    app.post(
        &format!("/api/community/comments/{cid}/moderate"),
        Some(&admin.access),
        json!({"action": "hide", "reason": "rude"}),
    )
    .await;
    let (_, body) = app
        .get(&format!("/api/community/posts/{other}/comments"), None)
        .await;
    assert_eq!(
        body["data"]["data"][0]["content"],
        "[hidden by a moderator]"
    );
    assert_eq!(body["data"]["data"][0]["isHidden"], true);

    // The log: every action, latest first, for admins.
    let (status, body) = app
        .get("/api/community/moderation/log", Some(&bob.access))
        .await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let (status, body) = app
        .get("/api/community/moderation/log", Some(&admin.access))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let actions: Vec<&str> = body["data"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["hide", "dismiss", "unlock", "lock", "hide"]);
    assert_eq!(
        body["data"]["data"][0]["moderator"]["_id"],
        admin.id.as_str()
    );
}

#[tokio::test]
async fn members_may_post_ten_times_an_hour() {
    let app = TestApp::spawn().await;
    let ada = app.verified("ada").await;
    for i in 0..10 {
        create(
            &app,
            &ada.access,
            json!({"title": format!("p{i}"), "content": "x", "category": "tips"}),
        )
        .await;
    }
    let response = app
        .call(
            reqwest::Method::POST,
            "/api/community/posts",
            Some(&ada.access),
            Some(json!({"title": "p10", "content": "x", "category": "tips"})),
        )
        .await;
    assert_eq!(response.headers()["retry-after"], "360");
    let (status, body) = crate::helpers::split(response).await;
    assert_error(status, &body, 429, "RATE_LIMITED");
    assert_eq!(total(&app).await, 10);
}

async fn social_titles(app: &TestApp, token: &str) -> Vec<String> {
    let (status, body) = app
        .get("/api/notifications?type=social&limit=100", Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn follows_feed_and_social_notifications_respect_preferences() {
    let app = TestApp::spawn().await;
    let ada = app.verified("ada").await;
    let bob = app.verified("bob").await;
    let cy = app.verified("cyd").await;
    let post = create(
        &app,
        &ada.access,
        json!({"title": "By ada", "content": "x", "category": "tips"}),
    )
    .await;
    create(
        &app,
        &cy.access,
        json!({"title": "By cy", "content": "x", "category": "tips"}),
    )
    .await;

    // Follow (idempotent), counts, lists.
    let follow = format!("/api/community/users/{}/follow", ada.id);
    for _ in 0..2 {
        let (status, body) = app.post(&follow, Some(&bob.access), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body["data"],
            json!({"isFollowing": true, "followers": 1, "following": 0})
        );
    }
    let (status, body) = app
        .post(
            &format!("/api/community/users/{}/follow", bob.id),
            Some(&bob.access),
            json!({}),
        )
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    let (status, body) = app
        .post(
            "/api/community/users/0123456789abcdef01234567/follow",
            Some(&bob.access),
            json!({}),
        )
        .await;
    assert_error(status, &body, 404, "USER_NOT_FOUND");
    let (_, body) = app
        .get(
            &format!("/api/community/users/{}", ada.id),
            Some(&bob.access),
        )
        .await;
    assert_eq!(body["data"]["username"], "ada");
    assert_eq!(body["data"]["followers"], 1);
    assert_eq!(body["data"]["isFollowing"], true);
    let (_, body) = app
        .get(&format!("/api/community/users/{}/followers", ada.id), None)
        .await;
    assert_eq!(body["data"]["data"][0]["username"], "bob");
    let (_, body) = app
        .get(&format!("/api/community/users/{}/following", bob.id), None)
        .await;
    assert_eq!(body["data"]["data"][0]["username"], "ada");
    // The identity profiles carry the same counts.
    let (_, body) = app.get(&format!("/api/users/{}", ada.id), None).await;
    assert_eq!(
        body["data"]["social"],
        json!({"followers": 1, "following": 0}),
        "{body}"
    );
    let (_, body) = app.get("/api/users/profile", Some(&bob.access)).await;
    assert_eq!(
        body["data"]["social"],
        json!({"followers": 0, "following": 1}),
        "{body}"
    );

    // The feed: only followed authors.
    let (status, body) = app.get("/api/community/feed", Some(&bob.access)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["pagination"]["total"], 1);
    assert_eq!(body["data"]["data"][0]["title"], "By ada");

    // Ada heard of her follower once, and of her first like (likes come in batches).
    let id = post["_id"].as_str().unwrap();
    for token in [&bob.access, &cy.access] {
        app.post(
            &format!("/api/community/posts/{id}/like"),
            Some(token),
            json!({}),
        )
        .await;
    }
    let titles = social_titles(&app, &ada.access).await;
    assert_eq!(
        titles.iter().filter(|t| *t == "New follower").count(),
        1,
        "{titles:?}"
    );
    assert_eq!(
        titles
            .iter()
            .filter(|t| t.starts_with("Your post reached"))
            .count(),
        1,
        "{titles:?}"
    );

    // Unfollow; with social notifications off, nothing more arrives.
    let (status, body) = app.delete(&follow, Some(&bob.access)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["isFollowing"], false);
    let (status, body) = app
        .put(
            "/api/users/preferences",
            Some(&ada.access),
            json!({"notifications": {"social": false}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["notifications"]["social"], false, "{body}");
    app.post(&follow, Some(&cy.access), json!({})).await;
    assert_eq!(social_titles(&app, &ada.access).await.len(), titles.len());
}

#[tokio::test]
async fn collaboration_requests_go_to_the_author_who_answers_once() {
    let app = TestApp::spawn().await;
    let ada = app.verified("ada").await;
    let bob = app.verified("bob").await;
    let project = create(
        &app,
        &ada.access,
        json!({"title": "Game jam team", "content": "Looking for help", "category": "collaboration",
               "collaborationDetails": {"isLookingForCollaborators": true, "skillsNeeded": ["css"]}}),
    )
    .await;
    let plain = create(
        &app,
        &ada.access,
        json!({"title": "Plain", "content": "x", "category": "tips"}),
    )
    .await;
    let (project, plain) = (
        project["_id"].as_str().unwrap(),
        plain["_id"].as_str().unwrap(),
    );
    let ask = json!({"message": "I do CSS", "skills": ["css"]});

    let (status, body) = app
        .post(
            &format!("/api/community/posts/{plain}/collaborate"),
            Some(&bob.access),
            ask.clone(),
        )
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    let (status, body) = app
        .post(
            &format!("/api/community/posts/{project}/collaborate"),
            Some(&ada.access),
            ask.clone(),
        )
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    let (status, body) = app
        .post(
            &format!("/api/community/posts/{project}/collaborate"),
            Some(&bob.access),
            ask.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["data"]["status"], "pending");
    let rid = body["data"]["_id"].as_str().unwrap().to_owned();
    let (status, body) = app
        .post(
            &format!("/api/community/posts/{project}/collaborate"),
            Some(&bob.access),
            ask,
        )
        .await;
    assert_error(status, &body, 409, "ALREADY_REQUESTED");

    let (_, body) = app
        .get(
            "/api/community/collaborations?side=received&status=pending",
            Some(&ada.access),
        )
        .await;
    assert_eq!(body["data"]["pagination"]["total"], 1);
    assert_eq!(body["data"]["data"][0]["requester"]["username"], "bob");
    let (_, body) = app
        .get("/api/community/collaborations", Some(&bob.access))
        .await;
    assert_eq!(body["data"]["data"][0]["_id"], rid.as_str());

    let (status, body) = app
        .post(
            &format!("/api/community/collaborations/{rid}/accept"),
            Some(&bob.access),
            json!({}),
        )
        .await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let (status, body) = app
        .post(
            &format!("/api/community/collaborations/{rid}/accept"),
            Some(&ada.access),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["status"], "accepted");
    let (status, body) = app
        .post(
            &format!("/api/community/collaborations/{rid}/decline"),
            Some(&ada.access),
            json!({}),
        )
        .await;
    assert_error(status, &body, 409, "ALREADY_ANSWERED");

    assert!(social_titles(&app, &ada.access)
        .await
        .contains(&"New collaboration request".to_owned()));
    assert!(social_titles(&app, &bob.access)
        .await
        .contains(&"Your collaboration request was accepted".to_owned()));
}

#[tokio::test]
async fn a_deleted_account_s_likes_and_follows_stop_counting_and_its_content_shows_as_deleted() {
    let app = TestApp::spawn().await;
    let ada = app.verified("ada").await;
    let bob = app.verified("bob").await;
    let post = create(
        &app,
        &ada.access,
        json!({"title": "Mine", "content": "x", "category": "tips"}),
    )
    .await;
    let id = post["_id"].as_str().unwrap();
    app.post(
        &format!("/api/community/posts/{id}/like"),
        Some(&bob.access),
        json!({}),
    )
    .await;
    app.post(
        &format!("/api/community/posts/{id}/bookmark"),
        Some(&bob.access),
        json!({}),
    )
    .await;
    app.post(
        &format!("/api/community/users/{}/follow", ada.id),
        Some(&bob.access),
        json!({}),
    )
    .await;
    let (status, body) = app
        .post(
            &format!("/api/community/posts/{id}/comments"),
            Some(&bob.access),
            json!({"content": "hi"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let response = app
        .call(
            reqwest::Method::DELETE,
            "/api/users/account",
            Some(&bob.access),
            Some(json!({"password": crate::helpers::PASSWORD})),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let (_, body) = app.get(&format!("/api/community/posts/{id}"), None).await;
    assert_eq!(body["data"]["interactions"]["likes"], 0, "{body}");
    assert_eq!(body["data"]["interactions"]["bookmarks"], 0, "{body}");
    let (_, body) = app
        .get(&format!("/api/community/users/{}", ada.id), None)
        .await;
    assert_eq!(body["data"]["followers"], 0, "{body}");
    let (_, body) = app
        .get(&format!("/api/community/posts/{id}/comments"), None)
        .await;
    assert_eq!(
        body["data"]["data"][0]["author"]["username"], "[deleted]",
        "{body}"
    );
    assert_eq!(body["data"]["data"][0]["content"], "hi");
}

#[tokio::test]
async fn mentorships_are_asked_answered_and_ended_by_their_sides() {
    let app = TestApp::spawn().await;
    let ada = app.verified("ada").await;
    let bob = app.verified("bob").await;
    let cy = app.verified("cyd").await;
    let ask = format!("/api/community/users/{}/mentorship", ada.id);

    let (status, body) = app
        .post(
            &ask,
            Some(&bob.access),
            json!({"message": " ", "topics": ["rust"]}),
        )
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    let (status, body) = app
        .post(
            &format!("/api/community/users/{}/mentorship", bob.id),
            Some(&bob.access),
            json!({"message": "me?"}),
        )
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    let (status, body) = app
        .post(
            "/api/community/users/0123456789abcdef01234567/mentorship",
            Some(&bob.access),
            json!({"message": "hi"}),
        )
        .await;
    assert_error(status, &body, 404, "USER_NOT_FOUND");

    let (status, body) = app
        .post(
            &ask,
            Some(&bob.access),
            json!({"message": "Teach me graphs", "topics": ["Graphs", "DP"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let m = &body["data"];
    assert_eq!(m["status"], "pending");
    assert_eq!(m["connectionType"], "mentor");
    assert_eq!(m["mentor"]["username"], "ada");
    assert_eq!(m["mentee"]["username"], "bob");
    assert_eq!(m["topics"], json!(["graphs", "dp"]));
    let id = m["_id"].as_str().unwrap().to_owned();
    let (status, body) = app
        .post(&ask, Some(&bob.access), json!({"message": "again"}))
        .await;
    assert_error(status, &body, 409, "MENTORSHIP_EXISTS");

    // Ada was told; she lists it as mentor, bob as mentee.
    let titles = social_titles(&app, &ada.access).await;
    assert!(
        titles.iter().any(|t| t == "New mentorship request"),
        "{titles:?}"
    );
    let (_, body) = app
        .get(
            "/api/community/mentorships?role=mentor&status=pending",
            Some(&ada.access),
        )
        .await;
    assert_eq!(body["data"]["pagination"]["total"], 1, "{body}");
    let (_, body) = app
        .get("/api/community/mentorships", Some(&bob.access))
        .await;
    assert_eq!(body["data"]["data"][0]["_id"], id.as_str(), "{body}");

    // Only the mentor answers; strangers do not see it.
    let accept = format!("/api/community/mentorships/{id}/accept");
    let (status, body) = app.post(&accept, Some(&cy.access), json!({})).await;
    assert_error(status, &body, 404, "MENTORSHIP_NOT_FOUND");
    let (status, body) = app.post(&accept, Some(&bob.access), json!({})).await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let (status, body) = app.post(&accept, Some(&ada.access), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["status"], "active");
    let (status, body) = app
        .post(
            &format!("/api/community/mentorships/{id}/decline"),
            Some(&ada.access),
            json!({}),
        )
        .await;
    assert_error(status, &body, 409, "MENTORSHIP_CLOSED");
    let titles = social_titles(&app, &bob.access).await;
    assert!(
        titles
            .iter()
            .any(|t| t == "Your mentorship request was accepted"),
        "{titles:?}"
    );
    let (_, body) = app
        .get(&format!("/api/community/users/{}", ada.id), None)
        .await;
    assert_eq!(
        (
            body["data"]["mentees"].clone(),
            body["data"]["mentors"].clone()
        ),
        (json!(1), json!(0)),
        "{body}"
    );

    // Either side ends it, once.
    let end = format!("/api/community/mentorships/{id}/end");
    let (status, body) = app.post(&end, Some(&bob.access), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["status"], "ended");
    assert!(body["data"]["endedAt"].is_string());
    let (status, body) = app.post(&end, Some(&ada.access), json!({})).await;
    assert_error(status, &body, 409, "MENTORSHIP_CLOSED");
    let (_, body) = app
        .get(&format!("/api/community/users/{}", ada.id), None)
        .await;
    assert_eq!(body["data"]["mentees"], 0, "{body}");
    let (status, body) = app.get("/api/community/mentorships", None).await;
    assert_error(status, &body, 401, "MISSING_TOKEN");
}
