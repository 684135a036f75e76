//! The template rules over the outbound ports.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use stackrush_kernel::activity::{Activity, Happened};
use stackrush_kernel::image::checked_image;
use stackrush_kernel::text::{line_problem, normalized_tags, tag_problem, text_problem};
use stackrush_kernel::{
    FieldError, Freshness, ObjectIdBytes, Page, PageRequest, ReadMemory, Shared, SharedAnswers,
};

use crate::api::*;
use crate::archive;
use crate::error::TemplateError;
use crate::model::*;
use crate::ports::{Ports, Written};

/// The longest title and description, in characters.
pub const MAX_TITLE_CHARS: usize = 100;
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;
/// The longest HTML, CSS or JavaScript part, in characters.
pub const MAX_CODE_CHARS: usize = 100_000;
/// Tags per template, and characters per tag.
pub const MAX_TAGS: usize = 10;
pub const MAX_TAG_CHARS: usize = 30;
/// Features per template, and characters per feature.
pub const MAX_FEATURES: usize = 10;
pub const MAX_FEATURE_CHARS: usize = 100;
/// The longest literal search text.
pub const MAX_SEARCH_CHARS: usize = 100;
/// How many times an update meeting a concurrent one is tried.
const UPDATE_TRIES: usize = 5;
/// How many list totals are remembered; beyond it the memory starts over.
const TOTALS_CAPACITY: usize = 10_000;
/// How many anonymous list pages are remembered; beyond it the memory starts over.
const PAGES_CAPACITY: usize = 2_000;
/// How long an anonymous list page is answered from memory: its counters (stars, downloads,
/// forks, views) may lag this much behind the store; what a list holds never does (every write
/// here that changes a list forgets the pages).
pub const PAGE_TTL: chrono::Duration = chrono::Duration::seconds(1);

/// An anonymous list page: its filter, order, page number and size.
type PageKey = (TemplateFilter, TemplateSort, u32, u32);

/// The templates service.
///
/// List totals over a large catalogue are counts of many rows: they are remembered per filter,
/// forgotten whenever this service changes what a list holds, and otherwise trusted as the
/// store's [`Freshness`] allows (one second by default, so other instances' templates show
/// within it). Anonymous readers' pages are remembered for [`PAGE_TTL`] and encoded once for
/// all of them ([`SharedAnswers`]).
pub struct TemplateService {
    ports: Ports,
    totals: ReadMemory<TemplateFilter, u64>,
    pages: SharedAnswers<PageKey, Page<TemplateView>>,
}

impl TemplateService {
    /// Tells the event store what `member` did (never fails the action).
    async fn note(&self, member: MemberId, what: Happened) {
        let activity = Activity {
            actor: member.bytes(),
            at: self.ports.clock.now(),
            what,
        };
        self.ports.activity.record(activity).await;
    }

    /// The service over `ports`.
    pub fn new(ports: Ports) -> Self {
        Self {
            ports,
            totals: ReadMemory::new(Freshness::default(), TOTALS_CAPACITY),
            pages: SharedAnswers::new(PAGE_TTL, PAGES_CAPACITY),
        }
    }

    /// Lists may hold something else now.
    fn lists_changed(&self) {
        self.totals.forget_all();
        self.pages.forget_all();
    }

    /// The service as a shared inbound port.
    pub fn into_api(self) -> Arc<dyn TemplatesApi> {
        Arc::new(self)
    }

    async fn writer(&self, caller: Caller) -> Result<(), TemplateError> {
        match self
            .ports
            .members
            .may_write(caller.id)
            .await
            .map_err(TemplateError::Unavailable)?
        {
            Some(true) => Ok(()),
            _ => Err(TemplateError::NotVerified),
        }
    }

    /// The live template `reader` may see.
    async fn visible(
        &self,
        reader: Option<Caller>,
        id: TemplateId,
    ) -> Result<Template, TemplateError> {
        match self.ports.templates.get(id).await? {
            Some(t) if t.visible_to(reader.map(|r| r.id)) => Ok(t),
            _ => Err(TemplateError::NotFound),
        }
    }

    async fn faces(&self, members: &[MemberId]) -> Result<HashMap<MemberId, Face>, TemplateError> {
        let mut distinct = members.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.is_empty() {
            return Ok(HashMap::new());
        }
        self.ports
            .members
            .faces(&distinct)
            .await
            .map_err(TemplateError::Unavailable)
    }

