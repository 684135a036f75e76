//! Challenge routes. Fixed paths (`popular`, `categories`, `slug/…`) are registered before `{id}`.

use std::collections::BTreeMap;

use actix_web::dev::Payload;
use actix_web::web::{Json, Path, Query};
use actix_web::{FromRequest, HttpRequest};
use apistos::actix::CreatedJson;
use apistos::reference_or::ReferenceOr;
use apistos::web::{delete, get, post, put, resource, ServiceConfig};
use apistos::{api_operation, ApiComponent, ApistosSchema, OpenApiVersion};
use futures::future::{ready, Ready};
use stackrush_challenges::{ChallengeFilter, ChallengeId, Difficulty, SortKey};

use super::catalogue::{self, CatalogueFile, ImportQuery, ImportReportDto};
use super::dto::*;
use crate::auth::{Auth, MaybeAuth};
use crate::contexts::challenges::caller;
use crate::envelope::{ApiResponse, Empty, Encoded, Paginated};
use crate::error::ApiError;
use crate::http::Body;
use crate::http::IdPath;
use crate::http::Port;
use stackrush_challenges::ChallengeApi;
use stackrush_challenges::Quietly;
use std::sync::Arc;

type Reply<T> = Result<Json<ApiResponse<T>>, ApiError>;

/// `GET /challenges` query with `tags` gathered from every occurrence (repeated or comma-separated).
pub struct ChallengeListQuery {
    pub query: ListChallengesQuery,
    pub tags: Vec<String>,
}

impl ChallengeListQuery {
    fn parse(raw: &str) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw)
            .map_err(|e| ApiError::invalid_query("query", e.to_string()))?;
        let mut tags = Vec::new();
        let mut rest = Vec::new();
        for (key, value) in pairs {
            if key == "tags" {
                if value.chars().count() > 300 {
                    return Err(ApiError::invalid_query(
                        "tags",
                        "must be at most 300 characters",
                    ));
                }
                tags.extend(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_owned),
                );
            } else {
                rest.push((key, value));
            }
        }
        if tags.len() > 20 {
            return Err(ApiError::invalid_query("tags", "at most 20 tags"));
        }
        let rest = serde_urlencoded::to_string(&rest)
            .map_err(|e| ApiError::invalid_query("query", e.to_string()))?;
        let query: ListChallengesQuery = serde_urlencoded::from_str(&rest).map_err(|e| {
            let message = e.to_string();
            let field = message.split('`').nth(1).unwrap_or("query").to_owned();
            ApiError::invalid_query(&field, &message)
        })?;
        Ok(Self { query, tags })
    }

    /// The domain filter, or a 400 naming the parameter.
    fn filter(self) -> Result<(ChallengeFilter, Option<u32>, Option<u32>), ApiError> {
        let q = self.query;
        crate::http::max_chars("search", q.search.as_deref(), 100)?;
        crate::http::max_chars("category", q.category.as_deref(), 50)?;
        if q.max_time_limit == Some(0) {
            return Err(ApiError::invalid_query(
                "maxTimeLimit",
                "must be at least 1",
            ));
        }
        let difficulty = match q.difficulty.as_deref() {
            None => None,
            Some(d) => Some(Difficulty::parse(d).ok_or_else(|| {
                ApiError::invalid_query("difficulty", "must be Easy, Medium or Hard")
            })?),
        };
        let author = match q.author.as_deref() {
            None => None,
            Some(a) => Some(a.parse().map_err(|_| {
                ApiError::invalid_query("author", "must be 24 hexadecimal characters")
            })?),
        };
        let sort = match q.sort {
            None | Some(SortDto::CreatedAt) => SortKey::CreatedAt,
            Some(SortDto::Title) => SortKey::Title,
            Some(SortDto::Difficulty) => SortKey::Difficulty,
            Some(SortDto::Popularity) => SortKey::Popularity,
            Some(SortDto::TotalAttempts) => SortKey::TotalAttempts,
            Some(SortDto::AverageScore) => SortKey::AverageScore,
        };
        let filter = ChallengeFilter {
            kind: q.kind.map(Into::into),
            difficulty,
            category: q.category.filter(|c| !c.is_empty()),
            tags: self.tags,
            max_time_limit: q.max_time_limit,
            author,
            search: q.search,
            sort,
            descending: q
                .order
                .map_or(sort.default_descending(), |o| matches!(o, OrderDto::Desc)),
        };
        Ok((filter, q.page, q.limit))
    }
}

