//! Stage 5: put the rendered site on disk, all or nothing, and never anywhere it could destroy
//! something that policybook did not write.
//!
//! Files go to a temporary folder beside the output folder; only when every file is written (the
//! marker last, so a complete folder is recognisable) is the old output moved aside and the new
//! one renamed into place. A failed build therefore leaves the previous site untouched, and a
//! reader never sees half a site. A build killed between the two renames is finished by the next
//! one, which also removes what dead builds left behind.
//!
//! The marker, `.policybook-output`, lists every file the build wrote. A folder is replaced only
//! when it is empty or holds exactly what its marker lists: an empty marker made by hand, or a
//! file someone added to the site, makes the folder someone else's. And whatever the marker says,
//! an output folder that is, contains or lies inside the handbook's sources or its git repository
//! is refused.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Diagnostics, Outcome};
use crate::pipeline::load::AssetSource;
use crate::pipeline::render::{OutputFile, Site};

/// Marks a directory as policybook's output and lists what is in it.
pub const OUTPUT_MARKER: &str = ".policybook-output";

/// What the marker holds: every file of the folder, so that a later build can tell a folder it
/// wrote from one that merely has a file of that name.
#[derive(Serialize, Deserialize)]
struct Marker {
    generator: String,
    note: String,
    /// Paths relative to the folder, `/`-separated, sorted. The marker itself is not listed.
    files: Vec<String>,
}

const MARKER_NOTE: &str = "Written by policybook. The next build replaces this folder as long as it \
holds exactly the files listed here; add anything else and policybook will refuse to touch it.";

/// Places the output folder must keep away from: the handbook's sources and its repository.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    protected: Vec<Protected>,
}

#[derive(Debug, Clone)]
struct Protected {
    /// Absolute, symbolic links resolved.
    path: PathBuf,
    /// How messages name it: "the handbook folder", "policies/".
    label: String,
    /// Writing *inside* it is refused too (sources and git metadata; but not the handbook folder,
    /// where `public/` lives by default).
    no_output_inside: bool,
}

impl Guard {
    /// Protects the handbook at `root`: the folder itself, `site.toml`, `policies/`, `theme/`, and
    /// the git repository that holds it.
    pub fn for_handbook(root: &Path) -> Guard {
        let mut g = Guard::default();
        g.protect(root, "the handbook folder", false);
        g.protect(&root.join(crate::config::CONFIG_FILE), "site.toml", true);
        g.protect(
            &root.join(crate::pipeline::load::POLICIES_DIR),
            "policies/",
            true,
        );
        g.protect(
            &root.join(crate::pipeline::render::theme::THEME_DIR),
            "theme/",
            true,
        );
        if let Ok(repo) = git2::Repository::discover(root) {
            g.protect(repo.path(), "the git repository (.git)", true);
            g.protect(repo.commondir(), "the git repository (.git)", true);
        }
        g
    }

    fn protect(&mut self, path: &Path, label: &str, no_output_inside: bool) {
        if let Ok(path) = absolute(path) {
            self.protected.push(Protected {
                path,
                label: label.to_string(),
                no_output_inside,
            });
        }
    }

    /// `None` when `out` (absolute, resolved) may be written.
    fn refusal(&self, out: &Path, shown: &Path) -> Option<Diagnostic> {
        for p in &self.protected {
            if p.path.starts_with(out) {
                let what = if p.path == out { "is" } else { "contains" };
                return Some(
                    Diagnostic::error(format!(
                        "the output folder {} {what} {}; replacing it would delete the handbook",
                        shown.display(),
                        p.label
                    ))
                    .hint("choose an output folder outside the handbook's sources, e.g. the default `public` inside it"),
                );
            }
            if p.no_output_inside && out.starts_with(&p.path) {
                return Some(
                    Diagnostic::error(format!(
                        "the output folder {} is inside {}",
                        shown.display(),
                        p.label
                    ))
                    .hint("choose an output folder outside the handbook's sources, e.g. the default `public`"),
                );
            }
        }
        None
    }
}

