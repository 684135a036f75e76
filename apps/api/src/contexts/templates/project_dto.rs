//! Code-runner project bodies and documents.

use apistos::{ApiComponent, JsonSchema};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use stackrush_templates as tp;

use super::dto::{author, TemplateCodeDto, TemplateFrameworkDto, TemplateLanguageDto};
use crate::contexts::challenges::dto::AuthorDto;
use crate::error::ApiError;
use crate::http::patterns::{LINE_FILLED, TEXT};

/// A new project: blank, from a template (its code unless code is given), or the given code.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct CreateProjectRequest {
    #[schemars(length(min = 1, max = 100), regex(pattern = LINE_FILLED))]
    pub title: String,
    #[schemars(length(max = 100000), regex(pattern = TEXT))]
    pub html_code: Option<String>,
    #[schemars(length(max = 100000), regex(pattern = TEXT))]
    pub css_code: Option<String>,
    #[schemars(length(max = 100000), regex(pattern = TEXT))]
    pub js_code: Option<String>,
    /// Default `javascript`.
    pub language: Option<TemplateLanguageDto>,
    /// Default `Vanilla`.
    pub framework: Option<TemplateFrameworkDto>,
    /// The template the project starts from.
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub template_id: Option<String>,
}

impl CreateProjectRequest {
    /// The draft, or a 400 naming `templateId`.
    pub fn into_draft(self) -> Result<tp::ProjectDraft, ApiError> {
        let template = match &self.template_id {
            Some(t) => Some(t.parse().map_err(|_| {
                ApiError::invalid_body("templateId", "must be 24 hexadecimal characters")
            })?),
            None => None,
        };
        let has_code = self.html_code.is_some()
            || self.css_code.is_some()
            || self.js_code.is_some()
            || self.language.is_some()
            || self.framework.is_some();
        let code = has_code.then(|| tp::Code {
            html: self.html_code.unwrap_or_default(),
            css: self.css_code.unwrap_or_default(),
            js: self.js_code.unwrap_or_default(),
            language: self.language.map_or(tp::Language::Javascript, Into::into),
            framework: self.framework.map_or(tp::Framework::Vanilla, Into::into),
        });
        Ok(tp::ProjectDraft {
            title: self.title,
            code,
            template,
        })
    }
}

/// A save: the version it is based on (as last read) and what it changes.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct UpdateProjectRequest {
    /// The version this change was made on; an older one answers 409 with the current one.
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub version: u32,
    #[schemars(length(min = 1, max = 100), regex(pattern = LINE_FILLED))]
    pub title: Option<String>,
    #[schemars(length(max = 100000), regex(pattern = TEXT))]
    pub html_code: Option<String>,
    #[schemars(length(max = 100000), regex(pattern = TEXT))]
    pub css_code: Option<String>,
    #[schemars(length(max = 100000), regex(pattern = TEXT))]
    pub js_code: Option<String>,
    pub language: Option<TemplateLanguageDto>,
    pub framework: Option<TemplateFrameworkDto>,
}

impl From<UpdateProjectRequest> for tp::ProjectPatch {
    fn from(r: UpdateProjectRequest) -> Self {
        Self {
            based_on: r.version,
            title: r.title,
            html: r.html_code,
            css: r.css_code,
            js: r.js_code,
            language: r.language.map(Into::into),
            framework: r.framework.map(Into::into),
        }
    }
}

/// A project as its owner (or a reader of its link) sees it.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ProjectDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub title: String,
    pub owner: AuthorDto,
    pub code: TemplateCodeDto,
    /// The template it was started from.
    pub template_id: Option<String>,
    /// The shared project it was forked from.
    pub forked_from: Option<String>,
    /// Send it back with a save.
    pub version: u32,
    /// The read-only link's slug while shared.
    pub share_slug: Option<String>,
    /// The read-only link's path while shared (`GET`, no login).
    pub share_path: Option<String>,
    /// Views of the shared link.
    pub views: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<tp::ProjectView> for ProjectDto {
    fn from(v: tp::ProjectView) -> Self {
        let p = v.project;
        Self {
            id: p.id.to_hex(),
            title: p.title,
            owner: author(p.owner, v.owner),
            code: p.code.into(),
            template_id: p.template.map(|t| t.to_hex()),
            forked_from: p.forked_from.map(|f| f.to_hex()),
            version: p.version,
            share_path: p
                .share
                .as_ref()
                .map(|s| format!("{}/projects/shared/{s}", crate::middleware::API_BASE)),
            share_slug: p.share,
            views: p.views,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// `{slug}` of a share link.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct ShareSlugPath {
    /// 32 hexadecimal digits.
    #[schemars(regex(pattern = r"^[0-9a-f]{32}$"))]
    pub slug: String,
}
