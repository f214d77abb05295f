//! Stage 1: find and read the handbook's files under `policies/`.
//!
//! Markdown files become `SourceFile`s; every other file is an asset that documents may link to
//! (diagrams, PDFs) and is copied to the site only when something links to it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Diagnostics, Outcome, line_of};
use crate::model::people::PEOPLE_FILE;
use crate::model::register::{REGISTER_DIR, REGISTER_FILE};

/// The folder of a handbook that holds its documents.
pub const POLICIES_DIR: &str = "policies";

/// Git's file mode for a symbolic link.
const GIT_SYMLINK_MODE: i32 = 0o120000;

#[derive(Debug, Clone)]
/// A Markdown file, read.
pub struct SourceFile {
    /// Relative to the handbook root, `/`-separated: `policies/access-control.md`.
    pub path: String,
    /// As shown in messages (relative to where the user ran the command when possible).
    pub display: PathBuf,
    /// Its text, shared with what is parsed from it (a document keeps its source for its
    /// messages and the search index: one copy, not two).
    pub text: Arc<str>,
}

/// Where a non-Markdown file's bytes are: on disk, or a blob of a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssetSource {
    /// A file on disk (symbolic links resolved).
    File(PathBuf),
    /// A blob of the repository at `git_dir`.
    Blob {
        /// The repository's `.git` folder.
        git_dir: PathBuf,
        /// The blob.
        oid: git2::Oid,
    },
}

impl AssetSource {
    /// Size in bytes, without reading the contents.
    pub fn size(&self) -> std::io::Result<u64> {
        match self {
            AssetSource::File(p) => std::fs::metadata(p).map(|m| m.len()),
            AssetSource::Blob { git_dir, oid } => {
                let repo = git2::Repository::open(git_dir).map_err(std::io::Error::other)?;
                let odb = repo.odb().map_err(std::io::Error::other)?;
                let (size, _) = odb.read_header(*oid).map_err(std::io::Error::other)?;
                Ok(size as u64)
            }
        }
    }

    /// The file's bytes.
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
/// Every file under `policies/`.
pub struct Sources {
    /// Sorted by path.
    pub documents: Vec<SourceFile>,
    /// Non-Markdown files: path below `policies/` → where to read it.
    pub assets: BTreeMap<String, AssetSource>,
    /// The control register: `controls.yaml`, then `controls/**/*.yaml` in name order.
    pub registers: Vec<SourceFile>,
    /// `people.yaml`: people and the roles they held, when there is one.
    pub people: Option<SourceFile>,
    /// `[signatures] allowed_signers` and `revoked_signers`, when set and present.
    pub signers: Option<SourceFile>,
    /// See `signers`.
    pub revoked: Option<SourceFile>,
    /// `[signatures] openpgp_keys`, when set and present.
    pub openpgp_keys: Option<SourceFile>,
    /// `[reviews] pull_requests`: the pull-request files.
    pub pull_requests: Vec<SourceFile>,
    /// `[acknowledgements] files`: the acknowledgement records.
    pub acknowledgements: Vec<SourceFile>,
    /// `[acknowledgements] roster`, when set and present.
    pub roster: Option<SourceFile>,
    /// Catalogs, profiles and crosswalks `[frameworks]` and `[[crosswalks]]` name, by path.
    pub framework_files: BTreeMap<String, SourceFile>,
}

/// Whether a file below `controls/` is part of the register.
fn is_register_file(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    lower.ends_with(".yaml") || lower.ends_with(".yml")
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
    for found in walk_confined(root, POLICIES_DIR, display_root, diags) {
        let is_markdown = found
            .rel
            .rsplit_once('.')
            .is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("md"));
        if is_markdown {
            markdown.push((found.rel, found.real));
        } else if let Some(below) = found.rel.strip_prefix("policies/") {
            assets.insert(below.to_string(), AssetSource::File(found.real));
        }
    }

