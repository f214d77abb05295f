//! Views of controls: each control's page, the control list, the matrix and the gap report.

use serde::Serialize;

use crate::model::{ControlIx, DocIx, url};
use crate::pipeline::resolve::{Coverage, CriterionStatus};

use super::register::RegControlLink;
use super::scope::SubserviceLink;
use super::{ControlLink, DocLink, SectionLink, SeriesGroup, Stats, Views, category_label};

#[derive(Serialize)]
/// A document or section that covers a control.
pub struct Evidence {
    /// The document.
    pub document: DocLink,
    /// The section, when the mapping is on a heading.
    pub section: Option<SectionLink>,
    /// Link to the section, or to the document.
    pub url: String,
}

#[derive(Serialize)]
/// A control's page.
pub struct ControlView {
    /// The control.
    pub control: ControlLink,
    /// Name of its series.
    pub series_name: String,
    /// Name of its framework.
    pub framework_name: String,
    /// In scope and covered by nothing.
    pub gap: bool,
    /// Published coverage.
    pub covered_by: Vec<Evidence>,
    /// Mappings by drafts and retired documents, which do not count.
    pub not_published: Vec<Evidence>,
    /// `covered`, `incomplete`, `documented-only`, `gap`, `out-of-scope`.
    pub status: CriterionStatus,
    /// The status in words.
    pub status_label: &'static str,
    /// Why it has that status, in a sentence.
    pub reason: String,
    /// The subservices whose controls it relies on (carve-out).
    pub relies_on: Vec<SubserviceLink>,
    /// The organisation's controls that map it.
    pub controls: Vec<RegControlLink>,
}

#[derive(Serialize)]
/// A row of the control list.
pub struct ControlRow {
    /// The control.
    pub control: ControlLink,
    /// Number of documents and sections covering it.
    pub evidence_count: usize,
    /// In scope and covered by nothing.
    pub gap: bool,
}

#[derive(Serialize)]
/// A framework of the control list.
pub struct FrameworkGroup {
    /// `soc2`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its series, each with its controls.
    pub series: Vec<SeriesGroup<ControlRow>>,
}

#[derive(Serialize)]
/// The control list.
pub struct ControlsView {
    /// The organisation's controls (empty without a register).
    pub register: Vec<RegControlLink>,
    /// The register's revisions, reviews and significant changes.
    pub register_history: super::history::RegisterHistoryView,
    /// Every framework.
    pub frameworks: Vec<FrameworkGroup>,
}

#[derive(Serialize)]
/// A cell of the matrix: a control and a document.
pub struct MatrixCell {
    /// The document covers the control.
    pub covered: bool,
    /// As a whole (front matter).
    pub whole: bool,
    /// The sections that do.
    pub sections: Vec<SectionLink>,
}

#[derive(Serialize)]
/// A row of the matrix: one in-scope control.
pub struct MatrixRow {
    /// The control.
    pub control: ControlLink,
    /// Covered by nothing.
    pub gap: bool,
    /// One cell per column.
    pub cells: Vec<MatrixCell>,
}

#[derive(Serialize)]
/// The traceability matrix.
pub struct MatrixView {
    /// Documents covering at least one in-scope control, in reading order.
    pub columns: Vec<DocLink>,
    /// In-scope controls by series.
    pub groups: Vec<SeriesGroup<MatrixRow>>,
    /// The headline figures.
    pub stats: Stats,
    /// In-scope categories, for the filter.
    pub categories: Vec<CategoryOption>,
}

#[derive(Serialize)]
/// A category of the filter.
pub struct CategoryOption {
    /// `security`.
    pub id: String,
    /// "Security".
    pub label: String,
}

#[derive(Serialize)]
/// The gap report.
pub struct GapsView {
    /// Each gap, as on its control page.
    pub gaps: Vec<ControlView>,
    /// The headline figures.
    pub stats: Stats,
}

impl Views<'_> {
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

    /// A control's page.
    pub fn control(&self, position: ControlIx) -> ControlView {
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
            gap: t.status[position] == CriterionStatus::Gap,
            covered_by: t.covered_by[position]
                .iter()
                .map(|c| self.evidence(c))
                .collect(),
            not_published: t.not_published[position]
                .iter()
                .map(|c| self.evidence(c))
                .collect(),
            status: t.status[position],
            status_label: t.status[position].label(),
            reason: hb.status_reason(position),
            relies_on: t.relies_on[position]
                .iter()
                .map(|&s| self.subservice_link(s))
                .collect(),
            controls: t.controls[position]
                .iter()
                .map(|&k| self.reg_control_link(k))
                .collect(),
        }
    }

    /// The control list.
    pub fn controls(&self) -> ControlsView {
        let hb = self.hb;
        let t = &hb.trace;
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
                        .filter(|c| c.series == s.id)
                        .filter_map(|c| hb.catalog.position(&f.id, &c.id))
                        .map(|p| ControlRow {
                            control: self.control_link(p),
                            evidence_count: t.covered_by[p].len(),
                            gap: t.status[p] == CriterionStatus::Gap,
                        })
                        .collect(),
                })
                .collect();
            frameworks.push(FrameworkGroup {
                id: f.id.clone(),
                name: f.name.clone(),
                series,
            });
        }
        ControlsView {
            register: self.register(),
            register_history: self.register_history(),
            frameworks,
        }
    }

    /// The traceability matrix.
    pub fn matrix(&self) -> MatrixView {
        let hb = self.hb;
        let t = &hb.trace;
        let in_scope: Vec<ControlIx> = hb.catalog.positions().filter(|&p| t.in_scope[p]).collect();
        // Columns: documents that cover at least one in-scope control, in reading order.
        let columns: Vec<DocIx> = self
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
                gap: t.status[p] == CriterionStatus::Gap,
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

    /// The gap report.
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
