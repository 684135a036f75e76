//! The challenges service: who may do what, and what each caller sees.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use stackrush_kernel::{FieldError, Freshness, Page, PageRequest, ReadMemory, Recall, Shared};

use crate::catalogue::{
    file_problems, CatalogueFilter, CatalogueItem, ImportAction, ImportEntry, ImportOptions,
    ImportProgress, ImportReport,
};
use crate::error::ChallengeError;
use crate::model::*;
use crate::ports::Ports;
use crate::slug::slugify;
use crate::validate::check;

/// The challenges context's inbound port.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ChallengeApi: Send + Sync {
    /// Creates a challenge authored by the caller (admins and moderators only). The slug comes
    /// from the title. Errors: `InsufficientPermissions`, `Validation`, `SlugTaken`.
    async fn create(
        &self,
        caller: Caller,
        draft: ChallengeDraft,
    ) -> Result<ChallengeView, ChallengeError>;

    /// Replaces the content of a challenge (its author or an admin); stats are kept.
    /// Errors: `NotFound`, `NotAuthor`, `Validation`, `SlugTaken`.
    async fn update(
        &self,
        caller: Caller,
        id: ChallengeId,
        draft: ChallengeDraft,
    ) -> Result<ChallengeView, ChallengeError>;

    /// Soft-deletes a challenge (its author or an admin). Errors: `NotFound`, `NotAuthor`.
    async fn delete(&self, caller: Caller, id: ChallengeId) -> Result<(), ChallengeError>;

    /// One challenge as the caller may see it. Errors: `NotFound` (also for hidden ones).
    async fn get(
        &self,
        caller: Option<Caller>,
        id: ChallengeId,
    ) -> Result<ChallengeView, ChallengeError>;

    /// Same, by slug.
    async fn get_by_slug(
        &self,
        caller: Option<Caller>,
        slug: String,
    ) -> Result<ChallengeView, ChallengeError>;

    /// A filtered, sorted page of the challenges the caller may see. The page may be shared with
    /// other callers who asked the same (see [`Shared`]).
    async fn list(
        &self,
        caller: Option<Caller>,
        filter: ChallengeFilter,
        page: PageRequest,
    ) -> Result<Arc<Shared<Page<ChallengeView>>>, ChallengeError>;

    /// The most popular public challenges.
    async fn popular(
        &self,
        caller: Option<Caller>,
        limit: u32,
    ) -> Result<Vec<ChallengeView>, ChallengeError>;

    /// Public challenges per category.
    async fn categories(&self) -> Result<Vec<(String, u64)>, ChallengeError>;

    /// The whole challenge — solution and hidden expected outputs included — for server-side
    /// scoring, if the caller may see it. Never hand this to the caller. Errors: `NotFound`.
    async fn scoring_view(
        &self,
        caller: Caller,
        id: ChallengeId,
    ) -> Result<Challenge, ChallengeError>;

    /// Statistics of one visible challenge. Errors: `NotFound`.
    async fn stats(
        &self,
        caller: Option<Caller>,
        id: ChallengeId,
    ) -> Result<ChallengeStatsView, ChallengeError>;

    /// The catalogue as the items that recreate it — solutions and hidden tests included, so
    /// admins only — in id order (which is creation order, and which an import keeps); deleted
    /// challenges are left out.
    /// Errors: `InsufficientPermissions`.
    async fn export(
        &self,
        caller: Caller,
        filter: CatalogueFilter,
    ) -> Result<Vec<CatalogueItem>, ChallengeError>;

    /// Imports a catalogue file (admins only): every item is checked and matched by slug
    /// before anything is written; new ones are created by the caller (keeping the ids they
    /// name), existing ones updated or skipped as `options` say. Errors: `Validation` listing
    /// every problem as `[index].field` (nothing written), `InsufficientPermissions`.
    async fn import(
        &self,
        caller: Caller,
        items: Vec<CatalogueItem>,
        options: ImportOptions,
        progress: Arc<dyn ImportProgress>,
    ) -> Result<ImportReport, ChallengeError>;
}

