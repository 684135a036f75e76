//! Random and keyed token material. (Password hashing is a port, `ports::PasswordHasher`;
//! bcrypt is its adapter, the `stackrush-identity-bcrypt` crate.)

use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

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

/// Whether `a` and `b` are equal, in time that depends only on their lengths (for comparing
/// signatures).
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_hashes_depend_on_key_and_token() {
        assert_eq!(keyed_hash(b"k", "t"), keyed_hash(b"k", "t"));
        assert_ne!(keyed_hash(b"k", "t"), keyed_hash(b"k2", "t"));
        assert_ne!(keyed_hash(b"k", "t"), keyed_hash(b"k", "t2"));
        assert_ne!(random_token(), random_token());
        assert_eq!(random_token().len(), 43);
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd") && !same(b"abc", b"ab") && !same(b"", b"a"));
    }
}
