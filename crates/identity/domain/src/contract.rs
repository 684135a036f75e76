//! The contract suite every adapter of the identity store ports must pass.
//!
//! Each function takes a port and checks one behaviour the port's documentation promises. The
//! functions use unique emails and hashes, so one store can serve every check; run them all with
//! [`run_all`]. A failure panics with the broken promise.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a test suite reports failures by panicking"
)]

use std::sync::Arc;

use chrono::{DateTime, Duration, DurationRound, Utc};
use stackrush_kernel::{PageRequest, StoreError};

use crate::crypto::random_token;
use crate::model::*;
use crate::ports::{
    LinkTokenRepository, LoginThrottleRepository, RefreshTokenRepository, UserRepository,
};

/// Now, at millisecond precision (what every store keeps).
pub fn now_ms() -> DateTime<Utc> {
    Utc::now()
        .duration_trunc(Duration::milliseconds(1))
        .unwrap()
}

fn tag() -> String {
    random_token()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(10)
        .collect::<String>()
        .to_lowercase()
}

/// A complete user with every optional field set, unique by `tag`.
pub fn sample_user(tag: &str) -> User {
    let now = now_ms();
    User {
        id: UserId::generate(now),
        email: format!("{tag}@example.com"),
        username: format!("U{tag}"),
        password_hash: "$2b$04$abcdefghijklmnopqrstuuK8pQF9uFv3OdZ7pVbIMWHKUqlNvFq6y".to_owned(),
        profile: Profile {
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
            avatar: Some("https://example.com/a.png".into()),
            bio: Some("Notes on the engine; \"quotes\" and <tags> survive".into()),
            location: Some("London".into()),
            website: Some("https://ada.example.com".into()),
            github: Some("ada".into()),
            linkedin: None,
        },
        stats: Stats::default(),
        social: Social::default(),
        preferences: Preferences {
            theme: Theme::Light,
            notifications: NotificationPreferences {
                email: false,
                push: true,
                achievements: true,
                challenges: false,
                social: false,
            },
            privacy: PrivacyPreferences {
                profile_public: true,
                show_stats: false,
                show_activity: true,
            },
            timezone: "Europe/Paris".into(),
        },
        roles: vec![Role::User, Role::Moderator],
        is_active: true,
        email_verified: false,
        token_version: 2,
        deleted_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// Users round-trip every field, by id, email and username (ignoring case).
pub async fn users_round_trip(repo: &dyn UserRepository) {
    let user = sample_user(&tag());
    repo.insert(&user).await.unwrap();
    assert_eq!(
        repo.find_by_id(user.id).await.unwrap().as_ref(),
        Some(&user)
    );
    assert_eq!(
        repo.find_by_email(&user.email).await.unwrap().as_ref(),
        Some(&user)
    );
    assert_eq!(
        repo.find_by_username(&user.username.to_uppercase())
            .await
            .unwrap()
            .as_ref(),
        Some(&user)
    );
    assert_eq!(
        repo.find_by_username(&user.username.to_lowercase())
            .await
            .unwrap()
            .as_ref(),
        Some(&user)
    );
    let missing = UserId::generate(now_ms());
    assert_eq!(repo.find_by_id(missing).await.unwrap(), None);
    // A player's figures are the scoring context's and their follow counts the community's:
    // stores neither keep nor return them.
    let mut played = sample_user(&tag());
    played.social = Social {
        followers: 12,
        following: 3,
    };
    played.stats = Stats {
        level: 3,
        xp: 2500,
        total_challenges: 9,
        completed_challenges: 7,
        streak: 4,
        last_active_date: Some(now_ms()),
    };
    repo.insert(&played).await.unwrap();
    let stored = repo.find_by_id(played.id).await.unwrap().unwrap();
    assert_eq!(stored.stats, Stats::default());
    assert_eq!(stored.social, Social::default());
    assert_eq!(
        stored,
        User {
            stats: Stats::default(),
            social: Social::default(),
            ..played
        }
    );
    let other = sample_user(&tag());
    repo.insert(&other).await.unwrap();
    let mut many = repo
        .find_by_ids(&[user.id, missing, other.id, user.id])
        .await
        .unwrap();
    many.sort_by_key(|u| u.id);
    many.dedup_by_key(|u| u.id);
    let mut expected = vec![user.clone(), other.clone()];
    expected.sort_by_key(|u| u.id);
    assert_eq!(many, expected, "find_by_ids returns the existing users");
    assert!(repo.find_by_ids(&[]).await.unwrap().is_empty());
    assert_eq!(
        repo.find_by_email("nobody-at-all@example.com")
            .await
            .unwrap(),
        None
    );
}

/// Duplicate emails and usernames (in any case) are refused with the key, and nothing is stored.
pub async fn users_unique_keys(repo: &dyn UserRepository) {
    let t = tag();
    let user = sample_user(&t);
    repo.insert(&user).await.unwrap();

    let mut same_email = sample_user(&tag());
    same_email.email = user.email.clone();
    match repo.insert(&same_email).await {
        Err(StoreError::Conflict { key }) => assert_eq!(key, "email"),
        other => panic!("duplicate email: expected Conflict(email), got {other:?}"),
    }
    assert_eq!(repo.find_by_id(same_email.id).await.unwrap(), None);

    let mut same_name = sample_user(&tag());
    same_name.username = user.username.to_lowercase();
    match repo.insert(&same_name).await {
        Err(StoreError::Conflict { key }) => assert_eq!(key, "username"),
        other => panic!("duplicate username: expected Conflict(username), got {other:?}"),
    }
    assert_eq!(repo.find_by_id(same_name.id).await.unwrap(), None);
}

/// Of concurrent inserts with one email, exactly one is stored; the others are `Conflict`.
pub async fn users_concurrent_inserts(repo: Arc<dyn UserRepository>) {
    let email = format!("{}@example.com", tag());
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let repo = repo.clone();
            let mut user = sample_user(&tag());
            user.email = email.clone();
            tokio::spawn(async move { repo.insert(&user).await })
        })
        .collect();
    let mut stored = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => stored += 1,
            Err(StoreError::Conflict { key }) => assert_eq!(key, "email"),
            Err(other) => panic!("concurrent insert: {other:?}"),
        }
    }
    assert_eq!(stored, 1, "exactly one account per email");
}

