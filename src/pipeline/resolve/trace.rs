//! The trace: for every criterion of the catalog, the documents and sections that cover it, and the
//! in-scope criteria nothing covers (the gaps). Only published documents count as coverage;
//! drafts and retired documents that map a criterion are listed separately.
//!
//! With a control register, the chain is criterion ← the organisation's controls (their
//! `criteria`) ← documents and sections (their `controls`). A criterion is then covered only by an
//! implemented control of the organisation's that a published document or section describes;
//! documents that map the criterion directly, with no control, leave it "documented only".

use std::collections::HashMap;

use serde::Serialize;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::register::{ControlStatus, RegControl, Responsibility};
use crate::model::{ControlIx, DocIx, Document, IxVec, RegIx, Status};

/// Where an in-scope criterion stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CriterionStatus {
    /// Met: by an implemented, documented control of the organisation's (or, without a register,
    /// by a published document or section).
    Covered,
    /// Controls of the register map it, but none is implemented, the organisation's and
    /// documented: planned, partial, undocumented, or someone else's.
    Incomplete,
    /// Documents map it directly, but no control of the register does.
    DocumentedOnly,
    /// Nothing meets it.
    Gap,
    /// Not in the audit's scope.
    OutOfScope,
}

impl CriterionStatus {
    /// How pages say it.
    pub fn label(self) -> &'static str {
        match self {
            CriterionStatus::Covered => "covered",
            CriterionStatus::Incomplete => "no control in operation",
            CriterionStatus::DocumentedOnly => "documented only",
            CriterionStatus::Gap => "gap",
            CriterionStatus::OutOfScope => "out of scope",
        }
    }
}

/// One piece of evidence: a document as a whole, or one of its sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coverage {
    /// The covering document.
    pub document: DocIx,
    /// Index into the document's `sections`; `None` for a mapping in the front matter.
    pub section: Option<usize>,
}

#[derive(Debug, Default)]
/// Which document and section covers which control, and the gaps.
pub struct Trace {
    /// Per control of the catalog: published coverage.
    pub covered_by: IxVec<ControlIx, Vec<Coverage>>,
    /// Per control: mappings by draft or retired documents, which do not count.
    pub not_published: IxVec<ControlIx, Vec<Coverage>>,
    /// Per control: whether it is in scope of the audit.
    pub in_scope: IxVec<ControlIx, bool>,
    /// In-scope controls with no published coverage, in catalog order.
    pub gaps: Vec<ControlIx>,
    /// Per control of the register: the published documents and sections that describe it.
    pub documented_by: IxVec<RegIx, Vec<Coverage>>,
    /// Per control of the register: drafts and retired documents that name it.
    pub documented_unpublished: IxVec<RegIx, Vec<Coverage>>,
    /// Per criterion: the controls of the register that map it, in register order.
    pub controls: IxVec<ControlIx, Vec<RegIx>>,
    /// Per criterion: where it stands.
    pub status: IxVec<ControlIx, CriterionStatus>,
}

