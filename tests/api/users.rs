//! Profiles, preferences, privacy, admin listing and account deletion.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn profile_and_preferences_updates_apply_and_validate() {
    let app = TestApp::spawn().await;
    let s = app.signed_up("ada").await;
    let (status, body) = app
        .put(
            "/api/users/profile",
            Some(&s.access),
            json!({"bio": "<b>Engines</b>", "website": "https://ada.dev"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["profile"]["bio"], "<b>Engines</b>");
    assert_eq!(body["data"]["profile"]["website"], "https://ada.dev");
    let (status, body) = app
        .put(
            "/api/users/profile",
            Some(&s.access),
            json!({"website": "javascript:alert(1)"}),
        )
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    assert_eq!(body["error"]["details"][0]["field"], "website");

    let (status, body) = app
        .put(
            "/api/users/preferences",
            Some(&s.access),
            json!({"theme": "light", "timezone": "Europe/Paris", "privacy": {"showStats": false}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["theme"], "light");
    assert_eq!(body["data"]["timezone"], "Europe/Paris");
    assert_eq!(body["data"]["privacy"]["showStats"], false);
    assert_eq!(body["data"]["privacy"]["profilePublic"], true);
    let (status, body) = app
        .put(
            "/api/users/preferences",
            Some(&s.access),
            json!({"timezone": "Mars/Olympus"}),
        )
        .await;
    assert_error(status, &body, 400, "VALIDATION_ERROR");
    let (_, body) = app.get("/api/users/preferences", Some(&s.access)).await;
    assert_eq!(
        body["data"]["timezone"], "Europe/Paris",
        "a rejected update changes nothing"
    );
}

#[tokio::test]
async fn others_see_public_fields_only_and_privacy_is_enforced() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up("ada").await;
    let bob = app.signed_up("bob").await;
    let admin = app.admin().await;

    let (status, body) = app
        .get(&format!("/api/users/{}", ada.id), Some(&bob.access))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body["data"].get("email").is_none(),
        "another user's email is hidden: {body}"
    );
    assert!(body["data"].get("preferences").is_none());
    assert_eq!(body["data"]["username"], "ada");
    let (_, body) = app.get("/api/users/username/ADA", None).await;
    assert_eq!(body["data"]["_id"], ada.id.as_str());
    assert!(body["data"].get("email").is_none());
    let (_, body) = app
        .get(&format!("/api/users/{}", ada.id), Some(&admin.access))
        .await;
    assert_eq!(
        body["data"]["email"], "ada@example.com",
        "admins see emails"
    );

    app.put(
        "/api/users/preferences",
        Some(&ada.access),
        json!({"privacy": {"showStats": false}}),
    )
    .await;
    let (status, body) = app
        .get(&format!("/api/users/{}/stats", ada.id), Some(&bob.access))
        .await;
    assert_error(status, &body, 403, "STATS_PRIVATE");
    let (status, body) = app
        .get(&format!("/api/users/{}/stats", ada.id), Some(&ada.access))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["level"], 1);

    app.put(
        "/api/users/preferences",
        Some(&ada.access),
        json!({"privacy": {"profilePublic": false}}),
    )
    .await;
    let (status, body) = app
        .get(&format!("/api/users/{}", ada.id), Some(&bob.access))
        .await;
    assert_error(status, &body, 403, "PROFILE_PRIVATE");
    let (status, body) = app.get(&format!("/api/users/{}", ada.id), None).await;
    assert_error(status, &body, 403, "PROFILE_PRIVATE");
    let (status, _) = app
        .get(&format!("/api/users/{}", ada.id), Some(&ada.access))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .get(&format!("/api/users/{}", ada.id), Some(&admin.access))
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, body) = app.get("/api/users/0123456789abcdef01234567", None).await;
    assert_error(status, &body, 404, "USER_NOT_FOUND");
    let (status, body) = app.get("/api/users/not-an-id", None).await;
    assert_error(status, &body, 400, "PARAMS_VALIDATION_ERROR");
}

