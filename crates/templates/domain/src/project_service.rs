//! The project rules over the outbound ports.

use std::sync::Arc;

use async_trait::async_trait;
use stackrush_kernel::id::random_hex;
use stackrush_kernel::text::{line_problem, text_problem};
use stackrush_kernel::{FieldError, Page, PageRequest};

use crate::api::Download;
use crate::archive;
use crate::error::TemplateError;
use crate::model::*;
use crate::ports::{ProjectPorts, Written};
use crate::project::*;
use crate::service::{MAX_CODE_CHARS, MAX_TITLE_CHARS};

/// The most live projects one member keeps.
pub const MAX_PROJECTS: u64 = 200;
/// Random bytes in a share link's slug (hex-encoded: 32 characters).
const SLUG_BYTES: usize = 16;

/// The code-runner projects' inbound port.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ProjectsApi: Send + Sync {
    /// Saves a new project (version 1); with a template and no code, the template's code.
    /// Errors: `Invalid`, `MemberNotFound`, `NotFound` (the template), `TooManyProjects`.
    async fn create(
        &self,
        caller: Caller,
        draft: ProjectDraft,
    ) -> Result<ProjectView, TemplateError>;

    /// One of the caller's projects. Errors: `ProjectNotFound`.
    async fn get(&self, caller: Caller, id: ProjectId) -> Result<ProjectView, TemplateError>;

    /// One page of the caller's projects, latest changed first.
    async fn list(
        &self,
        caller: Caller,
        page: PageRequest,
    ) -> Result<Page<ProjectView>, TemplateError>;

    /// Saves a change based on `patch.based_on`; a change based on an older version is refused
    /// with the current one. Errors: `Invalid`, `ProjectNotFound`, `VersionConflict`.
    async fn update(
        &self,
        caller: Caller,
        id: ProjectId,
        patch: ProjectPatch,
    ) -> Result<ProjectView, TemplateError>;

    /// Deletes one of the caller's projects (its link stops working). Errors:
    /// `ProjectNotFound`.
    async fn delete(&self, caller: Caller, id: ProjectId) -> Result<(), TemplateError>;

    /// Shares a project read-only under an unguessable link (the same link while shared).
    /// Errors: `ProjectNotFound`.
    async fn share(&self, caller: Caller, id: ProjectId) -> Result<ProjectView, TemplateError>;

    /// Stops sharing; the link stops working for good. Errors: `ProjectNotFound`.
    async fn unshare(&self, caller: Caller, id: ProjectId) -> Result<ProjectView, TemplateError>;

    /// The project shared under `slug` (anyone; the view is counted). Errors:
    /// `ProjectNotFound`.
    async fn shared(&self, slug: &str) -> Result<ProjectView, TemplateError>;

    /// Copies the project shared under `slug` into a new project of the caller's. Errors:
    /// `ProjectNotFound`, `MemberNotFound`, `TooManyProjects`.
    async fn fork(&self, caller: Caller, slug: &str) -> Result<ProjectView, TemplateError>;

    /// One of the caller's projects as a zip archive, unless `held` names it. Errors:
    /// `ProjectNotFound`.
    async fn export(
        &self,
        caller: Caller,
        id: ProjectId,
        held: Vec<String>,
    ) -> Result<Download, TemplateError>;
}

/// The projects service.
pub struct ProjectService {
    ports: ProjectPorts,
}

impl ProjectService {
    /// The service over `ports`.
    pub fn new(ports: ProjectPorts) -> Self {
        Self { ports }
    }

    /// The service as a shared inbound port.
    pub fn into_api(self) -> Arc<dyn ProjectsApi> {
        Arc::new(self)
    }

    async fn own(&self, caller: Caller, id: ProjectId) -> Result<Project, TemplateError> {
        match self.ports.projects.get(id).await? {
            Some(p) if p.is_active && p.owner == caller.id => Ok(p),
            _ => Err(TemplateError::ProjectNotFound),
        }
    }

