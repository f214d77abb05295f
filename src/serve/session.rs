//! The builds `serve` performs: one full build at start, then after each change either an
//! incremental rebuild (only Markdown files under policies/ changed, HEAD did not move) or a
//! full one (site.toml, the theme, assets or git changed).
//!
//! An incremental rebuild re-reads and re-parses only the changed files and reuses the history
//! (refreshing only whether the changed files differ from HEAD). When only their text changed
//! (the common case: front matter, headings and linked files as they were), or their text and
//! title, the last handbook is updated in place (`resolve::TextEdit`); otherwise it is resolved
//! again (links and coverage are global). Then only the pages whose inputs changed are
//! rendered, keeping every other page of the last good site. A failed rebuild keeps the last
//! good site.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Diagnostics, Outcome};
use crate::git::open_repository;
use crate::model::{DocIx, Ix, IxVec, url};
use crate::pipeline::history::WorkingTreeStatus;
use crate::pipeline::load::SourceFile;
use crate::pipeline::render::theme::Theme;
use crate::pipeline::render::{
    BodyCache, RenderContext, Selection, export_paths, page_paths, render,
};
use crate::pipeline::resolve::{Handbook, TextEdit};
use crate::pipeline::{Caches, HistoryMode, Source, open, parse, resolve};
use crate::site::{SiteInputs, render_site};

/// The site as served: path → contents.
pub type Files = HashMap<String, FileBody>;

/// A served file: rendered pages are held in memory; files documents link to are read from where
/// they are when requested, so a large one never sits in memory.
#[derive(Clone, Debug)]
pub enum FileBody {
    /// Rendered, in memory.
    Bytes(Arc<Vec<u8>>),
    /// Read from where it is, when requested.
    Copy(crate::pipeline::load::AssetSource),
}

impl FileBody {
    fn bytes(contents: Vec<u8>) -> FileBody {
        FileBody::Bytes(Arc::new(contents))
    }
}

/// What a rebuild produced.
pub struct Built {
    /// The whole site as it is now.
    pub files: Files,
    /// Pages that depend on the change but are rendered when next requested (`render_now`).
    pub stale: HashSet<String>,
    /// Pages and files produced by this build (the rest was kept).
    pub rendered: usize,
    /// How long the rebuild took.
    pub elapsed: Duration,
    /// Only the changed documents were read again.
    pub incremental: bool,
    /// After an incremental rebuild, the warnings about the edited files.
    pub warnings: Diagnostics,
    /// Only the text of documents changed, or their text and title: the last handbook was
    /// updated in place rather than resolved again.
    pub text_only: bool,
}

/// What a page's output depends on, hashed, so an unchanged page is not rendered again.
type Signature = u64;

struct LastGood {
    handbook: Handbook,
    theme: Theme,
    head: Option<String>,
    files: Files,
    pages: HashMap<String, Signature>,
    meta: Signature,
    reviews: Signature,
    /// Out-of-date pages not requested since; they stay out of date across rebuilds.
    stale: HashSet<String>,
    /// Its warnings.
    warnings: Vec<Diagnostic>,
}

/// The state of `serve` between builds: what was built last, and the caches.
pub struct Session {
    source: Source,
    root: PathBuf,
    as_of: Option<jiff::civil::Date>,
    caches: Caches,
    bodies: BodyCache,
    last: Option<LastGood>,
    retry: Retry,
    /// The handbook's repository and the handbook's path in it, kept open between rebuilds: git
    /// then reads its index again only when it changed (reading it was most of asking whether
    /// an edited file is committed). `None` outside a repository.
    repo: Mutex<Option<(git2::Repository, String)>>,
}

/// What the last rebuild failed to build, built again with the next change. Without it, an edit
/// to another file would build from the last good handbook and hide the error that is still on
/// disk.
#[derive(Default)]
enum Retry {
    #[default]
    Nothing,
    /// The files of a failed incremental rebuild.
    Files(Vec<String>),
    /// Everything, after a failed full rebuild (`site.toml`, the theme…).
    Everything,
}

