//! The code review rules over the outbound ports.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use stackrush_kernel::text::text_problem;
use stackrush_kernel::{FieldError, Page, PageRequest, StoreError};

use crate::code::*;
use crate::error::ReviewError;
use crate::model::{Caller, Face, MemberId};
use crate::ports::{CodePorts, ReviewEvent};

/// The longest request message, comment and decision summary, in characters.
pub const MAX_MESSAGE_CHARS: usize = 1_000;
pub const MAX_COMMENT_CHARS: usize = 5_000;
pub const MAX_SUMMARY_CHARS: usize = 2_000;

/// A code review as a reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeReviewView {
    /// As of now: a lapsed claim reads as pending.
    pub review: CodeReview,
    pub author: Option<Face>,
    pub reviewer: Option<Face>,
    /// The submission's code: for its owner, those who claimed the review, and admins
    /// (`None` for others, and once the submission is gone).
    pub code: Option<String>,
    /// XP the reviewer earned by the decision this view answers (0 otherwise).
    pub xp_awarded: u64,
}

/// A comment as a reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeCommentView {
    pub comment: CodeComment,
    pub author: Option<Face>,
}

/// A new comment.
#[derive(Debug, Clone, PartialEq)]
pub struct NewComment {
    pub content: String,
    pub line: Option<u32>,
    pub kind: CommentKind,
    pub parent: Option<CodeCommentId>,
}

/// Whose code reviews a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Open requests anyone else may take (pending, or with a lapsed claim).
    Queue,
    /// The caller's own requests.
    Authored,
    /// Those the caller claimed.
    Reviewing,
    /// Every code review (admins).
    All,
}

/// The code reviews' inbound port.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait CodeReviewsApi: Send + Sync {
    /// Asks for a review of one of the caller's submissions. Errors: `NotVerified`,
    /// `SubmissionNotFound`, `AlreadyRequested`, `Invalid`.
    async fn request(
        &self,
        caller: Caller,
        submission: SubmissionRef,
        message: String,
    ) -> Result<CodeReviewView, ReviewError>;

    /// One code review: for its author, those who claimed it and admins; others see it (without
    /// code) only while it waits in the queue. Errors: `CodeReviewNotFound`.
    async fn get(&self, caller: Caller, id: CodeReviewId) -> Result<CodeReviewView, ReviewError>;

    /// One page of code reviews in `scope` (`All` needs an admin: `Forbidden`).
    async fn list(
        &self,
        caller: Caller,
        scope: Scope,
        filter: CodeReviewFilter,
        page: PageRequest,
    ) -> Result<Page<CodeReviewView>, ReviewError>;

    /// The author rewrites their message while it waits. Errors: `CodeReviewNotFound`,
    /// `Forbidden`, `CodeReviewIs`, `Invalid`.
    async fn update_message(
        &self,
        caller: Caller,
        id: CodeReviewId,
        message: String,
    ) -> Result<CodeReviewView, ReviewError>;

    /// Takes a request from the queue. Errors: `NotVerified`, `CodeReviewNotFound`,
    /// `OwnSubmission`, `CodeReviewIs` (someone else has it, or it was decided).
    async fn claim(&self, caller: Caller, id: CodeReviewId) -> Result<CodeReviewView, ReviewError>;

    /// The author or the active reviewer comments. Errors: `CodeReviewNotFound`, `Forbidden`,
    /// `CommentNotFound` (parent), `CodeReviewIs` (approved or rejected), `Invalid` (a line the
    /// submission does not have, bad text).
    async fn comment(
        &self,
        caller: Caller,
        id: CodeReviewId,
        comment: NewComment,
    ) -> Result<CodeCommentView, ReviewError>;

    /// One page of the comments, oldest first. Same visibility as `get`.
    async fn comments(
        &self,
        caller: Caller,
        id: CodeReviewId,
        page: PageRequest,
    ) -> Result<Page<CodeCommentView>, ReviewError>;

    /// The active reviewer approves, requests changes or rejects. Errors:
    /// `CodeReviewNotFound`, `Forbidden`, `CodeReviewIs`, `Invalid`.
    async fn decide(
        &self,
        caller: Caller,
        id: CodeReviewId,
        decision: Decision,
    ) -> Result<CodeReviewView, ReviewError>;

    /// After changes were requested, the author asks again, on the same or a newer submission
    /// of the same challenge. Errors: `CodeReviewNotFound`, `Forbidden`, `CodeReviewIs`,
    /// `SubmissionNotFound`, `AlreadyRequested`, `Invalid`.
    async fn re_request(
        &self,
        caller: Caller,
        id: CodeReviewId,
        submission: Option<SubmissionRef>,
    ) -> Result<CodeReviewView, ReviewError>;
}

