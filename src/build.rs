//! `build` and `check`: open the handbook, render the site (every version of it, with
//! `[versions]`), and write it, all or nothing.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::diagnostics::{Diagnostic, Diagnostics, Outcome};
use crate::pipeline::render::theme::Theme;
use crate::pipeline::render::{OutputFile, PageSink, Selection};
use crate::pipeline::write::{Guard, Staging};
use crate::pipeline::{Caches, HistoryMode, Source, open_read};
use crate::site::{SiteInputs, render_site};
use crate::up_to_date;

/// What to build and where.
#[derive(Debug, Clone)]
pub struct Options {
    /// The handbook: the folder with `site.toml` and `policies/`.
    pub root: PathBuf,
    /// Output folder; `None` means `root/public`.
    pub out: Option<PathBuf>,
    /// `false` for `check`: run every stage but write nothing.
    pub write: bool,
    /// Date review statuses are computed at; default: the HEAD commit's date.
    pub as_of: Option<jiff::civil::Date>,
    /// Read and keep the history cache (`.policybook-cache/`); `--no-cache` turns it off.
    pub cache: bool,
}

impl Options {
    /// Where the site goes.
    pub fn out_dir(&self) -> PathBuf {
        self.out.clone().unwrap_or_else(|| self.root.join("public"))
    }
}

