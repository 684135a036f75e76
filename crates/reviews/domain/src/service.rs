//! The review rules over the outbound ports.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_trait::async_trait;
use stackrush_kernel::text::{line_problem, normalized_tags, text_problem};
use stackrush_kernel::{FieldError, Page, PageRequest};

use crate::api::*;
use crate::error::ReviewError;
use crate::model::*;
use crate::ports::Ports;

/// The longest title, review text and reply, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_CONTENT_CHARS: usize = 5_000;
pub const MAX_REPLY_CHARS: usize = 2_000;
/// Tags per review, and characters per tag.
pub const MAX_TAGS: usize = 10;
pub const MAX_TAG_CHARS: usize = 30;
/// Replies shown with a single review (the rest are paged).
pub const FIRST_REPLIES: u32 = 20;

/// The reviews service.
pub struct ReviewService {
    ports: Ports,
}

impl ReviewService {
    /// The service over `ports`.
    pub fn new(ports: Ports) -> Self {
        Self { ports }
    }

    /// The service as a shared inbound port.
    pub fn into_api(self) -> Arc<dyn ReviewsApi> {
        Arc::new(self)
    }

    async fn writer(&self, caller: Caller) -> Result<(), ReviewError> {
        match self
            .ports
            .members
            .may_write(caller.id)
            .await
            .map_err(ReviewError::Unavailable)?
        {
            Some(true) => Ok(()),
            _ => Err(ReviewError::NotVerified),
        }
    }

    async fn public_challenge(
        &self,
        challenge: ChallengeRef,
    ) -> Result<ChallengeFacts, ReviewError> {
        self.ports
            .challenges
            .public(challenge)
            .await
            .map_err(ReviewError::Unavailable)?
            .ok_or(ReviewError::ChallengeNotFound)
    }

    async fn live(&self, id: ReviewId) -> Result<Review, ReviewError> {
        match self.ports.reviews.get(id).await? {
            Some(r) if r.is_active => Ok(r),
            _ => Err(ReviewError::ReviewNotFound),
        }
    }

    async fn faces(&self, members: &[MemberId]) -> Result<HashMap<MemberId, Face>, ReviewError> {
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
            .map_err(ReviewError::Unavailable)
    }

    async fn marked(
        &self,
        reader: Option<Caller>,
        targets: &[Helpful],
    ) -> Result<HashSet<Helpful>, ReviewError> {
        match reader {
            Some(r) if !targets.is_empty() => Ok(self.ports.reviews.marked(r.id, targets).await?),
            _ => Ok(HashSet::new()),
        }
    }

    async fn views(
        &self,
        reader: Option<Caller>,
        reviews: Vec<Review>,
    ) -> Result<Vec<ReviewView>, ReviewError> {
        let authors: Vec<MemberId> = reviews.iter().map(|r| r.author).collect();
        let mut challenges: Vec<ChallengeRef> = reviews.iter().map(|r| r.challenge).collect();
        challenges.sort_unstable();
        challenges.dedup();
        let targets: Vec<Helpful> = reviews.iter().map(|r| Helpful::Review(r.id)).collect();
        let (faces, titles, marked) = futures::try_join!(
            self.faces(&authors),
            async {
                if challenges.is_empty() {
                    return Ok(HashMap::new());
                }
                self.ports
                    .challenges
                    .titles(&challenges)
                    .await
                    .map_err(ReviewError::Unavailable)
            },
            self.marked(reader, &targets),
        )?;
        Ok(reviews
            .into_iter()
            .map(|review| ReviewView {
                author: faces.get(&review.author).cloned(),
                challenge_title: titles.get(&review.challenge).cloned(),
                marked_helpful: marked.contains(&Helpful::Review(review.id)),
                replies: Vec::new(),
                review,
            })
            .collect())
    }

    async fn view(
        &self,
        reader: Option<Caller>,
        review: Review,
    ) -> Result<ReviewView, ReviewError> {
        let id = review.id;
        let mut views = self.views(reader, vec![review]).await?;
        let mut view = views
            .pop()
            .ok_or_else(|| ReviewError::Internal(anyhow::anyhow!("view of one review missing")))?;
        view.replies = self
            .reply_page(reader, id, PageRequest::new(1, FIRST_REPLIES))
            .await?
            .items;
        Ok(view)
    }

