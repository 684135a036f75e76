//! The one rule for stored text: what characters a line or a multi-line text may hold, and how
//! long it may be. Each context applies it to its own fields.

/// Control characters other than tab, newline and carriage return; bidirectional overrides and
/// isolates.
pub fn hidden_char(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// What is wrong with a one-line text (no control characters at all, at most `max`
/// characters), if anything.
pub fn line_problem(value: &str, max: usize) -> Option<String> {
    if value.chars().any(|c| c.is_control() || hidden_char(c)) {
        return Some("must not contain control characters".to_owned());
    }
    if value.chars().count() > max {
        return Some(format!("must be at most {max} characters"));
    }
    None
}

/// What is wrong with a multi-line text (tabs and line breaks allowed; at least `min` and at
/// most `max` characters; not blank when required), if anything.
pub fn text_problem(value: &str, min: usize, max: usize) -> Option<String> {
    if value.chars().any(hidden_char) {
        return Some("must not contain control characters".to_owned());
    }
    let n = value.chars().count();
    if n < min || value.trim().is_empty() && min > 0 {
        return Some("must not be empty".to_owned());
    }
    if n > max {
        return Some(format!("must be at most {max} characters"));
    }
    None
}

/// `text` made safe inside HTML or XML text and attribute values: the five markup characters
/// escaped, control characters turned into spaces.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Tags trimmed, lower-cased and without repeats (first occurrence kept).
pub fn normalized_tags(tags: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    tags.into_iter()
        .map(|t| t.trim().to_lowercase())
        .filter(|t| seen.insert(t.clone()))
        .collect()
}

/// The positions of `items` longer than `max` characters as sent (padding counts), each with
/// what is wrong: documented lengths are about what a client sends, before trimming.
pub fn overlong(items: &[String], max: usize) -> Vec<(usize, String)> {
    items
        .iter()
        .enumerate()
        .filter(|(_, item)| item.chars().count() > max)
        .map(|(i, _)| (i, format!("must be at most {max} characters")))
        .collect()
}

/// What is wrong with a (normalized) tag, if anything: it must hold 1 to `max` characters,
/// letters, digits and the characters of `punctuation` only.
pub fn tag_problem(tag: &str, max: usize, punctuation: &str) -> Option<String> {
    if tag.is_empty() {
        return Some("must not be empty".to_owned());
    }
    if tag.chars().count() > max {
        return Some(format!("must be at most {max} characters"));
    }
    if !tag
        .chars()
        .all(|c| c.is_alphanumeric() || punctuation.contains(c))
    {
        let allowed: Vec<String> = punctuation
            .chars()
            .map(|c| {
                if c == ' ' {
                    "spaces".to_owned()
                } else {
                    c.to_string()
                }
            })
            .collect();
        return Some(format!(
            "may hold letters, digits and {} only",
            allowed.join(" ")
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_and_control_characters_blanked() {
        assert_eq!(
            escape_markup("<a href=\"x\">Tom & Jerry's</a>\u{0}\n"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;  "
        );
        assert_eq!(escape_markup("ünïcode"), "ünïcode");
    }

    #[test]
    fn overlong_items_count_padding() {
        let items = vec![
            "ok".to_owned(),
            format!(" {} ", "a".repeat(29)),
            "x".repeat(31),
        ];
        let found: Vec<usize> = overlong(&items, 30).into_iter().map(|(i, _)| i).collect();
        assert_eq!(found, vec![1, 2]);
        assert!(overlong(&[], 30).is_empty());
    }

    #[test]
    fn lines_refuse_every_control_character_and_texts_keep_tabs_and_newlines() {
        assert_eq!(
            line_problem("a\tb", 10).as_deref(),
            Some("must not contain control characters")
        );
        assert_eq!(line_problem("ok", 10), None);
        assert_eq!(
            line_problem("abc", 2).as_deref(),
            Some("must be at most 2 characters")
        );
        assert_eq!(text_problem("a\tb\nc", 1, 10), None);
        assert!(text_problem("a\u{0}b", 1, 10).is_some());
        assert!(text_problem("x\u{202e}y", 1, 10).is_some());
        assert_eq!(
            text_problem("  ", 1, 10).as_deref(),
            Some("must not be empty")
        );
        assert_eq!(text_problem("", 0, 10), None);
        assert!(text_problem(&"é".repeat(11), 1, 10).is_some());
    }

    #[test]
    fn tags_are_normalized_once_and_checked_against_their_alphabet() {
        assert_eq!(
            normalized_tags(vec![" Rust ".into(), "rust".into(), "Go".into()]),
            vec!["rust".to_owned(), "go".to_owned()]
        );
        assert_eq!(tag_problem("c++", 30, "+#.-_"), None);
        assert_eq!(
            tag_problem("a b", 30, "+#.-_").as_deref(),
            Some("may hold letters, digits and + # . - _ only")
        );
        assert_eq!(tag_problem("a b", 30, "+#.-_ "), None);
        assert!(tag_problem(&"x".repeat(31), 30, "").is_some());
        assert_eq!(
            tag_problem("", 30, "").as_deref(),
            Some("must not be empty")
        );
    }
}
