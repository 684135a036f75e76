//! garde's report in the contract's shape.

use garde::Validate;
use stackrush_kernel::FieldError;

use crate::error::ChallengeError;

/// Field paths as the client spells them: `content.problem_statement[0]` becomes
/// `content.problemStatement[0]`.
fn camel_case(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut upper = false;
    for c in path.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The path as it appears in the JSON body, where code-related fields sit under `code`.
fn json_path(path: &str) -> String {
    let camel = camel_case(path);
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
