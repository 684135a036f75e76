//! The success envelope and the nested page shape the web client reads.

use std::marker::PhantomData;

use actix_web::body::BoxBody;
use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, Responder};
use apistos::reference_or::ReferenceOr;
use apistos::{ApiComponent, ApistosSchema, JsonSchema, OpenApiVersion};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::Serialize;
use stackrush_kernel::{Page, Shared};

use crate::error::ApiError;

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

/// A JSON answer of shape `T` sent as bytes encoded once for everyone who shares it: the first
/// request for a [`Shared`] value encodes `T`, the following ones send the same bytes. The
/// envelope's `timestamp` is then the moment the answer was composed. Documented as `T`.
pub struct Encoded<T> {
    body: Bytes,
    shape: PhantomData<fn() -> T>,
}

impl<T: Serialize> Encoded<T> {
    /// The bytes of `answer(value)`, encoded on the first call for this `shared` value.
    pub fn of<V>(shared: &Shared<V>, answer: impl FnOnce(&V) -> T) -> Result<Self, ApiError> {
        let body = shared
            .encoded(|value| serde_json::to_vec(&answer(value)))
            .map_err(|e| ApiError::internal(&e))?;
        Ok(Self {
            body,
            shape: PhantomData,
        })
    }
}

impl<T> Responder for Encoded<T> {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        HttpResponse::Ok()
            .content_type(ContentType::json())
            .body(self.body)
    }
}

impl<T: ApiComponent> ApiComponent for Encoded<T> {
    fn required() -> bool {
        T::required()
    }

    fn child_schemas(v: OpenApiVersion) -> Vec<(String, ReferenceOr<ApistosSchema>)> {
        T::child_schemas(v)
    }

    fn raw_schema(v: OpenApiVersion) -> Option<ReferenceOr<ApistosSchema>> {
        T::raw_schema(v)
    }

    fn schema(v: OpenApiVersion) -> Option<(String, ReferenceOr<ApistosSchema>)> {
        T::schema(v)
    }
}
