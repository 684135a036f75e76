//! Review bodies and queries, in the shape of the spec's Reviews collection.

use apistos::{ApiComponent, JsonSchema};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use stackrush_reviews as rv;

use crate::error::ApiError;
use crate::http::patterns::{LINE_FILLED, TEXT_FILLED};

/// A new review of a challenge you have a scored submission of.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct CreateReviewRequest {
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub challenge_id: String,
    #[schemars(range(min = 1, max = 5))]
    pub rating: i64,
    #[schemars(length(min = 1, max = 200), regex(pattern = LINE_FILLED))]
    pub title: String,
    #[schemars(length(min = 1, max = 5000), regex(pattern = TEXT_FILLED))]
    pub content: String,
    /// Stored trimmed, lower-cased, without repeats.
    #[serde(default)]
    #[schemars(
        length(max = 10),
        inner(length(min = 1, max = 30), regex(pattern = r"^[\w+#. -]+$"))
    )]
    pub tags: Vec<String>,
}

/// A review rewritten by its author (every field replaced).
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct UpdateReviewRequest {
    #[schemars(range(min = 1, max = 5))]
    pub rating: i64,
    #[schemars(length(min = 1, max = 200), regex(pattern = LINE_FILLED))]
    pub title: String,
    #[schemars(length(min = 1, max = 5000), regex(pattern = TEXT_FILLED))]
    pub content: String,
    #[serde(default)]
    #[schemars(
        length(max = 10),
        inner(length(min = 1, max = 30), regex(pattern = r"^[\w+#. -]+$"))
    )]
    pub tags: Vec<String>,
}

/// A rating outside 1–5 (or past any integer) becomes 0, which the service refuses by name.
fn rating(value: i64) -> u8 {
    u8::try_from(value).unwrap_or(0)
}

impl CreateReviewRequest {
    /// The challenge and the draft.
    pub fn into_parts(self) -> Result<(rv::ChallengeRef, rv::ReviewDraft), ApiError> {
        let challenge = self.challenge_id.parse().map_err(|_| {
            ApiError::invalid_body("challengeId", "must be 24 hexadecimal characters")
        })?;
        Ok((
            challenge,
            rv::ReviewDraft {
                rating: rating(self.rating),
                title: self.title,
                content: self.content,
                tags: self.tags,
            },
        ))
    }
}

impl From<UpdateReviewRequest> for rv::ReviewDraft {
    fn from(r: UpdateReviewRequest) -> Self {
        Self {
            rating: rating(r.rating),
            title: r.title,
            content: r.content,
            tags: r.tags,
        }
    }
}

/// A reply to a review.
#[derive(Debug, Clone, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct ReviewReplyRequest {
    #[schemars(length(min = 1, max = 2000), regex(pattern = TEXT_FILLED))]
    pub content: String,
}

/// The order of a review list.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum ReviewSortDto {
    /// Most helpful first (default).
    Helpful,
    Newest,
    Highest,
    Lowest,
}

/// The order asked for (most helpful when none).
pub fn sort(s: Option<ReviewSortDto>) -> rv::ReviewSort {
    match s {
        None | Some(ReviewSortDto::Helpful) => rv::ReviewSort::Helpful,
        Some(ReviewSortDto::Newest) => rv::ReviewSort::Newest,
        Some(ReviewSortDto::Highest) => rv::ReviewSort::Highest,
        Some(ReviewSortDto::Lowest) => rv::ReviewSort::Lowest,
    }
}

/// Filters, order and page of `GET /reviews`.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct ReviewsQuery {
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub page: Option<u32>,
    /// Clamped to 100.
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub limit: Option<u32>,
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub challenge_id: Option<String>,
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub user_id: Option<String>,
    #[schemars(range(min = 1, max = 5))]
    pub rating: Option<i64>,
    #[schemars(length(max = 30))]
    pub tag: Option<String>,
    #[serde(default)]
    #[schemars(with = "ReviewSortDto")]
    pub sort: Option<ReviewSortDto>,
}

/// Filters, order and page of one challenge's or one user's reviews.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct ScopedReviewsQuery {
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub page: Option<u32>,
    /// Clamped to 100.
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub limit: Option<u32>,
    #[schemars(range(min = 1, max = 5))]
    pub rating: Option<i64>,
    #[schemars(length(max = 30))]
    pub tag: Option<String>,
    #[serde(default)]
    #[schemars(with = "ReviewSortDto")]
    pub sort: Option<ReviewSortDto>,
}

fn parsed<T: std::str::FromStr>(field: &str, value: Option<&str>) -> Result<Option<T>, ApiError> {
    value
        .map(|v| {
            v.parse()
                .map_err(|_| ApiError::invalid_query(field, "must be 24 hexadecimal characters"))
        })
        .transpose()
}