    /// Whether `caller` has an account and room for one more project.
    async fn room(&self, caller: Caller) -> Result<(), TemplateError> {
        let exists = self
            .ports
            .members
            .may_write(caller.id)
            .await
            .map_err(TemplateError::Unavailable)?;
        if exists.is_none() {
            return Err(TemplateError::MemberNotFound);
        }
        let kept = self
            .ports
            .projects
            .list(caller.id, PageRequest::new(1, 1))
            .await?
            .total;
        if kept >= MAX_PROJECTS {
            return Err(TemplateError::TooManyProjects);
        }
        Ok(())
    }

    async fn owner_face(&self, owner: MemberId) -> Result<Option<Face>, TemplateError> {
        let mut faces = self
            .ports
            .members
            .faces(&[owner])
            .await
            .map_err(TemplateError::Unavailable)?;
        Ok(faces.remove(&owner))
    }

    async fn view(&self, project: Project) -> Result<ProjectView, TemplateError> {
        Ok(ProjectView {
            owner: self.owner_face(project.owner).await?,
            project,
        })
    }
}

fn checked(title: &str, code: &Code) -> Result<(), TemplateError> {
    let mut problems = Vec::new();
    let title_problem = if title.is_empty() {
        Some("must not be empty".to_owned())
    } else {
        line_problem(title, MAX_TITLE_CHARS)
    };
    if let Some(p) = title_problem {
        problems.push(FieldError::new("title", p));
    }
    for (field, part) in [
        ("htmlCode", &code.html),
        ("cssCode", &code.css),
        ("jsCode", &code.js),
    ] {
        if let Some(p) = text_problem(part, 0, MAX_CODE_CHARS) {
            problems.push(FieldError::new(field, p));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(TemplateError::Invalid(problems))
    }
}

/// A share link's slug as this service makes them (32 lower-case hexadecimal digits).
fn well_formed(slug: &str) -> bool {
    slug.len() == SLUG_BYTES * 2
        && slug
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[async_trait]
impl ProjectsApi for ProjectService {
    async fn create(
        &self,
        caller: Caller,
        draft: ProjectDraft,
    ) -> Result<ProjectView, TemplateError> {
        let title = draft.title.trim().to_owned();
        let started_from = match draft.template {
            Some(t) => match self.ports.templates.get(t).await? {
                Some(found) if found.visible_to(Some(caller.id)) => Some(found.code),
                _ => return Err(TemplateError::NotFound),
            },
            None => None,
        };
        let code = draft.code.or(started_from).unwrap_or_else(|| Code {
            html: String::new(),
            css: String::new(),
            js: String::new(),
            language: Language::Javascript,
            framework: Framework::Vanilla,
        });
        checked(&title, &code)?;
        self.room(caller).await?;
        let now = self.ports.clock.now();
        let project = Project {
            id: ProjectId::generate(now),
            owner: caller.id,
            title,
            code,
            template: draft.template,
            forked_from: None,
            version: 1,
            share: None,
            views: 0,
            is_active: true,
            created_at: now,
            updated_at: now,
        };
        self.ports.projects.insert(&project).await?;
        self.view(project).await
    }

    async fn get(&self, caller: Caller, id: ProjectId) -> Result<ProjectView, TemplateError> {
        let project = self.own(caller, id).await?;
        self.view(project).await
    }

    async fn list(
        &self,
        caller: Caller,
        page: PageRequest,
    ) -> Result<Page<ProjectView>, TemplateError> {
        let found = self.ports.projects.list(caller.id, page).await?;
        let owner = self.owner_face(caller.id).await?;
        Ok(found.map(|project| ProjectView {
            project,
            owner: owner.clone(),
        }))
    }

    async fn update(
        &self,
        caller: Caller,
        id: ProjectId,
        patch: ProjectPatch,
    ) -> Result<ProjectView, TemplateError> {
        let stored = self.own(caller, id).await?;
        if patch.based_on != stored.version {
            return Err(TemplateError::VersionConflict {
                current: stored.version,
            });
        }
        let title = patch
            .title
            .map_or_else(|| stored.title.clone(), |t| t.trim().to_owned());
        let code = Code {
            html: patch.html.unwrap_or_else(|| stored.code.html.clone()),
            css: patch.css.unwrap_or_else(|| stored.code.css.clone()),
            js: patch.js.unwrap_or_else(|| stored.code.js.clone()),
            language: patch.language.unwrap_or(stored.code.language),
            framework: patch.framework.unwrap_or(stored.code.framework),
        };
        checked(&title, &code)?;
        let project = Project {
            title,
            code,
            version: stored.version + 1,
            updated_at: self.ports.clock.now(),
            ..stored.clone()
        };
        match self.ports.projects.update(&project, stored.version).await? {
            Written::Done => self.view(project).await,
            Written::Gone => Err(TemplateError::ProjectNotFound),
            Written::Stale => {
                // Another tab saved in between: answer with what is stored now.
                let current = self.own(caller, id).await?.version;
                Err(TemplateError::VersionConflict { current })
            }
        }
    }

    async fn delete(&self, caller: Caller, id: ProjectId) -> Result<(), TemplateError> {
        self.own(caller, id).await?;
        if self
            .ports
            .projects
            .delete(id, self.ports.clock.now())
            .await?
        {
            Ok(())
        } else {
            Err(TemplateError::ProjectNotFound)
        }
    }

    async fn share(&self, caller: Caller, id: ProjectId) -> Result<ProjectView, TemplateError> {
        let project = self.own(caller, id).await?;
        let slug = self
            .ports
            .projects
            .share(id, &random_hex(SLUG_BYTES))
            .await?
            .ok_or(TemplateError::ProjectNotFound)?;
        self.view(Project {
            share: Some(slug),
            ..project
        })
        .await
    }

    async fn unshare(&self, caller: Caller, id: ProjectId) -> Result<ProjectView, TemplateError> {
        let project = self.own(caller, id).await?;
        if !self.ports.projects.unshare(id).await? {
            return Err(TemplateError::ProjectNotFound);
        }
        self.view(Project {
            share: None,
            ..project
        })
        .await
    }

    async fn shared(&self, slug: &str) -> Result<ProjectView, TemplateError> {
        if !well_formed(slug) {
            return Err(TemplateError::ProjectNotFound);
        }
        let mut project = self
            .ports
            .projects
            .shared(slug)
            .await?
            .ok_or(TemplateError::ProjectNotFound)?;
        project.views = self
            .ports
            .projects
            .count_view(slug)
            .await?
            .ok_or(TemplateError::ProjectNotFound)?;
        self.view(project).await
    }

    async fn fork(&self, caller: Caller, slug: &str) -> Result<ProjectView, TemplateError> {
        if !well_formed(slug) {
            return Err(TemplateError::ProjectNotFound);
        }
        let source = self
            .ports
            .projects
            .shared(slug)
            .await?
            .ok_or(TemplateError::ProjectNotFound)?;
        self.room(caller).await?;
        let now = self.ports.clock.now();
        let project = Project {
            id: ProjectId::generate(now),
            owner: caller.id,
            forked_from: Some(source.id),
            version: 1,
            share: None,
            views: 0,
            is_active: true,
            created_at: now,
            updated_at: now,
            ..source
        };
        self.ports.projects.insert(&project).await?;
        self.view(project).await
    }

    async fn export(
        &self,
        caller: Caller,
        id: ProjectId,
        held: Vec<String>,
    ) -> Result<Download, TemplateError> {
        let project = self.own(caller, id).await?;
        let owner = self.owner_face(caller.id).await?;
        let author = owner.as_ref().map_or("unknown", |f| f.username.as_str());
        let package = archive::Package {
            title: &project.title,
            description: "A code-runner project saved on StackRush.",
            code: &project.code,
            version: project.version,
            at: project.updated_at,
            author,
            source: format!("StackRush project: {}", project.id),
        };
        let archive = archive::build(&package).map_err(TemplateError::Internal)?;
        if held.iter().any(|tag| *tag == archive.etag || tag == "*") {
            return Ok(Download::Unchanged { etag: archive.etag });
        }
        Ok(Download::Fresh(archive))
    }
}
