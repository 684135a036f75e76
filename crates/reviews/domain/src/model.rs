//! Reviews, replies and rating summaries as the reviews context keeps them.

use chrono::{DateTime, Utc};
use stackrush_kernel::define_id;

define_id!(
    /// Identifies one review.
    ReviewId
);
define_id!(
    /// Identifies one reply to a review.
    ReplyId
);
define_id!(
    /// A user, as the reviews context knows them.
    MemberId
);
define_id!(
    /// A challenge (owned by the challenges context).
    ChallengeRef
);

/// The lowest and highest rating.
pub const MIN_RATING: u8 = 1;
pub const MAX_RATING: u8 = 5;

/// A member's review of a challenge: one live review per member and challenge.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub id: ReviewId,
    pub challenge: ChallengeRef,
    pub author: MemberId,
    /// 1 to 5.
    pub rating: u8,
    pub title: String,
    pub content: String,
    /// Trimmed, lower-cased, without repeats.
    pub tags: Vec<String>,
    /// Members who marked it helpful (kept exact by the store).
    pub helpful: u64,
    /// Replies (kept exact by the store).
    pub replies: u64,
    /// `false` once deleted (soft: its row stays; it counts nowhere).
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A reply to a review.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub id: ReplyId,
    pub review: ReviewId,
    pub author: MemberId,
    pub content: String,
    /// Written by the reviewed challenge's author.
    pub by_challenge_author: bool,
    pub helpful: u64,
    pub created_at: DateTime<Utc>,
}

/// What a helpful mark is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Helpful {
    Review(ReviewId),
    Reply(ReplyId),
}

/// A helpful toggle's outcome: whether the member's mark is set now, and the count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Toggled {
    pub marked: bool,
    pub count: u64,
}

/// A challenge's ratings: how many live reviews gave each of 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RatingSummary {
    /// `histogram[i]` reviews rated `i + 1`.
    pub histogram: [u64; 5],
}

impl RatingSummary {
    /// How many live reviews.
    pub fn count(&self) -> u64 {
        self.histogram.iter().sum()
    }

    /// The mean rating, 0 without reviews.
    pub fn average(&self) -> f64 {
        let count = self.count();
        if count == 0 {
            return 0.0;
        }
        let sum: u64 = self
            .histogram
            .iter()
            .zip(1u64..)
            .map(|(n, rating)| n * rating)
            .sum();
        sum as f64 / count as f64
    }
}

/// Which reviews a list holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewFilter {
    pub challenge: Option<ChallengeRef>,
    pub author: Option<MemberId>,
    pub rating: Option<u8>,
    /// Normalized like stored tags.
    pub tag: Option<String>,
}

/// The order of a review list (ties: newest first, then id).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReviewSort {
    /// Most helpful first.
    #[default]
    Helpful,
    Newest,
    Highest,
    Lowest,
}

/// How a member is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Face {
    pub username: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub avatar: Option<String>,
}

/// What the reviews context needs to know of a challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeFacts {
    pub title: String,
    pub author: MemberId,
}

/// Who is acting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub id: MemberId,
    /// Moderators and admins may delete others' reviews.
    pub is_moderator: bool,
    /// Admins may read every code review and its code.
    pub is_admin: bool,
}
