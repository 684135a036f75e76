//! Focus sessions over HTTP, in the client's model.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

fn session(minutes_ago: i64, length: i64, focus: u32, environment: &str) -> serde_json::Value {
    let end = Utc::now() - Duration::minutes(minutes_ago);
    json!({
        "startTime": (end - Duration::minutes(length)).to_rfc3339(),
        "endTime": end.to_rfc3339(),
        "distractionsEncountered": 2,
        "focusScore": focus,
        "environment": environment,
    })
}

#[tokio::test]
async fn sessions_are_recorded_listed_summed_and_private() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up("ada").await;
    let eve = app.signed_up("eve").await;
    let (status, created) = app
        .post(
            "/api/focus-sessions",
            Some(&ada.access),
            session(60, 30, 90, "zen"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["data"]["duration"], 30.0);
    assert_eq!(created["data"]["environment"], "zen");
    let id = created["data"]["_id"].as_str().unwrap().to_owned();
    app.post(
        "/api/focus-sessions",
        Some(&ada.access),
        session(10, 20, 50, "interview"),
    )
    .await;

    let (_, list) = app
        .get(
            "/api/focus-sessions?page=1&limit=10&sort=focusScore&order=desc",
            Some(&ada.access),
        )
        .await;
    assert_eq!(list["data"]["pagination"]["total"], 2, "{list}");
    assert_eq!(list["data"]["data"][0]["focusScore"], 90);
    let (_, zen) = app
        .get("/api/focus-sessions?environment=zen", Some(&ada.access))
        .await;
    assert_eq!(zen["data"]["pagination"]["total"], 1);
    let (_, recent) = app
        .get("/api/focus-sessions/recent?limit=1", Some(&ada.access))
        .await;
    assert_eq!(recent["data"].as_array().unwrap().len(), 1);
    assert_eq!(recent["data"][0]["focusScore"], 50, "newest first");
    let (_, stats) = app
        .get("/api/focus-sessions/stats", Some(&ada.access))
        .await;
    assert_eq!(stats["data"]["totalSessions"], 2, "{stats}");
    assert_eq!(stats["data"]["averageFocus"], 70.0);
    assert_eq!(stats["data"]["totalMinutes"], 50.0);
    assert_eq!(stats["data"]["byEnvironment"]["zen"], 1);
    assert_eq!(stats["data"]["distractionResistance"], "Good");

    let (status, body) = app
        .get(&format!("/api/focus-sessions/{id}"), Some(&eve.access))
        .await;
    assert_error(status, &body, 404, "FOCUS_SESSION_NOT_FOUND");
    let (status, body) = app
        .delete(&format!("/api/focus-sessions/{id}"), Some(&eve.access))
        .await;
    assert_error(status, &body, 404, "FOCUS_SESSION_NOT_FOUND");
    let (status, _) = app
        .get(&format!("/api/focus-sessions/{id}"), Some(&ada.access))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .delete(&format!("/api/focus-sessions/{id}"), Some(&ada.access))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, stats) = app
        .get("/api/focus-sessions/stats", Some(&eve.access))
        .await;
    assert_eq!(stats["data"]["totalSessions"], 0);
}

#[tokio::test]
async fn bad_sessions_are_refused_and_links_must_be_the_callers_own() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up("ada").await;
    let mut backwards = session(10, 30, 50, "zen");
    let (s, e) = (backwards["startTime"].clone(), backwards["endTime"].clone());
    backwards["startTime"] = e;
    backwards["endTime"] = s;
    let (status, body) = app
        .post("/api/focus-sessions", Some(&ada.access), backwards)
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    assert_eq!(body["error"]["details"][0]["field"], "endTime");
    let mut too_focused = session(10, 30, 50, "zen");
    too_focused["focusScore"] = json!(101);
    let (status, _) = app
        .post("/api/focus-sessions", Some(&ada.access), too_focused)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let mut linked = session(10, 30, 50, "zen");
    linked["submissionId"] = json!("0123456789abcdef01234567");
    let (status, body) = app
        .post("/api/focus-sessions", Some(&ada.access), linked)
        .await;
    assert_error(status, &body, 404, "SUBMISSION_NOT_FOUND");
    let (status, body) = app
        .post("/api/focus-sessions", None, session(10, 30, 50, "zen"))
        .await;
    assert_error(status, &body, 401, "MISSING_TOKEN");
    let (_, stats) = app
        .get("/api/focus-sessions/stats", Some(&ada.access))
        .await;
    assert_eq!(stats["data"]["totalSessions"], 0, "nothing stored");
}

