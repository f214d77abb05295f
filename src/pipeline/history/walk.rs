//! One revision walk over the repository. Commits are listed once; the expensive part (reading
//! trees and diffing each commit's `.md` files with its first parent's — `policies/`, and those
//! elsewhere that documents may have been moved from — moves paired) is spread over threads with
//! a `Repository` each; then one sequential pass, newest to oldest, follows moves (also into
//! `policies/` from anywhere) and assigns each change to the document it belongs to today.
//!
//! Like `git log`, merge commits contribute no changes of their own (their changes are already in
//! the commits they merge), except that a merge carrying `Reviewed-by:`/`Approved-by:` trailers
//! reviews the documents it brings in.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use git2::{Blob, Commit, Delta, DiffFindOptions, DiffOptions, Oid, Patch, Repository, Sort, Tree};
use rayon::prelude::*;

use super::lines::Pending;
use super::tree_diff::TreeReader;
use super::{
    Change, ChangeSet, ChangedDoc, CommitInfo, DocHistory, History, NamedReview, Request, Review,
    Revision, SourceInfo, in_repo, open_repository,
};

const POLICIES: &str = "policies";
use crate::model::register::{REGISTER_DIR, REGISTER_FILE};

/// A document file's change in one commit, paths relative to the handbook root.
#[derive(Clone)]
pub(super) struct FileChange {
    pub(super) delta: Delta,
    /// Relative to the handbook root; a path outside the handbook's `policies/` that a document
    /// was moved from starts with `/` and is relative to the repository root.
    pub(super) old: String,
    pub(super) new: String,
    pub(super) added: usize,
    pub(super) removed: usize,
    /// For renames: how alike the two files are, in percent (git infers a move from it).
    pub(super) similarity: Option<u8>,
    /// The file's blob after the change (`None` once deleted): what it says then is read from
    /// it directly, without looking the path up in the commit's tree.
    pub(super) blob: Option<Oid>,
}

/// What one commit says, before it is matched to today's documents: a function of the commit
/// id alone (see `store`).
pub(super) struct CommitRecord {
    pub(super) info: std::sync::Arc<CommitInfo>,
    pub(super) oid: Oid,
    pub(super) parents: Vec<Oid>,
    pub(super) merge: bool,
    pub(super) changes: Vec<FileChange>,
    /// Changes to `.md` files outside `policies/` (paths `/`-prefixed from the repository root):
    /// history for documents that were moved in later, used only for those.
    pub(super) elsewhere: Vec<FileChange>,
    /// The ids of its `Reviews:` trailers.
    pub(super) named: Vec<String>,
}

/// Commits already read and diffed: shared by the builds of several versions of a handbook (the
/// history of each release is mostly the same commits), by `serve`'s rebuilds, and kept on disk
/// between runs (`store`).
#[derive(Default)]
pub struct HistoryCache {
    records: std::sync::Mutex<HashMap<Oid, std::sync::Arc<CommitRecord>>>,
    /// The commits this run's walks listed, in the order first listed.
    used: std::sync::Mutex<(Vec<Oid>, HashSet<Oid>)>,
    /// The commits the file on disk holds (as loaded, or as last saved); `None` when there is
    /// no usable file.
    on_disk: std::sync::Mutex<Option<HashSet<Oid>>>,
}

impl HistoryCache {
    /// Starts from records read from disk.
    pub(super) fn preload(&mut self, records: HashMap<Oid, std::sync::Arc<CommitRecord>>) {
        self.on_disk = std::sync::Mutex::new(Some(records.keys().copied().collect()));
        self.records = std::sync::Mutex::new(records);
    }

    /// The records to keep on disk, in walk order: those this run used (a shallow clone's
    /// boundary commits are never held). `None` when the file holds exactly those already.
    pub(super) fn to_save(&self) -> Option<Vec<std::sync::Arc<CommitRecord>>> {
        let used = self.used.lock().ok()?;
        let held = self.records.lock().ok()?;
        let keep: Vec<_> = used.0.iter().filter_map(|o| held.get(o).cloned()).collect();
        let unchanged = self.on_disk.lock().ok().is_some_and(|d| {
            d.as_ref()
                .is_some_and(|d| d.len() == keep.len() && keep.iter().all(|r| d.contains(&r.oid)))
        });
        (!unchanged).then_some(keep)
    }

    /// After `records` were written: the file holds them now (`serve` saves after every full
    /// rebuild, and writes again only when the history changed).
    pub(super) fn saved(&self, records: &[std::sync::Arc<CommitRecord>]) {
        if let Ok(mut d) = self.on_disk.lock() {
            *d = Some(records.iter().map(|r| r.oid).collect());
        }
    }
}

/// The first tag, by name, that points at commit `oid`.
fn tag_at(repo: &Repository, oid: Oid) -> Option<String> {
    let names = repo.tag_names(None).ok()?;
    let mut found: Vec<String> = Vec::new();
    for name in names.iter_bytes().map(String::from_utf8_lossy) {
        let points_here = repo
            .revparse_single(&format!("refs/tags/{name}"))
            .and_then(|o| o.peel_to_commit())
            .is_ok_and(|c| c.id() == oid);
        if points_here {
            found.push(name.to_string());
        }
    }
    found.sort();
    found.into_iter().next()
}

pub(super) fn extract(req: &Request<'_>) -> Result<History, String> {
    let Some((repo, prefix)) = open_repository(req.root) else {
        return Ok(History {
            source: SourceInfo {
                as_of: req.as_of,
                ..Default::default()
            },
            unavailable: Some("not a git repository".into()),
            ..Default::default()
        });
    };
    // libgit2 re-hashes every object it reads unless told not to; git itself does not. This
    // halves the walk's time; the repository's integrity is git's business (`git fsck`).
    git2::opts::strict_hash_verification(false);

    let start = match req.at_commit {
        Some(oid) => Some(oid),
        None => match repo.head() {
            Ok(head) => Some(
                head.peel_to_commit()
                    .map_err(|e| e.message().to_string())?
                    .id(),
            ),
            // A repository with no commit yet: everything is uncommitted.
            Err(e)
                if e.code() == git2::ErrorCode::UnbornBranch
                    || e.code() == git2::ErrorCode::NotFound =>
            {
                None
            }
            Err(e) => return Err(format!("cannot read HEAD: {}", e.message())),
        },
    };
    let mut source = SourceInfo {
        repository: true,
        commit: start.map(|o| o.to_string()),
        as_of: req.as_of,
        dirty: false,
        shallow: repo.is_shallow(),
        tag: start.and_then(|oid| tag_at(&repo, oid)),
        head_in_future: None,
    };
    if source.as_of.is_none()
        && let Some(oid) = start
    {
        let c = repo.find_commit(oid).map_err(|e| e.message().to_string())?;
        let head = super::commit_date(&c);
        source.as_of = Some(head);
        // Only a warning depends on the clock; every output stays a function of the commit.
        if req.at_commit.is_none() {
            let today = jiff::ZonedDateTime::now().date();
            if head > today {
                source.head_in_future = Some((head, today));
            }
        }
    }

    let mut docs: HashMap<String, Arc<DocHistory>> = req
        .documents
        .iter()
        .map(|p| (p.clone(), Arc::default()))
        .collect();
    let uncommitted = if req.at_commit.is_none() {
        mark_uncommitted(&repo, &prefix, &mut docs, &mut source)?
    } else {
        std::collections::BTreeSet::new()
    };
    let mut history = History {
        source,
        docs,
        uncommitted,
        ..Default::default()
    };
    let Some(start) = start else {
        for d in history.docs.values_mut() {
            Arc::make_mut(d).uncommitted = true;
        }
        return Ok(history);
    };

    let oids = list_commits(&repo, start)?;
    let records = match req.cache {
        Some(cache) => cached_commits(
            cache,
            repo.path(),
            &prefix,
            &oids,
            &super::store::shallow_boundary(&repo),
        )?,
        None => read_commits(repo.path(), &prefix, &oids)?
            .into_iter()
            .map(std::sync::Arc::new)
            .collect(),
    };
    fold(&records, &mut history);
    history.out_of_order = out_of_order(&records);
    history.merges = merges(&records);
    mark_existing_then(&repo, &in_repo(&prefix, POLICIES), &mut history)
        .map_err(|e| format!("cannot read the history: {}", e.message()))?;
    people_at_reviews(&repo, &prefix, req.people_at_changes, &mut history)
        .map_err(|e| format!("cannot read the history: {}", e.message()))?;
    if req.versions {
        read_versions(&repo, &mut history)
            .map_err(|e| format!("cannot read the history: {}", e.message()))?;
    }
    for d in history.docs.values_mut() {
        if d.revisions.is_empty() && req.at_commit.is_none() {
            Arc::make_mut(d).uncommitted = true;
        }
    }
    Ok(history)
}

