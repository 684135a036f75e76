//! The security suite of QUALITY.md as it applies to identity.

use base64::Engine;
use jsonwebtoken::{encode, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

fn b64(value: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

fn claims(id: &str, exp_offset: i64, nbf_offset: i64) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"id": id, "sub": id, "email": "ada@example.com", "username": "ada", "roles": ["user", "admin"],
           "iat": now + nbf_offset.min(0), "nbf": now + nbf_offset, "exp": now + exp_offset,
           "iss": "stackrush", "aud": "stackrush-web", "typ": "access", "ver": 0})
}

fn sign(claims: &Value, secret: &str) -> String {
    encode(
        &Header::default(),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

#[tokio::test]
async fn every_kind_of_bad_access_token_is_refused() {
    let app = TestApp::spawn().await;
    let s = app.signed_up("ada").await;
    let (status, body) = app.get("/api/users/profile", None).await;
    assert_error(status, &body, 401, "MISSING_TOKEN");

    let parts: Vec<&str> = s.access.split('.').collect();
    let mut payload: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[1])
            .unwrap(),
    )
    .unwrap();
    payload["roles"] = json!(["user", "admin"]);
    let none_alg = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        parts[1]
    );
    let stripped = format!("{}.{}.", parts[0], parts[1]);
    let forged = format!("{}.{}.{}", parts[0], b64(&payload), parts[2]);
    let wrong_key = sign(
        &claims(&s.id, 600, 0),
        "some-other-secret-that-is-long-enough-000000",
    );
    let expired = sign(&claims(&s.id, -1, -900), JWT_SECRET);
    let future = sign(&claims(&s.id, 900, 60), JWT_SECRET);
    let mut wrong_aud = claims(&s.id, 600, 0);
    wrong_aud["aud"] = json!("someone-else");
    let wrong_aud = sign(&wrong_aud, JWT_SECRET);
    let mut refresh_typ = claims(&s.id, 600, 0);
    refresh_typ["typ"] = json!("refresh");
    let refresh_typ = sign(&refresh_typ, JWT_SECRET);
    let cases = [
        ("garbage", "not-a-jwt".to_owned(), "INVALID_TOKEN"),
        ("alg none", none_alg, "INVALID_TOKEN"),
        ("stripped signature", stripped, "INVALID_TOKEN"),
        ("forged claims", forged, "INVALID_TOKEN"),
        ("wrong key", wrong_key, "INVALID_TOKEN"),
        ("expired", expired, "TOKEN_EXPIRED"),
        ("not yet valid", future, "INVALID_TOKEN"),
        ("wrong audience", wrong_aud, "INVALID_TOKEN"),
        ("wrong type", refresh_typ, "INVALID_TOKEN"),
        (
            "refresh token as access token",
            s.refresh.clone(),
            "INVALID_TOKEN",
        ),
    ];
    for (name, token, code) in cases {
        let (status, body) = app.get("/api/users/profile", Some(&token)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{name}: {body}");
        assert_eq!(body["error"]["code"], code, "{name}: {body}");
    }
    let valid = sign(&claims(&s.id, 600, 0), JWT_SECRET);
    let (status, body) = app.get("/api/users/profile", Some(&valid)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a correctly signed token works: {body}"
    );
    let (status, _) = app.get("/api/users", Some(&valid)).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "roles come from the store, not from the token's claims"
    );
}

#[tokio::test]
async fn validation_details_never_name_rust_types() {
    let app = TestApp::spawn().await;
    for (path, body) in [
        ("/api/auth/login", json!(5)),
        ("/api/auth/register", json!("ada")),
        (
            "/api/auth/login",
            json!({"identifier": "ada", "password": "x", "roles": []}),
        ),
    ] {
        let (status, err) = app.post(path, None, body.clone()).await;
        assert_error(status, &err, 400, "VALIDATION_ERROR");
        let text = err.to_string();
        for rust in ["struct", "Request", "enum "] {
            assert!(!text.contains(rust), "{path} {body}: {text}");
        }
        let field = err["error"]["details"][0]["field"].as_str().unwrap_or("");
        assert!(field == "body" || field == "roles", "{path} {body}: {text}");
    }
}

