//! `manifest.json`: what a build or an evidence run wrote, and from what — one format for the
//! published site and the evidence folder — and `policybook verify`, which re-hashes a copy and
//! says what changed since, and who signed the manifest.
//!
//! A recipient checks a copy with `policybook verify DIR`; a publisher signs the manifest with
//! `ssh-keygen -Y sign -n policybook -f KEY DIR/manifest.json` (written to
//! `manifest.json.sig`), which `verify` checks against `--key` or `[signatures]
//! allowed_signers`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::pipeline::resolve::signatures::{SignatureCheck, Signers};

/// The manifest's own name, and its signature's.
pub const FILE: &str = "manifest.json";
/// `ssh-keygen -Y sign` writes the signature beside the file.
pub const SIGNATURE: &str = "manifest.json.sig";
/// The namespace manifests are signed in (`ssh-keygen -Y sign -n policybook`).
pub const NAMESPACE: &str = "policybook";
/// Files of an output folder that the manifest does not list: itself, its signature, and the
/// marker that lets a rebuild replace the folder.
const UNLISTED: [&str; 3] = [FILE, SIGNATURE, ".policybook-output"];

/// A file and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Relative to the folder, `/`-separated.
    pub path: String,
    /// Size in bytes.
    pub bytes: usize,
    /// SHA-256, lowercase hex.
    pub sha256: String,
}

impl Entry {
    /// `contents` as written at `path`.
    pub fn of(path: &str, contents: &[u8]) -> Entry {
        Entry {
            path: path.to_string(),
            bytes: contents.len(),
            sha256: sha256_hex(contents),
        }
    }
}

/// SHA-256 as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Bytes (a digest) as lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The command line as typed (arguments with spaces quoted), for the record of how a folder
/// was made — without where it read and wrote (`--root`, `--out`, `--bundle`) and how fast
/// (`--timings`, `--no-cache`), which do not change what is written: the same commit gives the
/// same bytes wherever they go.
pub fn command_line() -> String {
    let mut out = vec!["policybook".to_string()];
    let mut args = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned());
    while let Some(a) = args.next() {
        // Where it reads and writes: not what it writes.
        const PLACES: [&str; 3] = ["--out", "--root", "--bundle"];
        if PLACES.contains(&a.as_str()) {
            args.next();
            continue;
        }
        if PLACES.iter().any(|p| a.starts_with(&format!("{p}="))) {
            continue;
        }
        if a == "--timings" || a == "--no-cache" {
            continue;
        }
        out.push(
            if a.is_empty() || a.contains(char::is_whitespace) || a.contains('"') {
                format!("\"{}\"", a.replace('"', "\\\""))
            } else {
                a
            },
        );
    }
    out.join(" ")
}

/// What the folder is and where it came from; evidence adds its period (`Period`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// `policybook 0.1.0`.
    pub generator: String,
    /// The command line that wrote the folder.
    pub command: String,
    /// The commit read (the period-end commit for evidence); `null` outside git.
    pub commit: Option<String>,
    /// The working tree had uncommitted changes.
    pub dirty: bool,
    /// Review statuses are as of this date.
    pub as_of: Option<String>,
    /// Evidence only: the period and what it can show.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// The inputs read, with their hashes.
    #[serde(default)]
    pub inputs: Vec<Entry>,
    /// Every file written, but the manifest and its signature.
    pub files: Vec<Entry>,
}

/// The audit period of an evidence folder.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Period {
    /// First day.
    pub since: String,
    /// Last day.
    pub until: String,
    /// The date of `commit`.
    pub commit_date: String,
    /// HEAD when the evidence was written.
    pub head: Option<String>,
    /// Whether the period-end state (matrix, controls, …) is included: not before site.toml.
    pub matrix: bool,
    /// What the evidence cannot show, in words.
    pub notes: Vec<String>,
}

impl Manifest {
    /// The manifest as written: pretty JSON with a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut json = serde_json::to_vec_pretty(self).unwrap_or_default();
        json.push(b'\n');
        json
    }
}