/// The outcome of a run: problems found and the figures of the one-line summary.
#[derive(Debug, Default)]
pub struct Report {
    /// Every problem found.
    pub diagnostics: Diagnostics,
    /// Documents read.
    pub documents: usize,
    /// Policy exceptions read (`kind: exception`), not counted in `documents`.
    pub exceptions: usize,
    /// Controls of the catalog in scope of the audit.
    pub controls_in_scope: usize,
    /// In-scope controls covered by a published document or section.
    pub controls_covered: usize,
    /// In-scope controls nothing covers.
    pub gaps: usize,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
    /// Set when the site was written.
    pub written_to: Option<PathBuf>,
    /// How long each stage took, in order (`build --timings`).
    pub timings: Vec<(&'static str, Duration)>,
    /// The steps inside those stages, some of which run side by side (`crate::timings`).
    pub steps: Vec<(&'static str, Duration)>,
    /// Every document's next review, soonest first (`check --due-within`).
    pub due: Vec<crate::pipeline::render::calendar::DueReview>,
    /// The date statuses are computed for.
    pub as_of: Option<jiff::civil::Date>,
    /// Nothing changed since the last build into the same folder, which was left as it was.
    pub up_to_date: bool,
}

impl Report {
    /// The figures of the summary line, as the build record keeps them.
    fn summary(&self) -> up_to_date::Summary {
        up_to_date::Summary {
            documents: self.documents,
            exceptions: self.exceptions,
            controls_in_scope: self.controls_in_scope,
            controls_covered: self.controls_covered,
            gaps: self.gaps,
            as_of: self.as_of,
        }
    }

    /// The figures of a recorded build, for a build with nothing to do.
    fn set_summary(&mut self, s: up_to_date::Summary) {
        let up_to_date::Summary {
            documents,
            exceptions,
            controls_in_scope,
            controls_covered,
            gaps,
            as_of,
        } = s;
        self.documents = documents;
        self.exceptions = exceptions;
        self.controls_in_scope = controls_in_scope;
        self.controls_covered = controls_covered;
        self.gaps = gaps;
        self.as_of = as_of;
    }
}

/// Records the time since the previous mark under `stage`.
struct Stopwatch {
    last: Instant,
}

impl Stopwatch {
    fn mark(&mut self, report: &mut Report, stage: &'static str) {
        let now = Instant::now();
        report.timings.push((stage, now - self.last));
        self.last = now;
    }
}

/// Runs the whole pipeline. Never panics on bad input: every problem is in the report, and the
/// output folder is only replaced when there are no errors.
pub fn build(opts: &Options) -> Report {
    build_with(opts, Teardown::Free)
}

/// [`build`] for a process that ends once the report is printed (`policybook build` and
/// `check`): the handbook and the site are left for the exit to take back instead of being freed
/// object by object, a few percent of a cold build's CPU time for a 2,000-document handbook.
pub fn build_then_exit(opts: &Options) -> Report {
    build_with(opts, Teardown::LeaveToExit)
}

/// What becomes of the handbook and the site once the build is done with them.
#[derive(Clone, Copy)]
enum Teardown {
    Free,
    LeaveToExit,
}

impl Teardown {
    fn apply<T>(self, done_with: T) {
        match self {
            Teardown::Free => drop(done_with),
            Teardown::LeaveToExit => std::mem::forget(done_with),
        }
    }
}

fn build_with(opts: &Options, teardown: Teardown) -> Report {
    let start = Instant::now();
    let mut report = Report::default();
    let mut diags = Diagnostics::new();
    // `Err` has nothing to add: the reasons are in `diags`.
    let _ = run(opts, &mut report, &mut diags, start, teardown);
    report.diagnostics = diags;
    report.elapsed = start.elapsed();
    report.steps = crate::timings::take();
    report
}

/// The sources to build: the working tree, or — with `--as-of` a day before HEAD's — the last
/// commit on HEAD's first-parent line committed on or before that day, so that statuses are
/// those the handbook showed then (a commit made on a branch before that day but merged after
/// it was not in the handbook yet, and the working tree's edits were not either).
fn as_of_source(
    root: &Path,
    as_of: Option<jiff::civil::Date>,
    diags: &mut Diagnostics,
) -> Outcome<Source> {
    let worktree = Source::worktree(root);
    let Some(day) = as_of else {
        return Ok(worktree);
    };
    let Some((repo, _)) = crate::git::open_repository(root) else {
        return Ok(worktree);
    };
    let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) else {
        return Ok(worktree);
    };
    if crate::git::commit_date(&head) <= day {
        return Ok(worktree);
    }
    match crate::git::commit_on_or_before(&repo, day) {
        Ok((commit, _)) => {
            let id = commit.to_string();
            Ok(Source::Commit {
                root: root.to_path_buf(),
                commit,
                label: id[..7].to_string(),
            })
        }
        Err(first) => diags.fail(
            Diagnostic::error(format!(
                "--as-of {day}: the handbook has no commit on or before that day{}",
                first
                    .map(|d| format!(" (its history starts on {d})"))
                    .unwrap_or_default()
            ))
            .hint("choose a later date"),
        ),
    }
}

/// A handbook opened as `build` opens it (the working tree, or the commit `--as-of` names) with
/// its site rendered in memory: what `build`, `pdf` and `oscal` start from.
pub struct Rendered {
    /// The handbook.
    pub handbook: crate::pipeline::resolve::Handbook,
    /// Its theme, when it loaded.
    pub theme: Option<Theme>,
    /// Its site; `Err` when the theme or a template failed (the reasons are in the diagnostics).
    pub site: Outcome<crate::pipeline::render::Site>,
    /// How long opening took (the rest of the time was rendering).
    pub opened_in: Duration,
}

/// Opens the handbook and renders its site. Rendered even when there are errors already:
/// template errors are problems too, and `check` reports all of them at once.
pub fn render(
    root: &Path,
    as_of: Option<jiff::civil::Date>,
    cache: bool,
    diags: &mut Diagnostics,
) -> Outcome<Rendered> {
    let start = Instant::now();
    let source = as_of_source(root, as_of, diags)?;
    let read = source.read(diags)?;
    render_read(
        &source,
        read,
        start,
        as_of,
        cache,
        Destination::Memory,
        diags,
    )
    .map(|(rendered, _)| rendered)
}

/// Where a rendered site goes.
#[derive(Clone, Copy)]
enum Destination<'a> {
    /// Kept in memory, whole (`pdf` and `oscal` read its pages).
    Memory,
    /// Written into the output folder as it is rendered.
    Folder(&'a Path, &'a Guard),
    /// Nowhere: `check` renders only to find the problems rendering finds, and drops each
    /// page as soon as it is made.
    Nowhere,
}