/// The challenge rules over the outbound ports.
///
/// The scoring view (read on every submission and scoring) is remembered: every write of a
/// challenge here forgets it, and otherwise it is trusted as the store's [`Freshness`] allows.
pub struct ChallengeService {
    ports: Ports,
    scoring_views: ReadMemory<ChallengeId, Challenge>,
    pages: ReadMemory<PageKey, Arc<Shared<Page<ChallengeView>>>>,
}

/// The most scoring views remembered at once.
const SCORING_VIEWS: usize = 20_000;

/// Catalogue pages are answered from memory for at most this long: their statistics move with
/// every scoring (written by the scoring context), so even a single server keeps them briefly.
/// Every write of a challenge through this service forgets them all at once. A page that just
/// expired (less than this long ago) is still the answer while one request reads it again.
const PAGE_TTL: chrono::Duration = chrono::Duration::seconds(1);

/// The most catalogue pages remembered at once.
const PAGES: usize = 1_000;

/// What decides a list page: who may see what (and whose drafts), the filters and the page.
type PageKey = (Visibility, ChallengeFilter, PageRequest);

fn may_edit(caller: &Caller, challenge: &Challenge) -> bool {
    caller.is_admin || caller.id == challenge.author
}

fn may_see(caller: Option<&Caller>, challenge: &Challenge) -> bool {
    if challenge.deleted_at.is_some() {
        return false;
    }
    (challenge.is_public && challenge.is_active) || caller.is_some_and(|c| may_edit(c, challenge))
}

/// Who sees what in lists. Only callers who may create challenges can have drafts of their own,
/// so everyone else sees exactly the public catalogue — one shared list for every reader, which
/// the store serves from its indexes and the page memory shares (a demoted author's old drafts
/// stay reachable by id, not in lists).
fn visibility(caller: Option<&Caller>) -> Visibility {
    match caller {
        Some(c) if c.is_admin => Visibility::Everything,
        Some(c) if c.can_create => Visibility::Public {
            also_author: Some(c.id),
        },
        _ => Visibility::Public { also_author: None },
    }
}

fn trimmed(text: &str) -> String {
    text.trim().to_owned()
}

/// Tags are kept lowercase, trimmed and unique, in the order given.
fn normal_tags(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        let tag = tag.trim().to_lowercase();
        if !tag.is_empty() && !out.contains(&tag) {
            out.push(tag);
        }
    }
    out
}

/// Tests that keep their input, output and visibility keep their id (submissions refer to it),
/// unless the author named an id (`named[i]`); each old id goes to one test at most.
fn keep_test_ids(tests: &mut [TestCase], named: &[bool], old: &[TestCase]) {
    let mut taken: std::collections::HashSet<TestCaseId> = tests
        .iter()
        .zip(named)
        .filter(|(_, named)| **named)
        .map(|(t, _)| t.id)
        .collect();
    for (test, _) in tests.iter_mut().zip(named).filter(|(_, named)| !**named) {
        if let Some(o) = old.iter().find(|o| {
            !taken.contains(&o.id)
                && o.input == test.input
                && o.expected_output == test.expected_output
                && o.is_hidden == test.is_hidden
        }) {
            test.id = o.id;
            taken.insert(o.id);
        }
    }
}

impl ChallengeService {
    /// A service over `ports`.
    pub fn new(ports: Ports) -> Self {
        Self {
            ports,
            scoring_views: ReadMemory::new(Freshness::default(), SCORING_VIEWS),
            pages: ReadMemory::new(Freshness::Shared(PAGE_TTL), PAGES),
        }
    }

    /// The same service, trusting remembered scoring views as `freshness` allows.
    pub fn remembering(self, freshness: Freshness) -> Self {
        Self {
            scoring_views: ReadMemory::new(freshness, SCORING_VIEWS),
            ..self
        }
    }

    /// The service as a shared inbound port.
    pub fn into_api(self) -> Arc<dyn ChallengeApi> {
        Arc::new(self)
    }

    async fn visible(
        &self,
        caller: Option<&Caller>,
        found: Option<Challenge>,
    ) -> Result<Challenge, ChallengeError> {
        match found {
            Some(challenge) if may_see(caller, &challenge) => Ok(challenge),
            _ => Err(ChallengeError::NotFound),
        }
    }