#[tokio::test]
async fn only_admins_list_users_with_nested_pagination_and_filters() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up("ada").await;
    for name in ["bob", "cyd", "dee"] {
        app.register(name).await;
    }
    let admin = app.admin().await;
    let (status, body) = app.get("/api/users", Some(&ada.access)).await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let (status, body) = app
        .get("/api/users?page=1&limit=2", Some(&admin.access))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let pagination = &body["data"]["pagination"];
    assert_eq!(pagination["total"], 5);
    assert_eq!(pagination["pages"], 3);
    assert_eq!(pagination["limit"], 2);
    assert_eq!(pagination["hasNext"], true);
    assert_eq!(pagination["hasPrev"], false);
    assert_eq!(body["data"]["data"].as_array().unwrap().len(), 2);
    let (_, body) = app.get("/api/users?limit=1000", Some(&admin.access)).await;
    assert_eq!(body["data"]["pagination"]["limit"], 100, "limit is clamped");
    let (_, body) = app.get("/api/users?role=admin", Some(&admin.access)).await;
    assert_eq!(body["data"]["pagination"]["total"], 1);
    let (_, body) = app.get("/api/users?search=.*", Some(&admin.access)).await;
    assert_eq!(body["data"]["pagination"]["total"], 0, "search is literal");
    let (status, body) = app.get("/api/users?page=0", Some(&admin.access)).await;
    assert_error(status, &body, 400, "QUERY_VALIDATION_ERROR");
}

