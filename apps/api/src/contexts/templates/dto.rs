//! Template bodies, queries and documents, in the shape of the spec's Templates collection.

use apistos::{ApiComponent, JsonSchema};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use stackrush_templates as tp;

use crate::contexts::challenges::dto::{AuthorDto, AuthorProfileDto};
use crate::http::mirrored_enum;
use crate::http::patterns::{LINE, LINE_FILLED, TEXT, TEXT_FILLED};

mirrored_enum!(
    /// The language a template is written in.
    TemplateLanguageDto => tp::Language {
        Javascript = "javascript",
        Typescript = "typescript",
        Html = "html",
        Css = "css",
        React = "react",
        Vue = "vue",
        Angular = "angular",
    }
);

mirrored_enum!(
    /// The framework a template targets; it decides the download's layout.
    TemplateFrameworkDto => tp::Framework {
        React = "React",
        NextJs = "Next.js",
        NodeJs = "Node.js",
        Vue = "Vue",
        Angular = "Angular",
        Express = "Express",
        Vanilla = "Vanilla",
    }
);

mirrored_enum!(
    /// What a template is for.
    TemplateCategoryDto => tp::Category {
        Algorithm = "algorithm",
        DataStructure = "data-structure",
        WebDev = "web-dev",
        Mobile = "mobile",
        Backend = "backend",
        Devops = "devops",
    }
);

mirrored_enum!(
    /// Who a template is for.
    TemplateDifficultyDto => tp::Difficulty {
        Beginner = "Beginner",
        Intermediate = "Intermediate",
        Advanced = "Advanced",
    }
);

/// A template's code as written.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct CodeRequest {
    #[serde(default)]
    #[schemars(length(max = 100000), regex(pattern = TEXT))]
    pub html_code: String,
    #[serde(default)]
    #[schemars(length(max = 100000), regex(pattern = TEXT))]
    pub css_code: String,
    #[serde(default)]
    #[schemars(length(max = 100000), regex(pattern = TEXT))]
    pub js_code: String,
    pub language: TemplateLanguageDto,
    pub framework: TemplateFrameworkDto,
}

/// What a template is for and who it is for.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct MetadataRequest {
    pub category: TemplateCategoryDto,
    pub difficulty: TemplateDifficultyDto,
    /// Stored trimmed, lower-cased, without repeats.
    #[serde(default)]
    #[schemars(
        length(max = 10),
        inner(length(min = 1, max = 30), regex(pattern = r"^\s*[\w+#.-]+\s*$"))
    )]
    pub tags: Vec<String>,
    #[serde(default)]
    #[schemars(length(max = 10), inner(length(min = 1, max = 100), regex(pattern = LINE_FILLED)))]
    pub features: Vec<String>,
}

/// A new template (verified members). Some HTML, CSS or JavaScript is required.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct CreateTemplateRequest {
    #[schemars(length(min = 1, max = 100), regex(pattern = LINE_FILLED))]
    pub title: String,
    #[schemars(length(min = 1, max = 2000), regex(pattern = TEXT_FILLED))]
    pub description: String,
    pub code: CodeRequest,
    pub metadata: MetadataRequest,
    /// Private templates are seen by their author only (default: public).
    #[serde(default)]
    pub is_public: Option<bool>,
}

impl From<CreateTemplateRequest> for tp::TemplateDraft {
    fn from(r: CreateTemplateRequest) -> Self {
        Self {
            title: r.title,
            description: r.description,
            code: tp::Code {
                html: r.code.html_code,
                css: r.code.css_code,
                js: r.code.js_code,
                language: r.code.language.into(),
                framework: r.code.framework.into(),
            },
            category: r.metadata.category.into(),
            difficulty: r.metadata.difficulty.into(),
            tags: r.metadata.tags,
            features: r.metadata.features,
            is_public: r.is_public.unwrap_or(true),
        }
    }
}

/// Code changes; a change makes a new version.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct CodePatch {
    #[schemars(length(max = 100000), regex(pattern = TEXT))]
    pub html_code: Option<String>,
    #[schemars(length(max = 100000), regex(pattern = TEXT))]
    pub css_code: Option<String>,
    #[schemars(length(max = 100000), regex(pattern = TEXT))]
    pub js_code: Option<String>,
    pub language: Option<TemplateLanguageDto>,
    pub framework: Option<TemplateFrameworkDto>,
}