/// Documents whose working-tree file differs from HEAD, or that git does not know.
/// The handbook's files whose working-tree text is not HEAD's (changed, staged, untracked), with
/// git's status of each: what makes a document "uncommitted" and the sources "dirty".
pub(crate) fn uncommitted_files(
    repo: &Repository,
    prefix: &str,
) -> Result<Vec<(String, git2::Status)>, String> {
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .pathspec(in_repo(prefix, POLICIES))
        .pathspec(in_repo(prefix, "site.toml"))
        .pathspec(in_repo(prefix, REGISTER_FILE))
        .pathspec(in_repo(prefix, REGISTER_DIR));
    let statuses = repo
        .statuses(Some(&mut opts))
        .map_err(|e| format!("cannot read the working tree status: {}", e.message()))?;
    Ok(statuses
        .iter()
        .filter(|e| !e.status().is_ignored() && e.status() != git2::Status::CURRENT)
        .map(|e| {
            (
                String::from_utf8_lossy(e.path_bytes()).into_owned(),
                e.status(),
            )
        })
        .collect())
}

fn mark_uncommitted(
    repo: &Repository,
    prefix: &str,
    docs: &mut HashMap<String, Arc<DocHistory>>,
    source: &mut SourceInfo,
) -> Result<std::collections::BTreeSet<String>, String> {
    let mut files = std::collections::BTreeSet::new();
    for (path, _) in uncommitted_files(repo, prefix)? {
        let rel = if prefix.is_empty() {
            path.as_str()
        } else {
            path.strip_prefix(prefix)
                .and_then(|p| p.strip_prefix('/'))
                .unwrap_or(&path)
        };
        source.dirty = true;
        if let Some(d) = docs.get_mut(rel) {
            Arc::make_mut(d).uncommitted = true;
        }
        files.insert(rel.to_string());
    }
    Ok(files)
}

fn list_commits(repo: &Repository, start: Oid) -> Result<Vec<Oid>, String> {
    let mut walk = repo.revwalk().map_err(|e| e.message().to_string())?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)
        .map_err(|e| e.message().to_string())?;
    walk.push(start).map_err(|e| e.message().to_string())?;
    walk.map(|r| r.map_err(|e| format!("cannot walk the history: {}", e.message())))
        .collect()
}

/// The merges on the first-parent line from the start commit, each with the commits it brought in.
/// The line is visited oldest first, so a commit belongs to the first merge that brought it in.
fn merges(records: &[std::sync::Arc<CommitRecord>]) -> HashMap<String, super::Merge> {
    let by_oid: HashMap<Oid, &CommitRecord> = records.iter().map(|r| (r.oid, r.as_ref())).collect();
    let mut line = Vec::new();
    let mut at = records.first().map(|r| r.oid);
    while let Some(r) = at.and_then(|o| by_oid.get(&o)) {
        line.push(*r);
        at = r.parents.first().copied();
    }
    let mut seen: HashSet<Oid> = line.iter().map(|r| r.oid).collect();
    let mut out = HashMap::new();
    for m in line.iter().rev().filter(|r| r.parents.len() > 1) {
        let mut stack: Vec<Oid> = m.parents[1..].to_vec();
        let mut brought_in = Vec::new();
        while let Some(oid) = stack.pop() {
            // A shallow clone's boundary has no record: what lies beyond is unknown.
            if let Some(r) = by_oid.get(&oid)
                && seen.insert(oid)
            {
                brought_in.push(r.info.clone());
                stack.extend(&r.parents);
            }
        }
        brought_in.sort_by_key(|c| std::cmp::Reverse(c.commit_time));
        out.insert(
            m.info.id.clone(),
            super::Merge {
                commit: m.info.clone(),
                brought_in,
            },
        );
    }
    out
}

/// Reads every commit's metadata and document changes, in parallel, keeping the walk's order.
fn read_commits(git_dir: &Path, root: &str, oids: &[Oid]) -> Result<Vec<CommitRecord>, String> {
    // Runs of consecutive commits, since a commit's trees are mostly deltas of its neighbours',
    // which the pack reader keeps; four runs per thread, so that a thread whose runs went
    // quickly takes another instead of waiting (each run starts its chains afresh, which costs
    // far less than the waiting did).
    let chunk = oids
        .len()
        .div_ceil(4 * rayon::current_num_threads().max(1))
        .max(128);
    let packs = Repository::open(git_dir)
        .map(|r| super::pack::Packs::open(r.commondir()))
        .map_err(|e| e.message().to_string())?;
    let started = std::time::Instant::now();
    let chunks: Vec<Result<Vec<ReadCommit>, String>> = oids
        .par_chunks(chunk)
        // Each run a block of its own (see `parallel::LEAF`).
        .with_max_len(1)
        .map(|chunk| {
            let repo = Repository::open(git_dir).map_err(|e| e.message().to_string())?;
            let odb = repo.odb().map_err(|e| e.message().to_string())?;
            let reader = super::pack::PackReader::new(packs.clone(), pack_cache_per_thread());
            let mut trees = TreeReader::new(&odb, Some(reader));
            // Each commit with its tree first: a commit's first parent is mostly the next one,
            // whose tree is then at hand (reading each parent commit again for its tree was 3% of
            // a 20,000-document build).
            let commits = chunk
                .iter()
                .map(|&oid| {
                    let unreadable =
                        |e: git2::Error| format!("cannot read commit {oid}: {}", e.message());
                    let commit = repo.find_commit(oid).map_err(unreadable)?;
                    let tree = commit.tree().map_err(unreadable)?;
                    Ok((commit, tree))
                })
                .collect::<Result<Vec<_>, String>>()?;
            commits
                .iter()
                .enumerate()
                .map(|(i, now)| read_commit(&repo, &mut trees, now, commits.get(i + 1), root))
                .collect()
        })
        .collect();
    crate::timings::record("  history: commits and folders", started.elapsed());
    let mut out = Vec::with_capacity(oids.len());
    let mut pending = Vec::new();
    for c in chunks {
        for (record, p) in c? {
            pending.extend(p.into_iter().map(|p| (out.len(), p)));
            out.push(record);
        }
    }
    crate::timings::time("  history: lines added and removed", || {
        count_lines(git_dir, &packs, &mut out, pending)
    })?;
    Ok(out)
}

/// What the pack readers keep of the objects they rebuilt, all threads together: on two cores,
/// 192 versions each of a folder of 20,000 documents. Three times the 128 MB it was, the walk of
/// that folder inflated fewer delta bases again and the line counts took a quarter less time;
/// the build's peak comes later (rendering), and the memory freed here is what it reuses.
const PACK_CACHE_BYTES: usize = 384 << 20;