impl Trace {
    /// The trace of `documents` against `catalog`; a warning for the gaps unless `[scope] gaps = "allow"`.
    pub fn build(
        config: &Config,
        catalog: &Catalog,
        documents: &IxVec<DocIx, Document>,
        register: &IxVec<RegIx, RegControl>,
        register_ids: &HashMap<String, RegIx>,
        diags: &mut Diagnostics,
    ) -> Trace {
        let n = catalog.len();
        let mut covered_by = IxVec::filled(n, Vec::new());
        let mut not_published = IxVec::filled(n, Vec::new());
        let mut documented_by = IxVec::filled(register.len(), Vec::new());
        let mut documented_unpublished = IxVec::filled(register.len(), Vec::new());
        let mut order: Vec<DocIx> = documents.indices().collect();
        order.sort_by(|&a, &b| documents[a].id.cmp(&documents[b].id).then(a.cmp(&b)));
        for &di in &order {
            let doc = &documents[di];
            let published = doc.status == Status::Published;
            let whole = doc.controls.iter().map(|r| (r, None));
            let sections = doc
                .sections
                .iter()
                .enumerate()
                .flat_map(|(si, s)| s.controls.iter().map(move |r| (r, Some(si))));
            for (r, section) in whole.chain(sections) {
                let c = Coverage {
                    document: di,
                    section,
                };
                if super::names_register_control(r, register_ids) {
                    let k = register_ids[&r.id];
                    let target = if published {
                        &mut documented_by
                    } else {
                        &mut documented_unpublished
                    };
                    push_once(&mut target[k], c);
                } else if let Some(p) = catalog.position(&r.framework, &r.id) {
                    let target = if published {
                        &mut covered_by
                    } else {
                        &mut not_published
                    };
                    push_once(&mut target[p], c);
                }
            }
        }
        let mut controls: IxVec<ControlIx, Vec<RegIx>> = IxVec::filled(n, Vec::new());
        for (k, c) in register.iter_enumerated() {
            for r in &c.criteria {
                if let Some(p) = catalog.position(&r.framework, &r.id)
                    && !controls[p].contains(&k)
                {
                    controls[p].push(k);
                }
            }
        }
        let in_scope: IxVec<ControlIx, bool> = catalog
            .positions()
            .map(|p| {
                let c = catalog.at(p);
                c.framework == config.scope.framework && config.category_in_scope(&c.category)
            })
            .collect();
        // A control meets its criteria when it is the organisation's, implemented, and a
        // published document or section describes it.
        let meets = |k: RegIx| {
            let c = &register[k];
            c.responsibility == Responsibility::Organization
                && c.status == ControlStatus::Implemented
                && !documented_by[k].is_empty()
        };
        let status: IxVec<ControlIx, CriterionStatus> = catalog
            .positions()
            .map(|p| {
                if !in_scope[p] {
                    CriterionStatus::OutOfScope
                } else if register.is_empty() {
                    if covered_by[p].is_empty() {
                        CriterionStatus::Gap
                    } else {
                        CriterionStatus::Covered
                    }
                } else if controls[p].iter().any(|&k| meets(k)) {
                    CriterionStatus::Covered
                } else if !controls[p].is_empty() {
                    CriterionStatus::Incomplete
                } else if !covered_by[p].is_empty() {
                    CriterionStatus::DocumentedOnly
                } else {
                    CriterionStatus::Gap
                }
            })
            .collect();
        let gaps: Vec<ControlIx> = catalog
            .positions()
            .filter(|&p| status[p] == CriterionStatus::Gap)
            .collect();
        if config.scope.gaps == crate::config::GapPolicy::Warn {
            if !gaps.is_empty() {
                diags.push(gap_warning(
                    config,
                    catalog,
                    documents,
                    &gaps,
                    &not_published,
                    !register.is_empty(),
                ));
            }
            let with = |s: CriterionStatus| -> Vec<ControlIx> {
                catalog.positions().filter(|&p| status[p] == s).collect()
            };
            let documented_only = with(CriterionStatus::DocumentedOnly);
            if !documented_only.is_empty() {
                diags.push(documented_only_warning(config, catalog, &documented_only));
            }
            let incomplete = with(CriterionStatus::Incomplete);
            if !incomplete.is_empty() {
                diags.push(incomplete_warning(
                    config,
                    catalog,
                    register,
                    &documented_by,
                    &controls,
                    &incomplete,
                ));
            }
        }
        for (k, c) in register.iter_enumerated() {
            if c.status != ControlStatus::Retired
                && c.responsibility == Responsibility::Organization
                && documented_by[k].is_empty()
            {
                diags.push(
                    Diagnostic::warning(format!(
                        "control `{}` is described by no published document or section",
                        c.id.value
                    ))
                    .at_line(&c.file, &c.source, c.id.line)
                    .pointing_at(&c.id.value)
                    .hint(format!(
                        "name it where the policy or procedure says how it is done: `controls: [{id}]` in the front matter, or `{{controls={id}}}` on the section's heading",
                        id = c.id.value
                    )),
                );
            }
        }
        Trace {
            covered_by,
            not_published,
            in_scope,
            gaps,
            documented_by,
            documented_unpublished,
            controls,
            status,
        }
    }

    /// Number of in-scope controls.
    pub fn in_scope_count(&self) -> usize {
        self.in_scope.iter().filter(|&&b| b).count()
    }

    /// Number of in-scope criteria covered (see `CriterionStatus::Covered`).
    pub fn covered_in_scope_count(&self) -> usize {
        self.status
            .iter()
            .filter(|&&s| s == CriterionStatus::Covered)
            .count()
    }
}

fn push_once(list: &mut Vec<Coverage>, c: Coverage) {
    if !list.contains(&c) {
        list.push(c);
    }
}

/// With a register: criteria that documents map but no control does.
fn documented_only_warning(config: &Config, catalog: &Catalog, list: &[ControlIx]) -> Diagnostic {
    let ids: Vec<String> = list
        .iter()
        .map(|&p| {
            let c = catalog.at(p);
            format!("{} ({})", c.id, c.title)
        })
        .collect();
    Diagnostic::warning(format!(
        "documented only: {} in-scope criteri{} mapped by documents but by no control of the register: {}",
        list.len(),
        if list.len() == 1 { "on is" } else { "a are" },
        ids.join(", ")
    ))
    .at(&config.path, config.key_line("categories"))
    .hint("an auditor tests controls, not documents: add `criteria: [ID]` to the control of controls.yaml that meets each one (or a new control)")
}

