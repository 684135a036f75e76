//! Rules of the identity service, with in-memory stores, a fixed clock and mockall mocks where the
//! interaction itself is the rule.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use stackrush_kernel::activity::{Happened, RecordedActivity};
use stackrush_kernel::{FixedClock, StoreError};

use super::*;
use crate::fake::{
    InMemoryLinkTokens, InMemoryLoginThrottle, InMemoryRefreshTokens, InMemoryUsers,
};
use crate::ports::{
    AccountEvents, Mailer, MockAccountEvents, MockMailer, MockPasswordHasher, MockPlayerFigures,
    MockSocialFigures, MockUserRepository, OutgoingMail, PasswordHasher, PlayerFigures,
    SocialFigures, UserRepository,
};

const PASSWORD: &str = "Correct-Horse-1";

/// A password "hash" that is the password behind a marker: the service's rules, not bcrypt's,
/// are under test here (bcrypt has its own tests in `stackrush-identity-bcrypt`).
struct PlainHasher;

#[async_trait]
impl PasswordHasher for PlainHasher {
    async fn hash(&self, password: &str) -> anyhow::Result<String> {
        Ok(format!("plain:{password}"))
    }

    async fn verify(&self, password: &str, hash: &str) -> anyhow::Result<bool> {
        Ok(hash.strip_prefix("plain:") == Some(password))
    }
}

/// Collects mail so tests can follow links.
#[derive(Default)]
struct Outbox(Mutex<Vec<OutgoingMail>>);

#[async_trait]
impl Mailer for Outbox {
    async fn send(&self, mail: &OutgoingMail) -> anyhow::Result<()> {
        self.0.lock().unwrap().push(mail.clone());
        Ok(())
    }
}

impl Outbox {
    fn last_token(&self) -> String {
        let mails = self.0.lock().unwrap();
        let text = &mails.last().expect("a mail was sent").text;
        text.split("token=")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned()
    }
}

/// The figures a scoring context would keep, set by the tests.
#[derive(Default)]
struct Scoreboard(Mutex<HashMap<UserId, Stats>>);

#[async_trait]
impl PlayerFigures for Scoreboard {
    async fn figures(&self, users: &[UserId]) -> anyhow::Result<HashMap<UserId, Stats>> {
        let kept = self.0.lock().unwrap();
        Ok(users
            .iter()
            .filter_map(|id| kept.get(id).map(|s| (*id, s.clone())))
            .collect())
    }
}

/// The follow counts a community context would keep, set by the tests.
#[derive(Default)]
struct Followings(Mutex<HashMap<UserId, Social>>);

#[async_trait]
impl SocialFigures for Followings {
    async fn social(&self, users: &[UserId]) -> anyhow::Result<HashMap<UserId, Social>> {
        let kept = self.0.lock().unwrap();
        Ok(users
            .iter()
            .filter_map(|id| kept.get(id).map(|s| (*id, *s)))
            .collect())
    }
}

/// Collects the account events the service publishes.
#[derive(Default)]
struct Listener(Mutex<Vec<AccountEvent>>);

#[async_trait]
impl AccountEvents for Listener {
    async fn publish(&self, event: AccountEvent) -> anyhow::Result<()> {
        self.0.lock().unwrap().push(event);
        Ok(())
    }
}

impl Listener {
    fn take(&self) -> Vec<AccountEvent> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

struct World {
    service: IdentityService,
    clock: Arc<FixedClock>,
    outbox: Arc<Outbox>,
    users: Arc<InMemoryUsers>,
    events: Arc<Listener>,
    scoreboard: Arc<Scoreboard>,
    followings: Arc<Followings>,
    activity: Arc<RecordedActivity>,
}

impl World {
    /// A service over this world's ports with some of them replaced.
    fn with_ports(&self, replace: impl FnOnce(&mut Ports)) -> IdentityService {
        let mut ports = self.service.ports.clone();
        replace(&mut ports);
        IdentityService::new(ports, self.service.config.clone())
    }
}

fn world() -> World {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 3, 29, 0, 30, 0).unwrap(),
    ));
    let outbox = Arc::new(Outbox::default());
    let users = Arc::new(InMemoryUsers::default());
    let events = Arc::new(Listener::default());
    let scoreboard = Arc::new(Scoreboard::default());
    let followings = Arc::new(Followings::default());
    let activity = Arc::new(RecordedActivity::default());
    let ports = Ports {
        users: users.clone(),
        refresh_tokens: Arc::new(InMemoryRefreshTokens::default()),
        link_tokens: Arc::new(InMemoryLinkTokens::default()),
        login_throttle: Arc::new(InMemoryLoginThrottle::default()),
        hasher: Arc::new(PlainHasher),
        mailer: outbox.clone(),
        events: events.clone(),
        figures: scoreboard.clone(),
        social: followings.clone(),
        activity: activity.clone(),
        clock: clock.clone(),
    };
    let config = IdentityConfig::new(Secrets::new("j".repeat(40), "r".repeat(40)));
    World {
        service: IdentityService::new(ports, config),
        clock,
        outbox,
        users,
        events,
        scoreboard,
        followings,
        activity,
    }
}

