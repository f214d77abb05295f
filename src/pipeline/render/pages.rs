//! The table of pages: every page of a version, its template, its path and how to build its
//! template context from the views.

use std::sync::Arc;

use serde::Serialize;
use tera::Context;

use crate::model::{DocIx, IxVec, url};
use crate::pipeline::resolve::Handbook;

use super::views::Views;
use super::views::history::CHANGES_PER_PAGE;
use super::views::versions::{self as version_views, VersionPages};

/// Builds a page's template context from the views and the rendered document bodies.
pub(super) type BuildContext = Box<
    dyn Fn(&Views<'_>, &IxVec<DocIx, Arc<String>>, Option<&VersionPages>) -> Context + Send + Sync,
>;

pub(super) struct Page {
    /// Relative to the site root.
    pub(super) path: String,
    pub(super) template: &'static str,
    /// From the page up to the site root: `""`, `"../"`…
    pub(super) root: &'static str,
    /// The document the page shows, if it is a document page.
    pub(super) doc: Option<DocIx>,
    pub(super) build: BuildContext,
}

pub(super) fn page_list(hb: &Handbook, version: Option<&VersionPages>) -> Vec<Page> {
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
            build: Box::new(|v, _, _| page_context(&v.matrix(None))),
        },
        Page {
            path: url::GAPS.into(),
            template: "gaps.html",
            root: "",
            doc: None,
            build: Box::new(|v, _, _| page_context(&v.gaps())),
        },
        Page {
            path: url::SCOPE.into(),
            template: "scope.html",
            root: "",
            doc: None,
            build: Box::new(|v, _, _| page_context(&v.scope())),
        },
        Page {
            path: url::REVIEWS.into(),
            template: "reviews.html",
            root: "",
            doc: None,
            build: Box::new(|v, _, _| page_context(&v.reviews())),
        },
    ];
    // The change log, newest first, a page per `CHANGES_PER_PAGE` commits (one page when there
    // are none).
    let log = Arc::new(Views::change_log(hb));
    let change_pages = log.len().div_ceil(CHANGES_PER_PAGE).max(1);
    for n in 1..=change_pages {
        let log = log.clone();
        pages.push(Page {
            path: url::changes_page(n),
            template: "changes.html",
            root: "",
            doc: None,
            build: Box::new(move |v, _, _| page_context(&v.changes(&log, n))),
        });
    }
    // One matrix per framework when the audit has several; the combined one opens with the
    // overview of their counts.
    let audited: Vec<String> = hb
        .framework_summaries()
        .into_iter()
        .filter(|s| s.in_scope > 0)
        .map(|s| s.id)
        .collect();
    if audited.len() > 1 {
        for key in audited {
            pages.push(Page {
                path: url::framework_matrix(&key),
                template: "matrix.html",
                root: "../",
                doc: None,
                build: Box::new(move |v, _, _| page_context(&v.matrix(Some(&key)))),
            });
        }
    }
    for (n, soa) in hb.soas.iter().enumerate() {
        pages.push(Page {
            path: url::soa(&soa.framework, n == 0, "html"),
            template: "soa.html",
            root: "",
            doc: None,
            build: Box::new(move |v, _, _| page_context(&v.soa(n))),
        });
    }
    // The printable packet repeats every document: published only when asked for.
    if hb.config.publish.print {
        pages.push(Page {
            path: url::PRINT.into(),
            template: "print.html",
            root: "../",
            doc: None,
            build: Box::new(|v, bodies, _| {
                let packet: Vec<(DocIx, String)> = super::views::reading_order(v.hb)
                    .into_iter()
                    .map(|i| {
                        let id = &v.hb.documents[i].id;
                        (
                            i,
                            super::views::print::packet_body(
                                &bodies[i],
                                id,
                                v.hb.config.base_url.as_deref(),
                            ),
                        )
                    })
                    .collect();
                page_context(&v.print(&packet))
            }),
        });
    }
    for (i, d) in hb.documents.iter_enumerated() {
        pages.push(Page {
            path: url::document(&d.id),
            template: "document.html",
            root: "../",
            doc: Some(i),
            build: Box::new(move |v, bodies, _| page_context(&v.document(i, &bodies[i]))),
        });
    }
    for p in hb.catalog.positions() {
        let c = hb.catalog.at(p);
        pages.push(Page {
            path: url::control(&c.framework, &c.id),
            template: "control.html",
            root: "../../",
            doc: None,
            build: Box::new(move |v, _, _| page_context(&v.control(p))),
        });
    }
    for k in hb.register.indices() {
        pages.push(Page {
            path: url::register_control(&hb.register[k].id.value),
            template: "register_control.html",
            root: "../",
            doc: None,
            build: Box::new(move |v, _, _| page_context(&v.reg_control(k))),
        });
    }
    if hb.people.exists() {
        pages.push(Page {
            path: url::PEOPLE.into(),
            template: "people.html",
            root: "",
            doc: None,
            build: Box::new(|v, _, _| page_context(&v.people())),
        });
    }
    if hb.config.publish.acknowledgements && hb.acknowledgements.sources.configured {
        pages.push(Page {
            path: url::ACKNOWLEDGEMENTS.into(),
            template: "acknowledgements.html",
            root: "",
            doc: None,
            build: Box::new(|v, _, _| page_context(&v.acknowledgements())),
        });
    }
    if hb.config.publish.exceptions {
        pages.push(Page {
            path: url::EXCEPTIONS.into(),
            template: "exceptions.html",
            root: "",
            doc: None,
            build: Box::new(|v, _, _| page_context(&v.exceptions())),
        });
        for (n, e) in hb.exceptions.iter().enumerate() {
            pages.push(Page {
                path: url::exception(&e.doc.id),
                template: "exception.html",
                root: "../",
                doc: None,
                build: Box::new(move |v, _, _| page_context(&v.exception(n))),
            });
        }
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
    // Pages are rendered in this order, on every core. The pages that list the whole handbook
    // (each criterion's page, the matrix, the acknowledgements…) take longer the larger it is,
    // and there are few of them: rendered last, they were a tail that one thread ran alone
    // (61 criteria pages of 17 ms each at 20,000 documents). First, with the many short document
    // pages after them, the threads finish together.
    pages.sort_by_key(|p| p.doc.is_some());
    pages
}

fn page_context<T: Serialize>(view: &T) -> Context {
    let mut ctx = Context::new();
    ctx.insert("page", view);
    ctx
}