/// Each thread's share of [`PACK_CACHE_BYTES`], at least 16 MB: many cores must not multiply
/// the memory a build takes.
fn pack_cache_per_thread() -> usize {
    (PACK_CACHE_BYTES / rayon::current_num_threads().max(1)).max(16 << 20)
}

/// `read_commits` for the oids the cache does not hold yet, then every record in walk order.
/// A shallow clone's `boundary` commits are always read afresh and never kept: they look
/// parentless only until the rest of the history is fetched.
fn cached_commits(
    cache: &HistoryCache,
    git_dir: &Path,
    root: &str,
    oids: &[Oid],
    boundary: &HashSet<Oid>,
) -> Result<Vec<std::sync::Arc<CommitRecord>>, String> {
    fn poisoned<T>(_: T) -> String {
        "history cache poisoned".to_string()
    }
    {
        let mut used = cache.used.lock().map_err(poisoned)?;
        for &o in oids {
            if used.1.insert(o) {
                used.0.push(o);
            }
        }
    }
    let missing: Vec<Oid> = {
        let held = cache.records.lock().map_err(poisoned)?;
        oids.iter()
            .filter(|o| boundary.contains(o) || !held.contains_key(o))
            .copied()
            .collect()
    };
    let mut fresh: HashMap<Oid, std::sync::Arc<CommitRecord>> = missing
        .iter()
        .copied()
        .zip(
            read_commits(git_dir, root, &missing)?
                .into_iter()
                .map(std::sync::Arc::new),
        )
        .collect();
    let mut held = cache.records.lock().map_err(poisoned)?;
    for (oid, rec) in &fresh {
        if !boundary.contains(oid) {
            held.insert(*oid, rec.clone());
        }
    }
    oids.iter()
        .map(|o| {
            fresh
                .remove(o)
                .or_else(|| held.get(o).cloned())
                .ok_or_else(|| format!("commit {o} missing from the cache"))
        })
        .collect()
}

/// A commit and its tree, read once.
type ReadTree<'r> = (Commit<'r>, Tree<'r>);

/// `root`: the handbook's folder in the repository (`""` at its top). `next`: the commit after
/// this one in the walk, which is mostly its first parent.
fn read_commit<'r>(
    repo: &'r Repository,
    trees: &mut TreeReader<'_>,
    (commit, tree): &ReadTree<'r>,
    next: Option<&ReadTree<'r>>,
    root: &str,
) -> Result<ReadCommit, String> {
    let oid = commit.id();
    let diff_failed = |e: git2::Error| format!("cannot diff commit {oid}: {}", e.message());
    let info = commit_info(commit);
    let merge = commit.parent_count() > 1;
    let (changes, elsewhere, mut pending) = if merge && info.reviewers().is_empty() {
        (Vec::new(), Vec::new(), Vec::new())
    } else {
        let parent_tree = first_parent_tree(repo, commit, next).map_err(diff_failed)?;
        let (mut changes, elsewhere, pending) =
            markdown_changes(repo, trees, parent_tree.clone(), tree.clone(), root)
                .map_err(diff_failed)?;
        changes
            .extend(register_changes(repo, parent_tree.as_ref(), tree, root).map_err(diff_failed)?);
        // A merge's first-parent diff repeats what its branch's commits did.
        (changes, if merge { Vec::new() } else { elsewhere }, pending)
    };
    if merge {
        pending.retain(|p| p.inside);
    }
    let named = info.reviews_trailer_ids();
    // The signature of a commit that records something (or a merge, which may carry a pull
    // request's approvals), to verify later; other commits' signatures are never shown.
    let mut info = info;
    if info.signed
        && (merge || !changes.is_empty() || !named.is_empty() || !info.reviewers().is_empty())
        && let Ok((sig, data)) = repo.extract_signature(&oid, None)
    {
        info.signature = Some(std::sync::Arc::new(super::SignedPayload {
            signature: String::from_utf8_lossy(&sig).into_owned(),
            data: data.to_vec(),
        }));
    }
    Ok((
        CommitRecord {
            named,
            info: std::sync::Arc::new(info),
            oid,
            parents: commit.parent_ids().collect(),
            merge,
            changes,
            elsewhere,
        },
        pending,
    ))
}

/// Whether each named review whose id is no current document's file name named a document
/// that existed then (a file `<id>.md` in that commit's `policies/`, since deleted or renamed).
/// Only those ids are looked up, in the few commits that have them: a typo is rare, and reading
/// the tree of every review commit would cost as much as the rest of the walk.
fn mark_existing_then(
    repo: &Repository,
    policies: &str,
    history: &mut History,
) -> Result<(), git2::Error> {
    let current: HashSet<String> = history
        .docs
        .keys()
        .filter_map(|p| {
            p.rsplit('/')
                .next()?
                .strip_suffix(".md")
                .map(str::to_string)
        })
        .collect();
    let mut trees: HashMap<String, HashSet<String>> = HashMap::new();
    for n in &mut history.named_reviews {
        if current.contains(&n.id) {
            continue;
        }
        let commit_id = n.review.commit.id.clone();
        if !trees.contains_key(&commit_id) {
            let commit = repo.find_commit(Oid::from_str(&commit_id)?)?;
            let mut names = HashSet::new();
            if let Some(tree) = subtree(repo, &commit.tree()?, policies)? {
                tree.walk(git2::TreeWalkMode::PreOrder, |_, e| {
                    if let Some(stem) = e.name().ok().and_then(|n| n.strip_suffix(".md")) {
                        names.insert(stem.to_string());
                    }
                    git2::TreeWalkResult::Ok
                })?;
            }
            trees.insert(commit_id.clone(), names);
        }
        n.existed_then = trees.get(&commit_id).is_some_and(|t| t.contains(&n.id));
    }
    Ok(())
}

/// Each revision's front-matter `version`, from its blob as that commit left it: each blob read
/// once, on every core. (Looking each revision's path up in its commit's tree instead parsed the
/// whole `policies/` folder every time: 3.4 s for 2,000 documents.)
pub(super) fn read_versions(repo: &Repository, history: &mut History) -> Result<(), git2::Error> {
    let blobs: Vec<Oid> = history
        .docs
        .values()
        .flat_map(|d| d.revisions.iter().filter_map(|r| r.blob))
        .collect();
    let packs = super::pack::Packs::open(repo.commondir());
    let versions = super::pack::read_blobs(
        repo.path(),
        &packs,
        pack_cache_per_thread(),
        blobs,
        |bytes| super::version_in(&String::from_utf8_lossy(bytes)),
    )
    .map_err(|e| git2::Error::from_str(&e))?;
    for d in history.docs.values_mut() {
        let d = Arc::make_mut(d);
        d.versions = d
            .revisions
            .iter()
            .map(|r| r.blob.and_then(|b| versions.get(&b).cloned().flatten()))
            .collect();
    }
    Ok(())
}