    async fn views(
        &self,
        reader: Option<Caller>,
        templates: Vec<Template>,
    ) -> Result<Vec<TemplateView>, TemplateError> {
        let authors: Vec<MemberId> = templates.iter().map(|t| t.author).collect();
        let ids: Vec<TemplateId> = templates.iter().map(|t| t.id).collect();
        let (faces, starred) = futures::try_join!(self.faces(&authors), async {
            match reader {
                Some(r) if !ids.is_empty() => {
                    Ok(self.ports.templates.starred_among(r.id, &ids).await?)
                }
                _ => Ok(Default::default()),
            }
        })?;
        Ok(templates
            .into_iter()
            .map(|t| TemplateView {
                author: faces.get(&t.author).cloned(),
                starred: starred.contains(&t.id),
                file_count: archive::file_count(&t),
                template: t,
            })
            .collect())
    }

    async fn view(
        &self,
        reader: Option<Caller>,
        t: Template,
    ) -> Result<TemplateView, TemplateError> {
        self.views(reader, vec![t])
            .await?
            .pop()
            .ok_or_else(|| TemplateError::Internal(anyhow::anyhow!("a view went missing")))
    }

    async fn view_page(
        &self,
        reader: Option<Caller>,
        found: Page<Template>,
    ) -> Result<Page<TemplateView>, TemplateError> {
        let Page {
            items,
            request,
            total,
        } = found;
        Ok(Page {
            items: self.views(reader, items).await?,
            request,
            total,
        })
    }

    /// Removes a file no template shows any more; a failure leaves an unreferenced file
    /// (logged), never a broken template.
    async fn discard(&self, url: &str) {
        if let Err(e) = self.ports.files.discard(url).await {
            tracing::warn!(error = %e, "an unused thumbnail could not be removed");
        }
    }

    /// One page of a list, its total from memory when remembered.
    async fn list_page(
        &self,
        filter: &TemplateFilter,
        sort: TemplateSort,
        page: PageRequest,
    ) -> Result<Page<Template>, TemplateError> {
        let now = self.ports.clock.now();
        let known = self.totals.get(filter, now);
        let ticket = self.totals.ticket();
        let found = self.ports.templates.list(filter, sort, page, known).await?;
        if known.is_none() {
            self.totals
                .put(ticket, filter.clone(), found.total, now, None);
        }
        Ok(found)
    }
}

fn check_line(problems: &mut Vec<FieldError>, field: &str, value: &str, max: usize) {
    let problem = if value.trim().is_empty() {
        Some("must not be empty".to_owned())
    } else {
        line_problem(value, max)
    };
    if let Some(p) = problem {
        problems.push(FieldError::new(field, p));
    }
}

fn check_list(
    problems: &mut Vec<FieldError>,
    field: &str,
    items: &[String],
    max_items: usize,
    problem: impl Fn(&str) -> Option<String>,
) {
    if items.len() > max_items {
        problems.push(FieldError::new(
            field,
            format!("must have at most {max_items} items"),
        ));
        return;
    }
    for (i, item) in items.iter().enumerate() {
        if let Some(p) = problem(item) {
            problems.push(FieldError::new(format!("{field}[{i}]"), p));
        }
    }
}

