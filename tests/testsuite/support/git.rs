//! Throwaway git repositories for history tests, built with git2. Author, committer and dates are
//! always explicit: CI has no git identity, and tests must not depend on the clock.

use std::path::Path;

use git2::{IndexAddOption, Oid, Repository, Signature, Time};

pub const ALICE: (&str, &str) = ("Alice Owner", "alice@example.com");
pub const BOB: (&str, &str) = ("Bob Builder", "bob@example.com");

pub fn init(dir: &Path) -> Repository {
    let repo = Repository::init(dir).expect("git init");
    // Make sure HEAD names `main` whatever the machine's defaults.
    repo.set_head("refs/heads/main").expect("set HEAD");
    repo
}

/// `when` is RFC 3339, e.g. `2025-03-01T10:00:00+01:00`.
pub fn signature(who: (&str, &str), when: &str) -> Signature<'static> {
    let ts: jiff::Timestamp = when.parse().expect("timestamp");
    // The offset is the last six characters (`+01:00`), or `Z`.
    let offset = match when.len().checked_sub(6).map(|i| &when[i..]) {
        Some(o) if o.starts_with('+') || o.starts_with('-') => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let h: i32 = o[1..3].parse().expect("offset hours");
            let m: i32 = o[4..6].parse().expect("offset minutes");
            sign * (h * 60 + m)
        }
        _ => 0,
    };
    Signature::new(who.0, who.1, &Time::new(ts.as_second(), offset)).expect("signature")
}

fn head_parents(repo: &Repository) -> Vec<git2::Commit<'_>> {
    match repo.head() {
        Ok(h) => vec![h.peel_to_commit().expect("head commit")],
        Err(_) => vec![],
    }
}

/// Stages everything in the work tree (additions, changes, deletions) and commits it.
pub fn commit_all(repo: &Repository, who: (&str, &str), when: &str, message: &str) -> Oid {
    let mut index = repo.index().expect("index");
    index
        .add_all(["*"], IndexAddOption::DEFAULT, None)
        .expect("add");
    index.update_all(["*"], None).expect("update");
    index.write().expect("write index");
    commit_index(repo, who, when, message)
}

pub fn commit_index(repo: &Repository, who: (&str, &str), when: &str, message: &str) -> Oid {
    let mut index = repo.index().expect("index");
    let tree = repo
        .find_tree(index.write_tree().expect("tree"))
        .expect("tree");
    let sig = signature(who, when);
    let parents = head_parents(repo);
    let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &refs)
        .expect("commit")
}

/// A commit with no change (a review recorded by trailers only).
pub fn commit_empty(repo: &Repository, who: (&str, &str), when: &str, message: &str) -> Oid {
    commit_index(repo, who, when, message)
}

/// `git mv from to`, staged.
pub fn git_mv(repo: &Repository, from: &str, to: &str) {
    let root = repo.workdir().expect("workdir").to_path_buf();
    std::fs::create_dir_all(root.join(to).parent().unwrap()).unwrap();
    std::fs::rename(root.join(from), root.join(to)).expect("rename");
    let mut index = repo.index().expect("index");
    index.remove_path(Path::new(from)).expect("remove");
    index.add_path(Path::new(to)).expect("add");
    index.write().expect("write index");
}

pub fn write(repo: &Repository, path: &str, text: &str) {
    let p = repo.workdir().expect("workdir").join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// Stages everything and commits it with the author and committer times given as git stores
/// them (seconds, offset minutes): `git commit --date`, clock skew, forged or impossible dates.
pub fn commit_all_at_times(
    repo: &Repository,
    who: (&str, &str),
    author: (i64, i32),
    committer: (i64, i32),
    message: &str,
) -> Oid {
    let tree = repo.find_tree(stage_all(repo)).expect("tree");
    let a = Signature::new(who.0, who.1, &Time::new(author.0, author.1)).expect("author");
    let c = Signature::new(who.0, who.1, &Time::new(committer.0, committer.1)).expect("committer");
    let parents = head_parents(repo);
    let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
    repo.commit(Some("HEAD"), &a, &c, message, &tree, &refs)
        .expect("commit")
}

/// Seconds since the epoch of an RFC 3339 time.
pub fn seconds(when: &str) -> i64 {
    when.parse::<jiff::Timestamp>()
        .expect("timestamp")
        .as_second()
}

/// Stages everything and writes a commit object by hand, as `git hash-object` would, so that its
/// author time can be anything git's format allows (libgit2 will not write such a time itself).
pub fn commit_all_raw_time(
    repo: &Repository,
    author_seconds: &str,
    committer_seconds: i64,
    message: &str,
) -> Oid {
    let tree = stage_all(repo);
    let mut text = format!("tree {tree}\n");
    for p in head_parents(repo) {
        text.push_str(&format!("parent {}\n", p.id()));
    }
    text.push_str(&format!(
        "author Alice Owner <alice@example.com> {author_seconds} +0000\ncommitter Alice Owner <alice@example.com> {committer_seconds} +0000\n\n{message}"
    ));
    let oid = repo
        .odb()
        .expect("odb")
        .write(git2::ObjectType::Commit, text.as_bytes())
        .expect("write commit");
    let head = repo.head().expect("head");
    let name = head.name().expect("head name").to_string();
    repo.reference(&name, oid, true, "raw commit")
        .expect("move branch");
    oid
}

/// Stages every file of the work tree (additions and changes) and returns the tree it makes.
fn stage_all(repo: &Repository) -> Oid {
    let mut index = repo.index().expect("index");
    index
        .add_all(["*"], IndexAddOption::DEFAULT, None)
        .expect("add");
    index.write().expect("write index");
    index.write_tree().expect("tree")
}

/// Packs everything reachable from HEAD into one pack file, as `git gc` does, and deletes the
/// loose objects, so that every object is read from the pack (most as deltas of others).
pub fn pack(repo: &Repository) {
    let mut builder = repo.packbuilder().expect("packbuilder");
    let mut walk = repo.revwalk().expect("revwalk");
    walk.push_head().expect("HEAD");
    builder.insert_walk(&mut walk).expect("pack the history");
    let objects = repo.path().join("objects");
    builder
        .write(&objects.join("pack"), 0o644)
        .expect("write the pack");
    for entry in std::fs::read_dir(&objects)
        .expect("objects folder")
        .flatten()
    {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.len() == 2 && name.chars().all(|c| c.is_ascii_hexdigit()) {
            std::fs::remove_dir_all(entry.path()).expect("delete loose objects");
        }
    }
}
