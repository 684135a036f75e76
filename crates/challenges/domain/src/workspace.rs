//! What a challenge hands the solver besides the problem text: the API its backend challenge
//! exposes ([`ApiSpec`]) and a multi-file starter project ([`StarterProject`]). Nothing here is
//! secret; the limits are what the browser's workspace can hold.

use std::collections::HashSet;

use garde::Validate;
use serde::{Deserialize, Serialize};

/// The HTTP method a backend-API challenge's endpoint answers (stored as its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

/// Most bytes of a sample payload (as compact JSON).
pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024;
/// Most headers of a backend-API challenge.
pub const MAX_HEADERS: usize = 30;
/// Most files of a starter project.
pub const MAX_FILES: usize = 100;
/// Most bytes of all of a starter project's file contents together.
pub const MAX_PROJECT_BYTES: usize = 512 * 1024;
/// Most characters of a file path.
pub const MAX_PATH_CHARS: usize = 200;

/// One request header a backend-API challenge's sample request carries.
#[derive(Debug, Clone, PartialEq, Eq, Validate, Serialize, Deserialize)]
pub struct Header {
    #[garde(length(chars, min = 1, max = 100), custom(header_name))]
    pub name: String,
    #[garde(length(chars, max = 1_000), custom(crate::validate::line))]
    pub value: String,
}

/// The endpoint a backend-API challenge asks the solver to build, as the client's API test
/// panel fills itself in. Every part is optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Validate, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ApiSpec {
    /// A path such as `/api/orders/{id}`.
    #[garde(inner(length(chars, min = 1, max = 500), custom(endpoint_path)))]
    pub endpoint: Option<String>,
    #[garde(skip)]
    pub method: Option<HttpMethod>,
    /// Any JSON value, kept as its compact text (at most [`MAX_PAYLOAD_BYTES`]).
    #[garde(inner(custom(json_payload)))]
    pub sample_payload: Option<String>,
    /// In the order given; names unique regardless of case.
    #[garde(length(max = MAX_HEADERS), custom(unique_headers), dive)]
    pub headers: Vec<Header>,
}

/// One file of a starter project.
#[derive(Debug, Clone, PartialEq, Eq, Validate, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectFile {
    /// Relative, `/`-separated, without `.` or `..` segments.
    #[garde(custom(relative_path))]
    pub path: String,
    #[garde(custom(crate::validate::text))]
    pub content: String,
    /// The editor's language (e.g. `javascript`, `css`).
    #[garde(inner(length(chars, min = 1, max = 30), custom(crate::validate::line)))]
    pub language: Option<String>,
    #[garde(skip)]
    #[serde(default)]
    pub read_only: bool,
}

/// What the project runs on in the browser's container.
#[derive(Debug, Clone, PartialEq, Eq, Validate, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Environment {
    /// e.g. `node`, `node18`, `browser`.
    #[garde(
        length(chars, min = 1, max = 50),
        custom(crate::validate::not_blank),
        custom(crate::validate::line)
    )]
    pub runtime: String,
    /// Package specifications such as `express@4.19.2`.
    #[garde(
        length(max = 100),
        inner(length(chars, min = 1, max = 200), custom(crate::validate::line))
    )]
    #[serde(default)]
    pub dependencies: Vec<String>,
    /// Ports the project listens on (1–65535, unique).
    #[garde(length(max = 10), custom(unique_ports))]
    #[serde(default)]
    pub ports: Vec<u16>,
}

/// A multi-file starter project for frontend and backend challenges.
#[derive(Debug, Clone, PartialEq, Eq, Default, Validate, Serialize, Deserialize)]
#[serde(default)]
pub struct StarterProject {
    /// In the order given; at most [`MAX_FILES`], [`MAX_PROJECT_BYTES`] of content together,
    /// no path twice and no file where another one's folder is.
    #[garde(length(max = MAX_FILES), custom(consistent_files), dive)]
    pub files: Vec<ProjectFile>,
    #[garde(dive)]
    pub environment: Option<Environment>,
}