/// A patch changes exactly what it names, bumps the version when asked, and misses are `None`.
pub async fn users_update(repo: &dyn UserRepository) {
    let user = sample_user(&tag());
    repo.insert(&user).await.unwrap();
    let later = user.updated_at + Duration::seconds(5);
    let mut profile = user.profile.clone();
    profile.bio = Some("new bio".into());
    let patch = UserPatch {
        profile: Some(profile.clone()),
        roles: Some(vec![Role::User, Role::Admin]),
        email_verified: Some(true),
        bump_token_version: true,
        ..UserPatch::default()
    };
    let updated = repo.update(user.id, &patch, later).await.unwrap().unwrap();
    let mut expected = user.clone();
    expected.profile = profile;
    expected.roles = vec![Role::User, Role::Admin];
    expected.email_verified = true;
    expected.token_version = user.token_version + 1;
    expected.updated_at = later;
    assert_eq!(updated, expected);
    assert_eq!(
        repo.find_by_id(user.id).await.unwrap(),
        Some(expected.clone())
    );

    let deleted_at = later + Duration::seconds(1);
    let patch = UserPatch {
        is_active: Some(false),
        deleted_at: Some(deleted_at),
        password_hash: Some("other-hash".into()),
        preferences: Some(Preferences::default()),
        ..UserPatch::default()
    };
    let updated = repo
        .update(user.id, &patch, deleted_at)
        .await
        .unwrap()
        .unwrap();
    assert!(!updated.is_active);
    assert_eq!(updated.deleted_at, Some(deleted_at));
    assert_eq!(updated.password_hash, "other-hash");
    assert_eq!(updated.preferences, Preferences::default());
    assert_eq!(
        updated.token_version, expected.token_version,
        "no bump unless asked"
    );

    let missing = UserId::generate(now_ms());
    assert_eq!(
        repo.update(missing, &UserPatch::default(), later)
            .await
            .unwrap(),
        None
    );
}

