//! What every context's HTTP folder shares: the `Port` extractor for a context's inbound port,
//! page and length checks of query values, id paths, and JSON 405s.

use std::collections::BTreeMap;
use std::ops::Deref;
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use apistos::reference_or::ReferenceOr;
use apistos::{ApiComponent, ApistosSchema, JsonSchema, OpenApiVersion};
use futures::future::{ready, Ready};
use serde::Deserialize;

use crate::error::{ApiError, Detail};

/// A context's inbound port (`Port<dyn IdentityApi>`), registered by its context with
/// [`Port::register`] and extracted by the handlers that call it. A handler test registers only
/// the ports (mocks) its routes use.
pub struct Port<T: ?Sized>(Arc<T>);

impl<T: ?Sized + 'static> Port<T> {
    /// Makes `api` available to every handler of the app (or test app) being configured.
    pub fn register(cfg: &mut apistos::web::ServiceConfig, api: Arc<T>) {
        cfg.app_data(Port(api));
    }

    /// The port behind a request, when its context is mounted.
    pub fn of(req: &HttpRequest) -> Option<Arc<T>> {
        req.app_data::<Port<T>>().map(|port| port.0.clone())
    }
}

impl<T: ?Sized> Clone for Port<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T: ?Sized> Deref for Port<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: ?Sized + 'static> FromRequest for Port<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            Self::of(req)
                .map(Port)
                .ok_or_else(|| ApiError::internal(&std::any::type_name::<Self>())),
        )
    }
}

impl<T: ?Sized> ApiComponent for Port<T> {
    fn child_schemas(_: OpenApiVersion) -> Vec<(String, ReferenceOr<ApistosSchema>)> {
        vec![]
    }

    fn schema(_: OpenApiVersion) -> Option<(String, ReferenceOr<ApistosSchema>)> {
        None
    }

    fn securities() -> BTreeMap<String, apistos::security::SecurityScheme> {
        BTreeMap::new()
    }
}

/// A page request from query values, or a 400 `QUERY_VALIDATION_ERROR` naming the parameter.
pub fn page_request(
    page: Option<u32>,
    limit: Option<u32>,
    default_limit: u32,
) -> Result<stackrush_kernel::PageRequest, ApiError> {
    stackrush_kernel::PageRequest::checked(page, limit, default_limit).map_err(|problems| {
        ApiError::validation(
            "QUERY_VALIDATION_ERROR",
            "The query string is invalid",
            problems.into_iter().map(Into::into).collect(),
        )
    })
}

/// A 400 `QUERY_VALIDATION_ERROR` when a query value is longer than its documented maximum.
pub fn max_chars(field: &str, value: Option<&str>, max: usize) -> Result<(), ApiError> {
    match value {
        Some(v) if v.chars().count() > max => Err(ApiError::invalid_query(
            field,
            format!("must be at most {max} characters"),
        )),
        _ => Ok(()),
    }
}

/// `resource` answering a JSON 405 with an accurate `Allow` header for every method it does not
/// declare (actix's own 405 names none).
pub fn allowing(resource: apistos::web::Resource, allow: &'static str) -> apistos::web::Resource {
    resource.default_service(actix_web::web::to(move || async move {
        Err::<actix_web::HttpResponse, _>(ApiError::method_not_allowed(allow))
    }))
}

/// A 400 naming the first time bound outside the range the service stores
/// ([`stackrush_kernel::time_problem`]).
pub fn time_bounds(
    bounds: &[(&str, Option<chrono::DateTime<chrono::Utc>>)],
) -> Result<(), ApiError> {
    for (field, value) in bounds {
        if let Some(problem) = value.and_then(stackrush_kernel::time_problem) {
            return Err(ApiError::invalid_query(*field, problem));
        }
    }
    Ok(())
}

/// A path holding one 24-hex id.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct IdPath {
    /// 24 hexadecimal characters.
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub id: String,
}

impl IdPath {
    /// The id as the aggregate's id type, or a 400 `PARAMS_VALIDATION_ERROR`.
    pub fn parse<T: std::str::FromStr>(&self) -> Result<T, ApiError> {
        path_id("id", &self.id)
    }
}

/// Path segment `field` holding `value` as an id type, or a 400 `PARAMS_VALIDATION_ERROR`
/// naming the segment and the value sent.
pub fn path_id<T: std::str::FromStr>(field: &str, value: &str) -> Result<T, ApiError> {
    value.parse().map_err(|_| {
        ApiError::validation(
            "PARAMS_VALIDATION_ERROR",
            "The path is invalid",
            vec![Detail {
                field: field.into(),
                message: "must be 24 hexadecimal characters".into(),
                value: Some(value.to_owned().into()),
            }],
        )
    })
}

/// `asc` or `desc` (newest or highest first unless a list says otherwise).
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum OrderDto {
    Asc,
    Desc,
}

/// A plain page query.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct PageQuery {
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub page: Option<u32>,
    /// Clamped to 100.
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub limit: Option<u32>,
}

/// The address a request comes from (the proxy's client when proxies are trusted), by the same
/// rule as the rate limits.
pub struct ClientAddress(pub std::net::IpAddr);

