//! Stage 1: find and read the handbook's files under `policies/`.
//!
//! Markdown files become `SourceFile`s; every other file is an asset that documents may link to
//! (diagrams, PDFs) and is copied to the site only when something links to it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Diagnostics, line_of};

pub const POLICIES_DIR: &str = "policies";

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the handbook root, `/`-separated: `policies/access-control.md`.
    pub path: String,
    /// As shown in messages (relative to where the user ran the command when possible).
    pub display: PathBuf,
    pub text: String,
}

/// Where a non-Markdown file's bytes are: on disk, or a blob of a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssetSource {
    File(PathBuf),
    Blob { git_dir: PathBuf, oid: git2::Oid },
}

impl AssetSource {
    pub fn read(&self) -> std::io::Result<Vec<u8>> {
        match self {
            AssetSource::File(p) => std::fs::read(p),
            AssetSource::Blob { git_dir, oid } => git2::Repository::open(git_dir)
                .and_then(|r| r.find_blob(*oid).map(|b| b.content().to_vec()))
                .map_err(std::io::Error::other),
        }
    }
}

#[derive(Debug, Default)]
pub struct Sources {
    /// Sorted by path.
    pub documents: Vec<SourceFile>,
    /// Non-Markdown files: path below `policies/` → where to read it.
    pub assets: BTreeMap<String, AssetSource>,
}

/// Reads `root/policies/**`. Files that cannot be read are reported and skipped.
pub fn load(root: &Path, display_root: &Path, diags: &mut Diagnostics) -> Sources {
    let dir = root.join(POLICIES_DIR);
    if !dir.is_dir() {
        diags.push(
            Diagnostic::error(format!(
                "no {POLICIES_DIR}/ folder in {}",
                shown_root(display_root)
            ))
            .at(&display_root.join(POLICIES_DIR), None)
            .hint("create it and put the handbook's Markdown files in it, or pass --root DIR"),
        );
        return Sources::default();
    }
    let mut markdown = Vec::new();
    let mut assets = BTreeMap::new();
    let walker = walkdir::WalkDir::new(&dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(walk_error(&e, root, display_root));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let Some(rel) = relative_slash_path(entry.path(), root) else {
            continue;
        };
        let is_markdown = entry
            .path()
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md"));
        if is_markdown {
            markdown.push((rel, entry.path().to_path_buf()));
        } else if let Some(below) = rel.strip_prefix("policies/") {
            assets.insert(
                below.to_string(),
                AssetSource::File(entry.path().to_path_buf()),
            );
        }
    }

    let read: Vec<Result<SourceFile, Diagnostic>> = markdown
        .par_iter()
        .map(|(rel, abs)| read_source(rel, abs, display_root))
        .collect();
    let mut documents = Vec::with_capacity(read.len());
    for r in read {
        match r {
            Ok(s) => documents.push(s),
            Err(d) => diags.push(d),
        }
    }
    Sources { documents, assets }
}

/// Reads one document, `rel` relative to the root (`policies/a.md`): for rebuilds after an edit.
pub fn read_one(root: &Path, display_root: &Path, rel: &str) -> Result<SourceFile, Diagnostic> {
    read_source(rel, &root.join(rel), display_root)
}

fn read_source(rel: &str, abs: &Path, display_root: &Path) -> Result<SourceFile, Diagnostic> {
    let display = display_path(display_root, rel);
    let bytes = std::fs::read(abs)
        .map_err(|e| Diagnostic::error(format!("cannot read the file: {e}")).at(&display, None))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let line = line_of(&String::from_utf8_lossy(&e.as_bytes()[..valid]), valid);
        Diagnostic::error("the file is not valid UTF-8")
            .at(&display, Some(line))
            .hint("save it as UTF-8 (most editors: \"Save with encoding\" → UTF-8)")
    })?;
    Ok(SourceFile {
        path: rel.to_string(),
        display,
        text,
    })
}

fn walk_error(e: &walkdir::Error, root: &Path, display_root: &Path) -> Diagnostic {
    let shown = e
        .path()
        .and_then(|p| relative_slash_path(p, root))
        .map(|rel| display_path(display_root, &rel))
        .unwrap_or_else(|| display_root.join(POLICIES_DIR));
    if let Some(ancestor) = e.loop_ancestor() {
        return Diagnostic::error(format!(
            "symbolic link loop: this link points back to {}",
            ancestor.display()
        ))
        .at(&shown, None)
        .hint("remove the link or point it at a folder outside its own parents");
    }
    Diagnostic::error(format!("cannot read: {e}")).at(&shown, None)
}