/// Metadata changes.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct MetadataPatch {
    pub category: Option<TemplateCategoryDto>,
    pub difficulty: Option<TemplateDifficultyDto>,
    #[schemars(
        length(max = 10),
        inner(length(min = 1, max = 30), regex(pattern = r"^\s*[\w+#.-]+\s*$"))
    )]
    pub tags: Option<Vec<String>>,
    #[schemars(length(max = 10), inner(length(min = 1, max = 100), regex(pattern = LINE_FILLED)))]
    pub features: Option<Vec<String>>,
}

/// The author's changes; fields left out keep their value.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct UpdateTemplateRequest {
    #[schemars(length(min = 1, max = 100), regex(pattern = LINE_FILLED))]
    pub title: Option<String>,
    #[schemars(length(min = 1, max = 2000), regex(pattern = TEXT_FILLED))]
    pub description: Option<String>,
    pub code: Option<CodePatch>,
    pub metadata: Option<MetadataPatch>,
    pub is_public: Option<bool>,
}

impl From<UpdateTemplateRequest> for tp::TemplatePatch {
    fn from(r: UpdateTemplateRequest) -> Self {
        let code = r.code.unwrap_or_default();
        let meta = r.metadata.unwrap_or_default();
        Self {
            title: r.title,
            description: r.description,
            html: code.html_code,
            css: code.css_code,
            js: code.js_code,
            language: code.language.map(Into::into),
            framework: code.framework.map(Into::into),
            category: meta.category.map(Into::into),
            difficulty: meta.difficulty.map(Into::into),
            tags: meta.tags,
            features: meta.features,
            is_public: r.is_public,
        }
    }
}

/// The order of a template list.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum TemplateSortDto {
    /// Newest first (default).
    Newest,
    Stars,
    Downloads,
    Forks,
}

/// Filters, order and page of `GET /templates` (the web client sends `limit`, `category`,
/// `framework`, `difficulty` and `search`).
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct TemplatesQuery {
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub page: Option<u32>,
    /// Clamped to 100.
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub limit: Option<u32>,
    #[serde(default)]
    #[schemars(with = "TemplateCategoryDto")]
    pub category: Option<TemplateCategoryDto>,
    #[serde(default)]
    #[schemars(with = "TemplateFrameworkDto")]
    pub framework: Option<TemplateFrameworkDto>,
    #[serde(default)]
    #[schemars(with = "TemplateDifficultyDto")]
    pub difficulty: Option<TemplateDifficultyDto>,
    #[serde(default)]
    #[schemars(with = "TemplateLanguageDto")]
    pub language: Option<TemplateLanguageDto>,
    #[schemars(length(max = 30), regex(pattern = r"^\s*[\w+#.-]*\s*$"))]
    pub tag: Option<String>,
    /// Matched literally (case-insensitively) in titles and descriptions.
    #[schemars(length(max = 100), regex(pattern = LINE))]
    pub search: Option<String>,
    /// One author's templates (all of them, private ones too, when it is the caller).
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub author: Option<String>,
    #[serde(default)]
    #[schemars(with = "TemplateSortDto")]
    pub sort: Option<TemplateSortDto>,
}

impl TemplatesQuery {
    /// The filter asked for.
    pub fn filter(&self) -> Result<tp::TemplateFilter, crate::error::ApiError> {
        let author = match &self.author {
            Some(a) => Some(a.parse().map_err(|_| {
                crate::error::ApiError::invalid_query("author", "must be 24 hexadecimal characters")
            })?),
            None => None,
        };
        crate::http::max_chars("search", self.search.as_deref(), 100)?;
        crate::http::max_chars("tag", self.tag.as_deref(), 30)?;
        Ok(tp::TemplateFilter {
            author,
            category: self.category.map(Into::into),
            framework: self.framework.map(Into::into),
            difficulty: self.difficulty.map(Into::into),
            language: self.language.map(Into::into),
            tag: self.tag.clone(),
            search: self.search.clone(),
            ..tp::TemplateFilter::default()
        })
    }

    /// The order asked for (newest first when none).
    pub fn sort(&self) -> tp::TemplateSort {
        match self.sort {
            None | Some(TemplateSortDto::Newest) => tp::TemplateSort::Newest,
            Some(TemplateSortDto::Stars) => tp::TemplateSort::Stars,
            Some(TemplateSortDto::Downloads) => tp::TemplateSort::Downloads,
            Some(TemplateSortDto::Forks) => tp::TemplateSort::Forks,
        }
    }
}

/// A template's code as returned.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct TemplateCodeDto {
    pub html_code: String,
    pub css_code: String,
    pub js_code: String,
    pub language: TemplateLanguageDto,
    pub framework: TemplateFrameworkDto,
}

