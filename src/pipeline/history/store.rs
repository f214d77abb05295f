//! The history cache on disk: `.policybook-cache/history.json` beside `site.toml`.
//!
//! The expensive part of reading history is diffing each commit's trees with its first parent's
//! (`walk::read_commit`). What that yields is a function of the commit alone: a commit id names
//! its tree, its parents and its message, so the record kept for an id can never go stale. A
//! rewritten history (amend, rebase, a reset to another line) is made of new ids, which are read
//! afresh; the records of commits that left the history are dropped the next time the cache is
//! written. The one exception is a shallow clone's boundary: git shows those commits without
//! their parents until the rest of the history is fetched, so they are never cached.
//!
//! The file also names HEAD when it was written and the tool version that wrote it; a file from
//! another version, for another handbook folder, or one that cannot be read is ignored (and
//! replaced), never trusted. Everything after the diff — following moves, reviews, statuses —
//! is recomputed on every build, so the output is the same with and without the cache.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use git2::{Delta, Oid, Repository};
use serde::{Deserialize, Serialize};

use super::CommitInfo;
use super::walk::{CommitRecord, FileChange, HistoryCache};

/// The cache's folder, beside `site.toml`.
pub const DIR: &str = ".policybook-cache";
const FILE: &str = "history.json";
/// Bumped whenever what a record holds, or how it is computed, changes.
const FORMAT: u32 = 2;

#[derive(Serialize, Deserialize)]
struct Stored {
    format: u32,
    /// The version of policybook that wrote it.
    tool: String,
    /// The handbook's folder in the repository (`""` at its top): records' paths depend on it.
    prefix: String,
    /// HEAD when it was written (for people reading the file; records are keyed by their ids).
    head: Option<String>,
    /// Oldest first, so that an appended history reads as an appended file.
    records: Vec<StoredRecord>,
}

#[derive(Serialize, Deserialize)]
struct StoredRecord {
    info: CommitInfo,
    parents: Vec<String>,
    merge: bool,
    changes: Vec<StoredChange>,
    elsewhere: Vec<StoredChange>,
    named: Vec<String>,
    /// The record carried the commit's signature: it is read again from the repository on load
    /// (the signed bytes are the commit object's, and need not be text).
    signature: bool,
}

#[derive(Serialize, Deserialize)]
struct StoredChange {
    delta: char,
    old: String,
    new: String,
    added: usize,
    removed: usize,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    similarity: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    blob: Option<String>,
}

fn delta_letter(d: Delta) -> char {
    match d {
        Delta::Added => 'A',
        Delta::Deleted => 'D',
        Delta::Modified => 'M',
        Delta::Renamed => 'R',
        Delta::Copied => 'C',
        Delta::Typechange => 'T',
        _ => '?',
    }
}

fn letter_delta(c: char) -> Option<Delta> {
    Some(match c {
        'A' => Delta::Added,
        'D' => Delta::Deleted,
        'M' => Delta::Modified,
        'R' => Delta::Renamed,
        'C' => Delta::Copied,
        'T' => Delta::Typechange,
        _ => return None,
    })
}

impl StoredChange {
    fn from(c: &FileChange) -> StoredChange {
        StoredChange {
            delta: delta_letter(c.delta),
            old: c.old.clone(),
            new: c.new.clone(),
            added: c.added,
            removed: c.removed,
            similarity: c.similarity,
            blob: c.blob.map(|b| b.to_string()),
        }
    }

    fn into_change(self) -> Option<FileChange> {
        Some(FileChange {
            delta: letter_delta(self.delta)?,
            old: self.old,
            new: self.new,
            added: self.added,
            removed: self.removed,
            similarity: self.similarity,
            blob: match self.blob {
                Some(b) => Some(Oid::from_str(&b).ok()?),
                None => None,
            },
        })
    }
}

impl StoredRecord {
    fn from(r: &CommitRecord) -> StoredRecord {
        let mut info = (*r.info).clone();
        let signature = info.signature.take().is_some();
        StoredRecord {
            info,
            parents: r.parents.iter().map(Oid::to_string).collect(),
            merge: r.merge,
            changes: r.changes.iter().map(StoredChange::from).collect(),
            elsewhere: r.elsewhere.iter().map(StoredChange::from).collect(),
            named: r.named.clone(),
            signature,
        }
    }

