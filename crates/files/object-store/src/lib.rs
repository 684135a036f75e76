//! The file store port over [`object_store`]: [`ObjectFiles::local`] keeps files in a
//! directory (the default, nothing to set up), [`ObjectFiles::s3`] in a bucket of an
//! S3-compatible service. Both write whole objects at once (a temporary file renamed into
//! place; a single S3 PUT), so readers never see part of a file.

use std::path::Path as FsPath;
use std::sync::Arc;

use async_trait::async_trait;
use futures::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{Attribute, Attributes, ObjectStore, PutOptions, PutPayload};
use stackrush_files::{FileKey, FileStore};
use stackrush_kernel::StoreError;

/// Where an S3-compatible bucket is. Credentials come from the environment
/// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), as the AWS tools read
/// them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Config {
    pub bucket: String,
    pub region: String,
    /// A non-AWS endpoint (`http://127.0.0.1:9000`); requests then go path-style.
    pub endpoint: Option<String>,
}

/// Files in an [`ObjectStore`].
#[derive(Debug, Clone)]
pub struct ObjectFiles {
    store: Arc<dyn ObjectStore>,
    /// Whether the store keeps a content type per object (S3 does, a directory does not).
    typed: bool,
}

impl ObjectFiles {
    /// Files under `dir` (created if missing).
    pub fn local(dir: &FsPath) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        Ok(Self {
            store: Arc::new(LocalFileSystem::new_with_prefix(dir)?),
            typed: false,
        })
    }

    /// Files in the bucket `config` names.
    pub fn s3(config: &S3Config) -> anyhow::Result<Self> {
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region);
        if let Some(endpoint) = &config.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        Ok(Self {
            store: Arc::new(builder.build()?),
            typed: true,
        })
    }
}

fn path(key: &FileKey) -> Result<Path, StoreError> {
    Path::parse(key.as_str()).map_err(|e| StoreError::Other(anyhow::anyhow!("file key: {e}")))
}

fn store_error(err: object_store::Error) -> StoreError {
    StoreError::Unavailable(anyhow::anyhow!("file store: {err}"))
}

#[async_trait]
impl FileStore for ObjectFiles {
    async fn put(&self, key: &FileKey, bytes: Vec<u8>) -> Result<(), StoreError> {
        let mut options = PutOptions::default();
        if self.typed {
            let mut attributes = Attributes::new();
            attributes.insert(Attribute::ContentType, key.content_type().into());
            options.attributes = attributes;
        }
        self.store
            .put_opts(&path(key)?, PutPayload::from(bytes), options)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn get(&self, key: &FileKey) -> Result<Option<Vec<u8>>, StoreError> {
        match self.store.get(&path(key)?).await {
            Ok(found) => Ok(Some(found.bytes().await.map_err(store_error)?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(store_error(e)),
        }
    }

    async fn delete(&self, key: &FileKey) -> Result<(), StoreError> {
        match self.store.delete(&path(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(store_error(e)),
        }
    }

    async fn list(&self, prefix: &FileKey) -> Result<Vec<FileKey>, StoreError> {
        let listed: Vec<object_store::ObjectMeta> =
            match self.store.list(Some(&path(prefix)?)).try_collect().await {
                Ok(listed) => listed,
                Err(object_store::Error::NotFound { .. }) => Vec::new(),
                Err(e) => return Err(store_error(e)),
            };
        let mut keys = listed
            .iter()
            .map(|meta| {
                FileKey::parse(meta.location.as_ref()).map_err(|e| {
                    StoreError::Other(anyhow::anyhow!("stored key {}: {e}", meta.location))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        keys.sort();
        Ok(keys)
    }
}
