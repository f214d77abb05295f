//! What templates see: plain, serializable views built from the resolved handbook. Templates only
//! show these; every decision (order, grouping, URLs, gaps) is made here.
//!
//! URLs are relative to the site root; each page gets `root` (`""`, `"../"`, …) to prefix them
//! with, so the site works from `file://` and under any path.

use serde::Serialize;

use crate::catalog::Control;
use crate::model::{Document, Kind, Section, url};
use crate::resolve::{Coverage, Handbook};

pub use super::history_views::*;

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
pub struct KindGroup {
    pub kind: Kind,
    pub label: &'static str,
    pub documents: Vec<DocLink>,
}

#[derive(Serialize)]
pub struct Stats {
    pub documents: usize,
    pub in_scope: usize,
    pub covered: usize,
    pub gaps: usize,
}

#[derive(Serialize)]
pub struct HomeView {
    pub groups: Vec<KindGroup>,
    pub stats: Stats,
}

#[derive(Serialize)]
pub struct ControlMapping {
    pub control: ControlLink,
    /// Mapped in the front matter (the document as a whole).
    pub whole: bool,
    pub sections: Vec<SectionLink>,
}

#[derive(Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub title: String,
    pub anchor: String,
}

#[derive(Serialize)]
pub struct DocumentView<'b> {
    pub doc: DocLink,
    pub approvers: Vec<String>,
    pub effective: Option<String>,
    pub tags: Vec<String>,
    pub extra: serde_json::Value,
    pub controls: Vec<ControlMapping>,
    pub toc: Vec<TocEntry>,
    pub body: &'b str,
    pub implements: Vec<DocLink>,
    pub implemented_by: Vec<DocLink>,
    pub referenced_by: Vec<DocLink>,
    pub history: DocHistoryView,
    /// "Policies", for breadcrumbs.
    pub kind_plural: &'static str,
    /// Neighbours in reading order (the home page's order).
    pub previous: Option<DocLink>,
    pub next: Option<DocLink>,
}

#[derive(Serialize)]
pub struct Evidence {
    pub document: DocLink,
    pub section: Option<SectionLink>,
    pub url: String,
}

#[derive(Serialize)]
pub struct ControlView {
    pub control: ControlLink,
    pub series_name: String,
    pub framework_name: String,
    pub gap: bool,
    pub covered_by: Vec<Evidence>,
    pub not_published: Vec<Evidence>,
}

#[derive(Serialize)]
pub struct ControlRow {
    pub control: ControlLink,
    pub evidence_count: usize,
    pub gap: bool,
}

#[derive(Serialize)]
pub struct SeriesGroup<R> {
    pub id: String,
    pub name: String,
    pub category_label: String,
    pub rows: Vec<R>,
}

#[derive(Serialize)]
pub struct FrameworkGroup {
    pub id: String,
    pub name: String,
    pub series: Vec<SeriesGroup<ControlRow>>,
}

#[derive(Serialize)]
pub struct ControlsView {
    pub frameworks: Vec<FrameworkGroup>,
}

#[derive(Serialize)]
pub struct MatrixCell {
    pub covered: bool,
    pub whole: bool,
    pub sections: Vec<SectionLink>,
}

#[derive(Serialize)]
pub struct MatrixRow {
    pub control: ControlLink,
    pub gap: bool,
    pub cells: Vec<MatrixCell>,
}

#[derive(Serialize)]
pub struct MatrixView {
    pub columns: Vec<DocLink>,
    pub groups: Vec<SeriesGroup<MatrixRow>>,
    pub stats: Stats,
    /// In-scope categories, for the filter.
    pub categories: Vec<CategoryOption>,
}

#[derive(Serialize)]
pub struct CategoryOption {
    pub id: String,
    pub label: String,
}

#[derive(Serialize)]
pub struct GapsView {
    pub gaps: Vec<ControlView>,
    pub stats: Stats,
}

/// Document indices in the home page's order: by kind, then title, then id. Previous/next and
/// the sidebar follow it.
pub fn reading_order(hb: &Handbook) -> Vec<usize> {
    let docs = &hb.documents;
    let mut order: Vec<usize> = (0..docs.len()).collect();
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
    order: Vec<usize>,
    /// Document index → position in `order`.
    rank: Vec<usize>,
}

impl<'a> Views<'a> {
    pub fn new(hb: &'a Handbook) -> Self {
        let mut v = Views {
            hb,
            order: Vec::new(),
            rank: Vec::new(),
        };
        v.order = v.reading_order();
        v.rank = vec![0; v.order.len()];
        for (pos, &i) in v.order.iter().enumerate() {
            v.rank[i] = pos;
        }
        v
    }

