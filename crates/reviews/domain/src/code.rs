//! Code reviews: a member asks others to review one of their submissions; a reviewer claims the
//! request, comments (on lines or in general) and decides.

use chrono::{DateTime, Duration, Utc};
use stackrush_kernel::define_id;

use crate::model::{ChallengeRef, MemberId};

define_id!(
    /// Identifies one code review.
    CodeReviewId
);
define_id!(
    /// Identifies one comment of a code review.
    CodeCommentId
);
define_id!(
    /// A submission (owned by the scoring context).
    SubmissionRef
);

/// How long a claim holds without the reviewer commenting or deciding; after it, the request
/// is back in the queue and anyone else may claim it.
pub const CLAIM_TTL: Duration = Duration::hours(48);

macro_rules! named {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in the documented order.
            pub const ALL: &'static [$name] = &[$(Self::$variant),+];

            /// The stored and shown name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// The value named `name`.
            pub fn parse(name: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == name)
            }
        }
    };
}

named!(
    /// Where a code review stands: pending → in-review → approved | changes-requested |
    /// rejected; changes-requested → pending when the author re-requests.
    CodeReviewStatus {
        Pending => "pending",
        InReview => "in-review",
        Approved => "approved",
        ChangesRequested => "changes-requested",
        Rejected => "rejected",
    }
);

named!(
    /// What a comment is.
    CommentKind {
        General => "general",
        Suggestion => "suggestion",
        Issue => "issue",
        Praise => "praise",
    }
);

/// The reviewer's marks, each 1 to 10.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metrics {
    pub code_quality: u8,
    pub performance: u8,
    pub readability: u8,
    pub test_coverage: u8,
}

/// What the submission under review is: its language and its challenge's type and difficulty
/// (copied when requested, for the queue's filters), and how many lines it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewedSubmission {
    pub id: SubmissionRef,
    pub challenge: ChallengeRef,
    pub language: String,
    pub challenge_type: String,
    pub difficulty: String,
    pub lines: u32,
}

/// A request for review of one submission, and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeReview {
    pub id: CodeReviewId,
    /// The submission's owner, who asked.
    pub author: MemberId,
    /// The submission under review now (a re-request may name a newer one).
    pub submission: ReviewedSubmission,
    /// 1, then one more on every re-request.
    pub version: u32,
    pub message: String,
    pub status: CodeReviewStatus,
    /// The active (or deciding) reviewer.
    pub reviewer: Option<MemberId>,
    /// Everyone who claimed it, in order.
    pub reviewers: Vec<MemberId>,
    /// The reviewer's last claim, comment or decision: a claim lapses [`CLAIM_TTL`] after it.
    pub active_at: Option<DateTime<Utc>>,
    /// The decision's summary.
    pub summary: Option<String>,
    pub metrics: Option<Metrics>,
    pub comments: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CodeReview {
    /// Whether the claim lapsed at `now` (in review, and the reviewer idle past the TTL).
    pub fn claim_lapsed(&self, now: DateTime<Utc>) -> bool {
        self.status == CodeReviewStatus::InReview
            && self.active_at.is_none_or(|at| at + CLAIM_TTL <= now)
    }

    /// As readers see it at `now`: a lapsed claim reads as pending, without a reviewer.
    pub fn as_of(mut self, now: DateTime<Utc>) -> Self {
        if self.claim_lapsed(now) {
            self.status = CodeReviewStatus::Pending;
            self.reviewer = None;
        }
        self
    }
}

/// A comment on a code review: general or on one line of the version it was written on.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeComment {
    pub id: CodeCommentId,
    pub review: CodeReviewId,
    pub author: MemberId,
    /// The submission (and version) it was written on.
    pub submission: SubmissionRef,
    pub version: u32,
    /// 1-based; `None` for a general comment.
    pub line: Option<u32>,
    pub kind: CommentKind,
    pub content: String,
    /// The comment it answers (same review).
    pub parent: Option<CodeCommentId>,
    pub created_at: DateTime<Utc>,
}

/// Which code reviews a list holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeReviewFilter {
    /// `Pending` also holds lapsed claims (the queue).
    pub status: Option<CodeReviewStatus>,
    pub author: Option<MemberId>,
    pub reviewer: Option<MemberId>,
    pub language: Option<String>,
    pub challenge_type: Option<String>,
    pub difficulty: Option<String>,
}

/// A decision: the status it ends in, a summary and the marks.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub status: CodeReviewStatus,
    pub summary: String,
    pub metrics: Option<Metrics>,
}
