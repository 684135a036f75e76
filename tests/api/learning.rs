//! The learning hub over HTTP: playlists, lessons, enrolment, progress that follows real
//! solves, completion, ratings.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::scoring::{challenge, failed, scored};

/// `name`, signed up and granted the premium role by the admin (signed in again after it).
async fn premium(app: &TestApp, admin: &Session, name: &str) -> Session {
    let s = app.signed_up(name).await;
    let (status, body) = app
        .patch(
            &format!("/api/users/{}", s.id),
            Some(&admin.access),
            json!({"roles": ["premium"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.login_as(name, PASSWORD).await
}

fn playlist_body(challenge: &str) -> Value {
    json!({
        "title": "Arrays from zero",
        "description": "Everything about arrays, step by step",
        "category": "dsa",
        "level": "Beginner",
        "durationText": "2 weeks",
        "topics": ["Arrays", "two pointers"],
        "lessons": [
            {"title": "Watch: what an array is", "type": "video", "duration": 15,
             "description": "The memory picture"},
            {"title": "Solve two sum", "type": "challenge", "challengeId": challenge,
             "duration": 30}
        ]
    })
}

async fn create(app: &TestApp, author: &Session, body: Value) -> Value {
    let (status, body) = app
        .post("/api/learning/playlists", Some(&author.access), body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["data"].clone()
}

fn lesson_id(playlist: &Value, i: usize) -> String {
    playlist["lessons"][i]["_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_learner_completes_a_playlist_by_solving_its_challenge_and_earns_xp_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let two_sum = challenge(&app, &admin, "Two sum for the playlist").await;
    let plain = app.signed_up("plain").await;
    let (status, body) = app
        .post(
            "/api/learning/playlists",
            Some(&plain.access),
            playlist_body(&two_sum),
        )
        .await;
    assert_error(status, &body, 403, "PREMIUM_REQUIRED");
    let ada = premium(&app, &admin, "ada").await;
    let playlist = create(&app, &ada, playlist_body(&two_sum)).await;
    let id = playlist["_id"].as_str().unwrap().to_owned();
    assert_eq!(playlist["instructor"]["username"], "ada");
    assert_eq!(playlist["author"]["username"], "ada");
    assert_eq!(playlist["metadata"]["difficulty"], "Beginner");
    assert_eq!(playlist["metadata"]["lessonCount"], 2);
    assert_eq!(playlist["metadata"]["duration"], 45, "minutes");
    assert_eq!(
        playlist["metadata"]["topics"],
        json!(["arrays", "two pointers"])
    );
    assert_eq!(playlist["lessons"][1]["order"], 2);
    assert_eq!(playlist["stats"]["enrollments"], 0);

    // The web client's list query (its difficulty names are the challenges').
    let (status, list) = app
        .get(
            "/api/learning/playlists?limit=6&category=dsa&difficulty=Easy&search=ARRAYS",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["data"]["pagination"]["total"], 1);
    assert_eq!(list["data"]["data"][0]["_id"], id.as_str());

    let bob = app.signed_up("bob").await;
    let (status, body) = app
        .post(
            &format!("/api/learning/playlists/{id}/enroll"),
            Some(&bob.access),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["progress"]["completionPercentage"], 0);
    let progress = |lesson: String, minutes: u32| json!({"lessonId": lesson, "completed": true, "timeSpent": minutes});
    let path = format!("/api/learning/playlists/{id}/progress");
    let (status, body) = app
        .put(
            &path,
            Some(&bob.access),
            progress(lesson_id(&playlist, 0), 14),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["progress"]["completionPercentage"], 50);
    assert_eq!(
        body["data"]["progress"]["currentLesson"],
        playlist["lessons"][1]["_id"]
    );
    let (status, body) = app
        .put(
            &path,
            Some(&bob.access),
            progress(lesson_id(&playlist, 1), 5),
        )
        .await;
    assert_error(status, &body, 409, "CHALLENGE_NOT_SOLVED");
    let (_, body) = app.get(&path, Some(&bob.access)).await;
    assert_eq!(
        body["data"]["progress"]["timeSpent"], 14,
        "the refused report changed nothing"
    );

    // Solving the challenge completes the lesson, and with it the playlist.
    scored(&app, &bob, &two_sum).await;
    let (_, body) = app.get(&path, Some(&bob.access)).await;
    assert_eq!(
        body["data"]["progress"]["completionPercentage"], 100,
        "{body}"
    );
    assert!(body["data"]["completedAt"].is_string());
    let (_, ledger) = app
        .get(
            &format!("/api/users/{}/xp-history?limit=100", bob.id),
            Some(&bob.access),
        )
        .await;
    let playlist_xp: Vec<&Value> = ledger["data"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["reason"] == "playlist_completed")
        .collect();
    assert_eq!(playlist_xp.len(), 1, "{ledger}");
    assert_eq!(playlist_xp[0]["delta"], 75);
    // Reporting the last lesson again earns nothing more.
    let (_, body) = app
        .put(
            &path,
            Some(&bob.access),
            progress(lesson_id(&playlist, 1), 0),
        )
        .await;
    assert_eq!(body["data"]["playlistCompleted"], false);
    let (_, notes) = app.get("/api/notifications", Some(&bob.access)).await;
    let completed = notes.to_string().matches("Playlist completed").count();
    assert_eq!(completed, 1, "{notes}");
    let (_, shown) = app
        .get(&format!("/api/learning/playlists/{id}"), Some(&bob.access))
        .await;
    assert_eq!(shown["data"]["stats"]["completions"], 1);
    assert_eq!(shown["data"]["isEnrolled"], true);

    // Ratings: enrolled learners, 1 to 5, one each.
    let rate = format!("/api/learning/playlists/{id}/rate");
    for bad in [0, 6] {
        let (status, body) = app
            .post(&rate, Some(&bob.access), json!({"score": bad}))
            .await;
        assert_error(status, &body, 400, "VALIDATION_ERROR");
    }
    let (status, body) = app
        .post(&rate, Some(&plain.access), json!({"score": 5}))
        .await;
    assert_error(status, &body, 403, "NOT_ENROLLED");
    app.post(
        &rate,
        Some(&bob.access),
        json!({"score": 5, "review": "Clear"}),
    )
    .await;
    let (status, body) = app
        .post(&rate, Some(&bob.access), json!({"score": 4}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["stats"]["rating"], 4.0);
    assert_eq!(body["data"]["stats"]["totalRatings"], 1);
}

#[tokio::test]
async fn lessons_are_managed_by_the_author_and_bad_input_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let two_sum = challenge(&app, &admin, "Two sum for lessons").await;
    let ada = premium(&app, &admin, "ada").await;
    let playlist = create(&app, &ada, playlist_body(&two_sum)).await;
    let id = playlist["_id"].as_str().unwrap().to_owned();
    let other = create(&app, &ada, playlist_body(&two_sum)).await;

    // Bad playlists: every field named, nothing stored.
    let mut bad = playlist_body(&two_sum);
    bad["lessons"][0]["type"] = json!("challenge");
    bad["lessons"][1]["challengeId"] = json!("ffffffffffffffffffffffff");
    bad["category"] = json!("no spaces allowed");
    let (status, body) = app
        .post("/api/learning/playlists", Some(&ada.access), bad)
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    let (_, list) = app.get("/api/learning/playlists", None).await;
    assert_eq!(list["data"]["pagination"]["total"], 2);
    for query in [
        "topic=%C2%84",
        "search=a%00b",
        "category=x%1b",
        "difficulty=Easiest",
    ] {
        let (status, body) = app
            .get(&format!("/api/learning/playlists?{query}"), None)
            .await;
        assert_error(status, &body, 400, "QUERY_VALIDATION_ERROR");
    }

    // Add, reorder (every id once), edit and remove lessons.
    let (status, added) = app
        .post(
            &format!("/api/learning/playlists/{id}/lessons"),
            Some(&ada.access),
            json!({"title": "Read the notes", "type": "reading", "duration": 10, "position": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let ids: Vec<String> = (0..3).map(|i| lesson_id(&added["data"], i)).collect();
    let order = format!("/api/learning/playlists/{id}/lesson-order");
    for wrong in [
        json!([ids[0], ids[1]]),
        json!([ids[0], ids[1], ids[1]]),
        json!([ids[0], ids[1], lesson_id(&other, 0)]),
    ] {
        let (status, body) = app
            .put(&order, Some(&ada.access), json!({"lessonIds": wrong}))
            .await;
        assert_error(status, &body, 400, "VALIDATION_ERROR");
    }
    let (_, unchanged) = app
        .get(&format!("/api/learning/playlists/{id}"), None)
        .await;
    assert_eq!(unchanged["data"]["lessons"], added["data"]["lessons"]);
    let bob = app.signed_up("bob").await;
    let (status, body) = app
        .put(
            &order,
            Some(&bob.access),
            json!({"lessonIds": [ids[2], ids[1], ids[0]]}),
        )
        .await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let (status, body) = app
        .put(
            &order,
            Some(&ada.access),
            json!({"lessonIds": [ids[2], ids[1], ids[0]]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(lesson_id(&body["data"], 0), ids[2]);
    let lesson = format!("/api/learning/playlists/{id}/lessons/{}", ids[0]);
    let (status, body) = app
        .put(
            &lesson,
            Some(&ada.access),
            json!({"title": "Read the better notes", "type": "reading", "duration": 12}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["lessons"][2]["title"], "Read the better notes");
    assert_eq!(body["data"]["lessons"][2]["_id"], ids[0].as_str());

    // A lesson of another playlist is no lesson of this one.
    app.post(
        &format!("/api/learning/playlists/{id}/enroll"),
        Some(&bob.access),
        json!({}),
    )
    .await;
    let (status, body) = app
        .put(
            &format!("/api/learning/playlists/{id}/progress"),
            Some(&bob.access),
            json!({"lessonId": lesson_id(&other, 0)}),
        )
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    assert_eq!(body["error"]["details"][0]["field"], "lessonId");
    app.put(
        &format!("/api/learning/playlists/{id}/progress"),
        Some(&bob.access),
        json!({"lessonId": ids[0], "timeSpent": 7}),
    )
    .await;
    let (status, _) = app.delete(&lesson, Some(&ada.access)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.delete(&lesson, Some(&ada.access)).await;
    assert_error(status, &body, 404, "LESSON_NOT_FOUND");

    // Unenrolling keeps the history; enrolling again resumes it.
    let (status, _) = app
        .post(
            &format!("/api/learning/playlists/{id}/unenroll"),
            Some(&bob.access),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, shown) = app
        .get(&format!("/api/learning/playlists/{id}"), None)
        .await;
    assert_eq!(shown["data"]["stats"]["students"], 0);
    let (_, resumed) = app
        .post(
            &format!("/api/learning/playlists/{id}/enroll"),
            Some(&bob.access),
            json!({}),
        )
        .await;
    assert_eq!(resumed["data"]["progress"]["timeSpent"], 7, "{resumed}");
    let (_, mine) = app
        .get("/api/learning/my-playlists", Some(&bob.access))
        .await;
    assert_eq!(mine["data"]["pagination"]["total"], 1, "{mine}");
    assert_eq!(mine["data"]["data"][0]["playlist"]["_id"], id.as_str());

    // Deleting: the author or an admin; the learner keeps the progress.
    let (status, body) = app
        .delete(&format!("/api/learning/playlists/{id}"), Some(&bob.access))
        .await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let (status, _) = app
        .delete(
            &format!("/api/learning/playlists/{id}"),
            Some(&admin.access),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .get(&format!("/api/learning/playlists/{id}"), None)
        .await;
    assert_error(status, &body, 404, "PLAYLIST_NOT_FOUND");
    let (status, body) = app
        .get(
            &format!("/api/learning/playlists/{id}/progress"),
            Some(&bob.access),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, categories) = app.get("/api/learning/categories", None).await;
    assert_eq!(categories["data"], json!([{"category": "dsa", "count": 1}]));
}

#[tokio::test]
async fn premium_lessons_are_an_outline_for_others_and_learners_completing_at_once_count_exactly() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ada = premium(&app, &admin, "ada").await;
    let mut body = playlist_body("ffffffffffffffffffffffff");
    body["isPremium"] = json!(true);
    body["lessons"] = json!([{"title": "Read", "type": "reading", "description": "Secret notes"}]);
    let playlist = create(&app, &ada, body).await;
    let id = playlist["_id"].as_str().unwrap().to_owned();
    let (_, anonymous) = app
        .get(&format!("/api/learning/playlists/{id}"), None)
        .await;
    assert_eq!(anonymous["data"]["contentLocked"], true);
    assert_eq!(anonymous["data"]["lessons"][0]["title"], "Read");
    assert_eq!(anonymous["data"]["lessons"][0]["description"], "");
    let plain = app.signed_up("plain").await;
    let (status, body) = app
        .post(
            &format!("/api/learning/playlists/{id}/enroll"),
            Some(&plain.access),
            json!({}),
        )
        .await;
    assert_error(status, &body, 403, "PREMIUM_CONTENT");

    let mut learners = Vec::new();
    for i in 0..12 {
        learners.push(premium(&app, &admin, &format!("learner{i}")).await);
    }
    let lesson = lesson_id(&playlist, 0);
    let path = format!("/api/learning/playlists/{id}/progress");
    for l in &learners {
        app.post(
            &format!("/api/learning/playlists/{id}/enroll"),
            Some(&l.access),
            json!({}),
        )
        .await;
    }
    // Every learner reports the last lesson twice at once.
    let reports = learners.iter().flat_map(|l| {
        let body = json!({"lessonId": lesson});
        [
            app.put(&path, Some(&l.access), body.clone()),
            app.put(&path, Some(&l.access), body),
        ]
    });
    let answers = futures::future::join_all(reports).await;
    let completed = answers
        .iter()
        .filter(|(status, body)| {
            assert_eq!(*status, StatusCode::OK, "{body}");
            body["data"]["playlistCompleted"] == true
        })
        .count();
    assert_eq!(completed, learners.len(), "each learner completes once");
    let (_, shown) = app
        .get(&format!("/api/learning/playlists/{id}"), None)
        .await;
    assert_eq!(shown["data"]["stats"]["completions"], 12);
    assert_eq!(shown["data"]["stats"]["enrollments"], 12);
    let mut certificates = std::collections::HashSet::new();
    for l in &learners {
        let (_, progress) = app.get(&path, Some(&l.access)).await;
        let certificate = progress["data"]["certificateId"]
            .as_str()
            .unwrap()
            .to_owned();
        let (_, document) = app
            .get(&format!("/api/certificates/{certificate}"), None)
            .await;
        assert_eq!(document["data"]["learnerId"], l.id.as_str());
        certificates.insert(certificate);
    }
    assert_eq!(certificates.len(), learners.len(), "one certificate each");
    for l in &learners {
        let (_, ledger) = app
            .get(
                &format!("/api/users/{}/xp-history?limit=100", l.id),
                Some(&l.access),
            )
            .await;
        let paid: i64 = ledger["data"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["reason"] == "playlist_completed")
            .map(|e| e["delta"].as_i64().unwrap())
            .sum();
        assert_eq!(paid, 50, "once: {ledger}");
    }
}

/// The canonical form of a downloaded certificate, rebuilt as a third party would: the signed
/// fields as compact JSON with sorted keys.
fn canonical(document: &Value) -> Vec<u8> {
    let signed = [
        "authorName",
        "completedAt",
        "id",
        "learnerId",
        "learnerName",
        "lessons",
        "playlistId",
        "playlistTitle",
        "version",
    ];
    let fields: std::collections::BTreeMap<&str, Value> =
        signed.iter().map(|k| (*k, document[*k].clone())).collect();
    serde_json::to_vec(&fields).unwrap()
}

#[tokio::test]
async fn a_completion_certificate_verifies_offline_and_online_tampering_fails_and_revoking_shows() {
    use base64::Engine as _;
    use ed25519_dalek::{Signature, VerifyingKey};

    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ada = premium(&app, &admin, "ada").await;
    let mut body = playlist_body("ffffffffffffffffffffffff");
    body["title"] = json!("Arrays & <pointers>");
    body["lessons"] = json!([{"title": "Read", "type": "reading"}]);
    let playlist = create(&app, &ada, body).await;
    let id = playlist["_id"].as_str().unwrap().to_owned();
    let bob = app.signed_up("bob").await;
    app.post(
        &format!("/api/learning/playlists/{id}/enroll"),
        Some(&bob.access),
        json!({}),
    )
    .await;
    let (status, done) = app
        .put(
            &format!("/api/learning/playlists/{id}/progress"),
            Some(&bob.access),
            json!({"lessonId": lesson_id(&playlist, 0), "completed": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let certificate = done["data"]["certificateId"].as_str().unwrap().to_owned();
    let (_, progress) = app
        .get(
            &format!("/api/learning/playlists/{id}/progress"),
            Some(&bob.access),
        )
        .await;
    assert_eq!(progress["data"]["certificateId"], certificate.as_str());

    // Public: anyone reads it, with its status.
    let (status, document) = app
        .get(&format!("/api/certificates/{certificate}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{document}");
    let document = document["data"].clone();
    assert_eq!(document["status"], "valid");
    assert_eq!(document["valid"], true);
    assert_eq!(document["learnerName"], "bob");
    assert_eq!(document["authorName"], "ada");
    assert_eq!(document["playlistTitle"], "Arrays & <pointers>");
    assert_eq!(document["lessons"], json!(["Read"]));
    assert_eq!(document["learnerId"], bob.id.as_str());
    assert!(document["verificationUrl"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/api/certificates/{certificate}")));

    // Offline: the published key and the documented canonical form are enough.
    let (status, key) = app.get("/api/certificates/public-key", None).await;
    assert_eq!(status, StatusCode::OK, "{key}");
    assert_eq!(key["data"]["algorithm"], "Ed25519");
    assert_eq!(key["data"]["keyId"], document["keyId"]);
    let b64 = base64::engine::general_purpose::STANDARD;
    let raw: [u8; 32] = b64
        .decode(key["data"]["publicKey"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let public = VerifyingKey::from_bytes(&raw).unwrap();
    let signature =
        Signature::from_slice(&b64.decode(document["signature"].as_str().unwrap()).unwrap())
            .unwrap();
    assert!(public
        .verify_strict(&canonical(&document), &signature)
        .is_ok());

    // Online: the copy as downloaded verifies; any changed field does not.
    let (status, verdict) = app
        .post("/api/certificates/verify", None, document.clone())
        .await;
    assert_eq!(status, StatusCode::OK, "{verdict}");
    assert_eq!(verdict["data"]["status"], "valid");
    assert_eq!(verdict["data"]["valid"], true);
    let tamperings = [
        ("learnerName", json!("mallory")),
        ("playlistTitle", json!("Arrays & <Pointers>")),
        ("completedAt", json!("2020-01-01T00:00:00Z")),
        ("lessons", json!(["Read", "Extra"])),
        ("authorName", json!("ada ")),
        ("version", json!(2)),
    ];
    for (field, value) in tamperings {
        let mut copy = document.clone();
        copy[field] = value;
        assert!(public.verify_strict(&canonical(&copy), &signature).is_err());
        let (status, verdict) = app.post("/api/certificates/verify", None, copy).await;
        assert_eq!(status, StatusCode::OK, "{verdict}");
        assert_eq!(verdict["data"]["status"], "invalid", "{field}");
        assert_eq!(verdict["data"]["valid"], false);
    }
    let mut missing = document.clone();
    missing.as_object_mut().unwrap().remove("signature");
    let (status, body) = app.post("/api/certificates/verify", None, missing).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // The drawing: SVG with the verification address, escaped text, no script.
    let drawn = app
        .call(
            reqwest::Method::GET,
            &format!("/api/certificates/{certificate}/svg"),
            None,
            None,
        )
        .await;
    assert_eq!(drawn.status(), StatusCode::OK);
    assert_eq!(drawn.headers()["content-type"], "image/svg+xml");
    let svg = drawn.text().await.unwrap();
    assert!(svg.contains("Arrays &amp; &lt;pointers&gt;"), "{svg}");
    assert!(svg.contains(document["verificationUrl"].as_str().unwrap()));
    assert!(!svg.contains("<script"));

    // Revocation: admins only, with a reason, once; the copy then verifies as revoked.
    let revoke = format!("/api/certificates/{certificate}/revoke");
    let (status, body) = app
        .post(&revoke, Some(&bob.access), json!({"reason": "mine"}))
        .await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let (status, body) = app
        .post(&revoke, Some(&admin.access), json!({"reason": ""}))
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    let (status, body) = app
        .post(
            &revoke,
            Some(&admin.access),
            json!({"reason": "Solutions were copied"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["status"], "revoked");
    let (status, body) = app
        .post(&revoke, Some(&admin.access), json!({"reason": "again"}))
        .await;
    assert_error(status, &body, 409, "ALREADY_REVOKED");
    let (_, audit) = app
        .get(
            "/api/admin/audit?action=certificate.revoked",
            Some(&admin.access),
        )
        .await;
    assert_eq!(audit["data"]["pagination"]["total"], 1, "{audit}");
    assert_eq!(
        audit["data"]["data"][0]["target"],
        format!("certificate:{certificate}")
    );
    let (_, verdict) = app
        .post("/api/certificates/verify", None, document.clone())
        .await;
    assert_eq!(verdict["data"]["status"], "revoked");
    assert_eq!(verdict["data"]["valid"], false);
    assert_eq!(verdict["data"]["signatureValid"], true);
    assert_eq!(
        verdict["data"]["revocation"]["reason"],
        "Solutions were copied"
    );
    let (_, shown) = app
        .get(&format!("/api/certificates/{certificate}"), None)
        .await;
    assert_eq!(shown["data"]["status"], "revoked");

    let (status, body) = app
        .get("/api/certificates/ffffffffffffffffffffffff", None)
        .await;
    assert_error(status, &body, 404, "CERTIFICATE_NOT_FOUND");
    let (status, body) = app.get("/api/certificates/nope", None).await;
    assert_error(status, &body, 400, "PARAMS_VALIDATION_ERROR");
}

#[tokio::test]
async fn recommendations_explain_themselves_from_enrolments_weak_types_and_level() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let two_sum = challenge(&app, &admin, "Two sum to practise").await;
    let ada = premium(&app, &admin, "ada").await;
    let new = |title: &str, category: &str, level: &str, lessons: Value| {
        let mut body = playlist_body(&two_sum);
        body["title"] = json!(title);
        body["category"] = json!(category);
        body["level"] = json!(level);
        body["lessons"] = lessons;
        body
    };
    let reading =
        json!([{"title": "Read", "type": "reading"}, {"title": "More", "type": "reading"}]);
    let practice = create(
        &app,
        &ada,
        new(
            "Practice",
            "misc",
            "Advanced",
            json!([{"title": "Solve", "type": "challenge", "challengeId": two_sum}]),
        ),
    )
    .await;
    assert_eq!(practice["lessons"][0]["challengeType"], "dsa");
    let started = create(
        &app,
        &ada,
        new("Started", "web", "Advanced", reading.clone()),
    )
    .await;
    let beginners = create(&app, &ada, new("Beginners", "web", "Beginner", reading)).await;

    let bob = app.signed_up("bob").await;
    let started_id = started["_id"].as_str().unwrap();
    app.post(
        &format!("/api/learning/playlists/{started_id}/enroll"),
        Some(&bob.access),
        json!({}),
    )
    .await;
    app.put(
        &format!("/api/learning/playlists/{started_id}/progress"),
        Some(&bob.access),
        json!({"lessonId": lesson_id(&started, 0), "completed": true}),
    )
    .await;
    for _ in 0..3 {
        failed(&app, &bob, &two_sum).await;
    }

    let (status, body) = app
        .get("/api/learning/recommended", Some(&bob.access))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let picked: Vec<(&str, &str)> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["reasonKind"].as_str().unwrap(),
                r["_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        picked,
        vec![
            ("continue", started_id),
            ("weak-type", practice["_id"].as_str().unwrap()),
            ("level", beginners["_id"].as_str().unwrap()),
        ],
        "{body}"
    );
    let reasons: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert!(reasons[0].contains("50%"), "{reasons:?}");
    assert!(reasons[1].contains("0 of your 3 scored dsa"), "{reasons:?}");
    assert!(reasons[2].contains("Beginner"), "{reasons:?}");
    assert_eq!(body["data"][0]["title"], "Started");

    let (status, body) = app
        .get("/api/learning/recommended?limit=1", Some(&bob.access))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    for bad in ["0", "21", "x"] {
        let (status, body) = app
            .get(
                &format!("/api/learning/recommended?limit={bad}"),
                Some(&bob.access),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    let (status, _) = app.get("/api/learning/recommended", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn two_hundred_learners_completing_one_playlist_at_once_leave_exact_counts() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ada = premium(&app, &admin, "ada").await;
    let mut body = playlist_body("ffffffffffffffffffffffff");
    body["lessons"] = json!([{"title": "Read", "type": "reading"}]);
    let playlist = create(&app, &ada, body).await;
    let id = playlist["_id"].as_str().unwrap().to_owned();
    let lesson = lesson_id(&playlist, 0);
    let names: Vec<String> = (0..200).map(|i| format!("crowd{i}")).collect();
    let learners = futures::future::join_all(names.iter().map(|n| app.signed_up(n))).await;
    let enrol = format!("/api/learning/playlists/{id}/enroll");
    let enrolled = futures::future::join_all(
        learners
            .iter()
            .map(|l| app.post(&enrol, Some(&l.access), json!({}))),
    )
    .await;
    assert!(enrolled.iter().all(|(status, _)| *status == StatusCode::OK));

    // Everyone reports the last lesson twice, all at once.
    let path = format!("/api/learning/playlists/{id}/progress");
    let report = json!({"lessonId": lesson, "completed": true});
    let answers = futures::future::join_all(learners.iter().flat_map(|l| {
        [
            app.put(&path, Some(&l.access), report.clone()),
            app.put(&path, Some(&l.access), report.clone()),
        ]
    }))
    .await;
    let completed = answers
        .iter()
        .filter(|(status, body)| {
            assert_eq!(*status, StatusCode::OK, "{body}");
            body["data"]["playlistCompleted"] == true
        })
        .count();
    assert_eq!(completed, 200, "each learner completes once");
    let (_, shown) = app
        .get(&format!("/api/learning/playlists/{id}"), None)
        .await;
    assert_eq!(shown["data"]["stats"]["completions"], 200);
    assert_eq!(shown["data"]["stats"]["students"], 200);

    let progress =
        futures::future::join_all(learners.iter().map(|l| app.get(&path, Some(&l.access)))).await;
    let certificates: std::collections::HashSet<String> = progress
        .iter()
        .map(|(_, body)| body["data"]["certificateId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(certificates.len(), 200, "one certificate each");
    let ledger_paths: Vec<String> = learners
        .iter()
        .map(|l| format!("/api/users/{}/xp-history?limit=100", l.id))
        .collect();
    let ledgers = futures::future::join_all(
        learners
            .iter()
            .zip(&ledger_paths)
            .map(|(l, p)| app.get(p, Some(&l.access))),
    )
    .await;
    for (_, ledger) in &ledgers {
        let paid: Vec<&Value> = ledger["data"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["reason"] == "playlist_completed")
            .collect();
        assert_eq!(paid.len(), 1, "XP once: {ledger}");
    }
}