fn register_cmd(name: &str) -> RegisterCommand {
    RegisterCommand {
        email: format!("  {}@Example.COM ", name.to_uppercase()),
        username: name.to_owned(),
        password: PASSWORD.to_owned(),
        first_name: Some(" Ada ".into()),
        last_name: None,
    }
}

async fn signed_up(w: &World, name: &str) -> (User, TokenPair) {
    w.service.register(register_cmd(name)).await.unwrap();
    w.service
        .login(name.to_owned(), PASSWORD.to_owned(), HERE)
        .await
        .unwrap()
}

fn actor(user: &User) -> Actor {
    Actor {
        id: user.id,
        roles: user.roles.clone(),
    }
}

#[tokio::test]
async fn registering_normalises_the_email_and_mails_a_verification_link() {
    let w = world();
    let user = w.service.register(register_cmd("ada")).await.unwrap();
    assert_eq!(user.email, "ada@example.com");
    assert_eq!(user.profile.first_name.as_deref(), Some("Ada"));
    assert_eq!(user.roles, vec![Role::User]);
    assert!(!user.email_verified);
    let mails = w.outbox.0.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, "ada@example.com");
    assert!(mails[0]
        .text
        .contains("http://localhost:5173/verify-email?token="));
}

#[tokio::test]
async fn verifying_the_email_works_once() {
    let w = world();
    let user = w.service.register(register_cmd("ada")).await.unwrap();
    let token = w.outbox.last_token();
    w.service.verify_email(token.clone()).await.unwrap();
    assert!(
        w.users
            .find_by_id(user.id)
            .await
            .unwrap()
            .unwrap()
            .email_verified
    );
    assert!(matches!(
        w.service.verify_email(token).await,
        Err(IdentityError::InvalidLinkToken)
    ));
}