    let read: Vec<Result<SourceFile, Diagnostic>> = markdown
        .par_iter()
        .with_max_len(crate::parallel::LEAF)
        .map(|(rel, abs)| read_source(rel, abs, display_root))
        .collect();
    let mut documents = Vec::with_capacity(read.len());
    for r in read {
        match r {
            Ok(s) => documents.push(s),
            Err(d) => diags.push(d),
        }
    }
    let registers = load_register(root, display_root, diags);
    let people = root_file(root, PEOPLE_FILE, "the people file", display_root, diags);
    Sources {
        documents,
        assets,
        registers,
        people,
        signers: None,
        revoked: None,
        openpgp_keys: None,
        pull_requests: Vec::new(),
        acknowledgements: Vec::new(),
        roster: None,
        framework_files: BTreeMap::new(),
    }
}

/// A file beside `site.toml` (`controls.yaml`, `people.yaml`), when it exists: confined to the
/// handbook like everything else; what it is (`what`) names it in messages.
pub(crate) fn root_file(
    root: &Path,
    name: &str,
    what: &str,
    display_root: &Path,
    diags: &mut Diagnostics,
) -> Option<SourceFile> {
    let file = root.join(name);
    std::fs::symlink_metadata(&file).ok()?;
    let shown = display_path(display_root, name);
    match std::fs::canonicalize(&file) {
        Ok(real) => match Confinement::of(root).refusal(&file, &real, &shown) {
            Some(d) => diags.push(d),
            None => match read_source(name, &real, display_root) {
                Ok(s) => return Some(s),
                Err(d) => diags.push(d),
            },
        },
        Err(e) => {
            diags.push(Diagnostic::error(format!("cannot read {what}: {e}")).at(&shown, None))
        }
    }
    None
}

/// Reads `controls.yaml` and `controls/**/*.yaml`, whichever exist (neither is required).
fn load_register(root: &Path, display_root: &Path, diags: &mut Diagnostics) -> Vec<SourceFile> {
    let mut out: Vec<SourceFile> = root_file(
        root,
        REGISTER_FILE,
        "the control register",
        display_root,
        diags,
    )
    .into_iter()
    .collect();
    if root.join(REGISTER_DIR).is_dir() {
        for found in walk_confined(root, REGISTER_DIR, display_root, diags) {
            if is_register_file(&found.rel) {
                match read_source(&found.rel, &found.real, display_root) {
                    Ok(s) => out.push(s),
                    Err(d) => diags.push(d),
                }
            }
        }
    }
    out
}

/// Reads one document, `rel` relative to the root (`policies/a.md`): for rebuilds after an edit.
/// The same confinement as `load`: a link that leads outside the handbook is not read.
pub fn read_one(root: &Path, display_root: &Path, rel: &str) -> Result<SourceFile, Diagnostic> {
    let shown = display_path(display_root, rel);
    let path = root.join(rel);
    let real = std::fs::canonicalize(&path)
        .map_err(|e| Diagnostic::error(format!("cannot read the file: {e}")).at(&shown, None))?;
    if let Some(d) = Confinement::of(root).refusal(&path, &real, &shown) {
        return Err(d);
    }
    read_source(rel, &real, display_root)
}

/// A file found under a source folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Relative to the handbook root, `/`-separated, as the handbook names it (the link's own
    /// path when it is reached through a symbolic link).
    pub rel: String,
    /// Where to read it: symbolic links resolved.
    pub real: PathBuf,
}

/// What a symbolic link may point at: inside the handbook folder, and not into git's metadata.
struct Confinement {
    root: PathBuf,
    git_dir: Option<PathBuf>,
}

impl Confinement {
    fn of(root: &Path) -> Confinement {
        Confinement {
            root: std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
            git_dir: git2::Repository::discover(root)
                .ok()
                .and_then(|r| std::fs::canonicalize(r.path()).ok()),
        }
    }