/// The draft trimmed and normalized, or every problem with it.
fn checked(d: TemplateDraft) -> Result<TemplateDraft, TemplateError> {
    // Counted as given, repeats included (what the documented limit says); lengths are
    // checked as sent too (padding counts), emptiness after trimming.
    let given_tags = d.tags.len();
    let long_tags = stackrush_kernel::text::overlong(&d.tags, MAX_TAG_CHARS);
    let (raw_title, raw_description, raw_features) =
        (d.title.clone(), d.description.clone(), d.features.clone());
    let d = TemplateDraft {
        title: d.title.trim().to_owned(),
        description: d.description.trim().to_owned(),
        tags: normalized_tags(d.tags),
        features: d
            .features
            .into_iter()
            .map(|f| f.trim().to_owned())
            .collect(),
        ..d
    };
    let mut problems = Vec::new();
    check_line(&mut problems, "title", &raw_title, MAX_TITLE_CHARS);
    if let Some(p) = text_problem(&raw_description, 1, MAX_DESCRIPTION_CHARS) {
        problems.push(FieldError::new("description", p));
    }
    for (field, part) in [
        ("code.htmlCode", &d.code.html),
        ("code.cssCode", &d.code.css),
        ("code.jsCode", &d.code.js),
    ] {
        if let Some(p) = text_problem(part, 0, MAX_CODE_CHARS) {
            problems.push(FieldError::new(field, p));
        }
    }
    if [&d.code.html, &d.code.css, &d.code.js]
        .iter()
        .all(|part| part.trim().is_empty())
    {
        problems.push(FieldError::new(
            "code",
            "must hold some HTML, CSS or JavaScript",
        ));
    }
    if given_tags > MAX_TAGS {
        problems.push(FieldError::new(
            "metadata.tags",
            format!("must have at most {MAX_TAGS} items"),
        ));
    } else if !long_tags.is_empty() {
        for (i, problem) in long_tags {
            problems.push(FieldError::new(format!("metadata.tags[{i}]"), problem));
        }
    } else {
        check_list(&mut problems, "metadata.tags", &d.tags, MAX_TAGS, |t| {
            tag_problem(t, MAX_TAG_CHARS, "+#.-_")
        });
    }
    check_list(
        &mut problems,
        "metadata.features",
        &raw_features,
        MAX_FEATURES,
        |f| {
            if f.trim().is_empty() {
                Some("must not be empty".to_owned())
            } else {
                line_problem(f, MAX_FEATURE_CHARS)
            }
        },
    );
    if problems.is_empty() {
        Ok(d)
    } else {
        Err(TemplateError::Invalid(problems))
    }
}

/// `t` with `patch` applied (the code as one draft, so every rule applies to the result).
fn patched(t: &Template, patch: &TemplatePatch) -> Result<TemplateDraft, TemplateError> {
    checked(TemplateDraft {
        title: patch.title.clone().unwrap_or_else(|| t.title.clone()),
        description: patch
            .description
            .clone()
            .unwrap_or_else(|| t.description.clone()),
        code: Code {
            html: patch.html.clone().unwrap_or_else(|| t.code.html.clone()),
            css: patch.css.clone().unwrap_or_else(|| t.code.css.clone()),
            js: patch.js.clone().unwrap_or_else(|| t.code.js.clone()),
            language: patch.language.unwrap_or(t.code.language),
            framework: patch.framework.unwrap_or(t.code.framework),
        },
        category: patch.category.unwrap_or(t.category),
        difficulty: patch.difficulty.unwrap_or(t.difficulty),
        tags: patch.tags.clone().unwrap_or_else(|| t.tags.clone()),
        features: patch.features.clone().unwrap_or_else(|| t.features.clone()),
        is_public: patch.is_public.unwrap_or(t.is_public),
    })
}

/// The search text trimmed; `Invalid` past its length or with control characters.
fn checked_filter(mut f: TemplateFilter) -> Result<TemplateFilter, TemplateError> {
    f.search = f
        .search
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    if let Some(p) = f
        .search
        .as_deref()
        .and_then(|s| line_problem(s, MAX_SEARCH_CHARS))
    {
        return Err(TemplateError::invalid("search", &p));
    }
    f.tag = f
        .tag
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty());
    if let Some(p) = f
        .tag
        .as_deref()
        .and_then(|t| tag_problem(t, MAX_TAG_CHARS, "+#.-_"))
    {
        return Err(TemplateError::invalid("tag", &p));
    }
    Ok(f)
}

#[async_trait]
impl TemplatesApi for TemplateService {
    async fn list(
        &self,
        reader: Option<Caller>,
        filter: TemplateFilter,
        sort: TemplateSort,
        page: PageRequest,
    ) -> Result<Arc<Shared<Page<TemplateView>>>, TemplateError> {
        let mut filter = checked_filter(filter)?;
        let own = filter.author.is_some() && filter.author == reader.map(|r| r.id);
        filter.visibility = if own {
            Visibility::All
        } else {
            Visibility::Public
        };
        if reader.is_some() {
            let found = self.list_page(&filter, sort, page).await?;
            return Ok(Shared::new(self.view_page(reader, found).await?));
        }
        let now = self.ports.clock.now();
        let key = (filter.clone(), sort, page.page(), page.limit());
        self.pages
            .answer(key, now, || async move {
                let found = self.list_page(&filter, sort, page).await?;
                self.view_page(None, found).await
            })
            .await
    }

