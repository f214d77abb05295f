//! policybook: security and compliance policies in Markdown → a static handbook and a
//! control-to-policy traceability matrix.
//!
//! The pipeline, one module per stage:
//! `load` (read files) → `parse` (front matter, sections, links) → `resolve` (ids, links,
//! controls, trace) → `render` (pages and exports, in memory) → `write` (atomic swap on disk).

// `Result<_, Diagnostic>` is how stages report a problem; a diagnostic is a few strings and is
// returned once per problem, not in hot loops, so its size does not matter.
#![allow(clippy::result_large_err)]

pub mod catalog;
pub mod cmd;
pub mod config;
pub mod diagnostics;
pub mod evidence;
pub mod history;
pub mod load;
pub mod markdown;
pub mod model;
pub mod parse;
pub mod progress;
pub mod render;
pub mod resolve;
pub mod scaffold;
pub mod schema;
pub mod serve;
pub mod versions;
pub mod write;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use diagnostics::Diagnostics;

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
}

impl Options {
    pub fn out_dir(&self) -> PathBuf {
        self.out.clone().unwrap_or_else(|| self.root.join("public"))
    }
}

/// The outcome of a run: problems found and the figures of the one-line summary.
#[derive(Debug, Default)]
pub struct Report {
    pub diagnostics: Diagnostics,
    pub documents: usize,
    pub controls_in_scope: usize,
    pub controls_covered: usize,
    pub gaps: usize,
    pub elapsed: Duration,
    /// Set when the site was written.
    pub written_to: Option<PathBuf>,
    /// How long each stage took, in order (`build --timings`).
    pub timings: Vec<(&'static str, Duration)>,
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
    let start = Instant::now();
    let mut diags = Diagnostics::new();
    let mut report = Report::default();
    let display_root = display_root(&opts.root);
    let mut clock = Stopwatch { last: start };

    let catalog = catalog::Catalog::builtin();
    let Some(config) = config::Config::load(&opts.root, &display_root, &mut diags) else {
        return finish(report, diags, start);
    };
    config.validate(&catalog, &mut diags);

    let sources = load::load(&opts.root, &display_root, &mut diags);
    clock.mark(&mut report, "load");
    let caches = Caches::default();
    let handbook = analyze(
        config,
        catalog,
        &sources,
        HistoryFrom {
            root: &opts.root,
            as_of: opts.as_of,
            at_commit: None,
            enabled: true,
        },
        Some(&caches),
        &display_root,
        &mut diags,
    );
    clock.mark(&mut report, "parse, history, resolve");
    report.documents = handbook.documents.len();
    report.controls_in_scope = handbook.trace.in_scope_count();
    report.controls_covered = handbook.trace.covered_in_scope_count();
    report.gaps = handbook.trace.gaps.len();

    let Some(theme) = render::theme::Theme::load(&opts.root, &display_root, &mut diags) else {
        return finish(report, diags, start);
    };
    let site = match handbook.config.versions.clone() {
        Some(settings) => versions::render_versions(
            &opts.root,
            &handbook,
            &settings,
            &theme,
            &caches,
            &display_root,
            &mut diags,
        ),
        None => render::render(&handbook, &theme, None, None, &display_root, &mut diags),
    };
    clock.mark(&mut report, "render");
    if diags.has_errors() || !opts.write {
        return finish(report, diags, start);
    }
    if let Some(site) = site {
        let out = opts.out_dir();
        match write::write(
            &site,
            &out,
            &write::Guard::for_handbook(&opts.root),
            &mut diags,
        ) {
            Ok(()) => report.written_to = Some(out),
            Err(d) => diags.push(d),
        }
        clock.mark(&mut report, "write");
    }
    finish(report, diags, start)
}

/// Where the history of an analysis comes from.
pub struct HistoryFrom<'a> {
    pub root: &'a Path,
    pub as_of: Option<jiff::civil::Date>,
    /// Read the history from this commit (the sources came from it) instead of HEAD.
    pub at_commit: Option<git2::Oid>,
    /// `false` when the caller needs no history (`diff`): skip the walk.
    pub enabled: bool,
}

/// Work shared between the analyses of several versions of one handbook.
#[derive(Default)]
pub struct Caches {
    pub history: history::HistoryCache,
    pub parsed: parse::ParseCache,
}

/// Parse → history → resolve: everything between reading the files and rendering them.
pub fn analyze(
    config: config::Config,
    catalog: catalog::Catalog,
    sources: &load::Sources,
    from: HistoryFrom<'_>,
    caches: Option<&Caches>,
    display_root: &Path,
    diags: &mut Diagnostics,
) -> resolve::Handbook {
    let paths: Vec<String> = sources.documents.iter().map(|s| s.path.clone()).collect();
    // Parsing and the history walk are independent: run them side by side.
    let ((documents, parse_diags), history) = rayon::join(
        || {
            let mut d = Diagnostics::new();
            let docs = parse::parse_all(
                &sources.documents,
                &config.scope.framework,
                caches.map(|c| &c.parsed),
                &mut d,
            );
            (docs, d)
        },
        || {
            if !from.enabled {
                return history::History {
                    source: history::SourceInfo {
                        as_of: from.as_of,
                        ..Default::default()
                    },
                    ..Default::default()
                };
            }
            history::extract(&history::Request {
                root: from.root,
                documents: &paths,
                as_of: from.as_of,
                at_commit: from.at_commit,
                cache: caches.map(|c| &c.history),
            })
        },
    );
    diags.extend(parse_diags);
    if from.enabled {
        resolve::source_warnings(&history, display_root, diags);
    }
    resolve::resolve(config, catalog, documents, &sources.assets, history, diags)
}

fn finish(mut report: Report, diags: Diagnostics, start: Instant) -> Report {
    report.diagnostics = diags;
    report.elapsed = start.elapsed();
    report
}

/// `--root` as the user typed it, for messages: `.` becomes nothing, so paths read `policies/a.md`.
pub fn display_root(root: &Path) -> PathBuf {
    if root == Path::new(".") {
        PathBuf::new()
    } else {
        root.strip_prefix("./").unwrap_or(root).to_path_buf()
    }
}
