//! `build` when nothing changed: a build whose inputs are those of the last build into the same
//! folder, and whose folder still holds exactly what that build wrote, has nothing to do.
//!
//! The output is a function of its inputs (the same commit builds byte-identical output), so
//! the last build records, in `.policybook-cache/build.json`, a SHA-256 of everything it was
//! built from and the size, modification time and inode of every file it wrote, with the
//! problems it reported. The next build computes the same digest; when it matches and every
//! file of the output folder is as recorded (none added, removed, or touched), it reports the
//! recorded problems again and writes nothing.
//!
//! What the digest covers — anything else a build reads must be added here:
//! - this program: its version, and the size and modification time of its executable;
//! - the command: the handbook and output folders (resolved), and `--as-of`;
//! - `site.toml`, every file under `policies/` (Markdown and the register by text, other files
//!   by size, modification time and inode), the files `site.toml` names, and `theme/`;
//! - git: HEAD, every reference (tags make releases), the shallow boundary, and the status of
//!   every handbook file whose text is not HEAD's; and today's date when HEAD is dated later
//!   (the only output that depends on the clock is the warning about that).
//!
//! Anything that cannot be read makes the check fail, and the build runs as usual.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::diagnostics::Diagnostics;
use crate::pipeline::load::{AssetSource, SourceFile, Sources};

const FILE: &str = "build.json";
/// Bumped whenever what the record holds, or how the digest is computed, changes.
const FORMAT: u32 = 1;

/// The figures of a build's summary line, kept so that a build with nothing to do prints the
/// same line.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Documents read.
    pub documents: usize,
    /// Policy exceptions read.
    pub exceptions: usize,
    /// Controls in scope.
    pub controls_in_scope: usize,
    /// In-scope controls covered.
    pub controls_covered: usize,
    /// In-scope controls nothing covers.
    pub gaps: usize,
    /// The date statuses were computed for.
    pub as_of: Option<jiff::civil::Date>,
}

/// What the last build left.
#[derive(Serialize, Deserialize)]
struct Record {
    format: u32,
    tool: String,
    /// The output folder, resolved.
    out: PathBuf,
    /// The digest of the inputs, hex.
    inputs: String,
    /// Every file of the output folder: `/`-separated path → (size, modification time in
    /// nanoseconds since the epoch, inode).
    files: BTreeMap<String, (u64, i128, u64)>,
    summary: Summary,
    diagnostics: Diagnostics,
}

/// The digest of everything a build of `root` into `out` reads, or `None` when some of it cannot
/// be read (then there is no shortcut).
pub fn inputs_digest(
    root: &Path,
    out: &Path,
    as_of: Option<jiff::civil::Date>,
    config: &Config,
    sources: &Sources,
) -> Option<String> {
    let mut h = Hasher::default();
    h.field("tool", env!("CARGO_PKG_VERSION").as_bytes());
    let exe = std::env::current_exe().ok()?;
    h.stat("executable", &exe)?;
    h.field(
        "root",
        std::fs::canonicalize(root)
            .ok()?
            .as_os_str()
            .as_encoded_bytes(),
    );
    h.field("out", resolved(out)?.as_os_str().as_encoded_bytes());
    h.field(
        "as-of",
        as_of.map(|d| d.to_string()).unwrap_or_default().as_bytes(),
    );
    h.field("site.toml", config.source.as_bytes());
    sources_digest(&mut h, sources)?;
    theme_digest(&mut h, root)?;
    git_digest(&mut h, root)?;
    Some(h.finish())
}

/// Every field of `Sources`, named so that a field added later does not compile until it is
/// covered here.
fn sources_digest(h: &mut Hasher, sources: &Sources) -> Option<()> {
    let Sources {
        documents,
        assets,
        registers,
        people,
        signers,
        revoked,
        openpgp_keys,
        pull_requests,
        acknowledgements,
        roster,
        framework_files,
    } = sources;
    for (name, files) in [
        ("documents", documents),
        ("registers", registers),
        ("pull-requests", pull_requests),
        ("acknowledgements", acknowledgements),
    ] {
        h.field("list", name.as_bytes());
        for f in files {
            h.source(f);
        }
    }
    for (name, file) in [
        ("people", people),
        ("signers", signers),
        ("revoked", revoked),
        ("openpgp-keys", openpgp_keys),
        ("roster", roster),
    ] {
        h.field("optional", name.as_bytes());
        if let Some(f) = file {
            h.source(f);
        }
    }
    for (path, f) in framework_files {
        h.field("framework-file", path.as_bytes());
        h.source(f);
    }
    for (below, asset) in assets {
        h.field("asset", below.as_bytes());
        match asset {
            AssetSource::File(p) => h.stat("asset-file", p)?,
            AssetSource::Blob { oid, .. } => h.field("asset-blob", oid.as_bytes()),
        }
    }
    Some(())
}

/// `theme/`, read the way the theme is.
fn theme_digest(h: &mut Hasher, root: &Path) -> Option<()> {
    let dir = crate::pipeline::render::theme::THEME_DIR;
    if !root.join(dir).is_dir() {
        return Some(());
    }
    let mut scratch = Diagnostics::new();
    let found = crate::pipeline::load::walk_confined(root, dir, Path::new(""), &mut scratch);
    if !scratch.is_empty() {
        return None;
    }
    for f in found {
        h.field("theme", f.rel.as_bytes());
        h.field("bytes", &std::fs::read(&f.real).ok()?);
    }
    Some(())
}