    /// The error for a path whose real location (`real`) is outside what may be read.
    fn refusal(&self, link: &Path, real: &Path, shown: &Path) -> Option<Diagnostic> {
        let into_git = self.git_dir.as_ref().is_some_and(|g| real.starts_with(g));
        if real.starts_with(&self.root) && !into_git {
            return None;
        }
        let target = std::fs::read_link(link)
            .unwrap_or_else(|_| real.to_path_buf())
            .display()
            .to_string();
        let place = if into_git {
            "into the git repository's metadata"
        } else {
            "outside the handbook"
        };
        Some(
            Diagnostic::error(format!(
                "symbolic link to {target} points {place}; it is not read"
            ))
            .at(shown, None)
            .hint("policybook reads only files inside the handbook folder: copy the file in, or remove the link"),
        )
    }
}

/// Every regular file under `root/<dir>` in name order, hidden names (`.x`) skipped. Symbolic
/// links are followed only when their target is inside the handbook folder (and not in `.git`):
/// one that leads outside is an error naming the link and its target, a broken one is a warning,
/// and a folder link back to one of its own parents is a loop error. Nothing outside the handbook
/// is ever opened, so a link to `/` or `/proc/self/environ` cannot publish or walk the machine.
pub fn walk_confined(
    root: &Path,
    dir: &str,
    display_root: &Path,
    diags: &mut Diagnostics,
) -> Vec<Found> {
    let limits = Confinement::of(root);
    let mut out = Vec::new();
    let start = root.join(dir);
    let shown = display_path(display_root, dir);
    let real = match std::fs::canonicalize(&start) {
        Ok(r) => r,
        Err(e) => {
            diags.push(Diagnostic::error(format!("cannot read: {e}")).at(&shown, None));
            return out;
        }
    };
    if let Some(d) = limits.refusal(&start, &real, &shown) {
        diags.push(d);
        return out;
    }
    let mut walk = Walk {
        limits: &limits,
        display_root,
        diags,
        out: &mut out,
        ancestors: Vec::new(),
    };
    walk.folder(&real, dir);
    out
}

struct Walk<'a> {
    limits: &'a Confinement,
    display_root: &'a Path,
    diags: &'a mut Diagnostics,
    out: &'a mut Vec<Found>,
    /// Real paths of the folders being walked, outermost first: a link to one of them is a loop.
    ancestors: Vec<PathBuf>,
}

impl Walk<'_> {
    fn folder(&mut self, real: &Path, rel: &str) {
        let shown = display_path(self.display_root, rel);
        let entries = match std::fs::read_dir(real) {
            Ok(e) => e,
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(format!("cannot read the folder: {e}")).at(&shown, None),
                );
                return;
            }
        };
        let mut entries: Vec<std::fs::DirEntry> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        self.ancestors.push(real.to_path_buf());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let child_rel = format!("{rel}/{name}");
            let path = entry.path();
            let Ok(ft) = entry.file_type() else {
                continue;
            };
            if ft.is_symlink() {
                self.link(&path, &child_rel);
            } else if ft.is_dir() {
                self.folder(&path, &child_rel);
            } else if ft.is_file() {
                self.out.push(Found {
                    rel: child_rel,
                    real: path,
                });
            } else {
                self.special(&child_rel);
            }
        }
        self.ancestors.pop();
    }

    fn link(&mut self, path: &Path, rel: &str) {
        let shown = display_path(self.display_root, rel);
        let target = std::fs::read_link(path)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        let Ok(real) = std::fs::canonicalize(path) else {
            // Reported, not fatal: it only matters if a document links to it, and then the link
            // check says the file does not exist.
            self.diags.push(
                Diagnostic::warning(format!(
                    "broken symbolic link: {target} does not exist; it is skipped"
                ))
                .at(&shown, None)
                .hint("remove the link, or restore the file it points to"),
            );
            return;
        };
        if let Some(d) = self.limits.refusal(path, &real, &shown) {
            self.diags.push(d);
            return;
        }
        if real.is_dir() {
            if self.ancestors.contains(&real) {
                self.diags.push(
                    Diagnostic::error(format!(
                        "symbolic link loop: this link points back to {target}, a folder it is in"
                    ))
                    .at(&shown, None)
                    .hint("remove the link or point it at a folder outside its own parents"),
                );
                return;
            }
            self.folder(&real, rel);
        } else if real.is_file() {
            self.out.push(Found {
                rel: rel.to_string(),
                real,
            });
        } else {
            self.special(rel);
        }
    }

    /// FIFOs, sockets and devices are never opened: reading one could block the build forever.
    fn special(&mut self, rel: &str) {
        self.diags.push(
            Diagnostic::warning("not a regular file (a pipe, socket or device); it is skipped")
                .at(&display_path(self.display_root, rel), None)
                .hint(
                    "keep only documents and the files they link to under the handbook's folders",
                ),
        );
    }
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
        text: text.into(),
    })
}

