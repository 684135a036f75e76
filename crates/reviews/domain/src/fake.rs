//! An in-memory implementation of the reviews store port.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use stackrush_kernel::{Page, PageRequest, StoreError};

use crate::model::*;
use crate::ports::ReviewRepository;

#[derive(Debug, Default)]
struct State {
    reviews: Vec<Review>,
    replies: Vec<Reply>,
    marks: HashSet<(Helpful, MemberId)>,
}

/// Reviews, replies and marks in vectors and a set; summaries computed from the live reviews.
#[derive(Debug, Default)]
pub struct InMemoryReviews {
    state: Mutex<State>,
}

impl InMemoryReviews {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn page_of<T: Clone>(items: &[T], page: PageRequest) -> Page<T> {
    let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
    let limit = usize::try_from(page.limit()).unwrap_or(usize::MAX);
    Page {
        items: items.iter().skip(offset).take(limit).cloned().collect(),
        request: page,
        total: items.len() as u64,
    }
}

fn matches(r: &Review, f: &ReviewFilter) -> bool {
    r.is_active
        && f.challenge.is_none_or(|c| r.challenge == c)
        && f.author.is_none_or(|a| r.author == a)
        && f.rating.is_none_or(|n| r.rating == n)
        && f.tag.as_ref().is_none_or(|t| r.tags.contains(t))
}

#[async_trait]
impl ReviewRepository for InMemoryReviews {
    async fn insert(&self, review: &Review) -> Result<bool, StoreError> {
        let mut state = self.state();
        let taken = state
            .reviews
            .iter()
            .any(|r| r.is_active && r.author == review.author && r.challenge == review.challenge);
        if taken {
            return Ok(false);
        }
        state.reviews.push(review.clone());
        Ok(true)
    }

    async fn get(&self, id: ReviewId) -> Result<Option<Review>, StoreError> {
        Ok(self.state().reviews.iter().find(|r| r.id == id).cloned())
    }

    async fn update(&self, review: &Review) -> Result<bool, StoreError> {
        let mut state = self.state();
        match state
            .reviews
            .iter_mut()
            .find(|r| r.id == review.id && r.is_active)
        {
            Some(r) => {
                r.rating = review.rating;
                r.title.clone_from(&review.title);
                r.content.clone_from(&review.content);
                r.tags.clone_from(&review.tags);
                r.updated_at = review.updated_at;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn delete(&self, id: ReviewId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut state = self.state();
        match state.reviews.iter_mut().find(|r| r.id == id && r.is_active) {
            Some(r) => {
                r.is_active = false;
                r.updated_at = at;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn list(
        &self,
        filter: &ReviewFilter,
        sort: ReviewSort,
        page: PageRequest,
    ) -> Result<Page<Review>, StoreError> {
        let mut found: Vec<Review> = self
            .state()
            .reviews
            .iter()
            .filter(|r| matches(r, filter))
            .cloned()
            .collect();
        found.sort_by(|a, b| {
            let first = match sort {
                ReviewSort::Helpful => b.helpful.cmp(&a.helpful),
                ReviewSort::Newest => std::cmp::Ordering::Equal,
                ReviewSort::Highest => b.rating.cmp(&a.rating),
                ReviewSort::Lowest => a.rating.cmp(&b.rating),
            };
            first
                .then(b.created_at.cmp(&a.created_at))
                .then(b.id.cmp(&a.id))
        });
        Ok(page_of(&found, page))
    }

    async fn add_reply(&self, reply: &Reply) -> Result<bool, StoreError> {
        let mut state = self.state();
        match state
            .reviews
            .iter_mut()
            .find(|r| r.id == reply.review && r.is_active)
        {
            Some(r) => r.replies += 1,
            None => return Ok(false),
        }
        state.replies.push(reply.clone());
        Ok(true)
    }

    async fn reply(&self, id: ReplyId) -> Result<Option<Reply>, StoreError> {
        Ok(self.state().replies.iter().find(|r| r.id == id).cloned())
    }

    async fn replies(
        &self,
        review: ReviewId,
        page: PageRequest,
    ) -> Result<Page<Reply>, StoreError> {
        let mut found: Vec<Reply> = self
            .state()
            .replies
            .iter()
            .filter(|r| r.review == review)
            .cloned()
            .collect();
        found.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(page_of(&found, page))
    }

    async fn toggle_helpful(
        &self,
        target: Helpful,
        member: MemberId,
        _at: DateTime<Utc>,
    ) -> Result<Option<Toggled>, StoreError> {
        let mut state = self.state();
        let review = match target {
            Helpful::Review(id) => id,
            Helpful::Reply(id) => match state.replies.iter().find(|r| r.id == id) {
                Some(r) => r.review,
                None => return Ok(None),
            },
        };
        if !state.reviews.iter().any(|r| r.id == review && r.is_active) {
            return Ok(None);
        }
        let marked = if state.marks.remove(&(target, member)) {
            false
        } else {
            state.marks.insert((target, member));
            true
        };
        let count = match target {
            Helpful::Review(id) => state.reviews.iter_mut().find(|r| r.id == id).map(|r| {
                r.helpful = if marked { r.helpful + 1 } else { r.helpful - 1 };
                r.helpful
            }),
            Helpful::Reply(id) => state.replies.iter_mut().find(|r| r.id == id).map(|r| {
                r.helpful = if marked { r.helpful + 1 } else { r.helpful - 1 };
                r.helpful
            }),
        };
        Ok(count.map(|count| Toggled { marked, count }))
    }

    async fn marked(
        &self,
        member: MemberId,
        targets: &[Helpful],
    ) -> Result<HashSet<Helpful>, StoreError> {
        let state = self.state();
        Ok(targets
            .iter()
            .copied()
            .filter(|t| state.marks.contains(&(*t, member)))
            .collect())
    }

    async fn summaries(
        &self,
        challenges: &[ChallengeRef],
    ) -> Result<HashMap<ChallengeRef, RatingSummary>, StoreError> {
        let mut found: HashMap<ChallengeRef, RatingSummary> = HashMap::new();
        for r in self.state().reviews.iter().filter(|r| r.is_active) {
            if challenges.contains(&r.challenge) {
                let slot = usize::from(r.rating.clamp(MIN_RATING, MAX_RATING) - 1);
                found.entry(r.challenge).or_default().histogram[slot] += 1;
            }
        }
        Ok(found)
    }
}
