//! Uploads over HTTP: avatars and template thumbnails are images told by their bytes, stored
//! under generated keys, served with their media type, and replaced without leaving orphans.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR fake but signed";
const JPEG: &[u8] = &[0xff, 0xd8, 0xff, 0xe0, 0, 16, b'J', b'F', b'I', b'F'];

/// A `multipart/form-data` body with one part: its content type header and bytes.
pub fn multipart(
    field: &str,
    filename: &str,
    content_type: &str,
    data: &[u8],
) -> (String, Vec<u8>) {
    let boundary = "----stackrush-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n\
         Content-Type: {content_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub async fn upload(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    (content_type, body): (String, Vec<u8>),
) -> (StatusCode, Value) {
    let mut request = app
        .client
        .post(app.url(path))
        .header("Content-Type", content_type)
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    split(request.send().await.unwrap()).await
}

/// The path of a served file's URL (the app runs on a port of its own).
fn path_of(url: &str) -> String {
    let start = url.find("/api/").expect("a URL under /api");
    url[start..].to_owned()
}

fn stored(app: &TestApp) -> Vec<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            if e.path().is_dir() {
                walk(&e.path(), out);
            } else {
                out.push(e.path().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(&app.files_dir, &mut out);
    out
}

async fn served(app: &TestApp, url: &str) -> reqwest::Response {
    app.client.get(app.url(&path_of(url))).send().await.unwrap()
}

#[tokio::test]
async fn avatars_are_images_told_by_their_bytes_stored_served_and_replaced() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up("ada").await;
    let token = Some(ada.access.as_str());

    // Refused uploads store nothing.
    let exe = b"MZ\x90\0\x03\0\0\0 this program cannot be run in DOS mode";
    let (status, body) = upload(
        &app,
        "/api/users/avatar",
        token,
        multipart("file", "me.png", "image/png", exe),
    )
    .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    assert_eq!(body["error"]["details"][0]["field"], "file", "{body}");
    let mut big = PNG.to_vec();
    big.resize(50 * 1024 * 1024, 7);
    let (status, body) = upload(
        &app,
        "/api/users/avatar",
        token,
        multipart("file", "big.png", "image/png", &big),
    )
    .await;
    assert_error(status, &body, 413, "PAYLOAD_TOO_LARGE");
    let (status, body) = upload(
        &app,
        "/api/users/avatar",
        token,
        multipart("picture", "me.png", "image/png", PNG),
    )
    .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    let (status, body) = app
        .post("/api/users/avatar", token, json!({"file": "x"}))
        .await;
    assert_error(status, &body, 415, "UNSUPPORTED_MEDIA_TYPE");
    let (status, body) = upload(
        &app,
        "/api/users/avatar",
        None,
        multipart("file", "me.png", "image/png", PNG),
    )
    .await;
    assert_error(status, &body, 401, "MISSING_TOKEN");
    assert!(stored(&app).is_empty(), "{:?}", stored(&app));

    // An image: stored under a generated key whatever the client called it, served as itself.
    let (status, body) = upload(
        &app,
        "/api/users/avatar",
        token,
        multipart("file", "../../etc/passwd", "text/plain", PNG),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let first = body["data"]["avatar"].as_str().unwrap().to_owned();
    assert!(
        first.contains(&format!("/api/files/avatars/{}/", ada.id)) && first.ends_with(".png"),
        "{first}"
    );
    let (_, profile) = app.get("/api/users/profile", token).await;
    assert_eq!(profile["data"]["profile"]["avatar"], first.as_str());
    let response = served(&app, &first).await;
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| response.headers()[name].to_str().unwrap().to_owned();
    assert_eq!(header("content-type"), "image/png");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert!(header("cache-control").contains("max-age=31536000"));
    assert_eq!(response.bytes().await.unwrap().as_ref(), PNG);
    assert_eq!(stored(&app).len(), 1);

    // Replacing removes the old picture.
    let (status, body) = upload(
        &app,
        "/api/users/avatar",
        token,
        multipart("file", "me.jpg", "image/jpeg", JPEG),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let second = body["data"]["avatar"].as_str().unwrap().to_owned();
    assert!(second.ends_with(".jpg"));
    assert_eq!(served(&app, &first).await.status(), StatusCode::NOT_FOUND);
    let response = served(&app, &second).await;
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    assert_eq!(stored(&app).len(), 1, "no orphan");

    let (status, body) = app
        .get(
            "/api/files/avatars/0123456789abcdef01234567/0123456789abcdef01234567.png",
            None,
        )
        .await;
    assert_error(status, &body, 404, "FILE_NOT_FOUND");
}

#[tokio::test]
async fn thumbnails_belong_to_the_template_author() {
    let app = TestApp::spawn().await;
    let ada = app.verified("ada").await;
    let bob = app.verified("bob").await;
    let (status, made) = app
        .post(
            "/api/templates",
            Some(&ada.access),
            crate::templates::template("Pic"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let id = made["data"]["_id"].as_str().unwrap().to_owned();
    let path = format!("/api/templates/{id}/thumbnail");
    let (status, body) = upload(
        &app,
        &path,
        Some(&bob.access),
        multipart("file", "t.png", "image/png", PNG),
    )
    .await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    assert!(stored(&app).is_empty());
    let (status, body) = upload(
        &app,
        &path,
        Some(&ada.access),
        multipart("file", "t.png", "image/png", PNG),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let url = body["data"]["thumbnail"].as_str().unwrap().to_owned();
    assert!(
        url.contains(&format!("/api/files/thumbnails/{id}/")),
        "{url}"
    );
    let (_, listed) = app.get("/api/templates", None).await;
    assert_eq!(listed["data"]["data"][0]["thumbnail"], url.as_str());
    assert_eq!(
        served(&app, &url).await.bytes().await.unwrap().as_ref(),
        PNG
    );
    let (status, _) = upload(
        &app,
        &path,
        Some(&ada.access),
        multipart("file", "t.jpg", "image/jpeg", JPEG),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(served(&app, &url).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(stored(&app).len(), 1, "no orphan");
    let (status, body) = upload(
        &app,
        "/api/templates/0123456789abcdef01234567/thumbnail",
        Some(&ada.access),
        multipart("file", "t.png", "image/png", PNG),
    )
    .await;
    assert_error(status, &body, 404, "TEMPLATE_NOT_FOUND");
}

#[tokio::test]
async fn avatars_are_kept_in_an_s3_bucket_when_one_is_named() {
    let Ok(endpoint) = std::env::var("S3_TEST_ENDPOINT") else {
        eprintln!("SKIPPED: uploads to S3 (S3_TEST_ENDPOINT is not set)");
        return;
    };
    let bucket = std::env::var("S3_TEST_BUCKET").unwrap_or_else(|_| "stackrush-test".into());
    let app = TestApp::spawn_with(Options {
        vars: vec![
            ("STORAGE", "s3".into()),
            ("S3_BUCKET", bucket),
            ("S3_ENDPOINT", endpoint),
        ],
        ..Options::default()
    })
    .await;
    let ada = app.signed_up("ada").await;
    let (status, body) = upload(
        &app,
        "/api/users/avatar",
        Some(&ada.access),
        multipart("file", "a.png", "image/png", PNG),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let url = body["data"]["avatar"].as_str().unwrap().to_owned();
    let response = served(&app, &url).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.unwrap().as_ref(), PNG);
    assert!(stored(&app).is_empty(), "nothing on the local disk");
    let (status, _) = upload(
        &app,
        "/api/users/avatar",
        Some(&ada.access),
        multipart("file", "a.jpg", "image/jpeg", JPEG),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        served(&app, &url).await.status(),
        StatusCode::NOT_FOUND,
        "the replaced one is gone"
    );
}
