//! A template's download: its files in the layout of its framework, packed as a zip archive.
//!
//! Templates and code-runner projects are packed alike, from a [`Package`]. The archive is a
//! pure function of it: every entry carries the version's time, entries come in a fixed order,
//! and deflate is deterministic, so one version yields byte-identical archives and its entity tag
//! (a digest of the bytes) lets readers ask again conditionally.

use std::io::Write;

use chrono::{Datelike, Timelike};
use serde_json::json;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::model::*;

/// A built archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Archive {
    /// `slug-vN.zip`.
    pub filename: String,
    /// A strong entity tag (quoted) of the bytes.
    pub etag: String,
    pub bytes: Vec<u8>,
}

/// What a download is made of.
#[derive(Debug, Clone, PartialEq)]
pub struct Package<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub code: &'a Code,
    pub version: u32,
    pub at: chrono::DateTime<chrono::Utc>,
    /// The author's username.
    pub author: &'a str,
    /// What it is on StackRush ("StackRush template: <id>", with its origin).
    pub source: String,
}

impl<'a> Package<'a> {
    /// `version` of template `t` by `author`.
    pub fn of_template(t: &'a Template, version: &'a Version, author: &'a str) -> Self {
        let mut source = format!("StackRush template: {}", t.id);
        if let Some(origin) = t.forked_from {
            source.push_str(&format!(
                "\n- Forked from template {} (version {})",
                origin.template, origin.version
            ));
        }
        Self {
            title: &t.title,
            description: &t.description,
            code: &version.code,
            version: version.number,
            at: version.created_at,
            author,
            source,
        }
    }

    /// The file-name-safe name of the download.
    pub fn slug(&self) -> String {
        slug(self.title)
    }
}

/// One file of a download: its path inside the archive's folder, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: &'static str,
    pub text: String,
}

fn file(path: &'static str, text: impl Into<String>) -> File {
    File {
        path,
        text: text.into(),
    }
}

/// The entry script's and component's extensions: TypeScript ones for TypeScript code.
fn typescript(code: &Code) -> bool {
    code.language == Language::Typescript
}

fn package_json(name: &str, version: u32, code: &Code) -> String {
    let ts = typescript(code);
    let (scripts, dependencies, dev) = match code.framework {
        Framework::React => (
            json!({ "dev": "vite", "build": "vite build" }),
            json!({ "react": "^18.3.1", "react-dom": "^18.3.1" }),
            json!({ "vite": "^5.4.0", "@vitejs/plugin-react": "^4.3.0" }),
        ),
        Framework::NextJs => (
            json!({ "dev": "next dev", "build": "next build", "start": "next start" }),
            json!({ "next": "^14.2.0", "react": "^18.3.1", "react-dom": "^18.3.1" }),
            json!({}),
        ),
        Framework::Vue => (
            json!({ "dev": "vite", "build": "vite build" }),
            json!({ "vue": "^3.5.0" }),
            json!({ "vite": "^5.4.0", "@vitejs/plugin-vue": "^5.1.0" }),
        ),
        Framework::Angular => (
            json!({ "start": "ng serve", "build": "ng build" }),
            json!({
                "@angular/common": "^18.2.0",
                "@angular/core": "^18.2.0",
                "@angular/platform-browser": "^18.2.0"
            }),
            json!({ "@angular/cli": "^18.2.0" }),
        ),
        Framework::Express => (
            json!({ "start": if ts { "tsx index.ts" } else { "node index.js" } }),
            json!({ "express": "^4.21.0" }),
            json!({}),
        ),
        Framework::NodeJs | Framework::Vanilla => (
            json!({ "start": if ts { "tsx index.ts" } else { "node index.js" } }),
            json!({}),
            json!({}),
        ),
    };
    let mut dev = dev;
    if ts {
        if let Some(map) = dev.as_object_mut() {
            map.insert("typescript".into(), json!("^5.6.0"));
            if matches!(code.framework, Framework::NodeJs | Framework::Express) {
                map.insert("tsx".into(), json!("^4.19.0"));
            }
        }
    }
    let manifest = json!({
        "name": name,
        "version": format!("1.0.{version}"),
        "private": true,
        "scripts": scripts,
        "dependencies": dependencies,
        "devDependencies": dev,
    });
    let mut text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    text.push('\n');
    text
}