    async fn reply_views(
        &self,
        reader: Option<Caller>,
        replies: Vec<Reply>,
    ) -> Result<Vec<ReplyView>, ReviewError> {
        let authors: Vec<MemberId> = replies.iter().map(|r| r.author).collect();
        let targets: Vec<Helpful> = replies.iter().map(|r| Helpful::Reply(r.id)).collect();
        let (faces, marked) =
            futures::try_join!(self.faces(&authors), self.marked(reader, &targets))?;
        Ok(replies
            .into_iter()
            .map(|reply| ReplyView {
                author: faces.get(&reply.author).cloned(),
                marked_helpful: marked.contains(&Helpful::Reply(reply.id)),
                reply,
            })
            .collect())
    }

    async fn reply_page(
        &self,
        reader: Option<Caller>,
        review: ReviewId,
        page: PageRequest,
    ) -> Result<Page<ReplyView>, ReviewError> {
        let Page {
            items,
            request,
            total,
        } = self.ports.reviews.replies(review, page).await?;
        Ok(Page {
            items: self.reply_views(reader, items).await?,
            request,
            total,
        })
    }
}

fn tag_problem(tag: &str) -> Option<String> {
    stackrush_kernel::text::tag_problem(tag, MAX_TAG_CHARS, "+#.-_ ")
}

fn rating_problem(rating: u8) -> Option<String> {
    (!(MIN_RATING..=MAX_RATING).contains(&rating))
        .then(|| format!("must be between {MIN_RATING} and {MAX_RATING}"))
}

/// The draft trimmed and normalized, or every problem with it.
fn checked(draft: ReviewDraft) -> Result<ReviewDraft, ReviewError> {
    // Counted as given, repeats included (what the documented limit says).
    let given_tags = draft.tags.len();
    let long_tags = stackrush_kernel::text::overlong(&draft.tags, MAX_TAG_CHARS);
    // Lengths as sent (padding counts), emptiness after trimming.
    let (raw_title, raw_content) = (draft.title.clone(), draft.content.clone());
    let draft = ReviewDraft {
        rating: draft.rating,
        title: draft.title.trim().to_owned(),
        content: draft.content.trim().to_owned(),
        tags: normalized_tags(draft.tags),
    };
    let mut problems = Vec::new();
    let mut add = |field: &str, problem: Option<String>| {
        if let Some(p) = problem {
            problems.push(FieldError::new(field, p));
        }
    };
    add("rating", rating_problem(draft.rating));
    add(
        "title",
        if draft.title.is_empty() {
            Some("must not be empty".to_owned())
        } else {
            line_problem(&raw_title, MAX_TITLE_CHARS)
        },
    );
    add("content", text_problem(&raw_content, 1, MAX_CONTENT_CHARS));
    if given_tags > MAX_TAGS {
        add("tags", Some(format!("must have at most {MAX_TAGS} items")));
    } else if !long_tags.is_empty() {
        for (i, problem) in long_tags {
            add(&format!("tags[{i}]"), Some(problem));
        }
    } else {
        for (i, tag) in draft.tags.iter().enumerate() {
            add(&format!("tags[{i}]"), tag_problem(tag));
        }
    }
    if problems.is_empty() {
        Ok(draft)
    } else {
        Err(ReviewError::Invalid(problems))
    }
}

#[async_trait]
impl ReviewsApi for ReviewService {
    async fn create(
        &self,
        caller: Caller,
        challenge: ChallengeRef,
        draft: ReviewDraft,
    ) -> Result<ReviewView, ReviewError> {
        let draft = checked(draft)?;
        self.writer(caller).await?;
        self.public_challenge(challenge).await?;
        let tried = self
            .ports
            .attempts
            .has_scored(caller.id, challenge)
            .await
            .map_err(ReviewError::Unavailable)?;
        if !tried {
            return Err(ReviewError::NotAttempted);
        }
        let now = self.ports.clock.now();
        let review = Review {
            id: ReviewId::generate(now),
            challenge,
            author: caller.id,
            rating: draft.rating,
            title: draft.title,
            content: draft.content,
            tags: draft.tags,
            helpful: 0,
            replies: 0,
            is_active: true,
            created_at: now,
            updated_at: now,
        };
        if !self.ports.reviews.insert(&review).await? {
            return Err(ReviewError::AlreadyReviewed);
        }
        self.view(Some(caller), review).await
    }

    async fn review(
        &self,
        reader: Option<Caller>,
        id: ReviewId,
    ) -> Result<ReviewView, ReviewError> {
        let review = self.live(id).await?;
        self.view(reader, review).await
    }