/// `people.yaml` in each commit that records a review, read once per distinct blob.
fn people_at_reviews(
    repo: &Repository,
    prefix: &str,
    with_changes: bool,
    history: &mut History,
) -> Result<(), git2::Error> {
    let path = in_repo(prefix, crate::model::people::PEOPLE_FILE);
    let commits: HashSet<String> = history
        .docs
        .values()
        .flat_map(|d| d.reviews.iter())
        .chain(history.named_reviews.iter().map(|n| &n.review))
        .map(|r| r.commit.id.clone())
        .chain(
            history
                .changes
                .iter()
                .filter(|_| with_changes)
                .map(|c| c.commit.id.clone()),
        )
        // A pull request merged with a merge commit is approved in that commit.
        .chain(history.merges.keys().filter(|_| with_changes).cloned())
        .collect();
    let mut texts: HashMap<Oid, std::sync::Arc<str>> = HashMap::new();
    for id in commits {
        let Ok(oid) = Oid::from_str(&id) else {
            continue;
        };
        let commit = repo.find_commit(oid)?;
        let text = match commit.tree()?.get_path(Path::new(&path)) {
            Ok(e) if e.kind() == Some(git2::ObjectType::Blob) => {
                let blob_id = e.id();
                if let Some(t) = texts.get(&blob_id) {
                    Some(t.clone())
                } else {
                    let blob = repo.find_blob(blob_id)?;
                    let t: std::sync::Arc<str> =
                        std::sync::Arc::from(String::from_utf8_lossy(blob.content()).as_ref());
                    texts.insert(blob_id, t.clone());
                    Some(t)
                }
            }
            _ => None,
        };
        history.people_at.insert(id, text);
    }
    Ok(())
}

/// The tree of `commit`'s first parent (none for a first commit): `next`'s when that is the
/// parent, else read.
fn first_parent_tree<'r>(
    repo: &'r Repository,
    commit: &Commit<'r>,
    next: Option<&ReadTree<'r>>,
) -> Result<Option<Tree<'r>>, git2::Error> {
    let Some(parent) = commit.parent_ids().next() else {
        return Ok(None);
    };
    match next {
        Some((c, tree)) if c.id() == parent => Ok(Some(tree.clone())),
        _ => Ok(Some(repo.find_commit(parent)?.tree()?)),
    }
}

/// The `.md` files that changed from `old` (the first parent's tree) to `new` (the commit's):
/// those under `policies/` (paths relative to the handbook), and those elsewhere in the
/// repository (`/`-prefixed). A file moved is one change, whether it stayed inside `policies/`
/// or came in from elsewhere (a team adopting policybook moves its `docs/`). Folders whose id did
/// not change are never opened, and `policies/` is diffed on its own, so paths below it are not
/// rebuilt from the root.
fn markdown_changes<'r>(
    repo: &'r Repository,
    trees: &mut TreeReader<'_>,
    old: Option<Tree<'r>>,
    new: Tree<'r>,
    root: &str,
) -> Result<MarkdownChanges, git2::Error> {
    if old.as_ref().map(Tree::id) == Some(new.id()) {
        return Ok((Vec::new(), Vec::new(), Vec::new()));
    }
    let policies = in_repo(root, POLICIES);
    let mut raw = Vec::new();
    // Down the path to `policies/`: everything beside it at each level, then `policies/` itself.
    let (mut old_t, mut new_t) = (old, Some(new));
    let mut base = String::new();
    for (depth, part) in policies.split('/').enumerate() {
        let last = depth == policies.split('/').count() - 1;
        beside(
            repo,
            trees,
            old_t.as_ref(),
            new_t.as_ref(),
            &base,
            part,
            &mut raw,
        )?;
        // The folder's id on each side; only folders on the way down are opened here (the
        // last, `policies/` itself, may be large: `tree_diff` reads it raw).
        let sub = |t: &Option<Tree<'_>>| {
            t.as_ref()
                .and_then(|t| t.get_name(part))
                .filter(|e| e.kind() == Some(git2::ObjectType::Tree))
                .map(|e| e.id())
        };
        let (o, n) = (sub(&old_t), sub(&new_t));
        base = format!("{base}{part}/");
        if last {
            diff_trees(trees, o, n, &base, &mut raw)?;
        } else {
            let open = |id: Option<Oid>| id.map(|id| repo.find_tree(id)).transpose();
            (old_t, new_t) = (open(o)?, open(n)?);
        }
    }
    let adds = raw
        .iter()
        .filter(|r| r.status == Delta::Added)
        .map(|r| (r.path.clone(), r.new_id))
        .collect();
    let dels = raw
        .iter()
        .filter(|r| r.status == Delta::Deleted)
        .map(|r| (r.path.clone(), r.old_id))
        .collect();
    let moved = pair_moves(repo, trees.packs(), adds, dels)?;
    let moved_from: HashSet<&str> = moved.values().map(|m| m.from.as_str()).collect();
    let prefix = format!("{policies}/");
    // Handbook-relative inside `policies/`, `/`-prefixed from the repository root elsewhere.
    let shown = |p: &str| match p.strip_prefix(&prefix) {
        Some(below) => format!("{POLICIES}/{below}"),
        None => format!("/{p}"),
    };
    let (mut inside, mut elsewhere, mut pending) = (Vec::new(), Vec::new(), Vec::new());
    for r in &raw {
        if r.status == Delta::Deleted && moved_from.contains(r.path.as_str()) {
            continue;
        }
        // Counted after the walk, with every other commit's (`count_lines`).
        let later = !moved.contains_key(&r.path)
            && matches!(r.status, Delta::Modified | Delta::Added)
            && r.lines.is_none();
        let (delta, from, similarity, (added, removed)) = match moved.get(&r.path) {
            Some(m) => (
                Delta::Renamed,
                m.from.as_str(),
                Some(m.similarity),
                match m.lines {
                    Some(lines) => lines,
                    None => line_stats(repo, Some(m.blob), r.new_id)?,
                },
            ),
            None => (
                r.status,
                r.path.as_str(),
                None,
                match r.lines {
                    Some(lines) => lines,
                    None if later => (0, 0),
                    None => (line_count(repo, r.new_id)?, 0),
                },
            ),
        };
        let change = FileChange {
            delta,
            old: shown(from),
            new: shown(&r.path),
            added,
            removed,
            similarity,
            blob: (delta != Delta::Deleted).then_some(r.new_id),
        };
        let (list, is_inside) = if change.new.starts_with('/') {
            (&mut elsewhere, false)
        } else {
            (&mut inside, true)
        };
        if later {
            pending.push(Pending {
                inside: is_inside,
                index: list.len(),
                // An added file's lines are all added: counted, not diffed.
                old: (r.status == Delta::Modified).then_some(r.old_id),
                new: r.new_id,
            });
        }
        list.push(change);
    }
    Ok((inside, elsewhere, pending))
}

/// A commit's record, and its changes whose lines are still to count.
type ReadCommit = (CommitRecord, Vec<Pending>);

/// `.md` changes inside `policies/` and elsewhere, and which of them still need line counts.
type MarkdownChanges = (Vec<FileChange>, Vec<FileChange>, Vec<Pending>);

/// Fills in the line counts of every pending change (`lines`), after the walk so that the
/// blobs are read together, in pack order, instead of between the large `policies/` trees.
fn count_lines(
    git_dir: &Path,
    packs: &Arc<super::pack::Packs>,
    records: &mut [CommitRecord],
    pending: Vec<(usize, Pending)>,
) -> Result<(), String> {
    let (at, changes): (Vec<usize>, Vec<Pending>) = pending.into_iter().unzip();
    let counts = super::lines::count(git_dir, packs, pack_cache_per_thread(), &changes)?;
    for ((rec, p), (added, removed)) in at.into_iter().zip(&changes).zip(counts) {
        let list = if p.inside {
            &mut records[rec].changes
        } else {
            &mut records[rec].elsewhere
        };
        if let Some(change) = list.get_mut(p.index) {
            change.added = added;
            change.removed = removed;
        }
    }
    Ok(())
}

/// An `.md` file a commit added, changed or deleted, path from the repository root.
struct RawChange {
    status: Delta,
    path: String,
    old_id: Oid,
    new_id: Oid,
    /// Lines added and removed; `None` for an added file, counted once it is known whether it
    /// was moved (then against the file it came from) or is new (then its own lines), and for a
    /// modified one, counted after the walk (`count_lines`).
    lines: Option<(usize, usize)>,
}