/// With a register: criteria whose controls are not all there yet.
fn incomplete_warning(
    config: &Config,
    catalog: &Catalog,
    register: &IxVec<RegIx, RegControl>,
    documented_by: &IxVec<RegIx, Vec<Coverage>>,
    controls: &IxVec<ControlIx, Vec<RegIx>>,
    list: &[ControlIx],
) -> Diagnostic {
    let items: Vec<String> = list
        .iter()
        .map(|&p| {
            let why: Vec<String> = controls[p]
                .iter()
                .map(|&k| {
                    let c = &register[k];
                    let state = if c.responsibility != Responsibility::Organization {
                        c.responsibility.to_string()
                    } else if c.status != ControlStatus::Implemented {
                        c.status.to_string()
                    } else if documented_by[k].is_empty() {
                        "undocumented".to_string()
                    } else {
                        c.status.to_string()
                    };
                    format!("{} {state}", c.id.value)
                })
                .collect();
            format!("{} ({})", catalog.at(p).id, why.join(", "))
        })
        .collect();
    Diagnostic::warning(format!(
        "no control in operation: {} in-scope criteri{} met by no implemented, documented control of the organisation's: {}",
        list.len(),
        if list.len() == 1 { "on is" } else { "a are" },
        items.join(", ")
    ))
    .at(&config.path, config.key_line("categories"))
    .hint("a criterion is met once one of its controls is `status: implemented` and a published document or section names it")
}

/// One warning for all gaps (a list of 30 identical warnings helps nobody), naming each control
/// and the unpublished documents that would close it.
fn gap_warning(
    config: &Config,
    catalog: &Catalog,
    documents: &IxVec<DocIx, Document>,
    gaps: &[ControlIx],
    not_published: &IxVec<ControlIx, Vec<Coverage>>,
    with_register: bool,
) -> Diagnostic {
    let list: Vec<String> = gaps
        .iter()
        .map(|&p| {
            let c = catalog.at(p);
            let drafts: Vec<&str> = not_published[p]
                .iter()
                .map(|c| documents[c.document].id.as_str())
                .collect();
            if drafts.is_empty() {
                format!("{} ({})", c.id, c.title)
            } else {
                format!(
                    "{} ({}; mapped only by unpublished {})",
                    c.id,
                    c.title,
                    drafts.join(", ")
                )
            }
        })
        .collect();
    let d = if with_register {
        Diagnostic::warning(format!(
            "gap: {} in-scope criteri{} met by no control and mapped by no published document: {}",
            gaps.len(),
            if gaps.len() == 1 { "on is" } else { "a are" },
            list.join(", ")
        ))
        .hint(
            "add the control that meets each one to controls.yaml (`criteria: [ID]`) and name it in the document \
             that describes it; or take the category out of [scope] categories in site.toml",
        )
    } else {
        let noun = if gaps.len() == 1 {
            "control is"
        } else {
            "controls are"
        };
        Diagnostic::warning(format!(
            "gap: {} in-scope {noun} covered by no published document: {}",
            gaps.len(),
            list.join(", ")
        ))
        .hint(
            "map each one in the front matter (`controls: [ID]`) of the document that addresses it, or on the \
             heading of the section that does (`## Title {controls=ID}`); publish drafts once approved \
             (`status: published`); or take the category out of [scope] categories in site.toml",
        )
    };
    d.at(&config.path, config.key_line("categories"))
}

#[cfg(test)]
mod tests {
    use super::CriterionStatus;
    use crate::pipeline::resolve::tests::{handbook, handbook_with_register};

    const SITE: &str = "title = \"T\"\n[scope]\ncategories = [\"availability\"]\n";