/// Failures are counted atomically per key, locks only grow, expiry starts a key afresh, and
/// clearing forgets one key or every key of a subject.
pub async fn login_throttle(repo: Arc<dyn LoginThrottleRepository>) {
    let subject = tag();
    let key = |address: &str| ThrottleKey {
        subject: subject.clone(),
        address: address.to_owned(),
    };
    let (here, there) = (key("a1"), key("a2"));
    let now = now_ms();
    let expires = now + Duration::hours(2);
    assert_eq!(repo.get(&here, now).await.unwrap(), None);
    assert_eq!(repo.count_failure(&here, now, expires).await.unwrap(), 1);
    assert_eq!(repo.count_failure(&here, now, expires).await.unwrap(), 2);
    // (It outlives `here`'s record, which expires and starts again below.)
    let there_expires = now + Duration::days(2);
    assert_eq!(
        repo.count_failure(&there, now, there_expires)
            .await
            .unwrap(),
        1,
        "per key"
    );
    let until = now + Duration::minutes(1);
    repo.lock(&here, until).await.unwrap();
    repo.lock(&here, now + Duration::seconds(5)).await.unwrap();
    let state = ThrottleState {
        failures: 2,
        locked_until: Some(until),
    };
    assert_eq!(
        repo.get(&here, now).await.unwrap(),
        Some(state),
        "never shortened"
    );
    assert_eq!(repo.get(&here, expires).await.unwrap(), None, "expired");
    let later = expires + Duration::seconds(1);
    assert_eq!(
        repo.count_failure(&here, expires, later).await.unwrap(),
        1,
        "an expired record starts again"
    );
    assert_eq!(
        repo.get(&here, expires).await.unwrap(),
        Some(ThrottleState {
            failures: 1,
            locked_until: None
        })
    );

    repo.clear(&here).await.unwrap();
    assert_eq!(repo.get(&here, now).await.unwrap(), None);
    assert!(
        repo.get(&there, now).await.unwrap().is_some(),
        "other keys stay"
    );
    repo.count_failure(&here, now, expires).await.unwrap();
    let other = ThrottleKey {
        subject: tag(),
        address: "a1".to_owned(),
    };
    repo.count_failure(&other, now, expires).await.unwrap();
    repo.clear_subject(&subject).await.unwrap();
    assert_eq!(repo.get(&here, now).await.unwrap(), None);
    assert_eq!(repo.get(&there, now).await.unwrap(), None);
    assert!(
        repo.get(&other, now).await.unwrap().is_some(),
        "other subjects stay"
    );

    let crowd = key("a3");
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (repo, crowd) = (repo.clone(), crowd.clone());
            tokio::spawn(async move { repo.count_failure(&crowd, now, expires).await })
        })
        .collect();
    let mut counts = Vec::new();
    for task in tasks {
        counts.push(task.await.unwrap().unwrap());
    }
    counts.sort_unstable();
    assert_eq!(
        counts,
        (1..=20).collect::<Vec<u32>>(),
        "every concurrent failure counts once"
    );
}