/// Writes `site` to `out`. Problems, and warnings (a recovered interrupted build), go to `diags`.
pub fn write(site: &Site, out: &Path, guard: &Guard, diags: &mut Diagnostics) -> Outcome<()> {
    let staging = Staging::begin(out, guard, diags)?;
    staging.finish(site, diags)
}

/// A site being written: a temporary folder beside the output folder, which files go into as
/// they are made (`put`, while the rest of the site is still rendering) and which `finish`
/// completes and swaps into place. Dropped unfinished, the folder is removed and the previous
/// output is left as it was.
pub struct Staging {
    /// The output folder as the user named it, for messages.
    shown: PathBuf,
    /// The output folder, absolute, symbolic links resolved.
    resolved: PathBuf,
    tmp: PathBuf,
    old: PathBuf,
    /// The files of the previous output, when there is one to replace.
    previous: Option<HashSet<String>>,
    put: std::sync::Mutex<Put>,
    /// What opening the folder found (a recovered interrupted build): reported by `finish` or
    /// `abandon`, after what a build with nothing to do would report again.
    found: Diagnostics,
    finished: bool,
}

/// What [`Staging::put`] wrote, and the folders it made for it.
#[derive(Default)]
struct Put {
    files: Vec<String>,
    folders: HashSet<PathBuf>,
}

impl Staging {
    /// Checks that `out` may be replaced (see [`Guard`] and the marker), finishes what an
    /// interrupted build left, and makes the temporary folder. Why it may not goes to `diags`.
    pub fn begin(out: &Path, guard: &Guard, diags: &mut Diagnostics) -> Outcome<Staging> {
        let staging = Staging::prepare(out, guard);
        diags.take(staging)
    }

