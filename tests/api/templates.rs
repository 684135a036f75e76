//! Templates over HTTP: publishing, the catalogue, privacy, versions, stars, forks and real
//! zip downloads with entity tags.

use std::io::Read;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

pub fn template(title: &str) -> Value {
    json!({
        "title": title,
        "description": "A counter page.\nClick the button.",
        "code": {
            "htmlCode": "<button id=\"b\">0</button>",
            "cssCode": "button { font-size: 2rem; }",
            "jsCode": "let n = 0;\nb.onclick = () => b.textContent = ++n;",
            "language": "javascript",
            "framework": "Vanilla",
        },
        "metadata": {
            "category": "web-dev",
            "difficulty": "Beginner",
            "tags": ["DOM", "dom", "events"],
            "features": ["Counter"],
        },
    })
}

async fn publish(app: &TestApp, who: &Session, body: Value) -> String {
    let (status, made) = app.post("/api/templates", Some(&who.access), body).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    made["data"]["_id"].as_str().unwrap().to_owned()
}

fn fields(body: &Value) -> Vec<String> {
    body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["field"].as_str().map(str::to_owned))
        .collect()
}

async fn total(app: &TestApp, path: &str, token: Option<&str>) -> u64 {
    let (status, body) = app.get(path, token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"]["pagination"]["total"].as_u64().unwrap()
}

#[tokio::test]
async fn templates_are_published_listed_and_kept_by_their_authors() {
    let app = TestApp::spawn().await;
    let ada = app.verified("ada").await;
    let bob = app.verified("bob").await;
    let eve = app.signed_up("eve").await;

    // Who may publish, and bad input that changes nothing.
    let (status, body) = app.post("/api/templates", None, template("T")).await;
    assert_error(status, &body, 401, "MISSING_TOKEN");
    let (status, body) = app
        .post("/api/templates", Some(&eve.access), template("T"))
        .await;
    assert_error(status, &body, 403, "EMAIL_NOT_VERIFIED");
    let mut empty = template("Empty");
    empty["code"] = json!({"language": "html", "framework": "Vanilla"});
    let mut nul = template("Nul");
    nul["code"]["jsCode"] = json!("a\u{0}b");
    let mut svelte = template("Svelte");
    svelte["code"]["framework"] = json!("Svelte");
    let mut blank = template(" ");
    blank["metadata"]["tags"] = json!(["a b"]);
    for (body, field) in [
        (empty, "code"),
        (nul, "code.jsCode"),
        // An unknown variant is named by its path; the message lists the allowed ones.
        (svelte, "code.framework"),
        (blank.clone(), "title"),
        (blank, "metadata.tags[0]"),
    ] {
        let (status, answer) = app.post("/api/templates", Some(&ada.access), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert!(
            fields(&answer).iter().any(|f| f == field),
            "{field}: {answer}"
        );
    }
    assert_eq!(
        total(&app, "/api/templates", None).await,
        0,
        "nothing stored"
    );

    // Published: the document the web client reads.
    let (status, made) = app
        .post(
            "/api/templates",
            Some(&ada.access),
            template("Click Counter"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let t = &made["data"];
    let id = t["_id"].as_str().unwrap().to_owned();
    assert_eq!(t["author"]["username"], "ada");
    assert_eq!(t["author"]["_id"], ada.id.as_str());
    assert_eq!(t["code"]["framework"], "Vanilla");
    assert_eq!(t["metadata"]["tags"], json!(["dom", "events"]));
    assert_eq!(t["metadata"]["fileCount"], 4);
    assert!(t["metadata"]["size"].as_str().unwrap().ends_with(" B"));
    assert_eq!(
        t["stats"],
        json!({"stars": 0, "downloads": 0, "forks": 0, "views": 0})
    );
    assert_eq!(
        (t["version"].as_u64(), t["isPublic"].as_bool()),
        (Some(1), Some(true))
    );
    assert_eq!(t["slug"], "click-counter");
    assert!(t["createdAt"].is_string() && t["updatedAt"].is_string());

    // The client's list call, and the catalogue's facets.
    let (status, body) = app
        .get(
            "/api/templates?limit=6&category=web-dev&framework=Vanilla&difficulty=Beginner&search=COUNTER",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["data"][0]["_id"], id.as_str());
    assert_eq!(body["data"]["pagination"]["limit"], 6);
    assert_eq!(total(&app, "/api/templates?framework=React", None).await, 0);
    let (status, body) = app.get("/api/templates?framework=Svelte", None).await;
    assert_error(status, &body, 400, "QUERY_VALIDATION_ERROR");
    let (_, categories) = app.get("/api/templates/categories", None).await;
    let web = categories["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "web-dev")
        .unwrap()
        .clone();
    assert_eq!(web["count"], 1);
    let (_, frameworks) = app.get("/api/templates/frameworks", None).await;
    assert_eq!(frameworks["data"].as_array().unwrap().len(), 7);

    // Private templates: the author's own list holds them; everyone else meets a 404.
    let mut private = template("Secret");
    private["isPublic"] = json!(false);
    let secret = publish(&app, &ada, private).await;
    assert_eq!(total(&app, "/api/templates", None).await, 1);
    let mine = format!("/api/templates?author={}", ada.id);
    assert_eq!(total(&app, &mine, Some(&ada.access)).await, 2);
    assert_eq!(total(&app, &mine, Some(&bob.access)).await, 1);
    for path in [
        format!("/api/templates/{secret}"),
        format!("/api/templates/{secret}/versions"),
        format!("/api/templates/{secret}/forks"),
    ] {
        let (status, body) = app.get(&path, Some(&bob.access)).await;
        assert_error(status, &body, 404, "TEMPLATE_NOT_FOUND");
    }
    let (status, body) = app
        .post(
            &format!("/api/templates/{secret}/fork"),
            Some(&bob.access),
            json!({}),
        )
        .await;
    assert_error(status, &body, 404, "TEMPLATE_NOT_FOUND");

    // Updates: the author only; a code change is a new version.
    let path = format!("/api/templates/{id}");
    let (status, body) = app
        .put(&path, Some(&bob.access), json!({"title": "Mine now"}))
        .await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let (status, body) = app
        .put(&path, Some(&ada.access), json!({"title": "Clicker"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (
            body["data"]["title"].as_str(),
            body["data"]["version"].as_u64()
        ),
        (Some("Clicker"), Some(1))
    );
    let (status, body) = app
        .put(
            &path,
            Some(&ada.access),
            json!({"code": {"jsCode": "console.log('v2')"}, "metadata": {"difficulty": "Advanced"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["version"], 2);
    assert_eq!(
        body["data"]["code"]["htmlCode"],
        "<button id=\"b\">0</button>"
    );
    let (status, body) = app
        .put(
            &path,
            Some(&ada.access),
            json!({"code": {"language": "svelte"}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (_, versions) = app.get(&format!("{path}/versions"), None).await;
    let numbers: Vec<u64> = versions["data"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [2, 1]);

    // Views by others are counted; deletes are for the author or an admin.
    app.get(&path, Some(&ada.access)).await;
    app.get(&path, None).await;
    let (_, seen) = app.get(&path, Some(&bob.access)).await;
    assert_eq!(seen["data"]["stats"]["views"], 2);
    let (status, body) = app.delete(&path, Some(&bob.access)).await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let admin = app.admin().await;
    let (status, _) = app.delete(&path, Some(&admin.access)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.get(&path, None).await;
    assert_error(status, &body, 404, "TEMPLATE_NOT_FOUND");
    let (status, body) = app
        .post(&format!("{path}/star"), Some(&bob.access), json!({}))
        .await;
    assert_error(status, &body, 404, "TEMPLATE_NOT_FOUND");
    assert_eq!(total(&app, "/api/templates", None).await, 0);
}

fn zip_entries(bytes: &[u8]) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive");
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut text = String::new();
            f.read_to_string(&mut text).unwrap();
            (f.name().to_owned(), text)
        })
        .collect()
}

#[tokio::test]
async fn stars_forks_and_zip_downloads() {
    let app = TestApp::spawn().await;
    let ada = app.verified("ada").await;
    let bob = app.verified("bob").await;
    let id = publish(&app, &ada, template("Click Counter")).await;
    let path = format!("/api/templates/{id}");

    // Stars toggle, one per member.
    let (status, body) = app
        .post(&format!("{path}/star"), Some(&bob.access), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"], json!({"starred": true, "stars": 1}));
    let (_, mine) = app.get("/api/templates/starred", Some(&bob.access)).await;
    assert_eq!(mine["data"]["data"][0]["_id"], id.as_str());
    assert_eq!(mine["data"]["data"][0]["isStarred"], true);
    let (_, seen) = app.get(&path, Some(&ada.access)).await;
    assert_eq!(seen["data"]["isStarred"], false);
    assert_eq!(seen["data"]["stats"]["stars"], 1);
    let (_, body) = app
        .post(&format!("{path}/star"), Some(&bob.access), json!({}))
        .await;
    assert_eq!(body["data"], json!({"starred": false, "stars": 0}));
    let (status, body) = app.post(&format!("{path}/star"), None, json!({})).await;
    assert_error(status, &body, 401, "MISSING_TOKEN");

    // Forks copy the current version and remember it.
    app.put(
        &path,
        Some(&ada.access),
        json!({"code": {"cssCode": "b {}"}}),
    )
    .await;
    let (status, body) = app
        .post(&format!("{path}/fork"), Some(&bob.access), json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let fork = &body["data"];
    assert_eq!(fork["author"]["username"], "bob");
    assert_eq!(fork["forkedFrom"], json!({"template": id, "version": 2}));
    assert_eq!(fork["code"]["cssCode"], "b {}");
    let (_, forks) = app.get(&format!("{path}/forks"), None).await;
    assert_eq!(forks["data"]["data"][0]["_id"], fork["_id"]);
    let (_, origin) = app.get(&path, Some(&ada.access)).await;
    assert_eq!(origin["data"]["stats"]["forks"], 1);

    // A real zip, identical each time, with an entity tag that answers 304.
    let download = app.url(&format!("{path}/download"));
    let first = app.client.get(&download).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let header = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    assert_eq!(header(&first, "content-type"), "application/zip");
    assert!(
        header(&first, "content-disposition").contains("click-counter-v2.zip"),
        "{}",
        header(&first, "content-disposition")
    );
    let etag = header(&first, "etag");
    assert!(etag.starts_with('"'), "{etag}");
    let bytes = first.bytes().await.unwrap();
    let entries = zip_entries(&bytes);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "click-counter/index.html",
            "click-counter/styles.css",
            "click-counter/script.js",
            "click-counter/README.md"
        ]
    );
    assert_eq!(entries[0].1, "<button id=\"b\">0</button>");
    assert_eq!(entries[1].1, "b {}");
    assert!(entries[2].1.contains("++n"));
    assert!(entries[3].1.contains("Author: @ada") && entries[3].1.contains("Version: 2"));
    let again = app.client.get(&download).send().await.unwrap();
    assert_eq!(again.bytes().await.unwrap(), bytes, "byte-identical");
    let cached = app
        .client
        .request(Method::GET, &download)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&cached, "etag"), etag);
    assert!(cached.bytes().await.unwrap().is_empty());
    let (_, counted) = app.get(&path, Some(&ada.access)).await;
    assert_eq!(
        counted["data"]["stats"]["downloads"], 2,
        "304s are not counted"
    );

    let (status, body) = app
        .get("/api/templates/0123456789abcdef01234567/download", None)
        .await;
    assert_error(status, &body, 404, "TEMPLATE_NOT_FOUND");
    let (status, body) = app.get("/api/templates/nope/download", None).await;
    assert_error(status, &body, 400, "PARAMS_VALIDATION_ERROR");
}