#[tokio::test]
async fn privileged_or_unknown_fields_in_bodies_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .post("/api/auth/register", None, json!({"email": "m@example.com", "username": "mallory", "password": PASSWORD, "roles": ["admin"]}))
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    assert_eq!(body["error"]["details"][0]["field"], "roles");
    let (status, _) = app
        .post(
            "/api/auth/login",
            None,
            json!({"identifier": "mallory", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "nothing was created");
    let s = app.signed_up("ada").await;
    for body in [
        json!({"stats": {"xp": 99999}}),
        json!({"roles": ["admin"]}),
        json!({"email": "x@example.com"}),
    ] {
        let (status, response) = app.put("/api/users/profile", Some(&s.access), body).await;
        assert_error(status, &response, 400, "VALIDATION_ERROR");
    }
    let (_, profile) = app.get("/api/users/profile", Some(&s.access)).await;
    assert_eq!(profile["data"]["stats"]["xp"], 0);
    assert_eq!(profile["data"]["roles"], json!(["user"]));
}

#[tokio::test]
async fn operator_injection_is_a_validation_error_and_search_is_literal() {
    let app = TestApp::spawn().await;
    app.register("ada").await;
    let (status, body) = app
        .post(
            "/api/auth/login",
            None,
            json!({"identifier": "ada", "password": {"$ne": ""}}),
        )
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    let (status, body) = app
        .post(
            "/api/auth/login",
            None,
            json!({"identifier": {"$gt": ""}, "password": PASSWORD}),
        )
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    let admin = app.admin().await;
    let (status, body) = app
        .get("/api/users?search[$ne]=x", Some(&admin.access))
        .await;
    assert_error(status, &body, 400, "QUERY_VALIDATION_ERROR");
    let redos = format!("{}!", "a".repeat(50));
    let started = std::time::Instant::now();
    let (status, body) = app
        .get(
            &format!("/api/users?search=(a%2B)%2B{redos}"),
            Some(&admin.access),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["pagination"]["total"], 0);
    assert!(started.elapsed().as_secs() < 5);
}

#[tokio::test]
async fn oversized_deep_and_non_json_bodies_get_json_errors() {
    let app = TestApp::spawn_with(Options {
        vars: vec![("BODY_LIMIT_BYTES", "4096".into())],
        ..Options::default()
    })
    .await;
    let big = json!({"identifier": "a".repeat(10_000), "password": "x"});
    let (status, body) = app.post("/api/auth/login", None, big).await;
    assert_error(status, &body, 413, "PAYLOAD_TOO_LARGE");
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let response = app
        .client
        .post(app.url("/api/auth/login"))
        .header("content-type", "application/json")
        .body(deep)
        .send()
        .await
        .unwrap();
    let (status, body) = split(response).await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    let response = app
        .client
        .post(app.url("/api/auth/login"))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    let (status, body) = split(response).await;
    assert_error(status, &body, 415, "UNSUPPORTED_MEDIA_TYPE");
    let response = app
        .client
        .post(app.url("/api/auth/login"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (status, body) = split(response).await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
}

#[tokio::test]
async fn credential_routes_are_throttled_per_address_with_json_429s() {
    let app = TestApp::spawn_with(Options {
        vars: vec![("AUTH_RATE_LIMIT_PER_MINUTE", "3".into())],
        ..Options::default()
    })
    .await;
    for i in 0..3 {
        let response = app
            .call(
                Method::POST,
                "/api/auth/login",
                None,
                Some(json!({"identifier": format!("user{i}"), "password": "Wrong-Pass-1"})),
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()["ratelimit-limit"], "3");
        assert_eq!(
            response.headers()["ratelimit-remaining"],
            (2 - i).to_string().as_str()
        );
    }
    let response = app
        .call(
            Method::POST,
            "/api/auth/login",
            None,
            Some(json!({"identifier": "user9", "password": "Wrong-Pass-1"})),
        )
        .await;
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    assert_eq!(response.headers()["ratelimit-remaining"], "0");
    let (status, body) = split(response).await;
    assert_error(status, &body, 429, "TOO_MANY_REQUESTS");
    let (status, _) = app.get("/api/health", None).await;
    assert_eq!(status, StatusCode::OK, "other routes still answer");
}

#[tokio::test]
async fn the_global_limit_applies_to_every_route() {
    let app = TestApp::spawn_with(Options {
        vars: vec![("RATE_LIMIT_PER_MINUTE", "5".into())],
        ..Options::default()
    })
    .await;
    for _ in 0..5 {
        assert_eq!(app.get("/api/health", None).await.0, StatusCode::OK);
    }
    let (status, body) = app.get("/api/health", None).await;
    assert_error(status, &body, 429, "TOO_MANY_REQUESTS");
}

#[tokio::test]
async fn cors_allows_only_the_configured_origin_with_credentials() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .request(Method::OPTIONS, app.url("/api/auth/login"))
        .header("origin", "http://localhost:5173")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type",
        )
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let h = response.headers();
    assert_eq!(h["access-control-allow-origin"], "http://localhost:5173");
    assert_eq!(h["access-control-allow-credentials"], "true");
    let methods = h["access-control-allow-methods"].to_str().unwrap();
    for m in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        assert!(methods.contains(m), "{methods}");
    }
    let response = app
        .client
        .get(app.url("/api/health"))
        .header("origin", "http://localhost:5173")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "http://localhost:5173"
    );
    for origin in ["https://evil.example", "null"] {
        let response = app
            .client
            .get(app.url("/api/health"))
            .header("origin", origin)
            .send()
            .await
            .unwrap();
        assert!(
            response
                .headers()
                .get("access-control-allow-origin")
                .is_none(),
            "{origin} must get no CORS headers"
        );
    }
}

