//! The challenge catalogue over HTTP: roles, visibility, no leaks, filters, slugs, stats.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

pub fn challenge_body(title: &str) -> Value {
    json!({
        "title": title,
        "description": "Return the indices of the two numbers that add up to the target.",
        "type": "dsa",
        "difficulty": "Easy",
        "category": "arrays",
        "tags": ["Hash-Map", "arrays"],
        "timeLimit": 20,
        "content": {
            "problemStatement": "Given nums and target, return [i, j].",
            "examples": [{"input": "[2,7,11,15], 9", "output": "[0,1]"}],
            "hints": ["A map from value to index"],
            "solution": "SECRET-SOLUTION",
            "solutionExplanation": "SECRET-EXPLANATION"
        },
        "code": {
            "starterCode": {"javascript": "function twoSum(nums, target) {}"},
            "testCases": [
                {"input": "[2,7], 9", "expectedOutput": "[0,1]"},
                {"input": "[3,3], 6", "expectedOutput": "HIDDEN-OUTPUT", "isHidden": true, "weight": 3}
            ],
            "validationRules": {"forbiddenKeywords": ["eval"]}
        },
        "scenario": {"background": "Checkout is down.", "urgency": "high",
                      "distractions": [{"type": "slack", "frequency": "often", "content": "ping"}]}
    })
}

