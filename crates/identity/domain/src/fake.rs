//! In-memory implementations of the store ports, for tests and for trying the crate out.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use stackrush_kernel::{Page, PageRequest, StoreError};

use crate::model::*;
use crate::ports::{
    LinkTokenRepository, LoginThrottleRepository, RefreshTokenRepository, UserRepository,
};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Users in a map.
#[derive(Debug, Default)]
pub struct InMemoryUsers {
    users: Mutex<HashMap<UserId, User>>,
}

/// Whether `user` passes `filter` (search is a literal, case-insensitive substring).
pub fn matches(user: &User, filter: &UserFilter) -> bool {
    if !filter.include_deleted && user.deleted_at.is_some() {
        return false;
    }
    if let Some(search) = &filter.search {
        let needle = search.to_lowercase();
        if !user.username.to_lowercase().contains(&needle) && !user.email.contains(&needle) {
            return false;
        }
    }
    filter.role.is_none_or(|r| user.roles.contains(&r))
        && filter.is_active.is_none_or(|a| user.is_active == a)
        && filter
            .email_verified
            .is_none_or(|v| user.email_verified == v)
}

#[async_trait]
impl UserRepository for InMemoryUsers {
    async fn insert(&self, user: &User) -> Result<(), StoreError> {
        let mut users = lock(&self.users);
        if users.values().any(|u| u.email == user.email) {
            return Err(StoreError::conflict("email"));
        }
        if users
            .values()
            .any(|u| username_key(&u.username) == username_key(&user.username))
        {
            return Err(StoreError::conflict("username"));
        }
        // Like every store, the fake keeps no player figures (the scoring context's).
        let stored = User {
            stats: Stats::default(),
            social: Social::default(),
            ..user.clone()
        };
        users.insert(user.id, stored);
        Ok(())
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        Ok(lock(&self.users).get(&id).cloned())
    }

    async fn find_by_ids(&self, ids: &[UserId]) -> Result<Vec<User>, StoreError> {
        let users = lock(&self.users);
        Ok(ids.iter().filter_map(|id| users.get(id).cloned()).collect())
    }

    async fn find_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        Ok(lock(&self.users)
            .values()
            .find(|u| u.email == email)
            .cloned())
    }

    async fn find_by_username(&self, username: &str) -> Result<Option<User>, StoreError> {
        let key = username_key(username);
        Ok(lock(&self.users)
            .values()
            .find(|u| username_key(&u.username) == key)
            .cloned())
    }

    async fn update(
        &self,
        id: UserId,
        patch: &UserPatch,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError> {
        let mut users = lock(&self.users);
        Ok(users.get_mut(&id).map(|user| {
            user.apply(patch, now);
            user.clone()
        }))
    }

    async fn list(&self, filter: &UserFilter, page: PageRequest) -> Result<Page<User>, StoreError> {
        let users = lock(&self.users);
        let mut found: Vec<User> = users
            .values()
            .filter(|u| matches(u, filter))
            .cloned()
            .collect();
        found.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        Ok(Page::slice(found, page))
    }
}

/// Refresh tokens in a map keyed by hash.
#[derive(Debug, Default)]
pub struct InMemoryRefreshTokens {
    tokens: Mutex<HashMap<String, RefreshTokenRecord>>,
}

#[async_trait]
impl RefreshTokenRepository for InMemoryRefreshTokens {
    async fn insert(&self, record: &RefreshTokenRecord) -> Result<(), StoreError> {
        let mut tokens = lock(&self.tokens);
        if tokens.contains_key(&record.hash) {
            return Err(StoreError::conflict("hash"));
        }
        tokens.insert(record.hash.clone(), record.clone());
        Ok(())
    }

    async fn consume(&self, hash: &str, now: DateTime<Utc>) -> Result<ConsumeOutcome, StoreError> {
        let mut tokens = lock(&self.tokens);
        Ok(match tokens.get_mut(hash) {
            None => ConsumeOutcome::Unknown,
            Some(record) if record.used_at.is_some() || record.revoked_at.is_some() => {
                ConsumeOutcome::Replayed(record.clone())
            }
            Some(record) => {
                record.used_at = Some(now);
                ConsumeOutcome::Consumed(record.clone())
            }
        })
    }

    async fn revoke_family(
        &self,
        family: TokenFamilyId,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut count = 0;
        for record in lock(&self.tokens).values_mut() {
            if record.family == family && record.revoked_at.is_none() {
                record.revoked_at = Some(now);
                count += 1;
            }
        }
        Ok(count)
    }

    async fn revoke_all_for_user(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut count = 0;
        for record in lock(&self.tokens).values_mut() {
            if record.user_id == user && record.revoked_at.is_none() {
                record.revoked_at = Some(now);
                count += 1;
            }
        }
        Ok(count)
    }

    async fn find(&self, hash: &str) -> Result<Option<RefreshTokenRecord>, StoreError> {
        Ok(lock(&self.tokens).get(hash).cloned())
    }
}

/// Link tokens in a map keyed by (purpose, hash).
#[derive(Debug, Default)]
pub struct InMemoryLinkTokens {
    tokens: Mutex<HashMap<(LinkPurpose, String), LinkToken>>,
}

#[async_trait]
impl LinkTokenRepository for InMemoryLinkTokens {
    async fn insert(&self, token: &LinkToken) -> Result<(), StoreError> {
        lock(&self.tokens).insert((token.purpose, token.hash.clone()), token.clone());
        Ok(())
    }

    async fn take(
        &self,
        purpose: LinkPurpose,
        hash: &str,
    ) -> Result<Option<LinkToken>, StoreError> {
        Ok(lock(&self.tokens).remove(&(purpose, hash.to_owned())))
    }

    async fn delete_for_user(&self, user: UserId, purpose: LinkPurpose) -> Result<(), StoreError> {
        lock(&self.tokens).retain(|(p, _), t| !(*p == purpose && t.user_id == user));
        Ok(())
    }
}

/// Throttle records in a map; each keeps its expiry.
#[derive(Debug, Default)]
pub struct InMemoryLoginThrottle {
    records: Mutex<HashMap<ThrottleKey, (ThrottleState, DateTime<Utc>)>>,
}

#[async_trait]
impl LoginThrottleRepository for InMemoryLoginThrottle {
    async fn get(
        &self,
        key: &ThrottleKey,
        now: DateTime<Utc>,
    ) -> Result<Option<ThrottleState>, StoreError> {
        Ok(lock(&self.records)
            .get(key)
            .filter(|(_, expires)| *expires > now)
            .map(|(state, _)| *state))
    }

    async fn count_failure(
        &self,
        key: &ThrottleKey,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        let mut records = lock(&self.records);
        let fresh = (
            ThrottleState {
                failures: 0,
                locked_until: None,
            },
            expires_at,
        );
        let record = records.entry(key.clone()).or_insert(fresh);
        if record.1 <= now {
            *record = fresh;
        }
        record.0.failures = record.0.failures.saturating_add(1);
        record.1 = expires_at;
        Ok(record.0.failures)
    }

    async fn lock(&self, key: &ThrottleKey, until: DateTime<Utc>) -> Result<(), StoreError> {
        if let Some((state, _)) = lock(&self.records).get_mut(key) {
            state.locked_until = state.locked_until.max(Some(until));
        }
        Ok(())
    }

    async fn clear(&self, key: &ThrottleKey) -> Result<(), StoreError> {
        lock(&self.records).remove(key);
        Ok(())
    }

    async fn clear_subject(&self, subject: &str) -> Result<(), StoreError> {
        lock(&self.records).retain(|key, _| key.subject != subject);
        Ok(())
    }
}