/// A template's metadata as returned.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct TemplateMetadataDto {
    pub category: TemplateCategoryDto,
    pub difficulty: TemplateDifficultyDto,
    pub tags: Vec<String>,
    pub features: Vec<String>,
    /// How many files the download holds.
    pub file_count: u64,
    /// The code's size, readable ("2.4 KB").
    pub size: String,
    /// The code's size in bytes.
    pub size_bytes: u64,
}

/// How often a template was starred, downloaded, forked and viewed.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct TemplateStatsDto {
    pub stars: u64,
    pub downloads: u64,
    pub forks: u64,
    pub views: u64,
}

/// The template and version a fork was copied from.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct ForkedFromDto {
    pub template: String,
    pub version: u32,
}

/// A template as returned.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct TemplateDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub title: String,
    pub description: String,
    /// The download's file name stem.
    pub slug: String,
    /// Always present (`username` is "[deleted]" once the account is gone).
    pub author: AuthorDto,
    pub code: TemplateCodeDto,
    pub metadata: TemplateMetadataDto,
    pub stats: TemplateStatsDto,
    /// The current version's number.
    pub version: u32,
    pub forked_from: Option<ForkedFromDto>,
    /// The uploaded thumbnail's URL.
    pub thumbnail: Option<String>,
    pub is_public: bool,
    pub is_active: bool,
    /// Whether the caller starred it.
    pub is_starred: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `bytes` as a short readable size.
pub fn readable_size(bytes: u64) -> String {
    match bytes {
        0..=1023 => format!("{bytes} B"),
        1024..=1_048_575 => format!("{:.1} KB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MB", bytes as f64 / 1_048_576.0),
    }
}

/// A member as shown beside their template or project; "[deleted]" once the account is gone.
pub fn author(id: tp::MemberId, face: Option<tp::Face>) -> AuthorDto {
    let face = face.unwrap_or_else(|| tp::Face {
        username: "[deleted]".to_owned(),
        first_name: None,
        last_name: None,
        avatar: None,
    });
    AuthorDto {
        id: id.to_hex(),
        username: face.username,
        profile: AuthorProfileDto {
            first_name: face.first_name,
            last_name: face.last_name,
            avatar: face.avatar,
        },
    }
}

impl From<tp::Code> for TemplateCodeDto {
    fn from(c: tp::Code) -> Self {
        Self {
            html_code: c.html,
            css_code: c.css,
            js_code: c.js,
            language: c.language.into(),
            framework: c.framework.into(),
        }
    }
}

impl From<tp::TemplateView> for TemplateDto {
    fn from(v: tp::TemplateView) -> Self {
        let t = v.template;
        let size = t.code.size();
        Self {
            id: t.id.to_hex(),
            slug: t.slug(),
            title: t.title,
            description: t.description,
            author: author(t.author, v.author),
            code: t.code.into(),
            metadata: TemplateMetadataDto {
                category: t.category.into(),
                difficulty: t.difficulty.into(),
                tags: t.tags,
                features: t.features,
                file_count: v.file_count as u64,
                size: readable_size(size),
                size_bytes: size,
            },
            stats: TemplateStatsDto {
                stars: t.stats.stars,
                downloads: t.stats.downloads,
                forks: t.stats.forks,
                views: t.stats.views,
            },
            version: t.version,
            forked_from: t.forked_from.map(|o| ForkedFromDto {
                template: o.template.to_hex(),
                version: o.version,
            }),
            thumbnail: t.thumbnail,
            is_public: t.is_public,
            is_active: t.is_active,
            is_starred: v.starred,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// One version of a template's code.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct VersionDto {
    pub version: u32,
    pub created_at: DateTime<Utc>,
    /// The code's size in bytes.
    pub size: u64,
    pub language: TemplateLanguageDto,
    pub framework: TemplateFrameworkDto,
}

impl From<tp::VersionView> for VersionDto {
    fn from(v: tp::VersionView) -> Self {
        Self {
            version: v.number,
            created_at: v.created_at,
            size: v.size,
            language: v.language.into(),
            framework: v.framework.into(),
        }
    }
}

/// A star toggle's outcome.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct StarDto {
    /// Whether the caller's star is set now.
    pub starred: bool,
    pub stars: u64,
}

/// A category or framework and how many public templates carry it.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct FacetDto {
    pub name: String,
    pub count: u64,
}

impl From<tp::Download> for crate::download::ZipDownload {
    fn from(d: tp::Download) -> Self {
        match d {
            tp::Download::Fresh(a) => Self::File {
                filename: a.filename,
                etag: a.etag,
                bytes: a.bytes,
            },
            tp::Download::Unchanged { etag } => Self::Unchanged { etag },
        }
    }
}
