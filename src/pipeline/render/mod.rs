//! Stage 4: the resolved handbook → every file of the site, in memory. Nothing touches the
//! output directory here (that is `write`), so `check` can run this stage too.
//!
//! - `pages`: the table of pages and their templates;
//! - `bodies`: document bodies, Markdown → HTML, cached;
//! - `views`: what templates see, one module per area;
//! - `navigation`, `search`: the scripts shared by every page;
//! - `export`: `matrix.json`, `matrix.csv` and `controls.csv`, usable without rendering any page
//!   (`evidence`);
//! - `theme`: the templates and static files.

mod bodies;
pub mod calendar;
pub mod export;
mod navigation;
mod pages;
pub mod search;
pub mod theme;
pub mod views;

use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Diagnostics, Outcome};
use crate::model::{DocIx, IxVec, url};
use crate::pipeline::load::AssetSource;
use crate::pipeline::resolve::Handbook;
use bodies::cached_body;
pub use bodies::{BodyCache, SameText};
use pages::{Page, page_list};
use theme::Theme;
use views::Views;
use views::versions::VersionPages;

/// A file of the site: path relative to the output root, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Relative to the site root, `/`-separated.
    pub path: String,
    /// The file's bytes.
    pub contents: Vec<u8>,
}

/// Everything `write` needs: generated files and files to copy as they are.
#[derive(Debug, Default)]
pub struct Site {
    /// Sorted by path.
    pub files: Vec<OutputFile>,
    /// (path in the site, where to read it), sorted by path.
    pub copies: Vec<(String, AssetSource)>,
}

/// What one rendering needs: the handbook, how it looks, where it sits among versions, what was
/// rendered before, and which outputs are wanted.
pub struct RenderContext<'a> {
    /// The handbook to render.
    pub handbook: &'a Handbook,
    /// Its templates and static files.
    pub theme: &'a Theme,
    /// Its place among the versions of the site, with `[versions]`.
    pub version: Option<&'a VersionPages>,
    /// Bodies rendered before, shared between versions and rebuilds.
    pub bodies: Option<&'a BodyCache>,
    /// Which outputs to produce.
    pub selection: &'a Selection,
}

/// Which outputs to produce. A full build wants everything; `serve` re-renders only what an edit
/// can have changed and keeps the rest of the previous site.
#[derive(Debug, Clone)]
pub struct Selection {
    /// Pages to render (paths relative to the site root); `None` for every page.
    pub pages: Option<std::collections::HashSet<String>>,
    /// matrix.json, matrix.csv and controls.csv.
    pub exports: bool,
    /// `search-index.js`.
    pub search: bool,
    /// `navigation.js`.
    pub navigation: bool,
    /// The theme's static files.
    pub statics: bool,
}

impl Selection {
    /// These pages alone.
    pub fn pages(paths: std::collections::HashSet<String>) -> Selection {
        Selection {
            pages: Some(paths),
            exports: false,
            search: false,
            navigation: false,
            statics: false,
        }
    }

    /// Every output.
    pub fn everything() -> Selection {
        Selection {
            pages: None,
            exports: true,
            search: true,
            navigation: true,
            statics: true,
        }
    }

    /// What `check` renders: every output that can report a problem (a template's error, say),
    /// which is all but the search index: nothing is written, and the index is made from text
    /// the parse already checked (it was a ninth of a check's time).
    pub fn for_checking() -> Selection {
        Selection {
            search: false,
            ..Selection::everything()
        }
    }

    fn wants(&self, path: &str) -> bool {
        self.pages.as_ref().is_none_or(|p| p.contains(path))
    }
}

