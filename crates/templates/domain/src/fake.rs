//! An in-memory implementation of the templates store port.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use stackrush_kernel::{Page, PageRequest, StoreError};

use crate::model::*;
use crate::ports::{TemplateRepository, Written};
use crate::project::*;

#[derive(Debug, Default)]
struct State {
    templates: Vec<Template>,
    versions: Vec<Version>,
    /// (template, member) → when starred.
    stars: HashMap<(TemplateId, MemberId), DateTime<Utc>>,
}

/// Templates, versions and stars in vectors and a map.
#[derive(Debug, Default)]
pub struct InMemoryTemplates {
    state: Mutex<State>,
}

impl InMemoryTemplates {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn matches(t: &Template, f: &TemplateFilter) -> bool {
    let needle = f.search.as_deref().map(str::to_lowercase);
    t.is_active
        && (f.visibility == Visibility::All || t.is_public)
        && f.author.is_none_or(|a| t.author == a)
        && f.category.is_none_or(|c| t.category == c)
        && f.framework.is_none_or(|fw| t.code.framework == fw)
        && f.difficulty.is_none_or(|d| t.difficulty == d)
        && f.language.is_none_or(|l| t.code.language == l)
        && f.tag.as_ref().is_none_or(|tag| t.tags.contains(tag))
        && f.forked_from
            .is_none_or(|o| t.forked_from.map(|x| x.template) == Some(o))
        && needle.as_deref().is_none_or(|n| {
            t.title.to_lowercase().contains(n) || t.description.to_lowercase().contains(n)
        })
}

fn newest_first(a: &Template, b: &Template) -> std::cmp::Ordering {
    b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id))
}

#[async_trait]
impl TemplateRepository for InMemoryTemplates {
    async fn insert(&self, t: &Template) -> Result<(), StoreError> {
        let mut state = self.state();
        state.versions.push(t.current_version());
        state.templates.push(t.clone());
        Ok(())
    }

    async fn get(&self, id: TemplateId) -> Result<Option<Template>, StoreError> {
        Ok(self.state().templates.iter().find(|t| t.id == id).cloned())
    }

    async fn update(&self, t: &Template, based_on: u32) -> Result<Written, StoreError> {
        let mut state = self.state();
        let Some(stored) = state
            .templates
            .iter_mut()
            .find(|s| s.id == t.id && s.is_active)
        else {
            return Ok(Written::Gone);
        };
        if stored.version != based_on {
            return Ok(Written::Stale);
        }
        *stored = Template {
            stats: stored.stats,
            author: stored.author,
            forked_from: stored.forked_from,
            thumbnail: stored.thumbnail.clone(),
            created_at: stored.created_at,
            ..t.clone()
        };
        if t.version > based_on {
            state.versions.push(t.current_version());
        }
        Ok(Written::Done)
    }

