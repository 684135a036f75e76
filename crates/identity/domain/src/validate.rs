//! Input rules of the identity context, checked with garde.

use garde::Validate;
use stackrush_kernel::FieldError;

use crate::error::IdentityError;

/// bcrypt reads at most 72 bytes; longer passwords are refused rather than silently truncated.
pub const MAX_PASSWORD_BYTES: usize = 72;

/// Turns garde's report into the contract's `details`, one entry per problem.
pub fn check<T: Validate<Context = ()>>(value: &T) -> Result<(), IdentityError> {
    value.validate().map_err(|report| {
        IdentityError::Validation(
            report
                .iter()
                .map(|(path, error)| {
                    FieldError::new(
                        stackrush_kernel::json_field_path(&path.to_string()),
                        error.message().to_string(),
                    )
                })
                .collect(),
        )
    })
}

/// 3 to 30 letters, digits, `_` or `-`.
pub fn valid_username(value: &str, _: &()) -> garde::Result {
    let len = value.chars().count();
    if !(3..=30).contains(&len) {
        return Err(garde::Error::new("must be 3 to 30 characters"));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(garde::Error::new(
            "may contain only letters, digits, '_' and '-'",
        ));
    }
    Ok(())
}

/// 8 to 72 printable ASCII characters with a lowercase letter, an uppercase letter, a digit and a
/// symbol. 72 is bcrypt's limit (it silently ignores later bytes); ASCII keeps characters and bytes
/// equal, so the rule reads the same in the OpenAPI schema and here.
pub fn valid_password(value: &str, _: &()) -> garde::Result {
    if !value.chars().all(|c| matches!(c, ' '..='~')) {
        return Err(garde::Error::new(
            "may contain only printable ASCII characters",
        ));
    }
    if !(8..=MAX_PASSWORD_BYTES).contains(&value.len()) {
        return Err(garde::Error::new("must be 8 to 72 characters"));
    }
    let lower = value.chars().any(|c| c.is_ascii_lowercase());
    let upper = value.chars().any(|c| c.is_ascii_uppercase());
    let digit = value.chars().any(|c| c.is_ascii_digit());
    let symbol = value.chars().any(|c| !c.is_ascii_alphanumeric());
    if !(lower && upper && digit && symbol) {
        return Err(garde::Error::new(
            "must contain a lowercase letter, an uppercase letter, a digit and a symbol",
        ));
    }
    Ok(())
}

/// An IANA time zone name.
pub fn valid_timezone(value: &str, _: &()) -> garde::Result {
    value
        .parse::<chrono_tz::Tz>()
        .map(|_| ())
        .map_err(|_| garde::Error::new("must be an IANA time zone name such as Europe/Paris"))
}

/// An http(s) URL, or empty to clear.
pub fn optional_url(value: &str, _: &()) -> garde::Result {
    if value.is_empty() || value.starts_with("https://") || value.starts_with("http://") {
        if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(garde::Error::new("must be a URL without spaces"));
        }
        return Ok(());
    }
    Err(garde::Error::new("must be an http(s) URL"))
}

/// No control characters (other than newlines and tabs in long text).
pub fn plain_text(value: &str, _: &()) -> garde::Result {
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(garde::Error::new("must not contain control characters"));
    }
    Ok(())
}

#[derive(Validate)]
pub struct RegisterInput<'a> {
    #[garde(email, length(chars, max = 254))]
    pub email: &'a str,
    #[garde(custom(valid_username))]
    pub username: &'a str,
    #[garde(custom(valid_password))]
    pub password: &'a str,
    #[garde(inner(length(chars, max = 50), custom(plain_text)))]
    pub first_name: Option<&'a str>,
    #[garde(inner(length(chars, max = 50), custom(plain_text)))]
    pub last_name: Option<&'a str>,
}

#[derive(Validate)]
pub struct NewPasswordInput<'a> {
    #[garde(custom(valid_password))]
    pub new_password: &'a str,
}

#[derive(Validate)]
pub struct ProfileInput<'a> {
    #[garde(inner(length(chars, max = 50), custom(plain_text)))]
    pub first_name: Option<&'a str>,
    #[garde(inner(length(chars, max = 50), custom(plain_text)))]
    pub last_name: Option<&'a str>,
    #[garde(inner(length(chars, max = 500), custom(optional_url)))]
    pub avatar: Option<&'a str>,
    #[garde(inner(length(chars, max = 500), custom(plain_text)))]
    pub bio: Option<&'a str>,
    #[garde(inner(length(chars, max = 100), custom(plain_text)))]
    pub location: Option<&'a str>,
    #[garde(inner(length(chars, max = 200), custom(optional_url)))]
    pub website: Option<&'a str>,
    #[garde(inner(length(chars, max = 100), custom(plain_text)))]
    pub github: Option<&'a str>,
    #[garde(inner(length(chars, max = 100), custom(plain_text)))]
    pub linkedin: Option<&'a str>,
}

#[derive(Validate)]
pub struct TimezoneInput<'a> {
    #[garde(inner(custom(valid_timezone)))]
    pub timezone: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rules_follow_the_contract() {
        assert!(valid_password("Abcdef1!", &()).is_ok());
        assert!(valid_password("Abcde1!", &()).is_err(), "too short");
        assert!(valid_password("abcdef1!", &()).is_err(), "no uppercase");
        assert!(valid_password("ABCDEF1!", &()).is_err(), "no lowercase");
        assert!(valid_password("Abcdefg!", &()).is_err(), "no digit");
        assert!(valid_password("Abcdefg1", &()).is_err(), "no symbol");
        assert!(
            valid_password("Abcdef1 ", &()).is_ok(),
            "a space is a symbol"
        );
        let long = format!("Aa1!{}", "x".repeat(69));
        assert_eq!(long.len(), 73);
        assert!(valid_password(&long, &()).is_err(), "over 72 bytes");
        assert!(valid_password(&long[..72], &()).is_ok(), "72 is allowed");
        assert!(
            valid_password("Ab1!ééééé", &()).is_err(),
            "non-ASCII is refused"
        );
    }

    #[test]
    fn username_rules_follow_the_contract() {
        assert!(valid_username("ada_lovelace-1", &()).is_ok());
        assert!(valid_username("ab", &()).is_err());
        assert!(valid_username(&"a".repeat(31), &()).is_err());
        assert!(valid_username("ada lovelace", &()).is_err());
        assert!(valid_username("ada$", &()).is_err());
    }

    #[test]
    fn timezones_must_be_iana_names() {
        assert!(valid_timezone("Europe/Paris", &()).is_ok());
        assert!(valid_timezone("UTC", &()).is_ok());
        assert!(valid_timezone("Mars/Olympus", &()).is_err());
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let input = RegisterInput {
            email: "nope",
            username: "a",
            password: "weak",
            first_name: None,
            last_name: None,
        };
        let Err(IdentityError::Validation(details)) = check(&input) else {
            panic!("expected a validation error");
        };
        let fields: Vec<_> = details.iter().map(|d| d.field.as_str()).collect();
        assert!(fields.contains(&"email"));
        assert!(fields.contains(&"username"));
        assert!(fields.contains(&"password"));
    }
}