impl Session {
    /// A session for the handbook at `root`; nothing is built until `rebuild`.
    pub fn new(root: &Path, as_of: Option<jiff::civil::Date>) -> Session {
        Session {
            source: Source::worktree(root),
            root: root.to_path_buf(),
            as_of,
            caches: Caches::stored(root),
            bodies: BodyCache::default(),
            last: None,
            retry: Retry::Nothing,
            repo: Mutex::new(open_repository(root)),
        }
    }

    /// Rebuilds after `changed` files (absolute or relative to the root); an empty list means
    /// "rebuild everything". Problems go to `diags`; on `Err` the last site stays.
    pub fn rebuild(&mut self, changed: &[PathBuf], diags: &mut Diagnostics) -> Outcome<Built> {
        let start = Instant::now();
        let mut rel: Vec<String> = changed.iter().filter_map(|p| self.relative(p)).collect();
        let everything = match std::mem::take(&mut self.retry) {
            Retry::Nothing => false,
            Retry::Files(failed) => {
                rel.extend(failed);
                false
            }
            Retry::Everything => true,
        };
        // A file saved twice is read once.
        rel.sort();
        rel.dedup();
        // A file under policies/ that came and went since the last build, and was not one of
        // its files (a temporary copy that `sed -i` or an editor renamed over a document), is
        // no change: the document it became is.
        let came_and_went = |p: &String| {
            let Some(below) = p.strip_prefix("policies/") else {
                return false;
            };
            !p.to_ascii_lowercase().ends_with(".md")
                && !self.root.join(p).exists()
                && self
                    .last
                    .as_ref()
                    .is_some_and(|l| !l.handbook.available.contains_key(below))
        };
        let before = rel.len();
        rel.retain(|p| !came_and_went(p));
        if before > 0
            && rel.is_empty()
            && !everything
            && let Some(last) = &self.last
        {
            return Ok(Built {
                files: last.files.clone(),
                stale: last.stale.clone(),
                rendered: 0,
                elapsed: start.elapsed(),
                incremental: true,
                warnings: Diagnostics::new(),
                text_only: true,
            });
        }
        let only_documents = !everything
            && !rel.is_empty()
            && rel
                .iter()
                .all(|p| p.starts_with("policies/") && p.to_ascii_lowercase().ends_with(".md"));
        let head = self.current_head();
        let incremental = only_documents
            && self
                .last
                .as_ref()
                .is_some_and(|l| l.head == head && l.handbook.config.versions.is_none());
        let result = if incremental {
            self.incremental(&rel, head, diags)
        } else {
            self.full(head, diags)
        };
        let Ok(mut built) = result else {
            self.retry = if incremental {
                Retry::Files(rel)
            } else {
                Retry::Everything
            };
            return Err(crate::diagnostics::Reported);
        };
        built.elapsed = start.elapsed();
        built.incremental = incremental;
        Ok(built)
    }

    /// The commit HEAD names now, in the repository kept open (opened again by each full
    /// build, in case it was made or replaced since).
    fn current_head(&self) -> Option<String> {
        let repo = self.repo.lock().ok()?;
        let (repo, _) = repo.as_ref()?;
        let head = repo.head().ok()?.target()?;
        Some(head.to_string())
    }

    fn relative(&self, p: &Path) -> Option<String> {
        let abs_root = self.root.canonicalize().ok()?;
        let rel = match p.strip_prefix(&abs_root) {
            Ok(r) => r.to_path_buf(),
            Err(_) => p.strip_prefix(&self.root).ok()?.to_path_buf(),
        };
        Some(
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/"),
        )
    }

    fn full(&mut self, head: Option<String>, diags: &mut Diagnostics) -> Outcome<Built> {
        if let Ok(mut repo) = self.repo.lock() {
            *repo = open_repository(&self.root);
        }
        let hb = open(
            &self.source,
            HistoryMode::Read { as_of: self.as_of },
            Some(&self.caches),
            diags,
        )?;
        let theme = Theme::load(&self.root, &self.source.shown(), diags);
        diags.no_errors()?;
        let theme = theme?;
        let site = render_site(
            &SiteInputs {
                source: &self.source,
                handbook: &hb,
                theme: &theme,
                caches: &self.caches,
                bodies: Some(&self.bodies),
                pages_to: None,
                selection: &Selection::everything(),
            },
            diags,
        )?;
        // Kept for the next `build` or `serve` (a no-op when no new commit was read).
        self.caches.store(&self.root);
        diags.no_errors()?;
        let mut files: Files = site
            .files
            .into_iter()
            .map(|f| (f.path, FileBody::bytes(f.contents)))
            .collect();
        for (path, from) in site.copies {
            files.insert(path, FileBody::Copy(from));
        }
        let rendered = files.len();
        self.last = Some(LastGood {
            warnings: diags.iter().filter(|d| !d.is_error()).cloned().collect(),
            pages: page_signatures(&hb),
            meta: meta_signature(&hb),
            reviews: review_signature(&hb),
            handbook: hb,
            theme,
            head,
            files: files.clone(),
            stale: HashSet::new(),
        });
        Ok(Built {
            files,
            stale: HashSet::new(),
            rendered,
            elapsed: Duration::ZERO,
            incremental: false,
            warnings: Diagnostics::new(),
            text_only: false,
        })
    }

