//! `/analytics/*` over HTTP: figures from the events the contexts record, privacy, the admin's
//! platform overview, the public aggregates and bad ranges.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_error, TestApp};
use crate::scoring::{challenge, failed, scored};

/// `path`'s data once `ready` holds (events reach the store within a fraction of a second).
async fn eventually(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    ready: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..100 {
        let (status, body) = app.get(path, token).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        if ready(&body["data"]) {
            return body["data"].clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{path} never showed the expected figures");
}

/// `path`'s first answer that is not a 200 within two seconds (a changed privacy setting is
/// remembered for at most one).
async fn refused(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    for _ in 0..20 {
        let (status, body) = app.get(path, token).await;
        if status != StatusCode::OK {
            return (status, body);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{path} was still shown after two seconds");
}

#[tokio::test]
async fn a_learners_analytics_follow_their_events_and_their_privacy() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ada = app.verified("ada").await;
    let bob = app.verified("bob").await;
    let two_sum = challenge(&app, &admin, "Two Sum").await;
    scored(&app, &ada, &two_sum).await;
    failed(&app, &ada, &two_sum).await;
    let (status, body) = app
        .post(
            "/api/community/posts",
            Some(&ada.access),
            json!({"title": "My first solve", "content": "It works", "category": "discussion"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let me = |what: &str| format!("/api/analytics/user/{}/{what}", ada.id);
    let overview = eventually(&app, &me("overview"), Some(&ada.access), |d| {
        d["overallStats"]["totalChallenges"] == 2 && d["overallStats"]["posts"] == 1
    })
    .await;
    let stats = &overview["overallStats"];
    assert_eq!(stats["completedChallenges"], 1, "{overview}");
    assert_eq!(stats["completionRate"], 50.0);
    assert_eq!(stats["currentStreak"], 1);
    assert!(stats["xpGained"].as_u64().unwrap() > 0, "{overview}");
    assert!(stats["lastActivityDate"].is_string());
    assert_eq!(
        overview["aggregatedThrough"],
        Value::Null,
        "no day is closed yet"
    );

    let (_, perf) = app.get(&me("performance"), Some(&ada.access)).await;
    let rows = perf["data"]["performanceByType"].as_array().unwrap();
    let dsa = rows.iter().find(|r| r["type"] == "dsa").unwrap();
    assert_eq!(
        (dsa["attempts"].as_u64(), dsa["completed"].as_u64()),
        (Some(2), Some(1)),
        "{perf}"
    );
    assert!(
        dsa["bestScore"].as_f64() > dsa["worstScore"].as_f64(),
        "{perf}"
    );
    let (_, skills) = app.get(&me("skills"), Some(&ada.access)).await;
    let names: Vec<&str> = skills["data"]["skillProgress"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["skill"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"arrays"), "{skills}");
    let (_, times) = app.get(&me("time-distribution"), Some(&ada.access)).await;
    let timed: u64 = times["data"]["timeDistribution"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_u64().unwrap())
        .sum();
    assert_eq!(timed, 2, "{times}");
    let (_, streaks) = app.get(&me("streaks"), Some(&ada.access)).await;
    assert_eq!(streaks["data"]["currentStreak"], 1, "{streaks}");
    let (_, activity) = app.get(&me("activity"), Some(&ada.access)).await;
    let days = activity["data"]["dailyActivity"].as_array().unwrap();
    assert_eq!(days.len(), 30, "{activity}");
    assert_eq!(
        days[29]["submissions"], 2,
        "today is the last day: {activity}"
    );
    let (_, weeks) = app
        .get(
            &format!("{}?granularity=month", me("activity")),
            Some(&ada.access),
        )
        .await;
    let months = weeks["data"]["dailyActivity"].as_array().unwrap();
    assert!(months.len() <= 2, "{weeks}");
    assert_eq!(months.last().unwrap()["submissions"], 2);

    // Others see a public profile's figures; hidden stats are refused to them, not to admins.
    let (status, _) = app.get(&me("overview"), Some(&bob.access)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .put(
            "/api/users/preferences",
            Some(&ada.access),
            json!({"privacy": {"showActivity": false}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Privacy settings are remembered for a second at most.
    let (status, body) = refused(&app, &me("activity"), Some(&bob.access)).await;
    assert_error(status, &body, 403, "ACTIVITY_PRIVATE");
    let (_, body) = app.get(&me("overview"), Some(&bob.access)).await;
    assert_eq!(
        body["data"]["overallStats"]["lastActivityDate"],
        Value::Null,
        "{body}"
    );
    app.put(
        "/api/users/preferences",
        Some(&ada.access),
        json!({"privacy": {"showStats": false}}),
    )
    .await;
    for who in [Some(bob.access.as_str()), None] {
        let (status, body) = refused(&app, &me("skills"), who).await;
        assert_error(status, &body, 403, "STATS_PRIVATE");
    }
    let (status, _) = app.get(&me("skills"), Some(&admin.access)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get(&me("activity"), Some(&ada.access)).await;
    assert_eq!(status, StatusCode::OK, "their own");

    // Bad input changes nothing and says what is wrong.
    let (status, body) = app
        .get(
            "/api/analytics/user/0123456789abcdef01234567/overview",
            Some(&admin.access),
        )
        .await;
    assert_error(status, &body, 404, "USER_NOT_FOUND");
    let (status, body) = app.get("/api/analytics/user/nope/overview", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    for (query, field) in [
        ("from=2016-01-01&to=2026-01-01", "from"),
        ("from=2026-02-10&to=2026-02-01", "to"),
        ("to=2999-01-01", "to"),
    ] {
        let (status, body) = app
            .get(&format!("{}?{query}", me("activity")), Some(&ada.access))
            .await;
        assert_error(status, &body, 400, "VALIDATION_ERROR");
        assert_eq!(
            body["error"]["details"][0]["field"], field,
            "{query}: {body}"
        );
    }
    for query in [
        "granularity=year",
        "from=2026-02-30",
        "from=yesterday",
        "limit=3",
    ] {
        let (status, body) = app
            .get(&format!("{}?{query}", me("activity")), Some(&ada.access))
            .await;
        assert_error(status, &body, 400, "QUERY_VALIDATION_ERROR");
    }

    // The admin's platform overview.
    let (status, body) = app
        .get("/api/analytics/platform/overview", Some(&bob.access))
        .await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let (status, body) = app.get("/api/analytics/platform/overview", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let platform = eventually(
        &app,
        "/api/analytics/platform/overview",
        Some(&admin.access),
        |d| d["submissions"] == 2,
    )
    .await;
    assert_eq!(platform["successfulSubmissions"], 1, "{platform}");
    assert_eq!(platform["successRate"], 50.0);
    assert!(platform["newUsers"].as_u64().unwrap() >= 2, "{platform}");
    assert!(
        platform["dailyActiveUsers"].as_u64().unwrap() >= 2,
        "{platform}"
    );
    assert!(platform["totalUsers"].as_u64().unwrap() >= 3, "{platform}");
    let cohorts = platform["retention"].as_array().unwrap();
    assert!(!cohorts.is_empty(), "{platform}");
    assert_eq!(
        cohorts[0]["retained"],
        json!([null, null, null, null]),
        "weeks not over"
    );
}

#[tokio::test]
async fn public_aggregates_count_everyone_and_name_only_public_users() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ada = app.verified("ada").await;
    let eve = app.verified("eve").await;
    let two_sum = challenge(&app, &admin, "Two Sum").await;
    scored(&app, &ada, &two_sum).await;
    scored(&app, &eve, &two_sum).await;
    app.put(
        "/api/users/preferences",
        Some(&eve.access),
        json!({"privacy": {"profilePublic": false}}),
    )
    .await;
    for (who, title) in [(&ada, "Ada's"), (&eve, "Eve's"), (&eve, "Eve's again")] {
        let (status, body) = app
            .post(
                "/api/community/posts",
                Some(&who.access),
                json!({"title": title, "content": "Shared", "category": "discussion"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    let stats = eventually(&app, "/api/analytics/community/stats", None, |d| {
        d["days"]
            .as_array()
            .and_then(|days| days.last())
            .is_some_and(|t| t["contentStats"]["postsToday"] == 3)
    })
    .await;
    let today = stats["days"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(stats["days"].as_array().unwrap().len(), 30);
    assert_eq!(today["contentStats"]["totalPosts"], 3, "{today}");
    assert!(
        today["memberStats"]["activeToday"].as_u64().unwrap() >= 2,
        "{today}"
    );
    assert!(
        today["memberStats"]["newMembersToday"].as_u64().unwrap() >= 2,
        "{today}"
    );
    let named: Vec<&str> = today["memberStats"]["topContributors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["userName"].as_str().unwrap())
        .collect();
    assert_eq!(named, vec!["ada"], "eve's profile is private: {today}");

    let challenges = eventually(&app, "/api/analytics/challenges/stats", None, |d| {
        d["attempts"] == 2
    })
    .await;
    let row = &challenges["challenges"][0];
    assert_eq!(row["challengeId"], two_sum.as_str(), "{challenges}");
    assert_eq!(row["title"], "Two Sum");
    assert_eq!(
        (row["players"].as_u64(), row["successRate"].as_f64()),
        (Some(2), Some(100.0))
    );

    let (status, body) = app
        .get("/api/analytics/templates/popular?limit=5", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["templates"], json!([]));
    for query in ["limit=0", "limit=51", "from=2026-13-01"] {
        let (status, body) = app
            .get(&format!("/api/analytics/templates/popular?{query}"), None)
            .await;
        assert_error(status, &body, 400, "QUERY_VALIDATION_ERROR");
    }
    let (status, body) = app
        .get(
            "/api/analytics/community/stats?from=2020-01-01&to=2026-01-01",
            None,
        )
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
}