/// Pages already written as they were rendered: the folder they are in, and their manifest
/// entries.
type Streamed = (Staging, Vec<crate::manifest::Entry>);

/// [`render`] from files already read (`start` is when reading started). With `out`, and no
/// error found before rendering, each page is written into the new output folder as soon as it
/// is rendered, so that the site is never held in memory whole (at 20,000 documents, a third
/// of a gigabyte of pages).
fn render_read(
    source: &Source,
    read: (crate::config::Config, crate::pipeline::load::Sources),
    start: Instant,
    as_of: Option<jiff::civil::Date>,
    cache: bool,
    destination: Destination<'_>,
    diags: &mut Diagnostics,
) -> Outcome<(Rendered, Option<Streamed>)> {
    let root = source.root();
    let caches = match cache {
        true => Caches::stored(root),
        false => Caches::default(),
    };
    let handbook = open_read(
        source,
        read,
        start,
        HistoryMode::Read { as_of },
        Some(&caches),
        diags,
    )?;
    let opened_in = start.elapsed();
    let theme = Theme::load(source.root(), &source.shown(), diags);
    let staging = match (destination, &theme) {
        (Destination::Folder(out, guard), Ok(_)) if !diags.has_errors() => {
            Staging::begin(out, guard, diags).ok()
        }
        _ => None,
    };
    let selection = match destination {
        Destination::Nowhere => Selection::for_checking(),
        Destination::Memory | Destination::Folder(..) => Selection::everything(),
    };
    let drop_page = |_: OutputFile| Ok(());
    let mut streamed = None;
    let site = match &theme {
        Ok(theme) => {
            let inputs = SiteInputs {
                source,
                handbook: &handbook,
                theme,
                caches: &caches,
                bodies: None,
                pages_to: match destination {
                    Destination::Nowhere => Some(&drop_page),
                    Destination::Memory | Destination::Folder(..) => None,
                },
                selection: &selection,
            };
            match staging {
                Some(staging) => {
                    let (site, written) = write_as_rendered(&staging, |sink| {
                        let inputs = SiteInputs {
                            pages_to: Some(sink),
                            ..inputs
                        };
                        render_site(&inputs, diags)
                    });
                    match written {
                        Ok(entries) if site.is_ok() && !diags.has_errors() => {
                            streamed = Some((staging, entries));
                        }
                        Ok(_) => staging.abandon(diags),
                        Err(d) => {
                            staging.abandon(diags);
                            diags.push(d);
                        }
                    }
                    site
                }
                None => render_site(&inputs, diags),
            }
        }
        Err(e) => Err(*e),
    };
    // After rendering: a site with versions has walked every release's history by now.
    if cache {
        caches.store(root);
    }
    let rendered = Rendered {
        handbook,
        theme: theme.ok(),
        site,
        opened_in,
    };
    Ok((rendered, streamed))
}

/// Runs `render` with somewhere to put each page as soon as it is rendered: the rendering
/// threads hash it for the manifest and hand it to one thread that writes it into `staging`
/// (files of one folder are best created by one thread). The manifest entries of what was
/// written, or why writing failed.
fn write_as_rendered<T>(
    staging: &Staging,
    render: impl FnOnce(&PageSink<'_>) -> T,
) -> (T, Result<Vec<crate::manifest::Entry>, Diagnostic>) {
    let stopped = || Diagnostic::error("the thread writing the site stopped");
    // A few pages in flight: rendering waits for the disk rather than piling pages up.
    let (pages, to_write) = std::sync::mpsc::sync_channel::<OutputFile>(64);
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || {
            let mut wrote = Ok(());
            // After a failure, pages are still taken (and dropped) so that rendering finishes.
            for page in to_write {
                if wrote.is_ok() {
                    wrote = staging.put(&page);
                }
            }
            wrote
        });
        let entries = std::sync::Mutex::new(Vec::new());
        let out = {
            let sink = |page: OutputFile| -> Result<(), Diagnostic> {
                let entry = crate::manifest::Entry::of(&page.path, &page.contents);
                entries.lock().map_err(|_| stopped())?.push(entry);
                pages.send(page).map_err(|_| stopped())
            };
            render(&sink)
        };
        drop(pages);
        let wrote = writer.join().unwrap_or_else(|_| Err(stopped()));
        let entries = entries.into_inner().map_err(|_| stopped());
        (out, wrote.and(entries))
    })
}