    fn incremental(
        &mut self,
        changed: &[String],
        head: Option<String>,
        diags: &mut Diagnostics,
    ) -> Outcome<Built> {
        let Some(last) = self.last.as_ref() else {
            return self.full(head, diags);
        };
        // Only the changed files are read again; a deleted one is simply left out.
        let mut fresh = Vec::new();
        for rel in changed {
            if self.root.join(rel).is_file() {
                // A file that cannot be read is reported; the others are still rebuilt.
                if let Ok(s) = self.source.read_one(rel, diags) {
                    fresh.push(s);
                }
            }
        }
        // The changed files parsed, and whether each now differs from HEAD (asked of git),
        // side by side.
        let framework = &last.handbook.config.scope.framework;
        let parsed_cache = &self.caches.parsed;
        let (root, repo) = (&self.root, &self.repo);
        let ((parsed, parse_diags), status) = rayon::join(
            || {
                let mut d = Diagnostics::new();
                let docs = parse::parse_all(&fresh, framework, Some(parsed_cache), &mut d);
                (docs, d)
            },
            || {
                let repo = repo.lock().ok();
                let repo = repo.as_ref().and_then(|r| r.as_ref());
                last.handbook
                    .history
                    .working_tree_status(repo, root, changed)
            },
        );
        diags.extend(parse_diags);
        // The common edit: only the text of documents that still parse. The last handbook is
        // then updated in place rather than resolved again.
        if parsed.len() == changed.len() && !diags.has_errors() {
            let mut found = Diagnostics::new();
            if let Some(edit) = TextEdit::prepare(&last.handbook, parsed.clone(), &mut found)
                && !edit.retitles_one_quoted_in(&last.handbook, &last.warnings)
            {
                diags.extend(found);
                return self.apply_text_edit(edit, &fresh, status, diags);
            }
        }
        self.resolve_again(changed, head, parsed, status, &fresh, diags)
    }