impl ReviewsQuery {
    /// The filter it names.
    pub fn filter(&self) -> Result<rv::ReviewFilter, ApiError> {
        crate::http::max_chars("tag", self.tag.as_deref(), 30)?;
        Ok(rv::ReviewFilter {
            challenge: parsed("challengeId", self.challenge_id.as_deref())?,
            author: parsed("userId", self.user_id.as_deref())?,
            rating: self.rating.map(rating),
            tag: self.tag.clone(),
        })
    }
}

impl ScopedReviewsQuery {
    /// The filter it names, within one challenge or one author's reviews.
    pub fn filter(&self) -> Result<rv::ReviewFilter, ApiError> {
        crate::http::max_chars("tag", self.tag.as_deref(), 30)?;
        Ok(rv::ReviewFilter {
            rating: self.rating.map(rating),
            tag: self.tag.clone(),
            ..rv::ReviewFilter::default()
        })
    }
}

/// A member's public profile bits.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ReviewerProfileDto {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub avatar: Option<String>,
}

/// Who wrote a review or reply; `username` is "[deleted]" once the account is gone.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct ReviewerDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub username: String,
    pub profile: ReviewerProfileDto,
}

impl ReviewerDto {
    pub(super) fn of(id: rv::MemberId, face: Option<rv::Face>) -> Self {
        let face = face.unwrap_or_else(|| rv::Face {
            username: "[deleted]".to_owned(),
            first_name: None,
            last_name: None,
            avatar: None,
        });
        Self {
            id: id.to_hex(),
            username: face.username,
            profile: ReviewerProfileDto {
                first_name: face.first_name,
                last_name: face.last_name,
                avatar: face.avatar,
            },
        }
    }
}

/// A reply to a review.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ReviewReplyDto {
    #[serde(rename = "_id")]
    pub object_id: String,
    /// Same as `_id` (the spec's `replies[].id`).
    pub id: String,
    pub user_id: String,
    pub user_name: String,
    pub user: ReviewerDto,
    pub content: String,
    /// Written by the reviewed challenge's author.
    pub is_challenge_author: bool,
    pub helpful: u64,
    /// Whether the caller marked it helpful.
    pub is_helpful: bool,
    pub created_at: DateTime<Utc>,
}

impl From<rv::ReplyView> for ReviewReplyDto {
    fn from(v: rv::ReplyView) -> Self {
        let r = v.reply;
        let user = ReviewerDto::of(r.author, v.author);
        Self {
            object_id: r.id.to_hex(),
            id: r.id.to_hex(),
            user_id: user.id.clone(),
            user_name: user.username.clone(),
            user,
            content: r.content,
            is_challenge_author: r.by_challenge_author,
            helpful: r.helpful,
            is_helpful: v.marked_helpful,
            created_at: r.created_at,
        }
    }
}

/// A review's interactions.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ReviewInteractionsDto {
    pub helpful: u64,
    /// Whether the caller marked it helpful.
    pub is_helpful: bool,
    pub reply_count: u64,
    /// The first replies, oldest first, on a single review (empty in lists; page them with
    /// `GET /reviews/{id}/replies`).
    pub replies: Vec<ReviewReplyDto>,
}

/// The reviewed challenge.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct ReviewedChallengeDto {
    #[serde(rename = "_id")]
    pub id: String,
    /// `null` once the challenge is no longer public.
    pub title: Option<String>,
}

/// A challenge review (the spec's Reviews document).
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ReviewDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub user_id: String,
    pub user_name: String,
    pub user: ReviewerDto,
    pub challenge_id: String,
    pub challenge_name: Option<String>,
    pub challenge: ReviewedChallengeDto,
    pub rating: u8,
    pub title: String,
    pub content: String,
    pub tags: Vec<String>,
    pub interactions: ReviewInteractionsDto,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<rv::ReviewView> for ReviewDto {
    fn from(v: rv::ReviewView) -> Self {
        let r = v.review;
        let user = ReviewerDto::of(r.author, v.author);
        Self {
            id: r.id.to_hex(),
            user_id: user.id.clone(),
            user_name: user.username.clone(),
            user,
            challenge_id: r.challenge.to_hex(),
            challenge_name: v.challenge_title.clone(),
            challenge: ReviewedChallengeDto {
                id: r.challenge.to_hex(),
                title: v.challenge_title,
            },
            rating: r.rating,
            title: r.title,
            content: r.content,
            tags: r.tags,
            interactions: ReviewInteractionsDto {
                helpful: r.helpful,
                is_helpful: v.marked_helpful,
                reply_count: r.replies,
                replies: v.replies.into_iter().map(Into::into).collect(),
            },
            is_active: r.is_active,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A helpful toggle's outcome.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ReviewHelpfulDto {
    /// Whether the caller's mark is set now.
    pub is_helpful: bool,
    /// How many members marked it helpful.
    pub helpful: u64,
}

impl From<rv::Toggled> for ReviewHelpfulDto {
    fn from(t: rv::Toggled) -> Self {
        Self {
            is_helpful: t.marked,
            helpful: t.count,
        }
    }
}