    #[test]
    fn coverage_by_documents_and_sections_drafts_apart_and_gaps_in_scope() {
        let (hb, diags) = handbook(
            &[
                (
                    "policies/a.md",
                    "---\ntitle: A\nowner: O\nreview: annual\ncontrols: [CC6.1]\n---\n## Review {controls=CC6.2,A1.1}\n",
                ),
                (
                    "policies/d.md",
                    "---\ntitle: D\nowner: O\nstatus: draft\ncontrols: [CC6.3]\n---\n",
                ),
            ],
            SITE,
        );
        let t = &hb.trace;
        let at = |id: &str| hb.catalog.position("soc2", id).unwrap();
        let a = hb.document_index("a").unwrap();
        assert_eq!(t.covered_by[at("CC6.1")].len(), 1);
        assert_eq!(t.covered_by[at("CC6.1")][0].section, None);
        assert_eq!(t.covered_by[at("CC6.2")][0].document, a);
        assert_eq!(t.covered_by[at("CC6.2")][0].section, Some(0));
        assert!(t.covered_by[at("CC6.3")].is_empty());
        assert_eq!(t.not_published[at("CC6.3")].len(), 1);
        // Security and availability in scope, nothing else.
        assert!(t.in_scope[at("A1.1")] && !t.in_scope[at("C1.1")]);
        assert_eq!(t.in_scope_count(), 33 + 3);
        assert_eq!(t.covered_in_scope_count(), 3);
        assert!(t.gaps.contains(&at("CC6.3")) && !t.gaps.contains(&at("A1.1")));
        // One warning for all gaps, naming the draft that would close CC6.3, on site.toml's line.
        let gap = diags
            .iter()
            .find(|d| d.message.starts_with("gap:"))
            .unwrap();
        assert!(
            gap.message.contains(
                "CC6.3 (Role-based access and least privilege; mapped only by unpublished d)"
            ),
            "{}",
            gap.message
        );
        assert_eq!(gap.line, Some(3));
    }

    #[test]
    fn allowed_gaps_are_not_warnings() {
        let (hb, diags) = handbook(&[], "title = \"T\"\n[scope]\ngaps = \"allow\"\n");
        assert_eq!(hb.trace.gaps.len(), 33);
        assert!(diags.is_empty(), "{diags:?}");
    }

    const REGISTER: &str = "\
- id: ACC-02
  title: Access review
  statement: Quarterly review of access.
  owner: System owners
  frequency: quarterly
  criteria: [CC6.2, CC6.3]
- id: ACC-09
  title: Access recertification
  statement: Planned.
  owner: HR
  frequency: annual
  status: planned
  criteria: [CC6.3, CC6.4]
- id: LOG-01
  title: Log review
  statement: Weekly.
  owner: SecOps
  frequency: weekly
  criteria: [CC7.2]
";

    #[test]
    fn with_a_register_criteria_are_met_by_documented_implemented_controls() {
        let (hb, diags) = handbook_with_register(
            &[
                (
                    "policies/a.md",
                    "---\ntitle: A\nowner: O\nreview: annual\ncontrols: [CC6.1]\n---\n## Review {controls=ACC-02}\n\nEach quarter.\n",
                ),
                (
                    "policies/d.md",
                    "---\ntitle: D\nowner: O\nstatus: draft\ncontrols: [LOG-01]\n---\n",
                ),
            ],
            REGISTER,
            "title = \"T\"\n",
        );
        let t = &hb.trace;
        let at = |id: &str| hb.catalog.position("soc2", id).unwrap();
        let acc02 = hb.register_ids["ACC-02"];
        assert_eq!(t.documented_by[acc02].len(), 1);
        assert_eq!(t.documented_by[acc02][0].section, Some(0));
        assert_eq!(t.status[at("CC6.2")], CriterionStatus::Covered);
        // ACC-02 covers CC6.3 even though ACC-09, also mapping it, is only planned.
        assert_eq!(t.status[at("CC6.3")], CriterionStatus::Covered);
        assert_eq!(t.status[at("CC6.4")], CriterionStatus::Incomplete);
        // LOG-01 is described only by a draft.
        assert_eq!(t.status[at("CC7.2")], CriterionStatus::Incomplete);
        assert_eq!(t.documented_unpublished[hb.register_ids["LOG-01"]].len(), 1);
        // A document maps CC6.1 directly, and no control does.
        assert_eq!(t.status[at("CC6.1")], CriterionStatus::DocumentedOnly);
        assert_eq!(t.status[at("CC1.1")], CriterionStatus::Gap);
        assert_eq!(t.status[at("A1.1")], CriterionStatus::OutOfScope);
        assert_eq!(t.covered_in_scope_count(), 2);
        assert_eq!(t.controls[at("CC6.3")].len(), 2);

        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("documented only: 1 in-scope criterion")
                    && m.contains("CC6.1")),
            "{messages:#?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("no control in operation: 2")
                    && m.contains("CC6.4 (ACC-09 planned)")
                    && m.contains("CC7.2 (LOG-01 undocumented)")),
            "{messages:#?}"
        );
        let undocumented: Vec<(Option<usize>, &str)> = diags
            .iter()
            .filter(|d| d.message.contains("described by no published document"))
            .map(|d| (d.line, d.message.as_str()))
            .collect();
        assert_eq!(undocumented.len(), 2, "{undocumented:?}");
        assert_eq!(undocumented[0].0, Some(7));
    }
}