    async fn views(
        &self,
        caller: Option<&Caller>,
        challenges: Vec<Challenge>,
    ) -> Result<Vec<ChallengeView>, ChallengeError> {
        let mut ids: Vec<AuthorId> = challenges.iter().map(|c| c.author).collect();
        ids.sort();
        ids.dedup();
        let shown: Vec<ChallengeId> = challenges.iter().map(|c| c.id).collect();
        // Display names and ratings are a nicety: a failure leaves them out, not the list.
        let (authors, ratings) = futures::join!(
            self.ports.authors.summaries(&ids),
            self.ports.ratings.ratings(&shown)
        );
        let authors = authors.unwrap_or_else(|err| {
            tracing::warn!(error = %err, "author directory failed");
            HashMap::new()
        });
        let ratings = ratings.unwrap_or_else(|err| {
            tracing::warn!(error = %err, "challenge ratings failed");
            HashMap::new()
        });
        Ok(challenges
            .into_iter()
            .map(|challenge| {
                let full = caller.is_some_and(|c| may_edit(c, &challenge));
                let author = authors.get(&challenge.author).cloned();
                let ratings = ratings.get(&challenge.id).copied().unwrap_or_default();
                let challenge = if full {
                    challenge
                } else {
                    challenge.redacted()
                };
                ChallengeView {
                    challenge,
                    author,
                    ratings,
                    full,
                }
            })
            .collect())
    }

    async fn view(
        &self,
        caller: Option<&Caller>,
        challenge: Challenge,
    ) -> Result<ChallengeView, ChallengeError> {
        let mut views = self.views(caller, vec![challenge]).await?;
        views.pop().ok_or_else(|| {
            ChallengeError::Internal(anyhow::anyhow!("view of one challenge missing"))
        })
    }

    fn build(
        &self,
        draft: ChallengeDraft,
        base: Option<&Challenge>,
        author: AuthorId,
    ) -> Result<Challenge, ChallengeError> {
        self.build_as(draft, base, author, None)
    }

    /// `existing` with `draft` as its new content: id, author, stats and creation time kept,
    /// and the tests' ids as [`keep_test_ids`] decides.
    fn rebuilt(
        &self,
        draft: ChallengeDraft,
        existing: &Challenge,
    ) -> Result<Challenge, ChallengeError> {
        let named: Vec<bool> = draft.test_cases.iter().map(|t| t.id.is_some()).collect();
        let mut challenge = self.build(draft, Some(existing), existing.author)?;
        keep_test_ids(
            &mut challenge.code.test_cases,
            &named,
            &existing.code.test_cases,
        );
        Ok(challenge)
    }

    /// [`Self::build`] for a new challenge that keeps the id `id` names.
    fn build_as(
        &self,
        draft: ChallengeDraft,
        base: Option<&Challenge>,
        author: AuthorId,
        id: Option<ChallengeId>,
    ) -> Result<Challenge, ChallengeError> {
        check(&draft)?;
        let now = self.ports.clock.now();
        let title = trimmed(&draft.title);
        let test_cases = draft
            .test_cases
            .into_iter()
            .map(|t| TestCase {
                id: t.id.unwrap_or_else(|| TestCaseId::generate(now)),
                input: t.input,
                expected_output: t.expected_output,
                is_hidden: t.is_hidden,
                weight: t.weight,
            })
            .collect();
        Ok(Challenge {
            id: base.map_or_else(
                || id.unwrap_or_else(|| ChallengeId::generate(now)),
                |b| b.id,
            ),
            slug: slugify(&title),
            title,
            description: trimmed(&draft.description),
            kind: draft.kind,
            difficulty: draft.difficulty,
            category: trimmed(&draft.category),
            tags: normal_tags(&draft.tags),
            time_limit: draft.time_limit,
            content: draft.content,
            code: Code {
                starter_code: draft.starter_code,
                test_cases,
                validation_rules: draft.validation_rules,
            },
            scenario: draft.scenario,
            api: draft.api,
            project: draft.project,
            stats: base.map(|b| b.stats.clone()).unwrap_or_default(),
            author,
            is_public: draft.is_public,
            is_active: draft.is_active,
            deleted_at: None,
            created_at: base.map_or(now, |b| b.created_at),
            updated_at: now,
        })
    }