/// What `verify` found.
#[derive(Debug, Default)]
pub struct Verification {
    /// Listed, present, with other contents.
    pub changed: Vec<String>,
    /// Listed, not present.
    pub missing: Vec<String>,
    /// Present, not listed.
    pub added: Vec<String>,
    /// The manifest's signature, when there are keys to check it against or a signature.
    pub signature: Option<SignatureVerdict>,
    /// Files checked.
    pub checked: usize,
}

/// What became of the signature check.
#[derive(Debug)]
pub enum SignatureVerdict {
    /// Checked against the keys.
    Checked(SignatureCheck),
    /// Keys were given but there is no `manifest.json.sig`.
    Missing,
    /// A signature, but no key to check it against.
    NoKeys,
}

impl Verification {
    /// Nothing changed, missing or added, and the signature (if keys were given) verified.
    pub fn passed(&self) -> bool {
        self.changed.is_empty()
            && self.missing.is_empty()
            && self.added.is_empty()
            && match &self.signature {
                Some(SignatureVerdict::Checked(c)) => {
                    c.status == crate::pipeline::resolve::signatures::SignatureStatus::Verified
                }
                Some(SignatureVerdict::Missing) => false,
                Some(SignatureVerdict::NoKeys) | None => true,
            }
    }
}

/// Re-hashes the folder `dir` against its `manifest.json`; with `signers`, checks
/// `manifest.json.sig` too (as of `today`).
pub fn verify(
    dir: &Path,
    signers: Option<&Signers>,
    today: jiff::civil::Date,
) -> Result<Verification, String> {
    let manifest_path = dir.join(FILE);
    let bytes = std::fs::read(&manifest_path)
        .map_err(|e| format!("cannot read {}: {e}", manifest_path.display()))?;
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "{} is not a policybook manifest: {e}",
            manifest_path.display()
        )
    })?;
    let mut v = Verification::default();
    let listed: BTreeMap<&str, &Entry> = manifest
        .files
        .iter()
        .map(|e| (e.path.as_str(), e))
        .collect();
    for (path, entry) in &listed {
        // A manifest names files inside the folder only.
        if path.split('/').any(|p| p == ".." || p.is_empty()) || path.starts_with('/') {
            return Err(format!(
                "{}: the path `{path}` leaves the folder",
                manifest_path.display()
            ));
        }
        match std::fs::read(dir.join(path)) {
            Ok(contents) => {
                v.checked += 1;
                if contents.len() != entry.bytes || sha256_hex(&contents) != entry.sha256 {
                    v.changed.push(path.to_string());
                }
            }
            Err(_) => v.missing.push(path.to_string()),
        }
    }
    let present: BTreeSet<String> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(dir).ok()?;
            Some(rel.to_string_lossy().replace('\\', "/"))
        })
        .collect();
    v.added = present
        .iter()
        .filter(|p| !listed.contains_key(p.as_str()) && !UNLISTED.contains(&p.as_str()))
        .cloned()
        .collect();
    let signature = std::fs::read_to_string(dir.join(SIGNATURE)).ok();
    v.signature = match (signers.filter(|s| s.configured), signature) {
        (Some(s), Some(sig)) => Some(SignatureVerdict::Checked(
            s.check_file(&sig, &bytes, NAMESPACE, today),
        )),
        (Some(_), None) => Some(SignatureVerdict::Missing),
        (None, Some(_)) => Some(SignatureVerdict::NoKeys),
        (None, None) => None,
    };
    Ok(v)
}