    fn order(&self) -> &[usize] {
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

    pub fn doc_link(&self, i: usize) -> DocLink {
        let d = &self.hb.documents[i];
        DocLink {
            id: d.id.clone(),
            title: d.title.clone(),
            kind: d.kind,
            kind_label: d.kind.as_str(),
            url: url::document(&d.id),
            owner: d.owner.clone(),
            status: d.status.as_str(),
            version: d.version.clone(),
            review: d.review.map(|r| r.to_string()),
            path: d.path.clone(),
            folder: d.folder().to_string(),
        }
    }

    pub fn control_link(&self, position: usize) -> ControlLink {
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
    pub fn reading_order(&self) -> Vec<usize> {
        reading_order(self.hb)
    }

    fn neighbour(&self, i: usize, step: isize) -> Option<DocLink> {
        let j = self.rank.get(i)?.checked_add_signed(step)?;
        self.order().get(j).map(|&k| self.doc_link(k))
    }

    pub fn kind_groups(&self) -> Vec<KindGroup> {
        let order = self.reading_order();
        Kind::ALL
            .into_iter()
            .map(|kind| KindGroup {
                kind,
                label: kind.plural_label(),
                documents: order
                    .iter()
                    .filter(|&&i| self.hb.documents[i].kind == kind)
                    .map(|&i| self.doc_link(i))
                    .collect(),
            })
            .filter(|g| !g.documents.is_empty())
            .collect()
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

    pub fn home(&self) -> HomeView {
        HomeView {
            groups: self.kind_groups(),
            stats: self.stats(),
        }
    }

    pub fn document<'b>(&self, i: usize, body: &'b str) -> DocumentView<'b> {
        let hb = self.hb;
        let d = &hb.documents[i];
        let refs = &hb.refs[i];
        // Every control the document maps, whole or by section, in catalog order.
        let mut mapped: Vec<(usize, bool, Vec<SectionLink>)> = Vec::new();
        let mut add = |p: usize, whole: bool, section: Option<&Section>| {
            let pos = match mapped.iter().position(|m| m.0 == p) {
                Some(k) => k,
                None => {
                    mapped.push((p, false, Vec::new()));
                    mapped.len() - 1
                }
            };
            mapped[pos].1 |= whole;
            if let Some(s) = section
                && !mapped[pos].2.iter().any(|l| l.anchor == s.anchor)
            {
                mapped[pos].2.push(Self::section_link(d, s));
            }
        };
        for r in &d.controls {
            if let Some(p) = hb.catalog.position(&r.framework, &r.id) {
                add(p, true, None);
            }
        }
        for s in d.sections.iter() {
            for r in &s.controls {
                if let Some(p) = hb.catalog.position(&r.framework, &r.id) {
                    add(p, false, Some(s));
                }
            }
        }
        mapped.sort_by_key(|m| m.0);
        DocumentView {
            doc: self.doc_link(i),
            approvers: d.approvers.clone(),
            effective: d.effective.map(|e| e.to_string()),
            tags: d.tags.clone(),
            extra: d.extra.clone(),
            controls: mapped
                .into_iter()
                .map(|(p, whole, sections)| ControlMapping {
                    control: self.control_link(p),
                    whole,
                    sections,
                })
                .collect(),
            toc: d
                .sections
                .iter()
                .filter(|s| (2..=3).contains(&s.level))
                .map(|s| TocEntry {
                    level: s.level,
                    title: s.title.clone(),
                    anchor: s.anchor.clone(),
                })
                .collect(),
            body,
            implements: refs.implements.iter().map(|&j| self.doc_link(j)).collect(),
            implemented_by: refs
                .implemented_by
                .iter()
                .map(|&j| self.doc_link(j))
                .collect(),
            referenced_by: refs
                .referenced_by
                .iter()
                .map(|&j| self.doc_link(j))
                .collect(),
            history: self.doc_history(i),
            kind_plural: d.kind.plural_label(),
            previous: self.neighbour(i, -1),
            next: self.neighbour(i, 1),
        }
    }

    fn evidence(&self, c: &Coverage) -> Evidence {
        let d = &self.hb.documents[c.document];
        let section = c
            .section
            .and_then(|s| d.sections.get(s))
            .map(|s| Self::section_link(d, s));
        let url = section
            .as_ref()
            .map(|s| s.url.clone())
            .unwrap_or_else(|| url::document(&d.id));
        Evidence {
            document: self.doc_link(c.document),
            section,
            url,
        }
    }

    pub fn control(&self, position: usize) -> ControlView {
        let hb = self.hb;
        let c = hb.catalog.at(position);
        let framework = hb.catalog.framework(&c.framework);
        let t = &hb.trace;
        ControlView {
            control: self.control_link(position),
            series_name: framework
                .and_then(|f| f.series(&c.series))
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            framework_name: framework.map(|f| f.name.clone()).unwrap_or_default(),
            gap: t.in_scope[position] && t.covered_by[position].is_empty(),
            covered_by: t.covered_by[position]
                .iter()
                .map(|c| self.evidence(c))
                .collect(),
            not_published: t.not_published[position]
                .iter()
                .map(|c| self.evidence(c))
                .collect(),
        }
    }

    pub fn controls(&self) -> ControlsView {
        let hb = self.hb;
        let t = &hb.trace;
        let mut base = 0usize;
        let mut frameworks = Vec::new();
        for f in &hb.catalog.frameworks {
            let series = f
                .series
                .iter()
                .map(|s| SeriesGroup {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    category_label: category_label(&s.category),
                    rows: f
                        .controls
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| c.series == s.id)
                        .map(|(ci, _)| {
                            let p = base + ci;
                            ControlRow {
                                control: self.control_link(p),
                                evidence_count: t.covered_by[p].len(),
                                gap: t.in_scope[p] && t.covered_by[p].is_empty(),
                            }
                        })
                        .collect(),
                })
                .collect();
            frameworks.push(FrameworkGroup {
                id: f.id.clone(),
                name: f.name.clone(),
                series,
            });
            base += f.controls.len();
        }
        ControlsView { frameworks }
    }