    /// What an import would do with each item, or every problem found against the store
    /// (slugs of deleted challenges, ids of other challenges, titles whose slug is taken).
    async fn plan_import(
        &self,
        items: &[CatalogueItem],
        options: ImportOptions,
    ) -> Result<Vec<(ImportEntry, Option<Challenge>)>, ChallengeError> {
        let mut problems = Vec::new();
        let mut plan = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let slug = item.key();
            let existing = self.ports.challenges.find_by_slug(&slug).await?;
            if existing.as_ref().is_some_and(|c| c.deleted_at.is_some()) {
                problems.push(FieldError::new(
                    format!("[{index}].slug"),
                    "belongs to a deleted challenge",
                ));
                continue;
            }
            if let Some(id) = item.id {
                let holder = self.ports.challenges.find_by_id(id).await?;
                if holder.is_some_and(|h| existing.as_ref().is_none_or(|e| e.id != h.id)) {
                    problems.push(FieldError::new(
                        format!("[{index}]._id"),
                        "is the id of another challenge",
                    ));
                    continue;
                }
            }
            let action = match (&existing, options.update) {
                (None, _) => ImportAction::Create,
                (Some(_), true) => ImportAction::Update,
                (Some(_), false) => ImportAction::Skip,
            };
            if action != ImportAction::Skip {
                let renamed = slugify(item.draft.title.trim());
                if renamed != slug {
                    let holder = self.ports.challenges.find_by_slug(&renamed).await?;
                    if holder.is_some_and(|h| existing.as_ref().is_none_or(|e| e.id != h.id)) {
                        problems.push(FieldError::new(
                            format!("[{index}].title"),
                            format!("gives the slug {renamed:?}, which another challenge has"),
                        ));
                        continue;
                    }
                }
            }
            let id = existing
                .as_ref()
                .map(|c| c.id)
                .or(item.id)
                .unwrap_or_else(|| ChallengeId::generate(self.ports.clock.now()));
            plan.push((
                ImportEntry {
                    index,
                    slug,
                    id,
                    action,
                },
                existing,
            ));
        }
        if problems.is_empty() {
            Ok(plan)
        } else {
            Err(ChallengeError::Validation(problems))
        }
    }

    async fn editable(
        &self,
        caller: &Caller,
        id: ChallengeId,
    ) -> Result<Challenge, ChallengeError> {
        let challenge = match self.ports.challenges.find_by_id(id).await? {
            Some(c) if c.deleted_at.is_none() => c,
            _ => return Err(ChallengeError::NotFound),
        };
        if !may_edit(caller, &challenge) {
            // Someone who cannot see it learns nothing more than "not found".
            return Err(if may_see(Some(caller), &challenge) {
                ChallengeError::NotAuthor
            } else {
                ChallengeError::NotFound
            });
        }
        Ok(challenge)
    }
}

#[async_trait]
impl ChallengeApi for ChallengeService {
    async fn create(
        &self,
        caller: Caller,
        draft: ChallengeDraft,
    ) -> Result<ChallengeView, ChallengeError> {
        if !caller.can_create {
            return Err(ChallengeError::InsufficientPermissions);
        }
        let challenge = self.build(draft, None, caller.id)?;
        let inserted = self.ports.challenges.insert(&challenge).await;
        self.pages.forget_all();
        inserted?;
        tracing::info!(challenge = %challenge.id, slug = %challenge.slug, "challenge created");
        self.view(Some(&caller), challenge).await
    }

    async fn update(
        &self,
        caller: Caller,
        id: ChallengeId,
        draft: ChallengeDraft,
    ) -> Result<ChallengeView, ChallengeError> {
        let existing = self.editable(&caller, id).await?;
        let challenge = self.rebuilt(draft, &existing)?;
        let replaced = self.ports.challenges.replace_content(&challenge).await;
        self.scoring_views.forget(&challenge.id);
        self.pages.forget_all();
        if !replaced? {
            return Err(ChallengeError::NotFound);
        }
        self.view(Some(&caller), challenge).await
    }

