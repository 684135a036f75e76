//! What a post, comment, report or moderator's reason may hold: limits, characters, URLs,
//! tags. Everything is checked before anything is stored; every problem is reported with its
//! field.

use stackrush_kernel::FieldError;

use crate::api::PostDraft;
use crate::error::CommunityError;
use crate::model::PostFilter;

/// The most tags a post carries.
pub const MAX_TAGS: usize = 10;
/// The longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 30;
/// The longest post title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest post content (markdown), in characters.
pub const MAX_POST_CHARS: usize = 50_000;
/// The longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 10_000;
/// The longest shared code field (code, htmlCode, cssCode, jsCode), in characters.
pub const MAX_CODE_CHARS: usize = 100_000;
/// The longest URL.
pub const MAX_URL_CHARS: usize = 500;
/// The longest report text and moderator reason, in characters.
pub const MAX_REASON_CHARS: usize = 1_000;
/// Topics a mentee names on a mentorship request, and characters per topic.
pub const MAX_MENTORSHIP_TOPICS: usize = 10;
pub const MAX_TOPIC_CHARS: usize = 50;

pub(crate) use stackrush_kernel::text::{line_problem, text_problem};

pub(crate) struct Problems(pub(crate) Vec<FieldError>);

impl Problems {
    pub(crate) fn add(&mut self, field: &str, problem: Option<String>) {
        if let Some(message) = problem {
            self.0.push(FieldError::new(field, message));
        }
    }

    pub(crate) fn line(&mut self, field: &str, value: Option<&str>, max: usize) {
        if let Some(v) = value {
            self.add(field, line_problem(v, max));
        }
    }

    pub(crate) fn url(&mut self, field: &str, value: Option<&str>) {
        let Some(v) = value else { return };
        let scheme_ok = ["http://", "https://"].iter().any(|s| {
            v.get(..s.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(s))
                && v.len() > s.len()
        });
        if !scheme_ok || v.chars().any(char::is_whitespace) {
            self.add(field, Some("must be an http(s) URL".to_owned()));
        } else {
            self.line(field, value, MAX_URL_CHARS);
        }
    }

    pub(crate) fn list(
        &mut self,
        field: &str,
        values: &[String],
        max_items: usize,
        max_chars: usize,
    ) {
        if values.len() > max_items {
            self.add(field, Some(format!("must have at most {max_items} items")));
            return;
        }
        for (i, v) in values.iter().enumerate() {
            let item = format!("{field}[{i}]");
            if v.trim().is_empty() {
                self.add(&item, Some("must not be empty".to_owned()));
            } else {
                self.line(&item, Some(v), max_chars);
            }
        }
    }
}

pub(crate) use stackrush_kernel::text::normalized_tags;

pub(crate) fn tag_problem(tag: &str) -> Option<String> {
    stackrush_kernel::text::tag_problem(tag, MAX_TAG_CHARS, "+#.-_")
}

/// The draft trimmed and normalized, or every problem with it.
pub(crate) fn normalized(mut d: PostDraft) -> Result<PostDraft, CommunityError> {
    let mut p = Problems(Vec::new());
    // The length as sent (padding counts); stored trimmed.
    if d.title.trim().is_empty() {
        p.add("title", Some("must not be empty".to_owned()));
    } else {
        p.line("title", Some(&d.title), MAX_TITLE_CHARS);
    }
    d.title = d.title.trim().to_owned();
    p.add("content", text_problem(&d.content, 1, MAX_POST_CHARS));
    // Counted as given, repeats included (what the documented limit says).
    let given = d.tags.len();
    let long_tags = stackrush_kernel::text::overlong(&d.tags, MAX_TAG_CHARS);
    d.tags = normalized_tags(d.tags);
    if given > MAX_TAGS {
        p.add("tags", Some(format!("must have at most {MAX_TAGS} items")));
    } else if !long_tags.is_empty() {
        for (i, problem) in long_tags {
            p.add(&format!("tags[{i}]"), Some(problem));
        }
    } else {
        for (i, tag) in d.tags.iter().enumerate() {
            p.add(&format!("tags[{i}]"), tag_problem(tag));
        }
    }
    if let Some(code) = &d.code {
        p.line(
            "codeSubmission.title",
            code.title.as_deref(),
            MAX_TITLE_CHARS,
        );
        if let Some(text) = &code.description {
            p.add("codeSubmission.description", text_problem(text, 0, 2_000));
        }
        for (field, value) in [
            ("codeSubmission.code", &code.code),
            ("codeSubmission.htmlCode", &code.html_code),
            ("codeSubmission.cssCode", &code.css_code),
            ("codeSubmission.jsCode", &code.js_code),
        ] {
            if let Some(text) = value {
                p.add(field, text_problem(text, 0, MAX_CODE_CHARS));
            }
        }
        if let Some(language) = &code.language {
            p.add("codeSubmission.language", tag_problem(language));
        }
        p.url("codeSubmission.githubUrl", code.github_url.as_deref());
        p.url("codeSubmission.liveDemo", code.live_demo.as_deref());
    }
    if let Some(project) = &d.project {
        p.url("projectDetails.githubUrl", project.github_url.as_deref());
        p.url("projectDetails.liveDemo", project.live_demo.as_deref());
        p.list("projectDetails.technologies", &project.technologies, 20, 50);
    }
    if let Some(c) = &d.collaboration {
        p.list(
            "collaborationDetails.skillsNeeded",
            &c.skills_needed,
            20,
            50,
        );
        p.line(
            "collaborationDetails.projectType",
            c.project_type.as_deref(),
            200,
        );
        p.line(
            "collaborationDetails.timeCommitment",
            c.time_commitment.as_deref(),
            200,
        );
        p.line(
            "collaborationDetails.contactMethod",
            c.contact_method.as_deref(),
            200,
        );
    }
    if p.0.is_empty() {
        Ok(d)
    } else {
        Err(CommunityError::Invalid(p.0))
    }
}

pub(crate) fn normalized_filter(mut f: PostFilter) -> Result<PostFilter, CommunityError> {
    f.tags = normalized_tags(f.tags);
    f.tags.retain(|t| !t.is_empty());
    if f.tags.len() > MAX_TAGS {
        return Err(CommunityError::Invalid(vec![FieldError::new(
            "tags",
            format!("must name at most {MAX_TAGS} tags"),
        )]));
    }
    f.search = f
        .search
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    if let Some(problem) = f.search.as_deref().and_then(|s| line_problem(s, 100)) {
        return Err(CommunityError::Invalid(vec![FieldError::new(
            "search", problem,
        )]));
    }
    Ok(f)
}

/// A report's text (may be empty) or a moderator's reason (required).
pub(crate) fn reason_text(
    field: &str,
    text: String,
    required: bool,
) -> Result<String, CommunityError> {
    // The length as sent (padding counts); stored trimmed.
    let problem = text_problem(&text, usize::from(required), MAX_REASON_CHARS);
    match problem {
        Some(problem) => Err(CommunityError::Invalid(vec![FieldError::new(
            field, problem,
        )])),
        None => Ok(text.trim().to_owned()),
    }
}

pub(crate) fn comment_text(content: String) -> Result<String, CommunityError> {
    match text_problem(&content, 1, MAX_COMMENT_CHARS) {
        Some(problem) => Err(CommunityError::Invalid(vec![FieldError::new(
            "content", problem,
        )])),
        None => Ok(content),
    }
}