fn readme(p: &Package<'_>) -> String {
    let author = p.author;
    let mut out = format!(
        "# {}\n\n{}\n\n- Author: @{author}\n- Version: {} ({})\n- Framework: {}, language: {}\n\
         - {}\n",
        p.title,
        p.description,
        p.version,
        p.at.format("%Y-%m-%d"),
        p.code.framework.as_str(),
        p.code.language.as_str(),
        p.source,
    );
    out.push_str(&format!(
        "\n## Licence\n\nShared by @{author} on StackRush. No licence is granted beyond what the \
         author states; ask them before reusing this code outside StackRush.\n"
    ));
    out
}

/// The files of `p` in its framework's layout (README and manifest included), in archive order.
pub fn files(p: &Package<'_>) -> Vec<File> {
    let code = p.code;
    let ts = typescript(code);
    let script = |js: &'static str, ts_name: &'static str| if ts { ts_name } else { js };
    let mut out = match code.framework {
        Framework::Vanilla => vec![
            file("index.html", code.html.clone()),
            file("styles.css", code.css.clone()),
            file(script("script.js", "script.ts"), code.js.clone()),
        ],
        Framework::React => vec![
            file("index.html", code.html.clone()),
            file(script("src/App.jsx", "src/App.tsx"), code.js.clone()),
            file("src/styles.css", code.css.clone()),
        ],
        Framework::NextJs => vec![
            file(script("app/page.jsx", "app/page.tsx"), code.js.clone()),
            file("app/globals.css", code.css.clone()),
            file("public/index.html", code.html.clone()),
        ],
        Framework::Vue => vec![
            file("index.html", code.html.clone()),
            file(script("src/main.js", "src/main.ts"), code.js.clone()),
            file("src/style.css", code.css.clone()),
        ],
        Framework::Angular => vec![
            file("src/index.html", code.html.clone()),
            file("src/main.ts", code.js.clone()),
            file("src/styles.css", code.css.clone()),
        ],
        Framework::NodeJs | Framework::Express => vec![
            file(script("index.js", "index.ts"), code.js.clone()),
            file("public/index.html", code.html.clone()),
            file("public/styles.css", code.css.clone()),
        ],
    };
    // Framework projects leave out the parts the author left empty; a plain page keeps its
    // three files.
    if code.framework != Framework::Vanilla {
        out.retain(|f| !f.text.is_empty());
        out.insert(
            0,
            file("package.json", package_json(&p.slug(), p.version, code)),
        );
    }
    out.push(file("README.md", readme(p)));
    out
}

/// How many files the download of the current version of `t` holds.
pub fn file_count(t: &Template) -> usize {
    let version = t.current_version();
    files(&Package::of_template(t, &version, "")).len()
}

/// `p` as a zip archive: every file under one folder named after its slug, each stamped with
/// the version's time.
pub fn build(p: &Package<'_>) -> anyhow::Result<Archive> {
    let slug = p.slug();
    let at = p.at;
    // Zip times run from 1980 to 2107.
    let year = u16::try_from(at.year().clamp(1980, 2107)).unwrap_or(1980);
    let stamp = zip::DateTime::from_date_and_time(
        year,
        at.month() as u8,
        at.day() as u8,
        at.hour() as u8,
        at.minute() as u8,
        at.second().min(58) as u8,
    )
    .map_err(|e| anyhow::anyhow!("zip time: {e}"))?;
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(stamp)
        .unix_permissions(0o644);
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for f in files(p) {
        zip.start_file(format!("{slug}/{}", f.path), options)?;
        zip.write_all(f.text.as_bytes())?;
    }
    let bytes = zip.finish()?.into_inner();
    let digest = Sha256::digest(&bytes);
    Ok(Archive {
        filename: format!("{slug}-v{}.zip", p.version),
        etag: format!("\"{}\"", hex::encode(&digest[..16])),
        bytes,
    })
}
