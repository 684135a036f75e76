//! StackRush file storage: the port every stored file goes through (avatars, template
//! thumbnails; later code exports and certificates), the keys files are stored under, and the
//! contract suite every adapter passes. Keys are made by the service, never taken from a
//! client: [`FileKey`] only holds lower-case ASCII segments, so no key climbs out of its store.

#[cfg(feature = "contract")]
pub mod contract;
#[cfg(feature = "fake")]
pub mod fake;

use async_trait::async_trait;
use stackrush_kernel::StoreError;

/// Where a file is stored: segments of lower-case ASCII letters, digits, `.`, `_` and `-`
/// (none empty, none starting with a dot) joined by `/`, at most 255 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileKey(String);

impl FileKey {
    /// `text` as a key, or what is wrong with it.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.is_empty() || text.len() > 255 {
            return Err("must be 1 to 255 characters".to_owned());
        }
        for segment in text.split('/') {
            if segment.is_empty() || segment.starts_with('.') {
                return Err("must not hold empty or dot segments".to_owned());
            }
            if !segment
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
            {
                return Err("may hold a-z, 0-9, '.', '_', '-' and '/' only".to_owned());
            }
        }
        Ok(Self(text.to_owned()))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The media type a file under this key is served with, from its extension.
    pub fn content_type(&self) -> &'static str {
        let extension = self.0.rsplit_once('.').map_or("", |(_, e)| e);
        match extension {
            "png" => "image/png",
            "jpg" => "image/jpeg",
            "webp" => "image/webp",
            "zip" => "application/zip",
            "pdf" => "application/pdf",
            "svg" => "image/svg+xml",
            "json" => "application/json",
            _ => "application/octet-stream",
        }
    }
}

impl std::fmt::Display for FileKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Stored files, by key.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait FileStore: Send + Sync {
    /// Stores `bytes` under `key`, replacing what was there; readers see the old file or the
    /// new one, never a part.
    async fn put(&self, key: &FileKey, bytes: Vec<u8>) -> Result<(), StoreError>;

    /// The file under `key`, if any.
    async fn get(&self, key: &FileKey) -> Result<Option<Vec<u8>>, StoreError>;

    /// Removes the file under `key`; removing a missing file is not an error.
    async fn delete(&self, key: &FileKey) -> Result<(), StoreError>;

    /// The keys under `prefix` (whole segments: `a/b` holds `a/b/c`, not `a/bc`), sorted.
    async fn list(&self, prefix: &FileKey) -> Result<Vec<FileKey>, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_plain_segments_that_cannot_leave_their_store() {
        for good in ["avatars/5f/0a1b.png", "a", "x_y-z.9/q"] {
            assert!(FileKey::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "../etc/passwd",
            "a/../b",
            "/abs",
            "a//b",
            "a/",
            ".hidden",
            "A.png",
            "a b",
            "a\\b",
            "ü",
            &"a".repeat(256),
        ] {
            assert!(FileKey::parse(bad).is_err(), "{bad:?}");
        }
        let key = FileKey::parse("t/1.webp").unwrap();
        assert_eq!(key.content_type(), "image/webp");
        assert_eq!(
            FileKey::parse("x.exe").unwrap().content_type(),
            "application/octet-stream"
        );
    }
}
