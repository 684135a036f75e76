//! Deciding whether one test passed, from the output the browser reports.
//!
//! The server decides: a client's `passed` flag never overrides a known expected output.

use serde_json::Value;

/// `text` with surrounding whitespace trimmed, line endings unified to `\n`, and every run of
/// spaces and tabs inside a line collapsed to one space.
pub fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim()
        .lines()
        .map(|line| {
            line.split([' ', '\t'])
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// JSON values equal as values: numbers by numeric value (`1` equals `1.0`), objects regardless
/// of key order.
fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// Whether `actual` matches `expected`: as JSON values when both parse as JSON, otherwise as
/// normalized text.
pub fn outputs_match(actual: &str, expected: &str) -> bool {
    let (a, e) = (normalize(actual), normalize(expected));
    match (
        serde_json::from_str::<Value>(&a),
        serde_json::from_str::<Value>(&e),
    ) {
        (Ok(a), Ok(e)) => json_equal(&a, &e),
        _ => a == e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_and_line_endings_do_not_matter() {
        assert!(outputs_match(
            "  hello   world \r\n second\tline \r\n",
            "hello world\nsecond line"
        ));
        assert!(!outputs_match("hello world", "hello  worlds"));
        assert!(
            !outputs_match("a\nb", "a b"),
            "line breaks still separate lines"
        );
    }

    #[test]
    fn json_outputs_compare_as_values() {
        assert!(outputs_match("[0, 1]", "[0,1]"));
        assert!(outputs_match("{\"b\": 2, \"a\": 1}", "{\"a\":1,\"b\":2}"));
        assert!(outputs_match("1.0", "1"));
        assert!(outputs_match("[1.5e1]", "[15]"));
        assert!(!outputs_match("[1,0]", "[0,1]"));
        assert!(!outputs_match("\"1\"", "1"), "a string is not a number");
        assert!(!outputs_match("true", "\"true\""));
    }

    #[test]
    fn empty_output_matches_only_empty_expectations() {
        assert!(outputs_match("   ", ""));
        assert!(!outputs_match("", "[]"));
    }
}
