//! The pipeline that turns a handbook's files into a site, one module per stage:
//!
//! `load` (read files) → `parse` (front matter, sections, links) → `history` (git) → `resolve`
//! (ids, links, controls, trace, reviews) → `render` (pages and exports, in memory) → `write`
//! (atomic swap on disk).
//!
//! Every command that needs a handbook opens it the same way, with [`open`]: from a [`Source`]
//! (the files on disk, or the blobs of a commit) to a resolved [`Handbook`]. Parsing and the
//! history walk are independent and run side by side.

pub mod history;
pub mod load;
pub mod parse;
pub mod render;
pub mod resolve;
pub mod write;

use std::path::{Path, PathBuf};

use crate::config::{CONFIG_FILE, Config};
use crate::diagnostics::{Diagnostic, Diagnostics, Outcome};
use load::{SourceFile, Sources};
use resolve::Handbook;

/// Where a handbook's files are read from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The files on disk in `root`.
    Worktree {
        /// The handbook folder: `site.toml`, `policies/`, `theme/`.
        root: PathBuf,
    },
    /// The blobs of a commit of the repository that holds `root`; nothing is checked out.
    Commit {
        /// The handbook folder on disk, whose repository holds the commit.
        root: PathBuf,
        /// The commit the files are read from.
        commit: git2::Oid,
        /// How the commit is named in messages (`v1.0`, `abc1234`): `v1.0:policies/a.md`.
        label: String,
    },
}

impl Source {
    /// The files on disk in `root`.
    pub fn worktree(root: &Path) -> Source {
        Source::Worktree {
            root: root.to_path_buf(),
        }
    }

    /// The handbook folder on disk.
    pub fn root(&self) -> &Path {
        match self {
            Source::Worktree { root } | Source::Commit { root, .. } => root,
        }
    }

    /// The commit the files come from, for a commit source.
    pub fn commit(&self) -> Option<git2::Oid> {
        match self {
            Source::Worktree { .. } => None,
            Source::Commit { commit, .. } => Some(*commit),
        }
    }

    /// The prefix of paths in messages: nothing when run from the handbook folder
    /// (`policies/a.md`), `--root` as typed (`handbook/policies/a.md`), or `label:` for a commit.
    pub fn shown(&self) -> PathBuf {
        match self {
            Source::Worktree { root } if root == Path::new(".") => PathBuf::new(),
            Source::Worktree { root } => root.strip_prefix("./").unwrap_or(root).to_path_buf(),
            Source::Commit { label, .. } => PathBuf::from(format!("{label}:")),
        }
    }

    /// A path relative to the handbook folder, as messages show it.
    pub fn show(&self, rel: &str) -> PathBuf {
        load::display_path(&self.shown(), rel)
    }

    /// Reads and checks `site.toml` alone.
    pub fn config(&self, diags: &mut Diagnostics) -> Outcome<Config> {
        match self {
            Source::Worktree { root } => Config::load(root, &self.shown(), diags),
            Source::Commit { .. } => self.read(diags).map(|(config, _)| config),
        }
    }

    /// Reads `site.toml` and every file under `policies/`.
    pub fn read(&self, diags: &mut Diagnostics) -> Outcome<(Config, Sources)> {
        match self {
            Source::Worktree { root } => {
                let config = Config::load(root, &self.shown(), diags)?;
                let mut sources = load::load(root, &self.shown(), diags);
                self.read_named_files(root, &config, &mut sources, diags);
                Ok((config, sources))
            }
            Source::Commit { root, commit, .. } => {
                let Some((repo, prefix)) = history::open_repository(root) else {
                    return diags.fail(
                        Diagnostic::error(format!(
                            "cannot read {}: the handbook is not in a git repository",
                            self.shown().display()
                        ))
                        .hint("keep the handbook in git"),
                    );
                };
                let (text, mut sources) =
                    load::load_commit(&repo, *commit, &prefix, &self.shown(), diags)?;
                let config = Config::parse(&text, &self.show(CONFIG_FILE), diags)?;
                if let Ok(tree) = repo.find_commit(*commit).and_then(|c| c.tree()) {
                    let mut file = |path: &Option<String>| {
                        let p = path.as_deref()?;
                        load::root_blob(&repo, &tree, &prefix, p, &self.shown(), diags)
                    };
                    sources.signers = file(&config.signatures.allowed_signers);
                    sources.revoked = file(&config.signatures.revoked_signers);
                    sources.openpgp_keys = file(&config.signatures.openpgp_keys);
                    sources.roster = file(&config.acknowledgements.roster);
                    for p in config.framework_files() {
                        if let Some(f) = file(&Some(p.clone())) {
                            sources.framework_files.insert(p, f);
                        }
                    }
                    let mut blobs = |pattern: &Option<String>| {
                        pattern.as_deref().map_or_else(Vec::new, |p| {
                            load::matching_blobs(&repo, &tree, &prefix, p, &self.shown(), diags)
                        })
                    };
                    sources.acknowledgements = blobs(&config.acknowledgements.files);
                    sources.pull_requests = blobs(&config.reviews.pull_requests);
                }
                Ok((config, sources))
            }
        }
    }

