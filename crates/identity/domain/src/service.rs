//! The identity service: the only place where identity rules live.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use stackrush_kernel::activity::{Activity, Happened};
use stackrush_kernel::{Freshness, Page, PageRequest, ReadMemory, StoreError};
use tokio::sync::OnceCell;

use crate::auth_cache::{AuthCache, Invalidating, Remembered};
use crate::crypto::{keyed_hash, random_token};
use crate::error::IdentityError;
use crate::model::*;
use crate::ports::{AccountEvent, OutgoingMail, Ports};
use crate::tokens::{AccessTokenCodec, AccessTokenError, TokenPair};
use crate::validate::{self, check};

/// The two signing secrets. `Debug` never shows them.
#[derive(Clone)]
pub struct Secrets {
    jwt: Vec<u8>,
    refresh: Vec<u8>,
}

impl Secrets {
    /// Secrets for access-token signatures and for hashing refresh and link tokens.
    pub fn new(jwt: impl Into<Vec<u8>>, refresh: impl Into<Vec<u8>>) -> Self {
        Self {
            jwt: jwt.into(),
            refresh: refresh.into(),
        }
    }
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets { .. }")
    }
}

/// Tunables of the identity rules.
#[derive(Debug, Clone)]
pub struct IdentityConfig {
    pub secrets: Secrets,
    pub issuer: String,
    pub audience: String,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    /// How long a just-rotated refresh token still answers with its successor (two tabs
    /// refreshing at once) instead of counting as a replay.
    pub refresh_grace: Duration,
    /// The login throttle's growing delays per login name and client address.
    pub lockout: LockoutPolicy,
    pub verify_email_ttl: Duration,
    pub reset_password_ttl: Duration,
    /// Base URL of the web client, for links in emails.
    pub app_url: String,
    /// How long authentication may trust what it remembers of an account (see
    /// [`crate::auth_cache`]).
    pub freshness: Freshness,
}

impl IdentityConfig {
    /// The documented defaults with these secrets.
    pub fn new(secrets: Secrets) -> Self {
        Self {
            secrets,
            issuer: "stackrush".to_owned(),
            audience: "stackrush-web".to_owned(),
            access_ttl: Duration::minutes(15),
            refresh_ttl: Duration::days(7),
            refresh_grace: Duration::seconds(5),
            lockout: LockoutPolicy {
                threshold: 5,
                base_delay: Duration::seconds(30),
                max_delay: Duration::minutes(30),
                forget_after: Duration::hours(24),
            },
            verify_email_ttl: Duration::hours(48),
            reset_password_ttl: Duration::hours(1),
            app_url: "http://localhost:5173".to_owned(),
            freshness: Freshness::default(),
        }
    }
}