#[tokio::test]
async fn an_unsubscribe_token_switches_email_off_without_signing_in_and_cannot_be_forged() {
    let w = world();
    let ada = w.service.register(register_cmd("ada")).await.unwrap();
    let bob = w.service.register(register_cmd("bob")).await.unwrap();
    let contact = w.service.mail_contact(ada.id).await.unwrap().unwrap();
    assert_eq!(
        (contact.email.as_str(), contact.username.as_str()),
        ("ada@example.com", "ada")
    );
    assert!(contact.notifications.email);
    let token = contact.unsubscribe_token.clone();
    assert!(token.starts_with(&format!("{}.", ada.id)));
    assert_eq!(
        w.service
            .mail_contact(ada.id)
            .await
            .unwrap()
            .unwrap()
            .unsubscribe_token,
        token,
        "a link in last week's mail still works"
    );

    // Forged: another account's id with ada's signature, a bit changed, a secret changed.
    let (_, mac) = token.split_once('.').unwrap();
    let mut flipped = token.clone().into_bytes();
    let last = flipped.len() - 1;
    flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
    let other_secret = w.with_ports(|_| {});
    let other_secret = IdentityService::new(
        other_secret.ports.clone(),
        IdentityConfig::new(Secrets::new("j".repeat(40), "s".repeat(40))),
    );
    for bad in [
        format!("{}.{mac}", bob.id),
        String::from_utf8(flipped).unwrap(),
        String::new(),
        "no-dot".into(),
        format!("{}.", ada.id),
    ] {
        assert!(
            matches!(
                w.service.unsubscribe(bad.clone()).await,
                Err(IdentityError::InvalidLinkToken)
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        other_secret.unsubscribe(token.clone()).await,
        Err(IdentityError::InvalidLinkToken)
    ));
    assert!(
        w.users
            .find_by_id(ada.id)
            .await
            .unwrap()
            .unwrap()
            .preferences
            .notifications
            .email
    );

    w.service.check_unsubscribe(token.clone()).await.unwrap();
    assert!(
        w.users
            .find_by_id(ada.id)
            .await
            .unwrap()
            .unwrap()
            .preferences
            .notifications
            .email,
        "checking changes nothing"
    );
    w.service.unsubscribe(token.clone()).await.unwrap();
    w.service.unsubscribe(token).await.unwrap();
    let after = w
        .users
        .find_by_id(ada.id)
        .await
        .unwrap()
        .unwrap()
        .preferences
        .notifications;
    assert!(
        !after.email && after.achievements,
        "only email is switched off"
    );
    assert!(
        w.users
            .find_by_id(bob.id)
            .await
            .unwrap()
            .unwrap()
            .preferences
            .notifications
            .email
    );
    assert!(
        !w.service
            .mail_contact(ada.id)
            .await
            .unwrap()
            .unwrap()
            .notifications
            .email
    );
}

#[tokio::test]
async fn duplicate_email_or_username_is_refused_with_its_own_error() {
    let w = world();
    w.service.register(register_cmd("ada")).await.unwrap();
    assert!(matches!(
        w.service.register(register_cmd("ada")).await,
        Err(IdentityError::EmailExists)
    ));
    let mut other = register_cmd("bob");
    other.username = "ADA".into();
    assert!(matches!(
        w.service.register(other).await,
        Err(IdentityError::UsernameExists)
    ));
}

#[tokio::test]
async fn a_taken_email_is_refused_before_any_password_is_hashed() {
    let mut users = MockUserRepository::new();
    let existing = crate::contract::sample_user("taken");
    users
        .expect_find_by_email()
        .returning(move |_| Ok(Some(existing.clone())));
    users.expect_insert().never();
    let mut hasher = MockPasswordHasher::new();
    hasher.expect_hash().never();
    let w = world();
    let service = w.with_ports(|p| {
        p.users = Arc::new(users);
        p.hasher = Arc::new(hasher);
    });
    assert!(matches!(
        service.register(register_cmd("taken")).await,
        Err(IdentityError::EmailExists)
    ));
}

#[tokio::test]
async fn invalid_input_reports_every_field() {
    let w = world();
    let cmd = RegisterCommand {
        email: "not-an-email".into(),
        username: "a b".into(),
        password: "short".into(),
        first_name: Some("x".repeat(51)),
        last_name: None,
    };
    let Err(IdentityError::Validation(details)) = w.service.register(cmd).await else {
        panic!("expected validation")
    };
    let fields: Vec<_> = details.iter().map(|d| d.field.as_str()).collect();
    assert_eq!(fields.len(), 4, "{fields:?}");
    assert!(fields.contains(&"firstName"), "{fields:?}");
}

#[tokio::test]
async fn login_works_by_email_or_username_in_any_case() {
    let w = world();
    w.service.register(register_cmd("ada")).await.unwrap();
    assert!(w
        .service
        .login("ADA@example.com".into(), PASSWORD.into(), HERE)
        .await
        .is_ok());
    assert!(w
        .service
        .login("Ada".into(), PASSWORD.into(), HERE)
        .await
        .is_ok());
}

#[tokio::test]
async fn an_unknown_user_costs_a_full_password_check_and_looks_like_a_wrong_password() {
    let mut hasher = MockPasswordHasher::new();
    hasher
        .expect_hash()
        .times(1)
        .returning(|_| Ok("$2b$04$dummy".into()));
    hasher.expect_verify().times(1).returning(|_, _| Ok(false));
    let w = world();
    let service = w.with_ports(|p| p.hasher = Arc::new(hasher));
    let err = service
        .login("ghost".into(), PASSWORD.into(), HERE)
        .await
        .unwrap_err();
    assert!(matches!(err, IdentityError::InvalidCredentials));
}

#[tokio::test]
async fn saturated_password_hashing_is_a_retry_later_not_an_internal_error() {
    let w = world();
    w.service.register(register_cmd("ada")).await.unwrap();
    let mut hasher = MockPasswordHasher::new();
    hasher.expect_verify().times(1).returning(|_, _| {
        Err(crate::ports::HashingBusy(std::time::Duration::from_secs(11)).into())
    });
    let service = w.with_ports(|p| p.hasher = Arc::new(hasher));
    let err = service
        .login("ada".into(), PASSWORD.into(), HERE)
        .await
        .unwrap_err();
    assert!(matches!(err, IdentityError::Unavailable(_)), "{err:?}");
}

/// Where the tests' logins come from.
const HERE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
/// Somewhere else.
const THERE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, 7));

/// What each of `n` logins with a wrong password answers, as codes with their waits.
async fn wrong_logins(w: &World, name: &str, from: IpAddr, n: usize) -> Vec<String> {
    let mut answers = Vec::new();
    for _ in 0..n {
        let err = w
            .service
            .login(name.into(), "Wrong-Pass-1".into(), from)
            .await
            .unwrap_err();
        let answer = match err {
            IdentityError::InvalidCredentials => "invalid".to_owned(),
            IdentityError::AccountLocked { retry_after_secs } => {
                // Waited out, so that the next attempt is checked and counted.
                w.clock
                    .advance(chrono::Duration::seconds(retry_after_secs as i64));
                format!("locked {retry_after_secs}")
            }
            other => panic!("{other:?}"),
        };
        answers.push(answer);
    }
    answers
}

#[tokio::test]
async fn failures_lock_a_name_for_one_address_with_growing_delays_known_or_unknown_alike() {
    let w = world();
    w.service.register(register_cmd("ada")).await.unwrap();
    let known = wrong_logins(&w, "ada", HERE, 9).await;
    let unknown = wrong_logins(&w, "nobody", HERE, 9).await;
    let expected = [
        "invalid",
        "invalid",
        "invalid",
        "invalid",
        "locked 30",
        "locked 60",
        "locked 120",
        "locked 240",
        "locked 480",
    ];
    assert_eq!(known, expected);
    assert_eq!(
        unknown, expected,
        "an unknown name is answered exactly like a known one"
    );
    let capped = wrong_logins(&w, "ada", HERE, 3).await;
    assert_eq!(
        capped,
        ["locked 960", "locked 1800", "locked 1800"],
        "at most 30 minutes"
    );
}

