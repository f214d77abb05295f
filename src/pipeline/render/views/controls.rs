//! Views of controls: each control's page, the control list, the matrix and the gap report.

use serde::Serialize;

use crate::model::{ControlIx, url};
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
    /// The organisation's controls that map it, with their statements and the sections that
    /// describe them.
    pub controls: Vec<super::register::RegControlDetail>,
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

/// How many documents or sections a matrix cell lists before folding the rest away: a
/// criterion that hundreds of sections map must not make its row a page long.
const SHOWN: usize = 4;

#[derive(Serialize)]
/// A document or section that maps a criterion (directly, or through a control).
pub struct MatrixEvidence {
    /// "Access Control Policy › Quarterly access review".
    pub label: String,
    /// Its page (with the section's anchor), relative to the site root.
    pub url: String,
}

#[derive(Serialize)]
/// A row of the matrix: one in-scope criterion, whatever the number of documents.
pub struct MatrixRow {
    /// The criterion.
    pub control: ControlLink,
    /// Covered by nothing.
    pub gap: bool,
    /// `covered`, `gap`… (its CSS class and filter value).
    pub status: CriterionStatus,
    /// The status in words.
    pub status_label: &'static str,
    /// Why.
    pub reason: String,
    /// The register's controls that map it.
    pub controls: Vec<RegControlLink>,
    /// The first published documents and sections that map it, through its controls or directly.
    pub evidence: Vec<MatrixEvidence>,
    /// The rest, folded away.
    pub more: Vec<MatrixEvidence>,
    /// Owners of those documents and of its controls, each once (the first few).
    pub owners: Vec<String>,
    /// How many more owners there are.
    pub more_owners: usize,
    /// The register's controls beyond the first few, folded away.
    pub more_controls: Vec<RegControlLink>,
}

#[derive(Serialize)]
/// A row of the controls view: one control of the register.
pub struct RegisterRow {
    /// The control.
    pub control: RegControlLink,
    /// Its criteria.
    pub criteria: Vec<ControlLink>,
    /// Series of its criteria, space-separated, for the series filter.
    pub series: String,
    /// Categories of its criteria, space-separated, for the category filter.
    pub categories: String,
    /// The first published documents and sections that describe it.
    pub evidence: Vec<MatrixEvidence>,
    /// The rest, folded away.
    pub more: Vec<MatrixEvidence>,
}

#[derive(Serialize)]
/// A status the filter offers, with how many rows have it.
pub struct StatusOption {
    /// Its value (`covered`, `implemented`…).
    pub id: String,
    /// In words.
    pub label: String,
    /// Rows with it.
    pub count: usize,
}

#[derive(Serialize)]
/// The traceability matrix: a row per in-scope criterion, and a row per control of the register.
pub struct MatrixView {
    /// In-scope criteria by series.
    pub groups: Vec<SeriesGroup<MatrixRow>>,
    /// The register, one row per control (empty without one).
    pub controls: Vec<RegisterRow>,
    /// The headline figures.
    pub stats: Stats,
    /// In-scope categories, for the filter.
    pub categories: Vec<CategoryOption>,
    /// Criterion statuses present, for the filter.
    pub statuses: Vec<StatusOption>,
    /// Control states present (`implemented`, `planned`…), for the controls view's filter.
    pub control_states: Vec<StatusOption>,
    /// Number of in-scope criteria listed.
    pub criteria_count: usize,
    /// The framework this page is about; `None` on the combined matrix.
    pub framework: Option<FrameworkTab>,
    /// Every framework in the audit with its counts and its own matrix page (more than one:
    /// the combined page opens with this overview).
    pub frameworks: Vec<FrameworkTab>,
}

#[derive(Serialize, Clone)]
/// A framework of the audit, for the overview and the per-framework pages.
pub struct FrameworkTab {
    /// Its counts.
    #[serde(flatten)]
    pub summary: crate::pipeline::resolve::FrameworkSummary,
    /// Its matrix page, relative to the site root.
    pub url: String,
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
            gap: t.status[position].is_gap(),
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
                .map(|&k| self.reg_control_detail(k))
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
                    framework: f.id.clone(),
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
                            gap: t.status[p].is_gap(),
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

    /// The published documents and sections that map criterion `p`: through its controls
    /// first, then directly; each place once.
    pub(super) fn criterion_places(&self, p: ControlIx) -> Vec<&Coverage> {
        let t = &self.hb.trace;
        let mut seen = std::collections::HashSet::new();
        t.controls[p]
            .iter()
            .flat_map(|&k| &t.documented_by[k])
            .chain(&t.covered_by[p])
            .filter(|&cov| seen.insert(*cov))
            .collect()
    }

    /// A document or section, as the matrix lists it.
    pub(super) fn matrix_evidence(&self, c: &Coverage) -> MatrixEvidence {
        let d = &self.hb.documents[c.document];
        match c.section.and_then(|s| d.sections.get(s)) {
            Some(s) => {
                let link = Self::section_link(d, s);
                MatrixEvidence {
                    label: format!("{} › {}", d.title.value, link.title),
                    url: link.url,
                }
            }
            None => MatrixEvidence {
                label: d.title.value.clone(),
                url: url::document(&d.id),
            },
        }
    }