/// The manifest of a built site: every file it has (written or copied) and every input read.
/// `written`: the files already written as they were rendered, which are not in `site` (a page
/// wins over a file of `site` with its path, as it does on disk).
pub fn for_site(
    site: &crate::pipeline::render::Site,
    written: Vec<Entry>,
    hb: &crate::pipeline::resolve::Handbook,
) -> std::io::Result<Manifest> {
    use rayon::prelude::*;
    let mut files = written;
    files.par_extend(
        site.files
            .par_iter()
            .map(|f| Entry::of(&f.path, &f.contents)),
    );
    // Linked files may be large: files on disk are hashed as they are read, never held whole.
    let copies: std::io::Result<Vec<Entry>> = site
        .copies
        .par_iter()
        .map(|(path, from)| match from {
            crate::pipeline::load::AssetSource::File(p) => {
                use std::io::Read;
                let mut hasher = Sha256::new();
                let mut file = std::fs::File::open(p)?;
                let mut buf = vec![0u8; 1 << 16];
                let mut bytes = 0u64;
                loop {
                    let n = file.read(&mut buf)?;
                    if n == 0 {
                        break;
                    }
                    hasher.update(&buf[..n]);
                    bytes += n as u64;
                }
                Ok(Entry {
                    path: path.clone(),
                    bytes: bytes as usize,
                    sha256: hex(&hasher.finalize()),
                })
            }
            blob => blob.read().map(|bytes| Entry::of(path, &bytes)),
        })
        .collect();
    files.extend(copies?);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    let mut inputs = vec![Entry::of(
        crate::config::CONFIG_FILE,
        hb.config.source.as_bytes(),
    )];
    // Every document's source: as many bytes as the site's pages, so hashed on every core.
    inputs.par_extend(
        hb.documents
            .as_slice()
            .par_iter()
            .map(|d| Entry::of(&d.path, d.source.as_bytes())),
    );
    let mut registers: BTreeMap<String, &str> = BTreeMap::new();
    for c in hb.register.iter() {
        registers.insert(c.file.to_string_lossy().replace('\\', "/"), &c.source);
    }
    inputs.extend(registers.iter().map(|(p, s)| Entry::of(p, s.as_bytes())));
    if let Some(f) = &hb.people.file {
        inputs.push(Entry::of(
            &f.to_string_lossy().replace('\\', "/"),
            hb.people.source.as_bytes(),
        ));
    }
    inputs.extend(
        hb.pull_requests
            .iter()
            .map(|f| Entry::of(&f.path, f.text.as_bytes())),
    );
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    inputs.dedup_by(|a, b| a.path == b.path);
    let source = &hb.history.source;
    Ok(Manifest {
        generator: format!("policybook {}", env!("CARGO_PKG_VERSION")),
        command: command_line(),
        commit: source.commit.clone(),
        dirty: source.dirty,
        as_of: source.as_of.map(|d| d.to_string()),
        period: None,
        inputs,
        files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_checked_file_by_file() {
        let dir = tempfile::tempdir().expect("temp");
        let files = [("a.html", b"<p>a</p>".as_slice()), ("sub/b.css", b"b{}")];
        for (p, c) in files {
            let full = dir.path().join(p);
            std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::fs::write(full, c).expect("write");
        }
        let manifest = Manifest {
            generator: "policybook test".into(),
            command: "policybook build".into(),
            commit: None,
            dirty: false,
            as_of: None,
            period: None,
            inputs: Vec::new(),
            files: files.iter().map(|(p, c)| Entry::of(p, c)).collect(),
        };
        std::fs::write(dir.path().join(FILE), manifest.to_bytes()).expect("manifest");
        let today = jiff::civil::date(2026, 1, 1);
        let v = verify(dir.path(), None, today).expect("verifies");
        assert!(v.passed(), "{v:?}");
        assert_eq!(v.checked, 2);
        std::fs::write(dir.path().join("a.html"), b"<p>A</p>").expect("change");
        std::fs::remove_file(dir.path().join("sub/b.css")).expect("remove");
        std::fs::write(dir.path().join("extra.js"), b"x").expect("add");
        let v = verify(dir.path(), None, today).expect("verifies");
        assert_eq!(v.changed, ["a.html"]);
        assert_eq!(v.missing, ["sub/b.css"]);
        assert_eq!(v.added, ["extra.js"]);
        assert!(!v.passed());
    }
}