#[tokio::test]
async fn security_headers_are_on_every_response() {
    let app = TestApp::spawn().await;
    let s = app.signed_up("ada").await;
    for response in [
        app.call(Method::GET, "/api/users/profile", Some(&s.access), None)
            .await,
        app.call(Method::GET, "/api/missing", None, None).await,
    ] {
        let h = response.headers();
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["cache-control"], "no-store");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert!(h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'"));
        assert_eq!(h["x-request-id"].to_str().unwrap().len(), 32);
    }
}

#[tokio::test]
async fn hsts_is_sent_only_over_https_that_a_trusted_proxy_reports() {
    let hsts = |r: &reqwest::Response| r.headers().get("strict-transport-security").cloned();
    let forwarded = |app: &TestApp, proto: &'static str| {
        app.client
            .get(app.url("/health"))
            .header("X-Forwarded-Proto", proto)
            .send()
    };
    let direct = TestApp::spawn().await;
    let untrusted = forwarded(&direct, "https").await.unwrap();
    assert_eq!(hsts(&untrusted), None, "anyone can send the header");
    let proxied = TestApp::spawn_with(Options {
        vars: vec![("TRUST_PROXY", "true".into())],
        ..Options::default()
    })
    .await;
    let https = forwarded(&proxied, "https").await.unwrap();
    assert_eq!(
        hsts(&https).unwrap().to_str().unwrap(),
        "max-age=31536000; includeSubDomains"
    );
    let http = forwarded(&proxied, "http").await.unwrap();
    assert_eq!(hsts(&http), None);
}

#[tokio::test]
async fn errors_never_expose_internals() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .get(
            "/api/users/0123456789abcdef01234567/stats",
            Some("eyJhbGciOiJIUzI1NiJ9.e30.x"),
        )
        .await;
    assert_error(status, &body, 401, "INVALID_TOKEN");
    let text = body.to_string();
    for leak in ["sqlx", "mongodb", "panicked", "src/", JWT_SECRET] {
        assert!(!text.contains(leak), "{leak} leaked: {text}");
    }
}

#[tokio::test]
async fn a_trickled_body_times_out_with_a_json_408_while_others_are_served() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn_with(Options {
        vars: vec![("BODY_TIMEOUT_SECS", "1".into())],
        ..Options::default()
    })
    .await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut slow = tokio::net::TcpStream::connect(&address).await.unwrap();
    slow.write_all(b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"ident")
        .await
        .unwrap();
    let (status, _) = app.get("/api/health", None).await;
    assert_eq!(status, StatusCode::OK, "others are served meanwhile");
    let started = std::time::Instant::now();
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&response).contains("REQUEST_TIMEOUT")
        && started.elapsed().as_secs() < 10
    {
        let n = tokio::time::timeout(std::time::Duration::from_secs(10), slow.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        if n == 0 {
            break;
        }
        response.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("\"code\":\"REQUEST_TIMEOUT\""), "{text}");
    assert!(started.elapsed().as_secs() < 5);
}