    /// The frameworks of the audit (those with criteria in scope), with their counts.
    pub fn framework_tabs(&self) -> Vec<FrameworkTab> {
        self.hb
            .framework_summaries()
            .into_iter()
            .filter(|s| s.in_scope > 0)
            .map(|s| FrameworkTab {
                url: url::framework_matrix(&s.id),
                summary: s,
            })
            .collect()
    }

    /// The traceability matrix: of every framework in the audit, or of one.
    pub fn matrix(&self, only: Option<&str>) -> MatrixView {
        let hb = self.hb;
        let t = &hb.trace;
        let frameworks = self.framework_tabs();
        let framework =
            only.and_then(|key| frameworks.iter().find(|f| f.summary.id == key).cloned());
        let in_scope: Vec<ControlIx> = hb
            .catalog
            .positions()
            .filter(|&p| t.in_scope[p] && only.is_none_or(|f| hb.catalog.at(p).framework == f))
            .collect();
        let fold = |mut all: Vec<MatrixEvidence>| {
            let more = if all.len() > SHOWN {
                all.split_off(SHOWN)
            } else {
                Vec::new()
            };
            (all, more)
        };
        let mut groups: Vec<SeriesGroup<MatrixRow>> = Vec::new();
        for &p in &in_scope {
            let c = hb.catalog.at(p);
            let places = self.criterion_places(p);
            let mut owners: Vec<String> = Vec::new();
            let owner_list = places
                .iter()
                .filter_map(|cov| hb.documents[cov.document].owner_name())
                .chain(t.controls[p].iter().map(|&k| hb.register[k].owner.as_str()));
            for o in owner_list {
                if !owners.iter().any(|x| x == o) {
                    owners.push(o.to_string());
                }
            }
            let (evidence, more) = fold(places.iter().map(|c| self.matrix_evidence(c)).collect());
            let more_owners = owners.len().saturating_sub(SHOWN);
            owners.truncate(SHOWN);
            let mut controls: Vec<RegControlLink> = t.controls[p]
                .iter()
                .map(|&k| self.reg_control_link(k))
                .collect();
            let more_controls = if controls.len() > 2 * SHOWN {
                controls.split_off(2 * SHOWN)
            } else {
                Vec::new()
            };
            let row = MatrixRow {
                control: self.control_link(p),
                gap: t.status[p].is_gap(),
                status: t.status[p],
                status_label: t.status[p].label(),
                reason: hb.status_reason(p),
                controls,
                more_controls,
                evidence,
                more,
                owners,
                more_owners,
            };
            match groups.last_mut() {
                Some(g) if g.id == c.series && g.framework == c.framework => g.rows.push(row),
                _ => {
                    let series = hb
                        .catalog
                        .framework(&c.framework)
                        .and_then(|f| f.series(&c.series));
                    groups.push(SeriesGroup {
                        framework: c.framework.clone(),
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
        let mut statuses: Vec<StatusOption> = Vec::new();
        for &p in &in_scope {
            let s = t.status[p];
            match statuses.iter_mut().find(|o| o.id == s.as_str()) {
                Some(o) => o.count += 1,
                None => statuses.push(StatusOption {
                    id: s.as_str().to_string(),
                    label: s.label().to_string(),
                    count: 1,
                }),
            }
        }
        // What needs attention first.
        let rank = |id: &str| {
            [
                "gap",
                "partial-via-crosswalk",
                "incomplete",
                "documented-only",
                "covered-via-crosswalk",
                "covered-with-csocs",
                "covered",
                "not-applicable",
            ]
            .iter()
            .position(|s| *s == id)
            .unwrap_or(usize::MAX)
        };
        statuses.sort_by_key(|o| rank(&o.id));
        let controls: Vec<RegisterRow> = hb
            .register
            .iter_enumerated()
            .map(|(k, c)| {
                let positions: Vec<ControlIx> = c
                    .criteria
                    .iter()
                    .filter_map(|r| hb.catalog.position(&r.framework, &r.id))
                    .collect();
                let mut series: Vec<&str> = Vec::new();
                let mut cats: Vec<&str> = Vec::new();
                for &p in &positions {
                    let at = hb.catalog.at(p);
                    if !series.contains(&at.series.as_str()) {
                        series.push(&at.series);
                    }
                    if !cats.contains(&at.category.as_str()) {
                        cats.push(&at.category);
                    }
                }
                let (evidence, more) = fold(
                    t.documented_by[k]
                        .iter()
                        .map(|c| self.matrix_evidence(c))
                        .collect(),
                );
                RegisterRow {
                    control: self.reg_control_link(k),
                    criteria: positions.iter().map(|&p| self.control_link(p)).collect(),
                    series: series.join(" "),
                    categories: cats.join(" "),
                    evidence,
                    more,
                }
            })
            .collect();
        let mut control_states: Vec<StatusOption> = Vec::new();
        for row in &controls {
            let state = &row.control.state_class;
            match control_states.iter_mut().find(|o| &o.id == state) {
                Some(o) => o.count += 1,
                None => control_states.push(StatusOption {
                    id: state.clone(),
                    label: state.replace('-', " "),
                    count: 1,
                }),
            }
        }
        control_states.sort_by(|a, b| a.id.cmp(&b.id));
        MatrixView {
            groups,
            controls,
            stats: self.stats(),
            categories,
            statuses,
            control_states,
            criteria_count: in_scope.len(),
            framework,
            frameworks,
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