/// RFC 9110 token characters.
fn header_name(value: &str, _: &()) -> garde::Result {
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if value.chars().all(token) {
        Ok(())
    } else {
        Err(garde::Error::new(
            "must be a header name (letters, digits and !#$%&'*+-.^_`|~)",
        ))
    }
}

fn unique_headers(headers: &[Header], _: &()) -> garde::Result {
    let mut seen = HashSet::new();
    match headers
        .iter()
        .find(|h| !seen.insert(h.name.to_ascii_lowercase()))
    {
        Some(h) => Err(garde::Error::new(format!(
            "names header {:?} more than once",
            h.name
        ))),
        None => Ok(()),
    }
}

/// An absolute URL path: starts with `/`, visible ASCII only (no spaces, no `?`/`#` part).
fn endpoint_path(value: &str, _: &()) -> garde::Result {
    if !value.starts_with('/') {
        return Err(garde::Error::new("must be a path starting with /"));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_graphic() && c != '?' && c != '#')
    {
        return Err(garde::Error::new(
            "must hold visible ASCII characters only, without a query or fragment",
        ));
    }
    Ok(())
}

fn json_payload(value: &str, _: &()) -> garde::Result {
    if value.len() > MAX_PAYLOAD_BYTES {
        return Err(garde::Error::new(format!(
            "must be at most {MAX_PAYLOAD_BYTES} bytes as JSON"
        )));
    }
    if serde_json::from_str::<serde_json::Value>(value).is_err() {
        return Err(garde::Error::new("must be JSON"));
    }
    crate::validate::text(value, &())
}

/// The JSON Schema pattern of a file path, the same rule as [`relative_path`].
pub const PATH_PATTERN: &str =
    r"^\.{0,2}[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*(/\.{0,2}[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*)*$";

/// One folder or file name: ASCII letters, digits and `._@+-`, not made of dots only (so never
/// `.` or `..`; `.env` is fine).
fn path_segment(segment: &str) -> bool {
    let rest = segment
        .strip_prefix("..")
        .or_else(|| segment.strip_prefix('.'))
        .unwrap_or(segment);
    let mut chars = rest.chars();
    let name = |c: char| c.is_ascii_alphanumeric() || "_@+-".contains(c);
    chars.next().is_some_and(name) && chars.all(|c| name(c) || c == '.')
}

/// A relative path of such names joined by `/` (no leading `/`, no `\`, no empty, `.` or `..`
/// segment): [`PATH_PATTERN`].
fn relative_path(value: &str, _: &()) -> garde::Result {
    if value.chars().count() > MAX_PATH_CHARS {
        return Err(garde::Error::new(format!(
            "must be at most {MAX_PATH_CHARS} characters"
        )));
    }
    if value.split('/').all(path_segment) {
        Ok(())
    } else {
        Err(garde::Error::new(
            "must be a relative path: names of letters, digits and ._@+- joined by /, no '.' or '..' folders",
        ))
    }
}

fn consistent_files(files: &[ProjectFile], _: &()) -> garde::Result {
    let total: usize = files.iter().map(|f| f.content.len()).sum();
    if total > MAX_PROJECT_BYTES {
        return Err(garde::Error::new(format!(
            "must hold at most {MAX_PROJECT_BYTES} bytes of content together"
        )));
    }
    let paths: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    if paths.len() != files.len() {
        let mut seen = HashSet::new();
        let twice = files
            .iter()
            .find(|f| !seen.insert(f.path.as_str()))
            .map_or("", |f| f.path.as_str());
        return Err(garde::Error::new(format!("lists {twice:?} more than once")));
    }
    for file in files {
        let mut folder = file.path.as_str();
        while let Some((parent, _)) = folder.rsplit_once('/') {
            if paths.contains(parent) {
                return Err(garde::Error::new(format!(
                    "has {parent:?} both as a file and as the folder of {:?}",
                    file.path
                )));
            }
            folder = parent;
        }
    }
    Ok(())
}