fn is_markdown(p: &str) -> bool {
    p.len() > 3 && p[p.len() - 3..].eq_ignore_ascii_case(".md")
}

/// The `.md` changes among the entries of one folder level (`base`), except entry `skip` (the
/// way down to `policies/`).
fn beside(
    repo: &Repository,
    trees: &mut TreeReader<'_>,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
    base: &str,
    skip: &str,
    raw: &mut Vec<RawChange>,
) -> Result<(), git2::Error> {
    let entries = |t: Option<&Tree<'_>>| -> HashMap<String, (Oid, bool)> {
        t.map(|t| {
            t.iter()
                .filter_map(|e| {
                    let name = e.name().ok()?.to_string();
                    (name != skip)
                        .then(|| (name, (e.id(), e.kind() == Some(git2::ObjectType::Tree))))
                })
                .collect()
        })
        .unwrap_or_default()
    };
    let (o, n) = (entries(old), entries(new));
    let mut names: Vec<&String> = o.keys().chain(n.keys()).collect();
    names.sort();
    names.dedup();
    for name in names {
        let (a, b) = (o.get(name), n.get(name));
        if a.map(|x| x.0) == b.map(|x| x.0) {
            continue;
        }
        let path = format!("{base}{name}");
        let tree = |x: Option<&(Oid, bool)>| x.filter(|x| x.1).map(|x| x.0);
        let blob = |x: Option<&(Oid, bool)>| x.filter(|x| !x.1).map(|x| x.0);
        let (ta, tb) = (tree(a), tree(b));
        if ta.is_some() || tb.is_some() {
            diff_trees(trees, ta, tb, &format!("{path}/"), raw)?;
        }
        if !is_markdown(&path) {
            continue;
        }
        let (ba, bb) = (blob(a), blob(b));
        let (status, old_id, new_id) = match (ba, bb) {
            (None, Some(n)) => (Delta::Added, Oid::ZERO_SHA1, n),
            (Some(o), None) => (Delta::Deleted, o, Oid::ZERO_SHA1),
            (Some(o), Some(n)) => (Delta::Modified, o, n),
            (None, None) => continue,
        };
        let lines = match status {
            Delta::Deleted => Some((0, 0)),
            Delta::Added => None,
            _ => Some(line_stats(repo, ba, new_id)?),
        };
        raw.push(RawChange {
            status,
            path,
            old_id,
            new_id,
            lines,
        });
    }
    Ok(())
}

/// The `.md` changes between two versions of the folder at `base` (a path ending in `/`).
fn diff_trees(
    trees: &mut TreeReader<'_>,
    old: Option<Oid>,
    new: Option<Oid>,
    base: &str,
    raw: &mut Vec<RawChange>,
) -> Result<(), git2::Error> {
    let mut files = Vec::new();
    trees.diff(old, new, base, &mut files)?;
    for f in files {
        if !is_markdown(&f.path) {
            continue;
        }
        let (status, old_id, new_id, lines) = match (f.old, f.new) {
            (Some(o), None) => (Delta::Deleted, o.id, Oid::ZERO_SHA1, Some((0, 0))),
            // An added file may be a move: its lines are counted once that is known.
            (None, Some(n)) => (Delta::Added, Oid::ZERO_SHA1, n.id, None),
            (Some(o), Some(n)) => (
                Delta::Modified,
                o.id,
                n.id,
                // Counted after the walk, every commit's together (`count_lines`).
                None,
            ),
            (None, None) => continue,
        };
        raw.push(RawChange {
            status,
            path: f.path,
            old_id,
            new_id,
            lines,
        });
    }
    Ok(())
}

/// The lines of blob `id`, as a diff from nothing counts them (a last line without a newline
/// counts).
fn line_count(repo: &Repository, id: Oid) -> Result<usize, git2::Error> {
    Ok(super::lines::lines_in(repo.find_blob(id)?.content()))
}

/// Lines added and removed from blob `old` (none: an empty file) to blob `new`.
fn line_stats(
    repo: &Repository,
    old: Option<Oid>,
    new: Oid,
) -> Result<(usize, usize), git2::Error> {
    let old = old.map(|o| repo.find_blob(o)).transpose()?;
    blob_line_stats(old.as_ref(), &repo.find_blob(new)?)
}

/// [`line_stats`] of blobs already read.
fn blob_line_stats(
    old: Option<&Blob<'_>>,
    new_blob: &Blob<'_>,
) -> Result<(usize, usize), git2::Error> {
    super::lines::buffer_line_stats(old.map_or(&[][..], |o| o.content()), new_blob.content())
}

/// The files of a folder (`shown` below the handbook root) that differ between two versions of
/// its tree, renames detected, keeping those `keep` accepts (by old or new path).
fn folder_changes(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
    shown: &str,
    keep: impl Fn(&str) -> bool,
) -> Result<Vec<FileChange>, git2::Error> {
    // Most commits of a big repository do not touch the handbook: comparing two ids is enough.
    if old.map(Tree::id) == new.map(Tree::id) {
        return Ok(Vec::new());
    }
    let mut opts = DiffOptions::new();
    opts.context_lines(0);
    let mut diff = repo.diff_tree_to_tree(old, new, Some(&mut opts))?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;
    let mut out = Vec::new();
    for (i, delta) in diff.deltas().enumerate() {
        let path = |f: git2::DiffFile<'_>| {
            f.path_bytes()
                .map(|p| format!("{shown}/{}", String::from_utf8_lossy(p)))
                .unwrap_or_default()
        };
        let new_path = path(delta.new_file());
        let old_path = path(delta.old_file());
        if !keep(&new_path) && !keep(&old_path) {
            continue;
        }
        let (added, removed) = match Patch::from_diff(&diff, i)? {
            Some(p) => {
                let (_, a, r) = p.line_stats()?;
                (a, r)
            }
            None => (0, 0),
        };
        let similarity = (delta.status() == Delta::Renamed)
            .then(|| similarity(repo, delta.old_file().id(), delta.new_file().id()))
            .transpose()?;
        out.push(FileChange {
            delta: delta.status(),
            old: old_path,
            new: new_path,
            added,
            removed,
            similarity,
            blob: (delta.status() != Delta::Deleted).then(|| delta.new_file().id()),
        });
    }
    Ok(out)
}

/// How alike two blobs are: the share of lines they have in common (counted with repeats), in
/// percent — linear in their size, where a diff would not be, since a whole folder can move at
/// once.
fn similarity(repo: &Repository, old: Oid, new: Oid) -> Result<u8, git2::Error> {
    if old == new {
        return Ok(100);
    }
    let (a, b) = (repo.find_blob(old)?, repo.find_blob(new)?);
    let mut counts: HashMap<&[u8], i64> = HashMap::new();
    let (la, lb) = (lines_of(a.content()), lines_of(b.content()));
    for l in &la {
        *counts.entry(l).or_default() += 1;
    }
    let mut common = 0i64;
    for l in &lb {
        if let Some(n) = counts.get_mut(l)
            && *n > 0
        {
            *n -= 1;
            common += 1;
        }
    }
    let total = (la.len() + lb.len()) as i64;
    Ok(if total == 0 {
        100
    } else {
        (200 * common / total).clamp(0, 100) as u8
    })
}

/// The non-empty lines of a blob.
fn lines_of(content: &[u8]) -> Vec<&[u8]> {
    content
        .split(|&c| c == b'\n')
        .filter(|l| !l.is_empty())
        .collect()
}

/// A path and the blob it names.
type PathBlob = (String, Oid);