    /// A text-only edit ([`TextEdit`]): applied to the last handbook, and the pages it changed
    /// rendered.
    fn apply_text_edit(
        &mut self,
        edit: TextEdit,
        fresh: &[SourceFile],
        status: WorkingTreeStatus,
        diags: &mut Diagnostics,
    ) -> Outcome<Built> {
        // A broken link in the new text: the last site stays, untouched.
        diags.no_errors()?;
        let Some(mut last) = self.last.take() else {
            return Err(crate::diagnostics::Reported);
        };
        let shown = self.source.shown();
        // What the checks that run again said before the edit, to take out of the last build's
        // warnings: the old texts' parse warnings (from the cache, which holds only documents
        // without any), the history's, and those of links and review standing (from `apply`).
        let mut before = Diagnostics::new();
        let old_texts: Vec<SourceFile> = fresh
            .iter()
            .filter_map(|s| {
                let docs = last.handbook.documents.as_slice();
                let i = docs
                    .binary_search_by(|d| d.path.as_str().cmp(&s.path))
                    .ok()?;
                Some(SourceFile {
                    path: s.path.clone(),
                    display: docs[i].display_path.clone(),
                    text: docs[i].source.clone(),
                })
            })
            .collect();
        let framework = last.handbook.config.scope.framework.clone();
        parse::parse_all(
            &old_texts,
            &framework,
            Some(&self.caches.parsed),
            &mut before,
        );
        resolve::source_warnings(&last.handbook.history, &shown, &mut before);
        // A new title moves its document in the reading order: the pages before and after it,
        // there and where it was, show another neighbour.
        let retitled: Vec<DocIx> = edit
            .retitled(&last.handbook)
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        let mut neighbours_of_retitled: HashSet<DocIx> = HashSet::new();
        if !retitled.is_empty() {
            neighbours_of_retitled.extend(Neighbours::of(&last.handbook).around(&retitled));
        }
        let applied = edit.apply(&mut last.handbook, status, diags);
        before.extend(applied.warnings_before);
        resolve::source_warnings(&last.handbook.history, &shown, diags);
        let mut warnings = std::mem::take(&mut last.warnings);
        for old in before.iter().filter(|d| !d.is_error()) {
            if let Some(at) = warnings.iter().position(|w| **w == **old) {
                warnings.remove(at);
            }
        }
        warnings.extend(diags.iter().filter(|d| !d.is_error()).cloned());

        let hb = &last.handbook;
        let neighbours = Neighbours::of(hb);
        let mut wanted: HashSet<String> = applied
            .pages
            .iter()
            .map(|&i| url::document(&hb.documents[i].id))
            .collect();
        for &i in &applied.pages {
            last.pages.insert(
                url::document(&hb.documents[i].id),
                page_signature(hb, &neighbours, i),
            );
        }
        if !retitled.is_empty() {
            neighbours_of_retitled.extend(neighbours.around(&retitled));
            // Pages that show a title of another document, when theirs changed.
            let others = neighbours_of_retitled
                .into_iter()
                .map(|i| {
                    (
                        url::document(&hb.documents[i].id),
                        page_signature(hb, &neighbours, i),
                    )
                })
                .chain(exception_signatures(hb));
            for (path, signature) in others {
                if last.pages.get(&path) != Some(&signature) {
                    wanted.insert(path.clone());
                    last.pages.insert(path, signature);
                }
            }
            last.meta = meta_signature(hb);
        }
        let reviews = review_signature(hb);
        // Only the text changed, or a title too: no listing shows anything new, unless a title
        // changed or a review state did (the text is no longer, or again, as committed).
        let (eager, stale) = out_of_date(
            hb,
            wanted,
            &last.pages,
            !retitled.is_empty(),
            reviews != last.reviews,
            &last.stale,
        );
        // A page that does not render (a theme's template error): `last` is dropped, so the
        // next change rebuilds everything; the server keeps showing the last good site.
        let rendered = self.render_pages(&last.handbook, &last.theme, eager, diags)?;
        let count = rendered.len();
        for path in &stale {
            last.files.remove(path);
        }
        for f in rendered {
            last.files.insert(f.path, FileBody::bytes(f.contents));
        }
        last.reviews = reviews;
        last.stale = stale.clone();
        last.warnings = warnings;
        let built = Built {
            files: last.files.clone(),
            stale,
            rendered: count,
            warnings: warnings_in(&last.warnings, fresh),
            elapsed: Duration::ZERO,
            incremental: true,
            text_only: true,
        };
        self.last = Some(last);
        Ok(built)
    }