    async fn delete(&self, caller: Caller, id: ChallengeId) -> Result<(), ChallengeError> {
        self.editable(&caller, id).await?;
        let deleted = self
            .ports
            .challenges
            .soft_delete(id, self.ports.clock.now())
            .await;
        self.scoring_views.forget(&id);
        self.pages.forget_all();
        if !deleted? {
            return Err(ChallengeError::NotFound);
        }
        tracing::info!(challenge = %id, by = %caller.id, "challenge deleted");
        Ok(())
    }

    async fn get(
        &self,
        caller: Option<Caller>,
        id: ChallengeId,
    ) -> Result<ChallengeView, ChallengeError> {
        let found = self.ports.challenges.find_by_id(id).await?;
        let challenge = self.visible(caller.as_ref(), found).await?;
        self.view(caller.as_ref(), challenge).await
    }

    async fn get_by_slug(
        &self,
        caller: Option<Caller>,
        slug: String,
    ) -> Result<ChallengeView, ChallengeError> {
        let found = self.ports.challenges.find_by_slug(slug.trim()).await?;
        let challenge = self.visible(caller.as_ref(), found).await?;
        self.view(caller.as_ref(), challenge).await
    }

    async fn list(
        &self,
        caller: Option<Caller>,
        mut filter: ChallengeFilter,
        page: PageRequest,
    ) -> Result<Arc<Shared<Page<ChallengeView>>>, ChallengeError> {
        filter.tags = normal_tags(&filter.tags);
        filter.search = filter
            .search
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        // The visibility also decides the views (solutions for admins and a challenge's author).
        let key = (visibility(caller.as_ref()), filter, page);
        let now = self.ports.clock.now();
        let _claim = match self.pages.recall(&key, now, PAGE_TTL) {
            Recall::Fresh(page) => return Ok(page),
            // Just expired: one request reads it again, the others answer with it meanwhile.
            Recall::Stale(page) => match self.pages.claim_refresh(&key) {
                Some(claim) => Some(claim),
                None => return Ok(page),
            },
            Recall::Unknown => None,
        };
        let ticket = self.pages.ticket();
        let found = self.ports.challenges.list(&key.1, key.0, page).await?;
        // The page is shared by everyone with the same key, so it is viewed as the key says:
        // the public catalogue as nobody in particular (no one's full view leaks into it).
        let viewer = match key.0 {
            Visibility::Public { also_author: None } => None,
            _ => caller.as_ref(),
        };
        let items = self.views(viewer, found.items).await?;
        let answer = Shared::new(Page {
            items,
            request: found.request,
            total: found.total,
        });
        // Each page lasts between half the TTL and all of it, so pages read together do not
        // all expire (and get read again) in the same instant.
        let lasts = PAGE_TTL / 2 + PAGE_TTL / 2 * rand::random_range(0..=100) / 100;
        self.pages
            .put(ticket, key, Arc::clone(&answer), now, Some(now + lasts));
        Ok(answer)
    }

    async fn popular(
        &self,
        caller: Option<Caller>,
        limit: u32,
    ) -> Result<Vec<ChallengeView>, ChallengeError> {
        let filter = ChallengeFilter {
            sort: SortKey::Popularity,
            descending: true,
            ..ChallengeFilter::default()
        };
        // Popular lists show the public catalogue only, whoever asks.
        let found = self
            .ports
            .challenges
            .list(
                &filter,
                Visibility::Public { also_author: None },
                PageRequest::new(1, limit),
            )
            .await?;
        self.views(caller.as_ref(), found.items).await
    }

    async fn categories(&self) -> Result<Vec<(String, u64)>, ChallengeError> {
        Ok(self.ports.challenges.category_counts().await?)
    }

    async fn scoring_view(
        &self,
        caller: Caller,
        id: ChallengeId,
    ) -> Result<Challenge, ChallengeError> {
        let now = self.ports.clock.now();
        let found = match self.scoring_views.get(&id, now) {
            Some(remembered) => Some(remembered),
            None => {
                let ticket = self.scoring_views.ticket();
                let found = self.ports.challenges.find_by_id(id).await?;
                if let Some(c) = &found {
                    self.scoring_views.put(ticket, id, c.clone(), now, None);
                }
                found
            }
        };
        self.visible(Some(&caller), found).await
    }

