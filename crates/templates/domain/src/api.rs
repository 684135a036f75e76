//! The templates context's inbound port and the views it answers with.

use async_trait::async_trait;
use std::sync::Arc;

use stackrush_kernel::{Page, PageRequest, Shared};

use crate::archive::Archive;
use crate::error::TemplateError;
use crate::model::*;

/// What an author writes to publish a template.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateDraft {
    pub title: String,
    pub description: String,
    pub code: Code,
    pub category: Category,
    pub difficulty: Difficulty,
    pub tags: Vec<String>,
    pub features: Vec<String>,
    pub is_public: bool,
}

/// What an author changes; `None` keeps the stored value. A change of the code (any of its
/// parts, its language or framework) makes a new version.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TemplatePatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub html: Option<String>,
    pub css: Option<String>,
    pub js: Option<String>,
    pub language: Option<Language>,
    pub framework: Option<Framework>,
    pub category: Option<Category>,
    pub difficulty: Option<Difficulty>,
    pub tags: Option<Vec<String>>,
    pub features: Option<Vec<String>>,
    pub is_public: Option<bool>,
}

/// A template as a reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateView {
    pub template: Template,
    /// `None`: the account is gone.
    pub author: Option<Face>,
    /// Whether the reader starred it (`false` when anonymous).
    pub starred: bool,
    /// How many files its download holds.
    pub file_count: usize,
}

/// One version as the versions list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionView {
    pub number: u32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The code's size in bytes.
    pub size: u64,
    pub language: Language,
    pub framework: Framework,
}

/// A download's outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Download {
    /// The archive (counted as a download).
    Fresh(Archive),
    /// The reader holds this very archive already (its entity tag matched; not counted).
    Unchanged { etag: String },
}

/// The templates context's inbound port.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait TemplatesApi: Send + Sync {
    /// One page of live templates: public ones, or, when `filter.author` is the reader, all
    /// of theirs. Anonymous readers share remembered pages (see the service). Errors:
    /// `Invalid`.
    async fn list(
        &self,
        reader: Option<Caller>,
        filter: TemplateFilter,
        sort: TemplateSort,
        page: PageRequest,
    ) -> Result<Arc<Shared<Page<TemplateView>>>, TemplateError>;

    /// One template the reader may see; a view by anyone but its author is counted. Errors:
    /// `NotFound`.
    async fn get(
        &self,
        reader: Option<Caller>,
        id: TemplateId,
    ) -> Result<TemplateView, TemplateError>;

    /// Publishes a template (version 1). Errors: `Invalid`, `NotVerified`.
    async fn create(
        &self,
        caller: Caller,
        draft: TemplateDraft,
    ) -> Result<TemplateView, TemplateError>;

    /// The author changes their template. Errors: `Invalid`, `NotFound`, `Forbidden`, `Busy`.
    async fn update(
        &self,
        caller: Caller,
        id: TemplateId,
        patch: TemplatePatch,
    ) -> Result<TemplateView, TemplateError>;

    /// The author or an admin deletes a template (soft). Errors: `NotFound`, `Forbidden`.
    async fn delete(&self, caller: Caller, id: TemplateId) -> Result<(), TemplateError>;

    /// Stars a template the caller may see, or takes the star back. Errors: `NotFound`.
    async fn star(&self, caller: Caller, id: TemplateId) -> Result<Starred, TemplateError>;

    /// One page of the templates the caller starred, latest first.
    async fn starred(
        &self,
        caller: Caller,
        page: PageRequest,
    ) -> Result<Page<TemplateView>, TemplateError>;

    /// Copies a template the caller may see into a new public template of theirs, linked to
    /// its origin and version. Errors: `NotFound`, `NotVerified`.
    async fn fork(&self, caller: Caller, id: TemplateId) -> Result<TemplateView, TemplateError>;

    /// One page of a template's public forks, newest first. Errors: `NotFound`.
    async fn forks(
        &self,
        reader: Option<Caller>,
        id: TemplateId,
        page: PageRequest,
    ) -> Result<Page<TemplateView>, TemplateError>;

    /// One page of a template's versions, newest first. Errors: `NotFound`.
    async fn versions(
        &self,
        reader: Option<Caller>,
        id: TemplateId,
        page: PageRequest,
    ) -> Result<Page<VersionView>, TemplateError>;

    /// The current version as a zip archive, unless `held` (entity tags the reader holds)
    /// names it. Errors: `NotFound`.
    async fn download(
        &self,
        reader: Option<Caller>,
        id: TemplateId,
        held: Vec<String>,
    ) -> Result<Download, TemplateError>;

    /// The author sets their template's thumbnail (PNG, JPEG or WebP, at most
    /// [`stackrush_kernel::image::MAX_IMAGE_BYTES`]); the one it replaces is removed. Errors:
    /// `Invalid` (field `file`), `NotFound`, `Forbidden`, `Unavailable`.
    async fn set_thumbnail(
        &self,
        caller: Caller,
        id: TemplateId,
        image: Vec<u8>,
    ) -> Result<TemplateView, TemplateError>;

    /// Every category or framework with how many live public templates carry it.
    async fn facets(&self, kind: FacetKind) -> Result<Vec<Facet>, TemplateError>;
}
