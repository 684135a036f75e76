//! Notification bodies.

use apistos::{ApiComponent, JsonSchema};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use stackrush_notifications as nt;

/// What a notification is about.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum KindDto {
    Achievement,
    Challenge,
    Social,
    System,
    /// A level reached.
    Level,
    /// A streak milestone.
    Streak,
}

impl From<KindDto> for nt::Kind {
    fn from(k: KindDto) -> Self {
        match k {
            KindDto::Achievement => Self::Achievement,
            KindDto::Challenge => Self::Challenge,
            KindDto::Social => Self::Social,
            KindDto::System => Self::System,
            KindDto::Level => Self::Level,
            KindDto::Streak => Self::Streak,
        }
    }
}

impl From<nt::Kind> for KindDto {
    fn from(k: nt::Kind) -> Self {
        match k {
            nt::Kind::Achievement => Self::Achievement,
            nt::Kind::Challenge => Self::Challenge,
            nt::Kind::Social => Self::Social,
            nt::Kind::System => Self::System,
            nt::Kind::Level => Self::Level,
            nt::Kind::Streak => Self::Streak,
        }
    }
}

/// How urgent a notification is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum PriorityDto {
    Low,
    Normal,
    High,
    Urgent,
}

impl From<PriorityDto> for nt::Priority {
    fn from(p: PriorityDto) -> Self {
        match p {
            PriorityDto::Low => Self::Low,
            PriorityDto::Normal => Self::Normal,
            PriorityDto::High => Self::High,
            PriorityDto::Urgent => Self::Urgent,
        }
    }
}

impl From<nt::Priority> for PriorityDto {
    fn from(p: nt::Priority) -> Self {
        match p {
            nt::Priority::Low => Self::Low,
            nt::Priority::Normal => Self::Normal,
            nt::Priority::High => Self::High,
            nt::Priority::Urgent => Self::Urgent,
        }
    }
}

/// Read and delivery state.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct StatusDto {
    pub is_read: bool,
    pub read_at: Option<DateTime<Utc>>,
    pub is_delivered: bool,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// A notification.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct NotificationDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub recipient: String,
    #[serde(rename = "type")]
    pub kind: KindDto,
    pub title: String,
    pub message: String,
    pub data: serde_json::Map<String, serde_json::Value>,
    pub priority: PriorityDto,
    pub status: StatusDto,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<nt::Notification> for NotificationDto {
    fn from(n: nt::Notification) -> Self {
        Self {
            id: n.id.to_hex(),
            recipient: n.recipient.to_hex(),
            kind: n.kind.into(),
            title: n.title,
            message: n.message,
            data: n.data,
            priority: n.priority.into(),
            status: StatusDto {
                is_read: n.is_read,
                read_at: n.read_at,
                is_delivered: n.is_delivered,
                delivered_at: n.delivered_at,
            },
            created_at: n.created_at,
            expires_at: n.expires_at,
        }
    }
}

/// `{count}`.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct CountDto {
    pub count: u64,
}

/// Sort keys of notification lists.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub enum NotificationSortDto {
    #[serde(rename = "createdAt")]
    CreatedAt,
    #[serde(rename = "priority")]
    Priority,
}

/// `GET /notifications` query.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct NotificationQuery {
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub page: Option<u32>,
    /// Clamped to 100.
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub limit: Option<u32>,
    pub sort: Option<NotificationSortDto>,
    pub order: Option<crate::http::OrderDto>,
    #[serde(rename = "type")]
    pub kind: Option<KindDto>,
    #[serde(rename = "isRead")]
    pub is_read: Option<bool>,
    pub priority: Option<PriorityDto>,
    /// Created at or after (RFC 3339).
    #[schemars(regex(pattern = crate::http::patterns::INSTANT))]
    pub from: Option<DateTime<Utc>>,
    /// Created at or before (RFC 3339).
    #[schemars(regex(pattern = crate::http::patterns::INSTANT))]
    pub to: Option<DateTime<Utc>>,
}

impl NotificationQuery {
    /// The domain filter.
    pub fn filter(&self) -> Result<nt::Filter, crate::error::ApiError> {
        crate::http::time_bounds(&[("from", self.from), ("to", self.to)])?;
        Ok(nt::Filter {
            kind: self.kind.map(Into::into),
            is_read: self.is_read,
            priority: self.priority.map(Into::into),
            from: self.from,
            to: self.to,
            sort: match self.sort {
                None | Some(NotificationSortDto::CreatedAt) => nt::Sort::CreatedAt,
                Some(NotificationSortDto::Priority) => nt::Sort::Priority,
            },
            descending: !matches!(self.order, Some(crate::http::OrderDto::Asc)),
        })
    }
}

/// One notification to create (admins).
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct CreateNotificationRequest {
    /// The recipient's user id.
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub recipient: String,
    /// Default `system`.
    #[serde(rename = "type")]
    pub kind: Option<KindDto>,
    #[schemars(length(min = 1, max = 200))]
    pub title: String,
    #[schemars(length(min = 1, max = 2000))]
    pub message: String,
    /// Free-form object (at most 10,000 bytes of JSON).
    pub data: Option<serde_json::Map<String, serde_json::Value>>,
    pub priority: Option<PriorityDto>,
    /// Dropped when the recipient already has a notification with this key.
    #[schemars(length(min = 1, max = 200))]
    pub dedup_key: Option<String>,
    /// In the future; default 90 days from now.
    #[schemars(regex(pattern = crate::http::patterns::INSTANT))]
    pub expires_at: Option<DateTime<Utc>>,
}

/// `POST /notifications/bulk` (admins): 1 to 100 notifications.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct BulkRequest {
    #[schemars(length(min = 1, max = 100))]
    pub notifications: Vec<CreateNotificationRequest>,
}

/// What a create did.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct DeliveredDto {
    /// Stored and visible to their recipients.
    pub stored: usize,
    /// Dropped (recipient unknown, not wanting this kind, or a duplicate key).
    pub skipped: usize,
}

/// How many were marked read.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct MarkedDto {
    pub updated: u64,
}