    /// `None` when anything in it does not make sense: the whole file is then ignored.
    fn into_record(self, repo: &Repository) -> Option<CommitRecord> {
        let oid = Oid::from_str(&self.info.id).ok()?;
        let parents = self
            .parents
            .iter()
            .map(|p| Oid::from_str(p).ok())
            .collect::<Option<Vec<_>>>()?;
        let changes = self
            .changes
            .into_iter()
            .map(StoredChange::into_change)
            .collect::<Option<Vec<_>>>()?;
        let elsewhere = self
            .elsewhere
            .into_iter()
            .map(StoredChange::into_change)
            .collect::<Option<Vec<_>>>()?;
        let mut info = self.info;
        if self.signature {
            let (sig, data) = repo.extract_signature(&oid, None).ok()?;
            info.signature = Some(Arc::new(super::SignedPayload {
                signature: String::from_utf8_lossy(&sig).into_owned(),
                data: data.to_vec(),
            }));
        }
        Some(CommitRecord {
            info: Arc::new(info),
            oid,
            parents,
            merge: self.merge,
            changes,
            elsewhere,
            named: self.named,
        })
    }
}

fn file(root: &Path) -> PathBuf {
    root.join(DIR).join(FILE)
}

/// The commits a shallow clone shows without their parents (`.git/shallow`).
pub(super) fn shallow_boundary(repo: &Repository) -> HashSet<Oid> {
    if !repo.is_shallow() {
        return HashSet::new();
    }
    std::fs::read_to_string(repo.commondir().join("shallow"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| Oid::from_str(l.trim()).ok())
        .collect()
}

/// The cache of the handbook at `root`, as the last build left it; empty when there is none or
/// it cannot be used.
pub fn load(root: &Path) -> HistoryCache {
    let mut cache = HistoryCache::default();
    let Some((repo, prefix)) = super::open_repository(root) else {
        return cache;
    };
    let Ok(bytes) = std::fs::read(file(root)) else {
        return cache;
    };
    let Ok(stored) = serde_json::from_slice::<Stored>(&bytes) else {
        return cache;
    };
    if stored.format != FORMAT
        || stored.tool != env!("CARGO_PKG_VERSION")
        || stored.prefix != prefix
    {
        return cache;
    }
    let boundary = shallow_boundary(&repo);
    let mut records = HashMap::with_capacity(stored.records.len());
    for s in stored.records {
        let Some(r) = s.into_record(&repo) else {
            return cache;
        };
        if !boundary.contains(&r.oid) {
            records.insert(r.oid, Arc::new(r));
        }
    }
    cache.preload(records);
    cache
}

/// `.policybook-cache/` under `root`, created when missing. Never committed by accident: the
/// folder ignores itself.
pub fn cache_dir(root: &Path) -> std::io::Result<PathBuf> {
    let dir = root.join(DIR);
    std::fs::create_dir_all(&dir)?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(&ignore, "# policybook's cache: safe to delete.\n*\n")?;
    }
    Ok(dir)
}

/// Writes what this run's history walks used (and nothing when that is what the file already
/// holds), all or nothing: a new file is written beside the old and renamed over it.
pub fn save(cache: &HistoryCache, root: &Path) -> std::io::Result<()> {
    let Some((repo, prefix)) = super::open_repository(root) else {
        return Ok(());
    };
    let Some(records) = cache.to_save() else {
        return Ok(());
    };
    let head = repo
        .head()
        .ok()
        .and_then(|h| h.target())
        .map(|o| o.to_string());
    let stored = Stored {
        format: FORMAT,
        tool: env!("CARGO_PKG_VERSION").to_string(),
        prefix,
        head,
        records: records
            .iter()
            .rev()
            .map(|r| StoredRecord::from(r))
            .collect(),
    };
    let dir = cache_dir(root)?;
    let bytes = serde_json::to_vec(&stored).map_err(std::io::Error::other)?;
    let tmp = dir.join(format!("{FILE}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, file(root)).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })?;
    cache.saved(&records);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_change_survives_the_round_trip() {
        for d in [
            Delta::Added,
            Delta::Deleted,
            Delta::Modified,
            Delta::Renamed,
            Delta::Copied,
            Delta::Typechange,
        ] {
            let change = FileChange {
                delta: d,
                old: "/docs/a.md".into(),
                new: "policies/a.md".into(),
                added: 3,
                removed: 1,
                similarity: Some(87),
                blob: (d != Delta::Deleted).then(|| Oid::from_bytes(&[7; 20]).unwrap()),
            };
            let json = serde_json::to_string(&StoredChange::from(&change)).unwrap_or_default();
            let back = serde_json::from_str::<StoredChange>(&json)
                .ok()
                .and_then(StoredChange::into_change);
            let back = back.unwrap_or_else(|| panic!("{json} did not read back"));
            assert_eq!(back.delta, d);
            assert_eq!(back.blob, change.blob);
            assert_eq!(
                (
                    back.old,
                    back.new,
                    back.added,
                    back.removed,
                    back.similarity
                ),
                change_parts(&change)
            );
        }
        // A letter git has no change for makes the record (and so the file) unusable.
        assert!(letter_delta('X').is_none());
    }

    fn change_parts(c: &FileChange) -> (String, String, usize, usize, Option<u8>) {
        (
            c.old.clone(),
            c.new.clone(),
            c.added,
            c.removed,
            c.similarity,
        )
    }
}
