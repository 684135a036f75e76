//! Challenge content as authors write it (issue 16): scenario details, backend-API fields,
//! multi-file starter projects, and the admin bulk import.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::challenges::challenge_body;
use crate::helpers::*;

fn rich_body(title: &str) -> Value {
    let mut body = challenge_body(title);
    body["type"] = json!("feature");
    body["scenario"]["stakeholders"] = json!(["Head of Support", "On-call SRE"]);
    body["scenario"]["businessContext"] = json!("Refunds stall at month end.");
    body["scenario"]["constraints"] = json!(["No new dependencies"]);
    body["apiEndpoint"] = json!("/api/orders/{id}/refunds");
    body["method"] = json!("POST");
    body["samplePayload"] = json!({"$set": {"a.b": 1}, "amount": 12.5, "items": [null, true, "é"]});
    body["headers"] = json!({"Content-Type": "application/json", "X-Trace.Id": "abc"});
    body["files"] = json!([
        {"path": "package.json", "content": "{\"name\":\"refunds\"}", "language": "json", "readOnly": true},
        {"path": "src/server.js", "content": "const express = require('express');\n", "language": "javascript", "readOnly": false}
    ]);
    body["environment"] =
        json!({"runtime": "node", "dependencies": ["express@4.19.2"], "ports": [3000]});
    body
}