/// Lists filter, search literally, page, count and sort newest first.
pub async fn users_list(repo: &dyn UserRepository) {
    let t = tag();
    let mut created = Vec::new();
    for i in 0..5 {
        let mut user = sample_user(&format!("{t}{i}"));
        user.created_at = now_ms() + Duration::seconds(i);
        user.email_verified = i % 2 == 0;
        if i == 4 {
            user.deleted_at = Some(user.created_at);
        }
        repo.insert(&user).await.unwrap();
        created.push(user);
    }
    let filter = UserFilter {
        search: Some(t.clone()),
        ..UserFilter::default()
    };
    let page = repo.list(&filter, PageRequest::new(1, 3)).await.unwrap();
    assert_eq!(page.total, 4, "deleted users are left out");
    let names: Vec<_> = page.items.iter().map(|u| u.username.clone()).collect();
    assert_eq!(
        names,
        vec![
            created[3].username.clone(),
            created[2].username.clone(),
            created[1].username.clone()
        ]
    );
    let page2 = repo.list(&filter, PageRequest::new(2, 3)).await.unwrap();
    assert_eq!(page2.items.len(), 1);

    let verified = UserFilter {
        email_verified: Some(true),
        ..filter.clone()
    };
    assert_eq!(
        repo.list(&verified, PageRequest::new(1, 10))
            .await
            .unwrap()
            .total,
        2
    );
    let with_deleted = UserFilter {
        include_deleted: true,
        ..filter.clone()
    };
    assert_eq!(
        repo.list(&with_deleted, PageRequest::new(1, 10))
            .await
            .unwrap()
            .total,
        5
    );
    let admins = UserFilter {
        role: Some(Role::Admin),
        ..filter.clone()
    };
    assert_eq!(
        repo.list(&admins, PageRequest::new(1, 10))
            .await
            .unwrap()
            .total,
        0
    );
    let moderators = UserFilter {
        role: Some(Role::Moderator),
        ..filter.clone()
    };
    assert_eq!(
        repo.list(&moderators, PageRequest::new(1, 10))
            .await
            .unwrap()
            .total,
        4
    );

    for pattern in [".*", "%", "_", "^", "$where", "{\"$ne\":1}"] {
        let literal = UserFilter {
            search: Some(format!("{t}{pattern}")),
            ..UserFilter::default()
        };
        assert_eq!(
            repo.list(&literal, PageRequest::new(1, 10))
                .await
                .unwrap()
                .total,
            0,
            "search {pattern:?} is literal"
        );
    }
    let upper = UserFilter {
        search: Some(t.to_uppercase()),
        ..UserFilter::default()
    };
    assert_eq!(
        repo.list(&upper, PageRequest::new(1, 10))
            .await
            .unwrap()
            .total,
        4,
        "search ignores case"
    );
}

fn sample_token(user: UserId, family: TokenFamilyId) -> RefreshTokenRecord {
    let now = now_ms();
    RefreshTokenRecord {
        hash: random_token(),
        user_id: user,
        family,
        created_at: now,
        expires_at: now + Duration::days(7),
        used_at: None,
        revoked_at: None,
    }
}

/// A refresh token is consumed once; later presentations are replays; unknown is unknown.
pub async fn refresh_tokens_consume_once(repo: Arc<dyn RefreshTokenRepository>) {
    let user = UserId::generate(now_ms());
    let record = sample_token(user, TokenFamilyId::generate(now_ms()));
    repo.insert(&record).await.unwrap();
    assert_eq!(repo.find(&record.hash).await.unwrap(), Some(record.clone()));
    match repo.insert(&record).await {
        Err(StoreError::Conflict { key }) => assert_eq!(key, "hash"),
        other => panic!("duplicate hash: expected Conflict(hash), got {other:?}"),
    }
    let at = now_ms();
    match repo.consume(&record.hash, at).await.unwrap() {
        ConsumeOutcome::Consumed(r) => assert_eq!(r.used_at, Some(at)),
        other => panic!("first use: expected Consumed, got {other:?}"),
    }
    assert!(matches!(
        repo.consume(&record.hash, at).await.unwrap(),
        ConsumeOutcome::Replayed(_)
    ));
    assert_eq!(
        repo.consume("no-such-hash", at).await.unwrap(),
        ConsumeOutcome::Unknown
    );

    let raced = sample_token(user, TokenFamilyId::generate(now_ms()));
    repo.insert(&raced).await.unwrap();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let repo = repo.clone();
            let hash = raced.hash.clone();
            tokio::spawn(async move { repo.consume(&hash, now_ms()).await })
        })
        .collect();
    let mut consumed = 0;
    for task in tasks {
        if let ConsumeOutcome::Consumed(_) = task.await.unwrap().unwrap() {
            consumed += 1;
        }
    }
    assert_eq!(consumed, 1, "exactly one concurrent consumer wins");
}