/// The identity context's inbound port: everything the outside world can ask of it.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait IdentityApi: Send + Sync {
    /// Creates an account (role `user`, email unverified) and mails a verification link.
    /// Errors: `Validation`, `EmailExists`, `UsernameExists`.
    async fn register(&self, cmd: RegisterCommand) -> Result<User, IdentityError>;

    /// Signs in by email or username from the client at `address`. Errors:
    /// `InvalidCredentials` (unknown user and wrong password alike), `AccountLocked` (this name
    /// failed too often from this address lately, whether or not an account has it; see
    /// [`LockoutPolicy`]).
    async fn login(
        &self,
        identifier: String,
        password: String,
        address: IpAddr,
    ) -> Result<(User, TokenPair), IdentityError>;

    /// Trades a refresh token for a new pair; the old token is spent. Replaying a spent token
    /// revokes its whole family. Errors: `InvalidRefreshToken`, `RefreshTokenExpired`, `InvalidUser`.
    async fn refresh(&self, refresh_token: String) -> Result<(User, TokenPair), IdentityError>;

    /// Ends the caller's session: revokes the given refresh token's family (if it is theirs) and
    /// every outstanding access token.
    async fn logout(
        &self,
        actor: Actor,
        refresh_token: Option<String>,
    ) -> Result<(), IdentityError>;

    /// Mails a reset link if the address belongs to an active account; answers the same either way.
    async fn forgot_password(&self, email: String) -> Result<(), IdentityError>;

    /// Sets a new password with a reset link token; signs out everywhere.
    /// Errors: `Validation`, `InvalidLinkToken`.
    async fn reset_password(
        &self,
        token: String,
        new_password: String,
    ) -> Result<(), IdentityError>;

    /// Marks the email verified with a verification link token. Errors: `InvalidLinkToken`.
    async fn verify_email(&self, token: String) -> Result<(), IdentityError>;

    /// Changes the password after checking the current one; signs out every other session and
    /// returns a fresh pair for this one. Errors: `WrongPassword`, `Validation`.
    async fn change_password(
        &self,
        actor: Actor,
        current_password: String,
        new_password: String,
    ) -> Result<TokenPair, IdentityError>;

    /// The caller behind an access token. Errors: `InvalidToken`, `TokenExpired`, `InvalidUser`.
    async fn authenticate(&self, access_token: String) -> Result<Actor, IdentityError>;

    /// The caller's own account.
    async fn profile(&self, actor: Actor) -> Result<User, IdentityError>;

    /// Changes profile fields of the caller. Errors: `Validation`.
    async fn update_profile(
        &self,
        actor: Actor,
        update: ProfileUpdate,
    ) -> Result<User, IdentityError>;

    /// The caller's preferences.
    async fn preferences(&self, actor: Actor) -> Result<Preferences, IdentityError>;

    /// Changes preferences of the caller. Errors: `Validation`.
    async fn update_preferences(
        &self,
        actor: Actor,
        update: PreferencesUpdate,
    ) -> Result<Preferences, IdentityError>;

    /// A user as `viewer` may see them. Errors: `UserNotFound`, `ProfilePrivate`.
    async fn user_by_id(
        &self,
        viewer: Option<Actor>,
        id: UserId,
    ) -> Result<UserView, IdentityError>;

    /// Same as [`IdentityApi::user_by_id`], by username (ignoring case).
    async fn user_by_username(
        &self,
        viewer: Option<Actor>,
        username: String,
    ) -> Result<UserView, IdentityError>;

    /// A user's stats. Errors: `UserNotFound`, `ProfilePrivate`, `StatsPrivate`.
    async fn user_stats(&self, viewer: Option<Actor>, id: UserId) -> Result<Stats, IdentityError>;

    /// Soft-deletes the caller's account and revokes every token, once they confirm it with
    /// their current password (a destructive action re-authenticates). Errors: `WrongPassword`.
    async fn delete_account(&self, actor: Actor, password: String) -> Result<(), IdentityError>;

    /// Admin only: a filtered page of accounts. Errors: `InsufficientPermissions`.
    async fn list_users(
        &self,
        actor: Actor,
        filter: UserFilter,
        page: PageRequest,
    ) -> Result<Page<User>, IdentityError>;

    /// Admin only: change another account's roles or active flag; their tokens stop working.
    /// Errors: `InsufficientPermissions`, `UserNotFound`, `Validation`.
    async fn admin_update_user(
        &self,
        actor: Actor,
        id: UserId,
        update: AdminUserUpdate,
    ) -> Result<User, IdentityError>;

    /// Names and avatars of the given users that exist and are active (for display beside their
    /// content, even when their profile is private).
    async fn summaries(&self, ids: Vec<UserId>) -> Result<Vec<UserSummary>, IdentityError>;

    /// How many active accounts exist (platform figures).
    async fn active_user_count(&self) -> Result<u64, IdentityError>;

    /// Creates a verified admin account (bootstrap and command line). Same errors as `register`.
    async fn create_admin(&self, cmd: RegisterCommand) -> Result<User, IdentityError>;

    /// Where and whether to mail a usable account, with a signed token that switches its email
    /// off without signing in ([`IdentityApi::unsubscribe`]); `None` when there is no usable
    /// account.
    async fn mail_contact(&self, id: UserId) -> Result<Option<MailContact>, IdentityError>;

    /// Whether an unsubscribe token is good (for a page that asks to confirm). Errors:
    /// `InvalidLinkToken`.
    async fn check_unsubscribe(&self, token: String) -> Result<(), IdentityError>;

    /// Switches email off for the account an unsubscribe token was signed for (idempotent).
    /// The token does not expire; it stops working when the signing secret changes or the
    /// account goes. Errors: `InvalidLinkToken`.
    async fn unsubscribe(&self, token: String) -> Result<(), IdentityError>;
}

/// Where to mail an account, as [`IdentityApi::mail_contact`] answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailContact {
    pub email: String,
    pub username: String,
    pub notifications: NotificationPreferences,
    /// Switches email off through [`IdentityApi::unsubscribe`].
    pub unsubscribe_token: String,
}

/// A hasher's failure: saturated hashing threads are a retry-later (503), anything else a bug.
fn hashing_error(e: anyhow::Error) -> IdentityError {
    if e.is::<crate::ports::HashingBusy>() {
        IdentityError::Unavailable(e)
    } else {
        IdentityError::Internal(e)
    }
}

/// The identity rules over the outbound ports.
pub struct IdentityService {
    ports: Ports,
    config: IdentityConfig,
    codec: AccessTokenCodec,
    /// A real hash of nothing in particular: unknown users get a full bcrypt verify against it,
    /// so their answer takes as long as a wrong password's.
    dummy_hash: OnceCell<String>,
    /// What authentication read recently (see [`crate::auth_cache`]).
    auth_cache: Arc<AuthCache>,
    /// Access tokens whose signature and claims were checked, until they expire: a client polls
    /// with one token, and checking it again would find the same (the token version, roles and
    /// account state are still checked on every request).
    verified_tokens: ReadMemory<String, (UserId, u32)>,
}

/// The most verified access tokens remembered at once.
const VERIFIED_TOKENS: usize = 100_000;

impl IdentityService {
    /// A service over `ports` with `config`.
    pub fn new(mut ports: Ports, config: IdentityConfig) -> Self {
        let auth_cache = Arc::new(AuthCache::new(config.freshness));
        ports.users = Arc::new(Invalidating {
            inner: ports.users,
            cache: auth_cache.clone(),
        });
        let codec = AccessTokenCodec::new(
            &config.secrets.jwt,
            &config.issuer,
            &config.audience,
            config.access_ttl,
        );
        Self {
            ports,
            config,
            codec,
            dummy_hash: OnceCell::new(),
            auth_cache,
            verified_tokens: ReadMemory::new(Freshness::Exclusive, VERIFIED_TOKENS),
        }
    }

    /// The service as a shared inbound port.
    pub fn into_api(self) -> Arc<dyn IdentityApi> {
        Arc::new(self)
    }