    fn prepare(out: &Path, guard: &Guard) -> Result<Staging, Diagnostic> {
        let target = through_symlink(out)?;
        let resolved = absolute(&target).map_err(|e| io_error(&target, "resolve", &e))?;
        if let Some(d) = guard.refusal(&resolved, out) {
            return Err(d);
        }
        let name = resolved
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| {
                Diagnostic::error(format!("{} cannot be an output folder", out.display()))
                    .hint("name a folder, e.g. `--out public`")
            })?;
        let parent = resolved
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("/"));
        fs::create_dir_all(&parent).map_err(|e| io_error(&parent, "create", &e))?;
        let mut found = Diagnostics::new();
        recover_interrupted(&parent, &name, &resolved, &mut found);
        let previous = replaceable(&resolved, out)?;
        let pid = std::process::id();
        let tmp = parent.join(format!(".{name}.tmp-{pid}"));
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(|e| io_error(&tmp, "clean up", &e))?;
        }
        fs::create_dir_all(&tmp).map_err(|e| io_error(&tmp, "create", &e))?;
        Ok(Staging {
            shown: out.to_path_buf(),
            old: parent.join(format!(".{name}.old-{pid}")),
            resolved,
            tmp,
            previous,
            put: std::sync::Mutex::default(),
            found,
            finished: false,
        })
    }

    /// Writes one file of the site now. Meant for one thread: creating files in one folder from
    /// several threads makes them wait for the folder's lock in the kernel.
    pub fn put(&self, file: &OutputFile) -> Result<(), Diagnostic> {
        let mut put = self.written()?;
        let path = self.tmp.join(&file.path);
        if let Some(folder) = path.parent()
            && !put.folders.contains(folder)
        {
            fs::create_dir_all(folder).map_err(|e| io_error(folder, "create", &e))?;
            put.folders.insert(folder.to_path_buf());
        }
        write_file(&path, file, self.reusable(&file.path).as_deref())?;
        put.files.push(file.path.clone());
        Ok(())
    }

    /// What `put` wrote so far.
    fn written(&self) -> Result<std::sync::MutexGuard<'_, Put>, Diagnostic> {
        self.put
            .lock()
            .map_err(|_| Diagnostic::error("a thread writing the site failed"))
    }

    /// The previous output's copy of `path`, when it has one.
    fn reusable(&self, path: &str) -> Option<PathBuf> {
        self.previous
            .as_ref()
            .filter(|listed| listed.contains(path))
            .map(|_| self.resolved.join(path))
    }

    /// Writes the rest of the site (the files of `site` not `put` already; a file put wins),
    /// the marker last, and swaps the folder into place.
    pub fn finish(mut self, site: &Site, diags: &mut Diagnostics) -> Outcome<()> {
        diags.extend(std::mem::take(&mut self.found));
        let result = self.complete(site);
        diags.take(result)
    }

    /// Gives up the new site (the build failed): its folder is removed, the previous output
    /// left as it was, and what opening the folder found still reported.
    pub fn abandon(mut self, diags: &mut Diagnostics) {
        diags.extend(std::mem::take(&mut self.found));
    }

    fn complete(&mut self, site: &Site) -> Result<(), Diagnostic> {
        let put = std::mem::take(&mut *self.written()?);
        write_all(site, &self.tmp, &put.files, |p| self.reusable(p))?;
        let (resolved, old, tmp, out) = (&self.resolved, &self.old, &self.tmp, &self.shown);
        let had_old = resolved.exists();
        if had_old {
            fs::rename(resolved, old).map_err(|e| io_error(out, "replace", &e))?;
        }
        if let Err(e) = fs::rename(tmp, resolved) {
            // Put the previous site back rather than leave nothing.
            if had_old {
                let _ = fs::rename(old, resolved);
            }
            return Err(io_error(out, "replace", &e));
        }
        self.finished = true;
        if had_old {
            let _ = fs::remove_dir_all(old);
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.finished {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// A symbolic link to a folder is written through: the folder it points at is replaced and the
/// link left as it is (`public -> /srv/site` keeps serving the new site).
fn through_symlink(out: &Path) -> Result<PathBuf, Diagnostic> {
    match fs::symlink_metadata(out) {
        Ok(m) if m.file_type().is_symlink() => fs::canonicalize(out).map_err(|e| {
            Diagnostic::error(format!(
                "the output folder {} is a symbolic link to {}, which cannot be used: {e}",
                out.display(),
                fs::read_link(out)
                    .map(|t| t.display().to_string())
                    .unwrap_or_default()
            ))
            .hint("create the folder the link points to, or choose another --out")
        }),
        _ => Ok(out.to_path_buf()),
    }
}

/// The files listed by the marker of the folder at `dir`, when the folder may be replaced: it
/// does not exist, is empty, or holds exactly what its marker lists. Otherwise an error that names
/// what does not belong.
fn replaceable(dir: &Path, shown: &Path) -> Result<Option<HashSet<String>>, Diagnostic> {
    let meta = match fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(shown, "read", &e)),
    };
    if !meta.is_dir() {
        return Err(
            Diagnostic::error(format!("{} exists and is not a folder", shown.display()))
                .hint("choose another --out, or remove that file"),
        );
    }
    let mut entries = fs::read_dir(dir).map_err(|e| io_error(shown, "read", &e))?;
    if entries.next().is_none() {
        return Ok(None);
    }
    let refuse = |why: String| {
        Diagnostic::error(format!(
            "{} is not empty and was not written by policybook ({why}); refusing to replace it",
            shown.display()
        ))
        .hint("choose another --out, or move those files elsewhere (or empty the folder) first")
    };
    let Some(listed) = read_marker(dir) else {
        return Err(refuse(if dir.join(OUTPUT_MARKER).exists() {
            format!("its {OUTPUT_MARKER} is not one policybook wrote")
        } else {
            format!("it has no {OUTPUT_MARKER} marker")
        }));
    };
    let folders: HashSet<&str> = listed
        .iter()
        .flat_map(|f| {
            f.match_indices('/')
                .map(move |(i, _)| &f[..i])
                .collect::<Vec<_>>()
        })
        .collect();
    let mut foreign = Vec::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            Diagnostic::error(format!("cannot read {}: {e}", shown.display()))
                .hint("check the folder's permissions, or choose another --out")
        })?;
        let rel = slash_path(entry.path().strip_prefix(dir).unwrap_or(entry.path()));
        let ft = entry.file_type();
        let known = if ft.is_dir() {
            folders.contains(rel.as_str())
        } else {
            ft.is_file() && (rel == OUTPUT_MARKER || listed.contains(&rel))
        };
        if !known {
            foreign.push(rel);
        }
    }
    if !foreign.is_empty() {
        let n = foreign.len();
        foreign.truncate(5);
        return Err(refuse(format!(
            "{n} file{} the last build did not write: {}{}",
            if n == 1 { "" } else { "s" },
            foreign.join(", "),
            if n > 5 { ", …" } else { "" }
        )));
    }
    Ok(Some(listed))
}