    async fn delete(&self, id: TemplateId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut state = self.state();
        match state
            .templates
            .iter_mut()
            .find(|t| t.id == id && t.is_active)
        {
            Some(t) => {
                t.is_active = false;
                t.updated_at = at;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn list(
        &self,
        filter: &TemplateFilter,
        sort: TemplateSort,
        page: PageRequest,
        known_total: Option<u64>,
    ) -> Result<Page<Template>, StoreError> {
        let mut all: Vec<Template> = self
            .state()
            .templates
            .iter()
            .filter(|t| matches(t, filter))
            .cloned()
            .collect();
        let key = |t: &Template| match sort {
            TemplateSort::Newest => 0,
            TemplateSort::Stars => t.stats.stars,
            TemplateSort::Downloads => t.stats.downloads,
            TemplateSort::Forks => t.stats.forks,
        };
        all.sort_by(|a, b| key(b).cmp(&key(a)).then_with(|| newest_first(a, b)));
        let mut found = Page::slice(all, page);
        if let Some(total) = known_total {
            found.total = total;
        }
        Ok(found)
    }

    async fn versions(
        &self,
        template: TemplateId,
        page: PageRequest,
    ) -> Result<Page<Version>, StoreError> {
        let mut all: Vec<Version> = self
            .state()
            .versions
            .iter()
            .filter(|v| v.template == template)
            .cloned()
            .collect();
        all.sort_by_key(|v| std::cmp::Reverse(v.number));
        Ok(Page::slice(all, page))
    }

    async fn insert_fork(&self, fork: &Template) -> Result<bool, StoreError> {
        let Some(origin) = fork.forked_from else {
            return Ok(false);
        };
        let mut state = self.state();
        let Some(o) = state
            .templates
            .iter_mut()
            .find(|t| t.id == origin.template && t.is_active)
        else {
            return Ok(false);
        };
        o.stats.forks += 1;
        state.versions.push(fork.current_version());
        state.templates.push(fork.clone());
        Ok(true)
    }

    async fn toggle_star(
        &self,
        template: TemplateId,
        member: MemberId,
        at: DateTime<Utc>,
    ) -> Result<Option<Starred>, StoreError> {
        let mut state = self.state();
        if !state
            .templates
            .iter()
            .any(|t| t.id == template && t.is_active)
        {
            return Ok(None);
        }
        let starred = state.stars.remove(&(template, member)).is_none();
        if starred {
            state.stars.insert((template, member), at);
        }
        let t = state
            .templates
            .iter_mut()
            .find(|t| t.id == template)
            .ok_or_else(|| StoreError::Other(anyhow::anyhow!("template vanished")))?;
        t.stats.stars = if starred {
            t.stats.stars + 1
        } else {
            t.stats.stars.saturating_sub(1)
        };
        Ok(Some(Starred {
            starred,
            stars: t.stats.stars,
        }))
    }

    async fn starred_among(
        &self,
        member: MemberId,
        templates: &[TemplateId],
    ) -> Result<HashSet<TemplateId>, StoreError> {
        let state = self.state();
        Ok(templates
            .iter()
            .copied()
            .filter(|t| state.stars.contains_key(&(*t, member)))
            .collect())
    }

    async fn starred(
        &self,
        member: MemberId,
        page: PageRequest,
    ) -> Result<Page<Template>, StoreError> {
        let state = self.state();
        let mut mine: Vec<(DateTime<Utc>, Template)> = state
            .stars
            .iter()
            .filter(|((_, m), _)| *m == member)
            .filter_map(|((t, _), at)| {
                let t = state.templates.iter().find(|x| x.id == *t)?;
                t.visible_to(Some(member)).then(|| (*at, t.clone()))
            })
            .collect();
        mine.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.id.cmp(&a.1.id)));
        Ok(Page::slice(
            mine.into_iter().map(|(_, t)| t).collect(),
            page,
        ))
    }

    async fn set_thumbnail(
        &self,
        template: TemplateId,
        url: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<Option<String>>, StoreError> {
        let mut state = self.state();
        Ok(state
            .templates
            .iter_mut()
            .find(|t| t.id == template && t.is_active)
            .map(|t| {
                t.updated_at = at;
                t.thumbnail.replace(url.to_owned())
            }))
    }

    async fn count(
        &self,
        template: TemplateId,
        counter: Counter,
    ) -> Result<Option<u64>, StoreError> {
        let mut state = self.state();
        Ok(state
            .templates
            .iter_mut()
            .find(|t| t.id == template && t.is_active)
            .map(|t| {
                let n = match counter {
                    Counter::Downloads => &mut t.stats.downloads,
                    Counter::Views => &mut t.stats.views,
                };
                *n += 1;
                *n
            }))
    }

    async fn facets(&self, kind: FacetKind) -> Result<HashMap<String, u64>, StoreError> {
        let mut counts = HashMap::new();
        for t in self
            .state()
            .templates
            .iter()
            .filter(|t| t.is_active && t.is_public)
        {
            let name = match kind {
                FacetKind::Category => t.category.as_str(),
                FacetKind::Framework => t.code.framework.as_str(),
            };
            *counts.entry(name.to_owned()).or_insert(0) += 1;
        }
        Ok(counts)
    }
}

/// Projects in a vector.
#[derive(Debug, Default)]
pub struct InMemoryProjects {
    projects: Mutex<Vec<Project>>,
}

impl InMemoryProjects {
    fn projects(&self) -> std::sync::MutexGuard<'_, Vec<Project>> {
        self.projects.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl ProjectRepository for InMemoryProjects {
    async fn insert(&self, project: &Project) -> Result<(), StoreError> {
        self.projects().push(project.clone());
        Ok(())
    }

    async fn get(&self, id: ProjectId) -> Result<Option<Project>, StoreError> {
        Ok(self.projects().iter().find(|p| p.id == id).cloned())
    }

    async fn shared(&self, slug: &str) -> Result<Option<Project>, StoreError> {
        Ok(self
            .projects()
            .iter()
            .find(|p| p.is_active && p.share.as_deref() == Some(slug))
            .cloned())
    }

    async fn update(&self, project: &Project, based_on: u32) -> Result<Written, StoreError> {
        let mut projects = self.projects();
        let Some(stored) = projects
            .iter_mut()
            .find(|p| p.id == project.id && p.is_active)
        else {
            return Ok(Written::Gone);
        };
        if stored.version != based_on {
            return Ok(Written::Stale);
        }
        stored.title = project.title.clone();
        stored.code = project.code.clone();
        stored.version = project.version;
        stored.updated_at = project.updated_at;
        Ok(Written::Done)
    }

    async fn delete(&self, id: ProjectId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut projects = self.projects();
        match projects.iter_mut().find(|p| p.id == id && p.is_active) {
            Some(p) => {
                p.is_active = false;
                p.share = None;
                p.updated_at = at;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn list(&self, owner: MemberId, page: PageRequest) -> Result<Page<Project>, StoreError> {
        let mut mine: Vec<Project> = self
            .projects()
            .iter()
            .filter(|p| p.is_active && p.owner == owner)
            .cloned()
            .collect();
        mine.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id)));
        Ok(Page::slice(mine, page))
    }

    async fn share(&self, id: ProjectId, slug: &str) -> Result<Option<String>, StoreError> {
        let mut projects = self.projects();
        Ok(projects
            .iter_mut()
            .find(|p| p.id == id && p.is_active)
            .map(|p| p.share.get_or_insert_with(|| slug.to_owned()).clone()))
    }

    async fn unshare(&self, id: ProjectId) -> Result<bool, StoreError> {
        let mut projects = self.projects();
        match projects.iter_mut().find(|p| p.id == id && p.is_active) {
            Some(p) => {
                p.share = None;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn count_view(&self, slug: &str) -> Result<Option<u64>, StoreError> {
        let mut projects = self.projects();
        Ok(projects
            .iter_mut()
            .find(|p| p.is_active && p.share.as_deref() == Some(slug))
            .map(|p| {
                p.views += 1;
                p.views
            }))
    }
}
