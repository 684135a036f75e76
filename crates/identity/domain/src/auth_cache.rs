//! A short-lived, per-instance memory of what authentication reads from an account (token
//! version, roles, usability), so a burst of requests with one token costs one store read.
//!
//! Every account write of this service goes through [`Invalidating`], which forgets the account
//! at once: a logout, role change or deactivation takes effect immediately on this instance. How
//! long an entry is trusted otherwise is the store's [`Freshness`]: until written when this
//! process is the store's only writer, one second by default (other instances' writes show within
//! it).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use stackrush_kernel::{Freshness, Page, PageRequest, ReadMemory, StoreError, Ticket};

use crate::model::*;
use crate::ports::UserRepository;

/// The most accounts remembered at once; beyond it the memory starts over.
const CAPACITY: usize = 100_000;

/// What authentication needs of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remembered {
    pub token_version: u32,
    pub roles: Vec<Role>,
    pub usable: bool,
}

impl From<&User> for Remembered {
    fn from(user: &User) -> Self {
        Self {
            token_version: user.token_version,
            roles: user.roles.clone(),
            usable: user.is_usable(),
        }
    }
}

/// Accounts recently read by authentication.
#[derive(Debug)]
pub struct AuthCache(ReadMemory<UserId, Remembered>);

impl Default for AuthCache {
    fn default() -> Self {
        Self::new(Freshness::default())
    }
}

impl AuthCache {
    /// An empty memory trusting its entries as `freshness` allows.
    pub fn new(freshness: Freshness) -> Self {
        Self(ReadMemory::new(freshness, CAPACITY))
    }

    /// The remembered account, if still trusted at `now`.
    pub fn get(&self, id: UserId, now: DateTime<Utc>) -> Option<Remembered> {
        self.0.get(&id, now)
    }

    /// Taken just before reading an account from the store.
    pub fn ticket(&self) -> Ticket {
        self.0.ticket()
    }

    /// Remembers `user`, read at `now` under `ticket` (not if it was written meanwhile).
    pub fn put(&self, ticket: Ticket, user: &User, now: DateTime<Utc>) {
        self.0.put(ticket, user.id, user.into(), now, None);
    }

    /// Forgets `id`.
    pub fn forget(&self, id: UserId) {
        self.0.forget(&id);
    }
}

/// The user store, forgetting an account in the cache whenever it is written.
pub struct Invalidating {
    pub inner: Arc<dyn UserRepository>,
    pub cache: Arc<AuthCache>,
}

#[async_trait]
impl UserRepository for Invalidating {
    async fn insert(&self, user: &User) -> Result<(), StoreError> {
        self.inner.insert(user).await
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        self.inner.find_by_id(id).await
    }

    async fn find_by_ids(&self, ids: &[UserId]) -> Result<Vec<User>, StoreError> {
        self.inner.find_by_ids(ids).await
    }

    async fn find_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        self.inner.find_by_email(email).await
    }

    async fn find_by_username(&self, username: &str) -> Result<Option<User>, StoreError> {
        self.inner.find_by_username(username).await
    }

    async fn update(
        &self,
        id: UserId,
        patch: &UserPatch,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError> {
        let result = self.inner.update(id, patch, now).await;
        self.cache.forget(id);
        result
    }

    async fn list(&self, filter: &UserFilter, page: PageRequest) -> Result<Page<User>, StoreError> {
        self.inner.list(filter, page).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::sample_user;
    use crate::fake::InMemoryUsers;

    #[tokio::test]
    async fn entries_expire_after_the_ttl_and_any_write_forgets_them() {
        let cache = Arc::new(AuthCache::default());
        let users = Invalidating {
            inner: Arc::new(InMemoryUsers::default()),
            cache: cache.clone(),
        };
        let user = sample_user("ada");
        users.insert(&user).await.unwrap();
        let now = Utc::now();
        cache.put(cache.ticket(), &user, now);
        let known = cache.get(user.id, now).unwrap();
        assert_eq!(
            (known.token_version, known.usable),
            (user.token_version, true)
        );
        assert!(
            cache
                .get(user.id, now + chrono::Duration::seconds(1))
                .is_none(),
            "stale after the default second"
        );

        cache.put(cache.ticket(), &user, now);
        let logout = UserPatch {
            bump_token_version: true,
            ..UserPatch::default()
        };
        users.update(user.id, &logout, now).await.unwrap();
        assert!(cache.get(user.id, now).is_none(), "a write forgets at once");
    }

    #[tokio::test]
    async fn an_exclusive_store_keeps_entries_until_written() {
        let cache = Arc::new(AuthCache::new(Freshness::Exclusive));
        let users = Invalidating {
            inner: Arc::new(InMemoryUsers::default()),
            cache: cache.clone(),
        };
        let user = sample_user("ada");
        users.insert(&user).await.unwrap();
        let now = Utc::now();
        cache.put(cache.ticket(), &user, now);
        assert!(cache
            .get(user.id, now + chrono::Duration::days(30))
            .is_some());
        let deactivate = UserPatch {
            bump_token_version: true,
            ..UserPatch::default()
        };
        users.update(user.id, &deactivate, now).await.unwrap();
        assert!(cache.get(user.id, now).is_none(), "a write forgets at once");
    }
}
