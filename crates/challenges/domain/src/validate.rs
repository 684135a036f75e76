//! garde's report in the contract's shape.

use garde::Validate;
use stackrush_kernel::FieldError;

use crate::error::ChallengeError;

/// The path as it appears in the JSON body, where code-related fields sit under `code`.
fn json_path(path: &str) -> String {
    let camel = stackrush_kernel::json_field_path(path);
    if ["starterCode", "testCases", "validationRules"]
        .iter()
        .any(|p| camel.starts_with(p))
    {
        format!("code.{camel}")
    } else {
        camel
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