#[tokio::test]
async fn a_session_fills_the_simulation_of_the_submission_written_in_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ada = app.signed_up("ada").await;
    let challenge = crate::scoring::challenge(&app, &admin, "Focus target").await;
    let session_start = Utc::now() - Duration::minutes(2);
    let (attempt, nonce, _) = crate::scoring::start(&app, &ada, &challenge).await;
    let submission = crate::scoring::submit(&app, &ada, &challenge, Some((&attempt, &nonce))).await;
    let body = json!({
        "challengeId": challenge,
        "startTime": session_start.to_rfc3339(),
        "endTime": Utc::now().to_rfc3339(),
        "distractionsEncountered": 5,
        "focusScore": 73,
        "environment": "interview",
    });
    let (status, recorded) = app
        .post("/api/focus-sessions", Some(&ada.access), body.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{recorded}");
    assert_eq!(recorded["data"]["submissionId"], submission.as_str());
    let (_, stored) = app
        .get(&format!("/api/submissions/{submission}"), Some(&ada.access))
        .await;
    let simulation = &stored["data"]["simulation"];
    assert_eq!(simulation["mode"], "interview");
    assert_eq!(simulation["distractionsEncountered"], 5);
    assert_eq!(simulation["focusScore"], 73);
    assert_eq!(simulation["timeSpent"], 2);

    // Another user's session on the same challenge links nothing of ada's.
    let bob = app.signed_up("bob").await;
    let (status, theirs) = app
        .post("/api/focus-sessions", Some(&bob.access), body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{theirs}");
    assert!(theirs["data"]["submissionId"].is_null(), "{theirs}");
}

#[tokio::test]
async fn instants_outside_1970_to_9999_are_refused_everywhere() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up("ada").await;
    let token = Some(ada.access.as_str());
    let mut ancient = session(10, 30, 80, "zen");
    ancient["startTime"] = json!("0000-01-01T00:00:00Z");
    ancient["endTime"] = json!("0000-01-01T00:30:00Z");
    let (status, answer) = app.post("/api/focus-sessions", token, ancient).await;
    assert_error(status, &answer, 400, "VALIDATION_ERROR");
    let named: Vec<&str> = answer["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["field"].as_str())
        .collect();
    assert!(
        named.contains(&"startTime") && named.contains(&"endTime"),
        "{answer}"
    );
    let (_, list) = app.get("/api/focus-sessions", token).await;
    assert_eq!(list["data"]["pagination"]["total"], 0, "nothing stored");
    for path in [
        "/api/focus-sessions?from=0000-01-01T00:00:00Z",
        "/api/submissions?to=0001-01-01T00:00:00Z",
        "/api/notifications?from=1969-12-31T23:59:59Z",
    ] {
        let (status, answer) = app.get(path, token).await;
        assert_error(status, &answer, 400, "QUERY_VALIDATION_ERROR");
        let field = answer["error"]["details"][0]["field"].as_str().unwrap();
        assert!(["from", "to"].contains(&field), "{path}: {answer}");
    }
    let admin = app.admin().await;
    let (status, answer) = app
        .post(
            "/api/notifications",
            Some(&admin.access),
            json!({"recipient": ada.id, "title": "t", "message": "m", "expiresAt": "0001-01-01T00:00:00Z"}),
        )
        .await;
    assert_error(status, &answer, 400, "VALIDATION_ERROR");
    assert_eq!(
        answer["error"]["details"][0]["field"], "expiresAt",
        "{answer}"
    );
}