/// Reads `site.toml` and `policies/**` from a commit instead of the working tree: blobs read with
/// git2, nothing checked out. `prefix` is the handbook's folder in the repository ("" at the top).
/// Returns the text of `site.toml` (or `None`, reported, when the commit has none).
pub fn load_commit(
    repo: &git2::Repository,
    commit: git2::Oid,
    prefix: &str,
    display_root: &Path,
    diags: &mut Diagnostics,
) -> Option<(String, Sources)> {
    let at = |path: &str| crate::history::in_repo(prefix, path);
    let short = &commit.to_string()[..7];
    let tree = match repo.find_commit(commit).and_then(|c| c.tree()) {
        Ok(t) => t,
        Err(e) => {
            diags.push(Diagnostic::error(format!(
                "cannot read commit {short}: {}",
                e.message()
            )));
            return None;
        }
    };
    let config = match tree
        .get_path(Path::new(&at("site.toml")))
        .and_then(|e| repo.find_blob(e.id()))
    {
        Ok(blob) => String::from_utf8_lossy(blob.content()).into_owned(),
        Err(_) => {
            diags.push(
                Diagnostic::error(format!("commit {short} has no {}", at("site.toml")))
                    .hint("choose a period or version whose commit contains the handbook"),
            );
            return None;
        }
    };
    let mut sources = Sources::default();
    let Ok(entry) = tree.get_path(Path::new(&at(POLICIES_DIR))) else {
        diags.push(Diagnostic::error(format!(
            "commit {short} has no {}/ folder",
            at(POLICIES_DIR)
        )));
        return Some((config, sources));
    };
    let Ok(policies) = repo.find_tree(entry.id()) else {
        return Some((config, sources));
    };
    let mut blobs: Vec<(String, git2::Oid)> = Vec::new();
    let _ = policies.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
        let name = e.name().unwrap_or("");
        if name.starts_with('.') {
            return git2::TreeWalkResult::Skip;
        }
        if e.kind() == Some(git2::ObjectType::Blob) {
            blobs.push((format!("{dir}{name}"), e.id()));
        }
        git2::TreeWalkResult::Ok
    });
    blobs.sort();
    let git_dir = repo.path().to_path_buf();
    for (below, oid) in blobs {
        let rel = format!("{POLICIES_DIR}/{below}");
        if !below.to_ascii_lowercase().ends_with(".md") {
            sources.assets.insert(
                below,
                AssetSource::Blob {
                    git_dir: git_dir.clone(),
                    oid,
                },
            );
            continue;
        }
        let display = display_path(display_root, &rel);
        let Ok(blob) = repo.find_blob(oid) else {
            continue;
        };
        match String::from_utf8(blob.content().to_vec()) {
            Ok(text) => sources.documents.push(SourceFile {
                path: rel,
                display,
                text,
            }),
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let line = line_of(&String::from_utf8_lossy(&e.as_bytes()[..valid]), valid);
                diags.push(
                    Diagnostic::error("the file is not valid UTF-8").at(&display, Some(line)),
                );
            }
        }
    }
    Some((config, sources))
}

/// `root/policies/a/b.md` → `policies/a/b.md`, whatever the platform's separator.
fn relative_slash_path(path: &Path, root: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

pub fn display_path(display_root: &Path, rel: &str) -> PathBuf {
    let root = display_root.to_string_lossy();
    if root.is_empty() || root == "." {
        PathBuf::from(rel)
    } else if root.ends_with(':') {
        // Files read from a commit are shown git's way: `abc1234:policies/a.md`.
        PathBuf::from(format!("{root}{rel}"))
    } else {
        display_root.join(rel)
    }
}

/// The handbook root for messages: `.` rather than nothing.
pub fn shown_root(display_root: &Path) -> String {
    if display_root.as_os_str().is_empty() {
        ".".to_string()
    } else {
        display_root.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_markdown_and_lists_assets_sorted() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("policies");
        std::fs::create_dir_all(p.join("sub")).unwrap();
        std::fs::create_dir_all(p.join("dir.md")).unwrap();
        std::fs::create_dir_all(p.join(".hidden")).unwrap();
        std::fs::write(p.join("b.md"), "b").unwrap();
        std::fs::write(p.join("sub/a.md"), "a").unwrap();
        std::fs::write(p.join("sub/diagram.png"), "png").unwrap();
        std::fs::write(p.join(".hidden/x.md"), "x").unwrap();
        std::fs::write(p.join("bad.md"), b"ok\n\xff\xfe").unwrap();
        let mut diags = Diagnostics::new();
        let s = load(dir.path(), Path::new(""), &mut diags);
        let paths: Vec<&str> = s.documents.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["policies/b.md", "policies/sub/a.md"]);
        assert_eq!(s.assets.keys().collect::<Vec<_>>(), ["sub/diagram.png"]);
        let d = diags.sorted();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].line, Some(2));
        assert!(d[0].message.contains("UTF-8"));
    }

    #[test]
    fn missing_policies_folder_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut diags = Diagnostics::new();
        load(dir.path(), Path::new(""), &mut diags);
        assert!(diags.has_errors());
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_reported_not_followed_forever() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("policies");
        std::fs::create_dir_all(p.join("a")).unwrap();
        std::os::unix::fs::symlink(&p, p.join("a/loop")).unwrap();
        let mut diags = Diagnostics::new();
        load(dir.path(), Path::new(""), &mut diags);
        let d = diags.sorted();
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("loop"), "{}", d[0]);
    }
}
