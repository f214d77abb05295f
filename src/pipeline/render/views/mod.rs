//! What templates see: plain, serializable views built from the resolved handbook. Templates only
//! show these; every decision (order, grouping, URLs, gaps) is made here.
//!
//! URLs are relative to the site root; each page gets `root` (`""`, `"../"`, …) to prefix them
//! with, so the site works from `file://` and under any path.

pub mod acknowledgements;
pub mod controls;
pub mod documents;
pub mod exceptions;
pub mod history;
pub mod people;
pub mod print;
pub mod register;
pub mod scope;
pub mod soa;
pub mod versions;

use std::collections::HashMap;

use serde::Serialize;

use crate::catalog::Control;
use crate::model::{ControlIx, DocIx, Document, IxVec, Kind, Section, url};
use crate::pipeline::resolve::Handbook;

use history::SourceView;

#[derive(Serialize)]
/// The handbook as every page shows it.
pub struct SiteView {
    /// `title`.
    pub title: String,
    /// `organization`.
    pub organization: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `language`.
    pub language: String,
    /// "policybook 0.1.0".
    pub generator: String,
    /// The default framework's id.
    pub framework: String,
    /// Its name.
    pub framework_name: String,
    /// Labels of the categories in scope.
    pub scope: Vec<String>,
    /// Where the sources come from.
    pub source: SourceView,
    /// `[publish] exceptions`: the exception register is on the site.
    pub exceptions: bool,
    /// The handbook has `people.yaml`: the people and roles page is on the site.
    pub people: bool,
    /// `[publish] acknowledgements`: the acknowledgements page is on the site.
    pub acknowledgements: bool,
    /// The Statement of Applicability's page, when a framework has one.
    pub soa: Option<String>,
}

#[derive(Serialize, Clone)]
/// A link to a document, with what listings show of it.
pub struct DocLink {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its kind.
    pub kind: Kind,
    /// `policy`.
    pub kind_label: &'static str,
    /// Its page, relative to the site root.
    pub url: String,
    /// Its owner.
    pub owner: Option<String>,
    /// `draft`, `published`, `retired`.
    pub status: &'static str,
    /// `version:`.
    pub version: Option<String>,
    /// Its review cadence in words.
    pub review: Option<String>,
    /// Its file, relative to the handbook root.
    pub path: String,
    /// Its folder below `policies/`.
    pub folder: String,
    /// Its `effective` date, when that is after the as-of date: it covers nothing until then.
    pub pending_from: Option<String>,
}

#[derive(Serialize, Clone)]
/// A link to a control, with what listings show of it.
pub struct ControlLink {
    /// `soc2`.
    pub framework: String,
    /// `CC6.1`.
    pub id: String,
    /// Short title.
    pub title: String,
    /// One-sentence summary.
    pub summary: String,
    /// `security`.
    pub category: String,
    /// "Security".
    pub category_label: String,
    /// `CC6`.
    pub series: String,
    /// In scope of the audit.
    pub in_scope: bool,
    /// Its page, relative to the site root.
    pub url: String,
}

#[derive(Serialize, Clone)]
/// A link to a section of a document.
pub struct SectionLink {
    /// The heading's text.
    pub title: String,
    /// Its anchor.
    pub anchor: String,
    /// The document's URL with `#anchor`.
    pub url: String,
}

#[derive(Serialize)]
/// The headline figures.
pub struct Stats {
    /// Documents.
    pub documents: usize,
    /// In-scope criteria that apply (not excluded).
    pub in_scope: usize,
    /// Of those, criteria covered.
    pub covered: usize,
    /// In-scope criteria excluded as not applicable.
    pub not_applicable: usize,
    /// In-scope controls covered by nothing.
    pub gaps: usize,
}

#[derive(Serialize)]
/// Rows grouped by series.
pub struct SeriesGroup<R> {
    /// The framework (`soc2`): series ids are unique only within one.
    pub framework: String,
    /// `CC6`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// "Security".
    pub category_label: String,
    /// Its rows.
    pub rows: Vec<R>,
}

/// Document indices in the sidebar's order, which previous/next and the home page follow: by
/// kind; within a kind, the documents at the top of `policies/` and the folders below it are
/// placed by `weight` (a folder by its lowest), then title or folder name, those without a
/// weight after those with one; within a folder, by weight, then title. A book imported with
/// its order (`weight`s) reads in that order; a handbook without weights reads by title, with
/// top-level documents before folders.
pub fn reading_order(hb: &Handbook) -> Vec<DocIx> {
    let docs = &hb.documents;
    // (no weight, weight, is a folder, title) orders both documents and folders.
    type Key = (bool, i64, bool, String);
    let key = |i: DocIx| -> Key {
        let w = docs[i].weight;
        (
            w.is_none(),
            w.unwrap_or(0),
            false,
            docs[i].title.to_lowercase(),
        )
    };
    let mut folders: HashMap<(Kind, &str), Key> = HashMap::new();
    for i in docs.indices() {
        let d = &docs[i];
        let folder = d.folder();
        if folder.is_empty() {
            continue;
        }
        let (none, w, _, _) = key(i);
        let k = folders
            .entry((d.kind, folder))
            .or_insert_with(|| (true, 0, true, folder.to_lowercase()));
        if (none, w) < (k.0, k.1) {
            (k.0, k.1) = (none, w);
        }
    }
    let mut order: Vec<DocIx> = docs.indices().collect();
    order.sort_by_cached_key(|&i| {
        let d = &docs[i];
        let folder = d.folder();
        // A top-level document is a unit of its own; a folder's documents share its key.
        let unit = folders
            .get(&(d.kind, folder))
            .cloned()
            .unwrap_or_else(|| key(i));
        (d.kind, unit, folder, key(i), d.id.as_str())
    });
    order
}

