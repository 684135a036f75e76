//! Catalogue files as JSON: each item is the `POST /challenges` body plus the challenge's `_id`,
//! its `slug` and its tests' `_id`s. Reading one reports every problem as `[index].path`.

use apistos::{ApiComponent, JsonSchema};
use serde::{Deserialize, Serialize};
use stackrush_challenges as ch;
use stackrush_kernel::FieldError;

use super::dto::ChallengeRequest;

/// One challenge of a catalogue file.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct CatalogueItemDto {
    /// Kept when the import creates the challenge.
    #[serde(rename = "_id", skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub id: Option<String>,
    /// Names the existing challenge to match (default: the title's slug).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(
        length(min = 1, max = 80),
        regex(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$")
    )]
    pub slug: Option<String>,
    #[serde(flatten)]
    pub challenge: ChallengeRequest,
}

impl From<ch::CatalogueItem> for CatalogueItemDto {
    fn from(item: ch::CatalogueItem) -> Self {
        Self {
            id: item.id.map(|id| id.to_hex()),
            slug: item.slug,
            challenge: item.draft.into(),
        }
    }
}

/// A catalogue file as an import reads it: `{"challenges": [...]}` (each item read by itself,
/// so every problem is reported with its place).
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct CatalogueFile {
    #[schemars(with = "Vec<CatalogueItemDto>", length(max = 10000))]
    pub challenges: Vec<serde_json::Value>,
}

/// A catalogue file as an export writes it.
#[derive(Debug, Serialize)]
pub struct CatalogueExport {
    pub challenges: Vec<CatalogueItemDto>,
}

impl CatalogueExport {
    /// The file holding `items`.
    pub fn new(items: Vec<ch::CatalogueItem>) -> Self {
        Self {
            challenges: items.into_iter().map(Into::into).collect(),
        }
    }
}

/// Imports the items of a catalogue file as `caller`: read, then the service's import, every
/// problem named by its place in the file (`challenges[3].title`). The HTTP route and the
/// command line both go through here.
pub async fn import(
    challenges: &dyn ch::ChallengeApi,
    caller: ch::Caller,
    file: CatalogueFile,
    options: ch::ImportOptions,
    progress: std::sync::Arc<dyn ch::ImportProgress>,
) -> Result<ch::ImportReport, ch::ChallengeError> {
    let items = parse(file.challenges).map_err(in_file)?;
    challenges
        .import(caller, items, options, progress)
        .await
        .map_err(in_file)
}

/// Problems of an import, with their place in the file (`challenges[3].title`).
fn in_file(err: ch::ChallengeError) -> ch::ChallengeError {
    match err {
        ch::ChallengeError::Validation(problems) => ch::ChallengeError::Validation(
            problems
                .into_iter()
                .map(|p| FieldError::new(format!("challenges{}", p.field), p.message))
                .collect(),
        ),
        other => other,
    }
}

/// The items of a catalogue file, or every problem found reading them — and, when some items
/// cannot be read, every problem of the others too, so one pass shows them all.
pub fn parse(items: Vec<serde_json::Value>) -> Result<Vec<ch::CatalogueItem>, ch::ChallengeError> {
    let mut problems = Vec::new();
    let mut parsed = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        match parse_item(item) {
            Ok(item) => parsed.push((i, item)),
            Err((field, message)) => problems.push((
                i,
                FieldError::new(
                    if field.is_empty() {
                        format!("[{i}]")
                    } else {
                        format!("[{i}].{field}")
                    },
                    message,
                ),
            )),
        }
    }
    if problems.is_empty() {
        return Ok(parsed.into_iter().map(|(_, item)| item).collect());
    }
    for problem in ch::catalogue::problems_at(parsed.iter().map(|(i, item)| (*i, item))) {
        let index = problem
            .field
            .strip_prefix('[')
            .and_then(|rest| rest.split(']').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(usize::MAX);
        problems.push((index, problem));
    }
    problems.sort_by_key(|(index, _)| *index);
    Err(ch::ChallengeError::Validation(
        problems.into_iter().map(|(_, p)| p).collect(),
    ))
}

fn parse_item(item: serde_json::Value) -> Result<ch::CatalogueItem, (String, String)> {
    let serde_json::Value::Object(mut fields) = item else {
        return Err((String::new(), "must be an object".into()));
    };
    let id = match fields.remove("_id") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(hex)) => Some(hex.parse().map_err(|_| {
            (
                "_id".to_owned(),
                "must be 24 hexadecimal characters".to_owned(),
            )
        })?),
        Some(_) => return Err(("_id".into(), "must be a string".into())),
    };
    let slug = match fields.remove("slug") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(slug)) => Some(slug),
        Some(_) => return Err(("slug".into(), "must be a string".into())),
    };
    let request: ChallengeRequest = crate::http::read_pathed(serde_json::Value::Object(fields))
        .map_err(|e| crate::startup::serde_detail(&e.to_string(), ""))?;
    Ok(ch::CatalogueItem {
        id,
        slug,
        draft: request.into(),
    })
}

/// `POST /admin/challenges/import` query.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ImportQuery {
    /// Check and plan only; write nothing (default false).
    pub dry_run: Option<bool>,
    /// Replace existing challenges matched by slug instead of skipping them (default false).
    pub update: Option<bool>,
}

impl ImportQuery {
    /// The service's options.
    pub fn options(&self) -> ch::ImportOptions {
        ch::ImportOptions {
            dry_run: self.dry_run.unwrap_or(false),
            update: self.update.unwrap_or(false),
        }
    }
}

/// What happened to one item.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct ImportEntryDto {
    /// Its place in the file, from 0.
    pub index: usize,
    pub slug: String,
    #[serde(rename = "_id")]
    pub id: String,
    /// `create`, `update` or `skip` (what a dry run would do).
    pub action: String,
}

/// An import's outcome.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ImportReportDto {
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub skipped: usize,
    pub items: Vec<ImportEntryDto>,
}

impl From<ch::ImportReport> for ImportReportDto {
    fn from(r: ch::ImportReport) -> Self {
        Self {
            dry_run: r.dry_run,
            created: r.count(ch::ImportAction::Create),
            updated: r.count(ch::ImportAction::Update),
            skipped: r.count(ch::ImportAction::Skip),
            items: r
                .entries
                .into_iter()
                .map(|e| ImportEntryDto {
                    index: e.index,
                    slug: e.slug,
                    id: e.id.to_hex(),
                    action: e.action.as_str().to_owned(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::parse;

    fn fields_of(items: Vec<serde_json::Value>) -> Vec<String> {
        match parse(items) {
            Err(stackrush_challenges::ChallengeError::Validation(problems)) => {
                problems.into_iter().map(|p| p.field).collect()
            }
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn item_problems_name_the_field_once_with_the_items_place() {
        let found = fields_of(vec![
            json!({"title": "T", "scenario": {"mood": "calm"}}),
            json!("not an object"),
            json!({"_id": "xyz"}),
        ]);
        assert_eq!(found, vec!["[0].scenario.mood", "[1]", "[2]._id"]);
    }
}