fn unique_ports(ports: &[u16], _: &()) -> garde::Result {
    if ports.contains(&0) {
        return Err(garde::Error::new("ports are 1 to 65535"));
    }
    let unique: HashSet<u16> = ports.iter().copied().collect();
    if unique.len() != ports.len() {
        return Err(garde::Error::new("must not list a port twice"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, content: &str) -> ProjectFile {
        ProjectFile {
            path: path.into(),
            content: content.into(),
            language: None,
            read_only: false,
        }
    }

    fn project(files: Vec<ProjectFile>) -> StarterProject {
        StarterProject {
            files,
            environment: None,
        }
    }

    #[test]
    fn paths_are_relative_without_dot_segments() {
        for good in [
            "index.html",
            "src/App.jsx",
            "public/img/logo.svg",
            ".env.example",
        ] {
            assert!(relative_path(good, &()).is_ok(), "{good}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../secret",
            "src/../../x",
            "src//a.js",
            "src/./a.js",
            "C:\\x",
            "c:x",
            "src/",
            "a\u{0}b",
            " src/a.js",
            "src/.../x",
            "my file.js",
        ] {
            assert!(relative_path(bad, &()).is_err(), "{bad:?}");
        }
        assert!(relative_path(&"a".repeat(MAX_PATH_CHARS + 1), &()).is_err());
    }

    #[test]
    fn a_project_has_each_path_once_and_no_file_over_a_folder() {
        assert!(project(vec![file("a.js", ""), file("src/a.js", "")])
            .validate()
            .is_ok());
        let twice = project(vec![file("a.js", "1"), file("a.js", "2")]).validate();
        assert!(twice.unwrap_err().to_string().contains("more than once"));
        let shadow = project(vec![file("src", ""), file("src/a.js", "")]).validate();
        assert!(shadow.unwrap_err().to_string().contains("folder"));
    }

    #[test]
    fn a_project_is_bounded_in_files_and_bytes() {
        let many: Vec<_> = (0..=MAX_FILES)
            .map(|i| file(&format!("f{i}.js"), ""))
            .collect();
        assert!(project(many).validate().is_err());
        let big = "x".repeat(MAX_PROJECT_BYTES / 2 + 1);
        assert!(project(vec![file("a", &big), file("b", &big)])
            .validate()
            .is_err());
        assert!(project(vec![file("a", &big)]).validate().is_ok());
    }

    #[test]
    fn api_fields_are_checked() {
        let ok = ApiSpec {
            endpoint: Some("/api/orders/{id}".into()),
            method: Some(HttpMethod::Post),
            sample_payload: Some(r#"{"qty":2,"tags":["a"]}"#.into()),
            headers: vec![Header {
                name: "Content-Type".into(),
                value: "application/json".into(),
            }],
        };
        assert!(ok.validate().is_ok());
        let bad_path = ApiSpec {
            endpoint: Some("api/orders".into()),
            ..ok.clone()
        };
        assert!(bad_path.validate().is_err());
        let not_json = ApiSpec {
            sample_payload: Some("{nope".into()),
            ..ok.clone()
        };
        assert!(not_json.validate().is_err());
        let huge = ApiSpec {
            sample_payload: Some(format!("\"{}\"", "x".repeat(MAX_PAYLOAD_BYTES))),
            ..ok.clone()
        };
        assert!(huge.validate().is_err());
        let twice = ApiSpec {
            headers: vec![
                Header {
                    name: "X-A".into(),
                    value: "1".into(),
                },
                Header {
                    name: "x-a".into(),
                    value: "2".into(),
                },
            ],
            ..ok.clone()
        };
        assert!(twice.validate().is_err());
        let bad_name = ApiSpec {
            headers: vec![Header {
                name: "X A".into(),
                value: "1".into(),
            }],
            ..ok
        };
        assert!(bad_name.validate().is_err());
    }

    #[test]
    fn ports_are_unique_and_not_zero() {
        let env = |ports: Vec<u16>| Environment {
            runtime: "node".into(),
            dependencies: vec!["express@4.19.2".into()],
            ports,
        };
        assert!(env(vec![3000, 5173]).validate().is_ok());
        assert!(env(vec![3000, 3000]).validate().is_err());
        assert!(env(vec![0]).validate().is_err());
    }
}