#[tokio::test]
async fn clients_cannot_post_scores_owners_or_operators_to_scoring_routes() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (_, created) = app
        .post(
            "/api/challenges",
            Some(&admin.access),
            crate::challenges::challenge_body("Two Sum"),
        )
        .await;
    let challenge = created["data"]["_id"].as_str().unwrap().to_owned();
    let ada = app.signed_up("ada").await;
    let (status, body) = app
        .post(
            "/api/submissions",
            Some(&ada.access),
            json!({"challengeId": challenge, "code": "x", "language": "python", "user": admin.id}),
        )
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    let (_, body) = app
        .post(
            "/api/submissions",
            Some(&ada.access),
            json!({"challengeId": challenge, "code": "x", "language": "python"}),
        )
        .await;
    let id = body["data"]["_id"].as_str().unwrap().to_owned();
    for forged in [
        json!({"status": "completed", "score": 100}),
        json!({"status": "completed", "xp": 1000}),
        json!({"status": {"$ne": "failed"}}),
    ] {
        let (status, body) = app
            .post(
                &format!("/api/submissions/{id}/score"),
                Some(&ada.access),
                forged,
            )
            .await;
        assert_error(status, &body, 400, "VALIDATION_ERROR");
    }
    let (_, profile) = app.get("/api/users/profile", Some(&ada.access)).await;
    assert_eq!(profile["data"]["stats"]["xp"], 0);
    let (status, body) = app
        .get("/api/submissions?status[$ne]=x", Some(&ada.access))
        .await;
    assert_error(status, &body, 400, "QUERY_VALIDATION_ERROR");
    let (status, body) = app.get("/api/leaderboard/global?limit=0", None).await;
    assert_error(status, &body, 400, "QUERY_VALIDATION_ERROR");
    let (status, body) = app.get("/api/leaderboard/global?around=you", None).await;
    assert_error(status, &body, 400, "QUERY_VALIDATION_ERROR");
}

/// A hidden challenge (a draft, or inactive) is indistinguishable from an unknown id on every
/// route that names a challenge: same status, same code.
#[tokio::test]
async fn hidden_challenges_answer_like_unknown_ones_everywhere() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let mut draft = crate::challenges::challenge_body("Draft");
    draft["isPublic"] = serde_json::json!(false);
    let (status, body) = app
        .post("/api/challenges", Some(&admin.access), draft)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let hidden = body["data"]["_id"].as_str().unwrap().to_owned();
    let unknown = "0123456789abcdef01234567".to_owned();
    let ada = app.verified("ada").await;
    let edit = crate::challenges::challenge_body("Edited");
    for (method, path) in [
        ("GET", "/api/challenges/{id}"),
        ("GET", "/api/challenges/{id}/stats"),
        ("GET", "/api/challenges/{id}/reviews"),
        ("GET", "/api/challenges/{id}/submissions"),
        ("GET", "/api/leaderboard/challenge/{id}"),
        ("POST", "/api/challenges/{id}/start"),
        ("PUT", "/api/challenges/{id}"),
        ("DELETE", "/api/challenges/{id}"),
    ] {
        let mut seen = Vec::new();
        for id in [&hidden, &unknown] {
            let path = path.replace("{id}", id);
            let token = Some(ada.access.as_str());
            let (status, body) = match method {
                "GET" => app.get(&path, token).await,
                "POST" => {
                    app.post(&path, token, serde_json::json!({"mode": "standard"}))
                        .await
                }
                "PUT" => app.put(&path, token, edit.clone()).await,
                _ => app.delete(&path, token).await,
            };
            seen.push((status, body["error"]["code"].clone()));
        }
        assert_eq!(seen[0], seen[1], "{method} {path}: hidden vs unknown");
    }
}