/// Files a commit moved, as git infers moves: a file deleted (`dels`) and one added (`adds`) in
/// the same commit, paths from the repository root, that are at least half alike. Files of the same name are paired first (a folder moved at once), the rest by best
/// likeness when there are few enough: new path → (old path, old blob, similarity).
fn pair_moves(
    repo: &Repository,
    packs: Option<&Arc<super::pack::Packs>>,
    adds: Vec<PathBlob>,
    dels: Vec<PathBlob>,
) -> Result<HashMap<String, Move>, git2::Error> {
    /// Above this many (added × deleted) pairs without a name in common, moves are not searched.
    const MAX_PAIRS: usize = 40_000;
    const MIN_SIMILARITY: u8 = 50;
    let mut out = HashMap::new();
    if adds.is_empty() || dels.is_empty() {
        return Ok(out);
    }
    let name = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, (p, _)) in dels.iter().enumerate() {
        by_name.entry(name(p)).or_default().push(i);
    }
    // Each added file with the one deleted file of its name, if any.
    let named: Vec<Option<usize>> = adds
        .iter()
        .map(|(to, _)| match by_name.get(&name(to)).map(Vec::as_slice) {
            Some(&[i]) => Some(i),
            _ => None,
        })
        .collect();
    // One diff gives both the likeness and the lines the move changed: a folder moved with an
    // edit to every file is thousands of these, diffed side by side.
    let pairs: Vec<(Oid, Oid)> = adds
        .iter()
        .zip(&named)
        .filter_map(|((_, new_id), i)| i.map(|i| (dels[i].1, *new_id)))
        .collect();
    let mut likeness = likenesses(repo, packs, &pairs)?.into_iter();
    let mut used = vec![false; dels.len()];
    let mut rest = Vec::new();
    for ((to, new_id), i) in adds.iter().zip(named) {
        let Some(i) = i else {
            rest.push((to, new_id));
            continue;
        };
        let Some((sim, lines)) = likeness.next() else {
            break;
        };
        if !used[i] && sim >= MIN_SIMILARITY {
            used[i] = true;
            out.insert(to.clone(), Move::from(&dels[i], sim, Some(lines)));
        } else {
            rest.push((to, new_id));
        }
    }
    let free: Vec<usize> = (0..dels.len()).filter(|&i| !used[i]).collect();
    if rest.len() * free.len() > MAX_PAIRS {
        return Ok(out);
    }
    for (to, new_id) in rest {
        let mut best: Option<(u8, usize)> = None;
        for &i in free.iter().filter(|&&i| !used[i]) {
            let sim = similarity(repo, dels[i].1, *new_id)?;
            if sim >= MIN_SIMILARITY && best.is_none_or(|(b, _)| sim > b) {
                best = Some((sim, i));
            }
        }
        if let Some((sim, i)) = best {
            used[i] = true;
            out.insert(to.clone(), Move::from(&dels[i], sim, None));
        }
    }
    Ok(out)
}

/// A file moved: where from, its blob there, how alike (percent), and the lines the move
/// changed when already counted.
struct Move {
    from: String,
    blob: Oid,
    similarity: u8,
    lines: Option<(usize, usize)>,
}

impl Move {
    /// A move from the deleted file `(path, blob)`.
    fn from((path, blob): &PathBlob, similarity: u8, lines: Option<(usize, usize)>) -> Move {
        Move {
            from: path.clone(),
            blob: *blob,
            similarity,
            lines,
        }
    }
}

/// How alike two files are, in percent, and the lines added and removed from one to the other.
type Likeness = (u8, (usize, usize));

/// [`diff_likeness`] of each (old, new) pair, in order: beyond a few dozen (a folder moved at
/// once), every blob read once in pack order by `pack::read_blobs` (the walk's pack reader,
/// side by side, libgit2 only for what no pack holds), then the pairs counted side by side.
fn likenesses(
    repo: &Repository,
    packs: Option<&Arc<super::pack::Packs>>,
    pairs: &[(Oid, Oid)],
) -> Result<Vec<Likeness>, git2::Error> {
    const SIDE_BY_SIDE_FROM: usize = 64;
    let Some(packs) = packs.filter(|_| pairs.len() >= SIDE_BY_SIDE_FROM) else {
        return pairs
            .iter()
            .map(|&(old, new)| diff_likeness(repo, old, new))
            .collect();
    };
    let ids = pairs.iter().flat_map(|&(old, new)| [old, new]).collect();
    // A small cache per thread: the walk's own readers hold theirs meanwhile.
    let blobs = super::pack::read_blobs(repo.path(), packs, 16 << 20, ids, <[u8]>::to_vec)
        .map_err(|e| git2::Error::from_str(&e))?;
    pairs
        .par_iter()
        .map(|(old, new)| match (blobs.get(old), blobs.get(new)) {
            _ if old == new => Ok((100, (0, 0))),
            (Some(a), Some(b)) => likeness_of(a, b),
            _ => Err(git2::Error::from_str(&format!(
                "cannot compare {old} with {new}: not read"
            ))),
        })
        .collect()
}

/// How alike two blobs are from their diff — the share of lines kept, as `similarity` measures
/// it over both files — and the lines added and removed.
fn diff_likeness(repo: &Repository, old: Oid, new: Oid) -> Result<Likeness, git2::Error> {
    if old == new {
        return Ok((100, (0, 0)));
    }
    let (a, b) = (repo.find_blob(old)?, repo.find_blob(new)?);
    likeness_of(a.content(), b.content())
}

/// [`diff_likeness`] of two files' contents.
fn likeness_of(a: &[u8], b: &[u8]) -> Result<Likeness, git2::Error> {
    let (added, removed) = super::lines::line_stats(a, b)?;
    let (la, lb) = (super::lines::lines_in(a), super::lines::lines_in(b));
    let kept = la.saturating_sub(removed);
    let total = la + lb;
    let sim = (200 * kept)
        .checked_div(total)
        .map_or(100, |s| s.min(100) as u8);
    Ok((sim, (added, removed)))
}

/// The control register's files (`controls.yaml`, and `*.yaml` under `controls/`) that `commit`
/// changed relative to its first parent, paths relative to the handbook root: the register's
/// revisions are review evidence like a document's.
fn register_changes(
    repo: &Repository,
    old_tree: Option<&Tree<'_>>,
    new_tree: &Tree<'_>,
    root: &str,
) -> Result<Vec<FileChange>, git2::Error> {
    let mut out = Vec::new();
    let file = in_repo(root, REGISTER_FILE);
    let blob_at = |tree: &Tree<'_>| -> Result<Option<Oid>, git2::Error> {
        match tree.get_path(Path::new(&file)) {
            Ok(e) if e.kind() == Some(git2::ObjectType::Blob) => Ok(Some(e.id())),
            Ok(_) => Ok(None),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    };
    let new = blob_at(new_tree)?;
    let old = match old_tree {
        Some(t) => blob_at(t)?,
        None => None,
    };
    if let Some(new_id) = new
        && old != new
    {
        let (added, removed) = line_stats(repo, old, new_id)?;
        out.push(FileChange {
            delta: if old.is_some() {
                Delta::Modified
            } else {
                Delta::Added
            },
            old: REGISTER_FILE.to_string(),
            new: REGISTER_FILE.to_string(),
            added,
            removed,
            similarity: None,
            blob: Some(new_id),
        });
    }
    let dir = in_repo(root, REGISTER_DIR);
    let new_dir = subtree(repo, new_tree, &dir)?;
    let old_dir = match old_tree {
        Some(t) => subtree(repo, t, &dir)?,
        None => None,
    };
    let is_yaml = |p: &str| p.ends_with(".yaml") || p.ends_with(".yml");
    out.extend(folder_changes(
        repo,
        old_dir.as_ref(),
        new_dir.as_ref(),
        REGISTER_DIR,
        is_yaml,
    )?);
    Ok(out)
}