    /// `site.toml` and the files it names (signers, pull requests, acknowledgements, roster) in
    /// the working tree, without the documents: what `evidence` reads from the latest exports.
    pub fn read_settings(&self, diags: &mut Diagnostics) -> Outcome<(Config, Sources)> {
        let root = self.root();
        let config = Config::load(root, &self.shown(), diags)?;
        let mut sources = Sources::default();
        self.read_named_files(root, &config, &mut sources, diags);
        Ok((config, sources))
    }

    /// The working-tree files `config` names; a missing one is an error on its site.toml line.
    fn read_named_files(
        &self,
        root: &Path,
        config: &Config,
        sources: &mut Sources,
        diags: &mut Diagnostics,
    ) {
        let mut file = |path: &Option<String>, section: &str| {
            let p = path.as_deref()?;
            let f = load::root_file(root, p, "a file", &self.shown(), diags);
            if f.is_none() {
                diags.push(missing_file(config, p, section));
            }
            f
        };
        sources.signers = file(&config.signatures.allowed_signers, "signatures");
        sources.revoked = file(&config.signatures.revoked_signers, "signatures");
        sources.openpgp_keys = file(&config.signatures.openpgp_keys, "signatures");
        sources.roster = file(&config.acknowledgements.roster, "acknowledgements");
        for p in config.framework_files() {
            if let Some(f) = file(&Some(p.clone()), "frameworks") {
                sources.framework_files.insert(p, f);
            }
        }
        let mut files = |pattern: &Option<String>| {
            pattern.as_deref().map_or_else(Vec::new, |p| {
                load::matching_files(root, p, &self.shown(), diags)
            })
        };
        sources.pull_requests = files(&config.reviews.pull_requests);
        sources.acknowledgements = files(&config.acknowledgements.files);
    }

    /// Reads one document again (`rel` relative to the root): `serve`'s rebuild after an edit.
    pub fn read_one(&self, rel: &str, diags: &mut Diagnostics) -> Outcome<SourceFile> {
        diags.take(load::read_one(self.root(), &self.shown(), rel))
    }
}

/// The files site.toml's frameworks and crosswalks name, as the catalog reads them.
pub fn catalog_files(
    sources: &load::Sources,
) -> std::collections::BTreeMap<String, crate::catalog::CatalogFile> {
    sources
        .framework_files
        .iter()
        .map(|(path, f)| {
            (
                path.clone(),
                crate::catalog::CatalogFile {
                    shown: f.display.clone(),
                    text: f.text.to_string(),
                },
            )
        })
        .collect()
}

/// `[section]` names a file that is not there.
fn missing_file(config: &Config, path: &str, section: &str) -> Diagnostic {
    config
        .at_line(
            Diagnostic::error(format!("`{path}` does not exist")),
            config.line_with(&(1..config.source.lines().count() + 1), path),
        )
        .hint(format!("[{section}] names files relative to the handbook folder: create it, or correct the path"))
}

/// Whether, and as of when, to read the git history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryMode {
    /// Read it; statuses as of `as_of`, or the date of the commit read (HEAD for the worktree).
    Read {
        /// `--as-of`.
        as_of: Option<jiff::civil::Date>,
    },
    /// Do not read it: comparing versions (`diff`) needs none.
    Skip,
}

/// Work shared between the openings of several versions of one handbook (and `serve`'s
/// rebuilds): commits already read, documents already parsed.
#[derive(Default)]
pub struct Caches {
    /// Commits read and diffed.
    pub history: history::HistoryCache,
    /// Documents parsed, by path and text.
    pub parsed: parse::ParseCache,
}