impl FromRequest for ChallengeListQuery {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::parse(req.query_string()))
    }
}

impl ApiComponent for ChallengeListQuery {
    fn child_schemas(v: OpenApiVersion) -> Vec<(String, ReferenceOr<ApistosSchema>)> {
        <Query<ListChallengesQuery> as ApiComponent>::child_schemas(v)
    }

    fn schema(v: OpenApiVersion) -> Option<(String, ReferenceOr<ApistosSchema>)> {
        <Query<ListChallengesQuery> as ApiComponent>::schema(v)
    }

    fn raw_schema(v: OpenApiVersion) -> Option<ReferenceOr<ApistosSchema>> {
        <Query<ListChallengesQuery> as ApiComponent>::raw_schema(v)
    }

    fn request_body(_: OpenApiVersion, _: Option<String>) -> Option<apistos::paths::RequestBody> {
        None
    }

    fn parameters(
        v: OpenApiVersion,
        description: Option<String>,
    ) -> Vec<apistos::paths::Parameter> {
        <Query<ListChallengesQuery> as ApiComponent>::parameters(v, description)
    }
}

/// List challenges.
/// Challenges the caller may see, filtered, sorted and paged.
#[api_operation(
    tag = "challenges",
    summary = "List challenges",
    error_code = 400,
    error_code = 401
)]
pub async fn list(
    challenges: Port<dyn ChallengeApi>,
    viewer: MaybeAuth,
    query: ChallengeListQuery,
) -> Result<Encoded<ApiResponse<Paginated<ChallengeDto>>>, ApiError> {
    let (filter, page, limit) = query.filter()?;
    let page = crate::http::page_request(page, limit, 10)?;
    let found = challenges
        .list(viewer.0.as_ref().map(caller), filter, page)
        .await?;
    Encoded::of(&found, |page| {
        ApiResponse::ok(Paginated::from_page(page.clone(), ChallengeDto::from))
    })
}

/// Create a challenge.
/// Create a challenge (admins and moderators).
#[api_operation(
    tag = "challenges",
    summary = "Create a challenge",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 409
)]
pub async fn create(
    challenges: Port<dyn ChallengeApi>,
    auth: Auth,
    body: Body<ChallengeRequest>,
) -> Result<CreatedJson<ApiResponse<ChallengeDto>>, ApiError> {
    let view = challenges
        .create(caller(&auth.0), body.into_inner().into())
        .await?;
    Ok(CreatedJson(ApiResponse::with_message(
        view.into(),
        "Challenge created",
    )))
}

/// Popular challenges.
/// The most popular public challenges.
#[api_operation(
    tag = "challenges",
    summary = "Popular challenges",
    error_code = 400,
    error_code = 401
)]
pub async fn popular(
    challenges: Port<dyn ChallengeApi>,
    viewer: MaybeAuth,
    query: Query<PopularQuery>,
) -> Reply<Vec<ChallengeDto>> {
    let limit = crate::http::page_request(None, query.limit, 10)?.limit();
    let found = challenges
        .popular(viewer.0.as_ref().map(caller), limit)
        .await?;
    Ok(Json(ApiResponse::ok(
        found.into_iter().map(ChallengeDto::from).collect(),
    )))
}

/// Challenge categories.
/// Public challenges per category (`{category: count}`).
// Listing the store's 503 keeps apistos from listing every status the error type knows.
#[api_operation(tag = "challenges", summary = "Challenge categories", error_code = 503)]
pub async fn categories(challenges: Port<dyn ChallengeApi>) -> Reply<BTreeMap<String, u64>> {
    let counts = challenges.categories().await?;
    Ok(Json(ApiResponse::ok(counts.into_iter().collect())))
}

/// Slug path.
#[derive(Debug, serde::Deserialize, apistos::JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct SlugPath {
    #[schemars(length(min = 1, max = 100))]
    pub slug: String,
}

/// Get a challenge by slug.
/// One challenge by slug.
#[api_operation(
    tag = "challenges",
    summary = "Get a challenge by slug",
    error_code = 401,
    error_code = 404
)]
pub async fn get_by_slug(
    challenges: Port<dyn ChallengeApi>,
    viewer: MaybeAuth,
    path: Path<SlugPath>,
) -> Reply<ChallengeDto> {
    let view = challenges
        .get_by_slug(viewer.0.as_ref().map(caller), path.into_inner().slug)
        .await?;
    Ok(Json(ApiResponse::ok(view.into())))
}