/// The code review service.
pub struct CodeReviewService {
    ports: CodePorts,
}

fn text(field: &str, value: String, min: usize, max: usize) -> Result<String, ReviewError> {
    // Lengths as sent (padding counts); stored trimmed.
    match text_problem(&value, min, max) {
        Some(problem) => Err(ReviewError::invalid(field, &problem)),
        None => Ok(value.trim().to_owned()),
    }
}

impl CodeReviewService {
    /// The service over `ports`.
    pub fn new(ports: CodePorts) -> Self {
        Self { ports }
    }

    /// The service as a shared inbound port.
    pub fn into_api(self) -> Arc<dyn CodeReviewsApi> {
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

    /// Whether `caller` may read the review and its code.
    fn insider(caller: Caller, review: &CodeReview) -> bool {
        caller.is_admin || review.author == caller.id || review.reviewers.contains(&caller.id)
    }

    /// The review as of now, if the caller may see it at all.
    async fn visible(&self, caller: Caller, id: CodeReviewId) -> Result<CodeReview, ReviewError> {
        let now = self.ports.clock.now();
        let review = self
            .ports
            .code_reviews
            .get(id)
            .await?
            .ok_or(ReviewError::CodeReviewNotFound)?
            .as_of(now);
        if Self::insider(caller, &review) || review.status == CodeReviewStatus::Pending {
            Ok(review)
        } else {
            Err(ReviewError::CodeReviewNotFound)
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

    async fn views(
        &self,
        caller: Caller,
        reviews: Vec<CodeReview>,
        with_code: bool,
    ) -> Result<Vec<CodeReviewView>, ReviewError> {
        let people: Vec<MemberId> = reviews
            .iter()
            .flat_map(|r| std::iter::once(r.author).chain(r.reviewer))
            .collect();
        let faces = self.faces(&people).await?;
        let mut views = Vec::with_capacity(reviews.len());
        for review in reviews {
            let code = if with_code && Self::insider(caller, &review) {
                self.ports
                    .submissions
                    .of_owner(review.author, review.submission.id)
                    .await
                    .map_err(ReviewError::Unavailable)?
                    .map(|s| s.code)
            } else {
                None
            };
            views.push(CodeReviewView {
                author: faces.get(&review.author).cloned(),
                reviewer: review.reviewer.and_then(|r| faces.get(&r).cloned()),
                code,
                xp_awarded: 0,
                review,
            });
        }
        Ok(views)
    }

    async fn view(
        &self,
        caller: Caller,
        review: CodeReview,
    ) -> Result<CodeReviewView, ReviewError> {
        self.views(caller, vec![review], true)
            .await?
            .pop()
            .ok_or_else(|| ReviewError::Internal(anyhow::anyhow!("view of one review missing")))
    }

    async fn reread(
        &self,
        caller: Caller,
        id: CodeReviewId,
    ) -> Result<CodeReviewView, ReviewError> {
        let review = self.visible(caller, id).await?;
        self.view(caller, review).await
    }

    /// The current status of `id` (after a conditional write lost), as a 409.
    async fn moved(&self, id: CodeReviewId) -> ReviewError {
        let now = self.ports.clock.now();
        match self.ports.code_reviews.get(id).await {
            Ok(Some(r)) => ReviewError::CodeReviewIs(r.as_of(now).status),
            Ok(None) => ReviewError::CodeReviewNotFound,
            Err(e) => e.into(),
        }
    }
}

fn metrics_problems(metrics: Option<&Metrics>) -> Vec<FieldError> {
    let Some(m) = metrics else {
        return Vec::new();
    };
    [
        ("metrics.codeQuality", m.code_quality),
        ("metrics.performance", m.performance),
        ("metrics.readability", m.readability),
        ("metrics.testCoverage", m.test_coverage),
    ]
    .into_iter()
    .filter(|(_, v)| !(1..=10).contains(v))
    .map(|(field, _)| FieldError::new(field, "must be between 1 and 10"))
    .collect()
}

#[async_trait]
impl CodeReviewsApi for CodeReviewService {
    async fn request(
        &self,
        caller: Caller,
        submission: SubmissionRef,
        message: String,
    ) -> Result<CodeReviewView, ReviewError> {
        let message = text("message", message, 0, MAX_MESSAGE_CHARS)?;
        self.writer(caller).await?;
        let found = self
            .ports
            .submissions
            .of_owner(caller.id, submission)
            .await
            .map_err(ReviewError::Unavailable)?
            .ok_or(ReviewError::SubmissionNotFound)?;
        let now = self.ports.clock.now();
        let review = CodeReview {
            id: CodeReviewId::generate(now),
            author: caller.id,
            submission: found.submission,
            version: 1,
            message,
            status: CodeReviewStatus::Pending,
            reviewer: None,
            reviewers: Vec::new(),
            active_at: None,
            summary: None,
            metrics: None,
            comments: 0,
            created_at: now,
            updated_at: now,
        };
        if !self.ports.code_reviews.insert(&review).await? {
            return Err(ReviewError::AlreadyRequested);
        }
        self.view(caller, review).await
    }

    async fn get(&self, caller: Caller, id: CodeReviewId) -> Result<CodeReviewView, ReviewError> {
        self.reread(caller, id).await
    }

    async fn list(
        &self,
        caller: Caller,
        scope: Scope,
        mut filter: CodeReviewFilter,
        page: PageRequest,
    ) -> Result<Page<CodeReviewView>, ReviewError> {
        match scope {
            Scope::Queue => filter.status = Some(CodeReviewStatus::Pending),
            Scope::Authored => filter.author = Some(caller.id),
            Scope::Reviewing => filter.reviewer = Some(caller.id),
            Scope::All if caller.is_admin => {}
            Scope::All => return Err(ReviewError::Forbidden),
        }
        let now = self.ports.clock.now();
        let Page {
            items,
            request,
            total,
        } = self.ports.code_reviews.list(&filter, now, page).await?;
        let items = items.into_iter().map(|r| r.as_of(now)).collect();
        Ok(Page {
            items: self.views(caller, items, false).await?,
            request,
            total,
        })
    }

    async fn update_message(
        &self,
        caller: Caller,
        id: CodeReviewId,
        message: String,
    ) -> Result<CodeReviewView, ReviewError> {
        let message = text("message", message, 0, MAX_MESSAGE_CHARS)?;
        let review = self.visible(caller, id).await?;
        if review.author != caller.id {
            return Err(ReviewError::Forbidden);
        }
        let now = self.ports.clock.now();
        if !self
            .ports
            .code_reviews
            .set_message(id, &message, now)
            .await?
        {
            return Err(self.moved(id).await);
        }
        self.reread(caller, id).await
    }

    async fn claim(&self, caller: Caller, id: CodeReviewId) -> Result<CodeReviewView, ReviewError> {
        self.writer(caller).await?;
        // Anyone who saw it in the queue may learn that someone else took it (409).
        let now = self.ports.clock.now();
        let review = self
            .ports
            .code_reviews
            .get(id)
            .await?
            .ok_or(ReviewError::CodeReviewNotFound)?
            .as_of(now);
        if review.author == caller.id {
            return Err(ReviewError::OwnSubmission);
        }
        if review.status != CodeReviewStatus::Pending {
            return Err(ReviewError::CodeReviewIs(review.status));
        }
        if !self.ports.code_reviews.claim(id, caller.id, now).await? {
            return Err(self.moved(id).await);
        }
        self.ports
            .events
            .publish(ReviewEvent::Claimed {
                to: review.author,
                by: caller.id,
                review: id,
            })
            .await;
        self.reread(caller, id).await
    }

    async fn comment(
        &self,
        caller: Caller,
        id: CodeReviewId,
        new: NewComment,
    ) -> Result<CodeCommentView, ReviewError> {
        let content = text("content", new.content, 1, MAX_COMMENT_CHARS)?;
        let review = self.visible(caller, id).await?;
        let active_reviewer = review.reviewer == Some(caller.id);
        if review.author != caller.id && !active_reviewer {
            return Err(ReviewError::Forbidden);
        }
        if matches!(
            review.status,
            CodeReviewStatus::Approved | CodeReviewStatus::Rejected
        ) {
            return Err(ReviewError::CodeReviewIs(review.status));
        }
        if let Some(line) = new.line {
            if line == 0 || line > review.submission.lines {
                return Err(ReviewError::invalid(
                    "lineNumber",
                    &format!(
                        "must be a line of the submission (1 to {})",
                        review.submission.lines
                    ),
                ));
            }
        }
        if let Some(parent) = new.parent {
            match self.ports.code_reviews.comment(parent).await? {
                Some(p) if p.review == id => {}
                _ => return Err(ReviewError::CommentNotFound),
            }
        }
        let now = self.ports.clock.now();
        let comment = CodeComment {
            id: CodeCommentId::generate(now),
            review: id,
            author: caller.id,
            submission: review.submission.id,
            version: review.version,
            line: new.line,
            kind: new.kind,
            content,
            parent: new.parent,
            created_at: now,
        };
        if !self.ports.code_reviews.add_comment(&comment).await? {
            return Err(ReviewError::CodeReviewNotFound);
        }
        if caller.id != review.author {
            self.ports
                .events
                .publish(ReviewEvent::Commented {
                    to: review.author,
                    by: caller.id,
                    review: id,
                    comment: comment.id,
                })
                .await;
        }
        let author = self.faces(&[caller.id]).await?.remove(&caller.id);
        Ok(CodeCommentView { comment, author })
    }

    async fn comments(
        &self,
        caller: Caller,
        id: CodeReviewId,
        page: PageRequest,
    ) -> Result<Page<CodeCommentView>, ReviewError> {
        self.visible(caller, id).await?;
        let Page {
            items,
            request,
            total,
        } = self.ports.code_reviews.comments(id, page).await?;
        let authors: Vec<MemberId> = items.iter().map(|c| c.author).collect();
        let faces = self.faces(&authors).await?;
        Ok(Page {
            items: items
                .into_iter()
                .map(|comment| CodeCommentView {
                    author: faces.get(&comment.author).cloned(),
                    comment,
                })
                .collect(),
            request,
            total,
        })
    }

    async fn decide(
        &self,
        caller: Caller,
        id: CodeReviewId,
        decision: Decision,
    ) -> Result<CodeReviewView, ReviewError> {
        let mut problems = metrics_problems(decision.metrics.as_ref());
        let summary = decision.summary.trim().to_owned();
        if let Some(p) = text_problem(&summary, 1, MAX_SUMMARY_CHARS) {
            problems.insert(0, FieldError::new("summary", p));
        }
        if !problems.is_empty() {
            return Err(ReviewError::Invalid(problems));
        }
        if !matches!(
            decision.status,
            CodeReviewStatus::Approved
                | CodeReviewStatus::ChangesRequested
                | CodeReviewStatus::Rejected
        ) {
            return Err(ReviewError::invalid(
                "status",
                "must be approved, changes-requested or rejected",
            ));
        }
        let review = self.visible(caller, id).await?;
        if review.status != CodeReviewStatus::InReview {
            return Err(ReviewError::CodeReviewIs(review.status));
        }
        if review.reviewer != Some(caller.id) {
            return Err(ReviewError::Forbidden);
        }
        let decision = Decision {
            summary,
            ..decision
        };
        let now = self.ports.clock.now();
        if !self
            .ports
            .code_reviews
            .decide(id, caller.id, &decision, now)
            .await?
        {
            return Err(self.moved(id).await);
        }
        self.ports
            .events
            .publish(ReviewEvent::Decided {
                to: review.author,
                review: id,
                version: review.version,
                status: decision.status,
            })
            .await;
        // The decision is stored: a failing payment is logged, never undoes it.
        let xp_awarded = if review.author == caller.id {
            0
        } else {
            self.ports
                .rewards
                .reward(caller.id, id)
                .await
                .unwrap_or_else(|e| {
                    tracing::warn!(error = %e, review = %id, "reviewer reward failed");
                    0
                })
        };
        let mut view = self.reread(caller, id).await?;
        view.xp_awarded = xp_awarded;
        Ok(view)
    }

    async fn re_request(
        &self,
        caller: Caller,
        id: CodeReviewId,
        submission: Option<SubmissionRef>,
    ) -> Result<CodeReviewView, ReviewError> {
        let review = self.visible(caller, id).await?;
        if review.author != caller.id {
            return Err(ReviewError::Forbidden);
        }
        if review.status != CodeReviewStatus::ChangesRequested {
            return Err(ReviewError::CodeReviewIs(review.status));
        }
        let wanted = submission.unwrap_or(review.submission.id);
        let found = self
            .ports
            .submissions
            .of_owner(caller.id, wanted)
            .await
            .map_err(ReviewError::Unavailable)?
            .ok_or(ReviewError::SubmissionNotFound)?;
        if found.submission.challenge != review.submission.challenge {
            return Err(ReviewError::invalid(
                "submissionId",
                "must be a submission of the same challenge",
            ));
        }
        let now = self.ports.clock.now();
        match self
            .ports
            .code_reviews
            .re_request(id, &found.submission, now)
            .await
        {
            Ok(true) => {}
            Ok(false) => return Err(self.moved(id).await),
            Err(StoreError::Conflict { .. }) => return Err(ReviewError::AlreadyRequested),
            Err(e) => return Err(e.into()),
        }
        self.reread(caller, id).await
    }
}

#[cfg(test)]
#[path = "code_service_tests.rs"]
mod tests;
