//! Password hashing with bcrypt, and random/keyed token material.

use async_trait::async_trait;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::ports::PasswordHasher;

/// bcrypt at a configurable cost, run on tokio's blocking pool.
#[derive(Debug, Clone, Copy)]
pub struct BcryptHasher {
    cost: u32,
}

impl BcryptHasher {
    /// A hasher using `cost` (4..=31; 12 in production, 4 in tests).
    pub fn new(cost: u32) -> Self {
        Self {
            cost: cost.clamp(4, 31),
        }
    }
}

#[async_trait]
impl PasswordHasher for BcryptHasher {
    async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let password = password.to_owned();
        let cost = self.cost;
        // The service rejects passwords over 72 bytes; non_truncating_hash makes that a hard error
        // here too instead of a silent truncation.
        let hash = tokio::task::spawn_blocking(move || bcrypt::non_truncating_hash(password, cost))
            .await??;
        Ok(hash)
    }

    async fn verify(&self, password: &str, hash: &str) -> anyhow::Result<bool> {
        let password = password.to_owned();
        let hash = hash.to_owned();
        let ok = tokio::task::spawn_blocking(move || {
            bcrypt::non_truncating_verify(password, &hash).unwrap_or(false)
        })
        .await?;
        Ok(ok)
    }
}

/// 32 random bytes, URL-safe base64 without padding: unguessable token material.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Hex HMAC-SHA256 of `token` under `key`: how tokens are stored, so a leaked table grants nothing.
pub fn keyed_hash(key: &[u8], token: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(token.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bcrypt_verifies_the_right_password_only() {
        let hasher = BcryptHasher::new(4);
        let hash = hasher.hash("Correct-Horse-1").await.unwrap();
        assert!(hasher.verify("Correct-Horse-1", &hash).await.unwrap());
        assert!(!hasher.verify("Correct-Horse-2", &hash).await.unwrap());
        assert!(!hasher
            .verify("Correct-Horse-1", "not-a-hash")
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn bcrypt_refuses_to_truncate_long_passwords() {
        let hasher = BcryptHasher::new(4);
        assert!(hasher.hash(&"a".repeat(73)).await.is_err());
    }

    #[test]
    fn keyed_hashes_depend_on_key_and_token() {
        assert_eq!(keyed_hash(b"k", "t"), keyed_hash(b"k", "t"));
        assert_ne!(keyed_hash(b"k", "t"), keyed_hash(b"k2", "t"));
        assert_ne!(keyed_hash(b"k", "t"), keyed_hash(b"k", "t2"));
        assert_ne!(random_token(), random_token());
        assert_eq!(random_token().len(), 43);
    }
}
