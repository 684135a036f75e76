//! Outbound ports: what the identity service needs from the world.
//!
//! Each store port has one contract suite (`contract` feature) that every adapter runs.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use stackrush_kernel::{Clock, Page, PageRequest, StoreError};

use crate::model::{
    ConsumeOutcome, LinkPurpose, LinkToken, RefreshTokenRecord, Social, Stats, ThrottleKey,
    ThrottleState, TokenFamilyId, User, UserFilter, UserId, UserPatch,
};

/// Storage of user accounts.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Stores a new user.
    ///
    /// MUST return `StoreError::Conflict { key: "email" }` when another user has the same email and
    /// `Conflict { key: "username" }` when another has the same username ignoring case, and store
    /// nothing in either case.
    async fn insert(&self, user: &User) -> Result<(), StoreError>;

    /// The user with this id, deleted or not.
    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, StoreError>;

    /// The users with these ids that exist (deleted or not), in no particular order.
    async fn find_by_ids(&self, ids: &[UserId]) -> Result<Vec<User>, StoreError>;

    /// The user with this (already lowercased) email.
    async fn find_by_email(&self, email: &str) -> Result<Option<User>, StoreError>;

    /// The user with this username, compared ignoring case.
    async fn find_by_username(&self, username: &str) -> Result<Option<User>, StoreError>;

    /// Applies `patch` and sets `updated_at = now` in one atomic write; returns the user as
    /// stored afterwards, or `None` when there is no such user.
    async fn update(
        &self,
        id: UserId,
        patch: &UserPatch,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError>;

    /// A page of users matching `filter`, newest first.
    async fn list(&self, filter: &UserFilter, page: PageRequest) -> Result<Page<User>, StoreError>;
}

/// The login throttle's memory: failed logins per [`ThrottleKey`] (a login name tried from one
/// address), whether or not the name belongs to an account.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait LoginThrottleRepository: Send + Sync {
    /// The key's state; `None` when there is none or it expired at or before `now`.
    async fn get(
        &self,
        key: &ThrottleKey,
        now: DateTime<Utc>,
    ) -> Result<Option<ThrottleState>, StoreError>;

    /// Counts one failure of `key` in one atomic step and returns the count: a record that
    /// expired at or before `now` starts again from 1 (and loses its lock). The record then
    /// expires at `expires_at`. Concurrent calls MUST all be counted.
    async fn count_failure(
        &self,
        key: &ThrottleKey,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<u32, StoreError>;

    /// Locks `key` until `until`, or later if it already is (never shortens a lock).
    async fn lock(&self, key: &ThrottleKey, until: DateTime<Utc>) -> Result<(), StoreError>;

    /// Forgets `key` (a successful login from that address).
    async fn clear(&self, key: &ThrottleKey) -> Result<(), StoreError>;

    /// Forgets every key of `subject`, from any address (the password was reset).
    async fn clear_subject(&self, subject: &str) -> Result<(), StoreError>;
}

/// Storage of refresh tokens (by hash) and their families.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait RefreshTokenRepository: Send + Sync {
    /// Stores a newly issued token. MUST return `Conflict { key: "hash" }` for a duplicate hash.
    async fn insert(&self, record: &RefreshTokenRecord) -> Result<(), StoreError>;

    /// Marks the token with this hash used, if it is neither used nor revoked, in one atomic
    /// step: of concurrent calls with one hash exactly one gets `Consumed`, the others `Replayed`.
    async fn consume(&self, hash: &str, now: DateTime<Utc>) -> Result<ConsumeOutcome, StoreError>;

    /// Revokes every not yet revoked token of `family`; returns how many.
    async fn revoke_family(
        &self,
        family: TokenFamilyId,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError>;

    /// Revokes every not yet revoked token of `user`; returns how many.
    async fn revoke_all_for_user(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError>;

    /// The token with this hash, if stored.
    async fn find(&self, hash: &str) -> Result<Option<RefreshTokenRecord>, StoreError>;
}

/// Storage of single-use link tokens (email verification, password reset).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait LinkTokenRepository: Send + Sync {
    /// Stores a new token.
    async fn insert(&self, token: &LinkToken) -> Result<(), StoreError>;

    /// Removes and returns the token with this purpose and hash, in one atomic step: of
    /// concurrent calls at most one gets it.
    async fn take(&self, purpose: LinkPurpose, hash: &str)
        -> Result<Option<LinkToken>, StoreError>;

    /// Removes every token of `user` for `purpose` (older links stop working).
    async fn delete_for_user(&self, user: UserId, purpose: LinkPurpose) -> Result<(), StoreError>;
}

/// Password hashing; slow by design, so implementations run off the async executor.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// A salted hash of `password` (at most 72 bytes; the service checks).
    async fn hash(&self, password: &str) -> anyhow::Result<String>;

    /// Whether `password` matches `hash`. A malformed hash is `Ok(false)`.
    async fn verify(&self, password: &str, hash: &str) -> anyhow::Result<bool>;
}

/// One outgoing email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    /// A link that unsubscribes the recipient, sent as the `List-Unsubscribe` header (with
    /// RFC 8058 one-click) so mail clients offer it.
    pub unsubscribe: Option<String>,
}

/// Sending email.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Delivers (or queues) `mail`. Failures are reported, not retried.
    async fn send(&self, mail: &OutgoingMail) -> anyhow::Result<()>;
}

