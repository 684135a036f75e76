//! The dashboard and user stats the client reads, computed from real activity.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

async fn solve(app: &TestApp, s: &Session, challenge: &str, right: bool) {
    let (_, started) = app
        .post(
            &format!("/api/challenges/{challenge}/start"),
            Some(&s.access),
            json!({"distractionLevel": "high"}),
        )
        .await;
    let attempt = &started["data"]["attempt"];
    let results: Vec<Value> = started["data"]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let out = match (t["isHidden"] == true, right) {
                (true, true) => "HIDDEN-OUTPUT",
                (true, false) => "wrong",
                (false, _) => "[0,1]",
            };
            json!({"testCase": t["_id"], "actualOutput": out})
        })
        .collect();
    let (status, submission) = app
        .post(
            "/api/submissions",
            Some(&s.access),
            json!({"challengeId": challenge, "code": "function f() {\n  return [0, 1];\n}",
                   "language": "javascript",
                   "attempt": {"id": attempt["_id"], "nonce": attempt["nonce"]}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{submission}");
    let id = submission["data"]["_id"].as_str().unwrap();
    let (status, body) = app
        .post(
            &format!("/api/submissions/{id}/results"),
            Some(&s.access),
            json!({"status": "completed", "testResults": results}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn the_dashboard_reflects_submissions_rank_focus_and_this_week() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (_, created) = app
        .post(
            "/api/challenges",
            Some(&admin.access),
            crate::challenges::challenge_body("Two Sum"),
        )
        .await;
    let challenge = created["data"]["_id"].as_str().unwrap().to_owned();
    let ada = app.signed_up("ada").await;
    let (_, empty) = app.get("/api/users/dashboard", Some(&ada.access)).await;
    assert_eq!(empty["data"]["stats"]["xp"], 0, "{empty}");
    assert!(empty["data"]["rank"].is_null());
    assert_eq!(empty["data"]["recentActivity"], json!([]));
    assert_eq!(
        empty["data"]["focusAnalysis"]["distractionResistance"],
        "Poor"
    );

    solve(&app, &ada, &challenge, false).await;
    solve(&app, &ada, &challenge, true).await;
    let end = Utc::now() - Duration::minutes(1);
    app.post(
        "/api/focus-sessions",
        Some(&ada.access),
        json!({"challengeId": challenge, "startTime": (end - Duration::minutes(20)).to_rfc3339(),
               "endTime": end.to_rfc3339(), "focusScore": 85, "distractionsEncountered": 1,
               "environment": "interview"}),
    )
    .await;

    let (status, body) = app.get("/api/users/dashboard", Some(&ada.access)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let d = &body["data"];
    assert_eq!(d["profile"]["username"], "ada");
    assert!(d["profile"].get("firstName").is_some());
    assert_eq!(d["stats"]["level"], 1);
    assert_eq!(d["stats"]["xp"], 100);
    assert_eq!(d["stats"]["completedChallenges"], 1);
    assert_eq!(d["stats"]["completionRate"], 50.0);
    assert_eq!(
        d["stats"]["averageScore"], 63.75,
        "(27.5 + 100 capped) / 2, with the 1.1 time factor"
    );
    let recent = d["recentActivity"].as_array().unwrap();
    assert_eq!(recent.len(), 2);
    assert_eq!(recent[0]["title"], "Two Sum");
    assert_eq!(recent[0]["type"], "dsa");
    assert_eq!(recent[0]["difficulty"], "Easy");
    assert_eq!(recent[0]["xp"], 100, "newest first: the success");
    assert_eq!(recent[0]["distractionLevel"], "high", "the attempt's level");
    assert!(recent[0]["timeSpent"].is_number() && recent[0]["completedAt"].is_string());
    assert_eq!(d["streak"], 1);
    assert_eq!(d["rank"], 1);
    assert_eq!(d["focusRating"], 85.0);
    assert_eq!(d["focusAnalysis"]["averageFocus"], 85.0);
    assert_eq!(d["focusAnalysis"]["bestStreak"], 1);
    assert_eq!(d["focusAnalysis"]["distractionResistance"], "Excellent");
    assert_eq!(d["codingStats"]["linesOfCode"], 6);
    assert_eq!(d["codingStats"]["bugsFixed"], 0);
    assert_eq!(d["codingStats"]["codeQuality"], 100.0);
    assert_eq!(d["weeklyStats"]["xpGained"], 100);
    assert_eq!(d["weeklyStats"]["challengesCompleted"], 1);
    assert_eq!(d["weeklyStats"]["rankChange"], 0, "alone on the board");

    let (status, stats) = app.get(&format!("/api/users/{}/stats", ada.id), None).await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    let s = &stats["data"];
    assert_eq!(s["xp"], 100);
    assert_eq!(s["totalChallenges"], 2);
    assert_eq!(s["completedChallenges"], 1);
    assert_eq!(s["completionRate"], 50.0);
    assert_eq!(s["averageScore"], 63.75);
    assert!(s["lastActiveDate"].is_string());
    let (status, body) = app.get("/api/users/dashboard", None).await;
    assert_error(status, &body, 401, "MISSING_TOKEN");

    let (status, platform) = app.get("/api/users/stats", None).await;
    assert_eq!(status, StatusCode::OK, "{platform}");
    assert_eq!(platform["data"]["totalUsers"], 2, "the admin and ada");
    assert_eq!(platform["data"]["successRate"], 50.0);
    assert_eq!(platform["data"]["avgFocusRating"], 85.0);
}