/// `processing-integrity` → "Processing integrity".
pub fn category_label(category: &str) -> String {
    let spaced = category.replace('-', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Builds views from the handbook.
pub struct Views<'a> {
    /// The handbook shown.
    pub hb: &'a Handbook,
    /// `reading_order()`, computed once: every document page needs its neighbours.
    order: Vec<DocIx>,
    /// Document index → position in `order`.
    rank: IxVec<DocIx, usize>,
    /// Document path (`policies/a.md`) → its index: the change log looks up every change.
    by_path: std::collections::HashMap<&'a str, DocIx>,
    /// Each document's open exceptions (see `exceptions_of`), gathered in one pass over the
    /// register rather than one per document page.
    open_exceptions: IxVec<DocIx, Vec<(Option<usize>, usize)>>,
}

impl<'a> Views<'a> {
    /// Views of `hb`.
    pub fn new(hb: &'a Handbook) -> Self {
        let mut v = Views {
            hb,
            order: Vec::new(),
            rank: IxVec::default(),
            open_exceptions: IxVec::filled(hb.documents.len(), Vec::new()),
            by_path: hb
                .documents
                .iter_enumerated()
                .map(|(i, d)| (d.path.as_str(), i))
                .collect(),
        };
        for (n, e) in hb.exceptions.iter().enumerate() {
            if e.fields.status == crate::model::exception::ExceptionStatus::Open
                && let Some((doc, section)) = e.target
                && let Some(list) = v.open_exceptions.get_mut(doc)
            {
                list.push((section, n));
            }
        }
        v.order = reading_order(hb);
        v.rank = IxVec::filled(v.order.len(), 0);
        for (pos, &i) in v.order.iter().enumerate() {
            v.rank[i] = pos;
        }
        v
    }

    fn order(&self) -> &[DocIx] {
        &self.order
    }

    /// The handbook as every page shows it.
    pub fn site(&self) -> SiteView {
        let c = &self.hb.config;
        let framework = self.hb.catalog.framework(&c.scope.framework);
        let scope = framework
            .map(|f| {
                f.categories
                    .iter()
                    .filter(|cat| c.category_in_scope(cat))
                    .map(|cat| category_label(cat))
                    .collect()
            })
            .unwrap_or_default();
        SiteView {
            title: c.title.clone(),
            organization: c.organization.clone(),
            description: c.description.clone(),
            language: c.language.clone(),
            generator: format!("policybook {}", env!("CARGO_PKG_VERSION")),
            framework: c.scope.framework.clone(),
            framework_name: framework.map(|f| f.name.clone()).unwrap_or_default(),
            scope,
            source: self.source(),
            exceptions: self.hb.config.publish.exceptions,
            people: self.hb.people.exists(),
            acknowledgements: self.hb.config.publish.acknowledgements
                && self.hb.acknowledgements.sources.configured,
            soa: self
                .hb
                .soas
                .first()
                .map(|s| url::soa(&s.framework, true, "html")),
        }
    }

    /// A link to document `i`.
    pub fn doc_link(&self, i: DocIx) -> DocLink {
        let d = &self.hb.documents[i];
        DocLink {
            id: d.id.clone(),
            title: d.title.to_string(),
            kind: d.kind,
            kind_label: d.kind.as_str(),
            url: url::document(&d.id),
            owner: d.owner_name().map(str::to_string),
            status: d.status.as_str(),
            version: d.version.clone(),
            review: d.review.map(|r| r.to_string()),
            path: d.path.clone(),
            folder: d.folder().to_string(),
            pending_from: self
                .hb
                .trace
                .not_yet_effective
                .contains(&i)
                .then(|| d.effective.map(|e| e.value.to_string()))
                .flatten(),
        }
    }

    /// A link to the control at `position`.
    pub fn control_link(&self, position: ControlIx) -> ControlLink {
        let c: &Control = self.hb.catalog.at(position);
        ControlLink {
            framework: c.framework.clone(),
            id: c.id.clone(),
            title: c.title.clone(),
            summary: c.summary.clone(),
            category: c.category.clone(),
            category_label: category_label(&c.category),
            series: c.series.clone(),
            in_scope: self.hb.trace.in_scope[position],
            url: url::control(&c.framework, &c.id),
        }
    }

    fn section_link(doc: &Document, section: &Section) -> SectionLink {
        SectionLink {
            title: section.title.clone(),
            anchor: section.anchor.clone(),
            url: format!("{}#{}", url::document(&doc.id), section.anchor),
        }
    }

    fn neighbour(&self, i: DocIx, step: isize) -> Option<DocLink> {
        let j = self.rank.get(i)?.checked_add_signed(step)?;
        self.order().get(j).map(|&k| self.doc_link(k))
    }

    /// The headline figures.
    pub fn stats(&self) -> Stats {
        let t = &self.hb.trace;
        Stats {
            documents: self.hb.documents.len(),
            in_scope: t.in_scope_count(),
            covered: t.covered_in_scope_count(),
            not_applicable: t.not_applicable_count(),
            gaps: t.gaps.len(),
        }
    }
}