fn read_marker(dir: &Path) -> Option<HashSet<String>> {
    let bytes = fs::read(dir.join(OUTPUT_MARKER)).ok()?;
    let marker: Marker = serde_json::from_slice(&bytes).ok()?;
    marker
        .generator
        .starts_with("policybook")
        .then(|| marker.files.into_iter().collect())
}

/// Leftovers of builds that died between writing and swapping: `.NAME.tmp-PID` (complete when its
/// marker is there, since the marker is written last) and `.NAME.old-PID`. When the output folder
/// is missing, the swap is finished (or the old site put back); then every leftover of a process
/// that no longer runs is removed. A running build's folders are left alone.
fn recover_interrupted(parent: &Path, name: &str, out: &Path, diags: &mut Diagnostics) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let tmp_prefix = format!(".{name}.tmp-");
    let old_prefix = format!(".{name}.old-");
    let mut dead: Vec<(u32, PathBuf, bool)> = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let (rest, is_tmp) = match (
            file_name.strip_prefix(&tmp_prefix),
            file_name.strip_prefix(&old_prefix),
        ) {
            (Some(r), _) => (r, true),
            (_, Some(r)) => (r, false),
            _ => continue,
        };
        let Ok(pid) = rest.parse::<u32>() else {
            continue;
        };
        if pid != std::process::id() && !process_alive(pid) {
            dead.push((pid, entry.path(), is_tmp));
        }
    }
    dead.sort();
    if !out.exists() {
        let complete = dead
            .iter()
            .find(|(_, p, is_tmp)| *is_tmp && read_marker(p).is_some());
        let old = dead.iter().find(|(_, _, is_tmp)| !*is_tmp);
        let (from, how) = match (complete, old) {
            (Some((pid, p, _)), _) => (p, format!("finished the swap of build {pid}")),
            (None, Some((pid, p, _))) => (p, format!("put back the site build {pid} moved aside")),
            (None, None) => return cleanup(&dead),
        };
        if fs::rename(from, out).is_ok() {
            diags.push(
                Diagnostic::warning(format!(
                    "the output folder {} was missing after an interrupted build; recovered it ({how})",
                    out.display()
                ))
                .hint("nothing to do: this build replaces it as usual"),
            );
        }
    }
    cleanup(&dead);
}

fn cleanup(dead: &[(u32, PathBuf, bool)]) {
    for (_, p, _) in dead {
        let _ = fs::remove_dir_all(p);
    }
}

#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only asks whether the process exists; nothing is sent.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
fn process_alive(_pid: u32) -> bool {
    // Without a way to ask, assume it runs: leftovers stay rather than a live build's files go.
    true
}

/// `p` made absolute, with symbolic links resolved in its longest existing part (the output
/// folder may not exist yet).
pub fn absolute(p: &Path) -> std::io::Result<PathBuf> {
    let abs = std::path::absolute(p)?;
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    while fs::symlink_metadata(existing).is_err() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut out = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    for part in rest.into_iter().rev() {
        out.push(part);
    }
    Ok(out)
}

