//! Templates and their versions as the templates context keeps them.

use chrono::{DateTime, Utc};
use stackrush_kernel::{define_id, named_enum};

define_id!(
    /// Identifies one template.
    TemplateId
);
define_id!(
    /// A user, as the templates context knows them.
    MemberId
);

named_enum!(
    /// The language a template is written in (the spec's list).
    Language {
        Javascript => "javascript",
        Typescript => "typescript",
        Html => "html",
        Css => "css",
        React => "react",
        Vue => "vue",
        Angular => "angular",
    }
);

named_enum!(
    /// The framework a template targets (the spec's list); it decides the download's layout.
    Framework {
        React => "React",
        NextJs => "Next.js",
        NodeJs => "Node.js",
        Vue => "Vue",
        Angular => "Angular",
        Express => "Express",
        Vanilla => "Vanilla",
    }
);

named_enum!(
    /// What a template is for (the spec's list).
    Category {
        Algorithm => "algorithm",
        DataStructure => "data-structure",
        WebDev => "web-dev",
        Mobile => "mobile",
        Backend => "backend",
        Devops => "devops",
    }
);

named_enum!(
    /// Who a template is for (the spec's list).
    Difficulty {
        Beginner => "Beginner",
        Intermediate => "Intermediate",
        Advanced => "Advanced",
    }
);

/// A template's code: a page's three parts, or a project's markup, styles and entry script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    pub html: String,
    pub css: String,
    pub js: String,
    pub language: Language,
    pub framework: Framework,
}

impl Code {
    /// The code's size in bytes (what the versions list and `metadata.size` report).
    pub fn size(&self) -> u64 {
        (self.html.len() + self.css.len() + self.js.len()) as u64
    }
}

/// How often a template was starred, downloaded, forked and viewed (kept exact by the store).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    pub stars: u64,
    pub downloads: u64,
    pub forks: u64,
    pub views: u64,
}

/// Where a fork came from: the template and the version it copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    pub template: TemplateId,
    pub version: u32,
}

/// A starter template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub id: TemplateId,
    pub author: MemberId,
    pub title: String,
    pub description: String,
    pub code: Code,
    pub category: Category,
    pub difficulty: Difficulty,
    /// Trimmed, lower-cased, without repeats.
    pub tags: Vec<String>,
    pub features: Vec<String>,
    pub stats: Stats,
    /// The current version's number (the first is 1; every change of the code adds one).
    pub version: u32,
    pub forked_from: Option<Origin>,
    /// The URL of its uploaded thumbnail.
    pub thumbnail: Option<String>,
    /// Private templates are seen by their author only.
    pub is_public: bool,
    /// `false` once deleted (soft: its row and versions stay; it is shown nowhere).
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Template {
    /// Whether `reader` may see it: live, and public or theirs.
    pub fn visible_to(&self, reader: Option<MemberId>) -> bool {
        self.is_active && (self.is_public || reader == Some(self.author))
    }

    /// The template's current version, as stored with it.
    pub fn current_version(&self) -> Version {
        Version {
            template: self.id,
            number: self.version,
            code: self.code.clone(),
            created_at: self.updated_at,
        }
    }

    /// A file-name-safe name from the title: lower-case ASCII letters, digits and dashes.
    pub fn slug(&self) -> String {
        slug(&self.title)
    }
}

/// `title` as lower-case ASCII letters and digits joined by single dashes, at most 60
/// characters; `template` when nothing is left.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 60 {
            break;
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        "template".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// One version of a template's code.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    pub template: TemplateId,
    pub number: u32,
    pub code: Code,
    pub created_at: DateTime<Utc>,
}

/// Which templates a list may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Visibility {
    /// Public ones only.
    #[default]
    Public,
    /// Public and private ones (a member's own list: `author` is set to them).
    All,
}

/// Which live templates a list holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TemplateFilter {
    pub visibility: Visibility,
    pub author: Option<MemberId>,
    pub category: Option<Category>,
    pub framework: Option<Framework>,
    pub difficulty: Option<Difficulty>,
    pub language: Option<Language>,
    /// Normalized like stored tags.
    pub tag: Option<String>,
    /// Matched literally, case-insensitively, in the title and description.
    pub search: Option<String>,
    /// Forks of this template.
    pub forked_from: Option<TemplateId>,
}

/// The order of a template list (ties: newest first, then id).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum TemplateSort {
    #[default]
    Newest,
    Stars,
    Downloads,
    Forks,
}

/// A counter moved by one visit of a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    Downloads,
    Views,
}

/// A star toggle's outcome: whether the member's star is set now, and the count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Starred {
    pub starred: bool,
    pub stars: u64,
}

/// A facet of the public catalogue: a category's or framework's name and how many live public
/// templates carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facet {
    pub name: &'static str,
    pub count: u64,
}

/// The facet a catalogue count groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacetKind {
    Category,
    Framework,
}

/// How a member is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Face {
    pub username: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub avatar: Option<String>,
}

/// Who is acting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub id: MemberId,
    /// Admins may delete others' templates.
    pub is_admin: bool,
}