/// Revoking a family or a user's tokens revokes exactly those.
pub async fn refresh_tokens_revoke(repo: &dyn RefreshTokenRepository) {
    let alice = UserId::generate(now_ms());
    let bob = UserId::generate(now_ms());
    let family = TokenFamilyId::generate(now_ms());
    let a1 = sample_token(alice, family);
    let a2 = sample_token(alice, family);
    let a3 = sample_token(alice, TokenFamilyId::generate(now_ms()));
    let b1 = sample_token(bob, TokenFamilyId::generate(now_ms()));
    for r in [&a1, &a2, &a3, &b1] {
        repo.insert(r).await.unwrap();
    }
    let at = now_ms();
    assert_eq!(repo.revoke_family(family, at).await.unwrap(), 2);
    assert_eq!(
        repo.revoke_family(family, at).await.unwrap(),
        0,
        "already revoked"
    );
    assert_eq!(
        repo.find(&a2.hash).await.unwrap().unwrap().revoked_at,
        Some(at)
    );
    assert!(matches!(
        repo.consume(&a1.hash, at).await.unwrap(),
        ConsumeOutcome::Replayed(_)
    ));
    assert!(matches!(
        repo.consume(&a3.hash, at).await.unwrap(),
        ConsumeOutcome::Consumed(_)
    ));
    assert_eq!(repo.revoke_all_for_user(alice, at).await.unwrap(), 1);
    assert_eq!(
        repo.find(&b1.hash).await.unwrap().unwrap().revoked_at,
        None,
        "others untouched"
    );
}

/// Link tokens are taken at most once, per purpose, and can be cleared per user.
pub async fn link_tokens_single_use(repo: Arc<dyn LinkTokenRepository>) {
    let user = UserId::generate(now_ms());
    let now = now_ms();
    let token = LinkToken {
        hash: random_token(),
        user_id: user,
        purpose: LinkPurpose::ResetPassword,
        created_at: now,
        expires_at: now + Duration::hours(1),
    };
    repo.insert(&token).await.unwrap();
    assert_eq!(
        repo.take(LinkPurpose::VerifyEmail, &token.hash)
            .await
            .unwrap(),
        None,
        "purpose must match"
    );
    assert_eq!(
        repo.take(LinkPurpose::ResetPassword, &token.hash)
            .await
            .unwrap(),
        Some(token.clone())
    );
    assert_eq!(
        repo.take(LinkPurpose::ResetPassword, &token.hash)
            .await
            .unwrap(),
        None,
        "single use"
    );

    let raced = LinkToken {
        hash: random_token(),
        ..token.clone()
    };
    repo.insert(&raced).await.unwrap();
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let repo = repo.clone();
            let hash = raced.hash.clone();
            tokio::spawn(async move { repo.take(LinkPurpose::ResetPassword, &hash).await })
        })
        .collect();
    let mut taken = 0;
    for task in tasks {
        if task.await.unwrap().unwrap().is_some() {
            taken += 1;
        }
    }
    assert_eq!(taken, 1, "exactly one concurrent taker wins");

    let other_user = LinkToken {
        hash: random_token(),
        user_id: UserId::generate(now),
        ..token.clone()
    };
    let verify = LinkToken {
        hash: random_token(),
        purpose: LinkPurpose::VerifyEmail,
        ..token.clone()
    };
    let reset = LinkToken {
        hash: random_token(),
        ..token.clone()
    };
    for t in [&other_user, &verify, &reset] {
        repo.insert(t).await.unwrap();
    }
    repo.delete_for_user(user, LinkPurpose::ResetPassword)
        .await
        .unwrap();
    assert_eq!(
        repo.take(LinkPurpose::ResetPassword, &reset.hash)
            .await
            .unwrap(),
        None
    );
    assert!(repo
        .take(LinkPurpose::VerifyEmail, &verify.hash)
        .await
        .unwrap()
        .is_some());
    assert!(repo
        .take(LinkPurpose::ResetPassword, &other_user.hash)
        .await
        .unwrap()
        .is_some());
}

/// Every check above, against one set of adapters.
pub async fn run_all(
    users: Arc<dyn UserRepository>,
    refresh: Arc<dyn RefreshTokenRepository>,
    links: Arc<dyn LinkTokenRepository>,
    throttle: Arc<dyn LoginThrottleRepository>,
) {
    users_round_trip(users.as_ref()).await;
    users_unique_keys(users.as_ref()).await;
    users_concurrent_inserts(users.clone()).await;
    users_update(users.as_ref()).await;
    login_throttle(throttle).await;
    users_list(users.as_ref()).await;
    refresh_tokens_consume_once(refresh.clone()).await;
    refresh_tokens_revoke(refresh.as_ref()).await;
    link_tokens_single_use(links).await;
}
