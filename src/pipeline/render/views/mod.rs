//! What templates see: plain, serializable views built from the resolved handbook. Templates only
//! show these; every decision (order, grouping, URLs, gaps) is made here.
//!
//! URLs are relative to the site root; each page gets `root` (`""`, `"../"`, …) to prefix them
//! with, so the site works from `file://` and under any path.

pub mod controls;
pub mod documents;
pub mod history;
pub mod versions;

use serde::Serialize;

use crate::catalog::Control;
use crate::model::{ControlIx, DocIx, Document, IxVec, Kind, Section, url};
use crate::pipeline::resolve::Handbook;

use history::SourceView;

#[derive(Serialize)]
pub struct SiteView {
    pub title: String,
    pub organization: Option<String>,
    pub description: Option<String>,
    pub language: String,
    pub generator: String,
    pub framework: String,
    pub framework_name: String,
    /// Labels of the categories in scope.
    pub scope: Vec<String>,
    pub source: SourceView,
}

#[derive(Serialize, Clone)]
pub struct DocLink {
    pub id: String,
    pub title: String,
    pub kind: Kind,
    pub kind_label: &'static str,
    pub url: String,
    pub owner: Option<String>,
    pub status: &'static str,
    pub version: Option<String>,
    pub review: Option<String>,
    pub path: String,
    pub folder: String,
}

#[derive(Serialize, Clone)]
pub struct ControlLink {
    pub framework: String,
    pub id: String,
    pub title: String,
    pub summary: String,
    pub category: String,
    pub category_label: String,
    pub series: String,
    pub in_scope: bool,
    pub url: String,
}

#[derive(Serialize, Clone)]
pub struct SectionLink {
    pub title: String,
    pub anchor: String,
    /// The document's URL with `#anchor`.
    pub url: String,
}

#[derive(Serialize)]
pub struct Stats {
    pub documents: usize,
    pub in_scope: usize,
    pub covered: usize,
    pub gaps: usize,
}

#[derive(Serialize)]
pub struct SeriesGroup<R> {
    pub id: String,
    pub name: String,
    pub category_label: String,
    pub rows: Vec<R>,
}

/// Document indices in the home page's order: by kind, then title, then id. Previous/next and
/// the sidebar follow it.
pub fn reading_order(hb: &Handbook) -> Vec<DocIx> {
    let docs = &hb.documents;
    let mut order: Vec<DocIx> = docs.indices().collect();
    order.sort_by_cached_key(|&i| {
        (
            docs[i].kind,
            docs[i].title.to_lowercase(),
            docs[i].id.clone(),
        )
    });
    order
}

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
    pub hb: &'a Handbook,
    /// `reading_order()`, computed once: every document page needs its neighbours.
    order: Vec<DocIx>,
    /// Document index → position in `order`.
    rank: IxVec<DocIx, usize>,
}

impl<'a> Views<'a> {
    pub fn new(hb: &'a Handbook) -> Self {
        let mut v = Views {
            hb,
            order: Vec::new(),
            rank: IxVec::default(),
        };
        v.order = v.reading_order();
        v.rank = IxVec::filled(v.order.len(), 0);
        for (pos, &i) in v.order.iter().enumerate() {
            v.rank[i] = pos;
        }
        v
    }

    fn order(&self) -> &[DocIx] {
        &self.order
    }

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
        }
    }

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
        }
    }

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

    /// Document indices in reading order: by kind, then title, then id.
    pub fn reading_order(&self) -> Vec<DocIx> {
        reading_order(self.hb)
    }

    fn neighbour(&self, i: DocIx, step: isize) -> Option<DocLink> {
        let j = self.rank.get(i)?.checked_add_signed(step)?;
        self.order().get(j).map(|&k| self.doc_link(k))
    }

    pub fn stats(&self) -> Stats {
        let t = &self.hb.trace;
        Stats {
            documents: self.hb.documents.len(),
            in_scope: t.in_scope_count(),
            covered: t.covered_in_scope_count(),
            gaps: t.gaps.len(),
        }
    }
}