/// Reads `site.toml` and `policies/**` from a commit instead of the working tree: blobs read with
/// git2, nothing checked out. `prefix` is the handbook's folder in the repository ("" at the top).
/// Returns the text of `site.toml` (`Err`, reported, when the commit has none).
pub fn load_commit(
    repo: &git2::Repository,
    commit: git2::Oid,
    prefix: &str,
    display_root: &Path,
    diags: &mut Diagnostics,
) -> Outcome<(String, Sources)> {
    let at = |path: &str| crate::git::in_repo(prefix, path);
    let short = &commit.to_string()[..7];
    let tree = match repo.find_commit(commit).and_then(|c| c.tree()) {
        Ok(t) => t,
        Err(e) => {
            return diags.fail(Diagnostic::error(format!(
                "cannot read commit {short}: {}",
                e.message()
            )));
        }
    };
    let config = match tree
        .get_path(Path::new(&at("site.toml")))
        .and_then(|e| repo.find_blob(e.id()))
    {
        Ok(blob) => String::from_utf8_lossy(blob.content()).into_owned(),
        Err(_) => {
            return diags.fail(
                Diagnostic::error(format!("commit {short} has no {}", at("site.toml")))
                    .hint("choose a period or version whose commit contains the handbook"),
            );
        }
    };
    let mut sources = Sources {
        registers: register_blobs(repo, &tree, prefix, display_root, diags),
        people: root_blob(repo, &tree, prefix, PEOPLE_FILE, display_root, diags),
        ..Sources::default()
    };
    let Ok(entry) = tree.get_path(Path::new(&at(POLICIES_DIR))) else {
        diags.push(Diagnostic::error(format!(
            "commit {short} has no {}/ folder",
            at(POLICIES_DIR)
        )));
        return Ok((config, sources));
    };
    let Ok(policies) = repo.find_tree(entry.id()) else {
        return Ok((config, sources));
    };
    let mut blobs: Vec<(String, git2::Oid)> = Vec::new();
    let mut links: Vec<String> = Vec::new();
    let _ = policies.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
        let name = e.name().unwrap_or("");
        if name.starts_with('.') {
            return git2::TreeWalkResult::Skip;
        }
        if e.kind() == Some(git2::ObjectType::Blob) {
            // A symbolic link is stored as a blob holding its target's path: never published.
            if e.filemode() == GIT_SYMLINK_MODE {
                links.push(format!("{dir}{name}"));
            } else {
                blobs.push((format!("{dir}{name}"), e.id()));
            }
        }
        git2::TreeWalkResult::Ok
    });
    for link in links {
        diags.push(
            Diagnostic::warning("symbolic link in the commit: not followed, it is skipped")
                .at(
                    &display_path(display_root, &format!("{POLICIES_DIR}/{link}")),
                    None,
                )
                .hint("commit the file itself rather than a link to it"),
        );
    }
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
                text: text.into(),
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
    Ok((config, sources))
}

/// The register files of a commit's tree (`controls.yaml`, `controls/**/*.yaml`), as text.
/// A file beside `site.toml` in a commit's tree, when it is there (symlinks are not followed).
pub(crate) fn root_blob(
    repo: &git2::Repository,
    tree: &git2::Tree<'_>,
    prefix: &str,
    name: &str,
    display_root: &Path,
    diags: &mut Diagnostics,
) -> Option<SourceFile> {
    let e = tree
        .get_path(Path::new(&crate::git::in_repo(prefix, name)))
        .ok()?;
    if e.kind() != Some(git2::ObjectType::Blob) || e.filemode() == GIT_SYMLINK_MODE {
        return None;
    }
    let display = display_path(display_root, name);
    let blob = repo.find_blob(e.id()).ok()?;
    match String::from_utf8(blob.content().to_vec()) {
        Ok(text) => Some(SourceFile {
            path: name.to_string(),
            display,
            text: text.into(),
        }),
        Err(_) => {
            diags.push(Diagnostic::error("the file is not valid UTF-8").at(&display, None));
            None
        }
    }
}