    async fn get(
        &self,
        reader: Option<Caller>,
        id: TemplateId,
    ) -> Result<TemplateView, TemplateError> {
        let mut t = self.visible(reader, id).await?;
        if reader.map(|r| r.id) != Some(t.author) {
            match self.ports.templates.count(id, Counter::Views).await? {
                Some(views) => t.stats.views = views,
                None => return Err(TemplateError::NotFound),
            }
        }
        self.view(reader, t).await
    }

    async fn create(
        &self,
        caller: Caller,
        draft: TemplateDraft,
    ) -> Result<TemplateView, TemplateError> {
        let d = checked(draft)?;
        self.writer(caller).await?;
        let now = self.ports.clock.now();
        let t = Template {
            id: TemplateId::generate(now),
            author: caller.id,
            title: d.title,
            description: d.description,
            code: d.code,
            category: d.category,
            difficulty: d.difficulty,
            tags: d.tags,
            features: d.features,
            stats: Stats::default(),
            version: 1,
            forked_from: None,
            thumbnail: None,
            is_public: d.is_public,
            is_active: true,
            created_at: now,
            updated_at: now,
        };
        self.ports.templates.insert(&t).await?;
        self.lists_changed();
        self.view(Some(caller), t).await
    }

    async fn update(
        &self,
        caller: Caller,
        id: TemplateId,
        patch: TemplatePatch,
    ) -> Result<TemplateView, TemplateError> {
        for _ in 0..UPDATE_TRIES {
            let stored = self.visible(Some(caller), id).await?;
            if stored.author != caller.id {
                return Err(TemplateError::Forbidden);
            }
            let d = patched(&stored, &patch)?;
            let code_changed = d.code != stored.code;
            let t = Template {
                title: d.title,
                description: d.description,
                code: d.code,
                category: d.category,
                difficulty: d.difficulty,
                tags: d.tags,
                features: d.features,
                is_public: d.is_public,
                version: stored.version + u32::from(code_changed),
                updated_at: self.ports.clock.now(),
                ..stored.clone()
            };
            match self.ports.templates.update(&t, stored.version).await? {
                Written::Done => {
                    self.lists_changed();
                    return self.view(Some(caller), t).await;
                }
                Written::Gone => return Err(TemplateError::NotFound),
                Written::Stale => continue,
            }
        }
        Err(TemplateError::Busy)
    }

    async fn delete(&self, caller: Caller, id: TemplateId) -> Result<(), TemplateError> {
        let t = self.visible(Some(caller), id).await?;
        if t.author != caller.id && !caller.is_admin {
            return Err(TemplateError::Forbidden);
        }
        let now = self.ports.clock.now();
        if !self.ports.templates.delete(id, now).await? {
            return Err(TemplateError::NotFound);
        }
        self.lists_changed();
        Ok(())
    }

    async fn star(&self, caller: Caller, id: TemplateId) -> Result<Starred, TemplateError> {
        self.visible(Some(caller), id).await?;
        let now = self.ports.clock.now();
        let starred = self
            .ports
            .templates
            .toggle_star(id, caller.id, now)
            .await?
            .ok_or(TemplateError::NotFound)?;
        if starred.starred {
            self.note(
                caller.id,
                Happened::TemplateStarred {
                    template: id.bytes(),
                },
            )
            .await;
        }
        Ok(starred)
    }

    async fn starred(
        &self,
        caller: Caller,
        page: PageRequest,
    ) -> Result<Page<TemplateView>, TemplateError> {
        let found = self.ports.templates.starred(caller.id, page).await?;
        self.view_page(Some(caller), found).await
    }

    async fn fork(&self, caller: Caller, id: TemplateId) -> Result<TemplateView, TemplateError> {
        let origin = self.visible(Some(caller), id).await?;
        self.writer(caller).await?;
        let now = self.ports.clock.now();
        let fork = Template {
            id: TemplateId::generate(now),
            author: caller.id,
            stats: Stats::default(),
            version: 1,
            forked_from: Some(Origin {
                template: origin.id,
                version: origin.version,
            }),
            // The origin's picture belongs to the origin (it may replace and remove it).
            thumbnail: None,
            is_public: true,
            is_active: true,
            created_at: now,
            updated_at: now,
            ..origin
        };
        if !self.ports.templates.insert_fork(&fork).await? {
            return Err(TemplateError::NotFound);
        }
        self.lists_changed();
        self.note(
            caller.id,
            Happened::TemplateForked {
                template: id.bytes(),
            },
        )
        .await;
        self.view(Some(caller), fork).await
    }