    /// Any other edit of documents: the unchanged ones reused as they are, the changed ones as
    /// parsed, and the handbook resolved again (links and coverage are global).
    fn resolve_again(
        &mut self,
        changed: &[String],
        head: Option<String>,
        parsed: Vec<crate::model::Document>,
        status: WorkingTreeStatus,
        fresh: &[SourceFile],
        diags: &mut Diagnostics,
    ) -> Outcome<Built> {
        let Some(last) = self.last.as_ref() else {
            return self.full(head, diags);
        };
        let changed_set: HashSet<&str> = changed.iter().map(String::as_str).collect();
        // The unchanged documents (exceptions too, kept apart once resolved) and the history are
        // shared with the last build, not copied.
        let mut documents: Vec<Arc<crate::model::Document>> = last
            .handbook
            .documents
            .iter()
            .chain(last.handbook.exceptions.iter().map(|e| &e.doc))
            .filter(|d| !changed_set.contains(d.path.as_str()))
            .cloned()
            .collect();
        let mut history = last.handbook.history.clone();
        let reused = documents.len();
        documents.extend(parsed.into_iter().map(Arc::new));
        let present: HashSet<String> = documents
            .iter()
            .map(|d| d.path.clone())
            .chain(last.handbook.register_history.files.iter().cloned())
            .collect();
        history.retain_documents(&present);
        history.apply_working_tree_status(status);
        resolve::source_warnings(&history, &self.source.shown(), diags);

        let hb = resolve::resolve(
            resolve::Parsed {
                config: last.handbook.config.clone(),
                catalog: last.handbook.catalog.clone(),
                documents,
                reused,
                register: last.handbook.register.iter().cloned().collect(),
                register_files: last.handbook.register_history.files.clone(),
                people: last.handbook.people.clone(),
                signers: last.handbook.signers.clone(),
                pull_requests: last.handbook.pull_requests.clone(),
                acknowledgements: last.handbook.acknowledgements.sources.clone(),
                available: last.handbook.available.clone(),
                history,
                earlier: Some(&last.handbook),
            },
            diags,
        );
        diags.no_errors()?;

        // What to render again.
        let (pages, (meta, reviews)) = rayon::join(
            || page_signatures(&hb),
            || (meta_signature(&hb), review_signature(&hb)),
        );
        let wanted: HashSet<String> = pages
            .iter()
            .filter(|(path, sig)| last.pages.get(*path) != Some(sig))
            .map(|(path, _)| path.clone())
            .collect();
        let (eager, stale) = out_of_date(
            &hb,
            wanted,
            &pages,
            meta != last.meta,
            reviews != last.reviews,
            &last.stale,
        );
        let site_files = self.render_pages(&hb, &last.theme, eager, diags)?;
        let mut files = last.files.clone();
        for path in last.pages.keys() {
            if !pages.contains_key(path) {
                files.remove(path);
            }
        }
        for path in &stale {
            files.remove(path);
        }
        let rendered = site_files.len();
        for f in site_files {
            files.insert(f.path, FileBody::bytes(f.contents));
        }
        let Some(previous) = self.last.take() else {
            return Err(crate::diagnostics::Reported);
        };
        let LastGood {
            handbook: old_handbook,
            theme,
            files: old_files,
            pages: old_pages,
            stale: old_stale,
            ..
        } = previous;
        // Freeing the last handbook (every document, revision and trace entry) took a tenth of
        // a rebuild: it is done beside the next step rather than before the reload.
        std::thread::spawn(move || drop((old_handbook, old_files, old_pages, old_stale)));
        let warnings: Vec<Diagnostic> = diags.iter().filter(|d| !d.is_error()).cloned().collect();
        let built = Built {
            files: files.clone(),
            stale: stale.clone(),
            rendered,
            warnings: warnings_in(&warnings, fresh),
            elapsed: Duration::ZERO,
            incremental: true,
            text_only: false,
        };
        self.last = Some(LastGood {
            handbook: hb,
            theme,
            head,
            files,
            pages,
            meta,
            reviews,
            stale,
            warnings,
        });
        Ok(built)
    }

    /// The pages `paths` of `hb`, rendered.
    fn render_pages(
        &self,
        hb: &Handbook,
        theme: &Theme,
        paths: HashSet<String>,
        diags: &mut Diagnostics,
    ) -> Outcome<Vec<crate::pipeline::render::OutputFile>> {
        let site = render(
            &RenderContext {
                handbook: hb,
                theme,
                version: None,
                bodies: Some(&self.bodies),
                selection: &Selection::pages(paths),
            },
            diags,
        )?;
        diags.no_errors()?;
        Ok(site.files)
    }
}