fn register_blobs(
    repo: &git2::Repository,
    tree: &git2::Tree<'_>,
    prefix: &str,
    display_root: &Path,
    diags: &mut Diagnostics,
) -> Vec<SourceFile> {
    let at = |path: &str| crate::git::in_repo(prefix, path);
    let mut blobs: Vec<(String, git2::Oid)> = Vec::new();
    if let Ok(e) = tree.get_path(Path::new(&at(REGISTER_FILE)))
        && e.kind() == Some(git2::ObjectType::Blob)
        && e.filemode() != GIT_SYMLINK_MODE
    {
        blobs.push((REGISTER_FILE.to_string(), e.id()));
    }
    if let Ok(dir) = tree
        .get_path(Path::new(&at(REGISTER_DIR)))
        .and_then(|e| repo.find_tree(e.id()))
    {
        let mut found = Vec::new();
        let _ = dir.walk(git2::TreeWalkMode::PreOrder, |parent, e| {
            let name = e.name().unwrap_or("");
            if name.starts_with('.') {
                return git2::TreeWalkResult::Skip;
            }
            let rel = format!("{REGISTER_DIR}/{parent}{name}");
            if e.kind() == Some(git2::ObjectType::Blob)
                && e.filemode() != GIT_SYMLINK_MODE
                && is_register_file(&rel)
            {
                found.push((rel, e.id()));
            }
            git2::TreeWalkResult::Ok
        });
        found.sort();
        blobs.extend(found);
    }
    let mut out = Vec::new();
    for (rel, oid) in blobs {
        let display = display_path(display_root, &rel);
        let Ok(blob) = repo.find_blob(oid) else {
            continue;
        };
        match String::from_utf8(blob.content().to_vec()) {
            Ok(text) => out.push(SourceFile {
                path: rel,
                display,
                text: text.into(),
            }),
            Err(_) => {
                diags.push(Diagnostic::error("the file is not valid UTF-8").at(&display, None))
            }
        }
    }
    out
}

/// `rel` as messages show it, below `display_root` (`handbook/policies/a.md`, `v1.0:policies/a.md`).
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

/// The paths (relative to the handbook) that `pattern` (`folder/*.json`: a `*` stands for any
/// text in the file name) selects among the file `names` of its folder, in name order.
fn select(pattern: &str, names: impl Iterator<Item = String>) -> Vec<String> {
    let (dir, name) = pattern.rsplit_once('/').unwrap_or(("", pattern));
    let matches = |file: &str| match name.split_once('*') {
        Some((before, after)) => {
            file.len() >= before.len() + after.len()
                && file.starts_with(before)
                && file.ends_with(after)
        }
        None => file == name,
    };
    let mut picked: Vec<String> = names
        .filter(|n| matches(n))
        .map(|n| {
            if dir.is_empty() {
                n
            } else {
                format!("{dir}/{n}")
            }
        })
        .collect();
    picked.sort();
    picked
}

/// The folder part of a `select` pattern.
fn pattern_dir(pattern: &str) -> &str {
    pattern.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// The files of `root` matching `pattern` (see `select`), in name order.
pub(crate) fn matching_files(
    root: &Path,
    pattern: &str,
    display_root: &Path,
    diags: &mut Diagnostics,
) -> Vec<SourceFile> {
    let names = std::fs::read_dir(root.join(pattern_dir(pattern)))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok());
    select(pattern, names)
        .into_iter()
        .filter_map(|rel| root_file(root, &rel, "a pull-request file", display_root, diags))
        .collect()
}