    async fn stats(
        &self,
        caller: Option<Caller>,
        id: ChallengeId,
    ) -> Result<ChallengeStatsView, ChallengeError> {
        let found = self.ports.challenges.find_by_id(id).await?;
        let challenge = self.visible(caller.as_ref(), found).await?;
        let ratings = self
            .ports
            .ratings
            .ratings(&[id])
            .await
            .map_err(ChallengeError::Unavailable)?
            .remove(&id)
            .unwrap_or_default();
        Ok(ChallengeStatsView {
            ratings,
            ..challenge.stats_view()
        })
    }

    async fn export(
        &self,
        caller: Caller,
        filter: CatalogueFilter,
    ) -> Result<Vec<CatalogueItem>, ChallengeError> {
        if !caller.is_admin {
            return Err(ChallengeError::InsufficientPermissions);
        }
        let filter = ChallengeFilter {
            kind: filter.kind,
            author: filter.author,
            sort: SortKey::CreatedAt,
            descending: false,
            ..ChallengeFilter::default()
        };
        let mut items = Vec::new();
        for page in 1.. {
            let found = self
                .ports
                .challenges
                .list(
                    &filter,
                    Visibility::Everything,
                    PageRequest::new(page, EXPORT_PAGE),
                )
                .await?;
            let last = found.items.len() < EXPORT_PAGE as usize;
            items.extend(found.items.into_iter().map(CatalogueItem::from));
            if last {
                break;
            }
        }
        // Ids carry their creation time and survive an import, so this order does too.
        items.sort_by_key(|item| item.id);
        Ok(items)
    }

    async fn import(
        &self,
        caller: Caller,
        items: Vec<CatalogueItem>,
        options: ImportOptions,
        progress: Arc<dyn ImportProgress>,
    ) -> Result<ImportReport, ChallengeError> {
        if !caller.is_admin {
            return Err(ChallengeError::InsufficientPermissions);
        }
        let problems = file_problems(&items);
        if !problems.is_empty() {
            return Err(ChallengeError::Validation(problems));
        }
        let plan = self.plan_import(&items, options).await?;
        let mut report = ImportReport {
            dry_run: options.dry_run,
            entries: Vec::with_capacity(plan.len()),
        };
        if options.dry_run {
            report.entries = plan.into_iter().map(|(entry, _)| entry).collect();
            return Ok(report);
        }
        let total = plan.len();
        for ((entry, existing), item) in plan.into_iter().zip(items) {
            let written = match (entry.action, existing) {
                (ImportAction::Skip, _) => Ok(()),
                (ImportAction::Update, Some(existing)) => {
                    let challenge = self.rebuilt(item.draft, &existing)?;
                    self.scoring_views.forget(&challenge.id);
                    self.ports
                        .challenges
                        .replace_content(&challenge)
                        .await
                        .map(|_| ())
                }
                (_, _) => {
                    let challenge = self.build_as(item.draft, None, caller.id, Some(entry.id))?;
                    self.ports.challenges.insert(&challenge).await
                }
            };
            if let Err(err) = written {
                self.pages.forget_all();
                tracing::warn!(index = entry.index, slug = %entry.slug, error = %err, "import stopped");
                return Err(match ChallengeError::from(err) {
                    ChallengeError::SlugTaken => ChallengeError::Validation(vec![FieldError::new(
                        format!("[{}].title", entry.index),
                        "gives a slug another challenge took meanwhile",
                    )]),
                    other => other,
                });
            }
            report.entries.push(entry);
            progress.advanced(report.entries.len(), total);
        }
        self.pages.forget_all();
        tracing::info!(
            created = report.count(ImportAction::Create),
            updated = report.count(ImportAction::Update),
            skipped = report.count(ImportAction::Skip),
            by = %caller.id,
            "catalogue imported"
        );
        Ok(report)
    }
}

/// Reads a catalogue in pages of this many.
const EXPORT_PAGE: u32 = 100;

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
