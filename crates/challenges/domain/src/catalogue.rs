//! Catalogue files: the whole catalogue (or part of it) exported as the drafts that would
//! recreate it, and bulk imports of such files. An import checks every item and plans every
//! write before it writes anything.

use std::collections::HashMap;

use stackrush_kernel::FieldError;

use crate::model::*;

/// One challenge of a catalogue file.
#[derive(Debug, Clone)]
pub struct CatalogueItem {
    /// Kept when the import creates the challenge.
    pub id: Option<ChallengeId>,
    /// Names the existing challenge an import matches; the title's slug when absent. (A
    /// challenge's stored slug always follows its title.)
    pub slug: Option<String>,
    /// Everything else, test ids included.
    pub draft: ChallengeDraft,
}

impl CatalogueItem {
    /// The slug an import matches on.
    pub fn key(&self) -> String {
        self.slug
            .clone()
            .unwrap_or_else(|| crate::slugify(self.draft.title.trim()))
    }
}

impl From<Challenge> for CatalogueItem {
    fn from(c: Challenge) -> Self {
        CatalogueItem {
            id: Some(c.id),
            slug: Some(c.slug),
            draft: ChallengeDraft {
                title: c.title,
                description: c.description,
                kind: c.kind,
                difficulty: c.difficulty,
                category: c.category,
                tags: c.tags,
                time_limit: c.time_limit,
                content: c.content,
                starter_code: c.code.starter_code,
                test_cases: c
                    .code
                    .test_cases
                    .into_iter()
                    .map(|t| NewTestCase {
                        id: Some(t.id),
                        input: t.input,
                        expected_output: t.expected_output,
                        is_hidden: t.is_hidden,
                        weight: t.weight,
                    })
                    .collect(),
                validation_rules: c.code.validation_rules,
                scenario: c.scenario,
                api: c.api,
                project: c.project,
                is_public: c.is_public,
                is_active: c.is_active,
            },
        }
    }
}

/// Which challenges an export holds (deleted ones never).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CatalogueFilter {
    pub author: Option<AuthorId>,
    pub kind: Option<ChallengeType>,
}

/// How an import treats challenges that exist already (matched by slug).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Check and plan only; write nothing.
    pub dry_run: bool,
    /// Replace the content of existing challenges (their id, author, statistics and creation
    /// time stay); without it they are skipped.
    pub update: bool,
}

/// What an import does (or did) with one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportAction {
    Create,
    Update,
    Skip,
}

impl ImportAction {
    /// `create`, `update` or `skip`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Skip => "skip",
        }
    }
}

/// One item's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportEntry {
    /// Its position in the file (from 0).
    pub index: usize,
    /// The slug it was matched on.
    pub slug: String,
    /// The challenge it created, updated or skipped.
    pub id: ChallengeId,
    pub action: ImportAction,
}

/// What an import did, item by item, in the file's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub dry_run: bool,
    pub entries: Vec<ImportEntry>,
}

impl ImportReport {
    /// How many items got `action`.
    pub fn count(&self, action: ImportAction) -> usize {
        self.entries.iter().filter(|e| e.action == action).count()
    }
}

/// Told after each write of a real import, so a command line can draw a progress bar.
pub trait ImportProgress: Send + Sync {
    /// `done` of `total` items written (skipped ones count as done).
    fn advanced(&self, done: usize, total: usize);
}

/// Nobody watches.
pub struct Quietly;

impl ImportProgress for Quietly {
    fn advanced(&self, _: usize, _: usize) {}
}

/// The most items one import takes.
pub const MAX_IMPORT_ITEMS: usize = 10_000;

/// Slugs as [`crate::slugify`] makes them: 1–80 of `a-z`, `0-9` and single inner dashes.
fn slug_problem(slug: &str) -> Option<&'static str> {
    let valid = !slug.is_empty()
        && slug.len() <= 80
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--");
    (!valid).then_some("must be a slug: lowercase letters and digits joined by single dashes, at most 80 characters")
}

/// Every problem of the file taken by itself (each item's rules, slugs, ids used twice), each
/// named `[index].field`.
pub fn file_problems(items: &[CatalogueItem]) -> Vec<FieldError> {
    problems_at(items.iter().enumerate())
}

/// The same for items that sit at the given places of a file (others could not be read).
pub fn problems_at<'a>(
    items: impl ExactSizeIterator<Item = (usize, &'a CatalogueItem)>,
) -> Vec<FieldError> {
    let mut problems = Vec::new();
    if items.len() > MAX_IMPORT_ITEMS {
        problems.push(FieldError::new(
            "",
            format!("must hold at most {MAX_IMPORT_ITEMS} challenges"),
        ));
        return problems;
    }
    let mut keys: HashMap<String, usize> = HashMap::new();
    let mut ids: HashMap<ChallengeId, usize> = HashMap::new();
    for (i, item) in items {
        if let Err(crate::ChallengeError::Validation(found)) = crate::validate::check(&item.draft) {
            problems.extend(
                found
                    .into_iter()
                    .map(|p| FieldError::new(format!("[{i}].{}", p.field), p.message)),
            );
        }
        if let Some(problem) = item.slug.as_deref().and_then(slug_problem) {
            problems.push(FieldError::new(format!("[{i}].slug"), problem));
        } else if let Some(first) = keys.insert(item.key(), i) {
            problems.push(FieldError::new(
                format!("[{i}].slug"),
                format!("matches the same challenge as item {first}"),
            ));
        }
        if let Some(id) = item.id {
            if let Some(first) = ids.insert(id, i) {
                problems.push(FieldError::new(
                    format!("[{i}]._id"),
                    format!("is also the id of item {first}"),
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::slug_problem;

    #[test]
    fn slugs_follow_slugify() {
        for good in ["two-sum", "a", "fix-the-lru-cache-2"] {
            assert_eq!(slug_problem(good), None, "{good}");
        }
        for bad in [
            "",
            "Two-Sum",
            "-a",
            "a-",
            "a--b",
            "a b",
            "ä",
            &"a".repeat(81),
        ] {
            assert!(slug_problem(bad).is_some(), "{bad:?}");
        }
    }
}