/// HEAD, the references, the shallow boundary and the working tree's status.
fn git_digest(h: &mut Hasher, root: &Path) -> Option<()> {
    let Some((repo, prefix)) = crate::git::open_repository(root) else {
        h.field("git", b"none");
        return Some(());
    };
    match repo.head() {
        Ok(head) => {
            h.field("head", head.name_bytes());
            let commit = head.peel_to_commit().ok()?;
            h.field("head-commit", commit.id().as_bytes());
            let today = jiff::ZonedDateTime::now().date();
            if crate::git::commit_date(&commit) > today {
                h.field("today", today.to_string().as_bytes());
            }
        }
        Err(e) => h.field("head-error", format!("{:?}", e.code()).as_bytes()),
    }
    let mut refs = Vec::new();
    for r in repo.references().ok()? {
        let r = r.ok()?;
        let target = match (r.target(), r.symbolic_target_bytes()) {
            (Some(oid), _) => oid.as_bytes().to_vec(),
            (None, Some(name)) => name.to_vec(),
            (None, None) => Vec::new(),
        };
        refs.push((r.name_bytes().to_vec(), target));
    }
    refs.sort();
    for (name, target) in refs {
        h.field("ref", &name);
        h.field("target", &target);
    }
    match std::fs::read(repo.path().join("shallow")) {
        Ok(bytes) => h.field("shallow", &bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => h.field("shallow", b""),
        Err(_) => return None,
    }
    for (path, status) in crate::pipeline::history::uncommitted_files(&repo, &prefix).ok()? {
        h.field("status", path.as_bytes());
        h.field("bits", &status.bits().to_le_bytes());
    }
    Some(())
}

/// SHA-256 over length-prefixed, labelled fields, so that no two different inputs run together
/// into the same bytes.
#[derive(Default)]
struct Hasher(Sha256);

impl Hasher {
    fn field(&mut self, label: &str, bytes: &[u8]) {
        for part in [label.as_bytes(), bytes] {
            self.0.update((part.len() as u64).to_le_bytes());
            self.0.update(part);
        }
    }

    fn source(&mut self, f: &SourceFile) {
        self.field("path", f.path.as_bytes());
        self.field("shown", f.display.as_os_str().as_encoded_bytes());
        self.field("text", f.text.as_bytes());
    }

    /// A file by size, modification time and inode, as git's index and make do.
    fn stat(&mut self, label: &str, path: &Path) -> Option<()> {
        let (len, mtime, ino) = stat(path)?;
        self.field(label, path.as_os_str().as_encoded_bytes());
        self.field("stat", format!("{len} {mtime} {ino}").as_bytes());
        Some(())
    }

    fn finish(self) -> String {
        crate::manifest::hex(&self.0.finalize())
    }
}

fn stat(path: &Path) -> Option<(u64, i128, u64)> {
    let m = std::fs::metadata(path).ok()?;
    let mtime = m
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some((m.len(), i128::try_from(mtime).ok()?, inode(&m)))
}

#[cfg(unix)]
fn inode(m: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(m)
}

#[cfg(not(unix))]
fn inode(_m: &std::fs::Metadata) -> u64 {
    0
}

/// The output folder with symbolic links resolved, as `write` resolves it.
fn resolved(out: &Path) -> Option<PathBuf> {
    match std::fs::canonicalize(out) {
        Ok(p) => Some(p),
        Err(_) => crate::pipeline::write::absolute(out).ok(),
    }
}

/// Every file under `dir` with its size, modification time and inode; `None` when something
/// other than a folder or a file is there, or cannot be read.
fn folder_files(dir: &Path) -> Option<BTreeMap<String, (u64, i128, u64)>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1) {
        let entry = entry.ok()?;
        let ft = entry.file_type();
        if ft.is_dir() {
            continue;
        }
        if !ft.is_file() {
            return None;
        }
        let rel = entry.path().strip_prefix(dir).ok()?;
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        files.insert(rel, stat(entry.path())?);
    }
    Some(files)
}

fn record_path(root: &Path) -> PathBuf {
    root.join(crate::pipeline::history::store::DIR).join(FILE)
}

/// What the last build into `out` reported, when its inputs had the digest `inputs` and the
/// folder is as it left it: the build has nothing to do.
pub fn unchanged(root: &Path, out: &Path, inputs: &str) -> Option<(Summary, Diagnostics)> {
    let bytes = std::fs::read(record_path(root)).ok()?;
    let record: Record = serde_json::from_slice(&bytes).ok()?;
    let current = record.format == FORMAT
        && record.tool == env!("CARGO_PKG_VERSION")
        && record.inputs == inputs
        && Some(&record.out) == resolved(out).as_ref()
        && folder_files(&record.out).as_ref() == Some(&record.files);
    current.then_some((record.summary, record.diagnostics))
}

/// Records a build that wrote `out` from inputs with the digest `inputs`. A record that cannot
/// be written costs the next build its shortcut, nothing else, so failing is not an error; a
/// stale record is removed first, so that it never outlives the folder it describes.
pub fn record(root: &Path, out: &Path, inputs: &str, summary: &Summary, diagnostics: &Diagnostics) {
    let path = record_path(root);
    let _ = std::fs::remove_file(&path);
    let Some(out) = resolved(out) else {
        return;
    };
    let Some(files) = folder_files(&out) else {
        return;
    };
    let record = Record {
        format: FORMAT,
        tool: env!("CARGO_PKG_VERSION").to_string(),
        out,
        inputs: inputs.to_string(),
        files,
        summary: summary.clone(),
        diagnostics: diagnostics.clone(),
    };
    let Ok(bytes) = serde_json::to_vec(&record) else {
        return;
    };
    if let Ok(dir) = crate::pipeline::history::store::cache_dir(root) {
        // Written beside and renamed, so that a reader never sees half a record.
        let tmp = dir.join(format!(".{FILE}.tmp-{}", std::process::id()));
        if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}