async fn moderator(app: &TestApp, name: &str) -> Session {
    let s = app.signed_up(name).await;
    let admin = app.admin().await;
    let (status, _) = app
        .patch(
            &format!("/api/users/{}", s.id),
            Some(&admin.access),
            json!({"roles": ["moderator"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    app.login_as(name, PASSWORD).await
}

#[tokio::test]
async fn moderators_create_and_solvers_never_see_solutions_or_hidden_outputs() {
    let app = TestApp::spawn().await;
    let user = app.signed_up("solver").await;
    let (status, body) = app
        .post(
            "/api/challenges",
            Some(&user.access),
            challenge_body("Two Sum"),
        )
        .await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let (status, body) = app
        .post("/api/challenges", None, challenge_body("Two Sum"))
        .await;
    assert_error(status, &body, 401, "MISSING_TOKEN");

    let mo = moderator(&app, "moe").await;
    let (status, body) = app
        .post(
            "/api/challenges",
            Some(&mo.access),
            challenge_body("Two Sum!"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let created = &body["data"];
    assert_eq!(created["slug"], "two-sum");
    assert_eq!(created["tags"], json!(["hash-map", "arrays"]));
    assert_eq!(created["author"]["username"], "moe");
    assert_eq!(
        created["content"]["solution"], "SECRET-SOLUTION",
        "the author sees the solution"
    );
    let id = created["_id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 24);

    for (who, token) in [("anonymous", None), ("solver", Some(user.access.as_str()))] {
        for path in [
            format!("/api/challenges/{id}"),
            "/api/challenges/slug/two-sum".to_owned(),
            "/api/challenges".to_owned(),
            "/api/challenges/popular".to_owned(),
        ] {
            let (status, body) = app.get(&path, token).await;
            assert_eq!(status, StatusCode::OK, "{who} {path}: {body}");
            let text = body.to_string();
            for secret in [
                "SECRET-SOLUTION",
                "SECRET-EXPLANATION",
                "HIDDEN-OUTPUT",
                "solutionExplanation",
            ] {
                assert!(!text.contains(secret), "{who} saw {secret} at {path}");
            }
        }
    }
    let (_, body) = app.get(&format!("/api/challenges/{id}"), None).await;
    let tests = body["data"]["code"]["testCases"].as_array().unwrap();
    assert_eq!(
        tests[0]["expectedOutput"], "[0,1]",
        "visible outputs are shown"
    );
    assert!(tests[1].get("expectedOutput").is_none());
    assert_eq!(tests[1]["isHidden"], true);
    assert_eq!(body["data"]["author"]["profile"]["firstName"], Value::Null);
    let admin = app.admin().await;
    let (_, body) = app
        .get(&format!("/api/challenges/{id}"), Some(&admin.access))
        .await;
    assert_eq!(
        body["data"]["code"]["testCases"][1]["expectedOutput"], "HIDDEN-OUTPUT",
        "admins see everything"
    );

    let (status, body) = app
        .post(
            "/api/challenges",
            Some(&mo.access),
            challenge_body("two sum"),
        )
        .await;
    assert_error(status, &body, 409, "CHALLENGE_EXISTS");
}

#[tokio::test]
async fn only_the_author_or_an_admin_edits_and_deletes() {
    let app = TestApp::spawn().await;
    let mo = moderator(&app, "moe").await;
    let other = moderator(&app, "other").await;
    let (_, body) = app
        .post(
            "/api/challenges",
            Some(&mo.access),
            challenge_body("Two Sum"),
        )
        .await;
    let id = body["data"]["_id"].as_str().unwrap().to_owned();
    let (status, body) = app
        .put(
            &format!("/api/challenges/{id}"),
            Some(&other.access),
            challenge_body("Hijacked"),
        )
        .await;
    assert_error(status, &body, 403, "NOT_AUTHORIZED");
    let (status, body) = app
        .put(
            &format!("/api/challenges/{id}"),
            Some(&mo.access),
            challenge_body("Two Sum, Revisited"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["slug"], "two-sum-revisited");
    let (status, body) = app
        .delete(&format!("/api/challenges/{id}"), Some(&other.access))
        .await;
    assert_error(status, &body, 403, "NOT_AUTHORIZED");
    let admin = app.admin().await;
    let (status, _) = app
        .delete(&format!("/api/challenges/{id}"), Some(&admin.access))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .get(&format!("/api/challenges/{id}"), Some(&admin.access))
        .await;
    assert_error(status, &body, 404, "CHALLENGE_NOT_FOUND");
}

#[tokio::test]
async fn the_list_filters_sorts_and_pages_like_the_client_asks() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let specs = [
        ("Alpha", "dsa", "Easy", "arrays", vec!["arrays"], 15),
        (
            "Beta",
            "bug-fix",
            "Hard",
            "debugging",
            vec!["debugging", "arrays"],
            45,
        ),
        ("Gamma", "feature", "Medium", "react", vec!["react"], 60),
    ];
    for (title, kind, difficulty, category, tags, limit) in specs {
        let mut body = challenge_body(title);
        body["type"] = json!(kind);
        body["difficulty"] = json!(difficulty);
        body["category"] = json!(category);
        body["tags"] = json!(tags);
        body["timeLimit"] = json!(limit);
        let (status, response) = app.post("/api/challenges", Some(&admin.access), body).await;
        assert_eq!(status, StatusCode::CREATED, "{response}");
    }
    let mut draft = challenge_body("Delta draft");
    draft["isPublic"] = json!(false);
    app.post("/api/challenges", Some(&admin.access), draft)
        .await;

    let titles = |body: &Value| {
        body["data"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["title"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let (_, body) = app.get("/api/challenges?page=1&limit=2", None).await;
    assert_eq!(titles(&body), vec!["Gamma", "Beta"]);
    let p = &body["data"]["pagination"];
    assert_eq!(
        (
            p["total"].as_u64(),
            p["pages"].as_u64(),
            p["hasNext"].as_bool()
        ),
        (Some(3), Some(2), Some(true))
    );
    for (query, expected) in [
        ("difficulty=hard", vec!["Beta"]),
        ("difficulty=EASY", vec!["Alpha"]),
        ("type=feature", vec!["Gamma"]),
        ("category=debugging", vec!["Beta"]),
        ("tags=react&tags=debugging", vec!["Gamma", "Beta"]),
        ("tags=react,debugging", vec!["Gamma", "Beta"]),
        ("search=GAM", vec!["Gamma"]),
        ("search=.*", vec![]),
        ("maxTimeLimit=45", vec!["Beta", "Alpha"]),
        ("sort=title&order=asc", vec!["Alpha", "Beta", "Gamma"]),
        ("sort=difficulty&order=desc", vec!["Beta", "Gamma", "Alpha"]),
    ] {
        let (status, body) = app.get(&format!("/api/challenges?{query}"), None).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        assert_eq!(titles(&body), expected, "{query}");
    }
    let (_, body) = app.get("/api/challenges", Some(&admin.access)).await;
    assert_eq!(body["data"]["pagination"]["total"], 4, "admins see drafts");
    let (status, body) = app.get("/api/challenges?difficulty=impossible", None).await;
    assert_error(status, &body, 400, "QUERY_VALIDATION_ERROR");
    let (status, body) = app.get("/api/challenges?author[$ne]=x", None).await;
    assert_error(status, &body, 400, "QUERY_VALIDATION_ERROR");
    let (_, body) = app.get("/api/challenges?limit=500", None).await;
    assert_eq!(body["data"]["pagination"]["limit"], 100);

    let (_, body) = app.get("/api/challenges/categories", None).await;
    assert_eq!(
        body["data"],
        json!({"arrays": 1, "debugging": 1, "react": 1})
    );
    let (_, body) = app.get("/api/challenges/popular?limit=2", None).await;
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    let id = body["data"][0]["_id"].as_str().unwrap().to_owned();
    let (status, body) = app.get(&format!("/api/challenges/{id}/stats"), None).await;
    assert_eq!(status, StatusCode::OK);
    for field in [
        "totalAttempts",
        "successfulAttempts",
        "completionRate",
        "averageScore",
        "averageTime",
        "difficultyRating",
    ] {
        assert!(body["data"][field].is_number(), "{field}: {body}");
    }
}

#[tokio::test]
async fn a_catalogue_page_is_sent_as_the_same_bytes_until_a_write() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let reader = app.signed_up("pagereader").await;
    let (status, _) = app
        .post(
            "/api/challenges",
            Some(&admin.access),
            challenge_body("Kept"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let raw = |token: Option<String>| {
        let mut request = app
            .client
            .get(app.url("/api/challenges?limit=5&sort=title"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let kind = response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_owned();
            assert_eq!(kind, "application/json");
            response.bytes().await.unwrap()
        }
    };
    let started = std::time::Instant::now();
    let anonymous = raw(None).await;
    // A plain reader shares the public catalogue: the very bytes, envelope timestamp included.
    let signed_in = raw(Some(reader.access.clone())).await;
    let body: Value = serde_json::from_slice(&anonymous).unwrap();
    assert_eq!(body["success"], true);
    assert_eq!(body["data"]["pagination"]["total"], 1);
    assert_eq!(body["data"]["data"][0]["title"], "Kept");
    if started.elapsed() < std::time::Duration::from_millis(900) {
        assert_eq!(anonymous, signed_in);
    }
    let (status, _) = app
        .post(
            "/api/challenges",
            Some(&admin.access),
            challenge_body("Added"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let after: Value = serde_json::from_slice(&raw(None).await).unwrap();
    assert_eq!(after["data"]["pagination"]["total"], 2);
    assert_eq!(after["data"]["data"][0]["title"], "Added");
}

#[tokio::test]
async fn invalid_challenges_are_refused_with_json_paths_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let mut body = challenge_body("Ok title");
    body["code"]["testCases"] = json!([]);
    body["timeLimit"] = json!(0);
    let (status, response) = app.post("/api/challenges", Some(&admin.access), body).await;
    assert_error(status, &response, 400, "VALIDATION_ERROR");
    let fields: Vec<_> = response["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        fields.contains(&"timeLimit".to_owned()) && fields.contains(&"code.testCases".to_owned()),
        "{fields:?}"
    );
    let mut body = challenge_body("Ok title");
    body["stats"] = json!({"totalAttempts": 1000});
    let (status, response) = app.post("/api/challenges", Some(&admin.access), body).await;
    assert_error(status, &response, 400, "VALIDATION_ERROR");
    let (_, list) = app.get("/api/challenges", Some(&admin.access)).await;
    assert_eq!(list["data"]["pagination"]["total"], 0);
}

#[tokio::test]
async fn starting_a_challenge_gives_inputs_an_expiry_and_a_nonce_but_no_hidden_outputs() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (_, body) = app
        .post(
            "/api/challenges",
            Some(&admin.access),
            challenge_body("Two Sum"),
        )
        .await;
    let id = body["data"]["_id"].as_str().unwrap().to_owned();
    let mut draft = challenge_body("Secret draft");
    draft["isPublic"] = json!(false);
    let (_, body) = app
        .post("/api/challenges", Some(&admin.access), draft)
        .await;
    let draft_id = body["data"]["_id"].as_str().unwrap().to_owned();
    let solver = app.signed_up("solver").await;

    let (status, body) = app
        .post(&format!("/api/challenges/{id}/start"), None, json!({}))
        .await;
    assert_error(status, &body, 401, "MISSING_TOKEN");
    let (status, body) = app
        .post(
            &format!("/api/challenges/{id}/start"),
            Some(&solver.access),
            json!({"mode": "interview", "distractionLevel": "high"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let attempt = &body["data"]["attempt"];
    assert_eq!(attempt["challenge"], id.as_str());
    assert_eq!(attempt["user"], solver.id.as_str());
    assert_eq!(
        (
            attempt["mode"].as_str(),
            attempt["distractionLevel"].as_str()
        ),
        (Some("interview"), Some("high"))
    );
    assert_eq!(attempt["nonce"].as_str().unwrap().len(), 32);
    let started =
        chrono::DateTime::parse_from_rfc3339(attempt["startedAt"].as_str().unwrap()).unwrap();
    let expires =
        chrono::DateTime::parse_from_rfc3339(attempt["expiresAt"].as_str().unwrap()).unwrap();
    assert_eq!(
        (expires - started).num_minutes(),
        25,
        "20 minutes plus 5 of grace"
    );
    let tests = body["data"]["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 2);
    assert_eq!(tests[0]["expectedOutput"], "[0,1]");
    assert_eq!(tests[1]["input"], "[3,3], 6");
    assert!(tests[1].get("expectedOutput").is_none());
    assert!(!body.to_string().contains("HIDDEN-OUTPUT"));

    let (status, body) = app
        .post(
            &format!("/api/challenges/{id}/start"),
            Some(&solver.access),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "defaults: {body}");
    assert_eq!(body["data"]["attempt"]["mode"], "standard");
    let (status, body) = app
        .post(
            &format!("/api/challenges/{draft_id}/start"),
            Some(&solver.access),
            json!({}),
        )
        .await;
    assert_error(status, &body, 404, "CHALLENGE_NOT_FOUND");
    let (status, body) = app
        .post(
            &format!("/api/challenges/{id}/start"),
            Some(&solver.access),
            json!({"mode": "chaos"}),
        )
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
}

#[tokio::test]
async fn control_characters_are_refused_in_every_stored_text_of_a_challenge() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    type Change = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Change)> = vec![
        ("title", Box::new(|b| b["title"] = json!("Two\u{0}Sum"))),
        ("tags[0]", Box::new(|b| b["tags"][0] = json!("a\u{202e}b"))),
        ("category", Box::new(|b| b["category"] = json!("arr\tays"))),
        (
            "description",
            Box::new(|b| b["description"] = json!("Return the indices \u{7} of two numbers.")),
        ),
        (
            "content.problemStatement",
            Box::new(|b| b["content"]["problemStatement"] = json!("x\u{0}")),
        ),
        (
            "code.testCases[0].input",
            Box::new(|b| b["code"]["testCases"][0]["input"] = json!("[2,7]\u{0}")),
        ),
        (
            "code.testCases[1].expectedOutput",
            Box::new(|b| b["code"]["testCases"][1]["expectedOutput"] = json!("\u{1b}[31m")),
        ),
        (
            "code.starterCode.javascript",
            Box::new(|b| b["code"]["starterCode"]["javascript"] = json!("f(\u{0})")),
        ),
        (
            "scenario.distractions[0].content",
            Box::new(|b| b["scenario"]["distractions"][0]["content"] = json!("p\u{8}ing")),
        ),
    ];
    for (field, change) in cases {
        let mut body = challenge_body("Two Sum");
        change(&mut body);
        let (status, answer) = app.post("/api/challenges", Some(&admin.access), body).await;
        assert_error(status, &answer, 400, "VALIDATION_ERROR");
        let named: Vec<&str> = answer["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["field"].as_str())
            .collect();
        assert!(named.contains(&field), "{field}: {answer}");
    }
    // Code keeps its tabs and line breaks.
    let mut body = challenge_body("Two Sum");
    body["code"]["starterCode"]["javascript"] = json!("function f() {\n\treturn 1;\r\n}");
    let (status, answer) = app.post("/api/challenges", Some(&admin.access), body).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let (_, list) = app.get("/api/challenges", None).await;
    assert_eq!(
        list["data"]["pagination"]["total"], 1,
        "only the clean one stored"
    );
}