impl FromRequest for ClientAddress {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self(crate::middleware::request_ip(req))))
    }
}

impl ApiComponent for ClientAddress {
    fn child_schemas(_: OpenApiVersion) -> Vec<(String, ReferenceOr<ApistosSchema>)> {
        vec![]
    }

    fn schema(_: OpenApiVersion) -> Option<(String, ReferenceOr<ApistosSchema>)> {
        None
    }
}

/// `deserialize_with` for an optional nested object: `null` or absent is `None`, an object is
/// read as `T`, anything else (serde's derive would also take an array of the fields in order)
/// is refused.
pub fn object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    use serde::de::Error;
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(value @ serde_json::Value::Object(_)) => {
            T::deserialize(value).map(Some).map_err(D::Error::custom)
        }
        Some(_) => Err(D::Error::custom("expected an object")),
    }
}

/// Schema patterns for text fields: the kernel's text rule (`stackrush_kernel::text`) as
/// regular expressions, so the OpenAPI document promises what the services enforce.
pub mod patterns {
    /// An instant between 1970 and 9999 (what the services accept; RFC 3339 alone allows years
    /// 0000 to 9999), for date-time fields.
    pub const INSTANT: &str = r"^(19[7-9][0-9]|[2-9][0-9]{3})-";

    /// One line of text: no control characters or bidirectional overrides (what the service
    /// refuses), for the schema.
    pub const LINE: &str = r"^[^\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]*$";
    /// One line with at least one visible character.
    pub const LINE_FILLED: &str = r"^[^\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]*[^\s\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069][^\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]*$";
    /// Text over lines (tabs and line breaks allowed).
    pub const TEXT: &str =
        r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]*$";
    /// Text with at least one visible character.
    pub const TEXT_FILLED: &str = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]*[^\s\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069][^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]*$";
    /// An http(s) URL without spaces or control characters.
    pub const URL: &str =
        r"^[hH][tT][tT][pP][sS]?://[^\s\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+$";
}

/// A JSON request body, read like `web::Json` (the app's `JsonConfig`: size limit, media type,
/// error handler) but strictly — a struct given as an array is refused at any depth — and with
/// errors that name the field they are about, nested ones included: a wrong type at
/// `code.testCases[0].weight` is reported on that path, not on `body`.
pub struct Body<T>(pub T);

impl<T> Body<T> {
    /// The parsed body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Body<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// What a [`Body`] error message starts with: the path between backticks.
pub const AT_PATH: &str = "at `";

/// `T`, read strictly (no struct in sequence form, at any depth: [`crate::strict`]), whose
/// deserialization errors carry the path where they happened.
struct Pathed<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Pathed<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        read_pathed(d).map(Pathed)
    }
}

/// Reads `T` from `d` as a [`Body`] does: strictly, an error's message starting with the path
/// where it happened (`at \`code.testCases[0]\`: …`; read back by `startup::serde_detail`).
pub fn read_pathed<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<T, D::Error> {
    serde_path_to_error::deserialize(crate::strict::Strict(d)).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            inner
        } else {
            serde::de::Error::custom(format!("{AT_PATH}{path}`: {inner}"))
        }
    })
}

impl<T: serde::de::DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = actix_web::Error;
    type Future = futures::future::LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = actix_web::web::Json::<Pathed<T>>::from_request(req, payload);
        Box::pin(async move { json.await.map(|j| Body(j.into_inner().0)) })
    }
}

impl<T: ApiComponent> ApiComponent for Body<T> {
    fn required() -> bool {
        T::required()
    }

    fn child_schemas(oas_version: OpenApiVersion) -> Vec<(String, ReferenceOr<ApistosSchema>)> {
        T::child_schemas(oas_version)
    }

    fn raw_schema(oas_version: OpenApiVersion) -> Option<ReferenceOr<ApistosSchema>> {
        T::raw_schema(oas_version)
    }

    fn schema(oas_version: OpenApiVersion) -> Option<(String, ReferenceOr<ApistosSchema>)> {
        T::schema(oas_version)
    }
}

/// Declares a DTO enumeration mirroring a domain one value for value (the same variant names,
/// each shown by its `name`), with the conversions both ways. The DTO module must have serde's
/// `Serialize`/`Deserialize` and apistos' `JsonSchema`/`ApiComponent` in scope.
macro_rules! mirrored_enum {
    ($(#[$meta:meta])* $dto:ident => $module:ident::$domain:ident { $($variant:ident = $name:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ApiComponent)]
        #[schemars(crate = "apistos")]
        pub enum $dto {
            $(#[serde(rename = $name)] $variant),+
        }

        impl From<$dto> for $module::$domain {
            fn from(v: $dto) -> Self {
                match v { $($dto::$variant => $module::$domain::$variant),+ }
            }
        }

        impl From<$module::$domain> for $dto {
            fn from(v: $module::$domain) -> Self {
                match v { $($module::$domain::$variant => $dto::$variant),+ }
            }
        }
    };
}
pub(crate) use mirrored_enum;
