//! The success envelope and the nested page shape the web client reads.

use apistos::{ApiComponent, JsonSchema};
use chrono::{DateTime, Utc};
use serde::Serialize;
use stackrush_kernel::Page;

/// `{"success": true, "data": …, "message"?, "timestamp"}`.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos", rename = "{T}Envelope")]
pub struct ApiResponse<T: Serialize + JsonSchema> {
    /// Always true.
    pub success: bool,
    pub data: T,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub timestamp: DateTime<Utc>,
}

impl<T: Serialize + JsonSchema> ApiResponse<T> {
    /// `data` in the envelope.
    pub fn ok(data: T) -> Self {
        Self {
            success: true,
            data,
            message: None,
            timestamp: Utc::now(),
        }
    }

    /// `data` with a human message.
    pub fn with_message(data: T, message: &str) -> Self {
        Self {
            message: Some(message.to_owned()),
            ..Self::ok(data)
        }
    }
}

/// Pagination facts of a list.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    pub page: u32,
    pub limit: u32,
    pub total: u64,
    pub pages: u64,
    pub has_next: bool,
    pub has_prev: bool,
}

impl Pagination {
    /// The pagination figures of `page`.
    pub fn of<T>(page: &Page<T>) -> Self {
        Self {
            page: page.request.page(),
            limit: page.request.limit(),
            total: page.total,
            pages: page.pages(),
            has_next: page.has_next(),
            has_prev: page.has_prev(),
        }
    }
}

/// `{"data": [...], "pagination": {...}}`, itself inside the envelope's `data`.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos", rename = "{T}Page")]
pub struct Paginated<T: Serialize + JsonSchema> {
    pub data: Vec<T>,
    pub pagination: Pagination,
}

impl<T: Serialize + JsonSchema> Paginated<T> {
    /// The page's items converted by `f`.
    pub fn from_page<U>(page: Page<U>, f: impl FnMut(U) -> T) -> Self {
        let pagination = Pagination::of(&page);
        Self {
            data: page.items.into_iter().map(f).collect(),
            pagination,
        }
    }
}

/// An empty payload (`{}`) for actions that return nothing.
#[derive(Debug, Default, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct Empty {}
