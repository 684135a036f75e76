//! The list of the context not built yet (learning). The web client calls
//! them on its home pages; until the contexts exist they answer the contract's shape with an
//! empty page, after validating the query like the real lists will.

use actix_web::web::{Json, Query};
use apistos::api_operation;
use apistos::web::{get, resource, ServiceConfig};
use apistos::{ApiComponent, JsonSchema};
use serde::Deserialize;
use stackrush_kernel::Page;

use crate::envelope::{ApiResponse, Paginated};
use crate::error::ApiError;

type Reply<T> = Result<Json<ApiResponse<T>>, ApiError>;

/// The query the client sends to these lists.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct CatalogQuery {
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub page: Option<u32>,
    /// Clamped to 100.
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub limit: Option<u32>,
    #[schemars(length(max = 50))]
    pub category: Option<String>,
    #[schemars(length(max = 300))]
    pub tags: Option<String>,
    #[schemars(length(max = 100))]
    pub search: Option<String>,
    #[schemars(length(max = 20))]
    pub difficulty: Option<String>,
    #[schemars(length(max = 50))]
    pub framework: Option<String>,
}

fn empty(query: &CatalogQuery) -> Reply<Paginated<serde_json::Value>> {
    let page = crate::http::page_request(query.page, query.limit, 10)?;
    for (field, value, max) in [
        ("category", &query.category, 50),
        ("tags", &query.tags, 300),
        ("search", &query.search, 100),
        ("difficulty", &query.difficulty, 20),
        ("framework", &query.framework, 50),
    ] {
        crate::http::max_chars(field, value.as_deref(), max)?;
    }
    let none: Page<serde_json::Value> = Page {
        items: Vec::new(),
        request: page,
        total: 0,
    };
    Ok(Json(ApiResponse::ok(Paginated::from_page(none, |v| v))))
}

/// Learning playlists (the learning context is not built yet: always an empty page).
#[api_operation(
    tag = "learning",
    summary = "List learning playlists",
    error_code = 400
)]
pub async fn playlists(query: Query<CatalogQuery>) -> Reply<Paginated<serde_json::Value>> {
    empty(&query)
}

/// The list.
pub fn mount(cfg: &mut ServiceConfig) {
    use crate::http::allowing;
    cfg.service(allowing(resource("/learning/playlists"), "GET").route(get().to(playlists)));
}