/// The printable packet of `docs` alone (in that order), as `print/index.html` shows every
/// document: what `policybook pdf --each` prints for each document.
pub fn render_packet(
    hb: &Handbook,
    theme: &theme::Theme,
    docs: &[DocIx],
) -> Result<Vec<u8>, Diagnostic> {
    let views = Views::new(hb);
    let packet: Vec<(DocIx, String)> = docs
        .iter()
        .map(|&i| {
            let body = bodies::cached_body(hb, i, None);
            (
                i,
                views::print::packet_body(
                    &body,
                    &hb.documents[i].id,
                    hb.config.base_url.as_deref(),
                ),
            )
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("page", &views.print(&packet));
    ctx.insert("site", &views.site());
    ctx.insert("root", "../");
    ctx.insert("page_url", url::PRINT);
    theme
        .tera
        .render("print.html", &ctx)
        .map(String::into_bytes)
        .map_err(|e| theme.error(&e))
}

/// Where pages go as soon as each is rendered (`build` writes them while the rest renders, so
/// the site is never held in memory whole); an `Err` fails the rendering.
pub type PageSink<'s> = dyn Fn(OutputFile) -> Result<(), Diagnostic> + Sync + 's;

/// Renders what `ctx.selection` asks for. Template errors are pushed to `diags` (every one of
/// them, not just the first) and fail the rendering.
pub fn render(ctx: &RenderContext<'_>, diags: &mut Diagnostics) -> Outcome<Site> {
    render_into(ctx, None, diags)
}

/// [`render`], each page handed to `pages_to` when given, instead of kept in the [`Site`].
pub fn render_into(
    ctx: &RenderContext<'_>,
    pages_to: Option<&PageSink<'_>>,
    diags: &mut Diagnostics,
) -> Outcome<Site> {
    let (hb, theme, version, cache, selection) = (
        ctx.handbook,
        ctx.theme,
        ctx.version,
        ctx.bodies,
        ctx.selection,
    );
    let views = Views::new(hb);
    let site = views.site();
    let pages: Vec<Page> = page_list(hb, version)
        .into_iter()
        .filter(|p| selection.wants(&p.path))
        .collect();

    // Bodies first, in parallel: the bulk of the work for large handbooks. Only those of the
    // document pages being rendered.
    // The printable packet holds every document.
    let wanted: std::collections::HashSet<DocIx> = if pages.iter().any(|p| p.path == url::PRINT) {
        hb.documents.indices().collect()
    } else {
        pages.iter().filter_map(|p| p.doc).collect()
    };
    let bodies_start = std::time::Instant::now();
    let bodies: IxVec<DocIx, Arc<String>> = hb
        .documents
        .indices()
        .collect::<Vec<_>>()
        .into_par_iter()
        .with_max_len(crate::parallel::LEAF)
        .map(|i| {
            if wanted.contains(&i) {
                cached_body(hb, i, cache)
            } else {
                Arc::new(String::new())
            }
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    crate::timings::record("document bodies (Markdown to HTML)", bodies_start.elapsed());

    // The pages, and beside them the exports and scripts (which are mostly one long task each):
    // both cores stay busy until the end.
    let (rendered, (extras, extra_errors)) = rayon::join(
        || {
            crate::timings::time("pages", || {
                pages
                    .par_iter()
                    .with_max_len(crate::parallel::LEAF)
                    .map(|page| {
                        let file = render_page(&views, &bodies, &site, hb, theme, version, page)?;
                        match pages_to {
                            Some(sink) => sink(file).map(|()| None),
                            None => Ok(Some(file)),
                        }
                    })
                    .collect::<Vec<Result<Option<OutputFile>, Diagnostic>>>()
            })
        },
        || {
            crate::timings::time("exports, navigation, search index", || {
                exports_and_scripts(hb, selection, &views, cache, pages_to)
            })
        },
    );

    let mut files = Vec::with_capacity(rendered.len() + extras.len() + theme.static_files.len());
    let mut failed = !extra_errors.is_empty();
    for r in rendered {
        match r {
            Ok(f) => files.extend(f),
            Err(d) => {
                failed = true;
                diags.push(d);
            }
        }
    }
    files.extend(extras);
    for d in extra_errors {
        diags.push(d);
    }
    if selection.statics {
        for (name, bytes) in &theme.static_files {
            files.push(OutputFile {
                path: format!("static/{name}"),
                contents: bytes.clone(),
            });
        }
    }
    if failed {
        return Err(crate::diagnostics::Reported);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    let copies = hb
        .assets
        .iter()
        .map(|(below, path)| (url::asset(below), path.clone()))
        .collect();
    Ok(Site { files, copies })
}

/// One page: its view, then its template.
fn render_page(
    views: &Views<'_>,
    bodies: &IxVec<DocIx, Arc<String>>,
    site: &views::SiteView,
    hb: &Handbook,
    theme: &Theme,
    version: Option<&VersionPages>,
    page: &Page,
) -> Result<OutputFile, Diagnostic> {
    let mut ctx = (page.build)(views, bodies, version);
    ctx.insert("site", site);
    ctx.insert("root", page.root);
    ctx.insert("page_url", &page.path);
    ctx.insert("canonical_url", &hb.config.absolute_url(&page.path));
    if let Some(v) = version {
        ctx.insert("versions", &v.nav(&page.path, page.root, page.doc));
    }
    theme
        .tera
        .render(page.template, &ctx)
        .map(|html| OutputFile {
            path: page.path.clone(),
            contents: html.into_bytes(),
        })
        .map_err(|e| theme.error(&e))
}

/// The path of every page of the site (no version): what `serve` marks out of date when
/// something every listing shows changed.
pub fn page_paths(hb: &Handbook) -> Vec<String> {
    pages::page_list(hb, None)
        .into_iter()
        .map(|p| p.path)
        .collect()
}

/// The paths of the exports `Selection::exports` makes (see `exports_and_scripts`): what
/// `serve` renders again when the coverage or a review state changed.
pub fn export_paths(hb: &Handbook) -> Vec<String> {
    let mut paths: Vec<String> = ["matrix.json", "matrix.csv", "controls.csv", "reviews.ics"]
        .into_iter()
        .map(String::from)
        .collect();
    paths.extend(
        hb.soas
            .iter()
            .enumerate()
            .map(|(n, soa)| url::soa(&soa.framework, n == 0, "csv")),
    );
    if hb.config.publish.exceptions {
        paths.push("exceptions.csv".into());
    }
    paths
}

/// The files that are not pages, as `selection` asks: the exports (matrix, CSVs, calendar,
/// SoA), the navigation and the search index; and the exports that could not be made. With
/// `pages_to`, each goes there as soon as it is made, like the pages: hashing and writing the
/// largest files of the site (a fifth of it) then happen while pages are still rendering,
/// instead of after.
fn exports_and_scripts(
    hb: &Handbook,
    selection: &Selection,
    views: &Views<'_>,
    cache: Option<&BodyCache>,
    pages_to: Option<&PageSink<'_>>,
) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut emit = |path: String, made: Result<Vec<u8>, String>| {
        let file = match made {
            Ok(contents) => OutputFile { path, contents },
            Err(e) => {
                errors.push(Diagnostic::error(format!("cannot write {path}: {e}")));
                return;
            }
        };
        match pages_to {
            Some(sink) => {
                if let Err(d) = sink(file) {
                    errors.push(d);
                }
            }
            None => files.push(file),
        }
    };
    if selection.exports {
        let publish = &hb.config.publish;
        emit(
            "matrix.json".into(),
            export::matrix_json(hb, publish.pretty_json).map_err(|e| e.to_string()),
        );
        emit(
            "matrix.csv".into(),
            export::matrix_csv(hb).map_err(|e| e.to_string()),
        );
        emit(
            "controls.csv".into(),
            export::controls_csv(hb, publish.evidence_details).map_err(|e| e.to_string()),
        );
        emit("reviews.ics".into(), Ok(calendar::reviews_ics(hb)));
        for (n, soa) in hb.soas.iter().enumerate() {
            emit(
                url::soa(&soa.framework, n == 0, "csv"),
                export::soa_csv(hb, n).map_err(|e| e.to_string()),
            );
        }
        if publish.exceptions {
            emit(
                "exceptions.csv".into(),
                export::exceptions_csv(hb).map_err(|e| e.to_string()),
            );
        }
    }
    if selection.navigation {
        emit("navigation.js".into(), Ok(navigation::navigation_js(views)));
    }
    if selection.search {
        emit(
            "search-index.js".into(),
            Ok(search::search_index_js(hb, cache.map(|c| &c.search))),
        );
    }
    (files, errors)
}
