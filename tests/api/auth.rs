//! The auth flow the web client runs, end to end.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn register_login_refresh_logout_and_profile_follow_the_client_contract() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .post(
            "/api/auth/register",
            None,
            json!({"email": "  Ada@Example.COM ", "username": "ada_l", "password": PASSWORD, "firstName": "Ada", "lastName": "Lovelace"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["success"], true);
    assert!(body["timestamp"].is_string());
    let user = &body["data"]["user"];
    let id = user["_id"].as_str().unwrap();
    assert_eq!(id.len(), 24);
    assert_eq!(user["id"], id);
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["username"], "ada_l");
    assert_eq!(user["emailVerified"], false);
    assert!(user.get("password").is_none() && user.get("passwordHash").is_none());

    let (status, body) = app
        .post(
            "/api/auth/login",
            None,
            json!({"identifier": "ADA@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let tokens = &body["data"]["tokens"];
    let access = tokens["accessToken"].as_str().unwrap().to_owned();
    let refresh = tokens["refreshToken"].as_str().unwrap().to_owned();
    assert_eq!(body["data"]["user"]["_id"], id);

    let (status, body) = app.get("/api/users/profile", Some(&access)).await;
    assert_eq!(status, StatusCode::OK);
    for field in [
        "_id",
        "email",
        "username",
        "profile",
        "stats",
        "preferences",
        "roles",
        "isActive",
        "emailVerified",
        "createdAt",
        "updatedAt",
    ] {
        assert!(
            body["data"].get(field).is_some(),
            "profile lacks {field}: {body}"
        );
    }
    assert_eq!(body["data"]["profile"]["firstName"], "Ada");
    assert_eq!(body["data"]["stats"]["level"], 1);
    assert_eq!(
        body["data"]["preferences"]["privacy"]["profilePublic"],
        true
    );
    for secret in [
        "password",
        "passwordHash",
        "failedLogins",
        "lockedUntil",
        "tokenVersion",
    ] {
        assert!(body["data"].get(secret).is_none(), "{secret} leaked");
    }

    let (status, body) = app
        .post("/api/auth/refresh", None, json!({"refreshToken": refresh}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let access2 = body["data"]["tokens"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let refresh2 = body["data"]["tokens"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(refresh2, refresh);

    let (status, _) = app
        .post(
            "/api/auth/logout",
            Some(&access2),
            json!({"refreshToken": refresh2}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.get("/api/users/profile", Some(&access2)).await;
    assert_error(status, &body, 401, "INVALID_TOKEN");
    let (status, body) = app
        .post("/api/auth/refresh", None, json!({"refreshToken": refresh2}))
        .await;
    assert_error(status, &body, 401, "INVALID_REFRESH_TOKEN");
}

#[tokio::test]
async fn duplicates_and_invalid_registrations_get_the_contract_codes() {
    let app = TestApp::spawn().await;
    app.register("ada").await;
    let (status, body) = app
        .post(
            "/api/auth/register",
            None,
            json!({"email": "ADA@example.com", "username": "other", "password": PASSWORD}),
        )
        .await;
    assert_error(status, &body, 409, "EMAIL_EXISTS");
    let (status, body) = app
        .post(
            "/api/auth/register",
            None,
            json!({"email": "x@example.com", "username": "ADA", "password": PASSWORD}),
        )
        .await;
    assert_error(status, &body, 409, "USERNAME_EXISTS");
    let (status, body) = app
        .post(
            "/api/auth/register",
            None,
            json!({"email": "nope", "username": "a", "password": "weakpass"}),
        )
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    let fields: Vec<_> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        fields.contains(&"email".into())
            && fields.contains(&"username".into())
            && fields.contains(&"password".into()),
        "{fields:?}"
    );
    let long = format!("Aa1!{}", "x".repeat(69));
    let (status, body) = app
        .post(
            "/api/auth/register",
            None,
            json!({"email": "l@example.com", "username": "longpw", "password": long}),
        )
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    assert_eq!(body["error"]["details"][0]["field"], "password");
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_the_same_answer() {
    let app = TestApp::spawn().await;
    app.register("ada").await;
    let (s1, b1) = app
        .post(
            "/api/auth/login",
            None,
            json!({"identifier": "ada", "password": "Wrong-Pass-1"}),
        )
        .await;
    let (s2, b2) = app
        .post(
            "/api/auth/login",
            None,
            json!({"identifier": "ghost", "password": "Wrong-Pass-1"}),
        )
        .await;
    assert_error(s1, &b1, 401, "INVALID_CREDENTIALS");
    assert_eq!(s1, s2);
    assert_eq!(b1["error"]["code"], b2["error"]["code"]);
    assert_eq!(b1["error"]["message"], b2["error"]["message"]);
}

/// One login from `address` (the app trusts the proxy header): status, code, message and
/// `Retry-After`, everything an attacker could compare.
async fn login_from(
    app: &TestApp,
    address: &str,
    identifier: &str,
    password: &str,
) -> (u16, String, String, Option<String>) {
    let response = app
        .client
        .post(app.url("/api/auth/login"))
        .header("x-forwarded-for", address)
        .json(&json!({"identifier": identifier, "password": password}))
        .send()
        .await
        .unwrap();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let (status, body) = split(response).await;
    let code = body["error"]["code"].as_str().unwrap_or("").to_owned();
    let message = body["error"]["message"].as_str().unwrap_or("").to_owned();
    (status.as_u16(), code, message, retry)
}

#[tokio::test]
async fn guesses_lock_a_name_for_the_guessing_address_only_and_unknown_names_alike() {
    let app = TestApp::spawn_with(Options {
        vars: vec![("TRUST_PROXY", "true".into())],
        ..Options::default()
    })
    .await;
    app.register("ada").await;
    let attacker = "203.0.113.9";
    let mut seen = Vec::new();
    for name in ["ada", "ghost"] {
        let mut answers = Vec::new();
        for _ in 0..5 {
            answers.push(login_from(&app, attacker, name, "Wrong-Pass-1").await);
        }
        // Locked for this address: even the right password is not checked.
        answers.push(login_from(&app, attacker, name, PASSWORD).await);
        seen.push(answers);
    }
    let invalid = (
        401,
        "INVALID_CREDENTIALS".to_owned(),
        seen[0][0].2.clone(),
        None,
    );
    let locked = (
        401,
        "ACCOUNT_LOCKED".to_owned(),
        seen[0][4].2.clone(),
        Some("30".to_owned()),
    );
    assert_eq!(seen[0][..4], vec![invalid; 4][..]);
    assert_eq!(seen[0][4], locked);
    assert_eq!(seen[0][5].1, "ACCOUNT_LOCKED");
    assert_eq!(
        seen[0], seen[1],
        "an unknown name answers exactly like an existing one"
    );
    // The owner, from their own address, signs in: the attacker cannot lock them out.
    let (status, ..) = login_from(&app, "198.51.100.20", "ada", PASSWORD).await;
    assert_eq!(status, 200);
    let (status, code, ..) = login_from(&app, "198.51.100.20", "ada@example.com", PASSWORD).await;
    assert_eq!((status, code.as_str()), (200, ""));
}

#[tokio::test]
async fn a_replayed_refresh_token_revokes_its_family() {
    // Without a grace window, presenting the spent token at once is a replay.
    let app = TestApp::spawn_with(Options {
        vars: vec![("REFRESH_GRACE_SECS", "0".into())],
        ..Options::default()
    })
    .await;
    let s = app.signed_up("ada").await;
    let (_, body) = app
        .post(
            "/api/auth/refresh",
            None,
            json!({"refreshToken": s.refresh}),
        )
        .await;
    let next = body["data"]["tokens"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = app
        .post(
            "/api/auth/refresh",
            None,
            json!({"refreshToken": s.refresh}),
        )
        .await;
    assert_error(status, &body, 401, "INVALID_REFRESH_TOKEN");
    let (status, body) = app
        .post("/api/auth/refresh", None, json!({"refreshToken": next}))
        .await;
    assert_error(status, &body, 401, "INVALID_REFRESH_TOKEN");
}

#[tokio::test]
async fn concurrent_refreshes_with_one_token_share_one_successor_and_sign_nobody_out() {
    // Two tabs (here eight) refreshing with the same token at once: every one gets the same
    // successor inside the grace window, and the session goes on.
    let app = TestApp::spawn().await;
    let s = app.signed_up("ada").await;
    let calls = (0..8).map(|_| {
        app.post(
            "/api/auth/refresh",
            None,
            json!({"refreshToken": s.refresh}),
        )
    });
    let results = futures::future::join_all(calls).await;
    let successors: std::collections::HashSet<String> = results
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, StatusCode::OK, "{body}");
            body["data"]["tokens"]["refreshToken"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(successors.len(), 1, "{successors:?}");
    let next = successors.into_iter().next().unwrap();
    let (status, body) = app
        .post("/api/auth/refresh", None, json!({"refreshToken": next}))
        .await;
    assert_eq!(status, StatusCode::OK, "the family lives on: {body}");
}

#[tokio::test]
async fn password_reset_by_emailed_link_signs_out_and_works_once() {
    let app = TestApp::spawn().await;
    let s = app.signed_up("ada").await;
    let (status, body) = app
        .post(
            "/api/auth/forgot-password",
            None,
            json!({"email": "ada@example.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = app
        .post(
            "/api/auth/forgot-password",
            None,
            json!({"email": "nobody@example.com"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "unknown addresses get the same answer"
    );
    let token = app.last_mail_token();
    let (status, body) = app
        .post(
            "/api/auth/reset-password",
            None,
            json!({"token": token, "password": "New-Secret-2"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .post(
            "/api/auth/reset-password",
            None,
            json!({"token": token, "password": "New-Secret-3"}),
        )
        .await;
    assert_error(status, &body, 404, "INVALID_OR_EXPIRED_TOKEN");
    let (status, body) = app.get("/api/users/profile", Some(&s.access)).await;
    assert_error(status, &body, 401, "INVALID_TOKEN");
    app.login_as("ada", "New-Secret-2").await;
}

#[tokio::test]
async fn the_verification_link_from_the_email_verifies_the_address() {
    let app = TestApp::spawn().await;
    let s = app.signed_up("ada").await;
    let token = app.last_mail_token();
    let (status, body) = app
        .post("/api/auth/verify-email", None, json!({"token": token}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = app.get("/api/users/profile", Some(&s.access)).await;
    assert_eq!(body["data"]["emailVerified"], true);
    let (status, body) = app
        .post("/api/auth/verify-email", None, json!({"token": "made-up"}))
        .await;
    assert_error(status, &body, 404, "INVALID_OR_EXPIRED_TOKEN");
}

#[tokio::test]
async fn changing_the_password_revokes_old_tokens_and_returns_a_fresh_pair() {
    let app = TestApp::spawn().await;
    let s = app.signed_up("ada").await;
    let (status, body) = app
        .post(
            "/api/auth/change-password",
            Some(&s.access),
            json!({"currentPassword": "Wrong-Pass-1", "newPassword": "New-Secret-2"}),
        )
        .await;
    assert_error(status, &body, 403, "INVALID_CURRENT_PASSWORD");
    let (status, body) = app
        .post(
            "/api/auth/change-password",
            Some(&s.access),
            json!({"currentPassword": PASSWORD, "newPassword": "New-Secret-2"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let fresh = body["data"]["tokens"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = app.get("/api/users/profile", Some(&s.access)).await;
    assert_error(status, &body, 401, "INVALID_TOKEN");
    let (status, _) = app.get("/api/users/profile", Some(&fresh)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn concurrent_registrations_with_one_email_create_one_account() {
    let app = TestApp::spawn().await;
    let calls = (0..6).map(|i| {
        app.post("/api/auth/register", None, json!({"email": "race@example.com", "username": format!("racer{i}"), "password": PASSWORD}))
    });
    let results = futures::future::join_all(calls).await;
    let created = results
        .iter()
        .filter(|(status, _)| *status == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "{results:?}");
    for (status, body) in results
        .iter()
        .filter(|(status, _)| *status != StatusCode::CREATED)
    {
        assert_error(*status, body, 409, "EMAIL_EXISTS");
    }
}
