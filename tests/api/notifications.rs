//! The notification centre over HTTP: producers, preferences, the polled unread count, actions.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

async fn send(app: &TestApp, admin: &Session, body: Value) -> Value {
    let (status, created) = app
        .post("/api/notifications", Some(&admin.access), body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created
}

async fn unread(app: &TestApp, s: &Session) -> u64 {
    let (status, body) = app
        .get("/api/notifications/unread/count", Some(&s.access))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"]["count"].as_u64().unwrap()
}

/// Admin makes a 1,000 XP achievement of `rarity` for one solve and a challenge; `who` signs up
/// and solves it (1,100 XP: level 2).
async fn solve_a_first_challenge(app: &TestApp, who: &str, rarity: &str) -> Session {
    let admin = app.admin().await;
    let (status, body) = app
        .post(
            "/api/achievements",
            Some(&admin.access),
            json!({"key": "first-solve", "name": "First Solve", "description": "One solve.",
                   "category": "beginner", "rarity": rarity,
                   "criteria": {"type": "challenge_count", "target": 1}, "rewards": {"xp": 1000}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, created) = app
        .post(
            "/api/challenges",
            Some(&admin.access),
            crate::challenges::challenge_body("Two Sum"),
        )
        .await;
    let challenge = created["data"]["_id"].as_str().unwrap().to_owned();
    let ada = app.signed_up(who).await;
    assert_eq!(unread(app, &ada).await, 0);
    let (_, started) = app
        .post(
            &format!("/api/challenges/{challenge}/start"),
            Some(&ada.access),
            json!({}),
        )
        .await;
    let results: Vec<Value> = started["data"]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let out = if t["isHidden"] == true {
                "HIDDEN-OUTPUT"
            } else {
                "[0,1]"
            };
            json!({"testCase": t["_id"], "actualOutput": out})
        })
        .collect();
    let (_, submission) = app
        .post(
            "/api/submissions",
            Some(&ada.access),
            json!({"challengeId": challenge, "code": "return [0, 1]", "language": "javascript"}),
        )
        .await;
    let id = submission["data"]["_id"].as_str().unwrap();
    let (status, scored) = app
        .post(
            &format!("/api/submissions/{id}/results"),
            Some(&ada.access),
            json!({"status": "completed", "testResults": results}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{scored}");
    ada
}

#[tokio::test]
async fn a_scored_submission_that_unlocks_an_achievement_shows_up_as_unread() {
    let app = TestApp::spawn().await;
    let ada = solve_a_first_challenge(&app, "ada", "common").await;

    // The achievement and the level-up (1,100 XP: level 2) arrive, once each.
    assert_eq!(unread(&app, &ada).await, 2);
    let (_, list) = app
        .get(
            "/api/notifications?limit=10&sort=createdAt&order=desc&isRead=false&type=achievement",
            Some(&ada.access),
        )
        .await;
    let titles: Vec<&str> = list["data"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"Achievement unlocked: First Solve"),
        "{list}"
    );
    assert!(
        !titles.contains(&"Level 2 reached"),
        "a level is not an achievement: {list}"
    );
    let first = &list["data"]["data"][0];
    assert_eq!(first["recipient"], ada.id.as_str());
    assert_eq!(first["status"]["isRead"], false);
    assert_eq!(first["status"]["isDelivered"], true);
    assert!(first["expiresAt"].is_string());
    assert_eq!(list["data"]["pagination"]["total"], 1);
    let (_, levels) = app
        .get("/api/notifications?type=level", Some(&ada.access))
        .await;
    assert_eq!(
        levels["data"]["data"][0]["title"], "Level 2 reached",
        "{levels}"
    );
    assert_eq!(levels["data"]["data"][0]["type"], "level");
    // The same event again (a re-check) notifies nobody twice.
    app.post("/api/achievements/check", Some(&ada.access), json!({}))
        .await;
    assert_eq!(unread(&app, &ada).await, 2);
}

#[tokio::test]
async fn the_unread_count_is_etagged_and_read_marks_move_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ada = app.signed_up("ada").await;
    let eve = app.signed_up("eve").await;
    for title in ["One", "Two", "Three"] {
        send(
            &app,
            &admin,
            json!({"recipient": ada.id, "title": title, "message": "Hello"}),
        )
        .await;
    }
    let response = app
        .call(
            Method::GET,
            "/api/notifications/count",
            Some(&ada.access),
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    assert!(response.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("private"));
    let (_, body) = split(response).await;
    assert_eq!(body["data"]["count"], 3);
    let again = app
        .client
        .get(app.url("/api/notifications/unread/count"))
        .bearer_auth(&ada.access)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    assert!(again.text().await.unwrap().is_empty());

    let (_, list) = app.get("/api/notifications", Some(&ada.access)).await;
    let ids: Vec<String> = list["data"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["_id"].as_str().unwrap().to_owned())
        .collect();
    let (status, body) = app
        .put(
            &format!("/api/notifications/{}/read", ids[0]),
            Some(&eve.access),
            json!({}),
        )
        .await;
    assert_error(status, &body, 404, "NOTIFICATION_NOT_FOUND");
    let (status, _) = app
        .patch(
            &format!("/api/notifications/{}/read", ids[0]),
            Some(&ada.access),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let changed = app
        .client
        .get(app.url("/api/notifications/unread/count"))
        .bearer_auth(&ada.access)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(
        changed.status(),
        StatusCode::OK,
        "the count moved, so the tag did"
    );
    let (_, body) = split(changed).await;
    assert_eq!(body["data"]["count"], 2);
    let (status, body) = app
        .put("/api/notifications/read-all", Some(&ada.access), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["updated"], 2);
    assert_eq!(unread(&app, &ada).await, 0);
    let (status, _) = app
        .patch("/api/notifications/read-all", Some(&ada.access), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, body) = app
        .delete(&format!("/api/notifications/{}", ids[1]), Some(&eve.access))
        .await;
    assert_error(status, &body, 404, "NOTIFICATION_NOT_FOUND");
    let (status, _) = app
        .delete(&format!("/api/notifications/{}", ids[1]), Some(&ada.access))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = app
        .get("/api/notifications?isRead=true", Some(&ada.access))
        .await;
    assert_eq!(list["data"]["pagination"]["total"], 2);
    let (status, body) = app.get("/api/notifications/count", None).await;
    assert_error(status, &body, 401, "MISSING_TOKEN");
}

#[tokio::test]
async fn admins_create_in_bulk_and_preferences_and_dedup_keys_apply() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ada = app.signed_up("ada").await;
    let bob = app.signed_up("bob").await;
    let (status, body) = app
        .post(
            "/api/notifications",
            Some(&ada.access),
            json!({"recipient": bob.id, "title": "t", "message": "m"}),
        )
        .await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let (status, _) = app
        .put(
            "/api/users/preferences",
            Some(&bob.access),
            json!({"notifications": {"challenges": false}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .post(
            "/api/notifications/bulk",
            Some(&admin.access),
            json!({"notifications": [
                {"recipient": ada.id, "type": "challenge", "title": "New challenge", "message": "m", "priority": "urgent"},
                {"recipient": bob.id, "type": "challenge", "title": "New challenge", "message": "m"},
                {"recipient": bob.id, "title": "Maintenance", "message": "m", "dedupKey": "maint-1", "data": {"at": "02:00"}},
                {"recipient": bob.id, "title": "Maintenance", "message": "m", "dedupKey": "maint-1"},
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["data"], json!({"stored": 2, "skipped": 2}));
    let (_, list) = app
        .get("/api/notifications/type/system", Some(&bob.access))
        .await;
    assert_eq!(list["data"]["pagination"]["total"], 1, "{list}");
    assert_eq!(list["data"]["data"][0]["data"]["at"], "02:00");
    let (_, list) = app
        .get("/api/notifications/type/challenge", Some(&bob.access))
        .await;
    assert_eq!(
        list["data"]["pagination"]["total"], 0,
        "bob turned challenge notifications off"
    );
    let (_, list) = app
        .get("/api/notifications?priority=urgent", Some(&ada.access))
        .await;
    assert_eq!(list["data"]["pagination"]["total"], 1);

    let too_many: Vec<Value> = (0..101)
        .map(|_| json!({"recipient": ada.id, "title": "t", "message": "m"}))
        .collect();
    let (status, body) = app
        .post(
            "/api/notifications/bulk",
            Some(&admin.access),
            json!({"notifications": too_many}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = app
        .post(
            "/api/notifications/bulk",
            Some(&admin.access),
            json!({"notifications": [
                {"recipient": ada.id, "title": "fine", "message": "m"},
                {"recipient": ada.id, "title": "late", "message": "m", "expiresAt": "2001-01-01T00:00:00Z"},
            ]}),
        )
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    assert_eq!(
        body["error"]["details"][0]["field"],
        "notifications[1].expiresAt"
    );
    assert_eq!(
        unread(&app, &ada).await,
        1,
        "nothing of the rejected batch was stored"
    );
    let (status, body) = app
        .get("/api/notifications/type/bogus", Some(&ada.access))
        .await;
    assert_error(status, &body, 400, "PARAMS_VALIDATION_ERROR");
}

#[tokio::test]
async fn notification_titles_and_messages_follow_the_text_rule() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ada = app.signed_up("ada").await;
    for (body, field) in [
        (
            json!({"recipient": ada.id, "title": "a\u{0}b", "message": "m"}),
            "title",
        ),
        (
            json!({"recipient": ada.id, "title": "a\u{202e}b", "message": "m"}),
            "title",
        ),
        (
            json!({"recipient": ada.id, "title": "t", "message": "m\u{0}"}),
            "message",
        ),
    ] {
        let (status, answer) = app
            .post("/api/notifications", Some(&admin.access), body)
            .await;
        assert_error(status, &answer, 400, "VALIDATION_ERROR");
        assert_eq!(answer["error"]["details"][0]["field"], field, "{answer}");
    }
    let (status, answer) = app
        .post(
            "/api/notifications",
            Some(&admin.access),
            json!({"recipient": ada.id, "title": "Hello", "message": "Line one\n\tline two"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let (_, list) = app.get("/api/notifications", Some(&ada.access)).await;
    assert_eq!(
        list["data"]["pagination"]["total"], 1,
        "only the clean one stored"
    );
}

/// The mails in `app`'s mail directory whose subject is `subject`, unfolded, waiting up to
/// ten seconds for at least `at_least` of them.
async fn mails_titled(app: &TestApp, subject: &str, at_least: usize) -> Vec<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let found: Vec<String> = std::fs::read_dir(&app.mail_dir)
            .map(|dir| {
                dir.map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
                    .map(|t| {
                        t.replace("=\r\n", "")
                            .replace("=\n", "")
                            .replace("=3D", "=")
                    })
                    .filter(|t| {
                        subject.is_empty() || t.contains(&format!("Subject: {subject}\r\n"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        if found.len() >= at_least || std::time::Instant::now() > deadline {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn milestones_are_mailed_with_a_one_click_unsubscribe_link_that_needs_no_sign_in() {
    let app = TestApp::spawn_with(Options {
        vars: vec![("MAIL_SEND_SECS", "1".into())],
        ..Options::default()
    })
    .await;
    let ada = solve_a_first_challenge(&app, "ada", "rare").await;

    // The level-up and the rare achievement are mailed, each once.
    let level = mails_titled(&app, "Level 2 reached", 1).await;
    let rare = mails_titled(&app, "Achievement unlocked: First Solve", 1).await;
    assert_eq!((level.len(), rare.len()), (1, 1));
    let mail = &level[0];
    assert!(mail.contains("To: ada@example.com"), "{mail}");
    assert!(mail.contains("Hello ada,"), "{mail}");
    assert!(
        mail.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{mail}"
    );
    let start = mail
        .find("/auth/unsubscribe?token=")
        .expect("an unsubscribe link")
        + 24;
    let token: String = mail[start..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit() || *c == '.')
        .collect();
    let header = mail
        .lines()
        .find(|l| l.starts_with("List-Unsubscribe: <"))
        .expect("a List-Unsubscribe header");
    assert!(
        header.ends_with(&format!("/api/v1/auth/unsubscribe?token={token}>")),
        "{header}"
    );

    // The link's page asks to confirm and changes nothing; a forged token is a JSON 404.
    let page = app
        .client
        .get(app.url(&format!("/api/auth/unsubscribe?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("<form method=\"post\""), "{html}");
    let (_, prefs) = app.get("/api/users/preferences", Some(&ada.access)).await;
    assert_eq!(prefs["data"]["notifications"]["email"], true, "{prefs}");
    // The signature's last digit changed (to another digit, whatever it was).
    let last = if token.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &token[..token.len() - 1]);
    for bad in [forged.as_str(), "", "not-a-token"] {
        let (status, body) = app
            .get(&format!("/api/auth/unsubscribe?token={bad}"), None)
            .await;
        assert_error(status, &body, 404, "INVALID_OR_EXPIRED_TOKEN");
    }

    // One click (a mail client's RFC 8058 POST), no sign-in: email is off, the rest stays.
    let done = app
        .client
        .post(app.url(&format!("/api/auth/unsubscribe?token={token}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    assert!(done
        .text()
        .await
        .unwrap()
        .contains("no more StackRush emails"));
    let (_, prefs) = app.get("/api/users/preferences", Some(&ada.access)).await;
    assert_eq!(prefs["data"]["notifications"]["email"], false, "{prefs}");
    assert_eq!(
        prefs["data"]["notifications"]["achievements"], true,
        "{prefs}"
    );

    // The next milestone is in the centre but not mailed.
    let admin = app.admin().await;
    let (status, body) = app
        .post(
            "/api/achievements",
            Some(&admin.access),
            json!({"key": "epic-start", "name": "Epic Start", "description": "One solve.",
                   "category": "beginner", "rarity": "epic",
                   "criteria": {"type": "challenge_count", "target": 1}, "rewards": {"xp": 10}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.post("/api/achievements/check", Some(&ada.access), json!({}))
        .await;
    let (_, list) = app
        .get("/api/notifications?type=achievement", Some(&ada.access))
        .await;
    assert_eq!(list["data"]["pagination"]["total"], 2, "{list}");
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert!(mails_titled(&app, "Achievement unlocked: Epic Start", 0)
        .await
        .is_empty());
}

#[tokio::test]
async fn the_weekly_summary_is_mailed_on_monday_morning_with_the_weeks_figures() {
    use chrono::{Datelike, Duration, TimeZone, Utc};
    use stackrush_analytics::digest::WeeklyDigest;

    // The server sends no mail: this test does, once.
    let app = TestApp::spawn_with(Options {
        vars: vec![("MAIL_SEND_SECS", "0".into())],
        ..Options::default()
    })
    .await;
    solve_a_first_challenge(&app, "ada", "common").await;
    // The same store, opened beside the server: the job runs at next Monday 09:00 UTC (ada's
    // zone is UTC) through the app's real adapters.
    let contexts = stackrush_api::startup::open(&app.settings).await.unwrap();
    let today = Utc::now().date_naive();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let next = Utc.from_utc_datetime(&(monday + Duration::days(7)).and_hms_opt(9, 0, 0).unwrap());
    let mut ports = contexts.digests.clone();
    ports.clock = std::sync::Arc::new(stackrush_kernel::FixedClock::new(next));
    let job = WeeklyDigest::new(ports, "test");
    // The server's queue writes events within a quarter of a second.
    let mut queued = 0;
    for _ in 0..40 {
        queued = job
            .run()
            .await
            .unwrap()
            .queued
            .iter()
            .map(|(_, n)| n)
            .sum::<usize>();
        if queued > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        queued, 2,
        "ada and the admin who set her challenge up were active this week"
    );
    assert_eq!(
        job.run().await.unwrap().queued,
        vec![(monday, 0)],
        "once per week"
    );
    let sent = contexts.notifications.send_mail(10).await.unwrap();
    assert_eq!(
        sent.sent, 3,
        "ada's level 2 and the two summaries: {sent:?}"
    );
    let mails = mails_titled(&app, "Your StackRush week: 1100 XP, 1 solved", 1).await;
    let subjects: Vec<String> = mails_titled(&app, "", 0)
        .await
        .iter()
        .flat_map(|m| {
            m.lines()
                .filter(|l| l.starts_with("Subject: "))
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(mails.len(), 1, "{subjects:?}");
    assert!(mails[0].contains("To: ada@example.com"), "{}", mails[0]);
    let admins = mails_titled(&app, "Your StackRush week: 0 XP, 0 solved", 1).await;
    assert!(
        admins[0].contains("- Global rank: not ranked yet"),
        "{}",
        admins[0]
    );
    let mail = &mails[0];
    assert!(mail.contains("- Challenges solved: 1\r\n"), "{mail}");
    assert!(mail.contains("- Global rank: #1 ("), "{mail}");
    assert!(mail.contains("/auth/unsubscribe?token="), "{mail}");
}