fn subtree<'r>(
    repo: &'r Repository,
    tree: &Tree<'_>,
    path: &str,
) -> Result<Option<Tree<'r>>, git2::Error> {
    match tree.get_path(Path::new(path)) {
        Ok(entry) if entry.kind() == Some(git2::ObjectType::Tree) => {
            Ok(Some(repo.find_tree(entry.id())?))
        }
        Ok(_) => Ok(None),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn commit_info(commit: &Commit<'_>) -> CommitInfo {
    let author = commit.author();
    let when = crate::git::civil(author.when());
    let date_valid = when.is_some();
    let (date, timestamp) = when.unwrap_or_else(|| {
        (
            crate::git::EPOCH_DATE,
            format!("invalid date ({} s)", author.when().seconds()),
        )
    });
    let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
    let id = commit.id().to_string();
    CommitInfo {
        short: id[..7.min(id.len())].to_string(),
        id,
        author: String::from_utf8_lossy(author.name_bytes())
            .trim()
            .to_string(),
        email: String::from_utf8_lossy(author.email_bytes())
            .trim()
            .to_string(),
        date,
        timestamp,
        subject: message.lines().next().unwrap_or("").trim().to_string(),
        trailers: super::parse_trailers(&message),
        signed: contains(commit.raw_header_bytes(), b"\ngpgsig"),
        signature: None,
        author_time: author.when().seconds(),
        commit_time: commit.committer().when().seconds(),
        committer: format!(
            "{} <{}>",
            String::from_utf8_lossy(commit.committer().name_bytes()),
            String::from_utf8_lossy(commit.committer().email_bytes())
        ),
        committed: crate::git::civil(commit.committer().when())
            .map(|c| c.1)
            .unwrap_or_else(|| format!("invalid date ({} s)", commit.committer().when().seconds())),
        date_valid,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Newest to oldest: follow each current document back through renames and collect its changes.
/// Commits that record something (changes or reviews) and were committed well before their
/// first parent: a committer date can only go backwards if someone set it.
fn out_of_order(records: &[std::sync::Arc<CommitRecord>]) -> HashMap<String, super::Skew> {
    let by_oid: HashMap<Oid, &std::sync::Arc<CommitRecord>> =
        records.iter().map(|r| (r.oid, r)).collect();
    let mut out = HashMap::new();
    for rec in records {
        let records_something =
            !rec.changes.is_empty() || !rec.info.reviewers().is_empty() || !rec.named.is_empty();
        let Some(parent) = rec.parents.first().and_then(|p| by_oid.get(p)) else {
            continue;
        };
        if records_something
            && rec.info.commit_time + super::OUT_OF_ORDER_SECONDS < parent.info.commit_time
        {
            out.insert(
                rec.info.id.clone(),
                super::Skew {
                    commit: rec.info.clone(),
                    descendant: parent.info.clone(),
                },
            );
        }
    }
    out
}

/// A commit's changes outside `policies/` count once a document is followed there (its path
/// starts with `/`).
fn fold(records: &[std::sync::Arc<CommitRecord>], history: &mut History) {
    // Path in the commit being looked at → the document's current path, and the moves it was
    // traced through to get there.
    let mut tracking: HashMap<String, (String, Option<Arc<str>>)> = history
        .docs
        .keys()
        .map(|p| (p.clone(), (p.clone(), None)))
        .collect();
    // The keys of `tracking` outside `policies/` (`/`-prefixed), kept apart for `outside`.
    let mut moved_from: HashSet<String> = HashSet::new();
    // Commit → its descendant with the earliest committer time. The walk lists children before
    // parents, so a commit's entry is complete when the commit is reached.
    let mut earliest_descendant: HashMap<Oid, std::sync::Arc<CommitInfo>> = HashMap::new();
    for rec in records {
        let reviewers = rec.info.reviewers();
        let descendant = earliest_descendant.remove(&rec.oid);
        let bound = match &descendant {
            Some(d) if d.commit_time <= rec.info.commit_time => d.clone(),
            _ => rec.info.clone(),
        };
        for parent in &rec.parents {
            let slot = earliest_descendant
                .entry(*parent)
                .or_insert_with(|| bound.clone());
            if bound.commit_time < slot.commit_time {
                *slot = bound.clone();
            }
        }
        let records_something =
            !rec.changes.is_empty() || !reviewers.is_empty() || !rec.named.is_empty();
        if records_something {
            let own = rec.info.author_time.max(rec.info.commit_time);
            if let Some(d) = descendant
                && own > d.commit_time + super::SKEW_TOLERANCE_SECONDS
            {
                history.skewed.insert(
                    rec.info.id.clone(),
                    super::Skew {
                        commit: rec.info.clone(),
                        descendant: d,
                    },
                );
            }
            if !rec.info.date_valid {
                history.invalid_dates.push(rec.info.clone());
            }
        }
        let mut touched: Vec<ChangedDoc> = Vec::new();
        let mut seen = HashSet::new();
        // Decided before the loop changes what is followed: a move found in this commit
        // leads to its older paths in older commits only.
        let extra: Vec<&FileChange> = rec
            .elsewhere
            .iter()
            .filter(|c| !rec.merge && moved_from.contains(&c.new))
            .collect();
        for ch in rec.changes.iter().chain(extra) {
            if rec.merge {
                // A reviewed merge reviews what it brings in, but is not a revision itself.
                if let Some((doc, _)) = tracking.get(&ch.new)
                    && seen.insert(doc.clone())
                {
                    Arc::make_mut(history.docs.entry(doc.clone()).or_default())
                        .reviews
                        .push(Review {
                            commit: rec.info.clone(),
                            reviewers: reviewers.clone(),
                            pull_request: None,
                        });
                }
                continue;
            }
            let (doc, via, change, old_path) = match ch.delta {
                Delta::Added | Delta::Copied => match tracking.remove(&ch.new) {
                    Some((doc, via)) => {
                        moved_from.remove(&ch.new);
                        (doc, via, Change::Added, None)
                    }
                    None => continue,
                },
                Delta::Modified | Delta::Typechange => match tracking.get(&ch.new) {
                    Some((doc, via)) => (doc.clone(), via.clone(), Change::Modified, None),
                    None => continue,
                },
                Delta::Renamed => match tracking.remove(&ch.new) {
                    Some((doc, via)) => {
                        // Older revisions are found through this move: say which, and how alike.
                        let step = format!(
                            "{} → {} ({}%)",
                            ch.old.trim_start_matches('/'),
                            ch.new.trim_start_matches('/'),
                            ch.similarity.unwrap_or(100)
                        );
                        let chain = match &via {
                            Some(v) => format!("{v}; {step}"),
                            None => step,
                        };
                        moved_from.remove(&ch.new);
                        if ch.old.starts_with('/') {
                            moved_from.insert(ch.old.clone());
                        }
                        tracking.insert(ch.old.clone(), (doc.clone(), Some(Arc::from(chain))));
                        (doc, via, Change::Renamed, Some(ch.old.clone()))
                    }
                    None => continue,
                },
                _ => continue,
            };
            // Not shared yet: `make_mut` copies nothing while the history is read.
            let entry = Arc::make_mut(history.docs.entry(doc.clone()).or_default());
            Arc::make_mut(&mut entry.revisions).push(Revision {
                commit: rec.info.clone(),
                change,
                blob: ch.blob,
                path: ch.new.clone(),
                old_path,
                added: ch.added,
                removed: ch.removed,
                via_rename: via.clone(),
            });
            if !reviewers.is_empty() && seen.insert(doc.clone()) {
                entry.reviews.push(Review {
                    commit: rec.info.clone(),
                    reviewers: reviewers.clone(),
                    pull_request: None,
                });
            }
            touched.push(ChangedDoc {
                path: doc,
                change,
                added: ch.added,
                removed: ch.removed,
                via_rename: via,
            });
        }
        for id in &rec.named {
            let reviewers = if reviewers.is_empty() {
                vec![format!("{} <{}>", rec.info.author, rec.info.email)]
            } else {
                reviewers.clone()
            };
            history.named_reviews.push(NamedReview {
                id: id.clone(),
                review: Review {
                    commit: rec.info.clone(),
                    reviewers,
                    pull_request: None,
                },
                existed_then: false,
            });
        }
        if !touched.is_empty() {
            touched.sort_by(|a, b| a.path.cmp(&b.path));
            Arc::make_mut(&mut history.changes).push(ChangeSet {
                commit: rec.info.clone(),
                documents: touched,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn info(n: u8, day: i64, message: &str) -> Arc<CommitInfo> {
        Arc::new(CommitInfo::example(n, day, message))
    }

    fn oid(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).unwrap()
    }

    fn change(delta: Delta, old: &str, new: &str) -> FileChange {
        FileChange {
            similarity: None,
            delta,
            old: old.into(),
            new: new.into(),
            added: 1,
            removed: 0,
            blob: None,
        }
    }

    fn record(
        n: u8,
        day: i64,
        message: &str,
        parents: &[u8],
        changes: Vec<FileChange>,
    ) -> Arc<CommitRecord> {
        let info = info(n, day, message);
        let named = info.reviews_trailer_ids();
        Arc::new(CommitRecord {
            info,
            oid: oid(n),
            parents: parents.iter().map(|&p| oid(p)).collect(),
            merge: parents.len() > 1,
            changes,
            elsewhere: Vec::new(),
            named,
        })
    }

    fn history_of(docs: &[&str]) -> History {
        History {
            docs: docs
                .iter()
                .map(|d| (d.to_string(), Arc::default()))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn each_merge_on_the_line_lists_the_commits_it_brought_in() {
        // 1 ← 2 ← 5 (merges 4) ← 7 (merges 6); branch 3 ← 4 forks from 1; branch 6 forks from
        // 4 (already merged) and merges main's 2 into itself on the way (8), as people do.
        let records = [
            record(7, 70, "Merge pull request #2", &[5, 8], vec![]),
            record(8, 65, "Merge main into topic", &[6, 2], vec![]),
            record(6, 60, "Topic", &[4], vec![]),
            record(5, 50, "Merge pull request #1", &[2, 4], vec![]),
            record(4, 40, "Branch 2", &[3], vec![]),
            record(3, 30, "Branch 1", &[1], vec![]),
            record(2, 20, "Main", &[1], vec![]),
            record(1, 10, "Start", &[], vec![]),
        ];
        let merges = merges(&records);
        let ids = |n: u8| -> Vec<String> {
            let id = &records.iter().find(|r| r.oid == oid(n)).unwrap().info.id;
            merges[id]
                .brought_in
                .iter()
                .map(|c| c.subject.clone())
                .collect()
        };
        assert_eq!(merges.len(), 2, "only merges on the first-parent line");
        assert_eq!(ids(5), ["Branch 2", "Branch 1"]);
        assert_eq!(ids(7), ["Merge main into topic", "Topic"]);
    }

    #[test]
    fn renames_are_followed_back_and_reviews_come_from_trailers() {
        // Newest first, as the walk lists them: 3 renames a.md → b.md, 2 edits a.md with a
        // reviewer, 1 adds a.md.
        let records = [
            record(
                3,
                30,
                "Rename",
                &[2],
                vec![change(Delta::Renamed, "policies/a.md", "policies/b.md")],
            ),
            record(
                2,
                20,
                "Edit\n\nReviewed-by: R <r@x.org>\n",
                &[1],
                vec![change(Delta::Modified, "policies/a.md", "policies/a.md")],
            ),
            record(
                1,
                10,
                "Add",
                &[],
                vec![change(Delta::Added, "policies/a.md", "policies/a.md")],
            ),
        ];
        let mut h = history_of(&["policies/b.md"]);
        fold(&records, &mut h);
        let b = &h.docs["policies/b.md"];
        let kinds: Vec<(Change, &str)> = b
            .revisions
            .iter()
            .map(|r| (r.change, r.path.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (Change::Renamed, "policies/b.md"),
                (Change::Modified, "policies/a.md"),
                (Change::Added, "policies/a.md")
            ]
        );
        assert_eq!(b.revisions[0].old_path.as_deref(), Some("policies/a.md"));
        assert_eq!(b.reviews.len(), 1);
        assert_eq!(b.reviews[0].reviewers, ["R <r@x.org>"]);
        assert_eq!(h.changes.len(), 3);
        assert!(h.skewed.is_empty());
    }

    #[test]
    fn merges_add_no_revisions_but_a_reviewed_merge_reviews_what_it_brings() {
        let records = [
            record(
                4,
                40,
                "Merge\n\nApproved-by: M <m@x.org>\n",
                &[2, 3],
                vec![change(Delta::Modified, "policies/a.md", "policies/a.md")],
            ),
            record(
                3,
                30,
                "Branch edit",
                &[1],
                vec![change(Delta::Modified, "policies/a.md", "policies/a.md")],
            ),
            record(2, 20, "Main edit", &[1], vec![]),
            record(
                1,
                10,
                "Add",
                &[],
                vec![change(Delta::Added, "policies/a.md", "policies/a.md")],
            ),
        ];
        let mut h = history_of(&["policies/a.md"]);
        fold(&records, &mut h);
        let a = &h.docs["policies/a.md"];
        assert_eq!(a.revisions.len(), 2, "the merge itself is no revision");
        assert_eq!(a.reviews.len(), 1);
        assert_eq!(a.reviews[0].commit.id, format!("{:040}", 4));
    }

    #[test]
    fn named_reviews_count_the_author_when_no_reviewer_is_named() {
        let records = [record(1, 10, "Review\n\nReviews: a, b\n", &[], vec![])];
        let mut h = history_of(&[]);
        fold(&records, &mut h);
        let ids: Vec<&str> = h.named_reviews.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(
            h.named_reviews[0].review.reviewers,
            ["Alice Owner <alice@example.com>"]
        );
    }

    #[test]
    fn a_commit_dated_after_a_descendant_is_skewed() {
        // 2 claims day 400 but 3, built on it, was committed on day 30.
        let records = [
            record(
                3,
                30,
                "Later",
                &[2],
                vec![change(Delta::Modified, "policies/a.md", "policies/a.md")],
            ),
            record(2, 400, "Review\n\nReviews: a\n", &[1], vec![]),
            record(
                1,
                10,
                "Add",
                &[],
                vec![change(Delta::Added, "policies/a.md", "policies/a.md")],
            ),
        ];
        let mut h = history_of(&["policies/a.md"]);
        fold(&records, &mut h);
        let skewed: Vec<&String> = h.skewed.keys().collect();
        assert_eq!(skewed, [&format!("{:040}", 2)]);
        assert_eq!(
            h.skewed[&format!("{:040}", 2)].descendant.id,
            format!("{:040}", 3)
        );
        // Within a day is clock noise, not skew.
        let records = [
            record(3, 30, "Later", &[2], vec![]),
            record(2, 30, "Review\n\nReviews: a\n", &[1], vec![]),
        ];
        let mut h = history_of(&["policies/a.md"]);
        fold(&records, &mut h);
        assert!(h.skewed.is_empty());
    }
}
