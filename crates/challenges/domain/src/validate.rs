//! garde's report in the contract's shape.

use garde::Validate;
use stackrush_kernel::FieldError;

use crate::error::ChallengeError;

/// The path as it appears in the JSON body, where code-related fields sit under `code` and the
/// API and project fields at the top (`apiEndpoint`, `method`, `samplePayload`, `headers`,
/// `files`, `environment`).
pub fn json_path(path: &str) -> String {
    let camel = stackrush_kernel::json_field_path(path);
    if ["starterCode", "testCases", "validationRules"]
        .iter()
        .any(|p| camel.starts_with(p))
    {
        return format!("code.{camel}");
    }
    if let Some(rest) = camel.strip_prefix("api.endpoint") {
        return format!("apiEndpoint{rest}");
    }
    if let Some(rest) = camel
        .strip_prefix("api.")
        .or_else(|| camel.strip_prefix("project."))
    {
        return rest.to_owned();
    }
    camel
}

/// Test ids named in a draft are unique.
pub fn unique_test_ids(tests: &[crate::model::NewTestCase], _: &()) -> garde::Result {
    let mut seen = std::collections::HashSet::new();
    if tests.iter().filter_map(|t| t.id).all(|id| seen.insert(id)) {
        Ok(())
    } else {
        Err(garde::Error::new("must not name a test id twice"))
    }
}

/// Validates `value`, reporting every problem with its field path.
pub fn check<T: Validate<Context = ()>>(value: &T) -> Result<(), ChallengeError> {
    value.validate().map_err(|report| {
        ChallengeError::Validation(
            report
                .iter()
                .map(|(path, error)| {
                    FieldError::new(json_path(&path.to_string()), error.message().to_string())
                })
                .collect(),
        )
    })
}

/// Text with at least one non-space character.
pub fn not_blank(value: &str, _: &()) -> garde::Result {
    if value.trim().is_empty() {
        return Err(garde::Error::new("must not be blank"));
    }
    Ok(())
}

/// One line of text (a title, a name, a tag): no control characters at all, no bidirectional
/// overrides (the kernel's text rule).
pub fn line(value: &str, _: &()) -> garde::Result {
    match stackrush_kernel::text::line_problem(value, usize::MAX) {
        Some(problem) => Err(garde::Error::new(problem)),
        None => Ok(()),
    }
}

/// Text that may span lines (statements, code, test data): tabs and line breaks, but no other
/// control characters and no bidirectional overrides (the kernel's text rule).
pub fn text(value: &str, _: &()) -> garde::Result {
    match stackrush_kernel::text::text_problem(value, 0, usize::MAX) {
        Some(problem) => Err(garde::Error::new(problem)),
        None => Ok(()),
    }
}
