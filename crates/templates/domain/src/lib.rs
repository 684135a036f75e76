//! The StackRush templates context: starter templates (a page's HTML, CSS and JavaScript, or a
//! framework project's entry files) that members publish, star, fork and download as zip
//! archives. Every change of a template's code is a new numbered version; a fork records the
//! version it came from. Counters (stars, forks, downloads, views) are exact: the store moves
//! them with the row they count ([`ports`]).

pub mod api;
pub mod archive;
pub mod error;
pub mod model;
pub mod ports;
pub mod project;
pub mod project_service;
pub mod service;

#[cfg(feature = "fake")]
pub mod fake;

#[cfg(feature = "contract")]
pub mod contract;

pub use api::{Download, TemplateDraft, TemplatePatch, TemplateView, TemplatesApi, VersionView};
pub use archive::Archive;
pub use error::TemplateError;
pub use model::*;
pub use ports::{Ports, ProjectPorts, Stores};
pub use project::{Project, ProjectDraft, ProjectId, ProjectPatch, ProjectView};
pub use project_service::{ProjectService, ProjectsApi};
pub use service::TemplateService;

#[cfg(feature = "mock")]
pub use api::MockTemplatesApi;
#[cfg(feature = "mock")]
pub use project_service::MockProjectsApi;

#[cfg(test)]
mod service_tests;
