//! Versioned handbooks: every release (a git tag selected by `[versions]` in site.toml) is built
//! from the git objects of its commit — documents and site.toml read as blobs, nothing checked
//! out — with the current theme, and published under `v/<tag>/` beside the current version.
//!
//! Versions share work: commits already read for one version's history are not read again, and a
//! document whose text did not change is parsed once (`Caches`).

pub mod diff;
mod site;

pub use site::{Inputs, render_versions};

use std::path::Path;

use git2::{Oid, Repository};
use jiff::civil::Date;
use serde::Serialize;

use crate::config::{Config, TagSelection};
use crate::diagnostics::{Diagnostic, Diagnostics, Outcome};
use crate::model::{DocIx, Ix, IxVec};
use crate::pipeline::history;
use crate::pipeline::resolve::Handbook;
use crate::pipeline::{Caches, HistoryMode, Source, open};

/// A release: a tag, the commit it points at, its date and (for annotated tags) its message.
#[derive(Debug, Clone, Serialize)]
pub struct Release {
    /// The tag's name.
    pub tag: String,
    #[serde(serialize_with = "oid_string")]
    /// The commit it points at.
    pub commit: Oid,
    /// The tagger's date for annotated tags, the commit's date for lightweight ones.
    pub date: Date,
    /// An annotated tag's message.
    pub message: Option<String>,
}

fn oid_string<S: serde::Serializer>(oid: &Oid, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&oid.to_string())
}

/// One version of the handbook, analysed.
pub struct Version {
    /// The tag, or the current version's label.
    pub label: String,
    /// Where its pages go on disk: `""` for the current version, `v/<tag>/` for releases.
    pub dir: String,
    /// The same as a URL prefix (the tag percent-encoded).
    pub prefix: String,
    /// The release, for a release.
    pub release: Option<Release>,
    /// The version, opened.
    pub handbook: Handbook,
}

/// The tags `selection` names, oldest first. No match is a warning, or an error in a shallow
/// clone, where it usually means the tags were not fetched.
pub fn list_releases(
    repo: &Repository,
    selection: &TagSelection,
    config: &Config,
    diags: &mut Diagnostics,
) -> Vec<Release> {
    let place = |d: Diagnostic| config.place(d, "tags");
    let fetch_hint = "fetch the tags and the history they point at: `git fetch --tags --unshallow` \
                      (GitHub Actions: `fetch-depth: 0` on actions/checkout)";
    let names: Vec<String> = match selection {
        TagSelection::Glob(glob) => repo
            .tag_names(Some(glob))
            .map(|names| {
                names
                    .iter_bytes()
                    .map(|n| String::from_utf8_lossy(n).into_owned())
                    .collect()
            })
            .unwrap_or_default(),
        TagSelection::List(list) => {
            let mut found = Vec::new();
            for name in list {
                if repo.find_reference(&format!("refs/tags/{name}")).is_ok() {
                    found.push(name.clone());
                } else {
                    diags.push(place(Diagnostic::warning(format!("the tag `{name}` named in [versions] tags does not exist")).hint(
                        "create it (`git tag -a NAME -m MESSAGE`), fetch it (`git fetch --tags`), or remove it from the list",
                    )));
                }
            }
            found
        }
    };
    let what = match selection {
        TagSelection::Glob(g) => format!("`{g}`"),
        TagSelection::List(l) => l
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", "),
    };
    if names.is_empty() {
        if repo.is_shallow() {
            diags.push(place(
                Diagnostic::error(format!(
                    "no tag matches {what}: this is a shallow clone, which usually has no tags and not the commits they point at"
                ))
                .hint(fetch_hint),
            ));
        } else {
            diags.push(place(
                Diagnostic::warning(format!("no git tag matches {what}, so only the current version is built"))
                    .hint("tag a release (`git tag -a v1.0 -m \"First release\"`) or change [versions] tags"),
            ));
        }
        return Vec::new();
    }
    let mut releases = Vec::new();
    for name in names {
        // The current version is listed under its label: a release of the same name would be
        // indistinguishable from it in every switcher.
        if name
            == config
                .versions
                .as_ref()
                .map_or("latest", |v| v.current.as_str())
        {
            diags.push(place(
                Diagnostic::warning(format!(
                    "the tag `{name}` has the name of the current version's label, so it is not built as a release"
                ))
                .hint("give the current version another label (`[versions] current = \"draft\"`), or rename the tag"),
            ));
            continue;
        }
        let Ok(object) = repo.revparse_single(&format!("refs/tags/{name}")) else {
            continue;
        };
        let (message, tag_date) = match object.as_tag() {
            Some(tag) => (
                tag.message_bytes()
                    .map(|m| String::from_utf8_lossy(m).trim().to_string())
                    .filter(|m| !m.is_empty()),
                tag.tagger().map(|t| history::git_date(t.when())),
            ),
            None => (None, None),
        };
        let commit = match object.peel_to_commit() {
            Ok(c) => c,
            Err(_) => {
                diags.push(place(
                    Diagnostic::error(format!(
                        "the commit of tag `{name}` is not in this clone (a shallow clone?)"
                    ))
                    .hint(fetch_hint),
                ));
                continue;
            }
        };
        releases.push(Release {
            date: tag_date.unwrap_or_else(|| history::commit_date(&commit)),
            commit: commit.id(),
            tag: name,
            message,
        });
    }
    releases.sort_by(|a, b| (a.date, &a.tag).cmp(&(b.date, &b.tag)));
    releases
}