    async fn update(
        &self,
        caller: Caller,
        id: ReviewId,
        draft: ReviewDraft,
    ) -> Result<ReviewView, ReviewError> {
        let draft = checked(draft)?;
        let stored = self.live(id).await?;
        if stored.author != caller.id {
            return Err(ReviewError::Forbidden);
        }
        let review = Review {
            rating: draft.rating,
            title: draft.title,
            content: draft.content,
            tags: draft.tags,
            updated_at: self.ports.clock.now(),
            ..stored
        };
        if !self.ports.reviews.update(&review).await? {
            return Err(ReviewError::ReviewNotFound);
        }
        self.view(Some(caller), review).await
    }

    async fn delete(&self, caller: Caller, id: ReviewId) -> Result<(), ReviewError> {
        let stored = self.live(id).await?;
        if stored.author != caller.id && !caller.is_moderator {
            return Err(ReviewError::Forbidden);
        }
        if !self
            .ports
            .reviews
            .delete(id, self.ports.clock.now())
            .await?
        {
            return Err(ReviewError::ReviewNotFound);
        }
        Ok(())
    }

    async fn list(
        &self,
        reader: Option<Caller>,
        mut filter: ReviewFilter,
        sort: ReviewSort,
        page: PageRequest,
    ) -> Result<Page<ReviewView>, ReviewError> {
        if let Some(problem) = filter.rating.and_then(rating_problem) {
            return Err(ReviewError::invalid("rating", &problem));
        }
        filter.tag = filter.tag.map(|t| t.trim().to_lowercase());
        if let Some(challenge) = filter.challenge {
            self.public_challenge(challenge).await?;
        }
        if let Some(author) = filter.author {
            let known = self
                .ports
                .members
                .may_write(author)
                .await
                .map_err(ReviewError::Unavailable)?;
            if known.is_none() {
                return Err(ReviewError::MemberNotFound);
            }
        }
        let Page {
            items,
            request,
            total,
        } = self.ports.reviews.list(&filter, sort, page).await?;
        Ok(Page {
            items: self.views(reader, items).await?,
            request,
            total,
        })
    }

    async fn toggle_helpful(
        &self,
        caller: Caller,
        target: Helpful,
    ) -> Result<Toggled, ReviewError> {
        self.writer(caller).await?;
        let (author, gone) = match target {
            Helpful::Review(id) => (self.live(id).await?.author, ReviewError::ReviewNotFound),
            Helpful::Reply(id) => {
                let reply = self
                    .ports
                    .reviews
                    .reply(id)
                    .await?
                    .ok_or(ReviewError::ReplyNotFound)?;
                self.live(reply.review)
                    .await
                    .map_err(|_| ReviewError::ReplyNotFound)?;
                (reply.author, ReviewError::ReplyNotFound)
            }
        };
        if author == caller.id {
            return Err(ReviewError::OwnContent);
        }
        self.ports
            .reviews
            .toggle_helpful(target, caller.id, self.ports.clock.now())
            .await?
            .ok_or(gone)
    }

    async fn reply(
        &self,
        caller: Caller,
        review: ReviewId,
        content: String,
    ) -> Result<ReplyView, ReviewError> {
        if let Some(problem) = text_problem(&content, 1, MAX_REPLY_CHARS) {
            return Err(ReviewError::invalid("content", &problem));
        }
        let content = content.trim().to_owned();
        self.writer(caller).await?;
        let parent = self.live(review).await?;
        let challenge_author = self
            .ports
            .challenges
            .public(parent.challenge)
            .await
            .map_err(ReviewError::Unavailable)?
            .map(|c| c.author);
        let now = self.ports.clock.now();
        let reply = Reply {
            id: ReplyId::generate(now),
            review,
            author: caller.id,
            content,
            by_challenge_author: challenge_author == Some(caller.id),
            helpful: 0,
            created_at: now,
        };
        if !self.ports.reviews.add_reply(&reply).await? {
            return Err(ReviewError::ReviewNotFound);
        }
        let mut views = self.reply_views(Some(caller), vec![reply]).await?;
        views
            .pop()
            .ok_or_else(|| ReviewError::Internal(anyhow::anyhow!("view of one reply missing")))
    }

    async fn replies(
        &self,
        reader: Option<Caller>,
        review: ReviewId,
        page: PageRequest,
    ) -> Result<Page<ReplyView>, ReviewError> {
        self.live(review).await?;
        self.reply_page(reader, review, page).await
    }

    async fn summaries(
        &self,
        challenges: &[ChallengeRef],
    ) -> Result<HashMap<ChallengeRef, RatingSummary>, ReviewError> {
        let mut found = self.ports.reviews.summaries(challenges).await?;
        for c in challenges {
            found.entry(*c).or_default();
        }
        Ok(found)
    }
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
