//! Slugs: URL-safe names derived from titles.

/// Lowercase ASCII letters and digits joined by single dashes, at most 80 characters;
/// `challenge` when nothing is left.
pub fn slugify(title: &str) -> String {
    let mut slug = String::with_capacity(title.len());
    let mut dash = false;
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            slug.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
        if slug.len() >= 80 {
            break;
        }
    }
    slug.truncate(80);
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() {
        "challenge".to_owned()
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugs_are_lowercase_dashed_and_bounded() {
        assert_eq!(slugify("Two Sum: the Classic!"), "two-sum-the-classic");
        assert_eq!(slugify("  --Fix   the  LRU cache--  "), "fix-the-lru-cache");
        assert_eq!(slugify("¿Qué?"), "qu");
        assert_eq!(slugify("!!!"), "challenge");
        assert!(slugify(&"word ".repeat(50)).len() <= 80);
        assert!(!slugify(&"word ".repeat(50)).ends_with('-'));
    }
}