#[tokio::test]
async fn admin_role_change_and_deactivation_revoke_access() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up("ada").await;
    let bob = app.signed_up("bob").await;
    let admin = app.admin().await;
    let (status, body) = app
        .patch(
            &format!("/api/users/{}", ada.id),
            Some(&bob.access),
            json!({"roles": ["admin"]}),
        )
        .await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let (status, body) = app
        .patch(
            &format!("/api/users/{}", ada.id),
            Some(&admin.access),
            json!({"roles": ["moderator"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["roles"], json!(["user", "moderator"]));
    let (status, body) = app.get("/api/users/profile", Some(&ada.access)).await;
    assert_error(status, &body, 401, "INVALID_TOKEN");

    let (status, _) = app
        .patch(
            &format!("/api/users/{}", bob.id),
            Some(&admin.access),
            json!({"isActive": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.get("/api/users/profile", Some(&bob.access)).await;
    assert_error(status, &body, 401, "INVALID_USER");
    let (status, body) = app
        .post(
            "/api/auth/login",
            None,
            json!({"identifier": "bob", "password": PASSWORD}),
        )
        .await;
    assert_error(status, &body, 401, "INVALID_CREDENTIALS");
}

#[tokio::test]
async fn deleting_the_account_revokes_everything() {
    let app = TestApp::spawn().await;
    let s = app.signed_up("ada").await;
    let delete = |body: Option<serde_json::Value>| {
        app.call(
            reqwest::Method::DELETE,
            "/api/users/account",
            Some(&s.access),
            body,
        )
    };
    // The current password confirms it: without it, or with a wrong one, nothing happens.
    let (status, body) = split(delete(None).await).await;
    assert_error(status, &body, 415, "UNSUPPORTED_MEDIA_TYPE");
    let (status, body) = split(delete(Some(json!({}))).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = split(delete(Some(json!({"password": "Wrong-password-1"}))).await).await;
    assert_error(status, &body, 403, "INVALID_CURRENT_PASSWORD");
    let (status, _) = app.get("/api/users/profile", Some(&s.access)).await;
    assert_eq!(status, StatusCode::OK, "still there");
    let (status, _) = split(delete(Some(json!({"password": PASSWORD}))).await).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.get("/api/users/profile", Some(&s.access)).await;
    assert_error(status, &body, 401, "INVALID_USER");
    let (status, body) = app
        .post(
            "/api/auth/refresh",
            None,
            json!({"refreshToken": s.refresh}),
        )
        .await;
    assert_error(status, &body, 401, "INVALID_REFRESH_TOKEN");
    let (status, body) = app.get(&format!("/api/users/{}", s.id), None).await;
    assert_error(status, &body, 404, "USER_NOT_FOUND");
}

/// Achievements and activity follow the profile's privacy rule like the stats do.
#[tokio::test]
async fn achievements_and_activity_follow_the_privacy_settings() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ada = app.verified("ada").await;
    let bob = app.signed_up("bob").await;
    let challenge = crate::scoring::challenge(&app, &admin, "Two Sum").await;
    crate::scoring::scored(&app, &ada, &challenge).await;
    let achievements = format!("/api/users/{}/achievements", ada.id);
    let (status, body) = app.get(&achievements, None).await;
    assert_eq!(status, StatusCode::OK, "shown by default: {body}");
    assert!(body["data"].is_array(), "{body}");
    let (status, body) = app
        .get("/api/users/0123456789abcdef01234567/achievements", None)
        .await;
    assert_error(status, &body, 404, "USER_NOT_FOUND");

    // Activity hidden: others no longer see when ada was last active; she and admins do.
    let privacy = |settings: serde_json::Value| {
        app.put(
            "/api/users/preferences",
            Some(&ada.access),
            json!({ "privacy": settings }),
        )
    };
    let (status, _) = privacy(json!({"showActivity": false})).await;
    assert_eq!(status, StatusCode::OK);
    let profile = format!("/api/users/{}", ada.id);
    let (_, body) = app.get(&profile, Some(&bob.access)).await;
    assert!(body["data"]["stats"]["lastActiveDate"].is_null(), "{body}");
    let (_, body) = app.get(&format!("/api/users/{}/stats", ada.id), None).await;
    assert!(body["data"]["lastActiveDate"].is_null(), "{body}");
    let (_, body) = app.get(&profile, Some(&ada.access)).await;
    assert!(
        body["data"]["stats"]["lastActiveDate"].is_string(),
        "{body}"
    );
    let (_, body) = app.get(&profile, Some(&admin.access)).await;
    assert!(
        body["data"]["stats"]["lastActiveDate"].is_string(),
        "{body}"
    );

    // Stats hidden, then the profile: the achievements follow.
    privacy(json!({"showStats": false})).await;
    for token in [None, Some(bob.access.as_str())] {
        let (status, body) = app.get(&achievements, token).await;
        assert_error(status, &body, 403, "STATS_PRIVATE");
    }
    for token in [&ada.access, &admin.access] {
        let (status, body) = app.get(&achievements, Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    privacy(json!({"profilePublic": false})).await;
    let (status, body) = app.get(&achievements, Some(&bob.access)).await;
    assert_error(status, &body, 403, "PROFILE_PRIVATE");
}

#[tokio::test]
async fn admins_grant_and_revoke_the_premium_role() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up("ada").await;
    let admin = app.admin().await;
    let (status, body) = app
        .patch(
            &format!("/api/users/{}", ada.id),
            Some(&ada.access),
            json!({"roles": ["premium"]}),
        )
        .await;
    assert_error(status, &body, 403, "INSUFFICIENT_PERMISSIONS");
    let (status, body) = app
        .patch(
            &format!("/api/users/{}", ada.id),
            Some(&admin.access),
            json!({"roles": ["premium", "moderator"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["data"]["roles"],
        json!(["user", "premium", "moderator"])
    );
    // Stored and read back (the role change signed ada out: she signs in again).
    let ada = app.login_as("ada", PASSWORD).await;
    let (_, me) = app.get("/api/users/profile", Some(&ada.access)).await;
    assert_eq!(
        me["data"]["roles"],
        json!(["user", "premium", "moderator"]),
        "{me}"
    );
    let (status, body) = app
        .patch(
            &format!("/api/users/{}", ada.id),
            Some(&admin.access),
            json!({"roles": []}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["roles"], json!(["user"]), "revoked");
}
