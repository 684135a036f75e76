//! Markdown as written, HTML as served: every post and comment carries both. The HTML is
//! rendered by pulldown-cmark (CommonMark with tables, strikethrough and task lists) and then
//! sanitized by ammonia, so no client has to: no scripts, no event handlers, no `javascript:` or
//! `data:` URLs, no iframes or raw embeds; links get `rel="noopener noreferrer nofollow"`. Code
//! blocks keep their `language-…` class for highlighting.

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{html, Options, Parser};

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.url_schemes(HashSet::from(["http", "https", "mailto"]))
            .link_rel(Some("noopener noreferrer nofollow"))
            .add_tag_attributes("code", ["class"])
            .attribute_filter(|element, attribute, value| {
                // Only a code block's language class survives (`language-rust`), nothing else
                // a stylesheet or script could hook onto.
                if element == "code" && attribute == "class" {
                    let ok = value.strip_prefix("language-").is_some_and(|lang| {
                        !lang.is_empty()
                            && lang.len() <= 30
                            && lang
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || "+#-_.".contains(c))
                    });
                    return ok.then(|| value.into());
                }
                Some(value.into())
            });
        b
    })
}

/// `markdown` as sanitized HTML.
pub fn render(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut raw = String::with_capacity(markdown.len() + markdown.len() / 4);
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    cleaner().clean(&raw).to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn markdown_becomes_html() {
        let html = render("# Title\n\nSome **bold** and a [link](https://example.com).");
        assert!(html.contains("<h1>Title</h1>"), "{html}");
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(
            html.contains(
                r#"<a href="https://example.com" rel="noopener noreferrer nofollow">link</a>"#
            ),
            "{html}"
        );
    }

    #[test]
    fn code_blocks_keep_their_language_class() {
        let html = render("```rust\nfn main() {}\n```");
        assert!(html.contains(r#"<code class="language-rust">"#), "{html}");
        let odd = render("```\"><script>\nx\n```");
        assert!(!odd.contains("<script"), "{odd}");
    }

    #[test]
    fn scripts_handlers_and_dangerous_urls_are_removed() {
        for evil in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
            "[d](data:text/html;base64,PHNjcmlwdD4=)",
        ] {
            let html = render(evil).to_lowercase();
            for banned in [
                "<script",
                "onerror",
                "javascript:",
                "<iframe",
                "style=",
                "data:",
            ] {
                assert!(!html.contains(banned), "{evil} rendered as {html}");
            }
        }
    }

    #[test]
    fn text_is_escaped_not_interpreted() {
        assert_eq!(render("a < b & c"), "<p>a &lt; b &amp; c</p>\n");
    }
}