#[tokio::test]
async fn a_locked_name_refuses_even_the_right_password_from_that_address_only() {
    let w = world();
    w.service.register(register_cmd("ada")).await.unwrap();
    for _ in 0..5 {
        let _ = w
            .service
            .login("ada".into(), "Wrong-Pass-1".into(), THERE)
            .await;
    }
    let err = w
        .service
        .login("ADA".into(), PASSWORD.into(), THERE)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            IdentityError::AccountLocked {
                retry_after_secs: 30
            }
        ),
        "the name is taken regardless of case: {err:?}"
    );
    // The owner, elsewhere, is not locked out by the attacker's guesses.
    assert!(w
        .service
        .login("ada".into(), PASSWORD.into(), HERE)
        .await
        .is_ok());
    // Nor by email, which is another name with its own count.
    assert!(w
        .service
        .login("ada@example.com".into(), PASSWORD.into(), THERE)
        .await
        .is_ok());
    w.clock.advance(chrono::Duration::seconds(31));
    assert!(w
        .service
        .login("ada".into(), PASSWORD.into(), THERE)
        .await
        .is_ok());
    // The success forgot the failures: four more are free again.
    let answers = wrong_logins(&w, "ada", THERE, 5).await;
    assert_eq!(answers[3], "invalid");
    assert_eq!(answers[4], "locked 30");
}

#[tokio::test]
async fn an_ipv6_client_is_one_address_across_its_slash_64() {
    let w = world();
    w.service.register(register_cmd("ada")).await.unwrap();
    for last in 1..=5_u16 {
        let from = IpAddr::V6(std::net::Ipv6Addr::new(0x2001, 0xdb8, 1, 2, 0, 0, 0, last));
        let _ = w
            .service
            .login("ada".into(), "Wrong-Pass-1".into(), from)
            .await;
    }
    let same_net = IpAddr::V6(std::net::Ipv6Addr::new(0x2001, 0xdb8, 1, 2, 9, 9, 9, 9));
    let err = w
        .service
        .login("ada".into(), PASSWORD.into(), same_net)
        .await
        .unwrap_err();
    assert!(
        matches!(err, IdentityError::AccountLocked { .. }),
        "{err:?}"
    );
    let next_net = IpAddr::V6(std::net::Ipv6Addr::new(0x2001, 0xdb8, 1, 3, 0, 0, 0, 1));
    assert!(w
        .service
        .login("ada".into(), PASSWORD.into(), next_net)
        .await
        .is_ok());
}

#[tokio::test]
async fn refresh_rotates_and_a_replayed_token_revokes_the_whole_family() {
    let w = world();
    let (_, first) = signed_up(&w, "ada").await;
    let (_, second) = w
        .service
        .refresh(first.refresh_token.clone())
        .await
        .unwrap();
    assert_ne!(second.refresh_token, first.refresh_token);
    // Past the grace window, presenting the spent token again is a replay.
    w.clock.advance(chrono::Duration::seconds(6));
    assert!(matches!(
        w.service.refresh(first.refresh_token).await,
        Err(IdentityError::InvalidRefreshToken)
    ));
    assert!(
        matches!(
            w.service.refresh(second.refresh_token).await,
            Err(IdentityError::InvalidRefreshToken)
        ),
        "the replay revoked the successor too"
    );
}

#[tokio::test]
async fn a_token_rotated_a_moment_ago_answers_with_the_same_successor() {
    let w = world();
    let (_, first) = signed_up(&w, "ada").await;
    let (_, a) = w
        .service
        .refresh(first.refresh_token.clone())
        .await
        .unwrap();
    // A second tab, within the grace window: the same successor, a working access token.
    w.clock.advance(chrono::Duration::seconds(4));
    let (_, b) = w
        .service
        .refresh(first.refresh_token.clone())
        .await
        .unwrap();
    assert_eq!(a.refresh_token, b.refresh_token);
    assert!(w.service.authenticate(b.access_token).await.is_ok());
    // The successor rotates once; then the old token is a replay even inside the window,
    // because what it would answer with is spent.
    let (_, next) = w.service.refresh(a.refresh_token).await.unwrap();
    assert!(matches!(
        w.service.refresh(first.refresh_token).await,
        Err(IdentityError::InvalidRefreshToken)
    ));
    assert!(
        matches!(
            w.service.refresh(next.refresh_token).await,
            Err(IdentityError::InvalidRefreshToken)
        ),
        "that replay revoked the family"
    );
}

#[tokio::test]
async fn refresh_tokens_expire_after_seven_days() {
    let w = world();
    let (_, pair) = signed_up(&w, "ada").await;
    w.clock.advance(chrono::Duration::days(7));
    assert!(matches!(
        w.service.refresh(pair.refresh_token).await,
        Err(IdentityError::RefreshTokenExpired)
    ));
}

#[tokio::test]
async fn access_tokens_expire_exactly_at_their_expiry_with_no_leeway() {
    let w = world();
    let (user, pair) = signed_up(&w, "ada").await;
    w.clock
        .advance(chrono::Duration::minutes(15) - chrono::Duration::seconds(1));
    assert_eq!(
        w.service
            .authenticate(pair.access_token.clone())
            .await
            .unwrap()
            .id,
        user.id
    );
    w.clock.advance(chrono::Duration::seconds(1));
    assert!(matches!(
        w.service.authenticate(pair.access_token).await,
        Err(IdentityError::TokenExpired)
    ));
}