/// Which pages an edit put out of date: `wanted` (pages whose inputs changed), split into the
/// document pages rendered at once (what the open page reloads) and everything else, rendered
/// when next requested: listings, control pages, the reviews page, the exports, the search
/// index. `document_pages`: the signature of every document (and exception) page.
fn out_of_date(
    hb: &Handbook,
    mut wanted: HashSet<String>,
    document_pages: &HashMap<String, Signature>,
    meta_changed: bool,
    reviews_changed: bool,
    still_stale: &HashSet<String>,
) -> (HashSet<String>, HashSet<String>) {
    // Titles, mappings and review states show on every listing (home, controls, matrix,
    // reviews, the change log…): all pages other than the documents' are then out of date.
    if meta_changed || reviews_changed {
        wanted.extend(
            page_paths(hb)
                .into_iter()
                .filter(|p| !document_pages.contains_key(p)),
        );
    }
    let (eager, mut stale): (HashSet<String>, HashSet<String>) = wanted
        .into_iter()
        .partition(|p| p.starts_with("documents/") && document_pages.contains_key(p));
    if meta_changed || reviews_changed {
        stale.extend(export_paths(hb));
    }
    if meta_changed {
        stale.insert("navigation.js".to_string());
    }
    stale.insert("search-index.js".to_string());
    // The printable packet holds every document's text and review state.
    if hb.config.publish.print {
        stale.insert(url::PRINT.to_string());
    }
    if hb.config.publish.exceptions {
        stale.insert("exceptions.csv".to_string());
    }
    stale.extend(still_stale.iter().cloned());
    (eager, stale)
}

/// The warnings about the files just edited: what `serve` prints after an edit.
fn warnings_in(warnings: &[Diagnostic], edited: &[SourceFile]) -> Diagnostics {
    let mut about = Diagnostics::new();
    for w in warnings {
        if w.file
            .as_ref()
            .is_some_and(|f| edited.iter().any(|s| s.display == *f))
        {
            about.push(w.clone());
        }
    }
    about
}

impl Session {
    /// Renders one page (or export) that the last rebuild left stale, from the last good
    /// handbook. `None` when there is no such page; problems go to `diags`.
    pub fn render_now(&mut self, path: &str, diags: &mut Diagnostics) -> Option<Outcome<Vec<u8>>> {
        let last = self.last.as_mut()?;
        let selection = Selection {
            pages: Some(HashSet::from([path.to_string()])),
            exports: export_paths(&last.handbook).iter().any(|p| p == path),
            search: path == "search-index.js",
            navigation: path == "navigation.js",
            statics: false,
        };
        let site = render(
            &RenderContext {
                handbook: &last.handbook,
                theme: &last.theme,
                version: None,
                bodies: Some(&self.bodies),
                selection: &selection,
            },
            diags,
        );
        let site = match site {
            Ok(site) => site,
            Err(e) => return Some(Err(e)),
        };
        let mut found = None;
        for f in site.files {
            last.stale.remove(&f.path);
            let bytes = Arc::new(f.contents);
            last.files
                .insert(f.path.clone(), FileBody::Bytes(bytes.clone()));
            if f.path == path {
                found = Some(bytes);
            }
        }
        found.map(|bytes| Ok(bytes.as_ref().clone()))
    }
}