/// A refused CORS preflight is the usual JSON error with the usual headers; an allowed one
/// still answers the browser.
#[tokio::test]
async fn refused_cors_preflights_answer_the_json_envelope_with_the_usual_headers() {
    let app = TestApp::spawn().await;
    let preflight = |origin: &'static str| {
        app.client
            .request(Method::OPTIONS, app.url("/api/auth/login"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let refused = preflight("http://evil.example").await.unwrap();
    let h = refused.headers().clone();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-request-id"].to_str().unwrap().len(), 32);
    assert!(h.get("access-control-allow-origin").is_none());
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["success"], false);
    assert_eq!(body["error"]["code"], "CORS_NOT_ALLOWED");
    assert_eq!(
        body["error"]["path"],
        crate::helpers::api_path("/api/auth/login")
    );

    let allowed = preflight("http://localhost:5173").await.unwrap();
    assert!(allowed.status().is_success(), "{}", allowed.status());
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "http://localhost:5173"
    );
    assert_eq!(allowed.headers()["x-content-type-options"], "nosniff");
}

/// serde reads an array into a struct by position: a JSON body must be an object everywhere, or
/// `["ada", "<password>"]` would log in.
#[tokio::test]
async fn a_json_array_is_never_taken_for_an_object() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up("ada").await;
    for (path, token, body) in [
        (
            "/api/auth/login",
            None,
            format!(" \n[\"ada\", \"{}\"]", crate::helpers::PASSWORD),
        ),
        (
            "/api/users/profile",
            Some(ada.access.as_str()),
            "[\"Ada\", \"Lovelace\"]".to_owned(),
        ),
    ] {
        let method = if token.is_some() {
            Method::PUT
        } else {
            Method::POST
        };
        let mut request = app
            .client
            .request(method, app.url(path))
            .header("content-type", "application/json")
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let (status, body) = split(request.send().await.unwrap()).await;
        assert_error(status, &body, 400, "VALIDATION_ERROR");
        assert_eq!(body["error"]["details"][0]["field"], "body", "{body}");
    }
    let (_, body) = app.get("/api/users/profile", Some(&ada.access)).await;
    assert!(
        body["data"]["profile"]["firstName"].is_null(),
        "nothing changed: {body}"
    );
    // An object still signs in.
    let (status, _) = app
        .post(
            "/api/auth/login",
            None,
            serde_json::json!({"identifier": "ada", "password": crate::helpers::PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

/// A list's documented limit counts the items as sent: eleven copies of one tag are refused
/// (they used to be folded into one first, and accepted), on every context that takes tags.
#[tokio::test]
async fn repeated_tags_count_toward_the_documented_limit() {
    let app = TestApp::spawn().await;
    let ada = app.verified("ada").await;
    let eleven = json!(vec!["rust"; 11]);
    let mut template = crate::templates::template("Counter");
    template["metadata"]["tags"] = eleven.clone();
    let (status, body) = app
        .post("/api/templates", Some(&ada.access), template)
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    assert_eq!(
        body["error"]["details"][0]["field"], "metadata.tags",
        "{body}"
    );
    let post = json!({"title": "Tags", "content": "Many tags", "category": "discussion",
                      "tags": eleven});
    let (status, body) = app
        .post("/api/community/posts", Some(&ada.access), post)
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    assert_eq!(body["error"]["details"][0]["field"], "tags", "{body}");
    let (_, templates) = app.get("/api/templates", None).await;
    let (_, posts) = app.get("/api/community/posts", None).await;
    assert_eq!(templates["data"]["pagination"]["total"], 0);
    assert_eq!(posts["data"]["pagination"]["total"], 0);
}

#[tokio::test]
async fn sensitive_operations_that_succeed_are_in_the_audit_log_for_admins_only() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let bob = app.signed_up("bob").await;
    let eve = app.signed_up("eve").await;
    let (status, _) = app
        .patch(
            &format!("/api/users/{}", bob.id),
            Some(&eve.access),
            json!({"roles": ["admin"]}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "refused: not recorded");
    let secret = "New-Secret-2";
    let (status, body) = app
        .post(
            "/api/auth/change-password",
            Some(&bob.access),
            json!({"currentPassword": PASSWORD, "newPassword": secret}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .patch(
            &format!("/api/users/{}", bob.id),
            Some(&admin.access),
            json!({"roles": ["premium"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, body) = app.get("/api/admin/audit", Some(&eve.access)).await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let (status, log) = app.get("/api/admin/audit", Some(&admin.access)).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let entries = log["data"]["data"].as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "user.updated_by_admin",
            "password.changed",
            "auth.signed_in_from_new_address",
            "auth.signed_in_from_new_address",
            "auth.signed_in_from_new_address",
        ],
        "{log}"
    );
    assert_eq!(entries[2]["actor"], eve.id.as_str());
    assert_eq!(entries[4]["actor"], admin.id.as_str());
    assert_eq!(entries[0]["actor"], admin.id.as_str());
    assert_eq!(entries[0]["target"], format!("user:{}", bob.id));
    assert_eq!(entries[0]["address"], "127.0.0.1");
    assert!(entries[0]["requestId"].is_string());
    assert_eq!(entries[1]["actor"], bob.id.as_str());
    assert_eq!(entries[1]["target"], format!("user:{}", bob.id));
    assert!(!log.to_string().contains(secret), "no secrets in the log");

    // A sign-in from an address already seen is not recorded again.
    app.login_as("bob", secret).await;
    let (_, sign_ins) = app
        .get(
            &format!(
                "/api/admin/audit?action=auth.signed_in_from_new_address&actor={}",
                bob.id
            ),
            Some(&admin.access),
        )
        .await;
    assert_eq!(sign_ins["data"]["pagination"]["total"], 1, "{sign_ins}");
    let (_, only_users) = app
        .get("/api/admin/audit?action=user.", Some(&admin.access))
        .await;
    assert_eq!(only_users["data"]["pagination"]["total"], 1);
    let (_, by_bob) = app
        .get(
            &format!("/api/admin/audit?actor={}", bob.id),
            Some(&admin.access),
        )
        .await;
    assert_eq!(by_bob["data"]["data"][0]["action"], "password.changed");
    assert_eq!(
        by_bob["data"]["pagination"]["total"], 2,
        "his password change and his first sign-in"
    );
    for bad in [
        "action=User",
        "actor=nope",
        "from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
        "from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z",
        "unknown=1",
    ] {
        let (status, body) = app
            .get(&format!("/api/admin/audit?{bad}"), Some(&admin.access))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
}

#[tokio::test]
async fn texts_padded_past_their_documented_maximum_are_refused() {
    let app = TestApp::spawn().await;
    let ada = app.verified("ada").await;
    let padded = format!("{}  ", "a".repeat(100));
    let mut template = crate::templates::template("Counter");
    template["title"] = json!(padded);
    let (status, body) = app
        .post("/api/templates", Some(&ada.access), template)
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    assert_eq!(body["error"]["details"][0]["field"], "title", "{body}");
    let review = json!({"challengeId": "ffffffffffffffffffffffff", "rating": 4,
                        "title": format!("{}  ", "a".repeat(200)), "content": "Fine"});
    let (status, body) = app.post("/api/reviews", Some(&ada.access), review).await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    assert_eq!(body["error"]["details"][0]["field"], "title", "{body}");
    let post = json!({"title": format!("{}  ", "a".repeat(200)), "content": "Padded",
                      "category": "discussion"});
    let (status, body) = app
        .post("/api/community/posts", Some(&ada.access), post)
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    assert_eq!(body["error"]["details"][0]["field"], "title", "{body}");
    // A tag padded past its maximum (the case schemathesis found on PUT /templates/{id}).
    let mut template = crate::templates::template("Counter");
    template["metadata"]["tags"] = json!([format!(" 0{}", " ".repeat(30))]);
    let (status, body) = app
        .post("/api/templates", Some(&ada.access), template)
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    assert_eq!(
        body["error"]["details"][0]["field"], "metadata.tags[0]",
        "{body}"
    );
    // Exactly at the maximum once trimmed of nothing, it is fine.
    let mut template = crate::templates::template("Counter");
    template["title"] = json!("a".repeat(100));
    let (status, body) = app
        .post("/api/templates", Some(&ada.access), template)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}
