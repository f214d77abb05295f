//! Helpers for tests that run the real binary over fixture handbooks.
#![allow(unreachable_pub)]
#![allow(dead_code)]

pub mod booktest;
pub mod git;

pub use booktest::BookTest;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Copies `tests/fixtures/<name>` into a fresh temporary folder (tests may change it).
pub fn copy_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&fixture(name), dir.path());
    dir
}

/// Copies the fixture and commits it as one commit by Alice at `when` (RFC 3339).
pub fn committed_fixture(name: &str, when: &str) -> tempfile::TempDir {
    let dir = copy_fixture(name);
    let repo = git::init(dir.path());
    git::commit_all(&repo, git::ALICE, when, "Import the handbook");
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk fixture");
        let rel = entry.path().strip_prefix(from).expect("prefix");
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Runs `policybook ARGS` with `dir` as the working directory.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("policybook")
        .expect("binary")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("run policybook")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Every file under `dir`, relative path → bytes.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .expect("prefix")
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, std::fs::read(entry.path()).expect("read"));
        }
    }
    out
}

pub fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).expect("read json")).expect("parse json")
}

/// The entry of document `id` in a `matrix.json`.
pub fn matrix_document<'a>(m: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    m["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("no document {id} in matrix.json"))
}

/// Values of `attr="…"` in an HTML text.
fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        if let Some(end) = rest.find('"') {
            out.push(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out
}

/// Checks every internal `href`/`src` of every HTML page: the file exists and, for `#anchor`,
/// the target page has that `id`. Returns the broken links as "page: link".
pub fn broken_links(site: &Path) -> Vec<String> {
    let tree = read_tree(site);
    let mut ids: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (path, bytes) in &tree {
        if path.ends_with(".html") {
            let html = String::from_utf8_lossy(bytes);
            ids.insert(
                path,
                attribute_values(&html, "id")
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
            );
        }
    }
    let mut broken = Vec::new();
    for (path, bytes) in &tree {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        let dir = Path::new(path).parent().unwrap_or(Path::new(""));
        for link in attribute_values(&html, "href")
            .into_iter()
            .chain(attribute_values(&html, "src"))
        {
            if link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = match link.split_once('#') {
                Some((f, a)) => (f, Some(a)),
                None => (link, None),
            };
            let target = if file.is_empty() {
                path.clone()
            } else {
                normalize(&dir.join(percent_decode(file)))
            };
            if !tree.contains_key(&target) {
                broken.push(format!("{path}: {link} (no file {target})"));
                continue;
            }
            if let Some(a) = anchor.filter(|a| !a.is_empty())
                && !ids.get(target.as_str()).is_some_and(|set| set.contains(a))
            {
                broken.push(format!("{path}: {link} (no id {a} in {target})"));
            }
        }
    }
    broken
}

fn normalize(p: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    parts.join("/")
}

/// `%XX` escapes decoded, as a browser does before asking for a file.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The row of `changes.csv` for (commit, document id); panics with the file when there is none.
pub fn changes_row(csv: &str, commit: git2::Oid, doc: &str) -> String {
    csv.lines()
        .find(|l| l.contains(&commit.to_string()) && l.contains(&format!(",{doc},")))
        .unwrap_or_else(|| panic!("no row for {doc} in {commit}:\n{csv}"))
        .to_string()
}

/// Whether `tool` is installed. CI installs every
/// tool the tests use (see `.ci/run`) and requires it; on a developer's machine without it a test
/// says so and stops, rather than fail.
pub fn have(tool: &str, packages: &str) -> bool {
    // Found when it can be started at all: not every tool has a version flag that succeeds
    // (ssh-keygen has none).
    let found = std::process::Command::new(tool)
        .arg("--version")
        .output()
        .is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have {tool} (Debian {packages})"
        );
        eprintln!("skipped: {tool} is not installed (Debian {packages})");
    }
    found
}

/// The packet's document titles, in its contents' order.
pub fn packet_titles(html: &str) -> Vec<String> {
    let toc = html
        .split("<nav class=\"pb-packet-toc\"")
        .nth(1)
        .expect("contents");
    let toc = toc.split("</nav>").next().expect("end of contents");
    toc.split("<li><a href=\"#doc-")
        .skip(1)
        .map(|li| {
            let title = li.split_once("\">").expect("link").1;
            let title = title.split("</a>").next().expect("title");
            title.replace("&quot;", "\"").replace("&amp;", "&")
        })
        .collect()
}

/// SHA-256 as lowercase hex.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The files of the sample handbook at the repository root (the starter policy set).
pub const SAMPLE_FILES: [&str; 3] = ["site.toml", "controls.yaml", "people.yaml"];

/// The sample handbook in a repository of its own, committed at `when` with `message`, so that a
/// test depends neither on this repository's clone (CI may clone shallowly) nor on the clock.
pub fn sample_handbook(when: &str, message: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for f in SAMPLE_FILES {
        std::fs::copy(root.join(f), dir.path().join(f)).expect("copy");
    }
    copy_dir(&root.join("policies"), &dir.path().join("policies"));
    let repo = git::init(dir.path());
    git::commit_all(&repo, git::ALICE, when, message);
    dir
}

/// The JSON of a `search-index.js`, as the page reads it: the base64 string it sets, inflated.
pub fn unpack_search_index(js: &str) -> serde_json::Value {
    use base64::Engine as _;
    use std::io::Read as _;
    let b64 = js
        .strip_prefix("window.policybookSearchIndex=\"")
        .and_then(|s| s.trim_end().strip_suffix("\";"))
        .unwrap_or_else(|| panic!("not a packed search index: {}", &js[..js.len().min(80)]));
    let deflated = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    let mut json = String::new();
    flate2::read::ZlibDecoder::new(&deflated[..])
        .read_to_string(&mut json)
        .unwrap();
    serde_json::from_str(&json).unwrap()
}