    async fn forks(
        &self,
        reader: Option<Caller>,
        id: TemplateId,
        page: PageRequest,
    ) -> Result<Page<TemplateView>, TemplateError> {
        self.visible(reader, id).await?;
        let filter = TemplateFilter {
            forked_from: Some(id),
            ..TemplateFilter::default()
        };
        let found = self.list_page(&filter, TemplateSort::Newest, page).await?;
        self.view_page(reader, found).await
    }

    async fn versions(
        &self,
        reader: Option<Caller>,
        id: TemplateId,
        page: PageRequest,
    ) -> Result<Page<VersionView>, TemplateError> {
        self.visible(reader, id).await?;
        let found = self.ports.templates.versions(id, page).await?;
        Ok(found.map(|v| VersionView {
            number: v.number,
            created_at: v.created_at,
            size: v.code.size(),
            language: v.code.language,
            framework: v.code.framework,
        }))
    }

    async fn download(
        &self,
        reader: Option<Caller>,
        id: TemplateId,
        held: Vec<String>,
    ) -> Result<Download, TemplateError> {
        let t = self.visible(reader, id).await?;
        let faces = self.faces(&[t.author]).await?;
        let author = faces
            .get(&t.author)
            .map_or("unknown", |f| f.username.as_str());
        let version = t.current_version();
        let archive = archive::build(&archive::Package::of_template(&t, &version, author))
            .map_err(TemplateError::Internal)?;
        if held.iter().any(|tag| *tag == archive.etag || tag == "*") {
            return Ok(Download::Unchanged { etag: archive.etag });
        }
        if self
            .ports
            .templates
            .count(id, Counter::Downloads)
            .await?
            .is_none()
        {
            return Err(TemplateError::NotFound);
        }
        if let Some(reader) = reader {
            self.note(
                reader.id,
                Happened::TemplateDownloaded {
                    template: id.bytes(),
                },
            )
            .await;
        }
        Ok(Download::Fresh(archive))
    }

    async fn set_thumbnail(
        &self,
        caller: Caller,
        id: TemplateId,
        image: Vec<u8>,
    ) -> Result<TemplateView, TemplateError> {
        let kind = checked_image(&image).map_err(|p| TemplateError::invalid("file", &p))?;
        let t = self.visible(Some(caller), id).await?;
        if t.author != caller.id {
            return Err(TemplateError::Forbidden);
        }
        let now = self.ports.clock.now();
        let key = format!(
            "thumbnails/{id}/{}.{}",
            ObjectIdBytes::generate(now.timestamp()).to_hex(),
            kind.extension()
        );
        let url = self
            .ports
            .files
            .store(&key, image)
            .await
            .map_err(TemplateError::Unavailable)?;
        match self.ports.templates.set_thumbnail(id, &url, now).await {
            Ok(Some(previous)) => {
                if let Some(old) = previous {
                    self.discard(&old).await;
                }
                self.lists_changed();
                let t = Template {
                    thumbnail: Some(url),
                    updated_at: now,
                    ..t
                };
                self.view(Some(caller), t).await
            }
            Ok(None) => {
                self.discard(&url).await;
                Err(TemplateError::NotFound)
            }
            Err(e) => {
                self.discard(&url).await;
                Err(e.into())
            }
        }
    }

    async fn facets(&self, kind: FacetKind) -> Result<Vec<Facet>, TemplateError> {
        let counts = self.ports.templates.facets(kind).await?;
        let names: Vec<&'static str> = match kind {
            FacetKind::Category => Category::ALL.iter().map(|c| c.as_str()).collect(),
            FacetKind::Framework => Framework::ALL.iter().map(|f| f.as_str()).collect(),
        };
        Ok(names
            .into_iter()
            .map(|name| Facet {
                name,
                count: counts.get(name).copied().unwrap_or(0),
            })
            .collect())
    }
}
