//! The web client's contract (`../shared/spec/CLIENT-CONTRACT.md`), row by row, on seeded data:
//! the exact query strings it sends, the envelope, nested pagination, `_id` strings, embedded
//! authors and every field it reads, with the JSON types it expects.

use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

fn id(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 24 && s.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A JSON type check.
type Check = fn(&Value) -> bool;

/// Asserts every `path` (dot-separated; numbers index arrays) of `v` satisfies its check.
fn shape(v: &Value, fields: &[(&str, Check)]) {
    for (path, check) in fields {
        let mut at = v;
        for key in path.split('.') {
            at = match key.parse::<usize>() {
                Ok(i) if at.is_array() => &at[i],
                _ => &at[key],
            };
        }
        assert!(check(at), "{path} = {at} in {v}");
    }
}

fn string(v: &Value) -> bool {
    v.is_string()
}
fn number(v: &Value) -> bool {
    v.is_number()
}
fn boolean(v: &Value) -> bool {
    v.is_boolean()
}
fn array(v: &Value) -> bool {
    v.is_array()
}
fn object(v: &Value) -> bool {
    v.is_object()
}
fn string_or_null(v: &Value) -> bool {
    v.is_string() || v.is_null()
}
fn number_or_null(v: &Value) -> bool {
    v.is_number() || v.is_null()
}

/// `GET path` succeeds with the success envelope; returns `data`.
async fn ok(app: &TestApp, path: &str, token: Option<&str>) -> Value {
    let (status, body) = app.get(path, token).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    assert_eq!(body["success"], true, "{path}");
    assert!(body["timestamp"].is_string(), "{path}");
    body["data"].clone()
}

/// A nested page: `{data: [...], pagination: {page, limit, total, pages, hasNext, hasPrev}}`.
fn page(data: &Value, limit: u64) -> Vec<Value> {
    let p = &data["pagination"];
    shape(
        p,
        &[
            ("page", number),
            ("total", number),
            ("pages", number),
            ("hasNext", boolean),
            ("hasPrev", boolean),
        ],
    );
    assert_eq!(p["limit"], limit, "{p}");
    let total = p["total"].as_u64().unwrap();
    assert_eq!(p["pages"], total.div_ceil(limit));
    data["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn every_row_of_the_client_contract_answers_with_the_shapes_the_client_reads() {
    let app = TestApp::spawn_with(Options {
        seed: true,
        ..Options::default()
    })
    .await;

    // Auth flow.
    let (status, body) = app
        .post(
            "/api/auth/register",
            None,
            json!({"email": "  Grace@Example.com ", "username": "grace", "password": PASSWORD,
                   "firstName": "Grace", "lastName": "Hopper"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let user = &body["data"]["user"];
    shape(
        user,
        &[
            ("_id", id),
            ("id", id),
            ("email", string),
            ("username", string),
        ],
    );
    assert_eq!(user["email"], "grace@example.com");
    assert_eq!(user["emailVerified"], false);
    let (_, login) = app
        .post(
            "/api/auth/login",
            None,
            json!({"identifier": "grace", "password": PASSWORD}),
        )
        .await;
    shape(
        &login["data"],
        &[
            ("user._id", id),
            ("tokens.accessToken", string),
            ("tokens.refreshToken", string),
        ],
    );
    let (_, refreshed) = app
        .post(
            "/api/auth/refresh",
            None,
            json!({"refreshToken": login["data"]["tokens"]["refreshToken"]}),
        )
        .await;
    let access = refreshed["data"]["tokens"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let refresh = refreshed["data"]["tokens"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = user["_id"].as_str().unwrap().to_owned();
    let token = Some(access.as_str());

    // Users.
    let profile = ok(&app, "/api/users/profile", token).await;
    shape(
        &profile,
        &[
            ("_id", id),
            ("email", string),
            ("username", string),
            ("profile.firstName", string),
            ("stats.level", number),
            ("stats.xp", number),
            ("stats.totalChallenges", number),
            ("stats.completedChallenges", number),
            ("stats.streak", number),
            ("preferences.theme", string),
            ("preferences.notifications.email", boolean),
            ("preferences.notifications.achievements", boolean),
            ("preferences.privacy.profilePublic", boolean),
            ("preferences.privacy.showStats", boolean),
            ("roles", array),
            ("isActive", boolean),
            ("emailVerified", boolean),
            ("createdAt", string),
            ("updatedAt", string),
        ],
    );
    assert!(profile.get("password").is_none() && profile.get("passwordHash").is_none());
    let public = ok(&app, "/api/users/username/grace", None).await;
    shape(&public, &[("_id", id), ("username", string)]);

    // Challenges (seeded), with the client's query strings.
    let list = ok(
        &app,
        "/api/challenges?page=1&limit=12&search=&type=dsa&difficulty=easy&sort=createdAt&order=desc",
        None,
    )
    .await;
    let challenges = page(&list, 12);
    assert!(!challenges.is_empty(), "seeded: {list}");
    for c in &challenges {
        shape(
            c,
            &[
                ("_id", id),
                ("type", string),
                ("difficulty", string),
                ("title", string),
                ("description", string),
                ("category", string),
                ("timeLimit", number),
                ("tags", array),
                ("author.username", string),
                ("scenario.background", string),
                ("stats.difficultyRating", number),
                ("stats.totalAttempts", number),
                ("stats.averageScore", number),
                ("stats.completionRate", number),
            ],
        );
        assert_eq!(c["type"], "dsa");
        assert_eq!(c["difficulty"], "Easy");
        assert!(c["content"]["solution"].is_null(), "no solutions in lists");
    }
    let tag = challenges[0]["tags"][0].as_str().unwrap().to_owned();
    let tagged = ok(
        &app,
        &format!("/api/challenges?tags={tag}&tags=none-such&limit=10"),
        None,
    )
    .await;
    assert!(!page(&tagged, 10).is_empty());
    let popular = ok(&app, "/api/challenges/popular?limit=5", None).await;
    assert!(popular
        .as_array()
        .is_some_and(|a| !a.is_empty() && a.len() <= 5));
    let categories = ok(&app, "/api/challenges/categories", None).await;
    assert!(categories
        .as_object()
        .is_some_and(|m| m.values().all(Value::is_number)));
    let slug = challenges[0]["slug"].as_str().unwrap();
    let one = ok(&app, &format!("/api/challenges/slug/{slug}"), None).await;
    assert_eq!(one["_id"], challenges[0]["_id"]);
    let challenge = challenges[0]["_id"].as_str().unwrap().to_owned();

    // Submit and post the browser's results (alias of /score).
    let (_, started) = app
        .post(
            &format!("/api/challenges/{challenge}/start"),
            token,
            json!({}),
        )
        .await;
    let tests = started["data"]["tests"].as_array().unwrap().clone();
    let (status, submission) = app
        .post(
            "/api/submissions",
            token,
            json!({"challengeId": challenge, "code": "// my answer\nreturn 42;", "language": "javascript",
                   "simulation": {"mode": "standard", "distractionLevel": "low"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{submission}");
    let sub = &submission["data"];
    shape(
        sub,
        &[
            ("_id", id),
            ("user", id),
            ("challenge", id),
            ("code", string),
            ("language", string),
            ("execution.status", string),
            ("simulation.mode", string),
            ("simulation.distractionLevel", string),
            ("metadata.startedAt", string),
            ("metadata.submittedAt", string),
            ("metadata.isCompleted", boolean),
            ("createdAt", string),
        ],
    );
    let sid = sub["_id"].as_str().unwrap().to_owned();
    let results: Vec<Value> = tests
        .iter()
        .map(|t| json!({"testCase": t["_id"], "passed": true, "actualOutput": "42", "executionTime": 3, "error": null}))
        .collect();
    let (status, scored) = app
        .post(
            &format!("/api/submissions/{sid}/results"),
            token,
            json!({"status": "completed", "totalTests": tests.len(), "passedTests": tests.len(),
                   "executionTime": 12, "memoryUsage": 2048, "output": "42", "error": null,
                   "testResults": results, "browserEnvironment": "webcontainer"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{scored}");
    shape(
        &scored["data"],
        &[
            ("_id", id),
            ("execution.status", string),
            ("execution.score", number),
            ("execution.totalTests", number),
            ("execution.passedTests", number),
            ("execution.executionTime", number),
            ("execution.memoryUsage", number),
            ("execution.output", string),
            ("execution.testResults", array),
            ("execution.executedInBrowser", boolean),
            ("execution.browserEnvironment", string),
            ("metadata.isCompleted", boolean),
        ],
    );
    let listed = ok(
        &app,
        &format!("/api/submissions?page=1&limit=10&sort=createdAt&order=desc&status=completed&challenge={challenge}&language=javascript"),
        token,
    )
    .await;
    let rows = page(&listed, 10);
    assert_eq!(rows.len(), 1);
    shape(
        &rows[0],
        &[
            ("challenge._id", id),
            ("challenge.title", string),
            ("challenge.slug", string),
            ("challenge.difficulty", string),
            ("challenge.type", string),
        ],
    );
    let stats = ok(&app, "/api/submissions/stats/user", token).await;
    shape(
        &stats,
        &[
            ("totalSubmissions", number),
            ("completedSubmissions", number),
            ("completionRate", number),
            ("averageScore", number),
            ("bestScore", number),
            ("totalExecutionTime", number),
            ("averageExecutionTime", number),
            ("languageBreakdown.javascript", number),
            ("difficultyBreakdown.Easy", number),
            ("difficultyBreakdown.Medium", number),
            ("difficultyBreakdown.Hard", number),
            ("recentActivity", array),
            ("recentActivity.0.date", string),
            ("recentActivity.0.submissions", number),
            ("recentActivity.0.averageScore", number),
        ],
    );

    // Stats, dashboard, leaderboard.
    let dashboard = ok(&app, "/api/users/dashboard", token).await;
    shape(
        &dashboard,
        &[
            ("profile.firstName", string),
            ("stats.level", number),
            ("stats.xp", number),
            ("stats.completedChallenges", number),
            ("stats.completionRate", number),
            ("stats.averageScore", number),
            ("recentActivity", array),
            ("recentActivity.0.id", id),
            ("recentActivity.0.title", string),
            ("recentActivity.0.type", string),
            ("recentActivity.0.difficulty", string),
            ("recentActivity.0.completedAt", string),
            ("recentActivity.0.score", number),
            ("recentActivity.0.xp", number),
            ("recentActivity.0.timeSpent", number),
            ("recentActivity.0.distractionLevel", string),
            ("streak", number),
            ("rank", number_or_null),
            ("focusRating", number),
            ("focusAnalysis.averageFocus", number),
            ("focusAnalysis.bestStreak", number),
            ("focusAnalysis.distractionResistance", string),
            ("codingStats.linesOfCode", number),
            ("codingStats.bugsFixed", number),
            ("codingStats.codeQuality", number),
            ("weeklyStats.xpGained", number),
            ("weeklyStats.challengesCompleted", number),
            ("weeklyStats.rankChange", number),
        ],
    );
    assert_eq!(dashboard["profile"]["firstName"], "Grace");
    assert!(["Poor", "Fair", "Good", "Excellent"].contains(
        &dashboard["focusAnalysis"]["distractionResistance"]
            .as_str()
            .unwrap()
    ));
    let platform = ok(&app, "/api/users/stats", None).await;
    shape(
        &platform,
        &[
            ("totalUsers", number),
            ("successRate", number),
            ("avgFocusRating", number),
        ],
    );
    let mine = ok(&app, &format!("/api/users/{me}/stats"), token).await;
    shape(
        &mine,
        &[
            ("xp", number),
            ("level", number),
            ("totalChallenges", number),
            ("completedChallenges", number),
            ("completionRate", number),
            ("streak", number),
            ("averageScore", number),
            ("lastActiveDate", string_or_null),
        ],
    );
    for kind in ["xp", "level", "streak", "completed"] {
        let top = ok(
            &app,
            &format!("/api/users/leaderboard?type={kind}&limit=10"),
            None,
        )
        .await;
        for row in top.as_array().unwrap() {
            shape(
                row,
                &[
                    ("_id", id),
                    ("username", string),
                    ("profile", object),
                    ("stats.xp", number),
                    ("stats.level", number),
                    ("stats.completedChallenges", number),
                    ("stats.streak", number),
                ],
            );
        }
    }

    // Achievements (seeded defaults; the first scored submission unlocks "first-submission").
    let achievements = ok(&app, "/api/achievements", None).await;
    assert!(achievements.as_array().unwrap().len() >= 10);
    for a in achievements.as_array().unwrap() {
        shape(
            a,
            &[
                ("_id", id),
                ("name", string),
                ("description", string),
                ("icon", string),
                ("rarity", string),
                ("category", string),
                ("rewards.xp", number),
                ("criteria", object),
            ],
        );
    }
    let unlocked = ok(&app, "/api/achievements/user/me", token).await;
    let unlocked = unlocked.as_array().unwrap();
    assert!(!unlocked.is_empty(), "first submission unlocked");
    shape(
        &unlocked[0],
        &[
            ("achievement._id", id),
            ("achievement.name", string),
            ("achievement.description", string),
            ("achievement.rarity", string),
            ("achievement.icon", string),
            ("unlockedAt", string),
        ],
    );

    // Notifications (the unlock arrived), with the client's query and both verbs.
    let count = ok(&app, "/api/notifications/unread/count", token).await;
    assert!(count["count"].as_u64().unwrap() >= 1, "{count}");
    let notes = ok(
        &app,
        "/api/notifications?limit=20&sort=createdAt&order=desc&isRead=false&type=achievement",
        token,
    )
    .await;
    let notes = page(&notes, 20);
    shape(
        &notes[0],
        &[
            ("_id", id),
            ("recipient", id),
            ("type", string),
            ("title", string),
            ("message", string),
            ("data", object),
            ("priority", string),
            ("status.isRead", boolean),
            ("status.readAt", string_or_null),
            ("status.isDelivered", boolean),
            ("status.deliveredAt", string_or_null),
            ("createdAt", string),
            ("expiresAt", string_or_null),
        ],
    );
    let nid = notes[0]["_id"].as_str().unwrap();
    for method in [Method::PATCH, Method::PUT] {
        let response = app
            .call(
                method.clone(),
                &format!("/api/notifications/{nid}/read"),
                token,
                Some(json!({})),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{method}");
        let response = app
            .call(
                method.clone(),
                "/api/notifications/read-all",
                token,
                Some(json!({})),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{method}");
    }
    assert_eq!(
        ok(&app, "/api/notifications/count", token).await["count"],
        0
    );

    // Focus sessions.
    let end = Utc::now() - Duration::minutes(1);
    let (status, focus) = app
        .post(
            "/api/focus-sessions",
            token,
            json!({"challengeId": challenge, "startTime": (end - Duration::minutes(25)).to_rfc3339(),
                   "endTime": end.to_rfc3339(), "distractionsEncountered": 1, "focusScore": 77,
                   "environment": "zen"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{focus}");
    shape(
        &focus["data"],
        &[
            ("_id", id),
            ("challengeId", id),
            ("startTime", string),
            ("endTime", string),
            ("distractionsEncountered", number),
            ("focusScore", number),
            ("environment", string),
        ],
    );
    let fid = focus["data"]["_id"].as_str().unwrap();
    page(
        &ok(&app, "/api/focus-sessions?page=1&limit=10", token).await,
        10,
    );
    shape(
        &ok(&app, "/api/focus-sessions/stats", token).await,
        &[("totalSessions", number), ("averageFocus", number)],
    );
    assert!(ok(&app, "/api/focus-sessions/recent", token)
        .await
        .is_array());
    assert_eq!(
        ok(&app, &format!("/api/focus-sessions/{fid}"), token).await["_id"],
        fid
    );
    let (status, _) = app
        .delete(&format!("/api/focus-sessions/{fid}"), token)
        .await;
    assert_eq!(status, StatusCode::OK);

    // The community, learning and templates lists (empty here), and health.
    for path in [
        "/api/community/posts?limit=6&category=help&tags=rust&search=hi",
        "/api/learning/playlists?limit=6&category=dsa&difficulty=Easy&search=hi",
        "/api/templates?limit=6&category=web-dev&framework=React&difficulty=Beginner&search=hi",
    ] {
        page(&ok(&app, path, None).await, 6);
    }
    for path in ["/health", "/api/health"] {
        let (status, body) = app.get(path, None).await;
        assert_eq!(status, StatusCode::OK);
        shape(
            &body["data"],
            &[
                ("status", string),
                ("timestamp", string),
                ("uptime", number),
            ],
        );
    }

    // Logout ends the session.
    let (status, _) = app
        .post("/api/auth/logout", token, json!({"refreshToken": refresh}))
        .await;
    assert_eq!(status, StatusCode::OK);
}