    pub fn matrix(&self) -> MatrixView {
        let hb = self.hb;
        let t = &hb.trace;
        let in_scope: Vec<usize> = (0..hb.catalog.len()).filter(|&p| t.in_scope[p]).collect();
        // Columns: documents that cover at least one in-scope control, in reading order.
        let columns: Vec<usize> = self
            .reading_order()
            .into_iter()
            .filter(|&di| {
                in_scope
                    .iter()
                    .any(|&p| t.covered_by[p].iter().any(|c| c.document == di))
            })
            .collect();
        let mut groups: Vec<SeriesGroup<MatrixRow>> = Vec::new();
        for &p in &in_scope {
            let c = hb.catalog.at(p);
            let row = MatrixRow {
                control: self.control_link(p),
                gap: t.covered_by[p].is_empty(),
                cells: columns
                    .iter()
                    .map(|&di| {
                        let d = &hb.documents[di];
                        let hits: Vec<&Coverage> = t.covered_by[p]
                            .iter()
                            .filter(|c| c.document == di)
                            .collect();
                        MatrixCell {
                            covered: !hits.is_empty(),
                            whole: hits.iter().any(|c| c.section.is_none()),
                            sections: hits
                                .iter()
                                .filter_map(|c| c.section.and_then(|s| d.sections.get(s)))
                                .map(|s| Self::section_link(d, s))
                                .collect(),
                        }
                    })
                    .collect(),
            };
            match groups.last_mut() {
                Some(g) if g.id == c.series => g.rows.push(row),
                _ => {
                    let series = hb
                        .catalog
                        .framework(&c.framework)
                        .and_then(|f| f.series(&c.series));
                    groups.push(SeriesGroup {
                        id: c.series.clone(),
                        name: series.map(|s| s.name.clone()).unwrap_or_default(),
                        category_label: category_label(&c.category),
                        rows: vec![row],
                    });
                }
            }
        }
        let mut categories: Vec<CategoryOption> = Vec::new();
        for &p in &in_scope {
            let c = &hb.catalog.at(p).category;
            if !categories.iter().any(|o| &o.id == c) {
                categories.push(CategoryOption {
                    id: c.clone(),
                    label: category_label(c),
                });
            }
        }
        MatrixView {
            columns: columns.iter().map(|&i| self.doc_link(i)).collect(),
            groups,
            stats: self.stats(),
            categories,
        }
    }

    pub fn gaps(&self) -> GapsView {
        GapsView {
            gaps: self
                .hb
                .trace
                .gaps
                .iter()
                .map(|&p| self.control(p))
                .collect(),
            stats: self.stats(),
        }
    }
}
