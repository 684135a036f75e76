//! Handler tests of the community routes over a mocked community service (and a mocked identity
//! service that signs the caller in as a moderator).

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::test;
use serde_json::{json, Value};
use stackrush_community::{
    CommunityApi, CommunityError, MockCommunityApi, PostFilter, PostSort, Reaction, Toggled,
};
use stackrush_identity::{Actor, IdentityApi, MockIdentityApi, Role, UserId};
use stackrush_kernel::{Page, Shared};

use crate::http::Port;
use crate::test_support;

async fn call(community: MockCommunityApi, req: test::TestRequest) -> (StatusCode, Value) {
    let mut identity = MockIdentityApi::new();
    identity.expect_authenticate().returning(|_| {
        Ok(Actor {
            id: UserId::from_bytes([1; 12]),
            roles: vec![Role::User, Role::Moderator],
        })
    });
    let identity: Arc<dyn IdentityApi> = Arc::new(identity);
    let community: Arc<dyn CommunityApi> = Arc::new(community);
    test_support::call(
        move |cfg| {
            Port::register(cfg, identity.clone());
            Port::register(cfg, community.clone());
            super::routes::configure(cfg);
        },
        req,
    )
    .await
}

#[actix_web::test]
async fn the_client_s_list_query_becomes_the_domain_filter() {
    let mut community = MockCommunityApi::new();
    community
        .expect_posts()
        .withf(|viewer, filter, sort, page| {
            viewer.is_none()
                && *filter
                    == PostFilter {
                        category: Some(stackrush_community::Category::CodeShare),
                        tags: vec!["rust".into(), "web".into()],
                        search: Some("borrow".into()),
                        has_code: Some(true),
                        ..PostFilter::default()
                    }
                && *sort == PostSort::MostCommented
                && page.limit() == 6
        })
        .times(1)
        .returning(|_, _, _, page| {
            Ok(Shared::new(Page {
                items: vec![],
                request: page,
                total: 0,
            }))
        });
    let req = test::TestRequest::get().uri(
        "/api/community/posts?limit=6&category=code-share&tags=rust,web&search=borrow&hasCode=true&sort=most-commented",
    );
    let (status, body) = call(community, req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["pagination"]["limit"], 6);
}

#[actix_web::test]
async fn toggles_answer_the_new_state_and_moderators_reach_the_service_as_such() {
    let mut community = MockCommunityApi::new();
    community
        .expect_toggle()
        .withf(|caller, reaction, _| caller.is_moderator && *reaction == Reaction::Bookmark)
        .times(1)
        .returning(|_, _, _| {
            Ok(Toggled {
                active: true,
                count: 4,
            })
        });
    let req = test::TestRequest::post()
        .uri("/api/community/posts/0123456789abcdef01234567/bookmark")
        .insert_header(("authorization", "Bearer tok"));
    let (status, body) = call(community, req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"], json!({"bookmarked": true, "bookmarks": 4}));
}

#[actix_web::test]
async fn errors_map_to_the_contract_and_hide_internals() {
    let mut community = MockCommunityApi::new();
    community
        .expect_toggle_comment_like()
        .times(1)
        .returning(|_, _| Err(CommunityError::NotVerified));
    let req = test::TestRequest::post()
        .uri("/api/community/comments/0123456789abcdef01234567/like")
        .insert_header(("authorization", "Bearer tok"));
    let (status, body) = call(community, req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "EMAIL_NOT_VERIFIED");

    let mut community = MockCommunityApi::new();
    community.expect_stats().times(1).returning(|| {
        Err(CommunityError::Internal(anyhow::anyhow!(
            "secret-db-host down"
        )))
    });
    let (status, body) = call(
        community,
        test::TestRequest::get().uri("/api/community/stats"),
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!body.to_string().contains("secret-db-host"));

    // A malformed parent id is the caller's mistake, named, before the service is asked.
    let mut community = MockCommunityApi::new();
    community.expect_comment().never();
    let req = test::TestRequest::post()
        .uri("/api/community/posts/0123456789abcdef01234567/comments")
        .insert_header(("authorization", "Bearer tok"))
        .set_json(json!({"content": "hi", "parentCommentId": "zz"}));
    let (status, body) = call(community, req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}
