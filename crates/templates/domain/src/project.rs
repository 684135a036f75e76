//! Code-runner projects: a member's saved code (a page's HTML, CSS and JavaScript, or a
//! framework project's entry files), versioned so two tabs never overwrite each other, and
//! shared read-only under an unguessable link.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use stackrush_kernel::{define_id, Page, PageRequest, StoreError};

use crate::model::*;
use crate::ports::Written;

define_id!(
    /// Identifies one code-runner project.
    ProjectId
);

/// A member's saved project.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub id: ProjectId,
    pub owner: MemberId,
    pub title: String,
    pub code: Code,
    /// The template it was started from.
    pub template: Option<TemplateId>,
    /// The shared project it was forked from.
    pub forked_from: Option<ProjectId>,
    /// Starts at 1; every saved change adds one.
    pub version: u32,
    /// The read-only link's slug while shared (32 hexadecimal digits).
    pub share: Option<String>,
    /// Views of the shared link.
    pub views: u64,
    /// `false` once deleted.
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Storage of projects.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ProjectRepository: Send + Sync {
    /// Stores a new project.
    async fn insert(&self, project: &Project) -> Result<(), StoreError>;

    /// The project, live or deleted.
    async fn get(&self, id: ProjectId) -> Result<Option<Project>, StoreError>;

    /// The live project shared under `slug`.
    async fn shared(&self, slug: &str) -> Result<Option<Project>, StoreError>;

    /// Replaces the title, code, version and `updated_at` of the live project if its stored
    /// version is still `based_on`.
    async fn update(&self, project: &Project, based_on: u32) -> Result<Written, StoreError>;

    /// Deletes a live project (soft; its link stops working). Whether it was live.
    async fn delete(&self, id: ProjectId, at: DateTime<Utc>) -> Result<bool, StoreError>;

    /// One page of `owner`'s live projects, latest changed first.
    async fn list(&self, owner: MemberId, page: PageRequest) -> Result<Page<Project>, StoreError>;

    /// Shares a live project under `slug` unless it is shared already; the slug it is shared
    /// under, `None` when it is not live.
    async fn share(&self, id: ProjectId, slug: &str) -> Result<Option<String>, StoreError>;

    /// Stops sharing a live project (its slug stops working for good). Whether it was live.
    async fn unshare(&self, id: ProjectId) -> Result<bool, StoreError>;

    /// Counts one view of the project shared under `slug`; the count, `None` when no live
    /// project is shared under it.
    async fn count_view(&self, slug: &str) -> Result<Option<u64>, StoreError>;
}

/// What a member saves as a new project; with a template and no code, the template's code.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectDraft {
    pub title: String,
    pub code: Option<Code>,
    pub template: Option<TemplateId>,
}

/// A saved change: the version it was based on and the fields it sets.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProjectPatch {
    pub based_on: u32,
    pub title: Option<String>,
    pub html: Option<String>,
    pub css: Option<String>,
    pub js: Option<String>,
    pub language: Option<Language>,
    pub framework: Option<Framework>,
}

/// A project as its owner, or a reader of its link, sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectView {
    pub project: Project,
    /// `None`: the account is gone.
    pub owner: Option<Face>,
}
