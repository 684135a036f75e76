//! An in-memory implementation of the reviews store port.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use stackrush_kernel::{Page, PageRequest, StoreError};

use crate::code::*;
use crate::model::*;
use crate::ports::{CodeReviewRepository, ReviewRepository};

#[derive(Debug, Default)]
struct State {
    reviews: Vec<Review>,
    replies: Vec<Reply>,
    marks: HashSet<(Helpful, MemberId)>,
    code_reviews: Vec<CodeReview>,
    code_comments: Vec<CodeComment>,
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
        Ok(Page::slice(found, page))
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
        Ok(Page::slice(found, page))
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

fn code_matches(r: &CodeReview, f: &CodeReviewFilter, now: DateTime<Utc>) -> bool {
    let status = f
        .status
        .is_none_or(|s| r.status == s || (s == CodeReviewStatus::Pending && r.claim_lapsed(now)));
    status
        && f.author.is_none_or(|a| r.author == a)
        && f.reviewer.is_none_or(|m| r.reviewers.contains(&m))
        && f.language
            .as_ref()
            .is_none_or(|l| &r.submission.language == l)
        && f.challenge_type
            .as_ref()
            .is_none_or(|t| &r.submission.challenge_type == t)
        && f.difficulty
            .as_ref()
            .is_none_or(|d| &r.submission.difficulty == d)
}

#[async_trait]
impl CodeReviewRepository for InMemoryReviews {
    async fn insert(&self, review: &CodeReview) -> Result<bool, StoreError> {
        let mut state = self.state();
        if state
            .code_reviews
            .iter()
            .any(|r| r.submission.id == review.submission.id)
        {
            return Ok(false);
        }
        state.code_reviews.push(review.clone());
        Ok(true)
    }

    async fn get(&self, id: CodeReviewId) -> Result<Option<CodeReview>, StoreError> {
        Ok(self
            .state()
            .code_reviews
            .iter()
            .find(|r| r.id == id)
            .cloned())
    }

    async fn list(
        &self,
        filter: &CodeReviewFilter,
        now: DateTime<Utc>,
        page: PageRequest,
    ) -> Result<Page<CodeReview>, StoreError> {
        let mut found: Vec<CodeReview> = self
            .state()
            .code_reviews
            .iter()
            .filter(|r| code_matches(r, filter, now))
            .cloned()
            .collect();
        if filter.status == Some(CodeReviewStatus::Pending) {
            found.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        } else {
            found.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id)));
        }
        Ok(Page::slice(found, page))
    }

    async fn claim(
        &self,
        id: CodeReviewId,
        reviewer: MemberId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut state = self.state();
        let Some(r) = state.code_reviews.iter_mut().find(|r| r.id == id) else {
            return Ok(false);
        };
        if r.status != CodeReviewStatus::Pending && !r.claim_lapsed(at) {
            return Ok(false);
        }
        r.status = CodeReviewStatus::InReview;
        r.reviewer = Some(reviewer);
        if !r.reviewers.contains(&reviewer) {
            r.reviewers.push(reviewer);
        }
        r.active_at = Some(at);
        r.updated_at = at;
        Ok(true)
    }

    async fn decide(
        &self,
        id: CodeReviewId,
        reviewer: MemberId,
        decision: &Decision,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut state = self.state();
        let Some(r) = state.code_reviews.iter_mut().find(|r| r.id == id) else {
            return Ok(false);
        };
        if r.status != CodeReviewStatus::InReview
            || r.reviewer != Some(reviewer)
            || r.claim_lapsed(at)
        {
            return Ok(false);
        }
        r.status = decision.status;
        r.summary = Some(decision.summary.clone());
        r.metrics = decision.metrics;
        r.active_at = Some(at);
        r.updated_at = at;
        Ok(true)
    }

    async fn re_request(
        &self,
        id: CodeReviewId,
        submission: &ReviewedSubmission,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut state = self.state();
        let taken = state
            .code_reviews
            .iter()
            .any(|r| r.id != id && r.submission.id == submission.id);
        let Some(r) = state.code_reviews.iter_mut().find(|r| r.id == id) else {
            return Ok(false);
        };
        if r.status != CodeReviewStatus::ChangesRequested {
            return Ok(false);
        }
        if taken {
            return Err(StoreError::conflict("submission"));
        }
        r.submission = submission.clone();
        r.version += 1;
        r.status = CodeReviewStatus::Pending;
        r.reviewer = None;
        r.active_at = None;
        r.summary = None;
        r.metrics = None;
        r.updated_at = at;
        Ok(true)
    }

    async fn set_message(
        &self,
        id: CodeReviewId,
        message: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut state = self.state();
        match state.code_reviews.iter_mut().find(|r| {
            r.id == id
                && matches!(
                    r.status,
                    CodeReviewStatus::Pending | CodeReviewStatus::ChangesRequested
                )
        }) {
            Some(r) => {
                r.message = message.to_owned();
                r.updated_at = at;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn add_comment(&self, comment: &CodeComment) -> Result<bool, StoreError> {
        let mut state = self.state();
        let Some(r) = state
            .code_reviews
            .iter_mut()
            .find(|r| r.id == comment.review)
        else {
            return Ok(false);
        };
        r.comments += 1;
        if r.status == CodeReviewStatus::InReview && r.reviewer == Some(comment.author) {
            r.active_at = Some(comment.created_at);
        }
        state.code_comments.push(comment.clone());
        Ok(true)
    }

    async fn comment(&self, id: CodeCommentId) -> Result<Option<CodeComment>, StoreError> {
        Ok(self
            .state()
            .code_comments
            .iter()
            .find(|c| c.id == id)
            .cloned())
    }

    async fn comments(
        &self,
        review: CodeReviewId,
        page: PageRequest,
    ) -> Result<Page<CodeComment>, StoreError> {
        let mut found: Vec<CodeComment> = self
            .state()
            .code_comments
            .iter()
            .filter(|c| c.review == review)
            .cloned()
            .collect();
        found.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(Page::slice(found, page))
    }
}
