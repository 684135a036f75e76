//! The OpenAPI document: its header, and the statuses the HTTP shell itself can answer on any
//! operation, declared here once instead of on every operation.
//!
//! apistos documents what each handler declares. The middleware in front of the handlers can
//! answer some statuses on every route (a 429 from the rate limiter, a 503 while the store is not
//! ready, a 408, 413 or 415 while reading a body), so [`document_shell_statuses`] adds those to
//! every operation they apply to when `/openapi.json` is served.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::ContentType;
use actix_web::middleware::Next;
use actix_web::HttpResponse;
use apistos::info::Info;
use apistos::spec::Spec;
use serde_json::{json, Value};

use crate::middleware::{api_route, API_BASE};

/// Where the document is served.
pub const PATH: &str = "/openapi.json";

/// The document's header.
pub fn spec() -> Spec {
    Spec {
        info: Info {
            title: "StackRush API".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            description: Some(
                "REST API of the StackRush coding-challenge platform. Every success is wrapped as \
                 {success, data, message?, timestamp}; every error as {success: false, error: {code, message, details, timestamp, path}}. \
                 Every route is served under /api/v1 (listed here) and under /api, an alias of the current version."
                    .to_owned(),
            ),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// Every operation: the per-address rate limiter (`middleware::rate_limit`).
const ANY: &[(&str, &str)] = &[("429", "Too many requests")];
/// Operations under the API's base, but for health and readiness: the store gate
/// (`middleware::store_gate`).
const STORE: &[(&str, &str)] = &[("503", "Store unavailable")];
/// Operations with a body: the body's deadline (`middleware::body_deadline`), size limit and
/// content type (the JSON extractor's configuration).
const BODY: &[(&str, &str)] = &[
    ("408", "Body not received in time"),
    ("413", "Body too large"),
    ("415", "Body is not JSON"),
];

/// Adds the shell's statuses to every operation of `doc` they apply to (an operation that
/// documents one already keeps its own description).
pub fn add_shell_statuses(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let gated =
            path.starts_with(API_BASE) && !matches!(api_route(path), Some("/health" | "/ready"));
        let Some(operations) = item.as_object_mut() else {
            continue;
        };
        for operation in operations.values_mut() {
            let has_body = operation.get("requestBody").is_some();
            let Some(responses) = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            let store: &[_] = if gated { STORE } else { &[] };
            let body: &[_] = if has_body { BODY } else { &[] };
            let statuses = ANY.iter().chain(store).chain(body);
            for (status, description) in statuses {
                responses
                    .entry(*status)
                    .or_insert_with(|| json!({ "description": description }));
            }
        }
    }
}

/// Rewrites what OpenAPI 3.0 cannot state in its schema dialect: `const: x` (which schemars
/// writes for an enum variant with its own doc comment, and 3.0 tools ignore, leaving the
/// value unconstrained) becomes `enum: [x]`.
pub fn as_openapi_3_0(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(constant) = map.remove("const") {
                map.insert("enum".to_owned(), Value::Array(vec![constant]));
            }
            map.values_mut().for_each(as_openapi_3_0);
        }
        Value::Array(items) => items.iter_mut().for_each(as_openapi_3_0),
        _ => {}
    }
}

/// Serves `/openapi.json` with [`add_shell_statuses`] and [`as_openapi_3_0`] applied; every
/// other request passes.
pub async fn document_shell_statuses(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if req.path() != PATH {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let response = next.call(req).await?;
    if !response.status().is_success() {
        return Ok(response.map_into_boxed_body());
    }
    let (req, response) = response.into_parts();
    let body = actix_web::body::to_bytes(response.into_body())
        .await
        .map_err(|_| crate::error::ApiError::internal(&"the OpenAPI document could not be read"))?;
    let mut doc: Value = serde_json::from_slice(&body)
        .map_err(|e| crate::error::ApiError::internal(&format!("OpenAPI document: {e}")))?;
    add_shell_statuses(&mut doc);
    as_openapi_3_0(&mut doc);
    let response = HttpResponse::Ok()
        .content_type(ContentType::json())
        .json(doc);
    Ok(ServiceResponse::new(req, response))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_become_one_value_enums_at_any_depth() {
        let mut doc = json!({ "components": { "schemas": { "Sort": { "oneOf": [
            { "type": "string", "const": "helpful", "description": "Default." },
            { "type": "string", "enum": ["newest"] }
        ] } } } });
        as_openapi_3_0(&mut doc);
        assert_eq!(
            doc["components"]["schemas"]["Sort"]["oneOf"][0],
            json!({ "type": "string", "enum": ["helpful"], "description": "Default." })
        );
        assert_eq!(
            doc["components"]["schemas"]["Sort"]["oneOf"][1],
            json!({ "type": "string", "enum": ["newest"] })
        );
    }

    #[test]
    fn shell_statuses_go_where_the_shell_can_answer_them() {
        let mut doc = json!({ "paths": {
            "/health": { "get": { "responses": { "200": {} } } },
            "/api/v1/ready": { "get": { "responses": { "503": { "description": "own" } } } },
            "/api/v1/things": {
                "get": { "responses": { "200": {} } },
                "post": { "requestBody": {}, "responses": { "201": {} } }
            }
        } });
        add_shell_statuses(&mut doc);
        let codes = |path: &str, method: &str| {
            let mut codes: Vec<String> = doc["paths"][path][method]["responses"]
                .as_object()
                .map(|r| r.keys().cloned().collect())
                .unwrap_or_default();
            codes.sort();
            codes
        };
        assert_eq!(codes("/health", "get"), ["200", "429"]);
        assert_eq!(codes("/api/v1/ready", "get"), ["429", "503"]);
        assert_eq!(
            doc["paths"]["/api/v1/ready"]["get"]["responses"]["503"]["description"],
            "own"
        );
        assert_eq!(codes("/api/v1/things", "get"), ["200", "429", "503"]);
        assert_eq!(
            codes("/api/v1/things", "post"),
            ["201", "408", "413", "415", "429", "503"]
        );
    }

    /// apistos keys OpenAPI components by type name: two documented types of one name would
    /// silently share one schema (the last registered wins). Every type deriving
    /// `ApiComponent` in the app has a name of its own.
    #[test]
    fn documented_type_names_are_unique_across_contexts() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let mut files = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let mut seen: std::collections::HashMap<String, String> = Default::default();
        let mut clashes = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let mut derived = false;
            for line in text.lines().map(str::trim) {
                if line.starts_with("#[derive(") && line.contains("ApiComponent") {
                    derived = true;
                    continue;
                }
                let named = line
                    .strip_prefix("pub struct ")
                    .or_else(|| line.strip_prefix("pub enum "));
                if let (true, Some(rest)) = (derived, named) {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    let place = file.display().to_string();
                    // A type named by a macro's argument (`pub enum $name`) is not a name.
                    if name.is_empty() {
                        derived = false;
                        continue;
                    }
                    if let Some(other) = seen.insert(name.clone(), place.clone()) {
                        clashes.push(format!("{name}: {other} and {place}"));
                    }
                    derived = false;
                }
            }
        }
        assert!(clashes.is_empty(), "{clashes:#?}");
        assert!(seen.len() > 100, "the scan found the documented types");
    }
}