/// foldhash rather than the standard SipHash: signatures hash every document's metadata and
/// links after each edit, and SipHash in them was about 5% of a title edit's CPU (perf, 80 edits
/// of the 2,000-document corpus). Nobody chooses these inputs to collide.
fn hash_of(f: impl FnOnce(&mut foldhash::quality::FoldHasher<'static>)) -> Signature {
    let mut h = foldhash::quality::FixedState::default().build_hasher();
    f(&mut h);
    h.finish()
}

/// What every listing shows of each document: titles, kinds, owners, status, paths, control
/// mappings. When it changes, the home page, the matrix, the control pages… are rendered again.
fn meta_signature(hb: &Handbook) -> Signature {
    // Each document's part side by side, then all of them in order.
    let documents: Vec<Signature> = hb
        .documents
        .as_slice()
        .par_iter()
        .map(|d| {
            hash_of(|h| {
                (
                    &d.id, &d.title, d.kind, &d.owner, d.status, &d.version, &d.path,
                )
                    .hash(h);
                d.review.map(|r| r.months).hash(h);
                d.effective.hash(h);
                (&d.approvers, &d.tags).hash(h);
                for c in &d.controls {
                    (&c.framework, &c.id).hash(h);
                }
                for s in d.sections.iter() {
                    (&s.anchor, &s.title).hash(h);
                    for c in &s.controls {
                        (&c.framework, &c.id).hash(h);
                    }
                }
            })
        })
        .collect();
    hash_of(|h| {
        documents.hash(h);
        for r in &hb.refs {
            (&r.implements, &r.implemented_by).hash(h);
        }
    })
}

/// Review state of every document, and whether the sources are committed: what the reviews
/// page and the exports show.
fn review_signature(hb: &Handbook) -> Signature {
    hash_of(|h| {
        hb.history.source.dirty.hash(h);
        for (d, r) in hb.documents.iter().zip(&hb.reviews) {
            (&d.id, r.status, r.next_due, r.uncommitted).hash(h);
            r.last_changed().map(|c| &c.commit.id).hash(h);
            r.last_reviewed().map(|c| &c.commit.id).hash(h);
        }
    })
}

/// Each document's place in the reading order: its page shows the titles of the documents
/// before and after it.
struct Neighbours {
    order: Vec<DocIx>,
    rank: IxVec<DocIx, usize>,
}

impl Neighbours {
    /// The documents just before and after each of `docs` in the reading order.
    fn around(&self, docs: &[DocIx]) -> Vec<DocIx> {
        let mut out = Vec::new();
        for &i in docs {
            let pos = self.rank[i];
            out.extend(pos.checked_sub(1).map(|p| self.order[p]));
            out.extend(self.order.get(pos + 1).copied());
        }
        out
    }

    fn of(hb: &Handbook) -> Neighbours {
        let order = crate::pipeline::render::views::reading_order(hb);
        let mut rank = IxVec::filled(order.len(), 0);
        for (pos, &i) in order.iter().enumerate() {
            rank[i] = pos;
        }
        Neighbours { order, rank }
    }
}

/// Per document page: its own text and metadata, review state, and what it shows of others
/// (backlinks, implements, previous and next).
fn page_signatures(hb: &Handbook) -> HashMap<String, Signature> {
    let neighbours = Neighbours::of(hb);
    hb.documents
        .as_slice()
        .par_iter()
        .enumerate()
        .map(|(i, d)| {
            (
                url::document(&d.id),
                page_signature(hb, &neighbours, DocIx::new(i)),
            )
        })
        .chain(exception_signatures(hb))
        .collect()
}

fn page_signature(hb: &Handbook, neighbours: &Neighbours, i: DocIx) -> Signature {
    let title = |i: DocIx| {
        (
            &hb.documents[i].id,
            &hb.documents[i].title,
            hb.documents[i].kind,
        )
    };
    let d = &hb.documents[i];
    hash_of(|h| {
        (
            Arc::as_ptr(&d.source) as *const u8 as usize,
            &d.source.len(),
        )
            .hash(h);
        (
            &d.id, &d.title, d.kind, &d.owner, d.status, &d.version, &d.path,
        )
            .hash(h);
        let r = &hb.reviews[i];
        (r.status, r.next_due, r.uncommitted).hash(h);
        let refs = &hb.refs[i];
        for list in [&refs.referenced_by, &refs.implemented_by, &refs.implements] {
            for &j in list {
                title(j).hash(h);
            }
        }
        refs.links.hash(h);
        let pos = neighbours.rank[i];
        pos.checked_sub(1)
            .map(|p| title(neighbours.order[p]))
            .hash(h);
        neighbours.order.get(pos + 1).map(|&n| title(n)).hash(h);
        // Its open exceptions show as notices on it.
        if hb.config.publish.exceptions {
            for e in hb
                .exceptions
                .iter()
                .filter(|e| e.target.is_some_and(|(d, _)| d == i))
            {
                exception_key(e).hash(h);
            }
        }
    })
}

/// What an exception's page and its row of the register show.
fn exception_key(e: &crate::pipeline::resolve::ExceptionRecord) -> impl Hash + '_ {
    (
        Arc::as_ptr(&e.doc.source) as *const u8 as usize,
        e.doc.source.len(),
        &e.doc.id,
        e.target,
        e.state,
        &e.links,
    )
}

/// The exception register and each exception's page, when they are published.
fn exception_signatures(hb: &Handbook) -> Vec<(String, Signature)> {
    if !hb.config.publish.exceptions {
        return Vec::new();
    }
    let mut out: Vec<(String, Signature)> = hb
        .exceptions
        .iter()
        .map(|e| {
            (
                url::exception(&e.doc.id),
                hash_of(|h| exception_key(e).hash(h)),
            )
        })
        .collect();
    let all = hash_of(|h| {
        for e in &hb.exceptions {
            exception_key(e).hash(h);
        }
    });
    out.push((url::EXCEPTIONS.to_string(), all));
    out
}