fn fields(body: &Value) -> Vec<String> {
    body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn scenario_api_and_project_fields_are_stored_and_served_without_hidden_outputs() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let solver = app.signed_up("solver").await;
    let (status, created) = app
        .post(
            "/api/challenges",
            Some(&admin.access),
            rich_body("Refund API"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["data"]["_id"].as_str().unwrap().to_owned();
    let (_, seen) = app
        .get(&format!("/api/challenges/{id}"), Some(&solver.access))
        .await;
    let c = &seen["data"];
    let sent = rich_body("x");
    for field in [
        "apiEndpoint",
        "method",
        "samplePayload",
        "headers",
        "files",
        "environment",
    ] {
        assert_eq!(c[field], sent[field], "{field}");
    }
    assert_eq!(
        c["scenario"]["stakeholders"],
        sent["scenario"]["stakeholders"]
    );
    assert_eq!(
        c["scenario"]["businessContext"],
        "Refunds stall at month end."
    );
    assert_eq!(c["scenario"]["constraints"], json!(["No new dependencies"]));
    let text = seen.to_string();
    assert!(
        !text.contains("HIDDEN-OUTPUT") && !text.contains("SECRET-SOLUTION"),
        "{text}"
    );
    let (_, list) = app.get("/api/challenges", None).await;
    assert_eq!(list["data"]["data"][0]["files"][1]["path"], "src/server.js");
    assert!(!list.to_string().contains("HIDDEN-OUTPUT"));

    // An edit that names a test's id keeps it; the parts can be emptied again.
    let tests = c["code"]["testCases"].as_array().unwrap();
    let kept = tests[1]["_id"].as_str().unwrap().to_owned();
    let mut edit = challenge_body("Refund API");
    edit["code"]["testCases"][1]["_id"] = json!(kept);
    edit["code"]["testCases"][1]["expectedOutput"] = json!("CHANGED");
    let (status, edited) = app
        .put(&format!("/api/challenges/{id}"), Some(&admin.access), edit)
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["data"]["code"]["testCases"][1]["_id"], kept.as_str());
    for field in ["apiEndpoint", "files", "environment", "headers"] {
        assert!(edited["data"].get(field).is_none(), "{field} emptied");
    }
}

/// A name, how to spoil the body's JSON shape, and the field the answer must name.
type BadShape = (&'static str, Box<dyn Fn(&mut Value)>, &'static str);

/// A name, how to spoil the body, the status and the field the answer must name.
type BadCase = (&'static str, Box<dyn Fn(&mut Value)>, u16, &'static str);

#[tokio::test]
async fn bad_api_and_project_fields_are_refused_with_paths_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let cases: Vec<BadCase> = vec![
        (
            "dot-dot path",
            Box::new(|b| b["files"][1]["path"] = json!("../../etc/passwd")),
            400,
            "files[1].path",
        ),
        (
            "absolute path",
            Box::new(|b| b["files"][0]["path"] = json!("/etc/passwd")),
            400,
            "files[0].path",
        ),
        (
            "same path twice",
            Box::new(|b| b["files"][1]["path"] = json!("package.json")),
            400,
            "files",
        ),
        (
            "10,000 files",
            Box::new(|b| {
                b["files"] = Value::Array(
                    (0..10_000)
                        .map(|i| json!({"path": format!("f{i}"), "content": ""}))
                        .collect(),
                )
            }),
            400,
            "files",
        ),
        (
            "relative endpoint",
            Box::new(|b| b["apiEndpoint"] = json!("api/orders")),
            400,
            "apiEndpoint",
        ),
        (
            "NUL in a file",
            Box::new(|b| b["files"][0]["content"] = json!("a\u{0}b")),
            400,
            "files[0].content",
        ),
        (
            "port 0",
            Box::new(|b| b["environment"]["ports"] = json!([0])),
            400,
            "environment.ports",
        ),
        (
            "header name with a space",
            Box::new(|b| b["headers"] = json!({"X Bad": "1"})),
            400,
            "headers[0].name",
        ),
        (
            "a payload over 64 KiB",
            Box::new(|b| b["samplePayload"] = json!("x".repeat(70_000))),
            400,
            "samplePayload",
        ),
        (
            "stakeholder with a bidi override",
            Box::new(|b| b["scenario"]["stakeholders"] = json!(["a\u{202e}b"])),
            400,
            "scenario.stakeholders[0]",
        ),
    ];
    for (name, change, status_code, field) in cases {
        let mut body = rich_body("Bad Content");
        change(&mut body);
        let (status, response) = app.post("/api/challenges", Some(&admin.access), body).await;
        assert_error(status, &response, status_code, "VALIDATION_ERROR");
        assert!(
            fields(&response).contains(&field.to_owned()),
            "{name}: {response}"
        );
    }
    // Errors of the JSON itself name the field too, however deep it sits.
    let shapes: Vec<BadShape> = vec![
        (
            "unknown method",
            Box::new(|b| b["method"] = json!("TRACE")),
            "method",
        ),
        (
            "weight as text",
            Box::new(|b| b["code"]["testCases"][1]["weight"] = json!("heavy")),
            "code.testCases[1].weight",
        ),
        (
            "unknown scenario field",
            Box::new(|b| b["scenario"]["mood"] = json!("calm")),
            "scenario.mood",
        ),
        (
            "file without content",
            Box::new(|b| b["files"][0] = json!({"path": "a.js"})),
            "files[0].content",
        ),
        (
            "port out of range",
            Box::new(|b| b["environment"]["ports"] = json!([70000])),
            "environment.ports[0]",
        ),
        // serde would read a struct from an array by position; every depth refuses that.
        (
            "content as an array",
            Box::new(|b| b["content"] = json!(["Given nums, return.", null, [], [], null, null])),
            "content",
        ),
        (
            "a test case as an array",
            Box::new(|b| b["code"]["testCases"][0] = json!(["[1]", "1", false, 1])),
            "code.testCases[0]",
        ),
    ];
    for (name, change, field) in shapes {
        let mut body = rich_body("Bad Content");
        change(&mut body);
        let (status, response) = app.post("/api/challenges", Some(&admin.access), body).await;
        assert_error(status, &response, 400, "VALIDATION_ERROR");
        assert_eq!(
            fields(&response),
            vec![field.to_owned()],
            "{name}: {response}"
        );
        assert!(
            !response.to_string().contains("Dto"),
            "{name}: no Rust names: {response}"
        );
    }
    let mut body = rich_body("Bad Content");
    body["samplePayload"] = json!("x".repeat(10 * 1024 * 1024));
    let (status, response) = app.post("/api/challenges", Some(&admin.access), body).await;
    assert_error(status, &response, 413, "PAYLOAD_TOO_LARGE");
    let (_, list) = app.get("/api/challenges", Some(&admin.access)).await;
    assert_eq!(list["data"]["pagination"]["total"], 0, "nothing stored");
}