#[tokio::test]
async fn a_refresh_token_is_never_an_access_token() {
    let w = world();
    let (_, pair) = signed_up(&w, "ada").await;
    assert!(matches!(
        w.service.authenticate(pair.refresh_token).await,
        Err(IdentityError::InvalidToken)
    ));
}

#[tokio::test]
async fn logout_revokes_the_session_and_outstanding_access_tokens() {
    let w = world();
    let (user, pair) = signed_up(&w, "ada").await;
    w.service
        .logout(actor(&user), Some(pair.refresh_token.clone()))
        .await
        .unwrap();
    assert!(matches!(
        w.service.authenticate(pair.access_token).await,
        Err(IdentityError::InvalidToken)
    ));
    assert!(matches!(
        w.service.refresh(pair.refresh_token).await,
        Err(IdentityError::InvalidRefreshToken)
    ));
}

#[tokio::test]
async fn logout_ignores_someone_elses_refresh_token() {
    let w = world();
    let (ada, _) = signed_up(&w, "ada").await;
    let (_, bobs) = signed_up(&w, "bob").await;
    w.service
        .logout(actor(&ada), Some(bobs.refresh_token.clone()))
        .await
        .unwrap();
    assert!(
        w.service.refresh(bobs.refresh_token).await.is_ok(),
        "bob's session survives"
    );
}

#[tokio::test]
async fn changing_the_password_signs_out_other_sessions_and_keeps_this_one() {
    let w = world();
    let (user, old) = signed_up(&w, "ada").await;
    let err = w
        .service
        .change_password(actor(&user), "Wrong-Pass-1".into(), "New-Secret-2".into())
        .await
        .unwrap_err();
    assert!(matches!(err, IdentityError::WrongPassword));
    let fresh = w
        .service
        .change_password(actor(&user), PASSWORD.into(), "New-Secret-2".into())
        .await
        .unwrap();
    assert!(matches!(
        w.service.authenticate(old.access_token).await,
        Err(IdentityError::InvalidToken)
    ));
    assert!(matches!(
        w.service.refresh(old.refresh_token).await,
        Err(IdentityError::InvalidRefreshToken)
    ));
    assert!(w.service.authenticate(fresh.access_token).await.is_ok());
    assert!(w
        .service
        .login("ada".into(), "New-Secret-2".into(), HERE)
        .await
        .is_ok());
}

#[tokio::test]
async fn a_password_reset_link_works_once_and_a_weak_password_does_not_spend_it() {
    let w = world();
    let (_, old) = signed_up(&w, "ada").await;
    // Someone guessed at both names from the owner's own address, which locked them there.
    wrong_logins(&w, "ada", HERE, 5).await;
    wrong_logins(&w, "ada@example.com", HERE, 5).await;
    w.service
        .forgot_password("ADA@example.com".into())
        .await
        .unwrap();
    let token = w.outbox.last_token();
    let weak = w
        .service
        .reset_password(token.clone(), "weak".into())
        .await
        .unwrap_err();
    assert!(matches!(weak, IdentityError::Validation(_)));
    w.service
        .reset_password(token.clone(), "New-Secret-2".into())
        .await
        .unwrap();
    assert!(matches!(
        w.service.reset_password(token, "New-Secret-3".into()).await,
        Err(IdentityError::InvalidLinkToken)
    ));
    assert!(matches!(
        w.service.authenticate(old.access_token).await,
        Err(IdentityError::InvalidToken)
    ));
    // The reset lifted the locks on both names, so the new password works at once.
    assert!(w
        .service
        .login("ada".into(), "New-Secret-2".into(), HERE)
        .await
        .is_ok());
    assert!(w
        .service
        .login("ada@example.com".into(), "New-Secret-2".into(), HERE)
        .await
        .is_ok());
}

#[tokio::test]
async fn reset_links_expire_after_an_hour() {
    let w = world();
    signed_up(&w, "ada").await;
    w.service
        .forgot_password("ada@example.com".into())
        .await
        .unwrap();
    let token = w.outbox.last_token();
    w.clock.advance(chrono::Duration::minutes(61));
    assert!(matches!(
        w.service.reset_password(token, "New-Secret-2".into()).await,
        Err(IdentityError::InvalidLinkToken)
    ));
}

