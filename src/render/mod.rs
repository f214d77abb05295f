//! Stage 4: the resolved handbook → every file of the site, in memory. Nothing touches the
//! output directory here (that is `write`), so `check` can run this stage too.

pub mod export;
mod history_views;
pub mod search;
pub mod theme;
pub mod version_views;
pub mod views;

use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tera::Context;

use crate::config::RawHtml;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::AssetSource;
use crate::markdown::html::{SectionHtml, render as render_markdown};
use crate::model::{Href, url};
use crate::resolve::Handbook;
use theme::{Theme, template_error};
use version_views::VersionPages;
use views::Views;

/// A file of the site: path relative to the output root, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
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

/// Builds a page's template context from the views and the rendered document bodies.
type BuildContext =
    Box<dyn Fn(&Views<'_>, &[Arc<String>], Option<&VersionPages>) -> Context + Send + Sync>;

struct Page {
    path: String,
    template: &'static str,
    root: &'static str,
    /// The document the page shows, if it is a document page.
    doc: Option<usize>,
    build: BuildContext,
}

/// Document bodies already rendered, shared by the builds of several versions: a document whose
/// text and resolved links did not change is rendered once.
#[derive(Default)]
pub struct BodyCache {
    bodies: Mutex<HashMap<BodyKey, Arc<String>>>,
    search: search::SearchCache,
}

#[derive(PartialEq, Eq, Hash)]
struct BodyKey {
    source: SameText,
    hrefs: Vec<Href>,
    controls: Vec<Vec<(String, String)>>,
    raw_html: RawHtml,
}

/// A document's text, compared by identity: versions that share a parsed document share its
/// `Arc` (see `parse::ParseCache`), so the pointer says "same text" without hashing megabytes.
/// Holding the `Arc` keeps the pointer from being reused for another text.
#[derive(Clone)]
pub struct SameText(pub Arc<str>);

impl PartialEq for SameText {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for SameText {}

impl std::hash::Hash for SameText {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (Arc::as_ptr(&self.0) as *const u8 as usize).hash(state);
    }
}

/// Which outputs to produce. A full build wants everything; `serve` re-renders only what an edit
/// can have changed and keeps the rest of the previous site.
#[derive(Debug, Clone)]
pub struct Selection {
    /// Pages to render (paths relative to the site root); `None` for every page.
    pub pages: Option<std::collections::HashSet<String>>,
    /// matrix.json and matrix.csv.
    pub exports: bool,
    pub search: bool,
    pub navigation: bool,
    /// The theme's static files.
    pub statics: bool,
}

impl Selection {
    pub fn everything() -> Selection {
        Selection {
            pages: None,
            exports: true,
            search: true,
            navigation: true,
            statics: true,
        }
    }

    fn wants(&self, path: &str) -> bool {
        self.pages.as_ref().is_none_or(|p| p.contains(path))
    }
}

pub fn render(
    hb: &Handbook,
    theme: &Theme,
    version: Option<&VersionPages>,
    cache: Option<&BodyCache>,
    display_root: &Path,
    diags: &mut Diagnostics,
) -> Option<Site> {
    render_selected(
        hb,
        theme,
        version,
        cache,
        &Selection::everything(),
        display_root,
        diags,
    )
}

pub fn render_selected(
    hb: &Handbook,
    theme: &Theme,
    version: Option<&VersionPages>,
    cache: Option<&BodyCache>,
    selection: &Selection,
    display_root: &Path,
    diags: &mut Diagnostics,
) -> Option<Site> {
    let views = Views::new(hb);
    let site = views.site();
    let pages: Vec<Page> = page_list(hb, version)
        .into_iter()
        .filter(|p| selection.wants(&p.path))
        .collect();

    // Bodies first, in parallel: the bulk of the work for large handbooks. Only those of the
    // document pages being rendered.
    let wanted: std::collections::HashSet<usize> = pages.iter().filter_map(|p| p.doc).collect();
    let bodies: Vec<Arc<String>> = (0..hb.documents.len())
        .into_par_iter()
        .map(|i| {
            if wanted.contains(&i) {
                cached_body(hb, i, cache)
            } else {
                Arc::new(String::new())
            }
        })
        .collect();

    let rendered: Vec<Result<OutputFile, Diagnostic>> = pages
        .par_iter()
        .map(|page| {
            let mut ctx = (page.build)(&views, &bodies, version);
            ctx.insert("site", &site);
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
                .map_err(|e| template_error(&e, display_root, &theme.user_templates))
        })
        .collect();

    let mut files = Vec::with_capacity(rendered.len() + theme.static_files.len() + 4);
    let mut failed = false;
    for r in rendered {
        match r {
            Ok(f) => files.push(f),
            Err(d) => {
                failed = true;
                diags.push(d);
            }
        }
    }
    if selection.exports {
        match export::matrix_json(hb) {
            Ok(bytes) => files.push(OutputFile {
                path: "matrix.json".into(),
                contents: bytes,
            }),
            Err(e) => {
                failed = true;
                diags.push(Diagnostic::error(format!("cannot write matrix.json: {e}")));
            }
        }
        match export::matrix_csv(hb) {
            Ok(bytes) => files.push(OutputFile {
                path: "matrix.csv".into(),
                contents: bytes,
            }),
            Err(e) => {
                failed = true;
                diags.push(Diagnostic::error(format!("cannot write matrix.csv: {e}")));
            }
        }
    }
    if selection.navigation {
        files.push(OutputFile {
            path: "navigation.js".into(),
            contents: navigation_js(&views),
        });
    }
    if selection.search {
        files.push(OutputFile {
            path: "search-index.js".into(),
            contents: search::search_index_js(hb, cache.map(|c| &c.search)),
        });
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
        return None;
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    let copies = hb
        .assets
        .iter()
        .map(|(below, path)| (url::asset(below), path.clone()))
        .collect();
    Some(Site { files, copies })
}

/// The HTML of a document's body, from the cache when an identical body was rendered before.
fn cached_body(hb: &Handbook, i: usize, cache: Option<&BodyCache>) -> Arc<String> {
    let Some(cache) = cache else {
        return Arc::new(document_body(hb, i));
    };
    let (sections, hrefs) = body_inputs(hb, i);
    let key = BodyKey {
        source: SameText(hb.documents[i].source.clone()),
        hrefs,
        controls: sections.iter().map(|s| s.controls.clone()).collect(),
        raw_html: hb.config.markdown.raw_html,
    };
    if let Some(html) = cache.bodies.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return html;
    }
    let html = Arc::new(render_markdown(
        hb.documents[i].body(),
        &sections,
        &key.hrefs,
        key.raw_html,
    ));
    if let Ok(mut map) = cache.bodies.lock() {
        map.insert(key, html.clone());
    }
    html
}

/// The HTML of a document's body, with links made relative to `documents/`.
fn document_body(hb: &Handbook, i: usize) -> String {
    let (sections, hrefs) = body_inputs(hb, i);
    render_markdown(
        hb.documents[i].body(),
        &sections,
        &hrefs,
        hb.config.markdown.raw_html,
    )
}

/// What a body's HTML depends on besides its text: its sections and its resolved links.
fn body_inputs(hb: &Handbook, i: usize) -> (Vec<SectionHtml>, Vec<Href>) {
    const ROOT: &str = "../";
    let doc = &hb.documents[i];
    let sections: Vec<SectionHtml> = doc
        .sections
        .iter()
        .map(|s| SectionHtml {
            anchor: s.anchor.clone(),
            classes: s.classes.clone(),
            controls: s
                .controls
                .iter()
                .map(|r| {
                    (
                        r.id.clone(),
                        format!("{ROOT}{}", url::control(&r.framework, &r.id)),
                    )
                })
                .collect(),
        })
        .collect();
    let hrefs: Vec<Href> = hb.refs[i]
        .links
        .iter()
        .map(|h| match h {
            Href::Site(u) => Href::Site(format!("{ROOT}{u}")),
            other => other.clone(),
        })
        .collect();
    (sections, hrefs)
}

fn page_list(hb: &Handbook, version: Option<&VersionPages>) -> Vec<Page> {
    let mut pages: Vec<Page> = vec![
        Page {
            path: url::HOME.into(),
            template: "index.html",
            root: "",
            doc: None,
            build: Box::new(|v, _, _| page_context(&v.home())),
        },
        Page {
            path: url::CONTROLS.into(),
            template: "controls.html",
            root: "../",
            doc: None,
            build: Box::new(|v, _, _| page_context(&v.controls())),
        },
        Page {
            path: url::MATRIX.into(),
            template: "matrix.html",
            root: "",
            doc: None,
            build: Box::new(|v, _, _| page_context(&v.matrix())),
        },
        Page {
            path: url::GAPS.into(),
            template: "gaps.html",
            root: "",
            doc: None,
            build: Box::new(|v, _, _| page_context(&v.gaps())),
        },
        Page {
            path: url::REVIEWS.into(),
            template: "reviews.html",
            root: "",
            doc: None,
            build: Box::new(|v, _, _| page_context(&v.reviews())),
        },
        Page {
            path: url::CHANGES.into(),
            template: "changes.html",
            root: "",
            doc: None,
            build: Box::new(|v, _, _| page_context(&v.changes())),
        },
    ];
    for (i, d) in hb.documents.iter().enumerate() {
        pages.push(Page {
            path: url::document(&d.id),
            template: "document.html",
            root: "../",
            doc: Some(i),
            build: Box::new(move |v, bodies, _| page_context(&v.document(i, &bodies[i]))),
        });
    }
    for p in 0..hb.catalog.len() {
        let c = hb.catalog.at(p);
        pages.push(Page {
            path: url::control(&c.framework, &c.id),
            template: "control.html",
            root: "../../",
            doc: None,
            build: Box::new(move |v, _, _| page_context(&v.control(p))),
        });
    }
    if let Some(vp) = version {
        pages.push(Page {
            path: version_views::WHAT_CHANGED.into(),
            template: "what_changed.html",
            root: "",
            doc: None,
            build: Box::new(|_, _, vp| page_context(&vp.map(|v| v.what_changed()))),
        });
        if vp.index_page.is_some() {
            pages.push(Page {
                path: version_views::VERSIONS_INDEX.into(),
                template: "versions.html",
                root: "",
                doc: None,
                build: Box::new(|_, _, vp| page_context(&vp.and_then(|v| v.index_page.as_ref()))),
            });
        }
    }
    pages
}

fn page_context<T: Serialize>(view: &T) -> Context {
    let mut ctx = Context::new();
    ctx.insert("page", view);
    ctx
}

#[derive(Serialize)]
struct NavGroup {
    label: &'static str,
    items: Vec<NavItem>,
}

#[derive(Serialize)]
struct NavItem {
    /// Title.
    t: String,
    /// URL relative to the site root.
    u: String,
    /// Folder below policies/ ("" at the top).
    f: String,
}

/// The sidebar's contents as a script shared by every page: one copy of the whole handbook's
/// navigation instead of one per page, which keeps large handbooks small.
fn navigation_js(views: &Views<'_>) -> Vec<u8> {
    let groups: Vec<NavGroup> = views
        .kind_groups()
        .into_iter()
        .map(|g| NavGroup {
            label: g.label,
            items: {
                // Documents of a subfolder of policies/ are listed together under its name.
                let mut items: Vec<NavItem> = g
                    .documents
                    .into_iter()
                    .map(|d| NavItem {
                        t: d.title,
                        u: d.url,
                        f: d.folder,
                    })
                    .collect();
                items.sort_by(|a, b| a.f.cmp(&b.f));
                items
            },
        })
        .collect();
    let json = serde_json::to_string(&groups).unwrap_or_else(|_| "[]".into());
    format!("window.policybookNav = {json};\n").into_bytes()
}