/// Writes the files of `site` that are not among those `put` already, then the marker, which
/// lists both. `reusable` names the previous output's copy of a file.
fn write_all(
    site: &Site,
    dir: &Path,
    put: &[String],
    reusable: impl Fn(&str) -> Option<PathBuf> + Sync,
) -> Result<(), Diagnostic> {
    let already: HashSet<&str> = put.iter().map(String::as_str).collect();
    let files: Vec<&OutputFile> = site
        .files
        .iter()
        .filter(|f| !already.contains(f.path.as_str()))
        .collect();
    let folders: BTreeSet<PathBuf> = files
        .iter()
        .map(|f| f.path.as_str())
        .chain(site.copies.iter().map(|(p, _)| p.as_str()))
        .filter_map(|p| Path::new(p).parent().map(|d| dir.join(d)))
        .collect();
    for f in &folders {
        fs::create_dir_all(f).map_err(|e| io_error(f, "create", &e))?;
    }
    // One thread per folder: creating files in one folder from several threads makes them wait
    // for the folder's lock in the kernel, spinning (a third of a cold build's CPU time was
    // ext4's `down_write` when 2,000 pages went to `documents/` from every thread).
    let mut sorted = files;
    sorted.sort_by_key(|f| folder_of(&f.path));
    let by_folder: Vec<_> = sorted
        .chunk_by(|a, b| folder_of(&a.path) == folder_of(&b.path))
        .collect();
    by_folder.par_iter().try_for_each(|group| {
        group
            .iter()
            .try_for_each(|f| write_file(&dir.join(&f.path), f, reusable(&f.path).as_deref()))
    })?;
    site.copies.par_iter().try_for_each(|(to, from)| {
        let path = dir.join(to);
        copy_asset(from, &path, reusable(to).as_deref()).map_err(|e| io_error(&path, "copy", &e))
    })?;
    // Last: its presence says the folder is complete.
    let mut files: Vec<String> = site
        .files
        .iter()
        .map(|f| f.path.clone())
        .chain(put.iter().cloned())
        .chain(site.copies.iter().map(|(p, _)| p.clone()))
        .filter(|p| p != OUTPUT_MARKER)
        .collect();
    files.sort();
    files.dedup();
    let marker = Marker {
        generator: "policybook".into(),
        note: MARKER_NOTE.into(),
        files,
    };
    let mut bytes = serde_json::to_vec_pretty(&marker)
        .map_err(|e| Diagnostic::error(format!("cannot write {OUTPUT_MARKER}: {e}")))?;
    bytes.push(b'\n');
    let path = dir.join(OUTPUT_MARKER);
    fs::write(&path, bytes).map_err(|e| io_error(&path, "write", &e))
}

/// Writes `file` at `path`, or hard-links the previous output's identical copy: most of a
/// rebuild is unchanged, and creating and later deleting thousands of files is what costs (the
/// old folder is removed after the swap either way).
fn write_file(path: &Path, file: &OutputFile, previous: Option<&Path>) -> Result<(), Diagnostic> {
    if let Some(old) = previous
        && same_contents(old, &file.contents)
        && fs::hard_link(old, path).is_ok()
    {
        return Ok(());
    }
    fs::write(path, &file.contents).map_err(|e| io_error(path, "write", &e))
}

/// Copies a linked file without holding it in memory. A file on disk whose size and modification
/// time match the previous build's copy is linked from it instead (the copy keeps the source's
/// modification time for that reason); a blob of a commit is compared by content.
fn copy_asset(from: &AssetSource, to: &Path, previous: Option<&Path>) -> std::io::Result<()> {
    match from {
        AssetSource::File(src) => {
            let meta = fs::metadata(src)?;
            let modified = meta.modified().ok();
            if let (Some(prev), Some(when)) = (previous, modified)
                && let Ok(pm) = fs::metadata(prev)
                && pm.is_file()
                && pm.len() == meta.len()
                && pm.modified().ok() == Some(when)
                && fs::hard_link(prev, to).is_ok()
            {
                return Ok(());
            }
            fs::copy(src, to)?;
            if let Some(when) = modified {
                fs::File::options()
                    .write(true)
                    .open(to)?
                    .set_modified(when)?;
            }
            Ok(())
        }
        AssetSource::Blob { .. } => {
            let bytes = from.read()?;
            if let Some(prev) = previous
                && same_contents(prev, &bytes)
                && fs::hard_link(prev, to).is_ok()
            {
                return Ok(());
            }
            fs::write(to, bytes)
        }
    }
}