#[tokio::test]
async fn forgot_password_for_an_unknown_address_sends_nothing_and_succeeds() {
    let w = world();
    w.service
        .forgot_password("nobody@example.com".into())
        .await
        .unwrap();
    assert!(w.outbox.0.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_failing_mailer_does_not_fail_registration() {
    let mut mailer = MockMailer::new();
    mailer
        .expect_send()
        .times(1)
        .returning(|_| Err(anyhow::anyhow!("smtp down")));
    let w = world();
    let service = w.with_ports(|p| p.mailer = Arc::new(mailer));
    assert!(service.register(register_cmd("ada")).await.is_ok());
}

#[tokio::test]
async fn private_profiles_and_hidden_stats_are_refused_to_others_only() {
    let w = world();
    let (ada, _) = signed_up(&w, "ada").await;
    let (bob, _) = signed_up(&w, "bob").await;
    let mut update = PreferencesUpdate::default();
    update.privacy.show_stats = Some(false);
    w.service
        .update_preferences(actor(&ada), update)
        .await
        .unwrap();
    let view = w
        .service
        .user_by_id(Some(actor(&bob)), ada.id)
        .await
        .unwrap();
    assert!(!view.shows_email() && !view.shows_stats());
    assert!(matches!(
        w.service.user_stats(Some(actor(&bob)), ada.id).await,
        Err(IdentityError::StatsPrivate)
    ));
    assert!(
        w.service
            .user_stats(Some(actor(&ada)), ada.id)
            .await
            .is_ok(),
        "self sees own stats"
    );

    let mut update = PreferencesUpdate::default();
    update.privacy.profile_public = Some(false);
    w.service
        .update_preferences(actor(&ada), update)
        .await
        .unwrap();
    assert!(matches!(
        w.service.user_by_id(Some(actor(&bob)), ada.id).await,
        Err(IdentityError::ProfilePrivate)
    ));
    assert!(matches!(
        w.service.user_by_id(None, ada.id).await,
        Err(IdentityError::ProfilePrivate)
    ));
    let admin = Actor {
        id: bob.id,
        roles: vec![Role::User, Role::Admin],
    };
    let view = w.service.user_by_id(Some(admin), ada.id).await.unwrap();
    assert!(
        view.shows_email() && view.shows_stats(),
        "admins see everything"
    );
}

#[tokio::test]
async fn preferences_validate_the_timezone_and_keep_unnamed_settings() {
    let w = world();
    let (ada, _) = signed_up(&w, "ada").await;
    let bad = PreferencesUpdate {
        timezone: Some("Mars/Olympus".into()),
        ..PreferencesUpdate::default()
    };
    assert!(matches!(
        w.service.update_preferences(actor(&ada), bad).await,
        Err(IdentityError::Validation(_))
    ));
    let good = PreferencesUpdate {
        timezone: Some("Europe/Paris".into()),
        theme: Some(Theme::Light),
        ..PreferencesUpdate::default()
    };
    let prefs = w
        .service
        .update_preferences(actor(&ada), good)
        .await
        .unwrap();
    assert_eq!(
        (prefs.timezone.as_str(), prefs.theme),
        ("Europe/Paris", Theme::Light)
    );
    assert!(
        prefs.notifications.email,
        "untouched settings keep their value"
    );
}

#[tokio::test]
async fn profile_updates_change_named_fields_and_empty_strings_clear() {
    let w = world();
    let (ada, _) = signed_up(&w, "ada").await;
    let update = ProfileUpdate {
        bio: Some("Engine notes".into()),
        first_name: Some(String::new()),
        ..ProfileUpdate::default()
    };
    let user = w.service.update_profile(actor(&ada), update).await.unwrap();
    assert_eq!(user.profile.bio.as_deref(), Some("Engine notes"));
    assert_eq!(user.profile.first_name, None);
    let bad = ProfileUpdate {
        website: Some("javascript:alert(1)".into()),
        ..ProfileUpdate::default()
    };
    assert!(matches!(
        w.service.update_profile(actor(&ada), bad).await,
        Err(IdentityError::Validation(_))
    ));
}

#[tokio::test]
async fn only_admins_list_users_and_role_changes_revoke_tokens() {
    let w = world();
    let (ada, ada_tokens) = signed_up(&w, "ada").await;
    let admin = w
        .service
        .create_admin(RegisterCommand {
            username: "root".into(),
            email: "root@example.com".into(),
            ..register_cmd("x")
        })
        .await
        .unwrap();
    assert!(matches!(
        w.service
            .list_users(actor(&ada), UserFilter::default(), PageRequest::default())
            .await,
        Err(IdentityError::InsufficientPermissions)
    ));
    let page = w
        .service
        .list_users(actor(&admin), UserFilter::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    let update = AdminUserUpdate {
        roles: Some(vec![Role::Moderator]),
        is_active: None,
    };
    let changed = w
        .service
        .admin_update_user(actor(&admin), ada.id, update)
        .await
        .unwrap();
    assert_eq!(changed.roles, vec![Role::User, Role::Moderator]);
    assert!(matches!(
        w.service.authenticate(ada_tokens.access_token).await,
        Err(IdentityError::InvalidToken)
    ));
    let demote_self = AdminUserUpdate {
        roles: Some(vec![Role::User]),
        is_active: None,
    };
    assert!(matches!(
        w.service
            .admin_update_user(actor(&admin), admin.id, demote_self)
            .await,
        Err(IdentityError::Validation(_))
    ));
}

#[tokio::test]
async fn deactivated_and_deleted_accounts_stop_working() {
    let w = world();
    let (ada, tokens) = signed_up(&w, "ada").await;
    let admin = w
        .service
        .create_admin(RegisterCommand {
            username: "root".into(),
            email: "root@example.com".into(),
            ..register_cmd("x")
        })
        .await
        .unwrap();
    w.service
        .admin_update_user(
            actor(&admin),
            ada.id,
            AdminUserUpdate {
                roles: None,
                is_active: Some(false),
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        w.service.authenticate(tokens.access_token).await,
        Err(IdentityError::InvalidUser)
    ));
    assert!(matches!(
        w.service.refresh(tokens.refresh_token).await,
        Err(IdentityError::InvalidRefreshToken)
    ));
    assert!(matches!(
        w.service.login("ada".into(), PASSWORD.into(), HERE).await,
        Err(IdentityError::InvalidCredentials)
    ));

    let (bob, bob_tokens) = signed_up(&w, "bob").await;
    w.service
        .delete_account(actor(&bob), PASSWORD.into())
        .await
        .unwrap();
    assert!(matches!(
        w.service.authenticate(bob_tokens.access_token).await,
        Err(IdentityError::InvalidUser)
    ));
    assert!(matches!(
        w.service.user_by_id(None, bob.id).await,
        Err(IdentityError::UserNotFound)
    ));
}

#[tokio::test]
async fn an_unreachable_store_is_reported_as_unavailable() {
    let mut users = MockUserRepository::new();
    users.expect_find_by_username().returning(|_| {
        Err(StoreError::Unavailable(anyhow::anyhow!(
            "connection refused"
        )))
    });
    let w = world();
    let service = w.with_ports(|p| p.users = Arc::new(users));
    assert!(matches!(
        service.login("ada".into(), PASSWORD.into(), HERE).await,
        Err(IdentityError::Unavailable(_))
    ));
}

#[tokio::test]
async fn summaries_name_active_users_only_even_with_private_profiles() {
    let w = world();
    let (ada, _) = signed_up(&w, "ada").await;
    let (bob, _) = signed_up(&w, "bob").await;
    let mut private = PreferencesUpdate::default();
    private.privacy.profile_public = Some(false);
    w.service
        .update_preferences(actor(&ada), private)
        .await
        .unwrap();
    w.service
        .delete_account(actor(&bob), PASSWORD.into())
        .await
        .unwrap();
    let found = w
        .service
        .summaries(vec![ada.id, bob.id, UserId::generate(Utc::now())])
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        (
            found[0].id,
            found[0].username.as_str(),
            found[0].first_name.as_deref()
        ),
        (ada.id, "ada", Some("Ada"))
    );
}

async fn admin_of(w: &World) -> User {
    w.service
        .create_admin(RegisterCommand {
            username: "root".into(),
            email: "root@example.com".into(),
            ..register_cmd("x")
        })
        .await
        .unwrap()
}

fn activity(is_active: bool) -> AdminUserUpdate {
    AdminUserUpdate {
        roles: None,
        is_active: Some(is_active),
    }
}

fn show_stats(show: bool) -> PreferencesUpdate {
    PreferencesUpdate {
        privacy: PrivacyUpdate {
            show_stats: Some(show),
            ..PrivacyUpdate::default()
        },
        ..PreferencesUpdate::default()
    }
}

#[tokio::test]
async fn privacy_changes_tell_listeners_whether_the_account_is_ranked() {
    let w = world();
    let (ada, _) = signed_up(&w, "ada").await;
    w.events.take();
    w.service
        .update_preferences(actor(&ada), show_stats(false))
        .await
        .unwrap();
    w.service
        .update_preferences(actor(&ada), show_stats(true))
        .await
        .unwrap();
    assert_eq!(
        w.events.take(),
        vec![
            AccountEvent::PrivacyChanged {
                user: ada.id,
                ranked: false
            },
            AccountEvent::PrivacyChanged {
                user: ada.id,
                ranked: true
            },
        ]
    );
}

#[tokio::test]
async fn deactivation_reactivation_and_deletion_are_published_once_each() {
    let w = world();
    let (ada, _) = signed_up(&w, "ada").await;
    let admin = admin_of(&w).await;
    w.service
        .update_preferences(actor(&ada), show_stats(false))
        .await
        .unwrap();
    w.events.take();
    for active in [false, false, true, true] {
        w.service
            .admin_update_user(actor(&admin), ada.id, activity(active))
            .await
            .unwrap();
    }
    w.service
        .delete_account(actor(&ada), PASSWORD.into())
        .await
        .unwrap();
    assert_eq!(
        w.events.take(),
        vec![
            AccountEvent::Deactivated { user: ada.id },
            // Stats still hidden: back, but not on the boards.
            AccountEvent::Reactivated {
                user: ada.id,
                ranked: false
            },
            AccountEvent::Deleted { user: ada.id },
        ]
    );
}

#[tokio::test]
async fn a_failed_reaction_is_a_retry_later_and_the_change_stays_stored() {
    let w = world();
    let (ada, _) = signed_up(&w, "ada").await;
    let mut events = MockAccountEvents::new();
    events
        .expect_publish()
        .times(1)
        .returning(|_| Err(anyhow::anyhow!("scoring unreachable")));
    let service = w.with_ports(|ports| ports.events = Arc::new(events));
    assert!(matches!(
        service
            .update_preferences(actor(&ada), show_stats(false))
            .await,
        Err(IdentityError::Unavailable(_))
    ));
    let stored = w.users.find_by_id(ada.id).await.unwrap().unwrap();
    assert!(!stored.preferences.privacy.show_stats);
    assert!(!stored.is_ranked());
}

fn figures(xp: u64) -> Stats {
    Stats {
        level: 2,
        xp,
        total_challenges: 3,
        completed_challenges: 2,
        streak: 1,
        last_active_date: Some(Utc.with_ymd_and_hms(2026, 3, 28, 10, 0, 0).unwrap()),
    }
}

#[tokio::test]
async fn every_account_read_shows_the_figures_scoring_keeps() {
    let w = world();
    let (ada, _) = signed_up(&w, "ada").await;
    let admin = admin_of(&w).await;
    assert_eq!(
        w.service.profile(actor(&ada)).await.unwrap().stats,
        Stats::default(),
        "never played"
    );
    w.scoreboard.0.lock().unwrap().insert(ada.id, figures(150));
    let (logged_in, _) = w
        .service
        .login("ada".into(), PASSWORD.into(), HERE)
        .await
        .unwrap();
    assert_eq!(logged_in.stats, figures(150));
    assert_eq!(
        w.service.profile(actor(&ada)).await.unwrap().stats,
        figures(150)
    );
    assert_eq!(
        w.service.user_by_id(None, ada.id).await.unwrap().user.stats,
        figures(150)
    );
    assert_eq!(
        w.service.user_stats(None, ada.id).await.unwrap(),
        figures(150)
    );
    let page = w
        .service
        .list_users(actor(&admin), UserFilter::default(), PageRequest::default())
        .await
        .unwrap();
    let of = |id: UserId| {
        page.items
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.stats.clone())
    };
    assert_eq!(of(ada.id), Some(figures(150)));
    assert_eq!(of(admin.id), Some(Stats::default()));
    let stored = w.users.find_by_id(ada.id).await.unwrap().unwrap();
    assert_eq!(stored.stats, Stats::default(), "identity never stores them");
}

#[tokio::test]
async fn unreadable_figures_are_a_retry_later() {
    let w = world();
    let (ada, _) = signed_up(&w, "ada").await;
    let mut figures = MockPlayerFigures::new();
    figures
        .expect_figures()
        .returning(|_| Err(anyhow::anyhow!("scoring store down")));
    let service = w.with_ports(|ports| ports.figures = Arc::new(figures));
    assert!(matches!(
        service.profile(actor(&ada)).await,
        Err(IdentityError::Unavailable(_))
    ));
}

#[tokio::test]
async fn every_account_read_shows_the_follow_counts_the_community_keeps() {
    let w = world();
    let (ada, _) = signed_up(&w, "ada").await;
    let admin = admin_of(&w).await;
    let counts = Social {
        followers: 7,
        following: 2,
    };
    assert_eq!(
        w.service.profile(actor(&ada)).await.unwrap().social,
        Social::default(),
        "nobody follows a new account"
    );
    w.followings.0.lock().unwrap().insert(ada.id, counts);
    assert_eq!(w.service.profile(actor(&ada)).await.unwrap().social, counts);
    assert_eq!(
        w.service
            .user_by_id(None, ada.id)
            .await
            .unwrap()
            .user
            .social,
        counts
    );
    let page = w
        .service
        .list_users(actor(&admin), UserFilter::default(), PageRequest::default())
        .await
        .unwrap();
    let of = |id: UserId| page.items.iter().find(|u| u.id == id).map(|u| u.social);
    assert_eq!(of(ada.id), Some(counts));
    assert_eq!(of(admin.id), Some(Social::default()));
    let stored = w.users.find_by_id(ada.id).await.unwrap().unwrap();
    assert_eq!(
        stored.social,
        Social::default(),
        "identity never stores them"
    );

    let mut social = MockSocialFigures::new();
    social
        .expect_social()
        .returning(|_| Err(anyhow::anyhow!("community store down")));
    let service = w.with_ports(|ports| ports.social = Arc::new(social));
    assert!(matches!(
        service.profile(actor(&ada)).await,
        Err(IdentityError::Unavailable(_))
    ));
}

#[tokio::test]
async fn sign_ups_and_sign_ins_are_recorded_and_failed_sign_ins_are_not() {
    let w = world();
    let (user, _) = signed_up(&w, "ada").await;
    let wrong = w
        .service
        .login("ada".into(), "Not-the-password-1".into(), HERE)
        .await;
    assert!(wrong.is_err());
    let taken: Vec<([u8; 12], Happened)> = w
        .activity
        .taken()
        .into_iter()
        .map(|a| (a.actor, a.what))
        .collect();
    assert_eq!(
        taken,
        vec![
            (user.id.bytes(), Happened::SignedUp),
            (user.id.bytes(), Happened::SignedIn)
        ]
    );
}
