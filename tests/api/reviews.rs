//! Challenge reviews over HTTP: who may review, one review each, replies, helpful marks and
//! the rating summary.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;
use crate::scoring::{challenge, scored};

fn review(challenge: &str, rating: i64) -> serde_json::Value {
    json!({
        "challengeId": challenge,
        "rating": rating,
        "title": "Fair and clear",
        "content": "Good hidden tests.\nWould do again.",
        "tags": ["Clear", "clear", "dp"],
    })
}

#[tokio::test]
async fn reviews_are_written_by_those_who_tried_once_and_kept_by_their_authors() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let id = challenge(&app, &admin, "Two Sum").await;
    let ada = app.verified("ada").await;
    let bob = app.verified("bob").await;

    // Bad input changes nothing.
    for (body, field) in [
        (review(&id, 0), "rating"),
        (review(&id, 6), "rating"),
        (review(&id, 1_000_000_000_000), "rating"),
        (
            json!({"challengeId": id, "rating": 3, "title": " ", "content": "x"}),
            "title",
        ),
        (
            json!({"challengeId": "nope", "rating": 3, "title": "t", "content": "x"}),
            "challengeId",
        ),
    ] {
        let (status, body) = app.post("/api/reviews", Some(&ada.access), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let named: Vec<&str> = body["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["field"].as_str())
            .collect();
        assert!(named.contains(&field), "{field}: {body}");
    }
    let (status, body) = app
        .post(
            "/api/reviews",
            Some(&ada.access),
            review("0123456789abcdef01234567", 4),
        )
        .await;
    assert_error(status, &body, 404, "CHALLENGE_NOT_FOUND");
    let (status, body) = app
        .post("/api/reviews", Some(&ada.access), review(&id, 4))
        .await;
    assert_error(status, &body, 403, "CHALLENGE_NOT_ATTEMPTED");
    let (status, body) = app.post("/api/reviews", None, review(&id, 4)).await;
    assert_error(status, &body, 401, "MISSING_TOKEN");

    scored(&app, &ada, &id).await;
    scored(&app, &bob, &id).await;
    let (status, body) = app
        .post("/api/reviews", Some(&ada.access), review(&id, 4))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let r = &body["data"];
    assert_eq!(r["rating"], 4);
    assert_eq!(r["tags"], json!(["clear", "dp"]));
    assert_eq!(r["userName"], "ada");
    assert_eq!(r["challengeName"], "Two Sum");
    assert_eq!(r["interactions"]["helpful"], 0);
    let ada_review = r["_id"].as_str().unwrap().to_owned();
    let (status, body) = app
        .post("/api/reviews", Some(&ada.access), review(&id, 2))
        .await;
    assert_error(status, &body, 409, "ALREADY_REVIEWED");
    let (status, body) = app
        .post("/api/reviews", Some(&bob.access), review(&id, 1))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let bob_review = body["data"]["_id"].as_str().unwrap().to_owned();

    // The challenge carries its ratings, on its document and its stats.
    let (_, body) = app.get(&format!("/api/challenges/{id}"), None).await;
    assert_eq!(
        body["data"]["stats"]["ratings"],
        json!({"average": 2.5, "count": 2, "histogram": {"1": 1, "2": 0, "3": 0, "4": 1, "5": 0}}),
        "{body}"
    );

    // Lists: per challenge, per user, filtered and sorted.
    let (_, body) = app
        .get(&format!("/api/challenges/{id}/reviews?sort=highest"), None)
        .await;
    assert_eq!(body["data"]["pagination"]["total"], 2, "{body}");
    assert_eq!(body["data"]["data"][0]["rating"], 4);
    let (_, body) = app
        .get(&format!("/api/users/{}/reviews", bob.id), None)
        .await;
    assert_eq!(
        body["data"]["data"][0]["_id"],
        bob_review.as_str(),
        "{body}"
    );
    let (_, body) = app
        .get(&format!("/api/reviews?challengeId={id}&rating=1"), None)
        .await;
    assert_eq!(body["data"]["pagination"]["total"], 1, "{body}");
    let (status, body) = app.get("/api/reviews?rating=9", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = app
        .get("/api/users/0123456789abcdef01234567/reviews", None)
        .await;
    assert_error(status, &body, 404, "USER_NOT_FOUND");

    // Only the author edits; the author, a moderator or an admin deletes.
    let edit = json!({"rating": 5, "title": "Even better", "content": "Second look."});
    let (status, body) = app
        .put(
            &format!("/api/reviews/{ada_review}"),
            Some(&bob.access),
            edit.clone(),
        )
        .await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let (status, body) = app
        .put(
            &format!("/api/reviews/{ada_review}"),
            Some(&ada.access),
            edit,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["rating"], 5);
    assert_eq!(body["data"]["tags"], json!([]));
    let (status, body) = app
        .delete(&format!("/api/reviews/{bob_review}"), Some(&ada.access))
        .await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let (status, body) = app
        .delete(&format!("/api/reviews/{bob_review}"), Some(&admin.access))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.get(&format!("/api/reviews/{bob_review}"), None).await;
    assert_error(status, &body, 404, "REVIEW_NOT_FOUND");
    let (_, body) = app.get(&format!("/api/challenges/{id}/stats"), None).await;
    assert_eq!(
        body["data"]["ratings"]["average"], 5.0,
        "edited to 5, bob's deleted: {body}"
    );
    assert_eq!(body["data"]["ratings"]["count"], 1, "{body}");
    let (status, body) = app
        .post("/api/reviews", Some(&bob.access), review(&id, 3))
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "deleted, bob may review again: {body}"
    );
}

#[tokio::test]
async fn helpful_marks_and_replies_are_exact_and_the_author_answers_as_such() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let id = challenge(&app, &admin, "Two Sum").await;
    let ada = app.verified("ada").await;
    scored(&app, &ada, &id).await;
    let (_, body) = app
        .post("/api/reviews", Some(&ada.access), review(&id, 4))
        .await;
    let rid = body["data"]["_id"].as_str().unwrap().to_owned();
    let helpful = format!("/api/reviews/{rid}/helpful");

    let (status, body) = app.post(&helpful, Some(&ada.access), json!({})).await;
    assert_error(status, &body, 403, "OWN_CONTENT");
    let readers = [app.verified("bob").await, app.verified("cyd").await];
    for r in &readers {
        let (status, body) = app.post(&helpful, Some(&r.access), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["isHelpful"], true);
    }
    let (_, body) = app
        .post(&helpful, Some(&readers[1].access), json!({}))
        .await;
    assert_eq!(body["data"], json!({"isHelpful": false, "helpful": 1}));
    let (_, body) = app
        .get(&format!("/api/reviews/{rid}"), Some(&readers[0].access))
        .await;
    assert_eq!(body["data"]["interactions"]["helpful"], 1, "{body}");
    assert_eq!(body["data"]["interactions"]["isHelpful"], true);

    // The challenge's author (the admin) replies as such; a reader does not.
    let reply = format!("/api/reviews/{rid}/reply");
    let (status, body) = app
        .post(
            &reply,
            Some(&admin.access),
            json!({"content": "Thanks — fixed."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["data"]["isChallengeAuthor"], true);
    let author_reply = body["data"]["_id"].as_str().unwrap().to_owned();
    let (_, body) = app
        .post(
            &reply,
            Some(&readers[0].access),
            json!({"content": "Agreed."}),
        )
        .await;
    assert_eq!(body["data"]["isChallengeAuthor"], false, "{body}");
    let (status, body) = app
        .post(
            &reply,
            Some(&readers[0].access),
            json!({"content": "a\u{0}b"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = app
        .post(
            &format!("/api/reviews/replies/{author_reply}/helpful"),
            Some(&ada.access),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["helpful"], 1);
    let (_, body) = app.get(&format!("/api/reviews/{rid}"), None).await;
    assert_eq!(body["data"]["interactions"]["replyCount"], 2, "{body}");
    let replies = body["data"]["interactions"]["replies"].as_array().unwrap();
    assert_eq!(replies[0]["helpful"], 1);
    assert_eq!(replies[0]["userName"], "admin");
    let (_, body) = app
        .get(&format!("/api/reviews/{rid}/replies?limit=1&page=2"), None)
        .await;
    assert_eq!(body["data"]["data"][0]["content"], "Agreed.", "{body}");

    let (status, body) = app
        .post(
            "/api/reviews/replies/0123456789abcdef01234567/helpful",
            Some(&ada.access),
            json!({}),
        )
        .await;
    assert_error(status, &body, 404, "REPLY_NOT_FOUND");
}

async fn social_titles(app: &TestApp, token: &str) -> Vec<String> {
    let (_, body) = app
        .get("/api/notifications?type=social&limit=100", Some(token))
        .await;
    body["data"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn code_reviews_are_claimed_once_commented_on_real_lines_and_decided_by_the_reviewer() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let id = challenge(&app, &admin, "Two Sum").await;
    let ada = app.verified("ada").await;
    let bob = app.verified("bob").await;
    let cyd = app.verified("cyd").await;
    let (attempt, nonce, _) = crate::scoring::start(&app, &ada, &id).await;
    let sid = crate::scoring::submit(&app, &ada, &id, Some((&attempt, &nonce))).await;

    let (status, body) = app
        .post(
            "/api/code-reviews",
            Some(&bob.access),
            json!({"submissionId": sid}),
        )
        .await;
    assert_error(status, &body, 404, "SUBMISSION_NOT_FOUND");
    let (status, body) = app
        .post(
            "/api/code-reviews",
            Some(&ada.access),
            json!({"submissionId": sid, "message": "Is the loop right?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["data"]["status"], "pending");
    assert_eq!(body["data"]["submission"]["lines"], 1);
    assert!(
        body["data"]["submission"]["code"].is_string(),
        "the author reads the code"
    );
    let cr = body["data"]["_id"].as_str().unwrap().to_owned();
    let (status, body) = app
        .post(
            "/api/code-reviews",
            Some(&ada.access),
            json!({"submissionId": sid}),
        )
        .await;
    assert_error(status, &body, 409, "ALREADY_REQUESTED");

    // The queue shows it to others, without the code.
    let (_, body) = app
        .get(
            "/api/code-reviews?status=pending&language=javascript",
            Some(&cyd.access),
        )
        .await;
    assert_eq!(body["data"]["pagination"]["total"], 1, "{body}");
    let (_, body) = app
        .get(&format!("/api/code-reviews/{cr}"), Some(&cyd.access))
        .await;
    assert!(body["data"]["submission"]["code"].is_null(), "{body}");

    // Claims: not one's own; of two at once, exactly one wins.
    let claim = format!("/api/code-reviews/{cr}/claim");
    let (status, body) = app.post(&claim, Some(&ada.access), json!({})).await;
    assert_error(status, &body, 403, "OWN_SUBMISSION");
    let (first, second) = tokio::join!(
        app.post(&claim, Some(&bob.access), json!({})),
        app.post(&claim, Some(&cyd.access), json!({}))
    );
    let outcomes = [first, second];
    let won: Vec<usize> = (0..2)
        .filter(|i| outcomes[*i].0 == StatusCode::OK)
        .collect();
    assert_eq!(won.len(), 1, "{outcomes:?}");
    let lost = 1 - won[0];
    assert_error(
        outcomes[lost].0,
        &outcomes[lost].1,
        409,
        "INVALID_STATUS_TRANSITION",
    );
    let (reviewer, other) = if won[0] == 0 {
        (&bob, &cyd)
    } else {
        (&cyd, &bob)
    };
    assert_eq!(outcomes[won[0]].1["data"]["status"], "in-review");
    assert!(outcomes[won[0]].1["data"]["submission"]["code"].is_string());

    // Comments on real lines, by the author and the reviewer only.
    let comments = format!("/api/code-reviews/{cr}/comments");
    let (status, body) = app
        .post(
            &comments,
            Some(&reviewer.access),
            json!({"content": "x", "lineNumber": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "lineNumber");
    let (status, body) = app
        .post(
            &comments,
            Some(&reviewer.access),
            json!({"content": "Return the indices you found.", "lineNumber": 1, "type": "issue"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["data"]["type"], "issue");
    assert_eq!(body["data"]["version"], 1);
    let (status, body) = app
        .post(&comments, Some(&other.access), json!({"content": "me too"}))
        .await;
    assert_error(status, &body, 404, "CODE_REVIEW_NOT_FOUND");

    // Decisions: the reviewer's, with a summary and marks 1–10.
    let (status, body) = app
        .put(
            &format!("/api/code-reviews/{cr}/approve"),
            Some(&ada.access),
            json!({"summary": "Self-approved"}),
        )
        .await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let changes = format!("/api/code-reviews/{cr}/request-changes");
    let marks =
        |q: u8| json!({"codeQuality": q, "performance": 5, "readability": 6, "testCoverage": 4});
    let (status, body) = app
        .put(
            &changes,
            Some(&reviewer.access),
            json!({"summary": "Fix it", "metrics": marks(11)}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = app
        .put(
            &changes,
            Some(&reviewer.access),
            json!({"summary": "Fix it", "metrics": marks(7)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["status"], "changes-requested");
    assert_eq!(body["data"]["metrics"]["codeQuality"], 7);
    assert_eq!(
        body["data"]["xpAwarded"], 25,
        "the reviewer is paid through the ledger"
    );
    let (_, body) = app
        .get(
            &format!("/api/users/{}/xp-history", reviewer.id),
            Some(&reviewer.access),
        )
        .await;
    assert_eq!(body["data"]["data"][0]["reason"], "code_reviewed", "{body}");
    assert_eq!(body["data"]["data"][0]["sourceType"], "code_review");
    assert_eq!(body["data"]["data"][0]["source"], cr.as_str());
    let (status, body) = app
        .put(
            &changes,
            Some(&reviewer.access),
            json!({"summary": "Again"}),
        )
        .await;
    assert_error(status, &body, 409, "INVALID_STATUS_TRANSITION");
    assert_eq!(
        body["error"]["details"][0]["value"], "changes-requested",
        "{body}"
    );

    // The author re-requests: back in the queue as version 2; once.
    let again = format!("/api/code-reviews/{cr}/re-request");
    let (status, body) = app.post(&again, Some(&ada.access), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (
            body["data"]["status"].clone(),
            body["data"]["version"].clone()
        ),
        (json!("pending"), json!(2))
    );
    let (status, body) = app.post(&again, Some(&ada.access), json!({})).await;
    assert_error(status, &body, 409, "INVALID_STATUS_TRANSITION");
    let (_, body) = app.get(&comments, Some(&ada.access)).await;
    assert_eq!(body["data"]["data"][0]["version"], 1, "{body}");

    let titles = social_titles(&app, &ada.access).await;
    for expected in [
        "Your code is being reviewed",
        "New comment on your code review",
        "Your code review was sent back with requested changes",
    ] {
        assert!(
            titles.iter().any(|t| t == expected),
            "{expected}: {titles:?}"
        );
    }
    let (status, body) = app.get("/api/code-reviews", None).await;
    assert_error(status, &body, 401, "MISSING_TOKEN");
    let (status, body) = app
        .get("/api/code-reviews?role=all", Some(&bob.access))
        .await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
}