    /// The figures other contexts keep for `ids`: scoring's (defaults for those who never
    /// played) and the community's follow counts (none for those without any).
    async fn figures_of(
        &self,
        ids: &[UserId],
    ) -> Result<(HashMap<UserId, Stats>, HashMap<UserId, Social>), IdentityError> {
        let (stats, social) = tokio::try_join!(
            self.ports.figures.figures(ids),
            self.ports.social.social(ids)
        )
        .map_err(IdentityError::Unavailable)?;
        Ok((stats, social))
    }

    /// `users` with the figures other contexts keep for them: stores never keep them.
    async fn fill_figures(&self, users: &mut [User]) -> Result<(), IdentityError> {
        let ids: Vec<UserId> = users.iter().map(|u| u.id).collect();
        let (mut stats, mut social) = self.figures_of(&ids).await?;
        for user in users {
            user.stats = stats.remove(&user.id).unwrap_or_default();
            user.social = social.remove(&user.id).unwrap_or_default();
        }
        Ok(())
    }

    /// `user` with the figures other contexts keep for them.
    async fn with_figures(&self, mut user: User) -> Result<User, IdentityError> {
        self.fill_figures(std::slice::from_mut(&mut user)).await?;
        Ok(user)
    }

    /// Tells the listening contexts about a stored change; their failure is a retry-later.
    /// Tells the event store what `user` did (never fails the action).
    async fn note(&self, user: UserId, what: Happened) {
        let activity = Activity {
            actor: user.bytes(),
            at: self.ports.clock.now(),
            what,
        };
        self.ports.activity.record(activity).await;
    }

    async fn publish(&self, event: AccountEvent) -> Result<(), IdentityError> {
        self.ports
            .events
            .publish(event)
            .await
            .map_err(IdentityError::Unavailable)
    }

    /// `<user id>.<HMAC of it>`, under a key derived from the refresh secret for this one use.
    fn unsubscribe_token(&self, user: UserId) -> String {
        let key = keyed_hash(&self.config.secrets.refresh, "unsubscribe-links");
        let id = user.to_hex();
        let mac = keyed_hash(key.as_bytes(), &format!("unsubscribe:{id}"));
        format!("{id}.{mac}")
    }

    /// The usable account an unsubscribe token was signed for. Errors: `InvalidLinkToken`.
    async fn unsubscribing(&self, token: &str) -> Result<User, IdentityError> {
        let signed_for = token
            .split_once('.')
            .and_then(|(id, _)| id.parse::<UserId>().ok())
            .filter(|id| {
                crate::crypto::same(self.unsubscribe_token(*id).as_bytes(), token.as_bytes())
            })
            .ok_or(IdentityError::InvalidLinkToken)?;
        self.usable_user(signed_for)
            .await
            .map_err(|_| IdentityError::InvalidLinkToken)
    }

    fn hash_token(&self, token: &str) -> String {
        keyed_hash(&self.config.secrets.refresh, token)
    }

    async fn hash_password(&self, password: &str) -> Result<String, IdentityError> {
        self.ports
            .hasher
            .hash(password)
            .await
            .map_err(hashing_error)
    }

    async fn verify_password(&self, password: &str, hash: &str) -> Result<bool, IdentityError> {
        self.ports
            .hasher
            .verify(password, hash)
            .await
            .map_err(hashing_error)
    }

    /// The login throttle's key for a login name tried from `address`: the name as the lookup
    /// reads it (an email lowercased, a username by its case-free key), and the address with
    /// IPv6 taken by its /64 (one subscriber's usual allocation), both as keyed digests.
    fn throttle_key(&self, identifier: &str, address: IpAddr) -> ThrottleKey {
        ThrottleKey {
            subject: self.throttle_subject(identifier),
            address: self.hash_token(&format!("login-address:{}", address_group(address))),
        }
    }

    fn throttle_subject(&self, identifier: &str) -> String {
        let name = if identifier.contains('@') {
            identifier.to_lowercase()
        } else {
            username_key(identifier)
        };
        self.hash_token(&format!("login-name:{name}"))
    }

    async fn burn_time_like_a_verify(&self, password: &str) -> Result<(), IdentityError> {
        let dummy = self
            .dummy_hash
            .get_or_try_init(|| async { self.hash_password("dummy-Password-1").await })
            .await?;
        self.verify_password(password, dummy).await.map(|_| ())
    }

    async fn usable_user(&self, id: UserId) -> Result<User, IdentityError> {
        match self.ports.users.find_by_id(id).await? {
            Some(user) if user.is_usable() => Ok(user),
            _ => Err(IdentityError::UserNotFound),
        }
    }

    async fn issue_pair(
        &self,
        user: &User,
        family: TokenFamilyId,
    ) -> Result<TokenPair, IdentityError> {
        let refresh_token = random_token();
        self.store_refresh(user, family, &refresh_token).await?;
        self.pair(user, refresh_token)
    }

    /// A fresh access token beside `refresh_token`.
    fn pair(&self, user: &User, refresh_token: String) -> Result<TokenPair, IdentityError> {
        let access_token = self
            .codec
            .issue(user, self.ports.clock.now())
            .map_err(IdentityError::Internal)?;
        Ok(TokenPair {
            access_token,
            refresh_token,
            expires_in: self.codec.ttl_secs(),
        })
    }