/// Get a challenge.
/// One challenge.
#[api_operation(
    tag = "challenges",
    summary = "Get a challenge",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn get_one(
    challenges: Port<dyn ChallengeApi>,
    viewer: MaybeAuth,
    path: Path<IdPath>,
) -> Reply<ChallengeDto> {
    let view = challenges
        .get(viewer.0.as_ref().map(caller), path.parse::<ChallengeId>()?)
        .await?;
    Ok(Json(ApiResponse::ok(view.into())))
}

/// Update a challenge.
/// Replace a challenge's content (its author or an admin); stats are kept.
#[api_operation(
    tag = "challenges",
    summary = "Update a challenge",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 409
)]
pub async fn update(
    challenges: Port<dyn ChallengeApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<ChallengeRequest>,
) -> Reply<ChallengeDto> {
    let id = path.parse::<ChallengeId>()?;
    let view = challenges
        .update(caller(&auth.0), id, body.into_inner().into())
        .await?;
    Ok(Json(ApiResponse::with_message(
        view.into(),
        "Challenge updated",
    )))
}

/// Delete a challenge.
/// Delete a challenge (soft; its author or an admin).
#[api_operation(
    tag = "challenges",
    summary = "Delete a challenge",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404
)]
pub async fn remove(
    challenges: Port<dyn ChallengeApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<Empty> {
    challenges
        .delete(caller(&auth.0), path.parse::<ChallengeId>()?)
        .await?;
    Ok(Json(ApiResponse::with_message(
        Empty {},
        "Challenge deleted",
    )))
}

/// Challenge statistics.
/// Statistics of one challenge.
#[api_operation(
    tag = "challenges",
    summary = "Challenge statistics",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn stats(
    challenges: Port<dyn ChallengeApi>,
    viewer: MaybeAuth,
    path: Path<IdPath>,
) -> Reply<ChallengeStatsDto> {
    let stats = challenges
        .stats(viewer.0.as_ref().map(caller), path.parse::<ChallengeId>()?)
        .await?;
    Ok(Json(ApiResponse::ok(stats.into())))
}

/// Import challenges in bulk.
/// Imports a catalogue file (admins): the same checks as `POST /challenges` for every item,
/// all of them before anything is written.
#[api_operation(
    tag = "challenges",
    summary = "Import challenges in bulk",
    description = "A catalogue file `{\"challenges\": [...]}` of `POST /challenges` bodies, each optionally with the `_id`, `slug` and test `_id`s an export writes (`stackrush-api challenges export`). Items are matched to existing challenges by slug (the given one, else the title's): `update=true` replaces those, otherwise they are skipped. Any problem answers 400 listing every one as `challenges[index].field`, and nothing is written. At most 10,000 items and 8 MiB.",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 413,
    error_code = 415
)]
pub async fn import(
    challenges: Port<dyn ChallengeApi>,
    auth: Auth,
    query: Query<ImportQuery>,
    body: Body<CatalogueFile>,
) -> Reply<ImportReportDto> {
    let report = catalogue::import(
        &*challenges,
        caller(&auth.0),
        body.into_inner(),
        query.options(),
        Arc::new(Quietly),
    )
    .await?;
    Ok(Json(ApiResponse::ok(report.into())))
}

/// The most bytes of an import body.
pub const IMPORT_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// `/challenges/*`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        crate::http::allowing(resource("/admin/challenges/import"), "POST")
            .app_data(
                actix_web::web::JsonConfig::default()
                    .limit(IMPORT_BODY_LIMIT)
                    .error_handler(crate::startup::json_error),
            )
            .route(post().to(import)),
    );
    cfg.service(
        crate::http::allowing(resource("/challenges"), "GET, POST")
            .route(get().to(list))
            .route(post().to(create)),
    )
    .service(crate::http::allowing(resource("/challenges/popular"), "GET").route(get().to(popular)))
    .service(
        crate::http::allowing(resource("/challenges/categories"), "GET")
            .route(get().to(categories)),
    )
    .service(
        crate::http::allowing(resource("/challenges/slug/{slug}"), "GET")
            .route(get().to(get_by_slug)),
    )
    .service(
        crate::http::allowing(resource("/challenges/{id}/stats"), "GET").route(get().to(stats)),
    )
    .service(
        crate::http::allowing(resource("/challenges/{id}"), "GET, PUT, DELETE")
            .route(get().to(get_one))
            .route(put().to(update))
            .route(delete().to(remove)),
    );
}
