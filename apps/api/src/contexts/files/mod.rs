//! Stored files over HTTP: the file store the settings name (a directory by default, or an
//! S3-compatible bucket), the URLs stored files are served at, and the route serving them.
//! Contexts that keep files (identity's avatars, templates' thumbnails) reach the store through
//! ports of their own, served here by [`PublicFiles`].

mod routes;

use std::sync::Arc;

use apistos::web::ServiceConfig;
use async_trait::async_trait;
use stackrush_files::{FileKey, FileStore};
use stackrush_files_object_store::ObjectFiles;

use crate::http::Port;
use crate::settings::{FileSettings, Settings};

/// The file store `settings` name.
pub fn store(settings: &Settings) -> anyhow::Result<Arc<dyn FileStore>> {
    Ok(match &settings.files {
        FileSettings::Local { dir } => Arc::new(ObjectFiles::local(dir)?),
        FileSettings::S3(config) => Arc::new(ObjectFiles::s3(config)?),
    })
}

/// Files stored under keys the services make, served at `{PUBLIC_URL}/api/files/{key}`.
pub struct PublicFiles {
    store: Arc<dyn FileStore>,
    base: String,
}

impl PublicFiles {
    /// Files in `store`, served under `public_url`.
    pub fn new(store: Arc<dyn FileStore>, public_url: &str) -> Self {
        Self {
            store,
            base: format!("{public_url}/api/files/"),
        }
    }

    async fn put(&self, key: &str, bytes: Vec<u8>) -> anyhow::Result<String> {
        let key = FileKey::parse(key).map_err(|e| anyhow::anyhow!("file key {key:?}: {e}"))?;
        self.store.put(&key, bytes).await?;
        Ok(format!("{}{key}", self.base))
    }

    async fn remove(&self, url: &str) -> anyhow::Result<()> {
        // URLs of files kept elsewhere (an avatar set to any address) are not ours to remove.
        let Some(key) = url.strip_prefix(&self.base) else {
            return Ok(());
        };
        match FileKey::parse(key) {
            Ok(key) => Ok(self.store.delete(&key).await?),
            Err(_) => Ok(()),
        }
    }
}

#[async_trait]
impl stackrush_identity::AvatarFiles for PublicFiles {
    async fn store(&self, key: &str, bytes: Vec<u8>) -> anyhow::Result<String> {
        self.put(key, bytes).await
    }

    async fn discard(&self, url: &str) -> anyhow::Result<()> {
        self.remove(url).await
    }
}

#[async_trait]
impl stackrush_templates::ports::ThumbnailFiles for PublicFiles {
    async fn store(&self, key: &str, bytes: Vec<u8>) -> anyhow::Result<String> {
        self.put(key, bytes).await
    }

    async fn discard(&self, url: &str) -> anyhow::Result<()> {
        self.remove(url).await
    }
}

/// Registers the file store and the route serving stored images.
pub fn mount(cfg: &mut ServiceConfig, store: Arc<dyn FileStore>) {
    Port::register(cfg, store);
    routes::configure(cfg);
}