/// The blobs of a commit's tree matching `pattern` below the handbook (`prefix`).
pub(crate) fn matching_blobs(
    repo: &git2::Repository,
    tree: &git2::Tree<'_>,
    prefix: &str,
    pattern: &str,
    display_root: &Path,
    diags: &mut Diagnostics,
) -> Vec<SourceFile> {
    // The folder below the handbook, which may itself be a folder of the repository.
    let dir = match pattern_dir(pattern) {
        "" => prefix.to_string(),
        d => crate::git::in_repo(prefix, d),
    };
    let folder = if dir.is_empty() {
        Some(tree.clone())
    } else {
        tree.get_path(Path::new(&dir))
            .ok()
            .and_then(|e| repo.find_tree(e.id()).ok())
    };
    let Some(folder) = folder else {
        return Vec::new();
    };
    let names = folder
        .iter()
        .filter_map(|e| e.name().ok().map(str::to_string));
    select(pattern, names)
        .into_iter()
        .filter_map(|rel| root_blob(repo, tree, prefix, &rel, display_root, diags))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_select_files_of_their_folder_in_name_order() {
        let names = || {
            ["b.json", "a.json", "notes.txt", "a.json.bak"]
                .map(String::from)
                .into_iter()
        };
        assert_eq!(
            select("reviews/*.json", names()),
            ["reviews/a.json", "reviews/b.json"]
        );
        assert_eq!(select("a.json", names()), ["a.json"]);
        assert_eq!(select("*", names()).len(), 4);
        assert_eq!(pattern_dir("reviews/*.json"), "reviews");
        assert_eq!(pattern_dir("prs.json"), "");
    }

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
    fn symlinks_are_followed_only_inside_the_handbook() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("handbook");
        let p = root.join("policies");
        std::fs::create_dir_all(p.join("sub")).unwrap();
        std::fs::create_dir_all(root.join("shared")).unwrap();
        std::fs::write(root.join("shared/common.md"), "c").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "s").unwrap();
        std::fs::write(p.join("sub/a.md"), "a").unwrap();
        git2::Repository::init(&root).unwrap();
        symlink(dir.path().join("secret.txt"), p.join("env.txt")).unwrap();
        symlink("/", p.join("root")).unwrap();
        symlink(root.join(".git/config"), p.join("git-config.txt")).unwrap();
        symlink(root.join("shared"), p.join("shared")).unwrap();
        symlink("sub/a.md", p.join("alias.md")).unwrap();
        symlink("missing.png", p.join("gone.png")).unwrap();
        let mut diags = Diagnostics::new();
        let s = load(&root, Path::new(""), &mut diags);
        let paths: Vec<&str> = s.documents.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "policies/alias.md",
                "policies/shared/common.md",
                "policies/sub/a.md"
            ]
        );
        assert!(s.assets.is_empty(), "{:?}", s.assets);
        let d = diags.sorted();
        let found: Vec<(String, String, bool)> = d
            .iter()
            .map(|d| {
                (
                    d.file.as_ref().unwrap().display().to_string(),
                    d.message.clone(),
                    d.is_error(),
                )
            })
            .collect();
        assert_eq!(found.len(), 4, "{found:#?}");
        assert!(
            found[0].0 == "policies/env.txt"
                && found[0].1.contains("outside the handbook")
                && found[0].2
        );
        assert!(found[0].1.contains("secret.txt"), "{found:?}");
        assert!(found[1].0 == "policies/git-config.txt" && found[1].1.contains("git repository"));
        assert!(found[2].0 == "policies/gone.png" && found[2].1.contains("broken") && !found[2].2);
        assert!(found[3].0 == "policies/root" && found[3].1.contains("outside the handbook"));
    }

    #[cfg(unix)]
    #[test]
    fn pipes_are_skipped_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("policies");
        std::fs::create_dir_all(&p).unwrap();
        let fifo = std::ffi::CString::new(p.join("pipe.md").to_string_lossy().as_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo only creates the file.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        let mut diags = Diagnostics::new();
        let s = load(dir.path(), Path::new(""), &mut diags);
        assert!(s.documents.is_empty());
        assert!(diags.sorted()[0].message.contains("not a regular file"));
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