    async fn store_refresh(
        &self,
        user: &User,
        family: TokenFamilyId,
        refresh_token: &str,
    ) -> Result<(), StoreError> {
        let now = self.ports.clock.now();
        let record = RefreshTokenRecord {
            hash: self.hash_token(refresh_token),
            user_id: user.id,
            family,
            created_at: now,
            expires_at: now + self.config.refresh_ttl,
            used_at: None,
            revoked_at: None,
        };
        self.ports.refresh_tokens.insert(&record).await
    }

    /// A spent refresh token presented again outside the grace window: its whole family is
    /// revoked (a stolen token and its owner cannot both keep going).
    async fn replayed(&self, record: &RefreshTokenRecord, now: DateTime<Utc>) -> IdentityError {
        match self
            .ports
            .refresh_tokens
            .revoke_family(record.family, now)
            .await
        {
            Ok(revoked) => {
                tracing::warn!(user = %record.user_id, revoked, "refresh token replayed; family revoked");
                IdentityError::InvalidRefreshToken
            }
            Err(e) => e.into(),
        }
    }

    /// The token a refresh token rotates into: derived from it with the refresh secret, so that
    /// presenting it again inside the grace window finds the same successor.
    fn successor_of(&self, refresh_token: &str) -> String {
        keyed_hash(
            &self.config.secrets.refresh,
            &format!("successor:{refresh_token}"),
        )
    }