impl Caches {
    /// Caches that start from the history cache the last run left under `root`
    /// (`.policybook-cache/`, see `history::store`).
    pub fn stored(root: &Path) -> Caches {
        Caches {
            history: crate::timings::time("history cache (read)", || history::store::load(root)),
            parsed: parse::ParseCache::default(),
        }
    }

    /// Keeps the history cache under `root` for the next run. A cache that cannot be written
    /// costs only time, so failing to write it is not a problem of the handbook's.
    pub fn store(&self, root: &Path) {
        let _ = crate::timings::time("history cache (write)", || {
            history::store::save(&self.history, root)
        });
    }
}

/// Reads, parses and resolves the handbook at `source`: everything before rendering. Problems
/// are in `diags`; `Err` only when there is nothing to resolve (no usable `site.toml`). A
/// handbook with errors is still returned, so that `check` reports every problem of every stage.
pub fn open(
    source: &Source,
    mode: HistoryMode,
    caches: Option<&Caches>,
    diags: &mut Diagnostics,
) -> Outcome<Handbook> {
    let load = std::time::Instant::now();
    let read = source.read(diags)?;
    open_read(source, read, load, mode, caches, diags)
}

/// [`open`] with `source`'s files already read (`build` reads them first to see whether
/// anything changed since the last build); `load` is when reading started.
pub fn open_read(
    source: &Source,
    (config, sources): (Config, Sources),
    load: std::time::Instant,
    mode: HistoryMode,
    caches: Option<&Caches>,
    diags: &mut Diagnostics,
) -> Outcome<Handbook> {
    let catalog = crate::catalog::assemble(&config, &catalog_files(&sources), diags);
    config.validate(&catalog, diags);
    crate::timings::record("load (files, site.toml, catalog)", load.elapsed());
    // The register's files have a history too: their revisions and reviews are evidence.
    let mut paths: Vec<String> = sources
        .documents
        .iter()
        .chain(&sources.registers)
        .map(|s| s.path.clone())
        .collect();
    // A Statement of Applicability comes from site.toml too: its approvals are the SoA's.
    if config
        .frameworks
        .keys()
        .any(|k| resolve::soa::has_soa(&config, &catalog, k))
    {
        paths.push(resolve::soa::SETTINGS_FILE.to_string());
    }
    // Parsing and the history walk are independent: run them side by side.
    let ((documents, parse_diags), history) = rayon::join(
        || {
            let mut d = Diagnostics::new();
            let docs = crate::timings::time("parse", || {
                parse::parse_all(
                    &sources.documents,
                    &config.scope.framework,
                    caches.map(|c| &c.parsed),
                    &mut d,
                )
            });
            (docs, d)
        },
        || match mode {
            HistoryMode::Skip => history::History::default(),
            HistoryMode::Read { as_of } => crate::timings::time("history", || {
                history::extract(&history::Request {
                    root: source.root(),
                    documents: &paths,
                    as_of,
                    at_commit: source.commit(),
                    cache: caches.map(|c| &c.history),
                    people_at_changes: config.reviews.pull_requests.is_some(),
                    versions: config.acknowledgements.files.is_some(),
                })
            }),
        },
    );
    diags.extend(parse_diags);
    let register =
        parse::register::parse_registers(&sources.registers, &config.scope.framework, diags);
    let people = parse::people::parse_people(sources.people.as_ref(), diags);
    let acknowledgements = parse::acknowledgements::parse_acknowledgements(
        config.acknowledgements.files.is_some(),
        sources.roster.as_ref(),
        &sources.acknowledgements,
        diags,
    );
    let signers = resolve::signatures::Signers::parse(
        sources.signers.as_ref(),
        sources.revoked.as_ref(),
        sources.openpgp_keys.as_ref(),
        diags,
    );
    if let HistoryMode::Read { .. } = mode {
        resolve::source_warnings(&history, &source.shown(), diags);
    }
    let resolving = std::time::Instant::now();
    let handbook = resolve::resolve(
        resolve::Parsed {
            config,
            catalog,
            documents: documents.into_iter().map(std::sync::Arc::new).collect(),
            reused: 0,
            register,
            register_files: sources.registers.iter().map(|s| s.path.clone()).collect(),
            people,
            signers,
            pull_requests: sources.pull_requests,
            acknowledgements,
            available: sources.assets,
            history,
            earlier: None,
        },
        diags,
    );
    crate::timings::record("resolve", resolving.elapsed());
    Ok(handbook)
}
