//! What the templates context needs from the world: its store and members as the identity
//! context knows them.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use stackrush_kernel::{Clock, Page, PageRequest, StoreError};

use crate::model::*;

/// What a conditional update of a template found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// Stored.
    Done,
    /// The template is live but its version is no longer the one the update was based on.
    Stale,
    /// The template is deleted or was never stored.
    Gone,
}

/// Storage of templates, their versions and stars.
///
/// Every write that moves a count moves it in the same transaction as the row it counts: a
/// star (one per member and template, under a unique key) with the template's star count, a
/// fork with its origin's fork count. A template and its first version, and a code change and
/// its new version, are stored together or not at all.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait TemplateRepository: Send + Sync {
    /// Stores a new template with its current version.
    async fn insert(&self, template: &Template) -> Result<(), StoreError>;

    /// The template, live or deleted.
    async fn get(&self, id: TemplateId) -> Result<Option<Template>, StoreError>;

    /// Replaces the editable fields (title, description, code, category, difficulty, tags,
    /// features, visibility, version, `updated_at`) of the live template if its stored version
    /// is still `based_on`; when `template.version` is past it, the new version is stored too.
    async fn update(&self, template: &Template, based_on: u32) -> Result<Written, StoreError>;

    /// Deletes a live template (soft). Whether it was live.
    async fn delete(&self, id: TemplateId, at: DateTime<Utc>) -> Result<bool, StoreError>;

    /// One page of live templates. With `known_total` (a count the caller remembers for this
    /// filter) the store skips counting.
    async fn list(
        &self,
        filter: &TemplateFilter,
        sort: TemplateSort,
        page: PageRequest,
        known_total: Option<u64>,
    ) -> Result<Page<Template>, StoreError>;

    /// One page of a template's versions, newest first.
    async fn versions(
        &self,
        template: TemplateId,
        page: PageRequest,
    ) -> Result<Page<Version>, StoreError>;

    /// Stores `fork` (with its current version) and counts it on its origin; `false` (nothing
    /// stored) when the origin is not live.
    async fn insert_fork(&self, fork: &Template) -> Result<bool, StoreError>;

    /// Sets `member`'s star on a live template, or takes it back when set, moving the count
    /// with it. `None` (nothing changed) when the template is not live.
    async fn toggle_star(
        &self,
        template: TemplateId,
        member: MemberId,
        at: DateTime<Utc>,
    ) -> Result<Option<Starred>, StoreError>;

    /// Which of `templates` `member` starred.
    async fn starred_among(
        &self,
        member: MemberId,
        templates: &[TemplateId],
    ) -> Result<HashSet<TemplateId>, StoreError>;

    /// One page of the live templates `member` starred that they may see (public or theirs),
    /// latest starred first.
    async fn starred(
        &self,
        member: MemberId,
        page: PageRequest,
    ) -> Result<Page<Template>, StoreError>;

    /// Sets the thumbnail of a live template; the one it replaces (`Some(None)` when it had
    /// none), `None` when the template is not live.
    async fn set_thumbnail(
        &self,
        template: TemplateId,
        url: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<Option<String>>, StoreError>;

    /// Adds one to a live template's counter; the new value, `None` when it is not live.
    async fn count(
        &self,
        template: TemplateId,
        counter: Counter,
    ) -> Result<Option<u64>, StoreError>;

    /// How many live public templates carry each value of `kind` (values without any are left
    /// out).
    async fn facets(&self, kind: FacetKind) -> Result<HashMap<String, u64>, StoreError>;
}

/// Where uploaded thumbnails are kept.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ThumbnailFiles: Send + Sync {
    /// Stores `bytes` under `key` and answers the URL they are served at.
    async fn store(&self, key: &str, bytes: Vec<u8>) -> anyhow::Result<String>;

    /// Removes the stored file `url` points to; URLs of files kept elsewhere are left alone.
    async fn discard(&self, url: &str) -> anyhow::Result<()>;
}

/// Members as the identity context knows them.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Members: Send + Sync {
    /// Whether the member may publish (an active account with a verified email); `None` when
    /// there is no such account.
    async fn may_write(&self, member: MemberId) -> anyhow::Result<Option<bool>>;

    /// How the given members are shown; members without a live account are left out.
    async fn faces(&self, members: &[MemberId]) -> anyhow::Result<HashMap<MemberId, Face>>;
}

/// The templates context's store ports, as one adapter crate provides them.
#[derive(Clone)]
pub struct Stores {
    pub templates: Arc<dyn TemplateRepository>,
    pub projects: Arc<dyn crate::project::ProjectRepository>,
}

/// Every port the project service needs.
#[derive(Clone)]
pub struct ProjectPorts {
    pub projects: Arc<dyn crate::project::ProjectRepository>,
    /// Templates projects start from (read only).
    pub templates: Arc<dyn TemplateRepository>,
    pub members: Arc<dyn Members>,
    pub clock: Arc<dyn Clock>,
}

/// Every port the template service needs.
#[derive(Clone)]
pub struct Ports {
    pub templates: Arc<dyn TemplateRepository>,
    pub members: Arc<dyn Members>,
    pub files: Arc<dyn ThumbnailFiles>,
    /// Downloads, forks and stars, for the analytics context's event store.
    pub activity: Arc<dyn stackrush_kernel::activity::ActivityLog>,
    pub clock: Arc<dyn Clock>,
}