/// Reads and analyses each release. A release whose commit has no usable site.toml, or whose
/// documents have errors, is skipped with a warning naming its tag: an old release's mistakes
/// must not stop today's build. Its other warnings (overdue reviews then) are not repeated.
pub fn analyze_releases(
    root: &Path,
    releases: Vec<Release>,
    caches: &Caches,
    diags: &mut Diagnostics,
) -> Vec<Version> {
    let mut out = Vec::new();
    let mut progress = crate::progress::Progress::new(releases.len());
    for release in releases {
        progress.step(&format!("reading release {}", release.tag));
        let short = &release.commit.to_string()[..7];
        let source = Source::Commit {
            root: root.to_path_buf(),
            commit: release.commit,
            label: release.tag.clone(),
        };
        let mut rd = Diagnostics::new();
        let opened = open(
            &source,
            HistoryMode::Read { as_of: None },
            Some(caches),
            &mut rd,
        );
        let why = match &opened {
            Err(_) if has_config(root, release.commit) => Some("its site.toml is invalid"),
            Err(_) => Some("its commit has no readable site.toml"),
            Ok(_) if rd.has_errors() => Some("its documents have errors"),
            Ok(_) => None,
        };
        if let Some(why) = why {
            let first = rd
                .sorted()
                .into_iter()
                .find(|d| d.is_error())
                .map(|d| d.to_string())
                .unwrap_or_default();
            diags.push(
                Diagnostic::warning(format!(
                    "release `{}` ({short}) was not built: {why}",
                    release.tag
                ))
                .hint(format!("its first problem:\n{first}")),
            );
            continue;
        }
        let Ok(handbook) = opened else { continue };
        out.push(Version {
            label: release.tag.clone(),
            dir: crate::model::url::release_dir(&release.tag),
            prefix: crate::model::url::release_prefix(&release.tag),
            release: Some(release),
            handbook,
        });
    }
    progress.finish();
    out
}

/// Whether `commit` has the handbook's `site.toml` (to say why a release could not be opened).
fn has_config(root: &Path, commit: Oid) -> bool {
    let Some((repo, prefix)) = history::open_repository(root) else {
        return false;
    };
    let path = history::in_repo(&prefix, crate::config::CONFIG_FILE);
    repo.find_commit(commit)
        .and_then(|c| c.tree())
        .is_ok_and(|t| t.get_path(Path::new(&path)).is_ok())
}

/// For every version and document, which document of every other version is "the same one":
/// same id, or paired across a rename between consecutive versions. `targets[v][d][w]` is the
/// index of that document in version `w`, if it has one.
pub fn lineage(versions: &[&Handbook]) -> Vec<IxVec<DocIx, Vec<Option<DocIx>>>> {
    // Union-find over (version, document) flattened.
    let offsets: Vec<usize> = versions
        .iter()
        .scan(0, |acc, hb| {
            let o = *acc;
            *acc += hb.documents.len();
            Some(o)
        })
        .collect();
    let total: usize = versions.iter().map(|hb| hb.documents.len()).sum();
    let mut parent: Vec<usize> = (0..total).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let union = |parent: &mut Vec<usize>, a: usize, b: usize| {
        let (ra, rb) = (find(parent, a), find(parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    };
    let mut by_id: std::collections::HashMap<&str, usize> = Default::default();
    for (v, hb) in versions.iter().enumerate() {
        for (d, doc) in hb.documents.iter().enumerate() {
            let node = offsets[v] + d;
            match by_id.get(doc.id.as_str()) {
                Some(&first) => union(&mut parent, first, node),
                None => {
                    by_id.insert(&doc.id, node);
                }
            }
        }
    }
    for v in 1..versions.len() {
        for (i, j) in diff::pair_documents(&versions[v - 1].documents, &versions[v].documents) {
            union(
                &mut parent,
                offsets[v - 1] + i.index(),
                offsets[v] + j.index(),
            );
        }
    }
    let groups: Vec<usize> = (0..total).map(|x| find(&mut parent, x)).collect();
    versions
        .iter()
        .enumerate()
        .map(|(v, hb)| {
            hb.documents
                .indices()
                .map(|d| {
                    let g = groups[offsets[v] + d.index()];
                    versions
                        .iter()
                        .enumerate()
                        .map(|(w, other)| {
                            other
                                .documents
                                .indices()
                                .find(|e| groups[offsets[w] + e.index()] == g)
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// The handbook at `spec`: `WORKTREE` (the files on disk), or a tag, branch or commit read from
/// git. No history is read: comparing versions does not need it.
pub fn load_version(root: &Path, spec: &str, diags: &mut Diagnostics) -> Outcome<Handbook> {
    if spec == "WORKTREE" {
        return open(&Source::worktree(root), HistoryMode::Skip, None, diags);
    }
    let Some((repo, _)) = history::open_repository(root) else {
        return diags.fail(
            Diagnostic::error(format!(
                "cannot read `{spec}`: the handbook is not in a git repository"
            ))
            .hint("compare WORKTREE with itself, or keep the handbook in git"),
        );
    };
    let commit = match repo.revparse_single(spec).and_then(|o| o.peel_to_commit()) {
        Ok(c) => c.id(),
        Err(_) => {
            return diags.fail(Diagnostic::error(format!("unknown version `{spec}`")).hint(
                "give a tag (v1.0), a commit id, a branch, or WORKTREE for the files on disk",
            ));
        }
    };
    let source = Source::Commit {
        root: root.to_path_buf(),
        commit,
        label: spec.to_string(),
    };
    open(&source, HistoryMode::Skip, None, diags)
}
