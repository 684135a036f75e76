//! Code-runner projects over HTTP: saves that never overwrite another tab's, share links,
//! forks of shared projects and zip exports.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn projects_are_private_saves_that_never_overwrite_a_newer_version() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up("ada").await;
    let bob = app.verified("bob").await;
    let token = Some(ada.access.as_str());

    // Bad input changes nothing.
    for (body, field) in [
        (json!({"title": " "}), "title"),
        (json!({"title": "x", "jsCode": "a\u{0}b"}), "jsCode"),
        (json!({"title": "x", "templateId": "nope"}), "templateId"),
    ] {
        let (status, answer) = app.post("/api/projects", token, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        let named: Vec<&str> = answer["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["field"].as_str())
            .collect();
        assert!(named.contains(&field), "{field}: {answer}");
    }
    let (status, body) = app
        .post(
            "/api/projects",
            token,
            json!({"title": "x", "templateId": "0123456789abcdef01234567"}),
        )
        .await;
    assert_error(status, &body, 404, "TEMPLATE_NOT_FOUND");
    let (status, body) = app.post("/api/projects", None, json!({"title": "x"})).await;
    assert_error(status, &body, 401, "MISSING_TOKEN");

    // From a template: its code; with code: that code.
    let (_, template) = app
        .post(
            "/api/templates",
            Some(&bob.access),
            crate::templates::template("Counter"),
        )
        .await;
    let template_id = template["data"]["_id"].as_str().unwrap();
    let (status, made) = app
        .post(
            "/api/projects",
            token,
            json!({"title": "My counter", "templateId": template_id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let p = &made["data"];
    assert_eq!(p["code"]["htmlCode"], template["data"]["code"]["htmlCode"]);
    assert_eq!(p["templateId"], template_id);
    assert_eq!(
        (p["version"].as_u64(), p["owner"]["username"].as_str()),
        (Some(1), Some("ada"))
    );
    assert_eq!(p["shareSlug"], serde_json::Value::Null);
    let id = p["_id"].as_str().unwrap().to_owned();
    let (status, _) = app
        .post(
            "/api/projects",
            token,
            json!({"title": "Other", "jsCode": "1", "framework": "React"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, mine) = app.get("/api/projects", token).await;
    assert_eq!(mine["data"]["pagination"]["total"], 2);
    let (_, theirs) = app.get("/api/projects", Some(&bob.access)).await;
    assert_eq!(theirs["data"]["pagination"]["total"], 0);

    // Two tabs: the second save, based on version 1, is refused with the current version.
    let path = format!("/api/projects/{id}");
    let (status, first) = app
        .put(
            &path,
            token,
            json!({"version": 1, "jsCode": "console.log('tab one')"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["data"]["version"], 2);
    let (status, body) = app
        .put(
            &path,
            token,
            json!({"version": 1, "jsCode": "console.log('tab two')"}),
        )
        .await;
    assert_error(status, &body, 409, "VERSION_CONFLICT");
    assert_eq!(body["error"]["details"][0]["field"], "version");
    assert_eq!(body["error"]["details"][0]["value"], 2);
    let (_, stored) = app.get(&path, token).await;
    assert_eq!(stored["data"]["code"]["jsCode"], "console.log('tab one')");
    let (status, body) = app.put(&path, token, json!({"jsCode": "x"})).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "version is required: {body}"
    );

    // Others meet 404s; the owner deletes.
    for (status, body) in [
        app.get(&path, Some(&bob.access)).await,
        app.put(
            &path,
            Some(&bob.access),
            json!({"version": 2, "title": "Mine"}),
        )
        .await,
        app.delete(&path, Some(&bob.access)).await,
    ] {
        assert_error(status, &body, 404, "PROJECT_NOT_FOUND");
    }
    let (status, _) = app.delete(&path, token).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.get(&path, token).await;
    assert_error(status, &body, 404, "PROJECT_NOT_FOUND");
}

#[tokio::test]
async fn shared_links_are_read_only_counted_forkable_revocable_and_exports_are_zips() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up("ada").await;
    let bob = app.signed_up("bob").await;
    let (_, made) = app
        .post(
            "/api/projects",
            Some(&ada.access),
            json!({"title": "Demo page", "htmlCode": "<p>hi</p>", "jsCode": "1"}),
        )
        .await;
    let id = made["data"]["_id"].as_str().unwrap().to_owned();
    let (status, shared) = app
        .post(
            &format!("/api/projects/{id}/share"),
            Some(&ada.access),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{shared}");
    let slug = shared["data"]["shareSlug"].as_str().unwrap().to_owned();
    assert_eq!(slug.len(), 32);
    let link = shared["data"]["sharePath"].as_str().unwrap().to_owned();
    assert!(
        link.ends_with(&format!("/projects/shared/{slug}")),
        "{link}"
    );

    let public = format!("/api/projects/shared/{slug}");
    let (status, seen) = app.get(&public, None).await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen["data"]["code"]["htmlCode"], "<p>hi</p>");
    assert_eq!(seen["data"]["views"], 1);
    let (_, seen) = app.get(&public, None).await;
    assert_eq!(seen["data"]["views"], 2);
    let (status, body) = app
        .put(
            &format!("/api/projects/{id}"),
            Some(&bob.access),
            json!({"version": 1, "title": "x"}),
        )
        .await;
    assert_error(status, &body, 404, "PROJECT_NOT_FOUND");

    let (status, body) = app.post(&format!("{public}/fork"), None, json!({})).await;
    assert_error(status, &body, 401, "MISSING_TOKEN");
    let (status, fork) = app
        .post(&format!("{public}/fork"), Some(&bob.access), json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{fork}");
    assert_eq!(fork["data"]["owner"]["username"], "bob");
    assert_eq!(fork["data"]["forkedFrom"], id.as_str());
    assert_eq!(fork["data"]["code"]["htmlCode"], "<p>hi</p>");

    // Exports: a zip with the page's files.
    let export = app
        .client
        .get(app.url(&format!("/api/projects/{id}/export")))
        .bearer_auth(&ada.access)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), StatusCode::OK);
    assert_eq!(export.headers()["content-type"], "application/zip");
    let bytes = export.bytes().await.unwrap();
    let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.as_ref())).unwrap();
    let names: Vec<&str> = zip.file_names().collect();
    assert!(
        names.contains(&"demo-page/index.html") && names.contains(&"demo-page/README.md"),
        "{names:?}"
    );
    let (status, body) = app
        .get(&format!("/api/projects/{id}/export"), Some(&bob.access))
        .await;
    assert_error(status, &body, 404, "PROJECT_NOT_FOUND");

    // Unsharing kills the link for good.
    let (status, body) = app
        .delete(&format!("/api/projects/{id}/share"), Some(&ada.access))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["shareSlug"], serde_json::Value::Null);
    let (status, body) = app.get(&public, None).await;
    assert_error(status, &body, 404, "PROJECT_NOT_FOUND");
    let (status, body) = app.get("/api/projects/shared/nope", None).await;
    assert_eq!(status.as_u16() / 100, 4, "{body}");
}