/// A mailer that only logs that a message would have been sent (without its content, which holds
/// secrets). For programs that link the crate without any mail setup.
#[derive(Debug, Default, Clone, Copy)]
pub struct LogMailer;

#[async_trait]
impl Mailer for LogMailer {
    async fn send(&self, mail: &OutgoingMail) -> anyhow::Result<()> {
        tracing::info!(subject = %mail.subject, "mail not sent: no mailer configured");
        Ok(())
    }
}

/// A change to an account that other contexts react to (leaderboards follow privacy and the
/// account's state). Published after the change is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountEvent {
    /// The owner changed their privacy settings; `ranked` is [`crate::User::is_ranked`] after it.
    PrivacyChanged { user: UserId, ranked: bool },
    /// An admin deactivated the account.
    Deactivated { user: UserId },
    /// An admin reactivated the account; `ranked` is [`crate::User::is_ranked`] after it.
    Reactivated { user: UserId, ranked: bool },
    /// The owner deleted the account.
    Deleted { user: UserId },
}

impl AccountEvent {
    /// The account the event is about.
    pub fn user(&self) -> UserId {
        match *self {
            Self::PrivacyChanged { user, .. }
            | Self::Deactivated { user }
            | Self::Reactivated { user, .. }
            | Self::Deleted { user } => user,
        }
    }

    /// Whether the account may appear in public rankings after the event.
    pub fn ranked(&self) -> bool {
        match *self {
            Self::PrivacyChanged { ranked, .. } | Self::Reactivated { ranked, .. } => ranked,
            Self::Deactivated { .. } | Self::Deleted { .. } => false,
        }
    }
}

/// Other contexts' reactions to account changes.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AccountEvents: Send + Sync {
    /// Delivers `event`, after the change it reports was stored. Reactions MUST be idempotent:
    /// an error makes the service answer `Unavailable` with the change stored, and the client's
    /// retry publishes the same event again.
    async fn publish(&self, event: AccountEvent) -> anyhow::Result<()>;
}

/// A password hasher's answer when it is saturated: the hash was not computed because it waited
/// longer than allowed for a hashing thread. The service answers `Unavailable` (a 503, retry
/// later) for it, and `Internal` for any other hasher error.
#[derive(Debug, thiserror::Error)]
#[error("password hashing is saturated: gave up after waiting {0:?} for a hashing thread")]
pub struct HashingBusy(pub std::time::Duration);

/// A player's figures (level, XP, challenge counts, streak, last activity), kept by the scoring
/// context with its ledger; identity shows them on profiles and never stores them.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PlayerFigures: Send + Sync {
    /// The figures of each of `users` that has played; those missing have the defaults. An
    /// error means they cannot be read now (the service answers `Unavailable`).
    async fn figures(&self, users: &[UserId]) -> anyhow::Result<HashMap<UserId, Stats>>;
}

/// Nobody has played (a program that links identity without scoring).
pub struct NoPlayerFigures;

#[async_trait]
impl PlayerFigures for NoPlayerFigures {
    async fn figures(&self, _: &[UserId]) -> anyhow::Result<HashMap<UserId, Stats>> {
        Ok(HashMap::new())
    }
}

/// Each member's follower and following counts, kept by the community context; identity shows
/// them on profiles and never stores them.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait SocialFigures: Send + Sync {
    /// The counts of each of `users` that has any; those missing have none. An error means
    /// they cannot be read now (the service answers `Unavailable`).
    async fn social(&self, users: &[UserId]) -> anyhow::Result<HashMap<UserId, Social>>;
}

/// Nobody follows anybody (a program that links identity without the community).
pub struct NoSocialFigures;

#[async_trait]
impl SocialFigures for NoSocialFigures {
    async fn social(&self, _: &[UserId]) -> anyhow::Result<HashMap<UserId, Social>> {
        Ok(HashMap::new())
    }
}

/// No context listens (a program that links identity alone).
pub struct NoAccountEvents;

#[async_trait]
impl AccountEvents for NoAccountEvents {
    async fn publish(&self, _: AccountEvent) -> anyhow::Result<()> {
        Ok(())
    }
}

/// The identity context's store ports, as an adapter crate opens them on one database
/// (`stackrush_identity_sqlite::stores`, `stackrush_identity_mongo::stores`).
#[derive(Clone)]
pub struct Stores {
    pub users: Arc<dyn UserRepository>,
    pub refresh_tokens: Arc<dyn RefreshTokenRepository>,
    pub link_tokens: Arc<dyn LinkTokenRepository>,
    pub login_throttle: Arc<dyn LoginThrottleRepository>,
}

/// Every port the service needs, as shared trait objects.
#[derive(Clone)]
pub struct Ports {
    pub users: Arc<dyn UserRepository>,
    pub refresh_tokens: Arc<dyn RefreshTokenRepository>,
    pub link_tokens: Arc<dyn LinkTokenRepository>,
    pub login_throttle: Arc<dyn LoginThrottleRepository>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub mailer: Arc<dyn Mailer>,
    pub events: Arc<dyn AccountEvents>,
    pub figures: Arc<dyn PlayerFigures>,
    pub social: Arc<dyn SocialFigures>,
    /// Sign-ups and sign-ins, for the analytics context's event store.
    pub activity: Arc<dyn stackrush_kernel::activity::ActivityLog>,
    pub clock: Arc<dyn Clock>,
}