fn catalogue(n: usize) -> Value {
    json!({"challenges": (0..n).map(|i| {
        let mut body = if i % 2 == 0 { rich_body(&format!("Imported {i}")) } else { challenge_body(&format!("Imported {i}")) };
        body["code"]["testCases"][0]["_id"] = json!(format!("{:024x}", i + 1));
        body
    }).collect::<Vec<_>>()})
}

#[tokio::test]
async fn admins_import_a_catalogue_in_bulk_and_one_bad_item_among_a_hundred_writes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let user = app.signed_up("someone").await;
    let (status, body) = app
        .post(
            "/api/admin/challenges/import",
            Some(&user.access),
            catalogue(2),
        )
        .await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let (status, body) = app
        .post("/api/admin/challenges/import", None, catalogue(2))
        .await;
    assert_error(status, &body, 401, "MISSING_TOKEN");

    let mut bad = catalogue(100);
    bad["challenges"][40]["files"][0]["path"] = json!("a/../../b");
    bad["challenges"][73]["difficulty"] = json!("Impossible");
    bad["challenges"][88]["code"]["testCases"][0]["_id"] = json!("not-hex");
    bad["challenges"][95]["content"] = json!(["Statement", null, [], [], null, null]);
    let (status, body) = app
        .post("/api/admin/challenges/import", Some(&admin.access), bad)
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    let found = fields(&body);
    for field in [
        "challenges[40].files[0].path",
        "challenges[73].difficulty",
        "challenges[88].code.testCases[0]._id",
        "challenges[95].content",
    ] {
        assert!(found.contains(&field.to_owned()), "{field} in {found:?}");
    }
    let (_, list) = app.get("/api/challenges", Some(&admin.access)).await;
    assert_eq!(list["data"]["pagination"]["total"], 0, "nothing written");

    let (status, dry) = app
        .post(
            "/api/admin/challenges/import?dryRun=true",
            Some(&admin.access),
            catalogue(100),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{dry}");
    assert_eq!(
        (
            dry["data"]["dryRun"].clone(),
            dry["data"]["created"].clone()
        ),
        (json!(true), json!(100))
    );
    let (_, list) = app.get("/api/challenges", Some(&admin.access)).await;
    assert_eq!(
        list["data"]["pagination"]["total"], 0,
        "a dry run writes nothing"
    );

    let (status, done) = app
        .post(
            "/api/admin/challenges/import",
            Some(&admin.access),
            catalogue(100),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["data"]["created"], 100);
    assert_eq!(done["data"]["items"][5]["slug"], "imported-5");
    let (_, one) = app.get("/api/challenges/slug/imported-4", None).await;
    assert_eq!(
        one["data"]["code"]["testCases"][0]["_id"],
        format!("{:024x}", 5)
    );
    assert_eq!(one["data"]["files"][0]["path"], "package.json");

    let mut again = catalogue(3);
    again["challenges"][0]["description"] = json!("A new description of the imported task.");
    let (_, skipped) = app
        .post(
            "/api/admin/challenges/import",
            Some(&admin.access),
            again.clone(),
        )
        .await;
    assert_eq!(
        (
            skipped["data"]["skipped"].clone(),
            skipped["data"]["updated"].clone()
        ),
        (json!(3), json!(0))
    );
    let (_, updated) = app
        .post(
            "/api/admin/challenges/import?update=true",
            Some(&admin.access),
            again,
        )
        .await;
    assert_eq!(updated["data"]["updated"], 3, "{updated}");
    let (_, one) = app.get("/api/challenges/slug/imported-0", None).await;
    assert_eq!(
        one["data"]["description"],
        "A new description of the imported task."
    );

    let (status, body) = app
        .post(
            "/api/admin/challenges/import",
            Some(&admin.access),
            json!([catalogue(1)["challenges"][0].clone()]),
        )
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
}