    /// Stores `successor` for `family` unless a concurrent rotation of the same token stored it
    /// first; `false` when it exists but was used or revoked since (no longer answerable).
    async fn ensure_successor(
        &self,
        user: &User,
        family: TokenFamilyId,
        successor: &str,
    ) -> Result<bool, IdentityError> {
        match self.store_refresh(user, family, successor).await {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict { .. }) => {
                let found = self
                    .ports
                    .refresh_tokens
                    .find(&self.hash_token(successor))
                    .await?;
                Ok(found.is_some_and(|r| r.used_at.is_none() && r.revoked_at.is_none()))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn send_link(&self, user: &User, purpose: LinkPurpose) -> Result<(), IdentityError> {
        let now = self.ports.clock.now();
        let (ttl, path, subject) = match purpose {
            LinkPurpose::VerifyEmail => (
                self.config.verify_email_ttl,
                "verify-email",
                "Verify your StackRush email",
            ),
            LinkPurpose::ResetPassword => (
                self.config.reset_password_ttl,
                "reset-password",
                "Reset your StackRush password",
            ),
        };
        self.ports
            .link_tokens
            .delete_for_user(user.id, purpose)
            .await?;
        let token = random_token();
        self.ports
            .link_tokens
            .insert(&LinkToken {
                hash: self.hash_token(&token),
                user_id: user.id,
                purpose,
                created_at: now,
                expires_at: now + ttl,
            })
            .await?;
        let link = format!(
            "{}/{path}?token={token}",
            self.config.app_url.trim_end_matches('/')
        );
        let text = format!(
            "Hello {},\n\nOpen this link within {} hours:\n\n{link}\n\nIf you did not ask for this, ignore this email.\n\n-- StackRush\n",
            user.username,
            ttl.num_hours().max(1),
        );
        let mail = OutgoingMail {
            to: user.email.clone(),
            subject: subject.to_owned(),
            text,
            unsubscribe: None,
        };
        // The account change has happened; a mail failure is logged, not reported to the caller.
        if let Err(err) = self.ports.mailer.send(&mail).await {
            tracing::warn!(error = %err, user = %user.id, purpose = purpose.as_str(), "could not send mail");
        }
        Ok(())
    }

    async fn take_link(&self, purpose: LinkPurpose, token: &str) -> Result<User, IdentityError> {
        if token.is_empty() || token.len() > 200 {
            return Err(IdentityError::InvalidLinkToken);
        }
        let found = self
            .ports
            .link_tokens
            .take(purpose, &self.hash_token(token))
            .await?;
        let now = self.ports.clock.now();
        match found {
            Some(link) if link.expires_at > now => self
                .usable_user(link.user_id)
                .await
                .map_err(|_| IdentityError::InvalidLinkToken),
            _ => Err(IdentityError::InvalidLinkToken),
        }
    }

    async fn sign_out_everywhere(&self, user: UserId) -> Result<(), IdentityError> {
        let now = self.ports.clock.now();
        self.ports
            .refresh_tokens
            .revoke_all_for_user(user, now)
            .await?;
        Ok(())
    }

    fn view(&self, viewer: Option<&Actor>, user: User) -> Result<UserView, IdentityError> {
        let audience = match viewer {
            Some(v) if v.id == user.id => Audience::Owner,
            Some(v) if v.is_admin() => Audience::Admin,
            _ => Audience::Public,
        };
        if audience == Audience::Public {
            if !user.is_usable() {
                return Err(IdentityError::UserNotFound);
            }
            if !user.preferences.privacy.profile_public {
                return Err(IdentityError::ProfilePrivate);
            }
        } else if user.deleted_at.is_some() && audience != Audience::Admin {
            return Err(IdentityError::UserNotFound);
        }
        Ok(UserView { user, audience })
    }

    async fn create_user(&self, cmd: RegisterCommand, admin: bool) -> Result<User, IdentityError> {
        let email = cmd.email.trim().to_lowercase();
        let username = cmd.username.clone();
        // Names are checked as sent, then trimmed; the email is normalised first (the contract
        // trims and lowercases it).
        check(&validate::RegisterInput {
            email: &email,
            username: &username,
            password: &cmd.password,
            first_name: cmd.first_name.as_deref(),
            last_name: cmd.last_name.as_deref(),
        })?;
        let first_name = cmd
            .first_name
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        let last_name = cmd
            .last_name
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        // Fail fast before the expensive hash; the unique indexes still decide races.
        if self.ports.users.find_by_email(&email).await?.is_some() {
            return Err(IdentityError::EmailExists);
        }
        if self
            .ports
            .users
            .find_by_username(&username)
            .await?
            .is_some()
        {
            return Err(IdentityError::UsernameExists);
        }
        let password_hash = self.hash_password(&cmd.password).await?;
        let now = self.ports.clock.now();
        let user = User {
            id: UserId::generate(now),
            email,
            username,
            password_hash,
            profile: Profile {
                first_name,
                last_name,
                ..Profile::default()
            },
            stats: Stats::default(),
            social: Social::default(),
            preferences: Preferences::default(),
            roles: if admin {
                vec![Role::User, Role::Admin]
            } else {
                vec![Role::User]
            },
            is_active: true,
            email_verified: admin,
            token_version: 0,
            deleted_at: None,
            created_at: now,
            updated_at: now,
        };
        self.ports.users.insert(&user).await?;
        Ok(user)
    }
}

fn merge(current: &mut Option<String>, update: Option<String>) {
    if let Some(value) = update {
        let value = value.trim().to_owned();
        *current = if value.is_empty() { None } else { Some(value) };
    }
}

fn set<T>(current: &mut T, update: Option<T>) {
    if let Some(value) = update {
        *current = value;
    }
}

#[async_trait]
impl IdentityApi for IdentityService {
    async fn register(&self, cmd: RegisterCommand) -> Result<User, IdentityError> {
        let user = self.create_user(cmd, false).await?;
        self.note(user.id, Happened::SignedUp).await;
        self.send_link(&user, LinkPurpose::VerifyEmail).await?;
        tracing::info!(user = %user.id, "user registered");
        Ok(user)
    }

    async fn login(
        &self,
        identifier: String,
        password: String,
        address: IpAddr,
    ) -> Result<(User, TokenPair), IdentityError> {
        let identifier = identifier.trim();
        let mut missing = Vec::new();
        if identifier.is_empty() {
            missing.push(stackrush_kernel::FieldError::new(
                "identifier",
                "is required",
            ));
        }
        if password.is_empty() {
            missing.push(stackrush_kernel::FieldError::new("password", "is required"));
        }
        if !missing.is_empty() {
            return Err(IdentityError::Validation(missing));
        }
        // Known and unknown names take the same steps (one throttle read, one lookup, one
        // bcrypt verify, one throttle write on failure) and get the same answers.
        let now = self.ports.clock.now();
        let key = self.throttle_key(identifier, address);
        let throttled = self.ports.login_throttle.get(&key, now).await?;
        if let Some(until) = throttled.and_then(|t| t.locked_until).filter(|u| *u > now) {
            return Err(IdentityError::AccountLocked {
                retry_after_secs: retry_after(until - now),
            });
        }
        let found = if identifier.contains('@') {
            self.ports
                .users
                .find_by_email(&identifier.to_lowercase())
                .await?
        } else {
            self.ports.users.find_by_username(identifier).await?
        };
        let user = found.filter(User::is_usable);
        let password_ok = password.len() <= validate::MAX_PASSWORD_BYTES
            && match &user {
                Some(user) => self.verify_password(&password, &user.password_hash).await?,
                None => {
                    self.burn_time_like_a_verify(&password).await?;
                    false
                }
            };
        let Some(user) = user.filter(|_| password_ok) else {
            let policy = self.config.lockout;
            let failures = self
                .ports
                .login_throttle
                .count_failure(&key, now, now + policy.forget_after)
                .await?;
            let Some(delay) = policy.delay_after(failures) else {
                return Err(IdentityError::InvalidCredentials);
            };
            self.ports.login_throttle.lock(&key, now + delay).await?;
            tracing::warn!(
                failures,
                "login name locked for this address after repeated failures"
            );
            return Err(IdentityError::AccountLocked {
                retry_after_secs: retry_after(delay),
            });
        };
        if throttled.is_some() {
            self.ports.login_throttle.clear(&key).await?;
        }
        let tokens = self.issue_pair(&user, TokenFamilyId::generate(now)).await?;
        self.note(user.id, Happened::SignedIn).await;
        Ok((self.with_figures(user).await?, tokens))
    }

    async fn refresh(&self, refresh_token: String) -> Result<(User, TokenPair), IdentityError> {
        if refresh_token.is_empty() || refresh_token.len() > 200 {
            return Err(IdentityError::InvalidRefreshToken);
        }
        let now = self.ports.clock.now();
        let record = match self
            .ports
            .refresh_tokens
            .consume(&self.hash_token(&refresh_token), now)
            .await?
        {
            ConsumeOutcome::Consumed(record) => record,
            // Rotated a moment ago (another tab refreshing at the same time): the same
            // successor answers, if it is still unused.
            ConsumeOutcome::Replayed(record)
                if record.revoked_at.is_none()
                    && record
                        .used_at
                        .is_some_and(|used| now - used < self.config.refresh_grace) =>
            {
                record
            }
            ConsumeOutcome::Replayed(record) => return Err(self.replayed(&record, now).await),
            ConsumeOutcome::Unknown => return Err(IdentityError::InvalidRefreshToken),
        };
        if record.expires_at <= now {
            return Err(IdentityError::RefreshTokenExpired);
        }
        let user = match self.ports.users.find_by_id(record.user_id).await? {
            Some(user) if user.is_usable() => user,
            _ => {
                self.ports
                    .refresh_tokens
                    .revoke_family(record.family, now)
                    .await?;
                return Err(IdentityError::InvalidUser);
            }
        };
        let successor = self.successor_of(&refresh_token);
        if !self
            .ensure_successor(&user, record.family, &successor)
            .await?
        {
            // Its successor was used already: this is a replay after all.
            return Err(self.replayed(&record, now).await);
        }
        let tokens = self.pair(&user, successor)?;
        Ok((self.with_figures(user).await?, tokens))
    }

    async fn logout(
        &self,
        actor: Actor,
        refresh_token: Option<String>,
    ) -> Result<(), IdentityError> {
        let now = self.ports.clock.now();
        if refresh_token.as_ref().is_some_and(|t| t.len() > 200) {
            return Err(IdentityError::invalid(
                "refreshToken",
                "must be at most 200 characters",
            ));
        }
        if let Some(token) = refresh_token.filter(|t| !t.is_empty()) {
            if let Some(record) = self
                .ports
                .refresh_tokens
                .find(&self.hash_token(&token))
                .await?
            {
                if record.user_id == actor.id {
                    self.ports
                        .refresh_tokens
                        .revoke_family(record.family, now)
                        .await?;
                }
            }
        }
        let patch = UserPatch {
            bump_token_version: true,
            ..UserPatch::default()
        };
        self.ports.users.update(actor.id, &patch, now).await?;
        Ok(())
    }

    async fn forgot_password(&self, email: String) -> Result<(), IdentityError> {
        let email = email.trim().to_lowercase();
        if email.is_empty() || email.len() > 254 || !email.contains('@') {
            return Err(IdentityError::invalid("email", "must be an email address"));
        }
        match self.ports.users.find_by_email(&email).await? {
            Some(user) if user.is_usable() => {
                self.send_link(&user, LinkPurpose::ResetPassword).await
            }
            _ => Ok(()),
        }
    }

    async fn reset_password(
        &self,
        token: String,
        new_password: String,
    ) -> Result<(), IdentityError> {
        // Check the new password first so a rejected one does not spend the link.
        check(&validate::NewPasswordInput {
            new_password: &new_password,
        })?;
        let user = self.take_link(LinkPurpose::ResetPassword, &token).await?;
        let password_hash = self.hash_password(&new_password).await?;
        let patch = UserPatch {
            password_hash: Some(password_hash),
            // Receiving the reset mail proves the address.
            email_verified: Some(true),
            bump_token_version: true,
            ..UserPatch::default()
        };
        self.ports
            .users
            .update(user.id, &patch, self.ports.clock.now())
            .await?;
        // Whoever reads the mail may sign in at once, from any address, by email or username.
        for name in [user.email.as_str(), user.username.as_str()] {
            self.ports
                .login_throttle
                .clear_subject(&self.throttle_subject(name))
                .await?;
        }
        self.sign_out_everywhere(user.id).await?;
        tracing::info!(user = %user.id, "password reset");
        Ok(())
    }

    async fn verify_email(&self, token: String) -> Result<(), IdentityError> {
        let user = self.take_link(LinkPurpose::VerifyEmail, &token).await?;
        let patch = UserPatch {
            email_verified: Some(true),
            ..UserPatch::default()
        };
        self.ports
            .users
            .update(user.id, &patch, self.ports.clock.now())
            .await?;
        Ok(())
    }

    async fn change_password(
        &self,
        actor: Actor,
        current_password: String,
        new_password: String,
    ) -> Result<TokenPair, IdentityError> {
        let user = self.usable_user(actor.id).await?;
        if current_password.len() > validate::MAX_PASSWORD_BYTES
            || !self
                .verify_password(&current_password, &user.password_hash)
                .await?
        {
            return Err(IdentityError::WrongPassword);
        }
        check(&validate::NewPasswordInput {
            new_password: &new_password,
        })?;
        if new_password == current_password {
            return Err(IdentityError::invalid(
                "newPassword",
                "must differ from the current password",
            ));
        }
        let password_hash = self.hash_password(&new_password).await?;
        let now = self.ports.clock.now();
        let patch = UserPatch {
            password_hash: Some(password_hash),
            bump_token_version: true,
            ..UserPatch::default()
        };
        let user = self
            .ports
            .users
            .update(user.id, &patch, now)
            .await?
            .ok_or(IdentityError::UserNotFound)?;
        self.sign_out_everywhere(user.id).await?;
        self.issue_pair(&user, TokenFamilyId::generate(now)).await
    }

    async fn authenticate(&self, access_token: String) -> Result<Actor, IdentityError> {
        let now = self.ports.clock.now();
        let (id, version) = match self.verified_tokens.get(&access_token, now) {
            Some(known) => known,
            None => {
                let ticket = self.verified_tokens.ticket();
                let (id, claims) = self.codec.verify(&access_token, now).map_err(|e| match e {
                    AccessTokenError::Expired => IdentityError::TokenExpired,
                    AccessTokenError::Invalid => IdentityError::InvalidToken,
                })?;
                let expires = DateTime::<Utc>::from_timestamp(claims.exp, 0);
                self.verified_tokens
                    .put(ticket, access_token, (id, claims.ver), now, expires);
                (id, claims.ver)
            }
        };
        let known = match self.auth_cache.get(id, now) {
            Some(known) => known,
            None => {
                let ticket = self.auth_cache.ticket();
                let Some(user) = self.ports.users.find_by_id(id).await? else {
                    return Err(IdentityError::InvalidUser);
                };
                self.auth_cache.put(ticket, &user, now);
                Remembered::from(&user)
            }
        };
        if !known.usable {
            return Err(IdentityError::InvalidUser);
        }
        if version != known.token_version {
            return Err(IdentityError::InvalidToken);
        }
        Ok(Actor {
            id,
            roles: known.roles,
        })
    }

    async fn profile(&self, actor: Actor) -> Result<User, IdentityError> {
        let user = self.usable_user(actor.id).await?;
        self.with_figures(user).await
    }

    async fn update_profile(
        &self,
        actor: Actor,
        update: ProfileUpdate,
    ) -> Result<User, IdentityError> {
        check(&validate::ProfileInput {
            first_name: update.first_name.as_deref(),
            last_name: update.last_name.as_deref(),
            avatar: update.avatar.as_deref(),
            bio: update.bio.as_deref(),
            location: update.location.as_deref(),
            website: update.website.as_deref(),
            github: update.github.as_deref(),
            linkedin: update.linkedin.as_deref(),
        })?;
        let user = self.usable_user(actor.id).await?;
        let mut profile = user.profile;
        merge(&mut profile.first_name, update.first_name);
        merge(&mut profile.last_name, update.last_name);
        merge(&mut profile.avatar, update.avatar);
        merge(&mut profile.bio, update.bio);
        merge(&mut profile.location, update.location);
        merge(&mut profile.website, update.website);
        merge(&mut profile.github, update.github);
        merge(&mut profile.linkedin, update.linkedin);
        let patch = UserPatch {
            profile: Some(profile),
            ..UserPatch::default()
        };
        let user = self
            .ports
            .users
            .update(actor.id, &patch, self.ports.clock.now())
            .await?
            .ok_or(IdentityError::UserNotFound)?;
        self.with_figures(user).await
    }

    async fn preferences(&self, actor: Actor) -> Result<Preferences, IdentityError> {
        Ok(self.usable_user(actor.id).await?.preferences)
    }

    async fn update_preferences(
        &self,
        actor: Actor,
        update: PreferencesUpdate,
    ) -> Result<Preferences, IdentityError> {
        check(&validate::TimezoneInput {
            timezone: update.timezone.as_deref(),
        })?;
        let user = self.usable_user(actor.id).await?;
        let mut prefs = user.preferences;
        set(&mut prefs.theme, update.theme);
        set(&mut prefs.timezone, update.timezone);
        let n = update.notifications;
        set(&mut prefs.notifications.email, n.email);
        set(&mut prefs.notifications.push, n.push);
        set(&mut prefs.notifications.achievements, n.achievements);
        set(&mut prefs.notifications.challenges, n.challenges);
        set(&mut prefs.notifications.social, n.social);
        let p = update.privacy;
        set(&mut prefs.privacy.profile_public, p.profile_public);
        set(&mut prefs.privacy.show_stats, p.show_stats);
        set(&mut prefs.privacy.show_activity, p.show_activity);
        let patch = UserPatch {
            preferences: Some(prefs),
            ..UserPatch::default()
        };
        let user = self
            .ports
            .users
            .update(actor.id, &patch, self.ports.clock.now())
            .await?
            .ok_or(IdentityError::UserNotFound)?;
        self.publish(AccountEvent::PrivacyChanged {
            user: user.id,
            ranked: user.is_ranked(),
        })
        .await?;
        Ok(user.preferences)
    }

    async fn user_by_id(
        &self,
        viewer: Option<Actor>,
        id: UserId,
    ) -> Result<UserView, IdentityError> {
        let user = self
            .ports
            .users
            .find_by_id(id)
            .await?
            .ok_or(IdentityError::UserNotFound)?;
        let view = self.view(viewer.as_ref(), user)?;
        Ok(UserView {
            user: self.with_figures(view.user).await?,
            ..view
        })
    }

    async fn user_by_username(
        &self,
        viewer: Option<Actor>,
        username: String,
    ) -> Result<UserView, IdentityError> {
        let user = self
            .ports
            .users
            .find_by_username(username.trim())
            .await?
            .ok_or(IdentityError::UserNotFound)?;
        let view = self.view(viewer.as_ref(), user)?;
        Ok(UserView {
            user: self.with_figures(view.user).await?,
            ..view
        })
    }

    async fn user_stats(&self, viewer: Option<Actor>, id: UserId) -> Result<Stats, IdentityError> {
        self.user_by_id(viewer, id)
            .await?
            .visible_stats()
            .ok_or(IdentityError::StatsPrivate)
    }

    async fn delete_account(&self, actor: Actor, password: String) -> Result<(), IdentityError> {
        let user = self.usable_user(actor.id).await?;
        if password.len() > validate::MAX_PASSWORD_BYTES
            || !self.verify_password(&password, &user.password_hash).await?
        {
            return Err(IdentityError::WrongPassword);
        }
        let now = self.ports.clock.now();
        let patch = UserPatch {
            is_active: Some(false),
            deleted_at: Some(now),
            bump_token_version: true,
            ..UserPatch::default()
        };
        self.ports
            .users
            .update(actor.id, &patch, now)
            .await?
            .ok_or(IdentityError::UserNotFound)?;
        self.sign_out_everywhere(actor.id).await?;
        tracing::info!(user = %actor.id, "account deleted");
        self.publish(AccountEvent::Deleted { user: actor.id }).await
    }

    async fn list_users(
        &self,
        actor: Actor,
        filter: UserFilter,
        page: PageRequest,
    ) -> Result<Page<User>, IdentityError> {
        if !actor.is_admin() {
            return Err(IdentityError::InsufficientPermissions);
        }
        let mut found = self.ports.users.list(&filter, page).await?;
        self.fill_figures(&mut found.items).await?;
        Ok(found)
    }

    async fn admin_update_user(
        &self,
        actor: Actor,
        id: UserId,
        update: AdminUserUpdate,
    ) -> Result<User, IdentityError> {
        if !actor.is_admin() {
            return Err(IdentityError::InsufficientPermissions);
        }
        let mut roles = update.roles;
        if let Some(roles) = roles.as_mut() {
            if !roles.contains(&Role::User) {
                roles.insert(0, Role::User);
            }
            roles.dedup();
            if actor.id == id && !roles.contains(&Role::Admin) {
                return Err(IdentityError::invalid(
                    "roles",
                    "an admin cannot remove their own admin role",
                ));
            }
        }
        if actor.id == id && update.is_active == Some(false) {
            return Err(IdentityError::invalid(
                "isActive",
                "an admin cannot deactivate their own account",
            ));
        }
        let existing = self
            .ports
            .users
            .find_by_id(id)
            .await?
            .ok_or(IdentityError::UserNotFound)?;
        if existing.deleted_at.is_some() {
            return Err(IdentityError::UserNotFound);
        }
        let changes_access = roles.as_ref().is_some_and(|r| *r != existing.roles)
            || update.is_active.is_some_and(|a| a != existing.is_active);
        let patch = UserPatch {
            roles,
            is_active: update.is_active,
            bump_token_version: changes_access,
            ..UserPatch::default()
        };
        let now = self.ports.clock.now();
        let user = self
            .ports
            .users
            .update(id, &patch, now)
            .await?
            .ok_or(IdentityError::UserNotFound)?;
        if update.is_active == Some(false) {
            self.sign_out_everywhere(id).await?;
        }
        tracing::info!(admin = %actor.id, user = %id, "account changed by an admin");
        match update.is_active {
            Some(false) if existing.is_active => {
                self.publish(AccountEvent::Deactivated { user: id }).await?
            }
            Some(true) if !existing.is_active => {
                self.publish(AccountEvent::Reactivated {
                    user: id,
                    ranked: user.is_ranked(),
                })
                .await?
            }
            _ => {}
        }
        self.with_figures(user).await
    }

    async fn active_user_count(&self) -> Result<u64, IdentityError> {
        let filter = UserFilter {
            is_active: Some(true),
            ..UserFilter::default()
        };
        Ok(self
            .ports
            .users
            .list(&filter, PageRequest::new(1, 1))
            .await?
            .total)
    }

    async fn summaries(&self, ids: Vec<UserId>) -> Result<Vec<UserSummary>, IdentityError> {
        let users = self.ports.users.find_by_ids(&ids).await?;
        Ok(users
            .into_iter()
            .filter(User::is_usable)
            .map(|u| UserSummary {
                id: u.id,
                username: u.username,
                first_name: u.profile.first_name,
                last_name: u.profile.last_name,
                avatar: u.profile.avatar,
                timezone: u.preferences.timezone,
                profile_public: u.preferences.privacy.profile_public,
                show_stats: u.preferences.privacy.show_stats,
                show_activity: u.preferences.privacy.show_activity,
            })
            .collect())
    }

    async fn create_admin(&self, cmd: RegisterCommand) -> Result<User, IdentityError> {
        let user = self.create_user(cmd, true).await?;
        tracing::info!(user = %user.id, "admin account created");
        Ok(user)
    }

    async fn mail_contact(&self, id: UserId) -> Result<Option<MailContact>, IdentityError> {
        Ok(match self.ports.users.find_by_id(id).await? {
            Some(user) if user.is_usable() => Some(MailContact {
                unsubscribe_token: self.unsubscribe_token(user.id),
                email: user.email,
                username: user.username,
                notifications: user.preferences.notifications,
            }),
            _ => None,
        })
    }

    async fn check_unsubscribe(&self, token: String) -> Result<(), IdentityError> {
        self.unsubscribing(&token).await.map(|_| ())
    }

    async fn unsubscribe(&self, token: String) -> Result<(), IdentityError> {
        let user = self.unsubscribing(&token).await?;
        let id = user.id;
        if !user.preferences.notifications.email {
            return Ok(());
        }
        let mut prefs = user.preferences;
        prefs.notifications.email = false;
        let patch = UserPatch {
            preferences: Some(prefs),
            ..UserPatch::default()
        };
        self.ports
            .users
            .update(id, &patch, self.ports.clock.now())
            .await?
            .ok_or(IdentityError::InvalidLinkToken)?;
        tracing::info!(user = %id, "email switched off by an unsubscribe link");
        Ok(())
    }
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;

/// Seconds to announce in `Retry-After`: at least 1, rounded up.
fn retry_after(wait: Duration) -> u64 {
    let millis = wait.num_milliseconds().max(1).unsigned_abs();
    millis.div_ceil(1000)
}

/// The part of an address one client holds: all of an IPv4 address (or an IPv4-mapped IPv6
/// one), the /64 prefix of an IPv6 address.
fn address_group(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}