/// Whether the file at `path` holds exactly `contents` (size first, then bytes).
fn same_contents(path: &Path, contents: &[u8]) -> bool {
    match fs::metadata(path) {
        Ok(m) if m.is_file() && m.len() == contents.len() as u64 => {
            fs::read(path).is_ok_and(|old| old == contents)
        }
        _ => false,
    }
}

/// The folder part of a `/`-separated output path (`""` for the top).
fn folder_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(folder, _)| folder)
}

fn slash_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn io_error(path: &Path, action: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(format!("cannot {action} {}: {e}", path.display()))
        .hint("check that the folder is writable and the disk is not full")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(text: &str) -> Site {
        Site {
            files: vec![
                OutputFile {
                    path: "index.html".into(),
                    contents: text.as_bytes().to_vec(),
                },
                OutputFile {
                    path: "a/b/c.html".into(),
                    contents: b"c".to_vec(),
                },
            ],
            copies: vec![],
        }
    }

    /// A handbook folder with its sources, and a guard for it.
    fn handbook() -> (tempfile::TempDir, Guard) {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("policies")).unwrap();
        fs::write(dir.path().join("site.toml"), "title = \"H\"\n").unwrap();
        let guard = Guard::for_handbook(dir.path());
        (dir, guard)
    }

    fn put(site: &Site, out: &Path, guard: &Guard) -> Result<(), Diagnostic> {
        Staging::prepare(out, guard)?.complete(site)
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn replaces_previous_output_and_leaves_no_temporaries() {
        let (dir, guard) = handbook();
        let out = dir.path().join("public");
        put(&site("one"), &out, &guard).unwrap();
        put(&site("two"), &out, &guard).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        // An unchanged file is linked from the previous output, a changed one is written.
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let before = fs::metadata(out.join("a/b/c.html")).unwrap().ino();
            put(&site("three"), &out, &guard).unwrap();
            assert_eq!(fs::metadata(out.join("a/b/c.html")).unwrap().ino(), before);
            assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "three");
        }
        assert_eq!(names(dir.path()), ["policies", "public", "site.toml"]);
        let marker = fs::read_to_string(out.join(OUTPUT_MARKER)).unwrap();
        assert!(marker.contains("\"a/b/c.html\""), "{marker}");
    }

    #[test]
    fn files_put_while_rendering_are_in_the_site_and_its_marker() {
        let (dir, guard) = handbook();
        let out = dir.path().join("public");
        put(&site("first"), &out, &guard).unwrap_or_else(|d| panic!("{}", d.message));
        let mut diags = Diagnostics::new();
        let staging = Staging::begin(&out, &guard, &mut diags).unwrap_or_else(|_| panic!("begin"));
        let page = |path: &str, text: &str| OutputFile {
            path: path.into(),
            contents: text.as_bytes().to_vec(),
        };
        staging
            .put(&page("documents/a.html", "page a"))
            .unwrap_or_else(|d| panic!("{}", d.message));
        // A file of the site with a page's path: the page wins, as it did in memory.
        let mut rest = site("second");
        rest.files.push(page("documents/a.html", "not this"));
        staging
            .finish(&rest, &mut diags)
            .unwrap_or_else(|_| panic!("finish"));
        assert_eq!(
            fs::read_to_string(out.join("documents/a.html"))
                .ok()
                .as_deref(),
            Some("page a")
        );
        assert_eq!(
            fs::read_to_string(out.join("index.html")).ok().as_deref(),
            Some("second")
        );
        let listed = read_marker(&out).unwrap_or_default();
        assert!(listed.contains("documents/a.html") && listed.contains("index.html"));
        assert!(!names(dir.path()).iter().any(|n| n.contains(".tmp-")));
    }

    #[test]
    fn a_site_abandoned_half_written_leaves_the_previous_output() {
        let (dir, guard) = handbook();
        let out = dir.path().join("public");
        put(&site("first"), &out, &guard).unwrap_or_else(|d| panic!("{}", d.message));
        let before = fs::read_to_string(out.join("index.html")).ok();
        let mut diags = Diagnostics::new();
        let staging = Staging::begin(&out, &guard, &mut diags).unwrap_or_else(|_| panic!("begin"));
        staging
            .put(&OutputFile {
                path: "index.html".into(),
                contents: b"half".to_vec(),
            })
            .unwrap_or_else(|d| panic!("{}", d.message));
        assert!(names(dir.path()).iter().any(|n| n.contains(".tmp-")));
        drop(staging);
        assert_eq!(fs::read_to_string(out.join("index.html")).ok(), before);
        assert!(!names(dir.path()).iter().any(|n| n.contains(".tmp-")));
    }

    #[test]
    fn refuses_foreign_folders_and_folders_with_added_files() {
        let (dir, guard) = handbook();
        let out = dir.path().join("mine");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("notes.txt"), "precious").unwrap();
        let err = put(&site("x"), &out, &guard).unwrap_err();
        assert!(err.message.contains("not written by policybook"), "{err}");
        // A marker made by hand does not make the folder policybook's.
        fs::write(out.join(OUTPUT_MARKER), "").unwrap();
        let err = put(&site("x"), &out, &guard).unwrap_err();
        assert!(err.message.contains("not one policybook wrote"), "{err}");
        assert_eq!(
            fs::read_to_string(out.join("notes.txt")).unwrap(),
            "precious"
        );

        // A file added to a site policybook wrote makes it someone's again.
        let public = dir.path().join("public");
        put(&site("x"), &public, &guard).unwrap();
        fs::write(public.join("a/CNAME"), "handbook.example.com").unwrap();
        let err = put(&site("y"), &public, &guard).unwrap_err();
        assert!(err.message.contains("a/CNAME"), "{err}");
        assert!(public.join("a/CNAME").is_file());
    }

    #[test]
    fn refuses_folders_that_are_or_hold_the_sources() {
        let (dir, guard) = handbook();
        let root = dir.path();
        fs::write(root.join(OUTPUT_MARKER), "").unwrap();
        for (out, says) in [
            (root.to_path_buf(), "is the handbook folder"),
            (
                root.parent().unwrap().to_path_buf(),
                "contains the handbook folder",
            ),
            (root.join("policies"), "is policies/"),
            (root.join("policies/public"), "inside policies/"),
            (root.join("site.toml"), "is site.toml"),
            (root.join("theme/out"), "inside theme/"),
        ] {
            let err = put(&site("x"), &out, &guard).unwrap_err();
            assert!(err.message.contains(says), "{out:?}: {err}");
        }
        assert!(root.join("site.toml").is_file());
        assert!(root.join("policies").is_dir());
        // The handbook copied inside its own previous output: `--root site/handbook --out site`.
        let site_dir = root.join("site");
        put(&site("x"), &site_dir, &guard).unwrap();
        let inner = site_dir.join("handbook");
        fs::create_dir_all(inner.join("policies")).unwrap();
        let err = put(&site("y"), &site_dir, &Guard::for_handbook(&inner)).unwrap_err();
        assert!(
            err.message.contains("contains the handbook folder"),
            "{err}"
        );
        assert!(inner.join("policies").is_dir());
    }

    #[test]
    fn refuses_the_git_repository() {
        let dir = tempfile::tempdir().unwrap();
        git2::Repository::init(dir.path()).unwrap();
        let root = dir.path().join("handbook");
        fs::create_dir_all(root.join("policies")).unwrap();
        let guard = Guard::for_handbook(&root);
        for out in [dir.path().join(".git"), dir.path().join(".git/site")] {
            let err = put(&site("x"), &out, &guard).unwrap_err();
            assert!(err.message.contains("git repository"), "{err}");
        }
        assert!(dir.path().join(".git/HEAD").is_file());
    }

    #[cfg(unix)]
    #[test]
    fn writes_through_a_symlinked_output_folder() {
        let (dir, guard) = handbook();
        let srv = dir.path().join("srv/site");
        fs::create_dir_all(&srv).unwrap();
        let link = dir.path().join("public");
        std::os::unix::fs::symlink(&srv, &link).unwrap();
        put(&site("one"), &link, &guard).unwrap();
        put(&site("two"), &link, &guard).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(srv.join("index.html")).unwrap(), "two");
        // A link to a folder inside the sources is refused like the folder itself.
        let bad = dir.path().join("out");
        std::os::unix::fs::symlink(dir.path().join("policies"), &bad).unwrap();
        let err = put(&site("x"), &bad, &guard).unwrap_err();
        assert!(err.message.contains("policies/"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn an_interrupted_swap_is_finished_and_leftovers_removed() {
        let (dir, guard) = handbook();
        let out = dir.path().join("public");
        put(&site("one"), &out, &guard).unwrap();
        // A build (a PID that cannot be running) killed between its two renames: the old site
        // moved aside, the complete new one not yet in place.
        let dead = i32::MAX as u32;
        let old = dir.path().join(format!(".public.old-{dead}"));
        fs::rename(&out, &old).unwrap();
        let tmp = dir.path().join(format!(".public.tmp-{dead}"));
        fs::create_dir_all(&tmp).unwrap();
        write_all(&site("two"), &tmp, &[], |_| None).unwrap();
        let mut diags = Diagnostics::new();
        let staging = Staging::begin(&out, &guard, &mut diags).unwrap();
        staging.finish(&site("three"), &mut diags).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "three");
        assert!(diags.sorted()[0].message.contains("interrupted"));
        assert_eq!(names(dir.path()), ["policies", "public", "site.toml"]);

        // Killed while writing: an incomplete temporary folder is simply removed.
        let partial = dir.path().join(format!(".public.tmp-{dead}"));
        fs::create_dir_all(partial.join("documents")).unwrap();
        put(&site("four"), &out, &guard).unwrap();
        assert_eq!(names(dir.path()), ["policies", "public", "site.toml"]);

        // A live build's temporary folder is not touched.
        let live = dir.path().join(".public.tmp-1");
        fs::create_dir_all(&live).unwrap();
        put(&site("five"), &out, &guard).unwrap();
        assert!(live.is_dir());
    }

    #[cfg(unix)]
    #[test]
    fn linked_files_are_streamed_and_reused_when_unchanged() {
        use std::os::unix::fs::MetadataExt;
        let (dir, guard) = handbook();
        let big = dir.path().join("policies/big.bin");
        fs::write(&big, vec![7u8; 1 << 20]).unwrap();
        let mut s = site("x");
        s.copies = vec![("files/big.bin".into(), AssetSource::File(big.clone()))];
        let out = dir.path().join("public");
        put(&s, &out, &guard).unwrap();
        let ino = fs::metadata(out.join("files/big.bin")).unwrap().ino();
        put(&s, &out, &guard).unwrap();
        assert_eq!(fs::metadata(out.join("files/big.bin")).unwrap().ino(), ino);
        // Changed at the source: copied again.
        fs::write(&big, vec![8u8; 1 << 20]).unwrap();
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
        fs::File::options()
            .write(true)
            .open(&big)
            .unwrap()
            .set_modified(later)
            .unwrap();
        put(&s, &out, &guard).unwrap();
        assert_eq!(fs::read(out.join("files/big.bin")).unwrap()[0], 8);
    }
}