fn run(
    opts: &Options,
    report: &mut Report,
    diags: &mut Diagnostics,
    start: Instant,
    teardown: Teardown,
) -> Outcome<()> {
    let before = Instant::now();
    let source = as_of_source(&opts.root, opts.as_of, diags)?;
    let mut read_diags = Diagnostics::new();
    let read = source.read(&mut read_diags);
    let out = opts.out_dir();
    // With the cache on, a build from the inputs of the last one, into the folder it left as it
    // was, has nothing to do (see `up_to_date`).
    let inputs = match (&read, opts.cache && opts.write) {
        (Ok((config, sources)), true) => crate::timings::time("inputs digest", || {
            up_to_date::inputs_digest(&opts.root, &out, opts.as_of, config, sources)
        }),
        _ => None,
    };
    if let Some(digest) = &inputs
        && let Some((summary, recorded)) = up_to_date::unchanged(&opts.root, &out, digest)
    {
        diags.extend(recorded);
        report.set_summary(summary);
        report.up_to_date = true;
        report.written_to = Some(out);
        report
            .timings
            .push(("up-to-date check", before - start + before.elapsed()));
        return Ok(());
    }
    diags.extend(read_diags);
    let read = read?;
    let guard = Guard::for_handbook(&opts.root);
    let destination = match opts.write {
        true => Destination::Folder(out.as_path(), &guard),
        false => Destination::Nowhere,
    };
    let (
        Rendered {
            handbook,
            site,
            opened_in,
            ..
        },
        streamed,
    ) = render_read(
        &source,
        read,
        before,
        opts.as_of,
        opts.cache,
        destination,
        diags,
    )?;
    report
        .timings
        .push(("load, parse, history, resolve", before - start + opened_in));
    report
        .timings
        .push(("render", before.elapsed().saturating_sub(opened_in)));
    let mut clock = Stopwatch {
        last: Instant::now(),
    };
    report.documents = handbook.documents.len();
    report.exceptions = handbook.exceptions.len();
    report.controls_in_scope = handbook.trace.in_scope_count();
    report.controls_covered = handbook.trace.covered_in_scope_count();
    report.gaps = handbook.trace.gaps.len();
    report.due = crate::pipeline::render::calendar::due_reviews(&handbook);
    report.as_of = handbook.history.source.as_of;
    let site = site?;
    diags.no_errors()?;
    if !opts.write {
        teardown.apply((handbook, site));
        return Ok(());
    }
    let (staging, written) = match streamed {
        Some(streamed) => streamed,
        None => (Staging::begin(&out, &guard, diags)?, Vec::new()),
    };
    let mut site = site;
    // The manifest lists every file of the site with its hash, for `policybook verify`.
    let hashing = Instant::now();
    let manifest = diags.take(
        crate::manifest::for_site(&site, written, &handbook).map_err(|e| {
            Diagnostic::error(format!("cannot read a file to list in manifest.json: {e}"))
        }),
    )?;
    site.files.push(crate::pipeline::render::OutputFile {
        path: crate::manifest::FILE.to_string(),
        contents: manifest.to_bytes(),
    });
    crate::timings::record("manifest (SHA-256 of every file)", hashing.elapsed());
    site.files.sort_by(|a, b| a.path.cmp(&b.path));
    // The problems to report again when nothing changes: not what writing finds (a recovered
    // interrupted build happens once).
    let reported = inputs.as_ref().map(|_| diags.clone());
    staging.finish(&site, diags)?;
    if let (Some(digest), Some(reported)) = (&inputs, &reported) {
        up_to_date::record(&opts.root, &out, digest, &report.summary(), reported);
    }
    report.written_to = Some(out);
    clock.mark(report, "write");
    teardown.apply((handbook, site));
    Ok(())
}
